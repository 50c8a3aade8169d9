"""stream_audio: a recording of any length as consecutive blocks.

Data contract
-------------
input : one file path (``str`` or ``os.PathLike``), a waveform array
    ``(n_samples,)`` or ``(n_channels, n_samples)`` already at ``sr``, or a
    tuple ``(waveform, orig_sr)`` to be resampled (as `AudioLoader` takes).
output : an iterator of 1-D float32 arrays, mono at ``sr``, that joined end
    to end are the whole recording; each holds at most about
    ``block_duration`` seconds. Memory is bounded by one block, whatever the
    recording's length: a file is decoded and resampled block by block.
"""

import os
from numbers import Integral, Real

import numpy as np
import soundfile as sf

from ._audio_loader import (
    _MAX_PEAK, AudioReadError, _as_waveform, _is_path, _open_audio, _pcm_to_float, _reason,
)

__all__ = ["format_time", "stream_audio"]


def format_time(seconds):
    """``seconds`` as ``h:mm:ss.s`` (``m:ss.s`` under an hour), for messages.

    Parameters
    ----------
    seconds : float

    Returns
    -------
    text : str

    Examples
    --------
    >>> format_time(3725.25)
    '1:02:05.2'
    >>> format_time(9.0)
    '0:09.0'
    """
    tenths = int(round(seconds * 10))
    hours, rest = divmod(tenths, 36000)
    minutes, rest = divmod(rest, 600)
    clock = f"{minutes:0{2 if hours else 1}d}:{rest // 10:02d}.{rest % 10}"
    return f"{hours}:{clock}" if hours else clock


def stream_audio(source, *, sr=16000, block_duration=60.0, res_type="soxr_hq"):
    """Read a recording of any length as mono float32 blocks at ``sr``.

    A file is decoded with libsndfile and resampled with soxr's streaming
    resampler, one block at a time, so an hour-long recording never sits in
    memory whole. Each block is checked as it arrives: a block libsndfile
    cannot decode, and NaN or infinite samples, raise an `AudioReadError`
    that names the file and the time where the trouble starts.

    Parameters
    ----------
    source : str, os.PathLike, np.ndarray or tuple
        A path to an audio file; a waveform ``(n_samples,)`` or
        ``(n_channels, n_samples)`` already at ``sr``; or ``(waveform,
        orig_sr)``. Channels are mixed down to their mean.
    sr : int, default=16000
        Sampling rate of the blocks in Hz.
    block_duration : float, default=60.0
        Seconds of audio per block (the last one may be shorter; with
        resampling a block may differ from it by a few samples).
    res_type : {"soxr_vhq", "soxr_hq", "soxr_mq", "soxr_lq", "soxr_qq"}, default="soxr_hq"
        soxr quality of the resampler (`AudioLoader`'s names).

    Yields
    ------
    block : np.ndarray [shape=(n,), dtype=float32]
        Consecutive samples of the recording at ``sr``; never empty.

    Raises
    ------
    AudioReadError
        The file is missing, empty or not audio, a block cannot be decoded,
        or samples are NaN, infinite or implausibly large.

    Examples
    --------
    >>> import numpy as np
    >>> blocks = list(stream_audio(np.zeros(25000), sr=10000, block_duration=1.0))
    >>> [len(b) for b in blocks]
    [10000, 10000, 5000]
    """
    if not isinstance(sr, Integral) or isinstance(sr, bool) or sr <= 0:
        raise ValueError(f"sr must be a positive integer (Hz); got {sr!r}.")
    if (not isinstance(block_duration, Real) or isinstance(block_duration, bool)
            or not 0 < block_duration < np.inf):
        raise ValueError(
            f"block_duration must be a positive, finite number of seconds; got "
            f"{block_duration!r}.")
    if res_type not in _SOXR_QUALITY:
        raise ValueError(
            f"res_type must be one of {', '.join(sorted(_SOXR_QUALITY))} (streaming "
            f"resamplers); got {res_type!r}.")
    if _is_path(source):
        return _stream_file(os.fsdecode(os.fspath(source)), sr=sr,
                            block_duration=block_duration, res_type=res_type)
    return _stream_array(source, sr=sr, block_duration=block_duration, res_type=res_type)


_SOXR_QUALITY = {"soxr_vhq": "VHQ", "soxr_hq": "HQ", "soxr_mq": "MQ", "soxr_lq": "LQ",
                 "soxr_qq": "QQ"}


def _stream_file(path, *, sr, block_duration, res_type):
    f = _open_audio(path)
    return _generate(_file_blocks(f, path, block_duration), f.samplerate, sr=sr,
                     res_type=res_type, source=f"audio file {path!r}")


def _file_blocks(f, path, block_duration):
    frames = max(1, int(round(block_duration * f.samplerate)))
    # Where a block cannot be decoded, the file is opened again and the block
    # read in pieces of 0.1 s, so that the error names the time of the
    # damage rather than the block's start (libsndfile cannot seek in a file
    # once its decoder failed).
    piece = max(1, f.samplerate // 10)
    done = 0
    try:
        while True:
            try:
                block = f.read(frames=frames, dtype="float32", always_2d=True)
            except (sf.LibsndfileError, RuntimeError) as exc:
                if frames > piece and f.seekable():
                    f.close()
                    f = _open_audio(path)
                    f.seek(done)
                    frames = piece
                    continue
                raise AudioReadError(
                    f"audio file {path!r} could not be decoded after "
                    f"{format_time(done / f.samplerate)} ({_reason(exc)}): the file is "
                    "damaged there; the audio before it was read.") from exc
            if not len(block):
                return
            yield done, block.T
            done += len(block)
    finally:
        f.close()


def _stream_array(item, *, sr, block_duration, res_type):
    y, orig_sr = _as_waveform(item, sr=sr, name="source")
    frames = max(1, int(round(block_duration * orig_sr)))

    def blocks():
        for start in range(0, y.shape[1], frames):
            block = _pcm_to_float(y[:, start:start + frames])
            yield start, block.astype(np.float32, copy=False)

    return _generate(blocks(), orig_sr, sr=sr, res_type=res_type, source="the waveform")


def _generate(blocks, orig_sr, *, sr, res_type, source):
    resampler = None
    if orig_sr != sr:
        import soxr

        resampler = soxr.ResampleStream(orig_sr, sr, 1, dtype="float32",
                                        quality=_SOXR_QUALITY[res_type])
    for start, block in blocks:
        _check_block(block, start, orig_sr, source)
        y = block.mean(axis=0, dtype=np.float32) if block.shape[0] > 1 else block[0]
        if resampler is not None:
            y = resampler.resample_chunk(y, last=False)
        if len(y):
            yield np.ascontiguousarray(y, dtype=np.float32)
    if resampler is not None:
        tail = resampler.resample_chunk(np.zeros(0, dtype=np.float32), last=True)
        if len(tail):
            yield np.ascontiguousarray(tail, dtype=np.float32)


def _check_block(block, start, orig_sr, source):
    if not block.size:
        return
    peak = max(float(block.max()), -float(block.min()))
    if np.isfinite(peak) and peak <= _MAX_PEAK:
        return
    bad = ~np.isfinite(block) if not np.isfinite(peak) else np.abs(block) > _MAX_PEAK
    first = start + int(np.flatnonzero(bad.any(axis=0))[0])
    where = format_time(first / orig_sr)
    if not np.isfinite(peak):
        raise AudioReadError(f"{source} holds NaN or infinite samples from {where} on.")
    raise AudioReadError(
        f"{source} has samples as large as {peak:.3g} at {where}; expected audio in "
        f"about [-1, 1]. Beyond {_MAX_PEAK:.0e} the data is taken as corrupt.")
