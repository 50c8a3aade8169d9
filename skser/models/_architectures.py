"""Convolutional network architectures for speech emotion recognition.

This module builds uncompiled Keras models for the convolutional
classifiers in skser. It imports Keras (and so TensorFlow) and is imported
only when a network is actually built, so the rest of skser stays usable
without loading TensorFlow.

Two input forms are supported, chosen by the length of ``input_shape``
(which never includes the batch axis):

* ``(n_frames, n_features)`` -- the 1-D form. Convolutions and pooling
  run along the frame (time) axis and the per-frame features are the
  channels (``Conv1D`` / ``MaxPooling1D``).
* ``(n_mels, n_frames, n_channels)`` -- the 2-D form. The input is
  treated as an image, e.g. a log-mel spectrogram with one channel
  (``Conv2D`` / ``MaxPooling2D``).

Adaptation rule
---------------
The classic designs (LeNet-5, AlexNet, VGG16) were drawn for fixed image
sizes such as 32x32 or 224x224, whereas speech features come in any size,
from a handful of frames to several hundred. Instead of hard-coding an
input size, every network is built so that it fits the input it is given:

* every convolution and pooling layer uses ``padding="same"``, so a layer
  with stride ``s`` maps a length ``n`` to ``ceil(n / s)``, never to 0;
* before each strided layer, the static size of the current tensor is
  read from its ``.shape`` and every stride and pool size is clipped,
  per axis, to ``min(wanted, size)``. Once an axis has shrunk to length 1
  the remaining layers leave it at length 1 instead of collapsing it.

Filter counts and dense-layer units are multiplied by ``width`` (rounded,
at least 1), so ``width=1.0`` reproduces the classic sizes and small
widths give tiny networks for quick experiments and tests.
"""

import math
import numbers

from .._tensorflow import import_tensorflow

# First: Keras imports TensorFlow, whose start-up lines are not the user's
# business (skser/_tensorflow.py).
import_tensorflow()

import keras  # noqa: E402
import numpy as np  # noqa: E402

from ._catalog import ARCHITECTURES as _ARCHITECTURES  # noqa: E402

# Spatial dropout in the custom design regularises whole feature maps; a
# rate as large as the dense-head rate would wipe out too many channels,
# so it is a fixed fraction of ``dropout`` (0.1 at the default 0.5).
_SPATIAL_DROPOUT_FRACTION = 0.2


class _SeedStream:
    """Deterministic supply of per-layer seeds derived from one seed.

    Keras initialisers with an integer seed return the same values on
    every call, so reusing one seed for all layers would give identically
    shaped layers identical weights. Each layer therefore draws its own
    seed from a stream keyed on the user's seed.

    Parameters
    ----------
    seed : int or None
        Base seed. With ``None`` every draw returns ``None`` and Keras
        falls back to unseeded randomness.
    """

    def __init__(self, seed):
        if seed is None:
            self._rng = None
        else:
            self._rng = np.random.default_rng(
                np.random.SeedSequence(int(seed) % 2**64)
            )

    def next(self):
        """Return the next layer seed.

        Returns
        -------
        int or None
            A seed in ``[0, 2**31 - 1)``, or ``None`` when unseeded.
        """
        if self._rng is None:
            return None
        return int(self._rng.integers(0, 2**31 - 1))


class _Builder:
    """Layer factory shared by all architectures for one input form.

    Hides the difference between the 1-D and 2-D forms and applies the
    width multiplier, the stride/pool clipping and the seeding, so each
    architecture reads as its classic layer sequence.

    Parameters
    ----------
    ndim : {1, 2}
        Number of spatial axes of the input.
    width : float
        Multiplier for filter counts and dense units.
    seeds : _SeedStream
        Source of per-layer seeds.
    """

    def __init__(self, ndim, width, seeds):
        self.ndim = ndim
        self.width = width
        self.seeds = seeds
        self._counts = {}

    def _name(self, kind):
        self._counts[kind] = self._counts.get(kind, 0) + 1
        return f"{kind}{self._counts[kind]}"

    def units(self, n):
        """Scale a filter or unit count by ``width``.

        Parameters
        ----------
        n : int
            Count in the classic design.

        Returns
        -------
        int
            ``round(n * width)``, at least 1.
        """
        return max(1, int(round(n * self.width)))

    def _kernel_init(self):
        return keras.initializers.GlorotUniform(seed=self.seeds.next())

    def conv(self, x, filters, kernel, strides=1, activation="relu",
             use_bias=True):
        """Apply a ``padding="same"`` convolution with a clipped stride.

        Parameters
        ----------
        x : KerasTensor
            Input of shape ``(batch, *spatial, channels)``.
        filters : int
            Filter count in the classic design (scaled by ``width``).
        kernel : int
            Kernel length along every spatial axis.
        strides : int, default=1
            Wanted stride, clipped per axis to the current size.
        activation : str or None, default="relu"
            Activation of the layer.
        use_bias : bool, default=True
            Whether the layer has a bias (off when BatchNorm follows).

        Returns
        -------
        KerasTensor
            Output of shape ``(batch, *ceil(spatial / strides), filters)``.
        """
        layer_cls = keras.layers.Conv1D if self.ndim == 1 else keras.layers.Conv2D
        return layer_cls(
            self.units(filters),
            kernel_size=(kernel,) * self.ndim,
            strides=_clip_to_size(x, strides),
            padding="same",
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=self._kernel_init(),
            data_format="channels_last",
            name=self._name("conv"),
        )(x)

    def pool(self, x, pool_size, strides=None):
        """Apply ``padding="same"`` max pooling clipped to the current size.

        Parameters
        ----------
        x : KerasTensor
            Input of shape ``(batch, *spatial, channels)``.
        pool_size : int
            Wanted window length along every spatial axis.
        strides : int or None, default=None
            Wanted stride; ``None`` means equal to ``pool_size``.

        Returns
        -------
        KerasTensor
            Output of shape ``(batch, *ceil(spatial / strides), channels)``
            with each spatial length at least 1.
        """
        if strides is None:
            strides = pool_size
        layer_cls = (
            keras.layers.MaxPooling1D if self.ndim == 1 else keras.layers.MaxPooling2D
        )
        return layer_cls(
            pool_size=_clip_to_size(x, pool_size),
            strides=_clip_to_size(x, strides),
            padding="same",
            data_format="channels_last",
            name=self._name("pool"),
        )(x)

    def batch_norm(self, x):
        """Apply batch normalisation over the channel axis.

        Momentum 0.9, not Keras' 0.99: emotion corpora give a few hundred
        to a few thousand clips, i.e. a handful of steps per epoch, and with
        0.99 the moving statistics used at inference stay near their initial
        values for dozens of epochs, so validation sees a near-uniform output
        and early stopping fires on an untrained-looking network.
        """
        return keras.layers.BatchNormalization(momentum=0.9, name=self._name("bn"))(x)

    def relu(self, x):
        """Apply a ReLU activation layer."""
        return keras.layers.Activation("relu", name=self._name("relu"))(x)

    def spatial_dropout(self, x, rate):
        """Drop whole feature maps; a no-op when ``rate`` is 0."""
        if rate <= 0:
            return x
        layer_cls = (
            keras.layers.SpatialDropout1D
            if self.ndim == 1
            else keras.layers.SpatialDropout2D
        )
        kwargs = {} if self.ndim == 1 else {"data_format": "channels_last"}
        return layer_cls(
            rate, seed=self.seeds.next(), name=self._name("sdrop"), **kwargs
        )(x)

    def dropout(self, x, rate):
        """Apply ordinary dropout; a no-op when ``rate`` is 0."""
        if rate <= 0:
            return x
        return keras.layers.Dropout(
            rate, seed=self.seeds.next(), name=self._name("drop")
        )(x)

    def dense(self, x, units, activation="relu", scale=True, name=None):
        """Apply a fully connected layer.

        Parameters
        ----------
        x : KerasTensor
            Input of shape ``(batch, n_in)``.
        units : int
            Unit count in the classic design.
        activation : str, default="relu"
            Activation of the layer.
        scale : bool, default=True
            Whether ``units`` is scaled by ``width`` (not for the output).
        name : str or None, default=None
            Layer name; ``None`` numbers it like the other dense layers.

        Returns
        -------
        KerasTensor
            Output of shape ``(batch, units)``.
        """
        return keras.layers.Dense(
            self.units(units) if scale else units,
            activation=activation,
            kernel_initializer=self._kernel_init(),
            name=self._name("dense") if name is None else name,
        )(x)

    def flatten(self, x):
        """Flatten all non-batch axes."""
        return keras.layers.Flatten(data_format="channels_last", name="flatten")(x)

    def global_pools(self, x):
        """Concatenate global average and global max pooling.

        Returns
        -------
        KerasTensor
            Output of shape ``(batch, 2 * channels)``.
        """
        if self.ndim == 1:
            avg_cls = keras.layers.GlobalAveragePooling1D
            max_cls = keras.layers.GlobalMaxPooling1D
        else:
            avg_cls = keras.layers.GlobalAveragePooling2D
            max_cls = keras.layers.GlobalMaxPooling2D
        avg = avg_cls(data_format="channels_last", name="global_avg")(x)
        mx = max_cls(data_format="channels_last", name="global_max")(x)
        return keras.layers.Concatenate(name="global_concat")([avg, mx])


def _clip_to_size(x, wanted):
    """Clip a pool size or stride to the current spatial size, per axis.

    Parameters
    ----------
    x : KerasTensor
        Tensor of shape ``(batch, *spatial, channels)``.
    wanted : int
        Wanted pool size or stride, the same along every spatial axis.

    Returns
    -------
    tuple of int
        ``min(wanted, size)`` for each spatial axis; an axis of unknown
        size keeps ``wanted``.
    """
    spatial = tuple(x.shape)[1:-1]
    return tuple(wanted if size is None else max(1, min(wanted, int(size)))
                 for size in spatial)


def _lenet5(b, x, dropout):
    x = b.conv(x, 6, 5)
    x = b.pool(x, 2)
    x = b.conv(x, 16, 5)
    x = b.pool(x, 2)
    x = b.flatten(x)
    x = b.dense(x, 120)
    x = b.dense(x, 84)
    # The original LeNet-5 has no dropout; ``dropout`` only regularises
    # the head before the classifier so the parameter is not ignored.
    return b.dropout(x, dropout)


def _alexnet(b, x, dropout):
    # BatchNorm stands in for AlexNet's local response normalisation and
    # keeps the deep, wide stack trainable from scratch on small corpora.
    for filters, kernel, strides, pool in (
        (96, 11, 4, True),
        (256, 5, 1, True),
        (384, 3, 1, False),
        (384, 3, 1, False),
        (256, 3, 1, True),
    ):
        x = b.conv(x, filters, kernel, strides, activation=None, use_bias=False)
        x = b.batch_norm(x)
        x = b.relu(x)
        if pool:
            x = b.pool(x, 3, 2)
    x = b.flatten(x)
    x = b.dense(x, 4096)
    x = b.dropout(x, dropout)
    x = b.dense(x, 4096)
    return b.dropout(x, dropout)


def _vgg16(b, x, dropout):
    for filters, n_convs in ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3)):
        for _ in range(n_convs):
            x = b.conv(x, filters, 3)
        x = b.pool(x, 2)
    x = b.flatten(x)
    x = b.dense(x, 4096)
    x = b.dropout(x, dropout)
    x = b.dense(x, 4096)
    return b.dropout(x, dropout)


def _custom(b, x, dropout):
    spatial_rate = _SPATIAL_DROPOUT_FRACTION * dropout
    for filters in (32, 64, 128, 128):
        for _ in range(2):
            x = b.conv(x, filters, 3, activation=None, use_bias=False)
            x = b.batch_norm(x)
            x = b.relu(x)
        x = b.pool(x, 2)
        x = b.spatial_dropout(x, spatial_rate)
    # Global pooling instead of flattening keeps the head small and makes
    # its size independent of the input length; the max branch keeps
    # short salient events that averaging over a long utterance dilutes.
    x = b.global_pools(x)
    x = b.dropout(x, dropout)
    x = b.dense(x, 128)
    return b.dropout(x, dropout)


def _attention_gru(b, x, dropout):
    if b.ndim != 1:
        raise ValueError(
            "architecture 'attention_gru' takes frame features, input_shape "
            "(n_frames, n_features); got a 2-D input. Use FrameFeatures1D (or "
            "make_ser_pipeline('sequence')) for its features.")
    # Two convolution blocks see a few frames of context and halve the frame
    # rate twice, so the recurrent layer runs over a quarter of the frames.
    for filters, kernel in ((64, 5), (64, 3)):
        x = b.conv(x, filters, kernel, activation=None, use_bias=False)
        x = b.batch_norm(x)
        x = b.relu(x)
        x = b.pool(x, 2)
    x = keras.layers.Bidirectional(
        keras.layers.GRU(b.units(48), return_sequences=True,
                         kernel_initializer=b._kernel_init(), seed=b.seeds.next()),
        name="bigru")(x)
    # Attention pooling: a score per frame from a small tanh layer, softmax
    # over time, the frames' weighted sum; beside it the plain mean, so a
    # clip whose emotion is spread evenly loses nothing to the weighting.
    score = keras.layers.Dense(b.units(64), activation="tanh",
                               kernel_initializer=b._kernel_init(), name="attention_hidden")(x)
    score = keras.layers.Dense(1, kernel_initializer=b._kernel_init(),
                               name="attention_score")(score)
    weights = keras.layers.Softmax(axis=1, name="attention_weights")(score)
    attended = keras.layers.Dot(axes=1, name="attention_pool")([weights, x])
    attended = keras.layers.Flatten(name="attention_flat")(attended)
    mean = keras.layers.GlobalAveragePooling1D(name="mean_pool")(x)
    x = keras.layers.Concatenate(name="pools")([attended, mean])
    return b.dropout(x, dropout)


_BODIES = {
    "lenet5": _lenet5,
    "alexnet": _alexnet,
    "vgg16": _vgg16,
    "custom": _custom,
    "attention_gru": _attention_gru,
}


@keras.saving.register_keras_serializable(package="skser")
class SmoothedSparseCrossentropy(keras.losses.Loss):
    """Cross-entropy against integer labels with label smoothing: the target
    puts ``1 - label_smoothing`` on the true class and spreads
    ``label_smoothing`` evenly over all classes (Szegedy et al., 2016).

    Keras' `SparseCategoricalCrossentropy` has no label smoothing, and its
    `CategoricalCrossentropy` needs one-hot targets, which scikeras would
    then encode differently for the whole estimator.

    Parameters
    ----------
    label_smoothing : float
        Share of the target spread over all classes, in [0, 1).
    """

    def __init__(self, label_smoothing=0.0, name="smoothed_sparse_crossentropy", **kwargs):
        super().__init__(name=name, **kwargs)
        self.label_smoothing = label_smoothing

    def call(self, y_true, y_pred):
        ops = keras.ops
        n_classes = ops.shape(y_pred)[-1]
        labels = ops.cast(ops.reshape(y_true, (-1,)), "int32")
        target = ops.one_hot(labels, n_classes, dtype=y_pred.dtype)
        target = target * (1.0 - self.label_smoothing) + self.label_smoothing / ops.cast(
            n_classes, y_pred.dtype)
        return keras.losses.categorical_crossentropy(target, y_pred)

    def get_config(self):
        return {**super().get_config(), "label_smoothing": self.label_smoothing}


@keras.saving.register_keras_serializable(package="skser")
class SpecAugment(keras.layers.Layer):
    """SpecAugment-style masks, drawn afresh for every clip of every batch in
    training and off at inference (Park et al., 2019, without time warping).

    Zeroes ``n_masks`` spans of at most ``max_frames`` frames and
    ``n_masks`` spans of at most ``max_bins`` features (1-D input
    ``(batch, n_frames, n_features)``) or mel bands (2-D input
    ``(batch, n_mels, n_frames, channels)``). On standardised features
    zero is the training mean, so a masked span carries no information.

    Parameters
    ----------
    n_masks : int
        Masks along each axis.
    max_frames, max_bins : int
        Longest mask along the frame and the feature (mel) axis.
    seed : int or None
        Seed of the masks' random draws.
    """

    def __init__(self, n_masks, max_frames, max_bins, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.n_masks, self.max_frames, self.max_bins = n_masks, max_frames, max_bins
        self.seed = seed
        self._generator = keras.random.SeedGenerator(seed)

    def call(self, x, training=None):
        if not training or self.n_masks == 0:
            return x
        ops = keras.ops
        rank = len(x.shape)
        # The frame and the feature axis of each form.
        frame_axis, bin_axis = (1, 2) if rank == 3 else (2, 1)
        keep = ops.ones_like(x)
        for axis, longest in ((frame_axis, self.max_frames), (bin_axis, self.max_bins)):
            size = ops.shape(x)[axis]
            shape = [1] * rank
            shape[axis] = -1
            position = ops.reshape(ops.arange(size, dtype=x.dtype), shape)
            draw = [ops.shape(x)[0]] + [1] * (rank - 1)
            for _ in range(self.n_masks):
                width = keras.random.uniform(draw, 0, longest, dtype=x.dtype,
                                             seed=self._generator)
                start = keras.random.uniform(draw, 0, 1, dtype=x.dtype,
                                             seed=self._generator)
                start = start * ops.maximum(ops.cast(size, x.dtype) - width, 0)
                inside = ops.logical_and(position >= start, position < start + width)
                keep = keep * (1 - ops.cast(inside, x.dtype))
        return x * keep

    def get_config(self):
        return {**super().get_config(), "n_masks": self.n_masks,
                "max_frames": self.max_frames, "max_bins": self.max_bins, "seed": self.seed}


def _check_input_shape(input_shape):
    try:
        dims = tuple(input_shape)
    except TypeError:
        raise ValueError(
            "input_shape must be a tuple (n_frames, n_features) for the 1-D "
            "form or (n_mels, n_frames, n_channels) for the 2-D form, without "
            f"the batch axis; got {input_shape!r}."
        ) from None
    if len(dims) not in (2, 3):
        raise ValueError(
            "input_shape must have length 2, (n_frames, n_features), for the "
            "1-D form or length 3, (n_mels, n_frames, n_channels), for the "
            f"2-D form, without the batch axis; got {input_shape!r} of "
            f"length {len(dims)}."
        )
    if not all(
        isinstance(d, numbers.Integral) and not isinstance(d, bool) and d >= 1
        for d in dims
    ):
        raise ValueError(
            f"input_shape must contain positive integers; got {input_shape!r}."
        )
    return tuple(int(d) for d in dims)


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def build_cnn(architecture, input_shape, n_classes, *, width=1.0, dropout=0.5,
              seed=None, spec_augment=None):
    """Build an uncompiled convolutional classifier.

    The network adapts to ``input_shape``: every convolution and pooling
    layer uses ``padding="same"`` and every stride and pool size is clipped
    to the current size of each spatial axis, so even very small inputs
    never shrink to zero length (see the module docstring).

    Parameters
    ----------
    architecture : {"lenet5", "alexnet", "vgg16", "custom"}
        Layer pattern to build.

        - ``"lenet5"``: conv 6 (k5) -> pool 2 -> conv 16 (k5) -> pool 2
          -> dense 120 -> dense 84.
        - ``"alexnet"``: conv 96 (k11, stride 4) -> pool 3/2 -> conv 256
          (k5) -> pool 3/2 -> conv 384, 384, 256 (k3) -> pool 3/2 ->
          dense 4096 -> dropout -> dense 4096 -> dropout, with
          BatchNormalization after each convolution.
        - ``"vgg16"``: five blocks of k3 convolutions (64x2, 128x2, 256x3,
          512x3, 512x3), each followed by pool 2 -> dense 4096 -> dropout
          -> dense 4096 -> dropout.
        - ``"custom"``: a compact design for CPU training on small corpora:
          four blocks of [conv k3 -> BatchNorm -> ReLU] x 2 -> pool 2 ->
          spatial dropout, with 32, 64, 128, 128 filters, then global
          average and global max pooling concatenated -> dropout ->
          dense 128 -> dropout.
        - ``"attention_gru"`` (1-D form only): a sequence model for frame
          features: two blocks of [conv (64, k5 then k3) -> BatchNorm ->
          ReLU -> pool 2], a bidirectional GRU of 48 units per direction
          over the pooled frames, attention pooling (tanh 64 -> score ->
          softmax over time -> weighted sum) beside mean pooling ->
          dropout. About 80k weights for 92 features per frame.
    input_shape : tuple of int
        Shape of one sample, without the batch axis.

        - ``(n_frames, n_features)``: 1-D form; convolutions run over the
          frames and the features are the channels.
        - ``(n_mels, n_frames, n_channels)``: 2-D form; convolutions run
          over the mel and frame axes.
    n_classes : int
        Number of emotion classes, at least 2.
    width : float, default=1.0
        Multiplier for every filter count and hidden dense unit count;
        each scaled count is rounded and at least 1. ``1.0`` gives the
        classic sizes.
    dropout : float, default=0.5
        Dropout rate in ``[0, 1)`` for the dense head. The custom design
        also applies spatial dropout at ``0.2 * dropout`` after each block.
    seed : int or None, default=None
        Seed for the weight initialisers and dropout layers. Two builds
        with the same integer seed have identical initial weights.
    spec_augment : tuple of int or None, default=None
        ``(n_masks, max_frames, max_bins)``: a `SpecAugment` layer after
        the input, masking ``n_masks`` spans of frames and of features (mel
        bands) in training; None adds none.

    Returns
    -------
    keras.Model
        Uncompiled model named ``"{architecture}_1d"`` or
        ``"{architecture}_2d"``, mapping inputs of shape
        ``(batch, *input_shape)`` to class probabilities of shape
        ``(batch, n_classes)`` (softmax output).

    Raises
    ------
    ValueError
        If ``architecture`` is unknown, ``input_shape`` does not have
        length 2 or 3 or holds non-positive sizes, ``n_classes < 2``,
        ``width <= 0``, ``dropout`` is outside ``[0, 1)`` or ``seed`` is
        neither an integer nor None.

    Examples
    --------
    >>> model = build_cnn("custom", (128, 188, 1), 4, width=0.25, seed=0)
    >>> model.output_shape
    (None, 4)
    """
    if architecture not in _ARCHITECTURES:
        raise ValueError(
            f"architecture must be one of {', '.join(map(repr, _ARCHITECTURES))};"
            f" got {architecture!r}."
        )
    dims = _check_input_shape(input_shape)
    if not _is_int(n_classes) or n_classes < 2:
        raise ValueError(f"n_classes must be an integer >= 2; got {n_classes!r}.")
    if (
        not isinstance(width, numbers.Real)
        or isinstance(width, bool)
        or not math.isfinite(width)
        or width <= 0
    ):
        raise ValueError(f"width must be a finite number > 0; got {width!r}.")
    if (
        not isinstance(dropout, numbers.Real)
        or isinstance(dropout, bool)
        or not 0 <= dropout < 1
    ):
        raise ValueError(f"dropout must be a number in [0, 1); got {dropout!r}.")
    if seed is not None and not _is_int(seed):
        raise ValueError(f"seed must be an integer or None; got {seed!r}.")

    ndim = len(dims) - 1
    seeds = _SeedStream(seed)
    builder = _Builder(ndim, float(width), seeds)

    inputs = keras.Input(shape=dims, name="input")
    x = inputs
    if spec_augment is not None:
        n_masks, max_frames, max_bins = (int(v) for v in spec_augment)
        x = SpecAugment(n_masks, max_frames, max_bins, seed=seeds.next(),
                        name="spec_augment")(x)
    x = _BODIES[architecture](builder, x, float(dropout))
    outputs = builder.dense(
        x, int(n_classes), activation="softmax", scale=False, name="output"
    )
    return keras.Model(inputs, outputs, name=f"{architecture}_{ndim}d")
