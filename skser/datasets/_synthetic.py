"""make_emotional_speech: a synthetic CREMA-D-like corpus that needs no download.

Data contract
-------------
writes : ``n_speakers * len(emotions) * n_per_class`` mono 16-bit PCM WAV
    files at ``sr`` into ``directory``, named as CREMA-D names its clips,
    ``{actor}_{SENTENCE}_{EMO}_{INTENSITY}.wav`` (e.g. ``1001_DFA_ANG_XX.wav``),
    each 1.2-4 s long (median about 2.2 s).
returns : the Bunch `load_crema_d` returns for ``directory`` (``filenames``,
    ``target``, ``groups``, ``metadata``, ...), with a ``DESCR`` that says
    how the clips were made.

The synthesiser is a source-filter model (Fant 1960) run pitch-exactly in the
time domain for the source and frame by frame in the frequency domain for the
time-varying vocal tract:

source
    a Rosenberg (1971) glottal flow pulse per period, by phase accumulation
    over an F0 contour (phrase declination, one accent per stressed syllable,
    final fall, jitter, shimmer, optional creak and tremor); its derivative
    (lip radiation) is the voiced excitation. Aspiration noise, modulated by
    the glottal flow, is mixed in by breathiness.
articulation
    the sentence code fixes a syllable sequence (onset consonant class and
    vowel, stressed or not); syllable durations follow the speaking rate,
    with stressed and phrase-final syllables longer.
filter
    five formant resonators in cascade whose frequencies follow the vowel
    targets (Hillenbrand et al. 1995) through consonant transitions, scaled
    by the speaker's vocal-tract length; fricatives and stop bursts are
    noise through their own resonance. Filtering is overlap-add with one
    frequency response per 16 ms frame.
channel
    the speaker's recording chain: level, a mild random equaliser, a
    high-pass and a pinkish noise floor.

Emotions move prosody and voice quality away from the speaker's own neutral
in the directions the vocal-expression literature reports (Banse & Scherer
1996; Juslin & Laukka 2003; Scherer 2003); see `EMOTION_EFFECTS`.
"""

import os
from numbers import Integral
from pathlib import Path

import numpy as np
import soundfile as sf
from joblib import Parallel, delayed
from numpy.lib.stride_tricks import sliding_window_view
from scipy import fft as sp_fft
from scipy import signal
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params

from ._base import AUDIO_EXTENSIONS, CREMA_D_EMOTIONS
from ._corpora import _CREMA_D_CODES, _crema_d_gender, load_crema_d

__all__ = ["EMOTION_EFFECTS", "make_emotional_speech"]

_EMOTION_CODES = {label: code for code, label in _CREMA_D_CODES.items()}

# Highest CREMA-D actor id is 1091: synthetic speakers borrow real ids so that
# load_crema_d parses them and their gender comes from the real actor table.
_FIRST_ACTOR = 1001
_MAX_SPEAKERS = 91

# ---------------------------------------------------------------- phonetics

#: Vowel targets (F1, F2, F3 in Hz) of an adult male vocal tract, rounded from
#: Hillenbrand et al. (1995); diphthongs glide between two of them.
_VOWELS = {
    "iy": (340, 2320, 3000), "ih": (430, 2030, 2680), "eh": (580, 1800, 2600),
    "ae": (590, 1950, 2600), "aa": (770, 1330, 2520), "ao": (650, 1000, 2540),
    "ow": (500, 910, 2460), "uh": (470, 1120, 2430), "uw": (380, 1000, 2340),
    "ah": (620, 1200, 2550), "er": (470, 1380, 1710), "ax": (500, 1500, 2500),
}
_DIPHTHONGS = {"ay": ("aa", "ih"), "aw": ("aa", "uh"), "oy": ("ao", "ih"),
               "ey": ("eh", "iy")}
_F45 = (3500.0, 4500.0)  # F4, F5 of the male reference tract, vowel-independent
_SCHWA = np.array(_VOWELS["ax"], dtype=float)

# Segment kinds: (voicing, frication, aspiration, fricative centre Hz,
# fricative bandwidth Hz, F1 factor). A constriction lowers F1 (F1 factor);
# nasals and liquids have their own F1/F2 below.
_KINDS = {
    "silence": (0.0, 0.0, 0.0, 0, 0, 1.0),
    "vowel": (1.0, 0.0, 0.0, 0, 0, 1.0),
    "closure": (0.0, 0.0, 0.0, 0, 0, 0.6),
    "voiced_closure": (0.12, 0.0, 0.0, 0, 0, 0.6),
    "burst": (0.0, 1.0, 0.3, 2500, 4000, 0.7),
    "aspiration": (0.0, 0.0, 1.0, 0, 0, 1.0),
    "s": (0.0, 1.0, 0.0, 5800, 2500, 0.6),
    "sh": (0.0, 1.0, 0.0, 3200, 1800, 0.6),
    "f": (0.0, 0.35, 0.0, 5000, 6000, 0.6),
    "z": (0.4, 0.5, 0.0, 5500, 3000, 0.6),
    "nasal": (0.55, 0.0, 0.0, 0, 0, 1.0),
    "liquid": (0.8, 0.0, 0.0, 0, 0, 1.0),
}
_KIND_NAMES = tuple(_KINDS)
_KIND_TABLE = np.array([_KINDS[k] for k in _KIND_NAMES], dtype=float)
_CONSONANT_FORMANTS = {"nasal": (260.0, 1150.0), "liquid": (360.0, 1000.0)}

# Consonant classes (onset or coda) as segments, (kind, milliseconds at a
# rate of 5 syllables per second): p voiceless stop, b voiced stop, s and sh
# sibilants, f weak fricative, z voiced fricative, m nasal, l liquid or
# glide, h aspirate.
_CONSONANTS = {
    "": (),
    "p": (("closure", 55), ("burst", 12), ("aspiration", 30)),
    "b": (("voiced_closure", 45), ("burst", 8)),
    "s": (("s", 95),),
    "sh": (("sh", 95),),
    "f": (("f", 80),),
    "z": (("z", 65),),
    "m": (("nasal", 60),),
    "l": (("liquid", 55),),
    "h": (("aspiration", 60),),
}

#: The twelve CREMA-D sentences as syllables (onset class, vowel, stressed)
#: and a final coda class: a coarse transcription, enough that one sentence
#: sounds lexically alike across speakers and emotions.
_SENTENCES = {
    "IEO": ((("", "ih", 0), ("s", "ih", 0), ("l", "eh", 1), ("z", "ax", 0),
             ("m", "ax", 0), ("p", "aa", 1)), "p"),
    "TIE": ((("z", "ae", 1), ("", "ih", 0), ("b", "ih", 0), ("z", "ae", 1),
             ("l", "iy", 0), ("l", "ah", 1), ("h", "ae", 1), ("p", "ax", 0)), "m"),
    "IOM": ((("", "ay", 1), ("m", "aa", 0), ("m", "ay", 0), ("l", "ey", 1),
             ("p", "uw", 0), ("z", "ax", 0), ("m", "iy", 1), ("b", "ih", 0)), "m"),
    "IWW": ((("", "ay", 1), ("l", "ah", 1), ("b", "er", 0), ("l", "ah", 0),
             ("z", "ih", 1), ("z", "ih", 0), ("", "ax", 0), ("b", "aw", 1)), "p"),
    "TAI": ((("z", "ax", 0), ("", "er", 1), ("p", "ey", 0), ("m", "ih", 0),
             ("", "ao", 1), ("m", "ow", 0), ("f", "uh", 1)), "l"),
    "MTI": ((("m", "ey", 1), ("b", "iy", 0), ("p", "ax", 0), ("m", "aa", 1),
             ("l", "ow", 0), ("", "ih", 0), ("l", "ih", 0), ("b", "iy", 0),
             ("p", "ow", 1)), "b"),
    "IWL": ((("", "ay", 0), ("l", "uh", 0), ("l", "ay", 1), ("p", "ax", 0),
             ("m", "uw", 1), ("", "ax", 0), ("l", "aa", 1), ("p", "aa", 1)), "p"),
    "ITH": ((("", "ay", 0), ("f", "ih", 1), ("p", "ay", 0), ("h", "ae", 0),
             ("z", "ax", 0), ("b", "aa", 1), ("p", "er", 0), ("z", "ax", 0),
             ("p", "oy", 1), ("m", "ax", 0)), "p"),
    "DFA": ((("b", "ow", 1), ("f", "er", 0), ("b", "eh", 1), ("p", "ax", 0),
             ("sh", "ae", 1), ("p", "ih", 0)), "p"),
    "ITS": ((("", "ay", 0), ("f", "ih", 1), ("p", "ay", 0), ("s", "iy", 1),
             ("z", "ih", 0), ("b", "ih", 0), ("f", "ao", 1)), ""),
    "TSI": ((("z", "ax", 0), ("s", "er", 1), ("f", "ih", 0), ("s", "ih", 0),
             ("s", "ih", 1)), "p"),
    "WSI": ((("l", "iy", 0), ("s", "aa", 1), ("p", "ih", 0), ("m", "ax", 0),
             ("p", "ah", 1), ("b", "ax", 0), ("z", "ax", 0), ("m", "ih", 1),
             ("m", "ih", 0)), "s"),
}

# CREMA-D varies intensity only on the sentence IEO, and neutral never: these
# are the (sentence, intensity) pairs a speaker can have for one emotion.
_INTENSITY_SCALE = {"LO": 0.55, "MD": 1.0, "HI": 1.5, "XX": 1.0}
_EMOTIONAL_PAIRS = tuple(
    [(s, "XX") for s in _SENTENCES if s != "IEO"] + [("IEO", i) for i in ("LO", "MD", "HI")]
)
_NEUTRAL_PAIRS = tuple((s, "XX") for s in _SENTENCES)

# ---------------------------------------------------------------- emotions

# Acoustic parameters an emotion shifts, each relative to the speaker's own
# neutral. Units: f0_st semitones; range, rate, jitter, shimmer as log2 of a
# factor; level_db dB; tilt_db dB per octave (positive = flatter, tenser);
# open_quotient as a fraction of the period (lower = pressed); breath_db dB
# of aspiration noise; creak the fraction of voicing in creak; tremor_st
# semitones of 6-8 Hz F0 tremor; formant as log2 of a factor on all formants
# (lip spreading in smiling raises them); f1 log2 factor on F1 (jaw opening);
# undershoot the fraction vowels move toward schwa (slack articulation).
_PARAMETERS = (
    "f0_st", "range", "rate", "level_db", "tilt_db", "open_quotient", "breath_db",
    "jitter", "shimmer", "creak", "tremor_st", "formant", "f1", "undershoot",
)

#: How each emotion moves the voice at medium intensity, relative to the
#: speaker's neutral (units in the module source). Directions follow Banse &
#: Scherer (1996), Juslin & Laukka (2003, table 7) and Scherer (2003); sizes
#: are typical of acted speech.
#: For reading: the synthesiser uses a copy taken at import.
EMOTION_EFFECTS = {
    # Hot anger: loud, high and widely varying F0, fast, tense (flat tilt, pressed).
    "angry": dict(f0_st=3.5, range=0.5, rate=0.14, level_db=6.0, tilt_db=3.5,
                  open_quotient=-0.15, breath_db=-5.0, jitter=0.2, shimmer=0.0,
                  creak=0.0, tremor_st=0.0, formant=0.0, f1=0.12, undershoot=-0.08),
    # Elation: high and variable F0, fairly loud and fast, smiling formants.
    "happy": dict(f0_st=3.0, range=0.8, rate=0.08, level_db=2.5, tilt_db=0.5,
                  open_quotient=-0.02, breath_db=0.0, jitter=0.0, shimmer=0.0,
                  creak=0.0, tremor_st=0.0, formant=0.08, f1=0.0, undershoot=-0.03),
    # Fear: high F0, fast, irregular (jitter, shimmer, tremor), breathy.
    "fear": dict(f0_st=4.0, range=0.0, rate=0.20, level_db=0.5, tilt_db=0.0,
                 open_quotient=0.07, breath_db=8.0, jitter=1.3, shimmer=0.8,
                 creak=0.0, tremor_st=0.6, formant=0.02, f1=0.0, undershoot=0.04),
    # Sadness: low, flat F0, slow, quiet, lax and breathy (steep tilt), slack.
    "sad": dict(f0_st=-2.0, range=-0.9, rate=-0.32, level_db=-5.0, tilt_db=-3.0,
                open_quotient=0.10, breath_db=6.0, jitter=0.4, shimmer=0.4,
                creak=0.05, tremor_st=0.0, formant=-0.02, f1=-0.03, undershoot=0.14),
    # Disgust: low F0, slow, somewhat quieter, creaky and pressed.
    "disgust": dict(f0_st=-1.5, range=-0.2, rate=-0.22, level_db=-2.0, tilt_db=0.5,
                    open_quotient=-0.07, breath_db=-1.0, jitter=0.6, shimmer=0.6,
                    creak=0.25, tremor_st=0.0, formant=-0.01, f1=0.0, undershoot=0.05),
    "neutral": dict.fromkeys(_PARAMETERS, 0.0),
}
_EFFECT_TABLE = {e: np.array([v[p] for p in _PARAMETERS]) for e, v in EMOTION_EFFECTS.items()}

# Utterance-to-utterance spread of every parameter whatever the emotion (the
# same units), so that no single clip is a clean exemplar of its class.
_UTTERANCE_SD = np.array([
    0.9, 0.2, 0.07, 1.5, 0.8, 0.03, 2.0, 0.25, 0.25, 0.04, 0.0, 0.015, 0.02, 0.04,
])
# Spread of an emotion's strength around its class mean (log2), of a
# speaker's overall expressiveness (log2), and of a speaker's own version of
# each emotion's effect on each parameter (a factor around 1).
_STRENGTH_SD = 0.35
_EXPRESSIVENESS_SD = 0.25
_IDIOSYNCRASY_SD = 0.3


# ================================================================== speakers

def _draw_speaker(actor, rng):
    """Baseline voice and recording channel of one synthetic speaker.

    Speaker-level spreads are as large as the emotion effects (level and
    rate), so that a loud speaker's neutral is as loud as a quiet speaker's
    anger and only speaker-relative cues separate the emotions.
    """
    male = _crema_d_gender(actor) == "male"
    return {
        "f0_hz": rng.uniform(85, 155) if male else rng.uniform(165, 255),
        # Formant scale: a female tract is about 15 % shorter.
        "formant_scale": (1.0 if male else 1.16) * np.exp(rng.normal(0, 0.04)),
        "range_st": rng.uniform(2.0, 4.5),
        "rate": rng.uniform(4.2, 5.6),
        "level_db": rng.uniform(-4.0, 4.0),
        "tilt_db": rng.uniform(-1.5, 1.5),
        "open_quotient": rng.uniform(0.5, 0.68) + (0.0 if male else 0.04),
        "breath_db": rng.uniform(-26, -16) + (0.0 if male else 3.0),
        "jitter": rng.uniform(0.004, 0.012),
        "shimmer": rng.uniform(0.03, 0.08),
        "creak": rng.uniform(0.0, 0.15),
        "undershoot": rng.uniform(0.05, 0.25),
        "expressiveness": np.exp2(rng.normal(0, _EXPRESSIVENESS_SD)),
        # One speaker's anger is mostly loud, another's mostly high: each
        # emotion's effect on each parameter gets the speaker's own factor.
        "idiosyncrasy": {
            e: np.clip(1 + rng.normal(0, _IDIOSYNCRASY_SD, len(_PARAMETERS)), 0.1, None)
            for e in CREMA_D_EMOTIONS
        },
        "channel_gain_db": rng.uniform(-3.0, 3.0),
        # Below the speaker's neutral vowels, as a recordist sets the gain.
        "snr_db": rng.uniform(28, 45),
        "highpass_hz": rng.uniform(50, 140),
        "eq": [  # (kind, frequency Hz, gain dB)
            ("low", rng.uniform(150, 400), rng.uniform(-3, 3)),
            ("high", rng.uniform(2500, 5000), rng.uniform(-3, 3)),
            ("peak", np.exp(rng.uniform(np.log(400), np.log(4000))), rng.uniform(-3, 3)),
        ],
    }


def _utterance_parameters(speaker, emotion, intensity, rng):
    """The speaker's neutral, moved by one draw of the emotion, as a dict."""
    strength = (
        _INTENSITY_SCALE[intensity] * speaker["expressiveness"]
        * np.exp2(rng.normal(0, _STRENGTH_SD))
    )
    # Capped so that the rare product of a strong draw, an expressive speaker
    # and a large idiosyncrasy stays within what actors produce.
    effect = np.minimum(strength * speaker["idiosyncrasy"][emotion], 3.0) * _EFFECT_TABLE[emotion]
    delta = dict(zip(_PARAMETERS, effect + rng.normal(0, _UTTERANCE_SD)))
    return {
        "f0_hz": speaker["f0_hz"] * 2 ** (delta["f0_st"] / 12),
        "range_st": speaker["range_st"] * 2 ** delta["range"],
        "rate": speaker["rate"] * 2 ** delta["rate"],
        "level_db": speaker["level_db"] + delta["level_db"],
        "tilt_db": speaker["tilt_db"] + delta["tilt_db"],
        "open_quotient": np.clip(speaker["open_quotient"] + delta["open_quotient"], 0.35, 0.85),
        "breath_db": speaker["breath_db"] + delta["breath_db"],
        "jitter": speaker["jitter"] * 2 ** delta["jitter"],
        "shimmer": speaker["shimmer"] * 2 ** delta["shimmer"],
        "creak": np.clip(speaker["creak"] + delta["creak"], 0.0, 0.9),
        "tremor_st": max(delta["tremor_st"], 0.0),
        "formant_scale": speaker["formant_scale"] * 2 ** delta["formant"],
        "f1_scale": 2 ** delta["f1"],
        "undershoot": np.clip(speaker["undershoot"] + delta["undershoot"], 0.0, 0.6),
    }


# ================================================================ synthesis

_HOP = 256      # samples between vocal-tract frames (16 ms at 16 kHz)
_WINDOW = 512   # analysis window of the overlap-add filter
_CONTROL_HZ = 200.0
_REFERENCE_DBFS = -26.0  # vowel RMS of a neutral utterance of an average speaker


def _syllable_plan(sentence, p, rng):
    """Segments of one utterance of ``sentence`` at the utterance's rate.

    Returns
    -------
    kinds : np.ndarray [shape=(n_segments,)]
        Index into `_KIND_NAMES` of each segment.
    durations : np.ndarray [shape=(n_segments,)]
        Seconds.
    syllable : np.ndarray [shape=(n_segments,)]
        Index of the syllable each segment belongs to.
    vowels : list of str
        Vowel target of each vowel segment, in order.
    stress : np.ndarray [shape=(n_syllables,)]
        1 for a stressed syllable, else 0.
    """
    syllables, coda = _SENTENCES[sentence]
    n = len(syllables)
    stress = np.array([s[2] for s in syllables], dtype=float)
    weights = np.where(stress > 0, 1.3, 0.82) * np.exp(rng.normal(0, 0.1, n))
    weights[-1] *= 1.4  # phrase-final lengthening
    durations = weights / weights.mean() / p["rate"]
    # Consonants shrink less than vowels when speech speeds up.
    consonant_scale = (5.0 / p["rate"]) ** 0.5 / 1000.0
    kinds, lengths, owners, vowels = [], [], [], []
    for i, (onset, vowel, _) in enumerate(syllables):
        onset_segments = [(k, ms * consonant_scale) for k, ms in _CONSONANTS[onset]]
        v = max(durations[i] - sum(d for _, d in onset_segments), 0.05)
        parts = _DIPHTHONGS.get(vowel, (vowel,))
        share = (0.45, 0.55) if len(parts) == 2 else (1.0,)
        segments = onset_segments + [("vowel", s * v) for s in share]
        vowels += parts
        kinds += [k for k, _ in segments]
        lengths += [d for _, d in segments]
        owners += [i] * len(segments)
    # A coda is a closure and release, never an aspirated onset.
    for kind, ms in _CONSONANTS[coda]:
        if kind != "aspiration":
            kinds.append(kind)
            lengths.append(ms * consonant_scale)
            owners.append(n - 1)
    kind_index = np.array([_KIND_NAMES.index(k) for k in kinds])
    return kind_index, np.array(lengths), np.array(owners), vowels, stress


def _f0_contour(times, nuclei, durations, stress, p, rng):
    """F0 in Hz at ``times`` (s from speech onset).

    A declining phrase line, one accent per syllable (large on stressed
    ones), a fall over the last syllable, slow random wander, and tremor.
    """
    span = nuclei[-1] + durations[-1] / 2
    x = np.clip(times / span, 0.0, 1.0)
    range_st = p["range_st"]
    st = rng.normal(0, 0.3) + (1.5 - 3.0 * x) * rng.uniform(0.6, 1.2)
    heights = range_st * np.where(
        stress > 0, rng.uniform(0.7, 1.3, stress.size), rng.uniform(-0.15, 0.3, stress.size)
    )
    for centre, duration, height in zip(nuclei, durations, heights):
        st += height * np.exp(-0.5 * ((times - centre - 0.1 * duration) / (0.45 * duration)) ** 2)
    fall = np.clip((times - nuclei[-1] + durations[-1] / 2) / durations[-1], 0, 1)
    st -= 0.8 * range_st * fall
    n_knots = max(int(span * 6) + 2, 3)
    st += np.interp(x, np.linspace(0, 1, n_knots), rng.normal(0, 0.35, n_knots))
    if p["tremor_st"] > 0:
        st += p["tremor_st"] * np.sin(2 * np.pi * rng.uniform(6, 8) * times + rng.uniform(0, 6.3))
    return p["f0_hz"] * 2 ** (st / 12)


def _glottal_source(f0, voicing, creak, p, rng, sr):
    """Voiced excitation (flow derivative), flow-modulated aspiration, and
    the excitation's RMS while voiced.

    Rosenberg (1971) pulses by phase accumulation: each period's length is
    perturbed by jitter, its amplitude by shimmer; creak lowers F0, makes
    periods alternate (diplophonia) and closes the glottis longer.
    """
    n = f0.size
    f0 = f0 * 2 ** (-0.9 * creak)
    plain_phase = np.cumsum(f0) / sr
    n_periods = int(plain_phase[-1]) + 2
    k0 = plain_phase.astype(int)
    alternate = np.where(k0 % 2 == 0, 1.0, -1.0)
    jitter = (p["jitter"] + 0.06 * creak) * rng.normal(0, 1, n_periods)[k0]
    f0 = f0 * np.clip(1 + jitter + 0.12 * creak * alternate, 0.5, 1.5)
    phase = np.cumsum(f0) / sr
    k = np.minimum(phase.astype(int), n_periods - 1)
    frac = phase - k
    oq = p["open_quotient"] * (1 - creak) + 0.3 * creak
    rise = 0.62 * oq
    flow = np.where(
        frac < rise,
        0.5 * (1 - np.cos(np.pi * frac / rise)),
        np.where(frac < oq, np.cos(0.5 * np.pi * (frac - rise) / (oq - rise)), 0.0),
    )
    shimmer = p["shimmer"] + 0.25 * creak
    flow *= np.clip(1 + shimmer * rng.normal(0, 1, n_periods)[k], 0.2, None) * voicing
    excitation = np.diff(flow, prepend=0.0)
    voiced = voicing > 0.5
    level = np.sqrt(np.mean(excitation[voiced] ** 2)) if voiced.any() else 1e-3
    # Turbulence at the glottis is strongest while it is open.
    aspiration = (
        rng.normal(0, 1, n) * (0.25 + 0.75 * flow / max(flow.max(), 1e-9))
        * voicing * level * 10 ** (p["breath_db"] / 20)
    )
    return excitation, aspiration, level


def _resonators(freqs, bandwidths, sr):
    """Frequency response of two-pole resonators in cascade, one per frame.

    Each resonator has unit gain at 0 Hz. The cascade's denominator
    polynomial is built per frame and evaluated at every FFT bin with one
    real FFT, far cheaper than multiplying per-resonator responses.

    Parameters
    ----------
    freqs, bandwidths : np.ndarray [shape=(n_frames, n_resonators)]
        Centre frequencies and -3 dB bandwidths in Hz.
    sr : int
        Sampling rate in Hz.

    Returns
    -------
    response : np.ndarray [shape=(n_frames, _WINDOW + 1), dtype=complex]
        At the bins of a ``2 * _WINDOW``-point FFT.
    """
    r = np.exp(-np.pi * bandwidths / sr)
    a1, a2 = -2 * r * np.cos(2 * np.pi * freqs / sr), r * r
    n_frames, n_res = freqs.shape
    den = np.zeros((n_frames, 2 * n_res + 1))
    den[:, 0] = 1.0
    for k in range(n_res):
        m = 2 * k + 1
        step = den[:, :m].copy()
        den[:, 1:m + 1] += a1[:, k, None] * step
        den[:, 2:m + 2] += a2[:, k, None] * step
    gain = np.prod(1 + a1 + a2, axis=1)
    return gain[:, None] / sp_fft.rfft(den, 2 * _WINDOW)


def _overlap_add(sources, n):
    """Sum of signals, each filtered by a response that changes every `_HOP`.

    Each Hann-windowed 512-sample piece is convolved (zero-padded FFT, so
    linearly, with the impulse response cut at 32 ms) with its frame's
    response; the filtered pieces of all sources are summed and added back.

    Parameters
    ----------
    sources : list of (np.ndarray [shape=(n,)], np.ndarray [shape=(n_frames, _WINDOW + 1)])
        Signals and their per-frame responses.
    n : int
        Length of the signals.
    """
    lead = _WINDOW - _HOP
    window = np.hanning(_WINDOW + 1)[:-1] / (_WINDOW / _HOP / 2)
    spectrum = 0
    for x, response in sources:
        padded = np.concatenate([np.zeros(lead), x, np.zeros(_WINDOW)])
        frames = sliding_window_view(padded, _WINDOW)[::_HOP] * window
        spectrum = spectrum + sp_fft.rfft(frames, 2 * _WINDOW) * response[: len(frames)]
    pieces = sp_fft.irfft(spectrum, 2 * _WINDOW)
    n_frames = len(pieces)
    out = np.zeros((n_frames + 2 * _WINDOW // _HOP) * _HOP)
    for j in range(2 * _WINDOW // _HOP):
        out[j * _HOP: j * _HOP + n_frames * _HOP] += pieces[:, j * _HOP:(j + 1) * _HOP].ravel()
    return out[lead: lead + n]


def _smooth(x, seconds, rate):
    """Triangular moving average over about ``seconds`` (x sampled at ``rate``).

    Two boxcar passes by cumulative sums: linear time, which matters at the
    sample rate, and smooth enough to turn steps into gestures.
    """
    half = max(int(seconds * rate / 2), 1)
    for _ in range(2):
        padded = np.concatenate([np.full(half, x[0]), x, np.full(half, x[-1])])
        csum = np.concatenate([[0.0], np.cumsum(padded)])
        x = (csum[half:half + x.size] - csum[:x.size]) / half
    return x


def _channel(y, speaker, sr):
    """The speaker's recording chain: high-pass and a three-band equaliser."""
    sos = [signal.butter(2, speaker["highpass_hz"], "highpass", fs=sr, output="sos")]
    for kind, freq, gain_db in speaker["eq"]:
        sos.append(_biquad(kind, freq, gain_db, sr))
    return signal.sosfilt(np.concatenate(sos), y)


def _biquad(kind, freq, gain_db, sr):
    """RBJ audio-EQ-cookbook shelf or peak filter as one second-order section."""
    a = 10 ** (gain_db / 40)
    w = 2 * np.pi * freq / sr
    cw, sw = np.cos(w), np.sin(w)
    if kind == "peak":
        alpha = sw / (2 * 1.0)  # Q = 1
        b = [1 + alpha * a, -2 * cw, 1 - alpha * a]
        den = [1 + alpha / a, -2 * cw, 1 - alpha / a]
    else:
        alpha = sw / 2 * np.sqrt(2)  # shelf slope 1
        s = 1 if kind == "low" else -1
        sq = 2 * np.sqrt(a) * alpha
        b = [a * ((a + 1) - s * (a - 1) * cw + sq),
             s * 2 * a * ((a - 1) - s * (a + 1) * cw),
             a * ((a + 1) - s * (a - 1) * cw - sq)]
        den = [(a + 1) + s * (a - 1) * cw + sq,
               -s * 2 * ((a - 1) + s * (a + 1) * cw),
               (a + 1) + s * (a - 1) * cw - sq]
    return np.array([b + den]) / den[0]


def _synthesise(sentence, p, speaker, rng, sr):
    """One utterance as float64 samples in [-1, 1], silence and noise included."""
    kind_index, lengths, owners, vowels, stress = _syllable_plan(sentence, p, rng)
    lead, trail = rng.uniform(0.15, 0.45, 2)
    bounds = lead + np.concatenate([[0.0], np.cumsum(lengths)])
    n = int((bounds[-1] + trail) * sr)
    t = np.arange(n) / sr

    # Syllable nuclei and durations, for accents.
    n_syll = stress.size
    vowel = kind_index == _KIND_NAMES.index("vowel")
    first = np.array([np.flatnonzero(owners == i)[0] for i in range(n_syll)])
    last = np.array([np.flatnonzero(owners == i)[-1] for i in range(n_syll)])
    v_first = np.array([np.flatnonzero(vowel & (owners == i))[0] for i in range(n_syll)])
    v_last = np.array([np.flatnonzero(vowel & (owners == i))[-1] for i in range(n_syll)])
    nuclei = (bounds[v_first] + bounds[v_last + 1]) / 2 - lead
    syllable_durations = bounds[last + 1] - bounds[first]

    # Segment values, piecewise constant, smoothed into gestures. Index 0 of
    # the padded tables is the silence before and after the speech.
    seg = np.searchsorted(bounds, t, side="right")
    seg[seg > kind_index.size] = 0
    padded_kinds = np.concatenate([[0], kind_index])
    gains = np.where(stress > 0, 1.0, 0.72)
    gains[-1] *= 0.8
    padded_gain = np.concatenate([[0.0], gains[owners]])
    table = _KIND_TABLE[padded_kinds[seg]] * padded_gain[seg, None]
    voicing = _smooth(table[:, 0], 0.02, sr)
    frication = _smooth(table[:, 1], 0.008, sr)
    aspiration_env = _smooth(table[:, 2], 0.012, sr)

    # F0 and creak at a control rate, then per sample.
    control_t = np.arange(0, n / sr + 1 / _CONTROL_HZ, 1 / _CONTROL_HZ)
    f0 = _f0_contour(control_t - lead, nuclei, syllable_durations, stress, p, rng)
    # Creak takes over the last ``creak`` fraction of the phrase.
    x = (control_t - lead) / (bounds[-1] - lead)
    creak = np.clip((x - (1 - p["creak"])) / 0.08 + 0.5, 0, 1) if p["creak"] > 0.01 else 0 * x
    f0 = np.interp(t, control_t, f0)
    creak = np.interp(t, control_t, creak)
    excitation, breath, level = _glottal_source(f0, voicing, creak, p, rng, sr)
    aspiration = rng.normal(0, 1, n) * aspiration_env * 0.5 * level
    friction = rng.normal(0, 1, n) * frication

    # Formant targets per segment: vowels (moved toward schwa by undershoot),
    # nasals and liquids their own; other consonants interpolate between the
    # neighbouring vowels with a lowered F1. Then smoothed across frames.
    targets = np.full((kind_index.size, 3), np.nan)
    targets[vowel] = [_VOWELS[v] for v in vowels]
    targets[vowel] = _SCHWA + (1 - p["undershoot"]) * (targets[vowel] - _SCHWA)
    centres = (bounds[:-1] + bounds[1:]) / 2
    for d in range(3):
        targets[:, d] = np.interp(centres, centres[vowel], targets[vowel, d])
    for name, (f1, f2) in _CONSONANT_FORMANTS.items():
        targets[kind_index == _KIND_NAMES.index(name), :2] = (f1, f2)
    targets[:, 0] *= _KIND_TABLE[kind_index, 5]
    targets = np.vstack([_SCHWA, targets])

    n_frames = (n + _WINDOW) // _HOP + 1
    frame_t = (np.arange(n_frames) * _HOP - (_WINDOW - _HOP) + _WINDOW / 2) / sr
    fseg = np.searchsorted(bounds, frame_t, side="right")
    fseg[fseg > kind_index.size] = 0
    formants = np.empty((n_frames, 5))
    for d in range(3):
        formants[:, d] = _smooth(targets[fseg, d], 0.05, sr / _HOP)
    formants[:, 3:] = _F45
    formants *= p["formant_scale"]
    formants[:, 0] *= p["f1_scale"]
    formants = np.minimum(formants, 0.45 * sr)
    # Glottal losses widen the first formant of a breathy voice.
    breathiness = np.clip((p["breath_db"] + 20) / 20, 0, 1)
    bandwidths = np.column_stack([
        50 + 0.06 * formants[:, 0] + 60 * breathiness, 70 + 0.03 * formants[:, 1],
        110 + 0.02 * formants[:, 2], np.full(n_frames, 200.0), np.full(n_frames, 260.0),
    ])
    tract = _resonators(formants, bandwidths, sr)
    freqs = sp_fft.rfftfreq(2 * _WINDOW, 1 / sr)
    tilt = 10 ** (p["tilt_db"] * np.log2(np.maximum(freqs, 500.0) / 500.0) / 20)

    frame_kind = np.concatenate([[0], kind_index])[fseg]
    centre_hz = _KIND_TABLE[frame_kind, 3] * p["formant_scale"]
    width_hz = _KIND_TABLE[frame_kind, 4] * p["formant_scale"]
    noisy = centre_hz > 0
    fric = _resonators(
        np.where(noisy, np.minimum(centre_hz, 0.42 * sr), 3000.0)[:, None],
        np.where(noisy, width_hz, 3000.0)[:, None], sr,
    )
    fric /= np.abs(fric).max(axis=1, keepdims=True)

    voice = _overlap_add([(excitation, tract * tilt), (breath + aspiration, tract)], n)
    hiss = _overlap_add([(friction, fric)], n)

    # Vowels at the utterance's level; fricatives 10-14 dB below them.
    loud = voicing > 0.6
    voice_rms = np.sqrt(np.mean(voice[loud] ** 2))
    hissing = frication > 0.5
    if hissing.any():
        hiss_rms = np.sqrt(np.mean(hiss[hissing] ** 2))
        hiss *= voice_rms * 10 ** (-rng.uniform(10, 14) / 20) / max(hiss_rms, 1e-12)
    y = (voice + hiss) * 10 ** ((_REFERENCE_DBFS + p["level_db"]) / 20) / voice_rms

    y = _channel(y, speaker, sr) * 10 ** (speaker["channel_gain_db"] / 20)
    # A pinkish noise floor under everything, silence included.
    noise = signal.lfilter([np.sqrt(1 - 0.9**2)], [1.0, -0.9], rng.normal(0, 1, n))
    noise_db = (_REFERENCE_DBFS + speaker["level_db"] + speaker["channel_gain_db"]
                - speaker["snr_db"])
    y += noise * 10 ** (noise_db / 20)
    peak = np.abs(y).max()
    if peak > 0.98:
        # As a recording engineer would: lower the take rather than clip it.
        y *= 0.98 / peak
    return y


# ================================================================== the API

def _clip_plan(emotions, n_per_class, rng):
    """(emotion, sentence, intensity) of every clip of one speaker."""
    plan = []
    for emotion in emotions:
        pairs = _NEUTRAL_PAIRS if emotion == "neutral" else _EMOTIONAL_PAIRS
        for i in sorted(rng.choice(len(pairs), n_per_class, replace=False)):
            plan.append((emotion, *pairs[i]))
    return plan


def _speaker_plan(entropy, index, emotions, n_per_class):
    """Speaker ``index``'s voice and clip plan, from its own seed."""
    rng = np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(index, 0)))
    actor = str(_FIRST_ACTOR + index)
    return actor, _draw_speaker(actor, rng), _clip_plan(emotions, n_per_class, rng)


def _write_speaker(directory, entropy, index, emotions, n_per_class, sr):
    """Synthesise and write every clip of one speaker.

    Every clip has its own seed, derived from ``(entropy, index, clip)``
    only, so the files do not depend on ``n_jobs`` or on other speakers.
    """
    actor, speaker, plan = _speaker_plan(entropy, index, emotions, n_per_class)
    for j, (emotion, sentence, intensity) in enumerate(plan):
        rng = np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(index, 1, j)))
        p = _utterance_parameters(speaker, emotion, intensity, rng)
        y = _synthesise(sentence, p, speaker, rng, sr)
        name = f"{actor}_{sentence}_{_EMOTION_CODES[emotion]}_{intensity}.wav"
        sf.write(os.path.join(directory, name), y, sr, subtype="PCM_16")


def _check_emotions(emotions):
    emotions = tuple(emotions)
    unknown = [e for e in emotions if e not in CREMA_D_EMOTIONS]
    if not emotions or unknown:
        raise ValueError(
            f"emotions must be a non-empty subset of {CREMA_D_EMOTIONS}; got {emotions!r}"
            + (f" (unknown: {unknown})." if unknown else ".")
        )
    if len(set(emotions)) != len(emotions):
        raise ValueError(f"emotions lists an emotion twice: {emotions!r}.")
    return emotions


@validate_params(
    {
        "directory": [str, os.PathLike],
        "n_speakers": [Interval(Integral, 1, _MAX_SPEAKERS, closed="both")],
        "n_per_class": [Interval(Integral, 1, None, closed="left")],
        "emotions": [tuple, list],
        "sr": [Interval(Integral, 16000, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    },
    prefer_skip_nested_validation=True,
)
def make_emotional_speech(
    directory, *, n_speakers=10, n_per_class=8, emotions=CREMA_D_EMOTIONS, sr=16000,
    random_state=None, n_jobs=None,
):
    """Synthesise a small emotional-speech corpus named like CREMA-D, and load it.

    A demo and test corpus, not a benchmark: every clip is made by a
    source-filter speech synthesiser in about 30 ms of CPU time (the default
    480 clips in 10-20 s on 2 cores), so examples, tutorials and tests can
    run the whole skser pipeline, with speaker-grouped cross-validation,
    without downloading anything. The emotions differ the way acted
    emotional speech differs (loudness, F0 level and range, speaking rate,
    voice quality), relative to each speaker's own neutral and with as much
    spread between speakers as between emotions, so that only a model that
    combines several cues beats a one-feature rule. Scores on it say the code learns; they say
    nothing about real speech.

    Each synthetic speaker borrows a CREMA-D actor id (1001, 1002, ...) and
    that actor's gender (F0 range 85-155 Hz male, 165-255 Hz female, and a
    matching vocal-tract length), and draws a habitual rate, loudness, voice
    quality, expressiveness and a recording channel (gain, equaliser,
    high-pass, noise floor). Each clip says one of the 12 CREMA-D sentences,
    whose syllables fix the vowel and consonant sequence. Its emotion moves
    the speaker's voice as in `EMOTION_EFFECTS`, by a random strength around
    the class mean, scaled by the intensity (LO 0.55, MD and XX 1, HI 1.5),
    and by the speaker's own version of that emotion.

    ===========  ==========================================================
    emotion      relative to the speaker's neutral (medium intensity)
    ===========  ==========================================================
    angry        +6 dB, F0 +3.5 st and wider range, faster, tense and
                 pressed (flatter spectral tilt), higher F1
    happy        +2.5 dB, F0 +3 st and widest range, faster, raised formants
    fear         F0 +4 st, fastest, jitter, shimmer and tremor, breathy
    sad          -5 dB, F0 -2 st and narrow range, slow, lax and breathy
                 (steep tilt), slack vowels
    disgust      -2 dB, F0 -1.5 st, slow, creaky and pressed
    neutral      the speaker's baseline, with utterance-to-utterance spread
    ===========  ==========================================================

    Parameters
    ----------
    directory : str or os.PathLike
        Folder to write the WAV files into; created if missing. It must not
        already hold audio files other than the ones this call writes
        (those are overwritten), since `load_crema_d` would mix them in.
    n_speakers : int, default=10
        Number of speakers, 1 to 91 (the CREMA-D actor ids 1001-1091).
    n_per_class : int, default=8
        Clips per speaker and emotion. As in CREMA-D, a speaker says each
        sentence once per emotion, and only the sentence IEO at the
        intensities LO, MD and HI: at most 14 clips for an emotion, 12 for
        neutral.
    emotions : sequence of str, default=("angry", "disgust", "fear", "happy", "neutral", "sad")
        Which of the six CREMA-D emotions to synthesise.
    sr : int, default=16000
        Sampling rate of the files in Hz, at least 16000 (fricative noise
        reaches 7 kHz); resample on loading for lower rates.
    random_state : int, RandomState instance or None, default=None
        Seed. The same seed writes byte-identical files, whatever
        ``n_jobs``; speakers keep their voices when ``n_speakers`` grows.
    n_jobs : int or None, default=None
        Parallel jobs over speakers (joblib).

    Returns
    -------
    corpus : sklearn.utils.Bunch
        What ``load_crema_d(directory)`` returns: ``filenames``
        ``(n_clips,)`` sorted absolute paths, ``target`` ``(n_clips,)``
        emotion labels, ``groups`` ``(n_clips,)`` speaker ids, ``metadata``
        (speaker, emotion_code, gender, sentence, intensity), and
        ``target_names``, ``corpus``, ``excluded``, ``unmatched``, with
        ``DESCR`` describing this synthetic corpus.

    Raises
    ------
    ValueError
        For an unknown or repeated emotion, an ``n_per_class`` beyond what
        the sentences allow, or a ``directory`` that holds other audio.

    See Also
    --------
    load_crema_d : Load the real corpus (or this one) from a folder.

    References
    ----------
    Banse, R., & Scherer, K. R. (1996). Acoustic profiles in vocal emotion
    expression. Journal of Personality and Social Psychology, 70(3), 614-636.

    Juslin, P. N., & Laukka, P. (2003). Communication of emotions in vocal
    expression and music performance: Different channels, same code?
    Psychological Bulletin, 129(5), 770-814.

    Scherer, K. R. (2003). Vocal communication of emotion: A review of
    research paradigms. Speech Communication, 40(1-2), 227-256.

    Rosenberg, A. E. (1971). Effect of glottal pulse shape on the quality of
    natural vowels. JASA, 49(2B), 583-590.

    Hillenbrand, J., Getty, L. A., Clark, M. J., & Wheeler, K. (1995).
    Acoustic characteristics of American English vowels. JASA, 97(5),
    3099-3111.

    Examples
    --------
    >>> import tempfile
    >>> from skser.datasets import make_emotional_speech
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     corpus = make_emotional_speech(folder, n_speakers=2, n_per_class=1,
    ...                                    random_state=0)
    >>> corpus.filenames.shape, corpus.target_names.tolist()
    ((12,), ['angry', 'disgust', 'fear', 'happy', 'neutral', 'sad'])
    >>> sorted(set(zip(corpus.groups.tolist(), corpus.metadata["gender"].tolist())))
    [('1001', 'male'), ('1002', 'female')]
    """
    emotions = _check_emotions(emotions)
    limit = min(len(_NEUTRAL_PAIRS if e == "neutral" else _EMOTIONAL_PAIRS) for e in emotions)
    if n_per_class > limit:
        worst = "neutral" if "neutral" in emotions else emotions[0]
        raise ValueError(
            f"n_per_class={n_per_class} exceeds the {limit} distinct sentence x "
            f"intensity combinations a speaker has for {worst!r} (as in CREMA-D, "
            "each sentence once per emotion, only IEO at LO/MD/HI, neutral only "
            f"XX); use n_per_class <= {limit} and more speakers instead."
        )
    directory = Path(directory).expanduser()
    if directory.exists() and not directory.is_dir():
        raise NotADirectoryError(
            f"directory {str(directory)!r} is a file; expected a folder to write WAV files into."
        )
    directory.mkdir(parents=True, exist_ok=True)
    directory = directory.resolve()

    # One entropy draw from random_state, then a seed per speaker: speakers
    # are independent of each other, of n_jobs and of how many there are.
    entropy = [int(e) for e in check_random_state(random_state).randint(0, 2**31, size=4)]

    planned = set()
    for index in range(n_speakers):
        actor, _, plan = _speaker_plan(entropy, index, emotions, n_per_class)
        planned |= {f"{actor}_{s}_{_EMOTION_CODES[e]}_{i}.wav" for e, s, i in plan}
    others = sorted(
        str(p.relative_to(directory)) for p in directory.rglob("*")
        if p.suffix.lower() in AUDIO_EXTENSIONS and not p.name.startswith(".")
        and (p.parent != directory or p.name not in planned)
    )
    if others:
        shown = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
        raise ValueError(
            f"directory {str(directory)!r} already holds {len(others)} audio files "
            f"this call would not write ({shown}); load_crema_d would mix them into "
            "the corpus. Use a new or empty folder."
        )

    Parallel(n_jobs=n_jobs)(
        delayed(_write_speaker)(str(directory), entropy, index, emotions, n_per_class, sr)
        for index in range(n_speakers)
    )
    corpus = load_crema_d(directory)
    corpus.DESCR = _describe(
        n_speakers=n_speakers, n_per_class=n_per_class, emotions=emotions, sr=sr,
        random_state=random_state, genders=corpus.metadata["gender"],
        groups=corpus.groups,
    )
    return corpus


def _describe(*, n_speakers, n_per_class, emotions, sr, random_state, genders, groups):
    n_male = len({s for g, s in zip(genders, groups) if g == "male"})
    seed = (
        random_state if isinstance(random_state, Integral)
        else "none (random_state=None)" if random_state is None
        else "a RandomState instance"
    )
    return f"""\
Synthetic emotional speech (skser.datasets.make_emotional_speech)
=================================================================

A demo and test corpus, not a benchmark. {n_speakers} synthetic speakers ({n_male} male,
{n_speakers - n_male} female) x {len(emotions)} emotions ({", ".join(emotions)}) x {n_per_class} clips
= {n_speakers * len(emotions) * n_per_class} mono 16-bit WAV files at {sr} Hz, 1.2-4 s each, named as
CREMA-D names its clips (actor_SENTENCE_EMO_INTENSITY.wav). Seed: {seed}.

How the clips are made: a source-filter synthesiser. Rosenberg glottal pulses
over an F0 contour (declination, accents on stressed syllables, final fall,
jitter, shimmer, creak, tremor) plus flow-modulated aspiration noise, through
five time-varying formant resonators that follow the vowel targets of the
CREMA-D sentence's syllables (coarse transcriptions), with noise fricatives
and stop bursts; then the speaker's recording channel (level, equaliser,
high-pass, noise floor). Speakers take the gender of the CREMA-D actor whose
id they borrow (F0 85-155 Hz male, 165-255 Hz female, matching vocal-tract
length) and draw their own habitual rate, loudness, voice quality,
expressiveness and channel.

Emotions shift prosody and voice quality relative to the speaker's neutral in
the directions reported by Banse & Scherer (1996), Juslin & Laukka (2003) and
Scherer (2003): angry loud, high, wide F0 range, fast, tense; happy high and
variable F0, fairly loud and fast; fear high F0, fast, jittery, breathy; sad
quiet, low and flat F0, slow, lax, breathy; disgust low F0, slow, creaky and
pressed. Each clip draws its emotion's strength at random around the class
mean (scaled by the intensity code: LO, MD/XX, HI), each speaker has an own
version of each emotion, and speaker differences are as large as emotion
effects: no single acoustic feature separates the classes, and a
speaker-independent model has to combine several cues.

Labels: {", ".join(emotions)}. Groups: speaker ids (1001, ...).
Metadata: speaker, emotion_code, gender, sentence, intensity.

How hard (default corpus, 10 speakers, speaker-grouped 5-fold CV, UA): chance
and majority class 0.17, the best one-feature rule about 0.40, logistic
regression on pooled features about 0.68, the same with per-speaker feature
normalisation about 0.84 (docs/demo_corpus.md).

Use it to check that code runs and learns. Scores on it say nothing about
real emotional speech; use load_crema_d on the real corpus for that.
"""
