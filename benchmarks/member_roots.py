"""Root cepstra and root contrast for the default's statistics member, on the nested inner splits.

    python benchmarks/member_roots.py                      # RAVDESS and EmoDB, ~30 min on 2 cores
    python benchmarks/member_roots.py --corpora emodb      # ~8 min
    python benchmarks/member_roots.py --stored-only        # the table of the stored folds

The robust statistics model took root cepstra and root contrast
(``noise_cepstra.py``, ``noise_contrast.py``); the default ensemble's
statistics member did not, because every default row (``accuracy.py``,
``robustness.py``, ``cross_corpus.py``) would have to be recomputed, hours
a corpus. This script measures, on the same nested inner splits, whether
the member as the ensemble builds it (the level step, two plain altered
copies of each clip, one logistic regression, librosa's MFCCs and
contrast) gains from them:

- ``stats``: the member as built (the candidate's name is the search's);
- ``root_cepstra``: its MFCC columns from the mel power's cube root;
- ``root_contrast``: its contrast columns from the peak and valley power's
  cube roots;
- ``roots``: both, as ``make_ser_pipeline("stats")`` computes them.

It measures the member alone, not the vote: the network reads the same
frame features per frame and would take the roots too only if its own
search said so; the member's gain is evidence for the ensemble's change,
not a measurement of it. The copies and altered validation clips are
``noise_cepstra.py``'s search's (it runs it: the inner 3-fold
speaker-grouped split of the training speakers of ``accuracy.py``'s outer
folds 1-4, `robust_search.py`'s conditions and seeds). No test fold is
read. Rule, as `robust_search.py`'s and fixed before the run: the best
mean UA over the altered conditions among the candidates within 1 point of
the best clean UA, averaged over both corpora. Results:
``benchmarks/results/member_roots``.
"""

from pathlib import Path

import noise_cepstra

RESULTS = Path(__file__).resolve().parent / "results" / "member_roots"

#: The default's statistics member: two plain copies, one logistic
#: regression, librosa's MFCCs and contrast (`robust_search.py`'s
#: "level + 2 altered copies").
BASE = {"as_built": False, "n_copies": 2}

VARIANTS = {
    "root_cepstra": {"features": ("mfcc", "contrast"), "cepstral_root": 3.0},
    "root_contrast": {"features": ("mfcc", "contrast"), "contrast_root": 3.0},
    "roots": {"features": ("mfcc", "contrast"), "cepstral_root": 3.0, "contrast_root": 3.0},
}


def main(argv=None):
    noise_cepstra.main(argv, doc=__doc__, results=RESULTS, register=lambda: None, base=BASE,
                       family=("mfcc", "contrast"), variants=VARIANTS)


if __name__ == "__main__":
    main()
