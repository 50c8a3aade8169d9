"""TrimPad: variable-length waveforms -> one fixed-length float32 batch.

Data contract
-------------
input : list of n_clips 1-D waveforms (any lengths) or an array
    ``(n_clips, n_samples_in)``.
output : np.ndarray ``(n_clips, round(duration * sr))``, float32.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions

from .._validation import check_waveform_list
from ..features._dsp import frame_rms

__all__ = ["TrimPad"]

#: `librosa.effects.trim`'s amplitude floor, squared as its dB conversion does.
_AMIN_POWER = 1e-5 ** 2


def trim_bounds(y, *, top_db, frame_length, hop_length):
    """``(start, end)`` of `librosa.effects.trim(y, top_db=..., ...)`, computed
    as librosa does (frame RMS in dB against the loudest frame), without
    importing ``librosa.effects`` and the numba kernels it pulls in."""
    rms = frame_rms(y, frame_length=frame_length, hop_length=hop_length)
    ref = np.max(rms)
    db = 10.0 * np.log10(np.maximum(_AMIN_POWER, np.square(rms)))
    db -= 10.0 * np.log10(np.maximum(_AMIN_POWER, ref ** 2))
    loud = np.flatnonzero(db > -top_db)
    if loud.size == 0:
        return 0, 0
    return int(loud[0]) * hop_length, min(y.shape[-1], (int(loud[-1]) + 1) * hop_length)


def fix_length(y, n_samples, align):
    """Crop or zero-pad a 1-D waveform to ``n_samples`` around ``align``."""
    excess = y.shape[0] - n_samples
    if align == "start":
        return y[:n_samples] if excess >= 0 else np.pad(y, (0, -excess))
    if excess >= 0:
        start = excess // 2
        return y[start:start + n_samples]
    missing = -excess
    return np.pad(y, (missing // 2, missing - missing // 2))


class TrimPad(TransformerMixin, BaseEstimator):
    """Trim leading and trailing silence, then pad or crop to a fixed duration.

    Silence is what lies more than ``top_db`` below the clip's loudest frame
    (`librosa.effects.trim`). The trimmed clip is then cut or zero-padded to
    exactly ``round(duration * sr)`` samples, so that every clip of a batch
    has the same length, as a CNN needs.

    The step is stateless: ``fit`` only validates the parameters.

    Parameters
    ----------
    sr : int, default=16000
        Sampling rate of the input waveforms in Hz.
    duration : float, default=3.0
        Output length in seconds.
    top_db : float or None, default=30.0
        Threshold in dB below the peak under which frames count as silence.
        None skips trimming (only pad/crop).
    align : {"center", "start"}, default="center"
        Where the kept audio sits. ``"center"`` crops equally from both ends of
        a long clip and pads a short one equally on both sides; ``"start"``
        keeps the beginning of a long clip and pads a short one at the end.
    frame_length : int, default=2048
        Analysis frame length in samples for the silence detection.
    hop_length : int, default=512
        Hop between analysis frames in samples for the silence detection.

    See Also
    --------
    AudioLoader : Produces the waveforms this step takes.

    Notes
    -----
    A clip that is silent throughout has nothing left after trimming and comes
    out as all zeros.

    Examples
    --------
    >>> import numpy as np
    >>> from skser import TrimPad
    >>> TrimPad(sr=100, duration=1.0).fit_transform([np.ones(30), np.ones(300)]).shape
    (2, 100)
    """

    _parameter_constraints = {
        "sr": [Interval(Integral, 1, None, closed="left")],
        "duration": [Interval(Real, 0, None, closed="neither")],
        "top_db": [Interval(Real, 0, None, closed="neither"), None],
        "align": [StrOptions({"center", "start"})],
        "frame_length": [Interval(Integral, 1, None, closed="left")],
        "hop_length": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self, *, sr=16000, duration=3.0, top_db=30.0, align="center",
        frame_length=2048, hop_length=512,
    ):
        self.sr = sr
        self.duration = duration
        self.top_db = top_db
        self.align = align
        self.frame_length = frame_length
        self.hop_length = hop_length

    def _check_params(self):
        self._validate_params()
        # The product may overflow to inf, which round() cannot take.
        if self.duration * self.sr >= np.iinfo(np.intp).max:
            raise ValueError(
                f"duration={self.duration} s at sr={self.sr} Hz asks for "
                f"{self.duration * self.sr:.3g} samples per clip, more than an array can hold."
            )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X=None, y=None):
        """Validate the parameters; the step learns nothing.

        Parameters
        ----------
        X : ignored
        y : ignored

        Returns
        -------
        self : TrimPad
        """
        self._check_params()
        return self

    @property
    def n_samples_out(self):
        """Number of samples per output clip, ``round(duration * sr)``."""
        return max(1, int(round(self.duration * self.sr)))

    def transform(self, X):
        """Trim and fix the length of every clip.

        Parameters
        ----------
        X : list of np.ndarray [shape=(n_samples_i,)] or np.ndarray [shape=(n_clips, n_samples_in)]
            Mono waveforms at ``sr``.

        Returns
        -------
        Xt : np.ndarray [shape=(n_clips, n_samples_out), dtype=float32]
        """
        self._check_params()
        waveforms = check_waveform_list(X)
        n_out = self.n_samples_out
        Xt = np.empty((len(waveforms), n_out), dtype=np.float32)
        for i, y in enumerate(waveforms):
            if self.top_db is not None and y.size:
                y = self._trim(y)
            Xt[i] = fix_length(y, n_out, self.align)
        return Xt

    def _trim(self, y):
        if not np.any(y):
            return y[:0]
        start, end = trim_bounds(y, top_db=self.top_db, frame_length=self.frame_length,
                                 hop_length=self.hop_length)
        return y[start:end]

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns, ``sample0`` ... ``sample{n-1}``.

        Parameters
        ----------
        input_features : ignored

        Returns
        -------
        feature_names_out : np.ndarray of str [shape=(n_samples_out,)]
        """
        return np.asarray([f"sample{i}" for i in range(self.n_samples_out)], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
