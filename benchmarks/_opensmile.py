"""The openSMILE peer of the accuracy benchmark: eGeMAPSv02 functionals.

Benchmark-only. The ``opensmile`` package (PyPI) is licensed for
non-commercial research only (the audEERING Research License in its LICENSE
file, whatever its metadata says), so skser never imports it; it comes with
the ``bench`` extra (``pip install 'skser[bench]'``).

openSMILE runs in a child Python process, never in the caller's: its native
library aborts the whole process (``malloc(): invalid size``) when it is
loaded after TensorFlow, which the CNN rows and most test sessions load.

Data contract
-------------
input : ``n_clips`` audio file paths.
output : ``(n_clips, 88)`` float32, the eGeMAPSv02 functionals of each whole
file, read at the file's own sampling rate: no resampling, trimming or
cropping, which is how openSMILE is normally run and its best shot here.
"""

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Set
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import StrOptions

__all__ = ["OPENSMILE_MISSING", "OpenSmileFunctionals", "opensmile_available"]

OPENSMILE_MISSING = (
    "needs the `opensmile` package, a benchmark-only dependency under a "
    "non-commercial licence: pip install 'skser[bench]'"
)
# The feature sets of opensmile's documentation, less deprecated aliases.
FEATURE_SETS = {"eGeMAPSv02", "eGeMAPSv01b", "GeMAPSv01b", "ComParE_2016", "emobase"}


def opensmile_available():
    """Whether the ``opensmile`` package is installed (without loading it)."""
    return importlib.util.find_spec("opensmile") is not None


def _functionals(feature_set, paths):
    """``(X, names)`` from openSMILE in a child process (see the module docstring)."""
    if not opensmile_available():
        raise ImportError(f"OpenSmileFunctionals {OPENSMILE_MISSING}.")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "functionals.npz"
        request = {"feature_set": feature_set, "paths": paths, "out": str(out)}
        child = subprocess.run([sys.executable, __file__], input=json.dumps(request),
                               capture_output=True, text=True)
        if child.returncode != 0:
            raise RuntimeError(
                f"openSMILE failed (exit status {child.returncode}): "
                f"{child.stderr.strip()[-2000:] or 'no message'}"
            )
        with np.load(out, allow_pickle=False) as saved:
            return saved["X"], saved["names"].tolist()


def _child():
    import opensmile

    request = json.load(sys.stdin)
    smile = opensmile.Smile(feature_set=opensmile.FeatureSet[request["feature_set"]],
                            feature_level=opensmile.FeatureLevel.Functionals)
    rows = []
    for path in request["paths"]:
        try:
            row = smile.process_file(path).to_numpy(dtype=np.float32)
        except Exception as error:
            sys.exit(f"{path}: {type(error).__name__}: {error}")
        if row.shape[0] != 1:
            sys.exit(f"{path}: openSMILE returned {row.shape[0]} rows of functionals, "
                     "expected 1 (a mono file).")
        rows.append(row)
    X = np.concatenate(rows) if rows else np.empty((0, smile.num_features), np.float32)
    np.savez(request["out"], X=X, names=np.array(smile.feature_names, dtype=str))


class OpenSmileFunctionals(TransformerMixin, BaseEstimator):
    """openSMILE functionals of whole audio files, one row per file.

    Stateless: ``fit`` only checks parameters, so `benchmarks/accuracy.py`
    computes these features once per corpus.

    Parameters
    ----------
    feature_set : {"eGeMAPSv02", "eGeMAPSv01b", "GeMAPSv01b", "ComParE_2016", "emobase"}, \
default="eGeMAPSv02"
        openSMILE feature set; eGeMAPSv02 gives 88 functionals (Eyben et al.
        2016, the extended Geneva Minimalistic Acoustic Parameter Set).
    """

    _parameter_constraints = {"feature_set": [StrOptions(FEATURE_SETS)]}

    def __init__(self, *, feature_set="eGeMAPSv02"):
        self.feature_set = feature_set

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
        Xt, _ = _functionals(self.feature_set, [os.path.abspath(path) for path in X])
        return Xt

    def get_feature_names_out(self, input_features=None):
        """openSMILE's names of the functionals, e.g. ``F0semitoneFrom27.5Hz_sma3nz_amean``."""
        self._validate_params()
        _, names = _functionals(self.feature_set, [])
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags


if __name__ == "__main__":
    _child()
