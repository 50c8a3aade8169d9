"""Statistics pooled over the voiced frames only, chosen on the nested inner splits.

    python benchmarks/voiced_pooling.py                      # RAVDESS and EmoDB, ~30 min on 2 cores
    python benchmarks/voiced_pooling.py --corpora emodb      # ~8 min
    python benchmarks/voiced_pooling.py --stored-only        # the table of the stored folds

The robust statistics model pools every frame of a clip (less its padding)
into its 828 statistics. Background noise fills a clip's pauses and
unvoiced stretches first: at 10 dB SNR a pause's frames are the noise's
spectrum, while a voiced frame is still mostly the voice's harmonics. So
the statistics of a noisy clip mix in frames that its clean original did
not have (its pauses are near silence), and the MFCCs and spectral
contrast, which carry most of the noise's loss (``noise_damage.py``), move
most. eGeMAPS pools its spectral parameters over voiced segments for the
same reason. The candidates keep everything of ``make_ser_pipeline("stats")``
(four retrimmed copies, the level step, the gated experts, root cepstra and
root contrast) and change which frames the statistics read:

- ``stats``: every frame, as built;
- ``voiced``: every feature but ``voiced`` and ``voicing`` over the voiced
  frames only (``FrameFeatures1D(pool_frames="voiced")``; a clip with
  fewer than 5 voiced frames pooled over all of them).

Each candidate replaces all 828 columns of the same rows: the copies and
the altered validation clips are made once per inner fold, as
`robust_search.py` makes them (its inner 3-fold speaker-grouped split of
the training speakers of ``accuracy.py``'s outer folds 1-4, its
conditions and seeds), so the candidates differ in their pooling only. No
test fold is read. Rule, as `robust_search.py`'s and fixed before the run:
the best mean UA over the altered conditions among the candidates within 1
point of the best clean UA, averaged over both corpora. Results:
``benchmarks/results/voiced_pooling``.
"""

from pathlib import Path

import noise_cepstra

RESULTS = Path(__file__).resolve().parent / "results" / "voiced_pooling"

#: The statistics model as built: `robust_search.candidate_pipeline` pins
#: librosa's cepstra and contrast unless given.
BASE = {"cepstral_root": 3.0, "contrast_root": 3.0}

VARIANTS = {"voiced": {"pool_frames": "voiced"}}


def _family():
    """Every column: each starts with the name of one of the model's features."""
    from skser.pipeline import STATS_FEATURES

    return tuple(STATS_FEATURES)


def main(argv=None):
    noise_cepstra.main(argv, doc=__doc__, results=RESULTS, register=lambda: None, base=BASE,
                       family=_family(), variants=VARIANTS)


if __name__ == "__main__":
    main()
