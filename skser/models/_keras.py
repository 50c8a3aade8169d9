"""The scikeras side of `CNNClassifier`; importing this module imports Keras
and TensorFlow, so only `CNNClassifier.fit` does, lazily.
"""

import functools

import keras
from scikeras.wrappers import KerasClassifier
from sklearn.utils import ClassifierTags

from ._architectures import build_cnn

__all__ = [
    "EpochProgress", "SkserKerasClassifier", "build_compiled_cnn", "early_stopping",
    "make_keras_classifier",
]


class SkserKerasClassifier(KerasClassifier):
    """scikeras' `KerasClassifier` with scikit-learn >= 1.6 tags.

    scikeras 0.13 declares itself a classifier through ``_estimator_type`` and
    ``_more_tags``, which scikit-learn 1.6 replaced with ``__sklearn_tags__``:
    under 1.7+ a plain `KerasClassifier` has ``estimator_type=None``, so
    `sklearn.base.is_classifier` is False and `cross_val_score` silently uses
    `KFold` instead of `StratifiedKFold`. These tags tell the truth.
    """

    def predict_proba(self, X, **kwargs):
        """scikeras' probabilities, always ``(n_samples, n_classes)``.

        scikeras 0.13 ends with ``np.squeeze`` on the probabilities, so one
        sample came back as ``(n_classes,)``, and predicting a single clip
        broke every caller that indexes by row.
        """
        proba = super().predict_proba(X, **kwargs)
        return proba.reshape(len(X), -1)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.estimator_type = "classifier"
        tags.classifier_tags = ClassifierTags()
        tags.target_tags.required = True
        tags.input_tags.three_d_array = True
        return tags


def build_compiled_cnn(
    meta, *, architecture, n_classes, width, dropout, optimizer, learning_rate, seed
):
    """scikeras build function: a compiled network sized from ``meta["X_shape_"]``."""
    model = build_cnn(
        architecture, tuple(meta["X_shape_"][1:]), n_classes,
        width=width, dropout=dropout, seed=seed,
    )
    model.compile(
        optimizer=keras.optimizers.get(
            {"class_name": optimizer, "config": {"learning_rate": learning_rate}}
        ),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def make_keras_classifier(
    *, architecture, n_classes, width, dropout, optimizer, learning_rate, epochs,
    batch_size, seed, verbose, callbacks=None,
):
    """A `SkserKerasClassifier` for integer labels ``0 .. n_classes - 1``.

    ``callbacks`` must go here: scikeras 0.13 uses only the constructor's
    callbacks and silently drops any passed to ``fit``.
    """
    build = functools.partial(
        build_compiled_cnn, architecture=architecture, n_classes=n_classes,
        width=width, dropout=dropout, optimizer=optimizer,
        learning_rate=learning_rate, seed=seed,
    )
    return SkserKerasClassifier(
        model=build, epochs=epochs, batch_size=batch_size, random_state=seed,
        verbose=verbose, loss="sparse_categorical_crossentropy", callbacks=callbacks,
    )


def early_stopping(*, monitor, patience):
    """Stop when ``monitor`` has not improved for ``patience`` epochs and
    restore the best weights."""
    return keras.callbacks.EarlyStopping(
        monitor=monitor, patience=patience, restore_best_weights=True,
    )


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
        from tqdm.auto import tqdm

        self._bar = tqdm(total=self.epochs, desc="Training", unit="epoch", leave=False,
                         dynamic_ncols=True)

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
