"""How much altered audio costs a model: the corruption suite under
speaker-grouped cross-validation.

Each fold's model is fitted on the training speakers' clips as given, then
tested on the held-out speakers' clips, clean and altered by every
corruption of `skser.augmentation.CORRUPTIONS` at every severity (or the
middle one with ``quick=True``). Babble is made from the fold's training
speakers, never a test speaker. UA is pooled over folds, as in
`cross_validate_emotions`.
"""

import time
from contextlib import nullcontext

import numpy as np
from sklearn import config_context
from sklearn.base import clone
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils.validation import check_consistent_length, column_or_1d

from ._cross_validation import _requests_groups, _splits
from ._report import emotion_report

__all__ = ["CLEAN", "evaluate_robustness", "format_robustness", "plot_robustness",
           "robustness_conditions"]

CLEAN = "clean"
#: Training clips whose waveforms make a fold's babble.
N_BABBLE_SOURCES = 60


def condition_label(corruption, severity):
    """``"pink_noise@10"``: a condition's name in tables and JSON."""
    if isinstance(severity, float) and severity.is_integer():
        severity = int(severity)
    return f"{corruption}@{severity}"


def robustness_conditions(corruptions=None, *, quick=False):
    """The conditions of the suite: ``[(label, corruption, severity)]``, clean first.

    Parameters
    ----------
    corruptions : list of str or None, default=None
        Names from `skser.augmentation.CORRUPTION_NAMES`; None means all.
    quick : bool, default=False
        The middle severity of each corruption only.

    Returns
    -------
    conditions : list of tuple
        ``(CLEAN, None, None)``, then ``(label, name, severity)`` per
        corruption and severity, mildest first.
    """
    from ..augmentation import CORRUPTIONS
    from ..augmentation._corruptions import check_corruption

    if corruptions is None:
        corruptions = list(CORRUPTIONS)
    elif isinstance(corruptions, str) or not len(corruptions):
        raise ValueError("corruptions must be a non-empty list of corruption names (or None "
                         f"for all of them); got {corruptions!r}.")
    out = [(CLEAN, None, None)]
    for name in corruptions:
        severities = check_corruption(name).severities
        if quick:
            severities = (severities[len(severities) // 2],)
        out += [(condition_label(name, s), name, s) for s in severities]
    return out


def evaluate_robustness(estimator, X, y, *, groups=None, cv=5, corruptions=None, quick=False,
                        sr=16000, random_state=None, progress=False):
    """Cross-validate ``estimator`` and test each fold on altered copies of
    its held-out clips.

    Parameters
    ----------
    estimator : estimator
        Cloned and fitted once per fold on the clips of ``X`` as given
        (e.g. a `make_ser_pipeline` result, from file paths).
    X : sequence of str or os.PathLike [length n_clips]
        Audio files (or waveforms at ``sr``).
    y : array-like [shape=(n_clips,)]
        Labels.
    groups : array-like [shape=(n_clips,)] or None, default=None
        Speaker of each clip; required with an int ``cv`` (folds grouped by
        speaker). The estimator gets them as `cross_validate_emotions`
        gives them (metadata routing).
    cv : int or cross-validation splitter, default=5
    corruptions : list of str or None, default=None
        Names from `skser.augmentation.CORRUPTION_NAMES`; None means all.
    quick : bool, default=False
        One (the middle) severity per corruption: about a quarter of the time.
    sr : int, default=16000
        Rate the clips are read at before they are altered (the pipeline's).
    random_state : int, RandomState instance or None, default=None
        Seed of the folds and of the alterations (noise, rooms, talkers).
    progress : bool, default=False
        Draw a progress bar over folds and conditions on a terminal.

    Returns
    -------
    report : dict
        ``conditions``: one dict per condition, clean first, with ``label``,
        ``corruption``, ``severity``, ``unit``, ``kind``, ``ua``, ``wa``,
        ``drop`` (clean UA minus this UA) and ``moderate`` (whether the
        severity counts as moderate); ``clean_ua``; ``mean_moderate_drop``
        and ``worst_moderate`` (label and drop); ``n_folds``,
        ``n_clips``, ``split`` (a description) and ``seconds``.
    """
    from .._progress import progress_bar
    from ..augmentation import CORRUPTIONS, corrupt
    from ..loading import AudioLoader

    y = column_or_1d(np.asarray(y))
    check_consistent_length(X, y)
    if y.size == 0:
        raise ValueError("X holds no clips; evaluate_robustness needs a labelled corpus.")
    conditions = robustness_conditions(corruptions, quick=quick)
    rng = check_random_state(random_state)
    splits, groups = _splits(y, groups, cv, rng)
    fit_groups = groups is not None and _requests_groups(estimator, "fit")
    predict_groups = groups is not None and _requests_groups(estimator, "predict")
    routing = (config_context(enable_metadata_routing=True)
               if fit_groups or predict_groups else nullcontext())
    waveforms = AudioLoader(sr=sr, duration=30.0).transform(list(X))
    labels = np.unique(y)
    predicted = {label: np.empty_like(y) for label, _, _ in conditions}
    tested = np.zeros(y.size, dtype=bool)
    seed = rng.randint(2**31 - 1)
    start = time.perf_counter()
    with progress_bar(enabled=progress, total=len(splits) * len(conditions),
                      desc="robustness", unit="condition") as bar:
        for i, (train, test) in enumerate(splits):
            model = clone(estimator)
            with routing:
                model.fit(_safe_indexing(X, train), y[train],
                          **({"groups": groups[train]} if fit_groups else {}))
            pick = np.random.default_rng([seed, i]).choice(
                train, size=min(N_BABBLE_SOURCES, train.size), replace=False)
            sources = [waveforms[j] for j in pick]
            for k, (label, name, severity) in enumerate(conditions):
                inputs = []
                for j in test:
                    if name is None:
                        inputs.append(waveforms[j])
                        continue
                    clip, clip_sr = corrupt(
                        waveforms[j], name, severity, sr=sr, sources=sources,
                        random_state=np.random.default_rng([seed, int(j), k]))
                    inputs.append(clip if clip_sr == sr else (clip, clip_sr))
                with routing:
                    predicted[label][test] = model.predict(
                        inputs, **({"groups": groups[test]} if predict_groups else {}))
                bar.update(1)
            tested[test] = True
    rows = []
    for label, name, severity in conditions:
        report = emotion_report(y[tested], predicted[label][tested], labels=labels)
        member = CORRUPTIONS.get(name)
        rows.append({
            "label": label, "corruption": name or CLEAN, "severity": severity,
            "unit": member.unit if member else "", "kind": member.kind if member else CLEAN,
            "moderate": bool(member and severity in member.moderate),
            "ua": report["ua"], "wa": report["wa"],
        })
    clean = rows[0]["ua"]
    for row in rows:
        row["drop"] = clean - row["ua"]
    moderate = [row for row in rows if row["moderate"]]
    worst = max(moderate, key=lambda row: row["drop"]) if moderate else None
    kind = "speaker-independent" if groups is not None else "not grouped by speaker"
    return {
        "conditions": rows, "clean_ua": clean,
        "mean_moderate_drop": float(np.mean([r["drop"] for r in moderate])) if moderate
        else None,
        "worst_moderate": {"label": worst["label"], "drop": worst["drop"]} if worst else None,
        "n_folds": len(splits), "n_clips": int(tested.sum()),
        "split": f"{len(splits)}-fold cross-validation, {kind}; test clips altered, "
                 "training clips as given" + ("; speaker-normalised (uses each test "
                                              "speaker's unlabelled clips)"
                                              if predict_groups else ""),
        "seconds": round(time.perf_counter() - start, 1),
    }


def format_robustness(report):
    """The report as a plain-text table: UA % and the change from clean per condition."""
    lines = [f"{'condition':<24} {'UA %':>6} {'change':>7}"]
    for row in report["conditions"]:
        change = "" if row["label"] == CLEAN else f"{-100 * row['drop']:+.1f}"
        lines.append(f"{row['label']:<24} {100 * row['ua']:>6.1f} {change:>7}")
    if report["mean_moderate_drop"] is not None:
        worst = report["worst_moderate"]
        lines.append(f"mean drop at moderate severity: {100 * report['mean_moderate_drop']:.1f}"
                     f" points; worst {worst['label']} ({100 * worst['drop']:.1f} points)")
    return "\n".join(lines)


def plot_robustness(report, path, *, title=None):
    """UA against severity, one panel per corruption, the clean UA dashed.

    Parameters
    ----------
    report : dict
        From `evaluate_robustness`.
    path : str or os.PathLike
        PNG file to write.
    title : str or None, default=None

    Returns
    -------
    path : str or os.PathLike
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    by_name = {}
    for row in report["conditions"][1:]:
        by_name.setdefault(row["corruption"], []).append(row)
    n_cols = min(4, max(1, len(by_name)))
    n_rows = -(-len(by_name) // n_cols) or 1
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(3.6 * n_cols, 2.8 * n_rows),
                             squeeze=False)
    for ax, (name, rows) in zip(axes.flat, by_name.items()):
        x = np.arange(len(rows))
        ax.plot(x, [100 * r["ua"] for r in rows], marker="o")
        ax.axhline(100 * report["clean_ua"], linestyle="--", color="grey", linewidth=1)
        ax.set_xticks(x, [str(int(r["severity"]) if isinstance(r["severity"], float)
                              and float(r["severity"]).is_integer() else r["severity"])
                          for r in rows], fontsize=7)
        ax.set_title(f"{name} ({rows[0]['unit']})", fontsize=9)
        ax.set_ylim(0, 100)
        ax.set_ylabel("UA %", fontsize=8)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(by_name):]:
        ax.axis("off")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
