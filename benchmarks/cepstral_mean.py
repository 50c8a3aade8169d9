"""Cepstral mean normalisation of the statistics model's MFCC functionals (a diagnostic).

    python benchmarks/cepstral_mean.py                  # RAVDESS and EmoDB, outer folds 1-4
    python benchmarks/cepstral_mean.py --corpora emodb

It chooses nothing. A fixed channel (a phone line's filter, a microphone)
adds a constant to each log-mel MFCC of every frame; the usual remedy is to
subtract each clip's mean cepstrum (CMN). In the statistics model's
functionals that is: each static MFCC's percentiles (p20, p50, p80) taken
relative to its mean, and the mean itself dropped (``cmn``), or kept
(``relative percentiles``); the other functionals (spread, range, slope,
skewness, kurtosis) and the deltas do not move with a constant. On the
nested inner splits of `robust_classifiers.py` (the training speakers of
``accuracy.py``'s outer folds 1-4, three speaker-grouped inner folds each;
no test fold is read) the robust expert of `noise_damage.py` (one logistic
regression on the clips and their altered copies, the 828 columns with
librosa's MFCCs) is fitted on each variant of the columns and scored under
every condition of `robust_search.py`. The features are ``robust_classifiers.py
--copies mixed``'s, computed and cached by it when absent (about 25
minutes on 2 cores); the fits take a minute a corpus.
"""

import argparse
import time

import numpy as np

import noise_damage
import robust_classifiers
import robust_search
import robustness
from _common import SHARED_DATA, machine

PERCENTILES = ("p20", "p50", "p80")


def variants():
    """``{name: function of the 828 columns}``: as they are, CMN, and the
    percentiles relative to the mean with the mean kept."""
    features = noise_damage.cached_features_step()
    index = {name: i for i, name in enumerate(features.get_feature_names_out())}
    means = [index[f"mfcc{k}_mean"] for k in range(features.n_mfcc)]

    def relative(X, drop_mean):
        X = X.copy()
        for k, mean in enumerate(means):
            for q in PERCENTILES:
                X[:, index[f"mfcc{k}_{q}"]] -= X[:, mean]
        return np.delete(X, means, axis=1) if drop_mean else X

    return {"as is": lambda X: X, "cmn": lambda X: relative(X, True),
            "relative percentiles": lambda X: relative(X, False)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outer-folds", nargs="+", type=int, default=[1, 2, 3, 4])
    parser.add_argument("--corpora", nargs="+", choices=robust_search.CORPORA,
                        default=list(robust_search.CORPORA))
    args = parser.parse_args(argv)
    if not SHARED_DATA.is_dir():
        parser.exit(0, f"cepstral_mean.py: {SHARED_DATA} is absent.\n")
    from threadpoolctl import threadpool_limits

    from skser.evaluation import emotion_report

    threadpool_limits(1)
    candidates = variants()
    labels = [label for label, _, _ in robust_search.suite()]
    start = time.perf_counter()
    for corpus in args.corpora:
        data = robustness.load_corpus(corpus)
        splits = robustness.folds(corpus, data)
        waveforms = robustness.load_waveforms(data)
        scores = {name: {label: [] for label in labels} for name in candidates}
        for outer in args.outer_folds:
            for k, split in enumerate(robust_search.inner_folds(data, splits[outer][0])):
                arrays = robust_classifiers.inner_features(corpus, data, waveforms, outer, k,
                                                           *split, copies="mixed")
                classes = list(np.unique(arrays["y"]))
                for name, columns in candidates.items():
                    expert = robust_classifiers.logistic().fit(columns(arrays["X"]),
                                                               arrays["y"])
                    for label in labels:
                        predicted = expert.predict(columns(arrays["val " + label]))
                        scores[name][label].append(
                            emotion_report(arrays["y_val"], predicted, labels=classes)["ua"])
        print(f"\n{corpus}, outer folds {args.outer_folds} (inner UA %, the robust expert):\n")
        print("| condition | " + " | ".join(candidates) + " |")
        print("|---|" + "---:|" * len(candidates))
        for label in labels:
            print(f"| {label} | " + " | ".join(
                f"{100 * np.mean(scores[name][label]):.1f}" for name in candidates) + " |")
        print("| **mean altered** | " + " | ".join(
            f"**{100 * np.mean([np.mean(scores[name][l]) for l in labels[1:]]):.1f}**"
            for name in candidates) + " |")
    print(f"\n{time.perf_counter() - start:.0f} s on {machine()}")


if __name__ == "__main__":
    main()
