"""CREMA-D walkthrough: load, speaker-grouped CV, grid search, save, predict.

    python examples/crema_d_walkthrough.py                 # CREMA-D from skser's data home
    python examples/crema_d_walkthrough.py PATH/AudioWAV   # a local copy elsewhere
    python examples/crema_d_walkthrough.py --demo          # the synthetic demo corpus

CREMA-D (7442 clips, 91 actors, 6 emotions) is read from PATH, or from
``skser.datasets.get_data_home() / "crema_d" / "AudioWAV"`` where
``skser.datasets.fetch_crema_d()`` puts it. When neither is there, the script
says so and falls back to the built-in synthetic corpus, which needs no
download: then the figures show the pipeline works, not how well it
recognises real speech.

On full CREMA-D on 2 CPU cores this runs for hours (it trains 12 networks);
``--speakers 20`` keeps a random subset of actors for a first look.
"""

import argparse
import tempfile
import time
from pathlib import Path

import joblib
import numpy as np
from sklearn.model_selection import GridSearchCV, StratifiedGroupKFold

from skser import load_model, make_ser_pipeline, save_model
from skser.datasets import get_data_home, load_crema_d, make_emotional_speech
from skser.evaluation import cross_validate_emotions, format_report

# The default 2-D pipeline (LeNet-5 on 64-band log-mels), capped at 40 epochs
# so two CPU cores train it in reasonable time.
SETTINGS = dict(clf__epochs=40)


def load(args, workdir):
    path = Path(args.path) if args.path else get_data_home() / "crema_d" / "AudioWAV"
    if not args.demo and path.is_dir():
        data = load_crema_d(path)
        print(f"CREMA-D from {path}")
    else:
        if not args.demo:
            print(f"No CREMA-D at {path} (run skser.datasets.fetch_crema_d() or pass a "
                  "path): using the synthetic demo corpus instead.")
        data = make_emotional_speech(workdir, n_speakers=8, n_per_class=8, random_state=0)
    if args.speakers and np.unique(data.groups).size > args.speakers:
        rng = np.random.default_rng(0)
        keep = rng.choice(np.unique(data.groups), size=args.speakers, replace=False)
        mask = np.isin(data.groups, keep)
        data.filenames, data.target, data.groups = (
            data.filenames[mask], data.target[mask], data.groups[mask])
    print(f"{data.filenames.size} clips, {np.unique(data.groups).size} speakers, "
          f"labels {', '.join(np.unique(data.target))}\n")
    return data


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path", nargs="?", help="folder of CREMA-D WAV files")
    parser.add_argument("--demo", action="store_true", help="use the synthetic demo corpus")
    parser.add_argument("--speakers", type=int, help="keep this many random speakers")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        data = load(args, workdir)
        X, y, groups = list(data.filenames), data.target, data.groups

        # 1. Speaker-independent cross-validation: no actor is in both the
        #    training and the test folds.
        pipe = make_ser_pipeline("2d", model="lenet5", random_state=0, **SETTINGS)
        start = time.perf_counter()
        report = cross_validate_emotions(pipe, X, y, groups=groups, cv=3, random_state=0)
        print(format_report(report, title="1. Speaker-grouped 3-fold CV, 2-D LeNet-5"))
        print(f"({time.perf_counter() - start:.0f} s)\n")

        # 2. Grid search over the classifier, grouped by speaker too. The
        #    pipeline's memory caches the fitted load/trim/features steps, so
        #    features are computed once per fold, not once per candidate.
        cached = make_ser_pipeline("2d", model="lenet5", random_state=0,
                                   memory=joblib.Memory(Path(workdir) / "cache", verbose=0),
                                   **SETTINGS)
        grid = GridSearchCV(
            cached, {"clf__learning_rate": [1e-3, 3e-4]},
            cv=StratifiedGroupKFold(n_splits=3, shuffle=True, random_state=0),
            scoring="balanced_accuracy",
        )
        start = time.perf_counter()
        grid.fit(X, y, groups=groups)
        print("2. Grid search (UA = balanced accuracy, speaker-grouped 3-fold):")
        for params, mean, std in zip(grid.cv_results_["params"],
                                     grid.cv_results_["mean_test_score"],
                                     grid.cv_results_["std_test_score"]):
            print(f"   {params}: UA {mean:.3f} +- {std:.3f}")
        print(f"   best: {grid.best_params_} ({time.perf_counter() - start:.0f} s)\n")

        # 3. Save the refitted best pipeline and 4. predict with the copy.
        model_path = Path(workdir) / "crema_d_lenet5.skser"
        best = grid.best_estimator_
        best.set_params(memory=None)  # the cache folder goes away with workdir
        save_model(best, model_path)
        loaded = load_model(model_path)  # runs no code from the file, unlike a pickle
        proba = loaded.predict_proba(X[:3])
        print("3-4. Saved, reloaded, predicted:")
        for path, row in zip(X[:3], proba):
            top = loaded.classes_[np.argmax(row)]
            print(f"   {Path(path).name}: {top} (p={row.max():.2f})")


if __name__ == "__main__":
    main()
