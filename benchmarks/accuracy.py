"""Speaker-independent accuracy on real speech (RAVDESS, EmoDB, SAVEE).

    python benchmarks/accuracy.py --write docs/results.md   # the whole table
    python benchmarks/accuracy.py --rows svm svm+spk        # some rows
    python benchmarks/accuracy.py --quick                   # a smoke run, about a minute

Each row is cross-validated with folds grouped by speaker
(`StratifiedGroupKFold`, 5 folds, seed 0, the same folds for every row;
SAVEE's four speakers: leave one speaker out), so no speaker is in both
training and test. SAVEE (issue 22) is a corpus no default was chosen on;
it runs the rows of `CORPUS_ROWS` (the models a user chooses among, the
peer and the baselines), not the seeds' CNNs. Reported per row: UA (mean
per-class recall), WA (accuracy) and macro F1 as mean and standard deviation
over folds, training seconds per fold and prediction milliseconds per clip.

Rows:

- ``svm``: the classical baseline, ``make_ser_pipeline("stats")``:
  `FrameFeatures1D(aggregate="mean_std")` pooled statistics, standardised,
  and an RBF `SVC` (C=10, balanced class weights);
- ``1d-<model>`` / ``2d-<model>`` for lenet5, alexnet, vgg16, custom: the
  seeds' pipelines, ``make_ser_pipeline(kind, model=model)`` with its
  defaults;
- ``sequence``: the attention-GRU network over frame features;
- ``stats``: ``make_ser_pipeline("stats")``, the statistics model (the
  default until issue 14);
- ``ensemble``: ``make_ser_pipeline("ensemble")``, the soft vote of the two;
- ``default``: ``make_ser_pipeline()`` exactly as a user gets it (the
  ensemble; a row building the same pipeline as another shares its folds);
- ``stats-issue-14``, ``default-issue-14``: the statistics model and the
  default as they were before issue 21 (``robust=False``: trained on the
  clean clips only, no level step), beside the robust ones;
- ``pretrained``: the recipe of skser's pretrained model
  (`skser._pretrained.make_pretrained_pipeline`: the default adapting per
  recording domain, chosen for transfer between corpora by the nested
  choice of ``cross_corpus.py``), trained on each fold's training clips as
  one recording domain and predicting each test clip on its own;
  ``pretrained-stats``: the statistics recipe shipped until 2026-12-07
  (`_common.pretrained_stats_pipeline`, chosen by ``transfer_search.py``),
  the same way;
- ``opensmile``: the peer, openSMILE's 88 eGeMAPSv02 functionals
  (`_opensmile.OpenSmileFunctionals`) with the ``svm`` row's scaler and SVM.
  openSMILE reads each whole file at its own rate (no resampling, trimming
  or 3 s crop): openSMILE as it is normally run, its best shot. The
  ``opensmile`` package is licensed for non-commercial research only, so it
  is a benchmark-only dependency (``pip install 'skser[bench]'``); without
  it these rows show their stored folds only; ``opensmile-stats`` gives
  the same features the statistics model's scaler and logistic regression
  (trained on the clips alone: openSMILE reads the files, so there are no
  altered copies to gate);
- ``<row>+spk``, the speaker-normalised twin of a row: the same pipeline
  with ``speaker_normalize=True`` (its ``scale`` step a
  `SpeakerStandardScaler`; in 2-D pipelines it comes before the masked
  copies), fitted with the training clips' speakers and predicting with
  the test clips' ones (``groups``, by metadata routing). It standardises
  each test speaker's clips with that speaker's own statistics, so it uses
  every test speaker's unlabelled clips; the plain rows never see them.
  The table prints each twin below its plain row. The 2-D CNNs' twins are
  run only when asked for by name (``--rows 2d-lenet5+spk``); the 1-D CNNs
  have none (their augmented copies are made before the features, where
  no speaker is known).

The leading steps of a pipeline that learn nothing (loading, trimming and,
in 2-D pipelines, the log-mel spectrogram: their ``requires_fit`` tag is
False and ``fit`` only checks parameters) are run once per corpus on every
clip; each fold then fits the rest of the pipeline on its training clips.
That is what fitting the whole pipeline per fold computes, without
recomputing the same spectrograms five times. Their time is shared out per
clip and counted in the training and prediction times.

Every fold's result is stored in ``--cache`` (one JSON per corpus, row and
fold), so an interrupted run resumes where it stopped and the table can be
built over several sessions; ``--force`` recomputes. The run time written to
``--write`` is the sum of the compute time of every fold in the table.
Beside the table, clearly labelled, the default model, the statistics model
and the 2-D LeNet-5 on the seeds' random 70/30 split, which shares speakers between training and
test and so overstates accuracy.
"""

import argparse
import hashlib
import json
import os
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from _common import (  # noqa: E402
    PRETRAINED_STATS, SHARED_DATA, machine, pretrained_stats_pipeline, statistics_before_issue_13,
    with_epochs,
)
from _opensmile import OPENSMILE_MISSING, OpenSmileFunctionals, opensmile_available  # noqa: E402

CORPORA = {
    "ravdess": ("ravdess-speech-16k", "load_ravdess", "RAVDESS speech, 16 kHz"),
    "emodb": ("emodb", "load_emodb", "EmoDB (2 s copy, 22.05 kHz)"),
    # Issue 22: a third corpus that no default was chosen on. Four speakers:
    # leave one speaker out.
    "savee": ("savee-16k", "load_savee", "SAVEE, 16 kHz"),
}
#: The corpora the defaults were chosen on (the searches' corpora).
SEARCH_CORPORA = ("ravdess", "emodb")
MODELS = ("lenet5", "alexnet", "vgg16", "custom")
PLAIN_ROWS = ("svm", "opensmile", "opensmile-stats",
              *(f"{k}-{m}" for k in ("1d", "2d") for m in MODELS), "sequence", "stats",
              "stats-issue-14", "ensemble", "default", "default-issue-14", "pretrained",
              PRETRAINED_STATS)
# The models before issue 21 (robust=False: no level step, no altered
# copies), beside the robust ones. Their speaker-normalised twins are the
# robust rows' twins (robust is off with speaker_normalize): not repeated.
ISSUE_14 = "-issue-14"
# A row's speaker-normalised twin: the same pipeline with a SpeakerStandardScaler
# for its scaler, fitted and applied with each clip's speaker.
SPK = "+spk"
SPK_LABEL = "speaker-normalised (uses each test speaker's unlabelled clips)"
# The pretrained model's recipe (issue 22), trained on each fold's clips as
# one recording domain and predicting one clip at a time: in-corpus, beside
# the default. It adapts per domain instead of per speaker: no twin.
PRETRAINED = "pretrained"
# Every row, each twin right below its plain row: the table's order. The 1-D
# CNNs have no twin: make_ser_pipeline(speaker_normalize=True) needs
# augment=False there (their augmented waveform copies are made before the
# features, where no speaker is known for them), and a twin without the
# augmentation would differ from its row in two ways, not one.
ROWS = tuple(r for plain in PLAIN_ROWS
             for r in ((plain,) if plain.startswith("1d-") or plain.endswith(ISSUE_14)
                       or plain in (PRETRAINED, PRETRAINED_STATS) else (plain, plain + SPK)))
# The CNNs' twins cost as much as the CNN rows: run on request only.
DEFAULT_ROWS = tuple(r for r in ROWS
                     if r in PLAIN_ROWS or r.removesuffix(SPK) in (
                         "svm", "opensmile", "opensmile-stats", "sequence", "stats",
                         "ensemble", "default"))
OPENSMILE_ROWS = tuple(r for r in ROWS if r.startswith("opensmile"))
N_FOLDS = 5
SEED = 0
QUICK_ROWS = ("svm", "svm" + SPK, "2d-lenet5")
# Rows also trained on the course projects' random 70/30 split: the default, the
# statistics model (the default before issue 14), and the seeds' 2-D recipe that
# the course projects reported on such a split.
RANDOM_SPLIT_ROWS = ("default", "default-issue-14", "stats", "2d-lenet5")
# SAVEE (issue 22) runs the models a user chooses among, the peer and the
# baselines, not the seeds' CNNs; and no random split. Its network rows'
# folds are the clean condition of robustness.py's fits of the same rows.
CORPUS_ROWS = {"savee": ("svm", "svm" + SPK, "opensmile", "opensmile" + SPK, "sequence",
                         "sequence" + SPK, "stats", "stats" + SPK, "stats-issue-14",
                         "default", "default" + SPK, "pretrained", PRETRAINED_STATS)}
DEFAULT_CACHE = Path(__file__).resolve().parent / "results" / "accuracy"


# FrameFeatures1D parameters added after folds were stored, and their
# defaults: at these values a step computes what it computed before they
# existed (per-frame output does not pool, so skip_silent_frames has no
# effect there), so they are left out of the settings key and the 1-D CNN
# rows keep their stored folds. Any other value enters the key.
ADDED_AT_DEFAULT = {"features__deltas": "()", "features__f0_min": "60.0",
                    "features__f0_max": "600.0", "features__skip_silent_frames": "True",
                    # CNNClassifier's training recipe (issue 14); off by default.
                    "clf__label_smoothing": "0.0", "clf__schedule": "None",
                    "clf__spec_augment": "None",
                    # Mixup (issue 14), off by default; in the ensemble's network too.
                    "clf__mixup": "0.0", "clf__sequence__clf__mixup": "0.0"}

#: Parameters (by their last name) added after rows were stored, at the
#: value that builds what those rows measured.
ADDED_LATER = {"speaker_scaler": "None", "cepstral_root": "None", "contrast_root": "None",
               "pool_frames": "'all'"}


def make_row(name, *, quick=False):
    """The estimator of one row, from file paths to labels.

    Parameters
    ----------
    name : str
        One of `ROWS`. A name ending in ``+spk`` builds the row's pipeline
        with ``speaker_normalize=True``: its ``scale`` step is a
        `SpeakerStandardScaler`, fitted and applied with ``groups``.
    quick : bool, default=False
        Train networks for 1 epoch (a smoke run, not a result).

    Returns
    -------
    estimator : Pipeline
    """
    from skser import make_ser_pipeline

    base = name.removesuffix(SPK)
    spk = {"speaker_normalize": True} if name.endswith(SPK) else {}
    if base in ("svm", "opensmile"):
        pipeline = make_ser_pipeline("stats", random_state=SEED, **spk,
                                     **statistics_before_issue_13(random_state=SEED))
    elif base == "stats":
        pipeline = make_ser_pipeline("stats", random_state=SEED, **spk)
    elif base in ("stats" + ISSUE_14, "opensmile-stats"):
        # openSMILE's features are of the files: no altered copies, so the
        # statistics model's scaler and one logistic regression (no gate).
        pipeline = make_ser_pipeline("stats", robust=False, random_state=SEED, **spk)
    elif base == "default":
        pipeline = make_ser_pipeline(random_state=SEED, **spk)
    elif base == "default" + ISSUE_14:
        pipeline = make_ser_pipeline(robust=False, random_state=SEED, **spk)
    elif base in ("sequence", "ensemble"):
        pipeline = make_ser_pipeline(base, random_state=SEED, **spk)
    elif base == PRETRAINED:
        from skser._pretrained import make_pretrained_pipeline

        pipeline = make_pretrained_pipeline(random_state=SEED)
    elif base == PRETRAINED_STATS:
        pipeline = pretrained_stats_pipeline(random_state=SEED)
    else:
        kind, model = base.split("-")
        pipeline = make_ser_pipeline(kind, model=model, random_state=SEED, **spk)
    if base.startswith("opensmile"):
        # The svm row's (or the stats row's) own scaler and classifier, on
        # openSMILE's features of the whole files at their own rates instead
        # of skser's loading and features.
        pipeline = type(pipeline)([("features", OpenSmileFunctionals()),
                                   *pipeline.steps[-2:]])
    return with_epochs(pipeline, 1) if quick else pipeline


def split_stateless(pipeline):
    """Split a pipeline into its leading steps that learn nothing and the rest.

    A step belongs to the stateless head when its ``requires_fit`` tag is
    False and it is not a sampler (samplers such as `AugmentedCopies` act
    while fitting only). Returns ``(head, tail)``; ``head`` may be None.
    """
    n = 0
    for _, step in pipeline.steps:
        if step == "passthrough" or step is None:
            n += 1
            continue
        if hasattr(step, "fit_resample") or step.__sklearn_tags__().requires_fit:
            break
        n += 1
    n = min(n, len(pipeline.steps) - 1)
    return (pipeline[:n] if n else None), pipeline[n:]


def load_corpus(corpus, *, quick=False, corpora=None):
    """The corpus as a `skser.datasets` Bunch; in quick mode every other clip.
    ``corpora`` is the table to look ``corpus`` up in (default `CORPORA`)."""
    from skser import datasets

    folder, loader, _ = (corpora or CORPORA)[corpus]
    data = getattr(datasets, loader)(SHARED_DATA / folder)
    if quick:
        # Every speaker, so that each class (EmoDB's disgust is rare and
        # missing for some speakers) has the 3 training clips the statistics
        # pipeline's 3-fold calibration needs.
        keep = np.arange(data.target.size) % 2 == 0
        data.filenames, data.target, data.groups = (
            data.filenames[keep], data.target[keep], data.groups[keep])
    return data


def folds(data, n_folds):
    """Speaker-grouped, class-stratified folds, the same for every row."""
    from sklearn.model_selection import StratifiedGroupKFold

    splitter = StratifiedGroupKFold(n_splits=n_folds, shuffle=True, random_state=SEED)
    return list(splitter.split(np.zeros(data.target.size), data.target, data.groups))


def corpus_folds(corpus, data, *, quick=False):
    """The folds of ``corpus``: `folds` with `N_FOLDS` (2 in quick mode), or
    for SAVEE's four speakers, leave one speaker out (the first 2 in quick
    mode)."""
    from sklearn.model_selection import LeaveOneGroupOut

    if corpus == "savee":
        splits = list(LeaveOneGroupOut().split(data.target, data.target, data.groups))
        return splits[:2] if quick else splits
    return folds(data, 2 if quick else N_FOLDS)


class Heads:
    """Outputs of stateless pipeline heads on every clip, computed once per head."""

    def __init__(self, data):
        self.data = data
        self._outputs = {}

    def __call__(self, head):
        """``(Xt, seconds_per_clip)`` of ``head`` on every clip of the corpus."""
        import joblib

        if head is None:
            return np.asarray(self.data.filenames, dtype=object), 0.0
        key = joblib.hash([(name, step.get_params()) for name, step in head.steps
                           if step not in ("passthrough", None)])
        if key not in self._outputs:
            start = time.perf_counter()
            Xt = head.transform(list(self.data.filenames))
            seconds = time.perf_counter() - start
            self._outputs[key] = (Xt, seconds / self.data.target.size)
        return self._outputs[key]


def _take(X, index):
    return X[index] if isinstance(X, np.ndarray) else [X[i] for i in index]


def fit_and_score(estimator, train, test, data, heads, *, speaker_groups=False):
    """Fit on ``train``, predict ``test``; UA, WA, macro F1 and times.

    With ``speaker_groups``, ``fit`` gets the training clips' speakers and
    ``predict`` the test clips' (``groups``, by metadata routing): what a
    speaker-normalised row needs. A plain row whose ``fit`` takes ``groups``
    (the ensemble, for its inner split over speakers) gets the training
    clips' speakers in ``fit`` only: no test speaker is named to it.
    """
    import sklearn

    from skser.evaluation import emotion_report

    head, tail = split_stateless(estimator)
    Xt, head_seconds = heads(head)
    fit_groups = speaker_groups or takes_training_speakers(estimator)
    fit_params = {"groups": data.groups[train]} if fit_groups else {}
    predict_params = {"groups": data.groups[test]} if speaker_groups else {}
    with sklearn.config_context(enable_metadata_routing=fit_groups):
        start = time.perf_counter()
        tail.fit(_take(Xt, train), data.target[train], **fit_params)
        fitted = time.perf_counter()
        predicted = tail.predict(_take(Xt, test), **predict_params)
        done = time.perf_counter()
    report = emotion_report(data.target[test], predicted, labels=data.target_names)
    clf = tail.steps[-1][1]
    return {
        "machine": machine(), "date": time.strftime("%Y-%m-%d"),
        "ua": report["ua"], "wa": report["wa"], "macro_f1": report["macro_f1"],
        "fit_seconds": fitted - start + head_seconds * train.size,
        "predict_ms_per_clip": 1000 * ((done - fitted) / test.size + head_seconds),
        "epochs": getattr(clf, "n_epochs_", None),
        # The ensemble's vote, as its inner split chose it.
        **({"vote_weights": dict(zip((n for n, _ in clf.estimators), clf.weights_.tolist()))}
           if hasattr(clf, "weights_") else {}),
        "n_train": int(train.size), "n_test": int(test.size),
        "y_true": data.target[test].tolist(), "y_pred": np.asarray(predicted).tolist(),
    }


def takes_training_speakers(estimator):
    """Whether ``estimator.fit`` takes ``groups`` by metadata routing (with
    ``weights="auto"``, the ensemble splits its training speakers)."""
    from skser.evaluation._cross_validation import _requests_groups

    return _requests_groups(estimator, "fit")


def settings_key(estimator, *, speaker_groups=False):
    """A digest of every parameter of ``estimator``, nested ones included,
    and of whether it is fitted and applied with the speakers (``+spk`` rows).

    A stored fold counts only while the row is still built the same way: when
    a default of skser changes, its rows are recomputed, not reused. The
    digest holds parameter values, not the classes of the steps, so the
    speakers are named in it: a speaker-normalised twin must never share its
    plain row's folds.
    """
    params = {name: repr(value) for name, value in estimator.get_params(deep=True).items()
              if not hasattr(value, "get_params") and name not in ("steps", "memory")}
    if params.get("features__aggregate", "None") == "None":
        params = {k: v for k, v in params.items() if ADDED_AT_DEFAULT.get(k) != v}
    # Parameters added later whose default changes nothing: every row keeps
    # its stored folds while they are at it.
    params = {k: v for k, v in params.items()
              if ADDED_LATER.get(k.rsplit("__", 1)[-1]) != v}
    if any("RandomCorruption(" in value for value in params.values()):
        from skser.augmentation import RandomCorruption

        # Same parameters, other copies: the training rooms became hybrids.
        params["RandomCorruption copies"] = RandomCorruption.copies_version
    if speaker_groups:
        # Only here, so that the plain rows keep the keys of their stored folds.
        params["fit and predict with groups"] = "speakers"
    elif takes_training_speakers(estimator):
        params["fit with groups"] = "training speakers"
    return hashlib.sha1(json.dumps(params, sort_keys=True).encode()).hexdigest()[:16]


def row_key(row, *, quick=False):
    """`settings_key` of row ``row``."""
    return settings_key(make_row(row, quick=quick), speaker_groups=row.endswith(SPK))


def load_stored(path, key):
    """The result stored in ``path`` if it was computed with settings ``key``, else None."""
    if path is None or not path.is_file():
        return None
    stored = json.loads(path.read_text())
    return stored if stored.get("settings") == key else None


def is_stored(path, key):
    """Whether ``path`` holds a result computed with settings ``key``."""
    return load_stored(path, key) is not None


def store(path, result):
    """Write ``result`` to ``path`` as JSON, atomically (an interrupted run leaves no half file)."""
    from skser._files import atomic_write

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda tmp: Path(tmp).write_text(json.dumps(result)))


def reuse_stored(cache, corpus, name, row, key):
    """Copy a result stored under another row with the same settings ``key``.

    A row keeps its folds when the default moves to or away from it (the
    folds of the old default are another row's folds now).
    """
    if cache is None or is_stored(cache / corpus / row / name, key):
        return
    for other in sorted((cache / corpus).glob(f"*/{name}")):
        stored = load_stored(other, key)
        if stored is not None:
            store(cache / corpus / row / name, {**stored, "row": row})
            return


def cached(path, key, compute, *, force):
    """Load ``path`` (JSON) if it holds ``key``, else compute, store and return it."""
    stored = None if force else load_stored(path, key)
    if stored is not None:
        return stored, True
    result = {"settings": key, **compute()}
    if path is not None:
        store(path, result)
    return result, False


def run(corpus, rows, *, cache, quick, force, random_split, stored_only=False,
        unavailable=()):
    """Cross-validate ``rows`` on ``corpus``; return data, per-row fold results.

    With ``stored_only``, folds not in ``cache`` are left out, not computed;
    so are the folds of the rows in ``unavailable`` (their software is not
    installed). The random 70/30 split is run for the rows of
    `RANDOM_SPLIT_ROWS` among ``rows``.
    """
    data = load_corpus(corpus, quick=quick)
    splits = corpus_folds(corpus, data, quick=quick)
    n_folds = len(splits)
    heads = Heads(data)
    results, by_settings = {}, {}
    # The default and its twin first: a seeds' row built the same way reuses their folds.
    for row in sorted(rows, key=lambda r: r.removesuffix(SPK) != "default"):
        key = row_key(row, quick=quick)
        if key in by_settings:
            results[row] = [{**r, "row": row, "same_as": by_settings[key][0]["row"]}
                            for r in by_settings[key]]
            continue
        results[row] = by_settings[key] = []
        for i, (train, test) in enumerate(splits):
            path = cache / corpus / row / f"fold{i}.json" if cache else None
            reuse_stored(cache, corpus, f"fold{i}.json", row, key)
            if (stored_only or row in unavailable) and not is_stored(path, key):
                continue
            result, hit = cached(
                path, key, lambda: {
                    "corpus": corpus, "row": row, "fold": i,
                    "test_speakers": sorted(map(str, np.unique(data.groups[test]))),
                    **fit_and_score(make_row(row, quick=quick), train, test, data, heads,
                                    speaker_groups=row.endswith(SPK)),
                }, force=force)
            results[row].append(result)
            if not hit:
                print(f"{corpus} {row} fold {i + 1}/{n_folds}: UA {result['ua']:.3f} "
                      f"WA {result['wa']:.3f} ({result['fit_seconds']:.0f} s)", flush=True)
    figures = {}
    if random_split:
        from skser.evaluation import holdout_split

        train, test, split = holdout_split(data.target, data.groups, method="random",
                                           test_size=0.3, random_state=SEED)
        for row in (r for r in RANDOM_SPLIT_ROWS if r in rows):
            path = cache / corpus / row / "random70-30.json" if cache else None
            key = row_key(row, quick=quick)
            reuse_stored(cache, corpus, "random70-30.json", row, key)
            if stored_only and not is_stored(path, key):
                continue
            figures[row], _ = cached(path, key, lambda: {
                "description": split["description"],
                **fit_and_score(make_row(row, quick=quick), train, test, data, heads),
            }, force=force)
    return data, {row: results[row] for row in rows}, figures


def compute_seconds(result):
    """Training plus prediction seconds of one stored fold or split."""
    return result["fit_seconds"] + result["predict_ms_per_clip"] * result["n_test"] / 1000


def row_label(row, same_as=None):
    """The row's name in the table: ``svm (= default)`` for a row sharing another's
    folds, and a twin says it is speaker-normalised and what that uses."""
    label = row.removesuffix(SPK)
    if same_as:
        label += f" (= {same_as.removesuffix(SPK)})"
    return f"{label}, {SPK_LABEL}" if row.endswith(SPK) else label


def summarise(results, n_folds, unavailable=None):
    """One dict per row: mean and std of each score and mean times; a row with
    fewer than ``n_folds`` folds gets ``folds_done`` instead of scores, and
    ``why`` from ``unavailable`` (row -> reason) if it could not be run."""
    rows = []
    for row, fold_results in results.items():
        same_as = fold_results[0].get("same_as") if fold_results else None
        label = row_label(row, same_as)
        # A row sharing another's folds adds no compute of its own.
        compute = 0.0 if same_as else float(sum(map(compute_seconds, fold_results)))
        if len(fold_results) < n_folds:
            rows.append({"row": label, "folds_done": len(fold_results), "n_folds": n_folds,
                         "compute_seconds": compute, "why": (unavailable or {}).get(row)})
            continue

        def get(key):
            return np.array([r[key] for r in fold_results], dtype=float)

        rows.append({
            "row": label,
            **{f"{k}_mean": float(get(k).mean()) for k in ("ua", "wa", "macro_f1")},
            **{f"{k}_std": float(get(k).std()) for k in ("ua", "wa", "macro_f1")},
            "fit_seconds": float(get("fit_seconds").mean()),
            "predict_ms_per_clip": float(get("predict_ms_per_clip").mean()),
            "compute_seconds": compute,
        })
    return rows


def markdown_table(summary):
    """The summary as a markdown table, scores in percent."""
    lines = [
        "| row | UA % | WA % | macro F1 % | train s / fold | predict ms / clip |",
        "|---|---|---|---|---|---|",
    ]
    for s in summary:
        if "folds_done" in s:
            why = f"; {s['why']}" if s.get("why") else ""
            lines.append(f"| {s['row']} | not run yet: {s['folds_done']} of {s['n_folds']} "
                         f"folds stored{why} | | | | |")
            continue
        lines.append(
            f"| {s['row']} | {100 * s['ua_mean']:.1f} ± {100 * s['ua_std']:.1f} "
            f"| {100 * s['wa_mean']:.1f} ± {100 * s['wa_std']:.1f} "
            f"| {100 * s['macro_f1_mean']:.1f} ± {100 * s['macro_f1_std']:.1f} "
            f"| {s['fit_seconds']:.0f} | {s['predict_ms_per_clip']:.1f} |"
        )
    return "\n".join(lines)


BEGIN, END = "<!-- accuracy.py: begin -->", "<!-- accuracy.py: end -->"


def replace_generated(path, generated, *, markers=(BEGIN, END), title="# Results"):
    """The text of ``path`` with the part between ``markers`` (this script's
    `BEGIN` and `END`, or another benchmark's) replaced.

    Prose written around the tables survives a rerun; a file without the
    markers gets the block at its end, a new file ``title`` above it.
    """
    begin, end = markers
    block = f"{begin}\n{generated.rstrip()}\n{end}"
    old = Path(path).read_text(encoding="utf-8") if Path(path).is_file() else ""
    if begin in old and end in old:
        before, rest = old.split(begin, 1)
        return before + block + rest.split(end, 1)[1]
    return (old.rstrip() or title) + "\n\n" + block + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", nargs="+", choices=list(CORPORA), default=list(CORPORA))
    parser.add_argument("--rows", nargs="+", choices=ROWS, default=None,
                        help="rows to run (default: all but the CNNs' speaker-normalised "
                             "twins; with --quick: svm, svm+spk and 2d-lenet5)")
    parser.add_argument("--quick", action="store_true",
                        help="EmoDB, every other clip, 2 folds, 1 epoch, "
                             "no cache: a smoke run, not a result")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help=f"per-fold results (default: {DEFAULT_CACHE})")
    parser.add_argument("--force", action="store_true", help="recompute cached folds")
    parser.add_argument("--stored-only", action="store_true",
                        help="compute nothing: build the tables from the stored folds, "
                             "marking rows whose folds are missing")
    parser.add_argument("--no-random-split", dest="random_split", action="store_false",
                        help="skip the random 70/30 split figures")
    parser.add_argument("--write", type=Path, default=None,
                        help="write the tables to this markdown file (e.g. docs/results.md)")
    args = parser.parse_args(argv)
    if not SHARED_DATA.is_dir():
        parser.exit(0, f"accuracy.py: {SHARED_DATA} is absent; nothing to measure.\n")
    # In the table's order, each twin below its plain row, whatever the order asked.
    rows = sorted(set(args.rows or (QUICK_ROWS if args.quick else DEFAULT_ROWS)),
                  key=ROWS.index)
    unavailable = ({} if opensmile_available() else
                   {row: OPENSMILE_MISSING for row in rows if row in OPENSMILE_ROWS})
    if unavailable:
        print(f"accuracy.py: skipping {', '.join(unavailable)} (stored folds only): "
              f"{'the row' if len(unavailable) == 1 else 'these rows'} "
              f"{OPENSMILE_MISSING}.", flush=True)
    corpora = ["emodb"] if args.quick and args.corpora == list(CORPORA) else args.corpora
    cache = None if args.quick else args.cache
    start = time.perf_counter()
    sections, compute = [], 0.0
    for corpus in corpora:
        corpus_rows = [r for r in rows if r in CORPUS_ROWS.get(corpus, rows)]
        data, results, figures = run(corpus, corpus_rows, cache=cache, quick=args.quick,
                                    force=args.force,
                                    random_split=args.random_split and corpus not in CORPUS_ROWS,
                                    stored_only=args.stored_only, unavailable=unavailable)
        n_folds = len(corpus_folds(corpus, data, quick=args.quick))
        summary = summarise(results, n_folds, unavailable)
        compute += sum(s["compute_seconds"] for s in summary)
        header = (f"{CORPORA[corpus][2]}: {data.target.size} clips, "
                  f"{np.unique(data.groups).size} speakers, {data.target_names.size} "
                  f"classes (chance UA {100 / data.target_names.size:.1f} %); "
                  + (f"{n_folds} folds, one speaker held out in each" if corpus == "savee"
                     else f"{n_folds} speaker-grouped folds"))
        machines = sorted({r.get("machine", "unrecorded") for folds_ in results.values()
                           for r in folds_})
        if machines != [machine()]:
            header += f"; folds computed on {' and '.join(machines)}"
        table = markdown_table(summary)
        print(f"\n{header}\n{table}\n")
        section = f"## {corpus}\n\n{header}.\n\n{table}\n"
        for row, figure in figures.items():
            compute += compute_seconds(figure)
            line = (f"**Not speaker-independent**: `{row}` on the course projects' random 70/30 split "
                    f"({figure['description']}): UA {100 * figure['ua']:.1f} %, "
                    f"WA {100 * figure['wa']:.1f} %, macro F1 {100 * figure['macro_f1']:.1f} %.")
            print(line)
            section += f"\n{line}\n"
        sections.append(section)
    elapsed = time.perf_counter() - start
    print(f"Compute {compute / 60:.1f} min in the table; this run {elapsed / 60:.1f} min "
          f"on {machine()}")
    if args.write:
        from skser._files import atomic_write

        generated = (
            f"`python benchmarks/accuracy.py --write {args.write}`, "
            f"{time.strftime('%Y-%m-%d')}, on {machine()}. Compute time of the "
            f"folds in the tables: {compute / 60:.0f} min.\n\n" + "\n".join(sections)
        )
        text = replace_generated(args.write, generated)
        atomic_write(args.write, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


if __name__ == "__main__":
    main()
