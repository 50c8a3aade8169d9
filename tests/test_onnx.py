"""Networks run by onnxruntime (issue 23): a saved model's networks are stored
as ONNX graphs, a loaded model predicts with them without TensorFlow and
gives the Keras probabilities within 1e-5, and `export_onnx` / `skser export`
hand a model's classifiers to other runtimes."""

import json
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from conftest import tiny_ser_pipeline, write_tone_clips
from skser import ModelFileError, export_onnx, load_model, make_ser_pipeline, save_model
from skser.models import ONNX_TOLERANCE, OnnxNetwork

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clips")
    return write_tone_clips(folder, 18, sr=8000, seconds=0.4, rng=np.random.default_rng(0))


def _small_features(prefix):
    return {f"{prefix}features__n_fft": 256, f"{prefix}features__hop_length": 128,
            f"{prefix}features__n_mels": 32, f"{prefix}features__n_bands": 3}


@pytest.fixture(scope="module")
def ensemble(clips):
    """The default kind, small: the statistics model and the attention-GRU."""
    paths, labels = clips
    pipe = make_ser_pipeline(
        "ensemble", sr=8000, duration=0.5, random_state=0, augment=False,
        **_small_features("clf__stats__"), **_small_features("clf__sequence__"),
        clf__sequence__clf__width=0.25, clf__sequence__clf__epochs=2)
    return pipe.fit(paths, labels)


@pytest.fixture(scope="module")
def ensemble_file(ensemble, tmp_path_factory):
    return save_model(ensemble, tmp_path_factory.mktemp("model") / "ensemble.skser")


@pytest.fixture(scope="module", params=["2d", "1d"])
def cnn(request, clips):
    paths, labels = clips
    return tiny_ser_pipeline(request.param).fit(paths, labels)


# ------------------------------------------------------------ load and predict

@pytest.mark.slow
def test_loaded_networks_run_by_onnxruntime_give_the_keras_probabilities(
        ensemble, ensemble_file, clips):
    paths, _ = clips
    expected = ensemble.predict_proba(paths)

    loaded = load_model(ensemble_file)

    network = loaded[-1].named_estimators_["sequence"][-1].estimator_
    assert isinstance(network, OnnxNetwork) and network.keras_estimator_ is None
    np.testing.assert_allclose(loaded.predict_proba(paths), expected, rtol=0,
                               atol=ONNX_TOLERANCE)
    assert loaded.predict(paths).tolist() == ensemble.predict(paths).tolist()
    # The network alone, on its own features, not only through the vote.
    member = ensemble[-1].named_estimators_["sequence"]
    X = member[:-1].transform(ensemble[:-1].transform(paths))
    np.testing.assert_allclose(network.predict_proba(X), member[-1].estimator_.predict_proba(X),
                               rtol=0, atol=ONNX_TOLERANCE)
    # One clip at a time (a batch of one) and an odd batch give the same rows.
    np.testing.assert_allclose(network.predict_proba(X[:1]), network.predict_proba(X)[:1],
                               rtol=0, atol=1e-6)


@pytest.mark.slow
def test_cnn_networks_round_trip_through_onnx(cnn, clips, tmp_path):
    # LeNet-5 in 1-D and 2-D, the 2-D one with SpecAugment (identity at predict).
    paths, _ = clips
    path = save_model(cnn, tmp_path / "cnn.skser")

    onnx_model, keras_model = load_model(path), load_model(path, runtime="keras")

    assert isinstance(onnx_model[-1].estimator_, OnnxNetwork)
    assert not isinstance(keras_model[-1].estimator_, OnnxNetwork)
    np.testing.assert_array_equal(keras_model.predict_proba(paths), cnn.predict_proba(paths))
    np.testing.assert_allclose(onnx_model.predict_proba(paths), cnn.predict_proba(paths),
                               rtol=0, atol=ONNX_TOLERANCE)


@pytest.mark.slow
def test_prediction_from_a_file_imports_no_tensorflow(ensemble_file, clips, tmp_path):
    paths, _ = clips
    code = (
        "import sys, numpy as np, skser\n"
        f"model = skser.load_model({str(ensemble_file)!r})\n"
        f"proba = model.predict_proba({paths[:3]!r})\n"
        "np.save(sys.argv[1], proba)\n"
        "print(sorted(m for m in ('tensorflow', 'keras', 'scikeras') if m in sys.modules))\n"
    )
    out = tmp_path / "proba.npy"

    result = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True,
                            text=True, check=True)

    assert result.stdout.strip() == "[]", result.stdout + result.stderr
    assert np.load(out).shape == (3, 3)


@pytest.mark.slow
def test_without_onnxruntime_the_network_runs_on_keras(ensemble_file, ensemble, clips,
                                                        monkeypatch):
    from skser.models import _onnx

    paths, _ = clips
    monkeypatch.setattr(_onnx, "onnxruntime_available", lambda: False)

    loaded = load_model(ensemble_file)

    network = loaded[-1].named_estimators_["sequence"][-1].estimator_
    assert not isinstance(network, OnnxNetwork)
    np.testing.assert_array_equal(loaded.predict_proba(paths), ensemble.predict_proba(paths))
    with pytest.raises(ModelFileError, match="needs onnxruntime"):
        load_model(ensemble_file, runtime="onnx")


@pytest.mark.slow
def test_the_keras_estimator_is_loaded_when_asked_for(ensemble_file, ensemble, clips):
    paths, _ = clips
    loaded = load_model(ensemble_file)
    network = loaded[-1].named_estimators_["sequence"][-1].estimator_
    fitted = ensemble[-1].named_estimators_["sequence"][-1].estimator_

    # Anything but probabilities comes from the Keras estimator, loaded once.
    assert network.history_ == fitted.history_
    assert network.model_.count_params() == fitted.model_.count_params()
    assert network.keras_estimator_ is not None and "Keras loaded" in repr(network)
    np.testing.assert_array_equal(loaded.predict_proba(paths), ensemble.predict_proba(paths))


@pytest.mark.slow
def test_a_loaded_model_saves_and_pickles_again(ensemble_file, ensemble, clips, tmp_path):
    import joblib

    paths, _ = clips
    loaded = load_model(ensemble_file)

    again = save_model(loaded, tmp_path / "again.skser")
    joblib.dump(loaded, tmp_path / "again.joblib")

    with zipfile.ZipFile(ensemble_file) as a, zipfile.ZipFile(again) as b:
        for member in ("networks/0.onnx", "networks/0.keras", "wrappers/0.skops"):
            assert a.read(member) == b.read(member)
    expected = ensemble.predict_proba(paths)
    for model in (load_model(again), joblib.load(tmp_path / "again.joblib")):
        np.testing.assert_allclose(model.predict_proba(paths), expected, rtol=0,
                                   atol=ONNX_TOLERANCE)


@pytest.mark.slow
def test_save_without_onnx_and_runtime_choices(ensemble, clips, tmp_path):
    paths, _ = clips
    path = save_model(ensemble, tmp_path / "plain.skser", onnx=False)

    with zipfile.ZipFile(path) as archive:
        assert not [n for n in archive.namelist() if n.endswith(".onnx")]
        assert json.loads(archive.read("skser-model.json"))["wrappers"][0]["onnx"] is None
    loaded = load_model(path)  # auto: Keras, since there is no graph
    assert not isinstance(loaded[-1].named_estimators_["sequence"][-1].estimator_,
                          OnnxNetwork)
    with pytest.raises(ModelFileError, match="no ONNX graph.*plain.skser|plain.skser.*no ONNX"):
        load_model(path, runtime="onnx")
    with pytest.raises(ValueError, match="runtime must be one of 'auto', 'onnx', 'keras'"):
        load_model(path, runtime="tensorflow")
    with pytest.raises(ValueError, match="onnx must be 'auto', True or False"):
        save_model(ensemble, tmp_path / "x.skser", onnx="yes")


@pytest.mark.slow
def test_onnx_true_without_the_exporter_is_an_error(ensemble, tmp_path, monkeypatch):
    from skser.models import _onnx

    monkeypatch.setattr(_onnx, "onnx_export_available", lambda: "tf2onnx")

    with pytest.raises(ModelFileError, match="onnx=True: tf2onnx is not installed"):
        save_model(ensemble, tmp_path / "m.skser", onnx=True)
    # "auto" saves without the graphs instead.
    path = save_model(ensemble, tmp_path / "m.skser")
    assert json.loads(zipfile.ZipFile(path).read("skser-model.json"))["wrappers"][0]["onnx"] \
        is None


@pytest.mark.slow
def test_a_graph_that_does_not_match_its_network_is_not_stored(ensemble, tmp_path,
                                                              monkeypatch):
    from skser.models import _onnx

    real = _onnx._Session.run
    monkeypatch.setattr(_onnx._Session, "run", lambda self, X: real(self, X) + 1e-3)

    with pytest.warns(UserWarning, match="without its ONNX graph.*largest difference"):
        path = save_model(ensemble, tmp_path / "m.skser")
    assert "networks/0.onnx" not in zipfile.ZipFile(path).namelist()
    with pytest.raises(ModelFileError, match="does not give its outputs"):
        save_model(ensemble, tmp_path / "m.skser", onnx=True)


@pytest.mark.slow
def test_a_damaged_graph_is_refused_at_load(ensemble_file, tmp_path):
    damaged = tmp_path / "damaged.skser"
    with zipfile.ZipFile(ensemble_file) as src, zipfile.ZipFile(damaged, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, b"not a graph" if name.endswith(".onnx") else src.read(name))

    with pytest.raises(ModelFileError, match=r"damaged.skser.*networks/0\.onnx.*damaged"):
        load_model(damaged)
    # Keras does not read the graph.
    assert load_model(damaged, runtime="keras") is not None


def test_a_statistics_model_file_needs_neither_runtime(clips, tmp_path):
    paths, labels = clips
    pipe = make_ser_pipeline("stats", sr=8000, duration=0.5, **_small_features(""))
    pipe.fit(paths, labels)

    loaded = load_model(save_model(pipe, tmp_path / "stats.skser"), runtime="onnx")

    np.testing.assert_array_equal(loaded.predict_proba(paths), pipe.predict_proba(paths))


# ------------------------------------------------------------------ export

def _run_graph(path, X):
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: X.astype(np.float32)})[0]


@pytest.mark.slow
def test_export_onnx_gives_the_ensemble_vote(ensemble, clips, tmp_path):
    paths, _ = clips
    folder = tmp_path / "exported"

    manifest = export_onnx(ensemble, folder)

    assert json.loads((folder / "skser-onnx.json").read_text()) == manifest
    assert manifest["classes"] == ensemble.classes_.tolist()
    assert manifest["vote"] == "weighted_mean"
    assert [g["member"] for g in manifest["graphs"]] == ["stats", "sequence"]
    # What the manifest tells a user to do, done by hand.
    heads = ensemble[:-1].transform(paths)
    vote = np.zeros((len(paths), len(manifest["classes"])))
    for graph in manifest["graphs"]:
        assert graph["features"] == ["pipeline[:-1]", "member[:-1]"]
        X = ensemble[-1].named_estimators_[graph["member"]][:-1].transform(heads)
        assert list(X.shape[1:]) == graph["input"]["shape"][1:]
        vote += graph["weight"] * _run_graph(folder / graph["file"], X)
    np.testing.assert_allclose(vote, ensemble.predict_proba(paths), rtol=0,
                               atol=ONNX_TOLERANCE)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_export_onnx_of_the_statistics_model(n_classes, clips, tmp_path):
    paths, labels = clips
    keep = np.isin(labels, sorted(set(labels))[:n_classes])
    paths, labels = [p for p, k in zip(paths, keep) if k], np.asarray(labels)[keep]
    pipe = make_ser_pipeline("stats", sr=8000, duration=0.5, **_small_features(""))
    pipe.fit(paths, labels)

    manifest = export_onnx(pipe, tmp_path / "stats")

    (graph,) = manifest["graphs"]
    assert graph["file"] == "model.onnx" and graph["features"] == ["pipeline[:-1]"]
    X = pipe[:-1].transform(paths)
    np.testing.assert_allclose(_run_graph(tmp_path / "stats" / "model.onnx", X),
                               pipe.predict_proba(paths), rtol=0, atol=ONNX_TOLERANCE)


@pytest.mark.parametrize("copies", [True, False])
def test_export_onnx_of_a_gated_classifier_mixes_its_experts_in_the_graph(copies, tmp_path):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skser import ConditionGatedClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(240, 6))
    y = np.array(["angry", "happy", "sad"])[np.argmax(X[:, :3], axis=1)]
    X[120:] += rng.normal(scale=2.0, size=(120, 6)) + 1.0
    copy_of = np.concatenate([np.arange(120), np.arange(120)]) if copies else None
    clf = ConditionGatedClassifier(power=2.5).fit(X, y, copy_of=copy_of)
    assert (clf.robust_estimator_ is not None) == copies

    export_onnx(clf, tmp_path / "gated")

    np.testing.assert_allclose(_run_graph(tmp_path / "gated" / "model.onnx", X),
                               clf.predict_proba(X), rtol=0, atol=ONNX_TOLERANCE)
    from sklearn.svm import SVC

    other = ConditionGatedClassifier(estimator=make_pipeline(StandardScaler(), SVC(
        probability=True))).fit(X, y, copy_of=copy_of)
    with pytest.raises(ValueError, match="StandardScaler -> SVC.*LogisticRegression after"):
        export_onnx(other, tmp_path / "svc")


def test_export_onnx_refuses_what_it_cannot_write(clips, tmp_path):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    rng = np.random.default_rng(0)
    svc = make_pipeline(StandardScaler(), SVC()).fit(rng.normal(size=(20, 3)), [0, 1] * 10)
    with pytest.raises(ValueError, match="SVC.*CNNClassifier, LogisticRegression and "
                                         "ConditionGatedClassifier"):
        export_onnx(svc, tmp_path / "svc")
    assert not (tmp_path / "svc").exists()
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(FileExistsError, match="full.*not an empty folder"):
        export_onnx(svc, tmp_path / "full")
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        export_onnx(make_ser_pipeline("stats"), tmp_path / "unfitted")


@pytest.mark.slow
def test_skser_export_command(ensemble_file, tmp_path):
    command = [sys.executable, "-m", "skser", "export", str(ensemble_file), "--onnx"]

    done = subprocess.run(command, capture_output=True, text=True)
    again = subprocess.run(command, capture_output=True, text=True)
    bare = subprocess.run(command[:-1], capture_output=True, text=True)

    assert done.returncode == 0, done.stderr
    folder = ensemble_file.with_name("ensemble-onnx")
    assert sorted(p.name for p in folder.iterdir()) == ["sequence.onnx", "skser-onnx.json",
                                                       "stats.onnx"]
    assert "member 'sequence'" in done.stdout and "skser-onnx.json" in done.stdout
    assert again.returncode == 1 and "not an empty folder" in again.stderr
    assert bare.returncode == 2 and "--onnx" in bare.stderr
