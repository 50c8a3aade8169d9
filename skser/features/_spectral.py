"""Shared machinery of the feature steps: parameters and chunked parallel runs.

Both feature steps work on chunks of clips: the batched functions of
`skser.features._dsp` cover a whole chunk per call (vectorised over clips),
and chunks are what joblib spreads over ``n_jobs`` workers. Chunking also
bounds memory: the complex STFT of a whole corpus would not fit.
"""

from numbers import Integral, Real

import numpy as np
from joblib import delayed
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import validate_data

from .._progress import parallel_map
from .._validation import check_waveform_batch
from ._dsp import filterbank, stft_window, threadpools

# Clips per librosa call: large enough to amortise Python overhead, small
# enough that the complex STFT of a chunk (~chunk * 1 MB at 3 s) stays small.
CHUNK_SIZE = 32


class BaseSpectralFeatures(TransformerMixin, BaseEstimator):
    """Common parameters and the chunked, parallel ``transform`` loop."""

    _parameter_constraints = {
        "sr": [Interval(Integral, 1, None, closed="left")],
        "n_fft": [Interval(Integral, 2, None, closed="left")],
        "hop_length": [Interval(Integral, 1, None, closed="left")],
        "win_length": [Interval(Integral, 1, None, closed="left"), None],
        "window": [str],
        "center": ["boolean"],
        "n_mels": [Interval(Integral, 1, None, closed="left")],
        "fmin": [Interval(Real, 0, None, closed="left")],
        "fmax": [Interval(Real, 0, None, closed="neither"), None],
        "top_db": [Interval(Real, 0, None, closed="neither"), None],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def _check_params(self):
        """Cross-parameter checks that constraints on single values cannot say."""
        self._validate_params()
        if self.win_length is not None and self.win_length > self.n_fft:
            raise ValueError(
                f"win_length={self.win_length} must be <= n_fft={self.n_fft}."
            )
        if self.n_jobs == 0:
            raise ValueError(
                "n_jobs=0 does not mean anything; use None or 1 for one job, "
                "a positive number of jobs, or -1 for all processors."
            )
        # Builds (and caches) the window now, so an unknown name fails at fit.
        stft_window(
            self.window, self.n_fft if self.win_length is None else self.win_length, self.n_fft
        )
        nyquist = self.sr / 2
        fmax = nyquist if self.fmax is None else self.fmax
        if fmax > nyquist:
            raise ValueError(f"fmax={self.fmax} Hz is above the Nyquist frequency sr/2={nyquist} Hz.")
        if self.fmin >= fmax:
            raise ValueError(f"fmin={self.fmin} Hz must be below fmax={fmax} Hz.")

    def _check_mel_bands(self):
        """Build (and cache) the mel filterbank now, so that bands too narrow
        to exist (fmax=1e-300) fail at fit."""
        filterbank("mel", sr=self.sr, n_fft=self.n_fft, n_bins=self.n_mels, fmin=self.fmin,
                   fmax=self.fmax)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Validate parameters and record the clip length; nothing is learned.

        Parameters
        ----------
        X : array-like [shape=(n_clips, n_samples)]
            Fixed-length waveforms (e.g. from `TrimPad`).
        y : ignored

        Returns
        -------
        self
        """
        self._check_params()
        X = check_waveform_batch(X)
        validate_data(self, X, reset=True, skip_check_array=True)
        return self

    def transform(self, X):
        """Compute the features of every clip.

        Parameters
        ----------
        X : array-like [shape=(n_clips, n_samples)]
            Fixed-length mono waveforms at ``sr``.

        Returns
        -------
        Xt : np.ndarray [dtype=float32]
            See the class docstring for the shape.
        """
        return self._map_chunks(self._transform_chunk, self._check_transform_input(X))

    def _check_transform_input(self, X):
        """``X`` as a checked waveform batch, with the parameters checked too."""
        self._check_params()
        X = check_waveform_batch(X)
        # Checks the clip length against fit's, when fit was called.
        validate_data(self, X, reset=False, skip_check_array=True)
        return X

    def _map_chunks(self, function, X):
        """``function`` of every chunk of `CHUNK_SIZE` clips, joined over clips.

        ``function`` returns an array, or a tuple of arrays (each joined on
        its own: several outputs of one pass over the clips)."""
        chunks = [X[i:i + CHUNK_SIZE] for i in range(0, X.shape[0], CHUNK_SIZE)]
        # BLAS in one thread for the whole run: bit-identical features however
        # the clips are split (see _dsp.project). parallel_map's jobs are
        # threads, which share X and the results (benchmarks/feature_extraction.py).
        with threadpools().limit(limits=1, user_api="blas"):
            if len(chunks) == 1 and not self.verbose:
                return function(chunks[0])
            parts = parallel_map(
                (delayed(function)(chunk) for chunk in chunks),
                n_jobs=self.n_jobs, total=X.shape[0], verbose=self.verbose,
                desc=type(self).__name__, unit="clip", weights=[len(c) for c in chunks],
            )
        if isinstance(parts[0], tuple):
            return tuple(np.concatenate(outputs, axis=0) for outputs in zip(*parts))
        return np.concatenate(parts, axis=0)

    def _transform_chunk(self, X):  # pragma: no cover - abstract
        raise NotImplementedError

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
