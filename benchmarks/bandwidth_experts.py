"""A narrowband expert for phone lines and 8 kHz audio, chosen on the nested inner splits.

    python benchmarks/bandwidth_experts.py                      # RAVDESS and EmoDB, ~40 min on 2 cores
    python benchmarks/bandwidth_experts.py --corpora emodb      # ~12 min
    python benchmarks/bandwidth_experts.py --stored-only        # the table of the stored folds

Phone lines are among the robust models' worst moderate conditions (15-20
points on EmoDB and SAVEE for the default, docs/robustness.md), though
their copies are among the training rows. On the inner split of EmoDB's
outer fold 1 (inner fold 0) the loss was the mismatch, not the band's lost
information: the statistics model scored 47.8 % UA on a mu-law phone line,
and 61.5 % when trained on the same clips behind a phone line's band
(300-3400 Hz, in front of its trimming; 57.5 % with the band after its
level step, where the copies' noise is band-limited too and the trimming
reads wideband clips). The candidate, `skser.models.BandwidthExperts`
right after the loader, keeps the statistics model as built for wideband
clips and adds the same model behind `skser.preprocessing.BandPass` for
band-limited ones; a clip goes to the narrowband expert when less than -50
dB of its power lies above 4 kHz (a rule of the signal: band-limited audio
resampled to 16 kHz keeps 52-125 dB less there, the wideband speech of the
three corpora 8-47 dB less, after TrimPad):

- ``stats``: ``make_ser_pipeline("stats")`` as built (four retrimmed
  copies, the level step, root cepstra and contrast, the gated experts);
- ``bandwidth``: the same as the wideband expert of `BandwidthExperts`,
  beside the narrowband expert (`BandPass`, then the same steps).

Both fit the loaded clips of each inner fold (`robust_search.py`'s inner
3-fold speaker-grouped split of the training speakers of ``accuracy.py``'s
outer folds 1-4, its conditions and seeds); ``stats`` is the fitted
candidate's wideband expert, so the two differ on band-limited clips
only. No test fold is read. Rule, as `robust_search.py`'s and fixed before
the run: the best mean UA over the altered conditions among the candidates
within 1 point of the best clean UA, averaged over both corpora. Results:
``benchmarks/results/bandwidth_experts``.
"""

from pathlib import Path

import noise_cepstra

RESULTS = Path(__file__).resolve().parent / "results" / "bandwidth_experts"

#: The statistics model as built: `robust_search.candidate_pipeline` pins
#: librosa's cepstra and contrast unless given.
BASE = {"cepstral_root": 3.0, "contrast_root": 3.0, "as_built": True, "draw": "clip"}


def inner_scores(data, waveforms, outer, k, fit_idx, val_idx, *, base=None):
    """Inner UA of ``stats`` and ``bandwidth`` per condition on one inner fold."""
    import numpy as np

    import robust_search
    import robustness
    from skser.evaluation import emotion_report
    from skser.pipeline import _with_narrowband_expert

    # What make_ser_pipeline(narrowband_expert=True) wraps the model in.
    pipe = _with_narrowband_expert(robust_search.candidate_pipeline(base or BASE), sr=16000)
    y = data.target[fit_idx]
    pipe.fit([waveforms[i] for i in fit_idx], y)
    load, experts = pipe.named_steps["load"], pipe.named_steps["clf"]
    clips_under = robust_search.validation_clips(waveforms, fit_idx, val_idx, outer, k)
    scores = {"stats": {}, "bandwidth": {}}
    for label, corruption, severity in robust_search.suite():
        loaded = load.transform(robustness.as_inputs(clips_under(corruption, severity)))
        for name, model in (("stats", experts.wideband_), ("bandwidth", experts)):
            scores[name][label] = emotion_report(data.target[val_idx], model.predict(loaded),
                                                 labels=list(np.unique(y)))["ua"]
    return scores


def main(argv=None):
    noise_cepstra.main(argv, doc=__doc__, results=RESULTS, register=lambda: None,
                       scorer=inner_scores)


if __name__ == "__main__":
    main()
