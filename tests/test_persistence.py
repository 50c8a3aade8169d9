"""skser's model files: a round trip predicts identically, and loading runs no
code from the file (tampered files are refused with a clear error)."""

import json
import os
import pickle
import zipfile
from pathlib import Path

import joblib
import numpy as np
import pytest
import skops.io as sio

from conftest import LABELS, tiny_ser_pipeline, write_tone_clips
from skser import (
    TRUSTED_TYPES, CNNClassifier, ModelFileError, StandardScalerND, load_model,
    make_ser_pipeline, save_model,
)
from skser.models import ONNX_TOLERANCE

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clips")
    return write_tone_clips(folder, 18, sr=8000, seconds=0.4, rng=np.random.default_rng(0))


@pytest.fixture(scope="module", params=["2d", "1d"])
def fitted(request, clips):
    paths, labels = clips
    return tiny_ser_pipeline(request.param).fit(paths, labels)


class OwnStep:
    """A user's own step: a type skser does not know, so not trusted."""

    def __init__(self, scale=2.0):
        self.scale = scale


class Payload:
    """A 'malicious' object: building it from a file writes a marker file.

    Unpickling calls ``__setstate__``, so a pickle of it runs the code on
    load; a safe loader must refuse it before building it.
    """

    marker = None

    def __init__(self, marker):
        self.marker = marker

    def __setstate__(self, state):
        Path(state["marker"]).write_text("code ran")
        self.__dict__.update(state)


# ---------------------------------------------------------------- round trips

def test_round_trip_predicts_identically(fitted, clips, tmp_path):
    paths, _ = clips
    before = fitted.predict_proba(paths)

    loaded = load_model(save_model(fitted, tmp_path / "model.skser"), runtime="keras")

    np.testing.assert_array_equal(loaded.predict_proba(paths), before)
    np.testing.assert_array_equal(loaded.predict(paths), fitted.predict(paths))
    assert loaded.classes_.tolist() == sorted(LABELS)
    # Run by onnxruntime (the default where the file has the graphs): the
    # same probabilities within the ONNX tolerance.
    np.testing.assert_allclose(load_model(tmp_path / "model.skser").predict_proba(paths),
                               before, rtol=0, atol=ONNX_TOLERANCE)
    # The estimator that was saved still holds its own network and predicts.
    np.testing.assert_array_equal(fitted.predict_proba(paths), before)
    assert loaded.named_steps["clf"].estimator_.model_ is not \
        fitted.named_steps["clf"].estimator_.model_


def test_file_holds_manifest_pipeline_and_network_and_no_pickle(fitted, tmp_path):
    path = save_model(fitted, tmp_path / "model.skser")

    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("skser-model.json"))
        payload = archive.read("estimator.skops")
    assert names == ["skser-model.json", "estimator.skops", "wrappers/0.skops",
                     "networks/0.keras", "networks/0.onnx"]
    assert manifest["format"] == "skser-model" and manifest["networks"] == ["networks/0.keras"]
    assert manifest["wrappers"] == [{"estimator": "wrappers/0.skops",
                                     "network": "networks/0.keras",
                                     "onnx": "networks/0.onnx"}]
    assert manifest["estimator"] == "skser.pipeline.Pipeline"
    # Every type in the estimator parts is trusted by the explicit list or skops.
    with zipfile.ZipFile(path) as archive:
        wrapper = archive.read("wrappers/0.skops")
    for part in (payload, wrapper):
        assert set(sio.get_untrusted_types(data=part)) <= set(TRUSTED_TYPES)
        assert part[:4] == b"PK\x03\x04"  # skops' own zip, not a pickle
    # The estimator part holds no Keras type: building it imports no TensorFlow.
    assert b"SkserKerasClassifier" not in payload and b"SkserKerasClassifier" in wrapper


def test_refitted_loaded_model_trains_again(clips, tmp_path):
    paths, labels = clips
    clf = tiny_ser_pipeline("2d").fit(paths, labels)
    loaded = load_model(save_model(clf, tmp_path / "m.skser"))

    loaded.set_params(clf__epochs=1).fit(paths, labels)

    assert loaded.predict_proba(paths).shape == (len(paths), 3)


def test_statistics_pipeline_round_trips(clips, tmp_path):
    paths, labels = clips
    pipe = make_ser_pipeline("stats", sr=8000, duration=0.5, random_state=0, features__n_fft=256,
                             features__hop_length=128, features__n_mels=16,
                             features__n_mfcc=8, features__n_chroma=6, features__n_bands=3)
    pipe.fit(paths, labels)

    loaded = load_model(save_model(pipe, tmp_path / "stats.skser"))

    np.testing.assert_array_equal(loaded.predict_proba(paths), pipe.predict_proba(paths))
    with zipfile.ZipFile(tmp_path / "stats.skser") as archive:
        assert json.loads(archive.read("skser-model.json"))["networks"] == []


def test_estimator_without_network_needs_no_keras(tmp_path):
    scaler = StandardScalerND().fit(np.arange(24.0).reshape(2, 3, 4))

    loaded = load_model(save_model(scaler, tmp_path / "scaler.skser"))

    np.testing.assert_array_equal(loaded.mean_, scaler.mean_)
    with zipfile.ZipFile(tmp_path / "scaler.skser") as archive:
        assert json.loads(archive.read("skser-model.json"))["networks"] == []


def test_bare_classifier_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 8, 6, 1)).astype("float32")
    y = np.array(["a", "b", "c"] * 4)
    clf = CNNClassifier(model="lenet5", width=0.1, epochs=1, random_state=0).fit(X, y)

    loaded = load_model(save_model(clf, tmp_path / "clf.skser"), runtime="keras")

    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    assert loaded.history_ == clf.history_ and loaded.n_epochs_ == clf.n_epochs_


def test_joblib_still_round_trips(fitted, clips, tmp_path):
    paths, _ = clips
    joblib.dump(fitted, tmp_path / "model.joblib")

    loaded = joblib.load(tmp_path / "model.joblib")

    np.testing.assert_array_equal(loaded.predict_proba(paths), fitted.predict_proba(paths))


# ------------------------------------------------------------ refused files

def _rewrite(path, out, **members):
    """Copy the model file at ``path`` to ``out`` with some members replaced
    (bytes) or removed (None)."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            if name in members:
                continue
            dst.writestr(name, src.read(name))
        for name, data in members.items():
            if data is not None:
                dst.writestr(name, data)
    return out


def test_payload_in_the_estimator_part_is_refused_before_it_runs(fitted, tmp_path):
    marker = tmp_path / "pwned"
    good = save_model(fitted, tmp_path / "model.skser")
    # The payload runs when unpickled: proof that it is a real one.
    pickle.loads(pickle.dumps(Payload(str(marker))))
    assert marker.read_text() == "code ran"
    marker.unlink()
    evil = sio.dumps({"pipeline": "looks harmless", "extra": Payload(str(marker))})
    tampered = _rewrite(good, tmp_path / "tampered.skser", **{"estimator.skops": evil})

    with pytest.raises(ModelFileError, match="not trusted") as info:
        load_model(tampered)

    assert not marker.exists()
    assert "test_persistence.Payload" in str(info.value)
    assert "tampered.skser" in str(info.value)
    assert info.value.untrusted_types == ["test_persistence.Payload"]


def test_function_reference_in_the_estimator_part_is_refused(fitted, tmp_path):
    good = save_model(fitted, tmp_path / "model.skser")
    evil = sio.dumps({"callback": os.system})
    tampered = _rewrite(good, tmp_path / "tampered.skser", **{"estimator.skops": evil})

    with pytest.raises(ModelFileError, match="system"):
        load_model(tampered)


def test_network_carrying_python_code_is_refused(fitted, tmp_path):
    import keras

    inputs = keras.Input(shape=(4,))
    outputs = keras.layers.Lambda(lambda x: x * 2)(inputs)
    evil = tmp_path / "evil.keras"
    keras.Model(inputs, outputs).save(evil)
    good = save_model(fitted, tmp_path / "model.skser")
    tampered = _rewrite(good, tmp_path / "tampered.skser",
                        **{"networks/0.keras": evil.read_bytes()})

    with pytest.raises(ModelFileError, match=r"networks/0\.keras.*refused") as info:
        load_model(tampered, runtime="keras")
    assert "Lambda" in str(info.value)
    # Run by onnxruntime, the network is loaded only when asked for, and
    # refused then, before any of its code runs.
    loaded = load_model(tampered)
    with pytest.raises(ModelFileError, match=r"networks/0\.keras.*refused"):
        loaded.named_steps["clf"].estimator_.model_


def test_pickle_file_is_refused_with_a_pointer_to_joblib(tmp_path):
    path = tmp_path / "model.joblib"
    joblib.dump(StandardScalerND(), path)

    with pytest.raises(ModelFileError, match="looks like a pickle") as info:
        load_model(path)

    assert "model.joblib" in str(info.value) and "trust" in str(info.value)


def _manifest(**changes):
    manifest = {"format": "skser-model", "format_version": 1, "networks": ["networks/0.keras"]}
    manifest.update(changes)
    return json.dumps(manifest)


@pytest.mark.parametrize("members, message", [
    ({"skser-model.json": None}, "has no skser-model.json"),
    ({"skser-model.json": b"{not json"}, "damaged"),
    ({"skser-model.json": _manifest(format="other")}, "does not name the format"),
    ({"skser-model.json": _manifest(format_version=99)}, "Upgrade skser"),
    ({"skser-model.json": _manifest(networks=["../../etc/passwd"])}, "list of networks"),
    ({"skser-model.json": _manifest(networks=[])}, "networks the estimator refers to"),
    ({"estimator.skops": None}, "damaged"),
    ({"estimator.skops": b"garbage"}, "cannot be read"),
    ({"networks/0.keras": None}, "damaged"),
    ({"networks/0.keras": b"garbage"}, "is not a .keras archive"),
    ({"networks/0.keras": b"PK\x03\x04garbage"}, "refused or is damaged"),
], ids=["no-manifest", "bad-json", "other-format", "future-version", "path-traversal",
        "unlisted-network", "no-estimator", "garbage-estimator", "no-network",
        "garbage-network", "damaged-network-zip"])
def test_damaged_files_get_a_clear_error(members, message, fitted, tmp_path):
    good = save_model(fitted, tmp_path / "model.skser")
    damaged = _rewrite(good, tmp_path / "damaged.skser", **members)

    with pytest.raises(ModelFileError, match=message) as info:
        load_model(damaged)

    assert "damaged.skser" in str(info.value)


def test_truncated_file_gets_a_clear_error(fitted, tmp_path):
    good = save_model(fitted, tmp_path / "model.skser").read_bytes()
    cut = tmp_path / "cut.skser"
    cut.write_bytes(good[: len(good) // 2])

    with pytest.raises(ModelFileError, match="cut.skser"):
        load_model(cut)


def _empty_file(folder):
    path = folder / "empty.skser"
    path.write_bytes(b"")
    return path


@pytest.mark.parametrize("make, message", [
    (lambda p: p / "missing.skser", "does not exist"),
    (lambda p: p, "not a file"),
    (_empty_file, "not a skser model file"),
], ids=["missing", "directory", "empty"])
def test_missing_or_odd_paths_are_named(make, message, tmp_path):
    path = make(tmp_path)

    with pytest.raises(ModelFileError, match=message) as info:
        load_model(path)

    assert str(path) in str(info.value)
    assert isinstance(info.value, OSError) and isinstance(info.value, ValueError)


# --------------------------------------------------- untrusted types at save

def test_saving_an_untrusted_step_fails_at_save_naming_it(tmp_path):
    from sklearn.pipeline import make_pipeline

    pipe = make_pipeline(StandardScalerND()).fit(np.zeros((2, 3)))
    pipe.steps.append(("own", OwnStep(scale=3.0)))
    path = tmp_path / "model.skser"

    with pytest.raises(ModelFileError, match="load_model would refuse") as info:
        save_model(pipe, path)

    assert info.value.untrusted_types == ["test_persistence.OwnStep"]
    assert list(tmp_path.iterdir()) == []  # nothing written, no temporary left

    # Named as trusted on both sides, the same estimator round-trips.
    trusted = ["test_persistence.OwnStep"]
    saved = save_model(pipe, path, trusted=trusted)
    with pytest.raises(ModelFileError, match="OwnStep"):
        load_model(saved)
    loaded = load_model(saved, trusted=trusted)
    assert type(loaded.steps[-1][1]).__name__ == "OwnStep"
    assert loaded.steps[-1][1].scale == 3.0


def test_trusted_must_be_a_list_of_names(tmp_path):
    path = save_model(StandardScalerND(), tmp_path / "s.skser")

    with pytest.raises(TypeError, match="trusted"):
        load_model(path, trusted="test_persistence.Payload")


def test_save_into_a_missing_folder_names_it(tmp_path):
    with pytest.raises(ModelFileError, match="does not exist"):
        save_model(StandardScalerND(), tmp_path / "no" / "model.skser")


# ------------------------------------------------------------ interruptions

def test_interrupted_save_leaves_the_previous_file_whole(fitted, clips, tmp_path, monkeypatch):
    import keras

    paths, _ = clips
    path = save_model(fitted, tmp_path / "model.skser")
    previous = path.read_bytes()

    def interrupted(self, filepath, *args, **kwargs):
        Path(filepath).write_bytes(b"half a network")
        raise KeyboardInterrupt

    monkeypatch.setattr(keras.Model, "save", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_model(fitted, path)
    monkeypatch.undo()

    assert path.read_bytes() == previous
    assert [p.name for p in tmp_path.iterdir()] == ["model.skser"]  # no temporary left
    np.testing.assert_array_equal(load_model(path, runtime="keras").predict_proba(paths),
                                  fitted.predict_proba(paths))


def test_interrupted_first_save_leaves_no_file(tmp_path, monkeypatch):
    import skops.io

    def interrupted(obj, file, **kwargs):
        file.write(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(skops.io, "dump", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_model(StandardScalerND(), tmp_path / "model.skser")

    assert list(tmp_path.iterdir()) == []


def test_manifest_cannot_point_a_network_at_another_member(fitted, tmp_path):
    good = save_model(fitted, tmp_path / "model.skser")
    tampered = _rewrite(good, tmp_path / "t.skser",
                        **{"skser-model.json": _manifest(networks=["estimator.skops"])})

    with pytest.raises(ModelFileError, match="list of networks"):
        load_model(tampered)


def test_metadata_is_stored_beside_the_model_and_read_without_loading_it(tmp_path,
                                                                         monkeypatch):
    import skser._persistence as persistence

    scaler = StandardScalerND().fit(np.arange(12.0).reshape(3, 4))
    card = {"licence": "non-commercial research use", "classes": ["angry", "sad"],
            "trained_on": {"ravdess": 1440}}
    path = save_model(scaler, tmp_path / "card.skser", metadata=card)
    # Reading the metadata builds nothing: skops is never asked.
    monkeypatch.setattr("skops.io.load", lambda *a, **k: pytest.fail("model was loaded"))

    read = persistence.model_metadata(path)

    assert {k: read[k] for k in card} == card
    assert read["skser_version"] and read["created"]
    assert set(persistence.model_metadata(save_model(scaler, tmp_path / "plain.skser"))) == {
        "skser_version", "created"}


@pytest.mark.parametrize("metadata, message", [
    ("non-commercial", "metadata must be a dict with string keys"),
    ({1: "a"}, "metadata must be a dict with string keys"),
    ({"weights": np.zeros(2)}, "metadata must hold JSON values only"),
    ({"bad": float("nan")}, "metadata must hold JSON values only"),
])
def test_metadata_that_json_cannot_hold_is_refused_before_writing(metadata, message,
                                                                  tmp_path):
    scaler = StandardScalerND().fit(np.arange(12.0).reshape(3, 4))

    with pytest.raises(TypeError, match=message):
        save_model(scaler, tmp_path / "bad.skser", metadata=metadata)
    assert not (tmp_path / "bad.skser").exists()


def test_metadata_of_a_file_that_is_not_a_model_names_it(tmp_path):
    from skser import model_metadata

    (tmp_path / "x.skser").write_bytes(b"\x80\x04pickle")
    with pytest.raises(ModelFileError, match="x.skser.*is not a skser model file"):
        model_metadata(tmp_path / "x.skser")
    with pytest.raises(ModelFileError, match="does not exist"):
        model_metadata(tmp_path / "missing.skser")
