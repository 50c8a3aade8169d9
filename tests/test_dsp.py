"""The batched signal processing of skser.features._dsp against librosa.

`FrameFeatures1D` and `MelSpectrogram2D` compute one STFT per clip and derive
every feature from it, with code that replaces librosa's per-call work; each
function here must give librosa's result on every clip of a batch, to float32
precision (the integer-valued zero-crossing counts exactly).
"""

import librosa
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skser import FrameFeatures1D, MelSpectrogram2D
from skser.features._dsp import (
    filterbank, frame_rms, mfcc_from_db, pad_center, power_spectrogram, power_to_db,
    spectral_contrast, zero_crossing_rate,
)
from skser.preprocessing._trim_pad import fix_length, trim_bounds

SR = 16000
WINDOWS = ["hann", "hamming", "blackman", "boxcar", "triang"]


def speech_like(n_clips, n_samples, seed, *, sr=SR):
    """Voiced harmonics plus noise, clips tens of dB apart, one with digital
    silence and exact zeros around a burst (the cases that break floors)."""
    gen = np.random.default_rng(seed)
    t = np.arange(n_samples) / sr
    clips = []
    for i in range(n_clips):
        f0 = gen.uniform(90, 300)
        voice = sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 12) if k * f0 < sr / 2)
        gain = 10.0 ** gen.uniform(-4, 0)
        clips.append(gain * (voice + 0.02 * gen.standard_normal(n_samples)))
    clips = np.stack(clips)
    if n_clips > 1:
        clips[-1] = 0.0
        a, b = n_samples // 3, n_samples // 3 + max(1, n_samples // 20)
        clips[-1, a:b] = 0.3 * gen.standard_normal(b - a)
    return clips.astype(np.float32)


@settings(max_examples=40, deadline=None)
@given(
    n_fft=st.sampled_from([64, 128, 256, 400, 512, 1024]),
    hop_fraction=st.sampled_from([1, 2, 3, 4, 8]),
    win_fraction=st.sampled_from([None, 1.0, 0.75, 0.5]),
    window=st.sampled_from(WINDOWS),
    center=st.booleans(),
    n_samples=st.integers(1100, 4000),
    seed=st.integers(0, 2**16),
)
def test_power_spectrogram_equals_librosa_stft_squared(
    n_fft, hop_fraction, win_fraction, window, center, n_samples, seed
):
    hop = max(1, n_fft // hop_fraction)
    win_length = None if win_fraction is None else int(n_fft * win_fraction)
    X = speech_like(3, n_samples, seed)

    power = power_spectrogram(X, n_fft=n_fft, hop_length=hop, win_length=win_length,
                              window=window, center=center)

    assert power.dtype == np.float32
    for i, y in enumerate(X):
        expected = np.abs(librosa.stft(y, n_fft=n_fft, hop_length=hop, win_length=win_length,
                                       window=window, center=center)) ** 2
        assert power[i].shape == expected.T.shape
        # Each bin to float32 precision of its own value; exact zeros (the
        # silent clip) need an absolute floor far below any real bin.
        np.testing.assert_allclose(power[i], expected.T, rtol=2e-5, atol=1e-30)


def test_power_spectrogram_of_a_clip_shorter_than_a_frame_needs_centering():
    X = speech_like(2, 300, 0)

    with pytest.raises(ValueError, match=r"300 samples.*n_fft=512"):
        power_spectrogram(X, n_fft=512, hop_length=128, center=False)
    with pytest.raises(ValueError, match=r"300 samples.*n_fft=512"):
        zero_crossing_rate(X, frame_length=512, hop_length=128, center=False)
    # Centred, librosa pads it to one full frame and more.
    centred = power_spectrogram(X, n_fft=512, hop_length=128, center=True)
    assert centred.shape == (2, 1 + 300 // 128, 257)


@settings(max_examples=60, deadline=None)
@given(
    frame_length=st.sampled_from([16, 64, 256, 512, 1024]),
    hop_fraction=st.sampled_from([1, 2, 4, 3]),
    center=st.booleans(),
    seed=st.integers(0, 2**16),
    quantised=st.booleans(),
)
def test_zero_crossing_rate_equals_librosa_exactly(frame_length, hop_fraction, center, seed,
                                                    quantised):
    hop = max(1, frame_length // hop_fraction)
    X = speech_like(3, 3000, seed)
    if quantised:
        # Exact zeros and values inside librosa's 1e-10 threshold, which it
        # counts as positive: the cases a sign test gets wrong.
        X = np.round(X * 50) / 50
        X[:, ::7] = np.float32(-5e-11)
        X[:, 1::11] = -0.0

    zcr = zero_crossing_rate(X, frame_length=frame_length, hop_length=hop, center=center)

    for i, y in enumerate(X):
        expected = librosa.feature.zero_crossing_rate(
            y, frame_length=frame_length, hop_length=hop, center=center)[0]
        np.testing.assert_array_equal(zcr[i], expected)


@settings(max_examples=60, deadline=None)
@given(
    frame_length=st.sampled_from([15, 16, 64, 256, 512, 2048]),
    hop_fraction=st.sampled_from([1, 2, 4, 3]),
    center=st.booleans(),
    n_samples=st.integers(2048, 6000),
    seed=st.integers(0, 2**16),
)
def test_frame_rms_equals_librosa_exactly(frame_length, hop_fraction, center, n_samples, seed):
    hop = max(1, frame_length // hop_fraction)
    X = speech_like(3, n_samples, seed)

    rms = frame_rms(X, frame_length=frame_length, hop_length=hop, center=center)

    assert rms.dtype == np.float32
    for i, y in enumerate(X):
        expected = librosa.feature.rms(y=y, frame_length=frame_length, hop_length=hop,
                                       center=center)[0]
        np.testing.assert_array_equal(rms[i], expected)
        np.testing.assert_array_equal(
            frame_rms(y, frame_length=frame_length, hop_length=hop, center=center), expected)


@settings(max_examples=80, deadline=None)
@given(
    top_db=st.sampled_from([10.0, 20.0, 30.0, 60]),
    frame_length=st.sampled_from([64, 512, 2048]),
    hop_fraction=st.sampled_from([1, 2, 4]),
    lead=st.integers(0, 6000),
    tail=st.integers(0, 6000),
    seed=st.integers(0, 2**16),
    dtype=st.sampled_from([np.float32, np.float64]),
)
def test_trim_bounds_equal_librosa_effects_trim(top_db, frame_length, hop_fraction, lead, tail,
                                                seed, dtype):
    hop = max(1, frame_length // hop_fraction)
    gen = np.random.default_rng(seed)
    # Speech between quieter noise that fades in and out: frames cross the
    # threshold at many levels.
    burst = speech_like(1, 4000, seed)[0]
    y = np.concatenate([np.linspace(0, 1, lead) * 1e-3 * gen.standard_normal(lead), burst,
                        np.linspace(1, 0, tail) * 1e-2 * gen.standard_normal(tail)])
    y = y.astype(dtype)

    start, end = trim_bounds(y, top_db=top_db, frame_length=frame_length, hop_length=hop)

    _, expected = librosa.effects.trim(y, top_db=top_db, frame_length=frame_length,
                                       hop_length=hop)
    assert (start, end) == tuple(expected)


@pytest.mark.parametrize("n_mfcc", [1, 13, 40])
def test_mfcc_from_db_equals_librosa_mfcc_of_the_same_log_mels(n_mfcc):
    X = speech_like(3, 8000, n_mfcc)
    mel_db = power_to_db(power_spectrogram(X, n_fft=512, hop_length=128)
                         @ filterbank("mel", sr=SR, n_fft=512, n_bins=40), top_db=80.0)

    mfcc = mfcc_from_db(mel_db, n_mfcc=n_mfcc)

    for i in range(X.shape[0]):
        expected = librosa.feature.mfcc(S=mel_db[i].T, n_mfcc=n_mfcc).T
        np.testing.assert_array_equal(mfcc[i], expected)


@pytest.mark.parametrize("n, size", [(5, 5), (5, 8), (6, 9), (400, 512)])
def test_pad_center_and_fix_length_equal_librosas(n, size):
    w = np.arange(1.0, n + 1.0)

    np.testing.assert_array_equal(pad_center(w, size), librosa.util.pad_center(w, size=size))
    for length in (size, n):
        np.testing.assert_array_equal(fix_length(w, length, "start"),
                                      librosa.util.fix_length(w, size=length))
    with pytest.raises(ValueError, match=f"cannot pad {size + 1} samples to {size}"):
        pad_center(np.ones(size + 1), size)


@pytest.mark.parametrize("n_bands", [1, 3, 6])
@pytest.mark.parametrize("n_fft", [512, 1024, 2048])
def test_spectral_contrast_equals_librosa_per_clip_with_per_clip_floors(n_bands, n_fft):
    X = speech_like(4, 8000, n_fft + n_bands)
    power = power_spectrogram(X, n_fft=n_fft, hop_length=n_fft // 4)
    magnitude = np.sqrt(power)

    contrast = spectral_contrast(power, sr=SR, n_fft=n_fft, n_bands=n_bands)

    for i in range(X.shape[0]):
        expected = librosa.feature.spectral_contrast(
            S=magnitude[i].T, sr=SR, n_fft=n_fft, n_bands=n_bands)
        np.testing.assert_allclose(contrast[i], expected.T, rtol=1e-6, atol=1e-6,
                                   err_msg=f"clip {i}")


@pytest.mark.parametrize("kind, kwargs, reference", [
    ("mel", dict(n_bins=40, fmin=50.0, fmax=7000.0),
     lambda: librosa.filters.mel(sr=SR, n_fft=512, n_mels=40, fmin=50.0, fmax=7000.0)),
    ("chroma", dict(n_bins=12),
     lambda: librosa.filters.chroma(sr=SR, n_fft=512, n_chroma=12, tuning=0.0)),
])
def test_filterbanks_are_librosas_transposed_and_read_only(kind, kwargs, reference):
    fb = filterbank(kind, sr=SR, n_fft=512, **kwargs)

    np.testing.assert_array_equal(fb, reference().T)
    assert not fb.flags.writeable


def test_power_to_db_floors_each_clip_at_its_own_peak():
    S = np.array([[1.0, 1e-12], [1e-6, 1e-12]], dtype=np.float32)

    db = power_to_db(S, top_db=40.0)

    np.testing.assert_allclose(db[0], [0.0, -40.0])
    np.testing.assert_allclose(db[1], [-60.0, -100.0], rtol=1e-6)
    np.testing.assert_allclose(db[1], librosa.power_to_db(S[1], ref=1.0, top_db=40.0))


# The feature steps as a whole, on speech-like clips at the default sizes.

@pytest.fixture(scope="module")
def clips():
    return speech_like(5, 24000, 7)


def _reference_1d(y):
    kw = dict(n_fft=1024, hop_length=256)
    rms = librosa.feature.rms(y=y, frame_length=1024, hop_length=256)
    return {
        "zcr": librosa.feature.zero_crossing_rate(y, frame_length=1024, hop_length=256),
        "energy": 1024 * rms ** 2,
        "rms": rms,
        "mfcc": librosa.feature.mfcc(y=y, sr=SR, n_mfcc=20, n_mels=128, **kw),
        "chroma": librosa.feature.chroma_stft(y=y, sr=SR, tuning=0.0, **kw),
        "contrast": librosa.feature.spectral_contrast(y=y, sr=SR, **kw),
        "mel": librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=SR, **kw),
                                   ref=1.0, top_db=80.0),
    }


def test_frame_features_at_defaults_match_librosa_to_float32_precision(clips):
    ff = FrameFeatures1D(sr=SR)
    out = ff.fit_transform(clips)
    names = list(ff.get_feature_names_out())

    for i, y in enumerate(clips):
        reference = _reference_1d(y)
        for feature in ff.features:
            columns = [k for k, n in enumerate(names) if n.rstrip("0123456789") == feature]
            got = out[i][:, columns].T
            # Relative to float32's resolution of the feature's own scale.
            scale = np.abs(reference[feature]).max()
            np.testing.assert_allclose(got, reference[feature], rtol=1e-5, atol=2e-6 * scale,
                                       err_msg=f"{feature}, clip {i}")


def test_mel_spectrogram_at_defaults_matches_librosa_to_float32_precision(clips):
    out = MelSpectrogram2D(sr=SR).fit_transform(clips)

    for i, y in enumerate(clips):
        expected = librosa.power_to_db(
            librosa.feature.melspectrogram(y=y, sr=SR, n_fft=1024, hop_length=256),
            ref=1.0, top_db=80.0)
        np.testing.assert_allclose(out[i, ..., 0], expected, rtol=1e-5, atol=1e-4,
                                   err_msg=f"clip {i}")


@pytest.mark.parametrize("make", [
    lambda n_jobs: FrameFeatures1D(sr=SR, n_jobs=n_jobs),
    lambda n_jobs: MelSpectrogram2D(sr=SR, n_jobs=n_jobs),
], ids=["FrameFeatures1D", "MelSpectrogram2D"])
def test_features_at_defaults_are_bit_identical_alone_batched_and_in_workers(make):
    """Multi-threaded BLAS in this process vs one thread in joblib workers
    rounded the mel product differently at full size (128 mels, 3 s); the
    products now run in one thread everywhere."""
    from skser.features._spectral import CHUNK_SIZE

    X = speech_like(CHUNK_SIZE + 3, 48000, 11)

    serial = make(1).fit_transform(X)
    parallel = make(2).fit_transform(X)
    alone = make(1).fit_transform(X[CHUNK_SIZE + 1:CHUNK_SIZE + 2])

    np.testing.assert_array_equal(parallel, serial)
    np.testing.assert_array_equal(alone[0], serial[CHUNK_SIZE + 1])
