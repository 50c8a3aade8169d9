"""The model that ships in the package: load_pretrained, `skser predict` with
no model file, its licence in the file, `skser train --recipe pretrained`.
None of these needs ../shared: the model is inside the package."""

import json

import numpy as np
import pytest
import sklearn
import soundfile as sf

from skser import DomainStandardScaler, ModelFileError, load_pretrained, model_metadata
from skser._pretrained import PRETRAINED_CLASSES, PRETRAINED_FILE
from skser.cli import main

from conftest import write_tone_clips

SR = 16000


def speech(seconds, *, f0, seed):
    """A voiced-vowel-like buzz with syllable-rate loudness."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    buzz = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, 12))
    envelope = 0.55 + 0.45 * np.sin(2 * np.pi * 4 * t)
    return (0.2 * buzz * envelope / 3 + 0.002 * rng.standard_normal(t.size)).astype(np.float32)


@pytest.fixture(scope="module")
def model():
    return load_pretrained()


@pytest.fixture(scope="module")
def voices(tmp_path_factory):
    """Twelve buzzing 'voices' at different pitches, as WAV files."""
    folder = tmp_path_factory.mktemp("voices")
    paths = []
    for i in range(12):
        path = folder / f"voice{i:02d}.wav"
        sf.write(path, speech(2.0, f0=90 + 15 * i, seed=i), SR)
        paths.append(str(path))
    return paths


def test_the_package_holds_a_fitted_six_emotion_model_within_its_budget(model, voices):
    assert PRETRAINED_FILE.stat().st_size <= 5 * 1024 * 1024
    assert tuple(model.classes_) == PRETRAINED_CLASSES
    proba = model.predict_proba(voices)
    assert proba.shape == (12, 6)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    # It is the default ensemble, adapting: each member's scale step
    # standardises per recording domain, and was fitted on the three
    # corpora as three domains.
    members = model.named_steps["clf"].named_estimators_
    assert set(members) == {"stats", "sequence"}
    for member in members.values():
        assert isinstance(member.named_steps["scale"], DomainStandardScaler)
        assert member.named_steps["scale"].n_speakers_ == 3


@pytest.mark.slow
def test_the_pretrained_model_predicts_without_tensorflow(voices):
    import subprocess
    import sys

    code = (f"import sys, skser; model = skser.load_pretrained(); "
            f"print(model.predict_proba({voices[:2]!r}).shape, 'tensorflow' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300)

    assert result.returncode == 0, result.stderr
    # Its network ran on onnxruntime: no TensorFlow import.
    assert result.stdout.strip().endswith("(2, 6) False"), result.stdout


def test_the_model_file_says_what_it_was_trained_on_and_its_licence():
    card = model_metadata(PRETRAINED_FILE)

    assert "non-commercial research use only" in card["licence"]
    assert "RAVDESS" in card["licence"] and "CC BY-NC-SA 4.0" in card["licence"]
    assert card["classes"] == list(PRETRAINED_CLASSES)
    assert set(card["trained_on"]) == {"RAVDESS speech (16 kHz copy)", "Berlin EmoDB",
                                       "SAVEE (16 kHz copy)"}
    assert all(n > 100 for n in card["trained_on"].values())


def test_predict_without_a_model_file_uses_the_pretrained_model_and_names_its_licence(
        model, voices, capsys):
    assert main(["predict", *voices[:3], "--format", "json", "--no-speech-check"]) == 0
    captured = capsys.readouterr()

    rows = json.loads(captured.out)
    got = [[row[c] for c in PRETRAINED_CLASSES] for row in rows]
    np.testing.assert_allclose(got, model.predict_proba(voices[:3]), rtol=1e-6)
    assert "non-commercial research use only" in captured.err


def test_predict_adapt_with_the_pretrained_model_standardises_the_files_together(
        model, voices, capsys):
    with sklearn.config_context(enable_metadata_routing=True):
        expected = model.predict_proba(voices, domains=np.zeros(len(voices)))

    assert main(["predict", *voices, "--adapt", "--format", "json", "-q",
                 "--no-speech-check"]) == 0

    rows = json.loads(capsys.readouterr().out)
    np.testing.assert_allclose([[r[c] for c in PRETRAINED_CLASSES] for r in rows], expected,
                               rtol=1e-6)
    assert not np.allclose(expected, model.predict_proba(voices))


def test_predict_timeline_works_with_the_pretrained_model(voices, tmp_path, capsys):
    call = np.concatenate([speech(3.0, f0=120, seed=1), np.zeros(SR, np.float32),
                           speech(3.0, f0=200, seed=2)])
    sf.write(tmp_path / "call.wav", call, SR)

    assert main(["predict", str(tmp_path / "call.wav"), "--timeline", "--out",
                 str(tmp_path / "out"), "-q"]) == 0

    table = (tmp_path / "out" / "call.timeline.csv").read_text().splitlines()
    assert table[0].split(",")[:4] == ["start", "end", "speech", "label"]
    assert set(PRETRAINED_CLASSES) <= set(table[0].split(","))
    assert len(table) > 2


def test_a_model_file_alone_is_not_taken_for_audio(tmp_path, capsys):
    model = tmp_path / "mine.skser"
    model.write_bytes(b"PK\x03\x04")

    assert main(["predict", str(model)]) == 2
    assert "give the audio files or folders to label after the model file" in (
        capsys.readouterr().err)


def test_a_missing_package_model_gets_a_clear_error(monkeypatch, tmp_path):
    import skser._pretrained as pretrained

    monkeypatch.setattr(pretrained, "PRETRAINED_FILE", tmp_path / "gone.skser")
    with pytest.raises(ModelFileError, match="pretrained model file .*gone.skser.* is missing"):
        pretrained.load_pretrained()


# ------------------------------------------- skser train --recipe pretrained


@pytest.fixture
def two_corpora(tmp_path):
    """Two folder corpora of tone clips (root/<label>/spk<j>_<k>.wav), the
    second 20 dB quieter."""
    roots = []
    for i, gain in enumerate((1.0, 0.1)):
        source = tmp_path / f"src{i}"
        source.mkdir()
        paths, labels = write_tone_clips(source, 18, sr=SR, seconds=0.6,
                                         rng=np.random.default_rng(i))
        root = tmp_path / f"corpus{i}"
        for k, (path, label) in enumerate(zip(paths, labels)):
            (root / label).mkdir(parents=True, exist_ok=True)
            audio, sr = sf.read(path)
            sf.write(root / label / f"spk{k % 3}_{k:02d}.wav", gain * audio, sr)
        roots.append(str(root))
    return roots


# Small frames for both members, a tiny network trained for one epoch.
FAST = [*(f"--set=clf__{member}__features__{key}" for member in ("stats", "sequence")
          for key in ("n_fft=256", "hop_length=128", "n_mels=32")),
        "--set=clf__sequence__clf__epochs=1", "--set=clf__sequence__clf__width=0.25",
        "--quiet"]


def test_train_recipe_pretrained_trains_one_domain_per_data_folder(two_corpora, tmp_path):
    from skser import load_model

    model_file = tmp_path / "mine.skser"
    assert main(["train", *two_corpora, "--corpus", "folder", "--recipe", "pretrained",
                 "--split", "none", "--model-file", str(model_file), *FAST]) == 0

    model = load_model(model_file)
    shipped = load_pretrained().named_steps["clf"].named_estimators_
    for name, member in model.named_steps["clf"].named_estimators_.items():
        assert member.named_steps["scale"].n_speakers_ == 2
        assert member.named_steps["features"].features == shipped[name].named_steps[
            "features"].features
    assert list(model.classes_) == ["angry", "happy", "sad"]


@pytest.mark.parametrize("extra, message", [
    (["--kind", "stats"], "--recipe pretrained is the pretrained model's own recipe"),
    (["--no-robust"], "drop --no-robust"),
])
def test_train_recipe_pretrained_refuses_options_of_other_recipes(extra, message,
                                                                 two_corpora, tmp_path, capsys):
    assert main(["train", *two_corpora, "--corpus", "folder", "--recipe", "pretrained",
                 *extra, "--out", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err


def test_several_data_folders_need_one_corpus_or_one_each(two_corpora, tmp_path, capsys):
    assert main(["train", *two_corpora, two_corpora[0], "--corpus", "folder", "folder",
                 "--split", "none", "--out", str(tmp_path), "--kind", "stats"]) == 2
    assert "--corpus names 2 corpora for 3 DATA folders" in capsys.readouterr().err
