"""scikit-learn API conformance of every public skser estimator.

As in imbalanced-learn's ``test_common.py``: scikit-learn's own estimator
checks run on every estimator that takes 2-D input, with a small table of fast
init parameters. The checks feed small random tables (e.g. 20 rows x 3
columns, negative, integer or float64 values), so each step is configured for
a few samples per clip.

Estimators that do not take 2-D input (paths, 3-D/4-D features, a sampler, the
CNN) get the data-free API checks and skser's own equivalents: clone and
parameter round trips, keyword-only signatures, documented parameters, and a
``ValueError``/``TypeError`` naming each parameter for an invalid value.
"""

import inspect
import re

import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.linear_model import LogisticRegression
from sklearn.utils import estimator_checks as ec
from sklearn.utils.estimator_checks import parametrize_with_checks

import skser
from skser import (
    AddNoise,
    AudioLoader,
    AugmentedCopies,
    BandPass,
    BandwidthExperts,
    CNNClassifier,
    ConditionGatedClassifier,
    SoftVotingEnsemble,
    EnergyVAD,
    FrameFeatures1D,
    FrequencyMask,
    LevelNormalizer,
    MelSpectrogram2D,
    RandomCorruption,
    DomainStandardScaler,
    SpeakerStandardScaler,
    SpeechDetector,
    StandardScalerND,
    TimeMask,
    TimeShift,
    TrimPad,
)

# ---------------------------------------------------------------------------
# scikit-learn's checks on the 2-D estimators
# ---------------------------------------------------------------------------

# Fast parameters for inputs of a handful of samples per clip. The spectral
# steps use n_fft=16: with it the mel filterbank product gives bit-identical
# clips whatever the batch layout, which the subset/order invariance checks
# require at rtol=1e-7 on float32 output. FrameFeatures1D runs at sr=2000 so
# that a 16-point FFT (125 Hz bins) still puts a bin in spectral contrast's
# first octave band, 200-400 Hz.
TWO_D_ESTIMATORS = [
    StandardScalerND(),
    SpeakerStandardScaler(),
    DomainStandardScaler(),
    TrimPad(sr=100, duration=0.05, frame_length=4, hop_length=2),
    FrameFeatures1D(
        sr=2000, n_mfcc=3, n_mels=4, n_chroma=4, n_bands=2, n_fft=16, hop_length=8,
    ),
    # The voice and spectral-shape members, pooled into functionals (a 2-D table).
    FrameFeatures1D(
        sr=2000, features=("f0", "hnr", "jitter", "loudness", "centroid", "flux"),
        deltas=("f0",), n_mels=4, n_fft=16, hop_length=8, f0_min=260.0, f0_max=900.0,
        aggregate="functionals",
    ),
    MelSpectrogram2D(sr=8000, n_mels=4, n_fft=16, hop_length=8),
    AddNoise(random_state=0),
    TimeShift(sr=100, max_shift_seconds=0.02, random_state=0),
    RandomCorruption(corruptions=["gain", "white_noise"], sr=100, random_state=0),
    LevelNormalizer(sr=100),
    BandPass(sr=2000, low=100.0, high=400.0),
    ConditionGatedClassifier(),
]

# Checks that assert scikit-learn's exact error wording. skser's messages say
# what was expected in its own terms (clips, samples, shapes), as STYLE.md asks.
_OWN_WORDING = {
    "check_estimators_empty_data_messages": (
        "skser names the empty axis and the expected shape ('X has an empty axis "
        "(shape (12, 0)); expected ...') instead of scikit-learn's '0 feature(s) "
        "... while a minimum of 1 is required'"
    ),
    "check_fit2d_predict1d": (
        "skser states the expected shape ('X must be an array of shape (n_clips, n_samples); "
        "got an array of shape (3,)') instead of scikit-learn's 'Reshape your data'"
    ),
    "check_complex_data": (
        "a non-real dtype is a TypeError in skser ('X has dtype complex128; expected "
        "real numbers'); the check wants ValueError('Complex data not supported')"
    ),
}

_AUGMENTS_IN_FIT_TRANSFORM = (
    "by design an augmenter perturbs the rows in fit_transform (training) and "
    "returns them unchanged in transform (prediction), so fit_transform(X) != "
    "fit(X).transform(X)"
)
_STATELESS_AUGMENTER = (
    "augmenters learn nothing and pass X through at prediction; fit validates X "
    "but records no n_features_in_ (fit_transform never calls fit)"
)
_TRIMPAD_FIT_IGNORES_X = (
    "TrimPad is stateless like AudioLoader: fit validates only the parameters and "
    "ignores X, which may be a list of waveforms of any lengths (so there is no "
    "n_features_in_); transform validates X"
)


def _expected_failed_checks(estimator):
    """{check name: why it cannot pass by design} for one estimator."""
    failures = dict(_OWN_WORDING)
    if isinstance(estimator, (StandardScalerND, SpeakerStandardScaler)):
        failures["check_n_features_in_after_fitting"] = (
            "transform raises ValueError comparing clip shapes ('X has clips of shape "
            f"(1,), but {type(estimator).__name__} was fitted on clips of shape (4,)'), since 3-D "
            "and 4-D input have no single feature count; the check wants scikit-learn's "
            "'X has 1 features, but ... is expecting 4 features' wording"
        )
    if isinstance(estimator, (AddNoise, TimeShift, RandomCorruption)):
        failures["check_transformer_general"] = _AUGMENTS_IN_FIT_TRANSFORM
        failures["check_transformer_data_not_an_array"] = _AUGMENTS_IN_FIT_TRANSFORM
        failures["check_n_features_in"] = _STATELESS_AUGMENTER
        failures["check_n_features_in_after_fitting"] = _STATELESS_AUGMENTER
    if isinstance(estimator, BandPass):
        failures["check_transformer_data_not_an_array"] = (
            "a list is a list of waveforms of any lengths (what AudioLoader gives, "
            "before trimming) and comes back a list of filtered waveforms; the check "
            "wants an array back for a list of equal-length rows"
        )
    if isinstance(estimator, TrimPad):
        for check in (
            "check_complex_data", "check_estimator_sparse_tag",
            "check_estimators_empty_data_messages", "check_estimators_nan_inf",
            "check_fit1d", "check_n_features_in", "check_n_features_in_after_fitting",
        ):
            failures[check] = _TRIMPAD_FIT_IGNORES_X
        failures["check_dtype_object"] = (
            _TRIMPAD_FIT_IGNORES_X + ": fitting on an object array holding a dict "
            "cannot raise (today transform also rejects a numeric object array, a "
            "bug shared with the other steps' check_dtype_object)"
        )
        failures["check_fit2d_predict1d"] = (
            "transform says 'X must be a list of 1-D waveforms or a 2-D array "
            "(n_clips, n_samples)' instead of scikit-learn's 'Reshape your data'"
        )
    return failures


# Strict: an expected failure that starts passing must be removed from the table.
_STRICT = (
    {"xfail_strict": True}
    if "xfail_strict" in inspect.signature(parametrize_with_checks).parameters
    else {}
)


@parametrize_with_checks(
    TWO_D_ESTIMATORS, expected_failed_checks=_expected_failed_checks, **_STRICT
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


# ---------------------------------------------------------------------------
# Data-free API checks for the estimators that do not take 2-D input
# ---------------------------------------------------------------------------

OTHER_ESTIMATORS = [
    AudioLoader(sr=8000),
    FrequencyMask(max_bins=2, random_state=0),
    TimeMask(max_frames=2, random_state=0),
    AugmentedCopies(augmenters=[AddNoise(), TimeShift(sr=100)], random_state=0),
    CNNClassifier(width=0.05, epochs=1),
    SoftVotingEnsemble(estimators=[("lr", LogisticRegression())]),
    BandwidthExperts(wideband=LogisticRegression(), narrowband=LogisticRegression(), sr=2000,
                     cutoff=500.0),
    EnergyVAD(),
    SpeechDetector(),
]
ALL_ESTIMATORS = TWO_D_ESTIMATORS + OTHER_ESTIMATORS

# scikit-learn checks that never fit on data, or whose fit fails on parameter
# validation before any data is looked at (check_param_validation).
DATA_FREE_CHECKS = [
    ec.check_estimator_cloneable,
    ec.check_estimator_repr,
    ec.check_no_attributes_set_in_init,
    ec.check_parameters_default_constructible,
    ec.check_get_params_invariance,
    ec.check_set_params,
    ec.check_estimator_tags_renamed,
    ec.check_valid_tag_types,
    ec.check_mixin_order,
    ec.check_do_not_raise_errors_in_init_or_set_params,
    ec.check_param_validation,
]


def _name(estimator):
    return type(estimator).__name__


@pytest.mark.parametrize("check", DATA_FREE_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("estimator", OTHER_ESTIMATORS, ids=_name)
def test_api_check_passes_for_estimator_without_2d_input(estimator, check):
    check(_name(estimator), estimator)


# ---------------------------------------------------------------------------
# skser's own API tests, for every public estimator
# ---------------------------------------------------------------------------

def test_every_public_estimator_is_covered():
    public = {
        name for name in skser.__all__
        if inspect.isclass(getattr(skser, name))
        and issubclass(getattr(skser, name), BaseEstimator)
    }
    assert {_name(e) for e in ALL_ESTIMATORS} == public


def _same_value(a, b):
    if isinstance(a, BaseEstimator):
        return type(a) is type(b) and a is not b and _same_params(a, b)
    if isinstance(a, (list, tuple)):
        return (type(a) is type(b) and len(a) == len(b)
                and all(_same_value(x, y) for x, y in zip(a, b)))
    return type(a) is type(b) and a == b


def _same_params(a, b):
    pa, pb = a.get_params(deep=False), b.get_params(deep=False)
    return pa.keys() == pb.keys() and all(_same_value(pa[k], pb[k]) for k in pa)


@pytest.mark.parametrize("estimator", ALL_ESTIMATORS, ids=_name)
def test_clone_copies_every_parameter(estimator):
    copy = clone(estimator)
    assert copy is not estimator
    assert _same_params(copy, estimator)


@pytest.mark.parametrize("estimator", ALL_ESTIMATORS, ids=_name)
def test_set_params_of_own_params_returns_self_and_changes_nothing(estimator):
    est = clone(estimator)
    params = est.get_params(deep=False)
    assert est.set_params(**params) is est
    assert _same_params(est, estimator)


@pytest.mark.parametrize("estimator", ALL_ESTIMATORS, ids=_name)
def test_set_params_rejects_unknown_parameter_by_name(estimator):
    with pytest.raises(ValueError, match="no_such_param"):
        clone(estimator).set_params(no_such_param=1)


@pytest.mark.parametrize("estimator", ALL_ESTIMATORS, ids=_name)
def test_init_stores_parameters_untouched(estimator):
    """__init__ keeps the very objects it was given, so clone and grid search
    see what the user passed."""
    sentinels = {name: object() for name in estimator.get_params(deep=False)}
    est = type(estimator)(**sentinels)
    for name, value in sentinels.items():
        assert getattr(est, name) is value
    assert not [k for k in vars(est) if k not in sentinels]


@pytest.mark.parametrize("estimator", ALL_ESTIMATORS, ids=_name)
def test_all_init_parameters_are_keyword_only(estimator):
    params = list(inspect.signature(type(estimator).__init__).parameters.values())[1:]
    assert params, "an estimator without parameters needs no __init__"
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params), [
        p.name for p in params if p.kind is not inspect.Parameter.KEYWORD_ONLY
    ]


def _section(doc, title):
    """Text of a numpydoc section (up to the next section header), or None."""
    match = re.search(
        rf"^[ \t]*{title}\n[ \t]*-{{{len(title)}}}\n(.*?)(?=^[ \t]*\w[\w ]*\n[ \t]*-{{3,}}\n|\Z)",
        inspect.cleandoc(doc or ""), re.M | re.S,
    )
    return None if match is None else match.group(1)


@pytest.mark.parametrize("estimator", ALL_ESTIMATORS, ids=_name)
def test_class_docstring_documents_every_parameter(estimator):
    section = _section(type(estimator).__doc__, "Parameters")
    assert section is not None, "class docstring has no Parameters section"
    undocumented = [
        name for name in estimator.get_params(deep=False)
        if not re.search(rf"^{name} :", section, re.M)
    ]
    assert not undocumented


_PUBLIC_METHODS = (
    "fit", "transform", "fit_transform", "inverse_transform", "predict",
    "predict_proba", "fit_resample", "get_feature_names_out",
)


def _method_cases():
    for estimator in ALL_ESTIMATORS:
        for method in _PUBLIC_METHODS:
            if hasattr(estimator, method):
                yield pytest.param(estimator, method, id=f"{_name(estimator)}.{method}")


@pytest.mark.parametrize("estimator, method", list(_method_cases()))
def test_public_method_docstring_has_parameters_and_returns(estimator, method):
    doc = getattr(type(estimator), method).__doc__
    assert _section(doc, "Parameters") is not None
    assert _section(doc, "Returns") is not None


# ---------------------------------------------------------------------------
# Invalid parameter values: an error naming the parameter, at fit
# ---------------------------------------------------------------------------

def _fit(estimator):
    """Fit ``estimator`` on a small valid input of the form it takes."""
    rng = np.random.default_rng(0)
    waves = rng.normal(size=(3, 400)).astype(np.float32)
    if isinstance(estimator, AudioLoader):
        return estimator.fit([waves[0]])
    if isinstance(estimator, FrequencyMask):
        return estimator.fit(rng.normal(size=(3, 8, 10, 1)))
    if isinstance(estimator, (TimeMask, StandardScalerND, SpeakerStandardScaler)):
        return estimator.fit(rng.normal(size=(3, 10, 4)))
    if isinstance(estimator, AugmentedCopies):
        return estimator.fit_resample(waves, ["a", "b", "a"])
    if isinstance(estimator, CNNClassifier):
        return estimator.fit(rng.normal(size=(4, 10, 3)), ["a", "b", "a", "b"])
    if isinstance(estimator, (SoftVotingEnsemble, ConditionGatedClassifier)):
        return estimator.fit(rng.normal(size=(4, 3)), ["a", "b", "a", "b"])
    if isinstance(estimator, BandwidthExperts):
        return estimator.fit(rng.normal(scale=0.1, size=(4, 400)), ["a", "b", "a", "b"])
    if isinstance(estimator, EnergyVAD):
        # A detector, not a transformer: segments() is where it validates.
        return estimator.segments(waves[0], sr=8000)
    return estimator.fit(waves)


# At least one invalid value for every parameter of every estimator (a test
# below checks the table is complete). Values of a valid type but outside the
# allowed range come first; a wrong type where the type is all that is checked.
INVALID_PARAMS = {
    "AudioLoader": {
        "sr": [0, 8000.5], "mono": ["yes"], "offset": [-1.0, np.inf],
        "duration": [0, -1.0, np.inf],
        "res_type": ["nope"], "n_jobs": ["two"], "verbose": ["loud"],
        "on_error": ["skip", None],
    },
    "TrimPad": {
        "sr": [0], "duration": [0.0, -1.0], "top_db": [0, -10.0], "align": ["end"],
        "frame_length": [0], "hop_length": [0],
    },
    "StandardScalerND": {"with_mean": ["yes"], "with_std": ["no"], "per": ["clip"]},
    "SpeakerStandardScaler": {
        "with_mean": ["yes"], "with_std": ["no"], "prior_clips": [-1, "five", np.inf],
    },
    "DomainStandardScaler": {
        "with_mean": ["yes"], "with_std": ["no"], "prior_clips": [-1, "five", np.inf],
    },
    "FrameFeatures1D": {
        "sr": [0], "features": [("nope",), (), "mfcc", ("rms", "rms")], "n_mfcc": [0],
        "n_mels": [0], "n_chroma": [0], "n_bands": [0], "n_fft": [1], "hop_length": [0],
        "win_length": [0], "window": [123, "no-such-window"], "center": ["yes"],
        "fmin": [-1.0], "fmax": [0.0], "top_db": [0.0], "aggregate": ["max", ("mean", "max")],
        "n_jobs": ["two", 0], "deltas": [("nope",), "mfcc"], "f0_min": [0.0],
        "f0_max": [-1.0], "skip_silent_frames": ["yes"], "cepstral_root": [0.5, "cube"],
        "contrast_root": [0, "cube"], "pool_frames": ["unvoiced", None],
        "verbose": ["loud"],
    },
    "MelSpectrogram2D": {
        "sr": [0], "n_mels": [0], "n_fft": [1], "hop_length": [0], "win_length": [0],
        "window": [123, "no-such-window"], "center": ["yes"], "fmin": [-1.0],
        "fmax": [0.0], "top_db": [0.0], "n_jobs": ["two", 0], "verbose": ["loud"],
    },
    "AddNoise": {
        "min_snr_db": ["loud"], "max_snr_db": ["quiet"], "p": [-0.1, 1.5],
        "random_state": ["seed"],
    },
    "TimeShift": {
        "sr": [0], "max_shift_seconds": [-0.1], "rollover": ["yes"], "p": [2.0],
        "random_state": ["seed"],
    },
    "FrequencyMask": {
        "max_bins": [-1], "n_masks": [0], "fill": ["median"], "p": [1.5],
        "random_state": ["seed"],
    },
    "TimeMask": {
        "max_frames": [-1], "n_masks": [0], "fill": ["median"], "p": [1.5],
        "random_state": ["seed"],
    },
    "RandomCorruption": {
        "corruptions": ["gain", ["nope"], {"gain": (10.0, -10.0)}], "sr": [0], "p": [1.5],
        "draw": ["speaker", None], "random_state": ["seed"],
        "weights": [["gain"], {"nope": 1.0}, {"gain": -1.0}, {"gain": "x"}],
    },
    "LevelNormalizer": {"sr": [0, 8000.5], "target_dbfs": [3.0, "loud"]},
    "BandPass": {"sr": [0, 8000.5], "low": [-1.0, "low"], "high": [0.0, "high"],
                 "order": [0, 21, 2.5]},
    "BandwidthExperts": {"wideband": [42, "lr"], "narrowband": [None, "lr"], "sr": [0, 2.5],
                         "cutoff": [0.0, 1000.0, "4k"], "threshold_db": [1.0, "low"]},
    "AugmentedCopies": {
        "augmenters": [42, [], [42]], "n_copies": [0], "random_state": ["seed"],
    },
    "CNNClassifier": {
        "model": ["resnet"], "width": [0.0, -1.0], "dropout": [1.0, -0.1],
        "optimizer": ["adagrad"], "learning_rate": [0.0], "epochs": [0, 2.5],
        "batch_size": [0], "validation_split": [1.0, -0.1], "patience": [0],
        "class_weight": ["uniform", [1.0, 2.0]], "random_state": ["seed"],
        "verbose": [-1], "label_smoothing": [1.0, -0.1], "schedule": ["linear"],
        "spec_augment": [(2, 20), [2, 20, 12]], "mixup": [-0.1, "0.4"],
    },
    "ConditionGatedClassifier": {"estimator": ["lr"], "detector": [42], "power": [0.0, -1.0],
                                 "speaker_scaler": [42]},
    "SoftVotingEnsemble": {"estimators": ["lr"], "weights": ["heavy", [1.0, 2.0]],
                           "cv": ["three", 1.5]},
    "EnergyVAD": {
        "threshold_db": [0.0, -3.0], "floor_seconds": [0.0], "silence_db": [1.0],
        "min_speech_seconds": [-0.1], "min_pause_seconds": [-0.1], "pad_seconds": [-0.1],
        "frame_seconds": [0.0],
    },
    "SpeechDetector": {
        "sr": [0, 8000.5], "min_level_dbfs": [1.0, "loud"], "min_voiced_fraction": [0.0, 1.5],
        "min_voiced_seconds": [0.0], "min_f0_slope_semitones_per_second": [0.0, -1.0],
        "f0_min": [0.0], "f0_max": [-1.0],
    },
}

# Values valid one at a time but not together; the error names the parameter.
INVALID_COMBINATIONS = [
    ("FrameFeatures1D", {"n_mfcc": 8, "n_mels": 4}, "n_mfcc"),
    ("FrameFeatures1D", {"win_length": 512, "n_fft": 256}, "win_length"),
    ("FrameFeatures1D", {"sr": 8000, "n_fft": 64, "fmax": 5000.0}, "fmax"),
    ("FrameFeatures1D", {"fmin": 300.0, "fmax": 200.0}, "fmin"),
    ("FrameFeatures1D", {"sr": 8000, "n_fft": 64, "n_bands": 6}, "n_bands"),
    ("MelSpectrogram2D", {"win_length": 512, "n_fft": 256}, "win_length"),
    ("MelSpectrogram2D", {"sr": 8000, "fmax": 5000.0}, "fmax"),
    ("MelSpectrogram2D", {"fmin": 300.0, "fmax": 200.0}, "fmin"),
    ("AddNoise", {"min_snr_db": 30.0, "max_snr_db": 10.0}, "min_snr_db"),
    ("SpeechDetector", {"f0_min": 300.0, "f0_max": 200.0}, "f0_min"),
    ("SpeechDetector", {"sr": 1000}, "f0_max"),
    ("BandPass", {"low": 500.0, "high": 400.0}, "low"),
    ("BandPass", {"high": 1000.0}, "high"),
]

# The first instance of each class (later ones cover other options).
_BY_NAME = {}
for _estimator in ALL_ESTIMATORS:
    _BY_NAME.setdefault(_name(_estimator), _estimator)


def _invalid_cases():
    for name, params in INVALID_PARAMS.items():
        for param, values in params.items():
            for value in values:
                yield pytest.param(name, param, value, id=f"{name}-{param}={value!r}")


def test_invalid_param_table_covers_every_parameter():
    assert INVALID_PARAMS.keys() == _BY_NAME.keys()
    for name, estimator in _BY_NAME.items():
        assert set(INVALID_PARAMS[name]) == set(estimator.get_params(deep=False)), name


@pytest.mark.parametrize("name, param, value", list(_invalid_cases()))
def test_invalid_parameter_value_raises_error_naming_it_at_fit(name, param, value):
    estimator = clone(_BY_NAME[name]).set_params(**{param: value})
    with pytest.raises((ValueError, TypeError), match=re.escape(param)):
        _fit(estimator)


@pytest.mark.parametrize(
    "name, params, param", INVALID_COMBINATIONS,
    ids=[f"{n}-{'-'.join(p)}" for n, p, _ in INVALID_COMBINATIONS],
)
def test_inconsistent_parameters_raise_error_naming_one_at_fit(name, params, param):
    estimator = clone(_BY_NAME[name]).set_params(**params)
    with pytest.raises(ValueError, match=re.escape(param)):
        _fit(estimator)


def test_valid_parameters_of_the_tables_fit():
    """The invalid-value tests above start from estimators that do fit."""
    for name, estimator in _BY_NAME.items():
        if name != "CNNClassifier":  # trains a network: covered in test_models
            _fit(clone(estimator))


def test_frame_features_rejects_fft_too_coarse_for_spectral_contrast_at_fit():
    """Spectral contrast needs an FFT bin in its first octave band (200-400 Hz).

    At sr=8000 a 16-point FFT has 500 Hz bins and none falls in that band:
    librosa then fails inside transform with a bare IndexError. The parameter
    check should catch it at fit and name n_fft.
    """
    ff = FrameFeatures1D(sr=8000, features=("contrast",), n_bands=2, n_fft=16, hop_length=8)
    X = np.random.default_rng(0).normal(size=(2, 64)).astype(np.float32)
    with pytest.raises(ValueError, match="n_fft"):
        ff.fit(X)
