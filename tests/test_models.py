"""CNNClassifier: a scikit-learn classifier around tiny Keras networks.

Networks here are tiny (``width`` 0.05-0.1, one or two epochs, 24 clips) so
that each fit takes a second or two on a CPU; tests that train are marked
``slow``. The two fitted classifiers most tests read are built once per
module.
"""

import logging
import pickle
import subprocess
import sys

import joblib
import numpy as np
import pytest
from sklearn.base import clone, is_classifier
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import StratifiedKFold, check_cv, cross_validate
from sklearn.utils import get_tags

from skser import ARCHITECTURES, CNNClassifier

LABELS = np.array(["sad", "angry", "happy"] * 8)  # 24 clips, unsorted names
CLASSES = ["angry", "happy", "sad"]

# Fast settings shared by the tests that train.
TINY = dict(model="lenet5", width=0.1, epochs=2, batch_size=8, random_state=0)


def _conv_layers(clf):
    return {type(layer).__name__ for layer in clf.estimator_.model_.layers
            if type(layer).__name__.startswith("Conv")}


@pytest.fixture(scope="module")
def X3():
    """Frame features, (n_clips, n_frames, n_features): the 1-D form."""
    return np.random.default_rng(0).normal(size=(24, 20, 6)).astype(np.float32)


@pytest.fixture(scope="module")
def X4():
    """Log-mel images, (n_clips, n_mels, n_frames, 1): the 2-D form."""
    return np.random.default_rng(1).normal(size=(24, 16, 8, 1)).astype(np.float32)


@pytest.fixture(scope="module")
def fitted_3d(X3):
    return CNNClassifier(**TINY).fit(X3, LABELS)


@pytest.fixture(scope="module")
def fitted_4d(X4):
    return CNNClassifier(**TINY).fit(X4, LABELS)


# ---------------------------------------------------------------------------
# No TensorFlow until a network is built
# ---------------------------------------------------------------------------

def test_import_construct_clone_and_get_params_do_not_import_tensorflow():
    code = "\n".join([
        "import sys",
        "import numpy as np",
        "from sklearn.base import clone, is_classifier",
        "import skser",
        "clf = skser.CNNClassifier(model='lenet5', width=0.1, epochs=1)",
        "params = clf.get_params()",
        "copy = clone(clf).set_params(width=0.2)",
        "repr(copy); is_classifier(copy)",
        "X = np.random.default_rng(0).normal(size=(2, 1600)).astype(np.float32)",
        "skser.FrameFeatures1D(n_fft=256, hop_length=128).fit_transform(X)",
        "skser.MelSpectrogram2D(n_fft=256, hop_length=128).fit_transform(X)",
        "print(sorted(m for m in ('tensorflow', 'keras', 'scikeras') if m in sys.modules))",
    ])
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


# ---------------------------------------------------------------------------
# Recognised as a classifier by scikit-learn
# ---------------------------------------------------------------------------

def test_cnn_classifier_is_tagged_as_classifier():
    clf = CNNClassifier()
    assert is_classifier(clf)
    assert get_tags(clf).estimator_type == "classifier"


def test_cross_validation_of_cnn_classifier_defaults_to_stratified_folds():
    cv = check_cv(3, LABELS, classifier=is_classifier(CNNClassifier()))
    assert isinstance(cv, StratifiedKFold)


def test_inner_scikeras_wrapper_is_classifier_unlike_plain_keras_classifier():
    """Under scikit-learn >= 1.7 scikeras' own tags are not read: a plain
    KerasClassifier is not a classifier, so cross-validation would not
    stratify. skser's subclass fixes the tags."""
    from scikeras.wrappers import KerasClassifier

    from skser.models._keras import SkserKerasClassifier

    assert is_classifier(SkserKerasClassifier())
    assert get_tags(SkserKerasClassifier()).estimator_type == "classifier"
    assert not is_classifier(KerasClassifier())


@pytest.mark.slow
def test_cross_validate_tests_every_class_in_equal_proportion_per_fold():
    # Labels sorted by class: unstratified KFold would test one class per fold.
    y = np.repeat(CLASSES, 6)
    X = np.random.default_rng(2).normal(size=(18, 12, 4)).astype(np.float32)
    clf = CNNClassifier(
        model="lenet5", width=0.05, epochs=1, batch_size=8, validation_split=0,
        patience=None, random_state=0,
    )
    result = cross_validate(clf, X, y, cv=3, return_indices=True)
    for test in result["indices"]["test"]:
        labels, counts = np.unique(y[test], return_counts=True)
        assert labels.tolist() == CLASSES
        assert counts.tolist() == [2, 2, 2]


@pytest.mark.slow
def test_cross_validation_logs_no_tf_function_retracing_warning(monkeypatch, capfd):
    """Each fold's new network traces its train, test and predict functions
    once; TensorFlow counts those traces across networks (they share their
    code) and warned of retracing from the fifth fold on."""
    messages = []

    class Keep(logging.Handler):
        def emit(self, record):
            messages.append(record.getMessage())

    logger = logging.getLogger("tensorflow")
    monkeypatch.setattr(logger, "level", logging.WARNING)
    keep = Keep()
    logger.addHandler(keep)
    y = np.repeat(["angry", "sad"], 5)
    X = np.random.default_rng(3).normal(size=(10, 8, 8, 1)).astype(np.float32)
    clf = CNNClassifier(model="lenet5", width=0.05, epochs=1, validation_split=0,
                        patience=None, random_state=0)
    try:
        cross_validate(clf, X, y, cv=5)
    finally:
        logger.removeHandler(keep)

    assert not [m for m in messages if "retracing" in m]
    assert "retracing" not in capfd.readouterr().err


# ---------------------------------------------------------------------------
# Fit and predict
# ---------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("form", ["3d", "4d"])
def test_string_labels_give_sorted_classes_and_labelled_predictions(
    form, fitted_3d, fitted_4d, X3, X4
):
    clf, X = (fitted_3d, X3) if form == "3d" else (fitted_4d, X4)
    assert clf.classes_.tolist() == CLASSES
    proba = clf.predict_proba(X)
    assert proba.shape == (24, 3)
    assert proba.dtype == np.float32
    assert np.all(proba >= 0)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    pred = clf.predict(X)
    assert pred.shape == (24,)
    assert set(pred) <= set(CLASSES)
    assert pred.tolist() == clf.classes_[proba.argmax(axis=1)].tolist()


@pytest.mark.slow
@pytest.mark.parametrize("form", ["3d", "4d"])
def test_one_clip_gets_a_row_of_probabilities_equal_to_its_batch_row(
    form, fitted_3d, fitted_4d, X3, X4
):
    clf, X = (fitted_3d, X3) if form == "3d" else (fitted_4d, X4)
    alone = clf.predict_proba(X[5:6])
    assert alone.shape == (1, 3)
    np.testing.assert_allclose(alone[0], clf.predict_proba(X)[5], atol=1e-5)
    assert clf.predict(X[5:6]).tolist() == [clf.predict(X)[5]]


@pytest.mark.slow
def test_fitted_attributes_describe_the_training_run(fitted_3d, fitted_4d):
    assert fitted_3d.input_shape_ == (20, 6)
    assert fitted_4d.input_shape_ == (16, 8, 1)
    for clf in (fitted_3d, fitted_4d):
        assert clf.n_epochs_ == len(clf.history_["loss"]) == 2
        assert {"loss", "val_loss"} <= set(clf.history_)


@pytest.mark.slow
def test_3d_input_builds_conv1d_network_and_4d_input_conv2d(fitted_3d, fitted_4d):
    assert _conv_layers(fitted_3d) == {"Conv1D"}
    assert _conv_layers(fitted_4d) == {"Conv2D"}
    assert fitted_3d.estimator_.model_.input_shape == (None, 20, 6)
    assert fitted_4d.estimator_.model_.input_shape == (None, 16, 8, 1)


@pytest.mark.slow
@pytest.mark.parametrize("form", ["3d", "4d"])
@pytest.mark.parametrize("model", ARCHITECTURES)
def test_every_architecture_fits_both_input_forms(model, form, X3, X4):
    X = X3 if form == "3d" else X4
    clf = CNNClassifier(
        model=model, width=0.05, epochs=1, batch_size=8, validation_split=0,
        patience=None, random_state=0,
    )
    if model == "attention_gru" and form == "4d":
        with pytest.raises(ValueError, match="sequence model for frame features"):
            clf.fit(X, LABELS)
        return
    assert clf.fit(X, LABELS) is clf
    network_form = {"3d": "1d", "4d": "2d"}[form]  # convolutions over 1 or 2 axes
    assert clf.estimator_.model_.name == f"{model}_{network_form}"
    assert _conv_layers(clf) == ({"Conv1D"} if form == "3d" else {"Conv2D"})
    assert clf.estimator_.model_.output_shape == (None, 3)
    if model == "attention_gru":
        layers = {type(layer).__name__ for layer in clf.estimator_.model_.layers}
        assert {"Bidirectional", "Softmax", "Dot"} <= layers


# ---------------------------------------------------------------------------
# Persistence and reproducibility
# ---------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("how", ["joblib", "pickle"])
def test_saved_and_loaded_classifier_predicts_the_same(how, fitted_4d, X4, tmp_path):
    path = tmp_path / "clf.bin"
    if how == "joblib":
        joblib.dump(fitted_4d, path)
        loaded = joblib.load(path)
    else:
        path.write_bytes(pickle.dumps(fitted_4d))
        loaded = pickle.loads(path.read_bytes())
    assert loaded is not fitted_4d
    np.testing.assert_allclose(loaded.predict_proba(X4), fitted_4d.predict_proba(X4), atol=1e-6)
    assert loaded.classes_.tolist() == CLASSES
    assert loaded.input_shape_ == fitted_4d.input_shape_


@pytest.mark.slow
def test_same_int_random_state_gives_identical_probabilities(fitted_3d, X3):
    again = CNNClassifier(**TINY).fit(X3, LABELS)
    np.testing.assert_array_equal(again.predict_proba(X3), fitted_3d.predict_proba(X3))
    assert again.history_ == fitted_3d.history_


@pytest.mark.slow
def test_different_random_states_give_different_probabilities(fitted_3d, X3):
    other = CNNClassifier(**{**TINY, "random_state": 1}).fit(X3, LABELS)
    assert not np.allclose(other.predict_proba(X3), fitted_3d.predict_proba(X3), atol=1e-4)


# ---------------------------------------------------------------------------
# Early stopping and validation
# ---------------------------------------------------------------------------

@pytest.mark.slow
def test_patience_stops_before_the_last_epoch_on_random_labels(X3):
    # Validation loss on random labels stalls within a few epochs (it rises
    # from epoch 1 to 2 with this seed).
    clf = CNNClassifier(**{**TINY, "epochs": 12, "patience": 1}).fit(X3, LABELS)
    assert 1 <= clf.n_epochs_ < 12
    assert len(clf.history_["val_loss"]) == clf.n_epochs_


@pytest.mark.slow
def test_validation_split_zero_records_no_validation_metrics(X3):
    clf = CNNClassifier(**{**TINY, "validation_split": 0}).fit(X3, LABELS)
    assert clf.history_, "history_ should hold the training metrics"
    assert not [key for key in clf.history_ if key.startswith("val_")]


@pytest.mark.slow
def test_patience_none_trains_every_epoch(X3):
    clf = CNNClassifier(**{**TINY, "epochs": 4, "patience": None}).fit(X3, LABELS)
    assert clf.n_epochs_ == 4
    assert len(clf.history_["val_loss"]) == 4


# ---------------------------------------------------------------------------
# Class weights
# ---------------------------------------------------------------------------

@pytest.mark.slow
def test_balanced_class_weight_is_accepted_on_imbalanced_labels(X3):
    y = np.array(["angry"] * 16 + ["happy"] * 4 + ["sad"] * 4)
    clf = CNNClassifier(**{**TINY, "class_weight": "balanced"}).fit(X3, y)
    assert clf.classes_.tolist() == CLASSES
    assert np.all(np.isfinite(clf.history_["loss"]))


@pytest.mark.slow
def test_class_weight_dict_is_applied_to_the_label_it_names(X3):
    """Weighting one label almost exclusively makes the network predict it
    everywhere (unweighted, the 3 balanced labels are all predicted). "happy"
    is neither first in sorted order nor in order of appearance, so a dict
    mapped to the wrong class index would favour another label."""
    weights = {"angry": 1e-3, "happy": 1.0, "sad": 1e-3}
    clf = CNNClassifier(**{**TINY, "learning_rate": 1e-2, "class_weight": weights})
    pred = clf.fit(X3, LABELS).predict(X3)
    assert np.mean(pred == "happy") >= 0.9


def test_class_weight_naming_unknown_label_raises_naming_it(X3):
    clf = CNNClassifier(**{**TINY, "class_weight": {"angry": 1.0, "bored": 2.0}})
    with pytest.raises(ValueError, match="bored"):
        clf.fit(X3, LABELS)


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------

def test_2d_input_raises_naming_the_expected_shapes():
    X = np.zeros((24, 10), dtype=np.float32)
    with pytest.raises(ValueError, match=r"\(n_clips, n_frames, n_features\)"):
        CNNClassifier(**TINY).fit(X, LABELS)


def test_single_class_raises_value_error(X3):
    with pytest.raises(ValueError, match="single class"):
        CNNClassifier(**TINY).fit(X3, np.full(24, "sad"))


def test_labels_of_another_length_raise_value_error(X3):
    with pytest.raises(ValueError):
        CNNClassifier(**TINY).fit(X3, LABELS[:20])


@pytest.mark.parametrize("method", ["predict", "predict_proba"])
def test_predicting_before_fit_raises_not_fitted_error(method, X3):
    with pytest.raises(NotFittedError):
        getattr(CNNClassifier(**TINY), method)(X3)


@pytest.mark.slow
@pytest.mark.parametrize("method", ["predict", "predict_proba"])
def test_predicting_clips_of_another_shape_raises_naming_both(method, fitted_3d):
    X = np.zeros((3, 21, 6), dtype=np.float32)
    with pytest.raises(ValueError, match=r"\(21, 6\).*\(20, 6\)"):
        getattr(fitted_3d, method)(X)


def test_clone_of_fitted_classifier_is_unfitted():
    clf = CNNClassifier(**TINY)
    clf.classes_ = np.array(CLASSES)  # stands in for a fit
    copy = clone(clf)
    assert not hasattr(copy, "classes_")
    assert copy.get_params() == clf.get_params()


@pytest.mark.slow
def test_default_network_learns_an_easy_task_in_inference_mode():
    """Regression: with Keras' default BatchNorm momentum (0.99) and a handful
    of steps per epoch, inference-mode outputs stayed near uniform, so early
    stopping restored an untrained network and held-out accuracy sat at chance."""
    rng = np.random.default_rng(0)
    n, n_classes = 128, 4
    y = np.repeat(np.arange(n_classes), n // n_classes)
    X = rng.normal(size=(n, 24, 20, 1)).astype(np.float32)
    # Each class lights up its own band of rows: easy for any CNN.
    for k in range(n_classes):
        X[y == k, 6 * k:6 * k + 6] += 1.5
    order = rng.permutation(n)
    X, y = X[order], y[order]
    # 96 clips, batch 32: 3 steps per epoch, as on a small corpus.
    clf = CNNClassifier(model="custom", width=0.25, epochs=12, batch_size=32,
                        patience=4, random_state=0).fit(X[:96], y[:96])
    assert clf.score(X[96:], y[96:]) >= 0.8


@pytest.mark.slow
def test_a_seeded_fit_leaves_tensorflow_as_it_was_for_an_unseeded_one():
    # A fresh process, as a user's script: what earlier tests imported and
    # set in this one hides the failure.
    import subprocess
    import sys

    code = (
        "import numpy as np\n"
        "from skser import CNNClassifier\n"
        "X = np.random.default_rng(0).normal(size=(16, 10, 4)).astype('float32')\n"
        "y = ['a', 'b'] * 8\n"
        "CNNClassifier(model='lenet5', width=0.1, epochs=1, random_state=0).fit(X, y)\n"
        "from tensorflow.python.framework import config\n"
        "assert not config.is_op_determinism_enabled()\n"
        "CNNClassifier(model='lenet5', width=0.1, epochs=1, random_state=None).fit(X, y)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300)

    # Failed with "Random ops require a seed to be set when determinism is enabled".
    assert result.returncode == 0, result.stderr[-2000:]


# ---------------------------------------------------------------------------
# Batch order: a new one every epoch, reproducible under a seed
# ---------------------------------------------------------------------------
def test_epoch_shuffled_batches_cover_every_sample_once_per_epoch_in_new_orders():
    pytest.importorskip("keras")
    from skser.models._keras import EpochShuffledBatches

    X = np.arange(10, dtype=np.float32)[:, None]
    y = np.arange(10) % 2
    weights = np.linspace(0.1, 1.0, 10)
    batches = EpochShuffledBatches(X, y, sample_weight=weights, batch_size=4, seed=0)
    assert len(batches) == 3
    orders = []
    for _ in range(3):
        served = [batches[i] for i in range(len(batches))]
        assert [len(b[0]) for b in served] == [4, 4, 2]
        rows = np.concatenate([b[0][:, 0] for b in served]).astype(int)
        assert sorted(rows.tolist()) == list(range(10))
        for bx, by, bw in served:  # labels and weights travel with their samples
            np.testing.assert_array_equal(by, bx[:, 0].astype(int) % 2)
            np.testing.assert_allclose(bw, weights[bx[:, 0].astype(int)])
        orders.append(rows.tolist())
        batches.on_epoch_end()
    assert orders[0] != orders[1] != orders[2]
    again = EpochShuffledBatches(X, y, batch_size=4, seed=0)
    assert np.concatenate([again[i][0][:, 0] for i in range(3)]).astype(int).tolist() == orders[0]
    plain = EpochShuffledBatches(X, y, batch_size=4, seed=0, shuffle=False)
    assert plain[0][0][:, 0].tolist() == [0, 1, 2, 3]


@pytest.mark.slow
def test_a_seeded_fit_draws_the_batches_in_a_new_order_every_epoch(monkeypatch):
    """Keras' own shuffle of arrays repeats one order every epoch under a
    global seed, as scikeras sets for ``random_state``: the network must see
    the clips in a different order each epoch, the same orders in a rerun."""
    from skser.models import _keras

    served = []
    original = _keras.EpochShuffledBatches.__getitem__

    def recording(self, index):
        batch = original(self, index)
        served.append((index, batch[0][:, 0, 0].astype(int).tolist()))
        return batch

    monkeypatch.setattr(_keras.EpochShuffledBatches, "__getitem__", recording)
    X = np.zeros((24, 20, 6), dtype=np.float32)
    X[:, 0, 0] = np.arange(24)  # each clip carries its index
    settings = {**TINY, "epochs": 3, "validation_split": 0.0, "patience": None}

    def epochs_seen():
        served.clear()
        CNNClassifier(**settings).fit(X, LABELS)
        # Keras may read a batch ahead to learn the shapes; keep each epoch's
        # three batches, in the order served.
        epochs, current = [], {}
        for index, clips in served:
            if index in current:
                epochs.append(current)
                current = {}
            current[index] = clips
        epochs.append(current)
        return [sum((e[i] for i in sorted(e)), []) for e in epochs if len(e) == 3]

    first = epochs_seen()
    assert len(first) >= 3
    for order in first:
        assert sorted(order) == list(range(24))
    assert len({tuple(order) for order in first[-3:]}) == 3
    assert epochs_seen() == first


def test_mixup_batches_mix_pairs_of_one_batch_and_weigh_both_labels_by_their_share():
    pytest.importorskip("keras")
    from skser.models._keras import EpochShuffledBatches

    n = 12
    X = np.eye(n, dtype=np.float32)  # sample i is the unit vector e_i
    y = np.arange(n) % 3
    w = np.linspace(0.5, 2.0, n)
    batches = EpochShuffledBatches(X, y, sample_weight=w, batch_size=4, seed=0, mixup=0.4)
    mixed_any = False
    for index in range(len(batches)):
        bx, by, bw = batches[index]
        assert bx.shape == (8, n) and bx.dtype == np.float32
        np.testing.assert_array_equal(bx[:4], bx[4:])  # each mixed clip twice
        for row in range(4):
            parts = np.flatnonzero(bx[row] > 1e-7)
            assert 1 <= len(parts) <= 2
            np.testing.assert_allclose(bx[row].sum(), 1.0, rtol=1e-5)
            mixed_any |= len(parts) == 2
            # Copy one carries clip i's label with weight 2 lam w_i, copy two
            # clip j's with 2 (1 - lam) w_j, where lam and 1 - lam are the
            # shares of e_i and e_j in the mixed clip.
            if len(parts) == 1:  # paired with itself: lam is not in the clip
                i = parts[0]
                assert by[row] == by[row + 4] == y[i]
                np.testing.assert_allclose(bw[row] + bw[row + 4], 2 * w[i], rtol=1e-5)
                continue
            pairs = [(i, j) for i in parts for j in parts if i != j]
            assert any(
                by[row] == y[i] and by[row + 4] == y[j]
                and np.isclose(bw[row], 2 * bx[row, i] * w[i], rtol=1e-5)
                and np.isclose(bw[row + 4], 2 * (1 - bx[row, i]) * w[j], rtol=1e-4, atol=1e-6)
                for i, j in pairs), (bx[row], by[[row, row + 4]], bw[[row, row + 4]])
        # Reading a batch again gives the same batch (Keras may read ahead).
        again = batches[index]
        for a, b in zip(again, (bx, by, bw)):
            np.testing.assert_array_equal(a, b)
    assert mixed_any


@pytest.mark.slow
def test_mixup_trains_and_is_refused_when_negative(X3):
    clf = CNNClassifier(**{**TINY, "mixup": 0.4}).fit(X3, LABELS)
    assert clf.classes_.tolist() == CLASSES and np.all(np.isfinite(clf.history_["loss"]))
    with pytest.raises(ValueError, match="'mixup' parameter"):
        CNNClassifier(**{**TINY, "mixup": -0.1}).fit(X3, LABELS)


@pytest.mark.slow
def test_ctrl_c_ends_training_after_the_current_batch_then_interrupts(X3, monkeypatch):
    """SIGINT during fit is held until the batch ends (a KeyboardInterrupt
    inside TensorFlow's loop sometimes crashed the process), then raised."""
    import os
    import signal

    from skser.models import _keras

    batches = []
    original = _keras.StopTraining.on_train_batch_end

    def press_ctrl_c_at_batch_two(self, batch, logs=None):
        batches.append(batch)
        if len(batches) == 2:
            os.kill(os.getpid(), signal.SIGINT)
            batches.append("recorded" if self.request.requested else "raised?")
        original(self, batch, logs)

    monkeypatch.setattr(_keras.StopTraining, "on_train_batch_end", press_ctrl_c_at_batch_two)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    clf = CNNClassifier(**{**TINY, "epochs": 50, "patience": None, "validation_split": 0.0})

    with pytest.raises(KeyboardInterrupt):
        clf.fit(X3, LABELS)

    # Recorded, not raised inside Keras; stopped right after that batch.
    assert batches == [0, 1, "recorded"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_models_package_imports_one_way():
    # Module-level imports between skser.models' modules form no cycle
    # (issue 23: _architectures -> _cnn -> _keras -> _architectures was one);
    # imports inside functions (the lazy ones that keep TensorFlow out of
    # `import skser`) are not counted.
    import ast
    import pathlib

    import skser.models

    folder = pathlib.Path(skser.models.__file__).parent
    graph = {}
    for path in folder.glob("_*.py"):
        tree = ast.parse(path.read_text())
        graph[path.stem] = {node.module.lstrip(".") for node in tree.body
                            if isinstance(node, ast.ImportFrom) and node.level == 1
                            and node.module}
    assert graph["_architectures"] == {"_catalog"}
    assert "_catalog" in graph["_cnn"] and "_keras" not in graph["_cnn"]

    def visit(module, path):
        assert module not in path, f"import cycle: {' -> '.join([*path, module])}"
        for dependency in graph.get(module, ()):
            visit(dependency, [*path, module])

    for module in graph:
        visit(module, [])
