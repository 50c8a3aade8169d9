"""Each FrameFeatures1D member beyond the course recipe's seven, against a reference:
librosa where it has the feature, otherwise a synthetic signal whose F0, HNR,
jitter or shimmer is known, or the definition computed frame by frame."""

import warnings

import librosa
import numpy as np
import pytest
import scipy.fft
import scipy.signal
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from skser import FrameFeatures1D
from skser.features import FEATURE_NAMES, RECIPE_FEATURES

import strategies as sst

SR = 16000
N = 3 * SR
T = np.arange(N) / SR


def _features(X, features, **kw):
    ff = FrameFeatures1D(sr=SR, features=features, **kw)
    return ff.fit_transform(np.atleast_2d(np.asarray(X, dtype=np.float32)))


def _harmonic(f0, rng, n_harmonics=20):
    """A periodic signal: harmonics of f0 with 1/k amplitudes, random phases."""
    return sum(np.sin(2 * np.pi * k * f0 * T + rng.uniform(0, 2 * np.pi)) / k
               for k in range(1, n_harmonics) if k * f0 < SR / 2)


def _pulse_train(f0, rng, *, jitter=0.0, shimmer=0.0):
    """Glottal-like pulses through a 700 Hz resonance, with cycle lengths and
    amplitudes perturbed by the given relative standard deviations.

    Returns the signal and the true cycle lengths and amplitudes."""
    y = np.zeros(N)
    position, periods, amplitudes = 100.0, [], []
    while position < N - 400:
        amplitude = 1 + shimmer * rng.standard_normal()
        y[int(position)] += amplitude
        amplitudes.append(amplitude)
        period = SR / f0 * (1 + jitter * rng.standard_normal())
        periods.append(period)
        position += period
    # Each cycle rings down before the next (0.9**100 ~ 3e-5), so cycles do not
    # perturb each other.
    r, theta = 0.9, 2 * np.pi * 700 / SR
    y = scipy.signal.lfilter([1.0], [1.0, -2 * r * np.cos(theta), r * r], y)
    return y / np.abs(y).max(), np.array(periods[:-1]), np.array(amplitudes)


@pytest.mark.parametrize("f0", [80.0, 150.0, 220.0, 400.0])
def test_f0_of_a_periodic_signal_is_its_pitch_in_semitones(f0, rng):
    out = _features(_harmonic(f0, rng), ("f0", "voiced"))

    st, voiced = out[0, 4:-4, 0], out[0, 4:-4, 1]
    assert voiced.all()
    np.testing.assert_allclose(st, 12 * np.log2(f0 / 27.5), atol=0.02)


def test_f0_agrees_with_librosa_yin_on_a_gliding_voice(rng):
    f0 = np.geomspace(110, 260, N)
    phase = 2 * np.pi * np.cumsum(f0) / SR
    y = sum(np.sin(k * phase) / k for k in range(1, 12)) + 0.01 * rng.standard_normal(N)

    out = _features(y, ("f0",))[0, :, 0]
    yin = librosa.yin(y, fmin=60, fmax=600, sr=SR, frame_length=1024, hop_length=256)

    inner = slice(4, -4)
    np.testing.assert_allclose(out[inner], 12 * np.log2(yin[inner] / 27.5), atol=0.15)


def test_noise_and_silence_are_unvoiced_and_read_zero(rng):
    X = np.stack([0.3 * rng.standard_normal(N), np.zeros(N)])

    out = _features(X, ("f0", "voiced", "hnr", "jitter", "shimmer"))

    assert not np.any(out)


@pytest.mark.parametrize("snr_db", [5.0, 10.0, 20.0])
def test_hnr_of_a_periodic_signal_in_white_noise_is_the_snr(snr_db, rng):
    voice = _harmonic(150.0, rng)
    voice /= voice.std()
    noise = rng.standard_normal(N) * 10 ** (-snr_db / 20)

    hnr = _features(voice + noise, ("hnr",), aggregate=("p50",))[0, 0]

    assert hnr == pytest.approx(snr_db, abs=1.0)


@pytest.mark.parametrize("jitter", [0.005, 0.01, 0.02])
def test_jitter_of_a_pulse_train_matches_its_cycle_lengths(jitter, rng):
    y, periods, _ = _pulse_train(130.0, rng, jitter=jitter)
    expected = np.mean(np.abs(np.diff(periods))) / periods.mean()

    measured = _features(y, ("jitter",), aggregate=("p50",))[0, 0]

    assert measured == pytest.approx(expected, rel=0.3)


def test_jitter_and_shimmer_of_a_regular_pulse_train_are_near_zero(rng):
    y, _, _ = _pulse_train(130.0, rng)

    jitter, shimmer = _features(y, ("jitter", "shimmer"), aggregate=("mean",))[0]

    assert jitter < 0.004  # under half a sample per 123-sample cycle
    assert shimmer < 0.05


def test_shimmer_of_a_pulse_train_matches_its_amplitudes(rng):
    y, _, amplitudes = _pulse_train(130.0, rng, shimmer=0.05)
    expected = np.mean(np.abs(np.diff(20 * np.log10(amplitudes))))

    measured = _features(y, ("shimmer",), aggregate=("p50",))[0, 0]

    assert measured == pytest.approx(expected, rel=0.3)


@pytest.fixture(scope="module")
def speechlike():
    """Three clips unlike each other: a glide with noise, a pulse train, and
    noise under a loud burst (so a batch-wide floor would show)."""
    rng = np.random.default_rng(5)
    glide = np.sin(2 * np.pi * np.cumsum(np.geomspace(120, 300, N)) / SR)
    pulses, _, _ = _pulse_train(180.0, rng, jitter=0.01)
    burst = 1e-3 * rng.standard_normal(N)
    burst[20000:24000] += 0.8 * np.sin(2 * np.pi * 440 * T[:4000])
    return np.stack([glide + 0.1 * rng.standard_normal(N), pulses, burst]).astype(np.float32)


def _magnitude(y):
    return np.abs(librosa.stft(y, n_fft=1024, hop_length=256))


@pytest.mark.parametrize("feature, reference", [
    ("centroid", lambda y: librosa.feature.spectral_centroid(y=y, sr=SR, n_fft=1024, hop_length=256)),
    ("bandwidth", lambda y: librosa.feature.spectral_bandwidth(y=y, sr=SR, n_fft=1024, hop_length=256)),
    ("rolloff", lambda y: librosa.feature.spectral_rolloff(y=y, sr=SR, n_fft=1024, hop_length=256)),
    ("flatness", lambda y: librosa.feature.spectral_flatness(y=y, n_fft=1024, hop_length=256)),
])
def test_spectral_shape_matches_librosa_on_each_clip(feature, reference, speechlike):
    out = _features(speechlike, (feature,))

    for i, y in enumerate(speechlike):
        expected = reference(y)[0]
        scale = np.abs(expected).max()
        if feature == "rolloff":
            # A bin either side where the cumulative sum ties in float32.
            mismatch = np.abs(out[i, :, 0] - expected) > SR / 1024 + 1e-3
            assert mismatch.mean() < 0.02, f"clip {i}"
        else:
            np.testing.assert_allclose(out[i, :, 0], expected, rtol=1e-3, atol=1e-4 * scale,
                                       err_msg=f"{feature}, clip {i}")


def test_flux_slope_alpha_ratio_and_hammarberg_follow_their_definitions(speechlike):
    out = _features(speechlike, ("flux", "slope", "alpha_ratio", "hammarberg"))
    freqs = librosa.fft_frequencies(sr=SR, n_fft=1024)

    for i, y in enumerate(speechlike):
        mag = _magnitude(y).T  # (n_frames, n_bins)
        power = np.square(mag)
        unit = mag / np.linalg.norm(mag, axis=1, keepdims=True)
        flux = np.concatenate([[0.0], np.linalg.norm(np.diff(unit, axis=0), axis=1)])
        db = 10 * np.log10(np.maximum(power, 1e-10))
        slopes = []
        for low, high in ((0, 500), (500, 1500)):
            band = (freqs >= low) & (freqs <= high)
            slopes.append(np.polyfit(freqs[band] / 1000, db[:, band].T, 1)[0])

        def band_db(reduce, a, b):
            lo = reduce(power[:, (freqs >= a[0]) & (freqs <= a[1])], axis=1)
            hi = reduce(power[:, (freqs >= b[0]) & (freqs <= b[1])], axis=1)
            return 10 * np.log10(lo / hi)

        np.testing.assert_allclose(out[i, :, 0], flux, atol=1e-3, err_msg=f"flux {i}")
        np.testing.assert_allclose(out[i, :, 1:3], np.stack(slopes, axis=1), rtol=1e-3,
                                   atol=1e-2, err_msg=f"slope {i}")
        np.testing.assert_allclose(out[i, :, 3], band_db(np.sum, (50, 1000), (1000, 5000)),
                                   atol=1e-3, err_msg=f"alpha ratio {i}")
        np.testing.assert_allclose(out[i, :, 4], band_db(np.max, (0, 2000), (2000, 5000)),
                                   atol=1e-3, err_msg=f"hammarberg {i}")


def test_loudness_follows_stevens_power_law(speechlike):
    quiet, loud = (_features(gain * speechlike, ("loudness",)) for gain in (0.1, 0.2))

    np.testing.assert_allclose(loud, 2 ** (2 * 0.3) * quiet, rtol=1e-4)


def test_deltas_are_librosa_deltas_of_the_frames(speechlike):
    features = ("mfcc", "loudness")
    frames = _features(speechlike, features, n_mfcc=5)
    ff = FrameFeatures1D(sr=SR, features=features, n_mfcc=5, deltas=("loudness", "mfcc"))

    out = ff.fit_transform(speechlike)

    names = list(ff.get_feature_names_out())
    assert names[6:] == ["loudness_delta"] + [f"mfcc{i}_delta" for i in range(5)]
    expected = librosa.feature.delta(frames[..., [5, 0, 1, 2, 3, 4]], width=9, axis=1)
    np.testing.assert_allclose(out[..., 6:], expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("feature", [f for f in FEATURE_NAMES if f not in RECIPE_FEATURES])
def test_new_feature_of_a_clip_does_not_depend_on_its_batch(feature, speechlike):
    ff = FrameFeatures1D(sr=SR, features=(feature,))

    batch = ff.fit_transform(speechlike)

    for i in range(speechlike.shape[0]):
        np.testing.assert_allclose(batch[i], ff.transform(speechlike[i:i + 1])[0],
                                   rtol=1e-5, atol=1e-5, err_msg=f"{feature}, clip {i}")


# ---------------------------------------------------------------- pooling

def test_functionals_match_numpy_and_scipy_over_every_frame(speechlike):
    features = ("rms", "centroid", "loudness")
    frames = _features(speechlike, features).astype(np.float64)
    names = ("mean", "std", "p20", "p50", "p80", "range20_80", "slope", "skew", "kurtosis")
    ff = FrameFeatures1D(sr=SR, features=features, aggregate=names, skip_silent_frames=False)

    out = ff.fit_transform(speechlike).reshape(len(speechlike), len(names), len(features))

    t = np.arange(frames.shape[1]) * 256 / SR
    expected = {
        "mean": frames.mean(axis=1), "std": frames.std(axis=1),
        "p20": np.percentile(frames, 20, axis=1), "p50": np.median(frames, axis=1),
        "p80": np.percentile(frames, 80, axis=1),
        "range20_80": np.percentile(frames, 80, axis=1) - np.percentile(frames, 20, axis=1),
        "slope": np.stack([np.polyfit(t, clip, 1)[0] for clip in frames]),
        "skew": scipy.stats.skew(frames, axis=1),
        "kurtosis": scipy.stats.kurtosis(frames, axis=1),
    }
    for k, name in enumerate(names):
        np.testing.assert_allclose(out[:, k], expected[name], rtol=2e-3, atol=1e-5,
                                   err_msg=name)


def test_voice_features_pool_over_voiced_frames_only(speechlike):
    frames = _features(speechlike, ("f0", "voiced", "hnr"))
    ff = FrameFeatures1D(sr=SR, features=("f0", "hnr"), aggregate=("mean", "p50"))

    out = ff.fit_transform(speechlike)

    for i in range(len(speechlike)):
        voiced = frames[i, :, 1] == 1
        assert voiced.any()
        np.testing.assert_allclose(
            out[i], [frames[i, voiced, 0].mean(), frames[i, voiced, 2].mean(),
                     np.median(frames[i, voiced, 0]), np.median(frames[i, voiced, 2])],
            rtol=1e-4)


def test_pooling_skips_the_zero_padding_of_a_clip(rng):
    voice = 0.3 * _harmonic(150.0, rng)[:SR] + 0.01 * rng.standard_normal(SR)
    padded = np.concatenate([np.zeros(SR), voice, np.zeros(SR)])
    features = ("mfcc", "rms", "centroid")
    frames = _features(padded, features, n_mfcc=4)[0]
    silent = np.array([not np.any(padded[max(0, t * 256 - 512):t * 256 + 512])
                       for t in range(frames.shape[0])])
    assert 100 < silent.sum() < frames.shape[0]

    pooled = _features(padded, features, n_mfcc=4, aggregate="mean_std")[0]
    everything = _features(padded, features, n_mfcc=4, aggregate="mean_std",
                           skip_silent_frames=False)[0]

    kept = frames[~silent]
    np.testing.assert_allclose(pooled, np.concatenate([kept.mean(0), kept.std(0)]),
                               rtol=1e-4, atol=1e-4)
    assert not np.allclose(pooled, everything, rtol=1e-2)


@pytest.mark.parametrize("n_clips, n_jobs", [(3, None), (70, 2)])
def test_views_of_shared_frames_are_each_steps_own_output(n_clips, n_jobs, rng):
    # One pass over the frames, several views (per frame, pooled with and
    # without the padding): each bit-identical to the step's own transform,
    # over one chunk and over several chunks run in parallel.
    X = (0.2 * rng.standard_normal((n_clips, SR // 2))).astype(np.float32)
    X[:, :2000] = 0.0  # padding that pooling skips
    common = dict(sr=SR, features=("f0", "rms", "mfcc", "hnr"), deltas=("f0",), n_mfcc=4,
                  n_jobs=n_jobs)
    steps = [FrameFeatures1D(**common),
             FrameFeatures1D(**common, aggregate="functionals"),
             FrameFeatures1D(**common, aggregate=("mean", "kurtosis"), skip_silent_frames=False)]
    fitted = [step.fit(X) for step in steps]

    views = FrameFeatures1D._transform_shared(fitted, X)

    assert [v.shape for v in views] == [(n_clips, 1 + X.shape[1] // 256, 8), (n_clips, 56),
                                        (n_clips, 16)]
    for view, step in zip(views, fitted):
        np.testing.assert_array_equal(view, step.transform(X))


def test_steps_that_compress_otherwise_share_their_spectra_and_keep_their_outputs(
        rng, monkeypatch):
    """Root cepstra and root contrast beside librosa's: one STFT for all,
    and each view bit-identical to its step's own transform."""
    from skser.features import _frame_members

    X = (0.2 * rng.standard_normal((3, SR // 2))).astype(np.float32)
    common = dict(sr=SR, features=("rms", "mfcc", "contrast"), deltas=True, n_mfcc=4)
    steps = [FrameFeatures1D(**common, aggregate="functionals"),
             FrameFeatures1D(**common, cepstral_root=3.0, contrast_root=3.0),
             FrameFeatures1D(**common, cepstral_root=3.0, aggregate="mean_std"),
             FrameFeatures1D(**common, aggregate="mean_std")]
    fitted = [step.fit(X) for step in steps]
    assert len({step._shared_frames_key() for step in fitted}) == 1
    expected = [step.transform(X) for step in fitted]
    calls = []
    stft = _frame_members.power_spectrogram
    monkeypatch.setattr(_frame_members, "power_spectrogram",
                        lambda *a, **kw: calls.append(1) or stft(*a, **kw))

    views = FrameFeatures1D._transform_shared(fitted, X)

    assert len(calls) == 1
    for view, own in zip(views, expected):
        np.testing.assert_array_equal(view, own)
    # The roots are not librosa's: the views differ where they should.
    assert not np.array_equal(views[2], views[3])


@pytest.mark.parametrize("other, message", [
    (dict(n_mels=64), "differ at most in aggregate"),
    (dict(hop_length=128), "differ at most in aggregate"),
])
def test_shared_frames_refuse_steps_that_compute_other_frames(other, message, rng):
    X = (0.2 * rng.standard_normal((2, SR // 4))).astype(np.float32)
    steps = [FrameFeatures1D(sr=SR, features=("mfcc",), n_mfcc=4, **other),
             FrameFeatures1D(sr=SR, features=("mfcc",), n_mfcc=4, aggregate="mean")]
    assert steps[0]._shared_frames_key() != steps[1]._shared_frames_key()
    with pytest.raises(ValueError, match=message):
        FrameFeatures1D._transform_shared(steps, X)


def test_a_clip_without_voice_pools_voice_features_to_zero(rng):
    out = _features(0.3 * rng.standard_normal((2, SR)), ("f0", "jitter", "rms"),
                    aggregate="functionals")

    assert np.all(np.isfinite(out))
    names = FrameFeatures1D(features=("f0", "jitter", "rms"),
                            aggregate="functionals").get_feature_names_out()
    voice = np.array([n.startswith(("f0", "jitter")) for n in names])
    assert not np.any(out[:, voice])
    assert np.all(out[:, names == "rms_mean"] > 0)


@pytest.mark.parametrize("center", [True, False])
def test_pitch_with_a_frame_too_short_for_f0_min_uses_a_longer_window(center, rng):
    # 256 samples at 16 kHz hold two periods of 125 Hz only: 100 Hz needs more.
    y = _harmonic(100.0, rng)

    short = _features(y, ("f0", "voiced", "rms"), n_fft=256, hop_length=128, center=center)[0]

    assert short.shape[0] == (1 + N // 128 if center else 1 + (N - 256) // 128)
    inner = slice(8, -8)
    assert short[inner, 1].all()
    np.testing.assert_allclose(short[inner, 0], 12 * np.log2(100 / 27.5), atol=0.02)


@pytest.mark.parametrize("params, match", [
    (dict(features=("f0",), f0_min=300.0, f0_max=200.0), "f0_min"),
    (dict(features=("f0",), sr=8000, f0_max=5000.0), "f0_max"),
    (dict(features=("slope",), sr=8000, n_fft=8), "band"),
    (dict(features=("rms",), deltas=("mfcc",)), "deltas"),
    (dict(features=("rms",), aggregate=("mean", "median")), "aggregate"),
    (dict(features=("rms",), aggregate=()), "aggregate"),
])
def test_bad_parameters_of_the_new_features_name_the_parameter(params, match):
    with pytest.raises(ValueError, match=match):
        FrameFeatures1D(**params).fit(np.zeros((1, 4000), np.float32))


@settings(max_examples=30, deadline=None)
@given(shape=st.tuples(st.integers(1, 3), st.integers(1, 40), st.integers(1, 4)),
       missing=st.floats(0.0, 0.9), seed=sst.seeds)
def test_functionals_skip_undefined_frames_as_numpys_nan_functions_do(shape, missing, seed):
    from skser.features._functionals import pool

    gen = np.random.default_rng(seed)
    values = gen.normal(size=shape)
    values[gen.uniform(size=shape) < missing] = np.nan
    names = ("mean", "std", "p20", "p50", "p80", "range20_80")

    out = pool(values, names, frame_seconds=0.01).reshape(shape[0], len(names), shape[2])

    defined = ~np.isnan(values).all(axis=1)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        p20, p50, p80 = (np.nanpercentile(values, q, axis=1) for q in (20, 50, 80))
        expected = [np.nanmean(values, axis=1), np.nanstd(values, axis=1), p20, p50, p80,
                    p80 - p20]
    for k, name in enumerate(names):
        # Where a feature has no defined frame, it pools to 0.
        np.testing.assert_allclose(out[:, k], np.where(defined, expected[k], 0.0),
                                   rtol=1e-5, atol=1e-5, err_msg=name)


# ------------------------------------------------------------ root cepstra


def test_root_cepstra_are_the_dct_of_the_mel_power_root(speechlike):
    out = _features(speechlike, ("mfcc",), n_mfcc=13, cepstral_root=3.0)

    for i, y in enumerate(speechlike):
        mel = librosa.feature.melspectrogram(y=y, sr=SR, n_fft=1024, hop_length=256,
                                             n_mels=128)
        expected = scipy.fft.dct(np.cbrt(mel), axis=0, type=2, norm="ortho")[:13].T
        np.testing.assert_allclose(out[i], expected, rtol=1e-3,
                                   atol=1e-4 * np.abs(expected).max(), err_msg=f"clip {i}")


def test_cepstral_root_none_keeps_librosa_mfcc(speechlike):
    log = _features(speechlike, ("mfcc",), n_mfcc=13)

    np.testing.assert_array_equal(_features(speechlike, ("mfcc",), n_mfcc=13,
                                            cepstral_root=None), log)
    assert not np.allclose(_features(speechlike, ("mfcc",), n_mfcc=13, cepstral_root=3.0), log)


@pytest.mark.parametrize("root", [0.5, 0, -3, "3"])
def test_cepstral_root_below_one_or_not_a_number_is_refused(root, speechlike):
    with pytest.raises(ValueError, match="cepstral_root"):
        _features(speechlike, ("mfcc",), cepstral_root=root)


def _shift_under_white_noise(feature, **kw):
    """How far white noise 10 dB below six voiced signals whose level falls
    and rises (speech's pauses and weak syllables) moves ``feature``'s clip
    statistics (mean and std), in units of their spread across the clean
    clips (the median over columns)."""
    rng = np.random.default_rng(0)
    clips = []
    for f0 in (110.0, 140.0, 180.0, 220.0, 260.0, 300.0):
        envelope = 0.05 + np.abs(np.sin(2 * np.pi * rng.uniform(1.5, 4.0) * T))
        clips.append(0.1 * envelope * _harmonic(f0, rng))
    clean = np.stack(clips).astype(np.float32)
    power = np.mean(np.square(clean), axis=1, keepdims=True)
    noisy = clean + np.sqrt(power / 10.0) * rng.standard_normal(clean.shape)
    a, b = (_features(x, (feature,), aggregate="mean_std", **kw) for x in (clean, noisy))
    return np.median(np.abs(a - b) / (a.std(axis=0) + 1e-9))


def test_root_cepstra_move_less_than_log_cepstra_under_white_noise():
    """The reason the robust statistics model takes them."""
    assert (_shift_under_white_noise("mfcc", cepstral_root=3.0)
            < 0.75 * _shift_under_white_noise("mfcc"))


@pytest.mark.parametrize("parameter, feature", [("cepstral_root", "mfcc"),
                                                ("contrast_root", "contrast")])
def test_models_saved_before_a_root_parameter_compute_what_they_did(parameter, feature,
                                                                    speechlike):
    """A model pickled before ``cepstral_root`` or ``contrast_root`` existed
    loads with None: librosa's log cepstra and contrast, as it computed."""
    import pickle

    ff = FrameFeatures1D(sr=SR, features=(feature,), n_mfcc=5).fit(speechlike)
    expected = ff.transform(speechlike)
    old = ff.__getstate__()
    del old[parameter]
    restored = FrameFeatures1D.__new__(FrameFeatures1D)
    restored.__setstate__(old)

    assert getattr(restored, parameter) is None
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(restored)).transform(speechlike),
                                  expected)


# ---------------------------------------------------------- root contrast


def _librosa_bands(y, n_bands=6, fmin=200.0, quantile=0.02):
    """The peak and valley magnitudes of librosa's spectral contrast, per
    band (its loop, one clip): the reference the root contrast compares."""
    S = np.abs(librosa.stft(y, n_fft=1024, hop_length=256))
    freq = librosa.fft_frequencies(sr=SR, n_fft=1024)
    octa = np.zeros(n_bands + 2)
    octa[1:] = fmin * (2.0 ** np.arange(0, n_bands + 1))
    peaks, valleys = [], []
    for k, (f_low, f_high) in enumerate(zip(octa[:-1], octa[1:])):
        band = np.logical_and(freq >= f_low, freq <= f_high)
        idx = np.flatnonzero(band)
        if k > 0:
            band[idx[0] - 1] = True
        if k == n_bands:
            band[idx[-1] + 1:] = True
        sub = S[band] if k == n_bands else S[band][:-1]
        sub = np.sort(sub, axis=0)
        q = int(max(np.rint(quantile * np.sum(band)), 1))
        valleys.append(sub[:q].mean(axis=0))
        peaks.append(sub[-q:].mean(axis=0))
    return np.array(peaks).T, np.array(valleys).T


def test_root_contrast_is_the_difference_of_peak_and_valley_power_roots(speechlike):
    out = _features(speechlike, ("contrast",), contrast_root=3.0)

    for i, y in enumerate(speechlike):
        peak, valley = _librosa_bands(y)
        # The reference's peaks and valleys are librosa's: in dB they give its contrast.
        np.testing.assert_allclose(
            librosa.power_to_db(peak) - librosa.power_to_db(valley),
            librosa.feature.spectral_contrast(y=y, sr=SR, n_fft=1024, hop_length=256).T,
            rtol=1e-5, atol=1e-4)
        expected = np.cbrt(peak ** 2) - np.cbrt(valley ** 2)
        np.testing.assert_allclose(out[i], expected, rtol=1e-3,
                                   atol=1e-4 * np.abs(expected).max(), err_msg=f"clip {i}")


def test_contrast_root_none_keeps_librosa_contrast(speechlike):
    db = _features(speechlike, ("contrast",))

    np.testing.assert_array_equal(_features(speechlike, ("contrast",), contrast_root=None), db)
    np.testing.assert_allclose(
        db[0], librosa.feature.spectral_contrast(y=speechlike[0], sr=SR, n_fft=1024,
                                                 hop_length=256).T, rtol=1e-4, atol=1e-3)
    assert not np.allclose(_features(speechlike, ("contrast",), contrast_root=3.0), db)


@pytest.mark.parametrize("root", [0.5, 0, -3, "3"])
def test_contrast_root_below_one_or_not_a_number_is_refused(root, speechlike):
    with pytest.raises(ValueError, match="contrast_root"):
        _features(speechlike, ("contrast",), contrast_root=root)


def test_root_contrast_moves_less_than_librosa_contrast_under_white_noise():
    """The reason the robust statistics model takes it: the noise fills the
    bins between the harmonics, which a band's contrast in dB reads most."""
    assert (_shift_under_white_noise("contrast", contrast_root=3.0)
            < 0.75 * _shift_under_white_noise("contrast"))


# ---------------------------------------------------------- voiced pooling


def _voiced_then_noise(rng):
    """One second of a 150 Hz voice, then one of white noise (unvoiced)."""
    voice = _harmonic(150.0, rng)[:SR] / 4
    noise = 0.1 * rng.standard_normal(SR)
    return np.concatenate([voice, noise]).astype(np.float32)


def test_voiced_pooling_reads_the_voiced_frames_only(rng):
    """Each column's mean over the frames the pitch tracker calls voiced;
    ``voiced`` and ``voicing`` over every frame."""
    X = np.stack([_voiced_then_noise(rng), _voiced_then_noise(rng)[::-1].copy()])
    common = dict(sr=SR, features=("rms", "mfcc", "voicing", "voiced"), n_mfcc=4, deltas=("rms",))
    frames = FrameFeatures1D(**common).fit_transform(X)
    pooled = FrameFeatures1D(**common, aggregate="mean", pool_frames="voiced").fit_transform(X)
    plain = FrameFeatures1D(**common, aggregate="mean").fit_transform(X)

    names = list(FrameFeatures1D(**common).fit(X).get_feature_names_out())
    voiced = frames[..., names.index("voiced")] == 1
    assert 0.3 < voiced.mean() < 0.7  # the voice half, not the noise half
    for i, name in enumerate(names):
        rows = voiced if name not in ("voiced", "voicing") else np.ones_like(voiced)
        expected = [frames[c, rows[c], i].mean() for c in range(len(X))]
        np.testing.assert_allclose(pooled[:, i], expected, rtol=1e-4, atol=1e-5, err_msg=name)
    # Pooled over every frame, the noise half moves the spectral columns.
    assert np.abs(plain[:, names.index("mfcc1")] - pooled[:, names.index("mfcc1")]).min() > 1.0


def test_a_clip_with_too_few_voiced_frames_is_pooled_over_all_of_them(rng):
    X = (0.1 * rng.standard_normal((2, SR))).astype(np.float32)
    common = dict(sr=SR, features=("rms", "mfcc", "voiced"), n_mfcc=4, aggregate="functionals")
    assert FrameFeatures1D(sr=SR, features=("voiced",)).fit_transform(X).sum() < 5
    np.testing.assert_array_equal(
        FrameFeatures1D(**common, pool_frames="voiced").fit_transform(X),
        FrameFeatures1D(**common).fit_transform(X))


def test_voiced_pooling_moves_less_when_noise_fills_the_pauses(rng):
    """A voice with a pause: noise in the pause moves voiced-pooled
    statistics less than those pooled over every frame."""
    voice = (_harmonic(150.0, rng)[:SR] / 4).astype(np.float32)
    pause = np.full(SR // 2, 1e-4, dtype=np.float32) * rng.standard_normal(SR // 2)
    clean = np.concatenate([voice, pause.astype(np.float32), voice])
    noisy = clean.copy()
    noisy[SR:SR + SR // 2] += (0.02 * rng.standard_normal(SR // 2)).astype(np.float32)
    X = np.stack([clean, noisy])
    common = dict(sr=SR, features=("mfcc", "contrast"), aggregate="functionals")
    shift = {pf: np.abs(np.diff(FrameFeatures1D(**common, pool_frames=pf).fit_transform(X),
                                axis=0)).mean() for pf in ("all", "voiced")}
    assert shift["voiced"] < 0.25 * shift["all"], shift


def test_steps_that_pool_otherwise_share_their_frames(rng):
    X = np.stack([_voiced_then_noise(rng), _voiced_then_noise(rng)])
    common = dict(sr=SR, features=("rms", "mfcc"), n_mfcc=4)
    steps = [FrameFeatures1D(**common, aggregate="functionals", pool_frames="voiced"),
             FrameFeatures1D(**common, aggregate="functionals"),
             FrameFeatures1D(**common)]
    fitted = [step.fit(X) for step in steps]
    assert len({step._shared_frames_key() for step in fitted}) == 1

    views = FrameFeatures1D._transform_shared(fitted, X)

    for view, step in zip(views, fitted):
        np.testing.assert_array_equal(view, step.transform(X))
    assert not np.array_equal(views[0], views[1])


def test_models_saved_before_pool_frames_pool_every_frame(speechlike):
    ff = FrameFeatures1D(sr=SR, features=("mfcc",), n_mfcc=5, aggregate="mean").fit(speechlike)
    expected = ff.transform(speechlike)
    old = ff.__getstate__()
    del old["pool_frames"]
    restored = FrameFeatures1D.__new__(FrameFeatures1D)
    restored.__setstate__(old)

    assert restored.pool_frames == "all"
    np.testing.assert_array_equal(restored.transform(speechlike), expected)
