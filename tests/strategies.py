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


@st.composite
def speaker_groups(draw, n_clips, max_speakers=4):
    """The speaker of each of ``n_clips`` clips: 1 to ``max_speakers``
    names, in any order, so that some speakers have a single clip."""
    names = SPEAKER_NAMES[:draw(st.integers(1, max_speakers))]
    return np.array(draw(st.lists(st.sampled_from(names), min_size=n_clips, max_size=n_clips)))


#: Speaker labels for `speaker_groups`.
SPEAKER_NAMES = ("ann", "bob", "cyd", "dee", "eve", "fay")


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


# ------------------------------------------------------------------- fuzzing

#: dtypes a user may hand a step, by mistake or on purpose (float32 and
#: float64, the usual ones, listed twice to be drawn more often).
FUZZ_DTYPES = (
    bool, np.int8, np.uint8, np.int16, np.int64, np.float16, np.float32, np.float64,
    np.float32, np.float64, np.complex64, np.complex128, object, str,
)

#: Real dtypes a valid input may come in.
PLAIN_DTYPES = (np.float32, np.float64, np.float16, np.int16, np.int64)

#: Values that break naive arithmetic: NaN, infinities, finite values that
#: overflow float32 or its squares, 32-bit PCM full scale, denormals, zeros.
SPECIAL_VALUES = (
    np.nan, np.inf, -np.inf, 1e300, -1e300, 3e38, -3e38, 1e30, 2.0**31, 1e-45, 5e-324,
    0.0, -0.0,
)

#: Overall scales of a fuzzed array, from quiet audio to overflowing squares.
FUZZ_SCALES = (1e-6, 0.5, 100.0, 1e25, 1e200)

#: Things that are not arrays at all.
NOT_ARRAYS = (None, 3.0, 7, "clip.wav", b"raw", {"a": 1.0}, {1.0, 2.0}, [], [None, None],
              [[]], [["a", "b"]], ({"x": 1},))


@st.composite
def fuzz_shapes(draw, ranks=(0, 1, 2, 3, 4, 5), max_clips=5, max_side=8, max_size=2000,
                min_side=0):
    """Shapes of a rank in ``ranks`` (list one twice to draw it more often),
    zero-sized axes included unless ``min_side``; the first axis has at most
    ``max_clips``, the others at most ``max_side``, and the whole at most
    ``max_size`` elements."""
    shape = []
    budget = max_size
    for axis in range(draw(st.sampled_from(ranks))):
        high = max(min_side, min(max_clips if axis == 0 else max_side, budget))
        side = draw(st.integers(min_side, high))
        shape.append(side)
        budget //= max(side, 1)
    return tuple(shape)


@st.composite
def fuzz_arrays(draw, shapes=fuzz_shapes(), dtypes=FUZZ_DTYPES, specials="maybe"):
    """An array of a drawn shape and dtype: noise at a sane scale, or at any
    scale with a few `SPECIAL_VALUES` dropped in (``specials``: "never",
    "always", or "maybe": half the time). Object arrays sometimes hold a
    non-number."""
    shape = draw(shapes)
    dtype = draw(st.sampled_from(dtypes))
    gen = np.random.default_rng(draw(seeds))
    X = np.empty(shape)  # an array even for shape (), which numpy makes a scalar
    if specials == "never" or (specials == "maybe" and draw(st.booleans())):
        X[...] = gen.normal(size=shape) * draw(st.sampled_from(FUZZ_SCALES[:3]))
    else:
        X[...] = gen.normal(size=shape) * draw(st.sampled_from(FUZZ_SCALES))
        for _ in range(draw(st.integers(1, 3)) if X.size else 0):
            X.flat[gen.integers(X.size)] = draw(st.sampled_from(SPECIAL_VALUES))
    # Casting NaN or 1e300 to an integer or float16 is part of the fuzzing.
    with np.errstate(all="ignore"):
        X = X.astype(dtype)
    if dtype is object and X.size and draw(st.booleans()):
        X.flat[gen.integers(X.size)] = draw(st.sampled_from([None, "a", {"k": 1}, 1j, [1.0]]))
    return X


@st.composite
def fuzz_inputs(draw, shapes=fuzz_shapes(), plain_shapes=None, dtypes=FUZZ_DTYPES):
    """Whatever a user might pass as X: fuzzed arrays (most often), the same
    as nested lists, ragged lists of 1-D arrays, and non-arrays.

    With ``plain_shapes`` (the shapes a step takes), a third of the draws are
    plain arrays of those shapes (real numbers at a sane scale), so that the
    valid path is fuzzed too, and a third are of those shapes but hold
    special values (NaN, 1e300, ...), so that they reach the value checks.
    """
    kinds = ["anything"] if plain_shapes is None else ["plain", "special", "anything"]
    kind = draw(st.sampled_from(kinds))
    if kind != "anything":
        specials = "never" if kind == "plain" else "always"
        return draw(fuzz_arrays(plain_shapes, dtypes=PLAIN_DTYPES, specials=specials))
    arrays = fuzz_arrays(shapes, dtypes)
    return draw(st.one_of(
        arrays,
        arrays,
        arrays.map(lambda X: X.tolist()),
        st.lists(fuzz_arrays(fuzz_shapes(ranks=(1,), max_clips=500), dtypes),
                 min_size=1, max_size=4),
        st.sampled_from(NOT_ARRAYS),
    ))


# ------------------------------------------------- valid and invalid parameters

def int_values(low, high, *, none_ok=False):
    """``(valid, invalid)`` strategies of an int parameter valid in
    ``[low, high]`` (or None): out-of-range ints, floats, NaN, strings."""
    valid = st.integers(low, high)
    wrong = [2.5, np.nan, np.inf, "3"] + ([] if none_ok else [None])
    return (
        valid | st.none() if none_ok else valid,
        st.integers(low - 1000, low - 1) | st.sampled_from(wrong),
    )


def real_values(low, high, *, open_low=False, none_ok=False):
    """``(valid, invalid)`` strategies of a float parameter valid in
    ``[low, high]`` (``(low, high]`` when ``open_low``) or None: below range,
    NaN, infinities, strings."""
    valid = st.floats(low, high, exclude_min=open_low)
    below = st.floats(low - 1e3, low, exclude_max=not open_low)
    wrong = [np.nan, np.inf, -np.inf, "0.5"] + ([] if none_ok else [None])
    return valid | st.none() if none_ok else valid, below | st.sampled_from(wrong)


def choice_values(valid, invalid):
    """``(valid, invalid)`` strategies from two lists of values."""
    return st.sampled_from(valid), st.sampled_from(invalid)


def preferring(values, spec):
    """``spec`` with its valid values drawn half the time from ``values``
    (typical settings that agree with the other parameters' defaults)."""
    valid, invalid = spec
    return st.sampled_from(values) | valid, invalid


BOOLEAN_VALUES = choice_values([True, False, np.True_], ["yes", None, 2])
P_VALUES = real_values(0.0, 1.0)
RANDOM_STATE_VALUES = (st.none() | st.integers(0, 2**32 - 1),
                       st.sampled_from(["seed", -1, 2**40, 1.5]))


@st.composite
def parameters(draw, spec, consistent=None):
    """Parameter values drawn from ``spec``, ``{name: (valid, invalid)}``.

    Returns ``(params, invalid_names)``: all values valid (half the time),
    exactly one invalid, or each one valid or not at random, so that both the
    valid path and each parameter's check are reached. ``consistent``, a
    strategy of whole parameter dicts, gives the all-valid draws where
    parameters must also agree with each other.
    """
    names = sorted(spec)
    mode = draw(st.sampled_from(["valid", "valid", "one", "any"]))
    if mode == "valid":
        invalid = set()
    elif mode == "one":
        invalid = {draw(st.sampled_from(names))}
    else:
        invalid = {name for name in names if draw(st.booleans())}
    if not invalid and consistent is not None:
        return draw(consistent), invalid
    params = {}
    for name in names:
        valid_values, invalid_values = spec[name]
        params[name] = draw(invalid_values if name in invalid else valid_values)
    return params, invalid


def fuzz_labels(n_clips):
    """Labels y for ``n_clips`` clips: good ones (strings or ints, possibly
    a single class), and wrong ones (another length, None, a scalar, 2-D,
    continuous or NaN values, mixed types)."""
    names = st.sampled_from(["angry", "happy", "sad"])
    return st.one_of(
        st.lists(names, min_size=n_clips, max_size=n_clips),
        st.lists(st.integers(0, 2), min_size=n_clips, max_size=n_clips).map(np.array),
        st.lists(names, min_size=n_clips, max_size=n_clips).map(lambda y: np.array(y)[:, None]),
        st.integers(0, n_clips + 2).flatmap(lambda n: st.lists(names, min_size=n, max_size=n)),
        st.sampled_from([None, "angry", 3]),
        st.just(np.zeros((n_clips, 2))),
        st.lists(st.floats(), min_size=n_clips, max_size=n_clips),
        st.lists(st.sampled_from(["a", 1, None, 2.5]), min_size=n_clips, max_size=n_clips)
        .map(lambda y: np.array(y, dtype=object)),
    )
