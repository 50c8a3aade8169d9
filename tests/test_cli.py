"""The ``skser`` command line: train, evaluate, predict, demo, and its errors."""

import csv
import io
import json
import os
import pathlib
import subprocess
import sys
import zipfile

import numpy as np
import pytest
import soundfile as sf

from skser import load_model
from skser.cli import main

# The conftest clips are steady harmonic tones, which `skser predict`'s speech
# check rightly finds hold no speech: tests of other behaviour label them anyway.
TONES = "--no-speech-check"

# Tiny networks and features so each command trains in seconds.
FAST = ["--kind", "2d", "--epochs", "2", "--set", "features__n_mels=16", "--set", "clf__width=0.1",
        "--set", "features__n_fft=256", "--set", "features__hop_length=128", "--quiet"]


@pytest.fixture
def folder_corpus(labelled_wavs, tmp_path):
    """The conftest clips re-filed as root/<label>/<speaker>_<i>.wav."""
    root = tmp_path / "corpus"
    paths, labels, speakers = labelled_wavs
    for path, label in zip(paths, labels):
        target = root / label
        target.mkdir(parents=True, exist_ok=True)
        (target / path.rsplit("/", 1)[-1]).write_bytes(open(path, "rb").read())
    return root


def test_help_lists_every_command():
    out = subprocess.run([sys.executable, "-m", "skser", "--help"], capture_output=True,
                         text=True, check=True).stdout
    for command in ("train", "evaluate", "predict", "demo"):
        assert command in out


def test_console_script_is_installed_and_runs():
    out = subprocess.run(["skser", "predict", "--help"], capture_output=True, text=True,
                         check=True).stdout
    assert "--format" in out


@pytest.mark.slow
def test_train_then_predict_round_trip_on_a_folder_corpus(folder_corpus, tmp_path, capsys):
    out = tmp_path / "out"
    status = main(["train", str(folder_corpus), "--corpus", "folder",
                   "--speaker-pattern", r"^(spk\d)_", "--out", str(out), *FAST])
    assert status == 0
    printed = capsys.readouterr().out
    assert "UA (mean per-class recall)" in printed and "speaker-independent" in printed
    report = json.loads((out / "train_report.json").read_text())
    assert report["split"]["speaker_independent"]
    assert report["model"] == "lenet5"  # named, though --model was not given
    assert set(report["labels"]) == {"angry", "happy", "sad"}
    assert (out / "train_report_confusion.png").stat().st_size > 1000
    assert (out / "model.skser").is_file()  # the safe format by default

    files = sorted(str(p) for p in folder_corpus.rglob("*.wav"))[:3]
    assert main(["predict", str(out / "model.skser"), *files, "--format", "json",
                 "--quiet", TONES]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["file"] for row in rows] == files
    for row in rows:
        probs = [row[c] for c in ("angry", "happy", "sad")]
        assert np.isclose(sum(probs), 1.0, atol=1e-4)
        assert row["label"] == ("angry", "happy", "sad")[int(np.argmax(probs))]

    assert main(["predict", str(out / "model.skser"), *files, "--format", "csv",
                 "--quiet", TONES]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["label"] for r in table] == [r["label"] for r in rows]

    # One file alone: the commonest use, and the same answer as in the batch.
    assert main(["predict", str(out / "model.skser"), files[1], "--format", "json",
                 "--quiet", TONES]) == 0
    (alone,) = json.loads(capsys.readouterr().out)
    assert alone["label"] == rows[1]["label"]
    assert alone["sad"] == pytest.approx(rows[1]["sad"], abs=1e-5)

    # A pickle only where asked for by name, and predict loads it only when allowed.
    pickled = tmp_path / "model.joblib"
    assert main(["train", str(folder_corpus), "--corpus", "folder", "--split", "none",
                 "--model-file", str(pickled), "--quiet", *FAST]) == 0
    assert pickled.read_bytes()[:1] == b"\x80"  # a pickle, not a zip
    assert main(["predict", str(pickled), files[1], "--quiet"]) == 2
    assert "--allow-pickle" in capsys.readouterr().err
    assert main(["predict", str(pickled), files[1], "--allow-pickle", "--format", "json",
                 "--quiet", TONES]) == 0
    assert json.loads(capsys.readouterr().out)[0]["file"] == files[1]


@pytest.mark.slow
def test_random_split_is_the_seeds_recipe_and_is_labelled(folder_corpus, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["train", str(folder_corpus), "--corpus", "folder", "--split", "random",
                 "--out", str(out), *FAST, "--kind", "1d", "--set", "features__n_fft=1024",
                 "--set", "features__n_mfcc=13"]) == 0
    assert "overstates accuracy" in capsys.readouterr().out
    report = json.loads((out / "train_report.json").read_text())
    assert report["split"]["method"] == "random" and report["n_clips"] == 8  # 30 % of 24
    model = load_model(out / "model.skser")
    assert model.named_steps["clf"].validation_split == 0.05
    assert type(model.named_steps["features"]).__name__ == "FrameFeatures1D"


@pytest.mark.slow
def test_evaluate_groups_folds_by_speaker(folder_corpus, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["evaluate", str(folder_corpus), "--corpus", "folder", "--speaker-pattern",
                 r"^(spk\d)_", "--folds", "2", "--out", str(out), *FAST]) == 0
    report = json.loads((out / "cv_report.json").read_text())
    assert len(report["folds"]) == 2 and report["split"]["speaker_independent"]
    speakers = [s for fold in report["folds"] for s in fold["test_speakers"]]
    assert sorted(speakers) == ["spk0", "spk1", "spk2", "spk3"]
    assert report["n_clips"] == 24


@pytest.mark.slow
def test_train_without_data_uses_the_demo_corpus(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["train", "--speakers", "3", "--per-class", "2", "--out", str(out),
                 *FAST]) == 0
    report = json.loads((out / "train_report.json").read_text())
    assert set(report["labels"]) == {"angry", "disgust", "fear", "happy", "neutral", "sad"}
    assert report["n_speakers"] == 3


@pytest.mark.parametrize("argv, message", [
    (["train", "/no/such/folder", "--corpus", "emodb"], "/no/such/folder"),
    (["train", "{tmp}", "--corpus", "ravdess"], "RAVDESS"),
    (["train", "{tmp}"], "--corpus"),
    (["evaluate", "{tmp}", "--corpus", "folder"], None),
    (["predict", "{tmp}/model.skser", "{tmp}/a.wav"], "does not exist"),
    (["predict", "{tmp}/garbage.joblib", "{tmp}/a.wav"], "--allow-pickle"),
    (["predict", "{tmp}/garbage.joblib", "{tmp}/a.wav", "--allow-pickle"], "cannot read model"),
    (["predict", "{tmp}/fake.skser", "{tmp}/a.wav"], "not a skser model file"),
    (["predict", "{tmp}/garbage.joblib", "{tmp}/missing.wav", "--strict"], "not found"),
])
def test_errors_are_one_line_without_traceback(argv, message, tmp_path):
    (tmp_path / "garbage.joblib").write_bytes(b"not a pickle")
    with zipfile.ZipFile(tmp_path / "fake.skser", "w") as archive:
        archive.writestr("readme.txt", "a zip, but not a model")
    sf.write(tmp_path / "a.wav", np.zeros(800), 8000)
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    result = subprocess.run([sys.executable, "-m", "skser", *argv, "--quiet"],
                            capture_output=True, text=True)
    assert result.returncode in (1, 2)
    err = result.stderr.strip()
    assert "Traceback" not in err
    assert err.count("\n") == 0, err
    assert err.startswith(f"skser {argv[0]}: error:")
    if message:
        assert message in err


def test_usage_errors_name_the_option(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["evaluate", "--folds", "0"])
    assert exc.value.code == 2
    assert "--folds" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["train", "--set", "n_mels=64"])
    assert "step and parameter" in capsys.readouterr().err


@pytest.mark.slow
def test_demo_runs_the_whole_job_and_leaves_reports_and_a_model(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["demo", "--speakers", "4", "--per-class", "2", "--folds", "2",
                 "--out", str(out), *FAST]) == 0
    printed = capsys.readouterr().out
    assert "2D 'lenet5'" in printed and "features__n_mels=16" in printed  # --set wins
    assert "Demo finished" in printed and "clips of the held-out speakers" in printed
    assert sorted(p.name for p in out.iterdir()) == [
        "cv_report.json", "cv_report_confusion.png", "model.skser",
        "train_report.json", "train_report_confusion.png",
    ]
    cv = json.loads((out / "cv_report.json").read_text())
    assert cv["split"]["speaker_independent"] and cv["n_clips"] == 4 * 6 * 2


@pytest.mark.slow
def test_demo_trains_the_default_ensemble_unless_told_otherwise(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["demo", "--speakers", "4", "--per-class", "2", "--folds", "2",
                 "--epochs", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "skser demo: ENSEMBLE" in printed and "attention-GRU" in printed
    # The epochs trained, not the demo's own 40, which --epochs overrides.
    assert "clf__sequence__clf__epochs=2" in printed and "=40" not in printed
    model = load_model(out / "model.skser")
    assert model.named_steps["clf"].named_estimators_["sequence"][-1].epochs == 2
    # The two-minute demo's own settings (issue 23), stated in its output.
    assert model.named_steps["clf"].cv == 2 and "clf__cv=2" in printed
    assert "Demo settings, for a run of about two minutes: 2-fold" in printed

    # The closing example: two held-out clips per emotion, each with its true
    # and predicted label, the three most probable classes and a mark.
    example = printed.split("(2 per emotion):\n\n")[1].split("\n\nDemo finished")[0]
    header, *rows, summary = example.splitlines()
    assert header.split() == ["clip", "true", "predicted", "most", "probable"]
    assert len(rows) == 12
    assert sorted(row.split()[1] for row in rows) == sorted(
        ["angry", "disgust", "fear", "happy", "neutral", "sad"] * 2)
    marks = []
    for row in rows:
        name, truth, predicted, mark, *probable = row.split()
        assert name.endswith(".wav") and mark == ("right" if truth == predicted else "WRONG")
        top = [(label, int(percent.rstrip("%,")))
               for label, percent in zip(probable[::2], probable[1::2])]
        assert len(top) == 3 and top[0][0] == predicted
        assert [p for _, p in top] == sorted((p for _, p in top), reverse=True)
        marks.append(mark)
    assert summary == f"{marks.count('right')} of 12 right."


def test_demo_examples_are_spread_over_each_emotions_test_clips():
    from skser.cli.demo import _demo_examples

    target = np.array(["a", "b"] * 6 + ["c"])
    test = np.array([0, 1, 2, 3, 6, 7, 10, 11, 12])  # c has one test clip

    assert _demo_examples(target, test).tolist() == [0, 10, 1, 11, 12]


def test_demo_example_lines_mark_right_and_wrong_with_top_probabilities():
    from skser.cli.formatting import _format_examples

    proba = np.array([[0.7, 0.2, 0.1], [0.05, 0.15, 0.8]])
    text = _format_examples(["x.wav", "longer.wav"], ["sad", "angry"],
                            np.array(["angry", "happy", "sad"]), proba, top=2)

    assert text.splitlines() == [
        "  clip        true   predicted         most probable",
        "  x.wav       sad    angry      WRONG  angry 70%, happy 20%",
        "  longer.wav  angry  sad        WRONG  sad 80%, happy 15%",
        "0 of 2 right.",
    ]
    text = _format_examples(["x.wav"], ["angry"], np.array(["angry", "sad"]),
                            np.array([[0.6, 0.4]]))
    assert text.splitlines()[1:] == ["  x.wav  angry  angry      right  angry 60%, sad 40%",
                                     "1 of 1 right."]


def test_evaluate_refuses_more_folds_than_speakers(folder_corpus, capsys):
    status = main(["evaluate", str(folder_corpus), "--corpus", "folder", "--speaker-pattern",
                   r"^(spk\d)_", "--folds", "5", "--quiet"])
    assert status == 2
    err = capsys.readouterr().err
    assert "--folds 5" in err and "2 to 4 folds" in err


def test_stats_kind_trains_a_logistic_regression_that_predicts_probabilities(
        folder_corpus, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["train", str(folder_corpus), "--corpus", "folder", "--speaker-pattern",
                 r"^(spk\d)_", "--kind", "stats", "--out", str(out), "--quiet"]) == 0
    report = json.loads((out / "train_report.json").read_text())
    assert report["kind"] == "stats" and "STATS" in capsys.readouterr().out
    clip = sorted(folder_corpus.rglob("*.wav"))[0]
    assert main(["predict", str(out / "model.skser"), str(clip), "--format", "json",
                 TONES]) == 0
    row = json.loads(capsys.readouterr().out)[0]
    probabilities = [row[label] for label in ("angry", "happy", "sad")]
    assert abs(sum(probabilities) - 1) < 1e-6
    assert row["label"] == ("angry", "happy", "sad")[int(np.argmax(probabilities))]


@pytest.mark.parametrize("option", [["--model", "vgg16"], ["--epochs", "3"]])
def test_cnn_options_with_the_statistics_kind_are_refused(option, tmp_path, capsys):
    assert main(["train", str(tmp_path), "--corpus", "folder", "--kind", "stats",
                 *option, "--out", str(tmp_path / "out")]) != 0
    assert "apply to the CNN kinds" in capsys.readouterr().err


# Speaker normalisation (--speaker-normalize, --same-speaker) on the
# statistics kind, with small features: no TensorFlow, seconds per command.
STATS_FAST = ["--kind", "stats", "--set", "features__n_fft=256", "--set", "features__hop_length=128",
              "--set", "features__n_mels=32", "--quiet"]
SPEAKERS = ["--corpus", "folder", "--speaker-pattern", r"^(spk\d)_"]
NORMALISED = "speaker-normalised (uses each test speaker's unlabelled clips)"


def test_evaluate_speaker_normalize_normalises_test_folds_with_their_clips_and_says_so(
        folder_corpus, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["evaluate", str(folder_corpus), *SPEAKERS, "--folds", "2",
                 "--speaker-normalize", "--out", str(out), *STATS_FAST]) == 0
    assert NORMALISED in capsys.readouterr().out
    report = json.loads((out / "cv_report.json").read_text())
    assert report["split"]["speaker_normalised"] and report["split"]["speaker_independent"]
    assert NORMALISED in report["split"]["description"]


def test_train_speaker_normalize_reports_it_and_predict_same_speaker_uses_the_files(
        folder_corpus, tmp_path, capsys):
    import sklearn

    from skser import SpeakerStandardScaler

    out = tmp_path / "out"
    assert main(["train", str(folder_corpus), *SPEAKERS, "--speaker-normalize",
                 "--out", str(out), *STATS_FAST]) == 0
    assert NORMALISED in capsys.readouterr().out
    report = json.loads((out / "train_report.json").read_text())
    assert report["split"]["speaker_normalised"]
    assert NORMALISED in report["split"]["description"]
    model = load_model(out / "model.skser")
    assert isinstance(model.named_steps["scale"], SpeakerStandardScaler)
    assert model.named_steps["scale"].n_speakers_ == 4 - len(report["split"]["test_speakers"])

    files = sorted(str(p) for p in folder_corpus.rglob("*.wav"))[:4]
    with sklearn.config_context(enable_metadata_routing=True):
        as_one = model.predict_proba(files, groups=[0] * 4)
    each_alone = model.predict_proba(files)
    for option, expected in (["--same-speaker"], as_one), ([], each_alone):
        assert main(["predict", str(out / "model.skser"), *files, *option,
                     "--format", "json", "--quiet", TONES]) == 0
        rows = json.loads(capsys.readouterr().out)
        got = [[row[c] for c in model.classes_] for row in rows]
        np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_same_speaker_needs_a_speaker_normalised_model(folder_corpus, tmp_path, capsys):
    model = tmp_path / "plain.skser"
    assert main(["train", str(folder_corpus), "--corpus", "folder", "--split", "none",
                 "--model-file", str(model), *STATS_FAST]) == 0
    wav = str(next(folder_corpus.rglob("*.wav")))
    assert main(["predict", str(model), wav, "--same-speaker", "--quiet"]) == 2
    assert "--same-speaker needs a model trained with --speaker-normalize" in (
        capsys.readouterr().err)


# Adaptation (--adapt) on the statistics kind, as above.
ADAPTED = "adapted (standardised with the test clips' own unlabelled statistics)"


@pytest.fixture
def adapted_model(folder_corpus, tmp_path, capsys):
    """A statistics model trained with --adapt on the folder corpus, and its report."""
    out = tmp_path / "adapted"
    assert main(["train", str(folder_corpus), *SPEAKERS, "--adapt", "--out", str(out),
                 *STATS_FAST]) == 0
    printed = capsys.readouterr().out
    return out / "model.skser", json.loads((out / "train_report.json").read_text()), printed


def test_train_adapt_standardises_the_held_out_part_with_its_own_clips_and_says_so(
        adapted_model):
    from skser import DomainStandardScaler

    path, report, printed = adapted_model
    assert ADAPTED in printed and ADAPTED in report["split"]["description"]
    assert report["split"]["adapted"] and report["split"]["speaker_independent"]
    scale = load_model(path).named_steps["scale"]
    assert isinstance(scale, DomainStandardScaler) and scale.n_speakers_ == 1


def test_predict_adapt_standardises_the_files_together_at_any_sample_rate(
        adapted_model, labelled_wavs, tmp_path, capsys):
    import sklearn

    path = adapted_model[0]
    # The same clips at four sample rates: the model's loader resamples them.
    files = []
    for i, source in enumerate(labelled_wavs[0][:12]):
        audio, sr = sf.read(source)
        rate = (8000, 16000, 22050, 44100)[i % 4]
        target = tmp_path / f"rate{rate}_{i}.wav"
        sf.write(target, np.interp(np.arange(0, len(audio), sr / rate),
                                   np.arange(len(audio)), audio), rate)
        files.append(str(target))
    model = load_model(path)
    with sklearn.config_context(enable_metadata_routing=True):
        together = model.predict_proba(files, domains=[0] * len(files))
    alone = model.predict_proba(files)
    assert not np.allclose(together, alone)

    for option, expected in (["--adapt"], together), ([], alone):
        assert main(["predict", str(path), *files, *option, "--format", "json", "--quiet",
                     TONES]) == 0
        rows = json.loads(capsys.readouterr().out)
        got = [[row[c] for c in model.classes_] for row in rows]
        np.testing.assert_allclose(got, expected, rtol=1e-6)


@pytest.mark.parametrize("n_files", [1, 9])
def test_predict_adapt_refuses_fewer_files_than_it_needs_naming_how_many(
        adapted_model, labelled_wavs, n_files, capsys):
    files = labelled_wavs[0][:n_files]

    assert main(["predict", str(adapted_model[0]), *files, "--adapt", "--quiet", TONES]) == 2
    err = capsys.readouterr().err
    assert "--adapt needs at least 10 audio files" in err and f"got {n_files}" in err


def test_predict_adapt_counts_only_the_files_it_can_read(adapted_model, labelled_wavs,
                                                        tmp_path, capsys):
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"not audio")
    files = [*labelled_wavs[0][:9], str(broken)]

    assert main(["predict", str(adapted_model[0]), *files, "--adapt", "--quiet", TONES]) == 2
    assert "9 of 10 are left after 1 unreadable" in capsys.readouterr().err


def test_predict_adapt_needs_a_model_trained_with_adapt(folder_corpus, labelled_wavs,
                                                       tmp_path, capsys):
    model = tmp_path / "plain.skser"
    assert main(["train", str(folder_corpus), "--corpus", "folder", "--split", "none",
                 "--model-file", str(model), *STATS_FAST]) == 0

    assert main(["predict", str(model), *labelled_wavs[0][:12], "--adapt", "--quiet"]) == 2
    assert "--adapt needs a model trained with --adapt" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["train", "{corpus}", *SPEAKERS, "--adapt", "--speaker-normalize"],
     "--adapt and --speaker-normalize both choose"),
])
def test_adapt_refuses_what_it_cannot_do_before_training(argv, message, folder_corpus,
                                                         tmp_path, capsys):
    argv = [a.format(corpus=folder_corpus) for a in argv]
    assert main([*argv, "--out", str(tmp_path / "out"), *STATS_FAST]) == 2
    assert message in capsys.readouterr().err


def test_predict_adapt_refuses_timelines(adapted_model, labelled_wavs, capsys):
    assert main(["predict", str(adapted_model[0]), *labelled_wavs[0][:12], "--adapt",
                 "--timeline", "--quiet"]) == 2
    assert "--adapt does not apply to --timeline" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["train", "{corpus}", "--corpus", "folder", "--split", "none"], "--speaker-pattern"),
    (["evaluate", "{corpus}", *SPEAKERS, "--folds", "2", "--kind", "1d"], "--no-augment"),
])
def test_speaker_normalize_refuses_what_it_cannot_do_before_training(
        argv, message, folder_corpus, capsys):
    argv = [a.replace("{corpus}", str(folder_corpus)) for a in argv]
    assert main([*argv, "--speaker-normalize", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "--speaker-normalize" in err and message in err


def test_train_on_a_random_split_works_with_the_statistics_model(folder_corpus, tmp_path):
    out = tmp_path / "out"
    assert main(["train", str(folder_corpus), *SPEAKERS, "--split", "random",
                 "--out", str(out), *STATS_FAST]) == 0
    report = json.loads((out / "train_report.json").read_text())
    assert not report["split"]["speaker_independent"]


def test_train_no_robust_builds_the_clean_trained_model(folder_corpus, tmp_path):
    from skser import load_model

    for flags, steps in ([], ["load", "trim", "augment", "level", "features", "scale", "clf"]),\
            (["--no-robust"], ["load", "trim", "augment", "features", "scale", "clf"]):
        model = tmp_path / f"model{len(flags)}.skser"
        assert main(["train", str(folder_corpus), *SPEAKERS, "--split", "none",
                     "--model-file", str(model), *STATS_FAST, *flags]) == 0
        pipe = load_model(model)
        assert [name for name, _ in pipe.steps] == steps
        assert (pipe.named_steps["augment"] == "passthrough") == bool(flags)


def test_train_robust_with_speaker_normalize_trains_on_a_channel_per_speaker(folder_corpus,
                                                                             tmp_path):
    from skser import SpeakerStandardScaler, load_model

    model = tmp_path / "model.skser"
    assert main(["train", str(folder_corpus), *SPEAKERS, "--split", "none", "--model-file",
                 str(model), *STATS_FAST, "--speaker-normalize", "--robust"]) == 0
    pipe = load_model(model)
    assert [name for name, _ in pipe.steps] == [
        "load", "trim", "augment", "level", "features", "scale", "clf"]
    assert isinstance(pipe.named_steps["scale"], SpeakerStandardScaler)
    assert pipe.named_steps["augment"].augmenters[0].steps[0][1].draw == "group"
    # Without --robust, speaker-normalised means clean-trained.
    plain = tmp_path / "plain.skser"
    assert main(["train", str(folder_corpus), *SPEAKERS, "--split", "none", "--model-file",
                 str(plain), *STATS_FAST, "--speaker-normalize"]) == 0
    assert load_model(plain).named_steps["augment"] == "passthrough"


def test_robust_and_no_robust_together_are_a_usage_error(folder_corpus, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["train", str(folder_corpus), "--robust", "--no-robust"])
    assert exit_.value.code == 2
    assert "--no-robust: not allowed with argument --robust" in capsys.readouterr().err


def test_predict_with_the_statistics_model_never_imports_tensorflow(stats_model, labelled_wavs):
    paths, _, _ = labelled_wavs
    code = ("import sys; from skser.cli import main; "
            f"status = main(['predict', {str(stats_model)!r}, {str(paths[0])!r}, '--quiet']); "
            "print('tensorflow' in sys.modules, status)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300, cwd=pathlib.Path(__file__).resolve().parents[1])

    assert result.stdout.strip().splitlines()[-1] == "False 0", result.stdout + result.stderr


def test_help_imports_none_of_the_heavy_libraries():
    code = ("import sys\nfrom skser.cli import main\ntry:\n    main(['--help'])\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in ('sklearn', 'librosa', 'scipy', 'tensorflow') "
            "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, cwd=pathlib.Path(__file__).resolve().parents[1])

    assert "usage: skser" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout + result.stderr


@pytest.fixture
def stats_model(labelled_wavs, tmp_path):
    """A small statistics model file, trained on the conftest clips."""
    from skser import make_ser_pipeline, save_model

    paths, labels, _ = labelled_wavs
    model = tmp_path / "stats.skser"
    pipe = make_ser_pipeline("stats", sr=8000, duration=0.5, features__n_fft=256,
                             features__hop_length=128, features__n_mels=32,
                             features__n_bands=4)
    save_model(pipe.fit(paths, labels), model)
    return model


def _batch_folder(labelled_wavs, tmp_path):
    """A folder with good clips in a sub-folder, a corrupt WAV and a text file."""
    paths, _, _ = labelled_wavs
    folder = tmp_path / "batch"
    (folder / "sub").mkdir(parents=True)
    good = [folder / "a.wav", folder / "sub" / "c.wav"]
    for source, target in zip(paths, good):
        target.write_bytes(pathlib.Path(source).read_bytes())
    (folder / "sub" / "b.wav").write_bytes(b"RIFF but not audio")
    (folder / "notes.txt").write_text("not audio")
    return folder, good


def test_predict_reads_folders_and_reports_unreadable_files_in_their_rows(
        stats_model, labelled_wavs, tmp_path, capsys):
    folder, good = _batch_folder(labelled_wavs, tmp_path)
    missing = str(tmp_path / "missing.wav")

    status = main(["predict", str(stats_model), str(folder), missing, "--format", "json",
                   "--quiet", TONES])

    rows = json.loads(capsys.readouterr().out)
    assert status == 1  # some files failed
    assert [r["file"] for r in rows] == [
        str(folder / "a.wav"), str(folder / "sub" / "b.wav"), str(folder / "sub" / "c.wav"),
        missing]
    assert [r["label"] is None for r in rows] == [False, True, False, True]
    assert "could not be decoded" in rows[1]["error"] and "b.wav" in rows[1]["error"]
    assert rows[3]["error"] == "not found"
    assert all("error" not in r and np.isclose(sum(r[c] for c in ("angry", "happy", "sad")), 1.0)
               for r in (rows[0], rows[2]))
    # The good files get what they get alone.
    assert main(["predict", str(stats_model), str(good[0]), "--format", "json",
                 "--quiet", TONES]) == 0
    (alone,) = json.loads(capsys.readouterr().out)
    assert alone["label"] == rows[0]["label"]


def test_predict_table_and_csv_carry_the_error_column(stats_model, labelled_wavs, tmp_path,
                                                      capsys):
    folder, _ = _batch_folder(labelled_wavs, tmp_path)

    assert main(["predict", str(stats_model), str(folder), "--format", "csv", "--quiet",
                 TONES]) == 1
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [bool(r["error"]) for r in table] == [False, True, False]
    assert main(["predict", str(stats_model), str(folder), "--quiet", TONES]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("error") and "could not be decoded" in lines[2]


def test_predict_strict_stops_at_the_first_unreadable_file(stats_model, labelled_wavs,
                                                           tmp_path, capsys):
    folder, _ = _batch_folder(labelled_wavs, tmp_path)

    assert main(["predict", str(stats_model), str(folder), "--strict", "--quiet"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "b.wav" in captured.err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["predict", str(stats_model), str(empty), "--strict", "--quiet"]) == 2
    assert "holds no audio files" in capsys.readouterr().err


def test_reports_name_the_model_and_files_follow_the_umask(folder_corpus, tmp_path):
    out = tmp_path / "out"
    old = os.umask(0o022)
    try:
        assert main(["train", str(folder_corpus), *SPEAKERS, "--out", str(out),
                     *STATS_FAST]) == 0
    finally:
        os.umask(old)
    report = json.loads((out / "train_report.json").read_text())
    assert report["model"] == "ConditionGatedClassifier"
    for name in ("train_report.json", "model.skser"):
        assert (out / name).stat().st_mode & 0o777 == 0o644, name


@pytest.mark.slow
def test_the_default_kind_is_the_ensemble_weighed_on_the_training_speakers(
        folder_corpus, tmp_path, capsys, monkeypatch):
    from sklearn.model_selection import StratifiedGroupKFold

    from skser.models import _ensemble

    inner_groups = []

    class Recording(StratifiedGroupKFold):
        def split(self, X, y=None, groups=None):
            inner_groups.append(groups)
            return super().split(X, y, groups)

    monkeypatch.setattr(_ensemble, "StratifiedGroupKFold", Recording)
    out = tmp_path / "out"
    small = [f"--set=clf__{member}__features__{key}" for member in ("stats", "sequence")
             for key in ("n_fft=256", "hop_length=128", "n_mels=32")]

    # No --kind: make_ser_pipeline's default, the ensemble.
    assert main(["train", str(folder_corpus), *SPEAKERS, "--epochs", "2", "--set",
                 "clf__sequence__clf__width=0.25", *small, "--out", str(out), "--quiet"]) == 0

    assert "ENSEMBLE" in capsys.readouterr().out
    report = json.loads((out / "train_report.json").read_text())
    assert report["kind"] == "ensemble" and report["model"] == "SoftVotingEnsemble"
    # The vote was weighed on an inner split over the training speakers.
    test_speakers = set(report["split"]["test_speakers"])
    assert len(test_speakers) == 2 and len(inner_groups) == 1 and len(set(inner_groups[0])) >= 2
    assert not set(inner_groups[0]) & test_speakers
    model = load_model(out / "model.skser")
    assert model.named_steps["clf"].named_estimators_["sequence"][-1].n_epochs_ <= 2
    clip = sorted(folder_corpus.rglob("*.wav"))[0]
    assert main(["predict", str(out / "model.skser"), str(clip), "--format", "json",
                 TONES]) == 0
    row = json.loads(capsys.readouterr().out)[0]
    assert abs(sum(row[label] for label in ("angry", "happy", "sad")) - 1) < 1e-6


@pytest.mark.parametrize("kind", ["sequence", "ensemble"])
def test_a_cnn_model_with_the_sequence_kinds_is_refused(kind, tmp_path, capsys):
    assert main(["train", str(tmp_path), "--corpus", "folder", "--kind", kind, "--model",
                 "vgg16", "--out", str(tmp_path / "out")]) == 2
    assert "attention-GRU" in capsys.readouterr().err


# ---------------------------------------------------------------------------
# The speech check: no emotion for a file that holds no speech
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def speech_check_files(tmp_path_factory):
    """A speaker-normalised statistics model trained on synthetic speech,
    and files to predict: two speech clips of a speaker it never heard,
    white noise, digital silence and a steady tone."""
    from skser.datasets import make_emotional_speech

    root = tmp_path_factory.mktemp("speech_check")
    data = make_emotional_speech(root / "demo", n_speakers=4, n_per_class=1,
                                 random_state=0)
    model = root / "model.skser"
    assert main(["train", str(root / "demo"), "--corpus", "crema_d", "--split", "none",
                 "--speaker-normalize", "--model-file", str(model), *STATS_FAST]) == 0
    rng = np.random.default_rng(0)
    t = np.arange(2 * 16000) / 16000
    sounds = {"noise.wav": 0.1 * rng.standard_normal(t.size), "silence.wav": np.zeros(t.size),
              "tone.wav": 0.3 * np.sin(2 * np.pi * 220 * t)}
    for name, y in sounds.items():
        sf.write(root / name, y.astype(np.float32), 16000, subtype="PCM_16")
    (root / "bad.wav").write_bytes(b"RIFF but not audio")
    new_speaker = make_emotional_speech(root / "new", n_speakers=5, n_per_class=1,
                                        random_state=0)
    speech = [str(f) for f in new_speaker.filenames[-2:]]  # speaker 1005, not trained on
    assert not set(speech) & set(data.filenames)
    return model, speech, [str(root / n) for n in sounds], str(root / "bad.wav")


def test_predict_gives_no_label_to_noise_silence_or_a_tone_in_every_format(
        speech_check_files, capsys):
    model, speech, others, bad = speech_check_files
    files = [speech[0], *others, speech[1]]

    assert main(["predict", str(model), *files, "--format", "json", "--quiet"]) == 0
    rows = json.loads(capsys.readouterr().out)
    classes = [str(c) for c in load_model(model).classes_]
    assert [r["file"] for r in rows] == files
    assert [r["speech"] for r in rows] == [True, False, False, False, True]
    for row in rows[1:4]:
        assert row["label"] is None and all(row[c] is None for c in classes)
    assert [r["reason"].split(":")[0] for r in rows[1:4]] == ["no voice", "silent",
                                                              "steady pitch"]
    for row in (rows[0], rows[4]):
        assert "reason" not in row and row["label"] in classes
        assert np.isclose(sum(row[c] for c in classes), 1.0)

    # Speech gets the label it gets without the check: the loaded audio is reused.
    assert main(["predict", str(model), *speech, "--format", "json", "--quiet",
                 "--no-speech-check"]) == 0
    unchecked = json.loads(capsys.readouterr().out)
    assert all("speech" not in r for r in unchecked)
    np.testing.assert_allclose([[r[c] for c in classes] for r in unchecked],
                               [[r[c] for c in classes] for r in (rows[0], rows[4])],
                               rtol=1e-6)

    assert main(["predict", str(model), *files, "--format", "csv", "--quiet"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["speech"] for r in table] == ["True", "False", "False", "False", "True"]
    assert [bool(r["label"]) for r in table] == [True, False, False, False, True]
    assert [bool(r["reason"]) for r in table] == [False, True, True, True, False]

    assert main(["predict", str(model), *files, "--quiet"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["file", "speech", "label"] and lines[0].endswith("reason")
    assert lines[2].split()[1:3] == ["no", "-"] and "no voice" in lines[2]
    assert lines[1].split()[1] == "yes" and lines[1].split()[2] in classes


def test_predict_keeps_error_rows_apart_from_files_without_speech(speech_check_files, capsys):
    model, speech, others, bad = speech_check_files

    assert main(["predict", str(model), speech[0], others[1], bad, "--format", "json"]) == 1
    captured = capsys.readouterr()
    rows = json.loads(captured.out)
    assert [r["speech"] for r in rows] == [True, False, None]
    assert "error" not in rows[1] and rows[1]["reason"].startswith("silent")
    assert "reason" not in rows[2] and "could not be decoded" in rows[2]["error"]
    assert "1 of 3 file(s) hold no speech" in captured.err
    assert "1 of 3 file(s) could not be read" in captured.err


def test_predict_same_speaker_normalises_with_the_speech_files_only(speech_check_files,
                                                                    capsys):
    import sklearn

    model_path, speech, others, _ = speech_check_files
    model = load_model(model_path)
    with sklearn.config_context(enable_metadata_routing=True):
        expected = model.predict_proba(speech, groups=[0, 0])

    assert main(["predict", str(model_path), speech[0], *others, speech[1], "--same-speaker",
                 "--format", "json", "--quiet"]) == 0
    rows = json.loads(capsys.readouterr().out)
    got = [[rows[i][str(c)] for c in model.classes_] for i in (0, len(rows) - 1)]
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_evaluate_robustness_writes_the_table_and_plot_of_every_condition(
        folder_corpus, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["evaluate", str(folder_corpus), "--corpus", "folder", "--speaker-pattern",
                 r"^(spk\d)_", "--folds", "2", "--kind", "stats", "--robustness",
                 "--corruptions", "gain", "telephone", "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "telephone@a-law" in printed and "mean drop at moderate severity" in printed
    report = json.loads((out / "robustness_report.json").read_text())
    labels = [row["label"] for row in report["conditions"]]
    assert labels == ["clean", "gain@-30", "gain@-20", "gain@-10", "gain@6", "gain@12",
                      "telephone@narrowband", "telephone@mu-law", "telephone@a-law"]
    assert report["n_clips"] == 24 and report["split"].startswith("2-fold")
    assert (out / "robustness.png").stat().st_size > 1000


@pytest.mark.parametrize("extra, message", [
    (["--robustness", "--corruptions", "pinknoise"], "unknown corruption 'pinknoise'"),
    (["--quick"], "add --robustness"),
    (["--corruptions", "gain"], "add --robustness"),
])
def test_evaluate_robustness_refuses_bad_options_by_name(folder_corpus, capsys, extra,
                                                         message):
    status = main(["evaluate", str(folder_corpus), "--corpus", "folder", "--speaker-pattern",
                   r"^(spk\d)_", "--folds", "2", "--kind", "stats", "--quiet", *extra])
    assert status == 2
    assert message in capsys.readouterr().err


def test_train_with_a_narrowband_expert_saves_a_model_that_routes_by_band(
        folder_corpus, tmp_path, capsys):
    from skser import load_model
    from skser.models import BandwidthExperts

    out = tmp_path / "out"
    assert main(["train", str(folder_corpus), *SPEAKERS, "--narrowband-expert",
                 "--out", str(out), *STATS_FAST]) == 0
    assert "with a narrowband expert" in capsys.readouterr().out
    model = load_model(out / "model.skser")
    assert isinstance(model.named_steps["clf"], BandwidthExperts)
    clip = sorted(folder_corpus.rglob("*.wav"))[0]
    capsys.readouterr()
    assert main(["predict", str(out / "model.skser"), str(clip), "--format", "json",
                 TONES]) == 0
    row = json.loads(capsys.readouterr().out)[0]
    assert abs(sum(row[label] for label in ("angry", "happy", "sad")) - 1) < 1e-6


def test_a_narrowband_expert_with_speaker_normalisation_is_refused(folder_corpus, tmp_path,
                                                                   capsys):
    assert main(["train", str(folder_corpus), *SPEAKERS, "--narrowband-expert",
                 "--speaker-normalize", "--out", str(tmp_path / "out"), *STATS_FAST]) != 0
    assert "does not work with speaker_normalize=True" in capsys.readouterr().err
