"""Emotion over time on long recordings: speed, memory and window accuracy of `predict_timeline`.

    python benchmarks/timeline.py                      # the default (the ensemble)
    python benchmarks/timeline.py --kind stats         # the statistics model (issue 15's figures)
    python benchmarks/timeline.py --sections speed     # speed and memory only
    python benchmarks/timeline.py --quick              # 2- and 6-minute files, a smoke run

1. **Speed and memory.** Trains the default pipeline (`make_ser_pipeline()`,
   or the ``--kind`` given)
   on a demo corpus, writes recordings of 6 and 60 minutes (--quick: 2 and 6)
   at 16 kHz from held-out demo clips joined by pauses (`join_clips`), and
   runs `predict_timeline` on each in a fresh process on one core: the
   real-time factor (audio seconds per compute second) and the growth of
   peak resident memory during the call, long file against short (the ratio
   that says whether memory depends on the length). Then `skser predict
   MODEL FILE --timeline` on the long file end to end (start-up, table and
   plot), against the call alone.
2. **Window accuracy and smoothing.** Recordings of held-out speakers' clips
   (RAVDESS and EmoDB from ../shared/data when present, else the demo
   corpus; five speaker-grouped folds, the default pipeline trained on the
   other speakers): UA over speech windows (each window's truth is the clip
   it overlaps most) with ``smooth`` 1 (off), 3 and 5, for clips in random
   order ("shuffled") and in runs of three clips of one emotion ("runs");
   and how many of the clips' speech boundaries the detector finds within
   0.25 s (in the "runs" recordings). Smoothing is chosen by the demo
   corpus rows; the real corpora rows report what that choice does there.
   A third recording adds a steady white noise floor at -60 dBFS, as a
   phone line or a room would, to the shuffled clips.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
os.environ.update(ONE_THREAD)

import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402

from _common import (  # noqa: E402
    SHARED_DATA, clip_under, fit_with_speakers, machine, peak_rss_mib, print_table, with_epochs,
)

SR = 16000
SMOOTHING = (1, 3, 5)
TOLERANCE = 0.25  # seconds, for a boundary to count as found
# How the held-out clips are ordered, and whether a steady noise floor is added.
ORDERS = ("shuffled", "runs", "shuffled, -60 dBFS noise floor")


def write_recording(path, clips, labels, minutes, seed):
    """A ``minutes``-long 16 kHz WAV of ``clips`` joined by pauses, written a few
    minutes at a time (the writer never holds the hour)."""
    from skser.datasets import join_clips

    rng = np.random.default_rng(seed)
    target = int(minutes * 60 * SR)
    written = 0
    with sf.SoundFile(path, "w", samplerate=SR, channels=1, subtype="PCM_16") as f:
        while written < target:
            order = rng.permutation(len(clips))
            part = join_clips([clips[i] for i in order], labels[order], sr=SR,
                              random_state=int(rng.integers(2**31)))
            chunk = part.waveform[:target - written]
            f.write(chunk)
            written += len(chunk)


def child(model_path, wav):
    """In a fresh process: time and peak memory of one predict_timeline call."""
    from skser import load_model, predict_timeline

    model = load_model(model_path)
    warm = np.zeros(SR * 4, dtype=np.float32)
    warm[SR:3 * SR] = 0.3 * np.sin(np.arange(2 * SR) / 8)
    predict_timeline(model, warm)  # first-call costs (imports, caches) out of the figure
    timings = {}

    def call():
        start = time.perf_counter()
        timeline = predict_timeline(model, wav)
        timings.update(seconds=time.perf_counter() - start, duration=timeline.duration,
                       windows=int(timeline.speech.sum()))

    growth = peak_rss_mib(call, growth=True)
    print(json.dumps({**timings, "growth_mib": growth}))


def run_child(model_path, wav):
    out = subprocess.run([sys.executable, __file__, "--child", str(model_path), str(wav)],
                         capture_output=True, text=True, check=True,
                         env={**os.environ, **ONE_THREAD})
    return json.loads(out.stdout.strip().splitlines()[-1])


def fit_model(kind, data, train, quick):
    """`make_ser_pipeline(kind)` (None: the default) fitted on clips ``train``,
    with their speakers where the pipeline weighs its vote on them; with
    ``quick``, networks train for 2 epochs (a smoke run)."""
    from skser import make_ser_pipeline

    model = make_ser_pipeline() if kind is None else make_ser_pipeline(kind)
    if quick:
        with_epochs(model, 2)
        if "clf__cv" in model.get_params():  # the ensemble's inner split: 2 folds
            model.set_params(clf__cv=2)
    return fit_with_speakers(model, list(data.filenames[train]), data.target[train],
                             data.groups[train])


def speed(folder, quick, kind):
    from skser import save_model
    from skser.datasets import make_emotional_speech

    data = make_emotional_speech(folder / "corpus", n_speakers=3 if quick else 6,
                                 n_per_class=2 if quick else 4, random_state=0)
    held_out = data.groups == data.groups[-1]
    model = fit_model(kind, data, ~held_out, quick)
    model_path = save_model(model, folder / "model.skser")
    clips, labels = list(data.filenames[held_out]), data.target[held_out]
    short, long = (2, 6) if quick else (6, 60)
    results = {}
    for minutes in (short, long):
        wav = folder / f"{minutes}min.wav"
        write_recording(wav, clips, labels, minutes, seed=minutes)
        results[minutes] = run_child(model_path, wav)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "skser", "predict", str(model_path), str(folder / f"{long}min.wav"),
                    "--timeline", "--out", str(folder / "out"), "-q"],
                   check=True, capture_output=True, env={**os.environ, **ONE_THREAD})
    command = time.perf_counter() - start
    rows = []
    for minutes, r in results.items():
        rows.append([f"{minutes} min", r["windows"], f"{r['seconds']:.1f} s",
                     f"{r['duration'] / r['seconds']:.0f}x",
                     f"{r['growth_mib']:.0f} MiB"])
    print(f"\n## predict_timeline, {kind or 'default'} pipeline, one core\n")
    print_table(rows, ["recording", "speech windows", "compute", "real-time factor",
                       "peak memory growth"])
    ratio = results[long]["growth_mib"] / max(results[short]["growth_mib"], 1e-9)
    decoded = long * 60 * SR * 4 / 2**20
    print(f"\nPeak memory growth, {long} min against {short} min: {ratio:.2f}x "
          f"(the decoded {long} min alone would be {decoded:.0f} MiB of float32).")
    print(f"`skser predict MODEL {long}min.wav --timeline` end to end (start-up, table, "
          f"plot): {command:.1f} s, {command / results[long]['seconds']:.2f}x the call "
          "alone.")


def accuracy(folder, quick, kind):
    from sklearn.metrics import balanced_accuracy_score
    from sklearn.model_selection import StratifiedGroupKFold

    from skser import predict_timeline
    from skser import datasets

    corpora = [("demo", None)]
    if SHARED_DATA.is_dir() and not quick:
        corpora += [("emodb", "emodb"), ("ravdess", "ravdess-speech-16k")]
    rows = []
    for name, sub in corpora:
        if sub is None:
            data = datasets.make_emotional_speech(
                folder / "acc", n_speakers=4 if quick else 8, n_per_class=3 if quick else 6,
                random_state=1)
        else:
            data = getattr(datasets, f"load_{name}")(SHARED_DATA / sub)
        n_folds = 2 if quick else 5
        found = {order: {s: ([], []) for s in SMOOTHING} for order in ORDERS}
        boundaries = [0, 0]
        for fold, (train, test) in enumerate(StratifiedGroupKFold(n_folds).split(
                data.filenames, data.target, data.groups)):
            if quick and fold:
                break
            model = fit_model(kind, data, train, quick)
            for order in ORDERS:
                recording = _test_recording(data, test, order, seed=fold)
                timeline = predict_timeline(model, recording.waveform)
                if order == "runs":
                    boundaries[0] += _boundaries_found(recording.segments, timeline.segments)
                    boundaries[1] += 2 * len(recording.segments)
                truth, keep = _window_truth(timeline, recording)
                for s in SMOOTHING:
                    smoothed = _smooth(timeline, s)
                    found[order][s][0].extend(truth[keep])
                    found[order][s][1].extend(smoothed[keep])
        for order in found:
            rows.append([name, order] + [
                f"{100 * balanced_accuracy_score(*found[order][s]):.1f}" for s in SMOOTHING]
                + [f"{100 * boundaries[0] / boundaries[1]:.0f} %" if order == "runs" else ""])
    print("\n## Window UA % over held-out speakers' recordings, by smoothing\n")
    print_table(rows, ["corpus", "clip order", *[f"smooth={s}" for s in SMOOTHING],
                       f"boundaries within {TOLERANCE} s"])


def _test_recording(data, test, order, seed):
    from skser.datasets import join_clips

    rng = np.random.default_rng(seed)
    index = rng.permutation(test)
    if order == "runs":
        # Runs of three clips of one emotion, the runs in random order.
        runs = []
        for label in np.unique(data.target[index]):
            same = index[data.target[index] == label]
            runs += [same[i:i + 3] for i in range(0, len(same), 3)]
        index = np.concatenate([runs[i] for i in rng.permutation(len(runs))])
    # No added noise floor but in the last order: the clips keep their own
    # recording's background, as the model was trained on them.
    return join_clips(list(data.filenames[index]), data.target[index], sr=SR,
                      min_pause=0.5, max_pause=1.5,
                      noise_db=-60.0 if "noise" in order else None, random_state=seed)


def _window_truth(timeline, recording):
    """Each speech window's truth: the clip it overlaps most (None: no clip)."""
    truth = np.full(len(timeline.start), None, dtype=object)
    for i in np.flatnonzero(timeline.speech):
        truth[i] = clip_under(recording, timeline.start[i], timeline.end[i])
    return truth, np.array([t is not None for t in truth])


def _smooth(timeline, width):
    from skser.timeline._predict import _moving_average

    proba = timeline.proba.copy()
    if width > 1:
        proba[timeline.speech] = _moving_average(proba[timeline.speech], width)
    labels = np.full(len(proba), None, dtype=object)
    labels[timeline.speech] = timeline.classes[np.argmax(proba[timeline.speech], axis=1)]
    return labels


def _boundaries_found(truth, found):
    """Clip starts and ends with a detected boundary of the same kind within TOLERANCE."""
    if not len(found):
        return 0
    hits = 0
    for k in (0, 1):
        distance = np.abs(truth[:, k][:, None] - found[:, k][None, :]).min(axis=1)
        hits += int(np.sum(distance <= TOLERANCE))
    return hits


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short files, a smoke run")
    parser.add_argument("--kind", choices=["ensemble", "stats", "sequence", "2d", "1d"],
                        default=None, help="make_ser_pipeline's kind (default: its default)")
    parser.add_argument("--sections", nargs="+", choices=["speed", "accuracy"],
                        default=["speed", "accuracy"], help="what to measure (default both)")
    parser.add_argument("--child", nargs=2, metavar=("MODEL", "WAV"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(*args.child)
    print(f"Machine: {machine()}; "
          + (f"make_ser_pipeline({args.kind!r})" if args.kind else "make_ser_pipeline()"))
    with tempfile.TemporaryDirectory(prefix="skser-timeline-") as tmp:
        if "speed" in args.sections:
            speed(Path(tmp), args.quick, args.kind)
        if "accuracy" in args.sections:
            accuracy(Path(tmp), args.quick, args.kind)


if __name__ == "__main__":
    main()
