"""Functionals: statistics that pool a clip's frames into one value per feature.

Each functional is declared once in `FUNCTIONALS` (a name and one function of
a `Pooled` view); `AGGREGATES` names the usual sets. Frames where a feature
is undefined (NaN: F0 of an unvoiced frame) or excluded (digital silence)
are left out of its statistics; a feature with no frame left pools to 0.

Data contract
-------------
input : ``(n_clips, n_frames, n_features)`` float, NaN where a frame does not count.
output : ``(n_clips, n_functionals * n_features)`` float32, functional-major
    (all features' first functional, then the second, ...), named
    ``{feature}_{functional}``.
"""

import functools

import numpy as np

__all__ = ["AGGREGATES", "FUNCTIONALS", "Pooled", "pool"]

#: name -> function(Pooled) -> (n_clips, n_features) float64.
FUNCTIONALS = {}


def functional(name):
    """Declare the functional ``name``: the decorated function computes it."""
    def register(fn):
        FUNCTIONALS[name] = fn
        return fn
    return register


#: Named sets of functionals for ``aggregate``.
AGGREGATES = {
    "mean": ("mean",),
    "mean_std": ("mean", "std"),
    # eGeMAPS' functionals of its low-level descriptors (Eyben et al. 2016):
    # arithmetic mean, spread, the 20th, 50th and 80th percentiles, the range
    # between 20th and 80th, and the linear trend over the utterance.
    "functionals": ("mean", "std", "p20", "p50", "p80", "range20_80", "slope"),
}


class Pooled:
    """What the functionals of one array share, each computed on first use.

    Parameters
    ----------
    values : np.ndarray [shape=(n_clips, n_frames, n_features)]
        NaN marks frames that do not count.
    frame_seconds : float
        Time between frames (for slopes per second).
    """

    def __init__(self, values, *, frame_seconds):
        self.values = values
        self.frame_seconds = frame_seconds

    @functools.cached_property
    def valid(self):
        return ~np.isnan(self.values)

    @functools.cached_property
    def count(self):
        return self.valid.sum(axis=1)

    @functools.cached_property
    def zeroed(self):
        """Values with NaN replaced by 0, float64 (sums over frames drift in float32)."""
        return np.where(self.valid, self.values, 0.0).astype(np.float64)

    def _per_frame(self, total):
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.count > 0, total / self.count, 0.0)

    @functools.cached_property
    def mean(self):
        return self._per_frame(self.zeroed.sum(axis=1))

    @functools.cached_property
    def centred(self):
        return np.where(self.valid, self.zeroed - self.mean[:, np.newaxis], 0.0)

    @functools.cached_property
    def _squared(self):
        return np.square(self.centred)

    def moment(self, k):
        """The k-th central moment (k = 2, 3 or 4), by products, not `np.power`."""
        powers = {2: lambda: self._squared, 3: lambda: self._squared * self.centred,
                  4: lambda: np.square(self._squared)}
        return self._per_frame(powers[k]().sum(axis=1))

    @functools.cached_property
    def sorted(self):
        """Values sorted along frames, NaN last (NumPy's order)."""
        return np.sort(self.values, axis=1)

    def percentile(self, q):
        """Linear-interpolated percentile over valid frames (as `np.nanpercentile`)."""
        position = (q / 100.0) * np.maximum(self.count - 1, 0)
        below = np.floor(position).astype(np.intp)
        above = np.minimum(below + 1, np.maximum(self.count - 1, 0))
        low = np.take_along_axis(self.sorted, below[:, np.newaxis], axis=1)[:, 0]
        high = np.take_along_axis(self.sorted, above[:, np.newaxis], axis=1)[:, 0]
        value = low + (position - below) * (high - low)
        return np.where(self.count > 0, value, 0.0)


@functional("mean")
def _mean(pooled):
    return pooled.mean


@functional("std")
def _std(pooled):
    return np.sqrt(pooled.moment(2))


@functional("p20")
def _p20(pooled):
    return pooled.percentile(20)


@functional("p50")
def _p50(pooled):
    return pooled.percentile(50)


@functional("p80")
def _p80(pooled):
    return pooled.percentile(80)


@functional("range20_80")
def _range20_80(pooled):
    return pooled.percentile(80) - pooled.percentile(20)


@functional("slope")
def _slope(pooled):
    """Least-squares slope over time of the valid frames, per second.

    With ``c`` the values centred over the valid frames (0 elsewhere), the
    slope is ``sum(t * c) / (sum(t**2) - n * mean(t)**2)`` over valid frames.
    """
    t = np.arange(pooled.values.shape[1]) * pooled.frame_seconds
    valid = pooled.valid.astype(np.float64)
    n = pooled.count
    t_sum = np.einsum("t,ntf->nf", t, valid)
    spread = np.einsum("t,ntf->nf", np.square(t), valid) - np.square(t_sum) / np.maximum(n, 1)
    covariance = np.einsum("t,ntf->nf", t, pooled.centred)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(spread > 1e-12 * np.maximum(np.square(t_sum), 1.0),
                        covariance / spread, 0.0)


@functional("skew")
def _skew(pooled):
    var = pooled.moment(2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(var > 0, pooled.moment(3) / np.power(var, 1.5), 0.0)


@functional("kurtosis")
def _kurtosis(pooled):
    """Excess kurtosis (0 for a normal distribution)."""
    var = pooled.moment(2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(var > 0, pooled.moment(4) / np.square(var) - 3.0, 0.0)


def resolve(aggregate):
    """The tuple of functional names ``aggregate`` stands for, or raise a ValueError."""
    if isinstance(aggregate, str):
        if aggregate not in AGGREGATES:
            raise ValueError(
                f"aggregate={aggregate!r} is not one of {sorted(AGGREGATES)}, None, or a "
                f"tuple of functionals from {tuple(FUNCTIONALS)}."
            )
        return AGGREGATES[aggregate]
    names = tuple(aggregate)
    unknown = [n for n in names if n not in FUNCTIONALS]
    if not names or unknown or len(set(names)) != len(names):
        raise ValueError(
            f"aggregate={aggregate!r} must be a non-empty tuple of distinct functionals "
            f"from {tuple(FUNCTIONALS)}" + (f"; unknown: {unknown}." if unknown else ".")
        )
    return names


def pool(values, names, *, frame_seconds):
    """Apply the functionals ``names`` to ``values``; see the module's data contract."""
    pooled = Pooled(values, frame_seconds=frame_seconds)
    return np.concatenate([FUNCTIONALS[n](pooled) for n in names], axis=1).astype(np.float32)
