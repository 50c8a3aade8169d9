"""BandPass and BandwidthExperts: the phone band, and band-limited clips sent
to the model of their band."""

import librosa
import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skser import AddNoise, AugmentedCopies, BandPass, BandwidthExperts
from skser.augmentation import corrupt
from skser.models._bandwidth import high_band_db
from skser.pipeline import Pipeline

SR = 16000


def _tone(freq, seconds=1.0):
    t = np.arange(int(seconds * SR)) / SR
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _rms(x):
    return float(np.sqrt(np.mean(np.square(x[2000:-2000]))))


def _voice(rng, f0=140.0, seconds=2.0):
    """Harmonics up to 8 kHz with a falling spectrum, slowly modulated: wideband
    like speech."""
    t = np.arange(int(seconds * SR)) / SR
    y = sum(np.sin(2 * np.pi * k * f0 * t + rng.uniform(0, 2 * np.pi)) / k
            for k in range(1, int(7900 // f0)))
    y = y * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t)) + 0.01 * rng.standard_normal(t.size)
    return (0.1 * y / np.abs(y).max()).astype(np.float32)


def _phone(y, channel="mu-law"):
    """``y`` through a phone line, back at 16 kHz as skser's loader gives it."""
    narrow, sr = corrupt(y, "telephone", channel, sr=SR)
    return librosa.resample(narrow, orig_sr=sr, target_sr=SR)[:len(y)]


# ---------------------------------------------------------------- BandPass


@pytest.mark.parametrize("freq, kept", [(100.0, False), (1000.0, True), (3000.0, True),
                                        (6000.0, False)])
def test_band_pass_keeps_the_phone_band_only(freq, kept):
    out = BandPass().fit_transform(_tone(freq)[None])[0]
    ratio = _rms(out) / _rms(_tone(freq))
    if kept:
        assert 0.95 < ratio < 1.05
    else:
        assert ratio < 0.03


def test_band_pass_is_zero_phase():
    """Filtered forward and backward: a band-limited click stays where it was."""
    x = np.zeros(SR, dtype=np.float32)
    x[SR // 2] = 1.0
    click = BandPass(low=0.0, high=3400.0).fit_transform(x[None])[0]
    band = BandPass().fit_transform(x[None])[0]
    assert np.argmax(np.abs(click)) == SR // 2
    assert np.argmax(np.abs(band)) == SR // 2


def test_band_pass_works_on_short_clips_and_keeps_the_shape(rng):
    X = rng.normal(scale=0.1, size=(3, 20)).astype(np.float32)
    out = BandPass().fit_transform(X)
    assert out.shape == X.shape and out.dtype == np.float32 and np.isfinite(out).all()


@pytest.mark.parametrize("params, message", [
    ({"low": 3400.0, "high": 300.0}, "low < high"),
    ({"high": 9000.0}, r"sr / 2 = 8000 Hz"),
])
def test_band_pass_refuses_a_band_it_cannot_filter(params, message, rng):
    with pytest.raises(ValueError, match=message):
        BandPass(**params).fit(rng.normal(size=(2, 100)).astype(np.float32))


def test_band_pass_refuses_clips_of_another_length_than_in_fit(rng):
    step = BandPass().fit(rng.normal(size=(2, 100)).astype(np.float32))
    with pytest.raises(ValueError, match="expecting 100 features"):
        step.transform(rng.normal(size=(2, 120)).astype(np.float32))


# --------------------------------------------------------- BandwidthExperts


def test_phone_lines_and_8_khz_audio_are_narrowband_and_speech_is_not(rng):
    voice = _voice(rng)
    eight_k = librosa.resample(librosa.resample(voice, orig_sr=SR, target_sr=8000),
                               orig_sr=8000, target_sr=SR)[:len(voice)]
    noisy_phone = corrupt(_phone(voice), "white_noise", 20.0, sr=SR, random_state=0)[0]
    X = np.stack([voice, _phone(voice), _phone(voice, "narrowband"), eight_k, noisy_phone])
    share = high_band_db(X, sr=SR, cutoff=4000.0)
    narrow = BandwidthExperts(wideband=LogisticRegression(),
                              narrowband=LogisticRegression()).is_narrowband(X)

    assert share[0] > -30 and (share[1:4] < -60).all(), share
    # Wideband noise after the line (at the listener's end) makes it wideband.
    assert narrow.tolist() == [False, True, True, True, False]


def test_a_silent_clip_is_wideband():
    assert high_band_db(np.zeros((1, 1600)), sr=SR, cutoff=4000.0).tolist() == [0.0]


def _labelled(rng, n=24):
    X = np.stack([_voice(rng, f0=f0, seconds=0.5) for f0 in rng.uniform(100, 250, n)])
    y = np.repeat(["low", "high"], n // 2)
    X[n // 2:] *= 3.0  # the "high" clips are louder: a linear model separates them
    return X, y


def test_each_clip_gets_the_probabilities_of_the_expert_of_its_band(rng):
    X, y = _labelled(rng)
    clf = BandwidthExperts(
        wideband=make_pipeline(BandPass(low=0.0, high=7000.0), LogisticRegression(C=0.1)),
        narrowband=make_pipeline(BandPass(), LogisticRegression(C=10.0))).fit(X, y)
    test = np.concatenate([X[:4], np.stack([_phone(x) for x in X[:4]])])

    proba = clf.predict_proba(test)

    np.testing.assert_allclose(proba[:4], clf.wideband_.predict_proba(test[:4]))
    np.testing.assert_allclose(proba[4:], clf.narrowband_.predict_proba(test[4:]))
    assert not np.allclose(clf.wideband_.predict_proba(test[4:]), proba[4:])
    assert clf.predict(test).tolist() == clf.classes_[proba.argmax(axis=1)].tolist()
    assert clf.classes_.tolist() == ["high", "low"]


class _Recorder(ClassifierMixin, BaseEstimator):
    """Records what fit got; predicts the first class."""

    def fit(self, X, y, copy_of=None):
        self.classes_ = np.unique(y)
        self.copy_of_ = copy_of
        self.n_rows_ = len(X)
        return self

    def predict_proba(self, X):
        proba = np.zeros((len(X), len(self.classes_)))
        proba[:, 0] = 1.0
        return proba


def test_both_experts_fit_on_every_row_with_the_copies_they_come_from(rng):
    X, y = _labelled(rng, n=8)
    pipe = Pipeline([("augment", AugmentedCopies(augmenters=[AddNoise()], random_state=0)),
                     ("clf", BandwidthExperts(wideband=_Recorder(), narrowband=_Recorder()))])
    pipe.fit(X, y)
    experts = pipe.named_steps["clf"]
    for expert in (experts.wideband_, experts.narrowband_):
        assert expert.n_rows_ == 16
        assert expert.copy_of_.tolist() == list(range(8)) * 2


def test_a_bad_copy_of_is_refused(rng):
    X, y = _labelled(rng, n=8)
    clf = BandwidthExperts(wideband=_Recorder(), narrowband=_Recorder())
    with pytest.raises(ValueError, match="copy_of holds 3 entries for 8 rows"):
        clf.fit(X, y, copy_of=[0, 1, 2])


def test_clips_of_any_lengths_go_to_their_expert_as_a_list(rng):
    """After the loader, before trimming: a list of waveforms of any lengths,
    each expert given its own clips as a list."""
    from skser import TrimPad

    X, y = _labelled(rng, n=8)
    clips = [x[:n] for x, n in zip(X, rng.integers(3000, 8000, size=len(X)))]
    tail = make_pipeline(TrimPad(sr=SR, duration=0.5), LogisticRegression())
    clf = BandwidthExperts(wideband=tail, narrowband=make_pipeline(BandPass(), tail)).fit(clips, y)
    test = clips[:3] + [_phone(c) for c in clips[:3]]

    proba = clf.predict_proba(test)

    assert clf.is_narrowband(test).tolist() == [False] * 3 + [True] * 3
    np.testing.assert_allclose(proba[:3], clf.wideband_.predict_proba(test[:3]))
    np.testing.assert_allclose(proba[3:], clf.narrowband_.predict_proba(test[3:]))


def test_band_pass_keeps_a_list_of_waveforms_a_list(rng):
    clips = [rng.normal(scale=0.1, size=n).astype(np.float32) for n in (1, 50, 4000)]
    out = BandPass().fit_transform(clips)
    assert isinstance(out, list) and [len(c) for c in out] == [1, 50, 4000]
    np.testing.assert_array_equal(out[2], BandPass().fit_transform(clips[2][None])[0])


def test_a_cutoff_above_half_the_rate_is_refused(rng):
    X, y = _labelled(rng, n=8)
    with pytest.raises(ValueError, match="cutoff must be below sr / 2"):
        BandwidthExperts(wideband=_Recorder(), narrowband=_Recorder(), cutoff=8000.0).fit(X, y)


def test_a_fitted_bandwidth_model_round_trips_through_a_model_file(rng, tmp_path):
    from skser import load_model, save_model

    X, y = _labelled(rng, n=8)
    clf = BandwidthExperts(wideband=LogisticRegression(),
                           narrowband=make_pipeline(BandPass(), LogisticRegression())).fit(X, y)
    test = np.concatenate([X[:2], np.stack([_phone(x) for x in X[:2]])])
    save_model(clf, tmp_path / "bw.skser")

    np.testing.assert_array_equal(load_model(tmp_path / "bw.skser").predict_proba(test),
                                  clf.predict_proba(test))


# ------------------------------------------------ make_ser_pipeline's option


def _wideband_tones(rng, n):
    from conftest import LABELS, tone

    labels = [LABELS[i % 3] for i in range(n)]
    clips = [tone(label, sr=SR, seconds=0.6, rng=rng) for label in labels]
    # Breath and room noise up to 8 kHz: the clips are wideband.
    return [c + (0.01 * rng.standard_normal(c.size)).astype(np.float32) for c in clips], labels


def test_narrowband_expert_keeps_wideband_predictions_and_sends_phone_clips_to_its_expert(rng):
    from skser import make_ser_pipeline

    clips, labels = _wideband_tones(rng, 24)
    small = dict(robust=False, duration=0.5, random_state=0, features__n_fft=512,
                 features__hop_length=256)
    plain = make_ser_pipeline("stats", **small).fit(clips, labels)
    both = make_ser_pipeline("stats", narrowband_expert=True, **small).fit(clips, labels)
    test, _ = _wideband_tones(rng, 6)
    phone = [_phone(c) for c in test]

    experts = both.named_steps["clf"]
    assert [n for n, _ in both.steps] == ["load", "clf"]
    assert [n for n, _ in experts.narrowband.steps][:2] == ["band", "trim"]
    assert experts.is_narrowband(test + phone).tolist() == [False] * 6 + [True] * 6
    np.testing.assert_allclose(both.predict_proba(test), plain.predict_proba(test), atol=1e-12)
    np.testing.assert_allclose(both.predict_proba(phone),
                               experts.narrowband_.predict_proba(phone), atol=1e-12)


@pytest.mark.parametrize("params, message", [
    ({"speaker_normalize": True}, "does not work with speaker_normalize=True"),
    ({"adapt": True}, "does not work with adapt=True"),
    ({"sr": 8000}, "use sr above 8000"),
    ({"narrowband_expert": "yes"}, "narrowband_expert must be True or False"),
])
def test_narrowband_expert_refuses_what_it_cannot_do(params, message):
    from skser import make_ser_pipeline

    with pytest.raises(ValueError, match=message):
        make_ser_pipeline("stats", **{"narrowband_expert": True, **params})
