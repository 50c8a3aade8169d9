"""Emotion-recognition reports: the figures, a text table, a JSON file and a
confusion-matrix plot.

A report is a plain dict (JSON-ready) so that scripts, the command line and
tests read the same thing:

- ``ua``: unweighted accuracy, the mean of per-class recalls (what the SER
  literature calls UA; `sklearn.metrics.balanced_accuracy_score`);
- ``wa``: weighted accuracy, the plain fraction of clips right;
- ``macro_f1``: the unweighted mean of per-class F1 scores;
- ``per_class``: precision, recall, F1 and support of every label;
- ``confusion_matrix``: counts, rows are true labels, columns predictions, in
  the order of ``labels``.
"""

import json
import os
from pathlib import Path

import numpy as np
from sklearn.metrics import (
    ConfusionMatrixDisplay,
    accuracy_score,
    balanced_accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)
from sklearn.utils.validation import check_consistent_length, column_or_1d

from .._files import atomic_write

__all__ = ["emotion_report", "format_report", "plot_confusion_matrix", "save_report"]

#: How reports name predictions that used the test speakers' own clips
#: (`SpeakerStandardScaler` given the test groups): never to be read as the
#: figure of a model that sees one clip at a time.
SPEAKER_NORMALISED = "speaker-normalised (uses each test speaker's unlabelled clips)"
#: Said of figures from a model adapted to its test clips
#: (`DomainStandardScaler` given the test clips as one domain).
ADAPTED = "adapted (standardised with the test clips' own unlabelled statistics)"

# The headline figures of every report, in print order.
_HEADLINE = (("ua", "UA (mean per-class recall)"), ("wa", "WA (accuracy)"),
             ("macro_f1", "Macro F1"))


def emotion_report(y_true, y_pred, *, labels=None):
    """Compute UA, WA, macro F1, per-class figures and the confusion matrix.

    Parameters
    ----------
    y_true : array-like [shape=(n_clips,)]
        True labels.
    y_pred : array-like [shape=(n_clips,)]
        Predicted labels.
    labels : array-like of str or None, default=None
        Label order of the table and the matrix; None uses the sorted labels
        found in ``y_true`` and ``y_pred``.

    Returns
    -------
    report : dict
        Keys ``n_clips, labels, ua, wa, macro_f1, per_class,
        confusion_matrix`` (see the module docstring); values are plain
        Python numbers, strings and lists.

    Examples
    --------
    >>> from skser.evaluation import emotion_report
    >>> r = emotion_report(["sad", "sad", "angry", "angry"],
    ...                    ["sad", "angry", "angry", "angry"])
    >>> r["ua"], r["wa"], r["confusion_matrix"]
    (0.75, 0.75, [[2, 0], [1, 1]])
    """
    y_true = column_or_1d(np.asarray(y_true))
    y_pred = column_or_1d(np.asarray(y_pred))
    check_consistent_length(y_true, y_pred)
    if y_true.size == 0:
        raise ValueError("y_true is empty; a report needs at least one clip.")
    if labels is None:
        labels = np.unique(np.concatenate([y_true, y_pred]))
    labels = np.asarray(labels)
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0,
    )
    return {
        "n_clips": int(y_true.size),
        "labels": [_plain(label) for label in labels],
        "ua": float(balanced_accuracy_score(y_true, y_pred)),
        "wa": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=labels, average="macro",
                                   zero_division=0)),
        "per_class": {
            str(_plain(label)): {
                "precision": float(p), "recall": float(r), "f1": float(f),
                "support": int(s),
            }
            for label, p, r, f, s in zip(labels, precision, recall, f1, support)
        },
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }


def format_report(report, *, title=None):
    """Render a report (from `emotion_report` or a cross-validation) as text.

    Parameters
    ----------
    report : dict
        As returned by `emotion_report`, optionally with ``folds`` (a list of
        per-fold reports), ``split`` (a description of how test clips were
        chosen) and ``chance`` keys.
    title : str or None, default=None
        A first line.

    Returns
    -------
    text : str
    """
    lines = [title] if title else []
    split = report.get("split")
    if split:
        lines.append(f"Split: {split['description']}")
        if not split.get("speaker_independent", True):
            lines.append(
                "  WARNING: speakers appear in both training and test data; this "
                "overstates accuracy on new speakers."
            )
    folds = report.get("folds")
    n = report["n_clips"]
    if folds:
        lines.append(f"Test clips: {n} over {len(folds)} folds")
        for key, name in _HEADLINE:
            values = np.array([fold[key] for fold in folds])
            lines.append(
                f"{name:<28}{values.mean():7.3f} +- {values.std():.3f} over folds"
                f"   (pooled {report[key]:.3f})"
            )
    else:
        lines.append(f"Test clips: {n}")
        for key, name in _HEADLINE:
            lines.append(f"{name:<28}{report[key]:7.3f}")
    if "chance" in report:
        lines.append(f"{'Chance UA':<28}{report['chance']:7.3f}")
    width = max(9, *(len(str(label)) for label in report["labels"]))
    lines.append("")
    lines.append(f"{'label':<{width}}  precision  recall     f1  support")
    for label in report["labels"]:
        row = report["per_class"][str(label)]
        lines.append(
            f"{str(label):<{width}}  {row['precision']:9.3f}  {row['recall']:6.3f}"
            f"  {row['f1']:5.3f}  {row['support']:7d}"
        )
    lines.append("")
    lines.append("Confusion matrix (rows: true, columns: predicted)")
    matrix = report["confusion_matrix"]
    cell = max(5, len(str(np.max(matrix))) + 1)
    short = [str(label)[:cell] for label in report["labels"]]
    lines.append(" " * width + "".join(f"{s:>{cell + 1}}" for s in short))
    for label, row in zip(report["labels"], matrix):
        lines.append(f"{str(label):<{width}}" + "".join(f"{v:>{cell + 1}d}" for v in row))
    return "\n".join(lines)


def plot_confusion_matrix(report, path, *, title=None):
    """Save the report's confusion matrix as an image.

    Cells show the share of each true class (row-normalised recall, which is
    what UA averages) with the count beneath.

    Parameters
    ----------
    report : dict
        As returned by `emotion_report`.
    path : str or os.PathLike
        Image file to write; the suffix picks the format (``.png``, ``.svg``).
    title : str or None, default=None
        Plot title; None shows UA and WA.

    Returns
    -------
    path : pathlib.Path
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    counts = np.asarray(report["confusion_matrix"], dtype=float)
    totals = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    labels = [str(label) for label in report["labels"]]
    size = 1.2 + 0.75 * len(labels)
    fig, ax = plt.subplots(figsize=(size + 1.2, size), dpi=120)
    try:
        display = ConfusionMatrixDisplay(shares, display_labels=labels).plot(
            ax=ax, cmap="Blues", xticks_rotation=45, values_format=".2f",
            im_kw={"vmin": 0.0, "vmax": 1.0}, text_kw={"fontsize": 7},
        )
        display.im_.colorbar.set_label("share of true class")
        # Counts under the shares: small classes are read differently.
        for (i, j), text in np.ndenumerate(display.text_):
            text.set_text(f"{shares[i, j]:.2f}\n{int(counts[i, j])}")
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        ax.set_title(title or f"UA {report['ua']:.3f}   WA {report['wa']:.3f}")
        fig.tight_layout()
        path = Path(path)
        atomic_write(path, lambda tmp: fig.savefig(tmp, format=path.suffix.lstrip(".") or "png"))
    finally:
        plt.close(fig)
    return path


def save_report(report, directory, *, name="report", title=None):
    """Write ``<name>.json`` (every figure) and ``<name>_confusion.png``.

    Files are written to a temporary name and renamed, so an interrupted run
    never leaves a half-written report.

    Parameters
    ----------
    report : dict
        As returned by `emotion_report` (may hold extra JSON-ready keys).
    directory : str or os.PathLike
        Folder to write into; created if missing.
    name : str, default="report"
        File name stem.
    title : str or None, default=None
        Plot title.

    Returns
    -------
    paths : dict
        ``{"json": Path, "confusion": Path}``.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    json_path = directory / f"{name}.json"
    text = json.dumps(report, indent=2, default=_json_default)
    atomic_write(json_path, lambda tmp: Path(tmp).write_text(text + "\n", encoding="utf-8"))
    png_path = plot_confusion_matrix(report, directory / f"{name}_confusion.png", title=title)
    return {"json": json_path, "confusion": png_path}


def _plain(value):
    """numpy scalars to Python ones, for JSON."""
    return value.item() if isinstance(value, np.generic) else value


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
