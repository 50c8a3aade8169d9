"""Files per second of loading a corpus, against the decoding floor.

    python benchmarks/loading.py            # about 2 minutes on 2 cores
    python benchmarks/loading.py --quick    # a subset of each corpus, under a minute

Loads each corpus (RAVDESS: 1440 16 kHz FLAC files, nothing to resample;
EmoDB: 535 22.05 kHz WAV files, resampled to 16 kHz; both from
``../shared/data``, or a demo corpus from `make_emotional_speech` written to a
temporary folder, at 16 kHz and at 22.05 kHz, when that folder is absent)
five ways, into a list of float32 waveforms at 16 kHz:

- ``floor``: a bare loop of ``soundfile.read(path, dtype="float32")``, plus
  ``soxr.resample`` (the resampler behind librosa's default ``soxr_hq``)
  where the file is not at 16 kHz: the work no loader can avoid;
- ``librosa.load``: the naive loop ``librosa.load(path, sr=16000)``;
- ``AudioLoader n_jobs=1``: ``AudioLoader(sr=16000).transform(paths)``;
- ``AudioLoader n_jobs=2 (threads)``: the same over two threads (its
  default; decoding and resampling release the GIL);
- ``AudioLoader n_jobs=2 (loky processes)``: under
  ``joblib.parallel_config(backend="loky")``, two worker processes (the pool
  is started and warmed before timing), which send every decoded waveform
  back to this process through a pipe.

It prints files per second, megabytes of file read per second, seconds of
audio per second of wall time, each time as a ratio against the floor and
against ``librosa.load`` measured in the same run, and two peaks of memory,
each from a separate, untimed call: the resident memory the call adds (peak
RSS over RSS at its start, in a fresh process that has loaded only 4 files
before; it sees every allocation, soxr's included, but for loky only this
process, which receives every waveform, not the workers) and the tracemalloc
peak in this process (Python objects and NumPy buffers only: soxr allocates
the resampled arrays itself, so resampling rows read low). Each corpus's
heading gives the size of the decoded result, which every method must hold at
the end. The methods are timed in turns, one call of each per round (each
round starting with the next method), so that load from other processes on the
machine hits all of them alike; the median over rounds is reported. Files are
read once before timing, so the figures are for a warm page cache: decoding,
not the disk. Every method's output is checked to equal the floor's.
"""

import argparse
import glob
import os
import subprocess
import sys
import tempfile

import librosa
import numpy as np
import soundfile as sf
import soxr
from joblib import Parallel, delayed, parallel_config

from _common import (
    SHARED_DATA, machine, median, peak_rss_mib, peak_traced_mib, print_table, rss_mib,
    time_call,
)
from skser import AudioLoader

SR = 16000


def floor(paths):
    out = []
    for path in paths:
        y, orig_sr = sf.read(path, dtype="float32")
        if orig_sr != SR:
            y = soxr.resample(y, orig_sr, SR, quality="soxr_hq")
        out.append(y)
    return out


def naive(paths):
    return [librosa.load(path, sr=SR)[0] for path in paths]


def loader(n_jobs, backend=None):
    def load(paths):
        if backend is None:
            return AudioLoader(sr=SR, n_jobs=n_jobs).transform(paths)
        with parallel_config(backend=backend):
            return AudioLoader(sr=SR, n_jobs=n_jobs).transform(paths)
    return load


METHODS = {
    "floor (soundfile + soxr)": floor,
    "librosa.load": naive,
    "AudioLoader n_jobs=1": loader(1),
    "AudioLoader n_jobs=2 (threads)": loader(2),
    "AudioLoader n_jobs=2 (loky processes)": loader(2, "loky"),
}


def fresh_rss_mib(method, list_file):
    """`peak_rss_mib` growth of one method, in a fresh Python process: no heap
    left over from earlier calls to reuse, so nothing is undercounted."""
    result = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--rss-child", method, list_file],
        capture_output=True, text=True, check=True,
    )
    value = result.stdout.split()[-1]
    return None if value == "None" else float(value)


def rss_child(method, list_file):
    with open(list_file) as f:
        paths = f.read().splitlines()
    fn = METHODS[method]
    fn(paths[:4])  # imports, thread arenas, the loky pool
    print(peak_rss_mib(lambda: fn(paths), growth=True))


def corpora(quick, tmp):
    """(name, paths) of each corpus to load."""
    ravdess = sorted(glob.glob(str(SHARED_DATA / "ravdess-speech-16k" / "Actor_*" / "*.flac")))
    emodb = sorted(glob.glob(str(SHARED_DATA / "emodb" / "*.wav")))
    if ravdess and emodb:
        if quick:  # every 6th/3rd file: all speakers, about 240 and 180 files
            ravdess, emodb = ravdess[::6], emodb[::3]
        return [("RAVDESS (16 kHz FLAC)", ravdess), ("EmoDB (22.05 kHz WAV)", emodb)]
    from skser.datasets import make_emotional_speech

    print(f"{SHARED_DATA} not found: loading a demo corpus from make_emotional_speech "
          f"written to {tmp} instead (synthetic WAV, not a real corpus).\n")
    n_per_class = 2 if quick else 8
    out = []
    for name, sr in (("demo (16 kHz WAV)", 16000), ("demo (22.05 kHz WAV)", 22050)):
        folder = os.path.join(tmp, str(sr))
        corpus = make_emotional_speech(folder, n_speakers=8, n_per_class=n_per_class,
                                       sr=sr, random_state=0)
        out.append((name, [str(p) for p in corpus.filenames]))
    return out


def bench(name, paths, repeat, tmp):
    n_files = len(paths)
    megabytes = sum(os.path.getsize(p) for p in paths) / 1e6
    seconds = sum(sf.info(p).duration for p in paths)
    methods = METHODS
    # Same samples as the floor (librosa pads soxr's output to
    # ceil(n * ratio) samples, which can add one zero). These calls also warm
    # the page cache, librosa's lazy imports and the loky pool.
    ref = floor(paths)
    for m, fn in methods.items():
        got = fn(paths)
        assert len(got) == len(ref) and all(
            abs(a.size - b.size) <= 1 and np.array_equal(a[:b.size], b[:a.size])
            for a, b in zip(ref, got)), f"{m} does not give the floor's samples"

    times = {m: [] for m in methods}
    order = list(methods)
    for r in range(repeat):
        # Each round starts with the next method, so that none always runs
        # right after the same other one.
        for m in order[r % len(order):] + order[:r % len(order)]:
            times[m] += time_call(lambda: methods[m](paths), repeat=1, warmup=0)
    traced = {m: peak_traced_mib(lambda: fn(paths)) for m, fn in methods.items()}
    list_file = os.path.join(tmp, "paths.txt")
    with open(list_file, "w") as f:
        f.write("\n".join(paths))
    rss = {m: fresh_rss_mib(m, list_file) for m in methods}
    out_mib = sum(y.nbytes for y in ref) / 2**20

    t_floor = median(times["floor (soundfile + soxr)"])
    t_naive = median(times["librosa.load"])
    rows = []
    for m in methods:
        t = median(times[m])
        rows.append([
            m, f"{t:.3f}", f"{min(times[m]):.3f}-{max(times[m]):.3f}",
            f"{n_files / t:.0f}", f"{megabytes / t:.1f}", f"{seconds / t:.0f}",
            f"{t / t_floor:.2f}", f"{t / t_naive:.2f}",
            "n/a" if rss[m] is None else f"{rss[m]:.0f}", f"{traced[m]:.0f}",
        ])
    print(f"## {name}: {n_files} files, {megabytes:.1f} MB, {seconds / 60:.1f} min of audio "
          f"({out_mib:.0f} MiB as float32 at 16 kHz), median of {repeat} rounds\n")
    print_table(rows, ["method", "s", "range", "files/s", "MB/s", "audio s/s",
                       "time x floor", "time x librosa.load", "peak RSS MiB", "traced MiB"])
    print()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="a subset of each corpus and 3 rounds (under a minute)")
    parser.add_argument("--rss-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_child:
        return rss_child(*args.rss_child)
    repeat = 3 if args.quick else 7
    print(machine())
    print()
    # Start the loky pool used by n_jobs=2 once, outside every timing.
    Parallel(n_jobs=2)(delayed(abs)(i) for i in range(4))
    with tempfile.TemporaryDirectory() as tmp:
        for name, paths in corpora(args.quick, tmp):
            bench(name, paths, repeat, tmp)
    print(f"peak RSS of this process: {rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
