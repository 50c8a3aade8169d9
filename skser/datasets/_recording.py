"""join_clips: a long recording of known emotions, for testing timelines.

Data contract
-------------
input : labelled clips (paths or 1-D waveforms at ``sr``) and their labels.
output : a Bunch with the recording ``(n_samples,)`` float32 at ``sr`` and
    the truth: each clip's speech ``segments`` ``(n_clips, 2)`` in seconds
    and its ``labels``.
"""

import numpy as np
from sklearn.utils import Bunch, check_random_state

__all__ = ["join_clips"]


def join_clips(clips, labels, *, sr=16000, min_pause=0.5, max_pause=2.0, noise_db=-60.0,
               top_db=30.0, random_state=None):
    """Join labelled clips into one recording, separated by pauses.

    A recording whose emotions and speech segments are known, for testing
    and measuring `skser.predict_timeline` (a call or an interview made of
    acted clips). Each clip is trimmed of its silent ends (as `TrimPad`
    trims), so the truth is where speech is, and the pauses before, between
    and after the clips last between ``min_pause`` and ``max_pause``
    seconds. The whole recording carries a steady noise floor at
    ``noise_db`` dB relative to full scale, as a room or a line would.

    Parameters
    ----------
    clips : sequence of str, os.PathLike or np.ndarray [shape=(n_samples_i,)]
        Audio files (resampled to ``sr``) or waveforms at ``sr``.
    labels : array-like of shape (n_clips,)
        The emotion of each clip.
    sr : int, default=16000
        Sampling rate of the recording in Hz.
    min_pause, max_pause : float, default=0.5, 2.0
        Range of the pauses' lengths in seconds (uniform).
    noise_db : float or None, default=-60.0
        Level of the white noise floor in dBFS (RMS); None adds none.
    top_db : float, default=30.0
        Silence threshold of the trimming, in dB below each clip's peak.
    random_state : int, RandomState instance or None, default=None
        Seed of the pauses and the noise.

    Returns
    -------
    recording : sklearn.utils.Bunch
        waveform : np.ndarray [shape=(n_samples,), dtype=float32]
        sr : int
        segments : np.ndarray [shape=(n_clips, 2), dtype=float64]
            Start and end of each clip's speech in seconds.
        labels : np.ndarray [shape=(n_clips,)]

    Examples
    --------
    >>> import numpy as np
    >>> tone = 0.3 * np.sin(np.arange(8000) / 5).astype(np.float32)
    >>> rec = join_clips([tone, tone], ["angry", "sad"], sr=8000, random_state=0)
    >>> rec.segments.shape, rec.labels.tolist()
    ((2, 2), ['angry', 'sad'])
    """
    from ..loading import AudioLoader
    from ..preprocessing._trim_pad import trim_bounds

    labels = np.asarray(labels)
    if len(labels) != len(clips):
        raise ValueError(f"labels has {len(labels)} entries for {len(clips)} clips; expected "
                         "one label per clip.")
    if not 0 <= min_pause <= max_pause:
        raise ValueError(f"expected 0 <= min_pause <= max_pause; got min_pause={min_pause!r}, "
                         f"max_pause={max_pause!r}.")
    rng = check_random_state(random_state)
    waveforms = AudioLoader(sr=sr).fit_transform(list(clips))
    parts, segments, position = [], [], 0
    for y in waveforms:
        pause = np.zeros(int(round(rng.uniform(min_pause, max_pause) * sr)), dtype=np.float32)
        start, end = trim_bounds(y, top_db=top_db, frame_length=2048, hop_length=512) \
            if np.any(y) else (0, 0)
        speech = y[start:end]
        parts += [pause, speech]
        position += len(pause)
        segments.append((position / sr, (position + len(speech)) / sr))
        position += len(speech)
    parts.append(np.zeros(int(round(rng.uniform(min_pause, max_pause) * sr)),
                          dtype=np.float32))
    waveform = np.concatenate(parts)
    if noise_db is not None:
        waveform += (10 ** (noise_db / 20) * rng.standard_normal(len(waveform))).astype(
            np.float32)
    return Bunch(waveform=waveform, sr=sr, labels=labels,
                 segments=np.asarray(segments, dtype=np.float64).reshape(-1, 2))
