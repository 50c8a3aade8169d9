"""Corpus loaders read labels, speakers and metadata from real naming schemes,
and say clearly what is wrong with a folder they cannot read."""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from skser.datasets import (
    CREMA_D_EMOTIONS, EMOTIONS, clear_data_home, get_data_home, load_crema_d,
    load_emodb, load_folder, load_ravdess, load_savee, load_tess,
)
from skser.datasets._corpora import _crema_d_gender

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def write_clips(root, names, rng):
    """Write 0.05 s of noise at 16 kHz to each relative path under ``root``."""
    paths = []
    for name in names:
        path = Path(root) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(path, rng.uniform(-0.1, 0.1, 800).astype(np.float32), 16000)
        paths.append(str(path))
    return paths


def check_bunch_shapes(data):
    n = data.filenames.shape[0]
    assert data.filenames.shape == data.target.shape == (n,)
    assert all(os.path.isabs(p) for p in data.filenames)
    assert data.filenames.tolist() == sorted(data.filenames.tolist())
    assert data.target_names.tolist() == sorted(set(data.target.tolist()))
    # pandas.DataFrame(data.metadata) needs equal-length 1-D columns.
    assert {"speaker", "emotion_code"} <= set(data.metadata)
    for column, values in data.metadata.items():
        assert isinstance(values, np.ndarray) and values.shape == (n,), column


# ==================================================================== corpora

def test_crema_d_reads_actor_emotion_sentence_intensity_and_gender(tmp_path, rng):
    write_clips(tmp_path, [
        "AudioWAV/1091_WSI_SAD_LO.wav", "AudioWAV/1001_DFA_ANG_XX.wav",
        "AudioWAV/1002_IEO_HAP_HI.wav", "AudioWAV/1005_ITS_NEU_MD.wav",
        "AudioWAV/1002_TIE_DIS_XX.wav", "AudioWAV/1001_IWW_FEA_XX.wav",
    ], rng)
    data = load_crema_d(tmp_path)
    check_bunch_shapes(data)
    names = [Path(p).name for p in data.filenames]
    assert names == sorted(names)
    by_name = dict(zip(names, range(len(names))))
    i = by_name["1001_DFA_ANG_XX.wav"]
    assert data.target[i] == "angry" and data.groups[i] == "1001"
    assert data.metadata["gender"][i] == "male"
    assert data.metadata["sentence"][i] == "DFA"
    assert data.metadata["intensity"][i] == "unspecified"
    assert data.metadata["emotion_code"][i] == "ANG"
    j = by_name["1002_IEO_HAP_HI.wav"]
    assert (data.target[j], data.metadata["gender"][j], data.metadata["intensity"][j]) == (
        "happy", "female", "high"
    )
    assert data.target_names.tolist() == list(CREMA_D_EMOTIONS)
    assert data.corpus == "crema_d"
    assert data.excluded.size == 0 and data.unmatched.size == 0
    for fact in ("CREMA-D", "7442", "Open Database License", "Cao", "1001_DFA_ANG_XX"):
        assert fact in data.DESCR


def test_crema_d_gender_table_has_48_men_among_91_actors():
    genders = [_crema_d_gender(str(i)) for i in range(1001, 1092)]
    assert genders.count("male") == 48 and genders.count("female") == 43
    assert _crema_d_gender("1001") == "male" and _crema_d_gender("1002") == "female"
    with pytest.raises(ValueError, match="1001 to 1091"):
        _crema_d_gender("1092")


def test_ravdess_flac_reads_every_field(tmp_path, rng):
    names = [f"Actor_{a:02d}/03-01-{e:02d}-01-01-01-{a:02d}.flac"
             for a in (1, 2) for e in range(1, 9)]
    names.append("Actor_24/03-02-05-02-02-02-24.flac")
    write_clips(tmp_path, names, rng)
    data = load_ravdess(tmp_path)
    check_bunch_shapes(data)
    assert data.target_names.tolist() == sorted(
        ["neutral", "calm", "happy", "sad", "angry", "fear", "disgust", "surprised"]
    )
    i = [Path(p).name for p in data.filenames].index("03-01-05-01-01-01-01.flac")
    assert data.target[i] == "angry" and data.metadata["emotion_code"][i] == "05"
    song = data.filenames.tolist().index(str(tmp_path / names[-1]))
    meta = {k: v[song] for k, v in data.metadata.items()}
    assert meta == {
        "speaker": "24", "emotion_code": "05", "gender": "female",
        "modality": "audio-only", "vocal_channel": "song", "intensity": "strong",
        "statement": "Dogs are sitting by the door", "repetition": 2,
    }
    assert set(zip(data.groups, data.metadata["gender"])) == {
        ("01", "male"), ("02", "female"), ("24", "female"),
    }
    assert "Livingstone" in data.DESCR and "CC BY-NC-SA 4.0" in data.DESCR


def test_tess_parses_case_quirks_and_the_misnamed_file(tmp_path, rng):
    write_clips(tmp_path, [
        "OAF_angry/OAF_back_angry.wav",
        "OAF_Fear/OAF_chair_Fear.wav",
        "OAF_neutral/OA_bite_neutral.wav",
        "YAF_pleasant_surprised/YAF_bath_ps.wav",
        "YAF_sad/YAF_dog_sad.wav",
    ], rng)
    data = load_tess(tmp_path)
    check_bunch_shapes(data)
    rows = {Path(p).name: i for i, p in enumerate(data.filenames)}
    i = rows["OAF_chair_Fear.wav"]
    assert data.target[i] == "fear" and data.metadata["emotion_code"][i] == "Fear"
    i = rows["YAF_bath_ps.wav"]
    assert data.target[i] == "surprised" and data.metadata["word"][i] == "bath"
    assert data.groups[rows["OA_bite_neutral.wav"]] == "OAF"
    assert sorted(set(data.groups)) == ["OAF", "YAF"]
    assert set(data.metadata["gender"]) == {"female"}
    assert dict(zip(data.groups, data.metadata["age"])) == {"OAF": 64, "YAF": 26}


def test_emodb_reads_speaker_gender_sentence_version(tmp_path, rng):
    write_clips(tmp_path, [
        "wav/03a01Fa.wav", "wav/08b10Lc.wav", "wav/16a07Ta.wav", "wav/10b03Wb.wav",
        "wav/13a05Ea.wav", "wav/11b09Aa.wav", "wav/14a02Nd.wav",
    ], rng)
    data = load_emodb(tmp_path)
    check_bunch_shapes(data)
    assert data.target_names.tolist() == sorted(
        ["happy", "boredom", "sad", "angry", "disgust", "fear", "neutral"]
    )
    i = [Path(p).name for p in data.filenames].index("08b10Lc.wav")
    assert {k: v[i] for k, v in data.metadata.items()} == {
        "speaker": "08", "emotion_code": "L", "gender": "female",
        "sentence": "b10", "version": "c",
    }
    assert dict(zip(data.groups, data.metadata["gender"]))["03"] == "male"


@pytest.mark.parametrize("layout", ["original", "flat"])
def test_savee_reads_both_layouts(tmp_path, rng, layout):
    clips = [("DC", "a01"), ("JE", "sa15"), ("KL", "n30"), ("JK", "su03"), ("DC", "h07")]
    if layout == "original":
        names = [f"AudioData/{s}/{c}.wav" for s, c in clips]
    else:
        names = [f"ALL/{s}_{c}.wav" for s, c in clips]
    write_clips(tmp_path, names, rng)
    data = load_savee(tmp_path)
    check_bunch_shapes(data)
    got = sorted(zip(data.groups, data.metadata["emotion_code"], data.target,
                     data.metadata["number"]))
    assert got == sorted([
        ("DC", "a", "angry", 1), ("JE", "sa", "sad", 15), ("KL", "n", "neutral", 30),
        ("JK", "su", "surprised", 3), ("DC", "h", "happy", 7),
    ])
    assert set(data.metadata["gender"]) == {"male"}


@pytest.mark.parametrize("name", [
    "AudioData/XX/a01.wav",   # not a SAVEE speaker folder
    "AudioData/DC/a16.wav",   # only 15 angry takes
    "AudioData/DC/n31.wav",   # only 30 neutral takes
    "ALL/DC_x01.wav",         # no such emotion code
])
def test_savee_names_outside_the_scheme_are_unmatched(tmp_path, rng, name):
    write_clips(tmp_path, ["AudioData/DC/a01.wav", name], rng)
    with pytest.raises(ValueError, match="1 of 2 audio files"):
        load_savee(tmp_path)


def test_load_folder_keeps_folder_names_and_reads_speakers(tmp_path, rng):
    write_clips(tmp_path, [
        "Angry/spk1_001.wav", "Angry/spk2_001.WAV", "calm/spk1_002.ogg",
    ], rng)
    data = load_folder(tmp_path, speaker_pattern=r"^(spk\d)_")
    check_bunch_shapes(data)
    assert data.target.tolist() == ["Angry", "Angry", "calm"]
    assert data.groups.tolist() == ["spk1", "spk2", "spk1"]
    assert data.metadata["emotion_code"].tolist() == ["Angry", "Angry", "calm"]
    assert data.corpus == "folder"

    plain = load_folder(tmp_path)
    assert plain.groups is None
    assert plain.metadata["speaker"].tolist() == [None, None, None]


def test_load_folder_files_at_the_wrong_depth_or_speakerless_are_unmatched(tmp_path, rng):
    write_clips(tmp_path, ["happy/a_1.wav", "happy/b_2.wav"], rng)
    loose = write_clips(tmp_path, ["loose.wav", "happy/deeper/c_3.wav"], rng)
    with pytest.warns(UserWarning, match="2 of 4 audio files") as record:
        data = load_folder(tmp_path, on_unmatched="warn")
    assert "loose.wav" in str(record[0].message)
    assert sorted(data.unmatched.tolist()) == sorted(loose)
    assert data.filenames.size == 2

    with pytest.warns(UserWarning, match=r"3 of 4 .*speaker_pattern '\^\(a\)_'"):
        data = load_folder(tmp_path, speaker_pattern=r"^(a)_", on_unmatched="warn")
    assert [Path(p).name for p in data.filenames] == ["a_1.wav"]
    assert "b_2.wav" in [Path(p).name for p in data.unmatched]


@pytest.mark.parametrize("pattern, message", [
    (r"^\d+_", "exactly one capturing group"),
    (r"^(\d+)_(\d)", "exactly one capturing group"),
    (r"^(\d+", "not a valid regular expression"),
])
def test_load_folder_rejects_bad_speaker_pattern(tmp_path, rng, pattern, message):
    write_clips(tmp_path, ["happy/1_a.wav"], rng)
    with pytest.raises(ValueError, match=message):
        load_folder(tmp_path, speaker_pattern=pattern)


# ================================================================ label_map

@pytest.fixture
def ravdess_dir(tmp_path, rng):
    """One RAVDESS clip per emotion for actors 01 and 02 (16 files)."""
    write_clips(tmp_path, [
        f"Actor_{a:02d}/03-01-{e:02d}-01-01-01-{a:02d}.wav"
        for a in (1, 2) for e in range(1, 9)
    ], rng)
    return tmp_path


def test_label_map_crema_d_keeps_six_emotions_and_reports_the_rest(ravdess_dir):
    with pytest.warns(UserWarning, match=r"left out 4 of 16 files: calm \(2\), surprised \(2\)"):
        data = load_ravdess(ravdess_dir, label_map="crema_d")
    assert data.target_names.tolist() == list(CREMA_D_EMOTIONS)
    assert data.filenames.size == 12
    excluded = sorted(Path(p).name for p in data.excluded)
    assert excluded == sorted(
        f"03-01-{e}-01-01-01-{a}.wav" for a in ("01", "02") for e in ("02", "08")
    )
    assert not set(data.excluded) & set(data.filenames)
    check_bunch_shapes(data)


def test_label_map_dict_renames_drops_and_keeps_the_rest(ravdess_dir):
    with pytest.warns(UserWarning, match=r"left out 2 of 16 files: surprised \(2\)"):
        data = load_ravdess(
            ravdess_dir, label_map={"calm": "neutral", "surprised": None, "boredom": None}
        )
    assert data.target_names.tolist() == [
        "angry", "disgust", "fear", "happy", "neutral", "sad",
    ]
    assert (data.target == "neutral").sum() == 4
    assert data.excluded.size == 2


def test_label_map_without_exclusions_warns_nothing(ravdess_dir, recwarn):
    data = load_ravdess(ravdess_dir, label_map={"calm": "neutral"})
    assert data.excluded.size == 0
    assert not [w for w in recwarn if issubclass(w.category, UserWarning)]


@pytest.mark.parametrize("label_map, error, message", [
    ({"anger": None}, ValueError, r"keys \['anger'\]"),
    ({"angry": 3}, TypeError, "new label string or None"),
    ("emodb", ValueError, "'emodb'"),
    (["angry"], TypeError, "got list"),
    ({e: None for e in EMOTIONS}, ValueError, "left out every one of the 16 files"),
])
def test_bad_label_map_is_rejected(ravdess_dir, label_map, error, message):
    with pytest.raises(error, match=message):
        load_ravdess(ravdess_dir, label_map=label_map)


# ============================================================ unmatched files

def test_unmatched_files_raise_with_count_names_pattern_and_remedy(tmp_path, rng):
    write_clips(tmp_path, ["03a01Fa.wav", "03a01Wa.wav"], rng)
    strays = [f"take_{i}.wav" for i in range(7)]
    write_clips(tmp_path, strays, rng)
    with pytest.raises(ValueError) as info:
        load_emodb(tmp_path)
    message = str(info.value)
    assert "7 of 9 audio files" in message
    assert "take_0.wav" in message and "(2 more)" in message
    assert "03a01Fa.wav" in message and "on_unmatched='warn'" in message


def test_unmatched_files_warn_and_are_listed(tmp_path, rng):
    good = write_clips(tmp_path, ["03a01Fa.wav", "03a01Wa.wav"], rng)
    stray = write_clips(tmp_path, ["sub/03a01Fa_copy.wav"], rng)
    with pytest.warns(UserWarning, match=r"1 of 3 .*sub/03a01Fa_copy.wav.*bunch.unmatched"):
        data = load_emodb(tmp_path, on_unmatched="warn")
    assert data.unmatched.tolist() == stray
    assert data.filenames.tolist() == good


def test_on_unmatched_must_be_raise_or_warn(tmp_path, rng):
    write_clips(tmp_path, ["03a01Fa.wav"], rng)
    with pytest.raises(ValueError, match="on_unmatched must be 'raise' or 'warn'"):
        load_emodb(tmp_path, on_unmatched="ignore")


def test_non_audio_and_hidden_files_are_ignored_silently(tmp_path, rng, recwarn):
    write_clips(tmp_path, ["03a01Fa.WAV", "03a01Wa.wav"], rng)
    (tmp_path / "README.txt").write_text("EmoDB copy")
    (tmp_path / "labels.csv").write_text("file,label\n")
    # macOS resource forks carried by archives: audio extension, not audio.
    (tmp_path / "._03a01Fa.wav").write_bytes(b"\x00\x05\x16\x07")
    (tmp_path / "__MACOSX").mkdir()
    (tmp_path / "__MACOSX" / "x.wav").write_bytes(b"\x00")
    data = load_emodb(tmp_path)
    assert [Path(p).name for p in data.filenames] == ["03a01Fa.WAV", "03a01Wa.wav"]
    assert not [w for w in recwarn if issubclass(w.category, UserWarning)]


def test_wrong_corpus_folder_names_the_right_loader(tmp_path, rng):
    write_clips(tmp_path, ["Actor_01/03-01-05-01-01-01-01.flac"], rng)
    for on_unmatched in ("raise", "warn"):
        with pytest.raises(ValueError, match="none of the 1 audio files") as info:
            load_emodb(tmp_path, on_unmatched=on_unmatched)
        assert "RAVDESS" in str(info.value) and "load_ravdess" in str(info.value)
        assert "03a01Fa.wav" in str(info.value)


def test_same_recording_twice_is_kept_and_warned_about(tmp_path, rng):
    write_clips(tmp_path, ["copy1/03a01Fa.wav", "copy2/03a01Fa.wav", "copy1/03a01Wa.wav"],
                rng)
    with pytest.warns(UserWarning, match="1 EmoDB recordings appear more than once"):
        data = load_emodb(tmp_path)
    assert data.filenames.size == 3


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_symlink_loop_is_scanned_once(tmp_path, rng):
    write_clips(tmp_path, ["wav/03a01Fa.wav"], rng)
    try:
        (tmp_path / "wav" / "loop").symlink_to(tmp_path / "wav", target_is_directory=True)
    except OSError:
        pytest.skip("symbolic links not permitted here")
    assert load_emodb(tmp_path).filenames.size == 1


# ============================================================ folder errors

def test_missing_folder_names_the_path(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(FileNotFoundError, match=re.escape(str(missing))) as info:
        load_ravdess(missing)
    assert "03-01-05-01-02-01-12" in str(info.value)


def test_missing_default_folder_points_to_fetch_or_path(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        load_crema_d(data_home=tmp_path)
    message = str(info.value)
    assert str(tmp_path / "crema_d") in message
    assert "fetch_crema_d" in message and "path=" in message
    with pytest.raises(FileNotFoundError, match="Pass path=") as info:
        load_emodb(data_home=tmp_path / "new")
    assert "fetch_crema_d" not in str(info.value)
    # Loading only reads; a failed load leaves no empty data home behind.
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("name, hint", [("emodb.txt", "expected the folder"),
                                        ("emodb.zip", "extract it")])
def test_file_instead_of_folder(tmp_path, name, hint):
    path = tmp_path / name
    path.write_bytes(b"PK")
    with pytest.raises(NotADirectoryError, match=hint) as info:
        load_emodb(path)
    assert str(path) in str(info.value)


def test_folder_without_audio_says_what_was_expected(tmp_path):
    (tmp_path / "README.md").write_text("nothing here")
    with pytest.raises(ValueError, match="no audio files") as info:
        load_crema_d(tmp_path)
    assert "CREMA-D files named like 1001_DFA_ANG_XX.wav" in str(info.value)
    assert str(tmp_path) in str(info.value)
    (tmp_path / "AudioWAV.zip").write_bytes(b"PK")
    with pytest.raises(ValueError, match="extract them first"):
        load_crema_d(tmp_path)


def test_load_folder_requires_a_path():
    with pytest.raises(ValueError, match="load_folder needs path"):
        load_folder(None)


# ================================================================ data home

def test_get_data_home_prefers_argument_then_env_then_home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SKSER_DATA", str(tmp_path / "from_env"))
    assert get_data_home() == tmp_path / "from_env"
    assert (tmp_path / "from_env").is_dir()
    assert get_data_home(tmp_path / "given") == tmp_path / "given"
    monkeypatch.delenv("SKSER_DATA")
    assert get_data_home() == tmp_path / "home" / "skser_data"
    assert get_data_home("~/other") == tmp_path / "home" / "other"


def test_clear_data_home_removes_it_but_never_home(tmp_path, monkeypatch):
    home = get_data_home(tmp_path / "data")
    (home / "emodb").mkdir()
    clear_data_home(home)
    assert not home.exists()
    clear_data_home(home)  # already gone: nothing to do
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(ValueError, match="refusing to delete"):
        clear_data_home("~")
    assert tmp_path.is_dir()


def test_path_none_loads_from_data_home_and_env(tmp_path, rng, monkeypatch):
    write_clips(tmp_path / "data" / "emodb", ["03a01Fa.wav"], rng)
    data = load_emodb(data_home=tmp_path / "data")
    assert data.filenames.tolist() == [str(tmp_path / "data" / "emodb" / "03a01Fa.wav")]
    monkeypatch.setenv("SKSER_DATA", str(tmp_path / "data"))
    assert load_emodb().filenames.tolist() == data.filenames.tolist()


def test_loaders_work_without_pandas(tmp_path, rng):
    write_clips(tmp_path, ["03a01Fa.wav"], rng)
    code = (
        "import sys; sys.modules['pandas'] = None\n"
        "from skser.datasets import load_emodb\n"
        f"d = load_emodb({str(tmp_path)!r})\n"
        "assert d.metadata['gender'].tolist() == ['male']\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# ============================================================ real corpora

@pytest.mark.skipif(not (SHARED_DATA / "ravdess-speech-16k").is_dir(),
                    reason="real RAVDESS not in ../shared/data")
def test_real_ravdess_speech_has_1440_files_24_actors_8_labels():
    data = load_ravdess(SHARED_DATA / "ravdess-speech-16k")
    check_bunch_shapes(data)
    assert data.filenames.size == 1440 and data.unmatched.size == 0
    assert len(set(data.groups)) == 24 and data.target_names.size == 8
    genders = dict(zip(data.groups, data.metadata["gender"]))
    assert sorted(genders.values()).count("male") == 12
    assert sorted(genders.values()).count("female") == 12
    assert set(data.metadata["vocal_channel"]) == {"speech"}
    # Neutral has no strong intensity: half as many clips as each other label.
    labels, counts = np.unique(data.target, return_counts=True)
    assert dict(zip(labels, counts))["neutral"] == 96
    assert set(counts) == {96, 192}


@pytest.mark.skipif(not (SHARED_DATA / "emodb").is_dir(),
                    reason="real EmoDB not in ../shared/data")
def test_real_emodb_has_535_files_10_speakers_7_labels():
    data = load_emodb(SHARED_DATA / "emodb")
    check_bunch_shapes(data)
    assert data.filenames.size == 535 and data.unmatched.size == 0
    assert len(set(data.groups)) == 10 and data.target_names.size == 7
    genders = dict(zip(data.groups, data.metadata["gender"]))
    assert sorted(k for k, v in genders.items() if v == "male") == [
        "03", "10", "11", "12", "15",
    ]


def test_named_loaders_share_one_documented_contract():
    # The five loaders' docstrings are built from one template (issue 23):
    # each names its own corpus and scheme, and every section is there.
    from skser import datasets

    for name in ("crema_d", "ravdess", "tess", "emodb", "savee"):
        doc = getattr(datasets, f"load_{name}").__doc__
        for section in ("Parameters", "Returns", "Raises", "Examples"):
            assert f"\n{section}\n" in doc, (name, section)
        assert f'``"{name}"``' in doc and f"load_{name}(" in doc
        assert max(len(line) for line in doc.splitlines() if ">>>" not in line) <= 88
