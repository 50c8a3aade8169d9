"""Progress bars (``verbose``) show on stderr when it is a terminal, draw
nothing in a file or a pipe, and change nothing else."""

import io
import pickle
import sys

import numpy as np
import pytest
import soundfile as sf

from skser import AudioLoader, CNNClassifier, FrameFeatures1D, MelSpectrogram2D
from skser._progress import progress_bar

from conftest import stderr_as_terminal


def test_loader_progress_bar_counts_files_and_keeps_results(tmp_path, rng, monkeypatch):
    terminal = stderr_as_terminal(monkeypatch)
    paths = []
    for i in range(5):
        paths.append(tmp_path / f"{i}.wav")
        sf.write(paths[-1], rng.uniform(-0.5, 0.5, 800), 8000)
    quiet = AudioLoader(sr=8000).fit_transform(paths)
    assert terminal.getvalue() == ""
    loud = AudioLoader(sr=8000, verbose=1, n_jobs=2).fit_transform(paths)
    err = terminal.getvalue()
    # tqdm redraws at most every 0.1 s, so the last count may never show.
    assert "Loading audio" in err and "0/5 " in err
    assert all(np.array_equal(a, b) for a, b in zip(quiet, loud))


@pytest.mark.parametrize("make", [
    lambda v: FrameFeatures1D(sr=8000, n_fft=256, hop_length=128, n_mels=32, n_bands=4, verbose=v),
    lambda v: MelSpectrogram2D(sr=8000, n_fft=256, hop_length=128, n_mels=32, verbose=v),
])
def test_feature_progress_bar_counts_clips_across_chunks(make, rng, monkeypatch):
    terminal = stderr_as_terminal(monkeypatch)
    X = rng.uniform(-0.5, 0.5, size=(40, 1600)).astype(np.float32)  # > one chunk
    quiet = make(0).fit_transform(X)
    assert terminal.getvalue() == ""
    loud = make(1).fit_transform(X)
    assert "0/40 " in terminal.getvalue()
    np.testing.assert_array_equal(quiet, loud)


def test_progress_bars_draw_nothing_when_stderr_is_a_file_or_pipe(tmp_path, rng, monkeypatch):
    log = io.StringIO()  # not a terminal, as a log file or a pipe
    monkeypatch.setattr(sys, "stderr", log)
    paths = []
    for i in range(3):
        paths.append(tmp_path / f"{i}.wav")
        sf.write(paths[-1], rng.uniform(-0.5, 0.5, 1600), 8000)

    waves = AudioLoader(sr=8000, verbose=1).fit_transform(paths)
    MelSpectrogram2D(sr=8000, n_fft=256, hop_length=128, n_mels=16,
                     verbose=1).fit_transform(np.stack(waves))
    with progress_bar(total=3, desc="Downloading") as bar:
        bar.update(3)

    assert log.getvalue() == ""


def test_progress_bar_can_be_turned_off_on_a_terminal(monkeypatch):
    terminal = stderr_as_terminal(monkeypatch)
    with progress_bar(total=3, desc="Downloading", enabled=False) as bar:
        bar.update(3)

    assert terminal.getvalue() == ""


@pytest.mark.slow
def test_classifier_epoch_bar_shows_and_model_still_pickles(rng, monkeypatch):
    terminal = stderr_as_terminal(monkeypatch)
    X = rng.normal(size=(24, 8, 8, 1)).astype(np.float32)
    y = np.array(["a", "b"] * 12)
    clf = CNNClassifier(width=0.1, epochs=3, patience=None, random_state=0, verbose=1).fit(X, y)
    err = terminal.getvalue()
    assert "Training" in err and "0/3 " in err
    clone = pickle.loads(pickle.dumps(clf))
    np.testing.assert_allclose(clone.predict_proba(X), clf.predict_proba(X), rtol=1e-5)


@pytest.mark.slow
def test_classifier_epoch_bar_draws_nothing_in_a_log(rng, monkeypatch):
    log = io.StringIO()
    monkeypatch.setattr(sys, "stderr", log)
    X = rng.normal(size=(24, 8, 8, 1)).astype(np.float32)
    y = np.array(["a", "b"] * 12)

    CNNClassifier(width=0.1, epochs=3, patience=None, random_state=0, verbose=1).fit(X, y)

    assert "\r" not in log.getvalue() and "Training" not in log.getvalue()
