"""Classifiers for the robust statistics model on fixed features (exploratory).

    python benchmarks/robust_classifiers.py --outer-folds 0          # ~15 min on 2 cores
    python benchmarks/robust_classifiers.py --outer-folds 1 2 3 4    # the check, ~1 h
    python benchmarks/robust_classifiers.py --copies retrimmed --outer-folds 1 2 3 4
    python benchmarks/robust_classifiers.py --copies mixed --outer-folds 1 2 3 4
    python benchmarks/robust_classifiers.py --stored-only --outer-folds 1 2 3 4

The robust ``stats`` model fitted one logistic regression on the training
clips and four altered copies of each, and on clean clips scored below the
model trained on clean clips alone (docs/robustness.md). The variants here
keep the features and change only the classifier; the chosen one (retrimmed
copies, gated) is the ``stats`` model since 2026-12-07:

- ``robust``: one logistic regression on every row (``stats`` until
  2026-12-07); it reproduces the ``level + 4 altered copies`` candidate of
  `robust_search.py` on the same split, a check of this script;
- ``clean``: the same on the original clips alone (the clean-trained
  model with the level step);
- ``gated``: both, mixed per clip by a detector of altered clips (a
  logistic regression, originals against copies, on the same features):
  ``g * p_clean + (1 - g) * p_robust`` with ``g = P(original) ** 3``, so
  the clean model speaks only for clips that look clean;
- ``gated, g = P(original)`` and ``robust, C = 0.003``: two of the other
  settings looked at.

The features are those of ``make_ser_pipeline("stats", n_copies=4)`` on
the inner 3-fold speaker-grouped split of `robust_search.py` (the training
speakers of one outer fold of ``accuracy.py``; the held-out speakers of
that fold are never read), with the same altered validation clips and
seeds; they are cached in ``~/.cache/skser-benchmarks/robust_classifiers``
and the scores stored in ``benchmarks/results/robust_classifiers``.

How the settings were chosen: the variants and their settings (the power
3, the detector's C) were looked at on outer fold 0's inner split only;
``--outer-folds 1 2 3 4`` then scores them, unchanged, on the training
speakers of the other folds, which chose nothing. None of this reads a
test fold. The gated variants are `skser.ConditionGatedClassifier` (the
robust ``stats`` model's classifier since), on the features before the pipeline's scaler (its
experts standardise their own rows).
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np

import robust_search
import robustness
from _common import SHARED_DATA, machine

FEATURE_CACHE = Path.home() / ".cache" / "skser-benchmarks" / "robust_classifiers"
RESULTS = Path(__file__).resolve().parent / "results" / "robust_classifiers"
N_COPIES = 4
C = 0.01
#: name -> (what it fits, its settings); fixed on outer fold 0 (see above).
VARIANTS = {
    "robust": ("robust", {"C": C}),
    "clean": ("clean", {"C": C}),
    "gated": ("gated", {"power": 3, "detector_C": 0.01}),
    "gated, g = P(original)": ("gated", {"power": 1, "detector_C": 0.01}),
    "robust, C = 0.003": ("robust", {"C": 0.003}),
}


#: ``--copies``: how the training copies are made (robust_search's settings).
COPIES = {
    "altered": {},
    # Each altered copy trimmed and padded again, as TrimPad treats a
    # recording altered before it is trimmed (robust_search.py's "trimmed
    # after altering" candidates).
    "retrimmed": {"retrim": True},
    # Two of each (two rounds of one plain and one retrimmed copy): the
    # plain copies taught broadband noise better on the outer folds, the
    # retrimmed ones phone lines and codecs (docs/robustness.md).
    "mixed": {"mixed": True, "n_copies": N_COPIES // 2},
}


def inner_features(corpus, data, waveforms, outer, k, fit_idx, val_idx, copies="altered"):
    """The cached training rows (originals first, then the copies) and the
    validation clips' features under each condition of `robust_search`."""
    suffix = "" if copies == "altered" else f"_{copies}"
    path = FEATURE_CACHE / f"{corpus}_outer{outer}_inner{k}{suffix}.npz"
    if path.is_file():
        stored = np.load(path)
        return {key: stored[key] for key in stored.files}
    pipe = robust_search.candidate_pipeline({"robust": True, "n_copies": N_COPIES,
                                             **COPIES[copies]})
    features = pipe[:-2]  # up to the features: the scaler and classifier are the variants'
    y = data.target[fit_idx]
    X = features.fit_transform([waveforms[i] for i in fit_idx], y)
    rows = features.named_steps["augment"].sample_indices_
    arrays = {"X": X, "y": y[rows], "original": np.arange(len(rows)) < len(fit_idx),
              "y_val": data.target[val_idx]}
    # The same altered clips as robust_search.score_candidate's.
    clips_under = robust_search.validation_clips(waveforms, fit_idx, val_idx, outer, k)
    for label, corruption, severity in robust_search.suite():
        arrays["val " + label] = features.transform(
            robustness.as_inputs(clips_under(corruption, severity)))
    FEATURE_CACHE.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)
    return arrays


def logistic(C=C):
    """The statistics model's classifier as these scripts fit it: standardised
    columns, a balanced logistic regression of strength ``C``."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(
        C=C, class_weight="balanced", max_iter=3000))


def fit_variant(kind, settings, X, y, original):
    """``predict_proba(X_val)`` of one variant fitted on the training rows."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skser import ConditionGatedClassifier

    if kind == "robust":
        return logistic(settings["C"]).fit(X, y).predict_proba
    if kind == "clean":
        return logistic(settings["C"]).fit(X[original], y[original]).predict_proba
    # The originals come first, then each round of copies in their order
    # (AugmentedCopies): row i copies clip i mod n.
    copy_of = np.arange(len(y)) % int(original.sum())
    return ConditionGatedClassifier(
        estimator=logistic(C), power=settings["power"],
        detector=make_pipeline(StandardScaler(), LogisticRegression(
            C=settings["detector_C"], max_iter=3000)),
    ).fit(X, y, copy_of=copy_of).predict_proba


def score_fold(arrays):
    """``{variant: {condition: UA}}`` on one inner fold."""
    from skser.evaluation import emotion_report

    X, y, original, y_val = arrays["X"], arrays["y"], arrays["original"], arrays["y_val"]
    classes = np.unique(y)
    scores = {}
    for name, (kind, settings) in VARIANTS.items():
        proba = fit_variant(kind, settings, X, y, original)
        scores[name] = {
            label: emotion_report(y_val, classes[proba(arrays["val " + label]).argmax(axis=1)],
                                  labels=list(classes))["ua"]
            for label, _, _ in robust_search.suite()}
    return scores


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outer-folds", nargs="+", type=int, default=[0], metavar="K")
    parser.add_argument("--corpora", nargs="+", choices=robust_search.CORPORA,
                        default=list(robust_search.CORPORA))
    parser.add_argument("--copies", choices=list(COPIES), default="altered",
                        help="the training copies: altered, altered and trimmed again, or "
                             "two of each (results in results/robust_classifiers/<copies>)")
    parser.add_argument("--stored-only", action="store_true")
    args = parser.parse_args(argv)
    if not SHARED_DATA.is_dir():
        parser.exit(0, f"robust_classifiers.py: {SHARED_DATA} is absent.\n")
    from threadpoolctl import threadpool_limits

    # One BLAS thread: the logistic regressions' few predictions near a
    # boundary then come out the same on any machine (folds 0 and 2 of the
    # altered copies were scored with two threads: up to 0.4 points apart
    # per condition from one thread, docs/robustness.md).
    threadpool_limits(1)
    tables = {}
    for corpus in robust_search.CORPORA:
        path = (RESULTS if args.copies == "altered" else RESULTS / args.copies) / f"{corpus}.json"
        stored = json.loads(path.read_text()) if path.is_file() else {}
        todo = [k for k in args.outer_folds if str(k) not in stored]
        if todo and corpus in args.corpora and not args.stored_only:
            data = robustness.load_corpus(corpus)
            splits = robustness.folds(corpus, data)
            bad = [k for k in todo if not 0 <= k < len(splits)]
            if bad:
                parser.error(f"--outer-folds: {corpus} has outer folds 0 to "
                             f"{len(splits) - 1}; got {bad}")
            waveforms = robustness.load_waveforms(data)
            for outer in todo:
                start = time.perf_counter()
                inner = robust_search.inner_folds(data, splits[outer][0])
                folds = [score_fold(inner_features(corpus, data, waveforms, outer, k, *split,
                                                   copies=args.copies))
                         for k, split in enumerate(inner)]
                # Merged under a lock: processes sharing the folds keep each other's.
                stored = robust_search.store_merged(path, str(outer), {
                    "scores": {name: {label: float(np.mean([f[name][label] for f in folds]))
                                      for label in folds[0][name]} for name in VARIANTS},
                    "seconds": time.perf_counter() - start, "machine": machine()})
                print(f"{corpus} outer fold {outer}: stored ({stored[str(outer)]['seconds']:.0f} s)",
                      flush=True)
        if all(str(k) in stored for k in args.outer_folds):
            tables[corpus] = stored
    if tables:
        print_table(tables, args.outer_folds)


def print_table(tables, outer_folds):
    """Inner UA %, mean over ``outer_folds`` and the corpora in ``tables``."""
    def ua(name, label):
        return 100 * np.mean([tables[c][str(k)]["scores"][name][label]
                              for c in tables for k in outer_folds])

    labels = [label for label, _, _ in robust_search.suite()]
    print(f"\nInner UA %, mean over {', '.join(tables)} and outer folds "
          f"{', '.join(map(str, outer_folds))}:\n")
    print("| condition | " + " | ".join(VARIANTS) + " |")
    print("|---|" + "---:|" * len(VARIANTS))
    for label in labels:
        print(f"| {label} | " + " | ".join(f"{ua(n, label):.1f}" for n in VARIANTS) + " |")
    print("| **mean altered** | " + " | ".join(
        f"**{np.mean([ua(n, label) for label in labels[1:]]):.1f}**" for n in VARIANTS) + " |")
    for corpus in tables:
        print(f"\n{corpus}: " + "; ".join(
            f"{n} clean {100 * np.mean([tables[corpus][str(k)]['scores'][n][labels[0]] for k in outer_folds]):.1f}"
            f" altered {100 * np.mean([tables[corpus][str(k)]['scores'][n][lab] for k in outer_folds for lab in labels[1:]]):.1f}"
            for n in VARIANTS))


if __name__ == "__main__":
    main()
