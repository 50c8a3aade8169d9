"""make_ser_pipeline: the statistics model and the course recipe's CNNs as ready Pipelines.

=========  ==============================  ==============================  ==============================
step       statistics (``kind="stats"``)   1-D (``kind="1d"``)             2-D (``kind="2d"``)
=========  ==============================  ==============================  ==============================
load       `AudioLoader` -> waveforms      same                            same
trim       `TrimPad` -> ``(n, n_samples)`` same                            same
augment    four `AugmentedCopies` of      `AugmentedCopies` of `AddNoise` (after features)
           `RandomCorruption`, trimmed     and `TimeShift` (training only)
           again (training only: noise,
           rooms, phone lines, codecs,
           gains, rates)
level      `LevelNormalizer` (one speech   (none)                          (none)
           level per clip)
features   `FrameFeatures1D`: 20 frame     `FrameFeatures1D` ->            `MelSpectrogram2D` ->
           features and their deltas,      ``(n, T, F)``                   ``(n, M, T, 1)``
           9 functionals -> ``(n, 828)``
augment    (before features)               (before features)               `AugmentedCopies` of
                                                                           `FrequencyMask` +
                                                                           `TimeMask` (training only)
scale      `StandardScalerND`              same                            same
           (`SpeakerStandardScaler` with                                   (before augment with
           ``speaker_normalize=True``)                                     ``speaker_normalize``)
clf        `ConditionGatedClassifier` of  `CNNClassifier` (1-D network)   `CNNClassifier` (2-D network)
           logistic regressions
           (`LogisticRegression` when not
           robust)
=========  ==============================  ==============================  ==============================

``kind="ensemble"`` is the default: the soft vote of the statistics model
and the attention-GRU sequence network (``kind="sequence"``), weighted on an
inner split of the training speakers. In speaker-grouped cross-validation
(``docs/results.md``) it is the best row on RAVDESS and over both corpora
together, ahead of the CNNs and openSMILE's eGeMAPS features; on EmoDB the
statistics model alone is 1.6 points better. ``kind="stats"`` is that
statistics model: it trains in seconds and predicts without TensorFlow.

The pipeline is skser's `Pipeline`: imbalanced-learn's, with per-sample fit
parameters (``sample_weight``, ``groups``) repeated along with the rows that
`AugmentedCopies` adds.
"""

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from numbers import Real

import numpy as np
from imblearn import pipeline as imblearn_pipeline
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import Bunch, _safe_indexing
from sklearn.utils.validation import _is_arraylike_not_scalar, _num_samples

from ._validation import method_takes
from .augmentation import (
    AddNoise, AugmentedCopies, FrequencyMask, RandomCorruption, TimeMask, TimeShift,
)
from .features import FrameFeatures1D, MelSpectrogram2D
from .loading import AudioLoader
from .models import BandwidthExperts, CNNClassifier, ConditionGatedClassifier, SoftVotingEnsemble
from .preprocessing import (
    BandPass, DomainStandardScaler, LevelNormalizer, SpeakerStandardScaler, StandardScalerND,
    TrimPad,
)

__all__ = ["Pipeline", "make_ser_pipeline"]

# The CNN defaults were chosen by speaker-independent cross-validation on
# RAVDESS within a CPU budget of 30 minutes for five folds (docs/results.md,
# benchmarks/default_search.py): 64 mel bands at a 32 ms hop (16 kHz) give
# 64 x 94 images, a quarter of the 128 x 188 of MelSpectrogram2D's own
# defaults; a lower learning rate, more dropout and more patience let LeNet-5
# train for 30-40 epochs instead of stopping after 7. By
# benchmarks/cnn_fold_cost.py the `custom` network costs 26 (64 x 94) to 86
# (128 x 188) minutes per fold against the 6 the budget allows, and LeNet-5 on
# 128 x 188 about 8; that LeNet-5 was not compared for accuracy.
N_MELS = 64
HOP_LENGTH = 512
TRAINING = {"learning_rate": 3e-4, "dropout": 0.5, "patience": 15}
# The sequence model (issue 14): the statistics pipeline's frame features and
# deltas, not pooled ((n, 188, 92) for 3 s), standardised, and the
# attention-GRU network trained with AdamW, a cosine learning-rate decay,
# label smoothing 0.1, balanced class weights and SpecAugment-style masks
# drawn per batch (two spans of up to 20 frames and two of up to 12
# features) in place of augmented copies.
SEQUENCE_TRAINING = {
    "model": "attention_gru", "optimizer": "adamw", "learning_rate": 1e-3, "dropout": 0.4,
    "epochs": 60, "patience": 12, "class_weight": "balanced", "spec_augment": (2, 20, 12),
    "label_smoothing": 0.1, "schedule": "cosine",
}
# The statistics pipeline, chosen by a nested speaker-grouped search on
# RAVDESS and EmoDB (benchmarks/feature_search.py, docs/results.md): each of
# the ten outer folds chose among 20 candidates by an inner split of its own
# training speakers, and this one was chosen most often. Every frame feature
# but the 128 mel bands and the chroma (700 columns that cost 2-3 points UA),
# the deltas of all of them, eGeMAPS' functionals plus skewness and
# kurtosis: 828 columns; then a strongly regularised logistic regression,
# which beat the RBF SVM by 2-3 points on both corpora (a linear model
# generalises better to unseen speakers on this many columns).
STATS_FEATURES = (
    "zcr", "energy", "rms", "mfcc", "contrast", "f0", "voicing", "voiced", "hnr", "jitter",
    "shimmer", "loudness", "centroid", "bandwidth", "rolloff", "flatness", "flux", "slope",
    "alpha_ratio", "hammarberg",
)
STATS_FUNCTIONALS = ("mean", "std", "p20", "p50", "p80", "range20_80", "slope", "skew",
                     "kurtosis")
LOGISTIC_C = 0.01
# The robust statistics model (issue 21): clips at one speech level, and
# copies of every training clip altered by RandomCorruption. Chosen on an
# inner 3-fold split of the training speakers of accuracy.py's first fold
# of RAVDESS and EmoDB (benchmarks/robust_search.py): the most accurate on
# altered audio among the candidates within 1 point of the best clean UA.
# Two copies first; four won the follow-up by the same rule (+1.0 altered,
# +5.5 under white noise at 10 dB SNR, clean +0.3). Speaker-normalised
# candidates, ranked apart by the same rule, kept the issue-14 model
# (robust=None is False with speaker_normalize=True).
STATS_ROBUST_COPIES = 4
# Its MFCCs are root cepstra (the cube root of the mel power, not its log):
# broadband noise moved them less, and on the nested inner splits of
# RAVDESS and EmoDB (benchmarks/noise_cepstra.py) they were the most accurate
# on altered audio within 1 point of the log's clean UA.
STATS_CEPSTRAL_ROOT = 3.0
# Its spectral contrast compares the cube roots of each band's peak and
# valley power, not their dB: on the same splits (noise_contrast.py), the
# most accurate on altered audio within 1 point of librosa's clean UA.
STATS_CONTRAST_ROOT = 3.0
# The ensemble's statistics member reads root cepstra when robust (its
# contrast stays librosa's): on the same nested inner splits, with the
# member as the ensemble builds it (benchmarks/member_roots.py), root
# cepstra were the most accurate on altered audio within 1 point of the
# best clean UA; both roots were not. Then measured on every outer fold
# of robustness.py and cross_corpus.py before adoption (docs/robustness.md).
ENSEMBLE_STATS_CEPSTRAL_ROOT = 3.0
# The ensemble's (and the robust sequence network's): two, as measured in
# every stored row of theirs; four were searched for the statistics model
# alone, and the ensemble's rows cost hours a corpus to recompute.
ROBUST_COPIES = 2
# Band-limited clips (a phone line's 8 kHz rate) hold next to no power above
# half of it: narrowband_expert's rule (BandwidthExperts' default).
NARROWBAND_CUTOFF_HZ = 4000.0


class Pipeline(imblearn_pipeline.Pipeline):
    """imbalanced-learn's `Pipeline`, with per-sample fit parameters that
    follow the rows a sampler adds or removes.

    imbalanced-learn routes the fit parameters once, before any step runs,
    and a sampler hands on only X and y (imbalanced-learn issue #457): a
    ``sample_weight`` for the classifier, or the ``groups`` of a step after
    `AugmentedCopies`, would keep the length of the original clips. Here a
    sampler that says where its rows come from, in ``sample_indices_`` (the
    attribute imbalanced-learn's `RandomOverSampler` and `RandomUnderSampler`
    also set: for each output row, the index of its input row), gets every
    per-sample parameter of the steps after it indexed the same way, with or
    without metadata routing. `AugmentedCopies` sets it, so weights and groups
    come out repeated in the order of the copies.

    A parameter is per-sample when it is array-like with one entry per row
    entering the sampler (scikit-learn's rule for fit parameters in
    cross-validation); any other value is passed on as given. After a sampler
    without ``sample_indices_`` (e.g. SMOTE, whose rows are new), parameters
    are passed on unchanged, as in imbalanced-learn.

    A step after such samplers whose ``fit`` (or ``fit_transform``) takes
    ``copy_of`` (the `SoftVotingEnsemble`, `SpeakerStandardScaler`) gets it
    from the Pipeline: for each of its rows, the index of the input clip it
    is or copies. The ensemble, which splits its training rows to weigh its
    members, keeps a clip and its copies on one side with it, even when no
    ``groups`` are given, and hands it to its members that take it; the
    speaker scaler standardises each round of a speaker's copies apart
    from its originals; the gated classifier tells originals from copies. A Pipeline that
    is itself given ``copy_of`` in ``fit`` (a member of the
    `SoftVotingEnsemble`, fitted on the rows of the pipeline around it)
    starts from it: its steps that take ``copy_of`` get the clip each row
    of theirs is or copies in the data the outer pipeline was given.

    Parameters, methods and attributes are those of
    `imblearn.pipeline.Pipeline`; ``fit`` also takes ``copy_of``.
    """

    # The copy_of given to the fit in progress (None: the rows are clips).
    _given_copy_of = None

    def fit(self, X, y=None, copy_of=None, **params):
        """Fit every step in turn, as `imblearn.pipeline.Pipeline.fit` does.

        Parameters
        ----------
        X : iterable [shape=(n_rows, ...)]
            Training data, the first step's input.
        y : array-like [shape=(n_rows,)] or None, default=None
            Labels.
        copy_of : array-like [shape=(n_rows,)] or None, default=None
            For each row of ``X``, the index of the clip it is or copies (as
            a `Pipeline` hands it to its steps after `AugmentedCopies`): the
            steps whose ``fit`` or ``fit_transform`` take ``copy_of`` get it,
            indexed by the samplers before them. None: every row is a clip
            of its own, until a sampler adds copies.
        **params : dict
            Fit parameters, as in `imblearn.pipeline.Pipeline.fit` (with
            metadata routing, the ones the steps request; without, keyed
            ``step__parameter``).

        Returns
        -------
        self : Pipeline
        """
        if copy_of is not None:
            copy_of = np.asarray(copy_of)
            n_rows = _num_samples(X)
            if copy_of.shape != (n_rows,):
                raise ValueError(f"copy_of has shape {copy_of.shape} for {n_rows} rows of X; "
                                 "give one clip index per row.")
        self._given_copy_of = copy_of
        try:
            return super().fit(X, y, **params)
        finally:
            # An attribute of the fit in progress only: clones, pickles and
            # get_params never see it.
            del self._given_copy_of

    def _check_method_params(self, method, props, **kwargs):
        routed = super()._check_method_params(method, props, **kwargs)
        if not isinstance(routed, dict):
            # scikit-learn's stand-in when routing is enabled and nothing is
            # passed (every step gets no parameters; it answers any key, so
            # ``in`` and iteration over it never end): a dict of the same,
            # which `_fit` can fill with the parameters the Pipeline adds.
            routed = Bunch(**{name: routed[name] for name, _ in self.steps})
        return routed

    def _fit(self, X, y=None, routed_params=None, raw_params=None):
        # routed_params is a dict: `_check_method_params` makes it one.
        following = _RowsFollowSamplers(self, routed_params, _num_samples(X),
                                        self._given_copy_of)
        Xt, yt = super()._fit(X, y, following, raw_params)
        # fit, fit_transform, fit_predict and fit_resample read the last
        # step's parameters from routed_params once _fit has returned.
        last = self.steps[-1][0]
        if last in routed_params:
            routed_params[last] = following[last]
        return Xt, yt


class _RowsFollowSamplers(Mapping):
    """The routed fit parameters of each step, indexed by the
    ``sample_indices_`` of the samplers before it.

    Read lazily: imbalanced-learn's ``_fit`` looks up a step's parameters
    just before fitting it, after the samplers before it have resampled the
    data of this fit (and set their ``sample_indices_``).
    """

    def __init__(self, pipeline, routed_params, n_samples, copy_of=None):
        self._pipeline = pipeline
        self._routed = routed_params
        self._n_samples = n_samples
        self._copy_of = copy_of

    def __getitem__(self, name):
        params = self._routed[name]
        n_rows = self._n_samples
        copy_of = self._copy_of
        for step_name, step in self._pipeline.steps:
            if step_name == name:
                if copy_of is not None:
                    # fit for a classifier, fit_transform for a scaler.
                    params = Bunch(**{**params, **{
                        method: {"copy_of": copy_of, **params[method]}
                        for method in ("fit", "fit_transform")
                        if method in params and method_takes(step, method, "copy_of")}})
                break
            if not hasattr(step, "fit_resample"):
                continue
            indices = getattr(step, "sample_indices_", None)
            if indices is None:
                break
            copy_of = np.asarray(indices) if copy_of is None else copy_of[indices]
            params = Bunch(**{
                method: {key: _safe_indexing(value, indices)
                         if _is_arraylike_not_scalar(value) and _num_samples(value) == n_rows
                         else value
                         for key, value in method_params.items()}
                for method, method_params in params.items()
            })
            n_rows = len(indices)
        return params

    def __iter__(self):
        return iter(self._routed)

    def __len__(self):
        return len(self._routed)


@dataclass(frozen=True)
class Kind:
    """How `make_ser_pipeline` builds one ``kind``: declared once in `KINDS`.

    Attributes
    ----------
    name : str
        The ``kind`` argument.
    features : callable or None
        ``features(sr, n_jobs)``: the ``features`` step. None for a kind
        whose members are other kinds (``members``).
    classifier : callable or None
        ``classifier(model, random_state)``: the ``clf`` step.
    models : tuple or None
        The ``model`` values the kind takes besides None (None: any, left
        to `CNNClassifier` to check); ``()``: only None.
    model_error : str
        The error for another ``model``, formatted with ``model``.
    copies : {"waveforms", "features"}
        Where augmented copies are made: from the trimmed waveforms, before
        the (robust: level and) features, or from the features, before the
        scaler (after it with ``speaker_normalize``).
    augmenters : callable or None
        ``augmenters(sr, robust, per_speaker)``: the augmenters of
        `AugmentedCopies`; ``per_speaker`` (robust with
        ``speaker_normalize``) asks for one channel per speaker and round.
    augment : {"always", "robust"}
        What ``augment=None`` means: True, or True only when robust.
    robust : {"default", "optional", "never"}
        What ``robust`` the kind takes: True by default (False with
        ``speaker_normalize``), False by default, or never True.
    members : tuple of str
        For a kind that votes with other kinds: their names.
    robust_copies : int
        What ``n_copies=None`` means when robust.
    retrim : bool
        Robust: pass every altered copy through `TrimPad` again, as a
        recording altered before it is trimmed would be (noise no longer
        fills the copy's padding).
    robust_classifier : callable or None
        ``robust_classifier(model, random_state)``: the ``clf`` step when
        robust with copies (None: ``classifier``).
    robust_features : dict
        Parameters set on the ``features`` step when robust.
    robust_member_features : dict
        For a voting kind: member name -> parameters set on that member's
        ``features`` step when robust (its members are built clean-trained,
        so their own ``robust_features`` do not apply).
    """

    name: str
    features: Callable | None = None
    classifier: Callable | None = None
    models: tuple | None = ()
    model_error: str = ""
    copies: str = "waveforms"
    augmenters: Callable | None = None
    augment: str = "robust"
    robust: str = "never"
    members: tuple = ()
    robust_copies: int = ROBUST_COPIES
    retrim: bool = False
    robust_classifier: Callable | None = None
    robust_features: Mapping = field(default_factory=dict)
    robust_member_features: Mapping = field(default_factory=dict)


def _stats_features(sr, n_jobs):
    return FrameFeatures1D(sr=sr, features=STATS_FEATURES, deltas=True, n_jobs=n_jobs,
                           aggregate=STATS_FUNCTIONALS)


def _sequence_features(sr, n_jobs):
    return FrameFeatures1D(sr=sr, features=STATS_FEATURES, deltas=True, n_jobs=n_jobs,
                           aggregate=None)


def _waveform_augmenters(sr, robust, per_speaker=False):
    # Robust: noise, rooms, phone lines, codecs, gains and rates; else the
    # course recipe's noise and shift. Per speaker: one corruption for all of
    # a speaker's clips in each round, as a test speaker's clips share a
    # channel, so that the per-speaker scaler sees copies as it will see
    # test speakers.
    if not robust:
        return [AddNoise(), TimeShift(sr=sr)]
    return [RandomCorruption(sr=sr, draw="group" if per_speaker else "clip")]


def _logistic(model, random_state):
    # Balanced class weights: the metric is UA, and corpora are not
    # balanced (RAVDESS has half as many neutral clips).
    return LogisticRegression(C=LOGISTIC_C, class_weight="balanced", max_iter=2000)


def _gated_logistic(model, random_state):
    # A clean expert on the original clips, a robust one on every row, mixed
    # by a detector of originals against altered copies (issue 21,
    # benchmarks/robust_classifiers.py): the copies' robustness without
    # their clean cost. Each expert standardises its own rows.
    # The plain regression with more iterations, as it was measured.
    return ConditionGatedClassifier(estimator=make_pipeline(
        StandardScaler(), _logistic(model, random_state).set_params(max_iter=3000)))


def _cnn(model, random_state):
    return CNNClassifier(model=model or "lenet5", random_state=random_state, **TRAINING)


#: The kinds of `make_ser_pipeline`, in the order its errors list them.
KINDS = {kind.name: kind for kind in (
    Kind(
        "stats", features=_stats_features, classifier=_logistic,
        model_error='model={model!r} names a CNN, but kind="stats" classifies pooled '
                    'statistics with a logistic regression; use kind="2d" or "1d" for a CNN.',
        augmenters=_waveform_augmenters, robust="default", robust_copies=STATS_ROBUST_COPIES,
        retrim=True, robust_classifier=_gated_logistic,
        robust_features={"cepstral_root": STATS_CEPSTRAL_ROOT,
                         "contrast_root": STATS_CONTRAST_ROOT}),
    Kind(
        "1d", features=lambda sr, n_jobs: FrameFeatures1D(sr=sr, n_jobs=n_jobs),
        classifier=_cnn, models=None, augmenters=_waveform_augmenters, augment="always"),
    Kind(
        "2d", features=lambda sr, n_jobs: MelSpectrogram2D(
            sr=sr, n_mels=N_MELS, hop_length=HOP_LENGTH, n_jobs=n_jobs),
        classifier=_cnn, models=None, copies="features",
        augmenters=lambda sr, robust, per_speaker: [make_pipeline(FrequencyMask(), TimeMask())],
        augment="always"),
    Kind(
        # The sequence network masks its input itself, batch by batch: no
        # copies unless robust.
        "sequence", features=_sequence_features,
        classifier=lambda model, random_state: CNNClassifier(
            random_state=random_state, **SEQUENCE_TRAINING),
        models=("attention_gru",),
        model_error='model={model!r} is a CNN; kind="sequence" trains the "attention_gru" '
                    'network on frame features. Use kind="1d" or "2d" for a CNN.',
        augmenters=_waveform_augmenters, robust="optional"),
    Kind(
        "ensemble",
        model_error='model={model!r} names a CNN; kind="ensemble" votes with the '
                    'statistics model and the "attention_gru" network.',
        # Its own copies (two, not retrimmed), as every stored row of it.
        augmenters=_waveform_augmenters, robust="default", members=("stats", "sequence"),
        robust_member_features={"stats": {"cepstral_root": ENSEMBLE_STATS_CEPSTRAL_ROOT}}),
)}


def _quoted(names, conjunction="or"):
    """``"a", "b" or "c"`` (``conjunction`` between the last two)."""
    names = [f'"{n}"' for n in names]
    return (names[0] if len(names) == 1
            else f"{', '.join(names[:-1])} {conjunction} {names[-1]}")


def make_ser_pipeline(
    kind="ensemble", *, model=None, sr=16000, duration=3.0, max_duration=30.0, augment=None,
    n_copies=None, memory=None, n_jobs=None, random_state=None, verbose=False,
    speaker_normalize=False, adapt=False, robust=None, narrowband_expert=False, **options,
):
    """Build the standard speech-emotion pipeline from file paths to labels.

    The result is a `Pipeline` (imbalanced-learn's subclass of
    scikit-learn's `Pipeline`, which also runs samplers): it takes a list of
    audio file paths (or waveforms) and labels, and works with
    `GridSearchCV`, `cross_val_score` (with ``groups`` for speakers) and
    `joblib.dump`. Augmented copies are added while fitting only; prediction
    and scoring see each clip once, unaugmented.

    Parameters
    ----------
    kind : {"ensemble", "stats", "2d", "1d", "sequence"}, default="ensemble"
        ``"stats"``: 20 frame features of `FrameFeatures1D` (all but ``mel``
        and ``chroma``: MFCC, spectral contrast, pitch, voicing, HNR, jitter,
        shimmer, loudness, spectral shape, ...) and their deltas, pooled by
        nine functionals (mean, std, 20th/50th/80th percentiles, 20-80
        range, slope, skewness, kurtosis), ``(n, 828)``, standardised, and a
        `LogisticRegression` (``C=0.01``, balanced class weights); robust
        by default (``robust``: clips at one speech level, root cepstra
        (``cepstral_root=3``) in place of the MFCCs' log and the cube roots
        of spectral contrast's peaks and valleys (``contrast_root=3``) in
        place of their dB, trained on the
        clips and four altered copies of each, trimmed again after they
        are altered, and classified by a `ConditionGatedClassifier`: a
        logistic regression of the clean clips and one of every row, mixed
        per clip by how clean it looks); it trains in about two minutes on
        a thousand clips (2 cores) and needs no TensorFlow. ``"2d"``:
        log-mel images and a 2-D CNN; ``"1d"``: per-frame features (the
        course recipe's seven) and a 1-D CNN.
        ``"sequence"``: the statistics pipeline's frame features and deltas
        per frame, ``(n, 188, 92)``, and a sequence network
        (``model="attention_gru"``: convolutions, a bidirectional GRU,
        attention pooling) trained with AdamW and SpecAugment-style masks.
        ``"ensemble"``, the default and the best row over both corpora in
        ``docs/results.md``: ``load`` and ``trim``, then a `SoftVotingEnsemble`
        (step ``clf``) of two members, ``stats`` and ``sequence``, each the
        ``features, scale, clf`` of that kind, weighted by an inner
        3-fold split of the training clips (``clf__weights="auto"``; over
        speakers when ``fit`` gets ``groups``, by metadata routing or as
        ``clf__groups``); members' parameters are ``clf__stats__clf__C``
        and so on. Robust by default: the ``augment`` and ``level`` steps of
        the robust statistics model come before the vote, so both members
        train on the clips and their altered copies, at one speech level,
        and the statistics member reads root cepstra
        (``clf__stats__features__cepstral_root=3.0``; its spectral contrast
        and its single logistic regression are the clean-trained kind's). It
        needs TensorFlow and costs about 15 times the clean-trained
        statistics model's training time (each member is fitted four times,
        on three times the clips when robust; ``docs/robustness.md`` gives
        the minutes a fold takes).
    model : {"lenet5", "alexnet", "vgg16", "custom"} or None, default=None
        CNN architecture (`CNNClassifier`'s ``model``) of the CNN kinds;
        None means ``"lenet5"``. Must be None with ``kind="stats"``. The classifier is
        built with ``learning_rate=3e-4, dropout=0.5, patience=15`` (not
        `CNNClassifier`'s own defaults); 2-D features are 64 mel bands at a
        512-sample hop, ``(n, 64, 94, 1)`` for 3 s at 16 kHz. These won the
        speaker-independent comparison in ``docs/results.md`` within a CPU
        budget; change any with ``**options``.
    sr : int, default=16000
        Sampling rate every clip is resampled to, in Hz.
    duration : float, default=3.0
        Length every clip is trimmed and padded to, in seconds.
    max_duration : float or None, default=30.0
        Read at most this many seconds of each file (`AudioLoader`'s
        ``duration``); None reads whole files. It bounds the memory and time
        a long recording costs: an hour-long file is read as its first
        ``max_duration`` seconds, not decoded whole. `TrimPad` then trims and
        centres within those seconds. Must be at least ``duration``.
    augment : bool or None, default=None
        Train on the originals plus augmented copies; with False the
        ``augment`` step is ``"passthrough"``. None means True for the CNN
        kinds (the course recipe's copies: noise and shift for 1-D, masks
        for 2-D), True for the robust statistics model (copies altered by
        `RandomCorruption`) and False otherwise (noise and shift copies of
        the waveforms are available to ``robust=False`` statistics with
        True).
    n_copies : int or None, default=None
        Rounds of augmented copies (`AugmentedCopies`'s ``n_copies``); None
        means 4 for the robust statistics model (chosen on an inner split,
        ``docs/robustness.md``), 2 for the robust ensemble and sequence
        network, and 1 otherwise.
    memory : str, os.PathLike, joblib.Memory or None, default=None
        Cache of fitted transformers, as in `Pipeline`, so a grid over
        classifier parameters does not recompute features. The loaded audio
        is cached by path: clear the cache after changing the audio files.
    n_jobs : int or None, default=None
        Parallel jobs for loading and feature extraction (joblib).
    random_state : int, RandomState instance or None, default=None
        Seed of augmentation and of the network.
    verbose : bool, default=False
        Print the time each step takes.
    speaker_normalize : bool, default=False
        Make the ``scale`` step a `SpeakerStandardScaler`: features are
        standardised per speaker, given as ``groups`` through metadata
        routing (``sklearn.set_config(enable_metadata_routing=True)``, then
        ``pipe.fit(X, y, groups=g)`` and ``pipe.predict(X_new, groups=g_new)``).
        At prediction it uses each test speaker's unlabelled clips: a clip's
        prediction then depends on the other clips of its speaker passed in
        the same call. ``pipe.predict(X_new)`` without groups uses the
        average speaker's statistics learned in fit. With ``kind="2d"`` the
        scaler comes before ``augment``, where rows still match ``groups``
        (the masks are applied to standardised clips). With
        ``robust=True`` the statistics model's altered copies keep their
        original's speaker (skser's `Pipeline` repeats ``groups`` with the
        rows), each round of a speaker's copies is altered through one
        channel (``RandomCorruption(draw="group")``) and standardised as a
        group of its own, as a test speaker's clips share one channel. With
        ``kind="1d"``, or statistics with ``robust=False``, it needs
        ``augment=False``.
    adapt : bool, default=False
        Make the ``scale`` step a `DomainStandardScaler`: features are
        standardised per recording domain, given as ``domains`` through
        metadata routing. Fit with the corpus of each training clip
        (``pipe.fit(X, y, domains=corpus)``); predict a batch of the user's
        clips from one source as one domain (``pipe.predict(X_new,
        domains=np.zeros(len(X_new)))``: adapted to their microphone, room,
        language and speakers, from their unlabelled clips; ``skser predict
        --adapt``), or without ``domains`` (the average training domain).
        Adaptation across corpora, ``docs/cross_corpus.md``; it keeps
        ``robust``'s default. Not with ``speaker_normalize``.
    robust : bool or None, default=None
        Train for recordings made outside a studio (issue 21,
        ``docs/robustness.md``): a ``level`` step (`LevelNormalizer`) puts
        every clip at one speech level before the features, so the gain of
        the microphone no longer matters, and ``augment`` (unless
        ``augment=False``) adds ``n_copies`` copies of the training clips
        altered by `RandomCorruption` (noise, babble, hum, rooms, phone
        lines, codecs, gains, sample rates: multi-condition training). The
        statistics model trims and pads each copy again after altering it,
        computes root cepstra and root contrast, which broadband noise
        moves less than the MFCCs' log and librosa's contrast in dB
        (``features__cepstral_root=3.0``, ``features__contrast_root=3.0``),
        and gates two logistic regressions (`ConditionGatedClassifier`, step
        ``clf``; its experts' parameters are ``clf__estimator__...``).
        None
        means True for ``"stats"`` and ``"ensemble"`` (the default), False
        for ``"sequence"`` (True trains it the same way) and the CNNs (which
        refuse True: they were not measured this way), and False with
        ``speaker_normalize=True``: standardising each speaker with their
        own clips already removes much of a channel's effect, and the
        search (``benchmarks/robust_search.py``) kept the clean-trained
        model there: altered copies, even with one channel per speaker
        and round (what ``robust=True`` builds with
        ``speaker_normalize=True``), cost it 1.7 points of clean UA on the
        nested inner splits, for 3.8 more on altered clips.
    narrowband_expert : bool, default=False
        Classify band-limited clips (phone calls, files recorded at 8 kHz:
        less than -50 dB of their power above 4 kHz) with a second model of
        the same kind trained behind a phone line's band: the pipeline
        becomes ``load, clf``, its ``clf`` a `BandwidthExperts` whose
        ``wideband`` expert is the rest of the pipeline as built
        (``clf__wideband__features__...``) and whose ``narrowband`` expert
        is a `BandPass` (300-3400 Hz) in front of a clone of it
        (``clf__narrowband__...``). Training costs twice as much;
        prediction runs one expert per clip, and wideband clips get exactly
        the predictions of the pipeline without it. ``docs/robustness.md``
        measures what it gains on phone lines. Not with
        ``speaker_normalize`` or ``adapt``, whose speakers and domains it
        does not pass on.
    **options
        ``step__parameter=value`` settings applied with ``set_params``, e.g.
        ``features__n_mels=64`` or ``clf__epochs=20`` (the ensemble's:
        ``clf__sequence__clf__epochs=20``).

    Returns
    -------
    pipeline : skser.pipeline.Pipeline
        imbalanced-learn's Pipeline that also repeats per-sample fit
        parameters (``clf__sample_weight``) for the augmented copies. Steps
        ``load, trim, augment, level, clf`` (the ensemble, the default;
        ``load, trim, clf`` with ``robust=False``), ``load, trim, augment,
        level, features, scale, clf`` (statistics, and sequence with
        ``robust=True``), ``load, trim, augment, features, scale, clf``
        (sequence, 1-D, and statistics with ``robust=False``) or
        ``load, trim, features, augment, scale, clf`` (2-D; ``load, trim,
        features, scale, augment, clf`` with ``speaker_normalize=True``).

    Examples
    --------
    >>> from skser import make_ser_pipeline
    >>> [name for name, _ in make_ser_pipeline().steps]  # the ensemble
    ['load', 'trim', 'augment', 'level', 'clf']
    >>> pipe = make_ser_pipeline("2d", model="custom", features__n_mels=128)
    >>> [name for name, _ in pipe.steps]
    ['load', 'trim', 'features', 'augment', 'scale', 'clf']
    """
    if narrowband_expert not in (True, False):
        raise ValueError(f"narrowband_expert must be True or False; got {narrowband_expert!r}.")
    if narrowband_expert and sr <= 2 * NARROWBAND_CUTOFF_HZ:
        raise ValueError(
            f"narrowband_expert=True tells band-limited clips by their power above "
            f"{NARROWBAND_CUTOFF_HZ:g} Hz, which sr={sr!r} cannot hold; use sr above "
            f"{2 * NARROWBAND_CUTOFF_HZ:g} (16000, the default).")
    if narrowband_expert and (speaker_normalize or adapt):
        raise ValueError(
            "narrowband_expert=True sends each clip to one of two models, and passes no "
            "speakers or domains on to them: it does not work with "
            f"{'speaker_normalize' if speaker_normalize else 'adapt'}=True.")
    pipeline = _pipeline_of_kind(
        kind, model=model, sr=sr, duration=duration, max_duration=max_duration,
        augment=augment, n_copies=n_copies, memory=memory, n_jobs=n_jobs,
        random_state=random_state, verbose=verbose, speaker_normalize=speaker_normalize,
        adapt=adapt, robust=robust, options=options)
    return _with_narrowband_expert(pipeline, sr=sr) if narrowband_expert else pipeline


def _with_narrowband_expert(pipeline, *, sr):
    """``load, clf``: the loader, then `BandwidthExperts` of the rest of
    ``pipeline`` (wideband) and `BandPass` in front of a clone of it."""
    (load_name, load), *rest = pipeline.steps
    wideband = Pipeline(rest, memory=pipeline.memory, verbose=pipeline.verbose)
    narrowband = Pipeline([("band", BandPass(sr=sr)), *clone(wideband).steps],
                          memory=pipeline.memory, verbose=pipeline.verbose)
    experts = BandwidthExperts(wideband=wideband, narrowband=narrowband, sr=sr,
                               cutoff=NARROWBAND_CUTOFF_HZ)
    return Pipeline([(load_name, load), ("clf", experts)],
                    memory=pipeline.memory, verbose=pipeline.verbose)


def _pipeline_of_kind(kind, *, model, sr, duration, max_duration, augment, n_copies, memory,
                      n_jobs, random_state, verbose, speaker_normalize, adapt, robust, options):
    """`make_ser_pipeline` without ``narrowband_expert``."""
    spec = KINDS.get(kind) if isinstance(kind, str) else None
    if spec is None:
        raise ValueError(f"kind must be {_quoted(KINDS)}; got {kind!r}.")
    if adapt and speaker_normalize:
        raise ValueError(
            "adapt=True and speaker_normalize=True both choose the scale step: adapt "
            "standardises per recording domain (domains=), speaker_normalize per speaker "
            "(groups=); choose one.")
    if model is not None and spec.models is not None and model not in spec.models:
        raise ValueError(spec.model_error.format(model=model))
    if robust is None:
        # Per speaker, the scaler already adapts to each speaker's channel; on
        # the nested inner splits the altered copies (one channel per speaker
        # and round) cost it 1.7 points of clean UA (docs/robustness.md).
        robust = spec.robust == "default" and not speaker_normalize
    if n_copies is None:
        n_copies = spec.robust_copies if robust else 1
    if spec.members:
        return _ensemble_pipeline(
            spec, sr=sr, duration=duration, max_duration=max_duration,
            augment=augment, n_copies=n_copies, memory=memory, n_jobs=n_jobs,
            random_state=random_state, verbose=verbose, speaker_normalize=speaker_normalize,
            adapt=adapt, robust=robust, options=options)
    if robust and spec.robust == "never":
        robust_kinds = [k.name for k in KINDS.values() if k.robust != "never"]
        raise ValueError(
            f"robust=True is available for kind={_quoted(robust_kinds, 'and')}"
            f"; the {kind!r} CNN is not trained on altered copies (docs/robustness.md).")
    if augment is None:
        augment = spec.augment == "always" or robust
    if speaker_normalize and augment and spec.copies == "waveforms" and not robust:
        raise ValueError(
            f"speaker_normalize=True needs augment=False with kind={kind!r}: augmented "
            "waveform copies are added before the features, and groups name no speaker "
            "for them, so they cannot be standardised per speaker."
        )
    _check_max_duration(max_duration, duration)
    features = ("features", spec.features(sr, n_jobs))
    if robust:
        features[1].set_params(**spec.robust_features)
    augmentation = _augment_step(spec, sr=sr, duration=duration, augment=augment,
                                 n_copies=n_copies, random_state=random_state, robust=robust,
                                 per_speaker=robust and speaker_normalize)
    scale = ("scale", SpeakerStandardScaler() if speaker_normalize
             else DomainStandardScaler() if adapt else StandardScalerND())
    steps = [
        ("load", AudioLoader(sr=sr, duration=max_duration, n_jobs=n_jobs)),
        ("trim", TrimPad(sr=sr, duration=duration)),
    ]
    if spec.copies == "features" and speaker_normalize:
        # Per speaker, scale before the copies: groups match the rows only there.
        steps += [features, scale, augmentation]
    elif spec.copies == "features":
        steps += [features, augmentation, scale]
    else:
        # Level after the copies: altered copies are brought to one level too.
        # The speakers of the copies are those of their originals: skser's
        # Pipeline repeats groups by AugmentedCopies' sample_indices_.
        level = [("level", LevelNormalizer(sr=sr))] if robust else []
        steps += [augmentation, *level, features, scale]
    classifier = (spec.robust_classifier if robust and augment and spec.robust_classifier
                  else spec.classifier)
    steps.append(("clf", classifier(model, random_state)))
    if isinstance(memory, os.PathLike):
        # scikit-learn's Pipeline takes a folder as str only.
        memory = os.fspath(memory)
    pipeline = Pipeline(steps, memory=memory, verbose=verbose)
    if options:
        pipeline.set_params(**options)
    return pipeline


def _augment_step(spec, *, sr, duration, augment, n_copies, random_state, robust,
                  per_speaker=False):
    """The ``augment`` step of ``spec``: `AugmentedCopies` of its
    augmenters (robust and ``spec.retrim``: each followed by `TrimPad`;
    ``per_speaker``: one channel per speaker and round), or
    ``"passthrough"`` without ``augment``."""
    if not augment:
        return ("augment", "passthrough")
    augmenters = spec.augmenters(sr, robust, per_speaker)
    if robust and spec.retrim:
        augmenters = [make_pipeline(a, TrimPad(sr=sr, duration=duration)) for a in augmenters]
    return ("augment", AugmentedCopies(augmenters=augmenters, n_copies=n_copies,
                                       random_state=random_state))


def _check_max_duration(max_duration, duration):
    if max_duration is None:
        return
    if (isinstance(max_duration, bool) or not isinstance(max_duration, Real)
            or not 0 < max_duration < math.inf):
        raise ValueError(
            "max_duration must be a positive, finite number of seconds or None "
            f"(to read whole files); got {max_duration!r}."
        )
    if isinstance(duration, Real) and max_duration < duration:
        raise ValueError(
            f"max_duration={max_duration!r} is shorter than duration={duration!r}: "
            f"clips would be cut to {max_duration!r} s and padded back with "
            "silence; use max_duration >= duration, or None to read whole files."
        )


def _ensemble_pipeline(spec, *, sr, duration, max_duration, augment, n_copies, memory,
                       n_jobs, random_state, verbose, speaker_normalize, adapt, robust,
                       options):
    """A voting kind (``"ensemble"``): load and trim once (and, robust, add
    the altered copies and level every clip once), then a
    `SoftVotingEnsemble` of its members' features, scaler and classifier."""
    if not robust and (augment or n_copies not in (None, 1)):
        raise ValueError(f'kind="{spec.name}" with robust=False takes no augmented copies '
                         '(augment=None or False, n_copies=None or 1): the sequence member '
                         'masks its input itself.')
    # Each member is its kind's pipeline after load, trim and augment; the
    # ensemble loads and trims once, with the first member's steps.
    full = {kind: make_ser_pipeline(kind, sr=sr, duration=duration, max_duration=max_duration,
                                    augment=False, n_jobs=n_jobs, random_state=random_state,
                                    speaker_normalize=speaker_normalize, adapt=adapt,
                                    robust=False)
            for kind in spec.members}
    if robust:
        for kind, params in spec.robust_member_features.items():
            full[kind].named_steps["features"].set_params(**params)
    members = [(kind, Pipeline(p.steps[3:], verbose=verbose)) for kind, p in full.items()]
    if isinstance(memory, os.PathLike):
        memory = os.fspath(memory)
    steps = full[spec.members[0]].steps[:2]
    if robust:
        # Shared: every member trains on the clips and the ensemble's altered
        # copies, at one speech level.
        augment = True if augment is None else augment
        steps = [*steps,
                 _augment_step(spec, sr=sr, duration=duration, augment=augment,
                               n_copies=n_copies, random_state=random_state, robust=True),
                 ("level", LevelNormalizer(sr=sr))]
    pipeline = Pipeline([*steps,
                         ("clf", SoftVotingEnsemble(estimators=members, weights="auto"))],
                        memory=memory, verbose=verbose)
    if options:
        pipeline.set_params(**options)
    return pipeline
