"""Stable predictions: a clip gets the same probabilities alone or in a batch,
and a fresh process that loads a saved model predicts exactly what the
process that trained it predicted."""

import json
import subprocess
import sys
import textwrap

import joblib
import numpy as np
import pytest

from conftest import tiny_ser_pipeline, write_tone_clips
from skser import save_model
from skser.models import ONNX_TOLERANCE

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    """100 different clips (lengths, pitches, loudness) plus their labels."""
    folder = tmp_path_factory.mktemp("clips")
    return write_tone_clips(folder, 100, sr=8000, seconds=(0.2, 0.8),
                            rng=np.random.default_rng(0))


@pytest.fixture(scope="module", params=["2d", "1d"])
def fitted(request, clips):
    paths, labels = clips
    return tiny_ser_pipeline(request.param).fit(paths[:30], labels[:30])


def test_clip_alone_gets_the_probabilities_it_gets_in_a_batch_of_100(fitted, clips):
    paths, _ = clips
    batch = fitted.predict_proba(paths)

    alone = np.vstack([fitted.predict_proba([path]) for path in paths])

    assert batch.shape == (100, 3) and batch.dtype == np.float32
    # float32 tolerance: a few units in the last place of a probability.
    np.testing.assert_allclose(alone, batch, rtol=0, atol=4 * np.finfo(np.float32).eps)
    np.testing.assert_array_equal(
        fitted.predict(paths), np.asarray(fitted.classes_)[batch.argmax(axis=1)]
    )


def test_batch_order_does_not_change_a_clip_s_probabilities(fitted, clips):
    paths, _ = clips
    order = np.random.default_rng(1).permutation(len(paths))

    shuffled = fitted.predict_proba([paths[i] for i in order])

    np.testing.assert_allclose(shuffled, fitted.predict_proba(paths)[order], rtol=0,
                               atol=4 * np.finfo(np.float32).eps)


_FRESH_PROCESS = textwrap.dedent("""
    import json, sys
    import joblib, numpy as np
    from skser import load_model

    paths = json.loads(open(sys.argv[1]).read())
    # On Keras, as fitted (run by onnxruntime, the default, it is within
    # ONNX_TOLERANCE instead: tests/test_onnx.py).
    for model, out in ((load_model(sys.argv[2], runtime="keras"), sys.argv[4]),
                       (joblib.load(sys.argv[3]), sys.argv[5]),
                       (load_model(sys.argv[2]), sys.argv[6])):
        np.save(out, model.predict_proba(paths))
""")


@pytest.mark.slow
def test_fresh_process_predicts_exactly_what_the_trainer_predicted(fitted, clips, tmp_path):
    paths, _ = clips
    expected = fitted.predict_proba(paths)
    safe = save_model(fitted, tmp_path / "model.skser")
    pickled = tmp_path / "model.joblib"
    joblib.dump(fitted, pickled)
    (tmp_path / "paths.json").write_text(json.dumps(paths))

    subprocess.run(
        [sys.executable, "-c", _FRESH_PROCESS, str(tmp_path / "paths.json"), str(safe),
         str(pickled), str(tmp_path / "safe.npy"), str(tmp_path / "pickled.npy"),
         str(tmp_path / "onnx.npy")],
        check=True, capture_output=True,
    )

    np.testing.assert_array_equal(np.load(tmp_path / "safe.npy"), expected)
    np.testing.assert_array_equal(np.load(tmp_path / "pickled.npy"), expected)
    np.testing.assert_allclose(np.load(tmp_path / "onnx.npy"), expected, rtol=0,
                               atol=ONNX_TOLERANCE)
