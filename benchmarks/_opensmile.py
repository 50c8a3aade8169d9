"""The openSMILE peer of the accuracy benchmark: eGeMAPSv02 functionals.

Benchmark-only. The ``opensmile`` package (PyPI) is licensed for
non-commercial research only (the audEERING Research License in its LICENSE
file, whatever its metadata says), so skser never imports it; it comes with
the ``bench`` extra (``pip install 'skser[bench]'``) and this module imports
it only when features are computed.

Data contract
-------------
input : ``n_clips`` audio file paths.
output : ``(n_clips, 88)`` float32, the eGeMAPSv02 functionals of each whole
file, read at the file's own sampling rate: no resampling, trimming or
cropping, which is how openSMILE is normally run and its best shot here.
"""

import os
from collections.abc import Mapping, Set

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context

__all__ = ["OPENSMILE_MISSING", "OpenSmileFunctionals", "opensmile_available"]

OPENSMILE_MISSING = (
    "needs the `opensmile` package, a benchmark-only dependency under a "
    "non-commercial licence: pip install 'skser[bench]'"
)


def opensmile_available():
    """Whether the ``opensmile`` package can be imported."""
    try:
        import opensmile  # noqa: F401
    except ImportError:
        return False
    return True


def _import_opensmile():
    try:
        import opensmile
    except ImportError as error:
        raise ImportError(f"OpenSmileFunctionals {OPENSMILE_MISSING}.") from error
    return opensmile


class OpenSmileFunctionals(TransformerMixin, BaseEstimator):
    """openSMILE functionals of whole audio files, one row per file.

    Stateless: ``fit`` only checks parameters, so `benchmarks/accuracy.py`
    computes these features once per corpus.

    Parameters
    ----------
    feature_set : str, default="eGeMAPSv02"
        Name of a member of ``opensmile.FeatureSet``; eGeMAPSv02 gives 88
        functionals (Eyben et al. 2016, the extended Geneva Minimalistic
        Acoustic Parameter Set).
    """

    _parameter_constraints = {"feature_set": [str]}

    def __init__(self, *, feature_set="eGeMAPSv02"):
        self.feature_set = feature_set

    def _smile(self):
        opensmile = _import_opensmile()
        names = [member.name for member in opensmile.FeatureSet]
        if self.feature_set not in names:
            raise ValueError(
                f"feature_set must name a member of opensmile.FeatureSet ({', '.join(names)}); "
                f"got {self.feature_set!r}."
            )
        return opensmile.Smile(
            feature_set=opensmile.FeatureSet[self.feature_set],
            feature_level=opensmile.FeatureLevel.Functionals,
        )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X=None, y=None):
        """Check the parameters; nothing is learned.

        Parameters
        ----------
        X : ignored
        y : ignored

        Returns
        -------
        self : OpenSmileFunctionals
        """
        self._smile()
        return self

    def transform(self, X):
        """The functionals of every file in ``X``.

        Parameters
        ----------
        X : sequence of str or os.PathLike [length n_clips]
            Audio file paths.

        Returns
        -------
        Xt : np.ndarray [shape=(n_clips, n_features), dtype=float32]
        """
        self._validate_params()
        if isinstance(X, (str, bytes, Mapping, Set)) or not hasattr(X, "__len__"):
            raise TypeError(f"X must be a sequence of audio file paths; got {type(X).__name__}.")
        for i, path in enumerate(X):
            if not isinstance(path, (str, os.PathLike)):
                raise TypeError(
                    f"X[{i}] is a {type(path).__name__}; OpenSmileFunctionals reads "
                    "audio files and takes file paths only."
                )
        smile = self._smile()
        rows = [smile.process_file(os.fspath(path)).to_numpy(dtype=np.float32)
                for path in X]
        for path, row in zip(X, rows):
            if row.shape[0] != 1:
                raise ValueError(
                    f"{os.fspath(path)}: openSMILE returned {row.shape[0]} rows of "
                    "functionals, expected 1 (a mono file)."
                )
        return np.concatenate(rows) if rows else np.empty((0, smile.num_features), np.float32)

    def get_feature_names_out(self, input_features=None):
        """openSMILE's names of the functionals, e.g. ``F0semitoneFrom27.5Hz_sma3nz_amean``."""
        return np.asarray(self._smile().feature_names, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags
