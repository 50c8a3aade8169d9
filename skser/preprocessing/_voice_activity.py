"""EnergyVAD: where a recording holds speech.

Data contract
-------------
input : a mono waveform ``(n_samples,)`` at ``sr`` (`EnergyVAD.segments`), or
    the consecutive blocks of one (`EnergyVAD.tracker`, for streams of any
    length).
output : speech segments, ``(n_segments, 2)`` float64 start and end times
    in seconds (samples from the tracker), in time order, not overlapping.
"""

from numbers import Real

import numpy as np
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, validate_params

__all__ = ["EnergyVAD"]


class EnergyVAD(BaseEstimator):
    """Energy-based voice activity detection against a tracked noise floor.

    Frames of ``frame_seconds`` count as speech when their short-term power
    (DC removed, averaged over 50 ms) rises more than ``threshold_db`` above
    the noise floor, the lowest such power within ``floor_seconds`` around
    the frame (minimum statistics: speech always leaves quieter gaps between
    syllables, so the minimum follows the background, not the voice), and
    above ``silence_db`` dBFS. Runs of speech frames closer than
    ``min_pause_seconds`` are joined, segments shorter than
    ``min_speech_seconds`` dropped, and each kept segment is widened by
    ``pad_seconds`` on both sides so soft onsets and endings stay in.

    The floor adapts to the recording's level and to slow changes of the
    background, so the detector needs no calibration; it cannot tell speech
    from other sounds as loud (music, a door), which then count as speech.

    Parameters
    ----------
    threshold_db : float, default=12.0
        How far above the noise floor a frame must be to count as speech, in dB.
    floor_seconds : float, default=6.0
        Width of the centred window whose minimum is the noise floor, in
        seconds. The stream is decided half of it behind the audio read.
    silence_db : float, default=-70.0
        Frames below this power in dB relative to full scale are never
        speech (digital silence and near-silent recordings).
    min_speech_seconds : float, default=0.15
        Shortest segment kept, in seconds (clicks and bumps are shorter).
    min_pause_seconds : float, default=0.3
        Shortest pause that separates two segments, in seconds; shorter
        gaps (between words) are joined.
    pad_seconds : float, default=0.1
        Added before and after each segment, in seconds.
    frame_seconds : float, default=0.01
        Hop of the power frames, in seconds: the resolution of the boundaries.

    See Also
    --------
    skser.predict_timeline : Uses this detector to find the speech it classifies.
    TrimPad : Trims silence at the ends of a clip, relative to its peak.

    Examples
    --------
    >>> import numpy as np
    >>> sr = 16000
    >>> t = np.arange(sr) / sr
    >>> tone = 0.3 * np.sin(2 * np.pi * 220 * t)
    >>> quiet = 0.001 * np.random.default_rng(0).standard_normal(sr)
    >>> y = np.concatenate([quiet, tone, quiet]).astype(np.float32)
    >>> EnergyVAD().segments(y, sr=sr).round(2)
    array([[0.88, 2.12]])
    """

    _parameter_constraints = {
        "threshold_db": [Interval(Real, 0, None, closed="neither")],
        "floor_seconds": [Interval(Real, 0, None, closed="neither")],
        "silence_db": [Interval(Real, None, 0, closed="right")],
        "min_speech_seconds": [Interval(Real, 0, None, closed="left")],
        "min_pause_seconds": [Interval(Real, 0, None, closed="left")],
        "pad_seconds": [Interval(Real, 0, None, closed="left")],
        "frame_seconds": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self, *, threshold_db=12.0, floor_seconds=6.0, silence_db=-70.0,
        min_speech_seconds=0.15, min_pause_seconds=0.3, pad_seconds=0.1, frame_seconds=0.01,
    ):
        self.threshold_db = threshold_db
        self.floor_seconds = floor_seconds
        self.silence_db = silence_db
        self.min_speech_seconds = min_speech_seconds
        self.min_pause_seconds = min_pause_seconds
        self.pad_seconds = pad_seconds
        self.frame_seconds = frame_seconds

    @validate_params({"sr": [Interval(Real, 0, None, closed="neither")]},
                     prefer_skip_nested_validation=True)
    def segments(self, y, *, sr):
        """Speech segments of a whole waveform.

        Parameters
        ----------
        y : np.ndarray [shape=(n_samples,)]
            Mono waveform.
        sr : int
            Its sampling rate in Hz.

        Returns
        -------
        segments : np.ndarray [shape=(n_segments, 2), dtype=float64]
            Start and end of each speech segment in seconds.
        """
        y = np.asarray(y)
        if not (np.issubdtype(y.dtype, np.floating) or np.issubdtype(y.dtype, np.integer)):
            raise TypeError(f"y must be a numeric waveform; got dtype {y.dtype}.")
        if y.ndim != 1:
            raise ValueError(f"y must be a mono waveform of shape (n_samples,); got shape "
                             f"{y.shape}.")
        y = y.astype(np.float32, copy=False)
        if y.size and not np.isfinite(y).all():
            # NaN power compares as silence: every frame would be a pause.
            raise ValueError(f"y holds NaN or infinite samples from sample "
                             f"{int(np.flatnonzero(~np.isfinite(y))[0])} on.")
        tracker = self.tracker(sr=int(sr))
        found = tracker.push(y) + tracker.finish()
        return np.asarray(found, dtype=np.float64).reshape(-1, 2) / sr

    def tracker(self, *, sr):
        """A detector for one stream, fed block by block.

        Parameters
        ----------
        sr : int
            Sampling rate of the blocks in Hz.

        Returns
        -------
        tracker : object
            ``tracker.push(block)`` takes the next samples and returns the
            segments it has closed, as ``(start, end)`` sample indices;
            ``tracker.finish()`` closes the stream and returns the rest.
            Between calls, ``tracker.open_segment`` is the segment still
            going on, ``(start, end_so_far)`` or None, and
            ``tracker.keep_from`` the earliest sample a segment not yet
            reported can start at.
        """
        self._validate_params()
        return _Tracker(self, int(sr))


class _Tracker:
    """The streaming state of `EnergyVAD` for one recording (see
    `EnergyVAD.tracker`). Keeps only the frame powers the floor's window
    still needs, so its memory does not grow with the stream."""

    _SMOOTH_SECONDS = 0.05

    def __init__(self, vad, sr):
        self.hop = max(1, int(round(vad.frame_seconds * sr)))
        frames = lambda seconds: int(round(seconds / vad.frame_seconds))  # noqa: E731
        self.floor_frames = 2 * (frames(vad.floor_seconds) // 2) + 1
        self.smooth_frames = 2 * (frames(self._SMOOTH_SECONDS) // 2) + 1
        self.min_pause = frames(vad.min_pause_seconds)
        self.min_speech = frames(vad.min_speech_seconds)
        self.pad = int(round(vad.pad_seconds * sr))
        self.threshold_db = vad.threshold_db
        self.silence_db = vad.silence_db
        self.rest = np.zeros(0, dtype=np.float32)  # samples short of a whole frame
        self.power = np.zeros(0)  # frame powers from frame p0 on
        self.p0 = 0
        self.n_frames = 0
        self.decided = 0
        self.n_samples = 0
        self.open = None  # [first, end) frames of the speech runs joined so far
        self.previous_end = 0

    @property
    def open_segment(self):
        if self.open is None:
            return None
        return self._start(self.open[0]), self.open[1] * self.hop

    @property
    def keep_from(self):
        if self.open is not None:
            return self._start(self.open[0])
        return max(self.previous_end, self.decided * self.hop - self.pad)

    def push(self, y):
        y = np.asarray(y, dtype=np.float32)
        self.n_samples += len(y)
        data = np.concatenate([self.rest, y]) if len(self.rest) else y
        n = len(data) // self.hop
        frames = data[:n * self.hop].reshape(n, self.hop)
        self.rest = data[n * self.hop:].copy()
        self.power = np.concatenate([self.power, frames.var(axis=1, dtype=np.float64)])
        self.n_frames += n
        lookahead = self.floor_frames // 2 + self.smooth_frames // 2
        return self._decide(self.n_frames - lookahead)

    def finish(self):
        if len(self.rest):
            self.power = np.append(self.power, self.rest.var(dtype=np.float64))
            self.n_frames += 1
            self.rest = self.rest[:0]
        found = self._decide(self.n_frames)
        if self.open is not None:
            found += self._close()
        return found

    def _decide(self, upto):
        if upto <= self.decided:
            return []
        smoothed = uniform_filter1d(self.power, self.smooth_frames, mode="nearest")
        # The running sum can leave -1e-20 where the power is zero.
        level = 10 * np.log10(np.maximum(smoothed, 0) + 1e-20)
        floor = minimum_filter1d(level, self.floor_frames, mode="nearest")
        i0, i1 = self.decided - self.p0, upto - self.p0
        speech = ((level[i0:i1] > floor[i0:i1] + self.threshold_db)
                  & (level[i0:i1] > self.silence_db))
        found = self._join(speech, self.decided)
        self.decided = upto
        # Keep the powers that the floor and smoothing of later frames reach back to.
        keep = max(self.p0, self.decided - self.floor_frames // 2 - self.smooth_frames)
        self.power = self.power[keep - self.p0:]
        self.p0 = keep
        return found

    def _join(self, speech, offset):
        found = []
        edges = np.diff(np.concatenate([[0], speech.astype(np.int8), [0]]))
        for first, end in zip(np.flatnonzero(edges == 1) + offset,
                              np.flatnonzero(edges == -1) + offset):
            if self.open is not None and first - self.open[1] < self.min_pause:
                self.open[1] = end
                continue
            if self.open is not None:
                found += self._close()
            self.open = [first, end]
        if self.open is not None and offset + len(speech) - self.open[1] >= self.min_pause:
            found += self._close()
        return found

    def _start(self, frame):
        return int(max(self.previous_end, frame * self.hop - self.pad))

    def _close(self):
        first, end = self.open
        self.open = None
        if end - first < max(self.min_speech, 1):
            return []
        start, stop = self._start(first), min(self.n_samples, end * self.hop + self.pad)
        self.previous_end = stop
        return [(int(start), int(stop))]
