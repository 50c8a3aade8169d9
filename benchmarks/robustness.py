"""Accuracy on altered audio: noise, rooms, phone lines, codecs, gains, rates.

    python benchmarks/robustness.py                       # every row, three corpora
    python benchmarks/robustness.py --rows stats opensmile --corpora emodb
    python benchmarks/robustness.py --stored-only --write docs/robustness.md
    python benchmarks/robustness.py --quick               # a smoke run, minutes

The protocol of ``accuracy.py``: each row is trained on the training
speakers' clean clips of a fold (RAVDESS and EmoDB: the accuracy table's five
speaker-grouped folds; SAVEE: leave one speaker out) and tested on the held-out
speakers' clips, clean and altered by every corruption of
`skser.augmentation.CORRUPTIONS` at every severity (51 conditions). A test clip
is altered the same way for every row (its noise, room and talkers are seeded
by the clip, the corruption and the severity), and babble is made from the
fold's training speakers, never a test speaker. Corruptions apply to the
recording as loaded at 16 kHz, before trimming, as a real channel would;
``telephone`` and ``sample_rate`` give audio at another rate, which each
pipeline resamples as it would a file.

Rows (each but ``pretrained`` also with its speaker-normalised twin,
``+spk``, which uses each test speaker's unlabelled altered clips;
``pretrained`` with its adapted twin, ``+adapt``, which uses the fold's
unlabelled altered test clips):

- ``stats``: ``make_ser_pipeline("stats")`` as it is now (its
  speaker-normalised twin is built as ``stats-issue-14+spk``, since
  ``robust=None`` is False with ``speaker_normalize=True``, and shares its
  folds);
- ``stats-copies+spk`` (speaker-normalised only): the robust statistics
  model trained speaker-normalised, ``make_ser_pipeline("stats",
  robust=True, speaker_normalize=True)``: its altered copies drawn with one
  channel per speaker and round, each round standardised as a group of its
  own (its plain twin would be ``stats``);
- ``stats-issue-14``: the statistics model as it was before issue 21
  (``robust=False``): no level normalisation, no multi-condition training;
- ``default``, ``sequence``: ``make_ser_pipeline()`` and ``("sequence")``;
- ``pretrained``: the recipe of skser's pretrained model (issue 22), trained
  on each fold's clips as one recording domain and predicting each altered
  clip on its own; ``pretrained+adapt``, the same fit with the test clips
  of each condition standardised with their own statistics, as one domain
  (``skser predict --adapt`` on a batch of recordings from one source);
  ``pretrained-stats`` and ``pretrained-stats+adapt``: the same for the
  statistics recipe shipped until 2026-12-07
  (`_common.pretrained_stats_pipeline`);
- ``opensmile``: the peer of ``accuracy.py``, openSMILE's eGeMAPSv02
  functionals of each altered recording (written to a WAV file at its rate)
  with the ``svm`` row's scaler and calibrated RBF SVM (``bench`` extra).

Every (corpus, row, fold) is stored in ``benchmarks/results/robustness/`` as
soon as it is done, so a run resumes where it stopped. ``--stored-only
--write docs/robustness.md`` rebuilds the tables and the plot from them.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import accuracy  # noqa: E402
from _common import (  # noqa: E402
    CANDIDATE_CHANGES, CANDIDATES, PRETRAINED_STATS, SHARED_DATA, machine,
    pretrained_stats_pipeline, statistics_before_issue_13, with_epochs,
)
from _opensmile import OPENSMILE_MISSING, OpenSmileFunctionals, opensmile_available  # noqa: E402

CORPORA = {
    "ravdess": ("ravdess-speech-16k", "load_ravdess", "RAVDESS speech, 16 kHz"),
    "emodb": ("emodb", "load_emodb", "EmoDB (2 s copy, 22.05 kHz)"),
    "savee": ("savee-16k", "load_savee", "SAVEE, 16 kHz"),
}
SPK = "+spk"
#: The pretrained recipe's twin: the fold's test clips of a condition as one
#: recording domain, standardised with their own statistics.
ADAPT = "+adapt"
#: Rows built here exactly as in accuracy.py (openSMILE reads other files
#: there): their clean folds are that table's folds (`share_with_accuracy`).
SHARED_ROWS = ("stats", "stats-issue-14", "default", "sequence", "pretrained",
               PRETRAINED_STATS)
PLAIN_ROWS = ("stats", "stats-issue-14", "default", "sequence", "opensmile", "pretrained",
              PRETRAINED_STATS)
# The pretrained recipe adapts per recording domain, not per speaker: its
# twin adapts to the test clips.
#: Rows measured speaker-normalised only, listed after the plain row that
#: is their plain twin.
SPK_ONLY_ROWS = {"stats": ("stats-copies" + SPK,)}
# Candidates (`_common.CANDIDATES`) are run only when named (``--rows``); the
# tables compare each with its row on the folds both have stored, so a
# candidate's partial folds are shown too.
TABLE_ROWS = tuple(r for plain in PLAIN_ROWS
                   for r in ((plain, plain + ADAPT) if plain in ("pretrained", PRETRAINED_STATS)
                             else (plain, plain + SPK)) + SPK_ONLY_ROWS.get(plain, ()))
ROWS = (*TABLE_ROWS, *CANDIDATES)
SEED = 0
SR = 16000
#: Bumped when a corruption's implementation changes, so stored folds are recomputed.
SUITE_VERSION = 1
#: Training clips whose waveforms make a fold's babble.
N_BABBLE_SOURCES = 60
CLEAN = "clean"


def condition_label(name, severity):
    from skser.evaluation._robustness import condition_label

    return condition_label(name, severity)
DEFAULT_CACHE = Path(__file__).resolve().parent / "results" / "robustness"


def conditions(*, quick=False):
    """``[(label, corruption, severity)]``: clean first, then every corruption
    at every severity (``--quick``: the middle severity of each)."""
    from skser.evaluation import robustness_conditions

    return robustness_conditions(quick=quick)


def make_row(name, *, quick=False):
    """The estimator of one row, from waveforms (or file paths) to labels."""
    from skser import make_ser_pipeline

    if name in CANDIDATES:
        row, change = CANDIDATES[name]
        return make_row(row, quick=quick).set_params(**change)
    base = name.removesuffix(SPK).removesuffix(ADAPT)
    spk = {"speaker_normalize": True} if name.endswith(SPK) else {}
    if base == "stats":
        pipeline = make_ser_pipeline("stats", random_state=SEED, **spk)
    elif base == "stats-copies":
        pipeline = make_ser_pipeline("stats", robust=True, random_state=SEED, **spk)
    elif base == "stats-issue-14":
        pipeline = make_ser_pipeline("stats", robust=False, random_state=SEED, **spk)
    elif base == "default":
        pipeline = make_ser_pipeline(random_state=SEED, **spk)
    elif base == "pretrained":
        from skser._pretrained import make_pretrained_pipeline

        pipeline = make_pretrained_pipeline(random_state=SEED)
    elif base == PRETRAINED_STATS:
        pipeline = pretrained_stats_pipeline(random_state=SEED)
    elif base == "sequence":
        pipeline = make_ser_pipeline("sequence", random_state=SEED, **spk)
    elif base == "opensmile":
        pipeline = make_ser_pipeline("stats", random_state=SEED, **spk,
                                     **statistics_before_issue_13(random_state=SEED))
        pipeline = type(pipeline)([("features", OpenSmileFunctionals()),
                                   *pipeline.steps[-2:]])
    else:
        raise ValueError(f"unknown row {name!r}; expected one of {', '.join(ROWS)}.")
    return with_epochs(pipeline, 1) if quick else pipeline


def load_corpus(corpus, *, quick=False):
    """``accuracy.load_corpus`` over this benchmark's corpora (SAVEE too)."""
    return accuracy.load_corpus(corpus, quick=quick, corpora=CORPORA)


def folds(corpus, data, *, quick=False):
    """The accuracy table's folds; SAVEE's four speakers: leave one out
    (--quick: the first fold only, a smoke run)."""
    splits = accuracy.corpus_folds(corpus, data, quick=quick)
    return splits[:1] if quick else splits


def load_waveforms(data):
    """Every clip of the corpus at 16 kHz, as `AudioLoader` reads it (30 s at most)."""
    from skser.loading import AudioLoader

    return AudioLoader(sr=SR, duration=30.0).transform(list(data.filenames))


def corrupted(waveforms, index, corruption, severity, *, sources, corpus_seed):
    """The clips ``index`` under one condition: ``[(waveform, sr)]``."""
    from skser.augmentation import CORRUPTION_NAMES, CORRUPTIONS, corrupt

    if corruption is None:
        return [(waveforms[i], SR) for i in index]
    k = CORRUPTION_NAMES.index(corruption)
    s = CORRUPTIONS[corruption].severities.index(severity)
    return [corrupt(waveforms[i], corruption, severity, sr=SR, sources=sources,
                    random_state=np.random.default_rng([SEED, corpus_seed, int(i), k, s]))
            for i in index]


def as_inputs(clips):
    """What a skser pipeline takes: the waveform where it is at 16 kHz, else
    ``(waveform, sr)`` for its loader to resample."""
    return [y if sr == SR else (y, sr) for y, sr in clips]


def write_wavs(clips, folder):
    """The clips as float WAV files at their own rates (openSMILE reads files)."""
    import soundfile as sf

    paths = []
    for j, (y, sr) in enumerate(clips):
        path = Path(folder) / f"{j}.wav"
        sf.write(path, y, sr, subtype="FLOAT")
        paths.append(str(path))
    return paths


def row_key(row, *, quick=False):
    estimator = make_row(row, quick=quick)
    adapted = "-adapted" if row.endswith(ADAPT) else ""
    return (f"{accuracy.settings_key(estimator, speaker_groups=row.endswith(SPK))}{adapted}"
            f"-v{SUITE_VERSION}")


def fit_row(row, train, data, waveforms, tmp, *, quick):
    """Fit ``row`` on the clean training clips, as read at 16 kHz; seconds taken.

    openSMILE reads files: it gets the same 16 kHz waveforms written as WAV,
    so that its clean test clips and its training clips come from one
    channel, as they do for skser's rows.
    """
    import sklearn

    estimator = make_row(row, quick=quick)
    spk = row.endswith(SPK)
    fit_groups = spk or accuracy.takes_training_speakers(estimator)
    params = {"groups": data.groups[train]} if fit_groups else {}
    if row.removesuffix(SPK) == "opensmile":
        X = write_wavs([(waveforms[i], SR) for i in train], tmp)
    else:
        X = [waveforms[i] for i in train]
    start = time.perf_counter()
    with sklearn.config_context(enable_metadata_routing=fit_groups):
        estimator.fit(X, data.target[train], **params)
    return estimator, time.perf_counter() - start


def split_for_prediction(estimator):
    """``(head, tail)``: the leading steps that learn nothing (samplers, which
    prediction skips, included) and the rest. Rows whose heads have the same
    parameters (a row and its speaker-normalised twin) share the head's
    output on each condition."""
    n = 0
    for _, step in estimator.steps[:-1]:
        if step in ("passthrough", None) or hasattr(step, "fit_resample") or \
                not step.__sklearn_tags__().requires_fit:
            n += 1
            continue
        break
    return estimator[:n], estimator[n:]


def head_key(head):
    import joblib

    return joblib.hash([(name, step.get_params()) for name, step in head.steps
                        if step not in ("passthrough", None)
                        and not hasattr(step, "fit_resample")])


def predict_row(row, estimator, clips, test, data, tmp, heads):
    """Predict the altered test clips: ``(predictions, seconds)``.

    ``heads`` caches head outputs (the stateless steps: loading, features)
    by `head_key` with the seconds they took, so that rows sharing a head
    compute it once; each of them is charged the head's time all the same,
    as a user running that pipeline alone would be.
    """
    import sklearn

    spk = row.endswith(SPK)
    params = ({"groups": data.groups[test]} if spk else
              {"domains": np.zeros(test.size)} if row.endswith(ADAPT) else {})
    head, tail = split_for_prediction(estimator)
    key = head_key(head)
    if key not in heads:
        start = time.perf_counter()
        X = (write_wavs(clips, tmp) if row.removesuffix(SPK) == "opensmile"
             else as_inputs(clips))
        heads[key] = (head.transform(X) if len(head) else X, time.perf_counter() - start)
    X, head_seconds = heads[key]
    start = time.perf_counter()
    with sklearn.config_context(enable_metadata_routing=bool(params)):
        predicted = np.asarray(tail.predict(X, **params))
    return predicted, head_seconds + time.perf_counter() - start


def run_fold(corpus, rows, i, train, test, data, waveforms, *, quick, suite):
    """Fit each row of ``rows`` on fold ``i`` and test it under every condition."""
    from skser.evaluation import emotion_report

    rng = np.random.default_rng([SEED, i])
    sources = [waveforms[j] for j in rng.choice(train, size=min(N_BABBLE_SOURCES, train.size),
                                                replace=False)]
    fitted, results = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for row in rows:
            base = row.removesuffix(ADAPT)
            if row.endswith(ADAPT) and base in fitted:
                # The same fit, predicted another way.
                estimator, seconds = fitted[base], results[base]["fit_seconds"]
            else:
                estimator, seconds = fit_row(row, train, data, waveforms, tmp, quick=quick)
            fitted[row] = estimator
            clf = estimator.steps[-1][1]
            results[row] = {"corpus": corpus, "row": row, "fold": i, "machine": machine(),
                            "date": time.strftime("%Y-%m-%d"), "fit_seconds": seconds,
                            "epochs": getattr(clf, "n_epochs_", None),
                            **({"vote_weights": dict(zip((n for n, _ in clf.estimators),
                                                         clf.weights_.tolist()))}
                               if hasattr(clf, "weights_") else {}),
                            "n_train": int(train.size), "n_test": int(test.size),
                            "test_speakers": sorted(map(str, np.unique(data.groups[test]))),
                            "y_true": data.target[test].tolist(), "conditions": {},
                            "predict_seconds": 0.0}
    corpus_seed = list(CORPORA).index(corpus)
    for label, corruption, severity in suite:
        clips = corrupted(waveforms, test, corruption, severity, sources=sources,
                          corpus_seed=corpus_seed)
        heads = {}
        with tempfile.TemporaryDirectory() as tmp:
            for row in rows:
                predicted, seconds = predict_row(row, fitted[row], clips, test, data, tmp,
                                                 heads)
                results[row]["predict_seconds"] += seconds
                if label == CLEAN:
                    results[row]["clean_predict_seconds"] = seconds
                report = emotion_report(data.target[test], predicted, labels=data.target_names)
                results[row]["conditions"][label] = {
                    "ua": report["ua"], "wa": report["wa"], "y_pred": predicted.tolist()}
        print(f"  {corpus} fold {i}: {label}: " + ", ".join(
            f"{row} {100 * results[row]['conditions'][label]['ua']:.1f}" for row in rows),
            flush=True)
    return results


def run(corpus, rows, *, cache, quick, force, stored_only, unavailable=(), only_folds=None):
    """Results of ``rows`` on ``corpus``: row -> list of stored folds.
    ``only_folds``: compute these folds (numbers from 0) only, read the others
    where stored (processes or machines that share a corpus's folds)."""
    data = load_corpus(corpus, quick=quick)
    splits = folds(corpus, data, quick=quick)
    bad = [k for k in only_folds or () if not 0 <= k < len(splits)]
    if bad:
        sys.exit(f"robustness.py: --folds: {corpus} has folds 0 to {len(splits) - 1}; "
                 f"got {bad}")
    suite = conditions(quick=quick)
    keys = {row: row_key(row, quick=quick) for row in rows}
    labels = [label for label, _, _ in suite]
    results = {row: [] for row in rows}
    waveforms = None
    for i, (train, test) in enumerate(splits):
        todo = []
        for row in rows:
            path = cache / corpus / row / f"fold{i}.json" if cache else None
            if cache and not force:
                # A row built as another (stats+spk as stats-issue-14+spk) shares its folds.
                accuracy.reuse_stored(cache, corpus, f"fold{i}.json", row, keys[row])
            stored = None if force else accuracy.load_stored(path, keys[row])
            if stored is not None and all(l in stored["conditions"] for l in labels):
                results[row].append(stored)
            elif (not stored_only and row not in unavailable
                  and (only_folds is None or i in only_folds)):
                todo.append(row)
        if not todo:
            continue
        if waveforms is None:
            waveforms = load_waveforms(data)
        print(f"{corpus} fold {i + 1}/{len(splits)}: {', '.join(todo)}", flush=True)
        for row, result in run_fold(corpus, todo, i, train, test, data, waveforms,
                                    quick=quick, suite=suite).items():
            result = {"settings": keys[row], **result}
            if cache:
                accuracy.store(cache / corpus / row / f"fold{i}.json", result)
            results[row].append(result)
    if cache is not None and Path(cache).resolve() == DEFAULT_CACHE and not quick:
        for row in rows:
            for result in results[row]:
                share_with_accuracy(corpus, row, result)
    return data, splits, results


def share_with_accuracy(corpus, row, result):
    """Store a fold's clean condition as ``accuracy.py``'s fold of the same
    row, when that row is there and its fold is not stored yet.

    The two benchmarks split the same speakers (``accuracy.folds``), seed
    the same way (``SEED``) and feed the same 16 kHz waveforms (`AudioLoader`
    reads them in both), so the clean condition of a fold here is that
    fold of the accuracy table: the same fitted model on the same clips. A
    network row costs half an hour a fold on RAVDESS; it is fitted once for
    both tables. The record says where it comes from (``"source"``).
    """
    from skser.evaluation import emotion_report

    if corpus not in accuracy.CORPORA or row.removesuffix(SPK) not in SHARED_ROWS:
        return
    path = accuracy.DEFAULT_CACHE / corpus / row / f"fold{result['fold']}.json"
    key = accuracy.row_key(row)
    if accuracy.is_stored(path, key):
        return
    data = load_corpus(corpus)
    clean = result["conditions"][CLEAN]
    report = emotion_report(result["y_true"], clean["y_pred"], labels=data.target_names)
    # Folds stored before the clean condition was timed apart: the mean
    # condition's time (each predicts the same clips).
    seconds = result.get("clean_predict_seconds",
                         result["predict_seconds"] / len(result["conditions"]))
    accuracy.store(path, {
        "settings": key, "corpus": corpus, "row": row, "fold": result["fold"],
        "test_speakers": result["test_speakers"], "machine": result["machine"],
        "date": result["date"], "ua": report["ua"], "wa": report["wa"],
        "macro_f1": report["macro_f1"], "fit_seconds": result["fit_seconds"],
        "predict_ms_per_clip": 1000 * seconds / result["n_test"],
        "epochs": result.get("epochs"),
        **({"vote_weights": result["vote_weights"]} if "vote_weights" in result else {}),
        "n_train": result["n_train"], "n_test": result["n_test"],
        "y_true": result["y_true"], "y_pred": clean["y_pred"],
        "source": "benchmarks/robustness.py: the clean condition of the same fit",
    })


# ------------------------------------------------------------------ tables

def condition_ua(fold_results, label):
    """Mean UA over folds of one condition."""
    return float(np.mean([r["conditions"][label]["ua"] for r in fold_results]))


def summarise(results, n_folds, suite):
    """row -> {label: mean UA} for rows with every fold stored."""
    return {row: {label: condition_ua(folds_, label) for label, _, _ in suite}
            for row, folds_ in results.items() if len(folds_) == n_folds}


def moderate_labels():
    from skser.augmentation import CORRUPTIONS

    return [condition_label(name, s) for name, m in CORRUPTIONS.items() for s in m.moderate]


def targets(summary):
    """Per row: clean UA, mean drop over the moderate conditions, the worst
    moderate drop and where."""
    out = {}
    for row, uas in summary.items():
        drops = {label: uas[CLEAN] - uas[label] for label in moderate_labels() if label in uas}
        worst = max(drops, key=drops.get)
        out[row] = {"clean": uas[CLEAN], "mean_drop": float(np.mean(list(drops.values()))),
                    "worst": worst, "worst_drop": drops[worst]}
    return out


def clean_trained_ua(corpus, row, summary):
    """Clean UA of ``row``'s model as it was before issue 21, on the same
    folds: the ``stats-issue-14`` row here for ``stats``; for ``default``,
    accuracy.py's ``default-issue-14`` folds (the same folds and clips; not
    run here, an hour and a half of fits per corpus), None where absent."""
    if row == "stats" and "stats-issue-14" in summary:
        return summary["stats-issue-14"][CLEAN]
    if row != "default" or corpus not in accuracy.CORPORA:
        return None
    key = accuracy.row_key("default-issue-14")
    n_folds = len(accuracy.corpus_folds(corpus, load_corpus(corpus)))
    folds = [accuracy.load_stored(accuracy.DEFAULT_CACHE / corpus / "default-issue-14"
                                  / f"fold{i}.json", key) for i in range(n_folds)]
    return None if any(f is None for f in folds) else float(np.mean([f["ua"] for f in folds]))


def targets_table(corpus_summaries, *, twin=None):
    """Issue 21's targets per corpus and row: clean UA against the
    clean-trained model's on the same folds (within 1 point), the mean drop
    over the moderate conditions (at most 5 points), the worst of them (at
    most 12), and the conditions where the row is behind openSMILE.
    ``twin`` picks the rows: None the plain ones, against plain openSMILE;
    ``SPK`` the speaker-normalised ones, each against openSMILE's
    speaker-normalised twin; ``ADAPT`` the rows adapted to each condition's
    test clips, against openSMILE's speaker-normalised twin, the peer that
    also reads the test clips' unlabelled audio."""
    if twin not in (None, SPK, ADAPT):
        raise ValueError(f"twin must be None, {SPK!r} or {ADAPT!r}; got {twin!r}.")
    peer_row = "opensmile" if twin is None else "opensmile" + SPK
    lines = ["| corpus | row | clean UA (clean-trained model) | mean moderate drop | worst "
             f"moderate drop | conditions behind {row_label(peer_row)} |",
             "|---|---|---|---|---|---|"]
    for corpus, (_, summary) in corpus_summaries.items():
        peer = summary.get(peer_row)
        for row, uas in summary.items():
            own_twin = next((t for t in (SPK, ADAPT) if row.endswith(t)), None)
            if row.startswith("opensmile") or own_twin != twin:
                continue
            t = targets({row: uas})[row]
            clean = f"{100 * t['clean']:.1f}"
            baseline = clean_trained_ua(corpus, row, summary)
            if baseline is not None:
                clean += f" ({100 * baseline:.1f}: {100 * (t['clean'] - baseline):+.1f})"
            behind = (f"{peer_row} row not complete" if peer is None else
                      str(sum(uas[label] < peer[label] for label in uas)) + f" of {len(uas)}")
            lines.append(f"| {corpus} | {row} | {clean} | {100 * t['mean_drop']:.1f} "
                         f"| {100 * t['worst_drop']:.1f} ({t['worst']}) | {behind} |")
    return "\n".join(lines)


def candidates_table(corpora, cache):
    """Each candidate against the row it would replace, on the folds both
    have stored (a candidate's partial folds included): clean UA, the mean
    UA and mean drop over the moderate conditions, and the worst moderate
    drop, each a mean over those folds. None when no candidate has a fold."""
    peer = "opensmile"
    lines = ["| corpus | candidate | folds | clean UA | mean UA, moderate | mean moderate "
             f"drop | worst moderate drop | conditions behind {peer} |",
             "|---|---|---|---|---|---|---|---|"]
    for name, (row, change) in CANDIDATES.items():
        for corpus in corpora:
            _, splits, results = run(corpus, [row, name, peer], cache=cache, quick=False,
                                     force=False, stored_only=True)
            paired = {r: {f["fold"]: f for f in results[r]} for r in (row, name, peer)}
            both = sorted(set(paired[row]) & set(paired[name]))
            if not both:
                continue
            uas = {r: {label: float(np.mean([paired[r][i]["conditions"][label]["ua"]
                                             for i in both]))
                       for label in paired[r][both[0]]["conditions"]}
                   for r in (row, name, peer) if set(both) <= set(paired[r])}
            t = {r: targets({r: uas[r]})[r] for r in (row, name)}
            behind = {r: (f"{sum(uas[r][label] < uas[peer][label] for label in uas[r])} of "
                          f"{len(uas[r])}" if peer in uas else "—") for r in (row, name)}

            def cell(key, t=t):
                return (f"{100 * t[name][key]:.1f} ({100 * t[row][key]:.1f}: "
                        f"{100 * (t[name][key] - t[row][key]):+.1f})")

            moderate = {r: t[r]["clean"] - t[r]["mean_drop"] for r in (row, name)}
            lines.append(
                f"| {corpus} | {name} | {len(both)} of {len(splits)} | {cell('clean')} "
                f"| {100 * moderate[name]:.1f} ({100 * moderate[row]:.1f}: "
                f"{100 * (moderate[name] - moderate[row]):+.1f}) | {cell('mean_drop')} "
                f"| {100 * t[name]['worst_drop']:.1f} ({t[name]['worst']}; {row} "
                f"{100 * t[row]['worst_drop']:.1f}, {t[row]['worst']}) "
                f"| {behind[name]} ({row} {behind[row]}) |")
    if len(lines) == 2:
        return None
    # One line each: estimators' reprs wrap.
    changes = "; ".join(f"{name}: {row} with " + CANDIDATE_CHANGES.get(name, ", ".join(
        f"{k}={' '.join(repr(v).split())}" for k, v in ch.items()))
        for name, (row, ch) in CANDIDATES.items())
    return ("### Candidates\n\nA change to a row measured on the row's folds, before it "
            f"is adopted or, once adopted, the row as it was ({changes}). Each figure is "
            "the candidate's, then in brackets the row's on the same folds and the "
            "difference; means over the folds both have stored.\n\n"
            + "\n".join(lines) + "\n")


def row_label(row):
    if row.endswith(ADAPT):
        return f"{row.removesuffix(ADAPT)}, adapted to the test clips"
    return (f"{row.removesuffix(SPK)}, speaker-normalised" if row.endswith(SPK) else row)


def markdown_tables(corpus_summaries, suite):
    """One table per corpus: a line per condition, a column per row, UA %
    and the drop from clean in points."""
    sections = []
    for corpus, (header, summary) in corpus_summaries.items():
        rows = list(summary)
        if not rows:
            sections.append(f"### {corpus}\n\n{header}.\n\nNo row has every fold stored yet.\n")
            continue
        lines = ["| condition | " + " | ".join(row_label(r) for r in rows) + " |",
                 "|---|" + "---|" * len(rows)]
        for label, _, _ in suite:
            cells = []
            for row in rows:
                ua, clean = summary[row][label], summary[row][CLEAN]
                cells.append(f"{100 * ua:.1f}" if label == CLEAN
                             else f"{100 * ua:.1f} ({100 * (ua - clean):+.1f})")
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
        t = targets(summary)
        # The mean over the moderate conditions is the clean UA less their mean drop.
        lines.append("| **mean UA, moderate** | " + " | ".join(
            f"**{100 * (t[r]['clean'] - t[r]['mean_drop']):.1f}**" for r in rows) + " |")
        lines.append("| **mean drop, moderate** | " + " | ".join(
            f"**{100 * t[r]['mean_drop']:.1f}**" for r in rows) + " |")
        lines.append("| **worst moderate drop** | " + " | ".join(
            f"**{100 * t[r]['worst_drop']:.1f}** ({t[r]['worst']})" for r in rows) + " |")
        sections.append(f"### {corpus}\n\n{header}.\n\n" + "\n".join(lines) + "\n")
    return "\n".join(sections)


def plot(corpus_summaries, path):
    """UA against severity, one panel per corruption, one line per corpus and row."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from skser.augmentation import CORRUPTIONS

    names = list(CORRUPTIONS)
    n_cols = 4
    n_rows = -(-len(names) // n_cols)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(4 * n_cols, 3.2 * n_rows), squeeze=False)
    styles = ["-", "--", ":", "-."]
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, name in zip(axes.flat, names):
        member = CORRUPTIONS[name]
        levels = list(member.severities)
        x = np.arange(len(levels) + 1)
        for c, (corpus, (_, summary)) in enumerate(corpus_summaries.items()):
            for r, (row, uas) in enumerate(summary.items()):
                if row.endswith((SPK, ADAPT)):
                    continue
                y = [uas[CLEAN]] + [uas[condition_label(name, s)] for s in levels]
                ax.plot(x, 100 * np.array(y), styles[c % len(styles)], marker="o",
                        markersize=3, color=colours[r % len(colours)],
                        label=f"{row} ({corpus})")
        ax.set_xticks(x, ["clean"] + [str(int(s) if isinstance(s, float) and s.is_integer()
                                          else s) for s in levels], fontsize=7)
        ax.set_title(f"{name} ({member.unit})", fontsize=9)
        ax.set_ylabel("UA %", fontsize=8)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(names):]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", fontsize=8, ncol=min(6, len(labels)),
               title="colour: row; line: corpus (solid RAVDESS, dashed EmoDB, dotted SAVEE)",
               title_fontsize=8)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    fig.savefig(path, dpi=90)
    plt.close(fig)


def corruption_table():
    """What each corruption models and the severities tested, from the declarations."""
    from skser.augmentation import CORRUPTIONS

    def show(values):
        return ", ".join(str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
                         for v in values)

    lines = ["| corruption | unit | severities tested (moderate in bold) | training range | "
             "what it models |", "|---|---|---|---|---|"]
    for name, m in CORRUPTIONS.items():
        tested = ", ".join(f"**{show([v])}**" if v in m.moderate else show([v])
                           for v in m.severities)
        training = (f"{show(m.training[:1])} to {show(m.training[1:])}"
                    if m.numeric and name != "sample_rate" else show(m.training))
        lines.append(f"| `{name}` | {m.unit} | {tested} | {training} | {m.models} |")
    return "\n".join(lines)


BEGIN, END = "<!-- robustness.py: begin -->", "<!-- robustness.py: end -->"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", nargs="+", choices=list(CORPORA), default=list(CORPORA))
    parser.add_argument("--rows", nargs="+", choices=ROWS, default=None,
                        help="rows to run (default: all of them but the candidates: "
                             + ", ".join(CANDIDATES) + ")")
    parser.add_argument("--quick", action="store_true",
                        help="EmoDB, every other clip, 2 folds, one severity per "
                             "corruption, 1 epoch, no cache: a smoke run, not a result")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--force", action="store_true", help="recompute stored folds")
    parser.add_argument("--folds", nargs="+", type=int, default=None,
                        help="compute these folds only (from 0), e.g. to share a corpus "
                             "between processes; the tables read every stored fold")
    parser.add_argument("--stored-only", action="store_true",
                        help="compute nothing: tables and plot from the stored folds")
    parser.add_argument("--write", type=Path, default=None,
                        help="write the tables into this markdown file and the plot "
                             "beside it (docs/images/robustness.png)")
    args = parser.parse_args(argv)
    if not SHARED_DATA.is_dir():
        parser.exit(0, f"robustness.py: {SHARED_DATA} is absent; nothing to measure.\n")
    rows = sorted(set(args.rows or (("stats", "stats-issue-14") if args.quick else TABLE_ROWS)),
                  key=ROWS.index)
    unavailable = () if opensmile_available() else tuple(
        r for r in rows if r.startswith("opensmile"))
    if unavailable:
        print(f"robustness.py: {', '.join(unavailable)}: stored folds only; the row "
              f"{OPENSMILE_MISSING}.", flush=True)
    corpora = ["emodb"] if args.quick and args.corpora == list(CORPORA) else args.corpora
    cache = None if args.quick else args.cache
    suite = conditions(quick=args.quick)
    corpus_summaries = {}
    start = time.perf_counter()
    for corpus in corpora:
        data, splits, results = run(corpus, rows, cache=cache, quick=args.quick,
                                    force=args.force, stored_only=args.stored_only,
                                    only_folds=args.folds,
                                    unavailable=unavailable)
        header = (f"{CORPORA[corpus][2]}: {data.target.size} clips, "
                  f"{np.unique(data.groups).size} speakers, {data.target_names.size} classes "
                  f"(chance {100 / data.target_names.size:.1f} %), {len(splits)} "
                  f"speaker-grouped folds; UA % (change from clean, points)")
        missing = [r for r in rows if len(results[r]) < len(splits)]
        if missing:
            header += ("; not run yet (folds stored / needed): " + ", ".join(
                f"{r} {len(results[r])}/{len(splits)}" for r in missing))
        corpus_summaries[corpus] = (header, summarise(results, len(splits), suite))
    tables = ("### Targets\n\n" + targets_table(corpus_summaries) + "\n\n"
              + "Speaker-normalised rows (each test speaker standardised with their own "
              "unlabelled altered clips), against openSMILE's speaker-normalised twin:\n\n"
              + targets_table(corpus_summaries, twin=SPK) + "\n\n"
              + "Rows adapted to the test clips (each condition's altered test clips of a "
              "fold standardised as one recording domain with their own unlabelled "
              "audio, as `skser predict --adapt` does with a batch), against openSMILE's "
              "speaker-normalised twin, which also reads the test clips' unlabelled "
              "audio:\n\n"
              + targets_table(corpus_summaries, twin=ADAPT) + "\n\n"
              + markdown_tables(corpus_summaries, suite))
    candidates = None if args.quick else candidates_table(corpora, cache)
    if candidates:
        tables += "\n" + candidates
    print(tables)
    print(f"this run {(time.perf_counter() - start) / 60:.1f} min on {machine()}")
    if args.write:
        from skser._files import atomic_write

        image = args.write.parent / "images" / "robustness.png"
        image.parent.mkdir(parents=True, exist_ok=True)
        plot(corpus_summaries, image)
        generated = (f"`python benchmarks/robustness.py --stored-only --write {args.write}`, "
                     f"{time.strftime('%Y-%m-%d')}, on {machine()}.\n\n"
                     f"![UA against severity](images/{image.name})\n\n{tables}\n"
                     f"### The corruptions\n\n{corruption_table()}\n")
        text = accuracy.replace_generated(args.write, generated, markers=(BEGIN, END),
                                          title="# Robustness: accuracy on altered audio")
        atomic_write(args.write, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


if __name__ == "__main__":
    sys.exit(main())
