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
        last step a `CNNClassifier`, a `LogisticRegression`, a
        `ConditionGatedClassifier` of logistic regressions (after
        `StandardScaler` steps; the robust statistics model's), or a
        `SoftVotingEnsemble` of pipelines ending in those. A bare classifier
        of those kinds works too.
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
    ``predict_proba``; a `ConditionGatedClassifier` as its two experts and
    its detector in one graph (each scaler as Sub and Div), mixed by
    ``P(original) ** power`` (Gather, Pow, Sub, Mul, Add).

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

    from .models import CNNClassifier, ConditionGatedClassifier

    where = f"member {name!r}" if name else "the model"
    if isinstance(clf, CNNClassifier):
        return _network_graph(clf)
    if isinstance(clf, LogisticRegression):
        return _logistic_graph(clf)
    if isinstance(clf, ConditionGatedClassifier):
        return _gated_graph(clf, f"{where}'s experts or detector")
    raise ValueError(f"cannot export {where} to ONNX: its classifier is a "
                     f"{type(clf).__name__}; export_onnx handles CNNClassifier, "
                     "LogisticRegression and ConditionGatedClassifier (of logistic "
                     "regressions).")


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


def _logistic_nodes(clf, source, prefix, output):
    """Nodes and initializers that turn ``source`` into ``clf.predict_proba``
    as ``output``: a fitted `LogisticRegression` as MatMul, Add and Softmax."""
    from onnx import helper, numpy_helper

    coef = np.asarray(clf.coef_, dtype=np.float32)
    intercept = np.asarray(clf.intercept_, dtype=np.float32)
    nodes = [helper.make_node("MatMul", [source, f"{prefix}coef_t"], [f"{prefix}z"]),
             helper.make_node("Add", [f"{prefix}z", f"{prefix}intercept"], [f"{prefix}logits"])]
    initializers = [numpy_helper.from_array(coef.T.copy(), f"{prefix}coef_t"),
                    numpy_helper.from_array(intercept, f"{prefix}intercept")]
    if coef.shape[0] == 1:
        # Binary: scikit-learn's [1 - sigmoid(z), sigmoid(z)] is the softmax of [0, z].
        initializers.append(numpy_helper.from_array(np.zeros((1, 1), np.float32),
                                                    f"{prefix}zero"))
        nodes.append(helper.make_node("Mul", [f"{prefix}logits", f"{prefix}zero"],
                                      [f"{prefix}zeros"]))
        nodes.append(helper.make_node("Concat", [f"{prefix}zeros", f"{prefix}logits"],
                                      [f"{prefix}pair"], axis=1))
        nodes.append(helper.make_node("Softmax", [f"{prefix}pair"], [output], axis=1))
    else:
        nodes.append(helper.make_node("Softmax", [f"{prefix}logits"], [output], axis=1))
    return nodes, initializers


def _scaled_logistic_nodes(estimator, source, prefix, output, where):
    """`_logistic_nodes` of a `LogisticRegression`, or of a `Pipeline` of
    `StandardScaler` steps ending in one (each scaler as Sub and Div)."""
    from onnx import helper, numpy_helper
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    steps = [s for _, s in estimator.steps] if hasattr(estimator, "steps") else [estimator]
    steps = [s for s in steps if s not in (None, "passthrough")]
    if not (isinstance(steps[-1], LogisticRegression)
            and all(isinstance(s, StandardScaler) for s in steps[:-1])):
        raise ValueError(f"cannot export {where} to ONNX: it is "
                         f"{' -> '.join(type(s).__name__ for s in steps)}; export_onnx "
                         "handles a LogisticRegression after StandardScaler steps.")
    nodes, initializers = [], []
    for i, scaler in enumerate(steps[:-1]):
        for op, values, name in (("Sub", scaler.mean_, "mean"), ("Div", scaler.scale_, "scale")):
            if values is None:
                continue
            target = f"{prefix}scaled{i}_{name}"
            initializers.append(numpy_helper.from_array(
                np.asarray(values, dtype=np.float32), f"{prefix}{name}{i}"))
            nodes.append(helper.make_node(op, [source, f"{prefix}{name}{i}"], [target]))
            source = target
    more, weights = _logistic_nodes(steps[-1], source, prefix, output)
    return nodes + more, initializers + weights


def _model(nodes, initializers, name, n_features, n_classes):
    """The checked ONNX model bytes and their input/output description."""
    import onnx
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [None, n_features])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT,
                                       [None, n_classes])],
        initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", _OPSET)],
                              producer_name="skser")
    onnx.checker.check_model(model)
    return model.SerializeToString(), {
        "input": {"name": "input", "shape": [None, int(n_features)], "dtype": "float32"},
        "output": {"name": "probabilities", "shape": [None, int(n_classes)]},
    }


def _logistic_graph(clf):
    """A fitted `LogisticRegression` as MatMul, Add and Softmax."""
    nodes, initializers = _logistic_nodes(clf, "input", "", "probabilities")
    return _model(nodes, initializers, "skser_logistic_regression", clf.coef_.shape[1],
                  len(clf.classes_))


def _gated_graph(clf, where):
    """A fitted `ConditionGatedClassifier`: both experts and the detector,
    mixed as ``g * clean + (1 - g) * robust`` with ``g = P(original) ** power``."""
    from onnx import helper, numpy_helper

    n_features, n_classes = int(clf.n_features_in_), len(clf.classes_)
    if clf.robust_estimator_ is None:
        nodes, initializers = _scaled_logistic_nodes(
            clf.clean_estimator_, "input", "clean_", "probabilities", where)
        return _model(nodes, initializers, "skser_gated_logistic", n_features, n_classes)
    nodes, initializers = [], []
    for estimator, prefix in ((clf.clean_estimator_, "clean_"),
                              (clf.robust_estimator_, "robust_"),
                              (clf.detector_, "detector_")):
        more, weights = _scaled_logistic_nodes(estimator, "input", prefix, f"{prefix}proba",
                                               where)
        nodes += more
        initializers += weights
    column = list(clf.detector_.classes_).index(True)
    initializers += [numpy_helper.from_array(np.array([column], np.int64), "original_column"),
                     numpy_helper.from_array(np.array(clf.power, np.float32), "power")]
    nodes += [
        helper.make_node("Gather", ["detector_proba", "original_column"], ["p_original"],
                         axis=1),
        helper.make_node("Pow", ["p_original", "power"], ["g"]),
        helper.make_node("Sub", ["clean_proba", "robust_proba"], ["difference"]),
        helper.make_node("Mul", ["g", "difference"], ["shift"]),
        helper.make_node("Add", ["robust_proba", "shift"], ["probabilities"]),
    ]
    return _model(nodes, initializers, "skser_gated_logistic", n_features, n_classes)
