"""AudioLoader: the first step of every skser pipeline.

Data contract
-------------
input : sequence of n_clips items, each a file path (``str`` or
    ``os.PathLike``), a waveform array ``(n_samples,)`` or
    ``(n_channels, n_samples)`` already at ``sr``, or a tuple
    ``(waveform, orig_sr)`` to be resampled.
output : list of n_clips ``np.ndarray`` of dtype float32, each
    ``(n_samples_i,)`` when ``mono=True`` (lengths differ between clips) or
    ``(n_channels, n_samples_i)`` when ``mono=False``. With
    ``on_error="warn"`` or ``"ignore"`` an item that cannot be read is
    silence instead, so the output keeps one entry per input item.
"""

import os
import stat
import warnings
from numbers import Integral, Real

import librosa
import numpy as np
import soundfile as sf
from joblib import delayed
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions

from .._progress import parallel_map

__all__ = ["AudioLoader", "AudioReadError", "AudioReadWarning"]

_RES_TYPES = {
    "soxr_vhq", "soxr_hq", "soxr_mq", "soxr_lq", "soxr_qq",
    "kaiser_best", "kaiser_fast", "fft", "scipy", "polyphase",
    "linear", "zero_order_hold", "sinc_best", "sinc_medium", "sinc_fastest",
}


class AudioReadError(OSError, ValueError):
    """An audio file could not be read; the message names the file and why.

    Subclasses both `OSError` (it is an I/O failure) and `ValueError` (so
    scikit-learn's machinery reports it as bad input).
    """


class AudioReadWarning(UserWarning):
    """Some items could not be read and were replaced by silence.

    Issued once per `AudioLoader.transform` call with ``on_error="warn"``.
    The message names the first few items; ``errors`` lists them all.

    Attributes
    ----------
    errors : list of dict
        The items of that call that could not be read, in input order, one
        ``{"index": int, "source": str, "message": str}`` per item: its
        position in ``X``, its path (or ``"X[i]"`` for an array) and the
        `AudioReadError` message.
    """

    def __init__(self, message, errors=()):
        super().__init__(message)
        self.errors = list(errors)

    def __reduce__(self):
        # Exceptions pickle their args only; keep the list across processes.
        return type(self), (self.args[0], self.errors)


# Sample formats that libsndfile decodes from integers: their float32 samples
# are finite by construction, so the NaN/inf scan (a full pass over every clip)
# is skipped for them. Float, Vorbis, Opus and MP3 files are still scanned.
_INTEGER_SUBTYPES = frozenset({
    "PCM_S8", "PCM_U8", "PCM_16", "PCM_24", "PCM_32", "ULAW", "ALAW",
    "ALAC_16", "ALAC_20", "ALAC_24", "ALAC_32",
})

# Largest sample magnitude accepted from float audio. Float WAVs may exceed
# 1.0 (even integer-scaled ones, up to 32768, work), but squared in a power
# spectrum summed over a frame, values near 1e19 overflow float32 and the
# clip comes out as NaN features or as "all silence" after trimming: refused
# as corrupt instead, with a margin of several orders of magnitude.
_MAX_PEAK = 1e6

# Frames decoded per block when a stream that cannot seek is skipped or read
# to its end: 64k frames of float32 is 256 KiB per channel.
_BLOCK_FRAMES = 1 << 16


def _is_path(item):
    return isinstance(item, (str, bytes)) or hasattr(item, "__fspath__")


def _open_audio(path):
    """``path`` (a str) opened with soundfile, or an `AudioReadError` that
    says why not: missing, a directory, empty, or not audio."""
    # One stat for what os.path.exists, isdir and getsize would ask in turn.
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        st = None
    if st is None:
        raise AudioReadError(f"audio file {path!r} does not exist.")
    if stat.S_ISDIR(st.st_mode):
        raise AudioReadError(f"audio file {path!r} is a directory, not a file.")
    if st.st_size == 0:
        raise AudioReadError(f"audio file {path!r} is empty (0 bytes).")
    try:
        # soundfile encodes a str path strictly as UTF-8, which fails on a
        # POSIX name that is not valid UTF-8 (os.fsdecode keeps its bytes as
        # surrogates); the bytes themselves always open.
        return sf.SoundFile(path if os.name == "nt" else os.fsencode(path))
    except _DECODE_ERRORS as exc:
        raise _undecodable(path, exc) from exc


# What soundfile raises for a file it cannot decode.
_DECODE_ERRORS = (sf.LibsndfileError, RuntimeError, TypeError)


def _reason(exc):
    """libsndfile's own words for ``exc``."""
    reason = getattr(exc, "error_string", None) or str(exc)
    return reason.removeprefix("Error : ")


def _undecodable(path, exc):
    return AudioReadError(
        f"audio file {path!r} could not be decoded ({_reason(exc)}); expected WAV, FLAC, "
        "OGG/Vorbis, MP3 or another format libsndfile reads."
    )


def _read_file(path, *, sr, mono, offset, duration, res_type):
    """Decode one file with soundfile, reading only the frames needed."""
    path = os.fsdecode(os.fspath(path))
    with _open_audio(path) as f:
        try:
            orig_sr = f.samplerate
            check_finite = f.subtype not in _INTEGER_SUBTYPES
            start = int(round(offset * orig_sr))
            n = None if duration is None else int(round(duration * orig_sr))
            y = _read_frames(f, start, n).T
        except _DECODE_ERRORS as exc:
            raise _undecodable(path, exc) from exc
    return _finish(
        y, orig_sr, sr=sr, mono=mono, res_type=res_type, source=f"audio file {path!r}",
        check_finite=check_finite,
    )


def _read_frames(f, start, n):
    """Frames ``start`` to ``start + n`` (None: to the end) of an open file,
    as ``(n_frames, n_channels)`` float32, never holding more than them plus
    one block."""
    if f.seekable():
        if start:
            f.seek(min(start, f.frames))
        return f.read(frames=-1 if n is None else n, dtype="float32", always_2d=True)
    # A stream that cannot seek is decoded from its start: skip the offset
    # through one reused block rather than reading all of it at once.
    if start:
        block = np.empty((min(start, _BLOCK_FRAMES), f.channels), dtype=np.float32)
        while start > 0:
            skipped = len(f.read(out=block[:start]))
            if not skipped:
                break
            start -= skipped
    if n is not None:
        return f.read(frames=n, dtype="float32", always_2d=True)
    blocks = []
    while len(block := f.read(frames=_BLOCK_FRAMES, dtype="float32", always_2d=True)):
        blocks.append(block)
    return np.concatenate(blocks) if blocks else np.empty((0, f.channels), dtype=np.float32)


def _finish(y, orig_sr, *, sr, mono, res_type, source, check_finite=True):
    """Mix down and resample one waveform of shape (n_channels, n_samples)."""
    if check_finite and y.size:
        # max and min propagate NaN, and need no temporary the size of the clip.
        peak = max(float(y.max()), -float(y.min()))
        if not np.isfinite(peak):
            raise AudioReadError(f"{source} contains NaN or infinite samples.")
        if peak > _MAX_PEAK:
            raise AudioReadError(
                f"{source} has samples as large as {peak:.3g}; expected audio in about "
                f"[-1, 1]. Beyond {_MAX_PEAK:.0e} the data is taken as corrupt (values "
                "near 1e19 overflow float32 spectra)."
            )
    if mono:
        y = librosa.to_mono(y) if y.shape[0] > 1 else y[0]
    if orig_sr != sr and y.shape[-1] > 0:
        y = librosa.resample(y, orig_sr=orig_sr, target_sr=sr, res_type=res_type)
    return np.ascontiguousarray(y, dtype=np.float32)


def _load_or_silence(item, index, *, silence_shape, **kwargs):
    """``(waveform, None)``, or ``(silence, record)`` when the item cannot be read."""
    try:
        return _load_item(item, index, **kwargs), None
    except AudioReadError as exc:
        source = os.fsdecode(os.fspath(item)) if _is_path(item) else f"X[{index}]"
        record = {"index": index, "source": source, "message": str(exc)}
        return np.zeros(silence_shape, dtype=np.float32), record


def _as_waveform(item, *, sr, name):
    """``(y, orig_sr)``: an in-memory item (a waveform at ``sr`` or a tuple
    ``(waveform, orig_sr)``) as a 2-D numeric array, checked; errors call it
    ``name``."""
    orig_sr = sr
    if isinstance(item, tuple):
        if len(item) != 2 or not isinstance(item[1], Integral) or item[1] <= 0:
            raise ValueError(
                f"{name} is a tuple; expected (waveform, sample_rate) with a "
                f"positive integer sample rate, got {item!r:.80}."
            )
        item, orig_sr = item
    y = np.asarray(item)
    if not (np.issubdtype(y.dtype, np.floating) or np.issubdtype(y.dtype, np.integer)):
        raise TypeError(
            f"{name} must be a file path or a numeric waveform; got dtype {y.dtype}."
        )
    if y.ndim not in (1, 2):
        raise ValueError(
            f"{name} must be a waveform of shape (n_samples,) or "
            f"(n_channels, n_samples); got shape {y.shape}."
        )
    return np.atleast_2d(y), orig_sr


def _pcm_to_float(y):
    """Integer PCM in memory scaled to [-1, 1) as soundfile does for files
    (unsigned PCM, 8-bit WAV, is centred on 2**(bits - 1) first); float
    audio as it is."""
    if not np.issubdtype(y.dtype, np.integer):
        return y
    info = np.iinfo(y.dtype)
    half = (float(info.max) + 1 - float(info.min)) / 2
    return (y.astype(np.float64) - (float(info.min) + half)) / half


def _load_item(item, index, *, sr, mono, offset, duration, res_type):
    if _is_path(item):
        return _read_file(
            item, sr=sr, mono=mono, offset=offset, duration=duration, res_type=res_type
        )
    y, orig_sr = _as_waveform(item, sr=sr, name=f"X[{index}]")
    y = _pcm_to_float(y).astype(np.float32)
    start = int(round(offset * orig_sr))
    stop = None if duration is None else start + int(round(duration * orig_sr))
    y = y[:, start:stop]
    return _finish(y, orig_sr, sr=sr, mono=mono, res_type=res_type, source=f"X[{index}]")


class AudioLoader(TransformerMixin, BaseEstimator):
    """Load audio files (or in-memory audio) as float32 waveforms at one rate.

    Reads WAV, FLAC, OGG/Vorbis and MP3 (anything libsndfile decodes) at any
    sample rate, channel count and sample format, reading only the part
    ``offset``/``duration`` asks for, then mixes down to mono and resamples to
    ``sr``. Arrays can be passed instead of paths, so users who already hold
    audio need no files.

    The step is stateless: ``fit`` only validates the parameters.

    Parameters
    ----------
    sr : int, default=16000
        Target sampling rate in Hz.
    mono : bool, default=True
        Mix all channels down to one (their mean). With ``mono=False`` each
        waveform keeps its channel axis, ``(n_channels, n_samples)``; later
        skser steps expect mono and will say so.
    offset : float, default=0.0
        Start reading this many seconds into each clip.
    duration : float or None, default=None
        Read at most this many seconds (None reads to the end). Bounds memory
        for long files: only these frames are decoded.
    res_type : str, default="soxr_hq"
        Resampling method passed to `librosa.resample`.
    n_jobs : int or None, default=None
        Number of parallel jobs over files (joblib). None means 1 unless in a
        `joblib.parallel_config` context; -1 uses all processors. The jobs
        are threads (libsndfile and soxr release the GIL while they decode
        and resample, and a thread returns its waveform without the copy
        through a pipe that a worker process needs), unless a backend is
        chosen with ``joblib.parallel_config(backend=...)``, e.g. Dask.
    verbose : int, default=0
        A positive value shows a progress bar over files (tqdm, on stderr
        when it is a terminal).
    on_error : {"raise", "warn", "ignore"}, default="raise"
        What to do with an item that cannot be read (a missing, empty,
        undecodable or non-audio file, NaN/infinite samples, or float samples
        beyond +-1e6, which only corrupt data holds): ``"raise"``
        an `AudioReadError` naming it; ``"warn"`` replace it by silence and
        issue one `AudioReadWarning` per `transform` that names the first few
        and lists them all in its ``errors``; ``"ignore"`` the same without
        the warning. The
        silence has ``round(duration * sr)`` samples, or 0 when ``duration``
        is None (`TrimPad` pads it to its length), so the output keeps one
        waveform per item and stays aligned with the labels. Mistakes in
        ``X`` itself (a single path, a malformed tuple) always raise.

    Notes
    -----
    What could not be read is reported per call, by the warning, and never
    stored on the loader: `transform` leaves the estimator as it is, as
    scikit-learn expects, so neither a later call nor a ``Pipeline(memory=...)``
    cache hit (which returns a fitted step without reading any file) can
    report another call's files. A cache keys the loaded audio by the paths
    in ``X``: after changing the files behind them, clear the cache.

    See Also
    --------
    TrimPad : Trim silence and fix the length of each waveform.

    Examples
    --------
    >>> import numpy as np
    >>> from skser import AudioLoader
    >>> loader = AudioLoader(sr=16000)
    >>> waves = loader.fit_transform([(np.zeros(8000), 8000), np.ones(100)])
    >>> [w.shape for w in waves]
    [(16000,), (100,)]
    """

    _parameter_constraints = {
        "sr": [Interval(Integral, 1, None, closed="left")],
        "mono": ["boolean"],
        # Finite upper bounds: an infinite offset or duration has no frame count.
        "offset": [Interval(Real, 0, np.inf, closed="left")],
        "duration": [Interval(Real, 0, np.inf, closed="neither"), None],
        "res_type": [StrOptions(_RES_TYPES)],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
        "on_error": [StrOptions({"raise", "warn", "ignore"})],
    }

    def __init__(
        self, *, sr=16000, mono=True, offset=0.0, duration=None, res_type="soxr_hq",
        n_jobs=None, verbose=0, on_error="raise",
    ):
        self.sr = sr
        self.mono = mono
        self.offset = offset
        self.duration = duration
        self.res_type = res_type
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.on_error = on_error

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X=None, y=None):
        """Validate the parameters; the loader learns nothing.

        Parameters
        ----------
        X : ignored
        y : ignored

        Returns
        -------
        self : AudioLoader
        """
        return self

    def transform(self, X):
        """Load every item of ``X``.

        Parameters
        ----------
        X : sequence of str, os.PathLike, np.ndarray or (np.ndarray, int)
            ``n_clips`` file paths, waveforms at ``sr`` or ``(waveform, orig_sr)``
            tuples (mixed freely).

        Returns
        -------
        waveforms : list of np.ndarray [shape=(n_samples_i,) or (n_channels, n_samples_i), dtype=float32]
            One waveform per item, in input order.

        Warns
        -----
        AudioReadWarning
            With ``on_error="warn"``, once if any item was replaced by silence;
            its ``errors`` lists the items of this call.
        """
        self._validate_params()
        items = _as_items(X)
        kwargs = dict(
            sr=self.sr, mono=self.mono, offset=self.offset, duration=self.duration,
            res_type=self.res_type,
        )
        if self.on_error == "raise":
            tasks = (delayed(_load_item)(item, i, **kwargs) for i, item in enumerate(items))
        else:
            n = 0 if self.duration is None else int(round(self.duration * self.sr))
            shape = (n,) if self.mono else (1, n)
            tasks = (
                delayed(_load_or_silence)(item, i, silence_shape=shape, **kwargs)
                for i, item in enumerate(items)
            )
        results = parallel_map(
            tasks, n_jobs=self.n_jobs, total=len(items), verbose=self.verbose,
            desc="Loading audio", unit="clip",
        )
        if self.on_error == "raise":
            return results
        waveforms, records = zip(*results)
        errors = [record for record in records if record is not None]
        if errors and self.on_error == "warn":
            _warn_unread(errors, len(items))
        return list(waveforms)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


def _warn_unread(errors, n_items, n_shown=3):
    lines = [f"  {e['message']}" for e in errors[:n_shown]]
    if len(errors) > n_shown:
        lines.append(f"  ... and {len(errors) - n_shown} more.")
    warnings.warn(AudioReadWarning(
        f"{len(errors)} of {n_items} audio items could not be read and were replaced "
        "by silence (this warning's errors lists them all):\n" + "\n".join(lines),
        errors,
    ), stacklevel=3)


def _as_items(X):
    if _is_path(X):
        raise TypeError(
            f"X must be a sequence of file paths or waveforms, not a single path "
            f"({X!r}); wrap it in a list."
        )
    if isinstance(X, np.ndarray) and X.dtype != object and X.dtype.kind not in "US":
        if X.ndim == 1:
            raise TypeError(
                "X is a single 1-D array; pass a list of waveforms (e.g. [y]) "
                "or a 2-D array of shape (n_clips, n_samples)."
            )
        return list(X)
    try:
        items = list(X)
    except TypeError as exc:
        raise TypeError(
            f"X must be a sequence of file paths or waveforms; got {type(X).__name__}."
        ) from exc
    if not items:
        raise ValueError("X is empty; expected at least one file path or waveform.")
    return items
