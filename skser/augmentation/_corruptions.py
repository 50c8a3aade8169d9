"""The corruption suite: how real recordings differ from studio clips, each
kind declared once.

A corruption is a name, the unit of its severity, the severities the
robustness benchmark tests (mildest first), the subset counted as moderate,
the range `RandomCorruption` draws from in training, one line on what it
models, and one function. `corrupt` applies one corruption at one severity;
`RandomCorruption` draws them at random for multi-condition training; the
benchmark (``benchmarks/robustness.py``) and ``skser evaluate --robustness``
run the whole table. Adding a kind touches `CORRUPTIONS` and one test.

Rooms are simulated by pyroomacoustics (the image-source method, MIT),
codecs and G.711 companding by libsndfile through soundfile (MP3, Opus,
mu-law and A-law), resampling by soxr through librosa. Noise is drawn here
from the caller's generator: audiomentations' noise transforms draw from
NumPy's and Python's global generators, which a seeded estimator must not
touch.

Data contract
-------------
input : one 1-D float waveform ``(n_samples,)`` at ``sr``.
output : ``(y, sr_out)``: a 1-D float32 waveform and its rate. ``sr_out`` is
    ``sr`` except for ``telephone`` (8 kHz) and ``sample_rate`` (the rate
    tested), whose output a loader resamples, as it would a file at that
    rate. Lengths are kept (codec delay removed, reverberation tails cut)
    up to the rounding of a rate change.
"""

import functools
import io
from dataclasses import dataclass
from numbers import Real
from typing import Callable

import numpy as np

__all__ = ["CORRUPTIONS", "CORRUPTION_NAMES", "Corruption", "corrupt", "speech_level_db"]

#: Length and hop of the frames the speech level is measured on (25/10 ms at 16 kHz).
_LEVEL_FRAME_SECONDS, _LEVEL_HOP_SECONDS = 0.025, 0.010
#: Frames more than this far below the loudest frame are pauses, not speech.
_ACTIVE_RANGE_DB = 40.0
#: Talkers summed into one babble noise.
N_BABBLE_TALKERS = 6
#: In air at 20 degrees C, m/s (pyroomacoustics' own constant).
SPEED_OF_SOUND = 343.0


@dataclass(frozen=True)
class Corruption:
    """One member of the corruption family.

    Attributes
    ----------
    name : str
        The name `corrupt` and ``skser evaluate --robustness`` take.
    kind : str
        The plot and table it belongs to: ``"noise"``, ``"noise floor"``,
        ``"reverberation"``, ``"telephone"``, ``"codec"``, ``"gain"`` or
        ``"sample rate"``.
    unit : str
        Unit of the severity (``"dB SNR"``, ``"dBFS"``, ``"s RT60"``, ...).
    severities : tuple
        What the benchmark tests, mildest first: numbers, or names for
        ``telephone``.
    moderate : tuple
        The severities counted as moderate in the benchmark's targets
        (issue 21's: SNR 20 and 10 dB, noise floors up to -50 dBFS, RT60 up
        to 0.6 s, every telephone channel, codecs at 16 and 32 kbps, every
        gain; no sample rate).
    training : tuple
        What `RandomCorruption` draws from: ``(low, high)`` for a number
        drawn uniformly (or one of ``drawn_among`` in that range, where
        declared), or a tuple of names for a choice.
    models : str
        What it stands for in a user's recordings.
    apply : callable
        ``apply(y, sr, severity, rng, sources) -> (y, sr_out)``; members
        that train differently from how they are tested (``trains_apart``)
        also take ``training=True``.
    needs_sources : bool
        Whether it mixes in other recordings (``babble``).
    trains_apart : bool
        Whether ``apply`` takes ``training=True`` to alter training clips
        differently from test clips (``reverb``: other rooms).
    limits : tuple of (float, float, str) or None
        For a numeric severity, the ``(low, high, what)`` that `corrupt`
        accepts (inclusive; ``what`` names the quantity in the error), or
        None for any finite number.
    whole : bool
        Whether a numeric severity must be a whole number (a rate in Hz).
    drawn_among : tuple or None
        For a numeric severity, the values `RandomCorruption` draws among
        (those within its range) instead of any number in the range:
        recordings come at a few usual sample rates.
    """

    name: str
    kind: str
    unit: str
    severities: tuple
    moderate: tuple
    training: tuple
    models: str
    apply: Callable
    needs_sources: bool = False
    trains_apart: bool = False
    limits: tuple = None
    whole: bool = False
    drawn_among: tuple = None

    @property
    def numeric(self):
        """Whether the severity is a number (else one of ``severities``' names)."""
        return isinstance(self.severities[0], Real)


#: name -> Corruption, in the order of the tables.
CORRUPTIONS = {}


def corruption(name, **fields):
    def register(apply):
        CORRUPTIONS[name] = Corruption(name=name, apply=apply, **fields)
        return apply
    return register


# ---------------------------------------------------------------- helpers

def _frame_levels(y, sr):
    frame = max(1, int(round(_LEVEL_FRAME_SECONDS * sr)))
    hop = max(1, int(round(_LEVEL_HOP_SECONDS * sr)))
    if y.size < frame:
        return np.array([np.mean(np.square(y, dtype=np.float64))])
    n = 1 + (y.size - frame) // hop
    cumulative = np.concatenate([[0.0], np.cumsum(np.square(y, dtype=np.float64))])
    starts = np.arange(n) * hop
    return (cumulative[starts + frame] - cumulative[starts]) / frame


def speech_level_db(y, *, sr):
    """Active speech level of a waveform, in dB re full scale (RMS 1.0).

    The RMS over the 25 ms frames within 40 dB of the loudest one, so that
    pauses and leading silence do not lower it (in the spirit of ITU-T
    P.56's active level). SNRs of the noise corruptions are relative to it.

    Parameters
    ----------
    y : np.ndarray [shape=(n_samples,)]
    sr : int

    Returns
    -------
    level : float
        ``-inf`` for a silent waveform.
    """
    power = _frame_levels(np.asarray(y, dtype=np.float64), sr)
    peak = power.max(initial=0.0)
    if peak <= 0:
        return -np.inf
    active = power[power >= peak * 10.0 ** (-_ACTIVE_RANGE_DB / 10.0)]
    return float(10.0 * np.log10(active.mean()))


def _colored_noise(n, exponent, rng):
    """Gaussian noise of ``n`` samples whose power falls as ``f**-exponent``
    (0 white, 1 pink: -3 dB/octave, 2 brown: -6 dB/octave), unit RMS."""
    spectrum = rng.standard_normal(n // 2 + 1) + 1j * rng.standard_normal(n // 2 + 1)
    f = np.fft.rfftfreq(n)
    f[0] = f[1] if n > 1 else 1.0
    noise = np.fft.irfft(spectrum * f ** (-exponent / 2.0), n=n)
    return noise / max(np.sqrt(np.mean(np.square(noise))), 1e-12)


def _mix_at_snr(y, sr, noise, snr_db):
    """``y`` plus ``noise`` scaled to ``snr_db`` below the speech level."""
    level = speech_level_db(y, sr=sr)
    if not np.isfinite(level):
        return y.astype(np.float32)
    noise_level = 10.0 * np.log10(max(np.mean(np.square(noise)), 1e-30))
    gain = 10.0 ** ((level - snr_db - noise_level) / 20.0)
    return (y + gain * noise).astype(np.float32)


def _resample(y, orig_sr, target_sr):
    import librosa

    if orig_sr == target_sr:
        return y
    return librosa.resample(y, orig_sr=orig_sr, target_sr=target_sr, res_type="soxr_hq")


def _fit_length(y, n):
    return y[:n] if y.size >= n else np.pad(y, (0, n - y.size))


def _align(decoded, original):
    """``decoded`` shifted by the codec's delay (found by cross-correlation of
    the first second) and cut or padded to the original length."""
    import scipy.signal

    n = min(original.size, decoded.size, 16000)
    if n and np.any(original[:n]) and np.any(decoded[:n + 2048]):
        corr = scipy.signal.correlate(decoded[:n + 2048], original[:n], mode="valid",
                                      method="fft")
        lag = int(np.argmax(corr))
        decoded = decoded[lag:]
    return _fit_length(decoded, original.size)


def _codec_roundtrip(y, sr, *, format, subtype, **options):
    import soundfile as sf

    buffer = io.BytesIO()
    sf.write(buffer, np.clip(y, -1.0, 1.0), sr, format=format, subtype=subtype, **options)
    buffer.seek(0)
    decoded, _ = sf.read(buffer, dtype="float32")
    return decoded


# ------------------------------------------------------------------- noise

_SNRS = (30.0, 20.0, 10.0, 5.0, 0.0)
_MODERATE_SNRS = (20.0, 10.0)


def _noise_member(name, exponent, models):
    @corruption(name, kind="noise", unit="dB SNR", severities=_SNRS,
                moderate=_MODERATE_SNRS, training=(0.0, 30.0), models=models)
    def apply(y, sr, snr_db, rng, sources):
        return _mix_at_snr(y, sr, _colored_noise(y.size, exponent, rng), snr_db), sr
    return apply


_noise_member("white_noise", 0.0, "broadband hiss: a cheap microphone's or preamplifier's "
              "self-noise, a fan at close range")
_noise_member("pink_noise", 1.0, "the spectrum of most everyday background sound: an "
              "office, air conditioning, rain, distant traffic")
_noise_member("brown_noise", 2.0, "low rumble: a car or train interior, wind, "
              "building ventilation")


@corruption("babble", kind="noise", unit="dB SNR", severities=_SNRS,
            moderate=_MODERATE_SNRS, training=(5.0, 30.0), needs_sources=True,
            models=f"other people talking: {N_BABBLE_TALKERS} talkers summed, a "
                   "cafeteria, an open-plan office or a call centre")
def _babble(y, sr, snr_db, rng, sources):
    if not sources:
        raise ValueError("the babble corruption mixes other speakers' recordings: pass "
                         "sources=[waveform, ...] (at sr), e.g. clips of speakers other "
                         "than the one being corrupted.")
    babble = np.zeros(y.size)
    for index in rng.choice(len(sources), size=N_BABBLE_TALKERS,
                            replace=len(sources) < N_BABBLE_TALKERS):
        talker = np.asarray(sources[index], dtype=np.float64)
        level = speech_level_db(talker, sr=sr)
        if not np.isfinite(level) or talker.size == 0:
            continue
        # A random stretch of the talker, looped to the clip's length.
        start = int(rng.integers(talker.size))
        talker = np.resize(np.roll(talker, -start), y.size)
        babble += talker / 10.0 ** (level / 20.0)
    if not np.any(babble):
        return y.astype(np.float32), sr
    return _mix_at_snr(y, sr, babble, snr_db), sr


@corruption("hum", kind="noise", unit="dB SNR", severities=_SNRS, moderate=_MODERATE_SNRS,
            training=(5.0, 30.0),
            models="mains hum (50 or 60 Hz and its harmonics): a ground loop, a "
                   "badly shielded cable, fluorescent lights")
def _hum(y, sr, snr_db, rng, sources):
    mains = rng.choice([50.0, 60.0])
    t = np.arange(y.size) / sr
    harmonics = np.arange(1, 9)
    harmonics = harmonics[harmonics * mains < sr / 2]
    hum = sum(np.sin(2 * np.pi * k * mains * t + rng.uniform(0, 2 * np.pi)) / k
              for k in harmonics)
    return _mix_at_snr(y, sr, hum, snr_db), sr


@corruption("noise_floor", kind="noise floor", unit="dBFS", severities=(-70.0, -60.0, -50.0),
            moderate=(-70.0, -60.0, -50.0), training=(-75.0, -45.0),
            models="a steady hiss at a fixed level whatever the speech's level: a "
                   "recorder's or sound card's noise floor, quiet speech far from the "
                   "microphone")
def _noise_floor(y, sr, level_dbfs, rng, sources):
    noise = _colored_noise(y.size, 0.0, rng) * 10.0 ** (level_dbfs / 20.0)
    return (y + noise).astype(np.float32), sr


# ----------------------------------------------------------- reverberation

#: The benchmark's rooms (length, width, height in m). A room is drawn per
#: clip among those whose walls can give the RT60 asked for.
ROOMS = ((4.0, 3.0, 2.7), (6.0, 4.5, 3.0), (9.0, 7.0, 3.2), (14.0, 10.0, 4.5))
#: The rooms `RandomCorruption` trains in: other sizes than the benchmark's,
#: so that a robust model is tested in rooms it never heard.
TRAINING_ROOMS = ((3.5, 2.8, 2.5), (5.0, 4.0, 2.8), (7.5, 5.5, 3.0), (11.0, 8.0, 3.5),
                  (18.0, 12.0, 6.0))
#: Source and microphone positions as fractions of the room, 1-3 m apart.
_POSITIONS = (((0.3, 0.4, 0.55), (0.6, 0.55, 0.45)),
              ((0.25, 0.7, 0.6), (0.55, 0.35, 0.4)),
              ((0.7, 0.3, 0.55), (0.4, 0.6, 0.45)))


#: Image-source order of the rooms `RandomCorruption` trains in: the
#: reflections after it are a noise tail decaying at the RT60 asked for (see
#: `room_impulse_response`). Small rooms at RT60 1 s need order 180: seconds
#: and 2 GB per room, against milliseconds.
TRAINING_MAX_ORDER = 12


@functools.lru_cache(maxsize=512)
def room_impulse_response(room, rt60, position, sr, max_order=None):
    """A shoebox room's impulse response by the image-source method
    (pyroomacoustics), from its direct path on, peak 1.

    Parameters
    ----------
    room : tuple of 3 float
        Length, width and height in metres.
    rt60 : float
        Reverberation time in seconds; the walls' absorption follows from
        Sabine's formula.
    position : int
        Index of the source and microphone placement.
    sr : int
    max_order : int or None, default=None
        Highest reflection order of the image sources; None is the order
        Sabine's formula asks for (exact, but 180 in a small room at RT60
        1 s: seconds and gigabytes). With a lower order, the response is a
        hybrid, as in room-acoustics simulators: the image sources up to the
        time sound crosses the room's smallest dimension ``max_order`` times
        (the early reflections, complete there), then a diffuse tail of
        seeded Gaussian noise decaying by 60 dB per ``rt60``, its level
        fitted to the image sources' energy over the half before. Against
        the exact response its direct-to-reverberant ratio is within 1 dB
        (``tests/test_corruptions.py``).

    Returns
    -------
    rir : np.ndarray [shape=(n_taps,)]
    """
    import pyroomacoustics as pra

    absorption, order = pra.inverse_sabine(rt60, list(room))
    hybrid = max_order is not None and max_order < order
    simulated = pra.ShoeBox(list(room), fs=sr, materials=pra.Material(absorption),
                            max_order=max_order if hybrid else order)
    source, mic = (np.multiply(room, p) for p in _POSITIONS[position % len(_POSITIONS)])
    simulated.add_source(source)
    simulated.add_microphone(mic)
    simulated.compute_rir()
    rir = np.asarray(simulated.rir[0][0], dtype=np.float64)
    start = max(0, int(np.argmax(np.abs(rir))) - int(0.001 * sr))
    rir = rir[start:]
    if hybrid:
        rir = _diffuse_tail(rir, room, rt60, position, sr, max_order)
    return rir / np.max(np.abs(rir))


def _diffuse_tail(early, room, rt60, position, sr, max_order):
    """``early`` (image sources to ``max_order``) continued by a decaying noise tail."""
    join = int(max_order * min(room) / SPEED_OF_SOUND * sr)
    decay = np.log(1000.0) / rt60  # amplitude: -60 dB after rt60 seconds
    fitted = early[join // 2:join]
    frame = max(1, int(0.005 * sr))
    energy = np.convolve(np.square(fitted), np.ones(frame) / frame, mode="same")
    t = np.arange(join // 2, join) / sr
    level = np.sqrt(np.mean(energy * np.exp(2 * decay * t)))
    n = max(early.size, join + int(round(1.1 * rt60 * sr)))
    # Seeded by the room: the same response every time it is asked for.
    rng = np.random.default_rng([int(round(1000 * v)) for v in (*room, rt60)] + [position, sr])
    tail = level * rng.standard_normal(n) * np.exp(-decay * np.arange(n) / sr)
    ramp = np.clip((np.arange(n) - join) / max(1, int(0.005 * sr)), 0.0, 1.0)
    rir = np.zeros(n)
    rir[:early.size] = early
    return rir * (1.0 - ramp) + tail * ramp


def _feasible_rooms(rt60, rooms):
    import pyroomacoustics as pra

    feasible = []
    for room in rooms:
        try:
            pra.inverse_sabine(rt60, list(room))
        except ValueError:
            continue
        feasible.append(room)
    return feasible


def reverberate(y, sr, rt60, rng, *, rooms=ROOMS, max_order=None):
    """``y`` in a room drawn from ``rooms`` with reverberation time ``rt60``
    (s), its tail cut at the clip's length and its peak kept; ``max_order``
    as in `room_impulse_response`."""
    import scipy.signal

    rooms = _feasible_rooms(rt60, rooms)
    if not rooms:
        raise ValueError(f"no room can give an RT60 of {rt60} s; use 0.1 to 2 s.")
    room = rooms[int(rng.integers(len(rooms)))]
    rir = room_impulse_response(tuple(room), float(rt60), int(rng.integers(len(_POSITIONS))),
                                int(sr), max_order)
    wet = scipy.signal.oaconvolve(y, rir)[:y.size]
    peak_in, peak_out = np.max(np.abs(y), initial=0.0), np.max(np.abs(wet), initial=0.0)
    if peak_out > 0:
        wet *= peak_in / peak_out
    return wet.astype(np.float32)


@corruption("reverb", kind="reverberation", unit="s RT60",
            severities=(0.2, 0.4, 0.6, 0.9, 1.2), moderate=(0.2, 0.4, 0.6),
            training=(0.15, 1.0), trains_apart=True, limits=(0.05, 3.0, "an RT60 in s"),
            models="a room's echo, the microphone 1-3 m from the talker: an office "
                   "(RT60 0.2-0.4 s), a meeting room or living room (0.4-0.6 s), a "
                   "classroom or hall (0.9-1.2 s)")
def _reverb(y, sr, rt60, rng, sources, *, training=False):
    # Training draws RT60 from a range: on a 0.05 s grid the rooms are cached.
    # The benchmark's rooms are exact; training rooms are hybrids (many more
    # of them, each drawn in every process that trains).
    rt60 = round(float(rt60) * 20) / 20
    if training:
        return reverberate(y, sr, rt60, rng, rooms=TRAINING_ROOMS,
                           max_order=TRAINING_MAX_ORDER), sr
    return reverberate(y, sr, rt60, rng), sr


# -------------------------------------------------------- channels, codecs

#: The rates `RandomCorruption` draws ``sample_rate`` among.
USUAL_RATES = (8000, 11025, 22050, 32000, 44100, 48000)
TELEPHONE_SR = 8000
TELEPHONE_BAND_HZ = (300.0, 3400.0)


@functools.lru_cache(maxsize=4)
def _telephone_filter(sr):
    import scipy.signal

    return scipy.signal.butter(4, TELEPHONE_BAND_HZ, btype="bandpass", fs=sr, output="sos")


@corruption("telephone", kind="telephone", unit="channel",
            severities=("narrowband", "mu-law", "a-law"),
            moderate=("narrowband", "mu-law", "a-law"),
            training=("narrowband", "mu-law", "a-law"),
            models="a phone call: 8 kHz, the 300-3400 Hz band, and G.711 companding "
                   "(mu-law in North America and Japan, A-law elsewhere); "
                   "\"narrowband\" is the band alone, 16-bit")
def _telephone(y, sr, channel, rng, sources):
    import scipy.signal

    if channel not in ("narrowband", "mu-law", "a-law"):
        raise ValueError(f'telephone severity must be "narrowband", "mu-law" or "a-law"; '
                         f"got {channel!r}.")
    narrow = _resample(np.asarray(y, dtype=np.float32), sr, TELEPHONE_SR)
    narrow = scipy.signal.sosfilt(_telephone_filter(TELEPHONE_SR), narrow)
    if channel != "narrowband":
        narrow = _codec_roundtrip(narrow, TELEPHONE_SR, format="WAV",
                                  subtype="ULAW" if channel == "mu-law" else "ALAW")
    return np.asarray(narrow, dtype=np.float32), TELEPHONE_SR


#: Rate the codecs encode at: MPEG-2 Layer III and Opus both take 16 kHz.
CODEC_SR = 16000
_KBPS = (32.0, 16.0, 8.0)


def _mp3_level(kbps):
    # libsndfile maps compression_level 0..1 linearly onto MPEG-2's
    # 160..8 kbit/s at 16 kHz (constant bitrate); 1.0 itself is refused.
    return float(np.clip((160.0 - kbps) / 152.0, 0.0, 0.999))


def _opus_level(kbps):
    # libsndfile maps compression_level 0..1 onto Opus's nominal bitrate,
    # 192..6 kbit/s for one channel at 16 kHz (variable bitrate: speech is
    # coded below the nominal rate).
    return float(np.clip((192.0 - kbps) / 186.0, 0.0, 1.0))


def _codec_member(name, format, subtype, level, models, extra=None):
    @corruption(name, kind="codec", unit="kbps", severities=_KBPS, moderate=(32.0, 16.0),
                training=(8.0, 48.0), models=models, limits=(6.0, 160.0, "a bitrate in kbps"))
    def apply(y, sr, kbps, rng, sources):
        wide = _resample(np.asarray(y, dtype=np.float32), sr, CODEC_SR)
        decoded = _codec_roundtrip(wide, CODEC_SR, format=format, subtype=subtype,
                                   compression_level=level(kbps), **(extra or {}))
        return _resample(_align(decoded, wide), CODEC_SR, sr).astype(np.float32), sr
    return apply


_codec_member("mp3", "MP3", "MPEG_LAYER_III", _mp3_level,
              "MP3 at a constant bitrate, 16 kHz: podcasts, downloads, old voice "
              "recorders", extra={"bitrate_mode": "CONSTANT"})
_codec_member("opus", "OGG", "OPUS", _opus_level,
              "Opus, 16 kHz, nominal bitrate: WhatsApp and Telegram voice notes, "
              "WebRTC calls (Meet, Discord)")


# ------------------------------------------------------------ level, rate

@corruption("gain", kind="gain", unit="dB", severities=(-30.0, -20.0, -10.0, 6.0, 12.0),
            moderate=(-30.0, -20.0, -10.0, 6.0, 12.0), training=(-30.0, 12.0),
            models="the microphone's gain: a quiet or distant talker (-30 to -10 dB), a "
                   "hot input that clips at full scale (+6, +12 dB)")
def _gain(y, sr, gain_db, rng, sources):
    return np.clip(y * 10.0 ** (gain_db / 20.0), -1.0, 1.0).astype(np.float32), sr


@corruption("sample_rate", kind="sample rate", unit="Hz",
            severities=(48000, 44100, 11025, 8000), moderate=(), training=(8000, 48000),
            limits=(1000, np.inf, "a rate in Hz"), whole=True, drawn_among=USUAL_RATES,
            models="files recorded at another rate and resampled by the loader: 44.1 "
                   "and 48 kHz (music and video tools), 11.025 and 8 kHz (old "
                   "recorders, phone systems: no content above half the rate)")
def _sample_rate(y, sr, rate, rng, sources):
    return _resample(np.asarray(y, dtype=np.float32), sr, int(rate)).astype(np.float32), \
        int(rate)


#: Every corruption, in the order of the tables.
CORRUPTION_NAMES = tuple(CORRUPTIONS)


def check_corruption(name, severity=None):
    """The `Corruption` called ``name``; with ``severity``, check that too.

    Raises
    ------
    ValueError
        Naming the unknown corruption or the bad severity, and what was
        expected.
    """
    if not isinstance(name, str) or name not in CORRUPTIONS:
        raise ValueError(f"unknown corruption {name!r}; expected one of "
                         f"{', '.join(CORRUPTION_NAMES)}.")
    member = CORRUPTIONS[name]
    if severity is None:
        return member
    if member.numeric:
        if (isinstance(severity, bool) or not isinstance(severity, Real)
                or not np.isfinite(severity)):
            raise ValueError(f"the severity of {name!r} must be a finite number in "
                             f"{member.unit} (e.g. {member.severities[0]}); got "
                             f"{severity!r}.")
        if member.whole and severity != int(severity):
            raise ValueError(f"the severity of {name!r} is {member.limits[2]}, a whole "
                             f"number; got {severity!r}.")
        if member.limits is not None:
            low, high, what = member.limits
            if not low <= severity <= high:
                span = f"at least {low:g}" if high == np.inf else f"{low:g} to {high:g}"
                raise ValueError(f"the severity of {name!r} is {what}, {span}; got "
                                 f"{severity!r}.")
    elif severity not in member.severities:
        raise ValueError(f"the severity of {name!r} must be one of "
                         f"{', '.join(map(repr, member.severities))}; got {severity!r}.")
    return member


def corrupt(y, corruption, severity, *, sr, random_state=None, sources=None):
    """Alter a recording as a real channel would: noise, a room, a phone
    line, a codec, the gain, the sample rate.

    Parameters
    ----------
    y : np.ndarray [shape=(n_samples,)]
        Waveform at ``sr``, floats in [-1, 1].
    corruption : str
        One of `CORRUPTION_NAMES` (see `CORRUPTIONS` for what each models).
    severity : float or str
        In the corruption's unit: dB SNR relative to the active speech
        level for the noises (``white_noise``, ``pink_noise``,
        ``brown_noise``, ``babble``, ``hum``), dBFS for ``noise_floor``,
        RT60 seconds for ``reverb``, kbps for ``mp3`` and ``opus``, dB for
        ``gain`` (clipped at full scale), Hz for ``sample_rate``, and
        ``"narrowband"``, ``"mu-law"`` or ``"a-law"`` for ``telephone``.
    sr : int
        Sampling rate of ``y`` in Hz.
    random_state : int, np.random.Generator, RandomState or None, default=None
        Seed of the noise, the babble talkers and the room drawn.
    sources : sequence of np.ndarray or None, default=None
        Other speakers' waveforms at ``sr``, for ``babble``.

    Returns
    -------
    y_out : np.ndarray [shape=(n_samples_out,), dtype=float32]
    sr_out : int
        ``sr``, or 8000 for ``telephone``, or ``severity`` for ``sample_rate``.

    Examples
    --------
    >>> import numpy as np
    >>> from skser.augmentation import corrupt
    >>> y = np.sin(2 * np.pi * 220 * np.arange(16000) / 16000).astype("float32") / 2
    >>> noisy, sr = corrupt(y, "pink_noise", 10.0, sr=16000, random_state=0)
    >>> noisy.shape, sr
    ((16000,), 16000)
    >>> corrupt(y, "telephone", "a-law", sr=16000)[0].shape
    (8000,)
    """
    member = check_corruption(corruption, severity)
    y = np.asarray(y)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.floating):
        raise ValueError(f"y must be a 1-D float waveform; got an array of shape {y.shape} "
                         f"and dtype {y.dtype}.")
    if not np.all(np.isfinite(y)):
        raise ValueError("y holds NaN or infinite samples; corrupt() takes finite audio.")
    rng = random_state if isinstance(random_state, np.random.Generator) else \
        np.random.default_rng(_seed(random_state))
    out, sr_out = member.apply(y.astype(np.float32), int(sr), severity, rng, sources)
    return np.asarray(out, dtype=np.float32), int(sr_out)


def _seed(random_state):
    if isinstance(random_state, np.random.RandomState):
        return random_state.randint(2**31 - 1)
    return random_state
