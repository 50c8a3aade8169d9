"""FrameFeatures1D: the 1-D feature space, one vector per frame, or pooled per clip.

Data contract
-------------
input : ``(n_clips, n_samples)`` float waveforms at ``sr``.
output : ``(n_clips, n_frames, n_features)`` float32 with ``aggregate=None``
    (for Conv1D), else ``(n_clips, n_functionals * n_features)`` float32 with
    names from `get_feature_names_out`, e.g. ``mfcc3_mean``.
``n_frames = 1 + n_samples // hop_length`` (``center=True``).
"""

import copy
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._frame_members import CHECKS, FEATURE_NAMES, FEATURES, Intermediates
from ._functionals import AGGREGATES, pool, resolve
from ._spectral import BaseSpectralFeatures

__all__ = ["FEATURE_NAMES", "FrameFeatures1D", "RECIPE_FEATURES"]

#: The CREMA-D course recipe's seven features, FrameFeatures1D's default.
RECIPE_FEATURES = ("zcr", "energy", "rms", "mfcc", "chroma", "contrast", "mel")
#: Frames of the delta filter (librosa.feature.delta's default width).
DELTA_WIDTH = 9
#: Fewest voiced frames a clip pools over with ``pool_frames="voiced"``
#: (80 ms at the default hop); a clip with fewer is pooled over all frames.
MIN_VOICED_FRAMES = 5


class FrameFeatures1D(BaseSpectralFeatures):
    """Per-frame spectral, prosodic and voice-quality features of each clip.

    Each clip's short-time Fourier transform is computed once and every
    spectral feature, the pitch track included, is derived from it; the
    time-domain features share one framing. Frames are aligned across
    features (all centred, same ``n_fft`` and ``hop_length``). Each feature
    is declared once (``skser/features/_frame_members.py``: name, width, the
    intermediates it needs, one function); intermediates are computed once
    per chunk of clips, only when a requested feature needs them.

    ===========  ===========  =================================================
    feature      columns      definition (librosa equivalent on one clip)
    ===========  ===========  =================================================
    zcr          1            ``feature.zero_crossing_rate(y, frame_length=n_fft)``
    energy       1            sum of squared samples in the frame (= n_fft * rms²)
    rms          1            ``feature.rms(y=y, frame_length=n_fft)``
    mfcc         n_mfcc       ``feature.mfcc(y=y, n_mfcc, n_mels, ...)`` (top_db=80)
    chroma       n_chroma     ``feature.chroma_stft(y=y, tuning=0.0, ...)``
    contrast     n_bands + 1  ``feature.spectral_contrast(y=y, n_bands, ...)``
    mel          n_mels       ``power_to_db(feature.melspectrogram(y=y, ...))``
                              (dB re 1.0, floored ``top_db`` below the clip's peak)
    f0           1            pitch in semitones above 27.5 Hz (Boersma's
                              autocorrelation method, ``f0_min`` to ``f0_max``)
    voicing      1            voicing probability: the peak normalised
                              autocorrelation, in [0, 1]
    voiced       1            1 in voiced frames, else 0
    hnr          1            harmonics-to-noise ratio in dB, ``10 log10(r / (1 - r))``
    jitter       1            local jitter: mean absolute difference of consecutive
                              glottal cycle lengths over their mean
    shimmer      1            local shimmer: mean absolute dB difference of
                              consecutive cycles' peak amplitudes
    loudness     1            sum over mel bands of band power to the 0.3
    centroid     1            ``feature.spectral_centroid(y=y, ...)`` in Hz
    bandwidth    1            ``feature.spectral_bandwidth(y=y, ...)`` in Hz
    rolloff      1            ``feature.spectral_rolloff(y=y, roll_percent=0.85)``
    flatness     1            ``feature.spectral_flatness(y=y, ...)``
    flux         1            distance between consecutive L2-normalised
                              magnitude spectra (0 in the first frame)
    slope        2            spectral slope 0-500 Hz and 500-1500 Hz (dB/kHz)
    alpha_ratio  1            power 50-1000 Hz over 1-5 kHz, in dB
    hammarberg   1            strongest bin 0-2 kHz over strongest 2-5 kHz, in dB
    ===========  ===========  =================================================

    Pitch is tracked as Praat's ``To Pitch (ac)`` does: the frame's
    autocorrelation divided by the window's; its highest peak between lags
    ``sr / f0_max`` and ``sr / f0_min`` (with Praat's octave cost) gives the
    period, and a frame is voiced where that peak exceeds 0.45 and the frame
    is within 30 dB of the clip's loudest. F0, HNR, jitter and shimmer are
    undefined in unvoiced frames: they read 0 in per-frame output and are
    left out of pooled statistics. Jitter and shimmer come from the
    waveform's cycle peaks in each frame's window.

    Chroma uses ``tuning=0.0``: estimating a musical tuning offset from speech
    is meaningless, and estimating it from a batch would couple the clips.

    The step is stateless: ``fit`` only validates parameters and records the
    clip length.

    Parameters
    ----------
    sr : int, default=16000
        Sampling rate of the input in Hz.
    features : tuple of str, default=("zcr", "energy", "rms", "mfcc", "chroma", "contrast", "mel")
        Which features to compute, in output order; any non-empty subset of
        `FEATURE_NAMES`, each at most once. The default is the CREMA-D course
        recipe's seven (`RECIPE_FEATURES`).
    deltas : bool or tuple of str, default=()
        Features (from ``features``) whose first-order deltas
        (`librosa.feature.delta`, 9 frames) follow all the features, named
        ``{column}_delta``; True means every feature, in ``features`` order.
    n_mfcc : int, default=20
        Number of MFCCs.
    n_mels : int, default=128
        Number of mel bands (for ``mel``, ``mfcc`` and ``loudness``).
    n_chroma : int, default=12
        Number of chroma bins.
    n_bands : int, default=6
        Number of spectral-contrast bands (gives ``n_bands + 1`` columns).
    f0_min : float, default=60.0
        Lowest pitch searched, in Hz. The pitch tracker needs two of its
        periods in a frame: where ``win_length`` (or ``n_fft``) is shorter,
        it analyses the same frames through a longer window (the next power
        of two), at the cost of one more STFT.
    f0_max : float, default=600.0
        Highest pitch searched, in Hz.
    n_fft : int, default=1024
        FFT size in samples, also the frame length of zcr/energy/rms.
    hop_length : int, default=256
        Hop between frames in samples.
    win_length : int or None, default=None
        Window length (None means ``n_fft``).
    window : str, default="hann"
        Window function name (`scipy.signal.get_window`).
    center : bool, default=True
        Centre frames on their time stamps (pads the signal by ``n_fft // 2``).
    fmin : float, default=0.0
        Lowest mel frequency in Hz.
    fmax : float or None, default=None
        Highest mel frequency in Hz (None means ``sr / 2``).
    top_db : float or None, default=80.0
        Dynamic range kept in the dB mel features below each clip's peak.
    cepstral_root : float or None, default=None
        How ``mfcc`` compresses the mel power before its DCT. None: the log
        (dB, 80 dB below the clip's peak), as `librosa.feature.mfcc`. A
        number ``r >= 1``: the ``r``-th root, giving root cepstra (Alexandre
        and Lockwood, 1993; PNCC's power law is the 15th root). The log
        stretches the quiet parts of the spectrum, which broadband noise
        fills first, as far as the loud ones; a root compresses them, so
        noise moves root cepstra less. A root is not scale-invariant: put a
        level step (`LevelNormalizer`) in front. The robust statistics
        model uses the cube root (``docs/robustness.md``).
    contrast_root : float or None, default=None
        How ``contrast`` compares each octave band's loudest and quietest
        bins. None: their levels' difference in dB, as
        `librosa.feature.spectral_contrast`. A number ``r >= 1``: the
        difference of their powers' ``r``-th roots. The quietest bins, between
        the harmonics, are the ones broadband noise fills first; in dB their
        filling halves a band's contrast, under a root it moves it by the
        root of the noise's power. Like root cepstra it is not
        scale-invariant: put a level step in front. The robust statistics
        model uses the cube root (``docs/robustness.md``).
    aggregate : {None, "mean", "mean_std", "functionals"} or tuple of str, default=None
        None keeps frames, ``(n_clips, n_frames, n_features)``; otherwise
        frames are pooled into a 2-D table for classical models by these
        functionals: ``"mean"``, ``"mean_std"``, ``"functionals"`` (mean,
        std, 20th, 50th and 80th percentiles, 20-80 range and slope per
        second: eGeMAPS' set), or a tuple of names from ``mean, std, p20,
        p50, p80, range20_80, slope, skew, kurtosis``.
    skip_silent_frames : bool, default=True
        Pooled statistics leave out frames that hold only zeros (the padding
        `TrimPad` adds), so that they describe the utterance, not how much
        padding it got. A clip of zeros keeps all its frames. No effect with
        ``aggregate=None``.
    pool_frames : {"all", "voiced"}, default="all"
        Which frames the pooled statistics read. ``"all"``: every frame
        (less the padding, with ``skip_silent_frames``). ``"voiced"``: every
        feature but ``voiced`` and ``voicing`` (which say how much of the
        clip is voiced, over all its frames) is pooled over the clip's voiced
        frames only, as eGeMAPS pools its spectral parameters over voiced
        segments: pauses and unvoiced stretches, which background noise fills
        first, no longer enter the statistics. A clip with fewer than 5
        voiced frames is pooled over all its frames. Deltas are computed on
        the whole sequence, then pooled the same way. No effect with
        ``aggregate=None``.
    n_jobs : int or None, default=None
        Parallel jobs over chunks of 32 clips: joblib threads (the work
        releases the GIL), or the backend set with `joblib.parallel_config`.
    verbose : int, default=0
        A positive value shows a progress bar over clips (tqdm, on stderr
        when it is a terminal).

    Attributes
    ----------
    n_features_in_ : int
        Number of samples per clip seen in fit.

    See Also
    --------
    MelSpectrogram2D : The 2-D (image) feature space.

    Examples
    --------
    >>> import numpy as np
    >>> from skser import FrameFeatures1D
    >>> X = np.random.default_rng(0).normal(size=(2, 16000)).astype("float32")
    >>> FrameFeatures1D().fit_transform(X).shape
    (2, 63, 170)
    >>> ff = FrameFeatures1D(features=("rms", "mfcc"), n_mfcc=4, aggregate="mean_std")
    >>> ff.fit_transform(X).shape, list(ff.get_feature_names_out()[:3])
    ((2, 10), ['rms_mean', 'mfcc0_mean', 'mfcc1_mean'])
    >>> ff = FrameFeatures1D(features=("f0", "hnr"), deltas=("f0",), aggregate="functionals")
    >>> ff.fit_transform(X).shape, list(ff.get_feature_names_out()[:3])
    ((2, 21), ['f0_mean', 'hnr_mean', 'f0_delta_mean'])
    """

    _parameter_constraints = {
        **BaseSpectralFeatures._parameter_constraints,
        "features": [tuple, list],
        "deltas": ["boolean", tuple, list],
        "n_mfcc": [Interval(Integral, 1, None, closed="left")],
        "n_chroma": [Interval(Integral, 1, None, closed="left")],
        "n_bands": [Interval(Integral, 1, None, closed="left")],
        "f0_min": [Interval(Real, 0, None, closed="neither")],
        "f0_max": [Interval(Real, 0, None, closed="neither")],
        "aggregate": [StrOptions(set(AGGREGATES)), tuple, list, None],
        "skip_silent_frames": ["boolean"],
        "pool_frames": [StrOptions({"all", "voiced"})],
        "cepstral_root": [Interval(Real, 1, None, closed="left"), None],
        "contrast_root": [Interval(Real, 1, None, closed="left"), None],
    }

    def __init__(
        self, *, sr=16000, features=RECIPE_FEATURES, deltas=(), n_mfcc=20, n_mels=128,
        n_chroma=12, n_bands=6, f0_min=60.0, f0_max=600.0, n_fft=1024, hop_length=256,
        win_length=None, window="hann", center=True, fmin=0.0, fmax=None, top_db=80.0,
        cepstral_root=None, contrast_root=None, aggregate=None, skip_silent_frames=True,
        pool_frames="all", n_jobs=None, verbose=0,
    ):
        self.sr = sr
        self.features = features
        self.deltas = deltas
        self.n_mfcc = n_mfcc
        self.n_mels = n_mels
        self.n_chroma = n_chroma
        self.n_bands = n_bands
        self.f0_min = f0_min
        self.f0_max = f0_max
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.win_length = win_length
        self.window = window
        self.center = center
        self.fmin = fmin
        self.fmax = fmax
        self.top_db = top_db
        self.cepstral_root = cepstral_root
        self.contrast_root = contrast_root
        self.aggregate = aggregate
        self.skip_silent_frames = skip_silent_frames
        self.pool_frames = pool_frames
        self.n_jobs = n_jobs
        self.verbose = verbose

    def __setstate__(self, state):
        # Models saved before ``cepstral_root``, ``contrast_root`` and
        # ``pool_frames`` existed computed log cepstra and librosa's contrast,
        # pooled over all frames.
        super().__setstate__({"cepstral_root": None, "contrast_root": None,
                              "pool_frames": "all", **state})

    def _check_params(self):
        super()._check_params()
        features = list(self.features)
        unknown = [f for f in features if f not in FEATURES]
        if not features or unknown:
            raise ValueError(
                f"features must be a non-empty subset of {FEATURE_NAMES}; got "
                f"{tuple(self.features)!r}" + (f" (unknown: {unknown})." if unknown else ".")
            )
        if len(set(features)) != len(features):
            raise ValueError(f"features lists a feature twice: {tuple(self.features)!r}.")
        deltas = self._deltas()
        stray = [f for f in deltas if f not in features]
        if stray or len(set(deltas)) != len(deltas):
            raise ValueError(
                f"deltas must name features of features={tuple(self.features)!r}, each at "
                f"most once; got {tuple(self.deltas)!r}"
                + (f" ({stray} not computed)." if stray else ".")
            )
        if self.aggregate is not None:
            resolve(self.aggregate)
        for need in self._needs():
            if need in CHECKS:
                CHECKS[need](self)

    def _needs(self):
        """The intermediates (and member checks) of the requested features, in
        order (and the pitch track that voiced pooling reads)."""
        needs = [n for f in self.features for n in FEATURES[f].needs]
        if self.aggregate is not None and self.pool_frames == "voiced":
            needs.append("pitch")
        return list(dict.fromkeys(needs))

    def _deltas(self):
        if isinstance(self.deltas, (bool, np.bool_)):
            return list(self.features) if self.deltas else []
        return list(self.deltas)

    def _columns(self, feature):
        width = FEATURES[feature].width(self)
        return [feature] if width == 1 else [f"{feature}{i}" for i in range(width)]

    def _frame_feature_names(self):
        names = [c for f in self.features for c in self._columns(f)]
        return names + [f"{c}_delta" for f in self._deltas() for c in self._columns(f)]

    def get_feature_names_out(self, input_features=None):
        """Names of the output features.

        With ``aggregate=None`` these name the last axis of the 3-D output
        (``zcr``, ``mfcc0``, ..., then ``mfcc0_delta``, ...); otherwise the
        columns of the 2-D output (``mfcc3_mean``, ``mfcc3_std``, ...: every
        feature's first functional, then every feature's second, ...).

        Parameters
        ----------
        input_features : ignored

        Returns
        -------
        feature_names_out : np.ndarray of str
        """
        self._check_params()
        names = self._frame_feature_names()
        if self.aggregate is not None:
            names = [f"{n}_{stat}" for stat in resolve(self.aggregate) for n in names]
        return np.asarray(names, dtype=object)

    #: Parameters that only the last step of a member reads (how ``mfcc`` and
    #: ``contrast`` compress what every step shares): steps that differ in
    #: them share their spectra, pitch and filterbanks, not their frames.
    _COMPRESSION = ("cepstral_root", "contrast_root")

    def _shared_frames_key(self):
        """What decides the intermediates before pooling: steps with equal
        keys compute the same spectra, pitch and filterbank products, and
        `_transform_shared` computes them once for all (e.g. a pooled and a
        per-frame view of the same features, with or without root
        compression)."""
        params = self.get_params(deep=False)
        for name in ("aggregate", "skip_silent_frames", "pool_frames", "n_jobs", "verbose",
                     *self._COMPRESSION):
            del params[name]
        return type(self), repr(sorted(params.items()))

    @classmethod
    def _transform_shared(cls, steps, X):
        """``[step.transform(X) for step in steps]``, the frames computed once.

        ``steps`` agree on `_shared_frames_key` (they differ at most in
        ``aggregate``, ``skip_silent_frames``, ``pool_frames``, ``n_jobs``, ``verbose``,
        ``cepstral_root`` and ``contrast_root``; the first step's ``n_jobs``
        and ``verbose`` run the pass). The intermediates (spectra, pitch,
        filterbank products) are computed once; the frames once per
        compression (``cepstral_root``, ``contrast_root``). Each output is
        bit-identical to that step's own ``transform``: the frames of a clip
        do not depend on the other clips, and each view is finished from its
        own copy of them."""
        if len({step._shared_frames_key() for step in steps}) != 1:
            raise ValueError("_transform_shared takes FrameFeatures1D steps that differ at "
                             "most in aggregate, skip_silent_frames, pool_frames, n_jobs, verbose, "
                             "cepstral_root and contrast_root.")
        first = steps[0]
        X = first._check_transform_input(X)
        for step in steps[1:]:
            step._check_transform_input(X)

        keys = [tuple(getattr(step, name) for name in cls._COMPRESSION) for step in steps]

        def views(chunk):
            shared = Intermediates(chunk, first, needs=frozenset(first._needs()))
            frames, out = {}, []
            for i, (step, key) in enumerate(zip(steps, keys)):
                if key not in frames:
                    frames[key] = step._frames_chunk(chunk, shared=shared)
                last_use = key not in keys[i + 1:]
                out.append(step._finish_chunk(frames[key] if last_use else frames[key].copy(),
                                              chunk, shared))
            return tuple(out)

        return list(first._map_chunks(views, X))

    def _transform_chunk(self, X):
        shared = Intermediates(X, self, needs=frozenset(self._needs()))
        return self._finish_chunk(self._frames_chunk(X, shared=shared), X, shared)

    def _frames_chunk(self, X, shared=None):
        """``(n_clips, n_frames, n_features)`` frames of a chunk, NaN where a
        value is undefined (F0 of unvoiced frames, ...); ``shared``: the
        `Intermediates` of a step with the same `_shared_frames_key`, whose
        computed spectra, pitch and filterbank products are reused."""
        if shared is None:
            shared = Intermediates(X, self, needs=frozenset(self._needs()))
        elif shared.p is not self:
            # What the other step computed so far, read with this step's
            # parameters (they differ at most in how members compress it).
            shared = copy.copy(shared)
            shared.p = self
        columns = {f: FEATURES[f].compute(shared) for f in self.features}
        n_frames = next(iter(columns.values())).shape[1]
        widths = [columns[f].shape[-1] for f in self.features]
        deltas = self._deltas()
        n_out = sum(widths) + sum(columns[f].shape[-1] for f in deltas)
        # (n_clips, n_frames, n_features): the Conv1D layout, filled in place.
        out = np.empty((X.shape[0], n_frames, n_out), dtype=np.float32)
        start = 0
        for feature in self.features:
            out[..., start:start + columns[feature].shape[-1]] = columns[feature]
            start += columns[feature].shape[-1]
        for feature in deltas:
            out[..., start:start + columns[feature].shape[-1]] = _delta(columns[feature])
            start += columns[feature].shape[-1]
        return out

    def _finish_chunk(self, out, X, shared):
        """The output of a chunk ``X`` from its frames ``out`` (overwritten);
        ``shared``: its `Intermediates` (voiced pooling reads the pitch track)."""
        if self.aggregate is None:
            # Undefined values (F0 of unvoiced frames, ...) read 0 per frame.
            return np.nan_to_num(out, copy=False, nan=0.0)
        if self.skip_silent_frames:
            silent = _silent_frames(X, out.shape[1], frame_length=self.n_fft,
                                    hop_length=self.hop_length, center=self.center)
            # A clip of zeros keeps its frames: its statistics are then defined.
            silent &= ~silent.all(axis=1, keepdims=True)
            out[silent] = np.nan
        if self.pool_frames == "voiced":
            unvoiced = ~shared.pitch.voiced
            if unvoiced.shape != out.shape[:2]:
                raise AssertionError(f"pitch frames {unvoiced.shape} != frames {out.shape[:2]}")
            # Clips with too few voiced frames keep all of theirs.
            unvoiced &= (~unvoiced).sum(axis=1, keepdims=True) >= MIN_VOICED_FRAMES
            pooled_voiced = np.asarray([not n.startswith(("voiced", "voicing"))
                                        for n in self._frame_feature_names()])
            out[unvoiced[:, :, np.newaxis] & pooled_voiced] = np.nan
        return pool(out, resolve(self.aggregate), frame_seconds=self.hop_length / self.sr)


def _delta(values):
    """`librosa.feature.delta` along frames (axis 1), also where values are NaN.

    librosa's delta (``mode="interp"``, order 1) is a Savitzky-Golay filter
    of polynomial order 1: inside, ``sum(k * x[t + k]) / sum(k**2)`` over the
    ``width`` frames around ``t``; in the first and last ``width // 2``
    frames the slope of the line fitted to the edge window, which is the
    inner value nearest to them. Computed directly, a NaN (an unvoiced
    frame's F0) makes only the deltas whose window reaches it NaN, where
    scipy's filter refuses the whole array.
    """
    n_frames = values.shape[1]
    width = min(DELTA_WIDTH, n_frames if n_frames % 2 else n_frames - 1)
    if width < 3:
        return np.zeros_like(values)
    half = width // 2
    k = np.arange(-half, half + 1, dtype=np.float64)
    inner = np.zeros((values.shape[0], n_frames - 2 * half) + values.shape[2:])
    for weight, shift in zip(k / np.sum(k * k), range(width)):
        if weight:
            inner += weight * values[:, shift:shift + inner.shape[1]]
    return np.concatenate(
        [np.repeat(inner[:, :1], half, axis=1), inner, np.repeat(inner[:, -1:], half, axis=1)],
        axis=1,
    )


def _silent_frames(X, n_frames, *, frame_length, hop_length, center):
    """``(n_clips, n_frames)`` bool: frames whose samples are all exactly zero
    (counted exactly, from a cumulative count of non-zero samples)."""
    nonzero = X != 0
    if center:
        nonzero = np.pad(nonzero, [(0, 0), (frame_length // 2, frame_length // 2)])
    counts = np.zeros((X.shape[0], nonzero.shape[1] + 1), dtype=np.int64)
    np.cumsum(nonzero, axis=1, out=counts[:, 1:])
    starts = np.arange(n_frames) * hop_length
    ends = np.minimum(starts + frame_length, nonzero.shape[1])
    return (counts[:, ends] - counts[:, starts]) == 0
