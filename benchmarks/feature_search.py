"""The search behind the statistics pipeline's features: nested, speaker-grouped.

    python benchmarks/feature_search.py                # both corpora, ~25 minutes on 2 cores
    python benchmarks/feature_search.py --stored-only  # the table of the stored results
    python benchmarks/feature_search.py --quick        # a smoke run, under a minute

Which frame features and which functionals `make_ser_pipeline("stats")` pools is
chosen here, never by the test folds' scores: for each outer fold of
`accuracy.py` (the same five speaker-grouped folds), every candidate is
scored by an inner 3-fold speaker-grouped cross-validation on that fold's
*training* speakers only, and the candidate with the best inner UA is the
fold's choice. The default is the candidate chosen most often over both
corpora's ten outer folds (a tie goes to the better mean inner UA). The outer figure of each fold's choice (a nested
estimate, with no test speaker seen in the choice) is printed too.

Candidates differ in the frame features, their deltas and the functionals
of `FrameFeatures1D`, and in the classifier after standardisation: an RBF
`SVC` (C=10, balanced classes, uncalibrated here since calibration rarely
changes which class wins and costs 4 fits; gamma a multiple of 1 / columns)
or a `LogisticRegression` (balanced classes). Features are computed once
per corpus for the union of all candidates and sliced by column name.
Results go to ``benchmarks/results/feature_search/`` (``--stored-only``
prints their table again); ``docs/results.md`` quotes the table.
"""

import argparse
import json
import time
from collections import Counter
from pathlib import Path

import numpy as np

import accuracy
from _common import SHARED_DATA, machine

RECIPE = ("zcr", "energy", "rms", "mfcc", "chroma", "contrast", "mel")
PROSODY = ("f0", "voicing", "voiced", "hnr", "jitter", "shimmer", "loudness")
SHAPE = ("centroid", "bandwidth", "rolloff", "flatness", "flux", "slope", "alpha_ratio",
         "hammarberg")
ALL = RECIPE + PROSODY + SHAPE
DELTAS = ("mfcc", "f0", "loudness")
MORE_DELTAS = DELTAS + ("contrast", "hnr", "centroid", "slope", "alpha_ratio")
FUNCTIONALS = ("mean", "std", "p20", "p50", "p80", "range20_80", "slope")
NO_MEL_CHROMA = tuple(f for f in ALL if f not in ("mel", "chroma"))
MORE = FUNCTIONALS + ("skew", "kurtosis")
#: name -> (features, deltas, functionals, classifier settings)
SVM = {"C": 10.0}
CANDIDATES = {
    "recipe, mean_std": (RECIPE, (), ("mean", "std"), SVM),
    "all, mean_std": (ALL, (), ("mean", "std"), SVM),
    "all, functionals": (ALL, (), FUNCTIONALS, SVM),
    "all + deltas, functionals": (ALL, DELTAS, FUNCTIONALS, SVM),
    "no mel/chroma, functionals": (NO_MEL_CHROMA, (), FUNCTIONALS, SVM),
    "no mel/chroma + deltas, functionals": (NO_MEL_CHROMA, DELTAS, FUNCTIONALS, SVM),
    "no mel/chroma + deltas, mean_std": (NO_MEL_CHROMA, DELTAS, ("mean", "std"), SVM),
    "no mel/chroma + deltas, functionals + skew/kurtosis": (NO_MEL_CHROMA, DELTAS, MORE, SVM),
    "no mel/chroma/zcr/energy/rms + deltas, functionals": (
        tuple(f for f in NO_MEL_CHROMA if f not in ("zcr", "energy", "rms")), DELTAS,
        FUNCTIONALS, SVM),
    "no mel/chroma + more deltas, functionals + skew/kurtosis": (
        NO_MEL_CHROMA, MORE_DELTAS, MORE, SVM),
    "no mel/chroma + deltas, functionals + skew/kurtosis, C=3": (
        NO_MEL_CHROMA, DELTAS, MORE, {"C": 3.0}),
    "no mel/chroma + deltas, functionals + skew/kurtosis, C=30": (
        NO_MEL_CHROMA, DELTAS, MORE, {"C": 30.0}),
    "no mel/chroma + more deltas, functionals + skew/kurtosis, gamma/3": (
        NO_MEL_CHROMA, MORE_DELTAS, MORE, {"C": 10.0, "gamma": 1 / 3}),
    "no mel/chroma + more deltas, functionals + skew/kurtosis, gamma*3": (
        NO_MEL_CHROMA, MORE_DELTAS, MORE, {"C": 10.0, "gamma": 3.0}),
    "no mel/chroma + more deltas, functionals + skew/kurtosis, logistic": (
        NO_MEL_CHROMA, MORE_DELTAS, MORE, {"logistic": 0.01}),
    "no mel/chroma + more deltas, functionals + skew/kurtosis, logistic C=0.003": (
        NO_MEL_CHROMA, MORE_DELTAS, MORE, {"logistic": 0.003}),
    "no mel/chroma + more deltas, functionals + skew/kurtosis, logistic C=0.03": (
        NO_MEL_CHROMA, MORE_DELTAS, MORE, {"logistic": 0.03}),
    "no mel/chroma + more deltas, functionals + skew/kurtosis, logistic C=0.1": (
        NO_MEL_CHROMA, MORE_DELTAS, MORE, {"logistic": 0.1}),
    "no mel/chroma + every delta, functionals + skew/kurtosis, logistic": (
        NO_MEL_CHROMA, NO_MEL_CHROMA, MORE, {"logistic": 0.01}),
    "all + more deltas, functionals + skew/kurtosis, logistic": (
        ALL, MORE_DELTAS, MORE, {"logistic": 0.01}),
}
RESULTS = Path(__file__).resolve().parent / "results" / "feature_search"


def extract(data, *, quick):
    """Every candidate's columns at once: pooled features of the whole corpus."""
    from skser import AudioLoader, FrameFeatures1D, TrimPad

    waves = AudioLoader(sr=16000, duration=30.0).transform(list(data.filenames))
    X = TrimPad(sr=16000, duration=3.0).fit_transform(waves)
    ff = FrameFeatures1D(features=ALL, deltas=NO_MEL_CHROMA,
                         aggregate=FUNCTIONALS + ("skew", "kurtosis"))
    return ff.fit_transform(X), list(ff.get_feature_names_out())


def columns(names, features, deltas, functionals, classifier):
    """Indices of the columns of one candidate."""
    from skser import FrameFeatures1D

    wanted = FrameFeatures1D(features=features, deltas=deltas,
                             aggregate=functionals).get_feature_names_out()
    where = {n: i for i, n in enumerate(names)}
    return np.array([where[n] for n in wanted])


def classifier(settings, n_columns):
    """The candidate's classifier: an RBF SVC (gamma as a multiple of
    scikit-learn's "scale", 1 / n_columns on standardised columns) or a
    logistic regression with the given C."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import SVC

    if "logistic" in settings:
        return LogisticRegression(C=settings["logistic"], class_weight="balanced",
                                  max_iter=2000)
    return SVC(C=settings["C"], gamma=settings.get("gamma", 1.0) / n_columns,
               class_weight="balanced")


def ua(estimator, X, y, train, test):
    from sklearn.base import clone
    from sklearn.metrics import balanced_accuracy_score

    model = clone(estimator).fit(X[train], y[train])
    return balanced_accuracy_score(y[test], model.predict(X[test]))


def search(corpus, candidates, *, quick):
    from sklearn.model_selection import StratifiedGroupKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    data = accuracy.load_corpus(corpus, quick=quick)
    start = time.perf_counter()
    features, names = extract(data, quick=quick)
    print(f"{corpus}: features {features.shape} in {time.perf_counter() - start:.0f} s",
          flush=True)
    y, groups = data.target, data.groups
    index = {name: columns(names, *spec) for name, spec in candidates.items()}
    models = {name: make_pipeline(StandardScaler(), classifier(spec[3], index[name].size))
              for name, spec in candidates.items()}
    outer = accuracy.folds(data, 2 if quick else accuracy.N_FOLDS)
    folds = []
    for k, (train, test) in enumerate(outer):
        inner = StratifiedGroupKFold(n_splits=2 if quick else 3, shuffle=True,
                                     random_state=accuracy.SEED)
        splits = [(train[a], train[b]) for a, b in
                  inner.split(np.zeros(train.size), y[train], groups[train])]
        inner_ua = {name: float(np.mean([ua(models[name], features[:, cols], y, a, b)
                                         for a, b in splits]))
                    for name, cols in index.items()}
        choice = max(inner_ua, key=inner_ua.get)
        outer_ua = ua(models[choice], features[:, index[choice]], y, train, test)
        folds.append({"fold": k, "inner_ua": inner_ua, "choice": choice, "outer_ua": outer_ua})
        print(f"{corpus} fold {k}: choice {choice!r} (inner UA {inner_ua[choice]:.3f}), "
              f"outer UA {outer_ua:.3f}", flush=True)
    return {"corpus": corpus, "machine": machine(), "date": time.strftime("%Y-%m-%d"),
            "n_columns": {name: int(cols.size) for name, cols in index.items()},
            "folds": folds}


#: Candidates of a --quick run: the old and the new default.
QUICK_CANDIDATES = ("recipe, mean_std",
                    "no mel/chroma + every delta, functionals + skew/kurtosis, logistic")


def table(results):
    """A markdown table of every candidate: mean inner UA per corpus, their
    mean, and how many outer folds chose it; then the nested figures."""
    names = list(results[0]["folds"][0]["inner_ua"])
    votes = Counter(f["choice"] for r in results for f in r["folds"])
    inner = {name: [100 * np.mean([f["inner_ua"][name] for f in r["folds"]]) for r in results]
             for name in names}
    lines = ["| candidate | columns | " + " | ".join(
                 f"{r['corpus']} inner UA %" for r in results) + " | mean | folds chosen |",
             "|---|---|" + "---|" * len(results) + "---|---|"]
    for name in sorted(names, key=lambda n: -np.mean(inner[n])):
        lines.append(f"| {name} | {results[0]['n_columns'][name]} | "
                     + " | ".join(f"{v:.1f}" for v in inner[name])
                     + f" | {np.mean(inner[name]):.1f} | {votes.get(name, 0)} |")
    nested = "; ".join(
        f"{r['corpus']} {100 * np.mean([f['outer_ua'] for f in r['folds']]):.1f} %"
        for r in results)
    # Most outer folds; a tie goes to the better mean inner UA over the corpora.
    winner = max(votes, key=lambda n: (votes[n], np.mean(inner[n])))
    return "\n".join(lines), winner, nested


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", nargs="+", choices=list(accuracy.CORPORA),
                        default=list(accuracy.SEARCH_CORPORA))
    parser.add_argument("--quick", action="store_true",
                        help="half the clips, 2 x 2 folds, two candidates: a smoke run")
    parser.add_argument("--stored-only", action="store_true",
                        help=f"print the table of the results stored in {RESULTS}")
    args = parser.parse_args(argv)
    if args.stored_only:
        results = [json.loads((RESULTS / f"{c}.json").read_text()) for c in args.corpora]
    else:
        if not SHARED_DATA.is_dir():
            parser.exit(0, f"feature_search.py: {SHARED_DATA} is absent; nothing to measure.\n")
        candidates = ({n: CANDIDATES[n] for n in QUICK_CANDIDATES} if args.quick
                      else CANDIDATES)
        results = []
        for corpus in args.corpora:
            results.append(search(corpus, candidates, quick=args.quick))
            if not args.quick:
                RESULTS.mkdir(parents=True, exist_ok=True)
                (RESULTS / f"{corpus}.json").write_text(json.dumps(results[-1], indent=1))
    text, winner, nested = table(results)
    print(f"\n{text}\n\nChosen most often over the outer folds: {winner!r}. Nested "
          f"speaker-independent UA of each outer fold's own choice: {nested}.")


if __name__ == "__main__":
    main()
