"""The argument parser: every command, its options and their help."""

import argparse

from ._common import (
    CORPORA, DEFAULT_MODEL, DEFAULT_OUT, MIN_ADAPT_CLIPS, MODELS, _fraction, _parse_setting,
    _positive_int, _seconds,
)
from .demo import _cmd_demo
from .evaluate import _cmd_evaluate
from .export import _cmd_export
from .predict import _cmd_predict
from .train import _cmd_train


def _build_parser():
    parser = argparse.ArgumentParser(
        prog="skser",
        description="Speech emotion recognition that speaks scikit-learn.",
        epilog="Run `skser COMMAND --help` for a command's options. "
               "`skser demo` runs the whole job on synthetic data in a few minutes.",
    )
    parser.set_defaults(command=None)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true",
                        help="no progress bars or progress lines (results still print)")
    common.add_argument("--traceback", action="store_true",
                        help="show the full Python traceback on errors")

    data = argparse.ArgumentParser(add_help=False)
    group = data.add_argument_group("data")
    group.add_argument("data", nargs="*", metavar="DATA",
                       help="folder holding the corpus, or several (each its own recording "
                            "domain, speakers kept apart); omit to use the synthetic demo "
                            "corpus")
    group.add_argument("--corpus", choices=CORPORA, nargs="+",
                       help="naming scheme of the files in DATA (folder: one sub-folder per "
                            "label); one for every DATA folder, or one per folder in order")
    group.add_argument("--label-map", choices=["crema_d"], default=None,
                       help="map labels onto the six CREMA-D classes (others are left out)")
    group.add_argument("--speaker-pattern", metavar="REGEX",
                       help="with --corpus folder: regex whose group is the speaker in a file name")
    group.add_argument("--speakers", type=_positive_int, default=8,
                       help="demo corpus: number of synthetic speakers (default 8)")
    group.add_argument("--per-class", type=_positive_int, default=8,
                       help="demo corpus: clips per speaker and emotion (default 8)")

    model = argparse.ArgumentParser(add_help=False)
    group = model.add_argument_group("model")
    group.add_argument("--kind", choices=["stats", "2d", "1d", "sequence", "ensemble"],
                       default=None,
                       help="ensemble: soft vote of stats and sequence (default; the "
                            "best over both corpora in docs/results.md); stats: pooled "
                            "prosodic and spectral statistics + logistic regression (trains "
                            "in seconds, no TensorFlow); 2d: log-mel spectrogram + 2-D CNN; "
                            "1d: frame features + 1-D CNN; sequence: frame features + "
                            "attention-GRU network")
    group.add_argument("--model", choices=MODELS, default=None,
                       help="CNN architecture of --kind 2d/1d (default lenet5)")
    group.add_argument("--epochs", type=_positive_int, help="maximum training epochs")
    group.add_argument("--no-augment", action="store_true", help="train without augmented copies")
    robust = group.add_mutually_exclusive_group()
    robust.add_argument("--no-robust", action="store_true",
                        help="--kind ensemble/stats: train on the clean clips only, without "
                             "the level step (the models before issue 21; docs/robustness.md)")
    robust.add_argument("--robust", action="store_true",
                        help="train on altered copies where the default does not: with "
                             "--speaker-normalize (--kind stats: one channel per speaker and "
                             "round, 2-3 points lower on clean clips, up to 4 higher on "
                             "altered ones) and for --kind sequence")
    group.add_argument("--narrowband-expert", action="store_true",
                       help="classify band-limited clips (phone calls, 8 kHz files) with a "
                            "second model trained behind a phone line's band; trains twice "
                            "(docs/robustness.md)")
    group.add_argument("--set", type=_parse_setting, action="append", metavar="STEP__PARAM=VALUE",
                       help="any pipeline parameter, e.g. --set features__n_mels=64 (repeatable)")
    group.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    group.add_argument("--n-jobs", type=int, default=None,
                       help="parallel jobs for loading and features (-1: all cores)")
    group.add_argument("--out", default=DEFAULT_OUT,
                       help=f"folder for reports and the model (default {DEFAULT_OUT})")

    speaker = argparse.ArgumentParser(add_help=False)
    speaker.add_argument(
        "--speaker-normalize", action="store_true",
        help="standardise features per speaker (the corpus's speakers); test speakers "
             "are normalised with their own unlabelled clips, and reports say so")

    p = sub.add_parser(
        "train", parents=[data, model, speaker, common], help="train a pipeline and save it",
        description="Train a pipeline, report on a held-out test part, save the model.",
    )
    p.add_argument("--split", choices=["speaker", "random", "none"], default="speaker",
                   help="speaker: hold out whole speakers (default); random: the course "
                        "recipe's random 70/30 split with 5%% validation (speakers overlap: "
                        "optimistic); none: train on everything, no report")
    p.add_argument("--test-size", type=_fraction, default=0.3,
                   help="share held out for testing (default 0.3)")
    p.add_argument("--recipe", choices=["pretrained"], default=None,
                   help="pretrained: train skser's pretrained model's recipe on your own "
                        "corpora (one or more DATA folders, each a recording domain; labels "
                        "mapped to the six CREMA-D emotions unless --label-map says "
                        "otherwise): weights of your own, under your data's terms "
                        "(docs/pretrained.md)")
    p.add_argument("--adapt", action="store_true",
                   help="train a model that adapts to the recordings it is given: features "
                        "standardised per recording domain (this corpus is one), so that "
                        f"`skser predict --adapt` standardises {MIN_ADAPT_CLIPS} or more "
                        "files of one source with their own statistics "
                        "(docs/cross_corpus.md); the held-out part is standardised with "
                        "its own, and the report says so")
    p.add_argument("--model-file",
                   help=f"where to save the model (default OUT/{DEFAULT_MODEL}, skser's safe "
                        "format; a name ending in .joblib or .pkl writes a pickle instead)")
    p.set_defaults(func=_cmd_train, command="train")

    p = sub.add_parser(
        "evaluate", parents=[data, model, speaker, common],
        help="speaker-grouped cross-validation with a report",
        description="Cross-validate with folds grouped by speaker; write a report.",
    )
    p.add_argument("--folds", type=_positive_int, default=5, help="number of folds (default 5)")
    p.add_argument("--robustness", action="store_true",
                   help="also test each fold on altered copies of its held-out clips: noise "
                        "(white, pink, brown, babble, hum), noise floors, rooms, phone lines, "
                        "MP3 and Opus, gains and sample rates; writes a table and a plot of "
                        "UA per corruption and severity (docs/robustness.md)")
    p.add_argument("--quick", action="store_true",
                   help="with --robustness: one severity per corruption (a quarter of the "
                        "time)")
    p.add_argument("--corruptions", nargs="+", metavar="NAME", default=None,
                   help="with --robustness: only these corruptions (default: all; see "
                        "docs/robustness.md for the names)")
    p.set_defaults(func=_cmd_evaluate, command="evaluate")

    p = sub.add_parser(
        "predict", parents=[common],
        help="label audio files (with skser's pretrained model, or a saved one)",
        usage="skser predict [MODEL] PATH [PATH ...] [options]",
        description="Print the predicted emotion and class probabilities of each file. "
                    "MODEL, when the first argument ends in .skser (or .joblib/.pkl, "
                    "which need --allow-pickle), is a model file written by `skser "
                    "train` (loading it runs no code from it); without one, skser's "
                    "pretrained model labels six emotions (non-commercial research use "
                    "only: docs/pretrained.md).",
    )
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="[MODEL] then audio files, or folders: every audio file under a "
                        "folder, recursively, in sorted order")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table",
                   help="output format (default table)")
    p.add_argument("--strict", action="store_true",
                   help="stop at the first file that is missing or cannot be read, "
                        "predicting none (default: report it in its row, predict the rest, "
                        "exit with status 1)")
    p.add_argument("--allow-pickle", action="store_true",
                   help="also load joblib/pickle model files: only for files you trust, "
                        "since unpickling can run any code")
    p.add_argument("--no-speech-check", dest="speech_check", action="store_false",
                   help="label every file, even one that holds no speech (by default "
                        "a file of silence, noise, a tone, hum or music is marked speech "
                        "no, with a reason and no label; --timeline marks pauses itself)")
    p.add_argument("--adapt", action="store_true",
                   help=f"standardise the FILEs ({MIN_ADAPT_CLIPS} or more, from one source: "
                        "a folder of calls, one microphone) with their own statistics: "
                        "adaptation to recordings unlike the training corpora (models "
                        "trained with --adapt; docs/cross_corpus.md); each prediction then "
                        "depends on all FILEs")
    p.add_argument("--same-speaker", action="store_true",
                   help="treat the FILEs as clips of one speaker, standardised with their "
                        "own statistics (models trained with --speaker-normalize); each "
                        "prediction then depends on all FILEs")
    group = p.add_argument_group(
        "emotion over time", "--timeline classifies long recordings window by window: "
        "per FILE, OUT/NAME.timeline.csv (or .json with --format json) and "
        "OUT/NAME.timeline.png, and a summary line")
    group.add_argument("--timeline", action="store_true",
                       help="find the speech in each file and classify it window by window")
    group.add_argument("--window", type=_seconds, default=None, metavar="SECONDS",
                       help="window length (default: the model's clip length, 3 s)")
    group.add_argument("--hop", type=_seconds, default=None, metavar="SECONDS",
                       help="seconds between windows in a speech segment (default: half "
                            "the window)")
    group.add_argument("--smooth", type=_positive_int, default=None, metavar="N",
                       help="average each window's probabilities over N neighbouring "
                            "speech windows (odd; default 1, off)")
    group.add_argument("--out", default=DEFAULT_OUT,
                       help=f"folder for the timeline files (default {DEFAULT_OUT})")
    p.set_defaults(func=_cmd_predict, command="predict")

    p = sub.add_parser(
        "export", parents=[common],
        help="write a saved model's classifiers as ONNX graphs",
        description="Write the classifiers of a model file (each network, each logistic "
                    "regression) as ONNX graphs with a manifest, skser-onnx.json, that "
                    "says which skser feature steps feed each graph and how the ensemble "
                    "votes. The features stay skser's (docs/pipeline.md).",
    )
    p.add_argument("model", metavar="MODEL", help="a model file written by `skser train`")
    p.add_argument("--onnx", nargs="?", const=True, default=None, metavar="FOLDER",
                   help="export to ONNX, into FOLDER (new or empty; default: the model's "
                        "name with -onnx, beside it)")
    p.add_argument("--allow-pickle", action="store_true",
                   help="also load joblib/pickle model files: only for files you trust")
    p.set_defaults(func=_cmd_export, command="export")

    p = sub.add_parser(
        "demo", parents=[model, common],
        help="the main job: demo corpus -> evaluate -> train -> report",
        description="Synthesise the demo corpus, cross-validate by speaker, train on "
                    "held-out-speaker split, save and reload the model, and report.",
    )
    p.add_argument("--speakers", type=_positive_int, default=None,
                   help="synthetic speakers (default 6 for the default kind, else 8)")
    p.add_argument("--per-class", type=_positive_int, default=None,
                   help="clips per speaker and emotion (default 5 for the default kind, "
                        "else 8)")
    p.add_argument("--folds", type=_positive_int, default=None,
                   help="cross-validation folds (default 2 for the default kind, else 4)")
    p.set_defaults(func=_cmd_demo, command="demo", data=None, corpus=None, split="speaker",
                   test_size=0.3, model_file=None, label_map=None, speaker_pattern=None,
                   speaker_normalize=False)
    return parser
