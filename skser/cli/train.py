"""``skser train``: fit, report on held-out speakers, save the model."""

import time
from pathlib import Path

import numpy as np

from ._common import DEFAULT_MODEL, _log
from ._data import (
    _describe, _fit, _load_data, _make_pipeline, _run_info, _save_model, _speaker_groups,
    _training_speakers, _with_metadata,
)


def _cmd_train(args):
    data = _load_data(args)
    from ..evaluation import emotion_report, format_report, holdout_split, save_report
    from ..evaluation._report import ADAPTED, SPEAKER_NORMALISED

    groups = _speaker_groups(args, data)
    pipeline = _make_pipeline(args)
    # --adapt: the corpus is one recording domain; the held-out part is
    # standardised with its own statistics, as a user's batch will be.
    adapt = getattr(args, "adapt", False) or getattr(args, "recipe", None) == "pretrained"
    domains = (np.asarray(getattr(data, "domains", np.zeros(len(data.filenames), dtype=int)))
               if adapt else None)
    # The ensemble weighs its members on an inner split over the training
    # speakers: they go to its fit even when the clips are not normalised.
    fit_groups = groups if groups is not None else _training_speakers(pipeline, data)
    if args.split == "random" and "clf__validation_split" in pipeline.get_params():
        # The course recipe: random 70/30 split, 5 % of training for a network's
        # validation (the statistics model has no validation split).
        pipeline.set_params(clf__validation_split=0.05)
    out = Path(args.out)
    files = np.asarray(data.filenames)
    if args.split == "none":
        _log(args, f"Training on all {files.size} clips (no test split, no report)")
        _fit(args, pipeline, files, data.target, groups=fit_groups, domains=domains)
    else:
        train, test, split = holdout_split(
            data.target, data.groups, method=args.split, test_size=args.test_size,
            random_state=args.seed,
        )
        if groups is not None:
            split.update(speaker_normalised=True,
                         description=f"{split['description']}; {SPEAKER_NORMALISED}")
        if domains is not None:
            split.update(adapted=True, description=f"{split['description']}; {ADAPTED}")
        _log(args, f"Split: {split['description']}")
        _fit(args, pipeline, files[train], data.target[train],
             groups=None if fit_groups is None else fit_groups[train],
             domains=None if domains is None else domains[train])
        args._test_indices = test
        _log(args, f"Predicting {test.size} test clips")
        start = time.perf_counter()
        predicted = _with_metadata(pipeline.predict, list(files[test]),
                                 groups=None if groups is None else groups[test],
                                 domains=None if domains is None else domains[test])
        predict_seconds = time.perf_counter() - start
        report = emotion_report(data.target[test], predicted, labels=data.target_names)
        report.update(
            split=split, chance=1.0 / len(data.target_names),
            predict_seconds=round(predict_seconds, 3),
            **_run_info(args, data, pipeline),
        )
        paths = save_report(report, out, name="train_report",
                            title=f"{_describe(args, data)}: held-out test")
        print(format_report(report, title=f"skser train: {_describe(args, data)}"))
        print(f"\nReport: {paths['json']}  Confusion matrix: {paths['confusion']}")
    model_path = _save_model(pipeline, args.model_file or out / DEFAULT_MODEL)
    print(f"Model: {model_path}")
    return model_path
