"""Batched signal processing behind the feature steps: one STFT per clip,
filterbanks built once, and librosa's frame features vectorised over clips.

Everything here works on a chunk of clips at once and returns arrays in the
``(n_clips, n_frames, n_bins)`` layout, frames before bins, which is the
layout the 1-D networks take, so no transpose copies are needed on the way.

Why not call librosa's feature functions directly? They are the reference,
and the tests compare every function here with them, but on a batch each one
recomputes what the others already have:

- ``librosa.stft`` of a batch splits its FFTs into blocks of
  ``librosa.util.MAX_MEM_BLOCK`` bytes; for 32 clips that is one frame per
  FFT call, ~190 calls per chunk. Here one `scipy.fft.rfft` call covers
  all the frames of a clip.
- ``melspectrogram`` and ``chroma_stft`` each rebuild their filterbank on every
  call and project the spectrum separately; here both filterbanks are cached
  and stacked into one matrix product.
- ``zero_crossing_rate`` frames the signal (4x the samples at a hop of
  ``n_fft / 4``) and tests every framed sample; here crossings are found once
  per sample and counted per frame from a cumulative sum, exactly.
- ``spectral_contrast`` must be called one clip at a time, because its dB
  floor is taken over the whole array it is given; here it runs on the batch
  with the floor per clip, sorting along the contiguous frequency axis.

`frame_rms`, `mfcc_from_db` and `pad_center` repeat librosa's arithmetic
operation for operation, for another reason: importing ``librosa.feature``,
``librosa.effects`` or ``librosa.util``'s functions compiles numba kernels
(about 1 s at start-up), which would be most of the time of ``skser predict``
on one file. Only ``librosa.filters`` and ``librosa.fft_frequencies`` are
used on the default pipeline's path.
"""

import functools

import librosa
import numpy as np
import scipy.fft

__all__ = [
    "band_peaks_valleys",
    "check_frame_fits",
    "filterbank",
    "frame_rms",
    "mfcc_from_db",
    "pad_center",
    "project",
    "threadpools",
    "power_spectrogram",
    "power_to_db",
    "spectral_contrast",
    "stft_window",
    "zero_crossing_rate",
]


def power_to_db(S, *, top_db, amin=1e-10):
    """`librosa.power_to_db` with ``ref=1.0``, applying ``top_db`` per clip.

    `librosa.power_to_db` floors at ``S.max() - top_db`` over the whole array;
    on a batch that would make one clip's values depend on the loudest other
    clip. Here the floor is per clip (axis 0), as if each were converted alone.

    Parameters
    ----------
    S : np.ndarray [shape=(n_clips, ...)]
        Power (not magnitude) values.
    top_db : float or None
        Dynamic range kept below each clip's maximum; None keeps everything.
    amin : float
        Power floor before the logarithm.

    Returns
    -------
    S_db : np.ndarray [same shape and dtype as S]
    """
    S_db = np.log10(np.maximum(amin, S))
    S_db *= 10.0
    if top_db is not None:
        peak = S_db.max(axis=tuple(range(1, S_db.ndim)), keepdims=True)
        np.maximum(S_db, peak - top_db, out=S_db)
    return S_db


@functools.lru_cache(maxsize=32)
def stft_window(window, win_length, n_fft):
    """The analysis window `librosa.stft` uses: ``win_length`` samples of
    ``window``, zero-padded on both sides to ``n_fft``, as float64.

    Raises
    ------
    ValueError
        If `scipy.signal.get_window` does not know ``window``.
    """
    try:
        w = librosa.filters.get_window(window, win_length, fftbins=True)
    except (ValueError, TypeError, AttributeError, librosa.ParameterError) as exc:
        raise ValueError(
            f"window={window!r} is not a window scipy.signal.get_window knows "
            f"(e.g. 'hann', 'hamming', 'blackman'): {exc}"
        ) from None
    w = pad_center(w, n_fft).astype(np.float64)
    w.setflags(write=False)
    return w


def pad_center(w, size):
    """`librosa.util.pad_center` of a 1-D array: zeros on both sides to
    ``size`` samples, one more on the right when the difference is odd."""
    left = (size - w.shape[-1]) // 2
    if left < 0:
        raise ValueError(f"cannot pad {w.shape[-1]} samples to {size}.")
    return np.pad(w, (left, size - w.shape[-1] - left))


def check_frame_fits(n_samples, frame_length):
    """Raise a ValueError naming n_fft if a (padded) clip holds no frame."""
    if n_samples < frame_length:
        raise ValueError(
            f"clips of {n_samples} samples are shorter than one analysis frame "
            f"of n_fft={frame_length} samples; use center=True or a smaller n_fft."
        )


def _frames(X, frame_length, hop_length):
    """Read-only view ``(n_clips, n_frames, frame_length)`` of consecutive frames."""
    check_frame_fits(X.shape[-1], frame_length)
    view = np.lib.stride_tricks.sliding_window_view(X, frame_length, axis=-1)
    return view[:, ::hop_length]


def frame_rms(y, *, frame_length, hop_length, center=True):
    """`librosa.feature.rms(y=y, ...)` exactly, without the frequency axis.

    The same operations as librosa: zero padding by ``frame_length // 2`` on
    both sides when ``center``, frames as a strided view, and the float32
    mean of squares over each frame (the same summation order, so the same
    bits).

    Parameters
    ----------
    y : np.ndarray [shape=(..., n_samples)]
    frame_length, hop_length : int
    center : bool

    Returns
    -------
    rms : np.ndarray [shape=(..., n_frames), dtype=float32]
    """
    if center:
        pad = [(0, 0)] * (y.ndim - 1) + [(frame_length // 2, frame_length // 2)]
        y = np.pad(y, pad, mode="constant")
    check_frame_fits(y.shape[-1], frame_length)
    frames = np.moveaxis(
        np.lib.stride_tricks.sliding_window_view(y, frame_length, axis=-1), -1, -2,
    )[..., ::hop_length]
    return np.sqrt(np.mean(np.square(frames, dtype=np.float32), axis=-2))


def mfcc_from_db(S_db, *, n_mfcc):
    """`librosa.feature.mfcc(S=...)` of a frames-first log-mel batch: the
    orthonormal DCT-II over mel bands (the same `scipy.fft.dct` call on the
    same layout as librosa's), the first ``n_mfcc`` coefficients. The DCT
    does not care how the mel power was compressed: root cepstra pass its
    ``r``-th root instead of its dB.

    Parameters
    ----------
    S_db : np.ndarray [shape=(n_clips, n_frames, n_mels)]

    Returns
    -------
    mfcc : np.ndarray [shape=(n_clips, n_frames, n_mfcc)]
    """
    S = S_db.transpose(0, 2, 1)
    return scipy.fft.dct(S, axis=-2, type=2, norm="ortho")[..., :n_mfcc, :].transpose(0, 2, 1)


def power_spectrogram(X, *, n_fft, hop_length, win_length=None, window="hann", center=True):
    """Power spectrogram ``|STFT|**2`` of each clip, frames first.

    Equals ``np.abs(librosa.stft(y, ...)) ** 2`` with the same parameters and
    librosa's default ``pad_mode="constant"`` (zeros), transposed to
    ``(n_frames, 1 + n_fft // 2)``, to float32 precision.

    Parameters
    ----------
    X : np.ndarray [shape=(n_clips, n_samples), dtype=float32]
    n_fft, hop_length, win_length, window, center
        As in `librosa.stft`.

    Returns
    -------
    power : np.ndarray [shape=(n_clips, n_frames, 1 + n_fft // 2), dtype=float32]
        ``n_frames = 1 + n_samples // hop_length`` when ``center`` (and
        ``n_fft`` is even), else ``1 + (n_samples - n_fft) // hop_length``.
    """
    window = stft_window(window, n_fft if win_length is None else win_length, n_fft)
    X = np.asarray(X, dtype=np.float32)
    if center:
        X = np.pad(X, [(0, 0), (n_fft // 2, n_fft // 2)], mode="constant")
    frames = _frames(X, n_fft, hop_length)
    power = np.empty(frames.shape[:2] + (1 + n_fft // 2,), dtype=np.float32)
    # One clip per FFT call: a clip's frames (~1.5 MB at 3 s) stay in cache.
    # The FFT runs in float64, as librosa's does (its window is float64), so
    # every bin has float32 precision of its own: a float32 FFT's rounding is
    # relative to the whole frame's energy, which swamps the near-empty bins
    # that spectral contrast's valleys are made of.
    for i in range(frames.shape[0]):
        spectrum = scipy.fft.rfft(frames[i] * window, axis=-1, overwrite_x=True)
        power[i] = np.square(spectrum.real) + np.square(spectrum.imag)
    return power


@functools.lru_cache(maxsize=32)
def filterbank(kind, *, sr, n_fft, n_bins, fmin=0.0, fmax=None):
    """A cached, read-only float32 filterbank, ``(1 + n_fft // 2, n_bins)``.

    ``kind="mel"`` is ``librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_bins,
    fmin=fmin, fmax=fmax)``; ``kind="chroma"`` is ``librosa.filters.chroma(
    sr=sr, n_fft=n_fft, n_chroma=n_bins, tuning=0.0)``. Both transposed, so
    ``power @ filterbank(...)`` projects a frames-first spectrogram.

    Raises
    ------
    ValueError
        If ``fmin`` and ``fmax`` are too close to give ``n_bins`` distinct
        mel bands (librosa then divides by zero).
    """
    if kind == "mel":
        with np.errstate(all="ignore"):
            fb = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_bins, fmin=fmin, fmax=fmax)
        if not np.all(np.isfinite(fb)):
            raise ValueError(
                f"fmin={fmin} Hz and fmax={fmax} Hz are too close together to split "
                f"into n_mels={n_bins} mel bands."
            )
    elif kind == "chroma":
        fb = librosa.filters.chroma(sr=sr, n_fft=n_fft, n_chroma=n_bins, tuning=0.0)
    else:  # pragma: no cover - internal misuse
        raise ValueError(f"unknown filterbank kind {kind!r}")
    fb = np.ascontiguousarray(fb.T, dtype=np.float32)
    fb.setflags(write=False)
    return fb


@functools.lru_cache(maxsize=1)
def threadpools():
    """The process's BLAS/OpenMP thread pools (threadpoolctl), found once."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def project(power, bank):
    """``power @ bank`` per clip, in one BLAS thread.

    Multi-threaded BLAS splits a product differently with the thread count,
    which changes the last bit of the result; in one thread a clip's features
    are bit-identical whether it is computed alone, in a batch, in this
    process or in a joblib worker. The products are small (~200 x 513 x 140
    per clip), so threads would gain little. The feature steps' ``transform``
    already holds BLAS to one thread for its whole run (so threads of one
    transform never race to set and restore the limit); this limit covers
    calls from elsewhere, e.g. worker processes.

    Parameters
    ----------
    power : np.ndarray [shape=(n_clips, n_frames, n_bins), dtype=float32]
    bank : np.ndarray [shape=(n_bins, n_out), dtype=float32]

    Returns
    -------
    projected : np.ndarray [shape=(n_clips, n_frames, n_out), dtype=float32]
    """
    blas = threadpools().select(user_api="blas")
    if all(lib.num_threads == 1 for lib in blas.lib_controllers):
        return np.matmul(power, bank)
    with blas.limit(limits=1):
        return np.matmul(power, bank)


def zero_crossing_rate(X, *, frame_length, hop_length, center=True, threshold=1e-10):
    """`librosa.feature.zero_crossing_rate` of each clip, exactly, frames first.

    As librosa does (``pad=False``, ``zero_pos=True``): edge-padded when
    ``center``; samples within ``threshold`` of zero count as positive; a
    crossing is a sign change between consecutive samples of one frame; the
    rate is the number of crossings over ``frame_length``. Crossings are
    found once per sample and counted per frame from a cumulative sum, so the
    counts, and the rates, are exact.

    Returns
    -------
    zcr : np.ndarray [shape=(n_clips, n_frames), dtype=float64]
    """
    if center:
        X = np.pad(X, [(0, 0), (frame_length // 2, frame_length // 2)], mode="edge")
    n_samples = X.shape[-1]
    check_frame_fits(n_samples, frame_length)
    negative = X < -threshold
    # crossings[:, j] counts sign changes at samples 1..j (none at sample 0).
    crossings = np.zeros(X.shape, dtype=np.int32)
    np.cumsum(negative[:, 1:] != negative[:, :-1], axis=-1, out=crossings[:, 1:])
    starts = np.arange(1 + (n_samples - frame_length) // hop_length) * hop_length
    counts = crossings[:, starts + frame_length - 1] - crossings[:, starts]
    return counts / frame_length


def spectral_contrast(power, *, sr, n_fft, n_bands=6, fmin=200.0, quantile=0.02):
    """`librosa.feature.spectral_contrast` of a batch, frames first, dB floor per clip.

    Same octave bands, the same bin at each band's edges, the same quantile
    rule and the same dB conversion (``power_to_db`` of the peak and valley
    magnitudes, ``top_db=80``) as librosa applies to one clip; the floor is
    taken per clip, so the result of each clip equals librosa's on that clip
    alone.

    Parameters
    ----------
    power : np.ndarray [shape=(n_clips, n_frames, 1 + n_fft // 2)]
        Power spectrogram, frames first; the contrast is that of its
        magnitude ``np.sqrt(power)``, as librosa computes it from ``S``.

    Returns
    -------
    contrast : np.ndarray [shape=(n_clips, n_frames, n_bands + 1), dtype=float64]
    """
    peak, valley = band_peaks_valleys(power, sr=sr, n_fft=n_fft, n_bands=n_bands, fmin=fmin,
                                      quantile=quantile)
    return power_to_db(peak, top_db=80.0) - power_to_db(valley, top_db=80.0)


def band_peaks_valleys(power, *, sr, n_fft, n_bands=6, fmin=200.0, quantile=0.02):
    """The peak and valley magnitudes that `spectral_contrast` compares.

    Parameters
    ----------
    power : np.ndarray [shape=(n_clips, n_frames, 1 + n_fft // 2)]
        Power spectrogram, frames first.

    Returns
    -------
    peak, valley : np.ndarray [shape=(n_clips, n_frames, n_bands + 1), dtype=float64]
        The mean magnitude of the ``quantile`` loudest and quietest bins of
        each octave band (librosa's bands and rule).
    """
    freq = librosa.fft_frequencies(sr=sr, n_fft=n_fft)
    octa = np.zeros(n_bands + 2)
    octa[1:] = fmin * (2.0 ** np.arange(0, n_bands + 1))
    shape = power.shape[:-1] + (n_bands + 1,)
    valley = np.zeros(shape)
    peak = np.zeros(shape)
    for k, (f_low, f_high) in enumerate(zip(octa[:-1], octa[1:])):
        band = np.logical_and(freq >= f_low, freq <= f_high)
        idx = np.flatnonzero(band)
        if k > 0:
            band[idx[0] - 1] = True
        if k == n_bands:
            band[idx[-1] + 1:] = True
        # A band is a run of bins: a slice (a view) selects it without a copy.
        idx = np.flatnonzero(band)
        sub = power[..., idx[0]:idx[-1] + (0 if k < n_bands else 1)]
        q = int(max(np.rint(quantile * np.sum(band)), 1))
        # Sorting along the contiguous last axis (NumPy's SIMD sort) beats
        # both np.partition and min/max reductions on rows this short. Power
        # sorts as magnitude does, so only the 2q chosen bins need a sqrt.
        ordered = np.sort(sub, axis=-1)
        valley[..., k] = np.sqrt(ordered[..., :q]).mean(axis=-1)
        peak[..., k] = np.sqrt(ordered[..., -q:]).mean(axis=-1)
    return peak, valley
