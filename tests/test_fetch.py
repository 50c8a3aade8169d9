"""fetch_crema_d against a local fake of GitHub: resumable, verified downloads.

A ThreadingHTTPServer on 127.0.0.1 serves a tiny CREMA-D (4 clips, 2 actors)
from memory, laid out like the real repository: the CSV lists and Git LFS
pointers under /raw, the audio under /media. It counts requests, records Range
headers and can be told to misbehave, so every failure mode is exercised
without the network.
"""

import hashlib
import io
import re
import threading
import time
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
import soundfile as sf

from skser.datasets import DownloadError, _fetch, fetch_crema_d

from conftest import stderr_as_terminal

NAMES = ("1001_DFA_ANG_XX", "1001_IEO_HAP_HI", "1002_DFA_SAD_XX", "1002_ITS_NEU_XX")
LABELS = {"ANG": "angry", "HAP": "happy", "SAD": "sad", "NEU": "neutral"}
CUT = "/media/AudioWAV/1001_DFA_ANG_XX.wav"


class FakeGitHub:
    """The CREMA-D repository in memory, with switches for misbehaviour.

    ``once[path]`` lists behaviours for the next requests of ``path`` (one
    each); ``always[path]`` applies after those. Behaviours: "cut" (send the
    full Content-Length, then close after half the bytes), "wrong" (same
    length, other bytes), "ignore_range" (answer 200 with the whole file),
    "404", "500", "stall" (answer nothing for 0.5 s), "redirect" (302 to the
    same path, as a CDN might).
    """

    def __init__(self, rng):
        self.files = {}
        self.requests = Counter()
        self.ranges = defaultdict(list)
        self.once = defaultdict(list)
        self.always = {}
        self.lock = threading.Lock()
        self.files["/raw/SentenceFilenames.csv"] = (
            '"Stimulus_Number","Filename"\n'
            + "".join(f'{i},"{name}"\n' for i, name in enumerate(NAMES, 1))
        ).encode()
        self.files["/raw/VideoDemographics.csv"] = (
            b'"ActorID","Age","Sex","Race","Ethnicity"\n'
            b'1001,51,"Male","Caucasian","Not Hispanic"\n'
            b'1002,21,"Female","Caucasian","Not Hispanic"\n'
        )
        for name in NAMES:
            noise = rng.uniform(-0.3, 0.3, 1600)
            for audio, fmt in (("wav", "WAV"), ("mp3", "MP3")):
                buffer = io.BytesIO()
                sf.write(buffer, noise, 16000, format=fmt)
                self.add_audio(f"Audio{audio.upper()}/{name}.{audio}", buffer.getvalue())

    def add_audio(self, path, content):
        self.files[f"/media/{path}"] = content
        self.files[f"/raw/{path}"] = (
            "version https://git-lfs.github.com/spec/v1\n"
            f"oid sha256:{hashlib.sha256(content).hexdigest()}\n"
            f"size {len(content)}\n"
        ).encode()

    def media(self, name, audio="wav"):
        return self.files[f"/media/Audio{audio.upper()}/{name}.{audio}"]

    def audio_requests(self):
        """Requests for pointers or audio (the CSV lists left out)."""
        return {p: n for p, n in self.requests.items() if "/Audio" in p}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass  # keep test output clean

    def do_GET(self):
        fake = self.server.fake
        path = urlsplit(self.path).path
        range_header = self.headers.get("Range")
        with fake.lock:
            fake.requests[path] += 1
            fake.ranges[path].append(range_header)
            queue = fake.once[path]
            behaviour = queue.pop(0) if queue else fake.always.get(path)
        if behaviour == "stall":
            time.sleep(0.5)
            return
        if path not in fake.files or behaviour == "404":
            self.send_error(404)
            return
        if behaviour == "500":
            self.send_error(500)
            return
        if behaviour == "redirect":
            self.send_response(302)
            self.send_header("Location", f"{path}?redirected=1")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = fake.files[path]
        if behaviour == "wrong":
            body = bytes(b ^ 0xFF for b in body)
        start = 0
        match = re.fullmatch(r"bytes=(\d+)-", range_header or "")
        if match and behaviour != "ignore_range":
            start = int(match.group(1))
            if start >= len(body):
                self.send_error(416)
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(body) - start))
        self.end_headers()
        if behaviour == "cut":
            self.wfile.write(body[start:start + (len(body) - start) // 2])
            self.close_connection = True
            return
        self.wfile.write(body[start:])


@pytest.fixture
def github(rng):
    fake = FakeGitHub(rng)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.fake = fake
    # A short poll interval, so shutdown() at teardown returns at once.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    )
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _offline_and_fast(monkeypatch):
    # A proxy from the environment must not see requests for 127.0.0.1, and
    # retries need not wait.
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("NO_PROXY", "*")
    monkeypatch.setattr(_fetch, "_BACKOFF_SECONDS", 0.0)


def fetch(github, tmp_path, **kwargs):
    options = dict(
        raw_url=f"{github.url}/raw", media_url=f"{github.url}/media/", n_jobs=2,
        timeout=5.0, progress=False,
    )
    return fetch_crema_d(tmp_path / "data", **{**options, **kwargs})


def crema_d(tmp_path):
    return tmp_path / "data" / "crema_d"


# ============================================================== full fetch

def test_fetch_downloads_every_clip_and_loads_it(github, tmp_path):
    data = fetch(github, tmp_path)

    folder = crema_d(tmp_path) / "AudioWAV"
    names = [Path(f).name for f in data.filenames]
    assert names == sorted(f"{name}.wav" for name in NAMES)
    for name in NAMES:
        assert (folder / f"{name}.wav").read_bytes() == github.media(name)
    assert list(data.target) == [LABELS[n.split("_")[2]] for n in sorted(NAMES)]
    assert list(data.groups) == [n[:4] for n in sorted(NAMES)]
    assert sorted(p.name for p in crema_d(tmp_path).iterdir()) == [
        "AudioWAV", "SentenceFilenames.csv", "VideoDemographics.csv", "manifest.tsv",
    ]
    assert not list(folder.glob("*.part"))


def test_manifest_holds_size_and_sha256_from_the_pointers(github, tmp_path):
    fetch(github, tmp_path)

    lines = (crema_d(tmp_path) / "manifest.tsv").read_text().splitlines()
    assert lines[0] == "path\tsize\tsha256"
    expected = {
        f"AudioWAV/{name}.wav\t{len(github.media(name))}\t"
        f"{hashlib.sha256(github.media(name)).hexdigest()}"
        for name in NAMES
    }
    assert set(lines[1:]) == expected


def test_second_fetch_makes_no_request_for_files_on_disk(github, tmp_path):
    fetch(github, tmp_path)
    github.requests.clear()

    data = fetch(github, tmp_path)

    assert github.requests == {}
    assert len(data.filenames) == len(NAMES)


def test_half_written_manifest_line_is_read_again(github, tmp_path):
    fetch(github, tmp_path)
    manifest = crema_d(tmp_path) / "manifest.tsv"
    lines = manifest.read_text().splitlines()
    manifest.write_text("\n".join(lines[:-1]) + "\n" + lines[-1][:30])
    github.requests.clear()

    fetch(github, tmp_path)

    assert github.audio_requests() == {f"/raw/{lines[-1].split(chr(9))[0]}": 1}
    github.requests.clear()
    fetch(github, tmp_path)
    assert github.requests == {}


def test_mp3_copy_goes_to_its_own_folder(github, tmp_path):
    data = fetch(github, tmp_path, audio="mp3")

    folder = crema_d(tmp_path) / "AudioMP3"
    assert sorted(Path(f).name for f in data.filenames) == sorted(
        f"{name}.mp3" for name in NAMES
    )
    assert (folder / f"{NAMES[0]}.mp3").read_bytes() == github.media(NAMES[0], "mp3")


def test_progress_bar_goes_to_stderr_and_can_be_turned_off(github, tmp_path, monkeypatch):
    terminal = stderr_as_terminal(monkeypatch)
    fetch(github, tmp_path, progress=False)
    assert terminal.getvalue() == ""

    (crema_d(tmp_path) / "AudioWAV" / f"{NAMES[0]}.wav").unlink()
    fetch(github, tmp_path, progress=True)
    err = terminal.getvalue()
    assert "CREMA-D AudioWAV" in err
    assert "4/4 files" in err


# ================================================================== actors

@pytest.mark.parametrize("actors", [[1002], ["1002"], 1002, (np.int64(1002),)])
def test_actors_fetches_only_their_clips(github, tmp_path, actors):
    data = fetch(github, tmp_path, actors=actors)

    assert set(data.groups) == {"1002"}
    assert len(data.filenames) == 2
    assert not any("1001_" in path for path in github.audio_requests())


@pytest.mark.parametrize("actors", [[999], [1092], ["10x1"], [], [True], [1.5], 3.5])
def test_bad_actor_ids_are_rejected_before_any_request(github, tmp_path, actors):
    with pytest.raises((ValueError, TypeError), match="actors"):
        fetch(github, tmp_path, actors=actors)
    assert github.requests == {}


def test_actors_without_clips_in_the_list_is_an_error(github, tmp_path):
    with pytest.raises(ValueError, match="no clips of actors.*1003"):
        fetch(github, tmp_path, actors=[1003])
    assert github.audio_requests() == {}


# ================================================================== resume

def test_interrupted_download_leaves_a_part_that_the_next_call_resumes(
    github, tmp_path
):
    github.always[CUT] = "cut"
    with pytest.raises(DownloadError, match="1001_DFA_ANG_XX"):
        fetch(github, tmp_path, max_retries=0)

    final = crema_d(tmp_path) / "AudioWAV" / "1001_DFA_ANG_XX.wav"
    part = final.with_name(final.name + ".part")
    full = github.media("1001_DFA_ANG_XX")
    assert not final.exists()
    assert part.read_bytes() == full[: len(full) // 2]

    del github.always[CUT]
    fetch(github, tmp_path)

    assert github.ranges[CUT][-1] == f"bytes={len(full) // 2}-"
    assert final.read_bytes() == full
    assert not part.exists()


def test_cut_connection_is_resumed_within_the_same_call(github, tmp_path):
    github.once[CUT] = ["cut"]
    fetch(github, tmp_path, max_retries=1)

    full = github.media("1001_DFA_ANG_XX")
    assert github.ranges[CUT] == [None, f"bytes={len(full) // 2}-"]
    assert (crema_d(tmp_path) / "AudioWAV" / "1001_DFA_ANG_XX.wav").read_bytes() == full


def test_resume_survives_a_redirect(github, tmp_path):
    github.once[CUT] = ["cut", "redirect"]
    fetch(github, tmp_path, max_retries=1)

    half = f"bytes={len(github.media('1001_DFA_ANG_XX')) // 2}-"
    assert github.ranges[CUT] == [None, half, half]
    path = crema_d(tmp_path) / "AudioWAV" / "1001_DFA_ANG_XX.wav"
    assert path.read_bytes() == github.media("1001_DFA_ANG_XX")


def test_server_ignoring_range_restarts_the_file_from_zero(github, tmp_path):
    github.once[CUT] = ["cut", "ignore_range"]
    fetch(github, tmp_path, max_retries=1)

    full = github.media("1001_DFA_ANG_XX")
    assert github.ranges[CUT] == [None, f"bytes={len(full) // 2}-"]
    assert (crema_d(tmp_path) / "AudioWAV" / "1001_DFA_ANG_XX.wav").read_bytes() == full


# ============================================================ verification

def test_checksum_mismatch_raises_after_retries_and_leaves_no_file(github, tmp_path):
    github.always[CUT] = "wrong"
    full = github.media("1001_DFA_ANG_XX")
    wrong = bytes(b ^ 0xFF for b in full)

    with pytest.raises(DownloadError) as info:
        fetch(github, tmp_path, max_retries=2)

    message = str(info.value)
    assert "1001_DFA_ANG_XX.wav" in message
    assert f"{github.url}/media/AudioWAV/1001_DFA_ANG_XX.wav" in message
    assert hashlib.sha256(full).hexdigest() in message
    assert hashlib.sha256(wrong).hexdigest() in message
    assert isinstance(info.value, OSError)
    assert github.requests[CUT] == 3
    folder = crema_d(tmp_path) / "AudioWAV"
    assert not (folder / "1001_DFA_ANG_XX.wav").exists()
    assert not (folder / "1001_DFA_ANG_XX.wav.part").exists()


def test_verify_size_checks_only_the_size(github, tmp_path):
    github.always[CUT] = "wrong"
    fetch(github, tmp_path, verify="size")

    full = github.media("1001_DFA_ANG_XX")
    written = (crema_d(tmp_path) / "AudioWAV" / "1001_DFA_ANG_XX.wav").read_bytes()
    assert len(written) == len(full) and written != full


def test_damaged_file_on_disk_is_downloaded_again(github, tmp_path):
    fetch(github, tmp_path)
    path = crema_d(tmp_path) / "AudioWAV" / "1001_DFA_ANG_XX.wav"
    full = path.read_bytes()
    path.write_bytes(bytes(len(full)))
    github.requests.clear()

    fetch(github, tmp_path, verify="size")
    assert github.requests == {}

    fetch(github, tmp_path, verify="sha256")
    assert github.audio_requests() == {CUT: 1}
    assert path.read_bytes() == full


def test_pointer_that_is_not_a_git_lfs_pointer_is_an_error(github, tmp_path):
    github.files["/raw/AudioWAV/1001_DFA_ANG_XX.wav"] = github.media("1001_DFA_ANG_XX")

    with pytest.raises(DownloadError, match="not a Git LFS pointer"):
        fetch(github, tmp_path)


# ========================================================== server errors

def test_http_404_fails_at_once_naming_the_url(github, tmp_path):
    github.always[CUT] = "404"

    with pytest.raises(DownloadError, match=re.escape(f"{github.url}{CUT}")) as info:
        fetch(github, tmp_path, max_retries=3)

    assert "404" in str(info.value)
    assert github.requests[CUT] == 1


def test_missing_pointer_fails_naming_its_url(github, tmp_path):
    pointer = "/raw/AudioWAV/1002_ITS_NEU_XX.wav"
    del github.files[pointer]

    with pytest.raises(DownloadError, match=re.escape(f"{github.url}{pointer}")):
        fetch(github, tmp_path)


def test_transient_http_500_is_retried(github, tmp_path):
    github.once[CUT] = ["500"]
    fetch(github, tmp_path, max_retries=1)

    assert github.requests[CUT] == 2
    path = crema_d(tmp_path) / "AudioWAV" / "1001_DFA_ANG_XX.wav"
    assert path.read_bytes() == github.media("1001_DFA_ANG_XX")


def test_persistent_http_500_gives_up_after_max_retries(github, tmp_path):
    github.always[CUT] = "500"

    with pytest.raises(DownloadError, match="after 3 attempt.*HTTP 500"):
        fetch(github, tmp_path, max_retries=2)
    assert github.requests[CUT] == 3


def test_timeout_is_retried(github, tmp_path):
    github.once[CUT] = ["stall"]
    fetch(github, tmp_path, timeout=0.2, max_retries=1)

    assert github.requests[CUT] == 2
    path = crema_d(tmp_path) / "AudioWAV" / "1001_DFA_ANG_XX.wav"
    assert path.read_bytes() == github.media("1001_DFA_ANG_XX")


# ========================================================= bad parameters

@pytest.mark.parametrize(
    "name, value",
    [
        ("audio", "flac"), ("verify", "md5"), ("n_jobs", 0), ("timeout", 0),
        ("max_retries", -1), ("progress", "yes"), ("raw_url", None),
        ("data_home", 3),
    ],
)
def test_bad_parameters_are_rejected_naming_the_parameter(github, tmp_path, name, value):
    kwargs = {"raw_url": f"{github.url}/raw", "media_url": f"{github.url}/media"}
    kwargs[name] = value
    if name != "data_home":
        kwargs["data_home"] = tmp_path
    with pytest.raises(ValueError, match=f"'{name}' parameter"):
        fetch_crema_d(**kwargs)
    assert github.requests == {}
