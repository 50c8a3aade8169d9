"""Seconds per training epoch of the 2-D CNNs on the demo's input size.

    python benchmarks/cnn_epoch_time.py            # about 3 minutes on 2 cores

Why `skser demo` trains a LeNet-5 rather than the default `custom` network:
this prints the time per epoch of each on random log-mel-sized input
(432 training clips, 64 mel bands x 94 frames: a 3 s clip at a 512-sample
hop), with the width of `custom` as a ratio against LeNet-5 measured in the
same run. Input values do not change the cost, so random data is enough.
"""

import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from skser import CNNClassifier  # noqa: E402

REPEATS = 5
CONFIGS = (
    ("lenet5", 1.0),
    ("custom", 0.25),
    ("custom", 0.5),
    ("custom", 1.0),
)


def seconds_per_epoch(model, width, X, y, *, repeat=REPEATS):
    """Median time of ``repeat`` one-epoch fits of an already built network.

    The first fit builds the network and traces its training step; it is not
    timed. Later epochs run the same traced step, as in a long training. No
    random_state: a seed turns on TensorFlow's op determinism, which refuses
    the unseeded ``network.fit`` calls (and would slow them).
    """
    clf = CNNClassifier(model=model, width=width, epochs=1, patience=None,
                        validation_split=0.0).fit(X, y)
    network = clf.estimator_.model_
    y_enc = np.searchsorted(clf.classes_, y)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        network.fit(X, y_enc, epochs=1, batch_size=clf.batch_size, verbose=0)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(432, 64, 94, 1)).astype(np.float32)
    y = np.repeat(np.arange(6), 72)
    print(f"{'model':<8}{'width':>7}{'s/epoch':>10}{'x lenet5':>10}")
    baseline = None
    for model, width in CONFIGS:
        s = seconds_per_epoch(model, width, X, y)
        baseline = baseline or s
        print(f"{model:<8}{width:>7.2f}{s:>10.2f}{s / baseline:>10.1f}", flush=True)


if __name__ == "__main__":
    main()
