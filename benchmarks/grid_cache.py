"""A grid search over classifier parameters, with and without a feature cache.

    python benchmarks/grid_cache.py            # about 3 minutes on 2 cores
    python benchmarks/grid_cache.py --quick    # a smaller corpus and grid, under a minute

A `GridSearchCV` over classifier parameters refits the whole pipeline for
every candidate, so without a cache it loads, trims and computes the features
of each training fold once per candidate, although only the classifier
changes. With ``make_ser_pipeline(..., memory=folder)`` scikit-learn's
Pipeline caches each step's fit in a `joblib.Memory`: the first candidate of
each fold computes, the others read the result back. Two grids, each on the
demo corpus (`make_emotional_speech`, speaker-grouped 3-fold CV):

- CNN: ``make_ser_pipeline("2d", model="lenet5", features__n_mels=64,
  features__hop_length=512, clf__epochs=5)`` over ``clf__learning_rate`` x
  ``clf__dropout`` (4 candidates; 2 with ``--quick``): training dominates;
- SVC: ``make_ser_pipeline("1d", augment=False)`` with
  ``FrameFeatures1D(aggregate="mean_std")`` and an `SVC` over ``C``
  (4 candidates): feature extraction dominates.

Both with ``random_state=0`` (so that scores can be compared) and with their
load, trim, features and classifier steps replaced by subclasses that count
and time their calls (same parameters, same results).

Each grid runs three ways: ``memory=None``; ``memory=<temporary folder>``
(empty at the start); and, for reference, the stateless steps (load, trim,
features) applied once to the whole corpus outside the search, with the grid
over the remaining steps (what caching can at best approach: a Pipeline caches
fitting only, so scoring still loads and transforms each test fold once per
candidate). Printed: wall time and its ratio against ``memory=None``; the
same for the time outside the classifier's ``fit`` and ``predict`` (loading,
features, scaling, augmentation and the cache's own work: what caching can
change, and less noisy than the total when training dominates); calls and
seconds of the feature step and of load+trim; the peak resident memory of
the run (TensorFlow included; all runs share one process); the size of the
cache; and whether the scores equal the uncached ones. A second table prices what joblib pays per
cached step on a cache hit: hashing the step's input (a list of file paths is
cheap; waveforms and feature arrays are hashed in full) and reading its
output back, against computing the step. The cache folder is deleted at the
end.
"""

import argparse
import logging
import os
import shutil
import tempfile
import time
from collections import defaultdict

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
logging.getLogger("tensorflow").setLevel(logging.ERROR)  # retracing warnings: one model per fit

import joblib  # noqa: E402
import numpy as np  # noqa: E402
from imblearn.pipeline import Pipeline, _fit_resample_one, _fit_transform_one  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import GridSearchCV, GroupKFold  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

from _common import (  # noqa: E402
    machine, median, peak_rss_mib, print_table, rss_mib, time_call,
)
from skser import (  # noqa: E402
    AudioLoader, CNNClassifier, FrameFeatures1D, MelSpectrogram2D, TrimPad, make_ser_pipeline,
)
from skser.datasets import make_emotional_speech  # noqa: E402

N_FOLDS = 3
# step -> [calls of transform, seconds in transform]; a cache hit calls nothing.
STATS = defaultdict(lambda: [0, 0.0])


class _Timed:
    """Counts and times ``transform`` (``fit_transform`` of these stateless
    steps is ``fit``, which only validates, then ``transform``)."""

    _step = None

    def transform(self, X):
        start = time.perf_counter()
        try:
            return super().transform(X)
        finally:
            stats = STATS[self._step]
            stats[0] += 1
            stats[1] += time.perf_counter() - start


# Module-level classes, so that joblib can pickle (hash) them.
class TimedLoader(_Timed, AudioLoader):
    _step = "load"


class TimedTrimPad(_Timed, TrimPad):
    _step = "trim"


class TimedMel(_Timed, MelSpectrogram2D):
    _step = "features"


class TimedFrames(_Timed, FrameFeatures1D):
    _step = "features"


class _TimedClf:
    """Times ``fit`` and ``predict`` (which ``score`` calls) of the classifier."""

    def _timed(self, method, *args):
        start = time.perf_counter()
        try:
            return getattr(super(), method)(*args)
        finally:
            STATS["clf"][1] += time.perf_counter() - start

    def fit(self, X, y):
        return self._timed("fit", X, y)

    def predict(self, X):
        return self._timed("predict", X)


class TimedCNN(_TimedClf, CNNClassifier):
    pass


class TimedSVC(_TimedClf, SVC):
    pass


def cnn_pipeline(memory, epochs):
    return make_ser_pipeline(
        "2d", memory=memory, random_state=0, load=TimedLoader(), trim=TimedTrimPad(),
        features=TimedMel(n_mels=64, hop_length=512),
        clf=TimedCNN(model="lenet5", epochs=epochs, random_state=0),
    )


def svc_pipeline(memory):
    return make_ser_pipeline(
        "1d", augment=False, memory=memory, random_state=0,
        load=TimedLoader(), trim=TimedTrimPad(),
        features=TimedFrames(aggregate="mean_std"), clf=TimedSVC(),
    )


def folder_mb(path):
    return sum(
        os.path.getsize(os.path.join(root, name))
        for root, _, names in os.walk(path) for name in names
    ) / 1e6


def split_at_features(pipe):
    """The steps up to the features, which learn nothing, and the rest."""
    names = [name for name, _ in pipe.steps]
    i = names.index("features") + 1
    front = [(n, s) for n, s in pipe.steps[:i] if s != "passthrough"]
    assert not any(hasattr(s, "fit_resample") for _, s in front), "augmentation before features"
    return Pipeline(front), Pipeline(pipe.steps[i:])


def run_grid(name, make_pipeline, grid, data, cache_root):
    """One grid, three ways; returns the table rows."""
    paths, labels, groups = data
    cv = GroupKFold(n_splits=N_FOLDS)
    cache = os.path.join(cache_root, name)

    def searched(memory):
        search = GridSearchCV(make_pipeline(memory), grid, cv=cv, n_jobs=1)
        return search.fit(paths, labels, groups=groups)

    def precomputed():
        # Stateless steps applied to the whole corpus leak nothing from the
        # test folds into training.
        front, rest = split_at_features(make_pipeline(None))
        X = front.fit_transform(paths, labels)
        return GridSearchCV(rest, grid, cv=cv, n_jobs=1).fit(X, labels, groups=groups)

    runs = {}
    for label, fn in (("memory=None", lambda: searched(None)),
                      ("memory=<folder>", lambda: searched(cache)),
                      ("features once, outside the search", precomputed)):
        STATS.clear()
        out = {}
        # The RSS high-water mark costs nothing to read, unlike tracemalloc,
        # so time and peak memory come from the same run.
        peak = peak_rss_mib(lambda: out.update(seconds=median(time_call(
            lambda: out.update(search=fn()), repeat=1, warmup=0))))
        runs[label] = (out["seconds"], {k: tuple(v) for k, v in STATS.items()},
                       out["search"], peak)

    base_seconds, base_stats, base_search, _ = runs["memory=None"]
    base_rest = base_seconds - base_stats.get("clf", (0, 0.0))[1]
    base_scores = base_search.cv_results_["mean_test_score"]
    rows = []
    for label, (seconds, stats, search, peak) in runs.items():
        f_calls, f_seconds = stats.get("features", (0, 0.0))
        load_calls, load_seconds = stats.get("load", (0, 0.0))
        trim_seconds = stats.get("trim", (0, 0.0))[1]
        clf_seconds = stats.get("clf", (0, 0.0))[1]
        same = np.array_equal(search.cv_results_["mean_test_score"], base_scores)
        rows.append([
            label, f"{seconds:.1f}", f"{seconds / base_seconds:.2f}",
            f"{seconds - clf_seconds:.1f}", f"{(seconds - clf_seconds) / base_rest:.2f}",
            f_calls, f"{f_seconds:.1f}", load_calls, f"{load_seconds + trim_seconds:.1f}",
            f"{peak:.0f}", f"{folder_mb(cache):.0f}" if label == "memory=<folder>" else "-",
            "yes" if same else "no",
        ])
    return rows


def nbytes(X):
    if isinstance(X, list):
        return sum(len(x) if isinstance(x, str) else np.asarray(x).nbytes for x in X)
    return np.asarray(X).nbytes


def hashing_costs(make_pipeline, data, cache_root):
    """Per cached step, on the first training fold: hash the step's input,
    a cache hit (hash every argument, read the output back), computing it.
    The cached functions are the ones the Pipeline caches."""
    paths, labels, groups = data
    train, _ = next(GroupKFold(n_splits=N_FOLDS).split(paths, labels, groups))
    X, y = [paths[i] for i in train], labels[train]
    memory = joblib.Memory(os.path.join(cache_root, "hashing"), verbose=0)
    rows = []
    for name, step in make_pipeline(None).steps[:-1]:
        if step == "passthrough":
            continue
        if hasattr(step, "fit_resample"):
            fn, args = _fit_resample_one, (clone(step), X, y)
        else:
            fn, args = _fit_transform_one, (clone(step), X, y, None)
        start = time.perf_counter()
        out = fn(*args, params={})
        t_compute = time.perf_counter() - start
        t_hash = median(time_call(lambda: joblib.hash(X), repeat=3, warmup=0))
        cached = memory.cache(fn)
        cached(*args, params={})  # fills the cache
        t_hit = median(time_call(lambda: cached(*args, params={}), repeat=3, warmup=0))
        rows.append([
            name, type(X).__name__, f"{nbytes(X) / 1e6:.1f}", f"{t_compute:.3f}",
            f"{t_hash:.3f}", f"{t_hit:.3f}", f"{t_hash / t_compute:.2f}",
            f"{t_hit / t_compute:.2f}",
        ])
        X = out[0]
        if len(out) == 3:
            y = out[1]
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="3 speakers x 2 clips per emotion, 2 CNN candidates, 1 epoch")
    args = parser.parse_args()
    n_speakers, n_per_class, epochs = (3, 2, 1) if args.quick else (6, 8, 5)
    cnn_grid = {"clf__learning_rate": [1e-3, 3e-3]}
    if not args.quick:
        cnn_grid["clf__dropout"] = [0.2, 0.4]
    svc_grid = {"clf__C": [0.1, 1.0, 10.0, 100.0]}

    print(machine())
    tmp = tempfile.mkdtemp(prefix="skser-grid-cache-")
    try:
        corpus = make_emotional_speech(os.path.join(tmp, "corpus"), n_speakers=n_speakers,
                                       n_per_class=n_per_class, random_state=0)
        data = ([str(p) for p in corpus.filenames], np.asarray(corpus.target),
                np.asarray(corpus.groups))
        print(f"demo corpus: {len(data[0])} clips, {n_speakers} speakers, "
              f"{len(corpus.target_names)} emotions; GroupKFold({N_FOLDS}) over speakers\n")
        # Warm-up outside every timing: TensorFlow import and first trace,
        # librosa's lazy imports, the page cache.
        cnn_pipeline(None, 1).fit(data[0][:24], data[1][:24])
        svc_pipeline(None).fit(data[0][:24], data[1][:24])

        columns = ["run", "s", "x memory=None", "s outside clf", "outside clf x memory=None",
                   "feature calls", "feature s",
                   "load calls", "load+trim s", "peak RSS MiB", "cache MB", "same scores"]
        n_cnn = int(np.prod([len(v) for v in cnn_grid.values()]))
        print(f"## CNN grid: LeNet-5, {n_cnn} candidates x {N_FOLDS} folds, "
              f"{epochs} epoch(s) per fit\n")
        print_table(run_grid("cnn", lambda m: cnn_pipeline(m, epochs), cnn_grid, data, tmp),
                    columns)
        print(f"\n## SVC grid: FrameFeatures1D(aggregate=\"mean_std\") + SVC, "
              f"{len(svc_grid['clf__C'])} candidates x {N_FOLDS} folds\n")
        print_table(run_grid("svc", svc_pipeline, svc_grid, data, tmp), columns)

        hash_columns = ["step", "input", "input MB", "compute s", "hash input s", "cache hit s",
                        "hash x compute", "hit x compute"]
        for name, make in (("2-D (CNN grid)", lambda m: cnn_pipeline(m, epochs)),
                           ("1-D (SVC grid)", svc_pipeline)):
            print(f"\n## What a cache hit costs, {name} pipeline, one training fold\n")
            print_table(hashing_costs(make, data, tmp), hash_columns)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\npeak RSS of this process: {rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
