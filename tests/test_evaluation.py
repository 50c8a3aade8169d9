"""Reports and speaker-independent evaluation (skser.evaluation)."""

import json

import numpy as np
import pytest
import sklearn
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, f1_score
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline

from skser import SpeakerStandardScaler

from skser.evaluation import (
    cross_validate_emotions,
    emotion_report,
    format_report,
    holdout_split,
    save_report,
    train_test_split_speakers,
)


@pytest.fixture
def toy(rng):
    """120 clips, 3 classes, 6 speakers; one informative feature column."""
    y = np.repeat(["angry", "happy", "sad"], 40)
    groups = np.tile(np.repeat([f"s{i}" for i in range(6)], 20 // 3 + 1)[:40], 3)
    X = rng.normal(size=(120, 3))
    X[:, 0] += np.select([y == "angry", y == "happy"], [3.0, 0.0], -3.0)
    return X, y, groups


def test_report_figures_match_sklearn_metrics(rng):
    y_true = rng.choice(["a", "b", "c"], size=50, p=[0.6, 0.3, 0.1])
    y_pred = rng.choice(["a", "b", "c"], size=50)
    report = emotion_report(y_true, y_pred)
    assert report["ua"] == pytest.approx(balanced_accuracy_score(y_true, y_pred))
    assert report["wa"] == pytest.approx(np.mean(y_true == y_pred))
    assert report["macro_f1"] == pytest.approx(f1_score(y_true, y_pred, average="macro"))
    matrix = np.array(report["confusion_matrix"])
    assert matrix.sum() == 50
    assert np.trace(matrix) == np.sum(y_true == y_pred)
    assert [report["per_class"][k]["support"] for k in "abc"] == [
        int(np.sum(y_true == k)) for k in "abc"
    ]


def test_report_keeps_given_label_order_and_counts_unpredicted_classes():
    report = emotion_report(["sad", "sad", "angry"], ["sad", "sad", "sad"],
                            labels=["sad", "angry", "fear"])
    assert report["labels"] == ["sad", "angry", "fear"]
    assert report["confusion_matrix"] == [[2, 0, 0], [1, 0, 0], [0, 0, 0]]
    assert report["per_class"]["angry"]["recall"] == 0.0


def test_report_rejects_empty_and_mismatched_inputs():
    with pytest.raises(ValueError, match="empty"):
        emotion_report([], [])
    with pytest.raises(ValueError, match="inconsistent"):
        emotion_report(["a", "b"], ["a"])


def test_save_report_writes_json_with_every_figure_and_a_png(tmp_path):
    report = emotion_report(["a", "b", "b"], ["a", "b", "a"])
    report["split"] = {"description": "test", "speaker_independent": True}
    paths = save_report(report, tmp_path / "out", name="r")
    assert json.loads(paths["json"].read_text()) == report
    assert paths["confusion"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["r.json", "r_confusion.png"]


def test_save_report_leaves_no_partial_file_when_writing_fails(tmp_path):
    report = emotion_report(["a"], ["a"])
    report["bad"] = object()  # not JSON-serialisable: the write fails midway
    with pytest.raises(TypeError):
        save_report(report, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_format_report_labels_a_split_that_shares_speakers():
    report = emotion_report(["a", "b"], ["a", "b"])
    report["split"] = {"description": "random", "speaker_independent": False}
    assert "overstates" in format_report(report)
    report["split"]["speaker_independent"] = True
    assert "overstates" not in format_report(report)


def test_speaker_split_never_shares_a_speaker_and_covers_every_clip(toy):
    _, y, groups = toy
    train, test = train_test_split_speakers(y, groups, test_size=0.3, random_state=0)
    assert not set(groups[train]) & set(groups[test])
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(y.size))
    assert set(y[test]) == set(y)


def test_random_holdout_is_labelled_as_sharing_speakers(toy):
    _, y, groups = toy
    train, test, split = holdout_split(y, groups, method="random", random_state=0)
    assert test.size == 36 and not split["speaker_independent"]
    assert set(groups[train]) & set(groups[test])


def test_holdout_split_needs_groups_for_speaker_method(toy):
    _, y, _ = toy
    with pytest.raises(ValueError, match="groups"):
        holdout_split(y, None, method="speaker")
    with pytest.raises(ValueError, match="method"):
        holdout_split(y, None, method="kfold")


def test_cross_validation_is_grouped_and_pools_out_of_fold_predictions(toy):
    X, y, groups = toy
    folds_seen = []
    report = cross_validate_emotions(
        LogisticRegression(), X, y, groups=groups, cv=3, random_state=0,
        callback=lambda i, n, fold: folds_seen.append((i, n)),
    )
    assert folds_seen == [(0, 3), (1, 3), (2, 3)]
    assert report["split"]["speaker_independent"]
    assert report["n_clips"] == y.size
    tested = [s for fold in report["folds"] for s in fold["test_speakers"]]
    assert sorted(tested) == sorted(set(groups))  # each speaker tested exactly once
    assert report["ua"] > 0.8  # the informative column is learnt
    assert report["chance"] == pytest.approx(1 / 3)


def test_cross_validation_of_a_dummy_is_at_chance(toy):
    X, y, groups = toy
    report = cross_validate_emotions(DummyClassifier(), X, y, groups=groups, cv=3)
    assert report["ua"] == pytest.approx(1 / 3)


@pytest.mark.filterwarnings("ignore:The groups parameter is ignored")
def test_cross_validation_requires_groups_with_int_cv_and_detects_leaky_splitters(toy):
    X, y, groups = toy
    with pytest.raises(ValueError, match="groups"):
        cross_validate_emotions(LogisticRegression(), X, y, cv=3)
    with pytest.raises(ValueError, match="speakers"):
        cross_validate_emotions(LogisticRegression(), X, y, groups=groups, cv=7)
    report = cross_validate_emotions(
        LogisticRegression(), X, y, groups=groups,
        cv=KFold(3, shuffle=True, random_state=0),
    )
    assert not report["split"]["speaker_independent"]
    assert "NOT speaker-independent" in format_report(report)


def test_cross_validation_gives_a_speaker_normalising_pipeline_each_folds_groups(toy):
    """fit gets the training speakers, predict the test fold's, and the
    report says the figure used the test speakers' unlabelled clips."""
    X, y, groups = toy
    X = X + np.unique(groups, return_inverse=True)[1][:, None] * 10.0  # speaker offsets
    seen = []

    class Recording(SpeakerStandardScaler):
        def transform(self, X, groups=None):
            seen.append(None if groups is None else sorted(set(groups)))
            return super().transform(X, groups=groups)

    report = cross_validate_emotions(
        make_pipeline(Recording(), LogisticRegression()), X, y, groups=groups, cv=3,
        random_state=0,
    )

    test_speakers = [fold["test_speakers"] for fold in report["folds"]]
    assert seen[1::2] == test_speakers  # every other call: predict on the test fold
    assert all(len(s) == 4 for s in seen[::2])  # fit_transform on the 4 others
    assert report["split"]["speaker_normalised"]
    assert "speaker-normalised (uses each test speaker's unlabelled clips)" in format_report(report)
    assert not sklearn.get_config()["enable_metadata_routing"]  # switched on only inside


def test_cross_validation_of_a_plain_estimator_is_not_labelled_speaker_normalised(toy):
    X, y, groups = toy
    report = cross_validate_emotions(LogisticRegression(), X, y, groups=groups, cv=3)
    assert not report["split"]["speaker_normalised"]
    assert "speaker-normalised" not in format_report(report)
