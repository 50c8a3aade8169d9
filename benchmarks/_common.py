"""Shared helpers of the performance benchmarks: timing, peak memory, the
machine, and a plain-text table.

Every figure a benchmark prints is a ratio against a baseline measured in the
same run, so figures from different machines can be compared by their ratios
even when the absolute times differ.

Timing and memory are measured in separate runs: `tracemalloc` slows Python
code, so it would distort the times it sat beside.
"""

import os
import platform
import statistics
import time
import tracemalloc
from pathlib import Path

__all__ = [
    "CANDIDATES",
    "ONE_THREAD",
    "PRETRAINED_STATS",
    "SHARED_DATA",
    "machine",
    "median",
    "one_thread_environment",
    "peak_rss_mib",
    "peak_traced_mib",
    "pretrained_stats_pipeline",
    "print_table",
    "rss_mib",
    "statistics_gate",
    "fit_with_speakers",
    "statistics_before_issue_13",
    "time_call",
    "with_epochs",
]


def _retrimmed_corruptions(**params):
    """The robust statistics model's ``augment__augmenters`` as
    `make_ser_pipeline` builds them (`RandomCorruption`, then `TrimPad`
    again), with ``params`` set on the `RandomCorruption`."""
    from sklearn.base import clone

    from skser import make_ser_pipeline

    augmenters = clone(make_ser_pipeline("stats").named_steps["augment"].augmenters)
    for augmenter in augmenters:
        augmenter.steps[0][1].set_params(**params)
    return augmenters


def narrowband_experts(kind):
    """The ``clf`` step of ``make_ser_pipeline(kind, narrowband_expert=True)``
    (the candidates' seed), its `BandwidthExperts`."""
    from skser import make_ser_pipeline

    return make_ser_pipeline(kind, narrowband_expert=True, random_state=0).named_steps["clf"]


def statistics_gate():
    """The robust statistics model's classifier as `make_ser_pipeline`
    builds it (its `ConditionGatedClassifier`)."""
    from skser import make_ser_pipeline

    return make_ser_pipeline("stats").named_steps["clf"]


#: Candidates: a change to a row of the accuracy benchmarks, measured on that
#: row's folds (robustness.py, cross_corpus.py): before it is adopted, or
#: after, as the row was, kept beside it. name -> (the row, the change as
#: ``set_params``). Adopting one: make `make_ser_pipeline` build the change,
#: rename the candidate's stored folds to the row's and the row's to the
#: reverse change's name (the keys match once the row is built so: they
#: digest the parameters, not the name).
CANDIDATES = {
    # The default before its statistics member read root cepstra (adopted
    # 2026-12-07, as benchmarks/member_roots.py chose on the nested inner
    # splits): its folds, beside the default's.
    "default-log-cepstra": ("default", {"clf__stats__features__cepstral_root": None}),
    # The statistics model's copies with phone lines, MP3 and Opus drawn
    # twice as often as each other corruption, as robust_search.py chose on
    # the nested inner splits (its "channels" cache, 2026-12-07).
    "stats-channels": ("stats", {"augment__augmenters": _retrimmed_corruptions(
        weights={"telephone": 2.0, "mp3": 2.0, "opus": 2.0})}),
    # The default whose statistics member classifies with the statistics
    # model's gated experts and reads root contrast too, on the ensemble's
    # shared copies, as benchmarks/member_gate.py chose on the nested inner
    # splits (2026-12-07).
    "default-gated-member": ("default", {
        "clf__stats__clf": statistics_gate(),
        "clf__stats__features__contrast_root": 3.0}),
    # The statistics model pooling its statistics over the voiced frames, as
    # benchmarks/voiced_pooling.py chose on the nested inner splits
    # (2026-12-08).
    "stats-voiced": ("stats", {"features__pool_frames": "voiced"}),
    # The statistics model with a narrowband expert for band-limited clips
    # (make_ser_pipeline("stats", narrowband_expert=True)), as
    # benchmarks/bandwidth_experts.py chose on the nested inner splits
    # (2026-12-08): every step after the loader moves into the clf step's
    # BandwidthExperts.
    "stats-bandwidth": ("stats", {
        **dict.fromkeys(("trim", "augment", "level", "features", "scale"), "passthrough"),
        "clf": narrowband_experts("stats")}),
}

#: What a candidate's change is, where its ``set_params`` values are whole
#: pipelines (the tables print these in place of their reprs).
CANDIDATE_CHANGES = {
    "stats-bandwidth": "make_ser_pipeline(\"stats\", narrowband_expert=True): the loader, then "
                       "BandwidthExperts of the statistics model as built (wideband) and of "
                       "BandPass (300-3400 Hz) in front of a clone of it (narrowband)",
}

#: The row of skser's pretrained model's recipe until 2026-12-07, kept
#: beside ``pretrained`` (the recipe now: the default ensemble, adapting).
PRETRAINED_STATS = "pretrained-stats"


def pretrained_stats_pipeline(*, random_state=0):
    """The recipe skser shipped until 2026-12-07, as
    `benchmarks/transfer_search.py --robust` chose it among statistics
    models (nested leave-one-corpus-out, six classes): the robust statistics
    model adapting per recording domain, on eGeMAPS' families among skser's
    frame features without HNR, jitter and shimmer, with deltas (252
    columns), log cepstra, C = 0.01, two altered copies per clip not trimmed
    again and one logistic regression. Built exactly as it was, so its
    stored folds keep their keys."""
    from skser import make_ser_pipeline
    from skser.pipeline import KINDS

    stats = KINDS["stats"]
    pipeline = make_ser_pipeline(
        "stats", adapt=True, n_copies=2, random_state=random_state,
        features__features=("f0", "voicing", "voiced", "loudness", "slope", "alpha_ratio",
                            "hammarberg", "flux", "mfcc"),
        features__n_mfcc=5, features__deltas=True, features__cepstral_root=None,
        features__contrast_root=None, clf__C=0.01,
        clf=stats.classifier(None, random_state))
    return pipeline.set_params(
        augment__augmenters=stats.augmenters(pipeline.named_steps["trim"].sr, True, False))


#: BLAS, OpenMP and TensorFlow's thread pools on one thread: the
#: single-core figures of the latency benchmarks.
ONE_THREAD = {
    "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1",
}


def one_thread_environment():
    """Set `ONE_THREAD` (and hide any GPU: CPU figures everywhere) in this
    process's environment, inherited by its subprocesses. Call it before
    anything imports NumPy or TensorFlow: they size their thread pools when
    they initialise."""
    os.environ.update(ONE_THREAD)
    os.environ["CUDA_VISIBLE_DEVICES"] = ""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def with_epochs(pipeline, epochs):
    """``pipeline`` with every network in it (``...clf__epochs``, the ensemble's
    member too) set to train for ``epochs``: a smoke run, or a model whose
    prediction cost, not its accuracy, is measured."""
    return pipeline.set_params(**{k: epochs for k in pipeline.get_params()
                                  if k.endswith("clf__epochs")})


def fit_with_speakers(pipeline, X, y, groups):
    """``pipeline.fit(X, y)``, with ``groups`` (each clip's speaker) routed
    to the steps whose fit takes them, as `skser train` does: the ensemble
    weighs its vote on an inner split over these speakers."""
    import sklearn

    from skser.evaluation._cross_validation import _requests_groups

    if not _requests_groups(pipeline, "fit"):
        return pipeline.fit(X, y)
    with sklearn.config_context(enable_metadata_routing=True):
        return pipeline.fit(X, y, groups=groups)


def statistics_before_issue_13(*, random_state=None, calibration_folds=3):
    """`make_ser_pipeline` settings that rebuild the statistics pipeline as it
    was before issue 13, the baseline the new default is measured from: mean
    and standard deviation over every frame of the course recipe's seven
    frame features, standardised, and an RBF SVC (C=10, balanced classes)
    calibrated for probabilities on ``calibration_folds`` folds.

    ``make_ser_pipeline("stats", **statistics_before_issue_13())`` builds it.
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.svm import SVC

    return {
        # Neither the level step nor the altered copies of issue 21.
        "robust": False,
        "features__features": ("zcr", "energy", "rms", "mfcc", "chroma", "contrast", "mel"),
        "features__deltas": (), "features__aggregate": "mean_std",
        "features__skip_silent_frames": False,
        "clf": CalibratedClassifierCV(
            SVC(C=10.0, class_weight="balanced", random_state=random_state),
            cv=calibration_folds, ensemble=False),
    }


#: The shared corpora (``../shared/data`` beside the repository), if present.
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def time_call(fn, *, repeat=5, warmup=1):
    """Wall-clock seconds of ``repeat`` calls of ``fn()``, after ``warmup`` calls.

    Returns
    -------
    times : list of float
        One duration per call; report the median (and a spread) of these.
    """
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def median(times):
    return statistics.median(times)


def peak_traced_mib(fn):
    """Peak memory allocated while ``fn()`` runs, in MiB, by `tracemalloc`.

    Counts Python objects and NumPy arrays (NumPy reports its buffers to
    tracemalloc); not memory held by native libraries such as TensorFlow,
    for which see `rss_mib`. The peak is relative to the start of the call,
    so data that existed before it is not counted.
    """
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return (peak - base) / 2**20


def rss_mib():
    """Peak resident set size of this process so far, in MiB (Linux, macOS)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return peak / 2**20 if platform.system() == "Darwin" else peak / 2**10


def _reset_peak_rss():
    """Return freed heap to the system and reset this process's resident
    high-water mark (Linux only); False where that is not possible."""
    import ctypes

    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return True


def _proc_status_kib(key):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(key))


def peak_rss_mib(fn, *, growth=False):
    """Peak resident set size while ``fn()`` runs, in MiB.

    Counts what `tracemalloc` cannot see (native buffers: soxr's output,
    TensorFlow). On Linux the high-water mark is reset first, so this is the
    peak of this call; ``growth=True`` subtracts the resident size at the
    start. Elsewhere: the process's peak so far, or None with ``growth``.
    """
    reset = _reset_peak_rss()
    start = _proc_status_kib("VmRSS:") if reset else None
    fn()
    if not reset:
        return None if growth else rss_mib()
    peak = _proc_status_kib("VmHWM:")
    return (peak - start) / 1024 if growth else peak / 1024


def machine():
    """One line naming the CPU, core count and the versions that set speed."""
    import librosa
    import numpy
    import scipy
    import sklearn

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{cpu}, {cores} cores; Python {platform.python_version()}, "
        f"NumPy {numpy.__version__}, SciPy {scipy.__version__}, "
        f"librosa {librosa.__version__}, scikit-learn {sklearn.__version__}"
    )


def print_table(rows, columns):
    """Print ``rows`` (sequences of cells) under ``columns`` as a Markdown table."""
    cells = [[str(c) for c in columns]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    for k, row in enumerate(cells):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |")
        if k == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")


def clip_under(recording, start, end):
    """The label of the clip of ``recording`` (`join_clips`) that the span
    ``start``-``end`` seconds overlaps most; None when it overlaps none."""
    import numpy as np

    overlap = (np.minimum(recording.segments[:, 1], end)
               - np.maximum(recording.segments[:, 0], start))
    return recording.labels[int(np.argmax(overlap))] if overlap.max() > 0 else None
