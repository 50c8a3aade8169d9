"""Input checks shared by every skser step.

One place decides what a waveform batch or a feature array must look like, so
every step raises the same clear error for the same mistake (librosa keeps its
``util.valid_audio`` for the same reason).
"""

import inspect
from collections.abc import Mapping, Set

import numpy as np
import scipy.sparse

__all__ = ["check_waveform_list", "check_waveform_batch", "check_feature_array"]

#: Largest waveform sample magnitude the steps take: the range of 32-bit PCM,
#: the widest integer format. Far beyond it the float32 squares behind the
#: silence detection and the spectra overflow; audio is normally in [-1, 1].
MAX_AMPLITUDE = 2.0 ** 31


def _reject_sparse(X, name):
    if scipy.sparse.issparse(X):
        raise TypeError(
            f"{name} is a sparse matrix; skser steps need dense arrays (use {name}.toarray())."
        )


def _describe(X):
    if isinstance(X, np.ndarray):
        return f"an array of shape {X.shape} and dtype {X.dtype}"
    if X is None:
        return "None"
    kind = type(X).__name__
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


def check_waveform_list(X, *, name="X"):
    """Return a list of 1-D float32 waveforms, or raise a clear error.

    Parameters
    ----------
    X : list of np.ndarray [shape=(n_samples_i,)] or np.ndarray [shape=(n_clips, n_samples)]
        Variable-length (list) or fixed-length (2-D array) mono waveforms.
    name : str
        Name used in error messages.

    Returns
    -------
    waveforms : list of np.ndarray [shape=(n_samples_i,), dtype=float32]
    """
    _reject_sparse(X, name)
    if not isinstance(X, (list, tuple, np.ndarray)) and hasattr(X, "__array__"):
        X = np.asarray(X)
    if isinstance(X, (str, bytes, Mapping, Set)) or not hasattr(X, "__len__"):
        raise TypeError(
            f"{name} must be a list of 1-D waveforms or a 2-D array "
            f"(n_clips, n_samples); got {_describe(X)}."
        )
    if isinstance(X, np.ndarray) and X.dtype == object and X.ndim == 2:
        X = _numeric_object_array(X, name)
    if isinstance(X, np.ndarray) and (X.dtype != object or X.ndim != 1):
        # Only a 1-D object array is a list of clips; any other is one array.
        if X.ndim != 2:
            raise ValueError(
                f"{name} must be a list of 1-D waveforms or a 2-D array "
                f"(n_clips, n_samples); got {_describe(X)}."
            )
        X = list(X)
    if len(X) == 0:
        raise ValueError(f"{name} holds no waveforms; at least one clip is needed.")
    waveforms = []
    for i, y in enumerate(X):
        if isinstance(y, (str, bytes)) or hasattr(y, "__fspath__"):
            raise TypeError(
                f"{name}[{i}] is a path ({y!r}), but this step expects waveforms: "
                "put an AudioLoader before it."
            )
        try:
            y = np.asarray(y)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name}[{i}] is not a numeric waveform: {exc}") from exc
        if y.dtype == object:
            y = _numeric_object_array(y, f"{name}[{i}]")
        if y.ndim != 1:
            raise ValueError(
                f"{name}[{i}] must be a 1-D mono waveform; got shape {y.shape}. "
                "Load with AudioLoader(mono=True) or mix channels down first."
            )
        if not (np.issubdtype(y.dtype, np.floating) or np.issubdtype(y.dtype, np.integer)):
            raise TypeError(f"{name}[{i}] has dtype {y.dtype}; expected real numbers.")
        y = _to_finite(y, np.float32, f"{name}[{i}]", "samples")
        _check_amplitude(y, f"{name}[{i}]")
        waveforms.append(y)
    return waveforms


def is_waveform_batch(X):
    """Whether ``X`` is a fixed-length batch (a 2-D numeric array, or what
    converts to one) rather than a list of waveforms of any lengths: the
    form a step that takes both gives back."""
    if isinstance(X, (list, tuple)) or not hasattr(X, "__array__"):
        return False
    X = np.asarray(X)
    return X.ndim == 2 and X.dtype != object


def check_waveform_batch(X, *, name="X"):
    """Return a fixed-length waveform batch as a C-contiguous float32 array.

    Parameters
    ----------
    X : array-like [shape=(n_clips, n_samples)]
        Fixed-length mono waveforms, as produced by `TrimPad`.
    name : str
        Name used in error messages.

    Returns
    -------
    X : np.ndarray [shape=(n_clips, n_samples), dtype=float32]
    """
    X = check_feature_array(X, ndims=(2,), name=name, what="(n_clips, n_samples)")
    _check_amplitude(X, name)
    return X


def _check_amplitude(X, name):
    peak = max(X.max(), -X.min()) if X.size else 0.0
    if peak > MAX_AMPLITUDE:
        raise ValueError(
            f"{name} has samples up to {peak:.3g} in magnitude; waveforms are expected "
            "within [-1, 1], or at most the 32-bit PCM range (2**31), beyond which "
            "their energy overflows float32."
        )


def check_feature_array(X, *, ndims, name="X", what=None, dtype=np.float32):
    """Return ``X`` as a finite float array with one of the allowed ranks.

    Parameters
    ----------
    X : array-like
        Feature or waveform array; the first axis indexes clips.
    ndims : tuple of int
        Allowed numbers of dimensions.
    name : str
        Name used in error messages.
    what : str, optional
        Human description of the expected shape, e.g. ``"(n_clips, n_samples)"``.
    dtype : numpy dtype or None
        Output dtype; None keeps a floating input dtype (float32 stays float32,
        float64 stays float64) and turns anything else into float32.

    Returns
    -------
    X : np.ndarray
    """
    _reject_sparse(X, name)
    if isinstance(X, (list, tuple)) and X and isinstance(X[0], (str, bytes)):
        raise TypeError(
            f"{name} holds file paths, but this step expects arrays: "
            "put an AudioLoader before it."
        )
    given = X
    try:
        X = np.asarray(X)
    except ValueError as exc:
        raise ValueError(
            f"{name} could not be turned into one array ({exc}); clips of "
            "different lengths need a TrimPad step first."
        ) from exc
    expected = f"of shape {what}" if what else "of rank " + " or ".join(map(str, ndims))
    if X.ndim == 0 and not isinstance(given, np.ndarray):
        # None, a number, a dict, a generator: not an array at all.
        raise TypeError(f"{name} must be an array {expected}; got {_describe(given)}.")
    if X.dtype == object:
        X = _numeric_object_array(X, name)
    if X.dtype == object:
        raise ValueError(
            f"{name} is a ragged or object array of shape {X.shape}; expected a "
            f"numeric array {expected}. Clips of different lengths need a "
            "TrimPad step first."
        )
    if X.ndim not in ndims:
        raise ValueError(f"{name} must be an array {expected}; got {_describe(X)}.")
    if X.shape[0] == 0:
        raise ValueError(f"{name} holds no clips (shape {X.shape}); at least one is needed.")
    if any(size == 0 for size in X.shape[1:]):
        raise ValueError(f"{name} has an empty axis (shape {X.shape}); expected an array {expected}.")
    if not (np.issubdtype(X.dtype, np.floating) or np.issubdtype(X.dtype, np.integer)
            or X.dtype == bool):
        raise TypeError(f"{name} has dtype {X.dtype}; expected real numbers.")
    if dtype is None:
        dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float32
    return np.ascontiguousarray(_to_finite(X, dtype, name, "values"))


def _to_finite(X, dtype, name, what):
    """``X`` as ``dtype``, or a ValueError if it holds NaN or infinity, or
    finite values too large for ``dtype`` (float64 1e300 as float32)."""
    with np.errstate(over="ignore"):
        converted = X.astype(dtype, copy=False)
    if not np.all(np.isfinite(converted)):
        if np.all(np.isfinite(X)):
            raise ValueError(
                f"{name} has {what} up to {np.abs(X).max():.3g} in magnitude, beyond "
                f"the range of {np.dtype(dtype)}; rescale them."
            )
        raise ValueError(f"{name} contains NaN or infinite {what}.")
    return converted


def _numeric_object_array(X, name):
    """An object array of numbers as float64 (None becomes NaN, as in numpy).

    A ragged one (arrays as elements) is returned as is, for the caller's
    "ragged" message; any other non-number raises a TypeError that quotes
    numpy's ("float() argument must be a string or a real number, not
    'dict'"), which scikit-learn's check_dtype_object looks for.
    """
    try:
        return X.astype(np.float64)
    except (TypeError, ValueError) as exc:
        if any(isinstance(v, (list, tuple, np.ndarray)) for v in X.flat):
            return X
        raise TypeError(f"{name} holds a value that is not a real number: {exc}") from None


def group_rows(groups, n_clips, *, name="groups", unit="speaker"):
    """Row indices of each group's clips (all rows if ``groups`` is None),
    after checking that ``groups`` names one speaker (or ``unit``) per clip.
    ``name`` and ``unit`` are the parameter and what it names, for the
    messages (`DomainStandardScaler`'s ``domains`` name recording domains)."""
    if groups is None:
        return [np.arange(n_clips)]
    if isinstance(groups, (str, bytes)) or not hasattr(groups, "__len__"):
        raise TypeError(
            f"{name} must be a sequence holding the {unit} of each clip; got "
            f"{_describe(groups)}."
        )
    try:
        groups = np.asarray(groups)
    except ValueError as exc:
        raise ValueError(f"{name} could not be turned into one array ({exc}).") from exc
    if groups.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D, one {unit} per clip; got an array of shape {groups.shape}."
        )
    if groups.shape[0] != n_clips:
        raise ValueError(
            f"{name} has {groups.shape[0]} entries but X has {n_clips} clips; {name} "
            f"must name the {unit} of each clip of X, in the same order."
        )
    if groups.dtype == object:
        missing = np.array([g is None or (isinstance(g, float) and g != g) for g in groups])
    elif np.issubdtype(groups.dtype, np.inexact):
        missing = np.isnan(groups)
    else:
        missing = np.zeros(n_clips, dtype=bool)
    if missing.any():
        raise ValueError(
            f"{name} has no {unit} (None or NaN) for {missing.sum()} clip(s), the first "
            f"at index {np.flatnonzero(missing)[0]}; every clip needs a {unit} label."
        )
    if groups.dtype == object:
        # Labels of mixed types (1 and "1") cannot be sorted by np.unique.
        index = {}
        try:
            codes = np.array([index.setdefault(g, len(index)) for g in groups], dtype=np.intp)
        except TypeError as exc:
            raise TypeError(f"{name} holds a value that cannot label a {unit}: {exc}") from None
    else:
        _, codes = np.unique(groups, return_inverse=True)
    order = np.argsort(codes, kind="stable")
    return np.split(order, np.flatnonzero(np.diff(codes[order])) + 1)


def method_takes(estimator, method, name):
    """Whether ``estimator``'s ``method`` has a parameter ``name`` (False
    when it has no such method, or its signature cannot be read)."""
    function = getattr(estimator, method, None)
    try:
        return function is not None and name in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False
