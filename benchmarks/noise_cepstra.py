"""Cepstra that broadband noise moves less, chosen on the nested inner splits.

    python benchmarks/noise_cepstra.py                      # RAVDESS and EmoDB, ~50 min on 2 cores
    python benchmarks/noise_cepstra.py --corpora emodb      # ~15 min
    python benchmarks/noise_cepstra.py --stored-only        # the table of the stored folds

Where the robust statistics model loses under white noise and babble at 10
dB SNR, most of the loss is its MFCCs': on the nested inner splits, the
MFCC columns of a noisy clip alone (the other columns clean) cost 14 of
the 20 points that white noise costs on EmoDB (docs/robustness.md). The
log of the mel power stretches the quiet parts of the spectrum, which
broadband noise fills first, as far as the loud ones. The candidates keep
everything of ``make_ser_pipeline("stats")`` (four retrimmed copies, the
level step, the gated experts) and change how the MFCCs compress the mel
power before their DCT:

- ``stats``: the log, 80 dB below the clip's peak (librosa's MFCCs);
- ``mfcc_db30`` ... ``mfcc_db60``: the log with a floor 30-60 dB below
  the clip's peak, which noise at 10 dB SNR fills less of;
- ``mfcc_root3``, ``mfcc_root7``: root cepstra, the cube and seventh root
  of the mel power (``FrameFeatures1D(cepstral_root=r)``).

Each candidate replaces the 360 MFCC columns (20 coefficients and their
deltas, nine functionals) of the same rows: the copies and the altered
validation clips are made once per inner fold, as `robust_search.py` makes
them (its inner 3-fold speaker-grouped split of the training speakers of
``accuracy.py``'s outer folds 1-4, its conditions and seeds), so the
candidates differ in their cepstra only. No test fold is read. Rule, as
`robust_search.py`'s and fixed before the run: the best mean UA over the
altered conditions among the candidates within 1 point of the best clean
UA, averaged over both corpora. Results: ``benchmarks/results/noise_cepstra``.
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np

import robust_search
import robustness
from _common import SHARED_DATA, machine

RESULTS = Path(__file__).resolve().parent / "results" / "noise_cepstra"


def _register():
    """The log-floor candidates, as frame features of this script only (root
    cepstra are skser's own: ``cepstral_root``)."""
    from skser.features._dsp import mfcc_from_db, power_to_db
    from skser.features._frame_members import FEATURES, frame_feature

    for db in (30.0, 40.0, 50.0, 60.0):
        if f"mfcc_db{db:g}" in FEATURES:
            continue

        @frame_feature(f"mfcc_db{db:g}", needs=("mel_power", "mfcc"), width=lambda p: p.n_mfcc,
                       definition=f"MFCCs of the log-mel floored {db:g} dB below the clip's peak")
        def _floored(m, db=db):
            return mfcc_from_db(power_to_db(m.mel_power, top_db=db), n_mfcc=m.p.n_mfcc)


#: candidate -> the features step's settings for its MFCC columns.
VARIANTS = {
    **{f"mfcc_db{db}": {"features": (f"mfcc_db{db}",)} for db in (30, 40, 50, 60)},
    **{f"mfcc_root{r}": {"features": ("mfcc",), "cepstral_root": float(r)} for r in (3, 7)},
}


def inner_scores(data, waveforms, outer, k, fit_idx, val_idx, *, base=None, family="mfcc",
                 variants=None, classifiers=None):
    """Inner UA per candidate and condition on one inner fold.

    ``base`` is `robust_search.candidate_pipeline`'s settings over those of
    the statistics model as built (the ``"stats"`` candidate); each of
    ``variants`` (``{name: settings}``, `VARIANTS` by default) replaces the
    columns whose names start with ``family`` (a prefix or a tuple of
    them) by those of the base's features step with ``settings`` set,
    computed from the same levelled clips and copies; ``settings=None``
    drops those columns. Settings whose features give more columns than
    they replace (a family added beside the one kept) put them all after
    the kept ones. ``classifiers`` (``{name: (variant, make_clf)}``) adds
    candidates that read a variant's columns (``"stats"``: the base's) with
    the classifier ``make_clf()`` in place of the base's.
    """
    from sklearn.base import clone

    from skser._validation import method_takes
    from skser.evaluation import emotion_report

    base = {"robust": True, "as_built": True, "draw": "clip", **(base or {})}
    variants = VARIANTS if variants is None else variants
    pipe = robust_search.candidate_pipeline(base)
    front, features = pipe[:4], pipe.named_steps["features"]
    y = data.target[fit_idx]
    W = front.fit_transform([waveforms[i] for i in fit_idx], y)
    rows = front.named_steps["augment"].sample_indices_
    y_rows = y[rows]
    copy_of = np.asarray(rows)
    clips_under = robust_search.validation_clips(waveforms, fit_idx, val_idx, outer, k)
    conditions = robust_search.suite()
    W_val = {label: front.transform(robustness.as_inputs(clips_under(c, s)))
             for label, c, s in conditions}

    X = features.fit_transform(W)
    names = list(features.get_feature_names_out())
    cols = [i for i, n in enumerate(names) if n.startswith(family)]
    kept = [i for i, n in enumerate(names) if not n.startswith(family)]
    X_val = {label: features.transform(Wv) for label, Wv in W_val.items()}
    candidates = {"stats": (X, X_val)}
    for variant, settings in variants.items():
        if settings is None:
            candidates[variant] = (X[:, kept], {label: Z[:, kept] for label, Z in X_val.items()})
            continue
        ff = clone(features).set_params(**settings)
        V = ff.fit_transform(W)
        if V.shape[1] != len(cols):
            # More columns than replaced: the kept ones, then the variant's.
            assert V.shape[1] > len(cols), (variant, V.shape, len(cols))
            candidates[variant] = (np.hstack([X[:, kept], V]), {
                label: np.hstack([Z[:, kept], ff.transform(W_val[label])])
                for label, Z in X_val.items()})
            continue
        replaced = [names[i] for i in cols]
        if set(ff.get_feature_names_out()) == set(replaced):
            # The same columns computed another way: in the same order.
            assert list(ff.get_feature_names_out()) == replaced, variant
        Xv = X.copy()
        Xv[:, cols] = V
        Vv = {}
        for label, Wv in W_val.items():
            Z = X_val[label].copy()
            Z[:, cols] = ff.transform(Wv)
            Vv[label] = Z
        candidates[variant] = (Xv, Vv)
    classes = np.unique(y)
    scores = {}
    # The gated classifier tells clips from copies by copy_of; a plain
    # logistic regression takes no such argument.
    heads = {name: (columns, clone(pipe[-2:])) for name, columns in candidates.items()}
    for name, (variant, make_clf) in (classifiers or {}).items():
        heads[name] = (candidates[variant], clone(pipe[-2:]).set_params(clf=make_clf()))
    for name, ((Xf, Vf), head) in heads.items():
        routed = ({"clf__copy_of": copy_of}
                  if method_takes(head.named_steps["clf"], "fit", "copy_of") else {})
        head.fit(Xf, y_rows, **routed)
        scores[name] = {label: emotion_report(data.target[val_idx], head.predict(Vf[label]),
                                              labels=list(classes))["ua"]
                        for label, _, _ in conditions}
    return scores


def main(argv=None, *, doc=__doc__, results=RESULTS, register=None, **search):
    """Run (or print) a column-family search: this script's, or another's
    with its own ``doc``, ``results`` folder, ``register`` hook and
    `inner_scores` keywords (``base``, ``family``, ``variants``), or its own
    ``scorer`` in place of `inner_scores` (same positional arguments, the
    other keywords passed on)."""
    scorer = search.pop("scorer", inner_scores)
    script = Path(results).name + ".py"
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--outer-folds", nargs="+", type=int, default=[1, 2, 3, 4])
    parser.add_argument("--corpora", nargs="+", choices=robust_search.CORPORA,
                        default=list(robust_search.CORPORA))
    parser.add_argument("--stored-only", action="store_true")
    args = parser.parse_args(argv)
    if not SHARED_DATA.is_dir() and not args.stored_only:
        parser.exit(0, f"{script}: {SHARED_DATA} is absent.\n")
    (register or _register)()
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    tables = {}
    for corpus in robust_search.CORPORA:
        path = Path(results) / f"{corpus}.json"
        stored = json.loads(path.read_text()) if path.is_file() else {}
        todo = [k for k in args.outer_folds if str(k) not in stored]
        if todo and corpus in args.corpora and not args.stored_only:
            data = robustness.load_corpus(corpus)
            splits = robustness.folds(corpus, data)
            waveforms = robustness.load_waveforms(data)
            bad = [k for k in todo if not 0 <= k < len(splits)]
            if bad:
                parser.error(f"--outer-folds: {corpus} has outer folds 0 to "
                             f"{len(splits) - 1}; got {bad}")
            for outer in todo:
                # Another process may have stored it meanwhile (folds split between processes).
                if path.is_file() and str(outer) in json.loads(path.read_text()):
                    continue
                start = time.perf_counter()
                inner = robust_search.inner_folds(data, splits[outer][0])
                folds = [scorer(data, waveforms, outer, k, *split, **search)
                         for k, split in enumerate(inner)]
                Path(results).mkdir(parents=True, exist_ok=True)
                stored = robust_search.store_merged(path, str(outer), {
                    "scores": {name: {label: float(np.mean([f[name][label] for f in folds]))
                                      for label in folds[0][name]} for name in folds[0]},
                    "seconds": time.perf_counter() - start, "machine": machine()})
                print(f"{corpus} outer fold {outer}: stored", flush=True)
        if all(str(k) in stored for k in args.outer_folds):
            tables[corpus] = {name: {label: float(np.mean([stored[str(k)]["scores"][name][label]
                                                          for k in args.outer_folds]))
                                     for label in stored[str(args.outer_folds[0])]["scores"][name]}
                              for name in stored[str(args.outer_folds[0])]["scores"]}
        else:
            missing = [k for k in args.outer_folds if str(k) not in stored]
            print(f"{corpus}: outer folds {missing} not run yet")
    if len(tables) == len(robust_search.CORPORA):
        print_table(tables, args.outer_folds)


def print_table(tables, outer_folds):
    """Inner UA % per condition, mean over the corpora, and the rule's
    choice (`robust_search.print_table`, the rule every search here uses);
    then each corpus's clean and mean altered UA."""
    print(f"Inner UA %, mean of {' and '.join(tables)} over outer folds {outer_folds}:\n")
    results = {corpus: {name: {"scores": scores} for name, scores in table.items()}
               for corpus, table in tables.items()}
    robust_search.print_table(results, list(next(iter(tables.values()))))
    for corpus, table in tables.items():
        print(f"\n{corpus}: " + "; ".join(
            f"{name} {100 * scores[robustness.CLEAN]:.1f} / "
            f"{100 * np.mean([v for k, v in scores.items() if k != robustness.CLEAN]):.1f}"
            for name, scores in table.items()) + " (clean / mean altered)")


if __name__ == "__main__":
    main()
