"""Does `SpeechDetector` accept real emotional speech and reject what is not speech?

    python benchmarks/speech_detector.py           # about 1 minute on one core
    python benchmarks/speech_detector.py --quick   # a smoke run, a few seconds

1. **Real speech.** Every clip of RAVDESS, EmoDB and SAVEE in
   ../shared/data (skipped when absent), loaded at 16 kHz as `skser
   predict` loads them: the share accepted as it was loaded, after
   `TrimPad` (3 s, the pipelines' default), and 20 dB quieter; the lowest
   value each test measured; the clips rejected and why. The same for the
   synthetic demo corpus (`make_emotional_speech`), which the tests use.
2. **Not speech.** Synthetic clips of 3 s at 16 kHz, each family at several
   levels, frequencies or seeds: white, pink and brown noise; pure and
   harmonic tones; chords; 50 and 60 Hz mains hum with harmonics; digital
   silence; near-silence (noise at -70 dBFS, a demo speech clip whose
   peak sample is at -70 dBFS); and
   "music", notes and chords of eight harmonics changing every 0.25-0.5 s.
   The share rejected per family and the reasons given. Then two families
   that pass by design, to show the limit: a harmonic tone with a 5.5 Hz
   vibrato (as a singer's) and a gliding tone (a siren).
3. **Speech in noise.** The real clips (every fifth) with white noise added
   at 20, 10 and 0 dB SNR (clip mean square against noise mean square):
   where the voice test starts to miss speech.

Figures are shares of clips; the time per 3 s clip is printed for scale.
"""

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

from _common import SHARED_DATA, machine, print_table

SR = 16000
SECONDS = 3.0
CORPORA = {"RAVDESS": "ravdess-speech-16k/Actor_*/*.flac", "EmoDB": "emodb/*.wav",
           "SAVEE": "savee-16k/*/*.flac"}


def at_dbfs(y, dbfs):
    """``y`` scaled to a mean square of ``dbfs`` dB re full scale, as float32."""
    return (y * 10 ** (dbfs / 20) / np.sqrt(np.mean(np.square(y)))).astype(np.float32)


def coloured_noise(n, exponent, rng):
    """Noise whose power falls as ``1 / f**exponent`` (0 white, 1 pink, 2 brown)."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(spectrum.size, dtype=float)
    f[0] = 1.0
    return np.fft.irfft(spectrum / f ** (exponent / 2), n)


def harmonic(f0, t, n_harmonics=6):
    """Harmonics of ``f0`` (Hz, a number or one per sample) at 1/k amplitudes."""
    phase = 2 * np.pi * (np.cumsum(np.broadcast_to(f0, t.shape)) / SR)
    return sum(np.sin(k * phase + k) / k for k in range(1, n_harmonics + 1))


def music(rng, seconds=SECONDS):
    """Notes or chords of eight harmonics, each 0.25-0.5 s, plucked (decaying)."""
    parts, total = [], 0.0
    while total < seconds:
        d = rng.uniform(0.25, 0.5)
        t = np.arange(int(d * SR)) / SR
        notes = 261.6 * 2 ** (rng.integers(-12, 13, size=rng.integers(1, 4)) / 12)
        envelope = np.minimum(1, t / 0.01) * np.exp(-t * rng.uniform(1, 6))
        parts.append(sum(harmonic(f, t, 8) for f in notes) * envelope)
        total += d
    return np.concatenate(parts)[:int(seconds * SR)]


def not_speech(rng, seeds, demo_clip):
    """``{family: [clip, ...]}`` of synthetic clips that hold no speech."""
    n = int(SECONDS * SR)
    t = np.arange(n) / SR
    families = {}
    for name, exponent in (("white noise", 0), ("pink noise", 1), ("brown noise", 2)):
        families[name] = [at_dbfs(coloured_noise(n, exponent, rng), level)
                          for level in (-10, -30, -50) for _ in range(seeds)]
    freqs = (80, 150, 220, 440, 1000, 3000)
    families["pure tone"] = [at_dbfs(np.sin(2 * np.pi * f * t), -20) for f in freqs]
    families["harmonic tone"] = [at_dbfs(harmonic(f, t), -20) for f in freqs]
    families["chord"] = [at_dbfs(sum(harmonic(f, t) for f in c), -20) for c in (
        (261.6, 329.6, 392.0), (110.0, 165.0, 220.0), (440.0, 554.4, 659.3))]
    families["mains hum"] = [at_dbfs(harmonic(f, t, 10) + noise * rng.standard_normal(n), -30)
                             for f in (50, 60) for noise in (0.0, 0.03)]
    families["silence"] = [np.zeros(n, dtype=np.float32)]
    families["near-silence, -70 dBFS"] = (
        [at_dbfs(coloured_noise(n, e, rng), -70) for e in (0, 1) for _ in range(seeds)]
        + [(demo_clip / np.abs(demo_clip).max() * 10 ** (-70 / 20)).astype(np.float32)])
    families["music"] = [at_dbfs(music(rng), -20) for _ in range(250 * seeds)]
    return families


def passing_by_design(rng):
    """Pitched sounds that move like a voice: the detector's limit."""
    t = np.arange(int(SECONDS * SR)) / SR
    return {
        "vibrato tone (singing-like)": [
            at_dbfs(harmonic(f * 2 ** (0.5 / 12 * np.sin(2 * np.pi * 5.5 * t)), t), -20)
            for f in (150, 220, 440)],
        "gliding tone (siren)": [
            at_dbfs(harmonic(f * 2 ** (4 / 12 * np.sin(2 * np.pi * 0.5 * t)), t), -20)
            for f in (440, 880)],
    }


def real_corpora(step):
    """``{corpus: [path, ...]}`` of the shared corpora, every ``step``-th file."""
    found = {}
    for name, pattern in CORPORA.items():
        files = sorted(SHARED_DATA.glob(pattern))[::step]
        if files:
            found[name] = files
    return found


def share(mask):
    mask = np.asarray(mask)
    return f"{mask.mean():.1%} ({int(mask.sum())}/{mask.size})"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="every 40th corpus clip, one seed per noise: a smoke run")
    args = parser.parse_args(argv)
    from skser import AudioLoader, SpeechDetector, TrimPad
    from skser.datasets import make_emotional_speech

    print(machine())
    detector = SpeechDetector(sr=SR)
    loader = AudioLoader(sr=SR)
    rng = np.random.default_rng(0)
    step, seeds = (40, 1) if args.quick else (1, 4)

    with tempfile.TemporaryDirectory() as tmp:
        demo = make_emotional_speech(tmp, n_speakers=3 if args.quick else 10,
                                     n_per_class=1 if args.quick else 8, random_state=0)
        speech = {"demo corpus": loader.transform(demo.filenames)}
    corpora = real_corpora(step)
    if not corpora:
        print(f"\nNo corpora in {SHARED_DATA}: real speech is skipped, the demo corpus "
              "and the synthetic clips are measured.")
    for name, files in corpora.items():
        speech[name] = loader.transform([str(f) for f in files])

    print("\n1. Speech accepted (share of clips)\n")
    rows, rejected = [], []
    trim = TrimPad(sr=SR, duration=SECONDS)
    for name, waves in speech.items():
        start = time.perf_counter()
        m = detector.measure(waves)
        per_clip = (time.perf_counter() - start) / len(waves)
        quieter = detector.predict([w * np.float32(0.1) for w in waves])
        rows.append([name, len(waves), share(m["speech"]),
                     share(detector.predict(trim.transform(waves))), share(quieter),
                     f"{m['level_dbfs'].min():.1f}", f"{m['voiced_fraction'].min():.2f}",
                     f"{m['voiced_seconds'].min():.2f}",
                     f"{m['f0_slope_semitones_per_second'].min():.1f}",
                     f"{1000 * per_clip:.1f}"])
        files = demo.filenames if name == "demo corpus" else corpora[name]
        rejected += [(name, Path(files[i]).name, m["reason"][i])
                     for i in np.flatnonzero(~m["speech"])]
    print_table(rows, ["corpus", "clips", "accepted", "after TrimPad", "20 dB quieter",
                       "lowest level dBFS", "lowest voiced fraction", "lowest voiced s",
                       "lowest F0 slope st/s", "ms per clip"])
    for name, file, reason in rejected:
        print(f"  rejected: {name} {file}: {reason}")

    print("\n2. Not speech rejected (share of clips)\n")
    demo_clip = speech["demo corpus"][0]
    rows = []
    for title, families in (("rejected", not_speech(rng, seeds, demo_clip)),
                            ("passes by design", passing_by_design(rng))):
        for family, clips in families.items():
            m = detector.measure(clips)
            reasons = Counter(r.split(":")[0] for r in m["reason"] if r)
            rows.append([family, title, len(clips), share(~m["speech"]),
                         ", ".join(f"{k} {v}" for k, v in reasons.most_common()) or "-",
                         f"{m['voiced_fraction'].max():.3f}",
                         f"{m['f0_slope_semitones_per_second'].max():.2f}",
                         f"{m['score'].max():.2f}"])
    print_table(rows, ["family", "expected", "clips", "rejected", "reasons",
                       "highest voiced fraction", "highest F0 slope st/s", "highest score"])

    if corpora:
        print("\n3. Speech in white noise accepted (every fifth real clip)\n")
        rows = []
        for name in corpora:
            waves = speech[name][::1 if args.quick else 5]
            cells = [name, len(waves)]
            for snr in (20, 10, 0):
                noisy = [w + at_dbfs(rng.standard_normal(w.size),
                                     10 * np.log10(np.mean(np.square(w))) - snr)
                         for w in waves]
                cells.append(share(detector.predict(noisy)))
            rows.append(cells)
        print_table(rows, ["corpus", "clips", "SNR 20 dB", "SNR 10 dB", "SNR 0 dB"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
