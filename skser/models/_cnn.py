"""CNNClassifier: the CREMA-D course recipe's CNNs as one scikit-learn classifier.

Data contract
-------------
X : ``(n_clips, n_frames, n_features)`` -> the 1-D form of the network
    (Conv1D over frames), or ``(n_clips, n_mels, n_frames, n_channels)`` -> the
    2-D form (Conv2D over the log-mel image).
y : ``(n_clips,)`` labels of any type (strings are fine).
predict_proba : ``(n_clips, n_classes)`` float32, columns ordered as ``classes_``.

This module imports neither TensorFlow nor Keras: `fit` imports them (through
scikeras) when a network is first built.
"""

import contextlib
import logging
import signal
import threading
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.model_selection import StratifiedShuffleSplit
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d

from .._validation import check_feature_array
from ._catalog import ARCHITECTURES

__all__ = ["ARCHITECTURES", "CNNClassifier"]

_X_SHAPES = "(n_clips, n_frames, n_features) or (n_clips, n_mels, n_frames, n_channels)"


class _DropRetracingWarning(logging.Filter):
    """Drops TensorFlow's "N out of the last M calls to <function> triggered
    tf.function retracing" warning, and nothing else."""

    def filter(self, record):
        return "triggered tf.function retracing" not in record.getMessage()


@contextlib.contextmanager
def _expected_retracing():
    """Silence TensorFlow's frequent-retracing warning for skser's own calls.

    Every fit builds a new network, so Keras' train and test functions and
    the prediction function of `SkserKerasClassifier` are new `tf.function`
    objects, each traced once on its first call: no shape or Python argument
    ever retraces them. TensorFlow keys its count of traces on the Python
    code object, though, which every network's functions share; after five
    fits in ten calls (the folds of a cross-validation, the candidates of a
    grid search) it warns of retracing that is only the one trace each new
    network needs. The warning goes through the ``tensorflow`` logger; this
    filter drops exactly that message while skser fits or predicts.
    """
    logger = logging.getLogger("tensorflow")
    drop = _DropRetracingWarning()
    logger.addFilter(drop)
    try:
        yield
    finally:
        logger.removeFilter(drop)


@contextlib.contextmanager
def _op_determinism_restored():
    """Leave TensorFlow's op determinism as it was before the block.

    scikeras 0.13 turns it on for a seeded fit and leaves it on, so an
    unseeded network fitted later in the same process failed with "Random
    ops require a seed to be set when determinism is enabled"."""
    from tensorflow.python.framework import config

    was_enabled = config.is_op_determinism_enabled()
    try:
        yield
    except KeyboardInterrupt:
        # The process is being stopped, with TensorFlow's threads perhaps
        # still running ops: leave its configuration alone.
        raise
    except BaseException:
        _restore_op_determinism(config, was_enabled)
        raise
    _restore_op_determinism(config, was_enabled)


class _InterruptBetweenBatches:
    """Ctrl-C during training stops it after the current batch, then
    interrupts as usual.

    A KeyboardInterrupt raised inside Keras' training loop can land while
    TensorFlow's threads are running ops or feeding batches; the process then
    sometimes crashed (SIGSEGV) instead of stopping. While active (main
    thread only, and only over a handler that interrupts), SIGINT records
    itself, and `StopTraining` (a Keras callback reading ``requested``) ends
    the fit at the next batch; on leaving, the recorded signal goes to the
    handler that was installed before, which raises KeyboardInterrupt (or
    does what that handler does) outside TensorFlow. A second Ctrl-C goes
    to that handler at once.
    """

    def __init__(self):
        self.requested = False
        self._previous = None
        self._frame = None

    def _handle(self, signum, frame):
        if self.requested:
            self._previous(signum, frame)
            return
        self.requested, self._frame = True, frame

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            previous = signal.getsignal(signal.SIGINT)
            if callable(previous):
                self._previous = previous
                signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc_info):
        if self._previous is None:
            return False
        signal.signal(signal.SIGINT, self._previous)
        if self.requested:
            self._previous(signal.SIGINT, self._frame)
        return False


def _restore_op_determinism(config, was_enabled):
    if not was_enabled and config.is_op_determinism_enabled():
        config.disable_op_determinism()


class CNNClassifier(ClassifierMixin, BaseEstimator):
    """Network classifier for 1-D or 2-D speech features: CNNs and a sequence model.

    Builds one of the course recipe's architectures, in its 1-D form for frame
    features ``(n_clips, n_frames, n_features)`` and its 2-D form for log-mel
    images ``(n_clips, n_mels, n_frames, n_channels)``, or skser's sequence
    model for frame features, sized from the training data, and trains it
    with scikeras' `KerasClassifier` (available after fit as
    ``estimator_``). Defaults follow the course recipe (RMSprop) plus early
    stopping on a stratified validation split.

    Parameters
    ----------
    model : {"custom", "lenet5", "alexnet", "vgg16", "attention_gru"}, default="custom"
        Architecture. ``"custom"`` is skser's compact design (conv blocks with
        batch normalisation and global pooling), cheapest on a CPU.
        ``"attention_gru"`` is a sequence model for frame features only: two
        convolution blocks, a bidirectional GRU and attention pooling over
        time (`skser.models._architectures.build_cnn` lists the layers).
    width : float, default=1.0
        Multiplier of every filter count and dense width (1.0 gives the
        classic sizes; small values give tiny networks for quick runs).
    dropout : float, default=0.3
        Dropout rate of the dense head.
    optimizer : {"rmsprop", "adam", "adamw", "nadam", "sgd"}, default="rmsprop"
        Keras optimizer.
    learning_rate : float, default=1e-3
        Optimizer learning rate.
    epochs : int, default=50
        Maximum number of epochs.
    batch_size : int, default=32
        Mini-batch size.
    validation_split : float, default=0.1
        Fraction of the training clips held out (stratified, shuffled with
        ``random_state``) to monitor early stopping; 0 trains on everything.
        Held-out clips come from the data ``fit`` receives, so when
        `AugmentedCopies` ran before, a copy of a held-out clip may be trained
        on: early stopping then reads slightly optimistic figures.
    patience : int or None, default=8
        Stop after this many epochs without improvement of the validation loss
        (the training loss when ``validation_split=0``) and restore the best
        weights; None trains for all ``epochs``.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss, as in scikit-learn.
    label_smoothing : float, default=0.0
        Share of each training target spread evenly over all classes (the
        true class keeps ``1 - label_smoothing``); 0 is plain cross-entropy.
    schedule : {"cosine"} or None, default=None
        ``"cosine"`` decays the learning rate from ``learning_rate`` to 0
        along a half cosine over ``epochs`` epochs; None keeps it constant.
    spec_augment : tuple of int or None, default=None
        ``(n_masks, max_frames, max_bins)``: in training, zero ``n_masks``
        random spans of up to ``max_frames`` frames and ``n_masks`` spans of
        up to ``max_bins`` features (mel bands in 2-D), drawn afresh for
        every clip of every batch (SpecAugment without time warping); off at
        prediction. None masks nothing.
    mixup : float, default=0.0
        Mixup's ``alpha``: in training, each clip is mixed with another clip
        of its batch, ``lam * x_i + (1 - lam) * x_j`` with ``lam`` drawn from
        ``Beta(alpha, alpha)`` per clip, and the loss is ``lam`` times that
        of label i plus ``1 - lam`` times that of label j (each mixed clip is
        fed twice, once per label, with those weights: the same loss as
        mixed soft targets, at twice the cost of a training step). 0 mixes
        nothing.
    random_state : int, RandomState instance or None, default=None
        Seeds the validation split, the weight initialisation, dropout and
        shuffling, and makes TensorFlow's ops deterministic during fit: an int
        gives identical results on the same machine.
    verbose : int, default=0
        0 is silent; 1 shows one progress bar over epochs (tqdm, on stderr
        when it is a terminal, with the latest losses); 2 or more prints
        Keras's line per epoch.

    Attributes
    ----------
    classes_ : np.ndarray [shape=(n_classes,)]
        Labels seen in fit.
    estimator_ : scikeras KerasClassifier
        The fitted scikeras estimator (its ``model_`` is the Keras model).
    history_ : dict of str to list of float
        Loss and accuracy per epoch (``val_`` keys when validating).
    n_epochs_ : int
        Epochs trained (fewer than ``epochs`` after early stopping).
    input_shape_ : tuple of int
        Shape of one clip seen in fit.

    Examples
    --------
    >>> import numpy as np
    >>> from skser import CNNClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(20, 16, 8, 1)).astype("float32")
    >>> y = np.array(["sad", "angry"] * 10)
    >>> clf = CNNClassifier(width=0.1, epochs=2, random_state=0).fit(X, y)
    >>> clf.predict_proba(X).shape, clf.classes_.tolist()
    ((20, 2), ['angry', 'sad'])
    """

    _parameter_constraints = {
        "model": [StrOptions(set(ARCHITECTURES))],
        "width": [Interval(Real, 0, None, closed="neither")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "optimizer": [StrOptions({"rmsprop", "adam", "adamw", "nadam", "sgd"})],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "validation_split": [Interval(Real, 0, 1, closed="left")],
        "patience": [Interval(Integral, 1, None, closed="left"), None],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
        "mixup": [Interval(Real, 0, None, closed="left")],
        "schedule": [StrOptions({"cosine"}), None],
        "spec_augment": [tuple, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self, *, model="custom", width=1.0, dropout=0.3, optimizer="rmsprop",
        learning_rate=1e-3, epochs=50, batch_size=32, validation_split=0.1, patience=8,
        class_weight=None, label_smoothing=0.0, schedule=None, spec_augment=None,
        mixup=0.0, random_state=None, verbose=0,
    ):
        self.model = model
        self.width = width
        self.dropout = dropout
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.validation_split = validation_split
        self.patience = patience
        self.class_weight = class_weight
        self.label_smoothing = label_smoothing
        self.schedule = schedule
        self.spec_augment = spec_augment
        self.mixup = mixup
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Build a network for the shape of ``X`` and train it.

        Parameters
        ----------
        X : array-like [shape=(n_clips, n_frames, n_features) or (n_clips, n_mels, n_frames, n_channels)]
            Training features.
        y : array-like [shape=(n_clips,)]
            Labels.

        Returns
        -------
        self : CNNClassifier
        """
        # Parameters first, as the constraints are checked: the error names
        # the parameter even when X is wrong too.
        if self.spec_augment is not None and (
                len(self.spec_augment) != 3
                or not all(isinstance(v, Integral) and not isinstance(v, bool) and v >= 0
                           for v in self.spec_augment)):
            raise ValueError(
                "spec_augment must be None or (n_masks, max_frames, max_bins), three "
                f"non-negative integers; got {self.spec_augment!r}.")
        X = check_feature_array(X, ndims=(3, 4), what=_X_SHAPES)
        if y is None:
            raise ValueError("CNNClassifier needs labels: y is None.")
        y = column_or_1d(y, warn=True)
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"X has {X.shape[0]} clips but y has {y.shape[0]} labels.")
        if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
            # Checked here: scikit-learn's target check warns on inf before it refuses.
            raise ValueError("y holds NaN or infinite labels; labels must be finite "
                             "numbers or strings.")
        try:
            check_classification_targets(y)
            self.classes_, y_enc = np.unique(y, return_inverse=True)
        except TypeError:
            # Both sort the labels: labels that do not compare (1 and "a") fail there.
            kinds = sorted({type(label).__name__ for label in y})
            raise TypeError(
                f"y mixes labels of types {kinds}; labels must be all strings or all numbers."
            ) from None
        if self.classes_.size < 2:
            raise ValueError(
                f"y holds a single class ({self.classes_.tolist()[0]!r}); a classifier "
                "needs at least two."
            )
        if self.model == "attention_gru" and X.ndim != 3:
            raise ValueError(
                "model='attention_gru' is a sequence model for frame features "
                f"(n_clips, n_frames, n_features); got X of shape {X.shape}. Use "
                "make_ser_pipeline('sequence'), or a CNN for log-mel images.")
        rng = check_random_state(self.random_state)
        seed = None if self.random_state is None else int(rng.randint(2**31 - 1))
        train, val = self._split(y_enc, rng)

        # Deferred: this is where TensorFlow gets imported.
        from ._keras import EpochProgress, StopTraining, early_stopping, make_keras_classifier

        interrupt = _InterruptBetweenBatches()
        callbacks = [StopTraining(interrupt)]
        if self.patience is not None:
            monitor = "val_loss" if val is not None else "loss"
            callbacks.append(early_stopping(monitor=monitor, patience=self.patience))
        if self.verbose == 1:
            # One bar for the whole fit, not Keras's bar per epoch that
            # floods logs and non-terminal output.
            callbacks.append(EpochProgress(epochs=self.epochs))
        self.estimator_ = make_keras_classifier(
            architecture=self.model, n_classes=self.classes_.size, width=self.width,
            dropout=self.dropout, optimizer=self.optimizer,
            learning_rate=self.learning_rate, epochs=self.epochs,
            batch_size=self.batch_size, seed=seed,
            verbose=2 if self.verbose >= 2 else 0, callbacks=callbacks,
            spec_augment=self.spec_augment, label_smoothing=self.label_smoothing,
            mixup=self.mixup,
            schedule=self.schedule,
        )
        fit_kwargs = {}
        if val is not None:
            fit_kwargs["validation_data"] = (X[val], y_enc[val])
        sample_weight = None
        if self.class_weight is not None:
            class_weight = self.class_weight
            if isinstance(class_weight, dict):
                class_weight = self._encode_class_weight(class_weight)
            sample_weight = compute_sample_weight(class_weight, y_enc[train])
        with interrupt, _expected_retracing(), _op_determinism_restored():
            self.estimator_.fit(X[train], y_enc[train], sample_weight=sample_weight,
                                **fit_kwargs)
        # The callback holds the model and a copy of its best weights; the
        # fitted estimator never calls it again, so do not pickle it along.
        # scikeras also keeps the callbacks it resolved in fit (for fit and
        # for predict): resolve them again from the cleared parameter, or
        # they stay in the pickle (about half the model's size again).
        self.estimator_.set_params(callbacks=None)
        if hasattr(self.estimator_, "_initialize_callbacks"):
            self.estimator_._initialize_callbacks()
        self.history_ = {k: [float(v) for v in vals] for k, vals in self.estimator_.history_.items()}
        self.n_epochs_ = len(self.history_.get("loss", []))
        self.input_shape_ = X.shape[1:]
        return self

    def _split(self, y_enc, rng):
        """Indices of the training and validation clips (None: no validation)."""
        indices = np.arange(y_enc.size)
        if self.validation_split == 0:
            return indices, None
        counts = np.bincount(y_enc)
        n_val = int(np.ceil(self.validation_split * y_enc.size))
        if counts.min() < 2 or n_val < counts.size or y_enc.size - n_val < counts.size:
            # Too few clips to hold some out of every class and keep every
            # class in training: train on all, stop on the training loss.
            return indices, None
        splitter = StratifiedShuffleSplit(
            n_splits=1, test_size=n_val, random_state=rng.randint(2**31 - 1),
        )
        train, val = next(splitter.split(indices, y_enc))
        return np.sort(train), np.sort(val)

    def _encode_class_weight(self, class_weight):
        unknown = set(class_weight) - set(self.classes_.tolist())
        if unknown:
            raise ValueError(
                f"class_weight names labels {sorted(map(str, unknown))} that are not in "
                f"y (classes: {self.classes_.tolist()})."
            )
        return {
            int(np.flatnonzero(self.classes_ == label)[0]): weight
            for label, weight in class_weight.items()
        }

    def _check_predict_input(self, X):
        check_is_fitted(self, "estimator_")
        X = check_feature_array(X, ndims=(3, 4), what=_X_SHAPES)
        if X.shape[1:] != tuple(self.input_shape_):
            raise ValueError(
                f"X has clips of shape {X.shape[1:]}, but the network was built for "
                f"{tuple(self.input_shape_)}: use the same feature parameters and "
                "clip duration as in fit."
            )
        return X

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like [shape=(n_clips, *input_shape_)]

        Returns
        -------
        proba : np.ndarray [shape=(n_clips, n_classes), dtype=float32]
            Columns follow ``classes_``; rows sum to 1.
        """
        X = self._check_predict_input(X)
        with _expected_retracing():
            proba = self.estimator_.predict_proba(X)
        return np.asarray(proba, dtype=np.float32)

    def predict(self, X):
        """Most probable label of each clip.

        Parameters
        ----------
        X : array-like [shape=(n_clips, *input_shape_)]

        Returns
        -------
        labels : np.ndarray [shape=(n_clips,)]
            Values from ``classes_``.
        """
        # predict_proba first: it raises NotFittedError, whereas reading
        # self.classes_ first would raise a bare AttributeError.
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        tags.non_deterministic = self.random_state is None
        return tags
