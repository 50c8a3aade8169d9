"""SpecAugment-style masks: `FrequencyMask` and `TimeMask` (the course recipe's 2-D augmentation).

Data contract
-------------
input and output : the same shape and dtype. `FrequencyMask` takes
``(n_clips, n_mels, n_frames, n_channels)``; `TimeMask` takes that or
``(n_clips, n_frames, n_features)``.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseAugmenter

__all__ = ["FrequencyMask", "TimeMask"]


class _BaseMask(BaseAugmenter):
    _parameter_constraints = {
        **BaseAugmenter._parameter_constraints,
        "n_masks": [Interval(Integral, 1, None, closed="left")],
        "fill": [StrOptions({"mean", "min"}), Interval(Real, None, None, closed="neither")],
    }

    def _check_X(self, X):
        X = super()._check_X(X)
        largest = float(np.finfo(X.dtype).max)
        if not isinstance(self.fill, str) and abs(self.fill) > largest:
            raise ValueError(
                f"fill={self.fill} does not fit in X's dtype {X.dtype} (largest {largest:.3g})."
            )
        return X

    def _mask_axis(self, ndim):  # pragma: no cover - abstract
        raise NotImplementedError

    def _max_width(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _augment(self, X, rng):
        axis = self._mask_axis(X.ndim)
        size = X.shape[axis]
        max_width = min(self._max_width(), size)
        for i in range(X.shape[0]):
            clip = X[i]
            if self.fill == "mean":
                # In float64: a float32 sum of large values would overflow.
                value = clip.mean(dtype=np.float64)
            elif self.fill == "min":
                value = clip.min()
            else:
                value = self.fill
            for _ in range(self.n_masks):
                width = rng.randint(0, max_width + 1)
                start = rng.randint(0, size - width + 1)
                index = [slice(None)] * clip.ndim
                index[axis - 1] = slice(start, start + width)
                clip[tuple(index)] = value
        return X


class FrequencyMask(_BaseMask):
    """Mask random bands of mel bins, SpecAugment-style (training only).

    ``n_masks`` times per chosen clip, a band of ``f`` consecutive mel bins is
    set to ``fill``, with ``f`` drawn uniformly in ``[0, max_bins]`` and its
    start uniformly among the valid positions. ``transform`` (prediction)
    returns its input unchanged.

    Parameters
    ----------
    max_bins : int, default=16
        Widest band in mel bins (SpecAugment's ``F``).
    n_masks : int, default=2
        Bands per clip.
    fill : {"mean", "min"} or float, default="mean"
        Value of masked bins: the clip's mean, its minimum, or a constant.
    p : float, default=1.0
        Probability that a clip is augmented.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws; an int makes ``fit_transform`` reproducible.

    Examples
    --------
    >>> import numpy as np
    >>> from skser import FrequencyMask
    >>> X = np.random.default_rng(0).normal(size=(2, 40, 30, 1)).astype("float32")
    >>> FrequencyMask(max_bins=8, random_state=0).fit_transform(X).shape
    (2, 40, 30, 1)
    """

    _parameter_constraints = {
        **_BaseMask._parameter_constraints,
        "max_bins": [Interval(Integral, 0, None, closed="left")],
    }
    _ndims = (4,)
    _shape_doc = "(n_clips, n_mels, n_frames, n_channels)"

    def __init__(self, *, max_bins=16, n_masks=2, fill="mean", p=1.0, random_state=None):
        self.max_bins = max_bins
        self.n_masks = n_masks
        self.fill = fill
        self.p = p
        self.random_state = random_state

    def _mask_axis(self, ndim):
        return 1

    def _max_width(self):
        return self.max_bins


class TimeMask(_BaseMask):
    """Mask random runs of frames, SpecAugment-style (training only).

    ``n_masks`` times per chosen clip, a run of ``t`` consecutive frames is set
    to ``fill``, with ``t`` drawn uniformly in ``[0, max_frames]``. Works on
    log-mel images ``(n_clips, n_mels, n_frames, n_channels)`` and on frame
    features ``(n_clips, n_frames, n_features)``. ``transform`` (prediction)
    returns its input unchanged.

    Parameters
    ----------
    max_frames : int, default=20
        Longest run in frames (SpecAugment's ``T``).
    n_masks : int, default=2
        Runs per clip.
    fill : {"mean", "min"} or float, default="mean"
        Value of masked frames: the clip's mean, its minimum, or a constant.
    p : float, default=1.0
        Probability that a clip is augmented.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws; an int makes ``fit_transform`` reproducible.

    Examples
    --------
    >>> import numpy as np
    >>> from skser import TimeMask
    >>> X = np.random.default_rng(0).normal(size=(2, 50, 7)).astype("float32")
    >>> TimeMask(max_frames=10, random_state=0).fit_transform(X).shape
    (2, 50, 7)
    """

    _parameter_constraints = {
        **_BaseMask._parameter_constraints,
        "max_frames": [Interval(Integral, 0, None, closed="left")],
    }
    _ndims = (3, 4)
    _shape_doc = "(n_clips, n_frames, n_features) or (n_clips, n_mels, n_frames, n_channels)"

    def __init__(self, *, max_frames=20, n_masks=2, fill="mean", p=1.0, random_state=None):
        self.max_frames = max_frames
        self.n_masks = n_masks
        self.fill = fill
        self.p = p
        self.random_state = random_state

    def _mask_axis(self, ndim):
        return 1 if ndim == 3 else 2

    def _max_width(self):
        return self.max_frames
