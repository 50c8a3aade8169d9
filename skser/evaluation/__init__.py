"""Evaluation: speaker-independent splits and cross-validation, reports
with UA, WA, macro F1, per-class figures and a confusion matrix, and the
accuracy a model keeps on altered audio (`evaluate_robustness`)."""

from ._cross_validation import cross_validate_emotions, holdout_split, train_test_split_speakers
from ._report import emotion_report, format_report, plot_confusion_matrix, save_report
from ._robustness import (
    evaluate_robustness, format_robustness, plot_robustness, robustness_conditions,
)

__all__ = [
    "cross_validate_emotions",
    "emotion_report",
    "evaluate_robustness",
    "format_report",
    "format_robustness",
    "holdout_split",
    "plot_confusion_matrix",
    "plot_robustness",
    "robustness_conditions",
    "save_report",
    "train_test_split_speakers",
]
