"""Where corpora live, the common label vocabulary, and the machinery every
corpus loader shares.

A loader is a `_Corpus` (its naming scheme as a parser plus its description)
handed to `_load_corpus`, which scans a folder, parses every audio file name,
reports the ones that do not fit, applies ``label_map`` and builds the Bunch.
Keeping that in one place means every corpus reports the same mistakes the
same way.
"""

import os
import shutil
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from sklearn.utils import Bunch

__all__ = [
    "AUDIO_EXTENSIONS",
    "CREMA_D_EMOTIONS",
    "EMOTIONS",
    "clear_data_home",
    "get_data_home",
]

#: Every corpus's native emotion codes are mapped onto these words.
EMOTIONS = (
    "angry", "boredom", "calm", "disgust", "fear", "happy", "neutral", "sad",
    "surprised",
)

#: The six emotions of CREMA-D: ``label_map="crema_d"`` keeps only these, so
#: that models trained on one corpus can be tested on another.
CREMA_D_EMOTIONS = ("angry", "disgust", "fear", "happy", "neutral", "sad")

#: File extensions (compared case-insensitively) that count as audio.
AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".mp3")

_ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".7z", ".rar")

# How many offending names an error or warning shows before "...".
_N_SHOWN = 5


def get_data_home(data_home=None):
    """Return the folder where skser keeps corpora, creating it if needed.

    Parameters
    ----------
    data_home : str, os.PathLike or None, default=None
        The folder to use. If None, the environment variable ``SKSER_DATA``
        is used when set and not empty, else ``~/skser_data``. A leading
        ``~`` is expanded.

    Returns
    -------
    data_home : pathlib.Path
        The folder, which exists on return.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skser.datasets import get_data_home
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     home = get_data_home(Path(tmp) / "corpora")
    ...     home.is_dir()
    True
    """
    home = _data_home_path(data_home)
    if home.exists() and not home.is_dir():
        raise NotADirectoryError(
            f"data_home {str(home)!r} is a file; expected a folder to keep corpora in."
        )
    home.mkdir(parents=True, exist_ok=True)
    return home


def _data_home_path(data_home):
    """The data home as a Path, without creating it."""
    if data_home is None:
        data_home = os.environ.get("SKSER_DATA") or os.path.join("~", "skser_data")
    elif not isinstance(data_home, (str, os.PathLike)):
        raise TypeError(
            f"data_home must be a folder path (str or os.PathLike) or None; "
            f"got {type(data_home).__name__}."
        )
    return Path(data_home).expanduser()


def clear_data_home(data_home=None):
    """Delete the data home folder and everything in it.

    Parameters
    ----------
    data_home : str, os.PathLike or None, default=None
        The folder to delete; None means `get_data_home`'s default
        (``SKSER_DATA`` or ``~/skser_data``).
    """
    home = _data_home_path(data_home).resolve()
    if not home.exists():
        return
    # A data_home typed as "~" or "/" by mistake would otherwise erase far more
    # than downloaded corpora.
    if home == Path.home().resolve() or home == Path(home.anchor):
        raise ValueError(
            f"refusing to delete {str(home)!r}: it is the home folder or a "
            "filesystem root, not a folder of corpora."
        )
    shutil.rmtree(home)


@dataclass(frozen=True)
class _Corpus:
    """A corpus's naming scheme and description.

    ``parse(path, root)`` receives an audio file's absolute `Path` and the
    root folder being loaded, and returns None when the name does not fit the
    scheme, else a dict with ``"label"`` (a word of `EMOTIONS`, or the folder
    name for `load_folder`), ``"speaker"``, ``"emotion_code"`` (exactly as
    written in the name) and one entry per name in ``columns``.
    """

    name: str
    title: str
    # What a fitting file looks like, with an example; completes "expected ...".
    scheme: str
    parse: Callable
    columns: tuple = ()
    descr: str = ""
    # Appended to the missing-folder error when no path was given: where the
    # corpus can be had.
    source: str = ""
    # Clips with the same metadata are the same recording; off for load_folder,
    # whose metadata does not identify a clip.
    check_duplicates: bool = True


def _is_crema_d(label_map):
    return isinstance(label_map, str) and label_map == "crema_d"


def _check_on_unmatched(on_unmatched):
    if not (isinstance(on_unmatched, str) and on_unmatched in ("raise", "warn")):
        raise ValueError(
            f"on_unmatched must be 'raise' or 'warn'; got {on_unmatched!r}."
        )


def _check_label_map(label_map):
    if label_map is None or _is_crema_d(label_map):
        return
    if isinstance(label_map, str):
        raise ValueError(
            f"label_map must be None, 'crema_d' or a dict {{label: new_label or None}}; "
            f"got the string {label_map!r}."
        )
    if not isinstance(label_map, dict):
        raise TypeError(
            f"label_map must be None, 'crema_d' or a dict {{label: new_label or None}}; "
            f"got {type(label_map).__name__}."
        )
    for key, value in label_map.items():
        if not isinstance(key, str) or not (value is None or isinstance(value, str)):
            raise TypeError(
                f"label_map must map label strings to a new label string or None "
                f"(None leaves the label out); got {key!r}: {value!r}."
            )


def _resolve_root(corpus, path, data_home):
    """The folder to scan, checked to be an existing folder."""
    if path is None:
        # Loading only reads: a failed load should not leave an empty data home.
        root = _data_home_path(data_home) / corpus.name
    elif isinstance(path, (str, os.PathLike)):
        root = Path(path).expanduser()
    else:
        raise TypeError(
            f"path must be a folder path (str or os.PathLike) or None; "
            f"got {type(path).__name__}."
        )
    root = Path(os.path.abspath(root))
    if not root.exists():
        message = f"{corpus.title} folder {str(root)!r} does not exist"
        if path is None:
            message += (
                f" (with path=None the loader looks in get_data_home() / "
                f"{corpus.name!r}). {corpus.source}"
            )
        else:
            message += f"; expected a folder holding {corpus.scheme}."
        raise FileNotFoundError(message)
    if not root.is_dir():
        hint = ""
        if root.name.lower().endswith(_ARCHIVE_SUFFIXES):
            hint = " It looks like an archive: extract it and pass the extracted folder."
        raise NotADirectoryError(
            f"{corpus.title} path {str(root)!r} is a file; expected the folder "
            f"holding {corpus.scheme}.{hint}"
        )
    return root


def _scan(root):
    """All audio files under ``root`` (recursively), and any archives seen.

    Symbolic links to folders are followed, since corpora are often linked into
    the data home, but each real folder is visited once so that a link loop
    cannot hang the scan. Hidden files and folders (``.``-prefixed, and macOS's
    ``__MACOSX``) are skipped: archives made on macOS carry ``._name.wav``
    resource forks that are not audio.
    """
    audio, archives, seen = [], [], set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen:
            dirnames[:] = []
            continue
        seen.add(real)
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and d != "__MACOSX"
        )
        for name in filenames:
            if name.startswith("."):
                continue
            lower = name.lower()
            if lower.endswith(AUDIO_EXTENSIONS):
                audio.append(os.path.join(dirpath, name))
            elif lower.endswith(_ARCHIVE_SUFFIXES):
                archives.append(os.path.join(dirpath, name))
    return sorted(audio), archives


def _shown(paths, root):
    """The first few paths, relative to root, for a message."""
    rel = [os.path.relpath(p, root) for p in paths[:_N_SHOWN]]
    more = f", ... ({len(paths) - _N_SHOWN} more)" if len(paths) > _N_SHOWN else ""
    return ", ".join(rel) + more


def _guess_corpus(paths, root, others):
    """Name the other corpus whose naming scheme fits most of ``paths``."""
    best, best_hits = None, 0
    for other in others:
        hits = sum(other.parse(Path(p), root) is not None for p in paths)
        if hits > best_hits:
            best, best_hits = other, hits
    if best is None or 2 * best_hits < len(paths):
        return ""
    return (
        f" {best_hits} of them fit the {best.title} naming scheme instead: "
        f"use skser.datasets.load_{best.name}."
    )


def _report_unmatched(corpus, unmatched, n_audio, root, on_unmatched, others):
    expected = f"expected {corpus.scheme}"
    if len(unmatched) == n_audio:
        # Nothing fits: most likely the wrong folder or the wrong loader, and
        # skipping everything would only move the error somewhere vaguer.
        raise ValueError(
            f"none of the {n_audio} audio files under {str(root)!r} fit the "
            f"{corpus.title} naming scheme ({_shown(unmatched, root)}); {expected}."
            + _guess_corpus(unmatched, root, others)
        )
    message = (
        f"{len(unmatched)} of {n_audio} audio files under {str(root)!r} do not fit "
        f"the {corpus.title} naming scheme: {_shown(unmatched, root)}; {expected}."
    )
    if on_unmatched == "raise":
        raise ValueError(
            message + " Pass on_unmatched='warn' to skip them with a warning "
            "(they are then listed in bunch.unmatched)."
        )
    warnings.warn(
        message + " They were skipped and are listed in bunch.unmatched.",
        UserWarning,
        stacklevel=4,
    )


def _map_labels(labels, label_map):
    """Labels after ``label_map``; None marks a clip left out."""
    if label_map is None:
        return list(labels)
    if _is_crema_d(label_map):
        keep = set(CREMA_D_EMOTIONS)
        return [label if label in keep else None for label in labels]
    present = set(labels)
    unknown = sorted(k for k in label_map if k not in present and k not in EMOTIONS)
    if unknown:
        # A key that is neither a label found here nor a common emotion word is
        # almost always a typo ("anger" for "angry") that would silently do
        # nothing; common words are allowed so one map can serve every corpus.
        raise ValueError(
            f"label_map has keys {unknown} that are neither labels found in this "
            f"corpus ({sorted(present)}) nor common emotion words {list(EMOTIONS)}."
        )
    return [label_map.get(label, label) for label in labels]


def _report_excluded(label_map, old_labels, n_total):
    counts = Counter(old_labels)
    detail = ", ".join(f"{label} ({n})" for label, n in sorted(counts.items()))
    how = (
        f"label_map='crema_d' keeps only {', '.join(CREMA_D_EMOTIONS)}"
        if _is_crema_d(label_map)
        else "label_map maps these labels to None"
    )
    warnings.warn(
        f"{how}: left out {len(old_labels)} of {n_total} files: {detail}. "
        "They are listed in bunch.excluded.",
        UserWarning,
        stacklevel=4,
    )


def _warn_duplicates(corpus, rows, paths, root):
    """Warn when the same recording appears under two paths.

    Copies of the corpus nested in each other are common in downloaded
    archives (Kaggle's RAVDESS holds every actor twice). Both copies are kept,
    since they are different files, but a split that puts one copy in train
    and the other in test scores a model on clips it has seen.
    """
    first, twice = {}, []
    for path, row in zip(paths, rows):
        key = tuple(str(row[c]).lower() for c in ("speaker", "emotion_code", *corpus.columns))
        if key in first:
            twice.append((first[key], path))
        else:
            first[key] = path
    if not twice:
        return
    a, b = (os.path.relpath(p, root) for p in twice[0])
    warnings.warn(
        f"{len(twice)} {corpus.title} recordings appear more than once under "
        f"{str(root)!r} (e.g. {a} and {b}); the folder probably holds the corpus "
        "twice. Both copies are kept; pass path= the sub-folder of one copy, "
        "since the same clip on both sides of a train/test split inflates scores.",
        UserWarning,
        stacklevel=4,
    )


def _load_corpus(corpus, path, *, data_home=None, label_map=None, on_unmatched="raise",
                 others=()):
    """Scan, parse, check and label a corpus folder; see the public loaders.

    ``others`` are the other corpora, tried on names that fit none of this
    corpus's scheme, to suggest the right loader.
    """
    _check_on_unmatched(on_unmatched)
    _check_label_map(label_map)
    root = _resolve_root(corpus, path, data_home)
    audio, archives = _scan(root)
    if not audio:
        hint = ""
        if archives:
            hint = (
                f" It holds archives ({_shown(archives, root)}): extract them first."
            )
        raise ValueError(
            f"no audio files ({', '.join(AUDIO_EXTENSIONS)}) were found under "
            f"{str(root)!r}; expected {corpus.scheme}.{hint}"
        )

    rows, paths, unmatched = [], [], []
    for p in audio:
        row = corpus.parse(Path(p), root)
        if row is None:
            unmatched.append(p)
        else:
            rows.append(row)
            paths.append(p)
    if unmatched:
        _report_unmatched(corpus, unmatched, len(audio), root, on_unmatched, others)
    if corpus.check_duplicates:
        _warn_duplicates(corpus, rows, paths, root)

    native = [row["label"] for row in rows]
    mapped = _map_labels(native, label_map)
    keep = [i for i, label in enumerate(mapped) if label is not None]
    excluded = [paths[i] for i, label in enumerate(mapped) if label is None]
    if not keep:
        raise ValueError(
            f"label_map={label_map!r} left out every one of the {len(paths)} files "
            f"under {str(root)!r}; their labels are {sorted(set(native))}."
        )
    if excluded:
        _report_excluded(
            label_map, [native[i] for i, label in enumerate(mapped) if label is None],
            len(paths),
        )

    target = np.array([mapped[i] for i in keep], dtype=str)
    speakers = [rows[i]["speaker"] for i in keep]
    has_speakers = all(s is not None for s in speakers)
    metadata = {
        "speaker": np.array(speakers, dtype=str if has_speakers else object),
        "emotion_code": np.array([rows[i]["emotion_code"] for i in keep], dtype=str),
    }
    for column in corpus.columns:
        metadata[column] = np.array([rows[i][column] for i in keep])

    return Bunch(
        filenames=np.array([paths[i] for i in keep], dtype=str),
        target=target,
        target_names=np.unique(target),
        groups=metadata["speaker"].copy() if has_speakers else None,
        metadata=metadata,
        DESCR=corpus.descr + _describe_copy(root, target, metadata["speaker"], has_speakers),
        corpus=corpus.name,
        excluded=np.array(excluded, dtype=str),
        unmatched=np.array(unmatched, dtype=str),
    )


def _describe_copy(root, target, speakers, has_speakers):
    labels, counts = np.unique(target, return_counts=True)
    per_label = ", ".join(f"{label} {n}" for label, n in zip(labels, counts))
    who = f", {len(np.unique(speakers))} speakers" if has_speakers else ""
    return (
        f"\nThis copy\n---------\n{target.size} files under {root}{who}.\n"
        f"Files per label: {per_label}.\n"
    )
