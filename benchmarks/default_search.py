"""The search behind `make_ser_pipeline`'s defaults, rerunnable.

    python benchmarks/default_search.py                 # every candidate, RAVDESS folds 1-2
    python benchmarks/default_search.py --folds 0 1 2 3 4 --candidates "2d default"
    python benchmarks/default_search.py --quick         # a smoke run, under a minute
    python benchmarks/default_search.py --candidates sequence   # the sequence recipe, ~20 min

Each candidate is ``make_ser_pipeline(**settings)`` with a few settings
changed from the current defaults, cross-validated on the same
speaker-grouped folds as `accuracy.py` (`StratifiedGroupKFold`, 5 folds,
seed 0), by default on the first two folds only: a search has to fit the
CPU budget, and a pair of folds is enough to drop a candidate that is far
behind, not to rank close ones (the spread between folds is 3-8 points UA).
Results are stored like accuracy.py's (``--cache``), so reruns are free.
The winner's full five-fold figures are accuracy.py's ``default`` row.
"""

import argparse
import os
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import accuracy  # noqa: E402
from _common import SHARED_DATA, machine  # noqa: E402

# Settings of the seeds' recipe before this search (the defaults up to
# issue 5): 128 mel bands at a 256 hop, CNNClassifier's own training settings.
BEFORE = {"features__n_mels": 128, "features__hop_length": 256,
          "clf__learning_rate": 1e-3, "clf__dropout": 0.3, "clf__patience": 8}
CANDIDATES = {
    "2d default": {},
    "lenet5, 64 mels, class training defaults": {
        "clf__learning_rate": 1e-3, "clf__dropout": 0.3, "clf__patience": 8},
    "lenet5, adam, balanced classes, class training defaults": {
        "clf__learning_rate": 1e-3, "clf__dropout": 0.3, "clf__patience": 8,
        "clf__optimizer": "adam", "clf__class_weight": "balanced"},
    "adam, balanced classes": {"clf__optimizer": "adam", "clf__class_weight": "balanced"},
    "balanced classes": {"clf__class_weight": "balanced"},
    "3 augmented copies": {"n_copies": 3},
    "lenet5 width 2": {"clf__width": 2.0},
    "learning rate 1e-4, patience 20": {"clf__learning_rate": 1e-4, "clf__patience": 20},
    "batch 64": {"clf__batch_size": 64},
    "lenet5, 128 mels, hop 256": {"features__n_mels": 128, "features__hop_length": 256},
    "custom width 0.25": {"model": "custom", "clf__width": 0.25},
    # Issue 14: the sequence network's training recipe, each choice against
    # the recipe without it (make_ser_pipeline("sequence") is the first).
    "sequence recipe": {"kind": "sequence"},
    "sequence, no label smoothing": {"kind": "sequence", "clf__label_smoothing": 0.0},
    "sequence, constant learning rate": {"kind": "sequence", "clf__schedule": None},
    "sequence, no masks": {"kind": "sequence", "clf__spec_augment": None},
    "sequence, rmsprop": {"kind": "sequence", "clf__optimizer": "rmsprop"},
    "sequence, unbalanced classes": {"kind": "sequence", "clf__class_weight": None},
    "sequence, mixup 0.2": {"kind": "sequence", "clf__mixup": 0.2},
}
SEQUENCE_CANDIDATES = tuple(name for name in CANDIDATES if name.startswith("sequence"))
# Not a candidate: the old default, ``{"model": "custom", **BEFORE}``, trains
# for about 180 s per epoch on a RAVDESS fold here (2074 clips at 88 ms each),
# over an hour per fold: far outside the budget whatever its accuracy.
QUICK_CANDIDATES = ("2d default", "balanced classes")


def make_candidate(name, *, quick=False):
    """``make_ser_pipeline`` with candidate ``name``'s settings."""
    from skser import make_ser_pipeline

    settings = dict(CANDIDATES[name])
    kind = settings.pop("kind", "2d")
    if quick:
        settings["clf__epochs"] = 1
    return make_ser_pipeline(kind, random_state=accuracy.SEED, **settings)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=list(accuracy.CORPORA), default="ravdess")
    parser.add_argument("--candidates", nargs="+", choices=[*CANDIDATES, "sequence"],
                        default=None,
                        help='candidates by name; "sequence" names every sequence one')
    parser.add_argument("--folds", nargs="+", type=int, default=[0, 1],
                        help="which of the 5 folds (0-4) to run")
    parser.add_argument("--quick", action="store_true",
                        help="EmoDB, every other clip, 2 folds, 1 epoch, no cache: a smoke run")
    parser.add_argument("--cache", type=Path,
                        default=Path(__file__).resolve().parent / "results" / "default_search")
    parser.add_argument("--force", action="store_true", help="recompute stored folds")
    args = parser.parse_args(argv)
    if not SHARED_DATA.is_dir():
        parser.exit(0, f"default_search.py: {SHARED_DATA} is absent; nothing to measure.\n")
    names = args.candidates or list(QUICK_CANDIDATES if args.quick else CANDIDATES)
    names = [n for name in names
             for n in (SEQUENCE_CANDIDATES if name == "sequence" else (name,))]
    corpus = "emodb" if args.quick else args.corpus
    fold_ids = [0, 1] if args.quick else args.folds
    data = accuracy.load_corpus(corpus, quick=args.quick)
    splits = accuracy.folds(data, 2 if args.quick else accuracy.N_FOLDS)
    heads = accuracy.Heads(data)
    start = time.perf_counter()
    lines = ["| candidate | " + " | ".join(f"fold {i + 1} UA %" for i in fold_ids)
             + " | mean UA % | epochs | train s / fold |",
             "|---|" + "---|" * (len(fold_ids) + 3)]
    for name in names:
        key = accuracy.settings_key(make_candidate(name, quick=args.quick))
        results = []
        for i in fold_ids:
            train, test = splits[i]
            path = None if args.quick else args.cache / corpus / key / f"fold{i}.json"
            result, hit = accuracy.cached(path, key, lambda: {
                "candidate": name, "fold": i,
                **accuracy.fit_and_score(make_candidate(name, quick=args.quick), train, test,
                                         data, heads),
            }, force=args.force)
            results.append(result)
            if not hit:
                print(f"{name} fold {i + 1}: UA {result['ua']:.3f} "
                      f"({result['fit_seconds']:.0f} s)", flush=True)
        ua = [100 * r["ua"] for r in results]
        epochs = "/".join(str(r["epochs"]) for r in results)
        lines.append(f"| {name} | " + " | ".join(f"{u:.1f}" for u in ua)
                     + f" | {np.mean(ua):.1f} | {epochs} | "
                     f"{np.mean([r['fit_seconds'] for r in results]):.0f} |")
    print(f"\n{corpus}, folds {', '.join(str(i + 1) for i in fold_ids)} of "
          f"{len(splits)} (speaker-grouped); {machine()}")
    print("\n".join(lines))
    print(f"\nThis run {(time.perf_counter() - start) / 60:.1f} min")


if __name__ == "__main__":
    main()
