"""The ``skser`` command line: train, evaluate, predict, demo.

    skser demo                                   # the main job, a few minutes
    skser train DATA --corpus ravdess --kind 2d  # fit, report on held-out speakers, save
    skser evaluate DATA --corpus emodb --folds 5 # speaker-grouped cross-validation
    skser predict MODEL FILE [FILE ...]          # label and probabilities per file

Without DATA, ``train`` and ``evaluate`` use the built-in synthetic demo
corpus. Results (reports, plots, models) go to ``--out`` (default
``skser-results``). Errors are printed as one line; ``--traceback`` shows the
whole story.
"""

import argparse
import ast
import contextlib
import csv
import io
import json
import signal
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

import numpy as np

# Imports nothing heavy; TensorFlow itself is imported only by the commands
# that need it (a network to train, a model file holding one).
from ._tensorflow import import_tensorflow

__all__ = ["main"]

CORPORA = ("crema_d", "ravdess", "tess", "emodb", "savee", "folder")
MODELS = ("custom", "lenet5", "alexnet", "vgg16")
DEFAULT_OUT = "skser-results"
DEFAULT_MODEL = "model.skser"
# A first PATH of `skser predict` ending so names a model file; otherwise
# every PATH is audio, labelled by the pretrained model.
MODEL_SUFFIXES = (".skser", ".joblib", ".pkl")
# The fewest files `skser predict --adapt` standardises together: with 10
# clips adaptation gave most of what the whole held-out corpus gives in
# benchmarks/cross_corpus.py (docs/cross_corpus.md); with fewer, the batch's
# statistics are mostly its own emotions and speakers, not its recording.
MIN_ADAPT_CLIPS = 10
# File name endings that make `skser train --model-file` write a pickle.
PICKLE_SUFFIXES = (".joblib", ".pkl", ".pickle")
# What `skser demo` runs unless told otherwise, per kind: the demo corpus
# (speakers, clips per speaker and emotion), the cross-validation folds, the
# network's epochs and further pipeline settings. The default kind, the
# robust ensemble, fits its network three times per training (two inner
# folds weigh the vote, then the final fit) on the clips and their two
# altered copies, and each Keras fit spends about 6 s tracing its training
# step (benchmarks/ and docs/performance.md, "The two-minute demo"): 2
# folds, 6 epochs and 180 clips keep the demo under two minutes (issue 23;
# the full default trains for up to 60 epochs with a 3-fold inner split).
# The others keep 4 folds of 384 clips. Stated in the demo's output; every
# value can be overridden with --speakers, --per-class, --folds, --epochs
# and --set. `--kind stats` trains in seconds.
DEMO_SETTINGS = {
    "ensemble": {"speakers": 6, "per_class": 5, "folds": 2, "epochs": 6,
                 "set": {"clf__cv": 2}},
    "sequence": {"speakers": 8, "per_class": 8, "folds": 4, "epochs": 40, "set": {}},
    "2d": {"speakers": 8, "per_class": 8, "folds": 4, "epochs": 40, "set": {}},
    "1d": {"speakers": 8, "per_class": 8, "folds": 4, "epochs": 40, "set": {}},
    "stats": {"speakers": 8, "per_class": 8, "folds": 4, "epochs": None, "set": {}},
}


class CLIError(Exception):
    """A user-facing error: printed as one line, exit status 2."""


def main(argv=None):
    """Run the command line; returns the exit status.

    Parameters
    ----------
    argv : list of str or None, default=None
        Arguments without the program name; None reads ``sys.argv``.

    Returns
    -------
    status : int
        0 on success, 1 on an error, 2 on a usage error, 130 when interrupted.
    """
    parser = _build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "recipe", None) == "pretrained":
        given = [name for name, value in (("--kind", args.kind), ("--model", args.model),
                                          ("--epochs", args.epochs))
                 if value is not None]
        given += [name for name, value in (("--no-robust", args.no_robust),
                                           ("--no-augment", args.no_augment),
                                           ("--speaker-normalize", args.speaker_normalize))
                  if value]
        if given:
            print(f"skser {args.command}: error: --recipe pretrained is the pretrained "
                  f"model's own recipe (the robust statistics model, adapting per "
                  f"DATA folder); drop {', '.join(given)}.", file=sys.stderr)
            return 2
        args.kind = "stats"
    if getattr(args, "command", None) in ("train", "evaluate", "demo") and args.kind is None:
        # train, evaluate and the demo use make_ser_pipeline's default, the
        # ensemble: the best row over both corpora in docs/results.md.
        args.kind = "ensemble"
    if getattr(args, "kind", None) == "stats" and (args.model, args.epochs) != (None, None):
        print(f"skser {args.command}: error: --model and --epochs apply to the CNN kinds "
              "(--kind 2d or 1d); --kind stats trains a logistic regression on pooled "
              "feature statistics.", file=sys.stderr)
        return 2
    if getattr(args, "kind", None) in ("sequence", "ensemble") and args.model is not None:
        print(f"skser {args.command}: error: --model picks a CNN of --kind 2d or 1d; --kind "
              f"{args.kind} trains the attention-GRU network.", file=sys.stderr)
        return 2
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    _quiet_third_parties()
    sigint = _SigintRecorder()
    try:
        with sigint:
            args.func(args)
    except KeyboardInterrupt:
        print("skser: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if sigint.received:
            # Ctrl-C, reported as another error: TensorFlow turns a
            # KeyboardInterrupt raised while it traces a function into one.
            print("skser: interrupted", file=sys.stderr)
            return 130
        if isinstance(exc, CLIError):
            print(f"skser {args.command}: error: {exc}", file=sys.stderr)
            return 2
        if not isinstance(exc, (ValueError, TypeError, OSError, KeyError)) or args.traceback:
            raise
        message = str(exc).strip().replace("\n", " ") or type(exc).__name__
        print(f"skser {args.command}: error: {message}", file=sys.stderr)
        return 1
    finally:
        if getattr(args, "_tmp", None) is not None:
            args._tmp.cleanup()
    # 1 when a command did its work but some of it failed (skser predict on
    # files it could not read).
    return getattr(args, "_status", 0)


class _SigintRecorder:
    """While active, SIGINT (Ctrl-C) is recorded in ``received`` and then
    raises `KeyboardInterrupt`, as Python's own handler does.

    The record outlives the exception: a library that catches the
    KeyboardInterrupt and raises something else in its place still leaves
    ``received`` set, so `main` can tell an interruption from an error.
    Installed only over Python's default handler, in the main thread: a
    SIGINT that the parent process ignores (a background job) or an
    application's own handler is left alone.
    """

    def __init__(self):
        self.received = False
        self._previous = None

    def _handle(self, signum, frame):
        self.received = True
        raise KeyboardInterrupt

    def __enter__(self):
        if (threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGINT) is signal.default_int_handler):
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc_info):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None
        return False


# --------------------------------------------------------------------------
# Commands


def _cmd_train(args):
    data = _load_data(args)
    from .evaluation import emotion_report, format_report, holdout_split, save_report
    from .evaluation._report import ADAPTED, SPEAKER_NORMALISED

    groups = _speaker_groups(args, data)
    pipeline = _make_pipeline(args)
    # --adapt: the corpus is one recording domain; the held-out part is
    # standardised with its own statistics, as a user's batch will be.
    adapt = getattr(args, "adapt", False) or getattr(args, "recipe", None) == "pretrained"
    domains = (np.asarray(getattr(data, "domains", np.zeros(len(data.filenames), dtype=int)))
               if adapt else None)
    # The ensemble weighs its members on an inner split over the training
    # speakers: they go to its fit even when the clips are not normalised.
    fit_groups = groups if groups is not None else _training_speakers(pipeline, data)
    if args.split == "random" and "clf__validation_split" in pipeline.get_params():
        # The course recipe: random 70/30 split, 5 % of training for a network's
        # validation (the statistics model has no validation split).
        pipeline.set_params(clf__validation_split=0.05)
    out = Path(args.out)
    files = np.asarray(data.filenames)
    if args.split == "none":
        _log(args, f"Training on all {files.size} clips (no test split, no report)")
        _fit(args, pipeline, files, data.target, groups=fit_groups, domains=domains)
    else:
        train, test, split = holdout_split(
            data.target, data.groups, method=args.split, test_size=args.test_size,
            random_state=args.seed,
        )
        if groups is not None:
            split.update(speaker_normalised=True,
                         description=f"{split['description']}; {SPEAKER_NORMALISED}")
        if domains is not None:
            split.update(adapted=True, description=f"{split['description']}; {ADAPTED}")
        _log(args, f"Split: {split['description']}")
        _fit(args, pipeline, files[train], data.target[train],
             groups=None if fit_groups is None else fit_groups[train],
             domains=None if domains is None else domains[train])
        args._test_indices = test
        _log(args, f"Predicting {test.size} test clips")
        start = time.perf_counter()
        predicted = _with_metadata(pipeline.predict, list(files[test]),
                                 groups=None if groups is None else groups[test],
                                 domains=None if domains is None else domains[test])
        predict_seconds = time.perf_counter() - start
        report = emotion_report(data.target[test], predicted, labels=data.target_names)
        report.update(
            split=split, chance=1.0 / len(data.target_names),
            predict_seconds=round(predict_seconds, 3),
            **_run_info(args, data, pipeline),
        )
        paths = save_report(report, out, name="train_report",
                            title=f"{_describe(args, data)}: held-out test")
        print(format_report(report, title=f"skser train: {_describe(args, data)}"))
        print(f"\nReport: {paths['json']}  Confusion matrix: {paths['confusion']}")
    model_path = _save_model(pipeline, args.model_file or out / DEFAULT_MODEL)
    print(f"Model: {model_path}")
    return model_path


def _cmd_evaluate(args):
    # skser demo calls this with its own options, which have no --robustness.
    for option in ("robustness", "quick", "corruptions"):
        if not hasattr(args, option):
            setattr(args, option, None if option == "corruptions" else False)
    if not args.robustness and (args.quick or args.corruptions):
        raise CLIError(f"{'--quick' if args.quick else '--corruptions'} selects the "
                       "corruptions of --robustness; add --robustness.")
    data = _load_data(args)
    from .evaluation import cross_validate_emotions, format_report, save_report

    n_speakers = np.unique(data.groups).size if data.groups is not None else 0
    if args.folds < 2 or args.folds > n_speakers:
        raise CLIError(f"--folds {args.folds}: grouped cross-validation needs 2 to "
                       f"{n_speakers} folds here (one speaker or more per fold).")
    pipeline = _make_pipeline(args)
    if args.robustness:
        return _evaluate_robustness(args, data, pipeline, n_speakers)
    _log(args, f"{args.folds}-fold cross-validation grouped by speaker, "
               f"{len(data.filenames)} clips, {n_speakers} speakers")

    def progress(i, n, fold):
        _log(args, f"  fold {i + 1}/{n}: UA {fold['ua']:.3f}  WA {fold['wa']:.3f}  "
                   f"(fit {fold['fit_seconds']:.0f} s)")

    report = cross_validate_emotions(
        pipeline, list(data.filenames), data.target, groups=data.groups, cv=args.folds,
        random_state=args.seed, callback=progress,
    )
    report.update(_run_info(args, data, pipeline))
    paths = save_report(report, args.out, name="cv_report",
                        title=f"{_describe(args, data)}: {args.folds}-fold CV")
    print(format_report(report, title=f"skser evaluate: {_describe(args, data)}"))
    print(f"\nReport: {paths['json']}  Confusion matrix: {paths['confusion']}")
    return report


def _evaluate_robustness(args, data, pipeline, n_speakers):
    """``skser evaluate --robustness``: the corruption suite on the user's corpus."""
    from .evaluation import evaluate_robustness, format_robustness, plot_robustness
    from .evaluation._robustness import robustness_conditions

    try:
        conditions = robustness_conditions(args.corruptions, quick=args.quick)
    except ValueError as error:
        raise CLIError(f"--corruptions: {error}") from None
    _log(args, f"robustness: {args.folds}-fold cross-validation grouped by speaker, "
               f"{len(data.filenames)} clips, {n_speakers} speakers; each test fold "
               f"altered {len(conditions) - 1} ways ("
               f"{'one severity per corruption' if args.quick else 'every severity'})")
    report = evaluate_robustness(
        pipeline, list(data.filenames), data.target, groups=data.groups, cv=args.folds,
        corruptions=args.corruptions, quick=args.quick, random_state=args.seed,
        progress=not args.quiet)
    report.update(_run_info(args, data, pipeline))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    json_path, plot_path = out / "robustness_report.json", out / "robustness.png"
    json_path.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    plot_robustness(report, plot_path, title=f"{_describe(args, data)}: UA on altered audio")
    print(f"skser evaluate --robustness: {_describe(args, data)}\n{report['split']}\n")
    print(format_robustness(report))
    print(f"\nReport: {json_path}  Plot: {plot_path}")
    return report


def _cmd_predict(args):
    paths = list(args.paths)
    if Path(paths[0]).suffix.lower() in MODEL_SUFFIXES:
        model_path, paths = Path(paths[0]), paths[1:]
        if not model_path.is_file():
            raise CLIError(f"model file {str(model_path)!r} does not exist (expected a "
                           "file written by `skser train`).")
        if not paths:
            raise CLIError(f"give the audio files or folders to label after the model "
                           f"file {str(model_path)!r}.")
    else:
        model_path = None
    order, files, problems = _expand_audio_paths(paths)
    if problems and args.strict:
        raise CLIError(f"{len(problems)} path(s) with no audio to read: "
                       + "; ".join(f"{p}: {why}" for p, why in list(problems.items())[:5]))
    # load_model imports TensorFlow (quietly) only for a file that holds a
    # network: the statistics model never pays for it.
    if model_path is None:
        from ._pretrained import PRETRAINED_FILE, PRETRAINED_LICENCE, load_pretrained

        model = load_pretrained()
        model_path = PRETRAINED_FILE
        _log(args, f"skser's pretrained model (docs/pretrained.md). {PRETRAINED_LICENCE}")
    else:
        model = _load_model(model_path, allow_pickle=args.allow_pickle)
    if not args.quiet:
        model.set_params(**_verbose_params(model, 1))
    from .evaluation._cross_validation import _requests_groups

    speaker_normalised = _requests_groups(model, "predict_proba")
    adaptable = _requests_groups(model, "predict_proba", key="domains")
    if args.adapt and not adaptable:
        raise CLIError(f"--adapt needs a model trained with --adapt; {str(model_path)!r} "
                       "standardises every file with fixed training statistics.")
    if args.adapt and args.timeline:
        raise CLIError("--adapt does not apply to --timeline: each window is standardised "
                       "with the training corpora's average statistics.")
    if args.adapt and len(files) < MIN_ADAPT_CLIPS:
        raise CLIError(f"--adapt needs at least {MIN_ADAPT_CLIPS} audio files to adapt to "
                       f"(their statistics stand for your recordings); got {len(files)}. "
                       "Predict without --adapt, or give more files from the same source.")
    if args.same_speaker and not speaker_normalised:
        raise CLIError(f"--same-speaker needs a model trained with --speaker-normalize; "
                       f"{str(model_path)!r} standardises every file with fixed training "
                       "statistics.")
    if args.timeline and args.same_speaker:
        raise CLIError("--same-speaker does not apply to --timeline: each window is "
                       "standardised with the training speakers' average statistics.")
    if speaker_normalised and not args.same_speaker:
        _log(args, "Speaker-normalised model: each file is standardised with the training "
                   "speakers' average statistics (--same-speaker: the files as one speaker)")
    if adaptable and not args.adapt:
        _log(args, "Adaptable model: each file is standardised with the training corpora's "
                   "average statistics (--adapt: with the statistics of all the files)")
    classes = [str(c) for c in model.classes_]
    if args.timeline:
        return _predict_timelines(args, model, model_path, order, files, problems)
    unread = dict(problems)
    no_speech = {}
    proba = np.empty((0, len(classes)))
    if files:
        if not args.strict and "load__on_error" in model.get_params():
            # The loader's own policy carries the batch: an unreadable file is
            # silence in the batch and an error in its row, never a prediction.
            model.set_params(load__on_error="warn")
        X, predictor = [str(f) for f in files], model
        if args.speech_check or args.adapt:
            # --adapt counts the files it adapts to before predicting any.
            with _unread_files(files, unread):
                X, predictor, reasons = _check_speech(model, X, strict=args.strict,
                                                      measure=args.speech_check)
            no_speech = {str(f): why for f, why in zip(files, reasons)
                         if why and str(f) not in unread}
        keep = [i for i, f in enumerate(files) if str(f) not in no_speech and str(f) not in unread]
        if args.adapt and len(keep) < MIN_ADAPT_CLIPS:
            raise CLIError(
                f"--adapt needs at least {MIN_ADAPT_CLIPS} files with speech to adapt to; "
                f"{len(keep)} of {len(files)} are left after "
                f"{len(unread)} unreadable and {len(no_speech)} without speech. Predict "
                "without --adapt, or give more files.")
        if keep:
            with _unread_files([files[i] for i in keep], unread):
                proba = _with_metadata(
                    predictor.predict_proba, [X[i] for i in keep],
                    groups=np.zeros(len(keep), dtype=int) if args.same_speaker else None,
                    domains=np.zeros(len(keep), dtype=int) if args.adapt else None)
        files = [files[i] for i in keep]
    predicted = {str(f): row for f, row in zip(files, proba)}
    speech = {"speech": None} if args.speech_check else {}
    rows = []
    for path in order:
        if path in unread:
            rows.append({"file": path, **speech, "label": None, **{c: None for c in classes},
                         "error": unread[path]})
        elif path in no_speech:
            rows.append({"file": path, "speech": False, "label": None,
                         **{c: None for c in classes}, "reason": no_speech[path]})
        else:
            row = predicted[path]
            rows.append({"file": path, **{k: True for k in speech},
                         "label": classes[int(np.argmax(row))],
                         **{c: float(p) for c, p in zip(classes, row)}})
    print(_format_predictions(rows, classes, args.format), end="")
    if no_speech:
        _log(args, f"skser predict: {len(no_speech)} of {len(rows)} file(s) hold no speech "
                   "and get no label; see the reason column (--no-speech-check labels "
                   "them anyway).")
    if unread:
        _log(args, f"skser predict: {len(unread)} of {len(rows)} file(s) could not be "
                   "read; see the error column.")
        args._status = 1
    return rows


def _check_speech(model, paths, *, strict, measure=True):
    """Load ``paths`` once and ask `SpeechDetector` which hold speech.

    Returns ``(X, predictor, reasons)``: what to predict from and with (the
    loaded waveforms and the model without its loader, when the model is a
    pipeline that starts with one, so each file is decoded once; else the
    paths and the model), and per path why it holds no speech ("" if it
    does; always "" when not ``measure``: the files are only read, and the
    unreadable ones named). The detector judges the audio the model would
    see: read by the model's own loader, at its rate and length.
    """
    from sklearn.pipeline import Pipeline

    from .loading import AudioLoader
    from .preprocessing import SpeechDetector

    steps = model.steps if isinstance(model, Pipeline) else []
    if len(steps) > 1 and isinstance(steps[0][1], AudioLoader):
        loader = steps[0][1]
        waveforms = loader.transform(paths)
        X, predictor = waveforms, model[1:]
    else:  # a model of the user's own: the check reads the files at 16 kHz
        loader = AudioLoader(on_error="raise" if strict else "warn")
        waveforms = loader.transform(paths)
        X, predictor = paths, model
    if not measure:
        return X, predictor, [""] * len(paths)
    reasons = SpeechDetector(sr=loader.sr).measure(waveforms)["reason"]
    return X, predictor, [str(r) for r in reasons]


@contextlib.contextmanager
def _unread_files(files, unread):
    """Within it, each file an `AudioReadWarning` names (by its index into
    ``files``) goes into ``unread`` with its message; other warnings show."""
    from .loading import AudioReadWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", AudioReadWarning)
        yield
    for warning in caught:
        if issubclass(warning.category, AudioReadWarning):
            for error in warning.message.errors:
                unread[str(files[error["index"]])] = error["message"]
        else:
            warnings.showwarning(warning.message, warning.category, warning.filename,
                                 warning.lineno)


def _predict_timelines(args, model, model_path, order, files, problems):
    """``skser predict --timeline``: per file, a table of windows and a plot
    in ``--out``, and a summary line on stdout."""
    from ._files import atomic_write
    from .loading import AudioReadError
    from .timeline import plot_timeline, predict_timeline

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    suffix = ".json" if args.format == "json" else ".csv"
    failed = dict(problems)
    # The timeline's own bar follows the recording; no bar per batch of windows.
    model.set_params(**_verbose_params(model, 0))
    options = {k: v for k, v in (("window", args.window), ("hop", args.hop),
                                 ("smooth", args.smooth)) if v is not None}
    name = _model_name(model)
    stems = set()
    for path in files:
        stem = path.stem
        while stem in stems:  # two files of one name in different folders
            stem += "_"
        stems.add(stem)
        try:
            timeline = predict_timeline(
                model, path, verbose=0 if args.quiet else 1, **options)
        except AudioReadError as exc:
            if args.strict:
                raise
            failed[str(path)] = str(exc)
            print(f"{path}: error: {exc}")
            continue
        table = atomic_write(out / f"{stem}.timeline{suffix}", lambda tmp: Path(tmp).write_text(
            _format_timeline(timeline, args.format, file=str(path), model=name),
            encoding="utf-8"))
        plot = plot_timeline(timeline, out / f"{stem}.timeline.png",
                             title=f"{path.name}: {name} ({model_path.name})")
        print(_summarise_timeline(str(path), timeline)
              + f"\n  wrote {table} and {plot}")
    for path, why in problems.items():
        print(f"{path}: error: {why}")
    if failed:
        _log(args, f"skser predict: {len(failed)} of {len(order)} path(s) could not be "
                   "read; see the error lines.")
        args._status = 1


def _summarise_timeline(name, timeline):
    from .loading._stream import format_time

    speech = timeline.speech
    seconds = float(np.sum((timeline.end - timeline.start)[~speech]))
    spoken = max(timeline.duration - seconds, 0.0)
    line = (f"{name}: {format_time(timeline.duration)}, speech "
            f"{spoken / timeline.duration if timeline.duration else 0:.0%} in "
            f"{len(timeline.segments)} segment(s), {int(speech.sum())} window(s)")
    if speech.any():
        labels, counts = np.unique(timeline.label[speech].astype(str), return_counts=True)
        top = sorted(zip(counts, labels), reverse=True)
        line += "\n  windows by top label: " + ", ".join(
            f"{label} {count / speech.sum():.0%}" for count, label in top)
    return line


def _format_timeline(timeline, fmt, *, file, model):
    """A timeline as CSV (one row per window) or JSON (with the segments)."""
    classes = [str(c) for c in timeline.classes]
    rows = []
    for i in range(len(timeline.start)):
        row = {"start": round(float(timeline.start[i]), 3),
               "end": round(float(timeline.end[i]), 3),
               "speech": bool(timeline.speech[i]),
               "label": None if timeline.label[i] is None else str(timeline.label[i])}
        row.update({c: (round(float(p), 4) if timeline.speech[i] else None)
                    for c, p in zip(classes, timeline.proba[i])})
        rows.append(row)
    if fmt == "json":
        return json.dumps({
            "file": file, "model": model, "duration": round(timeline.duration, 3),
            "classes": classes, "segments": np.round(timeline.segments, 3).tolist(),
            "windows": rows}, indent=1) + "\n"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["start", "end", "speech", "label", *classes])
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


#: File name endings `skser predict` reads when it walks a folder.
AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aiff", ".aif",
                  ".aifc", ".au", ".w64", ".caf")


def _expand_audio_paths(paths):
    """What to read for ``paths``: a file as given, a folder as every audio
    file under it (recursively, sorted). Returns ``(rows, files, problems)``:
    every row's path in argument order, the files to read, and the paths
    with nothing to read mapped to why."""
    rows, files, problems = [], [], {}
    for arg in paths:
        path = Path(arg)
        if path.is_dir():
            found = sorted(f for f in path.rglob("*")
                           if f.is_file() and f.suffix.lower() in AUDIO_SUFFIXES)
            if not found:
                problems[arg] = (f"folder holds no audio files (looked for "
                                 f"{', '.join(AUDIO_SUFFIXES)})")
                rows.append(arg)
            files.extend(found)
            rows.extend(str(f) for f in found)
        elif path.is_file():
            files.append(path)
            rows.append(str(path))
        else:
            problems[arg] = "not found"
            rows.append(arg)
    return rows, files, problems


def _cmd_export(args):
    """``skser export MODEL --onnx [FOLDER]``: the model's classifiers as ONNX
    graphs and a manifest (`skser.export_onnx`)."""
    from ._export import MANIFEST, export_onnx

    if args.onnx is None:
        raise CLIError("say what to export to: --onnx [FOLDER] (the only format so far).")
    model_path = Path(args.model)
    folder = Path(args.onnx) if args.onnx is not True else \
        model_path.with_name(model_path.stem + "-onnx")
    model = _load_model(model_path, allow_pickle=args.allow_pickle)
    manifest = export_onnx(model, folder)
    print(f"Exported {len(manifest['graphs'])} ONNX graph(s) of {str(model_path)!r} to "
          f"{str(folder)!r}:")
    for graph in manifest["graphs"]:
        member = f" (member {graph['member']!r}, weight {graph['weight']:.3g})" \
            if graph["member"] else ""
        print(f"  {graph['file']}{member}: input {graph['input']['shape']} = "
              f"{' then '.join(graph['features']) or 'the features'}")
    print(f"Classes (the output columns): {', '.join(map(str, manifest['classes']))}. "
          f"{MANIFEST} says which skser steps make each graph's input; see "
          "docs/pipeline.md, 'Deploying with ONNX'.")


def _cmd_demo(args):
    from ._persistence import load_model

    start = time.perf_counter()
    demo = DEMO_SETTINGS[args.kind]
    for name in ("speakers", "per_class", "folds"):
        if getattr(args, name) is None:
            setattr(args, name, demo[name])
    # --epochs and --set win (as in _make_pipeline), and the line below says so.
    defaults = dict(demo["set"])
    if demo["epochs"] is not None:
        defaults[_epochs_key(args.kind)] = demo["epochs"] if args.epochs is None else args.epochs
    args.set = [*defaults.items(), *(args.set or [])]
    settings = ", ".join(f"{k}={v!r}" for k, v in dict(args.set).items())
    print(f"skser demo: {_pipeline_name(args)} pipeline" + (f", {settings}" if settings else ""))
    if args.kind == "ensemble":
        print(f"Demo settings, for a run of about two minutes: {args.folds}-fold "
              "cross-validation, the network trained for at most "
              f"{dict(args.set).get(_epochs_key(args.kind))} epochs, the vote weighed on "
              f"{dict(args.set).get('clf__cv', 3)} inner folds. `skser evaluate` and `skser "
              "train` use the full default (5 folds; up to 60 epochs; 3 inner folds).")
    data = _load_data(args)  # no DATA: the demo corpus, removed by main at the end
    print(f"Demo corpus: {len(data.filenames)} clips, {np.unique(data.groups).size} "
          f"speakers, labels {', '.join(data.target_names)} (synthetic: a demo, not a "
          "benchmark)\n")
    report = _cmd_evaluate(args)
    print()
    model_path = _cmd_train(args)
    model = load_model(model_path)
    example = _demo_examples(data.target, args._test_indices)
    proba = model.predict_proba(list(data.filenames[example]))
    print(f"\nThe saved model, reloaded, on {example.size} clips of the held-out speakers "
          f"({DEMO_CLIPS_PER_EMOTION} per emotion):\n")
    print(_format_examples([Path(f).name for f in data.filenames[example]],
                           data.target[example], model.classes_, proba))
    print(f"\nDemo finished in {time.perf_counter() - start:.0f} s. Speaker-independent "
          f"CV UA {report['ua']:.3f} against chance {report['chance']:.3f}.")


#: Held-out clips per emotion that `skser demo` labels with the reloaded model.
DEMO_CLIPS_PER_EMOTION = 2


def _demo_examples(target, test):
    """Indices of `DEMO_CLIPS_PER_EMOTION` test clips per label, spread over
    each label's test clips (so over several held-out speakers)."""
    chosen = []
    for label in np.unique(target[test]):
        of_label = test[target[test] == label]
        picks = np.linspace(0, of_label.size - 1, DEMO_CLIPS_PER_EMOTION).round().astype(int)
        chosen.extend(of_label[np.unique(picks)])
    return np.asarray(chosen)


def _format_examples(names, truth, classes, proba, *, top=3):
    """One line per clip: true and predicted label, the ``top`` most probable
    classes with percentages, and "right" or "WRONG" (ASCII, for any
    console); then how many were right."""
    predicted = np.asarray(classes)[np.argmax(proba, axis=1)]
    order = np.argsort(-proba, axis=1)[:, :top]
    tops = [", ".join(f"{classes[j]} {100 * row[j]:.0f}%" for j in js)
            for row, js in zip(proba, order)]
    right = predicted == np.asarray(truth)
    rows = [("clip", "true", "predicted", "", "most probable"),
            *[(name, str(t), str(p), "right" if ok else "WRONG", probs)
              for name, t, p, ok, probs in zip(names, truth, predicted, right, tops)]]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  " + "  ".join(cell.ljust(w) for cell, w in zip(row[:4], widths)) + "  " + row[4]
             for row in rows]
    lines.append(f"{int(right.sum())} of {right.size} right.")
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Helpers


def _load_data(args):
    if getattr(args, "_data", None) is not None:
        return args._data
    from . import datasets

    folders = args.data or []
    corpora = args.corpus or []
    if not folders:
        if corpora not in ([], ["crema_d"]):
            raise CLIError("--corpus needs a DATA folder; without one the demo corpus is used.")
        _log(args, f"No DATA folder given: synthesising the demo corpus ({args.speakers} "
                   f"speakers x 6 emotions x {args.per_class} clips) in a temporary folder")
        # Removed when the process ends (main's finally): the model and reports
        # do not need the audio.
        args._tmp = tempfile.TemporaryDirectory(prefix="skser-demo-")
        data = datasets.make_emotional_speech(args._tmp.name, n_speakers=args.speakers,
                                              n_per_class=args.per_class,
                                              random_state=args.seed)
        data.domains = np.zeros(len(data.filenames), dtype=int)
    else:
        if not corpora:
            raise CLIError(f"say which corpus {folders[0]!r} holds with --corpus "
                           f"({', '.join(CORPORA)}).")
        if len(corpora) not in (1, len(folders)):
            raise CLIError(f"--corpus names {len(corpora)} corpora for {len(folders)} DATA "
                           "folders; give one for all of them or one per folder, in order.")
        label_map = args.label_map
        if getattr(args, "recipe", None) == "pretrained" and label_map is None:
            # The recipe's classes: the six CREMA-D emotions.
            label_map = "crema_d"
        parts = [_load_folder(args, folder, corpus, label_map) for folder, corpus in
                 zip(folders, corpora * len(folders) if len(corpora) == 1 else corpora)]
        data = parts[0] if len(parts) == 1 else _combine_corpora(parts)
        if data.groups is None and args.command != "predict":
            if args.command == "evaluate" or args.split == "speaker":
                raise CLIError("a speaker-independent split needs speakers: give "
                               "--speaker-pattern (a regex whose group is the speaker in "
                               "each file name), or use --split random.")
    _log(args, f"Data: {len(data.filenames)} clips, "
               f"{'?' if data.groups is None else np.unique(data.groups).size} speakers, "
               f"labels {', '.join(map(str, data.target_names))}")
    args._data = data
    return data


def _load_folder(args, folder, corpus, label_map):
    """One DATA folder as its loader reads it; the whole folder is one
    recording domain (``domains``)."""
    from . import datasets

    kwargs = {"label_map": label_map}
    if corpus == "folder" and args.speaker_pattern:
        kwargs["speaker_pattern"] = args.speaker_pattern
    data = getattr(datasets, f"load_{corpus}")(folder, **kwargs)
    data.domains = np.zeros(len(data.filenames), dtype=int)
    return data


def _combine_corpora(parts):
    """Several loaded DATA folders as one corpus: speakers named by folder
    (``"0:spk1"``), each folder its own recording domain, the labels of all."""
    from sklearn.utils import Bunch

    groups = None
    if all(p.groups is not None for p in parts):
        groups = np.concatenate([[f"{i}:{g}" for g in p.groups] for i, p in enumerate(parts)])
    target = np.concatenate([np.asarray(p.target) for p in parts])
    return Bunch(
        filenames=np.concatenate([np.asarray(p.filenames) for p in parts]), target=target,
        target_names=np.unique(target), groups=groups,
        domains=np.concatenate([np.full(len(p.filenames), i) for i, p in enumerate(parts)]),
        corpus="+".join(str(getattr(p, "corpus", "?")) for p in parts),
        DESCR="\n\n".join(str(getattr(p, "DESCR", "")) for p in parts))


def _make_pipeline(args):
    from .pipeline import make_ser_pipeline

    options = dict(args.set or [])
    if args.speaker_normalize and args.kind == "1d" and not args.no_augment:
        raise CLIError("--speaker-normalize with --kind 1d needs --no-augment: its augmented "
                       "copies are made from waveforms, before the features, and have no "
                       "speaker to be normalised with.")
    if args.kind != "stats":  # main refused --model/--epochs with "stats"
        import_tensorflow()
        if args.epochs is not None:
            options[_epochs_key(args.kind)] = args.epochs
    if getattr(args, "recipe", None) == "pretrained":
        from ._pretrained import make_pretrained_pipeline

        pipeline = make_pretrained_pipeline(random_state=args.seed, n_jobs=args.n_jobs)
        if options:
            pipeline.set_params(**options)
        if not args.quiet:
            pipeline.set_params(**{key: level for key, level in
                                   _verbose_params(pipeline, 1).items() if key not in options})
        return pipeline
    adapt = getattr(args, "adapt", False)
    if adapt and args.speaker_normalize:
        raise CLIError("--adapt and --speaker-normalize both choose how features are "
                       "standardised (per recording domain, per speaker); choose one.")
    pipeline = make_ser_pipeline(
        args.kind, model=args.model, augment=False if args.no_augment else None,
        robust=False if getattr(args, "no_robust", False) else None,
        n_jobs=args.n_jobs, random_state=args.seed,
        speaker_normalize=args.speaker_normalize, adapt=adapt, **options,
    )
    if not args.quiet:
        # A verbosity given with --set wins (clf__verbose=2: Keras' line per epoch).
        pipeline.set_params(**{key: level for key, level in _verbose_params(pipeline, 1).items()
                               if key not in options})
    return pipeline


def _epochs_key(kind):
    """The pipeline parameter that is the network's epochs in ``kind``'s pipeline."""
    return "clf__sequence__clf__epochs" if kind == "ensemble" else "clf__epochs"


def _verbose_params(pipeline, level):
    """``step__verbose`` for the steps that show progress bars."""
    names = {"load", "features", "clf"}
    return {f"{name}__verbose": level for name, step in getattr(pipeline, "steps", [])
            if name in names and hasattr(step, "verbose")}


def _pipeline_name(args):
    if getattr(args, "recipe", None) == "pretrained":
        return ("PRETRAINED recipe (robust statistics model, adapting per recording "
                "domain)")
    suffix = (", speaker-normalised" if args.speaker_normalize
              else ", adapting" if getattr(args, "adapt", False) else "")
    if args.kind == "stats":
        return "STATS (pooled prosodic and spectral statistics + logistic regression)" + suffix
    if args.kind == "sequence":
        return "SEQUENCE (frame features + attention-GRU network)" + suffix
    if args.kind == "ensemble":
        return ("ENSEMBLE (soft vote of the statistics model and the attention-GRU "
                "network)" + suffix)
    return f"{args.kind.upper()} '{args.model or 'lenet5'}'" + suffix


def _fit(args, pipeline, files, y, groups=None, domains=None):
    _log(args, f"Training the {_pipeline_name(args)} pipeline on {len(files)} clips")
    start = time.perf_counter()
    _with_metadata(pipeline.fit, list(files), y, groups=groups, domains=domains)
    epochs = getattr(pipeline.named_steps["clf"], "n_epochs_", None)
    _log(args, f"Trained in {time.perf_counter() - start:.0f} s"
               + ("" if epochs is None else f" ({epochs} epochs)"))


def _speaker_groups(args, data):
    """The speaker of each clip with --speaker-normalize, else None."""
    if not args.speaker_normalize:
        return None
    if data.groups is None:
        raise CLIError("--speaker-normalize needs the speaker of each clip: give "
                       "--speaker-pattern (a regex whose group is the speaker in each "
                       "file name).")
    return np.asarray(data.groups)


def _training_speakers(pipeline, data):
    """The speaker of each clip where ``pipeline.fit`` takes them and the
    corpus names them, else None."""
    if data.groups is None:
        return None
    from .evaluation._cross_validation import _requests_groups

    return np.asarray(data.groups) if _requests_groups(pipeline, "fit") else None


def _with_metadata(method, *args, groups, domains=None):
    """``method(*args)``; with ``groups`` (speakers) or ``domains``,
    scikit-learn's metadata routing hands them to the pipeline steps that
    request them (the scale step of a speaker-normalised or adapted
    pipeline)."""
    metadata = {k: v for k, v in (("groups", groups), ("domains", domains)) if v is not None}
    if not metadata:
        return method(*args)
    from sklearn import config_context

    with config_context(enable_metadata_routing=True):
        return method(*args, **metadata)


def _save_model(pipeline, path):
    """Save in skser's safe format, or as a joblib pickle when the file name
    ends in .joblib or .pkl (the user asked for one by name)."""
    from ._persistence import save_model

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A cleared verbosity so the saved model predicts quietly in scripts.
    pipeline.set_params(**_verbose_params(pipeline, 0))
    if path.suffix.lower() in PICKLE_SUFFIXES:
        import joblib

        from ._files import atomic_write

        return atomic_write(path, lambda tmp: joblib.dump(pipeline, tmp))
    return save_model(pipeline, path)


def _load_model(path, *, allow_pickle):
    """Load a model file: skser's safe format, or a pickle only when allowed."""
    from ._persistence import ModelFileError, _starts_like_zip, load_model

    if _starts_like_zip(path):
        model = load_model(path)
    elif not allow_pickle:
        raise CLIError(
            f"{str(path)!r} is not a skser model file. If it is a joblib/pickle file "
            "that you trust (unpickling can run any code in it), add --allow-pickle."
        )
    else:
        import joblib

        try:
            model = joblib.load(path)
        except Exception as exc:  # noqa: BLE001 - any unpickling failure means the same
            raise ModelFileError(f"cannot read model {str(path)!r}: {exc}") from exc
    if not hasattr(model, "predict_proba"):
        raise CLIError(f"{str(path)!r} holds a {type(model).__name__}, not a "
                       "classifier pipeline.")
    return model


def _model_name(pipeline):
    """The trained model by name: the network's architecture (``"lenet5"``) or
    the classifier's class (``"LogisticRegression"``)."""
    clf = pipeline.steps[-1][1]
    return clf.get_params().get("model") or type(clf).__name__


def _run_info(args, data, pipeline):
    from . import __version__

    return {
        "command": args.command,
        "data": (None if not args.data else str(args.data[0]) if len(args.data) == 1
                 else [str(d) for d in args.data]),
        "corpus": getattr(data, "corpus", "+".join(args.corpus or [])),
        "kind": args.kind, "model": _model_name(pipeline), "seed": args.seed,
        "n_speakers": None if data.groups is None else int(np.unique(data.groups).size),
        "parameters": {k: repr(v) for k, v in sorted(dict(args.set or []).items())},
        "skser_version": __version__,
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def _describe(args, data):
    corpus = "demo corpus" if not args.data else "+".join(args.corpus)
    return f"{corpus}, {_pipeline_name(args)}"


def _format_predictions(rows, classes, fmt):
    """Rows as a table, JSON or CSV. A ``speech`` column appears when the
    rows have one (the speech check ran); a row with a ``reason`` (no
    speech) or an ``error`` has no label or probabilities, and a ``reason``
    or ``error`` column appears when any row has one."""
    if fmt == "json":
        return json.dumps(rows, indent=2) + "\n"
    speech = ["speech"] if any("speech" in row for row in rows) else []
    notes = [c for c in ("reason", "error") if any(c in row for row in rows)]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=["file", *speech, "label", *classes, *notes])
        writer.writeheader()
        for row in rows:
            writer.writerow({k: (f"{v:.4f}" if isinstance(v, float) else v)
                             for k, v in row.items()})
        return buffer.getvalue()
    width = max(4, *(len(r["file"]) for r in rows))
    lw = max(5, *(len(c) for c in classes))
    yes_no = {True: "yes", False: "no", None: "-"}
    # A row has a reason or an error, never both: one last column holds either.
    head = (f"{'file':<{width}}" + "".join(f"  {c}" for c in speech) + f"  {'label':<{lw}}"
            + "".join(f"  {c[:8]:>8}" for c in classes)
            + (f"  {' / '.join(notes)}" if notes else ""))
    lines = [head]
    for row in rows:
        line = (f"{row['file']:<{width}}"
                + "".join(f"  {yes_no[row['speech']]:<6}" for _ in speech))
        if row["label"] is None:
            line += f"  {'-':<{lw}}" + "".join(f"  {'-':>8}" for _ in classes)
        else:
            line += f"  {row['label']:<{lw}}" + "".join(f"  {row[c]:8.3f}" for c in classes)
        note = row.get("reason", row.get("error"))
        lines.append(line + (f"  {note}" if note is not None else ""))
    return "\n".join(lines) + "\n"


def _log(args, message):
    if not args.quiet:
        print(message, file=sys.stderr, flush=True)


def _quiet_third_parties():
    # Keras' and TensorFlow's Python warnings are not the user's business on
    # the command line. (TensorFlow's C++ lines are hidden wherever skser
    # imports it, by skser._tensorflow.import_tensorflow.)
    warnings.filterwarnings("ignore", module=r"(keras|tensorflow|absl)(\.|$)")


def _parse_setting(text):
    if "=" not in text:
        raise argparse.ArgumentTypeError(
            f"expected step__parameter=value (e.g. features__n_mels=64); got {text!r}")
    key, value = text.split("=", 1)
    if "__" not in key:
        raise argparse.ArgumentTypeError(
            f"{key!r} must name a pipeline step and parameter, e.g. clf__epochs")
    try:
        value = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        pass  # a bare word such as vgg16 stays a string
    return key, value


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {value}")
    return value


def _seconds(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds; got {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds; got {value}")
    return value


def _fraction(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 0.5]; got {text!r}") from None
    if not 0 < value <= 0.5:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 0.5]; got {value}")
    return value


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
    group.add_argument("--no-robust", action="store_true",
                       help="--kind ensemble/stats: train on the clean clips only, without "
                            "the level step (the models before issue 21; docs/robustness.md)")
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
