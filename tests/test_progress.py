"""Progress bars (``verbose``) show on stderr and change nothing else."""

import pickle

import numpy as np
import pytest
import soundfile as sf

from skser import AudioLoader, CNNClassifier, FrameFeatures1D, MelSpectrogram2D


def test_loader_progress_bar_counts_files_and_keeps_results(tmp_path, rng, capsys):
    paths = []
    for i in range(5):
        paths.append(tmp_path / f"{i}.wav")
        sf.write(paths[-1], rng.uniform(-0.5, 0.5, 800), 8000)
    quiet = AudioLoader(sr=8000).fit_transform(paths)
    assert capsys.readouterr().err == ""
    loud = AudioLoader(sr=8000, verbose=1, n_jobs=2).fit_transform(paths)
    err = capsys.readouterr().err
    # tqdm redraws at most every 0.1 s, so the last count may never show.
    assert "Loading audio" in err and "0/5 " in err
    assert all(np.array_equal(a, b) for a, b in zip(quiet, loud))


@pytest.mark.parametrize("make", [
    lambda v: FrameFeatures1D(sr=8000, n_fft=256, hop_length=128, n_mels=32, n_bands=4, verbose=v),
    lambda v: MelSpectrogram2D(sr=8000, n_fft=256, hop_length=128, n_mels=32, verbose=v),
])
def test_feature_progress_bar_counts_clips_across_chunks(make, rng, capsys):
    X = rng.uniform(-0.5, 0.5, size=(40, 1600)).astype(np.float32)  # > one chunk
    quiet = make(0).fit_transform(X)
    assert capsys.readouterr().err == ""
    loud = make(1).fit_transform(X)
    err = capsys.readouterr().err
    assert "0/40 " in err
    np.testing.assert_array_equal(quiet, loud)


@pytest.mark.slow
def test_classifier_epoch_bar_shows_and_model_still_pickles(rng, capsys):
    X = rng.normal(size=(24, 8, 8, 1)).astype(np.float32)
    y = np.array(["a", "b"] * 12)
    clf = CNNClassifier(width=0.1, epochs=3, patience=None, random_state=0, verbose=1).fit(X, y)
    err = capsys.readouterr().err
    assert "Training" in err and "0/3 " in err
    clone = pickle.loads(pickle.dumps(clf))
    np.testing.assert_allclose(clone.predict_proba(X), clf.predict_proba(X), rtol=1e-5)
