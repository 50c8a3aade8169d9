"""Spectral contrast that broadband noise moves less, chosen on the nested inner splits.

    python benchmarks/noise_contrast.py                      # RAVDESS and EmoDB, ~50 min on 2 cores
    python benchmarks/noise_contrast.py --corpora emodb      # ~15 min
    python benchmarks/noise_contrast.py --stored-only        # the table of the stored folds

After the MFCCs, spectral contrast carries most of what noise costs the
robust statistics model: on the nested inner splits, its 126 columns of a
clip under white noise at 10 dB SNR (the other columns clean) cost RAVDESS
14 points, more than the 12 that the whole noisy clip costs, and EmoDB 4
of 20 (``noise_damage.py``; docs/robustness.md). Contrast is the level of each
octave band's loudest bins over its quietest ones in dB, and the quietest
bins, between the harmonics, are the ones noise fills first. The
candidates keep everything of ``make_ser_pipeline("stats")`` as built
(four retrimmed copies, the level step, root cepstra, the gated experts)
and change its contrast columns:

- ``stats``: librosa's contrast (the mean of the 2 % loudest and quietest
  bins of each band, in dB);
- ``contrast_q10``, ``contrast_q20``: the loudest and quietest 10 % and 20 %,
  so that the valley reads more of the band than its deepest bins;
- ``contrast_root3``: the difference of the peak's and valley's power cube
  roots instead of their logs, as root cepstra compress the mel power (not
  scale-invariant; the level step before it is;
  ``FrameFeatures1D(contrast_root=3.0)``);
- ``contrast_ratio3``: one minus the cube root of the valley-to-peak power
  ratio, the same compression made scale-invariant and bounded;
- ``no_contrast``: the 126 columns dropped.

The copies and altered validation clips are `noise_cepstra.py`'s (it runs
the search: the inner 3-fold speaker-grouped split of the training speakers
of ``accuracy.py``'s outer folds 1-4, `robust_search.py`'s conditions and
seeds), so the candidates differ in their contrast only. No test fold is
read. Rule, as `robust_search.py`'s and fixed before the run: the best mean
UA over the altered conditions among the candidates within 1 point of the
best clean UA, averaged over both corpora. Results:
``benchmarks/results/noise_contrast``.
"""

from pathlib import Path

import noise_cepstra

RESULTS = Path(__file__).resolve().parent / "results" / "noise_contrast"

#: The statistics model as `make_ser_pipeline("stats")` built it before this
#: search (`robust_search.candidate_pipeline` pins librosa's contrast).
BASE = {"cepstral_root": 3.0}

QUANTILES = (10, 20)


def _register():
    """The candidates' contrast, as frame features of this script only (the
    root's is skser's own: ``contrast_root``)."""
    import numpy as np

    from skser.features._dsp import band_peaks_valleys, spectral_contrast
    from skser.features._frame_members import FEATURES, frame_feature

    if "contrast_ratio3" in FEATURES:
        return
    for q in QUANTILES:
        @frame_feature(f"contrast_q{q}", needs=("power", "contrast"),
                       width=lambda p: p.n_bands + 1,
                       definition=f"spectral contrast of the {q} % loudest and quietest bins")
        def _quantile(m, q=q):
            p = m.p
            return spectral_contrast(m.power, sr=p.sr, n_fft=p.n_fft, n_bands=p.n_bands,
                                     quantile=q / 100)

    @frame_feature("contrast_ratio3", needs=("power", "contrast"), width=lambda p: p.n_bands + 1,
                   definition="1 - (valley / peak power) ** (1 / 3)")
    def _ratio(m):
        p = m.p
        peak, valley = band_peaks_valleys(m.power, sr=p.sr, n_fft=p.n_fft, n_bands=p.n_bands)
        # Magnitudes: the power's cube root is the magnitude's 2/3 power.
        return 1.0 - np.power(valley / np.maximum(peak, 1e-30), 2 / 3)


#: candidate -> the features step's settings for its contrast columns (None: dropped).
VARIANTS = {
    **{f"contrast_q{q}": {"features": (f"contrast_q{q}",)} for q in QUANTILES},
    "contrast_root3": {"contrast_root": 3.0},
    "contrast_ratio3": {"features": ("contrast_ratio3",)},
    "no_contrast": None,
}


def main(argv=None):
    noise_cepstra.main(argv, doc=__doc__, results=RESULTS, register=_register, base=BASE,
                       family="contrast", variants=VARIANTS)


if __name__ == "__main__":
    main()
