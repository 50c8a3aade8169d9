"""The corruption suite, multi-condition training and level invariance (issue 21)."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression

from skser import ConditionGatedClassifier, TrimPad, make_ser_pipeline
from skser.augmentation import (
    CORRUPTION_NAMES, CORRUPTIONS, AugmentedCopies, RandomCorruption, corrupt,
    speech_level_db,
)
from skser.preprocessing import LevelNormalizer

SR = 16000


def voice(rng, *, seconds=1.5, f0=180.0, level=0.3):
    """A voiced, syllable-like clip with pauses, peak ``level``."""
    t = np.arange(int(seconds * SR)) / SR
    pitch = f0 * (1 + 0.1 * np.sin(2 * np.pi * 1.5 * t))
    phase = 2 * np.pi * np.cumsum(pitch) / SR
    y = sum(np.sin(k * phase) / k for k in range(1, 10))
    y *= np.clip(np.sin(2 * np.pi * 3 * t), 0, None) ** 2
    y += 1e-4 * rng.standard_normal(t.size)
    return (level * y / np.max(np.abs(y))).astype(np.float32)


@pytest.mark.parametrize("name", CORRUPTION_NAMES)
def test_every_corruption_at_every_severity_changes_the_clip_and_keeps_its_duration(name, rng):
    y = voice(rng)
    sources = [voice(rng, f0=f) for f in (120.0, 150.0, 210.0, 260.0)]
    for severity in CORRUPTIONS[name].severities:
        out, sr_out = corrupt(y, name, severity, sr=SR, random_state=0, sources=sources)
        assert out.dtype == np.float32 and out.ndim == 1
        assert np.all(np.isfinite(out))
        assert abs(out.size / sr_out - y.size / SR) < 0.01, (name, severity)
        if sr_out == SR:
            assert not np.allclose(out, y), (name, severity)


@pytest.mark.parametrize("name", ["white_noise", "pink_noise", "brown_noise", "babble", "hum"])
@pytest.mark.parametrize("snr_db", [20.0, 5.0])
def test_noise_is_mixed_at_the_snr_asked_relative_to_the_speech_level(name, snr_db, rng):
    y = voice(rng)
    sources = [voice(rng, f0=f) for f in (120.0, 150.0, 210.0, 260.0)]
    out, _ = corrupt(y, name, snr_db, sr=SR, random_state=1, sources=sources)
    noise = out - y
    snr = speech_level_db(y, sr=SR) - 10 * np.log10(np.mean(np.square(noise, dtype=np.float64)))
    assert snr == pytest.approx(snr_db, abs=0.5)


def test_noise_colours_fall_with_frequency_as_named(rng):
    """White is flat, pink falls about 3 dB and brown about 6 dB per octave."""
    y = np.zeros(4 * SR, dtype=np.float32)
    y[::97] = 0.1  # some signal, so the SNR has a level to refer to
    slopes = {}
    for name in ("white_noise", "pink_noise", "brown_noise"):
        out, _ = corrupt(y, name, 0.0, sr=SR, random_state=2)
        spectrum = np.abs(np.fft.rfft(out - y)) ** 2
        f = np.fft.rfftfreq(out.size, 1 / SR)
        bands = [spectrum[(f >= lo) & (f < 2 * lo)].mean() for lo in (250, 500, 1000, 2000)]
        slopes[name] = np.mean(np.diff(10 * np.log10(bands)))
    assert slopes["white_noise"] == pytest.approx(0.0, abs=1.0)
    assert slopes["pink_noise"] == pytest.approx(-3.0, abs=1.0)
    assert slopes["brown_noise"] == pytest.approx(-6.0, abs=1.0)


def test_noise_floor_is_at_the_absolute_level_asked(rng):
    y = voice(rng, level=0.01)
    out, _ = corrupt(y, "noise_floor", -50.0, sr=SR, random_state=0)
    level = 10 * np.log10(np.mean(np.square(out - y, dtype=np.float64)))
    assert level == pytest.approx(-50.0, abs=0.3)


def test_telephone_keeps_only_the_300_to_3400_hz_band_at_8_khz():
    t = np.arange(SR) / SR
    low, mid, high = (np.sin(2 * np.pi * f * t) for f in (100.0, 1000.0, 5000.0))
    out, sr = corrupt((0.3 * (low + mid + high)).astype(np.float32), "telephone", "mu-law",
                      sr=SR)
    assert sr == 8000
    spectrum = np.abs(np.fft.rfft(out[2000:]))
    f = np.fft.rfftfreq(out[2000:].size, 1 / 8000)
    at = {hz: spectrum[np.argmin(np.abs(f - hz))] for hz in (100.0, 1000.0)}
    assert at[100.0] < 0.1 * at[1000.0]


def test_gain_clips_at_full_scale(rng):
    y = voice(rng, level=0.5)
    out, _ = corrupt(y, "gain", 12.0, sr=SR)
    assert np.max(np.abs(out)) == pytest.approx(1.0)
    quiet, _ = corrupt(y, "gain", -20.0, sr=SR)
    np.testing.assert_allclose(quiet, y / 10, rtol=1e-5, atol=1e-8)


def test_reverb_lengthens_the_decay_with_rt60():
    """The energy after an impulse lasts longer in a more reverberant room."""
    y = np.zeros(2 * SR, dtype=np.float32)
    y[1000] = 0.5
    tails = []
    for rt60 in (0.2, 0.6, 1.2):
        out, _ = corrupt(y, "reverb", rt60, sr=SR, random_state=0)
        energy = np.cumsum(np.square(out[::-1], dtype=np.float64))[::-1]
        tails.append(np.argmax(energy < energy[0] * 1e-3))  # -30 dB point
    assert tails[0] < tails[1] < tails[2]


def _direct_to_reverberant_db(rir):
    direct = int(np.argmax(np.abs(rir)))
    w = int(0.0025 * SR)
    return 10 * np.log10(np.sum(np.square(rir[max(0, direct - w):direct + w]))
                         / np.sum(np.square(rir[direct + w:])))


def _rt60_from_decay(rir):
    """RT60 from the -5 to -25 dB span of Schroeder's backward integral."""
    energy = np.cumsum(np.square(rir[::-1]))[::-1]
    db = 10 * np.log10(energy / energy[0])
    t5, t25 = np.argmax(db < -5), np.argmax(db < -25)
    return 3 * (t25 - t5) / SR


@pytest.mark.parametrize("room, rt60", [((5.0, 4.0, 2.8), 0.5), ((3.5, 2.8, 2.5), 0.6)])
def test_hybrid_training_rooms_keep_the_exact_rooms_direct_sound_and_decay(room, rt60):
    from skser.augmentation._corruptions import room_impulse_response

    exact = room_impulse_response(room, rt60, 0, SR)
    hybrid = room_impulse_response(room, rt60, 0, SR, 12)
    assert np.max(np.abs(hybrid)) == pytest.approx(1.0)
    # The early reflections are the image sources' own (within a filter's ripple).
    np.testing.assert_allclose(hybrid[:int(0.01 * SR)], exact[:int(0.01 * SR)], atol=5e-3)
    assert abs(_direct_to_reverberant_db(hybrid) - _direct_to_reverberant_db(exact)) < 1.0
    # Its tail decays at the RT60 asked for (the exact response, within a fifth).
    assert _rt60_from_decay(hybrid) == pytest.approx(rt60, rel=0.15)
    assert _rt60_from_decay(exact) == pytest.approx(rt60, rel=0.2)
    # Seeded by the room: the same response in every process.
    room_impulse_response.cache_clear()
    np.testing.assert_array_equal(room_impulse_response(room, rt60, 0, SR, 12), hybrid)
    # An order that covers the room is the exact response.
    np.testing.assert_array_equal(room_impulse_response(room, rt60, 0, SR, 10_000), exact)


@pytest.mark.parametrize("codec", ["mp3", "opus"])
def test_codecs_keep_the_clip_aligned(codec, rng):
    y = voice(rng)
    out, _ = corrupt(y, codec, 32.0, sr=SR)
    assert np.corrcoef(out, y)[0, 1] > 0.9


def test_corruption_is_reproducible_with_a_seed(rng):
    y = voice(rng)
    a, _ = corrupt(y, "pink_noise", 10.0, sr=SR, random_state=3)
    b, _ = corrupt(y, "pink_noise", 10.0, sr=SR, random_state=3)
    c, _ = corrupt(y, "pink_noise", 10.0, sr=SR, random_state=4)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("name, severity, match", [
    ("pinknoise", 10.0, "unknown corruption 'pinknoise'"),
    ("pink_noise", "loud", "severity of 'pink_noise' must be a finite number"),
    ("pink_noise", float("nan"), "severity of 'pink_noise'"),
    ("telephone", "gsm", "severity of 'telephone' must be one of"),
    # The declared limits of each numeric severity, named in the error.
    ("sample_rate", 500, "'sample_rate' is a rate in Hz, at least 1000; got 500"),
    ("sample_rate", 8000.5, "'sample_rate' is a rate in Hz, a whole number"),
    ("reverb", 5.0, "'reverb' is an RT60 in s, 0.05 to 3; got 5.0"),
    ("mp3", 2.0, "'mp3' is a bitrate in kbps, 6 to 160"),
    ("opus", 200.0, "'opus' is a bitrate in kbps, 6 to 160"),
])
def test_bad_corruption_or_severity_gets_an_error_naming_it(name, severity, match):
    with pytest.raises(ValueError, match=match):
        corrupt(np.zeros(SR, dtype=np.float32), name, severity, sr=SR)


def test_babble_without_sources_says_what_it_needs(rng):
    with pytest.raises(ValueError, match="sources"):
        corrupt(voice(rng), "babble", 10.0, sr=SR)


def test_corrupt_rejects_non_finite_or_non_1d_audio():
    with pytest.raises(ValueError, match="NaN"):
        corrupt(np.full(100, np.nan, dtype=np.float32), "gain", 0.0, sr=SR)
    with pytest.raises(ValueError, match="1-D"):
        corrupt(np.zeros((2, 100), dtype=np.float32), "gain", 0.0, sr=SR)


# ------------------------------------------------------------- RandomCorruption

def test_random_corruption_alters_training_rows_only_and_keeps_shape(rng):
    X = np.stack([voice(rng, f0=f) for f in (120.0, 180.0, 240.0)])
    aug = RandomCorruption(random_state=0)
    Xa = aug.fit_transform(X)
    assert Xa.shape == X.shape and Xa.dtype == np.float32
    assert all(not np.allclose(a, x) for a, x in zip(Xa, X))
    np.testing.assert_array_equal(aug.transform(X), X)
    np.testing.assert_array_equal(RandomCorruption(random_state=0).fit_transform(X), Xa)


def test_random_corruption_draws_within_the_ranges_given(rng):
    X = np.stack([voice(rng) for _ in range(6)])
    Xa = RandomCorruption(corruptions={"gain": (-6.0, -6.0)}, random_state=0).fit_transform(X)
    np.testing.assert_allclose(Xa, X * 10 ** (-6 / 20), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("corruptions, match", [
    (["nope"], "unknown corruption 'nope'"),
    ({"gain": (10.0, -10.0)}, "low must not exceed high"),
    ({"gain": (0.0,)}, r"\(low, high\)"),
    ({"telephone": ("gsm",)}, "telephone"),
    ([], "corruptions is empty"),
])
def test_random_corruption_rejects_bad_ranges_by_name(corruptions, match, rng):
    with pytest.raises(ValueError, match=match):
        RandomCorruption(corruptions=corruptions).fit_transform(np.zeros((2, 1600), "float32"))


def test_random_corruption_draws_corruptions_by_their_weights(rng):
    X = np.stack([voice(rng, seconds=0.2) for _ in range(200)])
    ranges = {"gain": (-6.0, -6.0), "white_noise": (30.0, 30.0)}
    quieter = X * 10 ** (-6 / 20)

    def share_of_gains(weights):
        Xa = RandomCorruption(corruptions=ranges, weights=weights,
                              random_state=0).fit_transform(X)
        return np.mean([np.allclose(a, q, rtol=1e-5, atol=1e-7) for a, q in zip(Xa, quieter)])

    assert 0.4 < share_of_gains(None) < 0.6
    assert 0.65 < share_of_gains({"gain": 3.0}) < 0.85  # 3 of 4 draws
    assert share_of_gains({"white_noise": 0.0}) == 1.0
    assert share_of_gains({"gain": 0}) == 0.0


@pytest.mark.parametrize("weights, match", [
    ({"gsm": 1.0}, "weights names 'gsm', which corruptions does not draw"),
    ({"opus": 1.0}, "weights names 'opus'"),
    ({"gain": -1.0}, r"weights\['gain'\] must be a non-negative, finite number; got -1.0"),
    ({"gain": float("nan")}, "non-negative, finite"),
    ({"gain": "3"}, "non-negative, finite"),
    ({"gain": True}, "non-negative, finite"),
    ({"gain": 0.0, "pink_noise": 0.0}, "every corruption weight 0"),
    (["gain"], "weights"),
])
def test_random_corruption_rejects_bad_weights_by_name(weights, match):
    with pytest.raises(ValueError, match=match):
        RandomCorruption(corruptions=["gain", "pink_noise"], weights=weights).fit_transform(
            np.zeros((2, 1600), "float32"))


def test_augmented_copies_of_random_corruption_keep_labels_aligned(rng):
    X = np.stack([voice(rng) for _ in range(4)])
    y = np.array(["a", "b", "a", "b"])
    Xr, yr = AugmentedCopies(augmenters=[RandomCorruption(random_state=0)], n_copies=2,
                             random_state=0).fit_resample(X, y)
    assert Xr.shape == (12, X.shape[1])
    assert yr.tolist() == y.tolist() * 3


def test_random_corruption_draws_one_channel_per_group_when_asked(rng):
    X = np.stack([voice(rng, level=0.1) for _ in range(40)])
    groups = np.repeat([f"spk{k}" for k in range(8)], 5)
    aug = RandomCorruption(corruptions={"gain": (-20.0, 6.0)}, draw="group", random_state=0)
    gains = np.round(20 * np.log10(np.abs(aug.fit_transform(X, groups=groups)).max(axis=1)
                                   / np.abs(X).max(axis=1)), 4)
    per_group = [np.unique(gains[groups == g]) for g in np.unique(groups)]
    assert all(len(g) == 1 for g in per_group)  # one gain for a speaker's clips
    assert len(np.unique(np.concatenate(per_group))) == 8  # drawn apart for each speaker
    # Clip by clip, the same groups are ignored: every clip draws its own.
    by_clip = RandomCorruption(corruptions={"gain": (-20.0, 6.0)}, random_state=0)
    np.testing.assert_array_equal(by_clip.fit_transform(X, groups=groups),
                                  by_clip.fit_transform(X))
    assert len(np.unique(np.round(np.abs(by_clip.fit_transform(X)).max(axis=1), 6))) == 40
    # Without groups, "group" draws clip by clip, as "clip" does.
    np.testing.assert_array_equal(
        RandomCorruption(corruptions={"gain": (-20.0, 6.0)}, draw="group",
                         random_state=0).fit_transform(X), by_clip.fit_transform(X))


def test_random_corruption_by_group_alters_whole_groups_with_probability_p(rng):
    X = np.stack([voice(rng, level=0.1) for _ in range(60)])
    groups = np.repeat(np.arange(20), 3)
    Xa = RandomCorruption(corruptions=["gain"], draw="group", p=0.5,
                          random_state=1).fit_transform(X, groups=groups)
    changed = np.any(Xa != X, axis=1).reshape(20, 3)
    assert np.all(changed.all(axis=1) | ~changed.any(axis=1))  # all or none of a group
    assert 0 < changed[:, 0].sum() < 20


def test_babble_by_group_is_made_of_the_other_groups_voices():
    t = np.arange(SR) / SR
    tones = {"own": 300.0, "same speaker": 1000.0, "other speaker": 2500.0}
    X = np.stack([0.3 * np.sin(2 * np.pi * f * t) for f in tones.values()]).astype(np.float32)
    aug = RandomCorruption(corruptions={"babble": (0.0, 0.0)}, draw="group", random_state=0)
    altered = aug.fit_transform(X, groups=["ann", "ann", "bob"])[0]
    spectrum = np.abs(np.fft.rfft(altered))
    assert spectrum[2500] > 100 * spectrum[1000]  # bob's voice, never ann's other clip
    by_clip = RandomCorruption(corruptions={"babble": (0.0, 0.0)}, random_state=0)
    spectrum = np.abs(np.fft.rfft(by_clip.fit_transform(X)[0]))
    assert spectrum[1000] > 0.1 * spectrum[2500]  # clip by clip: any other clip


def test_random_corruption_rejects_groups_that_do_not_match_the_clips(rng):
    X = np.stack([voice(rng) for _ in range(3)])
    with pytest.raises(ValueError, match="groups has 2 entries but X has 3 clips"):
        RandomCorruption(draw="group").fit_transform(X, groups=["a", "b"])
    with pytest.raises(ValueError, match="draw"):
        RandomCorruption(draw="speaker").fit_transform(X)


def test_augmented_copies_hand_groups_to_augmenters_in_a_pipeline(rng):
    from sklearn.pipeline import make_pipeline

    X = np.stack([voice(rng, seconds=1.0, level=0.1) for _ in range(6)])
    groups = np.array(["a", "a", "b", "b", "c", "c"])
    copies = AugmentedCopies(augmenters=[make_pipeline(
        RandomCorruption(corruptions={"gain": (-20.0, 6.0)}, draw="group"),
        TrimPad(sr=SR, duration=1.0))], n_copies=3, random_state=0)
    Xr, _ = copies.fit_resample(X, np.arange(6), groups=groups)
    gains = np.round(np.abs(Xr).max(axis=1) / np.tile(np.abs(X).max(axis=1), 4), 4)
    for part in gains.reshape(4, 3, 2)[1:]:
        assert np.all(part[:, 0] == part[:, 1])  # each speaker's pair: one gain
    # Without groups the same copies are drawn clip by clip.
    Xn, _ = copies.fit_resample(X, np.arange(6))
    assert not np.array_equal(Xn, Xr)
    assert copies.get_metadata_routing().fit_resample.requests["groups"] is True
    # Clip by clip, no augmenter reads speakers: the step refuses them, so a
    # plain pipeline fitted with routed groups does not take them here.
    by_clip = AugmentedCopies(augmenters=[make_pipeline(RandomCorruption(), TrimPad(sr=SR))])
    assert by_clip.get_metadata_routing().fit_resample.requests["groups"] is False


def test_a_random_corruption_saved_before_draw_existed_loads_drawing_clip_by_clip(rng):
    state = RandomCorruption(corruptions=["gain"], random_state=0).__getstate__()
    del state["draw"], state["weights"]
    old = RandomCorruption.__new__(RandomCorruption)
    old.__setstate__(state)
    assert old.get_params()["draw"] == "clip" and old.get_params()["weights"] is None
    X = np.stack([voice(rng) for _ in range(3)])
    np.testing.assert_array_equal(
        old.fit_transform(X), RandomCorruption(corruptions=["gain"], random_state=0).fit_transform(X))


def test_speaker_normalised_robust_stats_draws_a_channel_per_speaker_and_round():
    # Fitted in test_pipeline.py (each round of a speaker's copies
    # standardised apart).
    def draw(pipe):
        return pipe.named_steps["augment"].augmenters[0].steps[0][1].draw

    assert draw(make_ser_pipeline("stats", speaker_normalize=True, robust=True)) == "group"
    assert draw(make_ser_pipeline("stats")) == "clip"


# -------------------------------------------------------------- LevelNormalizer

def test_level_normalizer_puts_every_clip_at_the_target_level(rng):
    X = np.stack([voice(rng, level=level) for level in (0.003, 0.05, 0.9)])
    Xt = LevelNormalizer(target_dbfs=-30.0).fit_transform(X)
    for y in Xt:
        assert speech_level_db(y, sr=SR) == pytest.approx(-30.0, abs=1e-3)
    np.testing.assert_allclose(Xt[0] / np.max(np.abs(Xt[0])), X[0] / np.max(np.abs(X[0])),
                               rtol=1e-4, atol=1e-6)


def test_level_normalizer_leaves_silence_silent():
    Xt = LevelNormalizer().fit_transform(np.zeros((2, 800), dtype=np.float32))
    assert not np.any(Xt)


@pytest.mark.parametrize("params, match", [({"target_dbfs": 3.0}, "target_dbfs"),
                                           ({"sr": 0}, "sr")])
def test_level_normalizer_rejects_bad_parameters_by_name(params, match):
    with pytest.raises(ValueError, match=match):
        LevelNormalizer(**params).fit_transform(np.zeros((1, 800), dtype=np.float32))


# ------------------------------------------------------------ robust pipelines

def test_stats_and_default_pipelines_are_robust_by_default_and_the_others_are_not():
    stats = make_ser_pipeline("stats")
    assert [n for n, _ in stats.steps] == ["load", "trim", "augment", "level", "features",
                                           "scale", "clf"]
    # Each copy is altered, then trimmed and padded again; two experts, gated.
    corrupt, retrim = (step for _, step in stats.named_steps["augment"].augmenters[0].steps)
    assert isinstance(corrupt, RandomCorruption) and isinstance(retrim, TrimPad)
    assert stats.named_steps["augment"].n_copies == 4
    assert isinstance(stats.named_steps["clf"], ConditionGatedClassifier)
    # Root cepstra, robust only: the clean-trained model keeps librosa's MFCCs.
    assert stats.named_steps["features"].cepstral_root == 3.0
    assert stats.named_steps["features"].contrast_root == 3.0
    plain = make_ser_pipeline("stats", robust=False)
    assert "level" not in plain.named_steps and plain.named_steps["augment"] == "passthrough"
    assert plain.named_steps["features"].cepstral_root is None
    assert plain.named_steps["features"].contrast_root is None
    assert isinstance(plain.named_steps["clf"], LogisticRegression)
    # Robust without copies: nothing to gate.
    assert isinstance(make_ser_pipeline("stats", augment=False).named_steps["clf"],
                      LogisticRegression)
    default = make_ser_pipeline()
    assert [n for n, _ in default.steps] == ["load", "trim", "augment", "level", "clf"]
    # The ensemble keeps the copies its rows were measured with: two, not retrimmed.
    assert isinstance(default.named_steps["augment"].augmenters[0], RandomCorruption)
    assert default.named_steps["augment"].n_copies == 2
    assert isinstance(default.named_steps["clf"].estimators[0][1].named_steps["clf"],
                      LogisticRegression)
    # The members see levelled clips and add no level or copies of their own.
    for name, member in default.named_steps["clf"].estimators:
        assert [n for n, _ in member.steps] == ["features", "scale", "clf"]
        # ... root cepstra for the statistics member (member_roots.py), the
        # log's MFCCs and librosa's contrast otherwise, as their rows were
        # measured.
        assert member.named_steps["features"].cepstral_root == (
            3.0 if name == "stats" else None)
        assert member.named_steps["features"].contrast_root is None
    # The shipped recipe is the default, adapting: its members read what
    # the default's read.
    from skser._pretrained import make_pretrained_pipeline

    shipped = make_pretrained_pipeline().named_steps["clf"].estimators
    for (name, member), (_, default) in zip(shipped, make_ser_pipeline().named_steps[
            "clf"].estimators):
        assert member.named_steps["features"].get_params() == default.named_steps[
            "features"].get_params(), name
    assert "level" not in make_ser_pipeline(robust=False).named_steps
    assert "level" not in make_ser_pipeline("sequence").named_steps
    assert "level" in make_ser_pipeline("sequence", robust=True).named_steps
    # Per speaker, the search kept the clean-trained model.
    assert "level" not in make_ser_pipeline("stats", speaker_normalize=True).named_steps
    assert "level" not in make_ser_pipeline(speaker_normalize=True).named_steps
    for kind in ("1d", "2d"):
        with pytest.raises(ValueError, match=f"robust=True.*the '{kind}' CNN"):
            make_ser_pipeline(kind, robust=True)


def _fitted_with_clips(tmp_path_factory, pipe):
    """``pipe`` fitted on a small demo corpus, and six of its clips (trimmed)."""
    from skser.datasets import make_emotional_speech

    data = make_emotional_speech(tmp_path_factory.mktemp("demo"), n_speakers=3,
                                 n_per_class=4, random_state=0)
    pipe.fit(list(data.filenames), data.target)
    clips = pipe[:2].transform(list(data.filenames[:6]))
    # Headroom for +10 dB: the property is about gain without clipping.
    clips = 0.25 * clips / np.max(np.abs(clips), axis=1, keepdims=True)
    return pipe, clips


def _probability_move(fitted, gain_db, clip):
    """Largest change of ``clip``'s predicted probabilities under ``gain_db``."""
    pipe, clips = fitted
    y = clips[clip]
    before = pipe.predict_proba([y])
    after = pipe.predict_proba([(y * 10 ** (gain_db / 20)).astype(np.float32)])
    return np.max(np.abs(after - before))


@pytest.fixture(scope="module")
def fitted_stats(tmp_path_factory):
    return _fitted_with_clips(tmp_path_factory, make_ser_pipeline("stats", random_state=0))


def test_the_robust_statistics_model_gates_an_expert_of_the_clips_and_one_of_every_row(
        fitted_stats):
    pipe, clips = fitted_stats
    clf = pipe.named_steps["clf"]
    n_clips = clf.clean_estimator_[0].n_samples_seen_
    # The pipeline told the classifier which rows are the originals.
    assert clf.robust_estimator_[0].n_samples_seen_ == 5 * n_clips
    assert clf.detector_ is not None
    X = pipe[:-1].transform(list(clips))
    gate = clf.detector_.predict_proba(X)[:, list(clf.detector_.classes_).index(True)] ** 3
    mixed = (gate[:, None] * clf.clean_estimator_.predict_proba(X)
             + (1 - gate[:, None]) * clf.robust_estimator_.predict_proba(X))
    np.testing.assert_allclose(pipe.predict_proba(list(clips)), mixed, atol=1e-6)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(gain_db=st.floats(-20.0, 10.0), clip=st.integers(0, 5))
def test_stats_probabilities_move_at_most_0_02_with_gain_from_minus_20_to_plus_10_db(
        fitted_stats, gain_db, clip):
    assert _probability_move(fitted_stats, gain_db, clip) <= 0.02


@pytest.fixture(scope="module")
def fitted_default(tmp_path_factory):
    # The default pipeline, its network shrunk to train in seconds and the
    # vote fixed (the inner split that weighs it fits every member 3 more
    # times; the property is the level step's, whatever the weights).
    return _fitted_with_clips(tmp_path_factory, make_ser_pipeline(
        random_state=0, clf__sequence__clf__width=0.25, clf__sequence__clf__epochs=2,
        clf__weights=[0.5, 0.5]))


@pytest.mark.slow
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(gain_db=st.floats(-20.0, 10.0), clip=st.integers(0, 5))
def test_default_probabilities_move_at_most_0_02_with_gain_from_minus_20_to_plus_10_db(
        fitted_default, gain_db, clip):
    assert _probability_move(fitted_default, gain_db, clip) <= 0.02


# --------------------------------------------------------- evaluate_robustness

@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from skser.datasets import make_emotional_speech

    return make_emotional_speech(tmp_path_factory.mktemp("robust"), n_speakers=4,
                                 n_per_class=3, random_state=1)


def test_evaluate_robustness_reports_every_condition_and_the_drop_from_clean(demo, tmp_path):
    from skser.evaluation import evaluate_robustness, format_robustness, plot_robustness

    pipe = make_ser_pipeline("stats", robust=False, random_state=0)
    report = evaluate_robustness(pipe, list(demo.filenames), demo.target, groups=demo.groups,
                                 cv=2, corruptions=["white_noise", "gain"], random_state=0)
    labels = [row["label"] for row in report["conditions"]]
    assert labels == ["clean", "white_noise@30", "white_noise@20", "white_noise@10",
                      "white_noise@5", "white_noise@0", "gain@-30", "gain@-20", "gain@-10",
                      "gain@6", "gain@12"]
    assert report["n_clips"] == demo.target.size and report["n_folds"] == 2
    by_label = {row["label"]: row for row in report["conditions"]}
    assert by_label["clean"]["ua"] > by_label["white_noise@0"]["ua"]
    for row in report["conditions"]:
        assert row["drop"] == pytest.approx(report["clean_ua"] - row["ua"])
    moderate = [r["drop"] for r in report["conditions"] if r["moderate"]]
    assert report["mean_moderate_drop"] == pytest.approx(np.mean(moderate))
    assert "white_noise@0" in format_robustness(report)
    assert plot_robustness(report, tmp_path / "r.png").stat().st_size > 0


def test_evaluate_robustness_quick_takes_one_severity_each(demo):
    from skser.evaluation import robustness_conditions

    quick = robustness_conditions(quick=True)
    full = robustness_conditions()
    assert len(quick) == 1 + len(CORRUPTION_NAMES) < len(full)
    assert {name for _, name, _ in quick[1:]} == set(CORRUPTION_NAMES)


@pytest.mark.parametrize("kwargs, match", [
    ({"corruptions": ["pinknoise"]}, "unknown corruption 'pinknoise'"),
    ({"corruptions": "gain"}, "non-empty list"),
    ({"corruptions": []}, "non-empty list"),
    ({"groups": None}, "groups"),
])
def test_evaluate_robustness_bad_arguments_get_clear_errors(demo, kwargs, match):
    from skser.evaluation import evaluate_robustness

    args = {"groups": demo.groups, "cv": 2, **kwargs}
    with pytest.raises(ValueError, match=match):
        evaluate_robustness(make_ser_pipeline("stats", robust=False), list(demo.filenames),
                            demo.target, **args)


def test_evaluate_robustness_refuses_an_empty_corpus():
    from skser.evaluation import evaluate_robustness

    with pytest.raises(ValueError, match="no clips"):
        evaluate_robustness(make_ser_pipeline("stats"), [], [], groups=[])


def test_pitch_of_a_faint_pause_is_silence_not_nan():
    """Frames whose energy is below float32's smallest normal number (a pause
    scaled down by a low gain) are unvoiced with voicing 0, not NaN, and
    raise no overflow warning."""
    import warnings

    from skser.features._dsp import power_spectrogram, stft_window
    from skser.features._pitch import track_pitch

    y = np.zeros((1, SR), dtype=np.float32)
    y[0, 5000:5100] = 1e-22
    power = power_spectrogram(y, n_fft=2048, hop_length=256)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        track = track_pitch(power, sr=SR, window=stft_window("hann", 2048, 2048),
                            f0_min=60.0, f0_max=600.0)
    assert not np.any(np.isnan(track.strength)) and not np.any(track.voiced)
