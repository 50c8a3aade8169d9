"""The model that ships with skser: emotions from anyone's audio, no training.

`load_pretrained` returns the fitted pipeline stored in the package
(``skser/data/pretrained.skser``); `make_pretrained_pipeline` builds the same
recipe untrained, for ``skser train --recipe pretrained`` on a user's own
corpora. How the recipe was chosen, what it was trained on and how well it
transfers: ``docs/pretrained.md``.

The weights are trained on RAVDESS (CC BY-NC-SA 4.0), EmoDB and SAVEE (free
for research): they are for non-commercial research use only. skser's code
stays BSD-3-Clause; users with data of their own can train the same recipe.
"""

from pathlib import Path

__all__ = ["PRETRAINED_LICENCE", "load_pretrained", "make_pretrained_pipeline"]

#: The stored model (inside the installed package).
PRETRAINED_FILE = Path(__file__).resolve().parent / "data" / "pretrained.skser"

#: Said wherever the stored weights are offered.
PRETRAINED_LICENCE = (
    "The pretrained weights were trained on RAVDESS (CC BY-NC-SA 4.0), EmoDB and SAVEE "
    "(free for research): non-commercial research use only. skser's code is BSD-3-Clause; "
    "train the same recipe on your own data with `skser train --recipe pretrained`.")

#: The six emotions of CREMA-D, which RAVDESS, EmoDB and SAVEE all hold.
PRETRAINED_CLASSES = ("angry", "disgust", "fear", "happy", "neutral", "sad")

#: The recipe, chosen by nested leave-one-corpus-out on the six classes in
#: benchmarks/transfer_search.py --robust (docs/pretrained.md), for transfer
#: and altered audio alike: the robust statistics model, adapting per
#: recording domain, on eGeMAPS' families among skser's frame features
#: without the voice-quality measures that broadband noise damages first
#: (pitch, voicing, loudness, spectral balance and flux, MFCC 0-4; no HNR,
#: jitter or shimmer), with their deltas: 14 frame features, nine
#: functionals, 252 columns (the in-corpus default has 828). The search on
#: clean clips alone had chosen eGeMAPS' families with HNR, jitter and
#: shimmer and no deltas (153 columns), which white noise at 10 dB SNR took
#: to chance.
#: Two altered copies per clip, as every candidate of that search had (the
#: statistics model's four were chosen later, in-corpus).
PRETRAINED_RECIPE = {"kind": "stats", "adapt": True, "n_copies": 2}
PRETRAINED_FEATURES = ("f0", "voicing", "voiced", "loudness", "slope", "alpha_ratio",
                       "hammarberg", "flux", "mfcc")
# Log cepstra, as the transfer search chose them (the statistics kind's root
# cepstra and root contrast came later and were not searched for transfer;
# its features have no contrast, and the recipe keeps the parameters it was
# measured with).
PRETRAINED_SETTINGS = {"features__features": PRETRAINED_FEATURES, "features__n_mfcc": 5,
                       "features__deltas": True, "features__cepstral_root": None,
                       "features__contrast_root": None, "clf__C": 0.01}


def make_pretrained_pipeline(*, random_state=0, n_jobs=None):
    """The shipped model's recipe, untrained.

    Parameters
    ----------
    random_state : int, RandomState instance or None, default=0
        Seed of the altered training copies.
    n_jobs : int or None, default=None
        Parallel jobs for loading and feature extraction.

    Returns
    -------
    pipeline : skser.pipeline.Pipeline
        ``make_ser_pipeline("stats", adapt=True, ...)`` with the features
        chosen for transfer. Fit it with the corpus of each clip as its
        domain (``pipe.fit(X, y, domains=corpus)``, metadata routing on).
    """
    from .pipeline import KINDS, make_ser_pipeline

    # The recipe as the transfer search chose it: the statistics kind's
    # altered copies not trimmed again and its one logistic regression. The
    # in-corpus model's retrimmed copies and gated experts came later and
    # were not searched for transfer.
    stats = KINDS[PRETRAINED_RECIPE["kind"]]
    pipeline = make_ser_pipeline(
        **PRETRAINED_RECIPE, random_state=random_state, n_jobs=n_jobs, **PRETRAINED_SETTINGS,
        clf=stats.classifier(None, random_state))
    return pipeline.set_params(
        augment__augmenters=stats.augmenters(pipeline.named_steps["trim"].sr, True, False))


def load_pretrained():
    """Load the model that ships with skser, fitted and ready to predict.

    Six emotions (angry, disgust, fear, happy, neutral, sad) from audio file
    paths or waveforms at 16 kHz, trained on RAVDESS, EmoDB and SAVEE with
    the robust training of ``docs/robustness.md``. It predicts each clip on
    its own (the training corpora's average statistics), or adapted to a
    batch of recordings from one source::

        import numpy as np, sklearn
        model = skser.load_pretrained()
        model.predict(["call1.wav", "call2.wav"])
        with sklearn.config_context(enable_metadata_routing=True):
            model.predict(paths, domains=np.zeros(len(paths)))   # 10+ clips

    Returns
    -------
    pipeline : skser.pipeline.Pipeline
        A fitted `make_pretrained_pipeline`. Its weights are for
        non-commercial research use only (`PRETRAINED_LICENCE`); figures,
        limits and licences in ``docs/pretrained.md``.

    Raises
    ------
    skser.ModelFileError
        When the package holds no model file (a source checkout in which
        ``python scripts/build_pretrained.py`` was not run).
    """
    from ._persistence import ModelFileError, load_model

    if not PRETRAINED_FILE.is_file():
        raise ModelFileError(
            f"skser's pretrained model file {str(PRETRAINED_FILE)!r} is missing; "
            "reinstall skser, or build it with `python scripts/build_pretrained.py`.")
    return load_model(PRETRAINED_FILE)
