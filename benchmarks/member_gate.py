"""The gated experts and root contrast for the default's statistics member, on the nested inner splits.

    python benchmarks/member_gate.py                      # RAVDESS and EmoDB, ~30 min on 2 cores
    python benchmarks/member_gate.py --corpora emodb      # ~8 min
    python benchmarks/member_gate.py --stored-only        # the table of the stored folds

The robust statistics model (``make_ser_pipeline("stats")``) classifies
with two experts mixed by a detector of altered copies
(`ConditionGatedClassifier`) and reads root contrast; the default
ensemble's statistics member took root cepstra only (``member_roots.py``)
and classifies with one logistic regression. On the inner splits the
statistics model as built (four retrimmed copies, the gate, both roots)
scored 59.3 / 52.0 % (clean / mean altered, ``noise_contrast.py``'s
``contrast_root3``) against the member's 58.2 / 50.4 (``member_roots.py``'s
``root_cepstra``). This script asks which of its differences the member
can take on the ensemble's shared copies (two plain altered copies of
each clip, which the network trains on too):

- ``stats``: the member before root cepstra (librosa's MFCCs and contrast);
- ``root_cepstra``: the member as the default builds it now;
- ``roots``: root cepstra and root contrast;
- ``gated``: root cepstra, the gated experts instead of one regression;
- ``gated_roots``: both roots and the gated experts.

Each candidate is the member alone, not the vote (inside the vote the
gate gets ``copy_of`` from the ensemble, which hands it to the members
whose ``fit`` takes it). The copies and altered validation clips are ``noise_cepstra.py``'s
search's (the inner 3-fold speaker-grouped split of the training speakers
of ``accuracy.py``'s outer folds 1-4, `robust_search.py`'s conditions and
seeds; ``member_roots.py``'s rows, so its figures for ``stats`` and
``root_cepstra`` recur here). No test fold is read. Rule, as
`robust_search.py`'s and fixed before the run: the best mean UA over the
altered conditions among the candidates within 1 point of the best clean
UA, averaged over both corpora. Results: ``benchmarks/results/member_gate``.
"""

from pathlib import Path

import noise_cepstra
from _common import statistics_gate

RESULTS = Path(__file__).resolve().parent / "results" / "member_gate"

#: The default's statistics member before root cepstra (`member_roots.BASE`).
BASE = {"as_built": False, "n_copies": 2}

ROOT_CEPSTRA = {"features": ("mfcc", "contrast"), "cepstral_root": 3.0}
ROOTS = {"features": ("mfcc", "contrast"), "cepstral_root": 3.0, "contrast_root": 3.0}
VARIANTS = {"root_cepstra": ROOT_CEPSTRA, "roots": ROOTS}


CLASSIFIERS = {"gated": ("root_cepstra", statistics_gate),
               "gated_roots": ("roots", statistics_gate)}


def main(argv=None):
    noise_cepstra.main(argv, doc=__doc__, results=RESULTS, register=lambda: None, base=BASE,
                       family=("mfcc", "contrast"), variants=VARIANTS, classifiers=CLASSIFIERS)


if __name__ == "__main__":
    main()
