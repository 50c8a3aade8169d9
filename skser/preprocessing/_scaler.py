"""StandardScalerND: standardise feature arrays of rank 2, 3 or 4.

`sklearn.preprocessing.StandardScaler` takes 2-D input only. CNN features are
``(n_clips, n_frames, n_features)`` or ``(n_clips, n_mels, n_frames, n_channels)``,
and their statistics belong to a feature (a frame feature, a mel bin), pooled
over clips and frames.

Data contract
-------------
input and output : the same shape, ``(n_clips, ...)`` with 2 to 4 axes; float32
stays float32 and float64 stays float64.

The axis table, the float64 moments and the checks live here once and are
shared with `SpeakerStandardScaler` (``_speaker_scaler.py``).
"""

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin, _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from .._validation import check_feature_array

__all__ = ["StandardScalerND"]

# Axes that index one feature, per input rank: 2-D (n_clips, n_features);
# 3-D (n_clips, n_frames, n_features); 4-D (n_clips, n_mels, n_frames, n_channels).
_FEATURE_AXES = {2: (1,), 3: (2,), 4: (1, 3)}


def _pooled_axes(ndim):
    """Axes pooled into one statistic per feature (clips, and frames in 3-D/4-D)."""
    return tuple(a for a in range(ndim) if a not in _FEATURE_AXES[ndim])


def _moments(X, axes, *, with_std=True):
    """Mean and variance of ``X`` over ``axes``, in float64, with the reduced
    axes kept (size 1).

    Returns ``(mean, var)``; ``var`` is None without ``with_std``. Where a
    feature's values over ``axes`` are all equal its ``var`` is exactly 0, not
    the ~1e-26 of rounding noise that a float64 constant like 1000.1 leaves,
    so that dividing by it can never blow rounding noise up to +-1. Raises a
    ValueError if the sums overflow float64.
    """
    # Accumulate in float64: sums over millions of float32 values drift.
    with np.errstate(over="ignore", invalid="ignore"):
        mean = X.mean(axis=axes, dtype=np.float64, keepdims=True)
        var = (np.square(X - mean, dtype=np.float64).mean(axis=axes, keepdims=True)
               if with_std else None)
    if not np.all(np.isfinite(mean)) or (var is not None and not np.all(np.isfinite(var))):
        raise ValueError(
            f"X has values up to {np.abs(X).max():.3g} in magnitude, too large for "
            "their mean and variance to fit in float64; rescale X."
        )
    if var is not None:
        var[X.max(axis=axes, keepdims=True) == X.min(axis=axes, keepdims=True)] = 0.0
    return mean, var


def _scale(var):
    """Standard deviation from a variance, 1 where it is (almost) 0, so that a
    constant feature is only centred."""
    scale = np.sqrt(var)
    scale[scale < 10 * np.finfo(np.float64).eps] = 1.0
    return scale


def _standardise(X, mean, scale):
    """``(X - mean) / scale`` as a new array of X's dtype; None skips a step."""
    Xt = X.copy()
    with np.errstate(over="ignore", invalid="ignore"):
        if mean is not None:
            Xt -= mean.astype(X.dtype)
        if scale is not None:
            Xt /= scale.astype(X.dtype)
    return Xt


class _BaseScalerND(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """What the skser scalers share: ``with_mean``/``with_std``, the input
    check of transform, the overflow check of the output, feature names for
    2-D input, and tags.

    Subclasses set ``input_shape_`` and ``n_features_in_`` in fit and add
    their parameters with ``{**_BaseScalerND._parameter_constraints, ...}``.
    """

    _parameter_constraints = {
        "with_mean": ["boolean"],
        "with_std": ["boolean"],
    }

    def _check_transform_input(self, X):
        check_is_fitted(self, "input_shape_")
        X = check_feature_array(X, ndims=(2, 3, 4), dtype=None)
        if X.shape[1:] != tuple(self.input_shape_):
            raise ValueError(
                f"X has clips of shape {X.shape[1:]}, but {type(self).__name__} was "
                f"fitted on clips of shape {tuple(self.input_shape_)}."
            )
        return X

    @staticmethod
    def _check_finite(Xt, X, stats):
        """``Xt``, or a ValueError if (un)scaling ``X`` with ``stats`` (arrays or
        None) overflowed its dtype."""
        if not np.all(np.isfinite(Xt)):
            stats = [np.abs(s).max() for s in stats if s is not None]
            raise ValueError(
                f"(un)scaling X overflows {X.dtype}: X has values up to "
                f"{np.abs(X).max():.3g} in magnitude and the statistics "
                f"up to {max(stats, default=0.0):.3g}; convert X to float64 or rescale it."
            )
        return Xt

    def get_feature_names_out(self, input_features=None):
        """Output feature names, the input ones (2-D input only).

        Parameters
        ----------
        input_features : array-like of str or None
            Input feature names; defaults to ``x0`` ... ``x{n-1}``.

        Returns
        -------
        feature_names_out : np.ndarray of str [shape=(n_features,)]
        """
        check_is_fitted(self, "input_shape_")
        if len(self.input_shape_) != 1:
            raise ValueError(
                "get_feature_names_out needs 2-D (n_clips, n_features) input; "
                f"this scaler was fitted on clips of shape {tuple(self.input_shape_)}."
            )
        return super().get_feature_names_out(input_features)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


class StandardScalerND(_BaseScalerND):
    """Standardise each feature to zero mean and unit variance, for 2-D to 4-D input.

    Statistics are computed per feature on the training data only, pooling
    all clips and all frames:

    ======================================  ==================================
    input shape                             one statistic per
    ======================================  ==================================
    ``(n_clips, n_features)``               feature (as `StandardScaler`)
    ``(n_clips, n_frames, n_features)``     frame feature (last axis)
    ``(n_clips, n_mels, n_frames, n_ch)``   mel bin and channel (axes 1 and 3)
    ======================================  ==================================

    A feature with zero variance is only centred.

    Parameters
    ----------
    with_mean : bool, default=True
        Subtract the mean.
    with_std : bool, default=True
        Divide by the standard deviation.
    per : {"feature", "global"}, default="feature"
        ``"feature"`` keeps one mean and scale per feature as in the table;
        ``"global"`` uses one mean and one scale for the whole array.

    Attributes
    ----------
    mean_ : np.ndarray [shape broadcastable to one clip] or None
        Mean per feature, with singleton axes where statistics were pooled;
        None when ``with_mean=False``.
    scale_ : np.ndarray [same shape as mean_] or None
        Standard deviation per feature (1 where it was 0); None when
        ``with_std=False``.
    var_ : np.ndarray [same shape as mean_] or None
        Variance per feature; None when ``with_std=False``.
    n_features_in_ : int
        ``X.shape[1]`` seen in fit.
    input_shape_ : tuple of int
        Shape of one clip seen in fit; transform requires the same.

    Examples
    --------
    >>> import numpy as np
    >>> from skser import StandardScalerND
    >>> X = np.random.default_rng(0).normal(5, 2, size=(8, 20, 3)).astype("float32")
    >>> Xt = StandardScalerND().fit_transform(X)
    >>> Xt.shape, Xt.dtype, bool(abs(Xt.mean()) < 1e-5)
    ((8, 20, 3), dtype('float32'), True)
    """

    _parameter_constraints = {
        **_BaseScalerND._parameter_constraints,
        "per": [StrOptions({"feature", "global"})],
    }

    def __init__(self, *, with_mean=True, with_std=True, per="feature"):
        self.with_mean = with_mean
        self.with_std = with_std
        self.per = per

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Compute the mean and standard deviation of every feature.

        Parameters
        ----------
        X : array-like [shape=(n_clips, ...) with 2 to 4 axes]
            Training features.
        y : ignored

        Returns
        -------
        self : StandardScalerND
        """
        X = check_feature_array(X, ndims=(2, 3, 4), dtype=None)
        axes = tuple(range(X.ndim)) if self.per == "global" else _pooled_axes(X.ndim)
        mean, var = _moments(X, axes, with_std=self.with_std)
        self.mean_ = mean[0] if self.with_mean else None
        self.var_ = var[0] if self.with_std else None
        self.scale_ = _scale(self.var_) if self.with_std else None
        self.n_features_in_ = X.shape[1]
        self.input_shape_ = X.shape[1:]
        return self

    def transform(self, X):
        """Standardise ``X`` with the statistics learned in fit.

        Parameters
        ----------
        X : array-like [shape=(n_clips, *input_shape_)]

        Returns
        -------
        Xt : np.ndarray [same shape as X]
        """
        X = self._check_transform_input(X)
        Xt = _standardise(X, self.mean_, self.scale_)
        return self._check_finite(Xt, X, (self.mean_, self.scale_))

    def inverse_transform(self, X):
        """Undo `transform`.

        Parameters
        ----------
        X : array-like [shape=(n_clips, *input_shape_)]

        Returns
        -------
        X_original : np.ndarray [same shape as X]
        """
        X = self._check_transform_input(X)
        Xt = X.copy()
        with np.errstate(over="ignore", invalid="ignore"):
            if self.scale_ is not None:
                Xt *= self.scale_.astype(X.dtype)
            if self.mean_ is not None:
                Xt += self.mean_.astype(X.dtype)
        return self._check_finite(Xt, X, (self.mean_, self.scale_))
