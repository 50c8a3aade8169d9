"""Property tests of every step's data contract (shapes, dtypes, values),
over random lengths, sample rates, channel counts and parameter values, plus
reference equality of the features with librosa run on one clip at a time.
"""

import os
import tempfile

import librosa
import numpy as np
import pytest
import soundfile as sf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from skser import (
    FEATURE_NAMES, AddNoise, AudioLoader, AugmentedCopies, FrameFeatures1D,
    FrequencyMask, MelSpectrogram2D, StandardScalerND, TimeMask, TimeShift, TrimPad,
)
from skser.features import RECIPE_FEATURES
from skser.features._spectral import CHUNK_SIZE

import strategies as sst

# librosa warns, rightly, about tiny clips and about mel bands narrower than
# an FFT bin; the contracts below must hold all the same.
pytestmark = [
    pytest.mark.filterwarnings("ignore:n_fft=.*is too large for input signal"),
    pytest.mark.filterwarnings("ignore:Empty filters detected in mel frequency basis"),
]

FAST = settings(max_examples=20, deadline=None)
FILES = settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _widths(ff):
    """The documented widths (FrameFeatures1D's table), written out independently."""
    widths = {
        "zcr": 1, "energy": 1, "rms": 1, "mfcc": ff.n_mfcc, "chroma": ff.n_chroma,
        "contrast": ff.n_bands + 1, "mel": ff.n_mels, "slope": 2,
    }
    return {name: widths.get(name, 1) for name in FEATURE_NAMES}


def _resampled_length(n, orig_sr, sr):
    return n if orig_sr == sr else int(np.ceil(n * sr / orig_sr))


# ============================================================== AudioLoader

@FILES
@given(
    file_sr=sst.sample_rates(), sr=sst.sample_rates(), channels=sst.channel_counts(),
    subtype=sst.wav_subtypes(), seconds=st.floats(0.005, 0.4), seed=sst.seeds,
)
def test_loader_reads_any_wav_as_mono_float32_at_target_rate(
    file_sr, sr, channels, subtype, seconds, seed
):
    n = max(1, round(seconds * file_sr))
    data = np.random.default_rng(seed).uniform(-0.9, 0.9, size=(n, channels))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "clip.wav")
        sf.write(path, data, file_sr, subtype=subtype)

        native = AudioLoader(sr=file_sr).fit_transform([path])
        resampled = AudioLoader(sr=sr).fit_transform([path])
        multi = AudioLoader(sr=file_sr, mono=False).fit_transform([path])

    # Quantisation of the file format, or float32 rounding of the read.
    atol = max(sst.WAV_SUBTYPES[subtype], 1e-6)
    assert isinstance(native, list) and len(native) == 1
    assert native[0].dtype == np.float32 and native[0].shape == (n,)
    np.testing.assert_allclose(native[0], data.mean(axis=1), atol=atol)
    assert resampled[0].dtype == np.float32 and resampled[0].ndim == 1
    assert abs(resampled[0].shape[0] - n * sr / file_sr) <= 1
    assert multi[0].dtype == np.float32 and multi[0].shape == (channels, n)
    np.testing.assert_allclose(multi[0], data.T, atol=atol)


@pytest.mark.parametrize("file_sr", [16000, 44100])
@pytest.mark.parametrize("fmt,subtype,ext", sst.COMPRESSED_FORMATS)
def test_loader_decodes_compressed_formats_at_full_length(fmt, subtype, ext, file_sr):
    n = int(0.5 * file_sr)
    t = np.arange(n) / file_sr
    tone = 0.5 * np.sin(2 * np.pi * 440 * t)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, f"clip.{ext}")
        sf.write(path, np.stack([tone, tone], axis=1), file_sr, format=fmt, subtype=subtype)
        (y,) = AudioLoader(sr=file_sr).fit_transform([path])
        (y8k,) = AudioLoader(sr=8000).fit_transform([path])
        (part,) = AudioLoader(sr=file_sr, offset=0.1, duration=0.2).fit_transform([path])

    assert y.dtype == np.float32 and y.ndim == 1
    # libsndfile removes encoder delay and padding, even for the lossy codecs.
    assert abs(y.shape[0] - n) <= 1
    assert abs(y8k.shape[0] - n * 8000 / file_sr) <= 1
    # A lossy codec changes samples, but a pure tone must survive it.
    middle = slice(n // 4, 3 * n // 4)
    assert np.corrcoef(y[middle], tone[middle])[0, 1] > 0.99
    # Seeking lands on the same samples a full decode gives.
    start, length = round(0.1 * file_sr), round(0.2 * file_sr)
    assert part.shape == (length,)
    lossless = fmt == "FLAC"
    np.testing.assert_allclose(part, y[start:start + length], atol=0 if lossless else 1e-3)


@FILES
@given(
    file_sr=sst.sample_rates(max_value=48000), offset=st.floats(0.0, 0.6),
    duration=st.none() | st.floats(0.001, 0.6), seed=sst.seeds,
)
def test_loader_offset_and_duration_read_only_that_part(file_sr, offset, duration, seed):
    n = int(0.5 * file_sr)
    data = np.random.default_rng(seed).uniform(-0.9, 0.9, size=n).astype(np.float32)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "clip.wav")
        sf.write(path, data, file_sr, subtype="FLOAT")
        loader = AudioLoader(sr=file_sr, offset=offset, duration=duration)
        from_file, from_array = loader.fit_transform([path, data])

    start = round(offset * file_sr)
    stop = n if duration is None else min(n, start + round(duration * file_sr))
    expected = data[start:stop]
    np.testing.assert_array_equal(from_file, expected)
    np.testing.assert_array_equal(from_array, expected)
    assert from_file.dtype == np.float32


@FAST
@given(clips=sst.waveform_lists(max_clips=4, max_samples=3000), sr=sst.sample_rates(),
       orig_sr=sst.sample_rates())
def test_loader_accepts_arrays_and_resamples_tuples(clips, sr, orig_sr):
    items = [clips[0]] + [(clip, orig_sr) for clip in clips[1:]]
    out = AudioLoader(sr=sr).fit_transform(items)

    assert len(out) == len(clips)
    assert all(y.dtype == np.float32 and y.ndim == 1 for y in out)
    # An array already at sr passes through untouched.
    np.testing.assert_array_equal(out[0], clips[0])
    for y, clip in zip(out[1:], clips[1:]):
        assert abs(y.shape[0] - _resampled_length(clip.size, orig_sr, sr)) <= 1


@FAST
@given(channels=st.integers(2, 6), n=st.integers(1, 2000), seed=sst.seeds)
def test_loader_mixes_multichannel_arrays_down_unless_mono_is_false(channels, n, seed):
    y = np.random.default_rng(seed).uniform(-1, 1, size=(channels, n)).astype(np.float32)

    (mono,) = AudioLoader(sr=8000).fit_transform([y])
    (kept,) = AudioLoader(sr=8000, mono=False).fit_transform([y])

    assert mono.shape == (n,) and mono.dtype == np.float32
    np.testing.assert_allclose(mono, y.mean(axis=0), atol=1e-6)
    assert kept.shape == (channels, n) and kept.dtype == np.float32
    np.testing.assert_array_equal(kept, y)


def test_loader_scales_integer_arrays_like_soundfile(tmp_path):
    pcm16 = np.array([-32768, -16384, 0, 16384, 32767], dtype=np.int16)
    sf.write(tmp_path / "pcm16.wav", pcm16, 8000, subtype="PCM_16")
    from_file = sf.read(tmp_path / "pcm16.wav", dtype="float32")[0]

    (from_array,) = AudioLoader(sr=8000).fit_transform([pcm16])

    np.testing.assert_array_equal(from_array, from_file)


def test_loader_centres_unsigned_8_bit_arrays_like_pcm_u8_files(tmp_path):
    # PCM_U8 stores silence as 128; soundfile reads it back as 0.0.
    pcm_u8 = np.array([0, 64, 128, 192, 255], dtype=np.uint8)
    sf.write(tmp_path / "u8.wav", pcm_u8.astype(np.float32) / 128 - 1, 8000,
             subtype="PCM_U8")
    from_file = sf.read(tmp_path / "u8.wav", dtype="float32")[0]

    (from_array,) = AudioLoader(sr=8000).fit_transform([pcm_u8])

    np.testing.assert_allclose(from_array, from_file, atol=1 / 128)
    assert from_array[2] == 0.0


def test_loader_n_jobs_2_gives_the_same_waveforms_as_n_jobs_1(tmp_path, rng):
    paths = []
    for i, (sr, channels) in enumerate([(8000, 1), (22050, 2), (44100, 6)]):
        path = tmp_path / f"clip{i}.wav"
        sf.write(path, rng.uniform(-0.5, 0.5, size=(int(0.2 * sr), channels)), sr)
        paths.append(str(path))

    serial = AudioLoader(sr=16000, n_jobs=1).fit_transform(paths)
    parallel = AudioLoader(sr=16000, n_jobs=2).fit_transform(paths)

    assert len(serial) == len(parallel) == 3
    for a, b in zip(serial, parallel):
        np.testing.assert_array_equal(a, b)


# ================================================================== TrimPad

@FAST
@given(
    clips=sst.waveform_lists(max_clips=4, max_samples=5000),
    sr=sst.sample_rates(), duration=sst.durations,
    top_db=st.none() | sst.top_dbs, align=st.sampled_from(["center", "start"]),
)
def test_trimpad_output_has_exact_length(clips, sr, duration, top_db, align):
    out = TrimPad(sr=sr, duration=duration, top_db=top_db, align=align).fit_transform(clips)

    assert out.shape == (len(clips), max(1, round(duration * sr)))
    assert out.dtype == np.float32
    assert np.all(np.isfinite(out))


@FAST
@given(
    lead=st.integers(0, 6000), burst=st.integers(2048, 6000), tail=st.integers(0, 6000),
    spare=st.integers(4096, 8000), align=st.sampled_from(["center", "start"]),
    seed=sst.seeds,
)
def test_trimpad_keeps_a_burst_between_silences_whole(lead, burst, tail, spare, align, seed):
    gen = np.random.default_rng(seed)
    # Every burst sample is loud, so the burst is exactly the non-zero part.
    loud = gen.uniform(0.1, 0.5, burst) * gen.choice([-1.0, 1.0], burst)
    y = np.concatenate([np.zeros(lead), loud, np.zeros(tail)]).astype(np.float32)
    sr = 8000
    n_out = burst + spare

    out = TrimPad(sr=sr, duration=n_out / sr, top_db=30, align=align).fit_transform([y])[0]

    assert out.shape == (n_out,)
    nonzero = np.flatnonzero(out)
    np.testing.assert_array_equal(out[nonzero[0]:nonzero[-1] + 1], loud.astype(np.float32))
    # Trimming removed most of the silence; padding put it where align says.
    if align == "start":
        assert nonzero[0] < 2048
    else:
        assert abs(nonzero[0] - (n_out - nonzero[-1] - 1)) < 2 * 2048


@FAST
@given(n_in=st.integers(1, 3000), n_out=st.integers(1, 3000))
def test_trimpad_crops_and_pads_where_align_says(n_in, n_out):
    y = np.arange(1, n_in + 1, dtype=np.float32)
    kw = dict(sr=1000, duration=n_out / 1000, top_db=None)

    center = TrimPad(align="center", **kw).fit_transform([y])[0]
    start = TrimPad(align="start", **kw).fit_transform([y])[0]

    if n_in >= n_out:
        first = (n_in - n_out) // 2
        np.testing.assert_array_equal(center, y[first:first + n_out])
        np.testing.assert_array_equal(start, y[:n_out])
    else:
        left = (n_out - n_in) // 2
        expected = np.zeros(n_out, np.float32)
        expected[left:left + n_in] = y
        np.testing.assert_array_equal(center, expected)
        expected = np.zeros(n_out, np.float32)
        expected[:n_in] = y
        np.testing.assert_array_equal(start, expected)


@pytest.mark.parametrize("align", ["center", "start"])
def test_trimpad_turns_a_silent_clip_into_zeros(align):
    clips = [np.zeros(5000, np.float32), np.zeros(10, np.float32)]

    out = TrimPad(sr=1000, duration=2.0, align=align).fit_transform(clips)

    assert out.shape == (2, 2000)
    assert not np.any(out)


# ========================================================== FrameFeatures1D

@st.composite
def frame_feature_params(draw):
    sr = draw(sst.sample_rates())
    features = draw(sst.feature_subsets())
    n_mels = draw(sst.n_mels_values)
    # Spectral contrast needs FFT bins no wider than its 200 Hz first band
    # (see test_frame_features_contrast_at_coarse_fft_is_finite_or_rejected).
    n_fft = draw(sst.n_ffts.filter(lambda n: "contrast" not in features or sr <= 200 * n))
    # Two periods of the lowest pitch must fit in a frame.
    f0_min = max(60.0, 2.0 * sr / n_fft + 1.0)
    return dict(
        sr=sr, features=features, n_fft=n_fft, f0_min=f0_min, f0_max=min(sr / 2, 4 * f0_min),
        hop_length=draw(sst.hop_lengths), n_mels=n_mels,
        n_mfcc=draw(sst.n_mfcc_for(n_mels)), n_chroma=draw(st.integers(1, 24)),
        n_bands=draw(st.integers(1, sst.max_contrast_bands(sr))),
    )


@FAST
@given(params=frame_feature_params(), X=sst.batches(max_clips=3, max_samples=6000))
def test_frame_features_have_one_row_per_frame_and_documented_widths(params, X):
    ff = FrameFeatures1D(**params)

    out = ff.fit_transform(X)

    widths = _widths(ff)
    assert set(widths) == set(FEATURE_NAMES)
    n_features = sum(widths[f] for f in params["features"])
    assert out.shape == (X.shape[0], 1 + X.shape[1] // params["hop_length"], n_features)
    assert out.dtype == np.float32
    assert np.all(np.isfinite(out))
    names = list(ff.get_feature_names_out())
    assert names == [
        f if widths[f] == 1 else f"{f}{i}" for f in params["features"] for i in range(widths[f])
    ]


@FAST
@given(params=frame_feature_params(),
       aggregate=st.sampled_from(["mean", "mean_std"]),
       X=sst.batches(max_clips=3, max_samples=4000))
def test_frame_features_aggregate_to_named_columns(params, aggregate, X):
    # Features defined in every frame, every frame pooled: plain means and stds.
    params["features"] = tuple(f for f in params["features"] if f in RECIPE_FEATURES) or ("rms",)
    frames = FrameFeatures1D(**params).fit_transform(X)
    ff = FrameFeatures1D(**params, aggregate=aggregate, skip_silent_frames=False)

    out = ff.fit_transform(X)
    names = list(ff.get_feature_names_out())

    n_features = frames.shape[2]
    stats = {"mean": [frames.mean(axis=1)],
             "mean_std": [frames.mean(axis=1), frames.std(axis=1)]}[aggregate]
    assert out.shape == (X.shape[0], len(stats) * n_features)
    assert out.dtype == np.float32
    assert len(names) == out.shape[1]
    np.testing.assert_allclose(out, np.concatenate(stats, axis=1), rtol=1e-4, atol=1e-3)
    suffixes = [s for s in ("mean", "std") if s in aggregate.split("_")]
    expected_names = [
        f"{n}_{stat}" for stat in suffixes
        for n in FrameFeatures1D(**params).get_feature_names_out()
    ]
    assert names == expected_names


def test_frame_feature_names_follow_the_chosen_order():
    ff = FrameFeatures1D(features=("mfcc", "zcr", "chroma"), n_mfcc=4, n_chroma=3,
                         aggregate="mean_std")

    names = list(ff.get_feature_names_out())

    assert names == [
        "mfcc0_mean", "mfcc1_mean", "mfcc2_mean", "mfcc3_mean", "zcr_mean",
        "chroma0_mean", "chroma1_mean", "chroma2_mean",
        "mfcc0_std", "mfcc1_std", "mfcc2_std", "mfcc3_std", "zcr_std",
        "chroma0_std", "chroma1_std", "chroma2_std",
    ]
    assert "mfcc3_mean" in names


# ========================================================= MelSpectrogram2D

@FAST
@given(
    sr=sst.sample_rates(), n_mels=sst.n_mels_values, n_fft=sst.n_ffts,
    hop_length=sst.hop_lengths, top_db=st.none() | sst.top_dbs,
    X=sst.batches(max_clips=3, max_samples=6000),
)
def test_mel_spectrogram_is_a_one_channel_image_per_clip(sr, n_mels, n_fft, hop_length, top_db, X):
    mel = MelSpectrogram2D(sr=sr, n_mels=n_mels, n_fft=n_fft, hop_length=hop_length,
                           top_db=top_db)

    out = mel.fit_transform(X)

    assert out.shape == (X.shape[0], n_mels, 1 + X.shape[1] // hop_length, 1)
    assert out.dtype == np.float32
    assert np.all(np.isfinite(out))
    if top_db is not None:
        # The floor is per clip: each clip spans at most top_db.
        span = out.max(axis=(1, 2, 3)) - out.min(axis=(1, 2, 3))
        assert np.all(span <= top_db + 1e-3)


# ============================================= reference equality (librosa)

SR = 16000
SPECTRAL = dict(n_fft=512, hop_length=128)
SMALL = dict(n_mfcc=13, n_mels=40, n_chroma=12, n_bands=4)


@pytest.fixture(scope="module")
def loudness_batch():
    """Clips 80 dB apart in loudness, and one silent clip with a short burst:
    any batch-wide dB floor would change the quiet ones."""
    gen = np.random.default_rng(1)
    n = 8000
    t = np.arange(n) / SR
    voice = np.sin(2 * np.pi * 220 * t) + 0.3 * np.sin(2 * np.pi * 1330 * t)
    clips = [
        gain * (voice + 0.05 * gen.standard_normal(n)) for gain in (1e-4, 1e-2, 0.9)
    ]
    burst = np.zeros(n)
    burst[3000:3200] = 0.5 * gen.standard_normal(200)
    clips.append(burst)
    return np.stack(clips).astype(np.float32)


def _librosa_reference(feature, y):
    """The FrameFeatures1D docstring's definition of ``feature`` on one clip,
    as (n_columns, n_frames)."""
    n_fft, hop = SPECTRAL["n_fft"], SPECTRAL["hop_length"]
    if feature == "zcr":
        return librosa.feature.zero_crossing_rate(y, frame_length=n_fft, hop_length=hop)
    if feature == "rms":
        return librosa.feature.rms(y=y, frame_length=n_fft, hop_length=hop)
    if feature == "energy":
        return n_fft * librosa.feature.rms(y=y, frame_length=n_fft, hop_length=hop) ** 2
    if feature == "mfcc":
        return librosa.feature.mfcc(y=y, sr=SR, n_mfcc=SMALL["n_mfcc"],
                                    n_mels=SMALL["n_mels"], **SPECTRAL)
    if feature == "chroma":
        return librosa.feature.chroma_stft(y=y, sr=SR, tuning=0.0,
                                           n_chroma=SMALL["n_chroma"], **SPECTRAL)
    if feature == "contrast":
        return librosa.feature.spectral_contrast(y=y, sr=SR, n_bands=SMALL["n_bands"],
                                                 **SPECTRAL)
    assert feature == "mel"
    return librosa.power_to_db(
        librosa.feature.melspectrogram(y=y, sr=SR, n_mels=SMALL["n_mels"], **SPECTRAL),
        ref=1.0, top_db=80.0,
    )


@pytest.mark.parametrize("feature", RECIPE_FEATURES)
def test_frame_feature_matches_librosa_on_each_clip_of_a_mixed_batch(feature, loudness_batch):
    ff = FrameFeatures1D(sr=SR, features=(feature,), **SMALL, **SPECTRAL)

    out = ff.fit_transform(loudness_batch)

    for i, y in enumerate(loudness_batch):
        expected = _librosa_reference(feature, y)
        # dB-valued features get an absolute tolerance in dB.
        atol = 1e-3 if feature in ("mfcc", "mel", "contrast") else 1e-6
        np.testing.assert_allclose(
            out[i].T, expected, rtol=1e-4, atol=atol, err_msg=f"{feature}, clip {i}"
        )


def test_mel_spectrogram_matches_librosa_on_each_clip_of_a_mixed_batch(loudness_batch):
    mel = MelSpectrogram2D(sr=SR, n_mels=40, **SPECTRAL)

    out = mel.fit_transform(loudness_batch)

    for i, y in enumerate(loudness_batch):
        expected = librosa.power_to_db(
            librosa.feature.melspectrogram(y=y, sr=SR, n_mels=40, **SPECTRAL),
            ref=1.0, top_db=80,
        )
        np.testing.assert_allclose(out[i, ..., 0], expected, rtol=1e-4, atol=1e-3,
                                   err_msg=f"clip {i}")


@pytest.mark.parametrize("feature", FEATURE_NAMES)
def test_frame_feature_of_a_clip_does_not_depend_on_its_batch(feature, loudness_batch):
    ff = FrameFeatures1D(sr=SR, features=(feature,), **SMALL, **SPECTRAL, f0_min=70.0)

    batch = ff.fit_transform(loudness_batch)

    for i in range(loudness_batch.shape[0]):
        alone = ff.transform(loudness_batch[i:i + 1])
        np.testing.assert_allclose(batch[i], alone[0], rtol=1e-5, atol=1e-5,
                                   err_msg=f"{feature}, clip {i}")


def test_mel_spectrogram_of_a_clip_does_not_depend_on_its_batch(loudness_batch):
    mel = MelSpectrogram2D(sr=SR, n_mels=40, **SPECTRAL)

    batch = mel.fit_transform(loudness_batch)

    for i in range(loudness_batch.shape[0]):
        np.testing.assert_array_equal(batch[i], mel.transform(loudness_batch[i:i + 1])[0])


@pytest.fixture(scope="module")
def many_clips():
    """More clips than one chunk, so n_jobs really splits the work."""
    gen = np.random.default_rng(2)
    gains = 10.0 ** gen.uniform(-4, 0, size=(CHUNK_SIZE + 9, 1))
    return (gains * gen.uniform(-1, 1, size=(CHUNK_SIZE + 9, 2000))).astype(np.float32)


@pytest.mark.parametrize(
    "make",
    [
        lambda n_jobs: FrameFeatures1D(sr=SR, **SMALL, **SPECTRAL, n_jobs=n_jobs),
        lambda n_jobs: MelSpectrogram2D(sr=SR, n_mels=40, **SPECTRAL, n_jobs=n_jobs),
    ],
    ids=["FrameFeatures1D", "MelSpectrogram2D"],
)
def test_features_with_n_jobs_2_equal_n_jobs_1_across_chunks(make, many_clips):
    serial = make(1).fit_transform(many_clips)
    parallel = make(2).fit_transform(many_clips)

    assert serial.shape[0] == many_clips.shape[0]
    np.testing.assert_array_equal(parallel, serial)


# ========================================================= StandardScalerND

_POOLED_AXES = {2: (0,), 3: (0, 1), 4: (0, 2)}


@FAST
@given(X=sst.feature_arrays(ranks=(2, 3, 4)))
def test_scaler_standardises_each_feature_over_pooled_axes(X):
    scaler = StandardScalerND().fit(X)

    Xt = scaler.transform(X)

    assert Xt.shape == X.shape and Xt.dtype == X.dtype
    axes = _POOLED_AXES[X.ndim]
    tol = 1e-3 if X.dtype == np.float32 else 1e-8
    np.testing.assert_allclose(Xt.astype(np.float64).mean(axis=axes), 0.0, atol=tol)
    std = Xt.astype(np.float64).std(axis=axes)
    constant = X.astype(np.float64).std(axis=axes) == 0
    np.testing.assert_allclose(std[~constant], 1.0, atol=tol)


@FAST
@given(X=sst.feature_arrays(ranks=(2, 3, 4)))
def test_scaler_inverse_transform_round_trips(X):
    scaler = StandardScalerND().fit(X)

    back = scaler.inverse_transform(scaler.transform(X))

    assert back.shape == X.shape and back.dtype == X.dtype
    rtol = 1e-5 if X.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(back, X, rtol=rtol, atol=rtol * np.abs(X).max())


@FAST
@given(X=sst.feature_arrays(ranks=(2, 3, 4)), value=st.floats(-1e4, 1e4), data=st.data())
def test_scaler_leaves_no_nan_for_a_constant_feature(X, value, data):
    index = [slice(None)] * X.ndim
    feature_axis = {2: 1, 3: 2, 4: 1}[X.ndim]
    index[feature_axis] = data.draw(st.integers(0, X.shape[feature_axis] - 1))
    X[tuple(index)] = value

    Xt = StandardScalerND().fit_transform(X)

    assert np.all(np.isfinite(Xt))
    constant = Xt[tuple(index)]
    assert np.all(constant == constant.flat[0])


@pytest.mark.parametrize("value", [0.1, 1000.1, 12345.678, -777.7])
@pytest.mark.parametrize("shape", [(37, 3), (5, 11, 3), (5, 3, 11, 1)])
def test_scaler_maps_a_constant_float64_feature_to_zero(value, shape, rng):
    X = rng.normal(size=shape)
    feature = (slice(None),) * {2: 1, 3: 2, 4: 1}[len(shape)] + (1,)
    X[feature] = value

    Xt = StandardScalerND().fit_transform(X)

    # scikit-learn's StandardScaler gives 0 (up to rounding) here; 1.0 or -1.0
    # would mean a rounding error was divided by a rounding error.
    np.testing.assert_allclose(Xt[feature], 0.0, atol=1e-6)


@FAST
@given(X=sst.feature_arrays(ranks=(2,), dtypes=(np.float64,)))
def test_scaler_on_2d_input_equals_sklearn_standard_scaler(X):
    ours = StandardScalerND().fit(X)
    theirs = StandardScaler().fit(X)

    np.testing.assert_allclose(ours.transform(X), theirs.transform(X), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(np.ravel(ours.mean_), theirs.mean_, rtol=1e-12, atol=1e-10)
    np.testing.assert_allclose(np.ravel(ours.scale_), theirs.scale_, rtol=1e-9)


# =============================================================== augmenters

@st.composite
def augmenter_cases(draw):
    """(augmenter parameters without p/random_state, its class, a valid input)."""
    kind = draw(st.sampled_from(["AddNoise", "TimeShift", "FrequencyMask", "TimeMask"]))
    if kind in ("AddNoise", "TimeShift"):
        dtype = draw(st.sampled_from([np.float32, np.float64]))
        X = draw(sst.batches(max_clips=5, max_samples=2000)).astype(dtype)
    if kind == "AddNoise":
        low, high = draw(sst.snr_ranges())
        return AddNoise, dict(min_snr_db=low, max_snr_db=high), X
    if kind == "TimeShift":
        params = dict(sr=draw(st.integers(100, 16000)),
                      max_shift_seconds=draw(st.floats(0.0, 0.5)),
                      rollover=draw(st.booleans()))
        return TimeShift, params, X
    fill = draw(st.sampled_from(["mean", "min", -100.0]))
    n_masks = draw(sst.n_masks_values)
    if kind == "FrequencyMask":
        X = draw(sst.feature_arrays(ranks=(4,)))
        return FrequencyMask, dict(max_bins=draw(sst.max_bins_values), n_masks=n_masks,
                                   fill=fill), X
    X = draw(sst.feature_arrays(ranks=(3, 4)))
    return TimeMask, dict(max_frames=draw(sst.max_frames_values), n_masks=n_masks,
                          fill=fill), X


@FAST
@given(case=augmenter_cases(), seed=st.integers(0, 2**31 - 1), p=sst.probabilities)
def test_augmenters_keep_shape_and_dtype_and_reproduce_with_an_int_seed(case, seed, p):
    cls, params, X = case
    before = X.copy()
    aug = cls(**params, p=p, random_state=seed)

    first = aug.fit_transform(X)
    second = aug.fit_transform(X)

    assert first.shape == X.shape and first.dtype == X.dtype
    assert np.all(np.isfinite(first))
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(X, before)  # the input itself is not modified


@FAST
@given(case=augmenter_cases(), seed=st.integers(0, 2**31 - 1))
def test_augmenters_transform_returns_input_unchanged(case, seed):
    cls, params, X = case
    aug = cls(**params, random_state=seed).fit(X)

    out = aug.transform(X)

    assert out.dtype == X.dtype
    assert np.array_equal(out, X)


@FAST
@given(case=augmenter_cases(), seed=st.integers(0, 2**31 - 1))
def test_augmenters_with_p_0_leave_training_data_unchanged(case, seed):
    cls, params, X = case

    out = cls(**params, p=0.0, random_state=seed).fit_transform(X)

    assert np.array_equal(out, X)


@pytest.mark.parametrize("snr_db", [0.0, 10.0, 25.0])
def test_add_noise_realises_the_requested_snr(snr_db):
    t = np.arange(200_000) / 16000
    X = np.stack([0.5 * np.sin(2 * np.pi * 300 * t), 0.01 * np.sin(2 * np.pi * 90 * t)])

    noisy = AddNoise(min_snr_db=snr_db, max_snr_db=snr_db, random_state=0).fit_transform(X)

    noise = noisy - X
    realised = 10 * np.log10(np.mean(X**2, axis=1) / np.mean(noise**2, axis=1))
    np.testing.assert_allclose(realised, snr_db, atol=0.1)


def test_add_noise_leaves_a_silent_clip_silent():
    X = np.zeros((2, 500), np.float32)

    assert not np.any(AddNoise(random_state=0).fit_transform(X))


def _shifted(y, shift, rollover):
    out = np.roll(y, shift)
    if not rollover:
        if shift > 0:
            out[:shift] = 0
        elif shift < 0:
            out[shift:] = 0
    return out


@FAST
@given(n=st.integers(1, 400), sr=st.integers(10, 1000), max_shift=st.floats(0.0, 1.0),
       rollover=st.booleans(), seed=st.integers(0, 2**31 - 1))
def test_time_shift_moves_each_clip_by_at_most_max_shift(n, sr, max_shift, rollover, seed):
    gen = np.random.default_rng(seed)
    X = gen.uniform(0.5, 1.0, size=(3, n)).astype(np.float32)  # never 0: shifts show
    limit = min(round(max_shift * sr), n)

    out = TimeShift(sr=sr, max_shift_seconds=max_shift, rollover=rollover,
                    random_state=seed).fit_transform(X)

    for x, o in zip(X, out):
        shifts = [k for k in range(-limit, limit + 1)
                  if np.array_equal(o, _shifted(x, k, rollover))]
        assert shifts, "output is not a shift of its input within max_shift_seconds"
        if rollover:
            np.testing.assert_array_equal(np.sort(o), np.sort(x))


def _runs(mask):
    """Lengths of the runs of True in a 1-D boolean array."""
    padded = np.concatenate([[False], mask, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(int)))
    return edges[1::2] - edges[::2]


@FAST
@given(X=sst.feature_arrays(ranks=(4,), dtypes=(np.float32,)), max_bins=sst.max_bins_values,
       n_masks=sst.n_masks_values, seed=st.integers(0, 2**31 - 1))
def test_frequency_mask_fills_whole_mel_bands_of_at_most_max_bins(X, max_bins, n_masks, seed):
    out = FrequencyMask(max_bins=max_bins, n_masks=n_masks, fill=-1000.0,
                        random_state=seed).fit_transform(X)

    masked = out == -1000.0
    np.testing.assert_array_equal(out[~masked], X[~masked])
    for clip in masked:
        rows = clip.all(axis=(1, 2))
        # A masked value always belongs to a fully masked mel band.
        np.testing.assert_array_equal(clip.any(axis=(1, 2)), rows)
        assert rows.sum() <= n_masks * max_bins
        assert len(_runs(rows)) <= n_masks


@FAST
@given(X=sst.feature_arrays(ranks=(3, 4), dtypes=(np.float32,)),
       max_frames=sst.max_frames_values, n_masks=sst.n_masks_values,
       seed=st.integers(0, 2**31 - 1))
def test_time_mask_fills_whole_frames_of_at_most_max_frames(X, max_frames, n_masks, seed):
    out = TimeMask(max_frames=max_frames, n_masks=n_masks, fill=-1000.0,
                   random_state=seed).fit_transform(X)

    masked = out == -1000.0
    np.testing.assert_array_equal(out[~masked], X[~masked])
    frame_axis = 0 if X.ndim == 3 else 1  # within one clip
    other = tuple(a for a in range(X.ndim - 1) if a != frame_axis)
    for clip in masked:
        frames = clip.all(axis=other)
        np.testing.assert_array_equal(clip.any(axis=other), frames)
        assert frames.sum() <= n_masks * max_frames
        assert len(_runs(frames)) <= n_masks


# ========================================================== AugmentedCopies

@FAST
@given(n_clips=st.integers(3, 6), n_copies=st.integers(1, 3),
       n_augmenters=st.integers(1, 3), seed=st.integers(0, 2**31 - 1))
def test_augmented_copies_appends_copies_after_unchanged_originals(
    n_clips, n_copies, n_augmenters, seed
):
    gen = np.random.default_rng(seed)
    X = gen.uniform(-0.5, 0.5, size=(n_clips, 300)).astype(np.float32)
    y = np.arange(n_clips)
    # Three or more clips, so two TimeShift copies coincide with odds < 1e-8.
    augmenters = [AddNoise(), AddNoise(min_snr_db=0), TimeShift(sr=1000, rollover=True)]
    copies = AugmentedCopies(augmenters=augmenters[:n_augmenters], n_copies=n_copies,
                             random_state=seed)

    Xr, yr = copies.fit_resample(X, y)
    Xr2, yr2 = copies.fit_resample(X, y)

    n_parts = 1 + n_copies * n_augmenters
    assert Xr.shape == (n_clips * n_parts, 300) and Xr.dtype == X.dtype
    np.testing.assert_array_equal(Xr[:n_clips], X)
    np.testing.assert_array_equal(yr, np.tile(y, n_parts))
    np.testing.assert_array_equal(copies.sample_indices_, np.tile(np.arange(n_clips), n_parts))
    np.testing.assert_array_equal(yr, y[copies.sample_indices_])
    np.testing.assert_array_equal(Xr, Xr2)
    np.testing.assert_array_equal(yr, yr2)
    parts = Xr.reshape(n_parts, n_clips, 300)
    for i in range(1, n_parts):
        for j in range(i):
            assert not np.array_equal(parts[i], parts[j]), f"copies {i} and {j} are equal"


def test_augmented_copies_accepts_a_list_of_waveforms(rng):
    X = [rng.uniform(-0.5, 0.5, 200).astype(np.float32) for _ in range(3)]
    y = ["a", "b", "c"]

    Xr, yr = AugmentedCopies(augmenters=AddNoise(), n_copies=2,
                             random_state=0).fit_resample(X, y)

    assert isinstance(Xr, list) and len(Xr) == 9
    for original, kept in zip(X, Xr[:3]):
        np.testing.assert_array_equal(kept, original)
    assert all(clip.shape == (200,) and clip.dtype == np.float32 for clip in Xr)
    assert list(yr) == y * 3


def test_augmented_copies_rejects_an_augmenter_that_drops_rows(rng):
    X = rng.normal(size=(4, 50)).astype(np.float32)
    drop_last = FunctionTransformer(lambda X: X[:-1])

    with pytest.raises(ValueError, match="returned 3 clips for 4"):
        AugmentedCopies(augmenters=[drop_last]).fit_resample(X, np.arange(4))


# ======================================================= pinned regressions

def test_frame_features_contrast_at_coarse_fft_is_finite_or_rejected():
    # At 96 kHz a 256-point FFT has 375 Hz bins, wider than spectral
    # contrast's first band (0-200 Hz): librosa returns NaN for that band.
    X = np.random.default_rng(0).uniform(-0.5, 0.5, size=(2, 4000)).astype(np.float32)
    ff = FrameFeatures1D(sr=96000, n_fft=256, hop_length=128, features=("contrast",))

    try:
        out = ff.fit_transform(X)
    except ValueError as exc:
        assert "n_fft" in str(exc)
    else:
        assert np.all(np.isfinite(out)), "spectral contrast gave NaN without an error"
