"""Bad, odd and extreme audio files, through `AudioLoader` and through a whole
fitted `make_ser_pipeline`: each is either read correctly or refused with an
`AudioReadError` (an `OSError` and a `ValueError`) that names the file and the
reason. ``on_error`` lets a batch carry on past unreadable files, replacing
them by silence so that X and y stay aligned. docs/reliability.md lists every
case and the message a user sees.

The networks are tiny (lenet5 at width 0.1, one epoch, 0.5 s clips at 8 kHz)
and fitted once per module; these tests check behaviour, not accuracy.
"""

import math
import os
import pickle
import re
import shutil
import tracemalloc
import warnings

import numpy as np
import pytest
import soundfile as sf
from sklearn.dummy import DummyClassifier
from sklearn.pipeline import Pipeline as SklearnPipeline

from skser import (
    AudioLoader, AudioReadError, AudioReadWarning, MelSpectrogram2D, TrimPad,
    make_ser_pipeline,
)

SR = 8000
SECONDS = 0.5
LABELS = ("angry", "happy", "sad")

FAST = {
    "1d": dict(
        features__n_fft=256, features__hop_length=128, features__n_mels=32,
        features__n_mfcc=13, features__n_bands=4,
    ),
    "2d": dict(features__n_fft=256, features__hop_length=128, features__n_mels=32),
}
CLF = dict(
    clf__width=0.1, clf__epochs=1, clf__batch_size=4, clf__patience=None,
    clf__validation_split=0.0,
)


def voice(rng, *, sr=SR, seconds=SECONDS, f0=220.0, gain=0.4):
    """A short harmonic clip with a smooth envelope, peak below ``gain``."""
    t = np.arange(int(round(seconds * sr))) / sr
    f0 = f0 * (1 + 0.05 * rng.standard_normal())
    y = sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 4)) / 1.9
    return (gain * y * np.sin(np.pi * t / t[-1]) ** 2).astype(np.float32)


def sine(*, sr, seconds=SECONDS, freq=440.0, gain=0.5):
    t = np.arange(int(round(seconds * sr))) / sr
    return (gain * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def load(path, **params):
    (y,) = AudioLoader(sr=SR, **params).fit_transform([path])
    return y


def assert_valid_proba(proba, n_rows):
    assert proba.shape == (n_rows, len(LABELS))
    assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)


# ===================================================== the fitted pipelines

@pytest.fixture(scope="module")
def train_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("train")
    rng = np.random.default_rng(0)
    paths, labels = [], []
    for i in range(6):
        label = LABELS[i % 3]
        f0 = {"angry": 220.0, "happy": 300.0, "sad": 140.0}[label]
        path = folder / f"{i:02d}_{label}.wav"
        sf.write(path, voice(rng, f0=f0), SR, subtype="PCM_16")
        paths.append(str(path))
        labels.append(label)
    return paths, labels


@pytest.fixture(scope="module", params=["1d", "2d"])
def pipe(request, train_files):
    """A tiny fitted pipeline of each kind, shared by the module."""
    kind = request.param
    paths, labels = train_files
    return make_ser_pipeline(
        kind, model="lenet5", sr=SR, duration=SECONDS, augment=False, random_state=0,
        **FAST[kind], **CLF,
    ).fit(paths, labels)


@pytest.fixture
def good_wav(tmp_path, rng):
    path = tmp_path / "good.wav"
    sf.write(path, voice(rng), SR, subtype="PCM_16")
    return str(path)


# ==================================================== files that cannot be read

def _missing(tmp_path, rng):
    return tmp_path / "nope.wav"


def _missing_non_ascii(tmp_path, rng):
    return tmp_path / "ängstlich_😀_злой" / "пропал.wav"


def _directory(tmp_path, rng):
    path = tmp_path / "folder.wav"
    path.mkdir()
    return path


def _empty(tmp_path, rng):
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    return path


def _not_audio(tmp_path, rng):
    path = tmp_path / "notes.wav"
    path.write_bytes(b"These are my meeting notes, not a RIFF header.\n" * 20)
    return path


def _wav_bytes(tmp_path, rng, subtype="PCM_16"):
    scratch = tmp_path / "scratch.wav"
    sf.write(scratch, voice(rng), SR, subtype=subtype)
    return scratch.read_bytes()


def _truncated_header(tmp_path, rng):
    path = tmp_path / "cut_header.wav"
    path.write_bytes(_wav_bytes(tmp_path, rng)[:30])  # stops inside the fmt chunk
    return path


def _corrupt_header(tmp_path, rng):
    data = bytearray(_wav_bytes(tmp_path, rng))
    data[20:36] = b"\xff" * 16  # the fmt chunk's format, channels, rate, ...
    path = tmp_path / "corrupt_header.wav"
    path.write_bytes(bytes(data))
    return path


def _random_bytes(tmp_path, rng):
    path = tmp_path / "noise.wav"
    path.write_bytes(rng.integers(0, 256, 4000, dtype=np.uint8).tobytes())
    return path


def _truncated_compressed(fmt, subtype, ext):
    def make(tmp_path, rng):
        scratch = tmp_path / f"scratch.{ext}"
        sf.write(scratch, voice(rng, seconds=2.0), SR, format=fmt, subtype=subtype)
        data = scratch.read_bytes()
        path = tmp_path / f"cut.{ext}"
        path.write_bytes(data[:len(data) // 2])
        return path
    return make


def _float_wav_with(value):
    def make(tmp_path, rng):
        y = voice(rng)
        y[len(y) // 2] = value
        path = tmp_path / "overflowed.wav"
        sf.write(path, y, SR, subtype="FLOAT")
        return path
    return make


# id: (make, the reason the message gives)
UNREADABLE = {
    "missing": (_missing, "does not exist"),
    "missing-non-ascii": (_missing_non_ascii, "does not exist"),
    "directory": (_directory, "is a directory, not a file"),
    "empty": (_empty, r"is empty \(0 bytes\)"),
    "not-audio": (_not_audio, r"could not be decoded \(Format not recognised"),
    "random-bytes": (_random_bytes, "could not be decoded"),
    "truncated-header": (_truncated_header, "could not be decoded"),
    "corrupt-header": (_corrupt_header, "could not be decoded"),
    "truncated-flac": (_truncated_compressed("FLAC", "PCM_16", "flac"), "could not be decoded"),
    "truncated-ogg": (_truncated_compressed("OGG", "VORBIS", "ogg"), "could not be decoded"),
    "nan": (_float_wav_with(np.nan), "contains NaN or infinite samples"),
    "inf": (_float_wav_with(np.inf), "contains NaN or infinite samples"),
    "minus-inf": (_float_wav_with(-np.inf), "contains NaN or infinite samples"),
    "huge-finite": (_float_wav_with(1e20), r"has samples as large as 1e\+20"),
}
UNREADABLE_IDS = list(UNREADABLE)


@pytest.mark.parametrize("case", UNREADABLE_IDS)
def test_loader_names_the_unreadable_file_and_why(case, tmp_path, rng, good_wav):
    make, reason = UNREADABLE[case]
    bad = str(make(tmp_path, rng))

    with pytest.raises(AudioReadError, match=reason) as info:
        AudioLoader(sr=SR).fit_transform([good_wav, bad])

    assert f"audio file {bad!r}" in str(info.value)
    assert isinstance(info.value, OSError) and isinstance(info.value, ValueError)


def test_loader_error_survives_parallel_workers(tmp_path, rng, good_wav):
    bad = str(_not_audio(tmp_path, rng))

    with pytest.raises(AudioReadError, match=re.escape(repr(bad))):
        AudioLoader(sr=SR, n_jobs=2).fit_transform([good_wav, good_wav, bad])


@pytest.mark.slow
@pytest.mark.parametrize("case", UNREADABLE_IDS)
def test_pipeline_names_the_unreadable_file_and_why(case, pipe, tmp_path, rng, good_wav):
    make, reason = UNREADABLE[case]
    bad = str(make(tmp_path, rng))

    with pytest.raises(AudioReadError, match=reason) as info:
        pipe.predict_proba([good_wav, bad])

    assert f"audio file {bad!r}" in str(info.value)


@pytest.mark.parametrize("case", UNREADABLE_IDS)
def test_loader_on_error_warn_replaces_each_unreadable_file_by_silence(
    case, tmp_path, rng, good_wav,
):
    make, reason = UNREADABLE[case]
    bad = str(make(tmp_path, rng))
    loader = AudioLoader(sr=SR, duration=1.0, on_error="warn")

    with pytest.warns(AudioReadWarning, match=reason) as record:
        good, silence = loader.fit_transform([good_wav, bad])

    np.testing.assert_array_equal(good, load(good_wav))
    np.testing.assert_array_equal(silence, np.zeros(SR, np.float32))
    errors = _unread(record)
    assert [(e["index"], e["source"]) for e in errors] == [(1, bad)]
    assert re.search(reason, errors[0]["message"])


# ================================================= files that are read correctly

def _truncated_data(tmp_path, rng):
    """The header promises 4000 frames; the file ends after 1999."""
    path = tmp_path / "cut_data.wav"
    path.write_bytes(_wav_bytes(tmp_path, rng)[:44 + 2 * 1999])
    return path


def _header_only(tmp_path, rng):
    path = tmp_path / "header_only.wav"
    path.write_bytes(_wav_bytes(tmp_path, rng)[:44])
    return path


def _short(tmp_path, rng):
    path = tmp_path / "blip.wav"
    sf.write(path, voice(rng, seconds=0.00125), SR)  # 10 samples
    return path


def _silent(tmp_path, rng):
    path = tmp_path / "silence.wav"
    sf.write(path, np.zeros(SR), SR, subtype="PCM_16")
    return path


# Sample formats of WAV and the size of one quantisation step. libsndfile
# writes floats to integers scaled by 2**(bits-1) - 1 but reads them back
# divided by 2**(bits-1), so a round trip is off by up to one step.
WAV_SUBTYPES = {
    "PCM_U8": 2.0 ** -7, "PCM_16": 2.0 ** -15, "PCM_24": 2.0 ** -23,
    "PCM_32": 2.0 ** -24, "FLOAT": 0.0, "DOUBLE": 2.0 ** -24,
}


@pytest.mark.parametrize("subtype", list(WAV_SUBTYPES))
def test_loader_decodes_every_wav_sample_format_to_the_written_values(subtype, tmp_path, rng):
    written = rng.uniform(-0.9, 0.9, SR // 2)
    path = tmp_path / f"{subtype}.wav"
    sf.write(path, written, SR, subtype=subtype)
    assert sf.info(str(path)).subtype == subtype

    y = load(path)

    assert y.dtype == np.float32 and y.shape == written.shape
    np.testing.assert_allclose(y, written, rtol=0, atol=1.5 * WAV_SUBTYPES[subtype] + 1e-7)


@pytest.mark.parametrize("n_channels", [1, 2, 6])
def test_loader_mixes_any_channel_count_down_to_their_mean(n_channels, tmp_path, rng):
    written = rng.uniform(-0.5, 0.5, (SR // 2, n_channels))
    path = tmp_path / f"{n_channels}ch.wav"
    sf.write(path, written, SR, subtype="FLOAT")

    mono = load(path)
    kept = load(path, mono=False)

    np.testing.assert_allclose(mono, written.mean(axis=1), atol=1e-6)
    np.testing.assert_allclose(kept, written.T, atol=1e-7)


RATES = [8000, 11025, 16000, 22050, 44100, 48000, 96000]


@pytest.mark.parametrize("rate", RATES)
def test_loader_resamples_any_rate_to_sr(rate, tmp_path):
    path = tmp_path / f"{rate}.wav"
    written = sine(sr=rate)
    sf.write(path, written, rate, subtype="FLOAT")

    y = load(path)

    assert y.shape == (math.ceil(written.size * SR / rate),)
    # The same 440 Hz tone, away from the resampler's edge effects.
    expected = sine(sr=SR)[: y.size]
    np.testing.assert_allclose(y[200:-200], expected[200:-200], atol=5e-3)


# A file in one format, named as another: libsndfile goes by the bytes.
LYING_EXTENSIONS = [
    ("AIFF", "PCM_16", "aiff", "wav"),
    ("FLAC", "PCM_16", "flac", "wav"),
    ("WAV", "PCM_16", "wav", "flac"),
    ("OGG", "VORBIS", "ogg", "wav"),
    ("MP3", "MPEG_LAYER_III", "mp3", "wav"),
]


def _lying_pair(fmt, subtype, true_ext, false_ext, tmp_path):
    if fmt not in sf.available_formats():
        pytest.skip(f"this libsndfile cannot write {fmt}")
    honest = tmp_path / f"clip.{true_ext}"
    sf.write(honest, sine(sr=SR), SR, format=fmt, subtype=subtype)
    liar = tmp_path / f"{true_ext}_in_disguise.{false_ext}"
    shutil.copyfile(honest, liar)
    return honest, liar


@pytest.mark.parametrize(
    "fmt, subtype, true_ext, false_ext", LYING_EXTENSIONS,
    ids=[f"{t}-named-{f}" for _, _, t, f in LYING_EXTENSIONS],
)
def test_loader_reads_a_file_whose_extension_lies_by_its_content(
    fmt, subtype, true_ext, false_ext, tmp_path,
):
    honest, liar = _lying_pair(fmt, subtype, true_ext, false_ext, tmp_path)

    y = load(liar)

    np.testing.assert_array_equal(y, load(honest))
    if subtype == "PCM_16":
        np.testing.assert_allclose(y, sine(sr=SR), atol=2.0 ** -14)


def test_loader_reads_what_a_truncated_data_chunk_holds(tmp_path, rng):
    path = _truncated_data(tmp_path, rng)

    y = load(path)

    assert y.shape == (1999,)
    np.testing.assert_array_equal(y, load(tmp_path / "scratch.wav")[:1999])


def test_loader_reads_a_header_without_samples_as_an_empty_waveform(tmp_path, rng):
    assert load(_header_only(tmp_path, rng)).shape == (0,)


def test_clip_shorter_than_a_frame_loads_and_needs_trimpad_before_features(tmp_path, rng):
    path = _short(tmp_path, rng)
    mel = dict(sr=SR, n_fft=256, hop_length=128, n_mels=16)
    waves = AudioLoader(sr=SR).fit_transform([path])

    assert waves[0].shape == (10,)
    with pytest.raises(ValueError, match="10 samples are shorter than one analysis frame"):
        MelSpectrogram2D(**mel, center=False).fit_transform(waves)
    padded = TrimPad(sr=SR, duration=SECONDS).fit_transform(waves)
    assert padded.shape == (1, 4000)
    assert np.all(np.isfinite(MelSpectrogram2D(**mel, center=False).fit_transform(padded)))


def test_all_silent_file_loads_as_zeros_and_trims_to_zeros(tmp_path, rng):
    y = load(_silent(tmp_path, rng))

    np.testing.assert_array_equal(y, np.zeros(SR, np.float32))
    np.testing.assert_array_equal(
        TrimPad(sr=SR, duration=SECONDS).fit_transform([y]), np.zeros((1, 4000))
    )


NON_ASCII_NAMES = ["ängstlich_😀_злой.wav", "悲しい 声.wav", "ça va?.flac"]


@pytest.mark.parametrize("name", NON_ASCII_NAMES)
def test_loader_reads_non_ascii_file_names(name, tmp_path, rng):
    plain = tmp_path / f"plain{os.path.splitext(name)[1]}"
    sf.write(plain, voice(rng), SR)
    folder = tmp_path / "données"
    folder.mkdir()
    shutil.copyfile(plain, folder / name)

    y = load(folder / name)

    assert y.size == SR * SECONDS
    np.testing.assert_array_equal(y, load(plain))
    np.testing.assert_array_equal(load(str(folder / name)), y)


@pytest.fixture
def non_utf8_wav(tmp_path, rng):
    """A file whose name is not valid UTF-8 (legal on Linux), as bytes."""
    if os.name == "nt":
        pytest.skip("Windows file names are Unicode")
    path = os.fsencode(tmp_path) + b"/clip_\xff\xfe.wav"
    try:
        with open(path, "wb") as f:
            sf.write(f, voice(rng), SR, format="WAV", subtype="FLOAT")
    except OSError:
        pytest.skip("this file system refuses names that are not UTF-8")
    return path


def test_loader_reads_a_file_name_that_is_not_utf8(non_utf8_wav):
    as_str = os.fsdecode(non_utf8_wav)  # undecodable bytes become surrogates

    np.testing.assert_array_equal(load(as_str), load(non_utf8_wav))
    assert load(as_str).shape == (int(SR * SECONDS),)


def test_error_for_a_missing_non_ascii_path_names_it_intact(tmp_path):
    bad = str(tmp_path / "ängstlich_😀_злой.wav")

    with pytest.raises(AudioReadError) as info:
        AudioLoader().fit_transform([bad])

    assert repr(bad) in str(info.value)
    assert "ängstlich_😀_злой.wav" in str(info.value)


# Every readable case, for the whole pipeline: id -> make(tmp_path, rng).
def _subtype(subtype):
    def make(tmp_path, rng):
        path = tmp_path / f"{subtype}.wav"
        sf.write(path, voice(rng), SR, subtype=subtype)
        return path
    return make


def _channels(n):
    def make(tmp_path, rng):
        path = tmp_path / f"{n}ch.wav"
        sf.write(path, np.stack([voice(rng) for _ in range(n)], axis=1), SR)
        return path
    return make


def _rate(rate):
    def make(tmp_path, rng):
        path = tmp_path / f"{rate}.wav"
        sf.write(path, voice(rng, sr=rate), rate, subtype="PCM_16")
        return path
    return make


def _lying(fmt, subtype, true_ext, false_ext):
    def make(tmp_path, rng):
        return _lying_pair(fmt, subtype, true_ext, false_ext, tmp_path)[1]
    return make


def _non_ascii(tmp_path, rng):
    path = tmp_path / NON_ASCII_NAMES[0]
    sf.write(path, voice(rng), SR)
    return path


READABLE = {
    **{f"wav-{s.lower()}": _subtype(s) for s in WAV_SUBTYPES},
    **{f"{n}-channels": _channels(n) for n in (1, 2, 6)},
    **{f"{r}-hz": _rate(r) for r in RATES},
    **{f"{t}-named-{f}": _lying(fmt, sub, t, f) for fmt, sub, t, f in LYING_EXTENSIONS},
    "truncated-data": _truncated_data,
    "header-only": _header_only,
    "shorter-than-a-frame": _short,
    "all-silent": _silent,
    "non-ascii-name": _non_ascii,
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(READABLE))
def test_pipeline_predicts_valid_probabilities_for_every_readable_file(
    case, pipe, tmp_path, rng, good_wav,
):
    path = READABLE[case](tmp_path, rng)

    proba = pipe.predict_proba([good_wav, path])

    assert_valid_proba(proba, 2)
    np.testing.assert_allclose(proba[0], pipe.predict_proba([good_wav])[0], rtol=1e-5)


@pytest.mark.slow
def test_pipeline_reads_a_file_name_that_is_not_utf8(pipe, non_utf8_wav):
    assert_valid_proba(pipe.predict_proba([non_utf8_wav, os.fsdecode(non_utf8_wav)]), 2)


# ========================================================= on_error="warn"

def _batch(tmp_path, rng, good_wav):
    """Good files with three unreadable ones at positions 1, 3 and 4."""
    bad = [
        str(_missing(tmp_path, rng)),
        str(_not_audio(tmp_path, rng)),
        str(_float_wav_with(np.nan)(tmp_path, rng)),
    ]
    return [good_wav, bad[0], good_wav, bad[1], bad[2], good_wav], [1, 3, 4], bad


def _audio_read_warnings(record):
    return [w for w in record if issubclass(w.category, AudioReadWarning)]


def _unread(record):
    """Every item the AudioReadWarnings in ``record`` list, in order."""
    return [e for w in _audio_read_warnings(record) for e in w.message.errors]


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_on_error_warn_keeps_the_batch_aligned_and_lists_the_bad_files(
    n_jobs, tmp_path, rng, good_wav,
):
    X, bad_idx, bad = _batch(tmp_path, rng, good_wav)
    loader = AudioLoader(sr=SR, duration=1.0, on_error="warn", n_jobs=n_jobs)

    with pytest.warns(AudioReadWarning) as record:
        waves = loader.fit_transform(X)

    (warning,) = _audio_read_warnings(record)
    message = str(warning.message)
    assert message.startswith("3 of 6 audio items could not be read")
    assert all(repr(path) in message for path in bad)
    assert len(waves) == len(X)
    for i, y in enumerate(waves):
        if i in bad_idx:
            np.testing.assert_array_equal(y, np.zeros(SR, np.float32))
        else:
            np.testing.assert_array_equal(y, load(good_wav))
    errors = warning.message.errors
    assert [e["index"] for e in errors] == bad_idx
    assert [e["source"] for e in errors] == bad
    assert "does not exist" in errors[0]["message"]
    assert "Format not recognised" in errors[1]["message"]
    assert "NaN or infinite" in errors[2]["message"]


def test_on_error_ignore_replaces_bad_files_without_a_warning(tmp_path, rng, good_wav):
    X, bad_idx, _ = _batch(tmp_path, rng, good_wav)
    loader = AudioLoader(sr=SR, on_error="ignore")

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        waves = loader.fit_transform(X)

    assert len(waves) == len(X)
    # Without a duration the silence is empty; TrimPad pads it to its length.
    assert [waves[i].shape for i in bad_idx] == [(0,)] * 3


def test_on_error_raise_is_the_default(tmp_path, rng, good_wav):
    X, _, bad = _batch(tmp_path, rng, good_wav)

    assert AudioLoader().on_error == "raise"
    with pytest.raises(AudioReadError, match=re.escape(repr(bad[0]))):
        AudioLoader(sr=SR).fit_transform(X)


def test_on_error_warn_shows_the_first_three_files_and_counts_the_rest(tmp_path, good_wav):
    missing = [str(tmp_path / f"gone{i}.wav") for i in range(5)]
    loader = AudioLoader(sr=SR, on_error="warn")

    with pytest.warns(AudioReadWarning) as record:
        loader.fit_transform([good_wav, *missing])

    message = str(_audio_read_warnings(record)[0].message)
    assert "5 of 6 audio items" in message
    assert [repr(p) in message for p in missing] == [True] * 3 + [False] * 2
    assert "and 2 more" in message
    assert [e["source"] for e in _unread(record)] == missing


def test_transform_reports_per_call_and_leaves_the_loader_unchanged(tmp_path, rng, good_wav):
    X, bad_idx, _ = _batch(tmp_path, rng, good_wav)
    loader = AudioLoader(sr=SR, on_error="warn").fit(X)
    fitted = dict(vars(loader))

    with pytest.warns(AudioReadWarning) as record:
        loader.transform(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loader.transform([good_wav])

    assert [e["index"] for e in _unread(record)] == bad_idx
    assert vars(loader) == fitted


def test_pipeline_memory_reports_the_unreadable_files_of_each_call(tmp_path, good_wav):
    """A cache hit returns the fitted loader without reading any file, so it
    reports nothing; every call that reads reports its own files."""
    gone = [str(tmp_path / f"gone{i}.wav") for i in range(3)]
    first = [good_wav, gone[0], good_wav, good_wav]
    second = [good_wav, good_wav, gone[1], gone[2]]
    y = [0, 1, 0, 1]

    def fit(X):
        pipe = SklearnPipeline([
            ("load", AudioLoader(sr=SR, duration=0.5, on_error="warn")),
            ("trim", TrimPad(sr=SR, duration=0.5)),
            ("clf", DummyClassifier()),
        ], memory=str(tmp_path / "cache"))
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            pipe.fit(X, y)
        return pipe, [e["source"] for e in _unread(record)]

    pipe, unread = fit(first)
    assert unread == [gone[0]]
    with pytest.warns(AudioReadWarning) as record:
        pipe.predict(second)
    assert [e["source"] for e in _unread(record)] == gone[1:]

    hit, unread = fit(first)
    assert unread == []
    _, unread = fit(second)
    assert unread == gone[1:]
    assert not any(name.startswith("errors") for name in vars(hit.named_steps["load"]))


def test_read_warning_keeps_its_errors_through_pickling(tmp_path, rng, good_wav):
    X, bad_idx, _ = _batch(tmp_path, rng, good_wav)
    with pytest.warns(AudioReadWarning) as record:
        AudioLoader(sr=SR, on_error="warn").transform(X)
    (warning,) = _audio_read_warnings(record)

    clone = pickle.loads(pickle.dumps(warning.message))

    assert str(clone) == str(warning.message)
    assert clone.errors == warning.message.errors


def test_on_error_warn_replaces_non_finite_arrays_and_keeps_channels(rng):
    bad = rng.normal(size=(2, 100)).astype(np.float32)
    bad[1, 7] = np.nan
    loader = AudioLoader(sr=100, mono=False, duration=0.5, on_error="warn")

    with pytest.warns(AudioReadWarning) as record:
        good, silence = loader.fit_transform([rng.normal(size=(2, 100)), bad])

    assert good.shape == (2, 50)
    np.testing.assert_array_equal(silence, np.zeros((1, 50), np.float32))
    assert _unread(record) == [
        {"index": 1, "source": "X[1]", "message": "X[1] contains NaN or infinite samples."}
    ]


@pytest.mark.parametrize("on_error", ["warn", "ignore"])
def test_on_error_never_hides_a_mistake_in_x_itself(on_error, good_wav):
    loader = AudioLoader(on_error=on_error)

    with pytest.raises(TypeError, match="wrap it in a list"):
        loader.fit_transform(good_wav)
    with pytest.raises(ValueError, match=r"X\[1\].*\(waveform, sample_rate\)"):
        loader.fit_transform([good_wav, (np.zeros(10), 0)])


@pytest.mark.slow
def test_pipeline_with_on_error_warn_predicts_one_row_per_file(
    pipe, tmp_path, rng, good_wav, monkeypatch,
):
    X, bad_idx, bad = _batch(tmp_path, rng, good_wav)
    X += [str(UNREADABLE[case][0](tmp_path, rng)) for case in ("directory", "empty")]
    bad_idx += [6, 7]
    monkeypatch.setattr(pipe.named_steps["load"], "on_error", "warn")

    with pytest.warns(AudioReadWarning, match=f"5 of {len(X)} audio items") as record:
        proba = pipe.predict_proba(X)

    assert_valid_proba(proba, len(X))
    assert [e["index"] for e in _unread(record)] == bad_idx
    # An unreadable file is predicted as a silent one.
    silent = pipe.predict_proba([str(_silent(tmp_path, rng))])[0]
    for i in bad_idx:
        np.testing.assert_allclose(proba[i], silent, rtol=1e-5, atol=1e-6)


@pytest.mark.slow
def test_pipeline_fit_with_on_error_warn_keeps_x_and_y_aligned(train_files, tmp_path, rng):
    paths, labels = train_files
    X = [*paths, str(_missing(tmp_path, rng)), str(_not_audio(tmp_path, rng))]
    y = [*labels, "sad", "happy"]
    pipe = make_ser_pipeline(
        "2d", model="lenet5", sr=SR, duration=SECONDS, augment=False, random_state=0,
        load__on_error="warn", **FAST["2d"], **CLF,
    )

    with pytest.warns(AudioReadWarning, match="2 of 8 audio items") as record:
        pipe.fit(X, y)

    assert pipe.named_steps["clf"].estimator_.X_shape_[0] == len(y)
    assert [e["index"] for e in _unread(record)] == [6, 7]


# ====================================================== bounded memory

HOUR_SR = 8000
HOUR_BYTES = 3600 * HOUR_SR * 2  # 16-bit mono samples, without the header


@pytest.fixture(scope="module")
def hour_wav(tmp_path_factory):
    """A one-hour 8 kHz 16-bit mono WAV (57.6 MB), written a minute at a time;
    the first second of minute m holds the constant m / 100, so a read can
    tell where in the file it landed."""
    path = tmp_path_factory.mktemp("long") / "one_hour.wav"
    minute = (0.1 * np.sin(2 * np.pi * 200 * np.arange(60 * HOUR_SR) / HOUR_SR))
    with sf.SoundFile(path, "w", HOUR_SR, 1, subtype="PCM_16") as f:
        for m in range(60):
            block = minute.copy()
            block[: HOUR_SR] = m / 100  # the first second of minute m holds m / 100
            f.write(block)
    assert os.path.getsize(path) >= HOUR_BYTES
    assert sf.info(str(path)).duration == 3600.0
    return str(path)


def _peak_bytes(func):
    """``(func(), peak bytes Python and NumPy allocated during it)``, measured
    on a second call so that one-time imports and caches are not counted."""
    func()
    tracemalloc.start()
    try:
        result = func()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


PEAK_LIMIT = 5 * 2 ** 20  # a small fraction of the 57.6 MB of samples


@pytest.mark.parametrize("offset", [0.0, 1800.0, 3599.0])
def test_loader_reads_only_the_asked_part_of_a_one_hour_file(offset, hour_wav):
    loader = AudioLoader(sr=HOUR_SR, offset=offset, duration=3.0)

    (y,), peak = _peak_bytes(lambda: loader.fit_transform([hour_wav]))

    assert peak < PEAK_LIMIT
    assert y.size == min(3.0, 3600 - offset) * HOUR_SR
    minute = int(offset // 60)
    if offset % 60 == 0:
        np.testing.assert_allclose(y[:HOUR_SR], minute / 100, atol=2.0 ** -15)


@pytest.mark.parametrize("offset", [0.0, 1800.0])
def test_loader_skips_the_offset_of_an_unseekable_file_in_bounded_blocks(
    offset, hour_wav, monkeypatch,
):
    expected = load(hour_wav, offset=offset, duration=3.0)
    monkeypatch.setattr(sf.SoundFile, "seekable", lambda self: False)
    loader = AudioLoader(sr=HOUR_SR, offset=offset, duration=3.0)

    (y,), peak = _peak_bytes(lambda: loader.fit_transform([hour_wav]))

    assert peak < PEAK_LIMIT
    np.testing.assert_array_equal(y, expected)


@pytest.mark.parametrize("offset", [0.0, 0.25, 2.0])
def test_loader_reads_an_unseekable_file_to_its_end(offset, tmp_path, rng, monkeypatch):
    path = tmp_path / "long.wav"
    sf.write(path, rng.uniform(-0.5, 0.5, 3 * 65536 + 7), SR, subtype="FLOAT")
    expected = load(path, offset=offset)
    monkeypatch.setattr(sf.SoundFile, "seekable", lambda self: False)

    np.testing.assert_array_equal(load(path, offset=offset), expected)
    assert load(path, offset=100.0).shape == (0,)


def test_make_ser_pipeline_reads_at_most_max_duration_of_each_file(hour_wav):
    loader = make_ser_pipeline("2d", sr=HOUR_SR).named_steps["load"]

    (y,), peak = _peak_bytes(lambda: loader.fit_transform([hour_wav]))

    assert loader.duration == 30.0
    assert y.size == 30 * HOUR_SR
    assert peak < PEAK_LIMIT
    short = make_ser_pipeline("2d", sr=HOUR_SR, duration=1.0, max_duration=2.0)
    assert short.named_steps["load"].fit_transform([hour_wav])[0].size == 2 * HOUR_SR
    assert make_ser_pipeline("2d", max_duration=None).named_steps["load"].duration is None


@pytest.mark.slow
def test_pipeline_predicts_a_one_hour_file(pipe, hour_wav):
    assert_valid_proba(pipe.predict_proba([hour_wav]), 1)


@pytest.mark.parametrize("value", [0, -1.0, float("inf"), float("nan"), "30", True])
def test_make_ser_pipeline_rejects_a_bad_max_duration_by_name(value):
    with pytest.raises(ValueError, match="max_duration must be a positive, finite number"):
        make_ser_pipeline("2d", max_duration=value)


def test_make_ser_pipeline_rejects_max_duration_below_duration_naming_both():
    with pytest.raises(ValueError, match=r"max_duration=2\.0 is shorter than duration=3\.0"):
        make_ser_pipeline("2d", duration=3.0, max_duration=2.0)
