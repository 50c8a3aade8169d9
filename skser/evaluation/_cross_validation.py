"""Speaker-independent evaluation: grouped cross-validation and hold-out
splits that produce `emotion_report` dicts.

Emotion recognisers must be judged on speakers they never heard: a random
split puts every speaker in training and test, and the model partly learns
voices. So the default everywhere is to group by speaker; a random split is
available by name and is labelled in every report it produces.

An estimator that takes ``groups`` through metadata routing (a pipeline with
a `SpeakerStandardScaler`) gets each fold's speakers in ``fit`` and
``predict``; its reports say that prediction used the test speakers'
unlabelled clips.
"""

import time
from contextlib import nullcontext

import numpy as np
from sklearn import config_context
from sklearn.base import clone
from sklearn.model_selection import StratifiedGroupKFold, train_test_split
from sklearn.model_selection._split import check_cv
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils.metadata_routing import get_routing_for_object
from sklearn.utils.validation import check_consistent_length, column_or_1d

from ._report import SPEAKER_NORMALISED, emotion_report

__all__ = ["cross_validate_emotions", "train_test_split_speakers", "holdout_split"]


def train_test_split_speakers(y, groups, *, test_size=0.3, random_state=None):
    """Split clips so that no speaker is in both parts.

    About ``test_size`` of the speakers go to the test part, chosen so that
    every class keeps roughly its share on both sides
    (`StratifiedGroupKFold` with ``round(1 / test_size)`` folds; the first
    fold is the test part).

    Parameters
    ----------
    y : array-like [shape=(n_clips,)]
        Labels.
    groups : array-like [shape=(n_clips,)]
        Speaker of each clip.
    test_size : float, default=0.3
        Share of speakers held out, in (0, 0.5].
    random_state : int, RandomState instance or None, default=None
        Seed of the speaker shuffle.

    Returns
    -------
    train, test : np.ndarray of int
        Indices of the two parts.
    """
    y = column_or_1d(np.asarray(y))
    groups = _check_groups(groups, y)
    if not 0 < test_size <= 0.5:
        raise ValueError(f"test_size must be in (0, 0.5]; got {test_size!r}.")
    n_speakers = np.unique(groups).size
    n_splits = min(max(2, round(1 / test_size)), n_speakers)
    if n_speakers < 2:
        raise ValueError(
            f"A speaker-independent split needs at least 2 speakers; groups holds "
            f"{n_speakers}."
        )
    seed = check_random_state(random_state).randint(2**31 - 1)
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    train, test = next(splitter.split(np.zeros(y.size), y, groups))
    return train, test


def holdout_split(y, groups=None, *, method="speaker", test_size=0.3, random_state=None):
    """Hold out test clips by speaker (default) or at random, and describe it.

    Parameters
    ----------
    y : array-like [shape=(n_clips,)]
        Labels.
    groups : array-like [shape=(n_clips,)] or None
        Speaker of each clip; required by ``method="speaker"``.
    method : {"speaker", "random"}, default="speaker"
        ``"speaker"``: `train_test_split_speakers`; ``"random"``: the course recipe's
        stratified random split, where speakers overlap (optimistic).
    test_size : float, default=0.3
        Share held out.
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    train, test : np.ndarray of int
        Indices.
    split : dict
        ``method``, ``speaker_independent``, ``description``, and the test
        speakers when known.
    """
    y = column_or_1d(np.asarray(y))
    if method == "speaker":
        train, test = train_test_split_speakers(y, groups, test_size=test_size,
                                                random_state=random_state)
        groups = np.asarray(groups)
        test_speakers = sorted(np.unique(groups[test]).tolist())
        description = (
            f"speaker-independent hold-out: {len(test_speakers)} of "
            f"{np.unique(groups).size} speakers ({test.size} of {y.size} clips) held out"
        )
        return train, test, {
            "method": method, "speaker_independent": True, "description": description,
            "test_speakers": test_speakers,
        }
    if method == "random":
        seed = check_random_state(random_state).randint(2**31 - 1)
        train, test = train_test_split(np.arange(y.size), test_size=test_size, stratify=y,
                                       random_state=seed)
        overlap = None
        if groups is not None:
            groups = _check_groups(groups, y)
            overlap = int(np.intersect1d(groups[train], groups[test]).size)
        description = (
            f"random stratified hold-out of {test.size} of {y.size} clips "
            f"({test_size:.0%}), speakers in both parts"
        )
        if overlap is not None:
            description += f" ({overlap} shared)"
        return np.sort(train), np.sort(test), {
            "method": method, "speaker_independent": overlap == 0 if overlap is not None else False,
            "description": description,
        }
    raise ValueError(f'method must be "speaker" or "random"; got {method!r}.')


def cross_validate_emotions(
    estimator, X, y, *, groups=None, cv=5, random_state=None, callback=None,
):
    """Cross-validate and return a report with per-fold and pooled figures.

    Parameters
    ----------
    estimator : estimator
        Cloned and fitted once per fold (e.g. a `make_ser_pipeline` result).
    X : sequence [length n_clips]
        Inputs (file paths for a skser pipeline).
    y : array-like [shape=(n_clips,)]
        Labels.
    groups : array-like [shape=(n_clips,)] or None, default=None
        Speaker of each clip. With an int ``cv`` it is required, and folds are
        speaker-independent (`StratifiedGroupKFold`).
    cv : int or cross-validation splitter, default=5
        Number of folds, or a splitter (whose ``split`` gets ``groups``).
    random_state : int, RandomState instance or None, default=None
        Seed of the fold assignment when ``cv`` is an int.
    callback : callable or None, default=None
        Called as ``callback(fold_index, n_folds, fold_report)`` after each
        fold, e.g. to print progress.

    Returns
    -------
    report : dict
        `emotion_report` of the pooled out-of-fold predictions (every clip is
        predicted once, by the model that did not see it), plus ``folds``
        (one report per fold, with ``test_speakers``, ``fit_seconds`` and
        ``predict_seconds``), ``split`` (a description; ``speaker_independent``
        is checked, not assumed; ``speaker_normalised`` says whether
        ``predict`` got the test fold's groups) and ``chance`` (1 / number of
        classes).

    Notes
    -----
    When the estimator requests ``groups`` through scikit-learn's metadata
    routing (``make_ser_pipeline(speaker_normalize=True)`` does), each fold
    is fitted with ``groups=groups[train]`` and predicted with
    ``groups=groups[test]``, under
    ``sklearn.config_context(enable_metadata_routing=True)``: the test
    speakers are standardised with their own unlabelled clips, and the
    report's split description says "speaker-normalised (uses each test
    speaker's unlabelled clips)".
    """
    y = column_or_1d(np.asarray(y))
    check_consistent_length(X, y)
    if isinstance(cv, (int, np.integer)):
        if groups is None:
            raise ValueError(
                "groups (the speaker of each clip) is required with an int cv: "
                "emotion figures must come from speakers the model never heard. "
                "Pass a splitter as cv to choose otherwise."
            )
    splits, groups = _splits(y, groups, cv, check_random_state(random_state))
    fit_groups = groups is not None and _requests_groups(estimator, "fit")
    predict_groups = groups is not None and _requests_groups(estimator, "predict")
    labels = np.unique(y)
    y_pred = np.empty_like(y)
    tested = np.zeros(y.size, dtype=bool)
    folds = []
    speaker_independent = groups is not None
    for i, (train, test) in enumerate(splits):
        model = clone(estimator)
        start = time.perf_counter()
        with (config_context(enable_metadata_routing=True)
              if fit_groups or predict_groups else nullcontext()):
            model.fit(_safe_indexing(X, train), y[train],
                      **({"groups": groups[train]} if fit_groups else {}))
            fitted = time.perf_counter()
            y_pred[test] = model.predict(_safe_indexing(X, test),
                                         **({"groups": groups[test]} if predict_groups else {}))
        predicted = time.perf_counter()
        tested[test] = True
        fold = emotion_report(y[test], y_pred[test], labels=labels)
        fold["fit_seconds"] = round(fitted - start, 3)
        fold["predict_seconds"] = round(predicted - fitted, 3)
        if groups is not None:
            fold["test_speakers"] = sorted(np.unique(groups[test]).tolist())
            if np.intersect1d(groups[train], groups[test]).size:
                speaker_independent = False
        folds.append(fold)
        if callback is not None:
            callback(i, len(splits), fold)
    report = emotion_report(y[tested], y_pred[tested], labels=labels)
    report["folds"] = folds
    kind = "speaker-independent" if speaker_independent else "NOT speaker-independent"
    report["split"] = {
        "method": "cross-validation", "n_folds": len(splits),
        "speaker_independent": speaker_independent,
        "speaker_normalised": predict_groups,
        "description": f"{len(splits)}-fold cross-validation, {kind}"
        + (f", {np.unique(groups).size} speakers" if groups is not None else "")
        + (f"; {SPEAKER_NORMALISED}" if predict_groups else ""),
    }
    report["chance"] = 1.0 / labels.size
    return report


def _splits(y, groups, cv, rng):
    """``(splits, groups)``: an int ``cv`` gives that many speaker-grouped,
    class-stratified folds (``groups`` required), seeded from ``rng``; a
    splitter is used as given. ``groups`` comes back checked (or None)."""
    if isinstance(cv, (int, np.integer)):
        groups = _check_groups(groups, y)
        n_speakers = np.unique(groups).size
        if cv > n_speakers:
            raise ValueError(f"cv={cv} folds need at least {cv} speakers; groups holds {n_speakers}.")
        seed = rng.randint(2**31 - 1)
        splitter = StratifiedGroupKFold(n_splits=int(cv), shuffle=True, random_state=seed)
    else:
        splitter = check_cv(cv, y, classifier=True)
        groups = None if groups is None else _check_groups(groups, y)
    return list(splitter.split(np.zeros(y.size), y, groups)), groups


def _requests_groups(estimator, method, *, key="groups"):
    """Whether ``estimator``'s ``method`` takes ``groups`` (or another
    metadata ``key``: ``"domains"``) through metadata routing, e.g. a
    pipeline with a `SpeakerStandardScaler` (`DomainStandardScaler`) step."""
    return key in get_routing_for_object(estimator).consumes(method, [key])


def _check_groups(groups, y):
    if groups is None:
        raise ValueError(
            "groups (the speaker of each clip) is required for a speaker-independent split."
        )
    groups = column_or_1d(np.asarray(groups))
    check_consistent_length(groups, y)
    return groups
