"""SpeakerStandardScaler: standardise features per speaker, for 2-D to 4-D input.

Speaker variation (pitch range, loudness, timbre) is the main reason emotion
recognition on unheard speakers is hard: a feature that separates "angry" from
"sad" within one voice is shifted and stretched from voice to voice.
Standardising each speaker's features with that speaker's own statistics
removes most of it.

Data contract
-------------
X : ``(n_clips, ...)`` with 2 to 4 axes, as `StandardScalerND` (same axis
table, same pooling over clips and frames), float32 stays float32.
groups : ``(n_clips,)``, the speaker of each clip (any hashable labels; no
None or NaN), or None.
copy_of : ``(n_clips,)`` in fit only, the clip each row is or copies (skser's
`Pipeline` passes it after `AugmentedCopies`), or None.
output : the same shape and dtype as X.
"""

from numbers import Real

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval

from .._validation import check_feature_array, group_rows
from ._scaler import _BaseScalerND, _moments, _pooled_axes, _scale, _standardise

__all__ = ["SpeakerStandardScaler"]


class SpeakerStandardScaler(_BaseScalerND):
    """Standardise features per speaker; unknown speakers use a learned fallback.

    Statistics are pooled over clips and frames as in `StandardScalerND`
    (one per feature for ``(n_clips, n_features)``, per frame feature for
    ``(n_clips, n_frames, n_features)``, per mel bin and channel for
    ``(n_clips, n_mels, n_frames, n_channels)``), but over one speaker's clips
    at a time. ``groups`` gives the speaker of each clip.

    - ``fit(X, groups=g)`` computes each training speaker's mean and variance
      and keeps a *fallback*: the average of the speakers' means (``mean_``)
      and the root-mean of their variances (``scale_``), what a per-speaker
      standardised feature looks like for a typical speaker. Without groups
      the whole training set is one speaker, and the scaler behaves like
      `StandardScalerND`.
    - ``transform(X, groups=g)`` is **transductive**: the statistics of each
      speaker in ``g`` are computed from that speaker's rows of X, i.e. from
      the unlabelled clips given at prediction (labels are never used, but a
      prediction for one clip depends on the speaker's other clips in X). A
      speaker with few clips is shrunk toward the fallback: with ``n`` clips
      and ``k = prior_clips``, ``mean = (n * mean_speaker + k * mean_) /
      (n + k)`` and ``var = (n * var_speaker + k * var_) / (n + k)``, where
      ``var_speaker`` is the spread around the speaker's own mean.
    - ``transform(X)`` without groups standardises every clip with the
      fallback, silently: a single clip of an unknown speaker is the common
      case at prediction.
    - ``fit_transform(X, groups=g)`` equals ``fit(X, groups=g).transform(X,
      groups=g)``: training clips are standardised exactly as test speakers'
      clips will be, so the classifier sees the same kind of values.

    A feature that is constant within a speaker (and, with ``prior_clips``,
    in the fallback) is only centred, never divided by zero.

    Groups reach the scaler inside a `Pipeline` through scikit-learn's
    metadata routing: the class requests ``groups`` in ``fit`` and
    ``transform`` by default, so with
    ``sklearn.set_config(enable_metadata_routing=True)``::

        pipe.fit(X, y, groups=g)               # per-speaker training statistics
        pipe.predict(X_new, groups=g_new)      # each test speaker's own clips
        pipe.predict(X_new)                    # the fallback
        cross_val_score(pipe, X, y, cv=GroupKFold(5), params={"groups": g})

    With ``cross_val_score``'s default scoring the pipeline's ``score``
    passes each test fold's groups on; a named ``scoring`` (e.g.
    ``"balanced_accuracy"``) calls ``predict`` without them, so test folds
    use the fallback. `skser.evaluation.cross_validate_emotions` always
    passes the test fold's groups to ``predict``. With routing off (the
    default), ``pipe.fit(X, y, scale__groups=g)`` fits per speaker, but
    ``predict`` cannot hand groups to this step (scikit-learn passes its
    keyword arguments to the final classifier, which refuses them); then
    ``pipe.predict(X_new)`` uses the fallback.

    Parameters
    ----------
    with_mean : bool, default=True
        Subtract the (speaker's) mean.
    with_std : bool, default=True
        Divide by the (speaker's) standard deviation.
    prior_clips : float, default=5
        Strength ``k`` of the fallback in a speaker's statistics, in clips: a
        speaker with ``n`` clips gets weight ``n / (n + k)`` on its own
        statistics. 5 keeps a single test clip (``n = 1``, whose own
        variance over clips is 0) mostly on the fallback, while a speaker
        with the 50-60 clips of a RAVDESS or EmoDB speaker is standardised
        with 90 % its own statistics. 0 uses each speaker's statistics alone
        (a 1-clip speaker of 2-D features then comes out as zeros: it is
        only centred).

    Attributes
    ----------
    mean_ : np.ndarray [shape broadcastable to one clip] or None
        Fallback mean: the average of the training speakers' means, with
        singleton axes where statistics were pooled; None when
        ``with_mean=False``.
    var_ : np.ndarray [same shape as mean_] or None
        Fallback variance: the average of the training speakers' variances;
        None when ``with_std=False``.
    scale_ : np.ndarray [same shape as mean_] or None
        ``sqrt(var_)``, 1 where that is 0; None when ``with_std=False``.
    n_speakers_ : int
        Number of speakers seen in fit (1 without groups), each round of
        copies counted apart when fit got ``copy_of``.
    n_features_in_ : int
        ``X.shape[1]`` seen in fit.
    input_shape_ : tuple of int
        Shape of one clip seen in fit; transform requires the same.

    See Also
    --------
    StandardScalerND : the same pooling with one set of statistics for all.

    Examples
    --------
    >>> import numpy as np
    >>> from skser import SpeakerStandardScaler
    >>> rng = np.random.default_rng(0)
    >>> X = np.concatenate([rng.normal(0, 1, (20, 3)), rng.normal(10, 5, (20, 3))])
    >>> groups = ["ann"] * 20 + ["bob"] * 20
    >>> scaler = SpeakerStandardScaler(prior_clips=0).fit(X, groups=groups)
    >>> Xt = scaler.transform(X, groups=groups)
    >>> np.round([Xt[:20].mean(), Xt[20:].mean(), Xt[20:].std()], 6) + 0.0
    array([0., 0., 1.])
    """

    # Requested by default, so that a Pipeline passes groups on as soon as
    # metadata routing is enabled, without a set_*_request call per step.
    # ``copy_of`` comes from skser's Pipeline (the rows AugmentedCopies
    # made), not requested from routing (left to the signature, since
    # DomainStandardScaler's fit does not take it).
    __metadata_request__fit = {"groups": True}
    __metadata_request__transform = {"groups": True}

    _parameter_constraints = {
        **_BaseScalerND._parameter_constraints,
        "prior_clips": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, *, with_mean=True, with_std=True, prior_clips=5):
        self.with_mean = with_mean
        self.with_std = with_std
        self.prior_clips = prior_clips

    # What ``groups`` names, for the messages (`DomainStandardScaler` names
    # recording domains in ``domains``).
    _groups_name = "groups"
    _groups_unit = "speaker"

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, groups=None, copy_of=None):
        """Learn the fallback statistics from each training speaker's.

        Parameters
        ----------
        X : array-like [shape=(n_clips, ...) with 2 to 4 axes]
            Training features.
        y : ignored
        groups : array-like [shape=(n_clips,)] or None, default=None
            Speaker of each clip; None treats all clips as one speaker.
        copy_of : array-like [shape=(n_clips,)] or None, default=None
            For each row, the training clip it is or copies: skser's
            `Pipeline` passes it to a scaler after `AugmentedCopies`, whose
            output is the originals, then one round of copies after
            another. With ``groups``, each speaker's originals and each
            round of that speaker's copies are standardised as groups of
            their own (the ``k``-th row of a clip is in round ``k - 1``): a
            test speaker's recordings share one channel, and so does a round
            of copies altered with one channel per speaker
            (``RandomCorruption(draw="group")``); the originals get the
            statistics of originals alone, as clean test clips do. Ignored
            without ``groups``.

        Returns
        -------
        self : SpeakerStandardScaler
        """
        return self._fit(X, groups, copy_of)

    def _fit(self, X, groups, copy_of=None):
        if not np.isfinite(self.prior_clips):
            raise ValueError(
                f"prior_clips must be a finite number of clips; got {self.prior_clips!r}. "
                f"To ignore the clips given at prediction, call transform without "
                f"{self._groups_name}."
            )
        X = check_feature_array(X, ndims=(2, 3, 4), dtype=None)
        means, variances = zip(*(
            _moments(X[rows], _pooled_axes(X.ndim), with_std=self.with_std)
            for rows in self._rows(groups, X.shape[0], copy_of)
        ))
        self.mean_ = np.mean(means, axis=0)[0] if self.with_mean else None
        if self.with_std:
            self.var_ = np.mean(variances, axis=0)[0]
            self.scale_ = _scale(self.var_)
        else:
            self.var_ = self.scale_ = None
        self.n_speakers_ = len(means)
        self.n_features_in_ = X.shape[1]
        self.input_shape_ = X.shape[1:]
        return self

    def _rows(self, groups, n_clips, copy_of=None):
        """Rows of each speaker (with ``copy_of``: of each speaker's
        originals and of each round of its copies)."""
        rows = group_rows(groups, n_clips, name=self._groups_name, unit=self._groups_unit)
        if groups is None or copy_of is None:
            return rows
        rounds = _copy_rounds(copy_of, n_clips)
        return [r[rounds[r] == k] for r in rows for k in np.unique(rounds[r])]

    def transform(self, X, groups=None):
        """Standardise each speaker's clips with that speaker's statistics.

        Parameters
        ----------
        X : array-like [shape=(n_clips, *input_shape_)]
        groups : array-like [shape=(n_clips,)] or None, default=None
            Speaker of each clip. Each speaker's statistics are computed from
            its rows of X (transductive), shrunk toward the fallback by
            ``prior_clips``. None standardises every clip with the fallback
            learned in fit.

        Returns
        -------
        Xt : np.ndarray [same shape and dtype as X]
        """
        return self._transform(X, groups)

    def _transform(self, X, groups, copy_of=None):
        X = self._check_transform_input(X)
        if groups is None:
            Xt = _standardise(X, self.mean_, self.scale_)
            return self._check_finite(Xt, X, (self.mean_, self.scale_))
        Xt = np.empty_like(X)
        largest = [0.0]
        for rows in self._rows(groups, X.shape[0], copy_of):
            Xs = X[rows]
            mean, scale = self._speaker_statistics(Xs)
            Xt[rows] = _standardise(Xs, mean, scale)
            largest += [np.abs(s).max() for s in (mean, scale) if s is not None]
        return self._check_finite(Xt, X, [np.max(largest)])

    def _speaker_statistics(self, Xs):
        """Mean and scale of one speaker's clips ``Xs``, shrunk toward the
        fallback; None for a statistic that is not applied."""
        mean, var = _moments(Xs, _pooled_axes(Xs.ndim), with_std=self.with_std)
        # Weights rather than (n * s + k * s0) / (n + k): with k = 0 the weight
        # is exactly 1 and a speaker's own mean comes back bit for bit.
        own = Xs.shape[0] / (Xs.shape[0] + self.prior_clips)
        if self.with_mean:
            mean = own * mean[0] + (1.0 - own) * self.mean_
        if self.with_std:
            var = own * var[0] + (1.0 - own) * self.var_
        return (mean if self.with_mean else None), (_scale(var) if self.with_std else None)

    def fit_transform(self, X, y=None, groups=None, copy_of=None):
        """Fit, then standardise the training clips as `transform` would.

        Parameters
        ----------
        X : array-like [shape=(n_clips, ...) with 2 to 4 axes]
            Training features.
        y : ignored
        groups : array-like [shape=(n_clips,)] or None, default=None
            Speaker of each clip; None treats all clips as one speaker.
        copy_of : array-like [shape=(n_clips,)] or None, default=None
            The training clip each row is or copies (see `fit`): with
            ``groups``, each speaker's originals and each round of its
            copies are standardised with their own statistics.

        Returns
        -------
        Xt : np.ndarray [same shape and dtype as X]
        """
        self.fit(X, y, groups=groups, copy_of=copy_of)
        if copy_of is None or groups is None:
            return self.transform(X, groups=groups)
        return self._transform(X, groups, copy_of)


def _copy_rounds(copy_of, n_clips):
    """For each row, how many rows before it copy the same clip: 0 for the
    originals, ``k`` for the ``k``-th round of `AugmentedCopies`."""
    if isinstance(copy_of, (str, bytes)) or not hasattr(copy_of, "__len__"):
        raise TypeError("copy_of must be a sequence holding, for each row, the index of the "
                        f"clip it is or copies; got {type(copy_of).__name__}.")
    copy_of = np.asarray(copy_of)
    if copy_of.shape != (n_clips,):
        raise ValueError(f"copy_of has shape {copy_of.shape} but X has {n_clips} rows; it "
                         "must give, for each row, the clip it is or copies.")
    _, codes = np.unique(copy_of, return_inverse=True)
    order = np.argsort(codes, kind="stable")
    starts = np.r_[0, np.flatnonzero(np.diff(codes[order])) + 1]
    first = np.repeat(starts, np.diff(np.r_[starts, n_clips]))
    rounds = np.empty(n_clips, dtype=np.intp)
    rounds[order] = np.arange(n_clips) - first
    return rounds
