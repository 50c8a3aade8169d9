"""The search behind the shipped model's features: nested leave-one-corpus-out.

    python benchmarks/transfer_search.py                # both class sets, ~15 minutes
    python benchmarks/transfer_search.py --stored-only  # the tables of the stored results
    python benchmarks/transfer_search.py --quick        # a smoke run
    python benchmarks/transfer_search.py --robust       # for transfer and altered audio

The statistics model's 828 columns were chosen by speaker-grouped folds
inside RAVDESS and EmoDB (`feature_search.py`); a model that ships must do
well on corpora it never heard. Here each candidate (frame features, deltas,
functionals, the logistic regression's C) is chosen for transfer, never on
the corpus it is tested on: for each held-out corpus (outer), candidates
are scored on the other two only, trained on one and tested on the other,
both ways (inner); the candidate of best mean inner UA is the outer choice,
then trained on both and tested on the held-out corpus. The recipe shipped
is the candidate chosen most often over the three outer corpora (a tie goes
to the better mean inner UA).

Every candidate is the robust statistics model with ``adapt=True``: trained
on each clip and two copies altered by `RandomCorruption`, at one speech
level, each training corpus standardised with its own statistics. It is
scored two ways, as one model serves both: adapted (the test corpus
standardised with its own clips' statistics, ``skser predict --adapt``) and
plain (the training corpora's average statistics, a single clip); the
inner score that chooses is the mean of the two.

Features are computed once per corpus for the union of all candidates (the
statistics model's 20 frame features, their deltas and nine functionals)
and sliced by column name; the altered copies are drawn once per corpus
(seed 0). Results: ``benchmarks/results/transfer_search/<classes>.json``.

``--robust`` chooses for transfer *and* altered audio (the search above
scored clean clips only, and the recipe it chose falls to chance under
white noise at 10 dB SNR, ``docs/robustness.md``). Each inner pair's test
corpus is also scored under one moderate severity of each corruption kind
(`ROBUST_CONDITIONS`, the conditions of ``robust_search.py``: noise, babble
and hum at 10-20 dB SNR, a -50 dBFS floor, RT60 0.4 s, a mu-law phone line,
MP3 and Opus at 16 kbit/s, gains of -30 and +12 dB, an 8 kHz file), applied
to the recording before trimming as ``robustness.py`` applies them. Rule,
fixed before the run: a candidate's inner score is half its clean score and
half its mean score over those conditions, each score the mean of adapted
and plain UA as above; the outer choice and the shipped recipe follow as
above. The candidates are those above and three that leave out what
broadband noise damages first (`ROBUST_EXTRA`). Babble is made of 60 clips
of the test corpus itself (its other speakers, and at times the clip's own
speaker: a harder babble than ``robustness.py``'s). Results:
``benchmarks/results/transfer_search/<classes>-robust.json``.
"""

import argparse
import json
import time
from collections import Counter
from pathlib import Path

import numpy as np

import cross_corpus
import robust_search
import robustness
from _common import SHARED_DATA, machine

SR = 16000
SEED = 0
N_COPIES = 2
RESULTS = Path(__file__).resolve().parent / "results" / "transfer_search"
FEATURE_CACHE = Path.home() / ".cache" / "skser-benchmarks" / "transfer_search"

ALL = ("zcr", "energy", "rms", "mfcc", "contrast", "f0", "voicing", "voiced", "hnr", "jitter",
       "shimmer", "loudness", "centroid", "bandwidth", "rolloff", "flatness", "flux", "slope",
       "alpha_ratio", "hammarberg")
MORE = ("mean", "std", "p20", "p50", "p80", "range20_80", "slope", "skew", "kurtosis")
FEWER = ("mean", "std", "p20", "p50", "p80")
VOICE = ("f0", "voicing", "voiced", "hnr", "jitter", "shimmer", "loudness")
# eGeMAPS' families among skser's frame features: pitch, voice quality,
# loudness, spectral balance and flux, and the first MFCCs.
GEMAPS_LIKE = VOICE + ("slope", "alpha_ratio", "hammarberg", "flux", "mfcc")


def _without(*names):
    return tuple(f for f in ALL if f not in names)


#: name -> FrameFeatures1D settings and the logistic regression's C. A
#: candidate's ``n_mfcc`` keeps the first MFCCs (a coefficient does not
#: depend on how many are computed).
CANDIDATES = {
    "stats (828 columns)": ({"features": ALL}, 0.01),
    "stats, C=0.001": ({"features": ALL}, 0.001),
    "stats, C=0.003": ({"features": ALL}, 0.003),
    "stats, C=0.03": ({"features": ALL}, 0.03),
    "stats, no deltas": ({"features": ALL, "deltas": False}, 0.01),
    "stats, 5 functionals": ({"features": ALL, "aggregate": FEWER}, 0.01),
    "stats, mean and std": ({"features": ALL, "aggregate": ("mean", "std")}, 0.01),
    "no MFCC": ({"features": _without("mfcc")}, 0.01),
    "MFCC 0-4": ({"features": ALL, "n_mfcc": 5}, 0.01),
    "no contrast": ({"features": _without("contrast")}, 0.01),
    "no MFCC, no contrast": ({"features": _without("mfcc", "contrast")}, 0.01),
    "MFCC 0-4, no contrast": ({"features": _without("contrast"), "n_mfcc": 5}, 0.01),
    "eGeMAPS-like": ({"features": GEMAPS_LIKE, "n_mfcc": 5}, 0.01),
    "eGeMAPS-like, C=0.03": ({"features": GEMAPS_LIKE, "n_mfcc": 5}, 0.03),
    "eGeMAPS-like, C=0.1": ({"features": GEMAPS_LIKE, "n_mfcc": 5}, 0.1),
    "eGeMAPS-like, no deltas": ({"features": GEMAPS_LIKE, "n_mfcc": 5, "deltas": False}, 0.01),
    "voice only": ({"features": VOICE}, 0.03),
}
QUICK_CANDIDATES = ("stats (828 columns)", "eGeMAPS-like")
#: Candidates of the ``--robust`` search only: eGeMAPS' families without the
#: voice-quality measures (HNR, jitter, shimmer) that broadband noise
#: damages first, with more of the spectral envelope (MFCC 0-12), and the
#: spectral envelope and loudness without any pitch measure.
ROBUST_EXTRA = {
    "eGeMAPS-like, no HNR/jitter/shimmer": (
        {"features": tuple(f for f in GEMAPS_LIKE if f not in ("hnr", "jitter", "shimmer")),
         "n_mfcc": 5}, 0.01),
    "eGeMAPS-like, MFCC 0-12, no deltas": (
        {"features": GEMAPS_LIKE, "n_mfcc": 13, "deltas": False}, 0.01),
    "envelope and loudness (no pitch)": (
        {"features": ("mfcc", "loudness", "slope", "alpha_ratio", "hammarberg", "flux"),
         "n_mfcc": 13}, 0.01),
}
CANDIDATES.update(ROBUST_EXTRA)
#: The clean search's candidates (how the shipped recipe was first chosen).
CLEAN_CANDIDATES = tuple(n for n in CANDIDATES if n not in ROBUST_EXTRA)
#: One moderate severity of each corruption kind: robust_search.py's conditions.
ROBUST_CONDITIONS = robust_search.CONDITIONS
QUICK_CONDITIONS = (("white_noise", 10.0), ("telephone", "mu-law"))


def union():
    """The FrameFeatures1D whose columns hold every candidate's."""
    from skser import FrameFeatures1D

    return FrameFeatures1D(sr=SR, features=ALL, deltas=True, aggregate=MORE)


def columns(names, settings):
    """Indices into ``names`` of one candidate's columns."""
    from skser import FrameFeatures1D

    settings = dict(settings)
    deltas = settings.pop("deltas", True)
    wanted = FrameFeatures1D(sr=SR, deltas=deltas, **{"aggregate": MORE, **settings}
                             ).get_feature_names_out()
    where = {n: i for i, n in enumerate(names)}
    return np.array([where[n] for n in wanted])


def extract(data, corpus, *, quick):
    """``(X_train, y_train, X_test, y_test, names)`` of one corpus: training
    rows are its clips and their altered copies at one speech level, test
    rows its clean clips at one speech level."""
    from skser import AudioLoader, AugmentedCopies, LevelNormalizer, RandomCorruption, TrimPad

    cache = FEATURE_CACHE / f"{corpus}{'-quick' if quick else ''}.npz"
    rows = data.corpus == corpus
    y = data.target[rows]
    if cache.is_file():
        stored = np.load(cache, allow_pickle=False)
        if stored["files"].tolist() == data.filenames[rows].tolist():
            n = y.size
            return (stored["X"], np.tile(y, 1 + N_COPIES), stored["X"][:n], y,
                    stored["names"].tolist())
    waves = AudioLoader(sr=SR, duration=30.0).transform(list(data.filenames[rows]))
    clips = TrimPad(sr=SR, duration=3.0).fit_transform(waves)
    copies = AugmentedCopies(augmenters=[RandomCorruption(sr=SR)], n_copies=N_COPIES,
                             random_state=SEED)
    X_all, _ = copies.fit_resample(clips, y)
    X_all = LevelNormalizer(sr=SR).fit_transform(X_all)
    features = union()
    X = features.fit_transform(X_all).astype(np.float32)
    names = list(features.get_feature_names_out())
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez(cache, X=X, names=np.array(names), files=data.filenames[rows])
    return X, np.tile(y, 1 + N_COPIES), X[:y.size], y, names


def extract_altered(data, corpus, conditions, *, quick):
    """label -> features of the corpus's clips under each condition of
    ``conditions``: the recording as loaded at 16 kHz is altered (seeded by
    clip and condition), read back at 16 kHz as `AudioLoader` reads a file
    at another rate, trimmed, brought to one speech level; the rows are
    those of `extract`'s test rows."""
    from skser import AudioLoader, LevelNormalizer, TrimPad
    from skser.augmentation import corrupt

    cache = FEATURE_CACHE / f"{corpus}-altered{'-quick' if quick else ''}.npz"
    rows = data.corpus == corpus
    labels = [robustness.condition_label(c, s) for c, s in conditions]
    stored = {}
    if cache.is_file():
        with np.load(cache, allow_pickle=False) as f:
            if f["files"].tolist() == data.filenames[rows].tolist():
                stored = {k: f[k] for k in f.files if k != "files"}
    if all(label in stored for label in labels):
        return {label: stored[label] for label in labels}
    loader = AudioLoader(sr=SR, duration=30.0)
    waves = loader.transform(list(data.filenames[rows]))
    k = list(cross_corpus.CORPORA).index(corpus)
    pick = np.random.default_rng([SEED, 77, k]).choice(
        len(waves), size=min(robustness.N_BABBLE_SOURCES, len(waves)), replace=False)
    sources = [waves[i] for i in pick]
    features = union()
    for n, ((corruption, severity), label) in enumerate(zip(conditions, labels)):
        if label in stored:
            continue
        start = time.perf_counter()
        altered = []
        for i, y in enumerate(waves):
            out, sr = corrupt(y, corruption, severity, sr=SR, sources=sources,
                              random_state=np.random.default_rng([SEED, k, i, n]))
            altered.append(out if sr == SR else (out, sr))
        clips = TrimPad(sr=SR, duration=3.0).fit_transform(loader.transform(altered))
        stored[label] = features.fit_transform(
            LevelNormalizer(sr=SR).fit_transform(clips)).astype(np.float32)
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, files=data.filenames[rows], **stored)
        print(f"  {corpus} {label}: {time.perf_counter() - start:.0f} s", flush=True)
    return {label: stored[label] for label in labels}


def fit_model(columns_, C, train_parts, labels):
    """Train on ``train_parts`` (each a corpus's ``(X, y)``: one domain):
    ``(scaler, classifier, columns_)``."""
    from sklearn.linear_model import LogisticRegression

    from skser import DomainStandardScaler

    Xs, ys, domains = [], [], []
    for i, (X, y) in enumerate(train_parts):
        keep = np.isin(y, labels)
        Xs.append(X[keep][:, columns_])
        ys.append(y[keep])
        domains.append(np.full(keep.sum(), i))
    X, y, domains = np.concatenate(Xs), np.concatenate(ys), np.concatenate(domains)
    scaler = DomainStandardScaler().fit(X, domains=domains)
    clf = LogisticRegression(C=C, class_weight="balanced", max_iter=3000).fit(
        scaler.transform(X, domains=domains), y)
    return scaler, clf, columns_


def score_model(model, test_part, labels):
    """UA of a `fit_model` model on ``test_part``, adapted and plain."""
    from sklearn.metrics import balanced_accuracy_score

    scaler, clf, columns_ = model
    X_test, y_test = test_part
    keep = np.isin(y_test, labels)
    X_test, y_test = X_test[keep][:, columns_], y_test[keep]
    adapted = clf.predict(scaler.transform(X_test, domains=np.zeros(y_test.size)))
    plain = clf.predict(scaler.transform(X_test))
    return {"adapted": balanced_accuracy_score(y_test, adapted),
            "plain": balanced_accuracy_score(y_test, plain)}


def _score(result):
    return (result["adapted"] + result["plain"]) / 2


def nested_search(classes, features, candidates, scores, inner_score):
    """The nested search over one class set: per held-out corpus, every
    candidate's inner scores, the choice, and every candidate's outer scores.

    ``scores(model, corpus)`` scores a `fit_model` model on a corpus's test
    rows; ``inner_score`` ranks one such result."""
    labels = cross_corpus.CLASS_SETS[classes]
    names = features["names"]
    corpora = list(cross_corpus.CORPORA)
    outer = {}
    for held_out in corpora:
        a, b = (c for c in corpora if c != held_out)
        inner, outer_scores = {}, {}
        for name in candidates:
            settings, C = CANDIDATES[name]
            cols = columns(names, settings)
            inner[name] = [scores(fit_model(cols, C, [features["train"][x]], labels), y)
                           for x, y in ((a, b), (b, a))]
            outer_scores[name] = scores(fit_model(
                cols, C, [features["train"][a], features["train"][b]], labels), held_out)
        mean_inner = {n: float(np.mean([inner_score(r) for r in rs]))
                      for n, rs in inner.items()}
        choice = max(candidates, key=lambda n: mean_inner[n])
        outer[held_out] = {"choice": choice, "inner": inner, "mean_inner": mean_inner,
                           "outer": outer_scores}
        print(f"{classes} classes, held out {held_out}: chose {choice!r} (inner "
              f"{100 * mean_inner[choice]:.1f}); outer {_describe(outer_scores[choice])}",
              flush=True)
    counts = Counter(o["choice"] for o in outer.values())
    chosen = max(counts, key=lambda n: (counts[n], np.mean(
        [o["mean_inner"][n] for o in outer.values()])))
    return {"classes": classes, "candidates": list(candidates), "outer": outer,
            "chosen": chosen, "machine": machine(), "date": time.strftime("%Y-%m-%d")}


def _describe(result):
    if "clean" not in result:
        return f"adapted {100 * result['adapted']:.1f}, plain {100 * result['plain']:.1f}"
    return (f"clean adapted {100 * result['clean']['adapted']:.1f}, plain "
            f"{100 * result['clean']['plain']:.1f}; altered "
            f"{100 * _altered_mean(result, 'adapted'):.1f}, "
            f"{100 * _altered_mean(result, 'plain'):.1f}")


def search(classes, features, candidates):
    """The search on clean clips: each candidate ranked by `_score`."""
    labels = cross_corpus.CLASS_SETS[classes]
    return nested_search(
        classes, features, candidates,
        lambda model, corpus: score_model(model, features["test"][corpus], labels), _score)


def _robust_score(result):
    """Half the clean score, half the mean score over the altered conditions."""
    altered = [_score(r) for label, r in result.items() if label != "clean"]
    return (_score(result["clean"]) + float(np.mean(altered))) / 2


def robust_search(classes, features, candidates, conditions):
    """The ``--robust`` search: as `search`, each pair also scored under
    ``conditions``, the inner score `_robust_score`."""
    labels = cross_corpus.CLASS_SETS[classes]
    altered_labels = [robustness.condition_label(c, s) for c, s in conditions]

    def scores(model, corpus):
        X_test, y_test = features["test"][corpus]
        return {"clean": score_model(model, (X_test, y_test), labels),
                **{label: score_model(model, (features["altered"][corpus][label], y_test),
                                      labels) for label in altered_labels}}

    result = nested_search(classes, features, candidates, scores, _robust_score)
    return {"classes": classes, "criterion": "robust", "candidates": list(candidates),
            "conditions": altered_labels, **{k: result[k] for k in (
                "outer", "chosen", "machine", "date")}}


def _altered_mean(result, way):
    return float(np.mean([r[way] for label, r in result.items() if label != "clean"]))


def table(result):
    """Markdown: per candidate, mean inner score and outer UA per held-out
    corpus, adapted / plain (a ``--robust`` result: clean and the mean over
    the altered conditions); the choices marked."""
    if result.get("criterion") == "robust":
        parts = {"clean": lambda r, way: r["clean"][way], "altered": _altered_mean}
    else:
        parts = {"adapted / plain": lambda r, way: r[way]}
    corpora = list(result["outer"])
    lines = ["| candidate | columns | " + " | ".join(
        f"inner (no {cross_corpus.CORPORA[c][2]}) | " + " | ".join(
            f"-> {cross_corpus.CORPORA[c][2]} {part}" for part in parts)
        for c in corpora) + " |",
        "|---|---:|" + "---:|" * ((1 + len(parts)) * len(corpora))]
    names = list(union().get_feature_names_out())
    for name in result["candidates"]:
        cells = []
        for c in corpora:
            o = result["outer"][c]
            mark = " **(chosen)**" if o["choice"] == name else ""
            cells.append(f"{100 * o['mean_inner'][name]:.1f}{mark}")
            for ua in parts.values():
                r = o["outer"][name]
                cells.append(f"{100 * ua(r, 'adapted'):.1f} / {100 * ua(r, 'plain'):.1f}")
        n_columns = len(columns(names, CANDIDATES[name][0]))
        lines.append(f"| {name} | {n_columns} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--classes", nargs="+", choices=list(cross_corpus.CLASS_SETS),
                        default=list(cross_corpus.CLASS_SETS))
    parser.add_argument("--quick", action="store_true",
                        help="every fourth clip, two candidates, not stored: a smoke run")
    parser.add_argument("--robust", action="store_true",
                        help="choose for transfer and altered audio (the module's docstring)")
    parser.add_argument("--stored-only", action="store_true")
    args = parser.parse_args(argv)
    if not SHARED_DATA.is_dir():
        parser.exit(0, f"transfer_search.py: {SHARED_DATA} is absent; nothing to search.\n")
    if args.quick:
        candidates = QUICK_CANDIDATES
    else:
        candidates = tuple(CANDIDATES) if args.robust else CLEAN_CANDIDATES
    conditions = QUICK_CONDITIONS if args.quick else ROBUST_CONDITIONS
    features = None
    for classes in args.classes:
        path = RESULTS / f"{classes}{'-robust' if args.robust else ''}.json"
        result = None
        if path.is_file() and not args.quick:
            stored = json.loads(path.read_text())
            if stored["candidates"] == list(candidates):
                result = stored
        if result is None and not args.stored_only:
            if features is None:
                data = cross_corpus.load_corpora(quick=args.quick)
                features = {"train": {}, "test": {}, "altered": {}}
                for corpus in cross_corpus.CORPORA:
                    start = time.perf_counter()
                    X, y, X_test, y_test, names = extract(data, corpus, quick=args.quick)
                    features["train"][corpus] = (X, y)
                    features["test"][corpus] = (X_test, y_test)
                    features["names"] = names
                    if args.robust:
                        features["altered"][corpus] = extract_altered(
                            data, corpus, conditions, quick=args.quick)
                    print(f"{corpus}: {y_test.size} clips, {X.shape[0]} training rows, "
                          f"{time.perf_counter() - start:.0f} s", flush=True)
            result = (robust_search(classes, features, candidates, conditions) if args.robust
                      else search(classes, features, candidates))
            if not args.quick:
                from accuracy import store

                store(path, result)
        if result is not None:
            print(f"\n{classes} classes{', transfer and altered audio' if args.robust else ''}:"
                  f" chosen {result['chosen']!r}\n"
                  f"{table(result)}\n")

if __name__ == "__main__":
    main()
