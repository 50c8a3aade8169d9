"""``skser demo``: the main job on the synthetic demo corpus, in under two
minutes for the default kind."""

import time
from pathlib import Path

import numpy as np

from ._data import _epochs_key, _load_data, _pipeline_name
from .evaluate import _cmd_evaluate
from .formatting import _format_examples
from .train import _cmd_train


# What `skser demo` runs unless told otherwise, per kind: the demo corpus
# (speakers, clips per speaker and emotion), the cross-validation folds, the
# network's epochs and further pipeline settings. The default kind, the
# robust ensemble, fits its network three times per training (two inner
# folds weigh the vote, then the final fit) on the clips and their two
# altered copies, and each Keras fit spends about 6 s tracing its training
# step (benchmarks/ and docs/performance.md, "The two-minute demo"): 2
# folds, 6 epochs and 180 clips keep the demo under two minutes (issue 23;
# the full default trains for up to 60 epochs with a 3-fold inner split).
# The others keep 4 folds of 384 clips. Stated in the demo's output; every
# value can be overridden with --speakers, --per-class, --folds, --epochs
# and --set. `--kind stats` trains in seconds.
DEMO_SETTINGS = {
    "ensemble": {"speakers": 6, "per_class": 5, "folds": 2, "epochs": 6,
                 "set": {"clf__cv": 2}},
    "sequence": {"speakers": 8, "per_class": 8, "folds": 4, "epochs": 40, "set": {}},
    "2d": {"speakers": 8, "per_class": 8, "folds": 4, "epochs": 40, "set": {}},
    "1d": {"speakers": 8, "per_class": 8, "folds": 4, "epochs": 40, "set": {}},
    "stats": {"speakers": 8, "per_class": 8, "folds": 4, "epochs": None, "set": {}},
}


def _cmd_demo(args):
    from .._persistence import load_model

    start = time.perf_counter()
    demo = DEMO_SETTINGS[args.kind]
    for name in ("speakers", "per_class", "folds"):
        if getattr(args, name) is None:
            setattr(args, name, demo[name])
    # --epochs and --set win (as in _make_pipeline), and the line below says so.
    defaults = dict(demo["set"])
    if demo["epochs"] is not None:
        defaults[_epochs_key(args.kind)] = demo["epochs"] if args.epochs is None else args.epochs
    args.set = [*defaults.items(), *(args.set or [])]
    settings = ", ".join(f"{k}={v!r}" for k, v in dict(args.set).items())
    print(f"skser demo: {_pipeline_name(args)} pipeline" + (f", {settings}" if settings else ""))
    if args.kind == "ensemble":
        print(f"Demo settings, for a run of about two minutes: {args.folds}-fold "
              "cross-validation, the network trained for at most "
              f"{dict(args.set).get(_epochs_key(args.kind))} epochs, the vote weighed on "
              f"{dict(args.set).get('clf__cv', 3)} inner folds. `skser evaluate` and `skser "
              "train` use the full default (5 folds; up to 60 epochs; 3 inner folds).")
    data = _load_data(args)  # no DATA: the demo corpus, removed by main at the end
    print(f"Demo corpus: {len(data.filenames)} clips, {np.unique(data.groups).size} "
          f"speakers, labels {', '.join(data.target_names)} (synthetic: a demo, not a "
          "benchmark)\n")
    report = _cmd_evaluate(args)
    print()
    model_path = _cmd_train(args)
    model = load_model(model_path)
    example = _demo_examples(data.target, args._test_indices)
    proba = model.predict_proba(list(data.filenames[example]))
    print(f"\nThe saved model, reloaded, on {example.size} clips of the held-out speakers "
          f"({DEMO_CLIPS_PER_EMOTION} per emotion):\n")
    print(_format_examples([Path(f).name for f in data.filenames[example]],
                           data.target[example], model.classes_, proba))
    print(f"\nDemo finished in {time.perf_counter() - start:.0f} s. Speaker-independent "
          f"CV UA {report['ua']:.3f} against chance {report['chance']:.3f}.")


#: Held-out clips per emotion that `skser demo` labels with the reloaded model.
DEMO_CLIPS_PER_EMOTION = 2


def _demo_examples(target, test):
    """Indices of `DEMO_CLIPS_PER_EMOTION` test clips per label, spread over
    each label's test clips (so over several held-out speakers)."""
    chosen = []
    for label in np.unique(target[test]):
        of_label = test[target[test] == label]
        picks = np.linspace(0, of_label.size - 1, DEMO_CLIPS_PER_EMOTION).round().astype(int)
        chosen.extend(of_label[np.unique(picks)])
    return np.asarray(chosen)
