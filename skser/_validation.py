"""Input checks shared by every skser step.

One place decides what a waveform batch or a feature array must look like, so
every step raises the same clear error for the same mistake (librosa keeps its
``util.valid_audio`` for the same reason).
"""

import numpy as np
import scipy.sparse

__all__ = ["check_waveform_list", "check_waveform_batch", "check_feature_array"]


def _reject_sparse(X, name):
    if scipy.sparse.issparse(X):
        raise TypeError(
            f"{name} is a sparse matrix; skser steps need dense arrays (use {name}.toarray())."
        )


def _describe(X):
    if isinstance(X, np.ndarray):
        return f"an array of shape {X.shape} and dtype {X.dtype}"
    return f"a {type(X).__name__}"


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
    if isinstance(X, (str, bytes)) or not hasattr(X, "__len__"):
        raise TypeError(
            f"{name} must be a list of 1-D waveforms or a 2-D array "
            f"(n_clips, n_samples); got {_describe(X)}."
        )
    if isinstance(X, np.ndarray) and X.dtype == object and X.ndim == 2:
        X = _numeric_object_array(X)
    if isinstance(X, np.ndarray) and X.dtype != object:
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
        if y.ndim != 1:
            raise ValueError(
                f"{name}[{i}] must be a 1-D mono waveform; got shape {y.shape}. "
                "Load with AudioLoader(mono=True) or mix channels down first."
            )
        if not (np.issubdtype(y.dtype, np.floating) or np.issubdtype(y.dtype, np.integer)):
            raise TypeError(f"{name}[{i}] has dtype {y.dtype}; expected real numbers.")
        y = y.astype(np.float32, copy=False)
        if not np.all(np.isfinite(y)):
            raise ValueError(f"{name}[{i}] contains NaN or infinite samples.")
        waveforms.append(y)
    return waveforms


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
    return check_feature_array(X, ndims=(2,), name=name, what="(n_clips, n_samples)")


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
    try:
        X = np.asarray(X)
    except ValueError as exc:
        raise ValueError(
            f"{name} could not be turned into one array ({exc}); clips of "
            "different lengths need a TrimPad step first."
        ) from exc
    expected = f"of shape {what}" if what else "of rank " + " or ".join(map(str, ndims))
    if X.dtype == object and X.ndim in ndims:
        X = _numeric_object_array(X)
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
    X = np.ascontiguousarray(X, dtype=dtype)
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} contains NaN or infinite values.")
    return X


def _numeric_object_array(X):
    """An object array of numbers as float64; a ragged one is left to the
    caller's "ragged" message, anything non-numeric raises numpy's TypeError."""
    try:
        return X.astype(np.float64)
    except ValueError:
        return X
