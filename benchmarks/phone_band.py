"""Cepstra of the telephone band beside (or instead of) the full band, chosen on the nested inner splits.

    python benchmarks/phone_band.py                      # RAVDESS and EmoDB, ~50 min on 2 cores
    python benchmarks/phone_band.py --corpora emodb      # ~15 min
    python benchmarks/phone_band.py --stored-only        # the table of the stored folds

Phone lines remain among the worst moderate conditions of the robust
statistics model (14-16 points on EmoDB and SAVEE) and of the default
(SAVEE's worst, 17.6 points: docs/robustness.md). A phone line keeps 300
to 3400 Hz: every MFCC is a cosine over all 128 mel bands up to 8 kHz, so
the bands it removes move every coefficient, and the altered copies can
only teach the classifier to read them less. Cepstra of the telephone band
alone (40 mel bands from 300 to 3400 Hz) are the same on the clean clip
and on its phone-line copy but for the line's companding and resampling,
and MP3 and Opus at low bit rates, which cut the top of the band, leave
them too. The candidates keep everything of ``make_ser_pipeline("stats")``
as built (four retrimmed copies, the level step, root cepstra and root
contrast, the gated experts) and change its MFCC columns:

- ``stats``: the MFCCs of the full band (128 mel bands, 0-8 kHz);
- ``phone_mfcc``: the MFCCs of the telephone band instead (``fmin=300,
  fmax=3400, n_mels=40`` on the MFCCs, the same 20 coefficients, their
  deltas and functionals: 360 columns for 360);
- ``plus_phone_mfcc``: both, the telephone band's 360 columns added (a
  frame feature of this script only, ``phone_mfcc``).

The copies and altered validation clips are `noise_cepstra.py`'s (it runs
the search: the inner 3-fold speaker-grouped split of the training speakers
of ``accuracy.py``'s outer folds 1-4, `robust_search.py`'s conditions and
seeds), so the candidates differ in their cepstra only. No test fold is
read. Rule, as `robust_search.py`'s and fixed before the run: the best mean
UA over the altered conditions among the candidates within 1 point of the
best clean UA, averaged over both corpora. Results:
``benchmarks/results/phone_band``.
"""

from pathlib import Path

import noise_cepstra

RESULTS = Path(__file__).resolve().parent / "results" / "phone_band"

#: What a phone line keeps (Hz), as the suite's ``telephone`` corruption.
PHONE_BAND = (300.0, 3400.0)
#: Mel bands over it: some 46 Hz apart at its foot, each wider than three
#: FFT bins at n_fft=1024 and 16 kHz.
PHONE_MELS = 40
#: The statistics model as `make_ser_pipeline("stats")` builds it
#: (`robust_search.candidate_pipeline` pins both roots to None unless given).
BASE = {"cepstral_root": 3.0, "contrast_root": 3.0}


def _register():
    """The telephone band's cepstra as a frame feature of this script only."""
    import numpy as np

    from skser.features._dsp import filterbank, mfcc_from_db, power_to_db, project
    from skser.features._frame_members import FEATURES, frame_feature

    if "phone_mfcc" in FEATURES:
        return

    @frame_feature("phone_mfcc", needs=("power", "mfcc"), width=lambda p: p.n_mfcc,
                   definition="MFCCs of 40 mel bands from 300 to 3400 Hz, compressed as "
                              "the MFCCs are (``cepstral_root``)")
    def _phone_mfcc(m):
        p = m.p
        bank = filterbank("mel", sr=p.sr, n_fft=p.n_fft, n_bins=PHONE_MELS,
                          fmin=PHONE_BAND[0], fmax=PHONE_BAND[1])
        power = project(m.power, bank)
        compressed = (power_to_db(power, top_db=80.0) if p.cepstral_root is None
                      else np.power(power, 1.0 / p.cepstral_root))
        return mfcc_from_db(compressed, n_mfcc=p.n_mfcc)


#: candidate -> the features step's settings for its MFCC columns.
VARIANTS = {
    "phone_mfcc": {"features": ("mfcc",), "fmin": PHONE_BAND[0], "fmax": PHONE_BAND[1],
                   "n_mels": PHONE_MELS},
    "plus_phone_mfcc": {"features": ("mfcc", "phone_mfcc")},
}


def main(argv=None):
    noise_cepstra.main(argv, doc=__doc__, results=RESULTS, register=_register, base=BASE,
                       family="mfcc", variants=VARIANTS)


if __name__ == "__main__":
    main()
