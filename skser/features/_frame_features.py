"""FrameFeatures1D: the seeds' 1-D feature space, one vector per frame.

Data contract
-------------
input : ``(n_clips, n_samples)`` float waveforms at ``sr``.
output : ``(n_clips, n_frames, n_features)`` float32 with ``aggregate=None``
    (for Conv1D), else ``(n_clips, n_stats * n_features)`` float32 with names
    from `get_feature_names_out`, e.g. ``mfcc3_mean``.
``n_frames = 1 + n_samples // hop_length`` (``center=True``).
"""

from numbers import Integral

import librosa
import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._dsp import (
    check_frame_fits, filterbank, power_spectrogram, power_to_db, project, spectral_contrast,
    zero_crossing_rate,
)
from ._spectral import BaseSpectralFeatures

__all__ = ["FEATURE_NAMES", "FrameFeatures1D"]

#: Every feature FrameFeatures1D can compute, in the seeds' order.
FEATURE_NAMES = ("zcr", "energy", "rms", "mfcc", "chroma", "contrast", "mel")

_AGGREGATES = {"mean": ("mean",), "mean_std": ("mean", "std")}


class FrameFeatures1D(BaseSpectralFeatures):
    """Per-frame zero-crossing rate, energy, RMS, MFCC, chroma, contrast and mel.

    Each clip's short-time Fourier transform is computed once and every
    spectral feature is derived from it; the time-domain features share one
    framing. Frames are aligned across features (all centred, same
    ``n_fft`` and ``hop_length``).

    ==========  ===========  ==================================================
    feature     columns      definition (librosa equivalent on one clip)
    ==========  ===========  ==================================================
    zcr         1            ``feature.zero_crossing_rate(y, frame_length=n_fft)``
    energy      1            sum of squared samples in the frame (= n_fft * rms²)
    rms         1            ``feature.rms(y=y, frame_length=n_fft)``
    mfcc        n_mfcc       ``feature.mfcc(y=y, n_mfcc, n_mels, ...)`` (top_db=80)
    chroma      n_chroma     ``feature.chroma_stft(y=y, tuning=0.0, ...)``
    contrast    n_bands + 1  ``feature.spectral_contrast(y=y, n_bands, ...)``
    mel         n_mels       ``power_to_db(feature.melspectrogram(y=y, ...))``
                             (dB re 1.0, floored ``top_db`` below the clip's peak)
    ==========  ===========  ==================================================

    Chroma uses ``tuning=0.0``: estimating a musical tuning offset from speech
    is meaningless, and estimating it from a batch would couple the clips.

    The step is stateless: ``fit`` only validates parameters and records the
    clip length.

    Parameters
    ----------
    sr : int, default=16000
        Sampling rate of the input in Hz.
    features : tuple of str, default=("zcr", "energy", "rms", "mfcc", "chroma", "contrast", "mel")
        Which features to compute, in output order; any non-empty subset of
        `FEATURE_NAMES`, each at most once.
    n_mfcc : int, default=20
        Number of MFCCs.
    n_mels : int, default=128
        Number of mel bands (for both ``mel`` and ``mfcc``).
    n_chroma : int, default=12
        Number of chroma bins.
    n_bands : int, default=6
        Number of spectral-contrast bands (gives ``n_bands + 1`` columns).
    n_fft : int, default=1024
        FFT size in samples, also the frame length of zcr/energy/rms.
    hop_length : int, default=256
        Hop between frames in samples.
    win_length : int or None, default=None
        Window length (None means ``n_fft``).
    window : str, default="hann"
        Window function name (`scipy.signal.get_window`).
    center : bool, default=True
        Centre frames on their time stamps (pads the signal by ``n_fft // 2``).
    fmin : float, default=0.0
        Lowest mel frequency in Hz.
    fmax : float or None, default=None
        Highest mel frequency in Hz (None means ``sr / 2``).
    top_db : float or None, default=80.0
        Dynamic range kept in the dB mel features below each clip's peak.
    aggregate : {None, "mean", "mean_std"}, default=None
        None keeps frames, ``(n_clips, n_frames, n_features)``; ``"mean"`` or
        ``"mean_std"`` pools them into a 2-D table for classical models.
    n_jobs : int or None, default=None
        Parallel jobs over chunks of 32 clips: joblib threads (the work
        releases the GIL), or the backend set with `joblib.parallel_config`.
    verbose : int, default=0
        A positive value shows a progress bar over clips (tqdm, on stderr
        when it is a terminal).

    Attributes
    ----------
    n_features_in_ : int
        Number of samples per clip seen in fit.

    See Also
    --------
    MelSpectrogram2D : The 2-D (image) feature space.

    Examples
    --------
    >>> import numpy as np
    >>> from skser import FrameFeatures1D
    >>> X = np.random.default_rng(0).normal(size=(2, 16000)).astype("float32")
    >>> FrameFeatures1D().fit_transform(X).shape
    (2, 63, 170)
    >>> ff = FrameFeatures1D(features=("rms", "mfcc"), n_mfcc=4, aggregate="mean_std")
    >>> ff.fit_transform(X).shape, list(ff.get_feature_names_out()[:3])
    ((2, 10), ['rms_mean', 'mfcc0_mean', 'mfcc1_mean'])
    """

    _parameter_constraints = {
        **BaseSpectralFeatures._parameter_constraints,
        "features": [tuple, list],
        "n_mfcc": [Interval(Integral, 1, None, closed="left")],
        "n_chroma": [Interval(Integral, 1, None, closed="left")],
        "n_bands": [Interval(Integral, 1, None, closed="left")],
        "aggregate": [StrOptions(set(_AGGREGATES)), None],
    }

    def __init__(
        self, *, sr=16000, features=FEATURE_NAMES, n_mfcc=20, n_mels=128, n_chroma=12,
        n_bands=6, n_fft=1024, hop_length=256, win_length=None, window="hann",
        center=True, fmin=0.0, fmax=None, top_db=80.0, aggregate=None, n_jobs=None,
        verbose=0,
    ):
        self.sr = sr
        self.features = features
        self.n_mfcc = n_mfcc
        self.n_mels = n_mels
        self.n_chroma = n_chroma
        self.n_bands = n_bands
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.win_length = win_length
        self.window = window
        self.center = center
        self.fmin = fmin
        self.fmax = fmax
        self.top_db = top_db
        self.aggregate = aggregate
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _check_params(self):
        super()._check_params()
        features = list(self.features)
        unknown = [f for f in features if f not in FEATURE_NAMES]
        if not features or unknown:
            raise ValueError(
                f"features must be a non-empty subset of {FEATURE_NAMES}; got "
                f"{tuple(self.features)!r}" + (f" (unknown: {unknown})." if unknown else ".")
            )
        if len(set(features)) != len(features):
            raise ValueError(f"features lists a feature twice: {tuple(self.features)!r}.")
        if "mfcc" in features and self.n_mfcc > self.n_mels:
            raise ValueError(f"n_mfcc={self.n_mfcc} cannot exceed n_mels={self.n_mels}.")
        if "mfcc" in features or "mel" in features:
            self._check_mel_bands()
        if "contrast" in features:
            # librosa's octave bands start at 200 Hz; the last one starts at
            # 200 * 2**(n_bands - 1) Hz, which must lie below Nyquist.
            top = 200.0 * 2.0 ** (self.n_bands - 1)
            if top >= self.sr / 2:
                raise ValueError(
                    f"n_bands={self.n_bands} spectral-contrast octaves from 200 Hz start "
                    f"a band at {top:g} Hz, not below the Nyquist frequency "
                    f"{self.sr / 2:g} Hz; use fewer bands or a higher sr."
                )
            if self.sr / self.n_fft > 200:
                # FFT bins coarser than the 200 Hz first octave leave contrast
                # bands without a bin (NaN or IndexError inside librosa).
                raise ValueError(
                    f"n_fft={self.n_fft} is too small for spectral contrast at "
                    f"sr={self.sr}: it needs n_fft >= sr / 200 = {self.sr / 200:g}."
                )

    def _widths(self):
        return {
            "zcr": 1, "energy": 1, "rms": 1, "mfcc": self.n_mfcc,
            "chroma": self.n_chroma, "contrast": self.n_bands + 1, "mel": self.n_mels,
        }

    def _frame_feature_names(self):
        widths = self._widths()
        names = []
        for feature in self.features:
            if widths[feature] == 1:
                names.append(feature)
            else:
                names.extend(f"{feature}{i}" for i in range(widths[feature]))
        return names

    def get_feature_names_out(self, input_features=None):
        """Names of the output features.

        With ``aggregate=None`` these name the last axis of the 3-D output
        (``zcr``, ``mfcc0``, ...); otherwise the columns of the 2-D output
        (``mfcc3_mean``, ``mfcc3_std``, ...: all means first, then all stds).

        Parameters
        ----------
        input_features : ignored

        Returns
        -------
        feature_names_out : np.ndarray of str
        """
        self._check_params()
        names = self._frame_feature_names()
        if self.aggregate is not None:
            names = [f"{n}_{stat}" for stat in _AGGREGATES[self.aggregate] for n in names]
        return np.asarray(names, dtype=object)

    def _transform_chunk(self, X):
        wanted = set(self.features)
        columns = {}  # feature -> (n_clips, n_frames, width)
        if "zcr" in wanted:
            columns["zcr"] = zero_crossing_rate(
                X, frame_length=self.n_fft, hop_length=self.hop_length, center=self.center,
            )[..., np.newaxis]
        if wanted & {"energy", "rms"}:
            if not self.center:
                # The same error as the STFT's, not librosa's ParameterError.
                check_frame_fits(X.shape[-1], self.n_fft)
            # librosa's own framing (zero padding, float32 mean of squares).
            rms = librosa.feature.rms(
                y=X, frame_length=self.n_fft, hop_length=self.hop_length, center=self.center,
            ).transpose(0, 2, 1)
            columns["rms"] = rms
            columns["energy"] = self.n_fft * np.square(rms)
        if wanted & {"mfcc", "chroma", "contrast", "mel"}:
            power = power_spectrogram(
                X, n_fft=self.n_fft, hop_length=self.hop_length,
                win_length=self.win_length, window=self.window, center=self.center,
            )
            banks = []
            if wanted & {"mfcc", "mel"}:
                banks.append(filterbank(
                    "mel", sr=self.sr, n_fft=self.n_fft, n_bins=self.n_mels,
                    fmin=self.fmin, fmax=self.fmax,
                ))
            if "chroma" in wanted:
                banks.append(filterbank(
                    "chroma", sr=self.sr, n_fft=self.n_fft, n_bins=self.n_chroma,
                ))
            if banks:
                # One product projects the spectrum onto both filterbanks.
                bank = banks[0] if len(banks) == 1 else np.concatenate(banks, axis=1)
                projected = project(power, bank)
            if wanted & {"mfcc", "mel"}:
                mel = projected[..., :self.n_mels]
                mel_db = power_to_db(mel, top_db=self.top_db)
                columns["mel"] = mel_db
                if "mfcc" in wanted:
                    # librosa.feature.mfcc's own dB step is top_db=80, which
                    # the mel feature has already computed at the default.
                    if self.top_db != 80.0:
                        mel_db = power_to_db(mel, top_db=80.0)
                    columns["mfcc"] = librosa.feature.mfcc(
                        S=mel_db.transpose(0, 2, 1), n_mfcc=self.n_mfcc,
                    ).transpose(0, 2, 1)
            if "chroma" in wanted:
                columns["chroma"] = librosa.util.normalize(
                    projected[..., projected.shape[-1] - self.n_chroma:], norm=np.inf, axis=-1,
                )
            if "contrast" in wanted:
                columns["contrast"] = spectral_contrast(
                    power, sr=self.sr, n_fft=self.n_fft, n_bands=self.n_bands,
                )
        # (n_clips, n_frames, n_features): the Conv1D layout, filled in place.
        n_frames = next(iter(columns.values())).shape[1]
        widths = self._widths()
        out = np.empty(
            (X.shape[0], n_frames, sum(widths[f] for f in self.features)), dtype=np.float32
        )
        start = 0
        for feature in self.features:
            out[..., start:start + widths[feature]] = columns[feature]
            start += widths[feature]
        if self.aggregate is None:
            return out
        stats = [
            getattr(np, stat)(out, axis=1, dtype=np.float64)
            for stat in _AGGREGATES[self.aggregate]
        ]
        return np.concatenate(stats, axis=1).astype(np.float32)
