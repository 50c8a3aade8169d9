"""Interrupted jobs (Ctrl-C) leave no half-written model or report: every file
is written to a temporary name and renamed."""

import json
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import skser
from skser import cli
import skser.cli.parser  # noqa: F401  (cli.parser: where the commands are bound)
from skser._files import atomic_write
from skser.evaluation import emotion_report, save_report

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def test_atomic_write_keeps_the_old_file_when_interrupted(tmp_path):
    path = tmp_path / "report.json"
    path.write_text("old")

    def interrupted(tmp):
        Path(tmp).write_text("half of the new")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(path, interrupted)

    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_atomic_write_replaces_the_whole_file(tmp_path):
    path = tmp_path / "report.json"
    path.write_text("old")

    atomic_write(path, lambda tmp: Path(tmp).write_text("new"))

    assert path.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_report_interrupted_while_plotting_leaves_no_partial_plot(tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    report = emotion_report(["a", "b", "a"], ["a", "b", "b"])

    def interrupted(self, fname, **kwargs):
        Path(fname).write_bytes(b"\x89PNG half")
        raise KeyboardInterrupt

    monkeypatch.setattr(Figure, "savefig", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_report(report, tmp_path, name="cv_report")

    # The JSON went first and is whole; the plot is absent, not half there.
    assert json.loads((tmp_path / "cv_report.json").read_text())["ua"] == report["ua"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cv_report.json"]


@pytest.mark.parametrize("error", [ValueError, RuntimeError])
def test_error_raised_in_place_of_ctrl_c_exits_as_interrupted(error, monkeypatch, capsys):
    def traced(args):
        try:
            signal.raise_signal(signal.SIGINT)
        except KeyboardInterrupt:
            # What TensorFlow can make of a Ctrl-C that lands while it traces.
            raise error("converted while tracing") from None

    monkeypatch.setattr(cli.parser, "_cmd_predict", traced)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler

    status = cli.main(["predict", "model.skser", "clip.wav"])

    assert status == 130
    assert capsys.readouterr().err == "skser: interrupted\n"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_the_same_error_without_ctrl_c_is_reported_as_an_error(monkeypatch, capsys):
    def failing(args):
        raise ValueError("converted while tracing")

    monkeypatch.setattr(cli.parser, "_cmd_predict", failing)

    status = cli.main(["predict", "model.skser", "clip.wav"])

    assert status == 1
    assert capsys.readouterr().err == "skser predict: error: converted while tracing\n"


def test_ctrl_c_ignored_by_the_parent_stays_ignored(monkeypatch):
    handlers = []
    monkeypatch.setattr(cli.parser, "_cmd_predict", lambda args: handlers.append(
        signal.getsignal(signal.SIGINT)))
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        assert cli.main(["predict", "model.skser", "clip.wav"]) == 0
    finally:
        signal.signal(signal.SIGINT, previous)

    assert handlers == [signal.SIG_IGN]


@pytest.fixture
def corpus(tmp_path, rng):
    """12 clips, 3 labels, 4 speakers, as root/<label>/<speaker>_<i>.wav."""
    root = tmp_path / "corpus"
    for i in range(12):
        label = ("angry", "happy", "sad")[i % 3]
        (root / label).mkdir(parents=True, exist_ok=True)
        t = np.arange(4000) / 8000
        y = 0.3 * np.sin(2 * np.pi * (150 + 80 * (i % 3)) * t) + 0.01 * rng.standard_normal(t.size)
        sf.write(root / label / f"spk{i % 4}_{i:02d}.wav", y, 8000)
    return root


# Many epochs of a tiny network without early stopping: long enough to be
# interrupted while training. clf__verbose=2 makes Keras print one line per
# finished epoch, the sign that training is under way.
_LONG = ["--kind", "2d", "--corpus", "folder", "--speaker-pattern", r"^(spk\d)_", "--epochs", "100000",
         "--set", "clf__patience=None", "--set", "clf__width=0.1", "--set",
         "features__n_mels=16", "--set", "features__n_fft=256", "--set",
         "features__hop_length=128", "--set", "clf__verbose=2", "--model", "lenet5",
         "--seed", "0"]
# Keras' line at the end of an epoch with verbose=2, e.g.
# "1/1 - 2s - 2s/step - accuracy: 0.2500 - loss: 1.0986".
_EPOCH_DONE = re.compile(r"^\d+/\d+ - .*\bloss: ")
_CHECKOUT = str(Path(skser.__file__).resolve().parents[1])


def _interrupt_while_training(argv, cwd):
    """Run ``skser argv``, press Ctrl-C once the first epoch has finished;
    returns (exit status, stdout and stderr)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TF_CPP_MIN_LOG_LEVEL": "3",
           # The skser under test, not one installed elsewhere: cwd is not its checkout.
           "PYTHONPATH": os.pathsep.join(filter(None, [_CHECKOUT, os.environ.get("PYTHONPATH")]))}
    process = subprocess.Popen([sys.executable, "-m", "skser", *argv], cwd=cwd, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # Without an epoch line the run would last 100000 epochs: end it instead.
    watchdog = threading.Timer(300, process.kill)
    watchdog.start()
    try:
        seen = []
        for line in process.stdout:
            seen.append(line)
            if _EPOCH_DONE.match(line):
                break
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=120)
    finally:
        watchdog.cancel()
    output = "".join(seen) + rest
    assert any(_EPOCH_DONE.match(line) for line in seen), output
    return process.returncode, output


@pytest.mark.slow
def test_ctrl_c_during_train_leaves_the_previous_model_and_no_partial_file(corpus, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "model.skser").write_bytes(b"the previous model")

    status, err = _interrupt_while_training(["train", str(corpus), *_LONG, "--out",
                                             str(out)], tmp_path)

    assert status == 130, err
    assert "skser: interrupted" in err and "Traceback" not in err
    assert sorted(p.name for p in out.iterdir()) == ["model.skser"]
    assert (out / "model.skser").read_bytes() == b"the previous model"


@pytest.mark.slow
def test_ctrl_c_during_evaluate_writes_no_report(corpus, tmp_path):
    out = tmp_path / "out"

    status, err = _interrupt_while_training(["evaluate", str(corpus), *_LONG, "--folds",
                                             "2", "--out", str(out)], tmp_path)

    assert status == 130, err
    assert "skser: interrupted" in err
    assert not out.exists() or list(out.iterdir()) == []
