"""Fuzz tests: random arrays and parameter values give a valid output or a
clean error, never anything else.

Every step is fed inputs from `strategies.fuzz_inputs` (arrays of rank 0 to 5
with zero-sized axes; dtypes from bool to complex, object and str; NaN,
infinities, values that overflow float32, denormals; ragged and nested lists;
non-arrays) and parameter values drawn valid or invalid (out of range, wrong
type, NaN). The only outcomes accepted:

- an output that meets the step's data contract (shape, dtype, finite), or
- a ValueError or TypeError (NotFittedError before fit) whose message names
  the input (X, X[i], y) or a parameter.

An IndexError, Python's "object of type 'NoneType' has no len()", a numpy
broadcasting error, a librosa or TensorFlow error, a numpy RuntimeWarning or
NaN in an output fails the test. Two properties pin the other direction, so
that rejecting everything would fail too: an invalid parameter value is
always rejected by an error naming it, and a plain input (real numbers of an
allowed rank, finite, moderate) with valid parameters is always accepted.

The bugs these tests found are pinned at the end, one deterministic case each.
"""

import re
import warnings
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sklearn.exceptions import NotFittedError

from skser import (
    AddNoise, AugmentedCopies, CNNClassifier, FrameFeatures1D, FrequencyMask, MelSpectrogram2D,
    StandardScalerND, TimeMask, TimeShift, TrimPad,
)
from skser.models import ARCHITECTURES

import strategies as sst

pytestmark = [
    # librosa's warnings about tiny clips and empty mel bands are fair
    # warnings, not failures; any numpy RuntimeWarning (overflow, invalid
    # value) is an unhandled numeric problem and fails the test.
    pytest.mark.filterwarnings("ignore:n_fft=.*is too large for input signal"),
    pytest.mark.filterwarnings("ignore:Empty filters detected in mel frequency basis"),
    pytest.mark.filterwarnings("error::RuntimeWarning"),
    # Labels as a column (n, 1) are fine, with scikit-learn's usual warning.
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.DataConversionWarning"),
]

FUZZ = settings(max_examples=200, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _names_one_of(exc, names):
    return any(re.search(rf"\b{re.escape(name)}\b", str(exc)) for name in names)


def _check_message(exc, step):
    """A clean error says what is wrong: it names the input (X, X[i], y, the
    labels) or a parameter of ``step``. Python's own TypeErrors ("object of
    type 'NoneType' has no len()", "'<' not supported between instances of
    'int' and 'str'") and numpy's ("Maximum allowed dimension exceeded") do not."""
    assert re.search(r"\b(X|y|labels?)\b", str(exc)) or _names_one_of(
        exc, _parameter_names(step)
    ), f"unclear {type(exc).__name__}: {exc}"


def _parameter_names(step):
    """Parameters of ``step`` and of the estimators it holds (augmenters)."""
    names = set()
    for name, value in step.get_params(deep=False).items():
        names.add(name)
        for inner in value if isinstance(value, (list, tuple)) else [value]:
            if hasattr(inner, "get_params"):
                names |= _parameter_names(inner)
    return names


def _run(step, call):
    """``(result, None)``, or ``(None, error)`` for a ValueError or TypeError
    with a clean message. Any other exception propagates: a failure."""
    try:
        out = call()
    except (ValueError, TypeError) as exc:
        _check_message(exc, step)
        event(f"raised {type(exc).__name__}")
        return None, exc
    event("returned an output")
    return out, None


def _check_parameters(exc, invalid):
    """An invalid parameter value is rejected by an error that names it."""
    if invalid:
        assert exc is not None, f"invalid {sorted(invalid)} accepted"
        assert _names_one_of(exc, invalid), f"error does not name {sorted(invalid)}: {exc}"


def _plain(X, ranks):
    """Whether every step taking ``ranks`` must accept X: a real (not bool)
    array of an allowed rank, without empty axes, finite and moderate."""
    if not (isinstance(X, np.ndarray) and X.ndim in ranks and X.size and X.dtype.kind in "iuf"):
        return False
    with np.errstate(invalid="ignore"):
        return bool(np.all(np.abs(X.astype(np.float64)) <= 1e6))


def _check_float_output(out, shape, dtypes=(np.float32,)):
    """A finite array of ``shape`` and one of ``dtypes``."""
    assert isinstance(out, np.ndarray)
    assert out.shape == shape, (out.shape, shape)
    assert out.dtype in dtypes, out.dtype
    assert np.all(np.isfinite(out))


def _kept_dtypes(X):
    """Output dtypes of a step that keeps float64 (the scaler, augmenters):
    float64 for float64, float32 for other numbers; a list or an object
    array may be read as either."""
    if isinstance(X, np.ndarray) and X.dtype.kind in "biuf":
        return (np.float64,) if X.dtype == np.float64 else (np.float32,)
    return (np.float32, np.float64)


def _n_rows(X):
    try:
        return len(X)
    except TypeError:
        return 1


def _waveform_inputs(max_size=2000):
    """Waveform batches ``(n_clips, n_samples)``, plain or with special
    values, two draws in three; anything the third."""
    return sst.fuzz_inputs(
        sst.fuzz_shapes(ranks=(2, 2, 0, 1, 3, 4, 5), max_side=max_size, max_size=max_size),
        plain_shapes=sst.fuzz_shapes(ranks=(2,), max_clips=4, max_side=max_size,
                                     max_size=max_size, min_side=1),
    )


def _feature_inputs(ranks, plain_shapes=None):
    """Feature arrays of a rank in ``ranks``, plain or with special values,
    two draws in three; anything the third."""
    return sst.fuzz_inputs(
        sst.fuzz_shapes(ranks=ranks * 2 + (0, 1, 2, 3, 4, 5), max_side=10, max_size=1000),
        plain_shapes=(sst.fuzz_shapes(ranks=ranks, max_side=10, max_size=1000, min_side=1)
                      if plain_shapes is None else plain_shapes),
    )


# ================================================================== TrimPad

TRIMPAD_PARAMS = {
    "sr": sst.int_values(1, 48000),
    "duration": (st.floats(1e-4, 2.0),
                 st.sampled_from([0.0, -1.0, np.nan, np.inf, 1e300, "1", None])),
    "top_db": sst.real_values(0.0, 120.0, open_low=True, none_ok=True),
    "align": sst.choice_values(["center", "start"], ["end", None, 0]),
    "frame_length": sst.int_values(1, 4096),
    "hop_length": sst.int_values(1, 1024),
}


def _empty_clips(X, ndim):
    """Real clips of no samples: ``(0,)``, or ``(n_clips, 0)``."""
    return (isinstance(X, np.ndarray) and X.ndim == ndim and X.dtype.kind in "iuf"
            and X.shape[-1] == 0 and (ndim == 1 or X.shape[0] > 0))


def _plain_waveform_list(X):
    """Whether TrimPad must accept X: `_plain` clips, or clips of no samples
    (which it pads with zeros)."""
    if isinstance(X, np.ndarray):
        return _plain(X, (2,)) or _empty_clips(X, 2)
    return (isinstance(X, list) and len(X) > 0
            and all(_plain(y, (1,)) or _empty_clips(y, 1) for y in X))


@FUZZ
@given(X=_waveform_inputs(), drawn=sst.parameters(TRIMPAD_PARAMS))
def test_trimpad_gives_fixed_length_float32_or_a_clean_error(X, drawn):
    params, invalid = drawn
    step = TrimPad(**params)

    out, exc = _run(step, lambda: step.fit_transform(X))

    _check_parameters(exc, invalid)
    if out is not None:
        _check_float_output(out, (len(X), max(1, round(params["duration"] * params["sr"]))))
    elif not invalid:
        assert not _plain_waveform_list(X), f"plain input rejected: {exc}"


# ========================================================= StandardScalerND

SCALER_PARAMS = {
    "with_mean": sst.BOOLEAN_VALUES,
    "with_std": sst.BOOLEAN_VALUES,
    "per": sst.choice_values(["feature", "global"], ["clip", None, 1]),
}


@FUZZ
@given(X=_feature_inputs((2, 3, 4)), X_new=_feature_inputs((2, 3, 4)),
       drawn=sst.parameters(SCALER_PARAMS))
def test_scaler_keeps_shape_and_float_dtype_or_gives_a_clean_error(X, X_new, drawn):
    params, invalid = drawn
    scaler = StandardScalerND(**params)

    with pytest.raises(NotFittedError):
        scaler.transform(X_new)
    out, exc = _run(scaler, lambda: scaler.fit_transform(X))

    _check_parameters(exc, invalid)
    if out is None:
        assert invalid or not _plain(X, (2, 3, 4)), f"plain input rejected: {exc}"
        return
    _check_float_output(out, np.shape(X), _kept_dtypes(X))
    # New data of any shape: scaled like the training data, or an error.
    new, exc = _run(scaler, lambda: scaler.transform(X_new))
    if new is not None:
        _check_float_output(new, np.shape(X_new), _kept_dtypes(X_new))
        assert np.shape(X_new)[1:] == np.shape(X)[1:]
    else:
        # (A scaler fitted on 1e300s cannot scale anything into float32.)
        same_clips = _plain(X_new, (2, 3, 4)) and X_new.shape[1:] == np.shape(X)[1:]
        assert not (same_clips and _plain(X, (2, 3, 4))), f"plain input rejected: {exc}"


# =============================================== FrameFeatures1D, MelSpectrogram2D

SPECTRAL_PARAMS = {
    "sr": sst.preferring([8000, 16000, 22050], sst.int_values(1, 48000)),
    "n_fft": sst.preferring([256, 512], sst.int_values(2, 512)),
    "hop_length": sst.int_values(1, 512),
    "win_length": sst.preferring([None], sst.int_values(1, 512, none_ok=True)),
    "window": sst.choice_values(["hann", "hamming", "blackman", "boxcar"],
                                ["no-such-window", "", 123, ("kaiser", 4.0)]),
    "center": sst.BOOLEAN_VALUES,
    "n_mels": sst.int_values(1, 64),
    "fmin": sst.preferring([0.0], sst.real_values(0.0, 2000.0)),
    "fmax": sst.preferring([None], sst.real_values(0.0, 24000.0, open_low=True, none_ok=True)),
    "top_db": sst.real_values(0.0, 120.0, open_low=True, none_ok=True),
    "n_jobs": sst.choice_values([None, 1, -1], [0, "two", 1.5]),
    "verbose": sst.choice_values([0, False], ["loud", -1]),
}

FRAME_FEATURE_PARAMS = {
    **SPECTRAL_PARAMS,
    "features": (sst.feature_subsets(),
                 st.sampled_from([(), ("nope",), ("rms", "rms"), "mfcc", None, 3])),
    "n_mfcc": sst.preferring([1, 13], sst.int_values(1, 40)),
    "n_chroma": sst.int_values(1, 24),
    "n_bands": sst.preferring([2, 4], sst.int_values(1, 8)),
    "aggregate": sst.choice_values([None, "mean", "mean_std", "functionals"], ["max", 1]),
    # Invalid whatever the features: a pitch range in (0, inf) is checked
    # against sr and the other bound only when a pitch feature is asked for,
    # so a positive value below the usual range (f0_max=250) is not invalid.
    "f0_min": sst.preferring([60.0], (sst.real_values(60.0, 200.0)[0],
                                      sst.real_values(0.0, 1.0, open_low=True)[1])),
    "f0_max": sst.preferring([600.0], (sst.real_values(300.0, 2000.0)[0],
                                       sst.real_values(0.0, 1.0, open_low=True)[1])),
    "deltas": sst.choice_values([()], [("nope",), 3]),
    "skip_silent_frames": sst.choice_values([True, False], ["yes", None]),
}


@st.composite
def _consistent_spectral_params(draw, frame_features):
    """Valid parameters that also agree with each other (Nyquist, contrast
    bands, n_mfcc <= n_mels, win_length <= n_fft)."""
    sr = draw(st.sampled_from([8000, 16000, 22050]) | st.integers(4000, 48000))
    n_fft = draw(st.sampled_from([256, 512]))
    n_mels = draw(st.integers(1, 64))
    params = dict(
        sr=sr, n_fft=n_fft, hop_length=draw(st.integers(1, 512)),
        win_length=draw(st.none() | st.integers(1, n_fft)),
        window=draw(st.sampled_from(["hann", "hamming", "blackman", "boxcar"])),
        center=draw(st.booleans()), n_mels=n_mels, fmin=draw(st.floats(0.0, sr / 4)),
        fmax=draw(st.none() | st.floats(sr / 4 + 1, sr / 2)),
        top_db=draw(st.none() | st.floats(1.0, 120.0)),
        n_jobs=draw(st.sampled_from([None, 1])), verbose=0,
    )
    if frame_features:
        # Two periods of the lowest pitch fit in the window; the shortest spans
        # two samples.
        window = n_fft if params["win_length"] is None else params["win_length"]
        f0_min = max(60.0, 2.0 * sr / window + 1.0)
        f0_max = min(sr / 2.0, draw(st.floats(f0_min + 1.0, f0_min + 2000.0)))
        features = draw(sst.feature_subsets())
        if f0_min >= f0_max:
            features = tuple(f for f in features if f not in PITCH_FEATURES) or ("rms",)
        # Band features need two FFT bins in each of their bands.
        features = tuple(f for f in features if all(
            _bins_in(sr, n_fft, *band) >= 2 for band in BANDS.get(f, ()))) or ("rms",)
        params.update(
            features=features, n_mfcc=draw(st.integers(1, n_mels)),
            n_chroma=draw(st.integers(1, 24)),
            n_bands=draw(st.integers(1, sst.max_contrast_bands(sr))),
            f0_min=f0_min, f0_max=max(f0_max, f0_min + 1.0),
            aggregate=draw(st.sampled_from([None, "mean", "mean_std", "functionals"])),
        )
    return params


PITCH_FEATURES = ("f0", "voicing", "voiced", "hnr", "jitter", "shimmer")
BANDS = {"slope": ((0, 500), (500, 1500)), "alpha_ratio": ((50, 1000), (1000, 5000)),
         "hammarberg": ((0, 2000), (2000, 5000))}


def _bins_in(sr, n_fft, low, high):
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    return int(np.count_nonzero((freqs >= low) & (freqs <= high)))


def _n_frames(params, n_samples):
    n_fft, hop = params["n_fft"], params["hop_length"]
    padded = n_samples + 2 * (n_fft // 2) if params["center"] else n_samples
    return 1 + (padded - n_fft) // hop


def _check_spectral_outcome(step, params, invalid, X, out, exc):
    if invalid:
        # Parameters are validated in turn: a cross-parameter check (say
        # fmin >= fmax) may speak first, naming a parameter that is valid alone.
        _check_parameters(exc, set(step.get_params()))
    if out is None:
        # Valid parameters (drawn consistent with each other) and a plain
        # batch are rejected only when a clip is shorter than one frame.
        if not invalid and _plain(X, (2,)):
            assert not params["center"] and X.shape[1] < params["n_fft"], (
                f"plain input rejected: {exc}"
            )
        return
    n_clips, n_samples = np.shape(X)
    if isinstance(step, MelSpectrogram2D):
        shape = (n_clips, params["n_mels"], _n_frames(params, n_samples), 1)
    else:
        widths = {"mfcc": params["n_mfcc"], "chroma": params["n_chroma"],
                  "contrast": params["n_bands"] + 1, "mel": params["n_mels"], "slope": 2}
        n_features = sum(widths.get(f, 1) for f in params["features"])
        n_stats = {None: 0, "mean": 1, "mean_std": 2, "functionals": 7}[params["aggregate"]]
        if params["aggregate"] is None:
            shape = (n_clips, _n_frames(params, n_samples), n_features)
        else:
            shape = (n_clips, n_stats * n_features)
    _check_float_output(out, shape)


# Many parameters, which must also agree with each other: more examples.
@settings(FUZZ, max_examples=300)
@given(X=_waveform_inputs(1200),
       drawn=sst.parameters(FRAME_FEATURE_PARAMS, _consistent_spectral_params(True)))
def test_frame_features_meet_their_contract_or_give_a_clean_error(X, drawn):
    params, invalid = drawn
    step = FrameFeatures1D(**params)

    out, exc = _run(step, lambda: step.fit_transform(X))

    _check_spectral_outcome(step, params, invalid, X, out, exc)


@FUZZ
@given(X=_waveform_inputs(1200),
       drawn=sst.parameters(SPECTRAL_PARAMS, _consistent_spectral_params(False)))
def test_mel_spectrogram_meets_its_contract_or_gives_a_clean_error(X, drawn):
    params, invalid = drawn
    step = MelSpectrogram2D(**params)

    out, exc = _run(step, lambda: step.fit_transform(X))

    _check_spectral_outcome(step, params, invalid, X, out, exc)


# =============================================================== augmenters

FILLS = sst.choice_values(["mean", "min", 0.0, -80.0, 1e3, 1e39, -1e300],
                          ["median", np.nan, np.inf, None])
COMMON = {"p": sst.P_VALUES, "random_state": sst.RANDOM_STATE_VALUES}
# Any finite SNR is valid alone; extreme ones overflow, or span more than a
# float, and must be rejected cleanly.
SNRS = (st.floats(-10.0, 60.0) | st.sampled_from([-800.0, -1e308, 1e308]),
        st.sampled_from([np.nan, np.inf, -np.inf, "loud", None]))
AUGMENTERS = {
    AddNoise: ((2,), {**COMMON, "min_snr_db": SNRS, "max_snr_db": SNRS}),
    TimeShift: ((2,), {**COMMON, "sr": sst.preferring([10**12], sst.int_values(1, 48000)),
                       "max_shift_seconds": sst.preferring([1e300], sst.real_values(0.0, 2.0)),
                       "rollover": sst.BOOLEAN_VALUES}),
    FrequencyMask: ((4,), {**COMMON, "max_bins": sst.int_values(0, 20),
                           "n_masks": sst.int_values(1, 4), "fill": FILLS}),
    TimeMask: ((3, 4), {**COMMON, "max_frames": sst.int_values(0, 30),
                        "n_masks": sst.int_values(1, 4), "fill": FILLS}),
}


def _must_accept(cls, params, X):
    """Whether valid parameters and a plain X must give an output: unless
    the SNRs are out of order or extreme, or a fill is too large for float32 X."""
    if cls is AddNoise:
        return -100 <= params["min_snr_db"] <= params["max_snr_db"] <= 1e300
    fill = params.get("fill")
    return isinstance(fill, str) or fill is None or (
        abs(fill) <= float(np.finfo(np.float32).max) or X.dtype == np.float64
    )


@pytest.mark.parametrize("cls", list(AUGMENTERS), ids=lambda c: c.__name__)
@FUZZ
@given(data=st.data())
def test_augmenters_keep_shape_and_float_dtype_or_give_a_clean_error(cls, data):
    ranks, spec = AUGMENTERS[cls]
    X = data.draw(_waveform_inputs() if ranks == (2,) else _feature_inputs(ranks), label="X")
    params, invalid = data.draw(sst.parameters(spec), label="params")
    step = cls(**params)

    out, exc = _run(step, lambda: step.fit_transform(X))

    _check_parameters(exc, invalid)
    if out is not None:
        _check_float_output(out, np.shape(X), _kept_dtypes(X))
    elif not invalid and _plain(X, ranks):
        assert not _must_accept(cls, params, X), f"plain input rejected: {exc}"


# ========================================================== AugmentedCopies

COPIES_PARAMS = {
    "augmenters": (st.sampled_from([AddNoise(), [AddNoise(), TimeShift(sr=100)],
                                    (TimeShift(sr=100, rollover=True),)]),
                   st.sampled_from([[], (), 42, [42], [AddNoise(), "noise"], "noise", None])),
    "n_copies": sst.int_values(1, 3),
    "random_state": sst.RANDOM_STATE_VALUES,
}


@FUZZ
@given(data=st.data())
def test_augmented_copies_align_x_and_y_or_give_a_clean_error(data):
    X = data.draw(_waveform_inputs(1000), label="X")
    y = data.draw(st.none() | sst.fuzz_labels(_n_rows(X)), label="y")
    params, invalid = data.draw(sst.parameters(COPIES_PARAMS), label="params")
    sampler = AugmentedCopies(**params)

    out, exc = _run(sampler, lambda: sampler.fit_resample(X, y))

    _check_parameters(exc, invalid)
    if out is not None:
        Xr, yr = out
        augmenters = params["augmenters"]
        n_parts = 1 + params["n_copies"] * (
            len(augmenters) if isinstance(augmenters, (list, tuple)) else 1
        )
        assert len(Xr) == n_parts * len(X)
        assert np.shape(Xr)[1:] == np.shape(X)[1:]
        assert np.all(np.isfinite(np.asarray(Xr, dtype=np.float64)))
        if y is None:
            assert yr is None
        else:
            assert len(yr) == len(Xr)
    elif not invalid and _plain(X, (2,)):
        assert y is not None and np.shape(y)[:1] != (len(X),), f"plain input rejected: {exc}"


# ============================================================ CNNClassifier

CLIP = (5, 3)


@pytest.fixture(scope="module")
def fitted_cnn():
    """The one network these tests train: tiny, one epoch, on (5, 3) clips."""
    X = np.random.default_rng(0).normal(size=(8, *CLIP)).astype(np.float32)
    return CNNClassifier(width=0.1, epochs=1, validation_split=0.0,
                         random_state=0).fit(X, ["angry", "sad"] * 4)


@settings(FUZZ, max_examples=100)
@given(X=_feature_inputs((3, 4), plain_shapes=st.integers(1, 4).map(lambda n: (n, *CLIP))))
def test_cnn_predicts_probabilities_or_gives_a_clean_error(fitted_cnn, X):
    with pytest.raises(NotFittedError):
        CNNClassifier().predict_proba(X)

    proba, exc = _run(fitted_cnn, lambda: fitted_cnn.predict_proba(X))

    if proba is None:
        assert not (_plain(X, (3, 4)) and X.shape[1:] == CLIP), f"plain input rejected: {exc}"
        return
    assert np.shape(X)[1:] == CLIP
    _check_float_output(proba, (len(X), 2))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)


class _ReachedNetwork(Exception):
    """Raised in place of building the network: the inputs passed validation."""


CNN_PARAMS = {
    "model": sst.choice_values(list(ARCHITECTURES), ["resnet", None, 1]),
    "width": sst.real_values(0.0, 4.0, open_low=True),
    "dropout": (st.floats(0.0, 0.99), st.sampled_from([1.0, -0.1, np.nan, "0.5"])),
    "optimizer": sst.choice_values(["rmsprop", "adam", "adamw", "nadam", "sgd"],
                                   ["adagrad", None]),
    "learning_rate": sst.real_values(0.0, 1.0, open_low=True),
    "epochs": sst.int_values(1, 100),
    "batch_size": sst.int_values(1, 64),
    "validation_split": (st.floats(0.0, 0.9), st.sampled_from([1.0, -0.1, np.nan, None])),
    "patience": sst.int_values(1, 10, none_ok=True),
    "class_weight": sst.choice_values([None, "balanced"], ["uniform", [1.0, 2.0], 3]),
    "label_smoothing": (st.floats(0.0, 0.99), st.sampled_from([1.0, -0.1, np.nan, "0.1"])),
    "schedule": sst.choice_values([None, "cosine"], ["linear", 1]),
    "mixup": (st.floats(0.0, 2.0), st.sampled_from([-0.1, np.nan, "0.2"])),
    "spec_augment": sst.choice_values([None, (2, 5, 3), (0, 0, 0)],
                                      [(2, 5), [2, 5, 3], (2, -1, 3), (2.0, 5, 3)]),
    "random_state": sst.RANDOM_STATE_VALUES,
    "verbose": sst.choice_values([0, 2], [-1, "loud"]),
}


def _valid_training_data(X, y):
    """Whether fit may go on to build a network: X a finite real array of
    rank 3 or 4 without empty axes, y one label per clip, two classes or more."""
    Xa = np.asarray(X, dtype=np.float64)
    ya = np.asarray(y)
    if ya.ndim == 2 and ya.shape[1] == 1:
        ya = ya.ravel()
    return (Xa.ndim in (3, 4) and Xa.size > 0 and np.all(np.abs(Xa) <= np.finfo(np.float32).max)
            and ya.ndim == 1 and len(ya) == len(Xa) and len(set(ya.tolist())) >= 2)


@settings(FUZZ, max_examples=200)
@given(data=st.data())
def test_cnn_fit_validates_everything_before_building_a_network(fitted_cnn, data):
    # fitted_cnn: TensorFlow is imported once, outside the timed examples.
    X = data.draw(_feature_inputs((3, 4)), label="X")
    y = data.draw(sst.fuzz_labels(_n_rows(X)), label="y")
    params, invalid = data.draw(sst.parameters(CNN_PARAMS), label="params")
    clf = CNNClassifier(**params)

    with mock.patch("skser.models._keras.make_keras_classifier", side_effect=_ReachedNetwork), \
            warnings.catch_warnings():
        # scikit-learn's type_of_target casts float labels to int to see if
        # they are whole numbers, which warns beyond int64 (9.2e18): not skser's.
        warnings.filterwarnings("ignore", "invalid value encountered in cast", RuntimeWarning)
        try:
            clf.fit(X, y)
        except _ReachedNetwork:
            event("reached the network")
            exc = None
        except (ValueError, TypeError) as error:
            _check_message(error, clf)
            exc = error
        else:
            pytest.fail("fit returned without building a network")

    _check_parameters(exc, invalid)
    if exc is None:
        assert _valid_training_data(X, y)
    elif not invalid and _plain(X, (3, 4)) and isinstance(y, list) and all(
        isinstance(label, str) for label in y
    ) and not (params["model"] == "attention_gru" and np.ndim(X) == 4):
        # (The sequence network takes frame features only, and says so.)
        assert len(y) != len(X) or len(set(y)) < 2, f"plain input rejected: {exc}"


# ======================================================= pinned regressions

WAVES = np.random.default_rng(0).uniform(-0.5, 0.5, size=(3, 400)).astype(np.float32)
FRAMES = np.random.default_rng(0).normal(size=(4, *CLIP)).astype(np.float32)


def _fit_until_network(X, y):
    with mock.patch("skser.models._keras.make_keras_classifier", side_effect=_ReachedNetwork):
        CNNClassifier().fit(X, y)


# (call, error, message): each once gave a bare Python, numpy or librosa
# error, a misleading message, or a silently non-finite (or all-zero) output.
PINNED = {
    "none-is-not-an-array": (
        lambda: StandardScalerND().fit(None), TypeError, r"rank 2 or 3 or 4; got None"),
    "dict-is-not-a-list-of-waveforms": (
        lambda: TrimPad().fit_transform({"a.wav": 0}), TypeError, r"list of 1-D.*got a dict"),
    "strings-are-not-ragged": (
        lambda: StandardScalerND().fit(np.array([["a", "b"]] * 2, dtype=object)),
        TypeError, r"not a real number: could not convert string to float: 'a'"),
    "float64-beyond-float32-is-not-nan": (
        lambda: MelSpectrogram2D().fit_transform(np.full((2, 4000), 1e300)),
        ValueError, r"up to 1e\+300 in magnitude, beyond the range of float32"),
    "huge-samples-mel": (
        lambda: MelSpectrogram2D(n_fft=16, hop_length=8).fit_transform(
            np.full((2, 400), 3e38, np.float32)),
        ValueError, r"samples up to 3e\+38 .* 32-bit PCM range"),
    "huge-samples-frame-features": (
        lambda: FrameFeatures1D().fit_transform(np.full((2, 4000), 3e38, np.float32)),
        ValueError, r"samples up to 3e\+38"),
    "huge-samples-trimpad": (
        lambda: TrimPad(sr=100).fit_transform(np.full((1, 40), np.iinfo(np.int64).min)),
        ValueError, r"X\[0\] has samples up to 9.22e\+18"),
    "add-noise-overflow": (
        lambda: AddNoise(random_state=0).fit_transform(np.full((2, 100), 3e38, np.float32)),
        ValueError, r"min_snr_db=10.0 dB on clips peaking at 3e\+38 overflows float32"),
    "add-noise-snr-span": (
        lambda: AddNoise(min_snr_db=-1e308, max_snr_db=1e308).fit_transform(WAVES),
        ValueError, r"min_snr_db=.* too far apart"),
    "trimpad-too-long": (
        lambda: TrimPad(duration=1e300, sr=10**10).fit_transform(WAVES),
        ValueError, r"duration=1e\+300 s at sr=10000000000 Hz"),
    "mask-fill-nan": (
        lambda: FrequencyMask(fill=np.nan).fit_transform(np.ones((2, 8, 10, 1))),
        ValueError, r"'fill' parameter"),
    "mask-fill-beyond-float32": (
        lambda: TimeMask(fill=1e300).fit_transform(np.ones((2, 20, 4), np.float32)),
        ValueError, r"fill=1e\+300 does not fit in X's dtype float32"),
    "scaler-variance-overflow": (
        lambda: StandardScalerND().fit(np.array([[1e300], [-1e300], [0.0]])),
        ValueError, r"too large for their mean and variance to fit in float64"),
    "scaler-float32-overflow": (
        lambda: StandardScalerND().fit_transform(np.array([[3e38], [3e38], [-3e38]], np.float32)),
        ValueError, r"\(un\)scaling X overflows float32: X has values up to 3e\+38"),
    "copies-x-none": (
        lambda: AugmentedCopies(augmenters=AddNoise()).fit_resample(None, [0, 1]),
        TypeError, r"X must be an array whose first axis indexes clips.*got None"),
    "copies-y-string": (
        lambda: AugmentedCopies(augmenters=AddNoise()).fit_resample(WAVES, "abc"),
        TypeError, r"y must be an array of labels, one per clip; got a str"),
    "cnn-mixed-labels": (
        lambda: _fit_until_network(FRAMES, np.array(["a", 1, "a", 1], dtype=object)),
        TypeError, r"y mixes labels of types \['int', 'str'\]"),
    "cnn-one-class-of-objects": (
        lambda: _fit_until_network(FRAMES, np.array(["a"] * 4, dtype=object)),
        ValueError, r"single class \('a'\)"),
    "mel-bands-too-narrow": (
        lambda: MelSpectrogram2D(sr=1, n_fft=2, hop_length=1, n_mels=1,
                                 fmax=5e-324).fit(WAVES),
        ValueError, r"fmin=0.0 Hz and fmax=5e-324 Hz are too close together"),
    "rms-of-a-too-short-clip": (
        lambda: FrameFeatures1D(center=False, features=("rms",), n_fft=256).fit_transform(
            np.zeros((2, 1), np.float32)),
        ValueError, r"shorter than one analysis frame of n_fft=256"),
}


@pytest.mark.parametrize("case", list(PINNED))
def test_pinned_bad_input_gives_a_clear_error(case):
    call, error, message = PINNED[case]

    with pytest.raises(error, match=message):
        call()


def test_time_shift_with_a_shift_beyond_any_clip_shifts_by_at_most_the_clip():
    # max_shift_seconds * sr overflows to inf; the shift is capped at the
    # clip length first.
    out = TimeShift(sr=10**12, max_shift_seconds=1e300, random_state=0).fit_transform(WAVES)

    assert out.shape == WAVES.shape and np.all(np.isfinite(out))


def test_time_mask_mean_fill_of_huge_float32_values_stays_finite():
    X = np.full((2, 30, 4), 3e38, np.float32)

    out = TimeMask(fill="mean", random_state=0).fit_transform(X)

    np.testing.assert_array_equal(out, X)  # the mean of 3e38s is 3e38
