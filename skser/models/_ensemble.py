"""SoftVotingEnsemble: one classifier from several that take the same input.

Data contract
-------------
X : whatever every member takes (in skser's ensemble pipeline: trimmed
    clips ``(n_clips, n_samples)``, which each member turns into its own
    features).
y : ``(n_clips,)`` labels.
groups : ``(n_clips,)`` speaker of each clip, optional: with
    ``weights="auto"`` the inner split that weighs the members keeps each
    speaker on one side.
copy_of : ``(n_clips,)`` the clip each row is or copies, optional (set by
    skser's `Pipeline` after `AugmentedCopies`): without ``groups``, the
    inner split keeps a clip and its copies on one side; the members whose
    ``fit`` takes it get their rows' entries.
predict_proba : ``(n_clips, n_classes)``, the members' probabilities averaged
    with ``weights_``, columns ordered as ``classes_``.
"""

import itertools
from numbers import Integral

import numpy as np
from sklearn.base import ClassifierMixin, _fit_context, clone
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, check_cv
from sklearn.utils import Bunch, _safe_indexing
from sklearn.utils._param_validation import StrOptions
from sklearn.utils._metadata_requests import MetadataRouter, MethodMapping
from sklearn.utils import metadata_routing
from sklearn.utils.metadata_routing import _routing_enabled, process_routing
from sklearn.utils.metaestimators import _BaseComposition
from sklearn.utils.validation import _check_method_params, check_is_fitted

from .._validation import method_takes

__all__ = ["SoftVotingEnsemble"]

# weights="auto" tries every weighting of the members in steps of this
# fraction (11 weightings of two members, 66 of three).
WEIGHT_STEP = 0.1


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
    weights : array-like of shape (n_estimators,), None or "auto", default=None
        Weight of each member's probabilities; None weighs them equally.
        Normalised to sum to 1. ``"auto"`` chooses them on an inner split of
        the training clips: every member is fitted on each training part of
        ``cv`` and predicts its held-out part, and of every weighting in
        steps of 0.1 (0, 0.1, ..., 1 for each member, summing to 1) the one
        whose vote has the highest unweighted accuracy (UA, balanced
        accuracy) over the held-out clips wins; a tie goes to the weighting
        nearest to equal weights. Then the members are fitted on all clips.
        Costs ``cv`` extra fits of every member; a member that is a pipeline
        computes the output of its leading steps that learn nothing (its
        features) once for all clips, not once per fit. Members whose
        pipelines start with the same frame features (`FrameFeatures1D`
        differing only in ``aggregate``: a pooled and a per-frame view, as in
        skser's default; or in ``cepstral_root`` and ``contrast_root``, which
        share the spectra and pitch) compute the frames once in ``fit`` and in
        ``predict_proba``, with any weights; a member of weight 0 is not run
        at predict. The results are bit-identical to each member on its own.
    cv : int or cross-validation splitter, default=3
        The inner split for ``weights="auto"`` (unused otherwise). An int is
        the number of folds: `StratifiedGroupKFold` over ``groups`` when
        `fit` gets them (no speaker on both sides, as in a speaker-independent
        test), else `StratifiedKFold`. A splitter is used as given, with
        ``groups``.

    Attributes
    ----------
    weights_ : np.ndarray [shape=(n_estimators,)]
        The weights used, normalised to sum to 1.
    cv_results_ : dict of str to np.ndarray
        With ``weights="auto"``: ``"weights"`` ``(n_weightings, n_estimators)``,
        every weighting tried, and ``"ua"`` ``(n_weightings,)``, its UA over
        the held-out clips; absent otherwise.
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

    Weights chosen on an inner split, over speakers:

    >>> speakers = np.repeat(np.arange(8), 5)
    >>> auto = SoftVotingEnsemble(estimators=[("lr", LogisticRegression()), ("nb", GaussianNB())],
    ...                           weights="auto").fit(X, y, groups=speakers)
    >>> auto.weights_.shape, auto.cv_results_["ua"].shape
    ((2,), (11,))
    """

    _parameter_constraints = {
        "estimators": [list],
        "weights": ["array-like", None, StrOptions({"auto"})],
        "cv": ["cv_object"],
    }
    # The speakers are the ensemble's own input in fit (its inner split), as
    # well as the members' (a SpeakerStandardScaler's).
    # ``copy_of`` comes from skser's Pipeline (the rows AugmentedCopies
    # added), never from the caller's metadata.
    __metadata_request__fit = {"groups": True, "copy_of": metadata_routing.UNUSED}

    # Whether fit computes each pipeline member's features once (`_heads`);
    # the tests switch it off to compare with fitting every member from X.
    _cache_heads = True
    # Whether members whose heads compute the same frames share them
    # (`_head_outputs`); benchmarks/ensemble_features.py switches it off to
    # time the members computing their features each on their own.
    _share_frames = True

    def __init__(self, *, estimators, weights=None, cv=3):
        self.estimators = estimators
        self.weights = weights
        self.cv = cv

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
        if self.weights is None or (isinstance(self.weights, str) and self.weights == "auto"):
            return np.full(len(members), 1 / len(members))
        weights = np.asarray(self.weights, dtype=float)
        if (weights.shape != (len(members),) or not np.all(np.isfinite(weights))
                or np.any(weights < 0) or weights.sum() <= 0):
            raise ValueError(
                f"weights must hold {len(members)} non-negative numbers, not all 0, one "
                f"per estimator; got {self.weights!r}.")
        return weights / weights.sum()

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, groups=None, copy_of=None, **fit_params):
        """Fit a clone of every member on ``X`` and ``y``.

        Parameters
        ----------
        X : array-like or list [shape=(n_clips, ...)]
            Input every member takes.
        y : array-like [shape=(n_clips,)]
            Labels.
        groups : array-like [shape=(n_clips,)] or None, default=None
            Speaker of each clip. ``weights="auto"`` keeps each speaker on one
            side of its inner split. With metadata routing enabled, also
            routed to the members that request them (a `SpeakerStandardScaler`);
            without, they reach no member, and are refused unless
            ``weights="auto"`` uses them.
        copy_of : array-like [shape=(n_clips,)] or None, default=None
            For each row, the index of the clip it is or copies: skser's
            `Pipeline` passes it when `AugmentedCopies` came before. Without
            ``groups``, ``weights="auto"`` keeps a clip and its copies on one
            side of its inner split (else a member would be weighed on
            copies of clips it trained on). Passed to the members whose
            ``fit`` takes it (a skser `Pipeline`, which hands it to its steps
            that take it, such as a `ConditionGatedClassifier`), for the
            rows each fit reads.
        **fit_params : dict
            With metadata routing enabled, routed to the members that request
            them; without, not accepted.

        Returns
        -------
        self : SoftVotingEnsemble
        """
        weights = self._check_members()
        if groups is not None and len(groups) != len(y):
            raise ValueError(f"groups holds {len(groups)} speakers for {len(y)} clips; "
                             "give one per clip.")
        if copy_of is not None and len(copy_of) != len(y):
            raise ValueError(f"copy_of holds {len(copy_of)} entries for {len(y)} clips; "
                             "give one per clip.")
        auto = isinstance(self.weights, str)  # "auto"
        if groups is not None and (_routing_enabled() or not auto):
            # Routed to the members that request them; without routing nothing
            # but the inner split reads them, and `_route` refuses them.
            fit_params = {**fit_params, "groups": groups}
        routed = self._route("fit", fit_params)
        heads = self._heads(X, fit_params)
        if auto:
            weights = self._choose_weights(X, y, groups, fit_params, heads, copy_of)
        self.weights_ = weights
        self.estimators_ = self._fit_members(X, y, routed, heads, copy_of=copy_of)
        self.named_estimators_ = dict(zip((n for n, _ in self.estimators), self.estimators_))
        self.classes_ = self._common_classes(self.estimators_)
        return self

    def _fit_members(self, X, y, routed, heads=None, rows=None, copy_of=None):
        """Clones of the members fitted on ``X[rows]`` (all of ``X`` when
        ``rows`` is None); a member with a head in ``heads`` (`_heads`)
        fits its tail on the head's stored output. Members whose ``fit``
        takes ``copy_of`` get its entries of those rows."""
        fitted = []
        if copy_of is not None:
            copy_of = np.asarray(copy_of) if rows is None else np.asarray(copy_of)[rows]
        for name, member in self.estimators:
            head = (heads or {}).get(name)
            X_rows = X if rows is None else _safe_indexing(X, rows)
            y_rows = y if rows is None else np.asarray(y)[rows]
            member = clone(member)
            given = ({"copy_of": copy_of}
                     if copy_of is not None and method_takes(member, "fit", "copy_of") else {})
            if head is None:
                fitted.append(member.fit(X_rows, y_rows, **given, **routed[name].fit))
                continue
            n_steps, Z = head
            # The head learns nothing: fitting it only checks its input (and
            # records its shape), as Pipeline.fit would; the tail fits on
            # the head's output, the same numbers Pipeline.fit would compute.
            member[:n_steps].fit(X_rows)
            member[n_steps:].fit(Z if rows is None else _safe_indexing(Z, rows), y_rows,
                                 **given, **routed[name].fit)
            fitted.append(member)
        return fitted

    def _heads(self, X, fit_params):
        """The output of each pipeline member's leading steps that learn
        nothing (``requires_fit`` False: loading, trimming, features), for
        all of ``X``: ``{name: (n_steps, output)}``, computed once and read
        by every fit and held-out prediction of the inner split.

        A member whose head would take metadata, or that has no such head,
        is left out (it computes its own input, as before). Members whose
        heads start with the same frame features (a pooled and a per-frame
        view) compute them once (`_head_outputs`). The features of a clip do
        not depend on the other clips (skser's feature steps are
        bit-identical alone and in any batch), so the fitted members are
        the ones fitting each from ``X`` would give."""
        if not self._cache_heads:
            return {}
        heads = {}
        for name, member in self.estimators:
            head = _free_head(member, fit_params, ("fit", "transform"))
            if head is not None:
                heads[name] = clone(head).fit(X)
        outputs = _head_outputs(heads, X, share=self._share_frames)
        return {name: (len(head), outputs[name]) for name, head in heads.items()}

    def _common_classes(self, members):
        classes = [np.asarray(m.classes_) for m in members]
        if any(c.shape != classes[0].shape or np.any(c != classes[0]) for c in classes[1:]):
            raise ValueError("the members learned different classes_ ("
                             + "; ".join(f"{n}: {c.tolist()}" for (n, _), c in
                                         zip(self.estimators, classes))
                             + "); soft voting needs one set of labels.")
        return classes[0]

    def _choose_weights(self, X, y, groups, fit_params, heads, copy_of=None):
        """The weighting of highest held-out UA on the inner split (and
        ``cv_results_``); ``fit_params`` are the members' routed metadata,
        per-clip ones indexed by each part. Without speakers, the split
        keeps each clip with its copies (``copy_of``)."""
        y = np.asarray(y)
        if groups is None and copy_of is not None:
            groups = np.asarray(copy_of)
            if isinstance(self.cv, Integral) and not isinstance(self.cv, bool):
                splitter = StratifiedGroupKFold(min(self.cv, np.unique(groups).size))
            else:
                splitter = check_cv(self.cv, y, classifier=True)
        elif isinstance(self.cv, Integral) and not isinstance(self.cv, bool):
            if groups is None:
                splitter = StratifiedKFold(self.cv)
            else:
                n_speakers = np.unique(np.asarray(groups)).size
                if n_speakers < 2:
                    raise ValueError(
                        'weights="auto" splits the training speakers (groups) to weigh '
                        f"the members, and needs at least 2; got {n_speakers}.")
                # Fewer speakers than folds: one speaker per fold.
                splitter = StratifiedGroupKFold(min(self.cv, n_speakers))
        else:
            splitter = check_cv(self.cv, y, classifier=True)
        labels = np.unique(y)
        held_out = np.zeros((len(self.estimators), y.size, labels.size))
        seen = np.zeros(y.size, dtype=bool)
        # The held-out clips' own speakers (or domains) go to members that
        # standardise per speaker (or domain), as the test clips' do at predict.
        per_clip = sorted(self.get_metadata_routing().consumes(
            "predict_proba", list(fit_params))) if _routing_enabled() else []
        for train, test in splitter.split(np.zeros(y.size), y, groups):
            routed = self._route("fit", _check_method_params(X, fit_params, train))
            members = self._fit_members(X, y, routed, heads, train, copy_of)
            routed_predict = self._route("predict_proba", {
                key: _safe_indexing(fit_params[key], test) for key in per_clip})
            X_test = _safe_indexing(X, test)
            for i, ((name, _), member) in enumerate(zip(self.estimators, members)):
                if name in heads:
                    n_steps, Z = heads[name]
                    member, X_member = member[n_steps:], _safe_indexing(Z, test)
                else:
                    X_member = X_test
                proba = np.asarray(member.predict_proba(
                    X_member, **routed_predict[name].predict_proba), dtype=np.float64)
                # A class missing from a training part gets probability 0.
                columns = np.searchsorted(labels, np.asarray(member.classes_))
                held_out[i][np.ix_(test, columns)] = proba
            seen[test] = True
        grid = _weight_grid(len(self.estimators))
        votes = np.einsum("wm,mnc->wnc", grid, held_out[:, seen])
        ua = np.array([balanced_accuracy_score(y[seen], labels[np.argmax(v, axis=1)])
                       for v in votes])
        best = np.flatnonzero(ua == ua.max())
        uniform = np.full(grid.shape[1], 1 / grid.shape[1])
        best = best[np.argmin(np.linalg.norm(grid[best] - uniform, axis=1))]
        self.cv_results_ = {"weights": grid, "ua": ua}
        return grid[best]

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
        # A member of weight 0 adds exactly 0 to the vote: it is not run.
        active = [(name, member, weight) for (name, _), member, weight
                  in zip(self.estimators, self.estimators_, self.weights_) if weight]
        heads = self._predict_heads([(name, member) for name, member, _ in active], X, params)
        total = None
        for name, member, weight in active:
            if name in heads:
                n_steps, Z = heads[name]
                member, X_member = member[n_steps:], Z
            else:
                X_member = X
            proba = weight * np.asarray(
                member.predict_proba(X_member, **routed[name].predict_proba), dtype=np.float64)
            total = proba if total is None else total + proba
        return total

    def _predict_heads(self, members, X, params):
        """``{name: (n_steps, output)}`` of the fitted ``members``' heads
        (`_free_head`), the frames that several of them share computed once
        (`_head_outputs`); a member without such a head predicts from ``X``."""
        if not self._cache_heads:
            return {}
        heads = {}
        for name, member in members:
            head = _free_head(member, params, ("transform",))
            if head is not None:
                heads[name] = head
        outputs = _head_outputs(heads, X, share=self._share_frames)
        return {name: (len(head), outputs[name]) for name, head in heads.items()}

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
        empty = Bunch(fit={}, predict_proba={})
        return {name: empty for name, _ in self.estimators}

    def get_metadata_routing(self):
        """How ``fit``, ``predict`` and ``predict_proba`` metadata reach the members.

        Returns
        -------
        routing : sklearn.utils.metadata_routing.MetadataRouter
        """
        router = MetadataRouter(owner=self).add_self_request(self)
        for name, member in self.estimators:
            router.add(**{name: member}, method_mapping=MethodMapping()
                       .add(caller="fit", callee="fit")
                       .add(caller="predict", callee="predict_proba")
                       .add(caller="predict_proba", callee="predict_proba"))
        return router


def _head_length(member):
    """How many leading steps of a pipeline ``member`` learn nothing and
    resample nothing (loading, trimming, features): 0 for a member that is
    not a pipeline."""
    steps = getattr(member, "steps", None)
    if not steps or not hasattr(member, "__getitem__"):
        return 0
    n_steps = 0
    for _, step in steps[:-1]:
        if step in ("passthrough", None) or (
                not hasattr(step, "fit_resample")
                and not step.__sklearn_tags__().requires_fit):
            n_steps += 1
            continue
        break
    return n_steps


def _free_head(member, params, methods):
    """The pipeline of ``member``'s leading steps that learn nothing
    (`_head_length`), or None where there are none or, with metadata routing
    on, they would take some of ``params`` in ``methods``."""
    n_steps = _head_length(member)
    if n_steps == 0:
        return None
    head = member[:n_steps]
    if params and _routing_enabled():
        routing = head.get_metadata_routing()
        if any(routing.consumes(method, list(params)) for method in methods):
            return None
    return head


def _shared_key(head):
    """The key of the frames a head's first step computes
    (``_shared_frames_key``: skser's `FrameFeatures1D`), or None."""
    key = getattr(head.steps[0][1], "_shared_frames_key", None)
    return key() if key is not None else None


def _head_outputs(heads, X, *, share=True):
    """``{name: head.transform(X)}`` for fitted pipeline heads; heads whose
    first steps compute the same frames (`_shared_key`) compute them once,
    each step finishing its own view (``_transform_shared``), and the rest of
    each head transforms that view (unless ``share`` is False). Bit-identical
    to each head on its own."""
    groups = {}
    for name, head in heads.items():
        key = _shared_key(head) if share else None
        groups.setdefault(("alone", name) if key is None else key, []).append(name)
    outputs = {}
    for names in groups.values():
        if len(names) == 1:
            outputs[names[0]] = heads[names[0]].transform(X)
            continue
        firsts = [heads[name].steps[0][1] for name in names]
        for name, Z in zip(names, type(firsts[0])._transform_shared(firsts, X)):
            head = heads[name]
            outputs[name] = head[1:].transform(Z) if len(head) > 1 else Z
    return outputs


def _weight_grid(n_members):
    """Every weighting of ``n_members`` in steps of `WEIGHT_STEP`, rows summing to 1."""
    steps = int(round(1 / WEIGHT_STEP))
    rows = [c for c in itertools.product(range(steps + 1), repeat=n_members)
            if sum(c) == steps]
    return np.array(rows, dtype=float) / steps

