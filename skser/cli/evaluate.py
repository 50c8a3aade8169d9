"""``skser evaluate``: speaker-grouped cross-validation with a report, and
its ``--robustness`` suite."""

import json
from pathlib import Path

import numpy as np

from ._common import CLIError, _log
from ._data import _describe, _load_data, _make_pipeline, _run_info


def _cmd_evaluate(args):
    # skser demo calls this with its own options, which have no --robustness.
    for option in ("robustness", "quick", "corruptions"):
        if not hasattr(args, option):
            setattr(args, option, None if option == "corruptions" else False)
    if not args.robustness and (args.quick or args.corruptions):
        raise CLIError(f"{'--quick' if args.quick else '--corruptions'} selects the "
                       "corruptions of --robustness; add --robustness.")
    data = _load_data(args)
    from ..evaluation import cross_validate_emotions, format_report, save_report

    n_speakers = np.unique(data.groups).size if data.groups is not None else 0
    if args.folds < 2 or args.folds > n_speakers:
        raise CLIError(f"--folds {args.folds}: grouped cross-validation needs 2 to "
                       f"{n_speakers} folds here (one speaker or more per fold).")
    pipeline = _make_pipeline(args)
    if args.robustness:
        return _evaluate_robustness(args, data, pipeline, n_speakers)
    _log(args, f"{args.folds}-fold cross-validation grouped by speaker, "
               f"{len(data.filenames)} clips, {n_speakers} speakers")

    def progress(i, n, fold):
        _log(args, f"  fold {i + 1}/{n}: UA {fold['ua']:.3f}  WA {fold['wa']:.3f}  "
                   f"(fit {fold['fit_seconds']:.0f} s)")

    report = cross_validate_emotions(
        pipeline, list(data.filenames), data.target, groups=data.groups, cv=args.folds,
        random_state=args.seed, callback=progress,
    )
    report.update(_run_info(args, data, pipeline))
    paths = save_report(report, args.out, name="cv_report",
                        title=f"{_describe(args, data)}: {args.folds}-fold CV")
    print(format_report(report, title=f"skser evaluate: {_describe(args, data)}"))
    print(f"\nReport: {paths['json']}  Confusion matrix: {paths['confusion']}")
    return report


def _evaluate_robustness(args, data, pipeline, n_speakers):
    """``skser evaluate --robustness``: the corruption suite on the user's corpus."""
    from ..evaluation import evaluate_robustness, format_robustness, plot_robustness
    from ..evaluation._robustness import robustness_conditions

    try:
        conditions = robustness_conditions(args.corruptions, quick=args.quick)
    except ValueError as error:
        raise CLIError(f"--corruptions: {error}") from None
    _log(args, f"robustness: {args.folds}-fold cross-validation grouped by speaker, "
               f"{len(data.filenames)} clips, {n_speakers} speakers; each test fold "
               f"altered {len(conditions) - 1} ways ("
               f"{'one severity per corruption' if args.quick else 'every severity'})")
    report = evaluate_robustness(
        pipeline, list(data.filenames), data.target, groups=data.groups, cv=args.folds,
        corruptions=args.corruptions, quick=args.quick, random_state=args.seed,
        progress=not args.quiet)
    report.update(_run_info(args, data, pipeline))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    json_path, plot_path = out / "robustness_report.json", out / "robustness.png"
    json_path.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    plot_robustness(report, plot_path, title=f"{_describe(args, data)}: UA on altered audio")
    print(f"skser evaluate --robustness: {_describe(args, data)}\n{report['split']}\n")
    print(format_robustness(report))
    print(f"\nReport: {json_path}  Plot: {plot_path}")
    return report
