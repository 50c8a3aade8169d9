"""Bad input gets an early, clear error that names the file or parameter and
says what was expected."""

import re

import numpy as np
import pytest
import soundfile as sf
from sklearn.preprocessing import FunctionTransformer

from skser import (
    AddNoise, AudioLoader, AugmentedCopies, FrameFeatures1D,
    FrequencyMask, MelSpectrogram2D, StandardScalerND, TimeMask, TimeShift, TrimPad,
)


@pytest.fixture
def good_wav(tmp_path, rng):
    path = tmp_path / "good.wav"
    sf.write(path, rng.uniform(-0.5, 0.5, 800), 8000)
    return str(path)


# ============================================================ what X must be
# (Unreadable, odd and extreme audio files: tests/test_bad_audio.py.)

@pytest.mark.parametrize("as_path", [str, lambda p: p], ids=["str", "Path"])
def test_loader_rejects_a_single_path_instead_of_a_list(as_path, good_wav):
    from pathlib import Path

    with pytest.raises(TypeError, match="wrap it in a list"):
        AudioLoader().fit_transform(as_path(Path(good_wav)))


def test_loader_rejects_a_single_1d_array_instead_of_a_list():
    with pytest.raises(TypeError, match=r"single 1-D array.*\[y\]"):
        AudioLoader().fit_transform(np.zeros(100, np.float32))


def test_loader_rejects_an_empty_list():
    with pytest.raises(ValueError, match="empty"):
        AudioLoader().fit_transform([])


@pytest.mark.parametrize(
    "item",
    [(np.zeros(10), 0), (np.zeros(10), 8000.5), (np.zeros(10), 8000, "x")],
    ids=["zero-rate", "float-rate", "three-items"],
)
def test_loader_rejects_a_malformed_waveform_tuple_naming_its_index(item):
    with pytest.raises(ValueError, match=r"X\[1\].*\(waveform, sample_rate\)"):
        AudioLoader().fit_transform([np.zeros(10), item])


def test_loader_rejects_a_3d_array_item_naming_its_index():
    with pytest.raises(ValueError, match=r"X\[0\].*\(n_channels, n_samples\)"):
        AudioLoader().fit_transform([np.zeros((2, 2, 10))])


def test_loader_rejects_non_numeric_items():
    with pytest.raises(TypeError, match=r"X\[0\].*file path or a numeric waveform"):
        AudioLoader().fit_transform([np.array(["a", "b"], dtype=object)])


# ===================================================== paths or ragged lists

@pytest.mark.parametrize(
    "step",
    [TrimPad(), MelSpectrogram2D(), FrameFeatures1D(), StandardScalerND(), AddNoise()],
    ids=lambda s: type(s).__name__,
)
def test_steps_after_the_loader_say_to_put_an_audioloader_first(step, good_wav):
    with pytest.raises(TypeError, match="AudioLoader"):
        step.fit_transform([good_wav, good_wav])


@pytest.mark.parametrize(
    "step", [MelSpectrogram2D(), FrameFeatures1D(), AddNoise()],
    ids=lambda s: type(s).__name__,
)
def test_fixed_length_steps_say_to_use_trimpad_on_ragged_lists(step):
    ragged = [np.zeros(1000, np.float32), np.zeros(1500, np.float32)]

    with pytest.raises(ValueError, match="TrimPad"):
        step.fit_transform(ragged)


def test_trimpad_rejects_multichannel_waveforms_and_says_how_to_fix():
    stereo = AudioLoader(mono=False).fit_transform([np.zeros((2, 300), np.float32)])

    with pytest.raises(ValueError, match=r"X\[0\].*1-D mono.*AudioLoader\(mono=True\)"):
        TrimPad().fit_transform(stereo)


# ========================================================== non-finite input

@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize(
    "step, shape",
    [
        (TrimPad(sr=1000, duration=0.5), (3, 400)),
        (MelSpectrogram2D(), (3, 4000)),
        (FrameFeatures1D(), (3, 4000)),
        (StandardScalerND(), (3, 20, 4)),
        (AddNoise(), (3, 400)),
        (TimeShift(), (3, 400)),
        (FrequencyMask(), (3, 10, 8, 1)),
        (TimeMask(), (3, 20, 4)),
    ],
    ids=lambda s: type(s).__name__ if not isinstance(s, tuple) else "x".join(map(str, s)),
)
def test_steps_reject_nan_or_infinite_samples(step, shape, bad, rng):
    X = rng.normal(size=shape).astype(np.float32)
    X[1, 5] = bad

    with pytest.raises(ValueError, match="NaN or infinite"):
        step.fit_transform(X)


def test_trimpad_names_the_clip_holding_nan():
    clips = [np.zeros(100, np.float32), np.array([0.1, np.nan, 0.2], np.float32)]

    with pytest.raises(ValueError, match=r"X\[1\] contains NaN"):
        TrimPad(sr=100, duration=1.0).fit_transform(clips)


# ================================================================ wrong rank

@pytest.mark.parametrize("shape", [(10,), (2, 3, 4, 5, 6)])
def test_scaler_rejects_wrong_rank_stating_the_allowed_ranks(shape):
    expected = r"rank 2 or 3 or 4; got an array of shape " + re.escape(str(shape))
    with pytest.raises(ValueError, match=expected):
        StandardScalerND().fit(np.ones(shape))


def test_scaler_rejects_clips_of_a_different_shape_than_in_fit(rng):
    scaler = StandardScalerND().fit(rng.normal(size=(5, 20, 4)))

    with pytest.raises(ValueError, match=r"\(21, 4\).*fitted on clips of shape \(20, 4\)"):
        scaler.transform(rng.normal(size=(5, 21, 4)))


def test_scaler_feature_names_need_2d_input(rng):
    scaler = StandardScalerND().fit(rng.normal(size=(5, 20, 4)))

    with pytest.raises(ValueError, match="2-D"):
        scaler.get_feature_names_out()


@pytest.mark.parametrize("shape", [(4, 100), (4, 10, 10)])
def test_frequency_mask_rejects_wrong_rank_stating_the_expected_shape(shape):
    with pytest.raises(ValueError, match=re.escape("(n_clips, n_mels, n_frames, n_channels)")):
        FrequencyMask().fit_transform(np.ones(shape, np.float32))


def test_time_mask_rejects_waveforms_stating_the_expected_shapes():
    with pytest.raises(ValueError, match=re.escape("(n_clips, n_frames, n_features) or")):
        TimeMask().fit_transform(np.ones((4, 100), np.float32))


@pytest.mark.parametrize("step", [AddNoise(), TimeShift(), MelSpectrogram2D()],
                         ids=lambda s: type(s).__name__)
def test_waveform_steps_reject_feature_arrays_stating_the_expected_shape(step):
    with pytest.raises(ValueError, match=re.escape("(n_clips, n_samples)")):
        step.fit_transform(np.ones((2, 40, 30, 1), np.float32))


def test_feature_step_rejects_clips_of_another_length_than_in_fit(rng):
    mel = MelSpectrogram2D().fit(rng.normal(size=(2, 4000)))

    with pytest.raises(ValueError, match="4000"):
        mel.transform(rng.normal(size=(2, 3000)))


# ========================================================= parameter values

WAVES = np.random.default_rng(0).uniform(-0.5, 0.5, size=(2, 4000)).astype(np.float32)
IMAGES = np.random.default_rng(0).normal(size=(2, 16, 20, 1)).astype(np.float32)


INVALID_PARAMETERS = [
    (AudioLoader(sr=0), [np.zeros(10)], "sr"),
    (AudioLoader(offset=-1.0), [np.zeros(10)], "offset"),
    (AudioLoader(duration=0), [np.zeros(10)], "duration"),
    (AudioLoader(res_type="magic"), [np.zeros(10)], "res_type"),
    (TrimPad(duration=-1), [np.zeros(10)], "duration"),
    (TrimPad(top_db=0), [np.zeros(10)], "top_db"),
    (TrimPad(align="middle"), [np.zeros(10)], "align"),
    (FrameFeatures1D(features=("zcr", "foo")), WAVES, "features"),
    (FrameFeatures1D(features=()), WAVES, "features"),
    (FrameFeatures1D(features=("rms", "rms")), WAVES, "features"),
    (FrameFeatures1D(n_mfcc=200, n_mels=40), WAVES, "n_mfcc"),
    (FrameFeatures1D(n_bands=7), WAVES, "n_bands"),
    (FrameFeatures1D(aggregate="median"), WAVES, "aggregate"),
    (MelSpectrogram2D(fmax=99999), WAVES, "fmax"),
    (MelSpectrogram2D(fmin=5000, fmax=4000), WAVES, "fmin"),
    (MelSpectrogram2D(win_length=2048, n_fft=1024), WAVES, "win_length"),
    (MelSpectrogram2D(n_mels=0), WAVES, "n_mels"),
    (MelSpectrogram2D(hop_length=0), WAVES, "hop_length"),
    (StandardScalerND(per="clip"), IMAGES, "per"),
    (AddNoise(min_snr_db=30, max_snr_db=10), WAVES, "min_snr_db"),
    (AddNoise(p=1.5), WAVES, "'p'"),
    (TimeShift(max_shift_seconds=-0.1), WAVES, "max_shift_seconds"),
    (FrequencyMask(max_bins=-1), IMAGES, "max_bins"),
    (FrequencyMask(n_masks=0), IMAGES, "n_masks"),
    (TimeMask(fill="median"), IMAGES, "fill"),
]


@pytest.mark.parametrize(
    "step, X, parameter", INVALID_PARAMETERS,
    ids=[f"{type(s).__name__}-{p.strip(chr(39))}" for s, _, p in INVALID_PARAMETERS],
)
def test_invalid_parameter_value_error_names_the_parameter(step, X, parameter):
    with pytest.raises(ValueError, match=re.escape(parameter)):
        step.fit_transform(X)


def test_augmented_copies_rejects_an_empty_augmenter_list():
    with pytest.raises(ValueError, match="augmenters"):
        AugmentedCopies(augmenters=[]).fit_resample(WAVES, [0, 1])


def test_augmented_copies_rejects_an_augmenter_without_fit_transform():
    with pytest.raises(TypeError, match="fit_transform"):
        AugmentedCopies(augmenters=[AddNoise(), "noise"]).fit_resample(WAVES, [0, 1])


def test_augmented_copies_rejects_labels_of_another_length():
    with pytest.raises(ValueError, match="2 clips but y has 3 labels"):
        AugmentedCopies(augmenters=AddNoise()).fit_resample(WAVES, [0, 1, 2])


def test_augmented_copies_error_names_the_augmenter_that_changed_row_count():
    doubler = FunctionTransformer(lambda X: np.concatenate([X, X]))

    with pytest.raises(ValueError, match="FunctionTransformer.*must keep the number of rows"):
        AugmentedCopies(augmenters=[AddNoise(), doubler]).fit_resample(WAVES, [0, 1])
