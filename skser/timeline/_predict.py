"""predict_timeline: emotion over time in a recording of any length.

Data contract
-------------
input : a fitted classifier of clips (a skser pipeline, or any estimator
    with ``predict_proba`` and ``classes_`` that takes a list of waveforms),
    and one recording (a path, a waveform at ``sr`` or ``(waveform, orig_sr)``).
output : a `~sklearn.utils.Bunch` of arrays, one row per window, in time
    order: ``start``, ``end`` (seconds), ``speech`` (bool), ``label``
    (None where not speech), ``proba`` ``(n_windows, n_classes)`` (NaN where
    not speech); with ``classes``, the speech ``segments`` ``(n_segments, 2)``
    and the ``duration``. A pandas DataFrame of the rows with ``as_frame=True``.
"""

import os
from numbers import Integral, Real

import numpy as np
from sklearn.utils import Bunch

from .._progress import progress_bar
from ..loading._stream import stream_audio
from ..preprocessing._voice_activity import EnergyVAD

__all__ = ["predict_timeline"]

# Smoothing measured by benchmarks/timeline_accuracy.py: see SMOOTH's use.
SMOOTH = 1


def predict_timeline(
    estimator, source, *, window=None, hop=None, vad="energy", smooth=SMOOTH, sr=None,
    batch_size=32, block_duration=60.0, as_frame=False, verbose=0,
):
    """Classify the speech of a long recording window by window.

    The recording is streamed in blocks of ``block_duration`` seconds, so
    memory is bounded by one block and a batch of windows, never the whole
    file. A voice-activity detector (``vad``) finds the speech; each speech
    segment is cut into windows of ``window`` seconds every ``hop`` seconds,
    and ``estimator.predict_proba`` classifies them in batches. A shorter
    segment is one window, handed to the estimator with the recording
    around it up to ``window`` seconds (never reaching into a neighbouring
    segment), as a clip file holds its speech with the background around
    it: the pipeline's `TrimPad` trims and pads it as it does a file, and
    the window keeps the segment's times.
    The pauses between segments are rows of their own, with ``speech``
    False and no label, so the rows cover the whole recording.

    Parameters
    ----------
    estimator : estimator
        A fitted classifier of clips: a skser pipeline (from
        `make_ser_pipeline` or `load_model`) of any kind, or any estimator
        with ``predict_proba`` and ``classes_`` that takes a list of 1-D
        float32 waveforms at ``sr``. A speaker-normalised pipeline uses
        the training speakers' average statistics (no groups are passed).
    source : str, os.PathLike, np.ndarray or tuple
        The recording: a path to an audio file of any length; a waveform
        ``(n_samples,)`` or ``(n_channels, n_samples)`` already at ``sr``;
        or ``(waveform, orig_sr)``.
    window : float or None, default=None
        Window length in seconds; None uses the clip length the pipeline
        was trained on (its `TrimPad`'s ``duration``, 3 s by default).
    hop : float or None, default=None
        Seconds between window starts within a segment; None is half the
        window (windows overlap by half).
    vad : "energy", EnergyVAD or None, default="energy"
        How speech is found: ``"energy"`` is `EnergyVAD` with its defaults;
        None treats the whole recording as speech.
    smooth : int, default=1
        Average each speech window's probabilities with those of its
        neighbours: ``smooth`` consecutive speech windows, centred (odd).
        1 is off, the default: on concatenations of acted clips with
        changing emotions it did not help (``docs/timeline.md``).
    sr : int or None, default=None
        Sampling rate the estimator takes in Hz; None reads it from the
        pipeline's `AudioLoader` (16 kHz in skser's pipelines).
    batch_size : int, default=32
        Windows per ``predict_proba`` call.
    block_duration : float, default=60.0
        Seconds of audio decoded at a time.
    as_frame : bool, default=False
        Return a pandas DataFrame of the rows instead (needs pandas).
    verbose : int, default=0
        A positive value shows a progress bar over the recording's seconds
        (on stderr, when it is a terminal).

    Returns
    -------
    timeline : sklearn.utils.Bunch or pandas.DataFrame
        The Bunch (a dict) holds, for ``n_windows`` rows in time order:

        start, end : np.ndarray [shape=(n_windows,), dtype=float64]
            Seconds from the start of the recording.
        speech : np.ndarray [shape=(n_windows,), dtype=bool]
            Whether the row is speech (a classified window) or a pause.
        label : np.ndarray [shape=(n_windows,), dtype=object]
            The most probable class, None for pauses.
        proba : np.ndarray [shape=(n_windows, n_classes), dtype=float64]
            Class probabilities in the order of ``classes``; NaN for pauses.
        classes : np.ndarray [shape=(n_classes,)]
            ``estimator.classes_``.
        segments : np.ndarray [shape=(n_segments, 2), dtype=float64]
            Start and end of each speech segment in seconds.
        duration : float
            Length of the recording in seconds.

        The DataFrame has the columns ``start``, ``end``, ``speech``,
        ``label`` and one column of probabilities per class.

    Raises
    ------
    AudioReadError
        The file cannot be read, or is damaged part way (the message names
        the time), or holds NaN or infinite samples.

    See Also
    --------
    skser.timeline.plot_timeline : Draws the result.
    skser.preprocessing.EnergyVAD : The default voice-activity detector.

    Notes
    -----
    A recording without speech (silence, or shorter than a syllable) gives
    one pause row and no windows; an empty one gives no rows. Windows in a
    segment overlap when ``hop < window``, so rows of speech may overlap
    in time; each pause row lies between two segments.

    Examples
    --------
    >>> import numpy as np
    >>> from skser import make_ser_pipeline, predict_timeline
    >>> from skser.datasets import make_emotional_speech
    >>> data = make_emotional_speech(getfixture("tmp_path"), n_speakers=2, n_per_class=2,
    ...                              random_state=0)
    >>> pipe = make_ser_pipeline("stats").fit(data.filenames, data.target)  # seconds
    >>> import soundfile as sf
    >>> clips = [sf.read(f, dtype="float32")[0] for f in data.filenames[:3]]
    >>> pause = np.zeros(16000, dtype=np.float32)
    >>> recording = np.concatenate([pause, clips[0], pause, clips[1], pause, clips[2], pause])
    >>> timeline = predict_timeline(pipe, recording)
    >>> timeline.proba.shape[1], int(timeline.speech.sum()) >= 3
    (6, True)
    """
    sr, window = _from_pipeline(estimator, sr, window)
    hop = window / 2 if hop is None else hop
    _check_params(window=window, hop=hop, vad=vad, smooth=smooth, batch_size=batch_size,
                  as_frame=as_frame)
    detector = EnergyVAD() if vad == "energy" else vad
    classes = np.asarray(estimator.classes_)
    blocks = stream_audio(source, sr=sr, block_duration=block_duration)
    builder = _Timeline(
        estimator, sr=sr, window=int(round(window * sr)), hop=max(1, int(round(hop * sr))),
        tracker=_WholeRecording() if detector is None else detector.tracker(sr=sr),
        batch_size=batch_size, n_classes=len(classes),
    )
    # The total (a header read for a file) only where a bar is drawn.
    with progress_bar(enabled=bool(verbose), total=_samples(source, sr) if verbose else None,
                      unit="s",
                      unit_scale=1 / sr, desc="timeline", leave=False) as bar:
        for block in blocks:
            builder.push(block)
            bar.update(len(block))
        builder.finish()
    result = builder.result(classes, smooth=smooth)
    return _as_frame(result) if as_frame else result


def _from_pipeline(estimator, sr, window):
    """``sr`` and ``window`` from the pipeline's loader and TrimPad where not given."""
    from ..loading import AudioLoader
    from ..preprocessing import TrimPad

    if not hasattr(estimator, "predict_proba") or not hasattr(estimator, "classes_"):
        raise TypeError(
            "estimator must be a fitted classifier with predict_proba and classes_ (e.g. "
            f"make_ser_pipeline().fit(...) or skser.load_model(...)); got "
            f"{type(estimator).__name__}.")
    steps = [step for _, step in getattr(estimator, "steps", [])]
    loader = next((s for s in steps if isinstance(s, AudioLoader)), None)
    trim = next((s for s in steps if isinstance(s, TrimPad)), None)
    if sr is None:
        if loader is None:
            raise ValueError("sr=None reads the sampling rate from the pipeline's "
                             "AudioLoader, and estimator has none; pass sr=.")
        sr = loader.sr
    if not isinstance(sr, Integral) or isinstance(sr, bool) or sr <= 0:
        raise ValueError(f"sr must be a positive integer (Hz); got {sr!r}.")
    if window is None:
        window = trim.duration if trim is not None else 3.0
    if (not isinstance(window, Real) or isinstance(window, bool)
            or not 0 < window < np.inf):
        raise ValueError(f"window must be a positive, finite number of seconds; got "
                         f"{window!r}.")
    if loader is not None and loader.duration is not None and window > loader.duration:
        raise ValueError(
            f"window={window!r} s is longer than the pipeline's AudioLoader reads "
            f"(duration={loader.duration!r} s); use a window of at most that, or set "
            "load__duration=None.")
    return int(sr), float(window)


def _check_params(*, window, hop, vad, smooth, batch_size, as_frame):
    if not isinstance(hop, Real) or isinstance(hop, bool) or not 0 < hop <= window:
        raise ValueError(f"hop must be a number of seconds in (0, window={window!r}]; got "
                         f"{hop!r}.")
    if not (vad is None or isinstance(vad, EnergyVAD)
            or (isinstance(vad, str) and vad == "energy")):
        raise ValueError(f'vad must be "energy", an EnergyVAD or None; got {vad!r}.')
    if (not isinstance(smooth, Integral) or isinstance(smooth, bool) or smooth < 1
            or smooth % 2 == 0):
        raise ValueError(f"smooth must be an odd positive number of windows (1: off); got "
                         f"{smooth!r}.")
    if not isinstance(batch_size, Integral) or isinstance(batch_size, bool) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}.")
    if as_frame:
        try:
            import pandas  # noqa: F401
        except ImportError:
            raise ImportError("as_frame=True needs pandas (pip install pandas); without "
                              "it, the result is a dict of arrays.") from None


def _samples(source, sr):
    """Samples at ``sr`` in the recording when known up front, for the progress bar."""
    if isinstance(source, (str, bytes)) or hasattr(source, "__fspath__"):
        import soundfile as sf

        try:
            info = sf.info(os.fsdecode(os.fspath(source)))
            return int(info.frames * sr / info.samplerate)
        except Exception:  # noqa: BLE001 - stream_audio reports the real error
            return None
    if isinstance(source, tuple) and len(source) == 2:
        y, rate = source
        return int(np.shape(y)[-1] * sr / rate)
    return np.shape(source)[-1] if np.ndim(source) else None


class _WholeRecording:
    """The tracker of ``vad=None``: the whole recording is one segment."""

    def __init__(self):
        self.n_samples = 0

    open_segment = property(lambda self: (0, self.n_samples) if self.n_samples else None)
    keep_from = property(lambda self: 0)

    def push(self, y):
        self.n_samples += len(y)
        return []

    def finish(self):
        return [(0, self.n_samples)] if self.n_samples else []


class _Timeline:
    """Cuts a stream into rows: speech windows as its tracker finds segments
    and pauses between them. Holds only the samples a window still needs."""

    def __init__(self, estimator, *, sr, window, hop, tracker, batch_size, n_classes):
        self.estimator, self.sr, self.window, self.hop = estimator, sr, window, hop
        self.tracker, self.batch_size = tracker, batch_size
        self.buffer = np.zeros(0, dtype=np.float32)
        self.buffer_start = 0  # sample index of buffer[0]
        self.n_samples = 0
        self.rows = []  # [start, end, speech] in samples
        self.proba = {}  # row -> class probabilities
        self.batch = []  # (row, waveform) awaiting predict_proba
        self.segments = []
        self.cursor = 0  # end of the last row
        self.current = None  # the segment being cut: [start, next window start, last end]
        # Segments shorter than a window whose context after them is not
        # known yet: (row, start, end, lowest sample of their context).
        self.pending = []

    def push(self, block):
        self.buffer = np.concatenate([self.buffer, block])
        self.n_samples += len(block)
        for start, end in self.tracker.push(block):
            self._segment(start, end)
        open_segment = self.tracker.open_segment
        if open_segment is not None:
            # A long monologue: cut the windows its confirmed speech covers,
            # so the buffer need not hold the whole segment.
            self._begin(open_segment[0])
            while self.current[1] + self.window <= open_segment[1]:
                self._window(self.current[1], self.current[1] + self.window)
        # No segment can start before keep_from: the pause up to there is
        # context of the short segments before it.
        self._settle(self.tracker.keep_from)
        if self.current is None:
            # Up to a window of the pause before the next segment: its context.
            keep = max(self.cursor, self.tracker.keep_from - self.window)
        elif self.current[2] is None:
            keep = max(self.cursor, self.current[0] - self.window)
        else:
            # The segment's last window may start up to a window before its end.
            keep = min(self.current[1], self.current[2] - self.window)
        for _, start, _, lower in self.pending:
            keep = min(keep, max(lower, start - self.window))
        drop = min(keep, self.n_samples) - self.buffer_start
        if drop > 0:
            self.buffer = self.buffer[drop:]
            self.buffer_start += drop

    def finish(self):
        for start, end in self.tracker.finish():
            self._segment(start, end)
        self._settle(self.n_samples, force=True)
        if self.cursor < self.n_samples:
            self.rows.append([self.cursor, self.n_samples, False])
        self._classify()

    def _begin(self, start):
        if self.current is not None and self.current[0] == start:
            return
        if start > self.cursor:
            self.rows.append([self.cursor, start, False])
        # The short segments before this one: their context ends where it starts.
        self._settle(start, force=True)
        self.current = [start, start, None]

    def _segment(self, start, end):
        lower = max(self.cursor, self.buffer_start)
        self._begin(start)
        _, next_start, last_end = self.current
        if last_end is None and end - start <= self.window:
            # Classified once the detector has ruled out speech in the
            # context after it (_settle).
            self.rows.append([start, end, True])
            self.pending.append((len(self.rows) - 1, start, end, lower))
        else:
            while next_start + self.window <= end:
                self._window(next_start, next_start + self.window)
                next_start = self.current[1]
            if self.current[2] < end:
                self._window(max(start, end - self.window), end)
        self.segments.append((start, end))
        self.cursor = end
        self.current = None

    def _window(self, start, end):
        self.rows.append([start, end, True])
        self._queue(len(self.rows) - 1, start, end)
        self.current[1] = start + self.hop
        self.current[2] = end

    def _context(self, start, end, lower, upper):
        """``(lo, hi)``: up to a window of the recording centred on a short
        segment, within ``[lower, upper)``; what one side lacks, the other
        gives."""
        extra = self.window - (end - start)
        lo = max(lower, start - extra // 2)
        hi = min(upper, end + extra - (start - lo))
        return max(lower, hi - self.window), hi

    def _settle(self, limit, *, force=False):
        """Classify the pending short segments whose context ends by
        ``limit`` (all of them, cut at ``limit``, with ``force``)."""
        waiting = []
        for row, start, end, lower in self.pending:
            lo, hi = self._context(start, end, lower, np.inf)
            if hi > limit:
                if not force:
                    waiting.append((row, start, end, lower))
                    continue
                lo, hi = self._context(start, end, lower, limit)
            self._queue(row, lo, hi)
        self.pending = waiting

    def _queue(self, row, start, end):
        self.batch.append(
            (row, self.buffer[start - self.buffer_start:end - self.buffer_start].copy()))
        if len(self.batch) >= self.batch_size:
            self._classify()

    def _classify(self):
        if not self.batch:
            return
        rows, clips = zip(*self.batch)
        self.batch = []
        proba = np.asarray(self.estimator.predict_proba(list(clips)), dtype=np.float64)
        self.proba.update(zip(rows, proba))

    def result(self, classes, *, smooth):
        rows = np.asarray(self.rows, dtype=np.int64).reshape(-1, 3)
        proba = np.full((len(rows), len(classes)), np.nan)
        for row, p in self.proba.items():
            proba[row] = p
        speech = rows[:, 2].astype(bool)
        if smooth > 1 and speech.sum() > 1:
            proba[speech] = _moving_average(proba[speech], smooth)
        label = np.full(len(rows), None, dtype=object)
        if speech.any():
            label[speech] = classes[np.argmax(proba[speech], axis=1)]
        return Bunch(
            start=rows[:, 0] / self.sr, end=rows[:, 1] / self.sr, speech=speech,
            label=label, proba=proba, classes=classes,
            segments=np.asarray(self.segments, dtype=np.float64).reshape(-1, 2) / self.sr,
            duration=self.n_samples / self.sr,
        )


def _moving_average(proba, width):
    """Centred mean over ``width`` rows; fewer at the ends."""
    half = width // 2
    padded = np.cumsum(np.vstack([np.zeros((1, proba.shape[1])), proba]), axis=0)
    n = len(proba)
    lo = np.clip(np.arange(n) - half, 0, n)
    hi = np.clip(np.arange(n) + half + 1, 0, n)
    return (padded[hi] - padded[lo]) / (hi - lo)[:, None]


def _as_frame(result):
    import pandas as pd

    columns = {"start": result.start, "end": result.end, "speech": result.speech,
               "label": result.label}
    for i, name in enumerate(result.classes):
        key = str(name)
        if key in columns:
            raise ValueError(f"class {name!r} has the name of a timeline column; use "
                             "as_frame=False.")
        columns[key] = result.proba[:, i]
    return pd.DataFrame(columns)
