"""Which features carry the statistics model's loss under noise (a diagnostic).

    python benchmarks/noise_damage.py                  # RAVDESS and EmoDB, outer folds 1-4
    python benchmarks/noise_damage.py --corpora emodb
    python benchmarks/noise_damage.py --conditions telephone@mu-law reverb@0.4 mp3@16

It chooses nothing; it says where to look. On the nested inner splits of
`robust_classifiers.py` (the training speakers of ``accuracy.py``'s outer
folds 1-4, three speaker-grouped inner folds each; no test fold is read),
the robust expert of the statistics model (one logistic regression on the
clips and their altered copies, the 828 columns with librosa's MFCCs) is
scored on each validation clip's features with the columns of one feature
family taken from the clip under a condition and every other column from
the clean clip. A family whose noisy columns alone cost most of what the
whole noisy clip costs is where the loss is. The features are
``robust_classifiers.py --copies mixed``'s (two plain and two retrimmed
copies a clip), computed and cached by it when absent (about 25 minutes
on 2 cores); this script's own fits take a few minutes.
"""

import argparse
import re
import time
from collections import defaultdict

import numpy as np

import robust_classifiers
import robust_search
import robustness
from _common import SHARED_DATA, machine

CONDITIONS = ("white_noise@10", "babble@10", "hum@10")


def cached_features_step():
    """The fitted features step whose 828 columns `robust_classifiers.py`
    caches (the statistics model with librosa's MFCCs and contrast)."""
    from skser import make_ser_pipeline

    features = make_ser_pipeline("stats", robust=False).named_steps["features"]
    return features.fit(np.zeros((1, 16000), dtype=np.float32))


def families():
    """``{family: column indices}`` of the statistics model's 828 columns:
    each frame feature (its deltas with it), then the MFCCs by coefficient
    range, static or delta."""
    features = cached_features_step()
    names = list(features.get_feature_names_out())
    out = defaultdict(list)
    for i, name in enumerate(names):
        family = next(f for f in sorted(features.features, key=len, reverse=True)
                      if name.startswith(f))
        out[family].append(i)
        match = re.match(r"mfcc(\d+)(_delta)?_", name)
        if match:
            k = int(match.group(1))
            out["mfcc, deltas" if match.group(2) else "mfcc, static"].append(i)
            out["mfcc 0" if k == 0 else "mfcc 1-4" if k < 5 else "mfcc 5-9" if k < 10
                else "mfcc 10-19"].append(i)
    return dict(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outer-folds", nargs="+", type=int, default=[1, 2, 3, 4])
    parser.add_argument("--corpora", nargs="+", choices=robust_search.CORPORA,
                        default=list(robust_search.CORPORA))
    parser.add_argument("--conditions", nargs="+", default=list(CONDITIONS),
                        choices=[label for label, _, _ in robust_search.suite()][1:],
                        help="altered conditions of the validation clips (default: "
                             + ", ".join(CONDITIONS) + ")")
    args = parser.parse_args(argv)
    if not SHARED_DATA.is_dir():
        parser.exit(0, f"noise_damage.py: {SHARED_DATA} is absent.\n")
    conditions = args.conditions
    from threadpoolctl import threadpool_limits

    from skser.evaluation import emotion_report

    threadpool_limits(1)
    groups = families()
    start = time.perf_counter()
    for corpus in args.corpora:
        data = robustness.load_corpus(corpus)
        splits = robustness.folds(corpus, data)
        waveforms = robustness.load_waveforms(data)
        scores = defaultdict(list)
        for outer in args.outer_folds:
            inner = robust_search.inner_folds(data, splits[outer][0])
            for k, split in enumerate(inner):
                arrays = robust_classifiers.inner_features(corpus, data, waveforms, outer, k,
                                                           *split, copies="mixed")
                classes = np.unique(arrays["y"])
                expert = robust_classifiers.logistic().fit(arrays["X"], arrays["y"])

                def ua(X, arrays=arrays, classes=classes, expert=expert):
                    return emotion_report(arrays["y_val"], expert.predict(X),
                                          labels=list(classes))["ua"]

                clean = arrays["val clean"]
                scores["clean"].append(ua(clean))
                for condition in conditions:
                    noisy = arrays["val " + condition]
                    scores[condition, "every column"].append(ua(noisy))
                    for family, columns in groups.items():
                        mixed = clean.copy()
                        mixed[:, columns] = noisy[:, columns]
                        scores[condition, family].append(ua(mixed))
        print(f"\n{corpus}, outer folds {args.outer_folds} (inner UA %, the robust expert; "
              f"clean {100 * np.mean(scores['clean']):.1f}):\n")
        print("| altered columns | " + " | ".join(conditions) + " |")
        print("|---|" + "---:|" * len(conditions))
        for family in ["every column", *groups]:
            print(f"| {family} | " + " | ".join(
                f"{100 * np.mean(scores[c, family]):.1f}" for c in conditions) + " |")
    print(f"\n{time.perf_counter() - start:.0f} s on {machine()}")


if __name__ == "__main__":
    main()
