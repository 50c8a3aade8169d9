"""BandPass: every clip through one band-pass filter (a telephone's band by default).

Data contract
-------------
input : list of 1-D float waveforms of any lengths (what `AudioLoader`
    gives), or a fixed-length batch ``(n_clips, n_samples)``.
output : the same form (a list of float32 waveforms, or a float32 array of
    the same shape), each clip filtered forward and backward (zero phase) by
    a Butterworth band-pass of ``low`` to ``high`` Hz.
"""

from numbers import Integral, Real

import numpy as np
import scipy.signal
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval

from .._validation import check_waveform_batch, check_waveform_list, is_waveform_batch
from ._waveform_step import StatelessWaveformStep

__all__ = ["BandPass"]


class BandPass(StatelessWaveformStep, TransformerMixin, BaseEstimator):
    """Keep one frequency band of each clip: by default a phone line's,
    300-3400 Hz.

    A model trained on wideband studio clips reads a phone call's audio as
    something else: the band above 3.4 kHz, where fricatives and the voice's
    breathiness show, is gone, and so is the fundamental of most voices.
    Passing the training clips and the clips to predict through the same
    band gives a model matched to the channel (`BandwidthExperts` routes
    band-limited clips to such a model). The filter is a Butterworth
    band-pass applied forward and backward (`scipy.signal.sosfiltfilt`), so
    it shifts nothing in time.

    The step is stateless: ``fit`` only validates the parameters and the
    input, and ``transform`` works unfitted.

    Parameters
    ----------
    sr : int, default=16000
        Sampling rate of the input in Hz.
    low : float, default=300.0
        Lower edge of the band in Hz (0 keeps everything below ``high``: a
        low-pass filter).
    high : float, default=3400.0
        Upper edge of the band in Hz, below ``sr / 2``.
    order : int, default=8
        Order of the Butterworth design (of each pass: the zero-phase filter
        is twice as steep).

    Examples
    --------
    >>> import numpy as np
    >>> from skser.preprocessing import BandPass
    >>> t = np.arange(16000) / 16000
    >>> X = np.stack([np.sin(2 * np.pi * 1000 * t), np.sin(2 * np.pi * 6000 * t)])
    >>> Xt = BandPass().fit_transform(X.astype("float32"))
    >>> np.round(np.sqrt(np.mean(Xt[:, 2000:-2000] ** 2, axis=1)) / np.sqrt(0.5), 3)
    array([1., 0.])
    """

    _parameter_constraints = {
        "sr": [Interval(Integral, 1, None, closed="left")],
        "low": [Interval(Real, 0, None, closed="left")],
        "high": [Interval(Real, 0, None, closed="neither")],
        "order": [Interval(Integral, 1, 20, closed="both")],
    }

    def __init__(self, *, sr=16000, low=300.0, high=3400.0, order=8):
        self.sr = sr
        self.low = low
        self.high = high
        self.order = order

    def _check_params(self):
        self._validate_params()
        if not self.low < self.high < self.sr / 2:
            raise ValueError(
                f"BandPass needs 0 <= low < high < sr / 2; got low={self.low!r}, "
                f"high={self.high!r} at sr={self.sr!r} (sr / 2 = {self.sr / 2:g} Hz).")

    def _sos(self):
        if self.low == 0:
            return scipy.signal.butter(self.order, self.high, btype="lowpass", fs=self.sr,
                                       output="sos")
        return scipy.signal.butter(self.order, [self.low, self.high], btype="bandpass",
                                   fs=self.sr, output="sos")

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Validate the parameters and ``X``; the step learns nothing but, for
        a fixed-length batch, the clip length it will be given.

        Parameters
        ----------
        X : list of np.ndarray [shape=(n_samples_i,)] or np.ndarray [shape=(n_clips, n_samples)]
            Waveforms at ``sr``.
        y : ignored

        Returns
        -------
        self : BandPass
        """
        self._check_params()
        if is_waveform_batch(X):
            self.n_features_in_ = check_waveform_batch(X).shape[1]
        else:
            check_waveform_list(X)
        return self

    def transform(self, X):
        """Filter each clip.

        Parameters
        ----------
        X : list of np.ndarray [shape=(n_samples_i,)] or np.ndarray [shape=(n_clips, n_samples)]
            Waveforms at ``sr``.

        Returns
        -------
        Xt : list of np.ndarray or np.ndarray [shape=(n_clips, n_samples)]
            The same form as ``X``, float32: a list of waveforms of the same
            lengths, or an array of the same shape.
        """
        self._check_params()
        sos = self._sos()
        if not is_waveform_batch(X):
            return [_filtered(sos, y[np.newaxis])[0] for y in check_waveform_list(X)]
        X = check_waveform_batch(X)
        expected = getattr(self, "n_features_in_", X.shape[1])
        if X.shape[1] != expected:
            raise ValueError(f"X has {X.shape[1]} features, but BandPass is expecting "
                             f"{expected} features as input (samples per clip, as in fit).")
        if X.shape[0] == 0:
            return X.copy()
        return _filtered(sos, X)


def _filtered(sos, X):
    """``(n, n_samples)`` float32, each row filtered forward and backward."""
    if X.shape[1] < 2:
        return np.asarray(X, dtype=np.float32).copy()
    # sosfiltfilt pads by up to 3 * (2 * n_sections + 1) samples each side.
    padlen = min(3 * (2 * len(sos) + 1), X.shape[1] - 1)
    return scipy.signal.sosfiltfilt(sos, X, axis=1, padlen=padlen).astype(np.float32)
