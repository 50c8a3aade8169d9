"""Evaluation: speaker-independent splits and cross-validation, and reports
with UA, WA, macro F1, per-class figures and a confusion matrix."""

from ._cross_validation import cross_validate_emotions, holdout_split, train_test_split_speakers
from ._report import emotion_report, format_report, plot_confusion_matrix, save_report

__all__ = [
    "cross_validate_emotions",
    "emotion_report",
    "format_report",
    "holdout_split",
    "plot_confusion_matrix",
    "save_report",
    "train_test_split_speakers",
]
