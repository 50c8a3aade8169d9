"""How the robust statistics model was chosen: an inner split of training speakers.

    python benchmarks/robust_search.py                 # RAVDESS and EmoDB, ~40 min on 2 cores
    python benchmarks/robust_search.py --stored-only   # the table of the stored results
    python benchmarks/robust_search.py --cache benchmarks/results/robust_search/followup \
        --candidates "level + 2 altered copies" "level + 4 altered copies" ...  # issue 21's follow-up

The candidates differ in whether clips are brought to one speech level
(`LevelNormalizer`) and in how many copies altered by `RandomCorruption`
are added in training. Each is scored on the *training* speakers of the
first outer fold of ``accuracy.py`` only (RAVDESS and EmoDB; SAVEE, which
no default was chosen on, is left out), by a 3-fold speaker-grouped split
of them, clean and under one moderate severity of each corruption kind.
The test folds of ``robustness.py`` and ``accuracy.py`` are never read.

Rule, fixed before the run: the candidate with the best mean UA over the
altered conditions, among those whose clean UA is within 1 point of the
best clean UA, averaged over both corpora. Plain and speaker-normalised
candidates (``speaker_normalize=True``: each validation speaker standardised
with its own unlabelled clips) are ranked apart, each by the same rule.
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np

import accuracy
import robustness
from _common import SHARED_DATA, machine
from skser.pipeline import STATS_FEATURES

#: name -> make_ser_pipeline("stats", ...) settings.
CANDIDATES = {
    "issue 14 (no level, no copies)": {"robust": False},
    "level": {"robust": True, "augment": False},
    "level + 1 altered copy": {"robust": True, "n_copies": 1},
    "level + 2 altered copies": {"robust": True, "n_copies": 2},
    "level + 1 altered copy, C=0.005": {"robust": True, "n_copies": 1, "clf__C": 0.005},
    "level + 1 altered copy, C=0.02": {"robust": True, "n_copies": 1, "clf__C": 0.02},
    "level + 1 mildly altered copy": {"robust": True, "n_copies": 1, "mild": True},
    # Issue 21's follow-up: leave out the columns that broadband noise fills
    # (the voice-quality measures, spectral contrast and flatness, which read
    # the gaps between harmonics), or train on more altered copies.
    "level + 2 altered copies, no HNR/jitter/shimmer": {
        "robust": True, "n_copies": 2,
        "features__features": tuple(f for f in STATS_FEATURES
                                    if f not in ("hnr", "jitter", "shimmer"))},
    "level + 2 altered copies, no contrast/flatness": {
        "robust": True, "n_copies": 2,
        "features__features": tuple(f for f in STATS_FEATURES
                                    if f not in ("contrast", "flatness"))},
    "level + 4 altered copies": {"robust": True, "n_copies": 4},
    # The copies are altered after TrimPad, so noise fills their zero
    # padding, while a recording is altered before it is trimmed: TrimPad
    # then cuts the noise 30 dB below the speech's peak and pads with zeros
    # (benchmarks/padding_mismatch.py, RAVDESS fold 0, a -60 dBFS floor:
    # 48.4 % UA on clips trimmed and then noised, 54.1 % with the floor over
    # the padding as in training). Trimming
    # each altered copy again, as TrimPad would, makes the copies look like
    # altered recordings.
    "level + 2 altered copies, trimmed after altering": {
        "robust": True, "n_copies": 2, "retrim": True},
    "level + 4 altered copies, trimmed after altering": {
        "robust": True, "n_copies": 4, "retrim": True},
    # Speaker-normalised (each inner validation speaker standardised with its
    # own unlabelled clips): whether the altered copies still help when the
    # scaler already adapts to each speaker's channel.
    "speaker-normalised, issue 14": {"robust": False, "speaker_normalize": True},
    "speaker-normalised, level": {"robust": True, "augment": False,
                                  "speaker_normalize": True},
    "speaker-normalised, level + 2 altered copies": {"robust": True, "n_copies": 2,
                                                     "speaker_normalize": True},
}
#: Milder training ranges: noise no closer than 10 dB to the speech, rooms
#: up to RT60 0.6 s, bitrates from 16 kbps.
MILD = {"white_noise": (10.0, 40.0), "pink_noise": (10.0, 40.0), "brown_noise": (10.0, 40.0),
        "babble": (10.0, 40.0), "hum": (10.0, 40.0), "noise_floor": (-80.0, -50.0),
        "reverb": (0.15, 0.6), "telephone": None, "mp3": (16.0, 48.0), "opus": (16.0, 48.0),
        "gain": None, "sample_rate": None}
CONDITIONS = (("pink_noise", 20.0), ("white_noise", 10.0), ("babble", 10.0), ("hum", 10.0),
              ("noise_floor", -50.0), ("reverb", 0.4), ("telephone", "mu-law"),
              ("mp3", 16.0), ("opus", 16.0), ("gain", -30.0), ("gain", 12.0),
              ("sample_rate", 8000))
CORPORA = ("ravdess", "emodb")
N_INNER = 3
CACHE = Path(__file__).resolve().parent / "results" / "robust_search"


def inner_folds(data, train):
    from sklearn.model_selection import StratifiedGroupKFold

    splitter = StratifiedGroupKFold(n_splits=N_INNER, shuffle=True, random_state=robustness.SEED)
    return [(train[a], train[b]) for a, b in
            splitter.split(train, data.target[train], data.groups[train])]


def candidate_pipeline(settings):
    """``make_ser_pipeline("stats", **settings)``; ``mild=True`` draws the
    altered copies from the `MILD` ranges; ``retrim=True`` trims and pads
    each altered copy again (`TrimPad` after `RandomCorruption`)."""
    from sklearn.pipeline import make_pipeline

    from skser import TrimPad, make_ser_pipeline
    from skser.augmentation import RandomCorruption

    settings = dict(settings)
    if settings.pop("mild", False):
        settings["augment__augmenters"] = [RandomCorruption(corruptions=MILD)]
    if settings.pop("retrim", False):
        settings["augment__augmenters"] = [make_pipeline(RandomCorruption(), TrimPad())]
    return make_ser_pipeline("stats", random_state=robustness.SEED, **settings)


def score_candidate(settings, data, waveforms, inner, altered):
    """Inner UA of one candidate per condition; ``altered`` caches the
    corrupted validation clips across candidates."""
    from skser.evaluation import emotion_report

    suite = [(robustness.CLEAN, None, None)] + [
        (robustness.condition_label(c, s), c, s) for c, s in CONDITIONS]
    scores = {label: [] for label, _, _ in suite}
    for k, (fit_idx, val_idx) in enumerate(inner):
        import sklearn

        pipe = candidate_pipeline(settings)
        spk = settings.get("speaker_normalize", False)
        with sklearn.config_context(enable_metadata_routing=spk):
            pipe.fit([waveforms[i] for i in fit_idx], data.target[fit_idx],
                     **({"groups": data.groups[fit_idx]} if spk else {}))
        rng = np.random.default_rng([robustness.SEED, 99, k])
        sources = [waveforms[j] for j in rng.choice(fit_idx, size=robustness.N_BABBLE_SOURCES,
                                                    replace=False)]
        for label, corruption, severity in suite:
            if (k, label) not in altered:
                altered[k, label] = robustness.corrupted(
                    waveforms, val_idx, corruption, severity, sources=sources,
                    corpus_seed=100 + k)
            clips = altered[k, label]
            with sklearn.config_context(enable_metadata_routing=spk):
                predicted = pipe.predict(robustness.as_inputs(clips),
                                         **({"groups": data.groups[val_idx]} if spk else {}))
            scores[label].append(emotion_report(data.target[val_idx], predicted,
                                                labels=data.target_names)["ua"])
    return {label: float(np.mean(v)) for label, v in scores.items()}


def store_merged(path, name, result):
    """Add ``result`` under ``name`` to the JSON at ``path``, under a lock, so
    that processes sharing the candidates keep each other's results."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stored = json.loads(path.read_text()) if path.is_file() else {}
        stored[name] = result
        accuracy.store(path, stored)
    return stored


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stored-only", action="store_true")
    parser.add_argument("--candidates", nargs="+", choices=list(CANDIDATES), default=None,
                        help="compute only these (two processes can share the work)")
    parser.add_argument("--cache", type=Path, default=CACHE,
                        help="where the results are stored (a follow-up keeps its own, "
                             "with its baseline rerun beside it)")
    args = parser.parse_args(argv)
    if not SHARED_DATA.is_dir():
        parser.exit(0, f"robust_search.py: {SHARED_DATA} is absent.\n")
    results = {}
    for corpus in CORPORA:
        path = args.cache / f"{corpus}.json"
        stored = json.loads(path.read_text()) if path.is_file() else {}
        missing = [c for c in (args.candidates or CANDIDATES) if c not in stored]
        if missing and not args.stored_only:
            data = robustness.load_corpus(corpus)
            train, _ = robustness.folds(corpus, data)[0]
            inner = inner_folds(data, train)
            waveforms = robustness.load_waveforms(data)
            altered = {}
            for name in missing:
                start = time.perf_counter()
                stored[name] = {"scores": score_candidate(CANDIDATES[name], data, waveforms,
                                                          inner, altered),
                                "seconds": time.perf_counter() - start, "machine": machine()}
                print(f"{corpus} {name}: clean "
                      f"{100 * stored[name]['scores'][robustness.CLEAN]:.1f}, altered "
                      f"{100 * np.mean([v for k, v in stored[name]['scores'].items() if k != robustness.CLEAN]):.1f}"
                      f" ({stored[name]['seconds']:.0f} s)", flush=True)
                stored = store_merged(path, name, stored[name])
        results[corpus] = stored
    for family in (False, True):
        names = [c for c in CANDIDATES if all(c in results[k] for k in CORPORA)
                 and CANDIDATES[c].get("speaker_normalize", False) == family]
        if names:
            print_table(results, names)


def print_table(results, names):
    """The inner UA of ``names``, mean over corpora, and the rule's choice."""
    labels = list(results[CORPORA[0]][names[0]]["scores"])
    print("| condition | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for label in labels:
        print(f"| {label} | " + " | ".join(
            f"{100 * np.mean([results[k][n]['scores'][label] for k in CORPORA]):.1f}"
            for n in names) + " |")
    clean = {n: np.mean([results[k][n]["scores"][robustness.CLEAN] for k in CORPORA])
             for n in names}
    altered = {n: np.mean([v for k in CORPORA for lab, v in results[k][n]["scores"].items()
                           if lab != robustness.CLEAN]) for n in names}
    print("| **mean altered** | " + " | ".join(f"**{100 * altered[n]:.1f}**" for n in names)
          + " |")
    eligible = [n for n in names if clean[n] >= max(clean.values()) - 0.01]
    print(f"\nChosen by the rule: {max(eligible, key=altered.get)} "
          f"(eligible on clean UA: {', '.join(eligible)})")


if __name__ == "__main__":
    main()
