"""Where the noise lies around a clip: a diagnostic of the robust statistics model.

    python benchmarks/padding_mismatch.py                    # RAVDESS, about 4 minutes on 2 cores
    python benchmarks/padding_mismatch.py --corpora ravdess emodb

The statistics model with four altered copies (``stats`` until
2026-12-07, `robust_search.py`'s ``level + 4 altered copies``) trains on
copies altered *after* `TrimPad`: a copy's noise also fills the zero
padding around its speech. A recording
is altered *before* it is trimmed, and `TrimPad` then cuts whatever lies
30 dB below the speech's peak and pads with zeros. This script fits the
statistics model on the training speakers of the first of
``accuracy.py``'s speaker-grouped folds and scores the held-out clips
under a white noise floor at -60 dBFS, added

- before trimming, as `benchmarks/robustness.py` alters clips (a file);
- after trimming, over the speech only, the padding left at zero (what
  `predict_timeline` handed the model before windows got their context);
- after trimming and padding to 3 s, over the padding too (what the
  training copies look like);

and a recording of the same clips joined by pauses under the same floor
through `predict_timeline` (each window with the recording around it, as
now), against the same detector's segments cut tight and zero-padded (as
before 2026-12-07). It chooses nothing: it says why two things differ
(docs/robustness.md, docs/timeline.md).
"""

import argparse

import accuracy
import robust_search
from _common import SHARED_DATA, clip_under, fit_with_speakers, machine, print_table

SR = 16000
FLOOR_DBFS = -60.0
#: The model the diagnostic is about: four altered copies, not trimmed again
#: (the statistics model until 2026-12-07; its copies' noise fills their
#: padding).
MODEL = "level + 4 altered copies"


def corpus_rows(name):
    from sklearn.metrics import balanced_accuracy_score

    from skser import predict_timeline
    from skser.augmentation import corrupt
    from skser.datasets import join_clips
    from skser.loading import AudioLoader
    from skser.preprocessing._trim_pad import fix_length, trim_bounds

    data = accuracy.load_corpus(name)
    train, test = accuracy.corpus_folds(name, data)[0]
    model = fit_with_speakers(robust_search.candidate_pipeline(robust_search.CANDIDATES[MODEL]),
                              list(data.filenames[train]), data.target[train],
                              data.groups[train])
    clips = AudioLoader(sr=SR).fit_transform(list(data.filenames[test]))
    truth = data.target[test]

    def floor(clips):
        # The suite's own floor (`corrupt`), seeded by the clip.
        return [corrupt(y, "noise_floor", FLOOR_DBFS, sr=SR, random_state=i)[0]
                for i, y in enumerate(clips)]

    def trimmed(y):
        start, end = trim_bounds(y, top_db=30.0, frame_length=2048, hop_length=512)
        return y[start:end]

    variants = {
        "clean": clips,
        "floor added before trimming (a file; robustness.py)": floor(clips),
        "floor over the trimmed speech only, zero padding": floor(trimmed(y) for y in clips),
        "floor over the speech and its padding (as the training copies)": floor(
            fix_length(trimmed(y), 3 * SR, "center") for y in clips),
    }
    rows = [[name, label, f"{100 * balanced_accuracy_score(truth, model.predict(x)):.1f}"]
            for label, x in variants.items()]

    recording = join_clips(list(data.filenames[test]), truth, sr=SR, min_pause=0.5,
                           max_pause=1.5, noise_db=FLOOR_DBFS, random_state=accuracy.SEED)
    timeline = predict_timeline(model, recording.waveform)
    # The segments one window covers, scored both ways: as predict_timeline
    # cuts them now, and cut tight (its window before 2026-12-07).
    label_of = {(s, e): label for s, e, label, speech in zip(
        timeline.start, timeline.end, timeline.label, timeline.speech) if speech}
    short = [(s, e) for s, e in timeline.segments if e - s <= 3.0]
    tight = model.predict([recording.waveform[int(round(s * SR)):int(round(e * SR))]
                           for s, e in short])
    clip_truth = [clip_under(recording, s, e) for s, e in short]
    for label, predicted in (
            ("recording under the floor: windows with context (predict_timeline)",
             [label_of[s, e] for s, e in short]),
            ("recording under the floor: segments cut tight, zero padding", tight)):
        pairs = [(t, p) for t, p in zip(clip_truth, predicted) if t is not None]
        y_true, y_pred = zip(*pairs)
        rows.append([name, label, f"{100 * balanced_accuracy_score(y_true, y_pred):.1f}"])
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", nargs="+", choices=("ravdess", "emodb"),
                        default=["ravdess"])
    args = parser.parse_args(argv)
    if not SHARED_DATA.is_dir():
        raise SystemExit(f"needs the corpora in {SHARED_DATA}")
    rows = [row for name in args.corpora for row in corpus_rows(name)]
    print(f"\nUA % on the held-out speakers of the first fold; {machine()}\n")
    print_table(rows, ["corpus", "test clips", "UA %"])


if __name__ == "__main__":
    main()
