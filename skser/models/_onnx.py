"""Networks as ONNX graphs: exported when a model is saved, run by onnxruntime
when it is loaded, so that prediction needs no TensorFlow.

A fitted `CNNClassifier` predicts through its ``estimator_``, a
`SkserKerasClassifier` that holds the Keras network. Loading one imports
TensorFlow (about 8 s and 650 MiB), however small the network. When a model
is saved, `export_network` converts each network to ONNX (Keras' own
``Model.export(format="onnx")``, which runs tf2onnx) and checks that
onnxruntime gives the network's probabilities back; `skser.load_model` then
puts an `OnnxNetwork` where the `SkserKerasClassifier` was. It predicts with
onnxruntime, and turns into the Keras estimator (importing TensorFlow) only
when something else is asked of it.

This module imports neither TensorFlow nor onnxruntime at import time.
"""

import os
import tempfile
import threading
import warnings
from pathlib import Path

import numpy as np

__all__ = ["ONNX_TOLERANCE", "OnnxExportError", "OnnxNetwork", "export_network",
           "onnx_export_available", "onnxruntime_available"]

#: The largest absolute difference between the probabilities of a network
#: and of its ONNX graph that `export_network` accepts (on random inputs of
#: the network's shape); the parity tests hold loaded models to 1e-5 on clips.
ONNX_TOLERANCE = 1e-5

# Inputs of the check in export_network: a few random clips of the
# network's input shape, seeded so the check is the same every time.
_CHECK_CLIPS = 4
_CHECK_SEED = 0


class OnnxExportError(RuntimeError):
    """A network could not be exported to ONNX, or its ONNX graph does not
    give its probabilities; the message says which and why."""


def onnxruntime_available():
    """Whether onnxruntime can be imported (without importing it twice)."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def onnx_export_available():
    """None when networks can be exported (tf2onnx, onnx and onnxruntime are
    installed), else the name of the first package missing."""
    import importlib.util

    for name in ("tf2onnx", "onnx", "onnxruntime"):
        if importlib.util.find_spec(name) is None:
            return name
    return None


def export_network(model, *, check=True):
    """The ONNX graph of a Keras network, as bytes.

    Parameters
    ----------
    model : keras.Model
        A built network with one input, run with ``training=False`` (dropout,
        SpecAugment and batch statistics as at prediction).
    check : bool, default=True
        Run the graph with onnxruntime on random inputs of the network's
        shape and refuse it when its outputs differ from the network's by
        more than `ONNX_TOLERANCE`.

    Returns
    -------
    onnx : bytes
        A serialised ``onnx.ModelProto`` with one input, ``"input"``, of
        shape ``(batch, *model.input_shape[1:])`` (float32, any batch size),
        and one output, the network's output ``(batch, n_classes)``.

    Raises
    ------
    OnnxExportError
        When tf2onnx (through Keras) cannot convert the network, or the graph
        does not give its outputs back.
    """
    import keras

    if len(model.inputs) != 1:
        raise OnnxExportError(f"network {model.name!r} has {len(model.inputs)} inputs; "
                              "ONNX export handles networks with one.")
    with tempfile.TemporaryDirectory(prefix="skser-onnx-") as folder:
        path = Path(folder) / "network.onnx"
        try:
            with warnings.catch_warnings():
                # Keras' tf2onnx shim probes np.object (a FutureWarning in NumPy 2).
                warnings.simplefilter("ignore", FutureWarning)
                model.export(str(path), format="onnx", verbose=False)
            data = path.read_bytes()
        except Exception as exc:  # noqa: BLE001 - tf2onnx raises many kinds
            raise OnnxExportError(f"network {model.name!r} could not be exported to "
                                  f"ONNX ({type(exc).__name__}: {exc}).") from exc
    if check:
        shape = tuple(model.inputs[0].shape)[1:]
        dtype = keras.backend.standardize_dtype(model.inputs[0].dtype)
        X = np.random.default_rng(_CHECK_SEED).normal(
            size=(_CHECK_CLIPS, *shape)).astype(dtype)
        expected = keras.ops.convert_to_numpy(model(X, training=False))
        got = _Session(data).run(X)
        if got.shape != expected.shape or not np.allclose(got, expected, rtol=0,
                                                          atol=ONNX_TOLERANCE):
            gap = (np.abs(got - expected).max() if got.shape == expected.shape
                   else f"shape {got.shape} instead of {expected.shape}")
            raise OnnxExportError(f"the ONNX graph of network {model.name!r} does not "
                                  f"give its outputs (largest difference {gap}).")
    return data


class _Session:
    """An onnxruntime session over a graph's bytes, built on first use and
    never pickled."""

    def __init__(self, data):
        self.data = data
        self._session = None
        self._lock = threading.Lock()

    def session(self):
        if self._session is None:
            with self._lock:
                if self._session is None:
                    self._session = _make_session(self.data)
        return self._session

    def run(self, X):
        session = self.session()
        inputs = session.get_inputs()
        dtype = np.float64 if inputs[0].type == "tensor(double)" else np.float32
        return np.asarray(session.run(None, {inputs[0].name: np.asarray(X, dtype=dtype)})[0])


def _make_session(data):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    # onnxruntime's own thread pool, one per session: OMP_NUM_THREADS where
    # the user set it (as for BLAS), else the CPUs the process may use.
    # threadpoolctl's limits do not reach onnxruntime.
    options.intra_op_num_threads = _threads()
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # errors only: no warnings on the terminal
    return onnxruntime.InferenceSession(data, sess_options=options,
                                        providers=["CPUExecutionProvider"])


def _threads():
    value = os.environ.get("OMP_NUM_THREADS", "")
    if value.strip().isdigit() and int(value) > 0:
        return int(value)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class OnnxNetwork:
    """A fitted network of a loaded model, run by onnxruntime.

    `skser.load_model` puts one where a saved `CNNClassifier` held its
    `SkserKerasClassifier` (``estimator_``), when the file holds the
    network's ONNX graph and onnxruntime is installed. `predict_proba` and
    `predict` run the graph; anything else asked of it (the Keras model
    ``model_``, ``history_``, a refit) loads the Keras estimator from the
    same file's bytes, importing TensorFlow, and hands the request on.

    Parameters
    ----------
    onnx : bytes
        The network's ONNX graph (`export_network`).
    load_keras : callable
        Called with no argument, returns the `SkserKerasClassifier` with its
        network, as the file holds it; called once, on the first request
        that ONNX cannot answer.
    stored : dict
        The file's bytes of this network (``"estimator"``, ``"keras"``,
        ``"onnx"``), so that `skser.save_model` writes them again unchanged.

    Attributes
    ----------
    keras_estimator_ : SkserKerasClassifier or None
        The Keras estimator once loaded; None while only ONNX has been used.
    """

    def __init__(self, *, onnx, load_keras, stored):
        self._onnx = _Session(onnx)
        self._load_keras = load_keras
        self.stored = stored
        self.keras_estimator_ = None
        self._keras_lock = threading.Lock()

    def check(self):
        """Build the onnxruntime session now (`skser.load_model` does, so
        that a damaged graph is refused when the file is loaded)."""
        self._onnx.session()
        return self

    def predict_proba(self, X, **kwargs):
        """The network's class probabilities.

        Parameters
        ----------
        X : np.ndarray [shape=(n_clips, *input_shape)]
            The features the network was fitted on (as `CNNClassifier`
            checks them).
        **kwargs
            Arguments of Keras' ``Model.predict``; any there makes the
            Keras estimator answer instead.

        Returns
        -------
        proba : np.ndarray [shape=(n_clips, n_classes)]
            Columns are the encoded classes ``0 .. n_classes - 1``.
        """
        if kwargs or self.keras_estimator_ is not None:
            return self.keras().predict_proba(X, **kwargs)
        X = np.asarray(X)
        if len(X) == 0:
            return self.keras().predict_proba(X)
        return self._onnx.run(X).reshape(len(X), -1)

    def predict(self, X, **kwargs):
        """The encoded class of largest probability, ``(n_clips,)``."""
        if kwargs or self.keras_estimator_ is not None:
            return self.keras().predict(X, **kwargs)
        return np.argmax(self.predict_proba(X), axis=1)

    def keras(self):
        """The Keras estimator this network was saved from (loaded once;
        this imports TensorFlow)."""
        if self.keras_estimator_ is None:
            with self._keras_lock:
                if self.keras_estimator_ is None:
                    self.keras_estimator_ = self._load_keras()
        return self.keras_estimator_

    def __getattr__(self, name):
        # Only called for what this object does not have: the Keras
        # estimator's attributes and methods. Private and special names are
        # not handed on (copy and pickle probe for them).
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.keras(), name)

    def __getstate__(self):
        # A pickle (joblib.dump of a loaded model) holds what the file held
        # and the Keras estimator if it was loaded; never a session.
        return {"stored": self.stored, "keras_estimator_": self.keras_estimator_}

    def __setstate__(self, state):
        from .._persistence import _keras_estimator_loader

        self.stored = state["stored"]
        self.keras_estimator_ = state["keras_estimator_"]
        self._onnx = _Session(self.stored["onnx"])
        self._load_keras = _keras_estimator_loader(self.stored, trusted=None,
                                                   name="a pickled skser model")
        self._keras_lock = threading.Lock()

    def __repr__(self):
        state = "Keras loaded" if self.keras_estimator_ is not None else "onnxruntime"
        return f"OnnxNetwork({state})"
