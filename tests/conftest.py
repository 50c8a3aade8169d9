"""Shared fixtures: a seeded rng and short labelled audio written to tmp_path.

Nothing here touches the network; every file is made by the test that needs it.
"""

import io
import os
import sys

import numpy as np
import pytest
import soundfile as sf

# Keep TensorFlow's C++ start-up chatter out of test logs.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# The suite runs one pytest-xdist worker per core (pyproject's addopts): each
# worker computes on one thread (BLAS, OpenMP, TensorFlow's pools, read when
# TensorFlow initialises), so that workers do not fight over the cores.
# Subprocesses the tests start inherit it. Unset when run without xdist.
if os.environ.get("PYTEST_XDIST_WORKER"):
    for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                  "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
        os.environ.setdefault(_name, "1")

LABELS = ("angry", "happy", "sad")


class TerminalStream(io.StringIO):
    """A text stream that says it is a terminal, as a console's stderr does."""

    def isatty(self):
        return True


def stderr_as_terminal(monkeypatch):
    """Replace sys.stderr by a `TerminalStream`, where progress bars draw, and
    return it. Call it in the test body: pytest's output capture sets
    sys.stderr again between a fixture's setup and the test."""
    stream = TerminalStream()
    monkeypatch.setattr(sys, "stderr", stream)
    return stream


@pytest.fixture
def rng():
    """A seeded generator, so every test draws the same data each run."""
    return np.random.default_rng(0)


def tone(label, *, sr, seconds, rng):
    """A short voiced-like clip whose pitch and loudness depend on ``label``.

    Enough structure that a model can tell the classes apart, with silence
    around it so TrimPad has something to trim.
    """
    f0 = {"angry": 220.0, "happy": 300.0, "sad": 140.0}[label]
    gain = {"angry": 0.6, "happy": 0.4, "sad": 0.15}[label]
    t = np.arange(int(seconds * sr)) / sr
    f0 = f0 * (1 + 0.05 * rng.standard_normal())
    voice = sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 6))
    envelope = np.sin(np.pi * t / t[-1]) ** 2
    y = gain * voice * envelope / 2 + 0.002 * rng.standard_normal(t.size)
    silence = np.zeros(int(0.2 * sr))
    return np.concatenate([silence, y, silence]).astype(np.float32)


@pytest.fixture
def labelled_wavs(tmp_path, rng):
    """24 short WAV files: 3 labels x 8 clips, 4 speakers; returns
    ``(paths, labels, speakers)`` as lists of equal length."""
    paths, labels, speakers = [], [], []
    sr = 8000
    for i in range(24):
        label = LABELS[i % 3]
        speaker = f"spk{i % 4}"
        y = tone(label, sr=sr, seconds=rng.uniform(0.4, 0.9), rng=rng)
        path = tmp_path / f"{speaker}_{i:02d}_{label}.wav"
        sf.write(path, y, sr, subtype="PCM_16")
        paths.append(str(path))
        labels.append(label)
        speakers.append(speaker)
    return paths, labels, speakers


def write_tone_clips(folder, n_clips, *, sr, seconds, rng):
    """Write ``n_clips`` labelled `tone` WAVs (labels cycling through
    LABELS) into ``folder``; ``seconds`` is a length or a ``(low, high)``
    range drawn per clip. Returns ``(paths, labels)``."""
    paths, labels = [], []
    for i in range(n_clips):
        label = LABELS[i % 3]
        length = rng.uniform(*seconds) if isinstance(seconds, tuple) else seconds
        path = folder / f"{i:03d}_{label}.wav"
        sf.write(path, tone(label, sr=sr, seconds=length, rng=rng), sr, subtype="PCM_16")
        paths.append(str(path))
        labels.append(label)
    return paths, labels


def tiny_ser_pipeline(kind):
    """`make_ser_pipeline(kind)` at 8 kHz with a 0.1-width LeNet-5 trained for
    2 epochs and small features: a fit takes seconds."""
    from skser import make_ser_pipeline

    options = dict(
        model="lenet5", sr=8000, duration=0.5, random_state=0, clf__width=0.1,
        clf__epochs=2, features__n_fft=256, features__hop_length=128, features__n_mels=16,
    )
    if kind == "1d":
        options.update(features__n_mfcc=8, features__n_chroma=6, features__n_bands=3)
    return make_ser_pipeline(kind, **options)
