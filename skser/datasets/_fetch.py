"""fetch_crema_d: download CREMA-D from its official repository, resumably.

CREMA-D's audio lives in Git LFS in the GitHub repository
CheyneyComputerScience/CREMA-D. Each file is fetched over plain HTTPS from
``media.githubusercontent.com``; the LFS pointer that ``raw.githubusercontent.com``
serves for the same path gives the file's size and SHA-256, which is the
source's own checksum. Downloads go to ``<name>.part`` and are resumed with an
HTTP Range request, so an interrupted fetch of the 7442 files picks up where it
stopped instead of starting again.

Layout written under ``get_data_home(data_home)``::

    crema_d/
        SentenceFilenames.csv   the official list of clips
        VideoDemographics.csv   age, sex, race and ethnicity of the 91 actors
        manifest.tsv            path, size and sha256 of each file, from the pointers
        AudioWAV/<name>.wav     (or AudioMP3/<name>.mp3)

Only the standard library speaks HTTP here (`urllib.request`), plus `tqdm` for
the progress bar.
"""

import csv
import hashlib
import http.client
import os
import re
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor, as_completed
from numbers import Integral, Real

from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from .._progress import progress_bar
from ._base import get_data_home
from ._corpora import load_crema_d

__all__ = ["DownloadError", "fetch_crema_d"]

CREMA_D_RAW_URL = "https://raw.githubusercontent.com/CheyneyComputerScience/CREMA-D/master"
CREMA_D_MEDIA_URL = (
    "https://media.githubusercontent.com/media/CheyneyComputerScience/CREMA-D/master"
)

_FOLDERS = {"wav": "AudioWAV", "mp3": "AudioMP3"}
_CSV_FILES = ("SentenceFilenames.csv", "VideoDemographics.csv")
_MANIFEST = "manifest.tsv"
_FIRST_ACTOR, _LAST_ACTOR = 1001, 1091

# Seconds before the first retry; each later retry waits twice as long. A module
# constant so tests can make retries instant.
_BACKOFF_SECONDS = 1.0
_CHUNK_BYTES = 1 << 16
_USER_AGENT = "skser-fetch_crema_d (Python urllib)"

# A clip name is used in URLs and file paths, so only these characters pass:
# the actor id, then underscore-separated codes (1001_DFA_ANG_XX).
_NAME = re.compile(r"\d{4}_[A-Za-z0-9_]+", re.ASCII)
_SHA256 = re.compile(r"[0-9a-f]{64}", re.ASCII)
_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-", re.ASCII)

# Connection-level failures worth another try. HTTPError is handled before
# these (it subclasses URLError) because only some statuses are transient.
_NETWORK_ERRORS = (
    urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError,
)


class DownloadError(OSError):
    """A file could not be downloaded or did not match its published checksum.

    The message names the URL, the local file and, for a mismatch, the
    expected and actual size and SHA-256.
    """


class _Retry(Exception):
    """One attempt failed in a way another attempt may fix; says what failed."""

    def __init__(self, problem, *, hint=""):
        super().__init__(problem)
        self.hint = hint


class _Cancelled(Exception):
    """Another download failed (or the user interrupted): stop, keep the .part."""


def _is_retryable_status(code):
    # 408/429 and 5xx are the server saying "not now"; other 4xx will not change.
    return code >= 500 or code in (408, 429)


def _sleep_before_retry(attempt, stop):
    if attempt and stop.wait(_BACKOFF_SECONDS * 2 ** (attempt - 1)):
        raise _Cancelled


def _retrying(attempt_once, *, url, what, max_retries, stop):
    """Call ``attempt_once()`` until it returns, retrying transient failures.

    Network errors, HTTP 5xx/408/429 and `_Retry` are retried ``max_retries``
    times with exponential backoff; any other HTTP error is raised at once as
    a `DownloadError` naming ``url``.
    """
    problem, hint = "", ""
    for attempt in range(max_retries + 1):
        _sleep_before_retry(attempt, stop)
        try:
            return attempt_once()
        except urllib.error.HTTPError as exc:
            exc.close()
            if not _is_retryable_status(exc.code):
                raise DownloadError(
                    f"HTTP {exc.code} {exc.reason} from {url} while fetching {what}; "
                    "expected the file: check raw_url and media_url, and that the "
                    "file is still in the repository."
                ) from exc
            problem, hint = f"HTTP {exc.code} {exc.reason}", ""
        except _Retry as exc:
            problem, hint = str(exc), exc.hint
        except _NETWORK_ERRORS as exc:
            problem, hint = f"{type(exc).__name__}: {exc}", ""
    raise DownloadError(
        f"could not fetch {what} from {url} after {max_retries + 1} attempt(s); "
        f"last problem: {problem}.{hint}"
    )


def _open(url, *, timeout, offset=0):
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    if offset:
        request.add_header("Range", f"bytes={offset}-")
    return urllib.request.urlopen(request, timeout=timeout)


def _sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _stream_to_part(url, part, *, size, timeout, report, stop):
    """Append the rest of ``url`` to ``part`` (resuming), or rewrite it whole.

    Raises `_Retry`, leaving the bytes received in ``part``, when the
    connection ends before the advertised (or expected) length.
    """
    offset = part.stat().st_size if part.exists() else 0
    if size is not None and offset > size:
        # Longer than the real file: it cannot be a prefix of it.
        part.unlink()
        offset = 0
    report(offset)
    if size is not None and offset == size:
        return  # complete already; verification decides whether it is right
    try:
        response = _open(url, timeout=timeout, offset=offset)
    except urllib.error.HTTPError as exc:
        if exc.code != 416 or not offset:
            raise
        exc.close()
        part.unlink()
        report(0)
        raise _Retry(f"the server refused to resume at byte {offset} (HTTP 416)") from exc
    with response:
        mode = "wb"
        if offset and response.status == 206:
            content_range = response.headers.get("Content-Range", "")
            match = _CONTENT_RANGE.match(content_range)
            if match is None or int(match.group(1)) != offset:
                part.unlink()
                report(0)
                raise _Retry(
                    f"asked for bytes from {offset}, got Content-Range {content_range!r}"
                )
            mode = "ab"
        else:
            # A plain 200 to a Range request: the server sends the whole file.
            offset = 0
            report(0)
        length = response.headers.get("Content-Length", "")
        advertised = int(length) if length.isdigit() else None
        received = 0
        with open(part, mode) as f:
            while True:
                if stop.is_set():
                    raise _Cancelled
                chunk = response.read(_CHUNK_BYTES)
                if not chunk:
                    break
                f.write(chunk)
                received += len(chunk)
                report(offset + received)
                if size is not None and offset + received > size:
                    break  # already too long; verification will reject it
    # http.client returns b"" rather than raising when a connection closes
    # before Content-Length bytes, so the length is checked here.
    expected_total = size if size is not None else (
        None if advertised is None else offset + advertised
    )
    if expected_total is not None and offset + received < expected_total:
        raise _Retry(
            f"the connection closed after {offset + received} of {expected_total} bytes"
        )


def _download(
    url, dest, *, size, sha256, verify, timeout, max_retries, report, stop, hint="",
):
    """Download ``url`` to ``dest`` through ``dest.part``, checking size/sha256.

    ``dest`` only ever appears complete and verified (`os.replace`); ``size``
    and ``sha256`` may be None (unknown). ``hint`` ends a mismatch error.
    """
    part = dest.with_name(dest.name + ".part")

    def attempt_once():
        _stream_to_part(url, part, size=size, timeout=timeout, report=report, stop=stop)
        actual_size = part.stat().st_size
        check_hash = verify == "sha256" and sha256 is not None
        actual_sha = _sha256_of(part) if check_hash else None
        if (size is not None and actual_size != size) or (
            check_hash and actual_sha != sha256
        ):
            part.unlink()
            report(0)
            expected = f"{size} bytes" + (f" with sha256 {sha256}" if check_hash else "")
            actual = f"{actual_size} bytes" + (
                f" with sha256 {actual_sha}" if check_hash else ""
            )
            raise _Retry(
                f"checksum mismatch: expected {expected}, got {actual}", hint=hint,
            )
        os.replace(part, dest)

    _retrying(
        attempt_once, url=url, what=str(dest), max_retries=max_retries, stop=stop
    )


def _read_pointer(url, *, what, timeout, max_retries, stop):
    """Fetch a Git LFS pointer and return ``(size, sha256)``."""

    def attempt_once():
        with _open(url, timeout=timeout) as response:
            return response.read(1024)

    text = _retrying(
        attempt_once, url=url, what=what, max_retries=max_retries, stop=stop,
    ).decode("utf-8", errors="replace")
    fields = dict(line.partition(" ")[::2] for line in text.splitlines() if line)
    oid, size = fields.get("oid", ""), fields.get("size", "")
    if (
        not fields.get("version", "").startswith("https://git-lfs")
        or not oid.startswith("sha256:")
        or not _SHA256.fullmatch(oid[len("sha256:"):])
        or not size.isdigit()
    ):
        raise DownloadError(
            f"{url} is not a Git LFS pointer; expected the lines 'version "
            f"https://git-lfs...', 'oid sha256:<64 hex>' and 'size <bytes>', got "
            f"{text[:120]!r}."
        )
    return int(size), oid[len("sha256:"):]


def _read_manifest(path):
    """Map ``AudioWAV/<name>.wav``-style paths to ``(size, sha256)``."""
    entries = {}
    if not path.exists():
        return entries
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            # Skip the header and any line cut short by an interrupted run:
            # that file's pointer is simply read again.
            if (
                len(fields) == 3 and fields[1].isdigit()
                and _SHA256.fullmatch(fields[2])
            ):
                entries[fields[0]] = (int(fields[1]), fields[2])
    return entries


def _last_byte(path):
    with open(path, "rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1)


def _read_names(path):
    """The clip names listed in SentenceFilenames.csv, in order, without duplicates."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames is None or "Filename" not in reader.fieldnames:
            raise DownloadError(
                f"{path} has no 'Filename' column (columns: {reader.fieldnames}); "
                "expected CREMA-D's SentenceFilenames.csv. Delete it to download "
                "it again."
            )
        names = [(row["Filename"] or "").strip() for row in reader]
    bad = [name for name in names if not _NAME.fullmatch(name)]
    if bad or not names:
        raise DownloadError(
            f"{path} lists {'no clips' if not names else f'bad clip names {bad[:3]}'}; "
            "expected names like '1001_DFA_ANG_XX'. Delete it to download it again."
        )
    return list(dict.fromkeys(names))


def _check_actors(actors):
    """Return the set of requested actor ids as 4-digit strings, or None."""
    if actors is None:
        return None
    if isinstance(actors, (str, bytes, Integral)):
        actors = [actors]
    try:
        items = list(actors)
    except TypeError:
        raise TypeError(
            "actors must be None, an actor id or an iterable of actor ids "
            f"({_FIRST_ACTOR}-{_LAST_ACTOR}); got {type(actors).__name__}."
        ) from None
    if not items:
        raise ValueError(
            "actors is empty; pass None for every actor or ids between "
            f"{_FIRST_ACTOR} and {_LAST_ACTOR}."
        )
    chosen = set()
    for item in items:
        if isinstance(item, Integral) and not isinstance(item, bool):
            value = int(item)
        elif isinstance(item, str) and item.strip().isdigit():
            value = int(item.strip())
        else:
            value = None
        if value is None or not _FIRST_ACTOR <= value <= _LAST_ACTOR:
            raise ValueError(
                f"actors must hold CREMA-D actor ids between {_FIRST_ACTOR} and "
                f"{_LAST_ACTOR} (ints or strings like '1001'); got {item!r}."
            )
        chosen.add(f"{value:04d}")
    return chosen


class _Progress:
    """A thread-safe tqdm bar; each file reports its absolute byte position."""

    def __init__(self, *, total, unit, desc, n_files, enabled):
        self._lock = threading.Lock()
        self._n_files, self._done = n_files, 0
        byte_options = dict(unit_scale=True, unit_divisor=1024) if unit == "B" else {}
        self._bar = progress_bar(
            enabled=enabled, total=total, unit=unit, desc=desc, **byte_options,
        )

    def advance(self, n):
        with self._lock:
            self._bar.update(n)

    def tracker(self):
        """A callback ``report(position)`` for one file; restarts may go back."""
        last = 0

        def report(position):
            nonlocal last
            self.advance(position - last)
            last = position

        return report

    def file_done(self):
        with self._lock:
            self._done += 1
            self._bar.set_postfix_str(f"{self._done}/{self._n_files} files", refresh=False)

    def close(self):
        self._bar.close()


def _run_all(task, items, *, n_jobs, stop):
    """Run ``task(item)`` on a thread pool; on the first error stop the others."""
    with ThreadPoolExecutor(max_workers=n_jobs, thread_name_prefix="skser-fetch") as pool:
        futures = [pool.submit(task, item) for item in items]
        try:
            for future in as_completed(futures):
                future.result()
        except BaseException:
            # Also on Ctrl-C: running downloads stop between chunks and keep
            # their .part files, so the next call resumes them.
            stop.set()
            for future in futures:
                future.cancel()
            raise


def _is_intact(path, size, sha256, verify):
    if path.stat().st_size != size:
        return False
    return verify == "size" or _sha256_of(path) == sha256


@validate_params(
    {
        "data_home": [str, os.PathLike, None],
        "audio": [StrOptions(set(_FOLDERS))],
        "actors": "no_validation",
        "n_jobs": [Interval(Integral, 1, None, closed="left")],
        "verify": [StrOptions({"sha256", "size"})],
        "timeout": [Interval(Real, 0, None, closed="neither")],
        "max_retries": [Interval(Integral, 0, None, closed="left")],
        "progress": ["boolean"],
        "raw_url": [str],
        "media_url": [str],
        "label_map": "no_validation",
    },
    prefer_skip_nested_validation=True,
)
def fetch_crema_d(
    data_home=None, *, audio="wav", actors=None, n_jobs=4, verify="sha256",
    timeout=60.0, max_retries=3, progress=True, raw_url=CREMA_D_RAW_URL,
    media_url=CREMA_D_MEDIA_URL, label_map=None,
):
    """Download CREMA-D (or some of its actors) and load it.

    CREMA-D, the Crowd-sourced Emotional Multimodal Actors Dataset, holds 7442
    clips of 91 actors (48 male, 43 female, aged 20 to 74) saying 12 sentences
    with six emotions (anger, disgust, fear, happiness, neutral, sadness),
    about 600 MB of 16 kHz mono WAV. It is distributed under the Open Database
    License (ODbL) v1.0; its contents under the Database Contents License.

    Files come from the official GitHub repository
    (CheyneyComputerScience/CREMA-D), where the audio is stored with Git LFS.
    The size and SHA-256 of each file are read once from its LFS pointer and
    kept in ``crema_d/manifest.tsv``; later calls make no request for a file
    already on disk with the right size (and hash, with ``verify="sha256"``).
    A file on disk that does not match is downloaded again. Interrupted
    downloads are kept as ``<name>.part`` and resumed with an HTTP Range
    request; a file appears under its final name only once verified.

    Parameters
    ----------
    data_home : str, os.PathLike or None, default=None
        Folder for skser's data sets (see `get_data_home`): this argument,
        else the ``SKSER_DATA`` environment variable, else ``~/skser_data``.
        Files go to ``<data_home>/crema_d``.
    audio : {"wav", "mp3"}, default="wav"
        Which copy of the audio to fetch: ``AudioWAV`` (16 kHz, 16-bit PCM;
        the recordings) or ``AudioMP3`` (what the raters heard; some are
        reported blank upstream, so prefer WAV).
    actors : int, str, iterable of int or str, or None, default=None
        Fetch only these actors (ids 1001 to 1091, e.g. ``[1001, "1002"]``),
        for a quick trial; None fetches all 91. Files of other actors already
        on disk are left alone and are returned by the loader too.
    n_jobs : int, default=4
        Number of files downloaded at once (threads).
    verify : {"sha256", "size"}, default="sha256"
        How files are checked against the published checksums, both after
        download and when already present: ``"sha256"`` hashes every file
        (a few seconds for the whole corpus), ``"size"`` compares sizes only.
    timeout : float, default=60.0
        Seconds to wait for the server on each connection or read.
    max_retries : int, default=3
        Further attempts per file after a network error, HTTP 5xx, 408 or
        429, an early end of the connection or a checksum mismatch, waiting
        1, 2, 4, ... seconds in between. Other HTTP errors (404) fail at once.
    progress : bool, default=True
        Show a progress bar (files and bytes) on standard error when it is a
        terminal.
    raw_url : str, default=CREMA_D_RAW_URL
        Base URL of the repository's plain files (the CSV lists and the LFS
        pointers); a mirror can be given instead.
    media_url : str, default=CREMA_D_MEDIA_URL
        Base URL of the LFS contents (``<media_url>/AudioWAV/<name>.wav``).
    label_map : optional
        Passed to `load_crema_d`.

    Returns
    -------
    data : sklearn.utils.Bunch
        What ``load_crema_d(<data_home>/crema_d/AudioWAV, label_map=label_map)``
        (or ``AudioMP3``) returns: file names, emotion labels, actor groups
        and metadata of every clip in that folder.

    Raises
    ------
    DownloadError
        A file could not be fetched after ``max_retries`` retries, or does
        not match its checksum, or the server answered 404 (or another
        client error). The message names the file, the URL and, for a
        mismatch, the expected and actual size and SHA-256. Files finished
        before the error are kept; partial ones stay as ``.part`` and are
        resumed by the next call.

    See Also
    --------
    load_crema_d : Load a copy of CREMA-D already on disk.

    Notes
    -----
    Every clip needs one small request for its LFS pointer on the first
    call, then one for its content. GitHub may limit LFS bandwidth; a
    refused request fails with its HTTP status and the URL.

    References
    ----------
    .. [1] H. Cao, D. G. Cooper, M. K. Keutmann, R. C. Gur, A. Nenkova and
       R. Verma, "CREMA-D: Crowd-sourced Emotional Multimodal Actors
       Dataset", IEEE Transactions on Affective Computing, 5(4):377-390,
       2014. https://doi.org/10.1109/TAFFC.2014.2336244

    Examples
    --------
    >>> from skser.datasets import fetch_crema_d
    >>> data = fetch_crema_d(actors=[1001, 1002])  # doctest: +SKIP
    >>> data.target_names  # doctest: +SKIP
    array(['angry', 'disgust', 'fear', 'happy', 'neutral', 'sad'], dtype='<U7')
    """
    chosen = _check_actors(actors)
    raw_url, media_url = raw_url.rstrip("/"), media_url.rstrip("/")
    root = get_data_home(data_home) / "crema_d"
    folder = root / _FOLDERS[audio]
    folder.mkdir(parents=True, exist_ok=True)
    stop = threading.Event()
    options = dict(timeout=timeout, max_retries=max_retries, stop=stop)

    for csv_name in _CSV_FILES:
        if not (root / csv_name).exists():
            _download(
                f"{raw_url}/{csv_name}", root / csv_name, size=None, sha256=None,
                verify=verify, report=lambda position: None, **options,
            )
    names = _read_names(root / "SentenceFilenames.csv")
    if chosen is not None:
        names = [name for name in names if name[:4] in chosen]
        if not names:
            raise ValueError(
                f"{root / 'SentenceFilenames.csv'} lists no clips of actors "
                f"{sorted(chosen)}; expected ids that appear in the corpus."
            )
    paths = [f"{folder.name}/{name}.{audio}" for name in names]

    manifest = _read_manifest(root / _MANIFEST)
    missing = [path for path in paths if path not in manifest]
    if missing:
        _read_pointers(missing, root=root, raw_url=raw_url, manifest=manifest,
                       n_jobs=n_jobs, progress=progress, options=options)

    bar = _Progress(
        total=sum(manifest[path][0] for path in paths), unit="B",
        desc=f"CREMA-D {folder.name}", n_files=len(paths), enabled=progress,
    )

    hint = (
        f" If the source has changed, delete {root / _MANIFEST} to read its "
        "checksums again."
    )

    def fetch_one(path):
        size, sha256 = manifest[path]
        dest = root / path
        report = bar.tracker()
        if dest.exists() and not _is_intact(dest, size, sha256, verify):
            dest.unlink()
        if dest.exists():
            report(size)
        else:
            _download(
                f"{media_url}/{path}", dest, size=size, sha256=sha256, verify=verify,
                report=report, hint=hint, **options,
            )
        bar.file_done()

    try:
        _run_all(fetch_one, paths, n_jobs=n_jobs, stop=stop)
    finally:
        bar.close()
    # The audio folder, not crema_d/: with both WAV and MP3 fetched, loading
    # crema_d/ would return every clip twice.
    return load_crema_d(folder, label_map=label_map)


def _read_pointers(paths, *, root, raw_url, manifest, n_jobs, progress, options):
    """Read the LFS pointers of ``paths`` into ``manifest`` and manifest.tsv.

    Each entry is appended as soon as it arrives, so an interrupted first
    call does not have to read the same pointers again.
    """
    manifest_path = root / _MANIFEST
    new_file = not manifest_path.exists() or manifest_path.stat().st_size == 0
    # A run killed mid-write leaves a last line without its newline; new
    # entries must not be glued onto it.
    cut_short = not new_file and _last_byte(manifest_path) != b"\n"
    lock = threading.Lock()
    bar = _Progress(
        total=len(paths), unit="file", desc="CREMA-D checksums", n_files=len(paths),
        enabled=progress,
    )
    with open(manifest_path, "a", encoding="utf-8") as f:
        if new_file:
            f.write("path\tsize\tsha256\n")
        elif cut_short:
            f.write("\n")

        def read_one(path):
            size, sha256 = _read_pointer(
                f"{raw_url}/{path}", what=f"the Git LFS pointer of {path}", **options
            )
            with lock:
                manifest[path] = (size, sha256)
                f.write(f"{path}\t{size}\t{sha256}\n")
                f.flush()
            bar.advance(1)

        try:
            _run_all(read_one, paths, n_jobs=n_jobs, stop=options["stop"])
        finally:
            bar.close()
