"""What simulating the training rooms costs: exact image sources against
the hybrid `RandomCorruption` trains with (issue 21).

    python benchmarks/training_rooms.py           # about a minute on 2 cores
    python benchmarks/training_rooms.py --quick   # RT60 0.4 s only: seconds

For each RT60 of a grid and each of `TRAINING_ROOMS` that can give it, the
impulse response at 16 kHz is computed in a fresh process (one per method
and RT60, so that the cache and the peak memory of one do not reach the
other): pyroomacoustics' image-source method to the order Sabine's formula
asks for, and the hybrid (image sources to `TRAINING_MAX_ORDER`, then a
seeded noise tail). Printed per RT60: seconds for all rooms, the peak
resident memory of the process, the largest image order, and for the hybrid
the largest difference of direct-to-reverberant ratio from the exact room
(dB) and its RT60 measured from Schroeder's decay (the exact room's
beside). The ratio of times is what a robust fit saves: it draws the rooms
of a 0.05 s grid from 0.15 to 1.0 s, each once per process.
"""

import argparse
import json
import subprocess
import sys

from _common import machine, print_table

SR = 16000
GRID = (0.2, 0.4, 0.6, 0.8, 1.0)

_CHILD = r"""
import json, resource, sys, time
import numpy as np
import pyroomacoustics as pra
from skser.augmentation._corruptions import (
    TRAINING_MAX_ORDER, TRAINING_ROOMS, _feasible_rooms, room_impulse_response)

rt60, method, sr = float(sys.argv[1]), sys.argv[2], int(sys.argv[3])
order = None if method == "exact" else TRAINING_MAX_ORDER
rooms = _feasible_rooms(rt60, TRAINING_ROOMS)
start = time.perf_counter()
rirs = [room_impulse_response(tuple(room), rt60, 0, sr, order) for room in rooms]
seconds = time.perf_counter() - start
print(json.dumps({
    "seconds": seconds, "rooms": len(rooms),
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "max_order": max(pra.inverse_sabine(rt60, list(room))[1] for room in rooms),
    "rirs": [r.tolist() for r in rirs]}))
"""


def run_child(rt60, method):
    out = subprocess.run([sys.executable, "-c", _CHILD, str(rt60), method, str(SR)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def direct_to_reverberant_db(rir):
    import numpy as np

    rir = np.asarray(rir)
    direct = int(np.argmax(np.abs(rir)))
    w = int(0.0025 * SR)
    return 10 * np.log10(np.sum(np.square(rir[max(0, direct - w):direct + w]))
                         / np.sum(np.square(rir[direct + w:])))


def rt60_from_decay(rir):
    """RT60 from the -5 to -25 dB span of Schroeder's backward integral."""
    import numpy as np

    rir = np.asarray(rir)
    energy = np.cumsum(np.square(rir[::-1]))[::-1]
    db = 10 * np.log10(energy / energy[0])
    return 3 * (np.argmax(db < -25) - np.argmax(db < -5)) / SR


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="RT60 0.4 s only")
    args = parser.parse_args(argv)
    rows, total = [], {"exact": 0.0, "hybrid": 0.0}
    for rt60 in ((0.4,) if args.quick else GRID):
        exact, hybrid = run_child(rt60, "exact"), run_child(rt60, "hybrid")
        total["exact"] += exact["seconds"]
        total["hybrid"] += hybrid["seconds"]
        drr = max(abs(direct_to_reverberant_db(a) - direct_to_reverberant_db(b))
                  for a, b in zip(exact["rirs"], hybrid["rirs"]))
        rows.append((f"{rt60:.1f}", str(exact["rooms"]), str(exact["max_order"]),
                     f"{exact['seconds']:.2f}", f"{hybrid['seconds']:.3f}",
                     f"{exact['seconds'] / max(hybrid['seconds'], 1e-9):.0f}x",
                     f"{exact['peak_mb']:.0f}", f"{hybrid['peak_mb']:.0f}", f"{drr:.2f}",
                     " / ".join(f"{rt60_from_decay(r):.2f}" for r in exact["rirs"]),
                     " / ".join(f"{rt60_from_decay(r):.2f}" for r in hybrid["rirs"])))
    print_table(rows, ("RT60 s", "rooms", "image order", "exact s", "hybrid s", "ratio",
                       "exact peak MB", "hybrid peak MB", "max DRR difference dB",
                       "exact RT60 measured", "hybrid RT60 measured"))
    print(f"\nall RT60s: exact {total['exact']:.1f} s, hybrid {total['hybrid']:.2f} s, "
          f"ratio {total['exact'] / max(total['hybrid'], 1e-9):.0f}x; {machine()}")


if __name__ == "__main__":
    main()
