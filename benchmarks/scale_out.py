"""The same feature extraction and grid search: sequential, loky, Dask.

    python benchmarks/scale_out.py            # about 3 minutes on 2 cores
    python benchmarks/scale_out.py --quick    # a smoke run, ~1 minute

Times `MelSpectrogram2D` on 3 s clips held in memory, and a `GridSearchCV`
(loader -> TrimPad -> FrameFeatures1D(aggregate="mean_std") -> scaler -> SVC,
3 values of C x 3 speaker folds) from file paths, three ways: sequentially,
with joblib's default backends (``n_jobs=2``: threads for skser's steps, loky
processes for GridSearchCV) and on a 2-worker Dask
`LocalCluster` (``joblib.parallel_config(backend="dask")``). Ratios are
against the sequential run. On one machine Dask can at best match loky; the
point of the figure is that the code runs unchanged, and what it costs to
ship work to workers (docs/scale_out.md). Needs ``pip install skser[dask]``.
"""

import argparse
import os
import tempfile
import time


def best_of(fn, n):
    fn()  # warm-up: worker start-up, imports, numba compilation
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    args = parser.parse_args(argv)

    import joblib
    from distributed import Client, LocalCluster
    from sklearn.model_selection import GridSearchCV, GroupKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    from _common import machine, print_table
    from skser import AudioLoader, FrameFeatures1D, MelSpectrogram2D, TrimPad
    from skser.datasets import make_emotional_speech

    n_per_class = 1 if args.quick else 4
    repeat = 1 if args.quick else 3
    with tempfile.TemporaryDirectory(prefix="skser-bench-") as folder:
        data = make_emotional_speech(folder, n_speakers=6 if args.quick else 8,
                                     n_per_class=n_per_class, random_state=0)
        X = TrimPad().fit_transform(AudioLoader().fit_transform(data.filenames))
        print(f"{len(X)} clips of 3 s (the demo corpus)")
        print(f"machine: {machine()}")
        print(f"command: python benchmarks/scale_out.py{' --quick' if args.quick else ''}\n")

        def mel(n_jobs):
            return lambda: MelSpectrogram2D(n_jobs=n_jobs).fit_transform(X)

        pipe = make_pipeline(AudioLoader(n_jobs=1), TrimPad(),
                             FrameFeatures1D(aggregate="mean_std", n_jobs=1),
                             StandardScaler(), SVC())

        def grid(n_jobs):
            search = GridSearchCV(pipe, {"svc__C": [0.1, 1, 10]}, cv=GroupKFold(3),
                                  n_jobs=n_jobs, refit=False)
            return lambda: search.fit(data.filenames, data.target, groups=data.groups)

        times = {"sequential": (best_of(mel(1), repeat), best_of(grid(1), 1))}
        times["n_jobs=2 (skser steps: threads; GridSearchCV: loky)"] = (best_of(mel(2), repeat), best_of(grid(2), 1))
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster):
            with joblib.parallel_config(backend="dask"):
                times["Dask LocalCluster, 2 workers x 1 thread"] = (
                    best_of(mel(-1), repeat), best_of(grid(-1), 1))
    base_mel, base_grid = times["sequential"]
    print_table(
        [(name, f"{m:.2f}", f"{base_mel / m:.2f}", f"{g:.1f}", f"{base_grid / g:.2f}")
         for name, (m, g) in times.items()],
        ["backend", f"MelSpectrogram2D, {len(X)} clips (s)", "speed-up",
         "GridSearchCV 3 C x 3 folds (s)", "speed-up"],
    )


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    main()
