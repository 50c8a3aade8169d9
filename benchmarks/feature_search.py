"""The search behind the statistics pipeline's features: nested, speaker-grouped.

    python benchmarks/feature_search.py             # both corpora, ~10 minutes on 2 cores
    python benchmarks/feature_search.py --quick     # a smoke run

Which frame features and which functionals `make_ser_pipeline()` pools is
chosen here, never by the test folds' scores: for each outer fold of
`accuracy.py` (the same five speaker-grouped folds), every candidate is
scored by an inner 3-fold speaker-grouped cross-validation on that fold's
*training* speakers only, and the candidate with the best inner UA is the
fold's choice. The default is the candidate chosen most often over both
corpora's ten outer folds. The outer figure of each fold's choice (a nested
estimate, with no test speaker seen in the choice) is printed too.

Candidates differ in the features and functionals of `FrameFeatures1D`;
the rest is the statistics pipeline (standardisation, RBF `SVC(C=10,
class_weight="balanced")`; uncalibrated here, since calibration does not
change which class wins often enough to rank candidates, and costs 4 fits).
Features are computed once per corpus for the union of all candidates and
sliced by column name. Results go to ``benchmarks/results/feature_search/``.
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
FUNCTIONALS = ("mean", "std", "p20", "p50", "p80", "range20_80", "slope")
#: name -> (features, deltas, functionals)
CANDIDATES = {
    "recipe, mean_std": (RECIPE, (), ("mean", "std")),
    "all, mean_std": (ALL, (), ("mean", "std")),
    "all, functionals": (ALL, (), FUNCTIONALS),
    "all + deltas, functionals": (ALL, DELTAS, FUNCTIONALS),
    "no mel/chroma, functionals": (
        tuple(f for f in ALL if f not in ("mel", "chroma")), (), FUNCTIONALS),
    "no mel/chroma + deltas, functionals": (
        tuple(f for f in ALL if f not in ("mel", "chroma")), DELTAS, FUNCTIONALS),
    "no mel/chroma + deltas, mean_std": (
        tuple(f for f in ALL if f not in ("mel", "chroma")), DELTAS, ("mean", "std")),
    "no mel/chroma + deltas, functionals + skew/kurtosis": (
        tuple(f for f in ALL if f not in ("mel", "chroma")), DELTAS,
        FUNCTIONALS + ("skew", "kurtosis")),
    "no mel/chroma/zcr/energy/rms + deltas, functionals": (
        tuple(f for f in ALL if f not in ("mel", "chroma", "zcr", "energy", "rms")), DELTAS,
        FUNCTIONALS),
}
RESULTS = Path(__file__).resolve().parent / "results" / "feature_search"


def extract(data, *, quick):
    """Every candidate's columns at once: pooled features of the whole corpus."""
    from skser import AudioLoader, FrameFeatures1D, TrimPad

    waves = AudioLoader(sr=16000, duration=30.0).transform(list(data.filenames))
    X = TrimPad(sr=16000, duration=3.0).fit_transform(waves)
    ff = FrameFeatures1D(features=ALL, deltas=DELTAS,
                         aggregate=FUNCTIONALS + ("skew", "kurtosis"))
    table = ff.fit_transform(X)
    return table, list(ff.get_feature_names_out())


def columns(names, features, deltas, functionals):
    """Indices of the columns of one candidate."""
    from skser import FrameFeatures1D

    wanted = FrameFeatures1D(features=features, deltas=deltas,
                             aggregate=functionals).get_feature_names_out()
    where = {n: i for i, n in enumerate(names)}
    return np.array([where[n] for n in wanted])


def ua(estimator, X, y, train, test):
    from sklearn.base import clone
    from sklearn.metrics import balanced_accuracy_score

    model = clone(estimator).fit(X[train], y[train])
    return balanced_accuracy_score(y[test], model.predict(X[test]))


def search(corpus, *, quick):
    from sklearn.model_selection import StratifiedGroupKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    data = accuracy.load_corpus(corpus, quick=quick)
    start = time.perf_counter()
    table, names = extract(data, quick=quick)
    print(f"{corpus}: features {table.shape} in {time.perf_counter() - start:.0f} s", flush=True)
    y, groups = data.target, data.groups
    svm = make_pipeline(StandardScaler(), SVC(C=10.0, class_weight="balanced"))
    index = {name: columns(names, *spec) for name, spec in CANDIDATES.items()}
    outer = accuracy.folds(data, 2 if quick else accuracy.N_FOLDS)
    folds = []
    for k, (train, test) in enumerate(outer):
        inner = StratifiedGroupKFold(n_splits=2 if quick else 3, shuffle=True,
                                     random_state=accuracy.SEED)
        splits = [(train[a], train[b]) for a, b in
                  inner.split(np.zeros(train.size), y[train], groups[train])]
        inner_ua = {name: float(np.mean([ua(svm, table[:, cols], y, a, b) for a, b in splits]))
                    for name, cols in index.items()}
        choice = max(inner_ua, key=inner_ua.get)
        outer_ua = ua(svm, table[:, index[choice]], y, train, test)
        folds.append({"fold": k, "inner_ua": inner_ua, "choice": choice, "outer_ua": outer_ua})
        print(f"{corpus} fold {k}: choice {choice!r} (inner UA {inner_ua[choice]:.3f}), "
              f"outer UA {outer_ua:.3f}", flush=True)
    return {"corpus": corpus, "machine": machine(), "date": time.strftime("%Y-%m-%d"),
            "n_columns": {name: int(cols.size) for name, cols in index.items()},
            "folds": folds}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", nargs="+", choices=list(accuracy.CORPORA),
                        default=list(accuracy.CORPORA))
    parser.add_argument("--quick", action="store_true", help="half the clips, 2 x 2 folds")
    args = parser.parse_args(argv)
    if not SHARED_DATA.is_dir():
        parser.exit(0, f"feature_search.py: {SHARED_DATA} is absent; nothing to measure.\n")
    votes = Counter()
    for corpus in args.corpora:
        result = search(corpus, quick=args.quick)
        votes.update(f["choice"] for f in result["folds"])
        mean_inner = {name: float(np.mean([f["inner_ua"][name] for f in result["folds"]]))
                      for name in CANDIDATES}
        print(f"\n{corpus}: mean inner UA per candidate (training speakers only)")
        for name, value in sorted(mean_inner.items(), key=lambda kv: -kv[1]):
            print(f"  {100 * value:5.1f}  {name} ({result['n_columns'][name]} columns)")
        print(f"  nested outer UA of the per-fold choices: "
              f"{100 * np.mean([f['outer_ua'] for f in result['folds']]):.1f}\n")
        if not args.quick:
            RESULTS.mkdir(parents=True, exist_ok=True)
            (RESULTS / f"{corpus}.json").write_text(json.dumps(result, indent=1))
    print("choices over all outer folds:", dict(votes.most_common()))


if __name__ == "__main__":
    main()
