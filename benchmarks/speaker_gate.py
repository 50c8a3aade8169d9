"""Why altered copies still cost a speaker-normalised model on clean clips: a diagnostic.

    python benchmarks/speaker_gate.py                   # RAVDESS and EmoDB, about 10 minutes on 2 cores
    python benchmarks/speaker_gate.py --corpora emodb

The statistics model trained on altered copies and speaker-normalised
(``make_ser_pipeline("stats", robust=True, speaker_normalize=True)``:
one channel per speaker and round, each round standardised apart) mixes
two logistic regressions by a detector of originals against copies
(`ConditionGatedClassifier`). This script fits it on the inner folds of
``robust_search.py`` (the training speakers of the first outer fold of
``accuracy.py``, split three ways; the test folds are never read) and
scores the validation speakers, clean and under one moderate severity of
each corruption kind, with

- the gated mixture (the model as built);
- the clean expert alone and the robust expert alone;
- the expert a perfect *per-speaker* gate would pick: the clean one for a
  clean speaker, the robust one for an altered speaker (every clip of a
  validation speaker shares one condition here, as at prediction with
  ``groups``);

and the detector's mean weight on the clean expert. After per-speaker
standardisation an altered round looks like the originals in mean and
spread, so the detector, which sees the same standardised features,
cannot tell clean clips from copies. It chooses nothing: it says where the
clean cost comes from and what a gate that reads each speaker's channel
(before standardisation) could recover (docs/robustness.md).
"""

import argparse

import numpy as np

import robust_search
import robustness
from _common import SHARED_DATA, machine, print_table

MODEL = "speaker-normalised, stats recipe, one channel per speaker and round"


def corpus_rows(name):
    import sklearn

    from skser.evaluation import emotion_report

    data = robustness.load_corpus(name)
    train = robustness.folds(name, data)[0][0]
    waveforms = robustness.load_waveforms(data)
    suite = robust_search.suite()
    ways = ("gated (as built)", "clean expert", "robust expert", "per-speaker oracle gate")
    scores = {(label, way): [] for label, _, _ in suite for way in ways}
    weights = {label: [] for label, _, _ in suite}
    for k, (fit_idx, val_idx) in enumerate(robust_search.inner_folds(data, train)):
        pipe = robust_search.candidate_pipeline(robust_search.CANDIDATES[MODEL])
        with sklearn.config_context(enable_metadata_routing=True):
            pipe.fit([waveforms[i] for i in fit_idx], data.target[fit_idx],
                     groups=data.groups[fit_idx])
        features, gate = pipe[:-1], pipe[-1]
        clips_under = robust_search.validation_clips(waveforms, fit_idx, val_idx, 0, k)
        truth = data.target[val_idx]
        for label, corruption, severity in suite:
            with sklearn.config_context(enable_metadata_routing=True):
                Z = features.transform(robustness.as_inputs(clips_under(corruption, severity)),
                                       groups=data.groups[val_idx])
            clean = gate.clean_estimator_.predict_proba(Z)
            robust = gate.robust_estimator_.predict_proba(Z)
            probabilities = {"gated (as built)": gate.predict_proba(Z), "clean expert": clean,
                             "robust expert": robust,
                             "per-speaker oracle gate": clean if corruption is None else robust}
            for way, p in probabilities.items():
                predicted = gate.classes_[np.argmax(p, axis=1)]
                scores[label, way].append(
                    emotion_report(truth, predicted, labels=data.target_names)["ua"])
            weights[label].append(float(np.mean(gate.clean_weight(Z))))
    rows = []
    for label, _, _ in suite:
        rows.append([name, label, *(f"{100 * np.mean(scores[label, w]):.1f}" for w in ways),
                     f"{np.mean(weights[label]):.2f}"])
    altered = [label for label, c, _ in suite if c is not None]
    rows.append([name, "**mean altered**",
                 *(f"{100 * np.mean([np.mean(scores[l, w]) for l in altered]):.1f}"
                   for w in ways),
                 f"{np.mean([np.mean(weights[l]) for l in altered]):.2f}"])
    return rows, ways


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", nargs="+", choices=robust_search.CORPORA,
                        default=list(robust_search.CORPORA))
    args = parser.parse_args(argv)
    if not SHARED_DATA.is_dir():
        raise SystemExit(f"needs the corpora in {SHARED_DATA}")
    rows, ways = [], ()
    for name in args.corpora:
        corpus, ways = corpus_rows(name)
        rows += corpus
    print(f"\nInner UA % (3 inner folds of the first outer fold's training speakers); "
          f"{machine()}\n")
    print_table(rows, ["corpus", "condition", *ways, "weight on the clean expert"])


if __name__ == "__main__":
    main()
