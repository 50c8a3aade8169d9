"""``skser predict``: labels and probabilities per file, the speech check,
``--adapt``/``--same-speaker`` and ``--timeline``."""

import contextlib
import warnings
from pathlib import Path

import numpy as np

from ._common import (
    CLIError, MIN_ADAPT_CLIPS, MODEL_SUFFIXES, _expand_audio_paths, _log, _model_name,
)
from ._data import _load_model, _verbose_params, _with_metadata
from .formatting import _format_predictions, _format_timeline, _summarise_timeline


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
        from .._pretrained import PRETRAINED_FILE, PRETRAINED_LICENCE, load_pretrained

        model = load_pretrained()
        model_path = PRETRAINED_FILE
        _log(args, f"skser's pretrained model (docs/pretrained.md). {PRETRAINED_LICENCE}")
    else:
        model = _load_model(model_path, allow_pickle=args.allow_pickle)
    if not args.quiet:
        model.set_params(**_verbose_params(model, 1))
    from ..evaluation._cross_validation import _requests_groups

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

    from ..loading import AudioLoader
    from ..preprocessing import SpeechDetector

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
    from ..loading import AudioReadWarning

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
    from .._files import atomic_write
    from ..loading import AudioReadError
    from ..timeline import plot_timeline, predict_timeline

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
