"""SpeechDetector: speech passes; noise, tones, hum, music, silence do not."""

import re
from pathlib import Path

import numpy as np
import pytest

from skser import AudioLoader, SpeechDetector, TrimPad, load_model, save_model
from skser.datasets import make_emotional_speech

SR = 16000
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def at_dbfs(y, dbfs):
    """``y`` scaled to a mean square of ``dbfs`` dB re full scale."""
    return (y * 10 ** (dbfs / 20) / np.sqrt(np.mean(np.square(y)))).astype(np.float32)


def pink_noise(n, rng):
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(spectrum.size, dtype=float)
    f[0] = 1.0
    return np.fft.irfft(spectrum / np.sqrt(f), n)


def harmonic(f0, seconds, n_harmonics=6):
    """Harmonics of ``f0`` (Hz, or an array of one per sample) at 1/k amplitudes."""
    t = np.arange(int(seconds * SR)) / SR
    phase = 2 * np.pi * np.cumsum(np.broadcast_to(f0, t.shape)) / SR
    return sum(np.sin(k * phase) / k for k in range(1, n_harmonics + 1))


def vibrato(f0, seconds, *, depth_semitones=0.5, rate_hz=5.5):
    t = np.arange(int(seconds * SR)) / SR
    return harmonic(f0 * 2 ** (depth_semitones / 12 * np.sin(2 * np.pi * rate_hz * t)), seconds)


@pytest.fixture(scope="module")
def demo_speech(tmp_path_factory):
    """36 synthetic speech clips (3 speakers, 6 emotions), as loaded at 16 kHz."""
    data = make_emotional_speech(tmp_path_factory.mktemp("demo"), n_speakers=3,
                                 n_per_class=2, random_state=0)
    return AudioLoader(sr=SR).transform(data.filenames)


def _measure(clips):
    return SpeechDetector(sr=SR).measure(clips)


# ----------------------------------------------------------- what is not speech

@pytest.mark.parametrize("level", [-10, -30, -50])
def test_white_and_pink_noise_are_rejected_as_no_voice_at_every_level(level, rng):
    n = 3 * SR
    m = _measure([at_dbfs(rng.standard_normal(n), level), at_dbfs(pink_noise(n, rng), level)])
    assert not m["speech"].any()
    assert all(r.startswith("no voice") for r in m["reason"]), m["reason"]
    assert (m["voiced_fraction"] < 0.05).all()


@pytest.mark.parametrize("f0", [100.0, 220.0, 440.0, 2000.0])
def test_pure_and_harmonic_tones_are_rejected_as_steady_pitch(f0):
    m = _measure([at_dbfs(np.sin(2 * np.pi * f0 * np.arange(2 * SR) / SR), -20),
                  at_dbfs(harmonic(f0, 2.0), -20)])
    assert not m["speech"].any()
    assert all(r.startswith("steady pitch") for r in m["reason"]), m["reason"]
    assert (m["voiced_fraction"] > 0.9).all()  # voiced, but not moving like a voice


def test_a_chord_and_mains_hum_with_harmonics_are_rejected(rng):
    chord = sum(harmonic(f, 2.0) for f in (261.6, 329.6, 392.0))
    hum = [harmonic(f, 2.0, n_harmonics=10) + 0.03 * rng.standard_normal(2 * SR)
           for f in (50.0, 60.0)]
    m = _measure([at_dbfs(chord, -20)] + [at_dbfs(h, -30) for h in hum])
    assert not m["speech"].any(), m["reason"]


def test_synthetic_music_of_changing_notes_is_rejected(rng):
    """Notes and chords of eight harmonics, 0.25-0.5 s each: the pitch jumps
    between notes but holds still within them."""
    clips = []
    for _ in range(8):
        parts = []
        while sum(p.size for p in parts) < 3 * SR:
            seconds = rng.uniform(0.25, 0.5)
            notes = 261.6 * 2 ** (rng.integers(-12, 13, size=rng.integers(1, 4)) / 12)
            t = np.arange(int(seconds * SR)) / SR
            parts.append(sum(harmonic(f, seconds, 8) for f in notes) * np.exp(-3 * t))
        clips.append(at_dbfs(np.concatenate(parts), -20))
    m = _measure(clips)
    assert not m["speech"].any(), m["reason"]
    assert (m["f0_slope_semitones_per_second"] < 1.0).all()


def test_digital_silence_and_near_silence_are_rejected_as_silent(demo_speech, rng):
    speech = demo_speech[0]
    quiet_speech = speech / np.abs(speech).max() * np.float32(10 ** (-70 / 20))
    m = _measure([np.zeros(2 * SR, dtype=np.float32), np.zeros(0, dtype=np.float32),
                  at_dbfs(rng.standard_normal(2 * SR), -70), quiet_speech])
    assert not m["speech"].any()
    assert all(r.startswith("silent") for r in m["reason"]), m["reason"]
    # The quiet clip is still speech in every respect but its level.
    assert m["voiced_fraction"][3] > 0.3 and m["f0_slope_semitones_per_second"][3] > 1.0


def test_a_voice_shorter_than_min_voiced_seconds_is_rejected():
    m = _measure([at_dbfs(vibrato(220.0, 0.15), -20)])
    assert not m["speech"][0]
    assert m["reason"][0].startswith("no voice")


def test_singing_like_vibrato_passes_as_the_documented_limit():
    """A harmonic tone whose pitch wobbles 5.5 times a second moves like a
    voice: the detector cannot tell it from speech (docs/pipeline.md)."""
    assert _measure([at_dbfs(vibrato(220.0, 2.0), -20)])["speech"][0]


# --------------------------------------------------------------- what is speech

def test_demo_corpus_speech_is_accepted_as_loaded_and_after_trimpad(demo_speech):
    detector = SpeechDetector(sr=SR)
    m = detector.measure(demo_speech)
    assert m["speech"].all(), m["reason"][~m["speech"]]
    assert set(m["reason"]) == {""}
    batch = TrimPad(sr=SR, duration=3.0).fit_transform(demo_speech)
    assert detector.predict(batch).all()


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason=f"no real corpora in {SHARED_DATA}")
@pytest.mark.parametrize("pattern", ["ravdess-speech-16k/Actor_*/*.flac", "emodb/*.wav",
                                     "savee-16k/*/*.flac"])
def test_real_emotional_speech_is_accepted(pattern, rng):
    files = sorted(SHARED_DATA.glob(pattern))
    if not files:
        pytest.skip(f"no {pattern} in {SHARED_DATA}")
    chosen = [str(files[i]) for i in rng.choice(len(files), size=min(12, len(files)),
                                                replace=False)]
    m = _measure(AudioLoader(sr=SR).transform(chosen))
    assert m["speech"].all(), list(zip(chosen, m["reason"]))


def test_speech_decision_does_not_depend_on_the_level_above_the_floor(demo_speech, rng):
    noise = at_dbfs(rng.standard_normal(2 * SR), -20)
    tone = at_dbfs(harmonic(220.0, 2.0), -20)
    clips = demo_speech[:6] + [noise, tone]
    reference = _measure(clips)
    assert list(reference["speech"]) == [True] * 6 + [False, False]
    for gain_db in (-15.0, -5.0, 6.0):
        m = _measure([c * np.float32(10 ** (gain_db / 20)) for c in clips])
        assert (m["level_dbfs"] > -55).all()  # above the floor, where only level matters
        np.testing.assert_array_equal(m["speech"], reference["speech"])
        np.testing.assert_allclose(m["level_dbfs"], reference["level_dbfs"] + gain_db,
                                   atol=1e-3)
        for key in ("voiced_fraction", "f0_slope_semitones_per_second"):
            np.testing.assert_allclose(m[key], reference[key], rtol=0.02, atol=1e-3)


def test_the_level_floor_follows_min_level_dbfs(demo_speech):
    level = _measure(demo_speech[:1])["level_dbfs"][0]
    assert SpeechDetector(sr=SR, min_level_dbfs=level - 1).predict(demo_speech[:1])[0]
    strict = SpeechDetector(sr=SR, min_level_dbfs=level + 1).measure(demo_speech[:1])
    assert not strict["speech"][0] and strict["reason"][0].startswith("silent")


def test_decision_function_is_non_negative_exactly_where_predict_is_true(demo_speech, rng):
    clips = demo_speech[:4] + [at_dbfs(rng.standard_normal(SR), -20),
                               at_dbfs(harmonic(150.0, 1.0), -20), np.zeros(SR)]
    detector = SpeechDetector(sr=SR)
    score, speech = detector.decision_function(clips), detector.predict(clips)
    assert score.dtype == np.float64 and score.shape == (7,)
    np.testing.assert_array_equal(score >= 0, speech)
    assert list(speech) == [True] * 4 + [False] * 3
    assert score.min() == -3.0  # floored: silence is as far from speech as it gets


def test_predict_needs_no_fit_and_fit_learns_nothing(demo_speech):
    detector = SpeechDetector(sr=SR)
    assert detector.__sklearn_tags__().requires_fit is False
    before = detector.predict(demo_speech[:3])
    assert detector.fit(demo_speech[:3]) is detector
    assert vars(detector) == vars(SpeechDetector(sr=SR))
    np.testing.assert_array_equal(detector.predict(demo_speech[:3]), before)


def test_a_model_file_may_hold_the_detector(tmp_path):
    save_model(SpeechDetector(sr=8000, min_level_dbfs=-50.0), tmp_path / "detector.skser")
    loaded = load_model(tmp_path / "detector.skser")
    assert loaded.get_params() == SpeechDetector(sr=8000, min_level_dbfs=-50.0).get_params()


# ------------------------------------------------------------------------ errors

@pytest.mark.parametrize("param, value", [
    ("sr", 0), ("min_level_dbfs", 3.0), ("min_voiced_fraction", 0.0),
    ("min_voiced_fraction", 1.5), ("min_voiced_seconds", 0.0),
    ("min_f0_slope_semitones_per_second", -1.0), ("f0_min", 0.0), ("f0_max", "high"),
])
def test_a_bad_parameter_is_named_at_fit_and_at_predict(param, value):
    detector = SpeechDetector(**{param: value})
    with pytest.raises((ValueError, TypeError), match=re.escape(param)):
        detector.fit()
    with pytest.raises((ValueError, TypeError), match=re.escape(param)):
        detector.predict([np.zeros(100, dtype=np.float32)])


def test_a_pitch_range_the_rate_cannot_track_is_named():
    with pytest.raises(ValueError, match="f0_min=300.0 Hz must be below f0_max=200.0"):
        SpeechDetector(f0_min=300.0, f0_max=200.0).fit()
    with pytest.raises(ValueError, match="f0_max=600.0 Hz is too high for sr=1000"):
        SpeechDetector(sr=1000).fit()


def test_bad_waveforms_get_errors_that_say_what_was_expected(rng):
    detector = SpeechDetector(sr=SR)
    y = rng.standard_normal(SR).astype(np.float32)
    y[300] = np.nan
    with pytest.raises(ValueError, match=r"X\[1\] contains NaN"):
        detector.predict([np.zeros(SR, dtype=np.float32), y])
    with pytest.raises(ValueError, match=r"X\[0\] must be a 1-D mono waveform; got shape \(2, 8\)"):
        detector.predict([np.zeros((2, 8))])
    with pytest.raises(ValueError, match=r"2-D array \(n_clips, n_samples\)"):
        detector.predict(np.zeros((2, 3, 4)))
    with pytest.raises(TypeError, match="AudioLoader"):
        detector.predict(["clip.wav"])
