"""SoftVotingEnsemble: one classifier from several that take the same input.

Data contract
-------------
X : whatever every member takes (in skser's ensemble pipeline: trimmed
    clips ``(n_clips, n_samples)``, which each member turns into its own
    features).
y : ``(n_clips,)`` labels.
predict_proba : ``(n_clips, n_classes)``, the members' probabilities averaged
    with ``weights``, columns ordered as ``classes_``.
"""

import numpy as np
from sklearn.base import ClassifierMixin, _fit_context, clone
from sklearn.utils._metadata_requests import MetadataRouter, MethodMapping
from sklearn.utils.metadata_routing import _routing_enabled, process_routing
from sklearn.utils.metaestimators import _BaseComposition
from sklearn.utils.validation import check_is_fitted

__all__ = ["SoftVotingEnsemble"]


class SoftVotingEnsemble(ClassifierMixin, _BaseComposition):
    """Average the class probabilities of several fitted classifiers.

    Soft voting, as `sklearn.ensemble.VotingClassifier(voting="soft")`, with
    two differences that skser's pipelines need: the members are fitted on
    the labels as given (a network and a logistic regression then agree on
    ``classes_`` without a label encoder in between), and metadata such as
    the speakers' ``groups`` is routed to the members in ``predict`` and
    ``predict_proba`` too, so a speaker-normalised member standardises each
    test speaker with that speaker's clips.

    Parameters
    ----------
    estimators : list of (str, estimator)
        The members, each a classifier with ``predict_proba``, all taking the
        same ``X``. Their parameters are reachable as ``name__param`` (in
        `GridSearchCV` too).
    weights : array-like of shape (n_estimators,) or None, default=None
        Weight of each member's probabilities; None weighs them equally.
        Normalised to sum to 1.

    Attributes
    ----------
    estimators_ : list of estimator
        The fitted members, in the order of ``estimators``.
    named_estimators_ : dict of str to estimator
        The fitted members by name.
    classes_ : np.ndarray [shape=(n_classes,)]
        Labels seen in fit (the same for every member).

    See Also
    --------
    sklearn.ensemble.VotingClassifier : The same vote, without routing at predict.
    skser.make_ser_pipeline : ``kind="ensemble"`` builds skser's default ensemble.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.naive_bayes import GaussianNB
    >>> X = np.random.default_rng(0).normal(size=(40, 3))
    >>> y = np.where(X[:, 0] > 0, "angry", "sad")
    >>> vote = SoftVotingEnsemble(estimators=[("lr", LogisticRegression()), ("nb", GaussianNB())],
    ...                           weights=[2, 1]).fit(X, y)
    >>> vote.predict_proba(X[:2]).shape, vote.classes_.tolist()
    ((2, 2), ['angry', 'sad'])
    """

    _parameter_constraints = {
        "estimators": [list],
        "weights": ["array-like", None],
    }

    def __init__(self, *, estimators, weights=None):
        self.estimators = estimators
        self.weights = weights

    def get_params(self, deep=True):
        """Parameters of the ensemble and, with ``deep``, of its members.

        Parameters
        ----------
        deep : bool, default=True
            Also return ``name`` (each member) and ``name__param``.

        Returns
        -------
        params : dict
        """
        return self._get_params("estimators", deep=deep)

    def set_params(self, **params):
        """Set parameters of the ensemble or of its members (``name__param``).

        Parameters
        ----------
        **params : dict

        Returns
        -------
        self : SoftVotingEnsemble
        """
        self._set_params("estimators", **params)
        return self

    def _check_members(self):
        if not self.estimators:
            raise ValueError("estimators must hold at least one (name, estimator) pair; "
                             "got an empty list.")
        names, members = zip(*self.estimators)
        self._validate_names(names)
        for name, member in self.estimators:
            if not hasattr(member, "predict_proba"):
                raise TypeError(f"estimator {name!r} ({type(member).__name__}) has no "
                                "predict_proba; soft voting averages probabilities.")
        if self.weights is None:
            return np.full(len(members), 1 / len(members))
        weights = np.asarray(self.weights, dtype=float)
        if (weights.shape != (len(members),) or not np.all(np.isfinite(weights))
                or np.any(weights < 0) or weights.sum() <= 0):
            raise ValueError(
                f"weights must hold {len(members)} non-negative numbers, not all 0, one "
                f"per estimator; got {self.weights!r}.")
        return weights / weights.sum()

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **fit_params):
        """Fit a clone of every member on ``X`` and ``y``.

        Parameters
        ----------
        X : array-like or list [shape=(n_clips, ...)]
            Input every member takes.
        y : array-like [shape=(n_clips,)]
            Labels.
        **fit_params : dict
            With metadata routing enabled, routed to the members that request
            them (e.g. ``groups`` for a `SpeakerStandardScaler`); without, not
            accepted.

        Returns
        -------
        self : SoftVotingEnsemble
        """
        self._weights = self._check_members()
        routed = self._route("fit", fit_params)
        self.estimators_ = []
        for name, member in self.estimators:
            self.estimators_.append(clone(member).fit(X, y, **routed[name].fit))
        self.named_estimators_ = dict(zip((n for n, _ in self.estimators), self.estimators_))
        classes = [np.asarray(m.classes_) for m in self.estimators_]
        if any(c.shape != classes[0].shape or np.any(c != classes[0]) for c in classes[1:]):
            raise ValueError("the members learned different classes_ ("
                             + "; ".join(f"{n}: {c.tolist()}" for (n, _), c in
                                         zip(self.estimators, classes))
                             + "); soft voting needs one set of labels.")
        self.classes_ = classes[0]
        return self

    def predict_proba(self, X, **params):
        """Weighted mean of the members' class probabilities.

        Parameters
        ----------
        X : array-like or list [shape=(n_clips, ...)]
        **params : dict
            With metadata routing enabled, routed to the members' ``predict_proba``.

        Returns
        -------
        proba : np.ndarray [shape=(n_clips, n_classes), dtype=float64]
            Columns follow ``classes_``; rows sum to 1.
        """
        check_is_fitted(self, "estimators_")
        routed = self._route("predict_proba", params)
        total = None
        for (name, _), member, weight in zip(self.estimators, self.estimators_,
                                             self._weights):
            proba = weight * np.asarray(member.predict_proba(X, **routed[name].predict_proba),
                                        dtype=np.float64)
            total = proba if total is None else total + proba
        return total

    def predict(self, X, **params):
        """The class of highest mean probability.

        Parameters
        ----------
        X : array-like or list [shape=(n_clips, ...)]
        **params : dict
            As in `predict_proba`.

        Returns
        -------
        labels : np.ndarray [shape=(n_clips,)]
        """
        return self.classes_[np.argmax(self.predict_proba(X, **params), axis=1)]

    def _route(self, method, params):
        if _routing_enabled():
            return process_routing(self, method, **params)
        if params:
            raise ValueError(
                f"SoftVotingEnsemble.{method} got {sorted(params)}, which reach the members "
                "only with metadata routing: sklearn.set_config(enable_metadata_routing=True).")
        from sklearn.utils import Bunch

        empty = Bunch(fit={}, predict_proba={})
        return {name: empty for name, _ in self.estimators}

    def get_metadata_routing(self):
        """How ``fit``, ``predict`` and ``predict_proba`` metadata reach the members.

        Returns
        -------
        routing : sklearn.utils.metadata_routing.MetadataRouter
        """
        router = MetadataRouter(owner=self)
        for name, member in self.estimators:
            router.add(**{name: member}, method_mapping=MethodMapping()
                       .add(caller="fit", callee="fit")
                       .add(caller="predict", callee="predict_proba")
                       .add(caller="predict_proba", callee="predict_proba"))
        return router
