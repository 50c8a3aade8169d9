"""Model files whose loading runs no code: `save_model` and `load_model`.

`joblib.dump`/`joblib.load` keep working on every skser estimator, but a
joblib file is a pickle, and unpickling can run any code the file's author
chose. A skser model file cannot: it is a zip archive of

- ``skser-model.json``: the format's name and version, skser's and Keras'
  versions, and the list of networks;
- ``estimator.skops``: the estimator (usually a whole pipeline) in skops'
  format, with each Keras network replaced by a placeholder;
- ``networks/<i>.keras``: each network in Keras' own format.

`load_model` audits the skops part against an explicit list of trusted types
before it creates any object (skops refuses anything else, and so does this
module, with the list of what it found), then loads each network with Keras'
``safe_mode=True``, which refuses layers that carry Python code (``Lambda``).
"""

import functools
import io
import json
import re
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
FORMAT_VERSION = 1
_MANIFEST = "skser-model.json"
_ESTIMATOR = "estimator.skops"
_NETWORK = re.compile(r"networks/(\d+)\.keras")
# Stands for network i inside the skops part; the NUL byte keeps it from
# colliding with any string a user would hold in an estimator.
_PLACEHOLDER = "\x00skser-network:{}"

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
    "skser.models._cnn.CNNClassifier",
    "skser.models._ensemble.SoftVotingEnsemble",
    "skser.models._keras.SkserKerasClassifier",
    "skser.models._keras.build_compiled_cnn",
    "skser.pipeline.Pipeline",
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


def save_model(estimator, path, *, trusted=None, metadata=None):
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

    Returns
    -------
    path : pathlib.Path

    Raises
    ------
    ModelFileError
        When the estimator holds types that `load_model` would refuse (they
        are listed, with how to allow them), or the file cannot be written.

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
    networks = _find_networks(estimator)
    # A copy in which each network is its placeholder: the estimator the
    # caller holds is not touched, and no network is pickled along.
    memo = {id(net): _PLACEHOLDER.format(i) for i, net in enumerate(networks)}
    stripped = deepcopy(estimator, memo)
    buffer = io.BytesIO()
    sio.dump(stripped, buffer)
    payload = buffer.getvalue()
    allowed = _allowed(trusted)
    untrusted = sorted(set(sio.get_untrusted_types(data=payload)) - set(allowed))
    if untrusted:
        raise ModelFileError(
            f"cannot save model to {str(path)!r}: the estimator holds types that "
            f"load_model would refuse: {', '.join(untrusted)}. Pass them as "
            "trusted=[...] to save_model and load_model if you trust them, or use "
            "joblib.dump (a pickle) instead.",
            untrusted_types=untrusted,
        )
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "skser_version": _skser_version(),
        "keras_version": _keras_version() if networks else None,
        "estimator": f"{type(estimator).__module__}.{type(estimator).__qualname__}",
        "networks": [f"networks/{i}.keras" for i in range(len(networks))],
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        **({"metadata": metadata} if metadata is not None else {}),
    }

    def write(tmp):
        with tempfile.TemporaryDirectory(prefix="skser-save-") as folder, \
                zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr(_MANIFEST, json.dumps(manifest, indent=2))
            archive.writestr(_ESTIMATOR, payload)
            for i, network in enumerate(networks):
                # Keras writes .keras archives to a path ending in .keras only.
                local = Path(folder) / f"{i}.keras"
                network.save(local)
                archive.write(local, f"networks/{i}.keras")

    try:
        return atomic_write(path, write)
    except OSError as exc:
        raise ModelFileError(f"cannot save model to {str(path)!r}: {exc}") from exc


def load_model(path, *, trusted=None):
    """Load an estimator written by `save_model`, running no code from the file.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by `save_model` (or `skser train`).
    trusted : list of str or None, default=None
        Further fully qualified type names to accept beyond `TRUSTED_TYPES`
        and skops' defaults (the list given to `save_model`, if any). Only
        name types whose constructors you trust.

    Returns
    -------
    estimator : estimator
        The fitted estimator, predicting exactly as the one saved.

    Raises
    ------
    ModelFileError
        When the file is missing, is not a skser model file (a pickle, say:
        those load with `joblib.load`, and only from a trusted source), is
        damaged, holds an untrusted type (they are listed) or a network that
        carries code.

    See Also
    --------
    save_model : Write the file.
    """
    import skops.io as sio
    from skops.io.exceptions import UntrustedTypesFoundException

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
            network_bytes = [archive.read(member) for member in manifest["networks"]]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        if isinstance(exc, ModelFileError):
            raise
        raise ModelFileError(f"model file {name} is damaged ({exc}).") from exc

    allowed = _allowed(trusted)
    try:
        untrusted = sorted(set(sio.get_untrusted_types(data=payload)) - set(allowed))
    except Exception as exc:  # noqa: BLE001 - any parse failure means a damaged file
        raise ModelFileError(f"model file {name}: its estimator part cannot be read "
                             f"({type(exc).__name__}: {exc}).") from exc
    if untrusted:
        raise ModelFileError(
            f"model file {name} holds types that are not trusted, so it was not "
            f"loaded: {', '.join(untrusted)}. If the file comes from you and you "
            "trust these types, pass them as load_model(..., trusted=[...]).",
            untrusted_types=untrusted,
        )
    if network_bytes:
        # Before skops builds the estimator: its Keras parts import TensorFlow.
        from ._tensorflow import import_tensorflow

        import_tensorflow()
    try:
        estimator = sio.load(io.BytesIO(payload), trusted=allowed)
    except UntrustedTypesFoundException as exc:
        raise ModelFileError(f"model file {name} holds untrusted types: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - a file that audits but fails to build
        raise ModelFileError(f"model file {name}: its estimator part cannot be loaded "
                             f"({type(exc).__name__}: {exc}).") from exc

    networks = {}
    if network_bytes:
        import keras

        # Registers skser's own Keras layers (SpecAugment) for safe loading.
        from .models import _architectures  # noqa: F401

        with tempfile.TemporaryDirectory(prefix="skser-load-") as folder:
            for i, data in enumerate(network_bytes):
                if data[:4] != b"PK\x03\x04":
                    # Keras would report a missing file for its temporary copy.
                    raise ModelFileError(
                        f"model file {name} is damaged: network "
                        f"{manifest['networks'][i]!r} is not a .keras archive."
                    )
                local = Path(folder) / f"{i}.keras"
                local.write_bytes(data)
                try:
                    networks[_PLACEHOLDER.format(i)] = keras.saving.load_model(
                        local, safe_mode=True,
                    )
                except Exception as exc:  # noqa: BLE001 - Keras raises many kinds
                    raise ModelFileError(
                        f"model file {name}: network {manifest['networks'][i]!r} was "
                        f"refused or is damaged ({type(exc).__name__}: {exc})."
                    ) from exc
    used = set()
    estimator = _substitute(estimator, networks, used, set())
    if used != set(networks):
        raise ModelFileError(f"model file {name} is damaged: the networks the "
                             "estimator refers to are not the ones the file lists.")
    return estimator


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


def _find_networks(estimator):
    """Every Keras model reachable from ``estimator``, each once, in a fixed order."""
    keras = sys.modules.get("keras")
    if keras is None:  # no network can exist without Keras imported
        return []
    found, seen, pending = [], set(), [estimator]
    while pending:
        obj = pending.pop(0)
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, keras.Model):
            found.append(obj)
            continue
        if _is_leaf(obj):
            continue
        pending.extend(value for _, value in _children(obj))
    return found


def _substitute(obj, networks, used, seen):
    """``obj`` with every placeholder string replaced by its network."""
    if isinstance(obj, str):
        if obj.startswith(_PLACEHOLDER.format("")):
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
