"""What computing the frame features once saves the default ensemble, one CPU core (issue 23).

    python benchmarks/ensemble_features.py            # about 6 minutes on 2 cores
    python benchmarks/ensemble_features.py --quick    # a smoke run, under a minute

The default, `make_ser_pipeline()`, votes a statistics member (frame
features pooled per clip, logistic regression) and a sequence member (the
same frame features per frame, the attention-GRU network). Both members'
frame features are the same numbers; `SoftVotingEnsemble` computes them once
per clip and hands each member its view. Measured here, in one process,
with BLAS, OpenMP and TensorFlow on one thread:

1. ``pipeline.fit`` of the default on a synthetic corpus (its network trained
   for 2 epochs: the features' share, not the network's accuracy, is
   measured), three ways: every fit of a member from the clips (as before
   issue 23: with ``weights="auto"`` each member's features were computed on
   every inner training part and held-out part, then on all clips), each
   member's features once (issue 23's first step), and the frames once for
   both members (now);
2. p50/p95 of ``pipeline.predict([path])`` on one 3 s file, and
   ``pipeline.predict`` on a batch of files, each member computing its own
   features against the frames computed once; calls alternate.

Each row's ratio is against the first row of its table. The three fits give
the same weights and the same probabilities (checked here, bit for bit; the
unit tests check it too), so stored benchmark folds stay valid.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

from _common import one_thread_environment  # stdlib only: before NumPy

one_thread_environment()  # before NumPy and TensorFlow size their thread pools

import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402

from _common import fit_with_speakers, machine, print_table, rss_mib, with_epochs  # noqa: E402

SR = 16000
EPOCHS = 2
#: (name, SoftVotingEnsemble._cache_heads, SoftVotingEnsemble._share_frames)
FITS = [
    ("every fit from the clips (before issue 23)", False, False),
    ("each member's features once (issue 23, first step)", True, False),
    ("frames once for both members (now)", True, True),
]


def write_corpus(folder, quick):
    """A synthetic corpus to train on, and 3 s files (pairs of its clips)."""
    from skser.datasets import make_emotional_speech

    data = make_emotional_speech(folder / "corpus", n_speakers=3 if quick else 6,
                                 n_per_class=1 if quick else 3, random_state=0)
    waves = [sf.read(f, dtype="float32")[0] for f in data.filenames]
    n = 3 * SR
    paths = []
    (folder / "3s").mkdir()
    for i in range(8 if quick else 32):
        y = np.concatenate([waves[i % len(waves)], waves[(i + 1) % len(waves)]])
        path = folder / "3s" / f"clip{i:02d}.wav"
        sf.write(path, np.pad(y, (0, max(0, n - y.size)))[:n], SR, subtype="PCM_16")
        paths.append(str(path))
    return data, paths


def fit_three_ways(data, quick):
    """Fit the default once per row of `FITS` (--quick: the last two, with
    2 inner folds); returns the pipelines and seconds."""
    from skser import SoftVotingEnsemble, make_ser_pipeline

    pipes, seconds = {}, {}
    for name, cache, share in FITS[1:] if quick else FITS:
        SoftVotingEnsemble._cache_heads, SoftVotingEnsemble._share_frames = cache, share
        pipe = with_epochs(make_ser_pipeline(random_state=0, **({"clf__cv": 2} if quick else {})),
                           EPOCHS)
        start = time.perf_counter()
        fit_with_speakers(pipe, list(data.filenames), data.target, data.groups)
        seconds[name] = time.perf_counter() - start
        pipes[name] = pipe
    SoftVotingEnsemble._cache_heads = SoftVotingEnsemble._share_frames = True
    return pipes, seconds


def check_same_models(pipes, paths):
    """The three fits: the same weights and probabilities, bit for bit."""
    (first, *others) = pipes.values()
    expected = first.predict_proba(paths)
    for pipe in others:
        np.testing.assert_array_equal(pipe[-1].weights_, first[-1].weights_)
        np.testing.assert_array_equal(pipe.predict_proba(paths), expected)
    return first[-1].weights_


def predict_times(pipe, path, paths, repeat, batch_repeat):
    """Seconds of one-file and batch predictions, members on their own
    features against the frames computed once, calls alternating."""
    from skser import SoftVotingEnsemble

    modes = {"each member its own features": False, "frames once for both members": True}
    one = {mode: [] for mode in modes}
    batch = {mode: [] for mode in modes}
    for mode, share in modes.items():  # warm-up: filterbanks, windows, traced network
        SoftVotingEnsemble._share_frames = share
        pipe.predict([path])
    for times, calls, args in ((one, repeat, [path]), (batch, batch_repeat, paths)):
        for _ in range(calls):
            for mode, share in modes.items():
                SoftVotingEnsemble._share_frames = share
                start = time.perf_counter()
                pipe.predict(args)
                times[mode].append(time.perf_counter() - start)
    SoftVotingEnsemble._share_frames = True
    return one, batch


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="a tiny corpus and few calls: a smoke run, not a result")
    args = parser.parse_args(argv)
    from skser._tensorflow import import_tensorflow

    tf = import_tensorflow()
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)

    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        data, paths = write_corpus(Path(tmp), args.quick)
        print(f"{len(data.filenames)} training clips, {len(set(data.groups))} speakers; "
              f"the network trained for {EPOCHS} epochs; one thread")
        pipes, seconds = fit_three_ways(data, args.quick)
        weights = check_same_models(pipes, paths)
        print(f"the {len(pipes)} fits agree bit for bit; vote weights (stats, sequence): "
              f"{weights.round(2).tolist()}")
        base = next(iter(seconds.values()))
        print("\nfit of the default:")
        print_table([[name, f"{s:.1f}", f"{s / base:.2f}"] for name, s in seconds.items()],
                    ["ensemble fit", "seconds", "x first row"])

        pipe = pipes[FITS[-1][0]]
        vote = pipe[-1]
        if np.count_nonzero(vote.weights_) < 2:
            # A member of weight 0 is not run at predict; time the vote of both.
            vote.weights_ = np.full(len(vote.weights_), 1 / len(vote.weights_))
            print("(a member got weight 0 on this corpus; predictions timed with equal "
                  "weights, both members voting)")
        one, batch = predict_times(pipe, paths[0], paths, repeat=5 if args.quick else 60,
                                   batch_repeat=1 if args.quick else 5)
        print(f"\npredict: one 3 s file ({len(one[next(iter(one))])} calls each, "
              f"alternating), and {len(paths)} files at once:")
        rows = []
        base_one, base_batch = (np.median(t) for t in (next(iter(one.values())),
                                                       next(iter(batch.values()))))
        for mode in one:
            p50, p95 = np.median(one[mode]), np.percentile(one[mode], 95)
            b50 = np.median(batch[mode])
            rows.append([mode, f"{1e3 * p50:.1f}", f"{1e3 * p95:.1f}", f"{p50 / base_one:.2f}",
                         f"{1e3 * b50 / len(paths):.1f}", f"{b50 / base_batch:.2f}"])
        print_table(rows, ["predict", "1 file p50 ms", "p95 ms", "x first row", "batch ms/file",
                           "x first row"])
        print(f"\nresident memory of this process: {rss_mib():.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
