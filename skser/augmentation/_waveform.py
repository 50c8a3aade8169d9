"""Waveform augmenters: `AddNoise` and `TimeShift` (the course recipe's 1-D augmentation).

Data contract
-------------
input and output : ``(n_clips, n_samples)`` waveforms, same dtype.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval

from ._base import BaseAugmenter

__all__ = ["AddNoise", "TimeShift"]


class AddNoise(BaseAugmenter):
    """Add white Gaussian noise at a random signal-to-noise ratio (training only).

    For each chosen clip a SNR is drawn uniformly in
    ``[min_snr_db, max_snr_db]`` and noise of power
    ``mean(y**2) / 10**(snr / 10)`` is added. An all-zero clip stays silent.
    ``transform`` (prediction) returns its input unchanged.

    Parameters
    ----------
    min_snr_db : float, default=10.0
        Lowest signal-to-noise ratio in dB (most noise).
    max_snr_db : float, default=30.0
        Highest signal-to-noise ratio in dB (least noise).
    p : float, default=1.0
        Probability that a clip is augmented.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws; an int makes ``fit_transform`` reproducible.

    Examples
    --------
    >>> import numpy as np
    >>> from skser import AddNoise
    >>> X = np.ones((2, 100), dtype="float32")
    >>> aug = AddNoise(min_snr_db=20, max_snr_db=20, random_state=0)
    >>> bool(np.any(aug.fit_transform(X) != X)), bool(np.all(aug.transform(X) == X))
    (True, True)
    """

    _parameter_constraints = {
        **BaseAugmenter._parameter_constraints,
        "min_snr_db": [Interval(Real, None, None, closed="neither")],
        "max_snr_db": [Interval(Real, None, None, closed="neither")],
    }

    def __init__(self, *, min_snr_db=10.0, max_snr_db=30.0, p=1.0, random_state=None):
        self.min_snr_db = min_snr_db
        self.max_snr_db = max_snr_db
        self.p = p
        self.random_state = random_state

    def _check_params(self):
        super()._check_params()
        if self.min_snr_db > self.max_snr_db:
            raise ValueError(
                f"min_snr_db={self.min_snr_db} must not exceed max_snr_db={self.max_snr_db}."
            )
        if not np.isfinite(float(self.max_snr_db) - float(self.min_snr_db)):
            # numpy cannot draw uniformly from a range wider than a float.
            raise ValueError(
                f"min_snr_db={self.min_snr_db} and max_snr_db={self.max_snr_db} are "
                "too far apart to draw from."
            )

    def _augment(self, X, rng):
        snr_db = rng.uniform(self.min_snr_db, self.max_snr_db, size=(X.shape[0], 1))
        # Overflow shows as a non-finite result, reported below.
        with np.errstate(all="ignore"):
            signal_power = np.mean(np.square(X, dtype=np.float64), axis=1, keepdims=True)
            noise_std = np.sqrt(signal_power / 10.0 ** (snr_db / 10.0))
            noisy = X + (rng.standard_normal(X.shape) * noise_std).astype(X.dtype)
        if not np.all(np.isfinite(noisy)):
            raise ValueError(
                f"noise for an SNR of min_snr_db={self.min_snr_db} dB on clips peaking at "
                f"{np.abs(X).max():.3g} overflows {X.dtype}; raise min_snr_db or scale "
                "the waveforms to [-1, 1]."
            )
        return noisy


class TimeShift(BaseAugmenter):
    """Shift each waveform in time by a random amount (training only).

    The shift is drawn uniformly in ``[-max_shift_seconds, max_shift_seconds]``.
    Samples shifted out either re-enter at the other end (``rollover=True``,
    the course recipe's ``np.roll``) or are dropped, the gap filled with silence.
    ``transform`` (prediction) returns its input unchanged.

    Parameters
    ----------
    sr : int, default=16000
        Sampling rate of the input in Hz (converts seconds to samples).
    max_shift_seconds : float, default=0.3
        Largest shift in either direction, in seconds.
    rollover : bool, default=False
        Wrap shifted-out samples around instead of filling with zeros.
    p : float, default=1.0
        Probability that a clip is augmented.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws; an int makes ``fit_transform`` reproducible.

    Examples
    --------
    >>> import numpy as np
    >>> from skser import TimeShift
    >>> X = np.arange(10, dtype="float32")[None, :]
    >>> TimeShift(sr=10, max_shift_seconds=0.5, random_state=0).fit_transform(X).shape
    (1, 10)
    """

    _parameter_constraints = {
        **BaseAugmenter._parameter_constraints,
        "sr": [Interval(Integral, 1, None, closed="left")],
        "max_shift_seconds": [Interval(Real, 0, None, closed="left")],
        "rollover": ["boolean"],
    }

    def __init__(
        self, *, sr=16000, max_shift_seconds=0.3, rollover=False, p=1.0, random_state=None,
    ):
        self.sr = sr
        self.max_shift_seconds = max_shift_seconds
        self.rollover = rollover
        self.p = p
        self.random_state = random_state

    def _augment(self, X, rng):
        n_samples = X.shape[1]
        # min before round: max_shift_seconds * sr may overflow to inf.
        max_shift = int(round(min(self.max_shift_seconds * self.sr, n_samples)))
        shifts = rng.randint(-max_shift, max_shift + 1, size=X.shape[0])
        for i, shift in enumerate(shifts):
            X[i] = np.roll(X[i], shift)
            if not self.rollover:
                if shift > 0:
                    X[i, :shift] = 0
                elif shift < 0:
                    X[i, shift:] = 0
        return X
