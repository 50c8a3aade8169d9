"""MelSpectrogram2D: the CREMA-D course recipe's 2-D feature space, a log-mel image per clip.

Data contract
-------------
input : ``(n_clips, n_samples)`` float waveforms at ``sr``.
output : ``(n_clips, n_mels, n_frames, 1)`` float32 (channels last, for Conv2D);
``n_frames = 1 + n_samples // hop_length`` (``center=True``).
"""

import numpy as np

from ._dsp import filterbank, power_spectrogram, power_to_db, project
from ._spectral import BaseSpectralFeatures

__all__ = ["MelSpectrogram2D"]


class MelSpectrogram2D(BaseSpectralFeatures):
    """Log-mel spectrogram of each clip, shaped as a one-channel image.

    Equals ``librosa.power_to_db(librosa.feature.melspectrogram(y=y, ...),
    ref=1.0, top_db=top_db)`` computed on each clip alone. The reference is an
    absolute 1.0 (not the clip's peak), so loudness, an emotion cue, survives.

    The step is stateless: ``fit`` only validates parameters and records the
    clip length.

    Parameters
    ----------
    sr : int, default=16000
        Sampling rate of the input in Hz.
    n_mels : int, default=128
        Number of mel bands (image height).
    n_fft : int, default=1024
        FFT size in samples.
    hop_length : int, default=256
        Hop between frames in samples (sets the image width).
    win_length : int or None, default=None
        Window length (None means ``n_fft``).
    window : str, default="hann"
        Window function name.
    center : bool, default=True
        Centre frames on their time stamps.
    fmin : float, default=0.0
        Lowest mel frequency in Hz.
    fmax : float or None, default=None
        Highest mel frequency in Hz (None means ``sr / 2``).
    top_db : float or None, default=80.0
        Dynamic range kept below each clip's peak, in dB.
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
    FrameFeatures1D : The 1-D (per-frame vector) feature space.

    Examples
    --------
    >>> import numpy as np
    >>> from skser import MelSpectrogram2D
    >>> X = np.random.default_rng(0).normal(size=(2, 48000)).astype("float32")
    >>> MelSpectrogram2D(n_mels=64).fit_transform(X).shape
    (2, 64, 188, 1)
    """

    def __init__(
        self, *, sr=16000, n_mels=128, n_fft=1024, hop_length=256, win_length=None,
        window="hann", center=True, fmin=0.0, fmax=None, top_db=80.0, n_jobs=None, verbose=0,
    ):
        self.sr = sr
        self.n_mels = n_mels
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.win_length = win_length
        self.window = window
        self.center = center
        self.fmin = fmin
        self.fmax = fmax
        self.top_db = top_db
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _check_params(self):
        super()._check_params()
        self._check_mel_bands()

    def _transform_chunk(self, X):
        power = power_spectrogram(
            X, n_fft=self.n_fft, hop_length=self.hop_length, win_length=self.win_length,
            window=self.window, center=self.center,
        )
        mel = project(power, filterbank(
            "mel", sr=self.sr, n_fft=self.n_fft, n_bins=self.n_mels, fmin=self.fmin,
            fmax=self.fmax,
        ))
        mel_db = power_to_db(mel, top_db=self.top_db)
        # (n_clips, n_frames, n_mels) -> (n_clips, n_mels, n_frames, 1).
        return np.ascontiguousarray(mel_db.transpose(0, 2, 1)[..., np.newaxis], dtype=np.float32)
