"""Hypothesis strategies shared by the property tests: the one place for them.

Waveforms and feature arrays are drawn as (shape, seed, scale) and filled by a
seeded numpy generator rather than element by element: audio needs thousands
of samples per clip, which element-wise drawing makes slow, and shrinking a
seed and a length still gives small, readable counter-examples.
"""

import numpy as np
from hypothesis import strategies as st

from skser import FEATURE_NAMES

# ---------------------------------------------------------------- audio files

#: Rates users meet in speech corpora, plus arbitrary ones in the valid range.
COMMON_SAMPLE_RATES = (8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000, 96000)

#: WAV sample formats soundfile writes, with the quantisation step of each
#: (the largest error a round trip through the file may add to a sample).
WAV_SUBTYPES = {
    "PCM_U8": 2.0 / 2**8,
    "PCM_16": 2.0 / 2**16,
    "PCM_24": 2.0 / 2**24,
    "PCM_32": 2.0 / 2**32,
    "FLOAT": 1e-7,
    "DOUBLE": 1e-7,
}

#: (format, subtype, file extension) of the compressed formats AudioLoader reads.
COMPRESSED_FORMATS = (
    ("FLAC", "PCM_16", "flac"),
    ("OGG", "VORBIS", "ogg"),
    ("MP3", "MPEG_LAYER_III", "mp3"),
)


def sample_rates(min_value=8000, max_value=96000):
    """Sampling rates in Hz: the common ones, and any integer in range."""
    common = [sr for sr in COMMON_SAMPLE_RATES if min_value <= sr <= max_value]
    return st.sampled_from(common) | st.integers(min_value, max_value)


def channel_counts():
    """Mono, stereo and 5.1."""
    return st.sampled_from([1, 2, 6])


def wav_subtypes():
    """soundfile subtypes of WAV files (keys of `WAV_SUBTYPES`)."""
    return st.sampled_from(sorted(WAV_SUBTYPES))


# ----------------------------------------------------------------- waveforms

def _fill(shape, seed, scale, dtype=np.float32):
    """Noise plus a tone, finite and within [-scale, scale]."""
    gen = np.random.default_rng(seed)
    y = gen.uniform(-1.0, 1.0, size=shape)
    n = shape[-1]
    y = 0.5 * y + 0.5 * np.sin(2 * np.pi * gen.uniform(0.001, 0.2) * np.arange(n))
    return (scale * y).astype(dtype)


seeds = st.integers(0, 2**32 - 1)

#: Peak amplitudes from very quiet to nearly full scale.
amplitudes = st.sampled_from([1e-4, 1e-2, 0.1, 0.5, 0.9])


@st.composite
def waveforms(draw, min_samples=1, max_samples=4000, dtype=np.float32):
    """One 1-D waveform of random length, finite, peak below 1."""
    n = draw(st.integers(min_samples, max_samples))
    return _fill((n,), draw(seeds), draw(amplitudes), dtype)


@st.composite
def waveform_lists(draw, min_clips=1, max_clips=4, min_samples=1, max_samples=4000):
    """A list of 1-D float32 waveforms of different lengths."""
    n_clips = draw(st.integers(min_clips, max_clips))
    return [
        draw(waveforms(min_samples=min_samples, max_samples=max_samples))
        for _ in range(n_clips)
    ]


@st.composite
def batches(draw, min_clips=1, max_clips=4, min_samples=1, max_samples=4000):
    """A fixed-length batch ``(n_clips, n_samples)`` of float32 waveforms, each
    clip at its own loudness."""
    n_clips = draw(st.integers(min_clips, max_clips))
    n_samples = draw(st.integers(min_samples, max_samples))
    rows = [
        _fill((n_samples,), draw(seeds), draw(amplitudes)) for _ in range(n_clips)
    ]
    return np.stack(rows)


# ------------------------------------------------------------ feature arrays

@st.composite
def feature_arrays(draw, ranks=(3, 4), dtypes=(np.float32, np.float64),
                   max_clips=6, max_side=12):
    """A random float array of one of ``ranks``, its first axis indexing clips.

    Features get their own offsets and scales, as real features do. Rank 4 is
    ``(n_clips, n_mels, n_frames, n_channels)`` with 1 or 2 channels.
    """
    rank = draw(st.sampled_from(ranks))
    n_clips = draw(st.integers(2, max_clips))
    if rank == 4:
        tail = (
            draw(st.integers(1, max_side)), draw(st.integers(1, max_side)),
            draw(st.integers(1, 2)),
        )
    else:
        tail = tuple(draw(st.integers(1, max_side)) for _ in range(rank - 1))
    dtype = draw(st.sampled_from(dtypes))
    gen = np.random.default_rng(draw(seeds))
    X = gen.normal(size=(n_clips, *tail))
    X = X * gen.uniform(0.1, 100.0) + gen.uniform(-100.0, 100.0)
    return X.astype(dtype)


# ---------------------------------------------------------- parameter values

durations = st.floats(0.01, 1.0, allow_nan=False)
top_dbs = st.sampled_from([10.0, 20.0, 30.0, 60.0, 80.0])
n_ffts = st.sampled_from([256, 512, 1024, 2048])
hop_lengths = st.integers(32, 1024)
n_mels_values = st.integers(8, 128)
probabilities = st.floats(0.0, 1.0)
max_bins_values = st.integers(0, 20)
max_frames_values = st.integers(0, 30)
n_masks_values = st.integers(1, 4)


@st.composite
def snr_ranges(draw):
    """``(min_snr_db, max_snr_db)`` with min <= max, possibly equal."""
    low = draw(st.floats(-10.0, 50.0))
    high = draw(st.one_of(st.just(low), st.floats(low, 60.0)))
    return low, high


@st.composite
def feature_subsets(draw):
    """A non-empty subset of `FEATURE_NAMES` in random order."""
    return tuple(draw(st.permutations(FEATURE_NAMES))[:draw(st.integers(1, len(FEATURE_NAMES)))])


def n_mfcc_for(n_mels):
    """Valid ``n_mfcc`` values for ``n_mels`` mel bands."""
    return st.integers(1, min(n_mels, 40))


def max_contrast_bands(sr):
    """Most spectral-contrast bands FrameFeatures1D accepts at ``sr``: the last
    octave from 200 Hz must start below Nyquist."""
    n_bands = 1
    while 200.0 * 2.0 ** n_bands < sr / 2 and n_bands < 8:
        n_bands += 1
    return n_bands
