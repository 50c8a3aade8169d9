"""Inference latency and throughput of the 2-D CNN pipeline, the statistics pipeline and the default ensemble, one CPU core.

    python benchmarks/inference_latency.py            # about 3-4 minutes on 2 cores
    python benchmarks/inference_latency.py --quick    # a smoke run, under a minute

Trains `make_ser_pipeline("2d")` with the `custom` network, 128 mel bands and
hop 256 (the default until issue 6, kept so the figures stay comparable; the
default LeNet-5 on 64 x 94 costs less) briefly on a small demo corpus (accuracy is irrelevant here: the cost
of a prediction does not depend on the weights), then, with TensorFlow's
thread pools and BLAS/OpenMP limited to one thread, prints:

1. p50/p95 latency of ``pipeline.predict([path])`` for one 3 s WAV file, end
   to end (file to label), with skser's fast predict path against the
   baseline, scikeras' own `KerasClassifier.predict_proba`, which runs Keras'
   ``Model.predict``; and the first call after `skser.load_model` (which traces the
   network's function, in both paths);
2. the same call step by step (load, trim, features, scale, clf);
3. batch throughput, ``pipeline.predict`` on 64 files (--quick: 32), in clips/s;
4. the forward pass of the network alone for one clip: `custom` against
   LeNet-5, with their multiply-accumulate counts;
5. ``skser predict MODEL FILE...`` in a fresh Python process (``skser.cli.main``,
   what the console script runs, with TensorFlow imported first to time it) on
   1 and on N files: the start-up (interpreter, imports, unpickling the model,
   tracing) against the import of TensorFlow alone, and the cost per extra
   file, also on one thread;

6. p50/p95 latency of ``predict([path])`` for the statistics pipeline
   (`make_ser_pipeline("stats")`) and for the default, the ensemble of it
   and the sequence network (`make_ser_pipeline()`, issue 14's goal: under
   50 ms), against the statistics pipeline replaced in issue 13;
7. ``python -m skser predict MODEL FILE`` (the console script's code path)
   on one file with the statistics model and with the default model, saved
   with `skser.save_model`, end to end in a fresh process, against the floor
   their libraries set: a fresh ``python -c "import sklearn.linear_model,
   skops.io, librosa, soundfile"`` (the goal for both: at most 1.5x; issue
   15 for the statistics model, issue 23 for the default, whose network runs
   on onnxruntime), and the default saved without its ONNX graph (its
   network on Keras, as before issue 23) against the same floor with
   ``tensorflow``; the commands alternate call by call;

and the peak resident memory of this process and of the command. Every figure
comes with its ratio against the baseline measured in the same run.

The 3 s files are pairs of demo clips joined and cut to 3.0 s at 16 kHz (the
pipeline's rate, so no resampling). Timing runs of the fast and baseline paths
alternate call by call, so load from other processes hits both alike.
"""

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# One core: TensorFlow sizes its thread pools when it initialises, so the
# limits are set before anything can import it (and inherited by the
# ``skser predict`` subprocess). CPU figures even on a machine with a GPU.
from _common import ONE_THREAD, one_thread_environment  # stdlib only: before NumPy

one_thread_environment()

import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from _common import (  # noqa: E402
    fit_with_speakers, machine, median, print_table, rss_mib, statistics_before_issue_13,
    time_call, with_epochs,
)

SR = 16000
SECONDS = 3.0
N_FILES = 64  # files written; the batch (--quick: 32) and the command line use them


def one_thread_tensorflow():
    from skser._tensorflow import import_tensorflow

    tf = import_tensorflow()
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    return tf


def write_corpus(folder, quick):
    """Train on demo clips; test on 3 s files made of pairs of them."""
    from skser.datasets import make_emotional_speech

    data = make_emotional_speech(folder / "corpus", n_speakers=2 if quick else 4,
                                 n_per_class=1 if quick else 2, random_state=0)
    waves = [sf.read(f, dtype="float32")[0] for f in data.filenames]
    n = SR * int(SECONDS)
    test = folder / "3s"
    test.mkdir()
    paths = []
    for i in range(N_FILES):
        y = np.concatenate([waves[i % len(waves)], waves[(i + 1) % len(waves)]])
        y = np.pad(y, (0, max(0, n - y.size)))[:n]
        path = test / f"clip{i:02d}.wav"
        sf.write(path, y, SR, subtype="PCM_16")
        paths.append(str(path))
    return data, paths


def fit_pipeline(data, quick):
    from skser import make_ser_pipeline

    pipe = make_ser_pipeline("2d", model="custom", random_state=0,
                             features__n_mels=128, features__hop_length=256,
                             clf__epochs=1 if quick else 2)
    start = time.perf_counter()
    pipe.fit(list(data.filenames), data.target)
    return pipe, time.perf_counter() - start


@contextlib.contextmanager
def scikeras_predict(pipe):
    """Predict through scikeras' own ``predict_proba`` (Keras ``Model.predict``)
    instead of skser's fast path, while the block runs."""
    from scikeras.wrappers import KerasClassifier

    est = pipe.named_steps["clf"].estimator_
    # scikeras squeezes a single row to (n_classes,); skser reshapes it back.
    est.predict_proba = lambda X: KerasClassifier.predict_proba(est, X).reshape(len(X), -1)
    try:
        yield
    finally:
        del est.predict_proba


def alternate(fns, repeat, warmups=None):
    """Times of ``repeat`` calls of each function, the functions alternating
    call by call, after one untimed warm-up call of each (or of its stand-in
    in ``warmups``)."""
    times = {name: [] for name in fns}
    for name, fn in (warmups or fns).items():
        fn()
    for _ in range(repeat):
        for name, fn in fns.items():
            times[name] += time_call(fn, repeat=1, warmup=0)
    return times


def p95(times):
    return float(np.percentile(times, 95))


def ms(seconds):
    return f"{1e3 * seconds:.1f}"


def ratio(value, baseline):
    return f"{value / baseline:.2f}"


def latency(pipe, path, repeat):
    one = [path]
    with scikeras_predict(pipe):
        expected = pipe.predict_proba(one)
    np.testing.assert_allclose(pipe.predict_proba(one), expected, rtol=1e-5, atol=1e-6)

    def baseline():
        with scikeras_predict(pipe):
            pipe.predict(one)

    return alternate({"baseline": baseline, "fast": lambda: pipe.predict(one)}, repeat)


def first_call(model_file, path):
    """Seconds of the first ``predict`` after `skser.load_model` (fresh
    network: includes tracing), baseline and fast."""
    from skser import load_model

    out = {}
    for name in ("baseline", "fast"):
        # Keras runs both (the ONNX path is timed in sections 6 and 7).
        pipe = load_model(model_file, runtime="keras")
        context = scikeras_predict(pipe) if name == "baseline" else contextlib.nullcontext()
        with context:
            out[name] = time_call(lambda: pipe.predict([path]), repeat=1, warmup=0)[0]
    return out


def steps(pipe, path, repeat):
    """Per-step times of one file: each step on the previous step's output."""
    s = pipe.named_steps
    wave = s["load"].transform([path])
    trimmed = s["trim"].transform(wave)
    features = s["features"].transform(trimmed)
    scaled = s["scale"].transform(features)

    def clf_baseline():
        with scikeras_predict(pipe):
            s["clf"].predict(scaled)

    fns = {
        "load": lambda: s["load"].transform([path]),
        "trim": lambda: s["trim"].transform(wave),
        "features": lambda: s["features"].transform(trimmed),
        "scale": lambda: s["scale"].transform(features),
        "clf (fast)": lambda: s["clf"].predict(scaled),
        "clf (baseline)": clf_baseline,
    }
    return alternate(fns, repeat), scaled.shape[1:]


def throughput(pipe, paths, repeat):
    def baseline(paths=paths):
        with scikeras_predict(pipe):
            pipe.predict(paths)

    # Warm-up on at most one batch: Model.predict traces once per batch
    # shape, and 64 files make two batches of 32.
    half = paths[:32]
    return alternate({"baseline": baseline, "fast": lambda: pipe.predict(paths)}, repeat,
                     warmups={"baseline": lambda: baseline(half),
                              "fast": lambda: pipe.predict(half)})


def macs(model):
    """Multiply-accumulates of one forward pass (convolutions and dense layers)."""
    total = 0
    for layer in model.layers:
        kind = type(layer).__name__
        if kind.startswith("Conv"):
            kernel = layer.kernel.shape  # (*window, in, out)
            total += int(np.prod(layer.output.shape[1:-1])) * int(np.prod(kernel))
        elif kind == "Dense":
            total += int(np.prod(layer.kernel.shape))
    return total


def forward(input_shape, n_classes, repeat):
    """One-clip forward pass of each architecture through a traced function
    with a free batch axis (what the fast path calls)."""
    import tensorflow as tf

    from skser.models._architectures import build_cnn

    x = np.random.default_rng(0).normal(size=(1, *input_shape)).astype(np.float32)
    fns, counts = {}, {}
    for name in ("lenet5", "custom"):
        model = build_cnn(name, input_shape, n_classes, seed=0)
        fn = tf.function(lambda x, model=model: model(x, training=False),
                         input_signature=[tf.TensorSpec((None, *input_shape), tf.float32)])
        fns[name] = lambda fn=fn: fn(x).numpy()
        counts[name] = macs(model)
    return alternate(fns, repeat), counts


# ``skser predict`` as the console script runs it (``skser.cli.main``), with
# TensorFlow imported first so that its share of the start-up is known, and
# the process's own peak RSS reported by itself.
CLI_WRAPPER = """
import resource, sys, time


def memory_kib(field):
    # Linux: VmRSS now, VmHWM the peak of this process's own memory (its
    # ru_maxrss would report the parent's peak if larger: exec keeps it).
    try:
        with open("/proc/self/status") as f:
            return next(int(ln.split()[1]) for ln in f if ln.startswith(field + ":"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


start = time.perf_counter()
import tensorflow
imported = time.perf_counter()
rss_tf = memory_kib("VmRSS")
from skser.cli import main
status = main(sys.argv[1:])
done = time.perf_counter()
print(f"@@ {imported - start} {done - imported} {rss_tf} {memory_kib('VmHWM')}",
      file=sys.stderr)
sys.exit(status)
"""


def cli(model_file, paths, n_many, repeat):
    """``skser predict MODEL FILE...`` in a fresh Python process on 1 and on
    ``n_many`` files: medians of wall time, the import of TensorFlow, the rest
    of the command (imports, unpickling, tracing, predicting, printing), the
    RSS after importing TensorFlow and the peak RSS, in MiB."""
    env = {**os.environ, **ONE_THREAD}
    runs = {1: [], n_many: []}
    for _ in range(repeat):
        for n in runs:
            command = [sys.executable, "-c", CLI_WRAPPER, "predict", str(model_file),
                       *paths[:n]]
            start = time.perf_counter()
            result = subprocess.run(command, env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE, text=True)
            wall = time.perf_counter() - start
            if result.returncode != 0:
                raise RuntimeError(f"skser predict failed:\n{result.stderr}")
            line = [ln for ln in result.stderr.splitlines() if ln.startswith("@@ ")][-1]
            tf_import, rest, rss_tf, peak = map(float, line.split()[1:])
            runs[n].append((wall, tf_import, rest, rss_tf / 2**10, peak / 2**10))
    return {n: np.median(np.array(r), axis=0) for n, r in runs.items()}


#: Epochs of the ensemble's network here: what a prediction costs does not
#: depend on the weights, so a short training is enough.
ENSEMBLE_EPOCHS = 2
BEFORE_13 = "before issue 13: 7 features, mean/std, calibrated SVC"
STATS = "stats: 20 features + deltas, 9 functionals, logistic regression"
DEFAULT = "default: ensemble of stats and the attention-GRU network"
DEFAULT_ONNX = "default, loaded from its file: the network run by onnxruntime"


def default_pipeline():
    """`make_ser_pipeline()` with a short training of its network."""
    from skser import make_ser_pipeline

    return with_epochs(make_ser_pipeline(random_state=0), ENSEMBLE_EPOCHS)


def stats_latency(data, path, repeat, folder):
    """p50/p95 of one-file prediction with the statistics pipeline, the
    default ensemble (as fitted, its network run by Keras' traced function,
    and loaded from its model file, run by onnxruntime) and the statistics
    pipeline before issue 13 (the course recipe's seven features, mean and
    std, a calibrated RBF SVC), calls alternating."""
    from skser import load_model, make_ser_pipeline, save_model

    # --quick's corpus has 2 clips per class: as many calibration folds at most.
    folds = min(3, int(np.unique(data.target, return_counts=True)[1].min()))
    before = make_ser_pipeline("stats", **statistics_before_issue_13(calibration_folds=folds))
    pipes = {BEFORE_13: before, STATS: make_ser_pipeline("stats"), DEFAULT: default_pipeline()}
    for pipe in pipes.values():
        fit_with_speakers(pipe, list(data.filenames), data.target, data.groups)
    pipes[DEFAULT_ONNX] = load_model(save_model(pipes[DEFAULT], folder / "default-onnx.skser"),
                                     runtime="onnx")
    for pipe in pipes.values():
        pipe.predict([path])  # warm-up: filterbanks and windows are cached
    times = {name: [] for name in pipes}
    for _ in range(repeat):
        for name, pipe in pipes.items():
            times[name] += time_call(lambda: pipe.predict([path]), repeat=1, warmup=0)
    return times, pipes


#: What any prediction from a skser model file must import: the floor of
#: ``skser predict`` (issues 15 and 23); a network run by Keras also needs
#: TensorFlow.
FLOOR_CODE = "import sklearn.linear_model, skops.io, librosa, soundfile"
FLOOR_TF_CODE = FLOOR_CODE + ", tensorflow"


def cli_default(pipes, path, folder, repeat, *, warm=True):
    """Wall seconds of ``python -m skser predict MODEL FILE`` with the
    statistics model and with the default model (``pipes``, fitted by
    `stats_latency`), and of their floors, each in a fresh process,
    alternating call by call after one untimed call of each (which warms the
    disk cache; not with ``warm=False``, --quick's smoke run)."""
    from skser import save_model

    files = {"stats": save_model(pipes[STATS], folder / "stats.skser"),
             "default": save_model(pipes[DEFAULT], folder / "default.skser"),
             # The same model without its ONNX graph: loading it runs the
             # network on Keras, as every model file did before issue 23.
             "keras": save_model(pipes[DEFAULT], folder / "default-keras.skser", onnx=False)}
    commands = {
        "floor: " + FLOOR_CODE: [sys.executable, "-c", FLOOR_CODE],
        "skser predict STATS_MODEL FILE": [sys.executable, "-m", "skser", "predict",
                                           str(files["stats"]), path],
        "skser predict DEFAULT_MODEL FILE (ensemble, network on onnxruntime)": [
            sys.executable, "-m", "skser", "predict", str(files["default"]), path],
        "floor with TensorFlow: " + FLOOR_TF_CODE: [sys.executable, "-c", FLOOR_TF_CODE],
        "skser predict DEFAULT_MODEL FILE saved without ONNX (network on Keras)": [
            sys.executable, "-m", "skser", "predict", str(files["keras"]), path],
    }

    def run(command):
        start = time.perf_counter()
        result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True)
        if result.returncode != 0:
            raise RuntimeError(f"{command} failed:\n{result.stderr}")
        return time.perf_counter() - start

    for command in commands.values() if warm else ():
        run(command)
    times = {name: [] for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            times[name].append(run(command))
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="few repeats and a smaller training set (a smoke run)")
    args = parser.parse_args(argv)
    quick = args.quick
    repeat = dict(latency=10 if quick else 60, steps=5 if quick else 30,
                  batch=1 if quick else 3, forward=5 if quick else 30, cli=1 if quick else 3,
                  cli_default=1 if quick else 15)
    n_batch = 32 if quick else N_FILES
    n_many = 16 if quick else N_FILES
    started = time.perf_counter()

    threadpool_limits(1)
    tf = one_thread_tensorflow()
    from skser import save_model

    print(f"Machine: {machine()}; TensorFlow {tf.__version__}")
    print("One thread: TensorFlow intra/inter-op 1, BLAS/OpenMP 1 (threadpoolctl)."
          + (" --quick: few repeats, p95 is rough." if quick else ""))
    with tempfile.TemporaryDirectory(prefix="skser-bench-") as tmp:
        folder = Path(tmp)
        data, paths = write_corpus(folder, quick)
        pipe, fit_seconds = fit_pipeline(data, quick)
        # What `skser train` writes and `skser predict` loads.
        model_file = folder / "model.skser"
        save_model(pipe, model_file)
        rss_fit = rss_mib()
        print(f"Trained make_ser_pipeline('2d') (model 'custom') on {len(data.filenames)} "
              f"demo clips in {fit_seconds:.0f} s; peak RSS so far {rss_fit:.0f} MiB.\n")

        # 1. End to end, one file.
        lat = latency(pipe, paths[0], repeat["latency"])
        first = first_call(model_file, paths[0])
        b50, b95 = median(lat["baseline"]), p95(lat["baseline"])
        print(f"## One 3 s file, `pipeline.predict([path])`, {repeat['latency']} calls each\n")
        print_table([
            ["baseline: scikeras -> Model.predict", ms(b50), ms(b95), "1.00", "1.00",
             ms(first["baseline"]), "1.00"],
            ["fast path: traced function", ms(median(lat["fast"])), ms(p95(lat["fast"])),
             ratio(median(lat["fast"]), b50), ratio(p95(lat["fast"]), b95),
             ms(first["fast"]), ratio(first["fast"], first["baseline"])],
        ], ["path", "p50 ms", "p95 ms", "p50 x baseline", "p95 x baseline",
            "first call after load, ms", "x baseline"])

        # 2. Per step.
        st, input_shape = steps(pipe, paths[0], repeat["steps"])
        end_to_end = median(lat["fast"])
        print(f"\n## Step by step, one file, {repeat['steps']} calls each "
              f"(share: x the fast end-to-end p50, {ms(end_to_end)} ms)\n")
        rows = [[name, ms(median(t)), ms(p95(t)), ratio(median(t), end_to_end)]
                for name, t in st.items()]
        print_table(rows, ["step", "p50 ms", "p95 ms", "x end to end (fast)"])

        # 3. Throughput.
        tp = throughput(pipe, paths[:n_batch], repeat["batch"])
        b_rate = n_batch / median(tp["baseline"])
        f_rate = n_batch / median(tp["fast"])
        print(f"\n## Batch: `pipeline.predict` on {n_batch} files, {repeat['batch']} call(s) each\n")
        print_table([
            ["baseline", f"{median(tp['baseline']):.2f}", f"{b_rate:.1f}",
             ms(1 / b_rate), "1.00"],
            ["fast path", f"{median(tp['fast']):.2f}", f"{f_rate:.1f}", ms(1 / f_rate),
             ratio(f_rate, b_rate)],
        ], ["path", "s", "clips/s", "ms per clip", "clips/s x baseline"])

        # 4. Network alone.
        n_classes = len(pipe.classes_)
        fw, counts = forward(input_shape, n_classes, repeat["forward"])
        lenet = median(fw["lenet5"])
        print(f"\n## Forward pass, one clip {input_shape}, {n_classes} classes, "
              f"untrained networks, {repeat['forward']} calls each\n")
        print_table([
            [name, ms(median(t)), ms(p95(t)), ratio(median(t), lenet),
             f"{counts[name] / 1e6:.0f}", f"{2 * counts[name] / median(t) / 1e9:.1f}"]
            for name, t in fw.items()
        ], ["network", "p50 ms", "p95 ms", "x lenet5", "MMAC", "GFLOP/s"])

        # 5. The command line.
        runs = cli(model_file, paths, n_many, repeat["cli"])
        wall_1, tf_1, rest_1, rss_tf, _ = runs[1]
        rest_n = runs[n_many][2]
        per_file = (rest_n - rest_1) / (n_many - 1)
        print(f"\n## `skser predict MODEL FILE...` in a fresh process, one thread, "
              f"{repeat['cli']} run(s) each (x: against `import tensorflow` in the "
              f"1-file run: {tf_1:.2f} s, {rss_tf:.0f} MiB RSS)\n")
        print_table([
            [name, f"{run[0]:.2f}", ratio(run[0], tf_1), f"{run[1]:.2f}", f"{run[2]:.2f}",
             f"{run[4]:.0f}", ratio(run[4], rss_tf)]
            for name, run in (("1 file", runs[1]), (f"{n_many} files", runs[n_many]))
        ] + [
            ["start-up (1 file minus the per-file cost)", f"{wall_1 - per_file:.2f}",
             ratio(wall_1 - per_file, tf_1), "", "", "", ""],
            [f"per extra file (difference of the two / {n_many - 1})"
             + (", too few files for --quick" if quick else ""), f"{per_file:.3f}",
             ratio(per_file, tf_1), "", "", "", ""],
        ], ["run", "wall s", "x import tensorflow", "import tensorflow s",
            "rest of the command s", "peak RSS MiB", "x RSS after import tensorflow"])

        # 6. The statistics pipeline and the default, against the one replaced in issue 13.
        stats, fitted = stats_latency(data, paths[0], repeat["latency"], folder)
        base = median(stats[BEFORE_13])
        print(f"\n## `make_ser_pipeline(\"stats\")` and the default `make_ser_pipeline()` "
              f"(the ensemble; goal: p50 under 50 ms), one 3 s file, "
              f"`pipeline.predict([path])`, {repeat['latency']} calls each, alternating\n")
        print_table([
            [name, ms(median(t)), ms(p95(t)), ratio(median(t), base)]
            for name, t in stats.items()
        ], ["pipeline", "p50 ms", "p95 ms", "p50 x before"])

        # 7. The command line with each model, against its floor.
        runs = cli_default(fitted, paths[0], folder, repeat["cli_default"], warm=not quick)
        floor = median(runs["floor: " + FLOOR_CODE])
        floor_tf = median(runs["floor with TensorFlow: " + FLOOR_TF_CODE])
        print(f"\n## `python -m skser predict MODEL FILE`, the statistics and the default "
              f"model, one 3 s file, fresh processes, {repeat['cli_default']} runs each, "
              "alternating (x floor: against the floor without TensorFlow; goals: at most "
              "1.5x for the statistics model, issue 15, and for the default, issue 23)\n")
        print_table([
            [name, f"{median(t):.2f}", f"{min(t):.2f}", f"{max(t):.2f}",
             ratio(median(t), floor), ratio(median(t), floor_tf)]
            for name, t in runs.items()
        ], ["command", "median s", "min s", "max s", "median x floor",
            "median x floor with TensorFlow"])

        print(f"\nPeak RSS of this process: {rss_mib():.0f} MiB "
              f"(after training: {rss_fit:.0f} MiB).")
    print(f"Total {time.perf_counter() - started:.0f} s.")


if __name__ == "__main__":
    main()
