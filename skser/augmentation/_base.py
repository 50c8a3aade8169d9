"""Base class of the augmenters: augment in ``fit_transform``, pass through
in ``transform``."""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval

from .._validation import check_feature_array


class BaseAugmenter(TransformerMixin, BaseEstimator):
    """Shared behaviour of every augmenter.

    Subclasses set ``_ndims`` (allowed input ranks), ``_shape_doc`` and
    implement ``_augment(X, rng)``, which perturbs the rows of ``X`` (a copy)
    in place.
    """

    _parameter_constraints = {
        "p": [Interval(Real, 0, 1, closed="both")],
        "random_state": ["random_state"],
    }
    _ndims = (2,)
    _shape_doc = "(n_clips, n_samples)"

    def _check_params(self):
        self._validate_params()

    def _check_X(self, X):
        return check_feature_array(X, ndims=self._ndims, what=self._shape_doc, dtype=None)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Validate the parameters and the input; the augmenter learns nothing.

        Parameters
        ----------
        X : np.ndarray
            Training data (shape as in the class docstring).
        y : ignored

        Returns
        -------
        self
        """
        self._check_params()
        self._check_X(X)
        return self

    def fit_transform(self, X, y=None):
        """Return an augmented copy of the training data.

        Each row is augmented with probability ``p``; the draws come from
        ``random_state``, so an int gives the same result on every call.

        Parameters
        ----------
        X : np.ndarray
            Training data (shape as in the class docstring).
        y : ignored

        Returns
        -------
        X_aug : np.ndarray [same shape and dtype as X]
        """
        self._check_params()
        X = self._check_X(X).copy()
        rng = check_random_state(self.random_state)
        chosen = np.flatnonzero(rng.random_sample(X.shape[0]) < self.p)
        if chosen.size:
            X[chosen] = self._augment(X[chosen], rng)
        return X

    def transform(self, X):
        """Return ``X`` unchanged: augmentation never touches prediction data.

        Parameters
        ----------
        X : np.ndarray
            Data (shape as in the class docstring).

        Returns
        -------
        X : np.ndarray [same shape as X]
        """
        self._check_params()
        return self._check_X(X)

    def _augment(self, X, rng):  # pragma: no cover - abstract
        raise NotImplementedError

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.non_deterministic = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
