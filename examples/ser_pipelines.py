"""Run skser's 1-D and 2-D pipelines end to end on the built-in demo corpus.

    python examples/ser_pipelines.py            # about 2-3 minutes on 2 cores
    python examples/ser_pipelines.py --quick    # under a minute, a smoke test

The audio comes from `skser.datasets.make_emotional_speech`, synthetic
speech whose prosody varies with emotion and speaker. It is a plumbing demo,
not a benchmark: the scores say the pipelines learn, nothing about real
speech.

Steps: synthesise labelled WAV files -> speaker-grouped cross-validation of
the 1-D and 2-D pipelines -> fit on everything -> save (skser's safe format) -> load ->
predict files.
"""

import argparse
import tempfile
import time
from pathlib import Path

from sklearn.metrics import balanced_accuracy_score, make_scorer
from sklearn.model_selection import GroupKFold, cross_val_score

from skser import load_model, make_ser_pipeline, save_model
from skser.datasets import make_emotional_speech

EMOTIONS = ("angry", "happy", "neutral", "sad")


def main(quick=False):
    n_speakers, n_per_class = (4, 3) if quick else (6, 6)
    options = dict(random_state=0, clf__width=0.25,
                   clf__epochs=3 if quick else 20, clf__patience=5)
    ua = make_scorer(balanced_accuracy_score)
    with tempfile.TemporaryDirectory() as folder:
        data = make_emotional_speech(folder, n_speakers=n_speakers, n_per_class=n_per_class,
                                     emotions=EMOTIONS, random_state=0)
        paths, labels, speakers = list(data.filenames), data.target, data.groups
        print(f"{len(paths)} clips, {len(EMOTIONS)} emotions, {n_speakers} speakers; "
              f"chance UA = {1 / len(EMOTIONS):.2f}")
        for kind in ("1d", "2d"):
            pipe = make_ser_pipeline(kind, **options)
            start = time.perf_counter()
            scores = cross_val_score(
                pipe, paths, labels, groups=speakers, cv=GroupKFold(n_splits=3),
                scoring=ua,
            )
            print(f"{kind}: speaker-grouped 3-fold UA = {scores.mean():.2f} "
                  f"+/- {scores.std():.2f}  ({time.perf_counter() - start:.0f} s)")

            pipe.fit(paths, labels)
            model_path = Path(folder) / f"ser_{kind}.skser"
            save_model(pipe, model_path)
            loaded = load_model(model_path)
            proba = loaded.predict_proba(paths[:3])
            for path, row in zip(paths[:3], proba):
                best = loaded.classes_[row.argmax()]
                print(f"    {Path(path).name}: {best} ({row.max():.2f})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny run, a smoke test")
    main(quick=parser.parse_args().quick)
