"""RandomCorruption: multi-condition training with the corruption suite.

Data contract
-------------
input and output : ``(n_clips, n_samples)`` waveforms at ``sr``, float32.
"""

from collections.abc import Mapping
from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval

from ._base import BaseAugmenter
from ._corruptions import CORRUPTIONS, _fit_length, _resample, check_corruption

__all__ = ["RandomCorruption"]


class RandomCorruption(BaseAugmenter):
    """Alter each training clip by a corruption drawn at random (training only).

    For each chosen clip, one corruption is drawn uniformly from
    ``corruptions`` and its severity uniformly from its range (or among its
    names, for ``telephone``); the clip is altered by `corrupt`, resampled
    back to ``sr`` if the corruption changed the rate, and kept at its
    length. ``babble`` mixes in other clips of the same batch; ``reverb``
    draws rooms of other sizes than the benchmark's (`TRAINING_ROOMS`), so
    that the benchmark tests rooms a model never heard. Put it in
    `AugmentedCopies` to train on the clean clips and altered copies of
    them (multi-condition training). ``transform`` (prediction) returns its
    input unchanged.

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
    p : float, default=1.0
        Probability that a clip is altered.
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
    """

    #: Changes when the same parameters draw other copies (issue 21's
    #: hybrid training rooms are 2): benchmarks fold it into the key of
    #: their stored folds, which then get recomputed.
    copies_version = 2


    _parameter_constraints = {
        **BaseAugmenter._parameter_constraints,
        "corruptions": [list, tuple, dict, None],
        "sr": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, *, corruptions=None, sr=16000, p=1.0, random_state=None):
        self.corruptions = corruptions
        self.sr = sr
        self.p = p
        self.random_state = random_state

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

    def _check_params(self):
        super()._check_params()
        self._ranges()

    def _draw(self, name, bounds, rng):
        member = CORRUPTIONS[name]
        if not member.numeric:
            return bounds[rng.randint(len(bounds))]
        if member.drawn_among is not None:
            # Recordings come at a few usual rates, not at any number in between.
            usual = [r for r in member.drawn_among if bounds[0] <= r <= bounds[1]]
            return int(usual[rng.randint(len(usual))]) if usual else int(bounds[0])
        return float(rng.uniform(bounds[0], bounds[1]))

    def _augment(self, X, rng):
        ranges = self._ranges()
        names = list(ranges)
        n_samples = X.shape[1]
        # Babble mixes the other clips as they were, not as altered here.
        originals = X.copy() if any(CORRUPTIONS[n].needs_sources for n in names) else None
        for i in range(X.shape[0]):
            name = names[rng.randint(len(names))]
            severity = self._draw(name, ranges[name], rng)
            generator = np.random.default_rng(rng.randint(2**31 - 1))
            sources = [originals[j] for j in range(X.shape[0]) if j != i] \
                if CORRUPTIONS[name].needs_sources else None
            if CORRUPTIONS[name].needs_sources and not sources:
                continue
            y = X[i].astype(np.float32)
            options = {"training": True} if CORRUPTIONS[name].trains_apart else {}
            y, sr_out = CORRUPTIONS[name].apply(y, self.sr, severity, generator, sources,
                                                **options)
            if sr_out != self.sr:
                y = _resample(np.asarray(y, dtype=np.float32), sr_out, self.sr)
            X[i] = _fit_length(np.asarray(y, dtype=X.dtype), n_samples)
        return X

