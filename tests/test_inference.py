"""The fast prediction path of `CNNClassifier` / `SkserKerasClassifier`.

Predictions skip Keras' ``Model.predict`` and call the network through one
``tf.function`` traced with a free batch axis. These tests pin that it gives
``Model.predict``'s probabilities, is really used, never retraces for a new
batch size, chunks large inputs, and survives pickling. Networks are tiny
(the `custom` design at width 0.1, so batch normalisation and both dropouts
are in it) and trained once per module.
"""

import copy
import pickle

import joblib
import numpy as np
import pytest

from skser import CNNClassifier

LABELS = np.array(["sad", "angry", "happy"] * 8)  # 24 clips
BATCH_SIZE = 4

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def X():
    return np.random.default_rng(2).normal(size=(24, 16, 8, 1)).astype(np.float32)


@pytest.fixture(scope="module")
def fitted(X):
    # dropout=0.5 so that a forward pass in training mode could not pass for
    # an inference one.
    return CNNClassifier(model="custom", width=0.1, dropout=0.5, epochs=2,
                         batch_size=BATCH_SIZE, random_state=0).fit(X, LABELS)


@pytest.fixture
def keras_predict_forbidden(fitted, monkeypatch):
    """Make Keras' ``Model.predict`` raise, so a test knows the fast path ran."""
    def forbidden(*args, **kwargs):
        raise AssertionError("Model.predict was called")

    monkeypatch.setattr(fitted.estimator_.model_, "predict", forbidden)


def _tracing_count(clf):
    return clf.estimator_._forward_function()[0].experimental_get_tracing_count()


@pytest.mark.parametrize("n", [1, 3, 2 * BATCH_SIZE + 3])
def test_fast_path_gives_keras_predict_probabilities(fitted, X, n):
    expected = fitted.estimator_.model_.predict(X[:n], verbose=0)
    proba = fitted.predict_proba(X[:n])
    assert proba.shape == (n, 3)
    assert proba.dtype == np.float32
    np.testing.assert_allclose(proba, expected, rtol=1e-5, atol=1e-6)
    labels = fitted.predict(X[:n])
    np.testing.assert_array_equal(labels, fitted.classes_[np.argmax(expected, axis=1)])


def test_fast_path_matches_scikeras_own_predict_proba(fitted, X):
    from scikeras.wrappers import KerasClassifier

    expected = KerasClassifier.predict_proba(fitted.estimator_, X)
    np.testing.assert_allclose(fitted.estimator_.predict_proba(X), expected,
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(fitted.estimator_.predict(X),
                                  KerasClassifier.predict(fitted.estimator_, X))


@pytest.mark.usefixtures("keras_predict_forbidden")
def test_predictions_do_not_go_through_keras_predict(fitted, X):
    # A fitted CNNClassifier trained with early stopping (the default):
    # its callbacks must not send predictions back to Model.predict.
    assert fitted.patience is not None
    assert fitted.predict_proba(X[:5]).shape == (5, 3)
    assert fitted.estimator_.predict(X[:5]).shape == (5,)


@pytest.mark.usefixtures("keras_predict_forbidden")
def test_one_trace_serves_every_batch_size(fitted, X):
    fitted.predict_proba(X[:1])
    before = _tracing_count(fitted)
    for n in (1, 3, 2 * BATCH_SIZE + 3, 2, len(X)):
        fitted.predict_proba(X[:n])
    assert before == 1
    assert _tracing_count(fitted) == 1


@pytest.mark.usefixtures("keras_predict_forbidden")
def test_large_inputs_run_in_chunks_of_batch_size(fitted, X, monkeypatch):
    forward, dtype = fitted.estimator_._forward_function()
    sizes = []

    def spy(x):
        sizes.append(len(x))
        return forward(x)

    monkeypatch.setitem(fitted.estimator_.__dict__, "_forward_cache",
                        (fitted.estimator_.model_, spy, dtype))
    fitted.predict_proba(X[:2 * BATCH_SIZE + 3])
    assert sizes == [BATCH_SIZE, BATCH_SIZE, 3]


def test_single_clip_gives_one_row(fitted, X):
    assert fitted.predict_proba(X[:1]).shape == (1, 3)
    assert fitted.estimator_.predict_proba(X[:1]).shape == (1, 3)
    assert fitted.predict(X[:1]).shape == (1,)


@pytest.mark.parametrize("how", ["pickle", "joblib", "deepcopy"])
def test_round_trip_after_predicting_predicts_identically(fitted, X, how, tmp_path):
    expected = fitted.predict_proba(X)  # the traced function exists now
    if how == "pickle":
        loaded = pickle.loads(pickle.dumps(fitted))
    elif how == "joblib":
        joblib.dump(fitted, tmp_path / "clf.joblib")
        loaded = joblib.load(tmp_path / "clf.joblib")
    else:
        loaded = copy.deepcopy(fitted)
    assert "_forward_cache" not in loaded.estimator_.__dict__
    np.testing.assert_array_equal(loaded.predict_proba(X), expected)
    assert "_forward_cache" in loaded.estimator_.__dict__
    # The original keeps its own function, untouched by the copy.
    assert "_forward_cache" in fitted.estimator_.__dict__
    np.testing.assert_array_equal(fitted.predict_proba(X), expected)


def test_pickle_holds_no_training_callbacks(fitted):
    # EarlyStopping keeps the model and a copy of its best weights.
    assert b"EarlyStopping" not in pickle.dumps(fitted)


def _keras_classifier(**kwargs):
    from skser.models._keras import make_keras_classifier

    params = dict(architecture="lenet5", n_classes=3, width=0.1, dropout=0.0,
                  optimizer="rmsprop", learning_rate=1e-3, epochs=1, batch_size=8, seed=0,
                  verbose=0)
    return make_keras_classifier(**{**params, **kwargs})


def test_refit_network_gets_a_new_function(X):
    # scikeras builds a new network in every fit (without warm_start): the
    # function traced around the old one must not serve the new one.
    est = _keras_classifier()
    y = np.arange(len(X)) % 3
    first = est.fit(X, y).predict_proba(X)
    network = est.model_
    second = est.fit(X, (y + 1) % 3).predict_proba(X)
    assert est.model_ is not network
    np.testing.assert_allclose(second, est.model_.predict(X, verbose=0), rtol=1e-5, atol=1e-6)
    assert not np.allclose(first, second)


def test_callbacks_with_predict_hooks_still_run(X):
    import keras

    class CountBatches(keras.callbacks.Callback):
        n = 0

        def on_predict_batch_end(self, batch, logs=None):
            CountBatches.n += 1

    est = _keras_classifier(callbacks=[CountBatches()]).fit(X, np.arange(len(X)) % 3)
    CountBatches.n = 0
    assert est.predict_proba(X).shape == (len(X), 3)
    assert CountBatches.n == 3  # 24 clips in batches of 8, through Model.predict
