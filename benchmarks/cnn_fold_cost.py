"""Training cost of every network at the input sizes the accuracy benchmark uses.

    python benchmarks/cnn_fold_cost.py            # about 10 minutes on 2 cores
    python benchmarks/cnn_fold_cost.py --quick    # LeNet-5 only, under a minute

For each architecture and input form, the milliseconds per clip and training
epoch (median of 2 one-epoch fits of 256 random clips after a first,
untimed epoch that builds and traces the network; input values do not change
the cost), as a ratio against the 2-D LeNet-5 on 64 x 94 log-mels measured
in the same run, and what that means for one RAVDESS fold of
`benchmarks/accuracy.py`: 2074 clips per epoch (1152 training clips and as
many augmented copies, less the 10 % validation split) for 35 epochs, the
typical early-stopping point with `make_ser_pipeline`'s training settings.
It is the estimate behind the rows docs/results.md could not run on a CPU.
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from cnn_epoch_time import seconds_per_epoch  # noqa: E402

# Input shapes without the batch axis: 3 s at 16 kHz.
SHAPES = {
    "2-D 64x94": (64, 94, 1),        # make_ser_pipeline("2d")
    "2-D 128x188": (128, 188, 1),    # MelSpectrogram2D's own defaults (the old default)
    "1-D 188x170": (188, 170),       # make_ser_pipeline("1d")
}
CONFIGS = [
    ("lenet5", "2-D 64x94"), ("alexnet", "2-D 64x94"), ("vgg16", "2-D 64x94"),
    ("custom", "2-D 64x94"), ("lenet5", "2-D 128x188"), ("custom", "2-D 128x188"),
    ("lenet5", "1-D 188x170"), ("alexnet", "1-D 188x170"), ("vgg16", "1-D 188x170"),
    ("custom", "1-D 188x170"),
]
CLIPS_PER_EPOCH = 2074
EPOCHS = 35


def ms_per_clip_epoch(model, shape, n_clips, repeat):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_clips, *shape)).astype(np.float32)
    y = np.arange(n_clips) % 8
    return 1000 * seconds_per_epoch(model, 1.0, X, y, repeat=repeat) / n_clips


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="LeNet-5 only, 64 clips")
    args = parser.parse_args(argv)
    configs = [c for c in CONFIGS if c[0] == "lenet5"] if args.quick else CONFIGS
    n_clips, repeat = (64, 1) if args.quick else (256, 2)
    print("| network | input | ms / clip / epoch | x 2-D LeNet-5 64x94 "
          f"| min per RAVDESS fold ({EPOCHS} epochs) |")
    print("|---|---|---|---|---|")
    baseline = None
    for model, shape in configs:
        ms = ms_per_clip_epoch(model, SHAPES[shape], n_clips, repeat)
        baseline = baseline or ms
        minutes = ms * CLIPS_PER_EPOCH * EPOCHS / 60000
        print(f"| {model} | {shape} | {ms:.1f} | {ms / baseline:.1f} | {minutes:.0f} |",
              flush=True)


if __name__ == "__main__":
    main()
