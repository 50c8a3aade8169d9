"""How hard is the demo corpus? Baselines in speaker-grouped cross-validation.

    python benchmarks/demo_corpus_difficulty.py            # about 1-2 minutes on 2 cores
    python benchmarks/demo_corpus_difficulty.py --cnn      # adds the 2-D CNN, a few minutes more

Writes the default `make_emotional_speech` corpus (10 speakers x 6 emotions x
8 clips) into a temporary folder and scores, in GroupKFold over speakers
(no speaker in both training and test), by unweighted accuracy (UA, sklearn's
balanced accuracy):

- chance (1 / n_classes) and the majority class (`DummyClassifier`);
- the best one-feature rule: a depth-3 decision tree on each single pooled
  feature in turn (the 340 `FrameFeatures1D(aggregate="mean_std")` columns
  plus median F0, F0 spread, level and duration); the best mean UA is
  reported with its feature. Picking the best of ~340 by its test score
  flatters this baseline, which is the safe direction;
- classical models on all pooled features: `StandardScaler` +
  `LogisticRegression` and + `SVC(rbf)`, their ``C`` chosen inside each
  training fold by a grouped inner CV (nested, so the test speakers choose
  nothing); and logistic regression after per-speaker standardisation of the
  features (each speaker's clips z-scored by that speaker's own mean and
  standard deviation, labels unused), the usual speaker normalisation;
- `make_ser_pipeline("stats")`, the statistics pipeline (the default of
  issue 13), from the files,
  against the statistics pipeline it replaced in issue 13 (the course
  recipe's seven features, mean and std, an RBF SVC): the demo corpus is
  one the feature search (`feature_search.py`) never saw;
- with ``--cnn``, `make_ser_pipeline("2d", model="custom")` (quarter width, 64 mel bands,
  20 epochs, as in examples/ser_pipelines.py) in 3-fold grouped CV
  (minutes).

The corpus is meant to sit where "only real learning beats chance, the
majority class and a one-feature rule by a clear margin".
"""

import argparse
import os
import platform
import tempfile
import time

import librosa
import numpy as np
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from _common import statistics_before_issue_13
from skser import AudioLoader, FrameFeatures1D, TrimPad
from skser.datasets import make_emotional_speech

SR = 16000


def prosodic_features(waveforms):
    """Median F0 (Hz), F0 spread (semitones), level (dBFS) and duration (s)
    of each trimmed clip: the classic single cues of vocal emotion."""
    rows = []
    for y in waveforms:
        f0 = librosa.yin(y, fmin=60, fmax=500, sr=SR, frame_length=1024, hop_length=256)
        rms = librosa.feature.rms(y=y, frame_length=1024, hop_length=256)[0]
        voiced = rms > 0.3 * rms.max()  # yin answers everywhere; keep loud frames
        f0 = f0[voiced[: f0.size]]
        st = 12 * np.log2(f0 / np.median(f0))
        rows.append([
            np.median(f0), np.subtract(*np.percentile(st, [90, 10])),
            20 * np.log10(np.sqrt(np.mean(y**2)) + 1e-9), y.size / SR,
        ])
    return np.asarray(rows), ["f0_median_hz", "f0_range_st", "level_dbfs", "duration_s"]


def features(filenames, n_jobs):
    """Pooled features of every clip and their names."""
    waveforms = AudioLoader(sr=SR, n_jobs=n_jobs).fit_transform(filenames)
    trimmed = [librosa.effects.trim(y, top_db=30)[0] for y in waveforms]
    X_pad = TrimPad(sr=SR, duration=3.0).fit_transform(waveforms)
    frame = FrameFeatures1D(sr=SR, aggregate="mean_std", n_jobs=n_jobs)
    X_frame = frame.fit_transform(X_pad)
    X_pros, pros_names = prosodic_features(trimmed)
    return np.hstack([X_frame, X_pros]), list(frame.get_feature_names_out()) + pros_names


def speaker_standardise(X, groups):
    """Z-score each speaker's clips by that speaker's own statistics."""
    Z = np.empty_like(X)
    for g in np.unique(groups):
        rows = groups == g
        Z[rows] = (X[rows] - X[rows].mean(0)) / (X[rows].std(0) + 1e-9)
    return Z


def score(model, X, y, groups, cv):
    return cross_val_score(model, X, y, groups=groups, cv=cv, scoring="balanced_accuracy")


def nested_score(model, grid, X, y, groups, cv):
    """Outer grouped CV; ``grid`` searched by an inner grouped CV on each
    training fold, so hyper-parameters never see the test speakers."""
    scores = []
    for train, test in cv.split(X, y, groups):
        search = GridSearchCV(model, grid, cv=GroupKFold(n_splits=4),
                              scoring="balanced_accuracy")
        search.fit(X[train], y[train], groups=groups[train])
        scores.append(balanced_accuracy_score(y[test], search.predict(X[test])))
    return np.array(scores)


def main(*, n_speakers, n_per_class, seed, n_folds, n_jobs, cnn):
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        corpus = make_emotional_speech(
            folder, n_speakers=n_speakers, n_per_class=n_per_class, random_state=seed,
            n_jobs=n_jobs,
        )
        made = time.perf_counter() - start
        y, groups = corpus.target, corpus.groups
        n_classes = len(corpus.target_names)
        print(f"corpus: {len(y)} clips, {n_classes} emotions, {len(set(groups))} speakers "
              f"(seed {seed}), written in {made:.1f} s")
        start = time.perf_counter()
        X, names = features(corpus.filenames, n_jobs)
        print(f"features: {X.shape[1]} pooled columns in {time.perf_counter() - start:.1f} s")
        print(f"machine: {platform.processor() or platform.machine()}, "
              f"Python {platform.python_version()}")

        cv = GroupKFold(n_splits=n_folds)
        rows = [("chance", np.array([1 / n_classes]))]
        rows.append(("majority class (DummyClassifier)",
                     score(DummyClassifier(strategy="most_frequent"), X, y, groups, cv)))
        tree = DecisionTreeClassifier(max_depth=3, random_state=0)
        singles = [score(tree, X[:, [j]], y, groups, cv) for j in range(X.shape[1])]
        best = int(np.argmax([s.mean() for s in singles]))
        rows.append((f"best one-feature rule: depth-3 tree on {names[best]}", singles[best]))
        runner_up = sorted(range(len(names)), key=lambda j: -singles[j].mean())[1:4]
        logreg = make_pipeline(StandardScaler(), LogisticRegression(max_iter=3000))
        logreg_grid = {"logisticregression__C": [0.01, 0.1, 1.0]}
        svc = make_pipeline(StandardScaler(), SVC())
        svc_grid = {"svc__C": [1.0, 10.0, 100.0]}
        rows.append(("all features: StandardScaler + LogisticRegression",
                     nested_score(logreg, logreg_grid, X, y, groups, cv)))
        rows.append(("all features: StandardScaler + SVC(rbf)",
                     nested_score(svc, svc_grid, X, y, groups, cv)))
        rows.append(("all features z-scored per speaker: LogisticRegression",
                     nested_score(logreg, logreg_grid, speaker_standardise(X, groups), y,
                                  groups, cv)))
        # The default statistics pipeline against the one it replaced (issue
        # 13): the demo corpus is a corpus the feature search never saw.
        from skser import make_ser_pipeline

        before = make_ser_pipeline("stats", n_jobs=n_jobs, **statistics_before_issue_13())
        for name, pipe in (("the statistics pipeline before issue 13", before),
                           ('make_ser_pipeline("stats"), the default of issue 13',
                            make_ser_pipeline("stats", n_jobs=n_jobs))):
            rows.append((f"{name}, from the files", cross_val_score(
                pipe, list(corpus.filenames), y, groups=groups, cv=cv,
                scoring="balanced_accuracy")))
        if cnn:
            # Keep TensorFlow's C++ start-up chatter out of the report.
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
            from sklearn.metrics import make_scorer

            start = time.perf_counter()
            # The settings of examples/ser_pipelines.py: a quarter-width
            # network on 64 mel bands keeps this to minutes on a CPU.
            pipe = make_ser_pipeline(
                "2d", model="custom", random_state=0, n_jobs=n_jobs, features__n_mels=64,
                features__hop_length=256, clf__width=0.25, clf__epochs=20, clf__patience=5,
                clf__learning_rate=1e-3, clf__dropout=0.3,
            )
            cnn_scores = cross_val_score(
                pipe, list(corpus.filenames), y, groups=groups, cv=GroupKFold(n_splits=3),
                scoring=make_scorer(balanced_accuracy_score),
            )
            rows.append((f"make_ser_pipeline('2d'), 3 folds "
                         f"({time.perf_counter() - start:.0f} s)", cnn_scores))

    print(f"\nspeaker-grouped {n_folds}-fold UA (balanced accuracy), mean +/- std over folds")
    for name, s in rows:
        print(f"  {name:<60s} {s.mean():.3f} +/- {s.std():.3f}")
    print("  next best single features: " + ", ".join(
        f"{names[j]} {singles[j].mean():.3f}" for j in runner_up))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-speakers", type=int, default=10)
    parser.add_argument("--n-per-class", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--cnn", action="store_true", help="also the 2-D CNN pipeline")
    args = parser.parse_args()
    main(n_speakers=args.n_speakers, n_per_class=args.n_per_class, seed=args.seed,
         n_folds=args.folds, n_jobs=args.n_jobs, cnn=args.cnn)
