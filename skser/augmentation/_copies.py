"""AugmentedCopies: originals plus augmented copies, X and y kept aligned.

A sampler (``fit_resample``) for `imblearn.pipeline.Pipeline`, which calls it
while fitting and skips it while predicting or scoring.

Data contract
-------------
input : X with ``n_clips`` rows (an array whose first axis indexes clips, or a
    list of waveforms) and y of length ``n_clips``.
output : X with ``n_clips * (1 + n_copies * n_augmenters)`` rows, same
    trailing shape and dtype, the originals first; y repeated to match, and
    ``sample_indices_`` (the input row of each output row), by which
    `skser.pipeline.Pipeline` repeats ``sample_weight`` and ``groups`` too.
groups : ``(n_clips,)``, the speaker of each clip, or None; handed to the
    augmenters whose ``fit_transform`` takes it.
"""

from collections.abc import Mapping
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval

from .._validation import _describe, method_takes

__all__ = ["AugmentedCopies"]


def _reseed(estimator, rng):
    """Give every ``random_state`` parameter of ``estimator`` a fresh int seed,
    including those of steps nested in a Pipeline."""
    names = [
        name for name in estimator.get_params()
        if name == "random_state" or name.endswith("__random_state")
    ]
    return estimator.set_params(**{name: int(rng.randint(2**31 - 1)) for name in names})


def _augment(augmenter, X, y, groups):
    """``augmenter.fit_transform(X, y)``, with ``groups`` for an augmenter
    (or a step of a Pipeline of augmenters) whose ``fit_transform`` takes
    them."""
    if groups is None:
        return augmenter.fit_transform(X, y)
    if isinstance(augmenter, Pipeline):
        for _, step in augmenter.steps:
            if step is not None and not (isinstance(step, str) and step == "passthrough"):
                X = _augment(step, X, y, groups)
        return X
    if method_takes(augmenter, "fit_transform", "groups"):
        return augmenter.fit_transform(X, y, groups=groups)
    return augmenter.fit_transform(X, y)


def _length(X, name, expected):
    """``len(X)``, or a TypeError saying what ``X`` should have been."""
    try:
        if isinstance(X, (str, bytes, Mapping)):
            raise TypeError
        return len(X)
    except TypeError:
        raise TypeError(f"{name} must be {expected}; got {_describe(X)}.") from None


class AugmentedCopies(BaseEstimator):
    """Append augmented copies of the training clips (training only).

    For each of ``n_copies`` rounds and each augmenter, the whole training
    set is augmented once (the augmenter's ``fit_transform``) and appended
    after the originals, with the labels repeated. The course projects trained this way:
    originals plus noisy and shifted copies (1-D), or plus frequency-masked
    copies (2-D).

    Use it as a step of `imblearn.pipeline.Pipeline` (which
    `make_ser_pipeline` returns): that Pipeline applies samplers during
    ``fit`` only, so prediction and scoring see the original clips, one row
    each. A plain `sklearn.pipeline.Pipeline` refuses the step, since a
    scikit-learn transformer cannot change y. In skser's `Pipeline`, per-sample
    fit parameters of the later steps (``clf__sample_weight``, or ``groups``
    with metadata routing) are repeated like y, by ``sample_indices_``;
    imbalanced-learn's own Pipeline would pass them on with the length of
    the originals.

    Parameters
    ----------
    augmenters : estimator or list of estimators
        Augmenters (`AddNoise`, `TimeShift`, `FrequencyMask`, `TimeMask`,
        `RandomCorruption`, or a Pipeline chaining several, or any
        transformer whose ``fit_transform`` keeps the number of rows). Those
        whose ``fit_transform`` takes ``groups`` (also as steps of a
        Pipeline) get the speakers given to `fit_resample`.
    n_copies : int, default=1
        Rounds of copies; the output has ``1 + n_copies * len(augmenters)``
        times as many rows as the input.
    random_state : int, RandomState instance or None, default=None
        Seeds every copy: each augmenter's ``random_state`` is replaced by a
        seed drawn from this, so copies differ from each other and an int makes
        the result reproducible.

    Attributes
    ----------
    sample_indices_ : np.ndarray [shape=(n_out,)]
        Set by `fit_resample`: for each output row, the index of the input
        row it copies (``0 .. n_clips - 1``, repeated ``1 + n_copies *
        len(augmenters)`` times), as in imbalanced-learn's samplers.

    Examples
    --------
    >>> import numpy as np
    >>> from skser import AddNoise, AugmentedCopies, TimeShift
    >>> X, y = np.zeros((4, 100), dtype="float32"), np.array(["a", "b", "a", "b"])
    >>> copies = AugmentedCopies(augmenters=[AddNoise(), TimeShift(sr=100)], random_state=0)
    >>> Xr, yr = copies.fit_resample(X, y)
    >>> Xr.shape, yr[:6].tolist(), copies.sample_indices_[:6].tolist()
    ((12, 100), ['a', 'b', 'a', 'b', 'a', 'b'], [0, 1, 2, 3, 0, 1])
    """

    _parameter_constraints = {
        "augmenters": [list, tuple, HasMethods(["fit_transform"])],
        "n_copies": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, *, augmenters, n_copies=1, random_state=None):
        self.augmenters = augmenters
        self.n_copies = n_copies
        self.random_state = random_state

    def _augmenter_list(self):
        augmenters = self.augmenters
        if not isinstance(augmenters, (list, tuple)):
            augmenters = [augmenters]
        if not augmenters:
            raise ValueError("augmenters is empty; give at least one augmenter.")
        for aug in augmenters:
            if not hasattr(aug, "fit_transform"):
                raise TypeError(
                    f"augmenters must be estimators with fit_transform; got {aug!r}."
                )
        return augmenters

    def get_metadata_routing(self):
        """Request ``groups`` for `fit_resample` when an augmenter consumes
        them in ``fit`` (``RandomCorruption(draw="group")``, also as a
        step of a Pipeline), and refuse them otherwise.

        Returns
        -------
        routing : sklearn.utils.metadata_routing.MetadataRequest
        """
        # imbalanced-learn adds fit_resample to the routed methods.
        import imblearn.base  # noqa: F401
        from sklearn.utils.metadata_routing import get_routing_for_object

        request = super().get_metadata_routing()
        wanted = any(hasattr(a, "get_metadata_routing")
                     and get_routing_for_object(a).consumes("fit", ["groups"])
                     for a in self._augmenter_list())
        request.fit_resample.add_request(param="groups", alias=bool(wanted))
        return request

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Validate the parameters; nothing is learned.

        Parameters
        ----------
        X : array-like or list [n_clips rows]
        y : array-like [shape=(n_clips,)] or None

        Returns
        -------
        self : AugmentedCopies
        """
        self._augmenter_list()
        return self

    def fit_resample(self, X, y=None, groups=None, **params):
        """Return the originals followed by their augmented copies.

        Parameters
        ----------
        X : np.ndarray [shape=(n_clips, ...)] or list of n_clips waveforms
            Training clips.
        y : array-like [shape=(n_clips,)] or None
            Labels, repeated for the copies.
        groups : array-like [shape=(n_clips,)] or None, default=None
            Speaker of each clip, for the augmenters whose ``fit_transform``
            takes ``groups`` (``RandomCorruption(draw="group")`` alters one
            speaker's clips through one channel); reaches this step by
            metadata routing when an augmenter asks for it.
        **params : dict
            Ignored; accepted for imbalanced-learn's metadata routing. The
            Pipeline repeats the parameters of the steps after this one by
            ``sample_indices_``.

        Returns
        -------
        X_resampled : np.ndarray [shape=(n_out, ...)] or list of n_out waveforms
            ``n_out = n_clips * (1 + n_copies * len(augmenters))``.
        y_resampled : np.ndarray [shape=(n_out,)] or None
        """
        self.fit(X, y)
        n_clips = _length(
            X, "X", "an array whose first axis indexes clips, or a list of waveforms"
        )
        n_labels = n_clips if y is None else _length(y, "y", "an array of labels, one per clip")
        if n_labels != n_clips:
            raise ValueError(f"X has {n_clips} clips but y has {n_labels} labels.")
        rng = check_random_state(self.random_state)
        parts = [X]
        for _ in range(self.n_copies):
            for aug in self._augmenter_list():
                Xa = _augment(_reseed(clone(aug), rng), X, y, groups)
                if len(Xa) != n_clips:
                    raise ValueError(
                        f"augmenter {aug!r} returned {len(Xa)} clips for {n_clips}; "
                        "augmenters must keep the number of rows."
                    )
                parts.append(Xa)
        if isinstance(X, list):
            X_out = [clip for part in parts for clip in part]
        else:
            X_out = np.concatenate([np.asarray(p) for p in parts], axis=0)
        y_out = None if y is None else np.concatenate([np.asarray(y)] * len(parts))
        self.sample_indices_ = np.tile(np.arange(n_clips), len(parts))
        return X_out, y_out
