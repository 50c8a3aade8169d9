"""Data, pipelines and model files for the commands: the corpus or the demo
corpus, the pipeline the options describe, fitting with speakers or domains,
saving and loading models."""

import tempfile
import time
from pathlib import Path

import numpy as np

from .._tensorflow import import_tensorflow
from ._common import CLIError, CORPORA, PICKLE_SUFFIXES, _log, _model_name


def _load_data(args):
    if getattr(args, "_data", None) is not None:
        return args._data
    from .. import datasets

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
    from .. import datasets

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
    from ..pipeline import make_ser_pipeline

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
        from .._pretrained import make_pretrained_pipeline

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
        robust=(False if getattr(args, "no_robust", False)
                else True if getattr(args, "robust", False) else None),
        n_jobs=args.n_jobs, random_state=args.seed,
        speaker_normalize=args.speaker_normalize, adapt=adapt,
        narrowband_expert=getattr(args, "narrowband_expert", False), **options,
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
    """``step__verbose`` for the steps that show progress bars (those of
    both experts of a `BandwidthExperts` step too)."""
    from ..models import BandwidthExperts

    params = {}
    for name, step in getattr(pipeline, "steps", []):
        if name == "clf" and isinstance(step, BandwidthExperts):
            for expert in ("wideband", "narrowband"):
                params.update({f"clf__{expert}__{key}": value for key, value in
                               _verbose_params(getattr(step, expert), level).items()})
        elif name in {"load", "features", "clf"} and hasattr(step, "verbose"):
            params[f"{name}__verbose"] = level
    return params


def _pipeline_name(args):
    if getattr(args, "recipe", None) == "pretrained":
        return ("PRETRAINED recipe (the default ensemble: statistics model and sequence "
                "network, adapting per recording domain)")
    suffix = (", speaker-normalised" if args.speaker_normalize
              else ", adapting" if getattr(args, "adapt", False) else "")
    if getattr(args, "narrowband_expert", False):
        suffix += ", with a narrowband expert for band-limited clips"
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
    from ..evaluation._cross_validation import _requests_groups

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
    from .._persistence import save_model

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A cleared verbosity so the saved model predicts quietly in scripts.
    pipeline.set_params(**_verbose_params(pipeline, 0))
    if path.suffix.lower() in PICKLE_SUFFIXES:
        import joblib

        from .._files import atomic_write

        return atomic_write(path, lambda tmp: joblib.dump(pipeline, tmp))
    return save_model(pipeline, path)


def _load_model(path, *, allow_pickle):
    """Load a model file: skser's safe format, or a pickle only when allowed."""
    from .._persistence import ModelFileError, _starts_like_zip, load_model

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


def _run_info(args, data, pipeline):
    from .. import __version__

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
