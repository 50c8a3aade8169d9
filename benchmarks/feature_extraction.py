"""Feature extraction speed: skser's feature steps against the naive recipe.

    python benchmarks/feature_extraction.py            # about 1 minute on 2 cores
    python benchmarks/feature_extraction.py --quick    # a smoke run, ~15 s

The baseline is the seeds' recipe: one librosa call per feature per clip
(``zero_crossing_rate``, ``rms``, ``mfcc``, ``chroma_stft``,
``spectral_contrast`` and ``melspectrogram`` + ``power_to_db``), so the STFT
is recomputed for every spectral feature. `FrameFeatures1D` computes one STFT
per clip, derives every feature from it and vectorises over chunks of clips;
`MelSpectrogram2D` does the same for the 2-D log-mel image. All runs use the
same parameters (skser's defaults: 16 kHz, ``n_fft=1024``, hop 256, 128 mels)
on the same 3 s clips, and each skser result is checked against the baseline's
before it is timed.

"One core" runs pin BLAS and OpenMP to one thread (threadpoolctl) in this
process; ``n_jobs=2`` runs two joblib threads (the steps' default backend).
The methods are timed in interleaved rounds (medians of 7), so a slow spell
of a shared machine hits all of them alike. Peak memory is the `tracemalloc`
peak of one call, from a separate untimed run.
"""

import argparse
import os

import numpy as np

from _common import SHARED_DATA, machine, median, peak_traced_mib, print_table, time_call

SR = 16000
SECONDS = 3.0
PARAMS = dict(n_fft=1024, hop_length=256)


def load_clips(n_clips):
    """``n_clips`` 3 s clips: RAVDESS speech when the shared data is there,
    else the demo corpus; the speed of every step is independent of content
    up to the partial sorts of spectral contrast, so either is representative."""
    from skser import AudioLoader, TrimPad

    ravdess = SHARED_DATA / "ravdess-speech-16k"
    if ravdess.is_dir():
        from skser.datasets import load_ravdess

        paths = load_ravdess(ravdess).filenames[:n_clips]
        source = f"RAVDESS ({ravdess})"
    else:
        import tempfile

        from skser.datasets import load_crema_d, make_emotional_speech

        folder = tempfile.mkdtemp(prefix="skser-bench-")
        make_emotional_speech(folder, n_speakers=4, n_per_class=max(1, n_clips // 24 + 1),
                              random_state=0)
        paths = load_crema_d(folder).filenames[:n_clips]
        source = "the demo corpus (no ../shared/data)"
    waves = AudioLoader(sr=SR).transform(paths)
    X = TrimPad(sr=SR, duration=SECONDS).fit_transform(waves)
    return X, source


def naive_1d(y):
    """The seeds' 1-D recipe: every feature from the waveform, one call each."""
    import librosa

    rms = librosa.feature.rms(y=y, frame_length=PARAMS["n_fft"], hop_length=PARAMS["hop_length"])
    return np.concatenate([
        librosa.feature.zero_crossing_rate(
            y, frame_length=PARAMS["n_fft"], hop_length=PARAMS["hop_length"]),
        PARAMS["n_fft"] * rms ** 2,
        rms,
        librosa.feature.mfcc(y=y, sr=SR, n_mfcc=20, n_mels=128, **PARAMS),
        librosa.feature.chroma_stft(y=y, sr=SR, tuning=0.0, **PARAMS),
        librosa.feature.spectral_contrast(y=y, sr=SR, **PARAMS),
        librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=SR, **PARAMS),
                            ref=1.0, top_db=80.0),
    ]).T


def naive_2d(y):
    import librosa

    return librosa.power_to_db(
        librosa.feature.melspectrogram(y=y, sr=SR, n_mels=128, **PARAMS), ref=1.0, top_db=80.0,
    )[..., np.newaxis]


def check_equal(out, reference, what):
    """Every clip of ``out`` must match the naive reference (dB features to
    1e-3 dB, the rest to 1e-4 relative); a benchmark of wrong output is void."""
    scale = np.maximum(np.abs(reference), 1.0)
    worst = float(np.max(np.abs(out - reference) / scale))
    if worst > 1e-3:
        raise SystemExit(f"{what}: output differs from the librosa reference by {worst:.2e}")
    return worst


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--clips", type=int, default=None, help="clips per run (default 256)")
    args = parser.parse_args(argv)
    n_clips = args.clips or (64 if args.quick else 256)
    repeat = 1 if args.quick else 7

    from threadpoolctl import threadpool_limits

    from skser import FrameFeatures1D, MelSpectrogram2D

    X, source = load_clips(n_clips)
    print(f"{X.shape[0]} clips of {SECONDS:g} s from {source}")
    print(f"machine: {machine()}")
    print(f"command: python benchmarks/feature_extraction.py{' --quick' if args.quick else ''}\n")

    rows = []
    for kind, naive, step in (
        ("1-D, 7 features", naive_1d, FrameFeatures1D(sr=SR, **PARAMS)),
        ("2-D log-mel", naive_2d, MelSpectrogram2D(sr=SR, **PARAMS)),
    ):
        step.fit(X)
        with threadpool_limits(1):
            reference = np.stack([naive(y) for y in X])
            worst = check_equal(step.set_params(n_jobs=1).transform(X), reference, kind)
            mem_naive = peak_traced_mib(lambda: np.stack([naive(y) for y in X]))
            mem_one = peak_traced_mib(lambda: step.set_params(n_jobs=1).transform(X))
        step.set_params(n_jobs=2).transform(X)  # warm-up of the thread pool
        # Interleaved rounds, so a slow spell of a shared machine hits every
        # method alike; the ratios use the medians.
        runs = {"naive": [], "one": [], "two": []}
        for _ in range(repeat):
            with threadpool_limits(1):
                runs["naive"] += time_call(lambda: [naive(y) for y in X], repeat=1, warmup=0)
                runs["one"] += time_call(lambda: step.set_params(n_jobs=1).transform(X),
                                         repeat=1, warmup=0)
            runs["two"] += time_call(lambda: step.set_params(n_jobs=2).transform(X),
                                     repeat=1, warmup=0)
        t_naive, t_one, t_two = (median(runs[k]) for k in ("naive", "one", "two"))
        ms = lambda t: f"{1000 * t / len(X):.2f}"  # noqa: E731
        rows += [
            (kind, "naive librosa, per feature per clip (baseline)", "1", ms(t_naive),
             f"{len(X) / t_naive:.0f}", "1.00", f"{mem_naive:.0f}", "-"),
            (kind, f"skser {type(step).__name__}, n_jobs=1", "1", ms(t_one),
             f"{len(X) / t_one:.0f}", f"{t_naive / t_one:.2f}", f"{mem_one:.0f}",
             f"{worst:.0e}"),
            (kind, f"skser {type(step).__name__}, n_jobs=2", "2", ms(t_two),
             f"{len(X) / t_two:.0f}", f"{t_naive / t_two:.2f} ({t_one / t_two:.2f} x n_jobs=1)",
             "-", "-"),
        ]
    print_table(rows, ["features", "method", "cores", "ms/clip", "clips/s", "speed-up",
                       "peak MiB", "max rel. diff"])
    print()
    extended_cost(X, repeat=repeat)


def extended_cost(X, *, repeat):
    """The cost of the extended feature set against the course recipe's seven,
    one core, interleaved rounds (issue 13's budget: at most 3x)."""
    from threadpoolctl import threadpool_limits

    from skser import FrameFeatures1D, make_ser_pipeline
    from skser.features import FEATURE_NAMES, RECIPE_FEATURES

    stats = make_ser_pipeline("stats").named_steps["features"]
    steps = {
        f"course recipe's {len(RECIPE_FEATURES)} features per frame (baseline)":
            FrameFeatures1D(sr=SR, features=RECIPE_FEATURES, **PARAMS),
        f"all {len(FEATURE_NAMES)} features per frame":
            FrameFeatures1D(sr=SR, features=FEATURE_NAMES, **PARAMS),
        f"all {len(FEATURE_NAMES)} features, mean_std":
            FrameFeatures1D(sr=SR, features=FEATURE_NAMES, aggregate="mean_std", **PARAMS),
        'make_ser_pipeline("stats")\'s features step (functionals)': stats.set_params(n_jobs=1),
    }
    runs = {name: [] for name in steps}
    with threadpool_limits(1):
        for step in steps.values():
            step.fit(X).transform(X)  # warm-up (filterbanks, windows)
        for _ in range(repeat):
            for name, step in steps.items():
                runs[name] += time_call(lambda: step.transform(X), repeat=1, warmup=0)
    base = median(next(iter(runs.values())))
    rows = []
    for name, step in steps.items():
        t = median(runs[name])
        width = step.fit(X[:1]).transform(X[:1]).shape[-1]
        rows.append((name, str(width), f"{1000 * t / len(X):.2f}", f"{t / base:.2f}"))
    print_table(rows, ["FrameFeatures1D, one core", "columns", "ms/clip", "x baseline"])


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    main()
