"""Model files whose loading runs no code: `save_model` and `load_model`.

`joblib.dump`/`joblib.load` keep working on every skser estimator, but a
joblib file is a pickle, and unpickling can run any code the file's author
chose. A skser model file cannot: it is a zip archive of

- ``skser-model.json``: the format's name and version, skser's and Keras'
  versions, and the list of networks;
- ``estimator.skops``: the estimator (usually a whole pipeline) in skops'
  format, with each Keras network replaced by a placeholder;
- ``networks/<i>.keras``: each network in Keras' own format;
- ``wrappers/<j>.skops`` (format version 2): each fitted scikeras wrapper of
  a network (the ``estimator_`` of a `CNNClassifier`), apart from the
  estimator, since building one imports TensorFlow;
- ``networks/<i>.onnx`` (format version 2): the ONNX graph of a wrapper's
  network, exported when the model is saved.

`load_model` audits the skops parts against an explicit list of trusted
types before it creates any object (skops refuses anything else, and so does
this module, with the list of what it found), then loads each network with
Keras' ``safe_mode=True``, which refuses layers that carry Python code
(``Lambda``). Where a wrapper's network has its ONNX graph and onnxruntime
is installed, it loads an `OnnxNetwork` in the wrapper's place instead:
prediction runs the graph, and TensorFlow is imported only if the Keras
network is asked for (it is then loaded as above). An ONNX graph holds
operators, not code; onnxruntime runs only its own.
"""

import functools
import io
import json
import sys
import tempfile
import time
import zipfile
from copy import deepcopy
from numbers import Number
from pathlib import Path

import numpy as np

from ._files import atomic_write

__all__ = ["ModelFileError", "TRUSTED_TYPES", "load_model", "model_metadata", "save_model"]

FORMAT = "skser-model"
FORMAT_VERSION = 2
_MANIFEST = "skser-model.json"
_ESTIMATOR = "estimator.skops"
# Stands for network i inside the skops part; the NUL byte keeps it from
# colliding with any string a user would hold in an estimator.
_PLACEHOLDER = "\x00skser-network:{}"
# Stands for wrapper j in the estimator part, and for a wrapper's own
# network inside the wrapper's part.
_WRAPPER = "\x00skser-wrapper:{}"
_OWN_NETWORK = "\x00skser-network:own"
#: Where `load_model` runs the networks of a model file.
RUNTIMES = ("auto", "onnx", "keras")

#: Types a skser model file may hold beyond what skops trusts by itself
#: (Python containers and primitives, NumPy arrays and dtypes, and
#: scikit-learn's estimators): skser's estimators, the scikeras wrapper
#: and its label encoders, imbalanced-learn's Pipeline and skser's subclass
#: of it (`make_ser_pipeline`'s), and the
#: ``functools.partial`` of skser's network builder that scikeras calls
#: to build a network (its function is audited as a type of its own).
TRUSTED_TYPES = (
    "functools.partial",
    "imblearn.pipeline.Pipeline",
    "numpy.dtype",
    "scikeras.utils.transformers.ClassifierLabelEncoder",
    "scikeras.utils.transformers.TargetReshaper",
    # The fitted parts of the "stats" pipeline's CalibratedClassifierCV
    # (private scikit-learn classes skops does not list).
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "skser.augmentation._copies.AugmentedCopies",
    "skser.augmentation._masks.FrequencyMask",
    "skser.augmentation._masks.TimeMask",
    "skser.augmentation._random_corruption.RandomCorruption",
    "skser.augmentation._waveform.AddNoise",
    "skser.augmentation._waveform.TimeShift",
    "skser.features._frame_features.FrameFeatures1D",
    "skser.features._mel_spectrogram.MelSpectrogram2D",
    "skser.loading._audio_loader.AudioLoader",
    "skser.models._bandwidth.BandwidthExperts",
    "skser.models._cnn.CNNClassifier",
    "skser.models._ensemble.SoftVotingEnsemble",
    "skser.models._gated.ConditionGatedClassifier",
    "skser.models._keras.SkserKerasClassifier",
    "skser.models._keras.build_compiled_cnn",
    "skser.pipeline.Pipeline",
    "skser.preprocessing._band_pass.BandPass",
    "skser.preprocessing._domain_scaler.DomainStandardScaler",
    "skser.preprocessing._level.LevelNormalizer",
    "skser.preprocessing._scaler.StandardScalerND",
    "skser.preprocessing._speaker_scaler.SpeakerStandardScaler",
    "skser.preprocessing._speech_detector.SpeechDetector",
    "skser.preprocessing._trim_pad.TrimPad",
)


class ModelFileError(OSError, ValueError):
    """A model file could not be written or loaded safely; the message names
    the file and why.

    Subclasses both `OSError` (a file problem) and `ValueError` (bad input).

    Attributes
    ----------
    untrusted_types : list of str
        Types the file (or the estimator being saved) holds that are not
        trusted; empty when the problem is another one.
    """

    def __init__(self, message, *, untrusted_types=()):
        super().__init__(message)
        self.untrusted_types = list(untrusted_types)

    def __str__(self):
        # OSError would format (errno, strerror) pairs; keep the one message.
        return self.args[0]


def save_model(estimator, path, *, trusted=None, metadata=None, onnx="auto"):
    """Save a fitted estimator in skser's safe model format.

    The file loads with `load_model` without running any code from it. The
    write is atomic: an interruption (Ctrl-C included) leaves either the
    previous file or the whole new one, never a part.

    Parameters
    ----------
    estimator : estimator
        Usually a fitted pipeline from `make_ser_pipeline`; any estimator
        whose parts are in `TRUSTED_TYPES`, are trusted by skops, or are
        named in ``trusted``.
    path : str or os.PathLike
        File to write (``.skser`` by convention). Its folder must exist.
    trusted : list of str or None, default=None
        Further fully qualified type names the estimator may hold, e.g. a
        step of your own. `load_model` must then be given the same list.
    metadata : dict or None, default=None
        What to tell a reader of the file about the model (its training
        data, classes, licence), stored as JSON beside the estimator and
        read back by `model_metadata` without loading the model. Keys are
        strings; values anything JSON holds.
    onnx : {"auto", True, False}, default="auto"
        Also store each fitted network (the ``estimator_`` of a
        `CNNClassifier`) as an ONNX graph, so that `load_model` can predict
        with onnxruntime, without TensorFlow. Each graph is checked against
        its network on random inputs (`skser.models.ONNX_TOLERANCE`).
        ``"auto"``: when tf2onnx, onnx and onnxruntime are installed; a
        network whose export fails is stored without its graph, with a
        warning. True: always, and a failed export is an error. False:
        never. A model loaded from a file keeps the graphs it had.

    Returns
    -------
    path : pathlib.Path

    Raises
    ------
    ModelFileError
        When the estimator holds types that `load_model` would refuse (they
        are listed, with how to allow them), the file cannot be written, or
        ``onnx=True`` and a network cannot be exported.

    See Also
    --------
    load_model : Load the file again.

    Examples
    --------
    >>> import numpy as np
    >>> from skser import StandardScalerND, load_model, save_model
    >>> scaler = StandardScalerND().fit(np.arange(12.0).reshape(3, 4))
    >>> path = save_model(scaler, getfixture("tmp_path") / "scaler.skser")
    >>> load_model(path).mean_.shape
    (4,)
    """
    import skops.io as sio

    path = Path(path)
    if not path.parent.is_dir():
        raise ModelFileError(f"cannot save model to {str(path)!r}: folder "
                             f"{str(path.parent)!r} does not exist.")
    if metadata is not None:
        if not isinstance(metadata, dict) or not all(isinstance(k, str) for k in metadata):
            raise TypeError(f"metadata must be a dict with string keys or None; got "
                            f"{type(metadata).__name__}.")
        try:
            metadata = json.loads(json.dumps(metadata, allow_nan=False))
        except (TypeError, ValueError) as exc:
            raise TypeError(f"metadata must hold JSON values only (strings, numbers, "
                            f"lists, dicts, booleans, None): {exc}") from None
    if onnx not in ("auto", True, False):
        raise ValueError(f"onnx must be 'auto', True or False; got {onnx!r}.")
    allowed = _allowed(trusted)
    wrappers = _find_wrappers(estimator)
    outside = _find_networks(estimator, skip=wrappers)
    stored = [_store_wrapper(w, j, path, onnx) for j, w in enumerate(wrappers)]
    # A copy in which each wrapper and each other network is its
    # placeholder: the estimator the caller holds is not touched, and no
    # network is pickled along.
    memo = {id(net): _PLACEHOLDER.format(i) for i, net in enumerate(outside)}
    memo.update({id(w): _WRAPPER.format(j) for j, w in enumerate(wrappers)})
    payload = _dump(deepcopy(estimator, memo))
    untrusted = sorted({t for part in [payload, *(w["estimator"] for w in stored)]
                        for t in sio.get_untrusted_types(data=part)} - set(allowed))
    if untrusted:
        raise ModelFileError(
            f"cannot save model to {str(path)!r}: the estimator holds types that "
            f"load_model would refuse: {', '.join(untrusted)}. Pass them as "
            "trusted=[...] to save_model and load_model if you trust them, or use "
            "joblib.dump (a pickle) instead.",
            untrusted_types=untrusted,
        )
    n_networks = len(outside) + len(stored)
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "skser_version": _skser_version(),
        "keras_version": (_keras_version() if outside or any(w["keras_version"] is None
                                                             for w in stored)
                          else stored[0]["keras_version"] if stored else None),
        "estimator": f"{type(estimator).__module__}.{type(estimator).__qualname__}",
        "networks": [f"networks/{i}.keras" for i in range(n_networks)],
        "wrappers": [
            {"estimator": f"wrappers/{j}.skops",
             "network": f"networks/{len(outside) + j}.keras",
             "onnx": (f"networks/{len(outside) + j}.onnx" if w["onnx"] is not None
                      else None)}
            for j, w in enumerate(stored)
        ],
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        **({"metadata": metadata} if metadata is not None else {}),
    }

    def write(tmp):
        with tempfile.TemporaryDirectory(prefix="skser-save-") as folder, \
                zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr(_MANIFEST, json.dumps(manifest, indent=2))
            archive.writestr(_ESTIMATOR, payload)
            for i, network in enumerate(outside):
                archive.writestr(f"networks/{i}.keras", _keras_bytes(network, folder))
            for j, (entry, w) in enumerate(zip(manifest["wrappers"], stored)):
                archive.writestr(entry["estimator"], w["estimator"])
                archive.writestr(entry["network"], w["keras"])
                if entry["onnx"] is not None:
                    archive.writestr(entry["onnx"], w["onnx"])

    try:
        return atomic_write(path, write)
    except OSError as exc:
        raise ModelFileError(f"cannot save model to {str(path)!r}: {exc}") from exc


def _dump(obj):
    import skops.io as sio

    buffer = io.BytesIO()
    sio.dump(obj, buffer)
    return buffer.getvalue()


def _keras_bytes(network, folder):
    """A Keras network as the bytes of its .keras archive."""
    # Keras writes .keras archives to a path ending in .keras only.
    local = Path(folder) / f"network-{id(network)}.keras"
    network.save(local)
    try:
        return local.read_bytes()
    finally:
        local.unlink()


def _store_wrapper(wrapper, j, path, onnx):
    """What the file holds of one wrapper: its skops part (its network a
    placeholder), its network's .keras bytes and its ONNX graph (or None)."""
    from .models._onnx import OnnxNetwork

    if isinstance(wrapper, OnnxNetwork):
        if wrapper.keras_estimator_ is None:
            # Loaded from a file and never turned into Keras: what the file held.
            return {**wrapper.stored, "keras_version": wrapper.stored.get("keras_version")}
        onnx_bytes = wrapper.stored["onnx"]
        wrapper = wrapper.keras_estimator_
    else:
        onnx_bytes = None
    network = wrapper.model_
    with tempfile.TemporaryDirectory(prefix="skser-save-") as folder:
        keras_bytes = _keras_bytes(network, folder)
    if onnx_bytes is None and onnx is not False:
        onnx_bytes = _export_onnx(network, j, path, required=onnx is True)
    return {
        "estimator": _dump(deepcopy(wrapper, {id(network): _OWN_NETWORK})),
        "keras": keras_bytes,
        "onnx": onnx_bytes,
        "keras_version": _keras_version(),
    }


def _export_onnx(network, j, path, *, required):
    """The network's checked ONNX graph; None (with a warning when the tools
    are there but the export fails) unless ``required``."""
    import warnings

    from .models._onnx import OnnxExportError, export_network, onnx_export_available

    missing = onnx_export_available()
    if missing:
        if required:
            raise ModelFileError(f"cannot save model to {str(path)!r} with onnx=True: "
                                 f"{missing} is not installed.")
        return None
    try:
        return export_network(network)
    except OnnxExportError as exc:
        if required:
            raise ModelFileError(f"cannot save model to {str(path)!r} with onnx=True: "
                                 f"{exc}") from exc
        warnings.warn(f"network {j} of the model saved to {str(path)!r} is stored "
                      f"without its ONNX graph, so it predicts with TensorFlow: {exc}",
                      UserWarning, stacklevel=4)
        return None


def load_model(path, *, trusted=None, runtime="auto"):
    """Load an estimator written by `save_model`, running no code from the file.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by `save_model` (or `skser train`).
    trusted : list of str or None, default=None
        Further fully qualified type names to accept beyond `TRUSTED_TYPES`
        and skops' defaults (the list given to `save_model`, if any). Only
        name types whose constructors you trust.
    runtime : {"auto", "onnx", "keras"}, default="auto"
        What runs the fitted networks (the ``estimator_`` of each
        `CNNClassifier`). ``"onnx"``: onnxruntime, from the ONNX graphs the
        file holds, without importing TensorFlow (an `OnnxNetwork` stands
        where the Keras estimator was, and loads it if asked for anything
        but probabilities). ``"keras"``: Keras, as the networks were fitted.
        ``"auto"``: onnxruntime when every network has its graph and
        onnxruntime is installed, else Keras. Both give the same
        probabilities within `skser.models.ONNX_TOLERANCE`.

    Returns
    -------
    estimator : estimator
        The fitted estimator, predicting as the one saved.

    Raises
    ------
    ModelFileError
        When the file is missing, is not a skser model file (a pickle, say:
        those load with `joblib.load`, and only from a trusted source), is
        damaged, holds an untrusted type (they are listed) or a network that
        carries code; or ``runtime="onnx"`` and the file holds no ONNX graph
        of a network, or onnxruntime is not installed.

    See Also
    --------
    save_model : Write the file.
    """
    from .models._onnx import onnxruntime_available

    if runtime not in RUNTIMES:
        raise ValueError(f"runtime must be one of {', '.join(map(repr, RUNTIMES))}; "
                         f"got {runtime!r}.")
    path = Path(path)
    name = repr(str(path))
    if not path.exists():
        raise ModelFileError(f"model file {name} does not exist.")
    if not path.is_file():
        raise ModelFileError(f"model file {name} is not a file.")
    if not _starts_like_zip(path):
        with open(path, "rb") as f:
            head = f.read(1)
        hint = (" It looks like a pickle (joblib) file: load it with joblib.load, and "
                "only if you trust its source, since unpickling can run any code."
                if head == b"\x80" else "")
        raise ModelFileError(f"model file {name} is not a skser model file (a zip "
                             f"archive written by skser.save_model).{hint}")
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = _read_manifest(archive, name)
            payload = archive.read(_ESTIMATOR)
            network_bytes = {member: archive.read(member) for member in manifest["networks"]}
            wrappers = [
                {"estimator": archive.read(entry["estimator"]),
                 "keras": network_bytes[entry["network"]],
                 "onnx": archive.read(entry["onnx"]) if entry["onnx"] else None,
                 "keras_version": manifest.get("keras_version")}
                for entry in manifest["wrappers"]
            ]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        if isinstance(exc, ModelFileError):
            raise
        raise ModelFileError(f"model file {name} is damaged ({exc}).") from exc

    allowed = _allowed(trusted)
    _audit(name, [payload, *(w["estimator"] for w in wrappers)], allowed)
    for entry, w in zip(manifest["wrappers"], wrappers):
        _check_keras_archive(w["keras"], entry["network"], name)
    with_onnx = bool(wrappers) and all(w["onnx"] is not None for w in wrappers)
    if runtime == "onnx":
        if wrappers and not with_onnx:
            raise ModelFileError(
                f"model file {name} holds no ONNX graph of some of its networks, so "
                "runtime='onnx' cannot run them; load it with runtime='auto' or "
                "'keras', or save it again with save_model(..., onnx=True).")
        if wrappers and not onnxruntime_available():
            raise ModelFileError(f"runtime='onnx' needs onnxruntime to run the networks "
                                 f"of model file {name}; install it (pip install "
                                 "onnxruntime) or use runtime='keras'.")
    use_onnx = runtime != "keras" and with_onnx and (runtime == "onnx"
                                                     or onnxruntime_available())
    outside = [m for m in manifest["networks"]
               if m not in {e["network"] for e in manifest["wrappers"]}]
    if outside or (wrappers and not use_onnx):
        # Before skops builds the estimator: its Keras parts import TensorFlow.
        from ._tensorflow import import_tensorflow

        import_tensorflow()
    estimator = _build(payload, allowed, name)
    networks = {_PLACEHOLDER.format(manifest["networks"].index(m)):
                _load_network(network_bytes[m], m, name) for m in outside}
    for j, (entry, w) in enumerate(zip(manifest["wrappers"], wrappers)):
        load_keras = _keras_estimator_loader(w, trusted=trusted, name=name,
                                             member=entry["network"])
        if use_onnx:
            from .models._onnx import OnnxNetwork

            network = OnnxNetwork(onnx=w["onnx"], load_keras=load_keras, stored=w)
            try:
                network.check()
            except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own kinds
                raise ModelFileError(f"model file {name}: the ONNX graph {entry['onnx']!r} "
                                     f"is damaged ({type(exc).__name__}: {exc}).") from exc
            networks[_WRAPPER.format(j)] = network
        else:
            networks[_WRAPPER.format(j)] = load_keras()
    used = set()
    estimator = _substitute(estimator, networks, used, set())
    if used != set(networks):
        raise ModelFileError(f"model file {name} is damaged: the networks the "
                             "estimator refers to are not the ones the file lists.")
    return estimator


def _audit(name, parts, allowed):
    """Refuse the file when a skops part holds a type not in ``allowed``."""
    import skops.io as sio

    untrusted = set()
    for part in parts:
        try:
            untrusted.update(sio.get_untrusted_types(data=part))
        except Exception as exc:  # noqa: BLE001 - any parse failure means a damaged file
            raise ModelFileError(f"model file {name}: its estimator part cannot be read "
                                 f"({type(exc).__name__}: {exc}).") from exc
    untrusted = sorted(untrusted - set(allowed))
    if untrusted:
        raise ModelFileError(
            f"model file {name} holds types that are not trusted, so it was not "
            f"loaded: {', '.join(untrusted)}. If the file comes from you and you "
            "trust these types, pass them as load_model(..., trusted=[...]).",
            untrusted_types=untrusted,
        )


def _build(payload, allowed, name):
    """The object of an audited skops part."""
    import skops.io as sio
    from skops.io.exceptions import UntrustedTypesFoundException

    try:
        return sio.load(io.BytesIO(payload), trusted=allowed)
    except UntrustedTypesFoundException as exc:
        raise ModelFileError(f"model file {name} holds untrusted types: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - a file that audits but fails to build
        raise ModelFileError(f"model file {name}: its estimator part cannot be loaded "
                             f"({type(exc).__name__}: {exc}).") from exc


def _check_keras_archive(data, member, name):
    """Refuse what is not a .keras archive without loading it (a network
    run by onnxruntime is loaded only if asked for)."""
    if data[:4] != b"PK\x03\x04":
        raise ModelFileError(f"model file {name} is damaged: network {member!r} is not "
                             "a .keras archive.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            complete = "config.json" in archive.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        complete = False
        reason = str(exc)
    else:
        reason = "it has no config.json"
    if not complete:
        raise ModelFileError(f"model file {name}: network {member!r} was refused or is "
                             f"damaged ({reason}).")


def _load_network(data, member, name):
    """A Keras network from its .keras bytes, with Keras' safe mode."""
    from ._tensorflow import import_tensorflow

    import_tensorflow()
    import keras

    # Registers skser's own Keras layers (SpecAugment) for safe loading.
    from .models import _architectures  # noqa: F401

    # Keras would report a missing file for its temporary copy.
    _check_keras_archive(data, member, name)
    with tempfile.TemporaryDirectory(prefix="skser-load-") as folder:
        local = Path(folder) / "network.keras"
        local.write_bytes(data)
        try:
            return keras.saving.load_model(local, safe_mode=True)
        except Exception as exc:  # noqa: BLE001 - Keras raises many kinds
            raise ModelFileError(f"model file {name}: network {member!r} was refused or "
                                 f"is damaged ({type(exc).__name__}: {exc}).") from exc


def _keras_estimator_loader(stored, *, trusted, name, member="the network"):
    """A function that builds a wrapper's Keras estimator from the file's
    bytes (audited again: it may run long after the file was read)."""

    def load():
        from ._tensorflow import import_tensorflow

        import_tensorflow()
        allowed = _allowed(trusted)
        _audit(name, [stored["estimator"]], allowed)
        wrapper = _build(stored["estimator"], allowed, name)
        network = _load_network(stored["keras"], member, name)
        used = set()
        wrapper = _substitute(wrapper, {_OWN_NETWORK: network}, used, set())
        if used != {_OWN_NETWORK}:
            raise ModelFileError(f"model file {name} is damaged: a network's estimator "
                                 "does not refer to its network.")
        return wrapper

    return load


def model_metadata(path):
    """The ``metadata`` a model file was saved with, without loading the model.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by `save_model`.

    Returns
    -------
    metadata : dict
        What `save_model` was given as ``metadata`` (empty when nothing),
        plus ``skser_version`` and ``created`` from the file's manifest.

    Raises
    ------
    ModelFileError
        When the file is missing or is not a skser model file.
    """
    path = Path(path)
    name = repr(str(path))
    if not path.is_file():
        raise ModelFileError(f"model file {name} does not exist or is not a file.")
    if not _starts_like_zip(path):
        raise ModelFileError(f"model file {name} is not a skser model file (a zip "
                             "archive written by skser.save_model).")
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = _read_manifest(archive, name)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ModelFileError(f"model file {name} is damaged ({exc}).") from exc
    return {**manifest.get("metadata", {}), "skser_version": manifest.get("skser_version"),
            "created": manifest.get("created")}


def _starts_like_zip(path):
    """Whether the file begins with a zip local header, as `save_model` writes.

    `zipfile.is_zipfile` is not enough: it looks for a zip directory near the
    end, and a joblib pickle of a Keras model ends with one (the network's
    own .keras archive)."""
    with open(path, "rb") as f:
        return f.read(4) == b"PK\x03\x04"


def _read_manifest(archive, name):
    try:
        manifest = json.loads(archive.read(_MANIFEST))
    except KeyError:
        raise ModelFileError(f"model file {name} is a zip archive but not a skser "
                             f"model file (it has no {_MANIFEST}).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ModelFileError(f"model file {name} is not a skser model file "
                             f"({_MANIFEST} does not name the format {FORMAT!r}).")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ModelFileError(
            f"model file {name} has format version {version!r}; this skser reads "
            f"version {FORMAT_VERSION} and older. Upgrade skser to load it."
        )
    members = manifest.get("networks")
    if (not isinstance(members, list)
            or [m if isinstance(m, str) else None for m in members]
            != [f"networks/{i}.keras" for i in range(len(members))]):
        raise ModelFileError(f"model file {name} is damaged: its list of networks "
                             f"is {members!r}.")
    wrappers = manifest.setdefault("wrappers", [])  # none before format version 2
    if not isinstance(wrappers, list) or not all(
            isinstance(entry, dict)
            and entry.get("estimator") == f"wrappers/{j}.skops"
            and entry.get("network") in members
            and entry.get("onnx") in (None, entry["network"].replace(".keras", ".onnx"))
            for j, entry in enumerate(wrappers)) \
            or len({entry["network"] for entry in wrappers}) != len(wrappers):
        raise ModelFileError(f"model file {name} is damaged: its list of network "
                             f"estimators is {wrappers!r}.")
    return manifest


def _allowed(trusted):
    if trusted is None:
        return list(TRUSTED_TYPES)
    if isinstance(trusted, str) or not all(isinstance(t, str) for t in trusted):
        raise TypeError(f"trusted must be a list of fully qualified type names "
                        f"(str); got {trusted!r}.")
    return [*TRUSTED_TYPES, *trusted]


def _is_leaf(obj):
    return (obj is None or isinstance(obj, (str, bytes, Number, np.ndarray, np.generic,
                                            type, functools.partial))
            or callable(obj) and not hasattr(obj, "get_params"))


def _children(obj):
    """(key, value) pairs of a container or an object's attributes."""
    if isinstance(obj, dict):
        return list(obj.items())
    if isinstance(obj, (list, tuple)):
        return list(enumerate(obj))
    return list(getattr(obj, "__dict__", {}).items())


def _walk(estimator, stop):
    """Objects reachable from ``estimator``, each once, in a fixed order
    (breadth first); ``stop(obj)`` true: yielded and not entered."""
    seen, pending = set(), [estimator]
    while pending:
        obj = pending.pop(0)
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if stop(obj):
            yield obj
            continue
        if _is_leaf(obj):
            continue
        pending.extend(value for _, value in _children(obj))


def _find_networks(estimator, *, skip=()):
    """Every Keras model reachable from ``estimator`` but through ``skip``."""
    keras = sys.modules.get("keras")
    if keras is None:  # no network can exist without Keras imported
        return []
    skip = {id(obj) for obj in skip}
    return [obj for obj in _walk(estimator, lambda o: id(o) in skip
                                 or isinstance(o, keras.Model))
            if id(obj) not in skip]


def _find_wrappers(estimator):
    """Every fitted network wrapper reachable from ``estimator``: a
    `SkserKerasClassifier` holding its network, or the `OnnxNetwork` a
    loaded model has in its place."""
    from .models._onnx import OnnxNetwork

    keras = sys.modules.get("keras")
    wrapper_module = sys.modules.get("skser.models._keras")

    def is_wrapper(obj):
        if isinstance(obj, OnnxNetwork):
            return True
        return (wrapper_module is not None and keras is not None
                and isinstance(obj, wrapper_module.SkserKerasClassifier)
                and isinstance(getattr(obj, "__dict__", {}).get("model_"), keras.Model))

    return list(_walk(estimator, is_wrapper))


def _substitute(obj, networks, used, seen):
    """``obj`` with every placeholder string replaced by its network."""
    if isinstance(obj, str):
        if obj.startswith((_PLACEHOLDER.format(""), _WRAPPER.format(""))):
            # Recorded even when unknown, so that the caller sees the mismatch.
            used.add(obj)
            return networks.get(obj, obj)
        return obj
    if id(obj) in seen or _is_leaf(obj):
        return obj
    seen.add(id(obj))
    if isinstance(obj, tuple):
        items = tuple(_substitute(v, networks, used, seen) for v in obj)
        return obj if all(a is b for a, b in zip(items, obj)) else type(obj)(items)
    target = obj if isinstance(obj, (dict, list)) else getattr(obj, "__dict__", None)
    if target is None:
        return obj
    for key, value in _children(obj):
        new = _substitute(value, networks, used, seen)
        if new is not value:
            target[key] = new
    return obj


def _skser_version():
    from . import __version__

    return __version__


def _keras_version():
    import keras

    return keras.__version__
