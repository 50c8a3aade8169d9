"""LevelNormalizer: every clip at the same active speech level.

Data contract
-------------
input : np.ndarray ``(n_clips, n_samples)``, float32 (what `TrimPad` gives).
output : the same shape, float32, each clip scaled by one factor so that
    its active speech level is ``target_dbfs``; a silent clip is unchanged.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval

from .._validation import check_waveform_batch
from ..augmentation._corruptions import speech_level_db
from ._waveform_step import StatelessWaveformStep

__all__ = ["LevelNormalizer"]


class LevelNormalizer(StatelessWaveformStep, TransformerMixin, BaseEstimator):
    """Scale each clip to one active speech level, so that features do not
    depend on the microphone's gain.

    A recording's level says how far the talker sat from the microphone and
    how its gain was set, not how they felt; corpora recorded at one level
    teach a model otherwise (a clip 24 dB quieter than the studio's loses
    7-18 points UA without this step, ``docs/robustness.md``). The level is
    the RMS over the 25 ms frames within 40 dB of the loudest
    (`skser.augmentation.speech_level_db`), so pauses do not count, and each
    clip is multiplied by one factor: what varies within the clip (the
    emphasis of a word, a raised voice at the end) is kept. Energy, RMS,
    loudness, the first MFCC and the mel bands computed after this step are
    the same whatever the gain, up to clipping in the recording itself.

    The step is stateless: ``fit`` only validates the parameters and the
    input, and ``transform`` works unfitted.

    Parameters
    ----------
    sr : int, default=16000
        Sampling rate of the input in Hz (sets the frame length).
    target_dbfs : float, default=-26.0
        Active speech level every clip is scaled to, in dB re full scale
        (RMS 1.0); -26 dBFS is ITU-T P.56's usual speech level, leaving
        room for peaks about 20 dB above it.

    Examples
    --------
    >>> import numpy as np
    >>> from skser.preprocessing import LevelNormalizer
    >>> y = np.sin(np.arange(16000) / 5.0).astype("float32")
    >>> X = np.stack([y, 0.01 * y])
    >>> Xt = LevelNormalizer().fit_transform(X)
    >>> bool(np.allclose(Xt[0], Xt[1], atol=1e-6))
    True
    """

    _parameter_constraints = {
        "sr": [Interval(Integral, 1, None, closed="left")],
        "target_dbfs": [Interval(Real, -120, 0, closed="both")],
    }

    def __init__(self, *, sr=16000, target_dbfs=-26.0):
        self.sr = sr
        self.target_dbfs = target_dbfs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Validate the parameters and ``X``; the step learns nothing but the
        clip length it will be given.

        Parameters
        ----------
        X : np.ndarray [shape=(n_clips, n_samples)]
            Fixed-length waveforms at ``sr``.
        y : ignored

        Returns
        -------
        self : LevelNormalizer
        """
        self.n_features_in_ = check_waveform_batch(X).shape[1]
        return self

    def transform(self, X):
        """Scale each clip to ``target_dbfs``.

        Parameters
        ----------
        X : np.ndarray [shape=(n_clips, n_samples)]
            Fixed-length waveforms at ``sr``.

        Returns
        -------
        Xt : np.ndarray [shape=(n_clips, n_samples), dtype=float32]
        """
        self._validate_params()
        X = check_waveform_batch(X)
        expected = getattr(self, "n_features_in_", X.shape[1])
        if X.shape[1] != expected:
            raise ValueError(f"X has {X.shape[1]} features, but LevelNormalizer is expecting "
                             f"{expected} features as input (samples per clip, as in fit).")
        Xt = np.empty_like(X)
        for i, y in enumerate(X):
            level = speech_level_db(y, sr=self.sr)
            gain = 10.0 ** ((self.target_dbfs - level) / 20.0) if np.isfinite(level) else 1.0
            Xt[i] = y * np.float32(gain)
        return Xt
