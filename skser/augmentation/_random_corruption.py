"""RandomCorruption: multi-condition training with the corruption suite.

Data contract
-------------
input and output : ``(n_clips, n_samples)`` waveforms at ``sr``, float32.
groups : ``(n_clips,)`` in ``fit_transform`` only, the speaker (or
recording channel) of each clip, or None.
"""

import math
from collections.abc import Mapping
from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from .._validation import group_rows
from ._base import BaseAugmenter
from ._corruptions import CORRUPTIONS, _fit_length, _resample, check_corruption

__all__ = ["RandomCorruption"]


class RandomCorruption(BaseAugmenter):
    """Alter each training clip by a corruption drawn at random (training only).

    For each chosen clip, one corruption is drawn from ``corruptions``
    (uniformly, or by ``weights``) and its severity uniformly from its
    range (or among its names, for ``telephone``); the clip is altered by `corrupt`, resampled
    back to ``sr`` if the corruption changed the rate, and kept at its
    length. ``babble`` mixes in other clips of the same batch; ``reverb``
    draws rooms of other sizes than the benchmark's (`TRAINING_ROOMS`), so
    that the benchmark tests rooms a model never heard. Put it in
    `AugmentedCopies` to train on the clean clips and altered copies of
    them (multi-condition training). ``transform`` (prediction) returns its
    input unchanged.

    With ``draw="group"`` and ``groups`` given to ``fit_transform`` (as
    `AugmentedCopies` passes the speakers it gets), one corruption and
    severity is drawn per group and applied to all of its clips, each with
    its own noise, room and talkers: one speaker's recordings share a
    channel, as a test speaker's do. That is what a per-speaker scaler
    (`SpeakerStandardScaler`, which standardises each round of a speaker's
    copies as a group of its own) needs to learn what it will see.

    Parameters
    ----------
    corruptions : list of str, dict or None, default=None
        The corruptions to draw from: names from `CORRUPTION_NAMES`, each
        with its own training range (`Corruption.training`), or a dict
        ``{name: range}`` whose range is ``(low, high)`` for a numeric
        severity or a tuple of names for ``telephone``. None means every
        corruption with its training range.
    sr : int, default=16000
        Sampling rate of the input in Hz.
    weights : dict or None, default=None
        Relative weight of drawing each corruption, ``{name: weight}``
        (non-negative numbers); corruptions not named weigh 1. None draws
        every corruption of ``corruptions`` equally often. For audio whose
        channel is known, e.g. ``{"telephone": 4.0}`` for phone calls.
    p : float, default=1.0
        Probability that a clip is altered (with ``draw="group"`` and
        ``groups``: that a group is).
    draw : {"clip", "group"}, default="clip"
        ``"clip"``: a corruption and a severity for each clip, babble from
        every other clip of the batch; ``groups`` are ignored. ``"group"``:
        one for each group of ``groups`` (each clip its own group when
        ``groups`` is None), babble from the clips of the other groups
        (other speakers' voices).
    random_state : int, RandomState instance or None, default=None
        Seed of the draws; an int makes ``fit_transform`` reproducible.

    See Also
    --------
    skser.augmentation.corrupt : one corruption at one severity.

    Examples
    --------
    >>> import numpy as np
    >>> from skser import RandomCorruption
    >>> rng = np.random.default_rng(0)
    >>> X = (0.1 * rng.standard_normal((3, 16000))).astype("float32")
    >>> aug = RandomCorruption(corruptions=["gain", "pink_noise"], random_state=0)
    >>> Xa = aug.fit_transform(X)
    >>> Xa.shape, bool(np.any(Xa != X)), bool(np.all(aug.transform(X) == X))
    ((3, 16000), True, True)

    Phone lines three times as often as each other corruption:

    >>> aug = RandomCorruption(weights={"telephone": 3.0}, random_state=0)
    >>> aug.fit_transform(X).shape
    (3, 16000)

    One channel per speaker:

    >>> aug = RandomCorruption(corruptions=["gain"], draw="group", random_state=0)
    >>> Xa = aug.fit_transform(X, groups=["ann", "ann", "bob"])
    >>> ratio = np.abs(Xa).max(axis=1) / np.abs(X).max(axis=1)
    >>> bool(np.isclose(ratio[0], ratio[1])), bool(np.isclose(ratio[0], ratio[2]))
    (True, False)
    """

    #: Changes when the same parameters draw other copies (issue 21's
    #: hybrid training rooms are 2): benchmarks fold it into the key of
    #: their stored folds, which then get recomputed.
    copies_version = 2


    _parameter_constraints = {
        **BaseAugmenter._parameter_constraints,
        "corruptions": [list, tuple, dict, None],
        "weights": [dict, None],
        "sr": [Interval(Integral, 1, None, closed="left")],
        "draw": [StrOptions({"clip", "group"})],
    }

    def __init__(self, *, corruptions=None, weights=None, sr=16000, p=1.0, draw="clip",
                 random_state=None):
        self.corruptions = corruptions
        self.weights = weights
        self.sr = sr
        self.p = p
        self.draw = draw
        self.random_state = random_state

    def get_metadata_routing(self):
        """Request ``groups`` in ``fit`` (and so ``fit_transform``) only
        with ``draw="group"``, the only draw that reads them.

        Returns
        -------
        routing : sklearn.utils.metadata_routing.MetadataRequest
        """
        request = super().get_metadata_routing()
        if self.draw == "group":
            request.fit.add_request(param="groups", alias=True)
        return request

    def __setstate__(self, state):
        # Models saved before ``draw`` existed drew clip by clip, before
        # ``weights`` existed uniformly.
        super().__setstate__({"draw": "clip", "weights": None, **state})

    def _ranges(self):
        """name -> training range, checked."""
        corruptions = self.corruptions
        if corruptions is None:
            return {name: member.training for name, member in CORRUPTIONS.items()}
        if not isinstance(corruptions, Mapping):
            corruptions = {name: None for name in corruptions}
        if not corruptions:
            raise ValueError("corruptions is empty; name at least one corruption, or pass "
                             "None for all of them.")
        ranges = {}
        for name, bounds in corruptions.items():
            try:
                member = check_corruption(name)
            except ValueError as error:
                raise ValueError(f"corruptions: {error}") from None
            bounds = member.training if bounds is None else tuple(bounds)
            if member.numeric:
                if len(bounds) != 2:
                    raise ValueError(f"the range of {name!r} in corruptions must be "
                                     f"(low, high) in {member.unit}; got {bounds!r}.")
                for bound in bounds:
                    check_corruption(name, bound)
                if bounds[0] > bounds[1]:
                    raise ValueError(f"the range of {name!r} in corruptions is "
                                     f"{bounds!r}: low must not exceed high.")
            else:
                if not bounds:
                    raise ValueError(f"the range of {name!r} in corruptions is empty.")
                for bound in bounds:
                    check_corruption(name, bound)
            ranges[name] = bounds
        return ranges

    def _probabilities(self, names):
        """The probability of drawing each of ``names`` (None: uniform), checked."""
        if self.weights is None:
            return None
        unknown = sorted(set(self.weights) - set(names), key=str)
        if unknown:
            raise ValueError(
                f"weights names {', '.join(map(repr, unknown))}, which corruptions does not "
                f"draw; weigh any of {', '.join(map(repr, names))}.")
        weights = []
        for name in names:
            weight = self.weights.get(name, 1.0)
            if (isinstance(weight, bool) or not isinstance(weight, Real)
                    or not 0 <= weight < math.inf):
                raise ValueError(f"weights[{name!r}] must be a non-negative, finite number; "
                                 f"got {weight!r}.")
            weights.append(float(weight))
        if sum(weights) == 0:
            raise ValueError("weights gives every corruption weight 0; give at least one a "
                             "positive weight.")
        return np.asarray(weights) / sum(weights)

    def _check_params(self):
        super()._check_params()
        self._probabilities(list(self._ranges()))

    def _draw(self, name, bounds, rng):
        member = CORRUPTIONS[name]
        if not member.numeric:
            return bounds[rng.randint(len(bounds))]
        if member.drawn_among is not None:
            # Recordings come at a few usual rates, not at any number in between.
            usual = [r for r in member.drawn_among if bounds[0] <= r <= bounds[1]]
            return int(usual[rng.randint(len(usual))]) if usual else int(bounds[0])
        return float(rng.uniform(bounds[0], bounds[1]))

    def fit_transform(self, X, y=None, groups=None):
        """Return a copy of the training clips, altered at random.

        Parameters
        ----------
        X : np.ndarray [shape=(n_clips, n_samples)]
            Training waveforms at ``sr``.
        y : ignored
        groups : array-like [shape=(n_clips,)] or None, default=None
            Speaker (or channel) of each clip. With ``draw="group"``, the
            clips of a group share one corruption and severity; ignored
            with ``draw="clip"``.

        Returns
        -------
        X_aug : np.ndarray [same shape and dtype as X]
        """
        if groups is None or self.draw == "clip":
            return super().fit_transform(X, y)
        self._check_params()
        X = self._check_X(X).copy()
        rows = group_rows(groups, X.shape[0])
        member = np.empty(X.shape[0], dtype=np.intp)
        for k, r in enumerate(rows):
            member[r] = k
        rng = check_random_state(self.random_state)
        chosen = [r for r in rows if rng.random_sample() < self.p]
        if chosen:
            self._augment(X, rng, chosen, member)
        return X

    def _augment(self, X, rng, groups=None, member=None):
        """Alter ``X`` in place: each clip on its own, or each list of rows
        in ``groups`` with one corruption and severity (``member``: the
        group of every row, for babble from the other groups)."""
        ranges = self._ranges()
        names = list(ranges)
        probabilities = self._probabilities(names)
        n_samples = X.shape[1]
        # Babble mixes the other clips as they were, not as altered here.
        originals = X.copy() if any(CORRUPTIONS[n].needs_sources for n in names) else None
        if groups is None:
            groups = [[i] for i in range(X.shape[0])]
        for rows in groups:
            # Uniform: the draws of models fitted before ``weights`` existed.
            name = (names[rng.randint(len(names))] if probabilities is None
                    else names[rng.choice(len(names), p=probabilities)])
            severity = self._draw(name, ranges[name], rng)
            for i in rows:
                generator = np.random.default_rng(rng.randint(2**31 - 1))
                sources = None
                if CORRUPTIONS[name].needs_sources:
                    # Another talker's voice: a clip of another group, or
                    # (clip by clip) any other clip.
                    sources = [originals[j] for j in range(X.shape[0])
                               if (j != i if member is None else member[j] != member[i])]
                    if not sources:
                        continue
                y = X[i].astype(np.float32)
                options = {"training": True} if CORRUPTIONS[name].trains_apart else {}
                y, sr_out = CORRUPTIONS[name].apply(y, self.sr, severity, generator, sources,
                                                    **options)
                if sr_out != self.sr:
                    y = _resample(np.asarray(y, dtype=np.float32), sr_out, self.sr)
                X[i] = _fit_length(np.asarray(y, dtype=X.dtype), n_samples)
        return X

