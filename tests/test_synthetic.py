"""make_emotional_speech: files, determinism, acoustics and difficulty.

One module-level corpus (6 speakers x 6 emotions x 5 clips, a few seconds to
make) serves the tests that read a corpus; the determinism and error tests
write their own tiny ones.
"""

import os
import re
from collections import Counter

import librosa
import numpy as np
import pytest
import soundfile as sf
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import LeaveOneGroupOut, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from skser import AudioLoader, FrameFeatures1D, TrimPad
from skser.datasets import CREMA_D_EMOTIONS, load_crema_d, make_emotional_speech
from skser.datasets._corpora import _CREMA_D_SENTENCES, _crema_d_gender
from skser.datasets._synthetic import _SENTENCES

SR = 16000
N_SPEAKERS, N_PER_CLASS = 6, 5
CREMA_D_NAME = re.compile(
    r"(10\d\d)_(IEO|TIE|IOM|IWW|TAI|MTI|IWL|ITH|DFA|ITS|TSI|WSI)_"
    r"(ANG|DIS|FEA|HAP|NEU|SAD)_(LO|MD|HI|XX)\.wav"
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo_corpus")
    return make_emotional_speech(
        folder, n_speakers=N_SPEAKERS, n_per_class=N_PER_CLASS, random_state=0, n_jobs=2
    )


@pytest.fixture(scope="module")
def clips(corpus):
    """Each clip's samples, trimmed of its leading and trailing silence."""
    waveforms = AudioLoader(sr=SR).fit_transform(corpus.filenames)
    return [librosa.effects.trim(y, top_db=30)[0] for y in waveforms]


def _folder_bytes(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.wav"))}


# ------------------------------------------------------------------ files


def test_file_names_follow_crema_d_scheme_and_reload_identically(corpus):
    names = [os.path.basename(f) for f in corpus.filenames]
    assert all(CREMA_D_NAME.fullmatch(n) for n in names), names[:5]
    # Neutral clips are only ever XX, as in CREMA-D; only IEO varies intensity.
    for n in names:
        _, sentence, emo, intensity = n[:-4].split("_")
        assert intensity == "XX" or (sentence == "IEO" and emo != "NEU")
    again = load_crema_d(os.path.dirname(corpus.filenames[0]))
    np.testing.assert_array_equal(again.filenames, corpus.filenames)
    np.testing.assert_array_equal(again.target, corpus.target)
    np.testing.assert_array_equal(again.groups, corpus.groups)
    assert corpus.corpus == "crema_d"
    assert "synthetic" in corpus.DESCR.lower() and "not a benchmark" in corpus.DESCR


def test_transcriptions_cover_exactly_the_crema_d_sentences():
    assert set(_SENTENCES) == set(_CREMA_D_SENTENCES)


def test_every_speaker_has_n_per_class_clips_of_every_emotion(corpus):
    counts = Counter(zip(corpus.groups, corpus.target))
    expected_speakers = [str(1001 + i) for i in range(N_SPEAKERS)]
    assert sorted(set(corpus.groups)) == expected_speakers
    assert list(corpus.target_names) == sorted(CREMA_D_EMOTIONS)
    assert set(counts.values()) == {N_PER_CLASS}
    assert len(counts) == N_SPEAKERS * len(CREMA_D_EMOTIONS)


def test_emotions_subset_writes_only_those(tmp_path):
    corpus = make_emotional_speech(
        tmp_path, n_speakers=1, n_per_class=14, emotions=["sad", "angry"], random_state=0
    )
    assert Counter(corpus.target) == {"angry": 14, "sad": 14}


def test_speaker_genders_match_the_crema_d_actor_table(corpus):
    for speaker, gender in zip(corpus.groups, corpus.metadata["gender"]):
        assert gender == _crema_d_gender(speaker)
    # The table's first actors are mixed, so the corpus has both genders.
    assert set(corpus.metadata["gender"]) == {"female", "male"}


def test_clips_are_mono_16bit_16khz_finite_audible_and_speech_length(corpus):
    for path in corpus.filenames:
        info = sf.info(path)
        assert (info.samplerate, info.channels, info.subtype) == (SR, 1, "PCM_16")
        assert 1.0 <= info.duration <= 4.2, (path, info.duration)
        y, _ = sf.read(path, dtype="float64")
        assert np.all(np.isfinite(y)) and np.abs(y).max() <= 1.0
        rms_db = 20 * np.log10(np.sqrt(np.mean(y**2)))
        assert -55 < rms_db < -10, (path, rms_db)
        # Silence around the speech: the first 100 ms are far quieter.
        lead_db = 20 * np.log10(np.sqrt(np.mean(y[: SR // 10] ** 2)))
        assert lead_db < rms_db - 15, (path, lead_db, rms_db)


# ------------------------------------------------------------ determinism


def test_same_seed_writes_identical_bytes_whatever_n_jobs(tmp_path):
    kwargs = dict(n_speakers=2, n_per_class=1, emotions=("angry", "sad"))
    make_emotional_speech(tmp_path / "a", random_state=7, n_jobs=1, **kwargs)
    make_emotional_speech(tmp_path / "b", random_state=7, n_jobs=2, **kwargs)
    a, b = _folder_bytes(tmp_path / "a"), _folder_bytes(tmp_path / "b")
    assert len(a) == 4 and a == b


def test_different_seeds_write_different_audio(tmp_path):
    kwargs = dict(n_speakers=1, n_per_class=12, emotions=("neutral",))
    make_emotional_speech(tmp_path / "a", random_state=0, **kwargs)
    make_emotional_speech(tmp_path / "b", random_state=1, **kwargs)
    a, b = _folder_bytes(tmp_path / "a"), _folder_bytes(tmp_path / "b")
    # Twelve neutral clips name all twelve sentences, so the names agree.
    assert a.keys() == b.keys()
    assert all(a[name] != b[name] for name in a)


def test_speakers_keep_their_voices_when_more_are_added(tmp_path):
    kwargs = dict(n_per_class=1, emotions=("happy",), random_state=3)
    make_emotional_speech(tmp_path / "one", n_speakers=1, **kwargs)
    make_emotional_speech(tmp_path / "two", n_speakers=2, **kwargs)
    one, two = _folder_bytes(tmp_path / "one"), _folder_bytes(tmp_path / "two")
    assert len(two) == 2 and all(two[name] == data for name, data in one.items())


def test_rewriting_the_same_corpus_into_its_folder_is_allowed(tmp_path):
    kwargs = dict(n_speakers=1, n_per_class=1, emotions=("fear",), random_state=0)
    first = make_emotional_speech(tmp_path, **kwargs)
    second = make_emotional_speech(tmp_path, **kwargs)
    np.testing.assert_array_equal(first.filenames, second.filenames)


# -------------------------------------------------------------- acoustics


def _median_f0(y):
    f0 = librosa.yin(y, fmin=50, fmax=500, sr=SR, frame_length=1024, hop_length=256)
    rms = librosa.feature.rms(y=y, frame_length=1024, hop_length=256)[0]
    return np.median(f0[(rms > 0.3 * rms.max())[: f0.size]])


def test_emotions_move_level_pitch_and_rate_in_the_documented_directions(corpus, clips):
    level = np.array([20 * np.log10(np.sqrt(np.mean(y**2))) for y in clips])
    pitch = np.array([12 * np.log2(_median_f0(y)) for y in clips])  # semitones
    duration = np.array([y.size / SR for y in clips])
    for speaker in np.unique(corpus.groups):
        mine = corpus.groups == speaker

        def mean(values, emotion, mine=mine):
            return values[mine & (corpus.target == emotion)].mean()

        # Banse & Scherer (1996), Juslin & Laukka (2003): anger loudest,
        # sadness quietest; anger, happiness and fear high, sadness and
        # disgust low; sadness and disgust slow, anger and fear fast.
        assert mean(level, "angry") > mean(level, "neutral") > mean(level, "sad"), speaker
        low = max(mean(pitch, "sad"), mean(pitch, "disgust"))
        for high in ("angry", "happy", "fear"):
            assert mean(pitch, high) > low + 1.0, (speaker, high)
        assert min(mean(duration, "sad"), mean(duration, "disgust")) > max(
            mean(duration, "angry"), mean(duration, "fear")
        ), speaker


# ------------------------------------------------------------- difficulty


def test_speaker_independent_model_beats_majority_and_any_one_feature_rule(corpus):
    X = TrimPad(sr=SR, duration=3.0).fit_transform(
        AudioLoader(sr=SR).fit_transform(corpus.filenames)
    )
    X = FrameFeatures1D(
        sr=SR, features=("rms", "zcr", "mfcc", "contrast"), n_mfcc=13, aggregate="mean_std"
    ).fit_transform(X)
    y, groups, cv = corpus.target, corpus.groups, LeaveOneGroupOut()

    def ua(model, X):
        return cross_val_score(
            model, X, y, groups=groups, cv=cv, scoring="balanced_accuracy"
        ).mean()

    majority = ua(DummyClassifier(strategy="most_frequent"), X)
    tree = DecisionTreeClassifier(max_depth=3, random_state=0)
    best_single = max(ua(tree, X[:, [j]]) for j in range(X.shape[1]))
    model = ua(make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=2000)), X)
    # Learnable, but not by one cue: the all-feature model clears the best
    # single-feature tree by a wide margin, and that tree is far from perfect.
    assert majority == pytest.approx(1 / 6)
    assert best_single < 0.5
    assert model > best_single + 0.15, (model, best_single)
    assert model < 0.95


# ----------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n_per_class=13), r"n_per_class=13 exceeds the 12 .* 'neutral'"),
        (dict(n_per_class=15, emotions=("angry",)), r"n_per_class=15 exceeds the 14"),
        (dict(emotions=("angry", "surprised")), r"emotions .*unknown: \['surprised'\]"),
        (dict(emotions=("sad", "sad")), r"emotions lists an emotion twice"),
        (dict(emotions="angry"), r"'emotions' parameter"),
        (dict(emotions=()), r"emotions must be a non-empty subset"),
        (dict(n_speakers=0), r"'n_speakers' parameter"),
        (dict(n_speakers=92), r"'n_speakers' parameter"),
        (dict(n_per_class=0), r"'n_per_class' parameter"),
        (dict(sr=8000), r"'sr' parameter"),
        (dict(random_state="seed"), r"'random_state' parameter"),
    ],
)
def test_bad_parameters_raise_errors_naming_them(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_emotional_speech(tmp_path, **kwargs)
    assert not list(tmp_path.iterdir()), "nothing is written for bad parameters"


def test_directory_must_be_a_folder_path(tmp_path):
    with pytest.raises(TypeError, match="'directory' parameter"):
        make_emotional_speech(None)
    file = tmp_path / "corpus.wav"
    file.write_bytes(b"")
    with pytest.raises(NotADirectoryError, match="is a file"):
        make_emotional_speech(file)


def test_directory_holding_other_audio_is_refused(tmp_path):
    sf.write(tmp_path / "1001_DFA_ANG_XX.wav", np.zeros(SR), SR)
    (tmp_path / "sub").mkdir()
    sf.write(tmp_path / "sub" / "other.wav", np.zeros(SR), SR)
    with pytest.raises(ValueError, match=r"already holds \d audio files .*Use a new or empty"):
        make_emotional_speech(tmp_path, n_speakers=1, n_per_class=1, emotions=("sad",))
