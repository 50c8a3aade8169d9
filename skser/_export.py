"""`export_onnx`: a fitted model's classifiers as ONNX graphs, for other
runtimes.

skser's features (loading, trimming, the level step, frame features,
log-mel, scaling) stay skser's: they are librosa and NumPy code that no ONNX
graph holds. What leaves for another runtime is the part that decides: each
network (a `CNNClassifier`) and each logistic regression (the statistics
model), as one ONNX graph each, with a manifest, ``skser-onnx.json``, that
says which graph reads which features and how the ensemble votes. The
deployment path is in docs/pipeline.md.
"""

import json
from pathlib import Path

import numpy as np

from ._files import atomic_write

__all__ = ["MANIFEST", "export_onnx"]

#: The manifest `export_onnx` writes beside the graphs.
MANIFEST = "skser-onnx.json"
_OPSET = 17


def export_onnx(estimator, path):
    """Write a fitted model's classifiers as ONNX graphs, one file each.

    Parameters
    ----------
    estimator : estimator
        A fitted pipeline from `make_ser_pipeline` (or `load_model`): its
        last step a `CNNClassifier`, a `LogisticRegression`, or a
        `SoftVotingEnsemble` of pipelines ending in those. A bare
        `CNNClassifier` or `LogisticRegression` works too.
    path : str or os.PathLike
        A folder to create (or an empty one): it receives one ``.onnx``
        file per classifier and ``skser-onnx.json``.

    Returns
    -------
    manifest : dict
        What ``skser-onnx.json`` holds: ``classes`` (the labels, the
        columns of every graph's output), ``vote`` (``"single"`` or
        ``"weighted_mean"``) and ``graphs``, one entry per graph: ``file``,
        ``member`` (the ensemble member's name, or None), ``weight``,
        ``input`` (name, shape with ``null`` for the batch axis, dtype),
        ``output`` (name, ``(batch, n_classes)`` probabilities) and
        ``features``: the skser steps whose output the graph reads, e.g.
        ``["pipeline[:-1]", "member[:-1]"]``.

    Raises
    ------
    ValueError
        When ``estimator`` is not fitted, or its classifier is of a kind
        this function does not export (it names it).
    FileExistsError
        When ``path`` exists and is not an empty folder.

    Notes
    -----
    A graph's input is the output of the skser steps named in its
    ``features``: for a pipeline ``p``, ``p[:-1].transform(files)``; for a
    member ``m`` of the ensemble ``e = p[-1]``,
    ``e.named_estimators_[m][:-1].transform(p[:-1].transform(files))``.
    Each network's graph is the one `save_model` stores (checked against
    the network to `skser.models.ONNX_TOLERANCE`); a logistic regression
    is written as its own four operators (MatMul, Add, Softmax; a binary one
    as a softmax over ``[0, z]``), which give scikit-learn's
    ``predict_proba``.

    Examples
    --------
    >>> from skser import export_onnx, load_model  # doctest: +SKIP
    >>> export_onnx(load_model("model.skser"), "model-onnx")  # doctest: +SKIP
    """
    from sklearn.utils.validation import check_is_fitted

    folder = Path(path)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise FileExistsError(f"cannot export to {str(folder)!r}: it exists and is not an "
                              "empty folder.")
    pipeline_steps = getattr(estimator, "steps", None)
    final = estimator[-1] if pipeline_steps else estimator
    check_is_fitted(final)
    head = ["pipeline[:-1]"] if pipeline_steps else []
    parts = []
    if hasattr(final, "estimators_") and hasattr(final, "weights_"):
        for (name, _), member, weight in zip(final.estimators, final.estimators_,
                                             final.weights_):
            clf = member[-1] if getattr(member, "steps", None) else member
            features = head + (["member[:-1]"] if getattr(member, "steps", None) else [])
            parts.append((name, float(weight), clf, features))
        vote = "weighted_mean"
    else:
        parts.append((None, 1.0, final, head))
        vote = "single"
    graphs = [(_graph(clf, name), name, weight, features)
              for name, weight, clf, features in parts]
    manifest = {
        "format": "skser-onnx", "version": 1,
        "classes": np.asarray(final.classes_).tolist(),
        "vote": vote,
        "graphs": [],
    }
    for (data, info), name, weight, features in graphs:
        file = f"{name or 'model'}.onnx"
        manifest["graphs"].append({"file": file, "member": name, "weight": weight,
                                   "features": features, **info})
    folder.mkdir(parents=True, exist_ok=True)
    for ((data, _), *_), entry in zip(graphs, manifest["graphs"]):
        atomic_write(folder / entry["file"], lambda tmp, data=data: Path(tmp).write_bytes(data))
    atomic_write(folder / MANIFEST,
                 lambda tmp: Path(tmp).write_text(json.dumps(manifest, indent=2) + "\n"))
    return manifest


def _graph(clf, name):
    """(ONNX bytes, input/output description) of one fitted classifier."""
    from sklearn.linear_model import LogisticRegression

    from .models import CNNClassifier

    where = f"member {name!r}" if name else "the model"
    if isinstance(clf, CNNClassifier):
        return _network_graph(clf)
    if isinstance(clf, LogisticRegression):
        return _logistic_graph(clf)
    raise ValueError(f"cannot export {where} to ONNX: its classifier is a "
                     f"{type(clf).__name__}; export_onnx handles CNNClassifier and "
                     "LogisticRegression.")


def _network_graph(clf):
    from .models._onnx import OnnxNetwork, export_network

    wrapper = clf.estimator_
    if isinstance(wrapper, OnnxNetwork) and wrapper.keras_estimator_ is None:
        data = wrapper.stored["onnx"]
    else:
        data = export_network(wrapper.model_)
    return data, {
        "input": {"name": "input", "shape": [None, *map(int, clf.input_shape_)],
                  "dtype": "float32"},
        "output": {"name": _output_name(data), "shape": [None, int(len(clf.classes_))]},
    }


def _output_name(data):
    import onnx

    return onnx.load_model_from_string(data).graph.output[0].name


def _logistic_graph(clf):
    """A fitted `LogisticRegression` as MatMul, Add and Softmax."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    coef = np.asarray(clf.coef_, dtype=np.float32)
    intercept = np.asarray(clf.intercept_, dtype=np.float32)
    n_features = coef.shape[1]
    nodes = [helper.make_node("MatMul", ["input", "coef_t"], ["z"]),
             helper.make_node("Add", ["z", "intercept"], ["logits"])]
    initializers = [numpy_helper.from_array(coef.T.copy(), "coef_t"),
                    numpy_helper.from_array(intercept, "intercept")]
    if coef.shape[0] == 1:
        # Binary: scikit-learn's [1 - sigmoid(z), sigmoid(z)] is the softmax of [0, z].
        initializers.append(numpy_helper.from_array(np.zeros((1, 1), np.float32), "zero"))
        nodes.append(helper.make_node("Mul", ["logits", "zero"], ["zeros"]))
        nodes.append(helper.make_node("Concat", ["zeros", "logits"], ["pair"], axis=1))
        nodes.append(helper.make_node("Softmax", ["pair"], ["probabilities"], axis=1))
    else:
        nodes.append(helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1))
    graph = helper.make_graph(
        nodes, "skser_logistic_regression",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [None, n_features])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT,
                                       [None, len(clf.classes_)])],
        initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", _OPSET)],
                              producer_name="skser")
    onnx.checker.check_model(model)
    return model.SerializeToString(), {
        "input": {"name": "input", "shape": [None, int(n_features)], "dtype": "float32"},
        "output": {"name": "probabilities", "shape": [None, int(len(clf.classes_))]},
    }
