"""Cross-corpus accuracy: train on some corpora, test on another (issue 22).

    python benchmarks/cross_corpus.py                                # everything
    python benchmarks/cross_corpus.py --rows stats stats+adapt --classes 4
    python benchmarks/cross_corpus.py --stored-only --write docs/cross_corpus.md
    python benchmarks/cross_corpus.py --quick                        # a smoke run

A model is trained on whole corpora and tested on a corpus it never heard:
other speakers, another language or accent, another studio. Experiments,
over RAVDESS, EmoDB and SAVEE (``../shared/data``):

- leave one corpus out: train on two, test on the third (the targets of
  issue 22 are set here);
- each single corpus to each other one.

Only the classes both sides have are used, in training and test: the four
that every SER corpus shares (angry, happy, neutral, sad; chance 25 %) and
the six of CREMA-D (those four, disgust and fear; chance 16.7 %), which all
three corpora have. Scores are UA (mean per-class recall) over every clip of
the test corpus in those classes.

Rows, each trained once per training set and class set:

- ``default``: ``make_ser_pipeline()`` as a user gets it (the robust
  ensemble; its inner split is over the training speakers);
- ``stats``: ``make_ser_pipeline("stats")``, the robust statistics model;
- ``stats-issue-14``: the statistics model trained on the clean clips only
  (``robust=False``), as before issue 21;
- ``svm``: the statistics pipeline before issue 13 (seven frame features,
  mean and standard deviation, an RBF SVM);
- ``opensmile``: the peer, openSMILE's 88 eGeMAPSv02 functionals with the
  ``svm`` row's scaler and SVM (``pip install 'skser[bench]'``; without it
  these rows show what is stored);
- ``pretrained``: skser's pretrained model's recipe
  (`skser._pretrained.make_pretrained_pipeline`: the default adapting per
  recording domain, the same fits as ``default+adapt``), which adapts; its
  figures without adaptation are the same fit predicting one clip at a
  time (``none``); ``pretrained-stats``: the statistics recipe shipped
  until 2026-12-07 (`_common.pretrained_stats_pipeline`, chosen by
  `transfer_search.py`), the same way;
- ``<row>+adapt``: the same with ``adapt=True``: the ``scale`` step is a
  `DomainStandardScaler`, fitted with each training clip's corpus as its
  domain (each training corpus standardised with its own statistics), and
  the test corpus is standardised with the statistics of its own unlabelled
  clips. This uses the test corpus's clips (never their labels), as a user
  adapting to a folder of their recordings does: its figures are labelled
  apart. Reported for the whole test corpus as one domain (``all``), for
  random batches of at least 10, 30 and 100 of its clips, each batch its own
  domain (what a user with that many recordings gets), and without
  adaptation (``none``: the fallback statistics, as for a single clip).

The leading steps that learn nothing (loading and trimming; openSMILE's
features) run once per clip for every row; each row fits the rest of its
pipeline per training set, as `benchmarks/accuracy.py` does. Every fit is
stored in ``--cache`` (one JSON per class set, training set and row), so an
interrupted run resumes where it stopped; a stored fit counts only while its
row is built with the same settings.
"""

import argparse
import hashlib
import json
import os
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import accuracy  # noqa: E402
from _common import (  # noqa: E402
    CANDIDATES, PRETRAINED_STATS, SHARED_DATA, machine, pretrained_stats_pipeline,
    statistics_before_issue_13, with_epochs,
)
from _opensmile import OPENSMILE_MISSING, OpenSmileFunctionals, opensmile_available  # noqa: E402

CORPORA = {
    "ravdess": ("ravdess-speech-16k", "load_ravdess", "RAVDESS"),
    "emodb": ("emodb", "load_emodb", "EmoDB"),
    "savee": ("savee-16k", "load_savee", "SAVEE"),
}
CLASS_SETS = {
    "4": ("angry", "happy", "neutral", "sad"),
    "6": ("angry", "disgust", "fear", "happy", "neutral", "sad"),
}
# Training sets, leave-one-corpus-out first: the order they are computed in.
TRAINING_SETS = (("emodb", "savee"), ("ravdess", "savee"), ("ravdess", "emodb"),
                 ("ravdess",), ("emodb",), ("savee",))
PLAIN_ROWS = ("svm", "stats-issue-14", "stats", "opensmile", "default")
ADAPT = "+adapt"
ADAPT_LABEL = "adapted (uses the test corpus's unlabelled clips)"
# The pretrained model's recipe (skser._pretrained): it adapts, and its
# figures without adaptation are those of the same fit predicting one clip
# at a time.
PRETRAINED = "pretrained"
ROWS = (*(r for plain in PLAIN_ROWS for r in (plain, plain + ADAPT)), PRETRAINED,
        PRETRAINED_STATS)
# Candidates (`_common.CANDIDATES`) and their adapted twins: run and shown
# only when named (``--rows``), beside the row they would replace.
CANDIDATE_ROWS = tuple(r for name in CANDIDATES for r in (name, name + ADAPT))
OPENSMILE_ROWS = ("opensmile", "opensmile" + ADAPT)
# Batches of the test corpus's clips standardised together, smallest first.
BATCH_SIZES = (10, 30, 100)
QUICK_ROWS = ("svm", "svm" + ADAPT)
SEED = 0
# Bumped when what a stored fit holds changes.
PROTOCOL = 1
DEFAULT_CACHE = Path(__file__).resolve().parent / "results" / "cross_corpus"
BEGIN, END = "<!-- cross_corpus.py: begin -->", "<!-- cross_corpus.py: end -->"


def make_row(name, *, quick=False):
    """The estimator of one row, from file paths to labels.

    Parameters
    ----------
    name : str
        One of `ROWS`; a name ending in ``+adapt`` builds its row with
        ``adapt=True``.
    quick : bool, default=False
        Train networks for 1 epoch (a smoke run, not a result).

    Returns
    -------
    estimator : skser.pipeline.Pipeline
    """
    from skser import make_ser_pipeline

    base = name.removesuffix(ADAPT)
    adapt = {"adapt": True} if name.endswith(ADAPT) else {}
    if base in CANDIDATES:
        row, change = CANDIDATES[base]
        return make_row(row + name[len(base):], quick=quick).set_params(**change)
    if name == PRETRAINED:
        from skser._pretrained import make_pretrained_pipeline

        pipeline = make_pretrained_pipeline(random_state=SEED)
    elif name == PRETRAINED_STATS:
        pipeline = pretrained_stats_pipeline(random_state=SEED)
    elif base == "default":
        pipeline = make_ser_pipeline(random_state=SEED, **adapt)
    elif base == "stats":
        pipeline = make_ser_pipeline("stats", random_state=SEED, **adapt)
    elif base == "stats-issue-14":
        pipeline = make_ser_pipeline("stats", robust=False, random_state=SEED, **adapt)
    elif base in ("svm", "opensmile"):
        pipeline = make_ser_pipeline("stats", random_state=SEED, **adapt,
                                     **statistics_before_issue_13(random_state=SEED))
        if base == "opensmile":
            pipeline = type(pipeline)([("features", OpenSmileFunctionals()),
                                       *pipeline.steps[-2:]])
    else:
        raise ValueError(f"unknown row {name!r}; expected one of "
                         f"{', '.join((*ROWS, *CANDIDATE_ROWS))}.")
    return with_epochs(pipeline, 1) if quick else pipeline


def stored_candidates(cache):
    """The rows of `CANDIDATE_ROWS` with a fit stored under ``cache``."""
    return [row for row in CANDIDATE_ROWS
            if cache is not None and any(Path(cache).glob(f"*/*/{row}.json"))]


def adapts(row):
    """Whether ``row`` standardises per domain (an adapted twin, or the
    pretrained recipe)."""
    return row.endswith(ADAPT) or row in (PRETRAINED, PRETRAINED_STATS)


def row_key(row, classes, training, *, quick=False):
    """What a stored fit must match: the row's settings (`accuracy.settings_key`,
    which leaves out the classes of the steps, so whether it adapts is named
    here), the classes, the training corpora and the protocol."""
    settings = {
        "row": accuracy.settings_key(make_row(row, quick=quick)),
        "adapt": adapts(row), "classes": list(CLASS_SETS[classes]),
        "training": list(training), "batches": list(BATCH_SIZES), "protocol": PROTOCOL,
    }
    return hashlib.sha1(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]


def load_corpora(*, quick=False):
    """Every clip of the six classes of every corpus, as one Bunch with the
    ``corpus`` of each clip and speakers named ``corpus:speaker``; in quick
    mode every fourth clip."""
    from sklearn.utils import Bunch

    parts = []
    for corpus in CORPORA:
        data = accuracy.load_corpus(corpus, corpora=CORPORA)
        keep = np.isin(data.target, CLASS_SETS["6"])
        if quick:
            keep &= np.arange(keep.size) % 4 == 0
        parts.append((corpus, data.filenames[keep], data.target[keep], data.groups[keep]))
    return Bunch(
        filenames=np.concatenate([p[1] for p in parts]),
        target=np.concatenate([p[2] for p in parts]),
        groups=np.concatenate([[f"{corpus}:{speaker}" for speaker in speakers]
                               for corpus, _, _, speakers in parts]),
        corpus=np.concatenate([[p[0]] * p[1].size for p in parts]),
    )


def batches(n_clips, size, *, seed=SEED):
    """A random partition of ``n_clips`` clips into batches of at least
    ``size`` clips (fewer only when there are fewer clips): the batch of
    each clip, ``(n_clips,)`` ints."""
    order = np.random.default_rng(seed).permutation(n_clips)
    batch = np.empty(n_clips, dtype=int)
    for b, part in enumerate(np.array_split(order, max(1, n_clips // size))):
        batch[part] = b
    return batch


def _scores(y_true, y_pred, classes):
    from skser.evaluation import emotion_report

    report = emotion_report(y_true, y_pred, labels=list(classes))
    return {"ua": report["ua"], "wa": report["wa"], "macro_f1": report["macro_f1"],
            "y_pred": np.asarray(y_pred).tolist()}


def fit_and_test(row, classes, training, data, heads, *, quick=False):
    """Fit ``row`` on the ``classes`` clips of the ``training`` corpora and
    test it on every other corpus; the stored result without its key."""
    import sklearn

    estimator = make_row(row, quick=quick)
    labels = CLASS_SETS[classes]
    in_classes = np.isin(data.target, labels)
    train = np.flatnonzero(in_classes & np.isin(data.corpus, training))
    head, tail = accuracy.split_stateless(estimator)
    Xt, head_seconds = heads(head)
    adapt = adapts(row)
    params = {}
    if accuracy.takes_training_speakers(estimator):
        params["groups"] = data.groups[train]
    if adapt:
        params["domains"] = data.corpus[train]
    with sklearn.config_context(enable_metadata_routing=True):
        start = time.perf_counter()
        tail.fit(accuracy._take(Xt, train), data.target[train], **params)
        fit_seconds = time.perf_counter() - start + head_seconds * train.size
        tests = {}
        for corpus in CORPORA:
            if corpus in training:
                continue
            test = np.flatnonzero(in_classes & (data.corpus == corpus))
            X_test, y_test = accuracy._take(Xt, test), data.target[test]
            start = time.perf_counter()
            result = {"n_test": int(test.size), "y_true": y_test.tolist(),
                      "none": _scores(y_test, tail.predict(X_test), labels)}
            predict_seconds = time.perf_counter() - start
            if adapt:
                result["all"] = _scores(
                    y_test, tail.predict(X_test, domains=np.zeros(test.size, int)), labels)
                for size in BATCH_SIZES:
                    result[str(size)] = _scores(
                        y_test, tail.predict(X_test, domains=batches(test.size, size)), labels)
            result["predict_ms_per_clip"] = 1000 * (predict_seconds / test.size + head_seconds)
            tests[corpus] = result
    clf = tail.steps[-1][1]
    return {
        "row": row, "classes": list(labels), "training": list(training),
        "machine": machine(), "date": time.strftime("%Y-%m-%d"),
        "n_train": int(train.size), "fit_seconds": fit_seconds,
        "epochs": getattr(clf, "n_epochs_", None),
        **({"vote_weights": dict(zip((n for n, _ in clf.estimators), clf.weights_.tolist()))}
           if hasattr(clf, "weights_") else {}),
        "tests": tests,
    }


def path_of(cache, classes, training, row):
    return cache / classes / "+".join(training) / f"{row}.json"


def run(rows, class_sets, training_sets, *, cache, quick, force, stored_only,
        unavailable=()):
    """Every stored or computed fit: ``{(classes, training, row): result}``."""
    results, data, heads = {}, None, None
    for classes in class_sets:
        for training in training_sets:
            for row in rows:
                key = row_key(row, classes, training, quick=quick)
                path = path_of(cache, classes, training, row) if cache else None
                stored = None if force else accuracy.load_stored(path, key)
                if stored is not None or stored_only or row in unavailable:
                    if stored is not None:
                        results[classes, training, row] = stored
                    continue
                if data is None:
                    from accuracy import Heads

                    data = load_corpora(quick=quick)
                    heads = Heads(data)
                print(f"{classes} classes, {'+'.join(training)}: {row}", flush=True)
                result = {"settings": key,
                          **fit_and_test(row, classes, training, data, heads, quick=quick)}
                if path is not None:
                    accuracy.store(path, result)
                results[classes, training, row] = result
                print("  " + ", ".join(
                    f"{test} {100 * r.get('all', r['none'])['ua']:.1f}"
                    for test, r in result["tests"].items()), flush=True)
    return results


def _ua(result, test, condition):
    """UA in % of one condition of one test corpus, or None."""
    scores = result["tests"].get(test, {}).get(condition) if result else None
    return None if scores is None else 100 * scores["ua"]


def _cell(value):
    return "—" if value is None else f"{value:.1f}"


def _label(row):
    return f"`{row}`" + (f", {ADAPT_LABEL}" if adapts(row) else "")


def leave_one_out_table(results, classes, rows):
    """Rows x held-out corpus (UA %, the whole test corpus as one domain
    for adapted rows), and the mean over the three."""
    tests = [next(c for c in CORPORA if c not in t) for t in TRAINING_SETS[:3]]
    lines = ["| row | " + " | ".join(f"-> {CORPORA[t][2]}" for t in tests) + " | mean |",
             "|---|" + "---:|" * (len(tests) + 1)]
    for row in rows:
        cells = [_ua(results.get((classes, training, row)), test,
                     "all" if adapts(row) else "none")
                 for training, test in zip(TRAINING_SETS[:3], tests)]
        mean = None if None in cells else float(np.mean(cells))
        lines.append(f"| {_label(row)} | " + " | ".join(map(_cell, cells))
                     + f" | {_cell(mean)} |")
    return "\n".join(lines)


def single_corpus_table(results, classes, rows):
    """Rows x (training corpus -> test corpus), UA %."""
    pairs = [(t, test) for t in TRAINING_SETS[3:] for test in CORPORA if test not in t]
    lines = ["| row | " + " | ".join(f"{CORPORA[t[0]][2]} -> {CORPORA[s][2]}"
                                     for t, s in pairs) + " |",
             "|---|" + "---:|" * len(pairs)]
    for row in rows:
        cells = [_ua(results.get((classes, t, row)), s, "all" if adapts(row)
                     else "none") for t, s in pairs]
        lines.append(f"| {_label(row)} | " + " | ".join(map(_cell, cells)) + " |")
    return "\n".join(lines)


#: The recipes a nested choice compares: name -> (plain row and condition,
#: adapted row and condition). Each is one model, as it ships: it adapts
#: when given a domain and reads each clip alone without one ("none"). The
#: shipped recipe since 2026-12-07 (the default, adapting) against the
#: statistics recipe shipped before, which transfer_search.py had chosen
#: among statistics models.
NESTED = {"default+adapt": ((PRETRAINED, "none"), (PRETRAINED, "all")),
          PRETRAINED_STATS: ((PRETRAINED_STATS, "none"), (PRETRAINED_STATS, "all"))}


def nested_choice_table(results, classes):
    """For each held-out corpus, the inner scores of the default recipe
    (adapting) and the statistics recipe on the two single-corpus pairs that leave it out (UA
    %, mean of both directions), plain, adapted and their mean (the
    criterion of `transfer_search.py`), and the recipe that criterion picks.
    The held-out corpus takes no part in its own choice."""
    names = list(NESTED)
    lines = ["| held out | " + " | ".join(f"{n} {kind}" for kind in ("plain", "adapted", "mean")
                                         for n in names) + " | chosen |",
             "|---|" + "---:|" * (3 * len(names)) + "---|"]
    for held_out in CORPORA:
        a, b = [c for c in CORPORA if c != held_out]
        scores = {}
        for name, recipes in NESTED.items():
            for kind, (row, condition) in zip(("plain", "adapted"), recipes):
                pair = [_ua(results.get((classes, (train,), row)), test, condition)
                        for train, test in ((a, b), (b, a))]
                scores[name, kind] = None if None in pair else float(np.mean(pair))
            both = (scores[name, "plain"], scores[name, "adapted"])
            scores[name, "mean"] = None if None in both else float(np.mean(both))
        means = {name: scores[name, "mean"] for name in names}
        chosen = ("—" if None in means.values()
                  else f"`{max(names, key=lambda n: means[n])}`")
        lines.append(f"| {CORPORA[held_out][2]} | " + " | ".join(
            _cell(scores[n, kind]) for kind in ("plain", "adapted", "mean") for n in names)
            + f" | {chosen} |")
    return "\n".join(lines)


def adaptation_table(results, classes, rows):
    """Adapted rows, leave one corpus out: mean UA over the three held-out
    corpora by how many of the test corpus's clips are standardised together."""
    conditions = ["none", *map(str, BATCH_SIZES), "all"]
    names = ["no adaptation (1 clip)", *(f"batches of {n}+" for n in BATCH_SIZES),
             "whole corpus"]
    lines = ["| row | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for row in rows:
        if not adapts(row):
            continue
        cells = []
        for condition in conditions:
            values = [_ua(results.get((classes, training, row)),
                          next(c for c in CORPORA if c not in training), condition)
                      for training in TRAINING_SETS[:3]]
            cells.append(None if None in values else float(np.mean(values)))
        lines.append(f"| `{row}` | " + " | ".join(map(_cell, cells)) + " |")
    return "\n".join(lines)


def in_corpus_ua(rows, *, cache=None):
    """Per row of ``rows`` and corpus of ``accuracy.py``, the mean UA of the
    row's stored speaker-grouped folds there, or None where a fold is
    missing: ``{row: {corpus: ua}}``. ``cache``: accuracy.py's folds
    (default its own)."""
    cache = Path(cache) if cache is not None else accuracy.DEFAULT_CACHE
    keys = {row: accuracy.row_key(row) for row in rows}
    out = {row: {} for row in rows}
    for corpus in accuracy.CORPORA:
        n_folds = len(accuracy.corpus_folds(corpus, accuracy.load_corpus(corpus)))
        for row, key in keys.items():
            folds = [accuracy.load_stored(cache / corpus / row / f"fold{i}.json", key)
                     for i in range(n_folds)]
            out[row][corpus] = (None if any(f is None for f in folds)
                                else 100 * float(np.mean([f["ua"] for f in folds])))
    return out


def targets(results, *, accuracy_cache=None):
    """Issue 22's targets for the pretrained recipe, leave one corpus out,
    four classes, and in-corpus against the default (``accuracy.py``'s
    stored folds in ``accuracy_cache``, default its own): each line met or
    missed, with the figures."""
    lines = []
    loo = list(zip(TRAINING_SETS[:3], (next(c for c in CORPORA if c not in t)
                                       for t in TRAINING_SETS[:3])))

    def figures(row, condition):
        return {test: _ua(results.get(("4", training, row)), test, condition)
                for training, test in loo}

    ours = {"adapted": figures(PRETRAINED, "all"), "plain": figures(PRETRAINED, "none")}
    peer = {"adapted": figures("opensmile" + ADAPT, "all"),
            "plain": figures("opensmile" + ADAPT, "none")}

    def line(text, values, test):
        if None in values.values():
            return f"- {text}: not measured yet."
        shown = ", ".join(f"{CORPORA[c][2]} {v:.1f}" for c, v in values.items())
        return f"- {text}: **{'met' if all(map(test, values.values())) else 'missed'}** ({shown})."

    lines.append(line("Pretrained recipe, adapted, at least 60 % on each held-out corpus",
                      ours["adapted"], lambda v: v >= 60))
    lines.append(line("Pretrained recipe, plain, at least 50 %", ours["plain"],
                      lambda v: v >= 50))
    for way in ("adapted", "plain"):
        margins = {c: None if None in (ours[way][c], peer[way][c])
                   else ours[way][c] - peer[way][c] for c in ours[way]}
        lines.append(line(f"Ahead of `opensmile+adapt` ({way}), points ahead", margins,
                          lambda v: v > 0))
    in_corpus = in_corpus_ua((accuracy.PRETRAINED, "default"), cache=accuracy_cache)
    ours_in, default_in = in_corpus[accuracy.PRETRAINED], in_corpus["default"]
    gaps = {c: None if None in (ours_in[c], default_in[c]) else ours_in[c] - default_in[c]
            for c in ours_in}
    lines.append(line("In-corpus (`accuracy.py`, speaker-grouped folds), points against the "
                      "default, at least -2", gaps, lambda v: v >= -2))
    return "\n".join(lines)


def report(results, class_sets, rows):
    """The markdown tables of every class set."""
    sections = []
    if "4" in class_sets and PRETRAINED in rows:
        sections.append("## Targets (issue 22; four classes, leave one corpus out)\n\n"
                        f"{targets(results)}\n")
    for classes in class_sets:
        names = ", ".join(CLASS_SETS[classes])
        chance = 100 / len(CLASS_SETS[classes])
        sections.append(
            f"## {classes} classes ({names}; chance {chance:.1f} %)\n\n"
            "### Leave one corpus out (train on the other two)\n\n"
            f"{leave_one_out_table(results, classes, rows)}\n\n"
            "### Adaptation by the number of clips (mean over the held-out corpora)\n\n"
            f"{adaptation_table(results, classes, rows)}\n\n"
            "### One corpus to another\n\n"
            f"{single_corpus_table(results, classes, rows)}\n\n"
            "### Nested choice between the default recipe and the statistics recipe\n\n"
            f"{nested_choice_table(results, classes)}\n")
    return "\n".join(sections)


def compute_minutes(results):
    return sum(r.get("fit_seconds", 0.0) + sum(
        t["predict_ms_per_clip"] * t["n_test"] / 1000 for t in r["tests"].values())
        for r in results.values()) / 60


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", nargs="+", choices=(*ROWS, *CANDIDATE_ROWS), default=None,
                        help="rows to run (default: all but the candidates, "
                             f"{', '.join(CANDIDATE_ROWS)}; with --quick: svm and svm+adapt)")
    parser.add_argument("--classes", nargs="+", choices=list(CLASS_SETS),
                        default=list(CLASS_SETS))
    parser.add_argument("--leave-one-out-only", action="store_true",
                        help="only the three leave-one-corpus-out training sets")
    parser.add_argument("--single-corpus-only", action="store_true",
                        help="only the three single-corpus training sets (each tested on "
                             "the other two: the pairs a nested choice reads)")
    parser.add_argument("--quick", action="store_true",
                        help="every fourth clip, 4 classes, leave one corpus out, 1 epoch, "
                             "no cache: a smoke run, not a result")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--force", action="store_true", help="recompute stored fits")
    parser.add_argument("--stored-only", action="store_true",
                        help="compute nothing: the tables from the stored fits (with the "
                             "candidates that have some)")
    parser.add_argument("--write", type=Path, default=None,
                        help="write the tables into this markdown file")
    args = parser.parse_args(argv)
    if not SHARED_DATA.is_dir():
        parser.exit(0, f"cross_corpus.py: {SHARED_DATA} is absent; nothing to measure.\n")
    order = (*ROWS, *CANDIDATE_ROWS)
    # The tables from the stored fits show the candidates that have some
    # (beside the row they would replace, or replaced); runs compute them
    # only when named.
    shown = (*ROWS, *stored_candidates(args.cache)) if args.stored_only else ROWS
    rows = sorted(set(args.rows or (QUICK_ROWS if args.quick else shown)), key=order.index)
    unavailable = ({} if opensmile_available() else
                   {row: OPENSMILE_MISSING for row in rows if row in OPENSMILE_ROWS})
    if unavailable and not args.stored_only:
        print(f"cross_corpus.py: skipping {', '.join(unavailable)} (stored fits only): "
              f"{OPENSMILE_MISSING}.", flush=True)
    class_sets = ["4"] if args.quick else args.classes
    if args.leave_one_out_only and args.single_corpus_only:
        parser.error("--leave-one-out-only and --single-corpus-only exclude each other.")
    training_sets = (TRAINING_SETS[:3] if args.quick or args.leave_one_out_only
                     else TRAINING_SETS[3:] if args.single_corpus_only else TRAINING_SETS)
    start = time.perf_counter()
    results = run(rows, class_sets, training_sets, cache=None if args.quick else args.cache,
                  quick=args.quick, force=args.force, stored_only=args.stored_only,
                  unavailable=unavailable)
    text = report(results, class_sets, rows)
    print("\n" + text)
    print(f"Compute {compute_minutes(results):.0f} min in the tables; this run "
          f"{(time.perf_counter() - start) / 60:.1f} min on {machine()}")
    if args.write:
        from skser._files import atomic_write

        machines = sorted({r.get("machine", "unrecorded") for r in results.values()})
        generated = (
            f"`python benchmarks/cross_corpus.py --stored-only --write {args.write}`, "
            f"{time.strftime('%Y-%m-%d')}; fits computed on {' and '.join(machines) or '—'}. "
            f"Compute time of the fits in the tables: {compute_minutes(results):.0f} min. "
            "UA in %; — marks a fit not run yet.\n\n" + text)
        new = accuracy.replace_generated(args.write, generated, markers=(BEGIN, END),
                                         title="# Cross-corpus accuracy")
        atomic_write(args.write, lambda tmp: Path(tmp).write_text(new, encoding="utf-8"))


if __name__ == "__main__":
    main()
