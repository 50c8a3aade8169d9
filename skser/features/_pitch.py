"""Pitch, voicing, harmonics-to-noise ratio, jitter and shimmer of a batch of clips.

The pitch tracker is Boersma's (1993) autocorrelation method, the one behind
Praat's ``To Pitch (ac)``: the autocorrelation of a windowed frame, divided by
the autocorrelation of the window, is close to 1 at the period of a periodic
signal whatever the window, and its height there measures periodicity
(``r / (1 - r)`` is the harmonics-to-noise power ratio). Here it is computed
from the power spectrogram the other spectral features already need (one
inverse FFT per frame, no second framing), so pitch costs a fraction of a
separate tracker such as `librosa.yin` or `librosa.pyin`.

Jitter and shimmer are cycle-to-cycle perturbations: within each voiced run
the waveform's peaks, at least 0.8 periods apart, mark the glottal cycles;
consecutive cycles whose lengths agree with the pitch track give the period
and amplitude differences, averaged per frame over the cycles in its window
(Praat's "local" jitter and "local, dB" shimmer).

Data contract
-------------
input : power spectrogram ``(n_clips, n_frames, 1 + n_fft // 2)`` of frames
    windowed with ``window``, and the waveforms ``(n_clips, n_samples)``.
output : per-frame arrays ``(n_clips, n_frames)``, float64, NaN where the
    quantity is undefined (unvoiced frames for F0 and HNR; frames with no two
    consecutive matching cycles for jitter and shimmer).
"""

from typing import NamedTuple

import numpy as np
import scipy.fft
import scipy.signal

__all__ = ["PitchTrack", "check_pitch_range", "perturbation", "track_pitch"]

#: Peak autocorrelation above which a frame is voiced (Praat's default).
VOICING_THRESHOLD = 0.45
#: Frames more than this many dB below the clip's loudest frame are unvoiced
#: (Praat's silence threshold, 0.03 of the peak amplitude, is about 30 dB).
SILENCE_DB = 30.0
#: Penalty per octave of longer lag (Praat's octave cost), so that a period
#: wins over its double, whose autocorrelation is nearly as high.
OCTAVE_COST = 0.01
#: Largest ratio of consecutive cycle lengths, and of a cycle to the pitch
#: track's period, still taken as one voiced cycle (Praat's period factor).
MAX_PERIOD_FACTOR = 1.3
#: Largest ratio of consecutive cycles' peak amplitudes still taken as one
#: voice (Praat's maximum amplitude factor); beyond it a "cycle" is a ring-down
#: or a stray peak.
MAX_AMPLITUDE_FACTOR = 1.6
#: Highest HNR reported, in dB: the autocorrelation is clipped below 1.
MAX_HNR_DB = 40.0


class PitchTrack(NamedTuple):
    """Per-frame pitch analysis of a batch, each ``(n_clips, n_frames)``."""

    f0: np.ndarray  # Hz, NaN where unvoiced
    strength: np.ndarray  # peak normalised autocorrelation in [0, 1]: voicing probability
    voiced: np.ndarray  # bool
    hnr: np.ndarray  # dB, NaN where unvoiced


def check_pitch_range(*, sr, f0_min, f0_max):
    """Raise a ValueError naming the parameter if the pitch range cannot be tracked:
    the shortest period must span at least two samples."""
    if f0_min >= f0_max:
        raise ValueError(f"f0_min={f0_min} Hz must be below f0_max={f0_max} Hz.")
    if sr / f0_max < 2:
        raise ValueError(
            f"f0_max={f0_max} Hz is too high for sr={sr}: a period needs at least two "
            f"samples, so f0_max <= sr / 2 = {sr / 2:g} Hz."
        )


def pitch_frame_length(*, sr, f0_min, frame_length):
    """The analysis frame the pitch tracker needs: ``frame_length`` if two
    periods of ``f0_min`` fit in it (beyond half the window the window's own
    autocorrelation is too small to divide by), else the next power of two
    that holds them."""
    needed = 2 * sr / f0_min
    if frame_length >= needed:
        return frame_length
    return 1 << int(np.ceil(np.log2(needed)))


def _window_autocorrelation(window):
    """Circular autocorrelation of the window, normalised to 1 at lag 0."""
    spectrum = scipy.fft.rfft(window)
    r = scipy.fft.irfft(np.square(spectrum.real) + np.square(spectrum.imag), n=window.size)
    return r / r[0]


def track_pitch(power, *, sr, window, f0_min, f0_max):
    """Boersma's autocorrelation pitch track from a power spectrogram.

    Parameters
    ----------
    power : np.ndarray [shape=(n_clips, n_frames, 1 + n_fft // 2)]
        ``|STFT|**2`` of frames windowed with ``window``.
    sr : int
        Sampling rate in Hz.
    window : np.ndarray [shape=(n_fft,)]
        The analysis window, zero-padded to ``n_fft`` (`stft_window`).
    f0_min, f0_max : float
        Pitch search range in Hz.

    Returns
    -------
    PitchTrack
    """
    n_fft = window.size
    lag_min = max(1, int(np.floor(sr / f0_max)))
    lag_max = int(np.ceil(sr / f0_min))
    # Frames are not mean-removed: drop the bins below half the lowest pitch,
    # where a frame's DC offset (and rumble) would otherwise sit.
    low = int(np.ceil(0.5 * f0_min * n_fft / sr))
    spectrum = np.array(power, dtype=np.float32)
    spectrum[..., :low] = 0.0
    # A float32 inverse FFT is 5x faster than float64 here, and its rounding
    # (1e-7 of the frame's energy) is far below the 1e-4 that the highest
    # HNR reported (40 dB) needs. Only lags up to lag_max + 1 are kept.
    r = scipy.fft.irfft(spectrum, n=n_fft, axis=-1)[..., :lag_max + 2]
    energy = r[..., 0].astype(np.float64)
    rw = _window_autocorrelation(window)[:lag_max + 2].astype(np.float32)
    # Energies below float32's smallest normal number (a whisper of rounding
    # in a faded or scaled-down pause) count as silence: their reciprocal
    # would overflow float32 and turn the frame's autocorrelation into NaN.
    audible = energy > np.finfo(np.float32).tiny
    with np.errstate(divide="ignore", invalid="ignore"):
        rn = r * (1.0 / np.where(audible, energy, np.inf)).astype(np.float32)[..., np.newaxis]
        rn /= rw
    lags = np.arange(lag_min, lag_max + 1)
    cost = (OCTAVE_COST * np.log2(f0_min * lags / sr)).astype(np.float32)
    candidates = rn[..., lag_min:lag_max + 1] - cost
    best = lag_min + np.argmax(candidates, axis=-1)
    # A period that is a multiple of the true one (an octave down) scores
    # almost as high; where the half lag is nearly as periodic, take it.
    half = best // 2
    take_half = (half >= lag_min) & (
        np.take_along_axis(rn, half[..., np.newaxis], axis=-1)[..., 0]
        > 0.9 * np.take_along_axis(rn, best[..., np.newaxis], axis=-1)[..., 0])
    best = np.where(take_half, half, best)
    # The octave cost can tip the choice one lag off the top of a flat peak:
    # climb to the neighbour where the autocorrelation itself is highest.
    near = np.clip(best, 1, lag_max)[..., np.newaxis] + np.arange(-1, 2)
    best = near[..., 0] + np.argmax(np.take_along_axis(rn, near, axis=-1), axis=-1)
    # Parabolic interpolation of the peak (lag and height) between samples.
    idx = np.clip(best, 1, lag_max)[..., np.newaxis]
    y0, y1, y2 = np.take_along_axis(
        rn, idx + np.arange(-1, 2), axis=-1).astype(np.float64).transpose(2, 0, 1)
    curvature = y0 - 2 * y1 + y2
    is_peak = (y1 >= y0) & (y1 >= y2) & (curvature < 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(is_peak, 0.5 * (y0 - y2) / curvature, 0.0)
    shift = np.clip(shift, -0.5, 0.5)
    height = np.where(is_peak, y1 - 0.25 * (y0 - y2) * shift, y1)
    strength = np.clip(height, 0.0, 1.0)
    with np.errstate(divide="ignore"):
        loud = 10 * np.log10(np.maximum(energy, 1e-300))
    floor = loud.max(axis=-1, keepdims=True) - SILENCE_DB
    voiced = (strength > VOICING_THRESHOLD) & is_peak & (loud > floor) & audible
    f0 = np.where(voiced, sr / (idx[..., 0] + shift), np.nan)
    r_max = 1.0 / (1.0 + 10.0 ** (-MAX_HNR_DB / 10))
    r_clip = np.clip(height, 1.0 - r_max, r_max)
    hnr = np.where(voiced, 10 * np.log10(r_clip / (1.0 - r_clip)), np.nan)
    return PitchTrack(f0=f0, strength=strength, voiced=voiced, hnr=hnr)


def _cycle_marks(y, f0_frames, *, sr, hop_length, offset):
    """Peak positions (samples) and heights of the glottal cycles of one clip.

    Within each run of voiced frames, the waveform's largest peaks at least
    0.8 of the run's shortest period apart (of the polarity with the larger
    extremes) mark one cycle each. Only the peak search runs per voiced run;
    the rest works on all of the clip's peaks at once.

    Returns
    -------
    positions, heights, expected, run : np.ndarray [shape=(n_peaks,)]
        Peak positions (fractional samples) and heights, the pitch track's
        period at each peak (samples), and the index of its voiced run.
    """
    voiced = np.isfinite(f0_frames)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], voiced.view(np.int8), [0]])))
    found, signs, runs = [], [], []
    for k, (first, stop) in enumerate(zip(edges[::2], edges[1::2])):
        shortest = sr / np.max(f0_frames[first:stop])
        start = max(0, first * hop_length + offset - hop_length // 2)
        end = min(y.size, (stop - 1) * hop_length + offset + hop_length // 2 + 1)
        if end - start < 3 * shortest:
            continue
        segment = y[start:end]
        sign = -1.0 if -segment.min() > segment.max() else 1.0
        peaks, _ = scipy.signal.find_peaks(sign * segment, distance=max(1, int(0.8 * shortest)))
        found.append(start + peaks)
        signs.append(np.full(peaks.size, sign))
        runs.append(np.full(peaks.size, k))
    empty = np.empty(0)
    if not found:
        return empty, empty, empty, empty
    peaks, sign, run = np.concatenate(found), np.concatenate(signs), np.concatenate(runs)
    inside = (peaks > 0) & (peaks < y.size - 1)
    peaks, sign, run = peaks[inside], sign[inside], run[inside]
    # Parabolic interpolation between samples: a cycle's length and peak are
    # not whole samples, and rounding them would add jitter and shimmer of
    # their own (up to half a sample, a few tenths of a dB).
    y0, y1, y2 = (sign * y[peaks + d].astype(np.float64) for d in (-1, 0, 1))
    curvature = y0 - 2 * y1 + y2
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(curvature < 0, 0.5 * (y0 - y2) / curvature, 0.0)
    shift = np.clip(shift, -0.5, 0.5)
    positions = peaks + shift
    heights = y1 - 0.25 * (y0 - y2) * shift
    frame = np.clip(np.rint((positions - offset) / hop_length).astype(int), 0, f0_frames.size - 1)
    return positions, heights, sr / f0_frames[frame], run


def perturbation(X, f0, *, sr, hop_length, frame_length, center):
    """Local jitter and shimmer (dB) per frame, from the cycles in each frame's window.

    Parameters
    ----------
    X : np.ndarray [shape=(n_clips, n_samples)]
        The waveforms.
    f0 : np.ndarray [shape=(n_clips, n_frames)]
        Pitch track in Hz, NaN where unvoiced (`track_pitch`).
    sr, hop_length, frame_length, center
        Framing of ``f0``; a frame's window is ``frame_length`` samples.

    Returns
    -------
    jitter : np.ndarray [shape=(n_clips, n_frames)]
        Mean absolute difference of consecutive cycle lengths over the mean
        cycle length (a fraction; Praat's "jitter (local)").
    shimmer : np.ndarray [shape=(n_clips, n_frames)]
        Mean absolute dB difference of consecutive cycles' peak amplitudes
        (Praat's "shimmer (local, dB)").
        Both NaN where a frame's window holds no two consecutive cycles that
        match the pitch track.
    """
    n_clips, n_frames = f0.shape
    offset = 0 if center else frame_length // 2  # frame t's centre is t * hop + offset
    jitter = np.full((n_clips, n_frames), np.nan)
    shimmer = np.full((n_clips, n_frames), np.nan)
    centres = np.arange(n_frames) * hop_length + offset
    for i in range(n_clips):
        positions, heights, expected, run = _cycle_marks(
            X[i], f0[i], sr=sr, hop_length=hop_length, offset=offset)
        if positions.size < 3:
            continue
        # Cycle j runs from peak j to peak j + 1 of the same voiced run; it
        # counts when its length agrees with the pitch track and its peaks
        # with each other (Praat's period and amplitude factors).
        lengths = np.diff(positions)
        with np.errstate(divide="ignore", invalid="ignore"):
            db = 20 * np.log10(np.maximum(heights, 1e-30))
            ok = ((run[1:] == run[:-1]) & (heights[1:] > 0) & (heights[:-1] > 0)
                  & (lengths < MAX_PERIOD_FACTOR * expected[1:])
                  & (lengths * MAX_PERIOD_FACTOR > expected[1:])
                  & (np.abs(np.diff(db)) < 20 * np.log10(MAX_AMPLITUDE_FACTOR)))
        # Consecutive cycles j, j + 1, both valid and of similar length.
        ratio = lengths[1:] / lengths[:-1]
        pair = ok[1:] & ok[:-1] & (ratio < MAX_PERIOD_FACTOR) & (ratio > 1 / MAX_PERIOD_FACTOR)
        if not pair.any():
            continue
        where = positions[1:-1][pair]  # the peak the two cycles share, ascending
        values = (np.abs(np.diff(lengths))[pair], 0.5 * (lengths[1:] + lengths[:-1])[pair],
                  np.abs(np.diff(db[1:]))[pair])
        sums = [np.concatenate([[0.0], np.cumsum(v)]) for v in values]
        lo = np.searchsorted(where, centres - frame_length // 2, side="left")
        hi = np.searchsorted(where, centres + frame_length // 2, side="left")
        has = hi > lo
        lo, hi = lo[has], hi[has]
        jitter[i, has] = (sums[0][hi] - sums[0][lo]) / (sums[1][hi] - sums[1][lo])
        shimmer[i, has] = (sums[2][hi] - sums[2][lo]) / (hi - lo)
    return jitter, shimmer
