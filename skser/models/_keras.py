"""The scikeras side of `CNNClassifier`; importing this module imports Keras
and TensorFlow, so only `CNNClassifier.fit` does, lazily.
"""

import functools
import math

from .._tensorflow import import_tensorflow

# First: Keras and scikeras import TensorFlow, whose start-up lines are not
# the user's business (skser/_tensorflow.py).
import_tensorflow()

import keras  # noqa: E402
import numpy as np  # noqa: E402
from scikeras.wrappers import KerasClassifier  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.utils import ClassifierTags  # noqa: E402

from ._architectures import SmoothedSparseCrossentropy, build_cnn  # noqa: E402

__all__ = [
    "EpochProgress", "EpochShuffledBatches", "SkserKerasClassifier", "StopTraining",
    "build_compiled_cnn", "early_stopping", "make_keras_classifier",
]


_PREDICT_HOOKS = (
    "on_predict_begin", "on_predict_end", "on_predict_batch_begin", "on_predict_batch_end",
)


class SkserKerasClassifier(KerasClassifier):
    """scikeras' `KerasClassifier` with scikit-learn >= 1.6 tags and a fast
    prediction path.

    Tags: scikeras 0.13 declares itself a classifier through
    ``_estimator_type`` and ``_more_tags``, which scikit-learn 1.6 replaced
    with ``__sklearn_tags__``: under 1.7+ a plain `KerasClassifier` has
    ``estimator_type=None``, so `sklearn.base.is_classifier` is False and
    `cross_val_score` silently uses `KFold` instead of `StratifiedKFold`.
    These tags tell the truth.

    Prediction: scikeras predicts through Keras' ``Model.predict``, which
    costs about 100 ms per call before any arithmetic on a 2-core CPU (a data
    adapter over tf.data, a callback list, a progress bar object, and a
    retrace of its predict function when the batch shape is new): several
    times the forward pass of one clip (benchmarks/inference_latency.py).
    `predict` and `predict_proba` instead call the network on chunks of at
    most the predict batch size through one `tf.function` traced once with
    a free batch dimension, so no batch size ever retraces it. It gives the
    same probabilities as ``Model.predict``. Keyword arguments for
    ``Model.predict``, predict callbacks, or a Keras backend other than
    TensorFlow fall back to scikeras' path; the Keras ``verbose`` setting is
    not shown by the fast path (it would draw a progress bar per call). The
    traced function is rebuilt lazily and never pickled.

    Loss: the estimator is declared with ``sparse_categorical_crossentropy``
    (integer targets, which scikeras encodes from that name); a network
    compiled with `SmoothedSparseCrossentropy` (label smoothing) takes the
    same targets, so scikeras' check that the compiled loss matches the
    declared one accepts it.
    """

    def _check_model_compatibility(self, y):
        if not isinstance(self.model_.loss, SmoothedSparseCrossentropy):
            return super()._check_model_compatibility(y)
        compiled = self.model_.loss
        self.model_.loss = "sparse_categorical_crossentropy"
        try:
            return super()._check_model_compatibility(y)
        finally:
            self.model_.loss = compiled

    def _fit_keras_model(self, X, y, sample_weight, warm_start, epochs, initial_epoch,
                         **kwargs):
        """Train on batches drawn in a new order every epoch.

        Keras shuffles array input through a seeded ``tf.random.shuffle`` in
        a dataset that is iterated afresh each epoch: under any global seed
        (scikeras' ``random_state`` sets one) every epoch then sees the
        batches in the same order. `EpochShuffledBatches` draws a new
        permutation per epoch from its own generator, seeded from
        ``random_state``, so a seeded fit stays reproducible. It also mixes
        the clips with ``mixup``.
        """
        if not (isinstance(X, np.ndarray) and isinstance(y, np.ndarray)):
            return super()._fit_keras_model(X, y, sample_weight, warm_start, epochs,
                                            initial_epoch, **kwargs)
        params = self.get_params()
        batches = EpochShuffledBatches(X, y, sample_weight=sample_weight,
                                       batch_size=self._batch_size("fit", len(X)),
                                       seed=self._random_state,
                                       shuffle=params.get("fit__shuffle",
                                                          params.get("shuffle", True)),
                                       mixup=getattr(self, "mixup_alpha", 0.0))
        return super()._fit_keras_model(batches, None, None, warm_start, epochs,
                                        initial_epoch, batch_size=None, shuffle=False,
                                        **kwargs)

    def predict_proba(self, X, **kwargs):
        """Class probabilities, always ``(n_samples, n_classes)``.

        scikeras 0.13 ends with ``np.squeeze`` on the probabilities, so one
        sample came back as ``(n_classes,)``, and predicting a single clip
        broke every caller that indexes by row.
        """
        outputs = self._fast_predict_raw(X, kwargs)
        if outputs is None:
            proba = super().predict_proba(X, **kwargs)
        else:
            proba = self.target_encoder_.inverse_transform(outputs, return_proba=True)
        return proba.reshape(len(X), -1)

    def predict(self, X, **kwargs):
        """Predicted labels, through the fast path of `predict_proba`."""
        outputs = self._fast_predict_raw(X, kwargs)
        if outputs is None:
            return super().predict(X, **kwargs)
        return self.target_encoder_.inverse_transform(outputs)

    def _fast_predict_raw(self, X, kwargs):
        """The network's outputs for ``X`` without ``Model.predict``, or None
        where only scikeras' own path can honour the request."""
        if not self.initialized_:
            raise NotFittedError("Estimator needs to be fit before `predict` can be called")
        if kwargs or self._predict_callbacks_set() or keras.backend.backend() != "tensorflow":
            return None
        model = self.model_
        if len(getattr(model, "inputs", None) or ()) != 1:
            return None
        # The same checks and encoding as scikeras' _predict_raw.
        X, _ = self._validate_data(X=X, y=None)
        X = self.feature_encoder_.transform(X)
        if not isinstance(X, np.ndarray):
            return None
        forward, dtype = self._forward_function()
        X = np.asarray(X, dtype=dtype)
        batch_size = self._batch_size("predict", len(X))
        chunks = [forward(X[start:start + batch_size]).numpy()
                  for start in range(0, len(X), batch_size)]
        return chunks[0] if len(chunks) == 1 else np.concatenate(chunks)

    def _predict_callbacks_set(self):
        """Whether a predict callback does something while predicting.

        scikeras hands the constructor's callbacks to ``Model.predict`` too
        (the `EarlyStopping` of a `CNNClassifier` pickled before skser cleared
        them after fit, for one), but only those that override a predict hook
        need it.
        """
        pending = list(getattr(self, "_predict_callbacks", None) or ())
        while pending:
            callback = pending.pop()
            if isinstance(callback, (list, tuple)):
                pending.extend(callback)
            elif any(getattr(type(callback), hook, None)
                     is not getattr(keras.callbacks.Callback, hook)
                     for hook in _PREDICT_HOOKS):
                return True
        return False

    def _batch_size(self, method, n_samples):
        """The batch size ``Model.fit`` or ``Model.predict`` (``method``) would
        get: ``{method}__batch_size`` or ``batch_size`` (-1 for all at once),
        else Keras' default 32."""
        params = self.get_params()
        batch_size = params.get(f"{method}__batch_size", params.get("batch_size"))
        if batch_size == -1:
            return max(n_samples, 1)
        return int(batch_size) if batch_size else 32

    def _forward_function(self):
        """The cached ``tf.function`` of ``model_(x, training=False)`` and its
        input dtype, traced once for any batch size (rebuilt for a new model)."""
        cached = self.__dict__.get("_forward_cache")
        if cached is not None and cached[0] is self.model_:
            return cached[1], cached[2]
        import tensorflow as tf

        model = self.model_
        spec = model.inputs[0]
        dtype = keras.backend.standardize_dtype(spec.dtype)
        signature = tf.TensorSpec(shape=(None, *tuple(spec.shape)[1:]), dtype=dtype)

        # One signature with a free batch axis: every batch size, the last
        # short chunk included, runs the same trace.
        @tf.function(input_signature=[signature])
        def forward(x):
            return model(x, training=False)

        self._forward_cache = (model, forward, dtype)
        return forward, dtype

    def __getstate__(self):
        # A traced function cannot be pickled; it is rebuilt on first use.
        state = dict(super().__getstate__())
        state.pop("_forward_cache", None)
        return state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.estimator_type = "classifier"
        tags.classifier_tags = ClassifierTags()
        tags.target_tags.required = True
        tags.input_tags.three_d_array = True
        return tags


def build_compiled_cnn(
    meta, *, architecture, n_classes, width, dropout, optimizer, learning_rate, seed,
    spec_augment=None, label_smoothing=0.0, schedule=None, epochs=None, batch_size=None,
):
    """scikeras build function: a compiled network sized from ``meta["X_shape_"]``.

    ``schedule="cosine"`` decays the learning rate along a half cosine to 0
    over ``epochs`` epochs of ``meta["X_shape_"][0]`` clips in batches of
    ``batch_size`` (the training set the network is built for).
    """
    model = build_cnn(
        architecture, tuple(meta["X_shape_"][1:]), n_classes,
        width=width, dropout=dropout, seed=seed, spec_augment=spec_augment,
    )
    rate = learning_rate
    if schedule == "cosine":
        steps = epochs * int(math.ceil(meta["X_shape_"][0] / batch_size))
        rate = keras.optimizers.schedules.CosineDecay(learning_rate, max(1, steps))
    loss = ("sparse_categorical_crossentropy" if not label_smoothing
            else SmoothedSparseCrossentropy(label_smoothing))
    model.compile(
        optimizer=keras.optimizers.get({"class_name": optimizer,
                                        "config": {"learning_rate": rate}}),
        loss=loss,
        metrics=["accuracy"],
    )
    return model


def make_keras_classifier(
    *, architecture, n_classes, width, dropout, optimizer, learning_rate, epochs,
    batch_size, seed, verbose, callbacks=None, spec_augment=None, label_smoothing=0.0,
    schedule=None, mixup=0.0,
):
    """A `SkserKerasClassifier` for integer labels ``0 .. n_classes - 1``.

    ``callbacks`` must go here: scikeras 0.13 uses only the constructor's
    callbacks and silently drops any passed to ``fit``.
    """
    build = functools.partial(
        build_compiled_cnn, architecture=architecture, n_classes=n_classes,
        width=width, dropout=dropout, optimizer=optimizer,
        learning_rate=learning_rate, seed=seed, spec_augment=spec_augment,
        label_smoothing=label_smoothing, schedule=schedule, epochs=epochs,
        batch_size=batch_size,
    )
    classifier = SkserKerasClassifier(
        model=build, epochs=epochs, batch_size=batch_size, random_state=seed,
        verbose=verbose, loss="sparse_categorical_crossentropy", callbacks=callbacks,
    )
    # Not a constructor argument: scikeras hands those to the build function.
    classifier.mixup_alpha = mixup
    return classifier


def early_stopping(*, monitor, patience):
    """Stop when ``monitor`` has not improved for ``patience`` epochs and
    restore the best weights."""
    return keras.callbacks.EarlyStopping(
        monitor=monitor, patience=patience, restore_best_weights=True,
    )


class EpochShuffledBatches(keras.utils.PyDataset):
    """Batches of in-memory arrays in a new random order every epoch.

    Parameters
    ----------
    X : np.ndarray [shape=(n_samples, ...)]
    y : np.ndarray [shape=(n_samples, ...)]
    sample_weight : np.ndarray [shape=(n_samples,)] or None
    batch_size : int
        Samples per batch; the last batch holds the rest.
    seed : int or None
        Seeds the generator of the orders: the same seed gives the same
        sequence of orders, a different one each epoch.
    shuffle : bool, default=True
        False keeps the samples in their order.
    mixup : float, default=0.0
        Mixup's ``alpha`` (0: off). Each sample ``i`` of a batch is mixed
        with sample ``j`` of the same batch (a random pairing),
        ``lam * X[i] + (1 - lam) * X[j]``, ``lam ~ Beta(alpha, alpha)`` per
        sample; the batch then holds every mixed sample twice, with label
        ``y[i]`` and weight ``2 * lam * w[i]``, and with label ``y[j]`` and
        weight ``2 * (1 - lam) * w[j]``, so the mean loss over the doubled
        batch is mixup's loss. The draws depend on the seed, the epoch and
        the batch index only, so a batch read twice is the same batch.
    """

    def __init__(self, X, y, *, sample_weight=None, batch_size, seed, shuffle=True,
                 mixup=0.0):
        super().__init__()
        self.X, self.y, self.sample_weight = X, y, sample_weight
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.mixup = mixup
        self._rng = np.random.default_rng(seed)
        self._order = self._draw()

    def _draw(self):
        n = len(self.X)
        # A seed for this epoch's mixing, drawn with its order.
        self._mix_seed = int(self._rng.integers(2**63))
        return self._rng.permutation(n) if self.shuffle else np.arange(n)

    def __len__(self):
        return -(-len(self.X) // self.batch_size)

    def __getitem__(self, index):
        rows = np.sort(self._order[index * self.batch_size:(index + 1) * self.batch_size])
        X, y = self.X[rows], self.y[rows]
        weight = None if self.sample_weight is None else self.sample_weight[rows]
        if self.mixup:
            return self._mix(X, y, weight, index)
        return (X, y) if weight is None else (X, y, weight)

    def _mix(self, X, y, weight, index):
        rng = np.random.default_rng([self._mix_seed, index])
        partner = rng.permutation(len(X))
        lam = rng.beta(self.mixup, self.mixup, size=len(X))
        if weight is None:
            weight = np.ones(len(X))
        shape = (-1,) + (1,) * (X.ndim - 1)
        mixed = (lam.reshape(shape) * X + (1 - lam).reshape(shape) * X[partner]).astype(X.dtype)
        return (np.concatenate([mixed, mixed]), np.concatenate([y, y[partner]]),
                np.concatenate([2 * lam * weight, 2 * (1 - lam) * weight[partner]]))

    def on_epoch_end(self):
        self._order = self._draw()


class StopTraining(keras.callbacks.Callback):
    """End the fit after the current batch once ``request.requested`` is set
    (Ctrl-C, recorded by `CNNClassifier`'s interrupt guard)."""

    def __init__(self, request):
        super().__init__()
        self.request = request

    def on_train_batch_end(self, batch, logs=None):
        if self.request.requested:
            self.model.stop_training = True

    on_test_batch_end = on_train_batch_end


class EpochProgress(keras.callbacks.Callback):
    """One tqdm bar over the epochs of a fit, showing the latest losses.

    Unlike `tqdm.keras.TqdmCallback` it lets go of the bar (and its stream)
    when training ends: scikeras keeps its callbacks on the fitted estimator,
    and an open stream would make the model impossible to pickle.
    """

    def __init__(self, *, epochs):
        super().__init__()
        self.epochs = epochs
        self._bar = None

    def on_train_begin(self, logs=None):
        from .._progress import progress_bar

        self._bar = progress_bar(total=self.epochs, desc="Training", unit="epoch", leave=False)

    def on_epoch_end(self, epoch, logs=None):
        if self._bar is None:
            return
        keys = [k for k in ("loss", "val_loss", "accuracy", "val_accuracy") if k in (logs or {})]
        self._bar.set_postfix({k: f"{logs[k]:.3f}" for k in keys}, refresh=False)
        self._bar.update(1)

    def on_train_end(self, logs=None):
        if self._bar is not None:
            self._bar.close()
            self._bar = None
