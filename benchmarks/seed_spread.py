"""How much a network's row in accuracy.py depends on its random seed.

    python benchmarks/seed_spread.py                       # sequence row, EmoDB, 3 seeds (~8 min)
    python benchmarks/seed_spread.py --row 2d-lenet5 --corpus ravdess --seeds 0 1
    python benchmarks/seed_spread.py --quick               # a smoke run

Trains one row of `benchmarks/accuracy.py` on its five speaker-grouped folds
once per seed (``random_state``; accuracy.py's own rows use seed 0) and
prints the five-fold mean UA of each seed, their mean and their range. A
row's difference from another smaller than this range is not evidence.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import accuracy  # noqa: E402
from _common import SHARED_DATA, machine, print_table  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--row", default="sequence", choices=accuracy.ROWS)
    parser.add_argument("--corpus", default="emodb", choices=list(accuracy.CORPORA))
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3])
    parser.add_argument("--quick", action="store_true",
                        help="every other clip, 1 epoch, 2 seeds, 2 folds: a smoke run")
    args = parser.parse_args(argv)
    if not SHARED_DATA.is_dir():
        parser.exit(0, f"seed_spread.py: {SHARED_DATA} is absent; nothing to measure.\n")
    print(f"Machine: {machine()}")
    data = accuracy.load_corpus(args.corpus, quick=args.quick)
    heads = accuracy.Heads(data)
    splits = accuracy.folds(data, accuracy.N_FOLDS)[:2 if args.quick else None]
    seeds = args.seeds[:2] if args.quick else args.seeds
    rows = []
    means = []
    for seed in seeds:
        estimator = accuracy.make_row(args.row, quick=args.quick)
        estimator.set_params(**{k: seed for k in estimator.get_params()
                                if k.endswith("random_state")})
        scores = [accuracy.fit_and_score(estimator, train, test, data, heads,
                                         speaker_groups=args.row.endswith(accuracy.SPK))["ua"]
                  for train, test in splits]
        means.append(100 * np.mean(scores))
        rows.append([seed, " ".join(f"{100 * s:.1f}" for s in scores), f"{means[-1]:.1f}"])
    print(f"\n## {args.row} on {args.corpus}, UA % by seed\n")
    print_table(rows, ["random_state", "folds", "mean"])
    print(f"\nMean over seeds {np.mean(means):.1f} %, range {min(means):.1f}-{max(means):.1f} "
          f"({max(means) - min(means):.1f} points).")


if __name__ == "__main__":
    main()
