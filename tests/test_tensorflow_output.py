"""TensorFlow's own output reaches a user of the Python API only on request.

TensorFlow can be imported once per process, so each case runs in a fresh
Python process, with neither ``TF_CPP_MIN_LOG_LEVEL`` (which conftest and CI
set) nor ``SKSER_TF_LOGS`` in its environment, as on a user's machine.
"""

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from conftest import tiny_ser_pipeline, write_tone_clips
from skser import save_model

ROOT = Path(__file__).resolve().parents[1]

# absl/TensorFlow C++ log lines ("I0000 00:00:1796182208.347875   18539 port.cc:153] ...",
# "E0000 ... cuda_platform.cc:52] failed call to cuInit"), absl's notice before them,
# and the continuation of the CPU feature notice.
TF_LINE = re.compile(r"^[IWEF]\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ \S+:\d+\]|absl|oneDNN|cuda"
                     r"|To enable the following instructions", re.MULTILINE | re.IGNORECASE)


def run_fresh(code, *, env=None, pythonpath=()):
    """Run ``code`` in a fresh Python process from the repository root, in a
    user's environment: TensorFlow's and skser's log settings removed."""
    clean = {k: v for k, v in os.environ.items()
             if k not in ("TF_CPP_MIN_LOG_LEVEL", "SKSER_TF_LOGS")}
    clean["PYTHONPATH"] = os.pathsep.join([*map(str, pythonpath), str(ROOT)])
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT,
                          env={**clean, **(env or {})}, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clips")
    return write_tone_clips(folder, 12, sr=8000, seconds=0.5, rng=np.random.default_rng(0))


@pytest.fixture(scope="module")
def cnn_model(clips, tmp_path_factory):
    """A tiny 2-D CNN pipeline saved with `save_model`."""
    paths, labels = clips
    path = tmp_path_factory.mktemp("model") / "cnn.skser"
    save_model(tiny_ser_pipeline("2d").fit(paths, labels), path)
    return path


@pytest.mark.slow
def test_load_model_and_predict_print_no_tensorflow_lines(cnn_model, clips):
    paths, _ = clips
    result = run_fresh(f"""
        import sys
        import skser
        # On Keras: run by onnxruntime (the default) it imports no TensorFlow.
        model = skser.load_model({str(cnn_model)!r}, runtime="keras")
        print(model.predict({paths[:3]!r}).tolist(), "tensorflow" in sys.modules)
        """)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("True")  # a network was loaded and run
    assert not TF_LINE.search(result.stderr), result.stderr


@pytest.mark.slow
def test_cross_validating_a_cnn_prints_no_tensorflow_lines(clips):
    paths, labels = clips
    result = run_fresh(f"""
        import os
        from sklearn.model_selection import cross_val_score
        from conftest import tiny_ser_pipeline
        os.environ.pop("TF_CPP_MIN_LOG_LEVEL")  # set by conftest, not by a user
        print(cross_val_score(tiny_ser_pipeline("2d"), {paths!r}, {labels!r}, cv=2))
        """, pythonpath=[ROOT / "tests"])

    assert result.returncode == 0, result.stderr
    assert not TF_LINE.search(result.stderr), result.stderr


def test_skser_tf_logs_lets_tensorflow_lines_through():
    # Also shows that TF_LINE matches what this TensorFlow prints, so the
    # tests above could fail.
    result = run_fresh("""
        from skser._tensorflow import import_tensorflow
        import_tensorflow()
        """, env={"SKSER_TF_LOGS": "1"})

    assert result.returncode == 0, result.stderr
    assert TF_LINE.search(result.stderr), result.stderr


def _fake_tensorflow(folder, body):
    """A stand-in ``tensorflow`` package that writes to file descriptor 2, as
    TensorFlow's C++ code does, then runs ``body``."""
    package = folder / "tensorflow"
    package.mkdir()
    (package / "__init__.py").write_text(
        "import os\nos.write(2, b'I0000 00:00:1.0 1 port.cc:1] start-up notice\\n')\n" + body)
    return folder


QUIET_IMPORT = """
    import os, sys
    from skser._tensorflow import import_tensorflow
    print("before", file=sys.stderr, flush=True)
    import_tensorflow()
    print("after", file=sys.stderr, flush=True)
    print(os.environ.get("TF_CPP_MIN_LOG_LEVEL"))
    """


def test_start_up_lines_are_hidden_and_the_log_level_set_unless_the_user_set_it(tmp_path):
    fake = _fake_tensorflow(tmp_path, "")

    result = run_fresh(QUIET_IMPORT, pythonpath=[fake])
    assert result.returncode == 0, result.stderr
    assert result.stderr.split() == ["before", "after"]  # stderr works again after
    assert result.stdout.strip() == "3"

    result = run_fresh(QUIET_IMPORT, pythonpath=[fake], env={"TF_CPP_MIN_LOG_LEVEL": "1"})
    assert result.stdout.strip() == "1"


def test_a_failing_import_shows_what_tensorflow_printed(tmp_path):
    fake = _fake_tensorflow(tmp_path, "raise ImportError('libcudart.so: cannot open')\n")

    result = run_fresh(QUIET_IMPORT, pythonpath=[fake])

    assert result.returncode != 0
    assert "start-up notice" in result.stderr and "libcudart.so" in result.stderr
