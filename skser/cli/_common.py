"""Shared by the commands: names and limits, the user-facing error, argument
types, logging."""

import argparse
import ast
import sys
import warnings
from pathlib import Path




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


class CLIError(Exception):
    """A user-facing error: printed as one line, exit status 2."""


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


def _model_name(pipeline):
    """The trained model by name: the network's architecture (``"lenet5"``) or
    the classifier's class (``"LogisticRegression"``)."""
    clf = pipeline.steps[-1][1]
    return clf.get_params().get("model") or type(clf).__name__


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
