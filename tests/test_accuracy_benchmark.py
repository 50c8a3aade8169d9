"""The accuracy benchmark's own logic (`benchmarks/accuracy.py`): which steps
it runs once per corpus, when a stored fold is reused, and that its shortcut
computes what fitting the whole pipeline computes."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import tiny_ser_pipeline, write_tone_clips

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def accuracy():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        spec = importlib.util.spec_from_file_location("accuracy", BENCHMARKS / "accuracy.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCHMARKS))
    return module


@pytest.mark.parametrize(("row", "head", "tail"), [
    ("2d-lenet5", ["load", "trim", "features"], ["augment", "scale", "clf"]),
    ("2d-vgg16", ["load", "trim", "features"], ["augment", "scale", "clf"]),
    ("1d-lenet5", ["load", "trim"], ["augment", "features", "scale", "clf"]),
    # The statistics pipeline has no augmenter: everything up to the scaler.
    ("svm", ["load", "trim", "augment", "features"], ["scale", "clf"]),
    ("default", ["load", "trim", "augment", "features"], ["scale", "clf"]),
])
def test_only_steps_that_learn_nothing_run_once_per_corpus(accuracy, row, head, tail):
    # The augmenter is a sampler (training only) and the scaler learns: both
    # must be fitted per fold, and everything after them too.
    got_head, got_tail = accuracy.split_stateless(accuracy.make_row(row))
    assert [name for name, _ in got_head.steps] == head
    assert [name for name, _ in got_tail.steps] == tail


def test_augmentation_off_keeps_passthrough_out_of_the_head(accuracy):
    from skser import make_ser_pipeline

    head, tail = accuracy.split_stateless(make_ser_pipeline("2d", augment=False))
    assert [name for name, _ in head.steps] == ["load", "trim", "features", "augment"]
    assert [name for name, _ in tail.steps] == ["scale", "clf"]


def test_stored_folds_are_reused_only_for_the_same_settings(accuracy, tmp_path):
    key = accuracy.settings_key(accuracy.make_row("default"))
    assert key == accuracy.settings_key(accuracy.make_row("default"))
    assert key == accuracy.settings_key(accuracy.make_row("svm"))  # the same pipeline
    assert key != accuracy.settings_key(accuracy.make_row("2d-lenet5"))
    changed = accuracy.make_row("default").set_params(clf__estimator__C=1.0)
    assert accuracy.settings_key(changed) != key

    calls = []
    path = tmp_path / "fold0.json"
    first, hit = accuracy.cached(path, key, lambda: calls.append(1) or {"ua": 0.5}, force=False)
    assert (first["ua"], hit, len(calls)) == (0.5, False, 1)
    again, hit = accuracy.cached(path, key, lambda: calls.append(1) or {"ua": 0.9}, force=False)
    assert (again["ua"], hit, len(calls)) == (0.5, True, 1)
    stale, hit = accuracy.cached(path, "other", lambda: calls.append(1) or {"ua": 0.7},
                                 force=False)
    assert (stale["ua"], hit, len(calls)) == (0.7, False, 2)
    forced, hit = accuracy.cached(path, "other", lambda: {"ua": 0.1}, force=True)
    assert (forced["ua"], hit) == (0.1, False)


def test_rewriting_results_keeps_the_prose_around_the_tables(accuracy, tmp_path):
    path = tmp_path / "results.md"
    path.write_text(accuracy.replace_generated(path, "table one"))
    assert "table one" in path.read_text() and path.read_text().startswith("# Results")
    path.write_text("# Mine\n\nintro\n\n" + path.read_text().split("\n", 2)[2] + "\nafter\n")
    path.write_text(accuracy.replace_generated(path, "table two"))
    text = path.read_text()
    assert "table two" in text and "table one" not in text
    assert text.startswith("# Mine\n\nintro\n") and text.rstrip().endswith("after")


class _Data:
    def __init__(self, paths, labels):
        self.filenames = np.array(paths, dtype=object)
        self.target = np.array(labels)
        self.target_names = np.unique(self.target)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["1d", "2d"])
def test_shortcut_predicts_what_the_whole_pipeline_predicts(accuracy, kind, tmp_path, rng):
    paths, labels = write_tone_clips(tmp_path, 24, sr=8000, seconds=0.6, rng=rng)
    data = _Data(paths, labels)
    train, test = np.arange(18), np.arange(18, 24)

    whole = tiny_ser_pipeline(kind).fit(list(data.filenames[train]), data.target[train])
    expected = whole.predict(list(data.filenames[test]))
    result = accuracy.fit_and_score(tiny_ser_pipeline(kind), train, test, data,
                                    accuracy.Heads(data))

    assert result["y_pred"] == expected.tolist()
    assert result["n_train"] == 18 and result["n_test"] == 6
