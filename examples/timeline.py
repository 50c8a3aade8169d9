"""Emotion over time: a timeline of a long recording, as a table and a plot.

    python examples/timeline.py                           # demo corpus, about 2 minutes
    python examples/timeline.py --emodb ../shared/data/emodb --out docs/images

Trains the default pipeline (`make_ser_pipeline()`, the ensemble, its vote
weighed on the training speakers) on all speakers but two,
joins the two held-out speakers' clips into one long recording (runs of two
or three clips of one emotion, with pauses, as a conversation whose mood
shifts), and runs `skser.predict_timeline` on it: the windows' table goes
to OUT/timeline_example.csv and the plot to OUT/timeline_example.png. With
``--emodb`` the clips are real speech (Berlin EmoDB, the folder that
`skser.datasets.load_emodb` reads); without, the synthetic demo corpus.
The true emotion of each clip is printed beside the timeline's.
"""

import argparse
import tempfile
from pathlib import Path

import numpy as np

from skser import make_ser_pipeline, plot_timeline, predict_timeline
from skser.datasets import join_clips, load_emodb, make_emotional_speech


def main(emodb=None, out="."):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        if emodb is None:
            data = make_emotional_speech(folder, n_speakers=8, n_per_class=4, random_state=0)
        else:
            data = load_emodb(emodb)
        speakers = np.unique(data.groups)
        held_out = np.isin(data.groups, speakers[-2:])
        pipe = make_ser_pipeline().fit(list(data.filenames[~held_out]),
                                       data.target[~held_out],
                                       clf__groups=data.groups[~held_out])
        # Runs of 2-3 clips of one emotion, the runs in random order.
        rng = np.random.default_rng(0)
        index = np.flatnonzero(held_out)
        runs = []
        for label in np.unique(data.target[index]):
            same = rng.permutation(index[data.target[index] == label])
            runs += np.array_split(same, max(1, len(same) // 3))
        order = np.concatenate([runs[i] for i in rng.permutation(len(runs))])
        recording = join_clips(list(data.filenames[order]), data.target[order],
                               noise_db=None, random_state=0)

    timeline = predict_timeline(pipe, recording.waveform, as_frame=False)
    plot_timeline(timeline, out / "timeline_example.png",
                  title=f"{'EmoDB' if emodb else 'demo corpus'}: two held-out speakers, "
                        f"{len(order)} clips joined by pauses")
    rows = ["start,end,speech,label," + ",".join(map(str, timeline.classes))]
    for i in range(len(timeline.start)):
        proba = ",".join("" if np.isnan(p) else f"{p:.3f}" for p in timeline.proba[i])
        rows.append(f"{timeline.start[i]:.2f},{timeline.end[i]:.2f},{timeline.speech[i]},"
                    f"{timeline.label[i] or ''},{proba}")
    (out / "timeline_example.csv").write_text("\n".join(rows) + "\n")

    right = 0
    for (start, end), truth in zip(recording.segments, recording.labels):
        inside = timeline.speech & (timeline.end > start) & (timeline.start < end)
        guess = (timeline.classes[np.argmax(timeline.proba[inside].mean(axis=0))]
                 if inside.any() else "-")
        right += guess == truth
    print(f"{timeline.duration / 60:.1f} min, {len(timeline.segments)} speech segments found "
          f"for {len(recording.segments)} clips; clip emotion right for {right} of "
          f"{len(recording.segments)} (chance {1 / len(timeline.classes):.0%}).")
    print(f"Wrote {out / 'timeline_example.png'} and {out / 'timeline_example.csv'}.")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--emodb", help="EmoDB folder (real speech); default: demo corpus")
    parser.add_argument("--out", default=".", help="folder for the table and the plot")
    args = parser.parse_args()
    main(args.emodb, args.out)
