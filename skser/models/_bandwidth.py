"""BandwidthExperts: band-limited clips (phone lines, 8 kHz recordings) go to
a model trained on the same band, the rest to a wideband model.

Data contract
-------------
X : list of 1-D float waveforms at ``sr``, of any lengths (in skser's
    pipelines: what `AudioLoader` gives, before trimming), or a fixed-length
    batch ``(n_clips, n_samples)``; each expert gets its clips in the same
    form.
y : ``(n_clips,)`` labels.
copy_of : ``(n_clips,)`` the clip each row is or copies, optional (set by
    skser's `Pipeline` after `AugmentedCopies`): handed to each expert whose
    ``fit`` takes it.
predict_proba : ``(n_clips, n_classes)``, columns ordered as ``classes_``.
"""

from numbers import Integral, Real

import numpy as np
import scipy.signal
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, _fit_context, clone
from sklearn.utils import metadata_routing
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_consistent_length, check_is_fitted, column_or_1d

from .._validation import (
    check_waveform_batch, check_waveform_list, is_waveform_batch, method_takes,
)

__all__ = ["BandwidthExperts", "high_band_db"]


def high_band_db(X, *, sr, cutoff):
    """Share of each clip's power above ``cutoff`` Hz, in dB.

    Parameters
    ----------
    X : list of np.ndarray [shape=(n_samples_i,)] or np.ndarray [shape=(n_clips, n_samples)]
        Waveforms at ``sr``.
    sr : int
        Sampling rate in Hz.
    cutoff : float
        Frequency in Hz.

    Returns
    -------
    share_db : np.ndarray [shape=(n_clips,), dtype=float64]
        ``10 * log10(power above cutoff / total power)``, from Welch's
        average of Hann-windowed 32 ms frames; 0 for a silent clip (nothing
        says it is band-limited).
    """
    return _high_band_dbs(check_waveform_list(X), sr, cutoff)


def _high_band_dbs(waveforms, sr, cutoff):
    return np.array([_high_band_db(np.asarray(y, dtype=np.float64), sr, cutoff)
                     for y in waveforms], dtype=np.float64)


def _high_band_db(y, sr, cutoff):
    if y.size < 2:
        return 0.0
    # Welch's average of Hann-windowed frames: the window tapers each frame,
    # so a clip cut mid-word leaks no power into the high band at its edges,
    # as one FFT of the whole clip would.
    nperseg = min(y.size, int(2 ** np.ceil(np.log2(0.032 * sr))))
    freqs, power = scipy.signal.welch(y, fs=sr, window="hann", nperseg=nperseg)
    total = power.sum()
    if not total > 0:
        return 0.0
    return float(10.0 * np.log10(max(power[freqs > cutoff].sum(), 1e-300 * total) / total))


class BandwidthExperts(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Two models of the same clips, one for wideband audio and one for a
    phone line's band, each clip classified by the one its band matches.

    A phone call reaches a model as audio with nothing above 3.4-4 kHz (and,
    on a phone line, nothing below 300 Hz); a file recorded at 8 kHz has
    nothing above 4 kHz. A model trained on wideband clips reads such audio
    as something else, even with band-limited copies among its training
    rows: on an inner split of EmoDB, the robust statistics model scored
    47.8 % UA on a mu-law phone line, and 61.5 % trained behind a phone
    line's band (`skser.preprocessing.BandPass` in front of its trimming;
    ``docs/robustness.md``). This classifier fits both models on the same
    clips:

    - ``wideband``, on the clips as they are;
    - ``narrowband``, on the same clips; it should begin by restricting them
      to the band (`BandPass`), so that the clips it is given at prediction,
      already band-limited, look like its training clips.

    In skser's pipelines it comes right after the loader, and each expert
    is the rest of a pipeline (trimming, its own altered copies, features,
    classifier): the narrowband expert trims, alters and levels clips that
    are already band-limited, as a phone call's are. At prediction a clip
    whose power above ``cutoff`` Hz is less than ``threshold_db`` of its
    total (`high_band_db`) goes to ``narrowband``, every other clip to
    ``wideband``. The rule reads the signal, not a model: band-limited audio
    resampled to 16 kHz keeps 52-125 dB less power above 4 kHz than its
    total, the wideband speech of RAVDESS, EmoDB and SAVEE 8-47 dB less.

    Parameters
    ----------
    wideband : estimator
        Classifier of waveforms (a `Pipeline` from waveforms to labels) for
        wideband clips, with ``predict_proba``.
    narrowband : estimator
        Classifier of waveforms for band-limited clips, with
        ``predict_proba``; its first step restricts its input to the band it
        models.
    sr : int, default=16000
        Sampling rate of the waveforms in Hz.
    cutoff : float, default=4000.0
        Frequency in Hz above which a band-limited clip has (next to) no
        power: half of a phone line's 8 kHz rate.
    threshold_db : float, default=-50.0
        A clip with less than this share of its power above ``cutoff`` (in
        dB) is band-limited.

    Attributes
    ----------
    wideband_ : estimator
        The fitted wideband model.
    narrowband_ : estimator
        The fitted narrowband model.
    classes_ : np.ndarray [shape=(n_classes,)]
        Class labels.

    See Also
    --------
    skser.preprocessing.BandPass : The band a narrowband expert starts with.
    ConditionGatedClassifier : Clean and multi-condition experts mixed by a
        learned detector.

    Examples
    --------
    >>> import librosa
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from skser.models import BandwidthExperts
    >>> from skser.preprocessing import BandPass
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(scale=0.1, size=(40, 16000)).astype("float32")
    >>> y = np.repeat(["a", "b"], 20)
    >>> clf = BandwidthExperts(
    ...     wideband=LogisticRegression(),
    ...     narrowband=make_pipeline(BandPass(), LogisticRegression())).fit(X, y)
    >>> # The same clips through an 8 kHz channel: nothing above 4 kHz.
    >>> phone = librosa.resample(librosa.resample(X[:3], orig_sr=16000, target_sr=8000),
    ...                          orig_sr=8000, target_sr=16000)
    >>> clf.is_narrowband(np.concatenate([X[:3], phone])).tolist()
    [False, False, False, True, True, True]
    """

    _parameter_constraints = {
        "wideband": [HasMethods(["fit", "predict_proba"])],
        "narrowband": [HasMethods(["fit", "predict_proba"])],
        "sr": [Interval(Integral, 1, None, closed="left")],
        "cutoff": [Interval(Real, 0, None, closed="neither")],
        "threshold_db": [Interval(Real, None, 0, closed="right")],
    }
    # ``copy_of`` comes from skser's Pipeline (the rows AugmentedCopies
    # added), never from the caller's metadata.
    __metadata_request__fit = {"copy_of": metadata_routing.UNUSED}

    def __init__(self, *, wideband, narrowband, sr=16000, cutoff=4000.0, threshold_db=-50.0):
        self.wideband = wideband
        self.narrowband = narrowband
        self.sr = sr
        self.cutoff = cutoff
        self.threshold_db = threshold_db

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, copy_of=None):
        """Fit both experts on every row.

        Parameters
        ----------
        X : list of np.ndarray [shape=(n_samples_i,)] or np.ndarray [shape=(n_rows, n_samples)]
            Waveforms at ``sr``: the training clips (and any altered copies).
        y : array-like [shape=(n_rows,)]
            Labels.
        copy_of : array-like [shape=(n_rows,)] or None, default=None
            For each row, the index of the clip it is or copies (skser's
            `Pipeline` passes it after `AugmentedCopies`), handed to each
            expert whose ``fit`` takes it.

        Returns
        -------
        self : BandwidthExperts
        """
        if not self.cutoff < self.sr / 2:
            raise ValueError(f"cutoff must be below sr / 2 ({self.sr / 2:g} Hz); got "
                             f"{self.cutoff!r}.")
        X = _waveforms(X)
        y = column_or_1d(y, warn=True)
        check_consistent_length(X, y)
        check_classification_targets(y)
        if copy_of is not None and len(copy_of) != len(y):
            raise ValueError(f"copy_of holds {len(copy_of)} entries for {len(y)} rows; "
                             "give one per row.")
        fitted = []
        for role in ("wideband", "narrowband"):
            expert = clone(getattr(self, role))
            given = ({"copy_of": copy_of}
                     if copy_of is not None and method_takes(expert, "fit", "copy_of") else {})
            fitted.append(expert.fit(X, y, **given))
        self.wideband_, self.narrowband_ = fitted
        self.classes_ = np.asarray(self.wideband_.classes_)
        if not np.array_equal(np.asarray(self.narrowband_.classes_), self.classes_):
            raise ValueError("the wideband and narrowband experts learned different classes "
                             f"({self.classes_.tolist()} and "
                             f"{np.asarray(self.narrowband_.classes_).tolist()}).")
        return self

    def is_narrowband(self, X):
        """Which clips the narrowband expert classifies.

        Parameters
        ----------
        X : list of np.ndarray [shape=(n_samples_i,)] or np.ndarray [shape=(n_clips, n_samples)]
            Waveforms at ``sr``.

        Returns
        -------
        narrowband : np.ndarray [shape=(n_clips,), dtype=bool]
            True where less than ``threshold_db`` of the clip's power lies
            above ``cutoff``.
        """
        return self._narrow(_waveforms(X))

    def _narrow(self, X):
        """`is_narrowband` of waveforms already validated."""
        return _high_band_dbs(X, self.sr, self.cutoff) < self.threshold_db

    def predict_proba(self, X):
        """Each clip's probabilities from the expert of its band.

        Parameters
        ----------
        X : list of np.ndarray [shape=(n_samples_i,)] or np.ndarray [shape=(n_clips, n_samples)]
            Waveforms at ``sr``.

        Returns
        -------
        proba : np.ndarray [shape=(n_clips, n_classes), dtype=float64]
            Columns follow ``classes_``.
        """
        check_is_fitted(self, "wideband_")
        X = _waveforms(X)
        narrow = self._narrow(X)
        proba = np.empty((len(X), len(self.classes_)), dtype=np.float64)
        for expert, rows in ((self.wideband_, ~narrow), (self.narrowband_, narrow)):
            if rows.any():
                proba[rows] = expert.predict_proba(_take(X, np.flatnonzero(rows)))
        return proba

    def predict(self, X):
        """The class of highest probability, from the expert of each clip's band.

        Parameters
        ----------
        X : list of np.ndarray [shape=(n_samples_i,)] or np.ndarray [shape=(n_clips, n_samples)]
            Waveforms at ``sr``.

        Returns
        -------
        labels : np.ndarray [shape=(n_clips,)]
        """
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


def _waveforms(X):
    """``X`` validated in the form the experts get: a fixed-length float32
    batch when it is one, else a list of float32 waveforms."""
    return check_waveform_batch(X) if is_waveform_batch(X) else check_waveform_list(X)


def _take(X, rows):
    return X[rows] if isinstance(X, np.ndarray) else [X[i] for i in rows]
