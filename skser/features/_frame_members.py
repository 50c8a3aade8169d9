"""The frame features of `FrameFeatures1D`, each declared once.

A member is a name, its output width, the intermediates it needs and one
function from those intermediates to a ``(n_clips, n_frames, width)`` array,
NaN where the feature is undefined in a frame (F0 of an unvoiced frame).
Intermediates (framing, power spectrum, mel and chroma projections, pitch
track, cycle perturbation) are computed once per chunk of clips, on the
first member that asks for them, by `Intermediates`. Names, widths,
documentation and parameter checks of `FrameFeatures1D` all come from
`FEATURES`, so a new member touches this module and one test.

Data contract
-------------
input : one chunk of fixed-length waveforms ``(n_clips, n_samples)`` float32
    and the `FrameFeatures1D` holding the parameters.
output : per member ``(n_clips, n_frames, width)``, float32 or float64,
    NaN where undefined; every member has the same ``n_frames``.
"""

import functools
from dataclasses import dataclass
from typing import Callable

import librosa
import numpy as np

from ._dsp import (
    band_peaks_valleys, check_frame_fits, filterbank, frame_rms, mfcc_from_db, power_spectrogram,
    power_to_db, project, spectral_contrast, stft_window, zero_crossing_rate,
)
from ._pitch import check_pitch_range, perturbation, pitch_frame_length, track_pitch
from ._spectral import BaseSpectralFeatures

__all__ = ["FEATURES", "FrameFeature", "Intermediates", "frame_feature"]

#: Reference of the semitone scale of F0 (eGeMAPS' "F0semitoneFrom27.5Hz").
SEMITONE_REF_HZ = 27.5
#: Fraction of the magnitude below the spectral roll-off frequency (librosa's default).
ROLL_PERCENT = 0.85
#: Exponent of Stevens' power law for loudness (as openSMILE's loudness).
LOUDNESS_EXPONENT = 0.3
#: Frequency bands (Hz) of the spectral slopes, the alpha ratio and the
#: Hammarberg index, as defined for eGeMAPS (Eyben et al. 2016).
SLOPE_BANDS = ((0.0, 500.0), (500.0, 1500.0))
ALPHA_BANDS = ((50.0, 1000.0), (1000.0, 5000.0))
HAMMARBERG_BANDS = ((0.0, 2000.0), (2000.0, 5000.0))
#: Floor of power before a logarithm, as `librosa.power_to_db`'s ``amin``.
AMIN = 1e-10


@dataclass(frozen=True)
class FrameFeature:
    """One member of the frame-feature family.

    Attributes
    ----------
    name : str
        Name in ``features`` and the stem of its column names.
    width : callable
        ``width(params) -> int``, the number of columns given the step's
        parameters (columns are named ``name`` if 1, else ``name0``, ...).
    needs : tuple of str
        Intermediates it reads; each has a parameter check in `CHECKS`.
    compute : callable
        ``compute(intermediates) -> np.ndarray [shape=(n_clips, n_frames, width)]``.
    definition : str
        One line for the documentation table.
    """

    name: str
    width: Callable
    needs: tuple
    compute: Callable
    definition: str


#: name -> FrameFeature, in declaration order (the default order).
FEATURES = {}


def frame_feature(name, *, needs, definition, width=1):
    """Declare ``name``: the decorated function computes it from `Intermediates`."""
    def register(compute):
        FEATURES[name] = FrameFeature(
            name=name, width=width if callable(width) else (lambda params, w=width: w),
            needs=tuple(needs), compute=compute, definition=definition,
        )
        return compute
    return register


def _column(values):
    """``(n_clips, n_frames)`` -> ``(n_clips, n_frames, 1)``."""
    return values[..., np.newaxis]


def _band(freqs, low, high):
    return (freqs >= low) & (freqs <= high)


def _band_slice(freqs, low, high):
    """The bins from ``low`` to ``high`` Hz as a slice (a view, no copy)."""
    idx = np.flatnonzero(_band(freqs, low, high))
    return slice(idx[0], idx[-1] + 1)


class Intermediates:
    """What the members of one chunk share, each computed on first use.

    Parameters
    ----------
    X : np.ndarray [shape=(n_clips, n_samples), dtype=float32]
    params : FrameFeatures1D
        Holds ``sr, n_fft, hop_length, ...``; read, never modified.
    needs : set of str
        Intermediates the requested features need (`FrameFeature.needs`):
        the filterbanks named there (``"mel_power"``, ``"chroma_power"``)
        are projected onto in one product.
    """

    def __init__(self, X, params, *, needs=frozenset()):
        self.X = X
        self.p = params
        self.needs = needs

    @functools.cached_property
    def freqs(self):
        return librosa.fft_frequencies(sr=self.p.sr, n_fft=self.p.n_fft)

    @functools.cached_property
    def window(self):
        p = self.p
        return stft_window(p.window, p.n_fft if p.win_length is None else p.win_length, p.n_fft)

    @functools.cached_property
    def rms(self):
        """librosa's own framing (zero padding, float32 mean of squares)."""
        p = self.p
        return frame_rms(self.X, frame_length=p.n_fft, hop_length=p.hop_length,
                         center=p.center)

    @functools.cached_property
    def power(self):
        p = self.p
        return power_spectrogram(self.X, n_fft=p.n_fft, hop_length=p.hop_length,
                                 win_length=p.win_length, window=p.window, center=p.center)

    @functools.cached_property
    def magnitude(self):
        return np.sqrt(self.power)

    @functools.cached_property
    def spectral_moments(self):
        """Centroid and second moment (Hz, Hz²) of each frame's magnitude spectrum,
        0 for a silent frame (as librosa gives)."""
        mag = self.magnitude
        total = mag.sum(axis=-1, dtype=np.float64)
        moments = mag @ np.stack([self.freqs, np.square(self.freqs)], axis=1).astype(np.float32)
        with np.errstate(invalid="ignore", divide="ignore"):
            moments = np.where(total[..., np.newaxis] > 0, moments / total[..., np.newaxis], 0.0)
        return moments[..., 0], moments[..., 1]

    @functools.cached_property
    def _projected(self):
        """The power spectrum on the mel and chroma filterbanks, one product."""
        p = self.p
        banks = {}
        if "mel_power" in self.needs:
            banks["mel"] = filterbank("mel", sr=p.sr, n_fft=p.n_fft, n_bins=p.n_mels,
                                      fmin=p.fmin, fmax=p.fmax)
        if "chroma_power" in self.needs:
            banks["chroma"] = filterbank("chroma", sr=p.sr, n_fft=p.n_fft, n_bins=p.n_chroma)
        bank = next(iter(banks.values())) if len(banks) == 1 else np.concatenate(
            list(banks.values()), axis=1)
        projected = project(self.power, bank)
        out, start = {}, 0
        for name, b in banks.items():
            out[name] = projected[..., start:start + b.shape[1]]
            start += b.shape[1]
        return out

    @functools.cached_property
    def mel_power(self):
        return self._projected["mel"]

    @functools.cached_property
    def mel_db(self):
        return power_to_db(self.mel_power, top_db=self.p.top_db)

    @functools.cached_property
    def chroma_power(self):
        return self._projected["chroma"]

    @functools.cached_property
    def _pitch_frames(self):
        """The power spectrum and window the pitch tracker reads: the shared
        ones when two periods of ``f0_min`` fit in the window, else a longer
        window's, centred on the same frames (one more STFT)."""
        p = self.p
        window_length = p.n_fft if p.win_length is None else p.win_length
        length = pitch_frame_length(sr=p.sr, f0_min=p.f0_min, frame_length=window_length)
        if length == window_length:
            return self.power, self.window, p.n_fft
        X = self.X
        if not p.center:
            # Frame t then starts (length - n_fft) / 2 earlier: the same centre.
            check_frame_fits(X.shape[-1], p.n_fft)
            extra = (length - p.n_fft) // 2
            X = np.pad(X, [(0, 0), (extra, length - p.n_fft - extra)])
        power = power_spectrogram(X, n_fft=length, hop_length=p.hop_length, window=p.window,
                                  center=p.center)
        return power, stft_window(p.window, length, length), length

    @functools.cached_property
    def pitch(self):
        p = self.p
        power, window, _ = self._pitch_frames
        return track_pitch(power, sr=p.sr, window=window, f0_min=p.f0_min, f0_max=p.f0_max)

    @functools.cached_property
    def perturbation(self):
        p = self.p
        return perturbation(self.X, self.pitch.f0, sr=p.sr, hop_length=p.hop_length,
                            frame_length=self._pitch_frames[2], center=p.center)


# ----------------------------------------------------------- parameter checks

def _check_pitch(params):
    check_pitch_range(sr=params.sr, f0_min=params.f0_min, f0_max=params.f0_max)


def _check_contrast(params):
    # librosa's octave bands start at 200 Hz; the last one starts at
    # 200 * 2**(n_bands - 1) Hz, which must lie below Nyquist.
    top = 200.0 * 2.0 ** (params.n_bands - 1)
    if top >= params.sr / 2:
        raise ValueError(
            f"n_bands={params.n_bands} spectral-contrast octaves from 200 Hz start "
            f"a band at {top:g} Hz, not below the Nyquist frequency "
            f"{params.sr / 2:g} Hz; use fewer bands or a higher sr."
        )
    if params.sr / params.n_fft > 200:
        # FFT bins coarser than the 200 Hz first octave leave contrast
        # bands without a bin (NaN or IndexError inside librosa).
        raise ValueError(
            f"n_fft={params.n_fft} is too small for spectral contrast at "
            f"sr={params.sr}: it needs n_fft >= sr / 200 = {params.sr / 200:g}."
        )


def _check_mfcc(params):
    if params.n_mfcc > params.n_mels:
        raise ValueError(f"n_mfcc={params.n_mfcc} cannot exceed n_mels={params.n_mels}.")
    params._check_mel_bands()


def _check_bands(*bands):
    """A check that each band (Hz) holds at least two FFT bins."""
    def check(params):
        freqs = librosa.fft_frequencies(sr=params.sr, n_fft=params.n_fft)
        for low, high in bands:
            if np.count_nonzero(_band(freqs, low, high)) < 2:
                nyquist = params.sr / 2
                remedy = (f"use sr above {2 * low:g} Hz" if low >= nyquist else
                          f"use n_fft >= {params.sr / (min(high, nyquist) - low):g}")
                raise ValueError(
                    f"the {low:g}-{high:g} Hz band holds fewer than two FFT bins at "
                    f"sr={params.sr} and n_fft={params.n_fft} (bins "
                    f"{params.sr / params.n_fft:g} Hz apart, up to {nyquist:g} Hz); {remedy}."
                )
    return check


#: Intermediate (or member-specific need) -> check of the parameters it uses.
CHECKS = {
    "mel_power": BaseSpectralFeatures._check_mel_bands, "mfcc": _check_mfcc,
    "contrast": _check_contrast,
    "pitch": _check_pitch, "slope_bands": _check_bands(*SLOPE_BANDS),
    "alpha_bands": _check_bands(*ALPHA_BANDS),
    "hammarberg_bands": _check_bands(*HAMMARBERG_BANDS),
}


# ------------------------------------------------------------------- members
# In the order of FEATURE_NAMES: the course recipe's seven first.

@frame_feature("zcr", needs=("X",),
               definition="``feature.zero_crossing_rate(y, frame_length=n_fft)``")
def _zcr(m):
    p = m.p
    return _column(zero_crossing_rate(m.X, frame_length=p.n_fft, hop_length=p.hop_length,
                                      center=p.center))


@frame_feature("energy", needs=("rms",),
               definition="sum of squared samples in the frame (= n_fft * rms²)")
def _energy(m):
    return _column(m.p.n_fft * np.square(m.rms))


@frame_feature("rms", needs=("rms",), definition="``feature.rms(y=y, frame_length=n_fft)``")
def _rms(m):
    return _column(m.rms)


@frame_feature("mfcc", needs=("mel_power", "mfcc"), width=lambda p: p.n_mfcc,
               definition="``feature.mfcc(y=y, n_mfcc, n_mels, ...)`` (top_db=80); with "
                          "``cepstral_root=r``, the DCT of the mel power's r-th root")
def _mfcc(m):
    root = m.p.cepstral_root
    if root is not None:
        # Root cepstra: the same orthonormal DCT of the compressed mel power.
        return mfcc_from_db(np.power(m.mel_power, 1.0 / root), n_mfcc=m.p.n_mfcc)
    # librosa.feature.mfcc's own dB step is top_db=80, which the mel feature
    # has already computed at the default.
    mel_db = m.mel_db if m.p.top_db == 80.0 else power_to_db(m.mel_power, top_db=80.0)
    return mfcc_from_db(mel_db, n_mfcc=m.p.n_mfcc)


@frame_feature("chroma", needs=("chroma_power",), width=lambda p: p.n_chroma,
               definition="``feature.chroma_stft(y=y, tuning=0.0, ...)``")
def _chroma(m):
    return librosa.util.normalize(m.chroma_power, norm=np.inf, axis=-1)


@frame_feature("contrast", needs=("power", "contrast"), width=lambda p: p.n_bands + 1,
               definition="``feature.spectral_contrast(y=y, n_bands, ...)``; with "
                          "``contrast_root=r``, the peak's power r-th root minus the valley's")
def _contrast(m):
    p = m.p
    if p.contrast_root is None:
        return spectral_contrast(m.power, sr=p.sr, n_fft=p.n_fft, n_bands=p.n_bands)
    peak, valley = band_peaks_valleys(m.power, sr=p.sr, n_fft=p.n_fft, n_bands=p.n_bands)
    # Magnitudes: the power's r-th root is the magnitude's (r / 2)-th.
    exponent = 2.0 / p.contrast_root
    return np.power(peak, exponent) - np.power(valley, exponent)


@frame_feature("mel", needs=("mel_power",), width=lambda p: p.n_mels,
               definition="``power_to_db(feature.melspectrogram(y=y, ...))`` (dB re 1.0, "
                          "floored ``top_db`` below the clip's peak)")
def _mel(m):
    return m.mel_db


# Prosody and voice quality (eGeMAPS' low-level descriptors).

@frame_feature("f0", needs=("pitch",),
               definition="pitch in semitones above 27.5 Hz (Boersma's autocorrelation "
                          "method, ``f0_min`` to ``f0_max``); NaN (0 per frame) where "
                          "unvoiced")
def _f0(m):
    return _column(12.0 * np.log2(m.pitch.f0 / SEMITONE_REF_HZ))


@frame_feature("voicing", needs=("pitch",),
               definition="voicing probability: the peak of the normalised "
                          "autocorrelation, in [0, 1]")
def _voicing(m):
    return _column(m.pitch.strength)


@frame_feature("voiced", needs=("pitch",),
               definition="1 in voiced frames (voicing above 0.45, within 30 dB of the "
                          "clip's loudest frame), else 0")
def _voiced(m):
    return _column(m.pitch.voiced.astype(np.float32))


@frame_feature("hnr", needs=("pitch",),
               definition="harmonics-to-noise ratio in dB, ``10 log10(r / (1 - r))`` of "
                          "the voicing peak r; NaN where unvoiced")
def _hnr(m):
    return _column(m.pitch.hnr)


@frame_feature("jitter", needs=("pitch",),
               definition="local jitter: mean absolute difference of consecutive "
                          "glottal cycle lengths over their mean; NaN without two cycles")
def _jitter(m):
    return _column(m.perturbation[0])


@frame_feature("shimmer", needs=("pitch",),
               definition="local shimmer: mean absolute dB difference of consecutive "
                          "cycles' peak amplitudes; NaN without two cycles")
def _shimmer(m):
    return _column(m.perturbation[1])


@frame_feature("loudness", needs=("mel_power",),
               definition="sum over mel bands of band power to the 0.3 "
                          "(Stevens' power law, as openSMILE's loudness)")
def _loudness(m):
    return _column(np.power(m.mel_power, LOUDNESS_EXPONENT, dtype=np.float32).sum(axis=-1))


@frame_feature("centroid", needs=("power",),
               definition="``feature.spectral_centroid(y=y, ...)`` in Hz")
def _centroid(m):
    return _column(m.spectral_moments[0])


@frame_feature("bandwidth", needs=("power",),
               definition="``feature.spectral_bandwidth(y=y, ...)`` (p=2) in Hz")
def _bandwidth(m):
    centroid, second = m.spectral_moments
    return _column(np.sqrt(np.maximum(second - np.square(centroid), 0.0)))


@frame_feature("rolloff", needs=("power",),
               definition="``feature.spectral_rolloff(y=y, roll_percent=0.85, ...)`` in Hz")
def _rolloff(m):
    total = np.cumsum(m.magnitude, axis=-1)
    below = total < ROLL_PERCENT * total[..., -1:]
    # The first bin whose cumulative magnitude reaches the threshold.
    index = np.minimum(below.sum(axis=-1), m.freqs.size - 1)
    return _column(m.freqs[index])


@frame_feature("flatness", needs=("power",),
               definition="``feature.spectral_flatness(y=y, ...)``: geometric over "
                          "arithmetic mean of the power spectrum")
def _flatness(m):
    power = np.maximum(m.power, AMIN)
    gmean = np.exp(np.mean(np.log(power), axis=-1))
    return _column(gmean / power.mean(axis=-1))


@frame_feature("flux", needs=("power",),
               definition="spectral flux: Euclidean distance between consecutive "
                          "L2-normalised magnitude spectra (0 in the first frame)")
def _flux(m):
    # |u - v|² = 2 - 2 u.v for unit vectors; |magnitude|² is the power sum.
    mag = m.magnitude
    norm = np.sqrt(m.power.sum(axis=-1, dtype=np.float64))
    dot = np.einsum("ntk,ntk->nt", mag[:, 1:], mag[:, :-1], dtype=np.float64)
    both = norm[:, 1:] * norm[:, :-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        cosine = np.where(both > 0, dot / both, 0.0)
    # A silent frame is the zero vector: 1 from any unit spectrum (cosine
    # 0.5), 0 from another silent frame (cosine 1).
    silent = norm == 0
    cosine = np.where(silent[:, 1:] ^ silent[:, :-1], 0.5, cosine)
    cosine = np.where(silent[:, 1:] & silent[:, :-1], 1.0, cosine)
    flux = np.zeros(mag.shape[:2])
    flux[:, 1:] = np.sqrt(np.maximum(2.0 - 2.0 * cosine, 0.0))
    return _column(flux)


@frame_feature("slope", needs=("power", "slope_bands"), width=2,
               definition="spectral slopes 0-500 Hz and 500-1500 Hz: least-squares slope "
                          "of the power spectrum in dB over frequency, dB/kHz")
def _slope(m):
    columns = []
    for low, high in SLOPE_BANDS:
        band = _band_slice(m.freqs, low, high)
        f = m.freqs[band] / 1000.0
        weights = (f - f.mean()) / np.sum(np.square(f - f.mean()))
        db = 10.0 * np.log10(np.maximum(m.power[..., band], AMIN))
        columns.append(db @ weights.astype(np.float32))
    return np.stack(columns, axis=-1)


@frame_feature("alpha_ratio", needs=("power", "alpha_bands"),
               definition="alpha ratio: power 50-1000 Hz over 1-5 kHz, in dB")
def _alpha_ratio(m):
    low, high = (m.power[..., _band_slice(m.freqs, *b)].sum(axis=-1) for b in ALPHA_BANDS)
    return _column(10.0 * np.log10(np.maximum(low, AMIN) / np.maximum(high, AMIN)))


@frame_feature("hammarberg", needs=("power", "hammarberg_bands"),
               definition="Hammarberg index: strongest bin 0-2 kHz over strongest "
                          "2-5 kHz, in dB")
def _hammarberg(m):
    low, high = (m.power[..., _band_slice(m.freqs, *b)].max(axis=-1) for b in HAMMARBERG_BANDS)
    return _column(10.0 * np.log10(np.maximum(low, AMIN) / np.maximum(high, AMIN)))


#: Every feature FrameFeatures1D can compute, in declaration order.
FEATURE_NAMES = tuple(FEATURES)
