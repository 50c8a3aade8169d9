"""The accuracy benchmark's own logic (`benchmarks/accuracy.py`): which steps
it runs once per corpus, when a stored fold is reused, and that its shortcut
computes what fitting the whole pipeline computes."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sklearn
from sklearn.base import BaseEstimator, TransformerMixin

from conftest import tiny_ser_pipeline, write_tone_clips

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
SHARED_DATA = BENCHMARKS.parents[1] / "shared" / "data"


def _load_benchmark(name):
    """``benchmarks/<name>.py`` as a module (its imports of ``_common`` and
    the like resolved from benchmarks/)."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCHMARKS))
    return module


@pytest.fixture(scope="module")
def accuracy():
    return _load_benchmark("accuracy")


@pytest.mark.parametrize(("row", "head", "tail"), [
    ("2d-lenet5", ["load", "trim", "features"], ["augment", "scale", "clf"]),
    ("2d-vgg16", ["load", "trim", "features"], ["augment", "scale", "clf"]),
    ("1d-lenet5", ["load", "trim"], ["augment", "features", "scale", "clf"]),
    # The pre-issue-13 statistics pipeline has no augmenter: everything up to
    # the scaler.
    ("svm", ["load", "trim", "augment", "features"], ["scale", "clf"]),
    # The robust statistics model's altered copies are made per fold, in
    # training only: what comes after them too.
    ("stats", ["load", "trim"], ["augment", "level", "features", "scale", "clf"]),
    # The default ensemble: robust like the statistics model, and its
    # members' features and scalers learn per fold.
    ("default", ["load", "trim"], ["augment", "level", "clf"]),
    # openSMILE reads the files itself: only its features run once.
    ("opensmile", ["features"], ["scale", "clf"]),
    # A speaker-normalised twin learns its speakers' statistics in the scaler.
    ("svm+spk", ["load", "trim", "augment", "features"], ["scale", "clf"]),
    ("opensmile+spk", ["features"], ["scale", "clf"]),
    # Per speaker, the 2-D scaler comes before the masked copies it cannot name.
    ("2d-lenet5+spk", ["load", "trim", "features"], ["scale", "augment", "clf"]),
])
def test_only_steps_that_learn_nothing_run_once_per_corpus(accuracy, row, head, tail):
    # The augmenter is a sampler (training only) and the scaler learns: both
    # must be fitted per fold, and everything after them too.
    got_head, got_tail = accuracy.split_stateless(accuracy.make_row(row))
    assert [name for name, _ in got_head.steps] == head
    assert [name for name, _ in got_tail.steps] == tail


def test_augmentation_off_keeps_passthrough_out_of_the_head(accuracy):
    from skser import make_ser_pipeline

    head, tail = accuracy.split_stateless(make_ser_pipeline("2d", augment=False))
    assert [name for name, _ in head.steps] == ["load", "trim", "features", "augment"]
    assert [name for name, _ in tail.steps] == ["scale", "clf"]


def test_stored_folds_are_reused_only_for_the_same_settings(accuracy, tmp_path):
    key = accuracy.settings_key(accuracy.make_row("stats"))
    assert key == accuracy.settings_key(accuracy.make_row("stats"))
    # svm is the statistics pipeline as it was before issue 13: another row now.
    assert key != accuracy.settings_key(accuracy.make_row("svm"))
    assert key != accuracy.settings_key(accuracy.make_row("2d-lenet5"))
    assert key != accuracy.settings_key(accuracy.make_row("default"))
    changed = accuracy.make_row("stats").set_params(clf__power=1.0)
    assert accuracy.settings_key(changed) != key

    calls = []
    path = tmp_path / "fold0.json"
    first, hit = accuracy.cached(path, key, lambda: calls.append(1) or {"ua": 0.5}, force=False)
    assert (first["ua"], hit, len(calls)) == (0.5, False, 1)
    again, hit = accuracy.cached(path, key, lambda: calls.append(1) or {"ua": 0.9}, force=False)
    assert (again["ua"], hit, len(calls)) == (0.5, True, 1)
    stale, hit = accuracy.cached(path, "other", lambda: calls.append(1) or {"ua": 0.7},
                                 force=False)
    assert (stale["ua"], hit, len(calls)) == (0.7, False, 2)
    forced, hit = accuracy.cached(path, "other", lambda: {"ua": 0.1}, force=True)
    assert (forced["ua"], hit) == (0.1, False)


def test_rewriting_results_keeps_the_prose_around_the_tables(accuracy, tmp_path):
    path = tmp_path / "results.md"
    path.write_text(accuracy.replace_generated(path, "table one"))
    assert "table one" in path.read_text() and path.read_text().startswith("# Results")
    path.write_text("# Mine\n\nintro\n\n" + path.read_text().split("\n", 2)[2] + "\nafter\n")
    path.write_text(accuracy.replace_generated(path, "table two"))
    text = path.read_text()
    assert "table two" in text and "table one" not in text
    assert text.startswith("# Mine\n\nintro\n") and text.rstrip().endswith("after")


class _Data:
    def __init__(self, paths, labels, groups=None):
        self.filenames = np.array(paths, dtype=object)
        self.target = np.array(labels)
        self.target_names = np.unique(self.target)
        self.groups = None if groups is None else np.array(groups)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["1d", "2d"])
def test_shortcut_predicts_what_the_whole_pipeline_predicts(accuracy, kind, tmp_path, rng):
    paths, labels = write_tone_clips(tmp_path, 24, sr=8000, seconds=0.6, rng=rng)
    data = _Data(paths, labels)
    train, test = np.arange(18), np.arange(18, 24)

    whole = tiny_ser_pipeline(kind).fit(list(data.filenames[train]), data.target[train])
    expected = whole.predict(list(data.filenames[test]))
    result = accuracy.fit_and_score(tiny_ser_pipeline(kind), train, test, data,
                                    accuracy.Heads(data))

    assert result["y_pred"] == expected.tolist()
    assert result["n_train"] == 18 and result["n_test"] == 6


def test_every_row_has_its_speaker_normalised_twin_right_below_it(accuracy):
    for plain in accuracy.PLAIN_ROWS:
        i = accuracy.ROWS.index(plain)
        if plain.startswith("1d-"):
            # Augmented waveform copies have no speaker: no twin, and none offered.
            assert f"{plain}+spk" not in accuracy.ROWS
            with pytest.raises(ValueError, match="speaker_normalize=True needs augment=False"):
                accuracy.make_row(f"{plain}+spk")
        elif plain.endswith("-issue-14"):
            # robust is off with speaker_normalize: the twin would be the
            # robust row's twin, the same folds printed twice.
            assert f"{plain}+spk" not in accuracy.ROWS
            base = plain.removesuffix("-issue-14")
            assert accuracy.row_key(f"{plain}+spk") == accuracy.row_key(f"{base}+spk")
            assert accuracy.row_key(plain) != accuracy.row_key(base)
        elif plain in ("pretrained", "pretrained-stats"):
            # It adapts per recording domain, not per speaker.
            assert f"{plain}+spk" not in accuracy.ROWS
        else:
            assert accuracy.ROWS[i + 1] == f"{plain}+spk"
    # The CNNs' twins are selectable, but cost too much to run by default;
    # the sequence network's and the ensemble's (a minute a fold) run.
    assert set(accuracy.DEFAULT_ROWS) == {
        *accuracy.PLAIN_ROWS, "svm+spk", "opensmile+spk", "opensmile-stats+spk",
        "sequence+spk", "stats+spk", "ensemble+spk", "default+spk"}
    assert "opensmile" in accuracy.PLAIN_ROWS


def test_a_twin_is_labelled_as_using_the_test_speakers_clips(accuracy):
    note = "speaker-normalised (uses each test speaker's unlabelled clips)"
    assert accuracy.row_label("opensmile+spk") == f"opensmile, {note}"
    assert accuracy.row_label("svm+spk", "default+spk") == f"svm (= default), {note}"
    assert accuracy.row_label("svm", "default") == "svm (= default)"
    fold = {"ua": 0.5, "wa": 0.5, "macro_f1": 0.5, "fit_seconds": 1.0,
            "predict_ms_per_clip": 1.0, "n_test": 10}
    table = accuracy.markdown_table(accuracy.summarise(
        {"svm": [fold], "svm+spk": [fold], "opensmile": []}, 1))
    lines = table.splitlines()[2:]
    assert lines[0].startswith("| svm |") and lines[1].startswith(f"| svm, {note} |")
    assert lines[2].startswith("| opensmile | not run yet: 0 of 1 folds stored |")


def test_the_opensmile_row_has_the_svm_rows_scaler_and_svm(accuracy):

    opensmile, svm = accuracy.make_row("opensmile"), accuracy.make_row("svm")
    assert [name for name, _ in opensmile.steps] == ["features", "scale", "clf"]
    assert isinstance(opensmile.named_steps["features"], accuracy.OpenSmileFunctionals)
    for step in ("scale", "clf"):
        mine, theirs = opensmile.named_steps[step], svm.named_steps[step]
        assert type(mine) is type(theirs)
        assert repr(mine.get_params(deep=True)) == repr(theirs.get_params(deep=True))
    assert accuracy.row_key("opensmile") != accuracy.row_key("svm")


@pytest.mark.parametrize("row", ["svm", "opensmile", "stats", "2d-lenet5", "2d-custom"])
def test_a_twin_swaps_only_the_scaler_and_never_shares_its_plain_rows_folds(accuracy, row):
    from skser import SpeakerStandardScaler, StandardScalerND

    from skser import make_ser_pipeline

    plain, twin = accuracy.make_row(row), accuracy.make_row(f"{row}+spk")
    assert isinstance(plain.named_steps["scale"], StandardScalerND)
    assert isinstance(twin.named_steps["scale"], SpeakerStandardScaler)
    if row == "stats":
        # robust=None is off with speaker_normalize=True: the twin of the
        # robust statistics model is the clean-trained model's.
        plain = make_ser_pipeline("stats", robust=False, random_state=accuracy.SEED)
    assert sorted(twin.named_steps) == sorted(plain.named_steps)
    for name, step in plain.named_steps.items():
        if name != "scale":
            assert repr(twin.named_steps[name]) == repr(step), name
    assert accuracy.row_key(f"{row}+spk") != accuracy.row_key(row)


def test_twins_of_rows_built_alike_share_their_folds(accuracy):
    # The openSMILE rows take the scaler and classifier of the svm row and of
    # the clean-trained statistics model (openSMILE reads the files: no
    # altered copies to gate): the same settings apart from the features step.
    svm, stats = accuracy.make_row("svm"), accuracy.make_row("stats-issue-14")
    for row, source in (("opensmile", svm), ("opensmile-stats", stats)):
        tail = accuracy.make_row(row).steps[-2:]
        assert [(n, repr(s)) for n, s in tail] == [(n, repr(s)) for n, s in source.steps[-2:]]
    assert accuracy.row_key("svm+spk") != accuracy.row_key("stats+spk")


def test_the_default_row_is_the_ensemble_and_shares_its_folds(accuracy):
    # Issue 14: make_ser_pipeline() is the ensemble; the row that was the
    # default until then is `stats`, with the same key its folds were stored under.
    assert accuracy.row_key("default") == accuracy.row_key("ensemble")
    assert accuracy.row_key("default+spk") == accuracy.row_key("ensemble+spk")
    assert accuracy.row_key("stats") != accuracy.row_key("default")
    assert {"default", "stats"} <= set(accuracy.RANDOM_SPLIT_ROWS)


def test_one_pipeline_built_twice_keeps_its_key_and_its_twin_differs(accuracy):
    for row in ("default", "stats"):
        assert accuracy.row_key(row) == accuracy.row_key(row)
        assert accuracy.row_key(row) != accuracy.row_key(f"{row}+spk")


def test_parameters_added_at_their_defaults_leave_per_frame_rows_keys_alone(accuracy):
    row = accuracy.make_row("1d-lenet5")
    key = accuracy.settings_key(row)
    # At its default a new FrameFeatures1D parameter changes nothing per frame...
    assert accuracy.settings_key(row.set_params(features__f0_min=60.0)) == key
    # ...any other value does.
    assert accuracy.settings_key(row.set_params(features__deltas=("rms",))) != key


class _SpeakerRecorder(TransformerMixin, BaseEstimator):
    """Passes X through and keeps the groups it was given in fit and transform."""

    def fit(self, X, y=None, groups=None):
        self.fit_groups_ = groups
        return self

    def transform(self, X, groups=None):
        self.transform_groups_ = groups
        return X

    def fit_transform(self, X, y=None, groups=None):
        return self.fit(X, y, groups=groups).transform(X, groups=groups)


@pytest.mark.parametrize("speaker_groups", [False, True])
def test_only_twins_predict_with_the_speakers(accuracy, speaker_groups):
    from sklearn.dummy import DummyClassifier
    from sklearn.pipeline import Pipeline

    recorder = _SpeakerRecorder()
    with sklearn.config_context(enable_metadata_routing=True):
        recorder.set_fit_request(groups=True).set_transform_request(groups=True)
    pipeline = Pipeline([("scale", recorder), ("clf", DummyClassifier())])
    data = _Data(np.arange(12.0).reshape(12, 1), ["a", "b", "c"] * 4,
                 groups=np.repeat(["s1", "s2", "s3"], 4))
    train, test = np.arange(8), np.arange(8, 12)

    accuracy.fit_and_score(pipeline, train, test, data, accuracy.Heads(data),
                           speaker_groups=speaker_groups)

    # A step that asks for the speakers in fit (the ensemble's inner split)
    # gets the training ones in a plain row too; only a twin names the test
    # speakers.
    assert recorder.fit_groups_.tolist() == ["s1"] * 4 + ["s2"] * 4
    if speaker_groups:
        assert recorder.transform_groups_.tolist() == ["s3"] * 4
    else:
        assert recorder.transform_groups_ is None


def test_twin_shortcut_predicts_what_the_whole_pipeline_predicts(accuracy, tmp_path, rng):
    from skser import make_ser_pipeline

    paths, labels = write_tone_clips(tmp_path, 36, sr=8000, seconds=0.6, rng=rng)
    groups = np.repeat([f"spk{i}" for i in range(6)], 6)
    data = _Data(paths, labels, groups)
    train, test = np.arange(24), np.arange(24, 36)

    def pipeline():
        return make_ser_pipeline("stats", sr=8000, duration=0.5, random_state=0,
                                 speaker_normalize=True, features__n_bands=3)

    with sklearn.config_context(enable_metadata_routing=True):
        whole = pipeline().fit(list(data.filenames[train]), data.target[train],
                               groups=groups[train])
        expected = whole.predict(list(data.filenames[test]), groups=groups[test])
    result = accuracy.fit_and_score(pipeline(), train, test, data, accuracy.Heads(data),
                                    speaker_groups=True)

    assert result["y_pred"] == expected.tolist()


def test_opensmile_rows_without_opensmile_show_their_stored_folds_and_say_why(
        accuracy, monkeypatch, tmp_path, capsys):
    data = _Data([f"clip{i}.wav" for i in range(40)], ["a", "b"] * 20,
                 groups=np.repeat([f"s{i}" for i in range(10)], 4))
    monkeypatch.setattr(accuracy, "SHARED_DATA", tmp_path)
    monkeypatch.setattr(accuracy, "load_corpus", lambda corpus, quick: data)
    monkeypatch.setattr(accuracy, "opensmile_available", lambda: False)
    stored = {"ua": 0.5, "wa": 0.5, "macro_f1": 0.5, "fit_seconds": 1.0,
              "predict_ms_per_clip": 1.0, "n_test": 8}
    accuracy.store(tmp_path / "cache" / "emodb" / "opensmile" / "fold0.json",
                   {"settings": accuracy.row_key("opensmile"), **stored})

    accuracy.main(["--corpora", "emodb", "--rows", "opensmile", "--no-random-split",
                   "--cache", str(tmp_path / "cache"), "--write", str(tmp_path / "r.md")])

    out = capsys.readouterr().out
    assert "skipping opensmile" in out and "pip install 'skser[bench]'" in out
    assert ("| opensmile | not run yet: 1 of 5 folds stored; needs the `opensmile` package"
            in (tmp_path / "r.md").read_text())
    assert sorted(p.name for p in (tmp_path / "cache" / "emodb" / "opensmile").iterdir()) == [
        "fold0.json"]


def test_skser_never_imports_opensmile():
    # opensmile's licence is non-commercial: a benchmark may use it, skser may not.
    code = ("import sys, skser, skser.cli, skser.datasets, skser.evaluation; "
            "skser.make_ser_pipeline(); print('opensmile' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=BENCHMARKS.parent, timeout=300)
    assert result.stdout.strip() == "False", result.stderr[-2000:]
    for path in (BENCHMARKS.parent / "skser").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import opensmile" not in text and "from opensmile" not in text, path


def _harmonic_tone(f0, *, sr, seconds=0.8):
    t = np.arange(int(seconds * sr)) / sr
    y = sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 6))
    return (0.3 * y * np.sin(np.pi * t / t[-1]) ** 2).astype(np.float32)


def test_opensmile_functionals_measure_pitch_at_each_files_own_rate(accuracy, tmp_path):
    pytest.importorskip("opensmile")
    import soundfile as sf

    paths = []
    for sr in (8000, 16000, 22050):
        paths.append(str(tmp_path / f"tone{sr}.wav"))
        sf.write(paths[-1], _harmonic_tone(200.0, sr=sr), sr, subtype="PCM_16")
    features = accuracy.OpenSmileFunctionals().fit(paths)

    X = features.transform(paths)

    assert X.shape == (3, 88) and X.dtype == np.float32 and np.isfinite(X).all()
    names = list(features.get_feature_names_out())
    f0 = X[:, names.index("F0semitoneFrom27.5Hz_sma3nz_amean")]
    # 200 Hz is 12 log2(200 / 27.5) = 34.4 semitones above 27.5 Hz, whatever the rate.
    np.testing.assert_allclose(f0, 12 * np.log2(200.0 / 27.5), atol=0.5)
    assert not features.__sklearn_tags__().requires_fit


def test_opensmile_functionals_see_the_whole_file(accuracy, tmp_path, rng):
    pytest.importorskip("opensmile")
    import soundfile as sf

    # Voice only after 3.5 s of faint noise: a 3 s crop would find no pitch.
    sr = 16000
    y = np.concatenate([0.001 * rng.standard_normal(int(3.5 * sr)).astype(np.float32),
                        _harmonic_tone(200.0, sr=sr, seconds=0.5)])
    sf.write(tmp_path / "late.wav", y, sr, subtype="PCM_16")
    features = accuracy.OpenSmileFunctionals()

    X = features.transform([tmp_path / "late.wav"])

    names = list(features.get_feature_names_out())
    f0 = X[0, names.index("F0semitoneFrom27.5Hz_sma3nz_amean")]
    np.testing.assert_allclose(f0, 12 * np.log2(200.0 / 27.5), atol=0.5)


def test_opensmile_functionals_survive_tensorflow_in_the_process(accuracy, tmp_path):
    # openSMILE's library aborts a process that loaded TensorFlow first; the
    # features are computed in a child process, so neither the benchmark's CNN
    # rows nor a test session that imported TensorFlow bring it down.
    pytest.importorskip("opensmile")
    pytest.importorskip("tensorflow")
    import soundfile as sf

    sf.write(tmp_path / "tone.wav", _harmonic_tone(200.0, sr=16000), 16000)

    X = accuracy.OpenSmileFunctionals().transform([tmp_path / "tone.wav"])

    assert X.shape == (1, 88) and np.isfinite(X).all()


def test_opensmile_functionals_take_file_paths_only(accuracy):

    with pytest.raises(TypeError, match=r"X\[1\] is a ndarray.*file paths"):
        accuracy.OpenSmileFunctionals().transform(["a.wav", np.zeros(100)])


@pytest.mark.skipif(not SHARED_DATA.is_dir(),
                    reason=f"the real corpora ({SHARED_DATA}) are absent")
@pytest.mark.parametrize("folder", ["emodb", "ravdess-speech-16k"])
def test_opensmile_reads_the_real_corpora(accuracy, folder):
    pytest.importorskip("opensmile")

    paths = sorted(p for p in (SHARED_DATA / folder).rglob("*") if p.suffix in (".wav", ".flac"))
    paths = paths[:: len(paths) // 4][:4]

    X = accuracy.OpenSmileFunctionals().transform(paths)

    assert X.shape == (4, 88) and np.isfinite(X).all()


def test_a_plain_row_whose_fit_takes_speakers_says_so_in_its_key(accuracy):
    """The ensemble splits its training speakers to weigh its vote: a plain
    row whose fit takes them has a key of its own."""
    from sklearn.dummy import DummyClassifier
    from sklearn.pipeline import Pipeline

    def pipeline(fit_request):
        recorder = _SpeakerRecorder()
        with sklearn.config_context(enable_metadata_routing=True):
            recorder.set_fit_request(groups=fit_request).set_transform_request(
                groups=fit_request)
        return Pipeline([("scale", recorder), ("clf", DummyClassifier())])

    assert accuracy.takes_training_speakers(pipeline(True))
    assert not accuracy.takes_training_speakers(pipeline(False))
    assert accuracy.settings_key(pipeline(True)) != accuracy.settings_key(pipeline(False))
    assert accuracy.takes_training_speakers(accuracy.make_row("ensemble"))
    assert accuracy.takes_training_speakers(accuracy.make_row("default"))
    assert not accuracy.takes_training_speakers(accuracy.make_row("stats"))


# ------------------------------------------- robustness.py's clean folds

@pytest.fixture(scope="module")
def robustness():
    return _load_benchmark("robustness")


def test_a_robustness_fold_is_stored_as_the_accuracy_fold_of_its_clean_condition(
        robustness, tmp_path, monkeypatch):
    from sklearn.utils import Bunch

    accuracy = robustness.accuracy
    monkeypatch.setattr(accuracy, "DEFAULT_CACHE", tmp_path)
    monkeypatch.setattr(robustness, "load_corpus", lambda corpus: Bunch(
        target_names=np.array(["angry", "happy", "sad"])))
    y_true = ["angry", "angry", "happy", "happy", "sad", "sad"]
    result = {
        "fold": 3, "test_speakers": ["07"], "machine": "m", "date": "d", "fit_seconds": 9.0,
        "epochs": None, "vote_weights": {"stats": 0.6, "sequence": 0.4}, "n_train": 30,
        "n_test": 6, "y_true": y_true, "predict_seconds": 5.2, "clean_predict_seconds": 0.3,
        "conditions": {
            "clean": {"y_pred": ["angry", "happy", "happy", "happy", "sad", "sad"]},
            "gain@-30": {"y_pred": ["sad"] * 6}},
    }
    robustness.share_with_accuracy("emodb", "default", result)
    stored = accuracy.load_stored(tmp_path / "emodb" / "default" / "fold3.json",
                                  accuracy.row_key("default"))
    # The clean condition's UA (1/2, 1, 1), not any altered one.
    assert stored["ua"] == pytest.approx(2.5 / 3)
    assert stored["predict_ms_per_clip"] == pytest.approx(50.0)
    assert stored["vote_weights"] == {"stats": 0.6, "sequence": 0.4}
    assert "robustness.py" in stored["source"]
    # A stored fold is kept; rows built otherwise in accuracy.py, and corpora
    # it does not hold, are not shared.
    result["conditions"]["clean"]["y_pred"] = ["sad"] * 6
    robustness.share_with_accuracy("emodb", "default", result)
    robustness.share_with_accuracy("emodb", "opensmile", result)
    robustness.share_with_accuracy("crema_d", "default", result)
    assert accuracy.load_stored(tmp_path / "emodb" / "default" / "fold3.json",
                                accuracy.row_key("default"))["ua"] == pytest.approx(2.5 / 3)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.json")) == [
        "emodb/default/fold3.json"]


def test_a_robustness_clean_fold_is_the_accuracy_fold_clip_by_clip(robustness, tmp_path,
                                                                  monkeypatch):
    # What share_with_accuracy relies on: both benchmarks fit the same model
    # on the same clips (the robust statistics model: its copies too).
    from skser import make_ser_pipeline
    from skser.datasets import make_emotional_speech

    accuracy = robustness.accuracy
    data = make_emotional_speech(tmp_path, n_speakers=3, n_per_class=2, random_state=0)
    train, test = np.flatnonzero(data.groups != data.groups[0]), \
        np.flatnonzero(data.groups == data.groups[0])
    row = lambda *a, **k: make_ser_pipeline("stats", random_state=accuracy.SEED)  # noqa: E731
    monkeypatch.setattr(robustness, "make_row", row)

    theirs = accuracy.fit_and_score(row(), train, test, data, accuracy.Heads(data))
    waveforms = robustness.load_waveforms(data)
    fitted, _ = robustness.fit_row("stats", train, data, waveforms, str(tmp_path), quick=False)
    clean = robustness.corrupted(waveforms, test, None, None, sources=None, corpus_seed=0)
    mine, seconds = robustness.predict_row("stats", fitted, clean, test, data,
                                           str(tmp_path), {})
    assert mine.tolist() == theirs["y_pred"]
    assert seconds > 0


def test_robustness_charges_a_shared_head_to_every_row_that_reads_it(robustness, tmp_path):
    # A speaker-normalised twin reuses its plain row's features; its time
    # must still include them (a 0.0 ms row in results.md said otherwise).
    from skser import make_ser_pipeline
    from skser.datasets import make_emotional_speech

    data = make_emotional_speech(tmp_path, n_speakers=2, n_per_class=2, random_state=0)
    train, test = np.flatnonzero(data.groups != data.groups[0]), \
        np.flatnonzero(data.groups == data.groups[0])
    waveforms = robustness.load_waveforms(data)
    clean = robustness.corrupted(waveforms, test, None, None, sources=None, corpus_seed=0)
    fitted = make_ser_pipeline("stats", robust=False).fit(
        [data.filenames[i] for i in train], data.target[train])
    heads = {}
    _, first = robustness.predict_row("stats", fitted, clean, test, data, str(tmp_path), heads)
    (_, head_seconds), = heads.values()
    _, second = robustness.predict_row("stats", fitted, clean, test, data, str(tmp_path), heads)
    assert head_seconds > 0
    assert first >= head_seconds and second >= head_seconds
    np.testing.assert_allclose(
        fitted.predict_proba(robustness.as_inputs(clean)),
        fitted.predict_proba([data.filenames[i] for i in test]), atol=1e-6)


def test_robustness_adapted_pretrained_row_standardises_the_test_clips_as_one_domain(
        robustness, tmp_path):
    # pretrained+adapt is the pretrained fit predicted with the test clips as
    # one domain (skser predict --adapt); its folds are never the plain row's.
    # Shown on the statistics recipe shipped before (the same twins, no
    # network to train).
    import sklearn

    from skser.datasets import make_emotional_speech

    assert robustness.row_key("pretrained+adapt") != robustness.row_key("pretrained")
    assert robustness.row_key("pretrained-stats+adapt") != robustness.row_key(
        "pretrained-stats")
    assert robustness.row_label("pretrained+adapt") == "pretrained, adapted to the test clips"
    data = make_emotional_speech(tmp_path, n_speakers=3, n_per_class=2, random_state=0)
    train, test = np.flatnonzero(data.groups != data.groups[0]), \
        np.flatnonzero(data.groups == data.groups[0])
    waveforms = robustness.load_waveforms(data)
    fitted = robustness.make_row("pretrained-stats").fit(
        [waveforms[i] for i in train], data.target[train])
    clips = robustness.corrupted(waveforms, test, "gain", 6.0, sources=None, corpus_seed=0)
    adapted, _ = robustness.predict_row("pretrained-stats+adapt", fitted, clips, test, data,
                                        str(tmp_path), {})
    plain, _ = robustness.predict_row("pretrained-stats", fitted, clips, test, data,
                                      str(tmp_path), {})
    with sklearn.config_context(enable_metadata_routing=True):
        expected = fitted.predict(robustness.as_inputs(clips), domains=np.zeros(test.size))
    assert adapted.tolist() == expected.tolist()
    assert plain.tolist() == fitted.predict(robustness.as_inputs(clips)).tolist()
    assert adapted.tolist() != plain.tolist()  # the two ways differ on these clips


# ------------------------------------------------- benchmarks/cross_corpus.py

@pytest.fixture(scope="module")
def cross_corpus():
    return _load_benchmark("cross_corpus")


@pytest.mark.parametrize("n_clips, size", [(95, 10), (100, 30), (250, 100), (7, 10)])
def test_adaptation_batches_partition_the_clips_into_batches_of_at_least_size(
        cross_corpus, n_clips, size):
    batch = cross_corpus.batches(n_clips, size)

    counts = np.bincount(batch)
    assert batch.shape == (n_clips,) and counts.sum() == n_clips
    assert counts.min() >= min(size, n_clips)
    assert counts.max() < 2 * size or counts.size == 1
    assert counts.size == max(1, n_clips // size)
    # Random, not consecutive runs of clips.
    assert n_clips < 2 * size or not np.all(np.diff(batch) >= 0)


def test_an_adapted_row_swaps_only_the_scaler_and_never_shares_its_plain_rows_fits(
        cross_corpus):
    from skser import DomainStandardScaler, StandardScalerND

    for row in ("stats", "default", "svm", "opensmile"):
        plain, adapted = (cross_corpus.make_row(row), cross_corpus.make_row(row + "+adapt"))
        scalers = [[s for n, s in p.get_params().items() if n.endswith("scale")]
                   for p in (plain, adapted)]
        assert scalers[0] and all(isinstance(s, StandardScalerND) for s in scalers[0])
        assert all(isinstance(s, DomainStandardScaler) for s in scalers[1])
        training = ("ravdess", "emodb")
        assert (cross_corpus.row_key(row, "4", training)
                != cross_corpus.row_key(row + "+adapt", "4", training))
        assert (cross_corpus.row_key(row, "4", training)
                != cross_corpus.row_key(row, "6", training)
                != cross_corpus.row_key(row, "6", ("ravdess",)))


def test_cross_corpus_tables_show_the_candidates_with_stored_fits_only(cross_corpus, tmp_path):
    assert cross_corpus.stored_candidates(tmp_path) == []
    assert cross_corpus.stored_candidates(None) == []
    name = cross_corpus.CANDIDATE_ROWS[-1]
    (tmp_path / "4" / "ravdess+emodb").mkdir(parents=True)
    (tmp_path / "4" / "ravdess+emodb" / f"{name}.json").write_text("{}")
    (tmp_path / "4" / "ravdess+emodb" / "default.json").write_text("{}")
    assert cross_corpus.stored_candidates(tmp_path) == [name]


def test_a_cross_corpus_fit_trains_on_the_training_corpora_and_adapts_to_the_test_one(
        cross_corpus, accuracy, tmp_path):
    """Tone clips stand in for the three corpora, the held-out one recorded
    louder (peaks at full scale): the adapted row trains on the other two only, in the
    classes asked for, and scores every adaptation condition of the third."""
    from sklearn.utils import Bunch

    paths, _ = write_tone_clips(tmp_path, 72, sr=16000, seconds=0.4,
                                rng=np.random.default_rng(0))
    corpus = np.repeat(["ravdess", "emodb", "savee"], 24)
    import soundfile as sf

    for path in np.asarray(paths)[corpus == "savee"]:
        audio, sr = sf.read(path)
        sf.write(path, 0.99 * audio / np.abs(audio).max(), sr)
    target = np.resize(["angry", "happy", "neutral", "sad", "fear", "disgust"], 72)
    data = Bunch(filenames=np.asarray(paths), target=target, corpus=corpus,
                 groups=np.char.add(corpus, np.resize(["-1", "-2"], 72)))

    result = cross_corpus.fit_and_test("svm+adapt", "4", ("ravdess", "emodb"), data,
                                       accuracy.Heads(data))

    assert result["n_train"] == 32  # the 4 classes' clips of the first two corpora
    assert list(result["tests"]) == ["savee"]
    savee = result["tests"]["savee"]
    assert savee["n_test"] == 16 and set(savee["y_true"]) == {"angry", "happy", "neutral",
                                                              "sad"}
    for condition in ("none", "10", "30", "100", "all"):
        assert 0 <= savee[condition]["ua"] <= 1 and len(savee[condition]["y_pred"]) == 16
    assert savee["all"]["y_pred"] != savee["none"]["y_pred"]


def test_robustness_tables_give_each_rows_mean_ua_over_the_moderate_conditions():
    robustness = _load_benchmark("robustness")
    suite = robustness.conditions()
    rng = np.random.default_rng(0)
    summary = {row: {label: float(rng.uniform(0.2, 0.8)) for label, _, _ in suite}
               for row in ("stats", "default")}
    table = robustness.markdown_tables({"emodb": ("EmoDB", summary)}, suite)
    line = next(l for l in table.splitlines() if l.startswith("| **mean UA, moderate** |"))
    cells = [float(c.strip(" *")) for c in line.split("|")[2:-1]]
    moderate = robustness.moderate_labels()
    assert len(moderate) > 10
    expected = [100 * np.mean([summary[row][l] for l in moderate]) for row in summary]
    np.testing.assert_allclose(cells, expected, atol=0.051)


def test_robustness_targets_of_speaker_normalised_rows_count_against_their_peer():
    robustness = _load_benchmark("robustness")
    suite = robustness.conditions()
    labels = [label for label, _, _ in suite]
    summary = {row: dict.fromkeys(labels, 0.5)
               for row in ("stats", "stats+spk", "opensmile", "opensmile+spk")}
    summary["opensmile"] = dict.fromkeys(labels, 0.9)  # ahead of the plain rows everywhere
    summary["opensmile+spk"][labels[1]] = 0.6  # ahead of stats+spk in one condition
    corpora = {"emodb": ("EmoDB", summary)}

    plain = robustness.targets_table(corpora).splitlines()[2:]
    spk = robustness.targets_table(corpora, twin=robustness.SPK).splitlines()

    assert [line.split("|")[2].strip() for line in plain] == ["stats"]
    assert plain[0].endswith(f"| {len(labels)} of {len(labels)} |")
    assert "behind opensmile, speaker-normalised" in spk[0]
    assert [line.split("|")[2].strip() for line in spk[2:]] == ["stats+spk"]
    assert spk[2].endswith(f"| 1 of {len(labels)} |")


def test_robustness_targets_of_adapted_rows_are_a_table_of_their_own():
    # The +adapt rows read the test clips' unlabelled audio: they are kept
    # out of the plain and speaker-normalised tables and counted against
    # the peer that also reads it.
    robustness = _load_benchmark("robustness")
    labels = [label for label, _, _ in robustness.conditions()]
    summary = {row: dict.fromkeys(labels, 0.5) for row in (
        "pretrained", "pretrained+adapt", "stats+spk", "opensmile", "opensmile+spk")}
    summary["pretrained+adapt"][labels[2]] = 0.4  # behind the peer once
    corpora = {"emodb": ("EmoDB", summary)}

    adapted = robustness.targets_table(corpora, twin=robustness.ADAPT).splitlines()
    plain = robustness.targets_table(corpora).splitlines()[2:]
    spk = robustness.targets_table(corpora, twin=robustness.SPK).splitlines()[2:]

    assert "behind opensmile, speaker-normalised" in adapted[0]
    assert [line.split("|")[2].strip() for line in adapted[2:]] == ["pretrained+adapt"]
    assert adapted[2].endswith(f"| 1 of {len(labels)} |")
    assert [line.split("|")[2].strip() for line in plain] == ["pretrained"]
    assert [line.split("|")[2].strip() for line in spk] == ["stats+spk"]
    with pytest.raises(ValueError, match="twin must be None"):
        robustness.targets_table(corpora, twin="+adapted")


def test_the_shipped_recipe_is_the_adapted_default_and_keeps_the_old_recipe_beside_it(
        cross_corpus):
    # The pretrained row builds what ships: the default adapting, whose
    # stored fits it shares; the statistics recipe shipped before keeps its
    # own row and fits.
    for classes, training in (("4", ("ravdess", "emodb")), ("6", ("savee",))):
        assert (cross_corpus.row_key("pretrained", classes, training)
                == cross_corpus.row_key("default+adapt", classes, training))
        assert (cross_corpus.row_key("pretrained-stats", classes, training)
                != cross_corpus.row_key("pretrained", classes, training))
    assert cross_corpus.adapts("pretrained") and cross_corpus.adapts("pretrained-stats")
    old = cross_corpus.make_row("pretrained-stats")
    assert old.named_steps["clf"].__class__.__name__ == "LogisticRegression"
    assert old.named_steps["features"].n_mfcc == 5


def test_the_in_corpus_target_compares_the_recipes_stored_folds_with_the_defaults(
        cross_corpus, tmp_path, monkeypatch):
    # Issue 22's in-corpus target reads accuracy.py's stored folds: the
    # recipe's mean UA per corpus against the default's, met within 2
    # points; a corpus with a fold missing is not measured. The folds are
    # accuracy.py's own (five speaker-grouped, SAVEE one speaker out), of
    # small corpora made here.
    from sklearn.utils import Bunch

    accuracy = cross_corpus.accuracy
    n_speakers = {"ravdess": 10, "emodb": 10, "savee": 4}
    monkeypatch.setattr(accuracy, "load_corpus", lambda corpus: Bunch(
        target=np.tile(["angry", "sad"], 2 * n_speakers[corpus]),
        groups=np.repeat(np.arange(n_speakers[corpus]), 4)))
    uas = {"pretrained": {"ravdess": 0.60, "emodb": 0.70, "savee": 0.40},
           "default": {"ravdess": 0.61, "emodb": 0.75, "savee": 0.40}}
    for row, per_corpus in uas.items():
        key = accuracy.row_key(row)
        for corpus, ua in per_corpus.items():
            n_folds = accuracy.N_FOLDS if corpus != "savee" else n_speakers["savee"]
            for i in range(n_folds):
                accuracy.store(tmp_path / corpus / row / f"fold{i}.json",
                               {"settings": key, "ua": ua + (0.02 if i % 2 else -0.02)})
    (tmp_path / "savee" / "pretrained" / "fold3.json").unlink()

    ua = cross_corpus.in_corpus_ua(("pretrained",), cache=tmp_path)["pretrained"]
    assert ua["savee"] is None
    assert ua["ravdess"] == pytest.approx(100 * (0.60 - 0.02 / 5))
    line = cross_corpus.targets({}, accuracy_cache=tmp_path).splitlines()[-1]
    assert line.startswith("- In-corpus") and line.endswith("not measured yet.")

    accuracy.store(tmp_path / "savee" / "pretrained" / "fold3.json",
                   {"settings": accuracy.row_key("pretrained"), "ua": 0.42})
    line = cross_corpus.targets({}, accuracy_cache=tmp_path).splitlines()[-1]
    assert "**missed**" in line and "EmoDB -5.0" in line   # 70 against 75
