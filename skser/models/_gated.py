"""ConditionGatedClassifier: a model of the original clips and a model of
every row, mixed per clip by how much the clip looks like an original.

Data contract
-------------
X : ``(n_rows, n_features)`` float features (in skser's statistics
    pipeline: each clip's pooled statistics, standardised).
y : ``(n_rows,)`` labels.
copy_of : ``(n_rows,)`` the clip each row is or copies, optional (set by
    skser's `Pipeline` after `AugmentedCopies`, which puts the originals
    first): the first row of each clip is its original, the others are
    altered copies.
sample_weight : ``(n_rows,)`` non-negative weights, optional.
groups : ``(n_rows,)`` in fit, ``(n_clips,)`` at prediction, the speaker of
    each row, optional (read with ``speaker_scaler``, and by the gate at
    prediction).
predict_proba : ``(n_clips, n_classes)``, columns ordered as ``classes_``.
"""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, _fit_context, clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import metadata_routing
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_sample_weight, check_consistent_length, check_is_fitted, column_or_1d,
    has_fit_parameter, validate_data,
)

from .._validation import check_feature_array, group_rows, method_takes

__all__ = ["ConditionGatedClassifier"]

#: The detector's regularisation (benchmarks/robust_classifiers.py).
DETECTOR_C = 0.01


class ConditionGatedClassifier(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Two experts, one for clean clips and one for altered ones, mixed per clip.

    Multi-condition training (altered copies of every training clip, see
    `AugmentedCopies` and `RandomCorruption`) makes a classifier hold up on
    noisy, reverberant or compressed audio, and usually costs it accuracy
    on clean clips: one linear model has to serve both. This classifier
    fits three models on the same rows:

    - a *clean* expert, ``estimator`` fitted on the original rows only;
    - a *robust* expert, ``estimator`` fitted on every row (originals and
      altered copies);
    - a *detector*, ``detector`` fitted to tell the original rows from the
      altered copies.

    For a clip, with ``g = detector.predict_proba(x)[original] ** power``,
    the probabilities are ``g * clean + (1 - g) * robust``: the clean
    expert speaks for clips that look like the clean training clips, and
    the robust one for the rest. A ``power`` above 1 hands a clip to the
    clean expert only when the detector is sure; a clean-trained model
    fails badly on altered clips, so doubt goes to the robust one.

    Which rows are originals comes from ``copy_of`` (the first row of each
    clip), which skser's `Pipeline` passes after `AugmentedCopies`. Fitted
    without copies, the classifier is the clean expert alone.

    Speaker-normalised, the per-speaker scaler belongs inside the
    classifier (``speaker_scaler=SpeakerStandardScaler()``), in front of the
    experts only: once each speaker's clips (and each round of a speaker's
    copies) are standardised with their own statistics, an altered speaker
    looks like a clean one in mean and spread, and a detector reading
    them cannot tell the two apart. The detector reads ``X`` as given,
    where a speaker's channel still shows, and with ``groups`` at
    prediction each speaker's clips, which share a channel, get one
    weight: their mean ``P(original)``, raised to ``power``.

    Parameters
    ----------
    estimator : classifier or None, default=None
        Both experts are clones of it; it needs ``predict_proba``. None:
        ``make_pipeline(StandardScaler(), LogisticRegression(class_weight=
        "balanced", max_iter=2000))``. Each expert standardises with its own
        rows, so the clean expert sees the clean clips' scale.
    detector : classifier or None, default=None
        Fitted on every row with the target "is an original"; needs
        ``predict_proba``. None: ``make_pipeline(StandardScaler(),
        LogisticRegression(C=0.01, max_iter=3000))``.
    power : float, default=3.0
        Exponent of the detector's probability that a clip is an original.
    speaker_scaler : transformer or None, default=None
        Standardises the experts' input per speaker, e.g.
        `SpeakerStandardScaler`: fitted on the training rows with
        ``groups`` and ``copy_of`` (each round of a speaker's copies apart),
        applied with the ``groups`` given at prediction (its fallback
        without them). The detector reads ``X`` as given. With it, the
        classifier requests ``groups`` in ``fit``, ``predict`` and
        ``predict_proba`` through metadata routing.

    Attributes
    ----------
    clean_estimator_ : estimator
        ``estimator`` fitted on the original rows.
    robust_estimator_ : estimator or None
        ``estimator`` fitted on every row; None when fitted without copies.
    detector_ : estimator or None
        The fitted detector; None when fitted without copies.
    speaker_scaler_ : transformer or None
        The fitted ``speaker_scaler``; None without one.
    classes_ : np.ndarray [shape=(n_classes,)]
        Labels seen in fit.
    n_features_in_ : int
        Number of columns of ``X`` in fit.

    See Also
    --------
    skser.AugmentedCopies : Adds the altered copies before the features.
    skser.RandomCorruption : Alters them with noise, rooms, phone lines, codecs and gains.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> clean = rng.normal(size=(60, 4))
    >>> y = np.where(clean[:, 0] > 0, "angry", "sad")
    >>> altered = clean + rng.normal(scale=2.0, size=clean.shape) + 3.0
    >>> X = np.vstack([clean, altered])
    >>> copy_of = np.concatenate([np.arange(60), np.arange(60)])
    >>> clf = ConditionGatedClassifier().fit(X, np.concatenate([y, y]), copy_of=copy_of)
    >>> clf.predict_proba(X[:2]).shape, clf.classes_.tolist()
    ((2, 2), ['angry', 'sad'])
    >>> bool(clf.clean_weight(clean).mean() > clf.clean_weight(altered).mean())
    True
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "detector": [HasMethods(["fit", "predict_proba"]), None],
        "power": [Interval(Real, 0, None, closed="neither")],
        "speaker_scaler": [HasMethods(["fit_transform", "transform"]), None],
    }
    # ``copy_of`` comes from skser's Pipeline (the rows AugmentedCopies
    # added), never from the caller's metadata.
    __metadata_request__fit = {"copy_of": metadata_routing.UNUSED}

    def __init__(self, *, estimator=None, detector=None, power=3.0, speaker_scaler=None):
        self.estimator = estimator
        self.detector = detector
        self.power = power
        self.speaker_scaler = speaker_scaler

    def get_metadata_routing(self):
        """Request ``groups`` in ``fit``, ``predict`` and ``predict_proba``
        with a ``speaker_scaler``, and refuse them without one.

        Returns
        -------
        routing : sklearn.utils.metadata_routing.MetadataRequest
        """
        request = super().get_metadata_routing()
        for method in ("fit", "predict", "predict_proba"):
            getattr(request, method).add_request(
                param="groups", alias=self.speaker_scaler is not None)
        return request

    def __setstate__(self, state):
        # Models saved before ``speaker_scaler`` existed had none.
        super().__setstate__({"speaker_scaler": None, **state})

    def _estimator(self):
        if self.estimator is not None:
            return clone(self.estimator)
        return make_pipeline(StandardScaler(),
                             LogisticRegression(class_weight="balanced", max_iter=2000))

    def _detector(self):
        if self.detector is not None:
            return clone(self.detector)
        return make_pipeline(StandardScaler(), LogisticRegression(C=DETECTOR_C, max_iter=3000))

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, copy_of=None, sample_weight=None, groups=None):
        """Fit the clean expert, and with copies the robust expert and the detector.

        Parameters
        ----------
        X : array-like [shape=(n_rows, n_features)]
            Features of the original clips and of their altered copies.
        y : array-like [shape=(n_rows,)]
            Labels.
        copy_of : array-like [shape=(n_rows,)] or None, default=None
            For each row, the index of the clip it is or copies: skser's
            `Pipeline` passes it when `AugmentedCopies` came before. The
            first row of each clip is its original. None: every row is an
            original.
        sample_weight : array-like [shape=(n_rows,)] or None, default=None
            Weights of the rows, for both experts and the detector (each
            expert the weights of its rows). In a `Pipeline` estimator
            they go to every step whose ``fit`` takes ``sample_weight``
            (the scaler too), and the last step must take them.
        groups : array-like [shape=(n_rows,)] or None, default=None
            Speaker of each row, for ``speaker_scaler`` (ignored without
            one).

        Returns
        -------
        self : ConditionGatedClassifier
        """
        X = self._check_X(X, reset=True)
        y = column_or_1d(y, warn=True)
        check_consistent_length(X, y)
        check_classification_targets(y)
        original = np.ones(len(y), dtype=bool)
        if copy_of is not None:
            copy_of = column_or_1d(copy_of)
            if len(copy_of) != len(y):
                raise ValueError(f"copy_of holds {len(copy_of)} entries for {len(y)} rows; "
                                 "give one per row.")
            original[:] = False
            original[np.unique(copy_of, return_index=True)[1]] = True
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X)
        detected = X
        self.speaker_scaler_ = None
        if self.speaker_scaler is not None:
            self.speaker_scaler_ = clone(self.speaker_scaler)
            given = {"groups": groups, "copy_of": copy_of}
            X = self.speaker_scaler_.fit_transform(X, **{
                k: v for k, v in given.items()
                if method_takes(self.speaker_scaler_, "fit_transform", k)})
        self.clean_estimator_ = _fit_weighted(self._estimator(), X[original], y[original],
                                              _rows(sample_weight, original), "estimator")
        self.classes_ = np.asarray(self.clean_estimator_.classes_)
        if original.all():
            self.robust_estimator_ = self.detector_ = None
            return self
        self.robust_estimator_ = _fit_weighted(self._estimator(), X, y, sample_weight,
                                               "estimator")
        if not np.array_equal(np.asarray(self.robust_estimator_.classes_), self.classes_):
            raise ValueError(
                f"the altered copies hold labels the original rows do not "
                f"({sorted(set(np.unique(y)) - set(self.classes_))}); every copy "
                "should carry its original's label.")
        self.detector_ = _fit_weighted(self._detector(), detected, original, sample_weight,
                                       "detector")
        return self

    def clean_weight(self, X, groups=None):
        """The clean expert's weight for each clip, ``P(original) ** power``.

        Parameters
        ----------
        X : array-like [shape=(n_clips, n_features)]
        groups : array-like [shape=(n_clips,)] or None, default=None
            Speaker of each clip: a speaker's clips share one weight, from
            their mean ``P(original)``. None: each clip its own.

        Returns
        -------
        weight : np.ndarray [shape=(n_clips,), dtype=float64]
            In [0, 1]; 1 for every clip when fitted without copies.
        """
        check_is_fitted(self, "clean_estimator_")
        return self._clean_weight(self._check_X(X, reset=False), groups)

    def _check_X(self, X, *, reset):
        X = check_feature_array(X, ndims=(2,), what="(n_clips, n_features)", dtype=None)
        validate_data(self, X, reset=reset, skip_check_array=True)
        return X

    def _clean_weight(self, X, groups=None):
        if self.detector_ is None:
            return np.ones(len(X))
        column = list(self.detector_.classes_).index(True)
        p = np.asarray(self.detector_.predict_proba(X)[:, column], dtype=np.float64)
        if groups is not None:
            for rows in group_rows(groups, len(X)):
                p[rows] = p[rows].mean()
        return p ** self.power

    def predict_proba(self, X, groups=None):
        """The experts' probabilities mixed by `clean_weight`.

        Parameters
        ----------
        X : array-like [shape=(n_clips, n_features)]
        groups : array-like [shape=(n_clips,)] or None, default=None
            Speaker of each clip: for ``speaker_scaler`` (each speaker
            standardised with their own clips) and the gate (one weight
            per speaker). None: the scaler's fallback, a weight per clip.

        Returns
        -------
        proba : np.ndarray [shape=(n_clips, n_classes), dtype=float64]
            Columns follow ``classes_``; rows sum to 1.
        """
        check_is_fitted(self, "clean_estimator_")
        X = self._check_X(X, reset=False)
        Xe = X if self.speaker_scaler_ is None else self.speaker_scaler_.transform(
            X, groups=groups)
        clean = np.asarray(self.clean_estimator_.predict_proba(Xe), dtype=np.float64)
        if self.robust_estimator_ is None:
            return clean
        g = self._clean_weight(X, groups)[:, None]
        return g * clean + (1 - g) * np.asarray(self.robust_estimator_.predict_proba(Xe),
                                                dtype=np.float64)

    def predict(self, X, groups=None):
        """The class of highest mixed probability.

        Parameters
        ----------
        X : array-like [shape=(n_clips, n_features)]
        groups : array-like [shape=(n_clips,)] or None, default=None
            Speaker of each clip (see `predict_proba`).

        Returns
        -------
        labels : np.ndarray [shape=(n_clips,)]
        """
        proba = self.predict_proba(X, groups=groups)
        return self.classes_[np.argmax(proba, axis=1)]


def _rows(sample_weight, rows):
    return None if sample_weight is None else sample_weight[rows]


def _fit_weighted(estimator, X, y, sample_weight, role):
    """``estimator.fit(X, y)`` with ``sample_weight`` where it is given: to
    each step of a `Pipeline` that takes it (the last one must)."""
    if sample_weight is None:
        return estimator.fit(X, y)
    steps = getattr(estimator, "steps", None)
    if steps is not None:
        last = steps[-1][1]
        if not has_fit_parameter(last, "sample_weight"):
            raise TypeError(f"sample_weight was given, but the {role}'s last step, "
                            f"{type(last).__name__}, does not take it in fit.")
        params = {f"{name}__sample_weight": sample_weight for name, step in steps
                  if step not in (None, "passthrough")
                  and has_fit_parameter(step, "sample_weight")}
        return estimator.fit(X, y, **params)
    if not has_fit_parameter(estimator, "sample_weight"):
        raise TypeError(f"sample_weight was given, but the {role}, "
                        f"{type(estimator).__name__}, does not take it in fit.")
    return estimator.fit(X, y, sample_weight=sample_weight)
