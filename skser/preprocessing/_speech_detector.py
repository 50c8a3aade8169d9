"""SpeechDetector: whether a clip holds speech at all.

Data contract
-------------
input : list of n_clips 1-D waveforms at ``sr`` (what `AudioLoader` gives, any
    lengths) or an array ``(n_clips, n_samples)`` (what `TrimPad` gives).
output : `SpeechDetector.predict`: bool ``(n_clips,)``;
    `SpeechDetector.decision_function`: float64 ``(n_clips,)``;
    `SpeechDetector.measure`: a dict of ``(n_clips,)`` arrays, the evidence.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._param_validation import Interval

from .._validation import check_waveform_list
from ..features._dsp import power_spectrogram, stft_window
from ..features._pitch import SILENCE_DB, check_pitch_range, pitch_frame_length, track_pitch

__all__ = ["SpeechDetector"]

#: Hop between analysis frames, in seconds.
HOP_SECONDS = 0.01
#: Span over which F0's change is measured, in seconds.
SLOPE_SECONDS = 0.05
#: Lowest margin `decision_function` reports, as log10 of a ratio: a factor
#: of 1000 below a threshold is as far from speech as it matters.
MIN_MARGIN = -3.0
_POWER_FLOOR = 1e-20  # -200 dBFS: digital silence


class SpeechDetector(BaseEstimator):
    """Tell clips that hold speech from silence, noise, tones, hum and music.

    A clip holds speech when it passes three tests, in this order:

    1. **Level.** Its loudest frame is at least ``min_level_dbfs``. Below it
       a clip is silent: digital silence, a disconnected input, a noise
       floor. Levels are the frame's mean square in dB relative to a
       full-scale square wave (a full-scale sine reads -3 dBFS), DC and
       rumble below ``f0_min / 2`` left out.
    2. **Voice.** skser's pitch tracker (Boersma's autocorrelation method,
       as in `FrameFeatures1D`'s ``f0``) finds a periodic voice in at least
       ``min_voiced_fraction`` of the active frames (those within 30 dB of
       the loudest) and in at least ``min_voiced_seconds`` in all. Noise,
       white, pink or brown, is aperiodic: a few per cent of its frames at
       most.
    3. **Moving pitch.** The voice's F0 glides as intonation does: the
       median absolute change of F0 over 50 ms, within stretches of voiced
       frames, is at least ``min_f0_slope_semitones_per_second``. A tone, a
       chord, mains hum or the notes of a melody hold their pitch between
       jumps (1.1 semitones per second at most in 1000 synthetic melodies);
       every clip of RAVDESS, EmoDB and SAVEE moves by 3.3 or more, of the
       demo corpus by 2.3 or more.

    Tests 2 and 3 are ratios: they do not depend on the clip's level, only
    test 1 does. The step learns nothing: ``fit`` only validates the
    parameters. Thresholds and measured acceptance are in
    docs/pipeline.md ("Is there speech at all?"); what passes though it is
    not speech: singing, and instruments with vibrato or gliding pitch.

    Parameters
    ----------
    sr : int, default=16000
        Sampling rate of the input waveforms in Hz.
    min_level_dbfs : float, default=-60.0
        Lowest level of the loudest frame of a clip with speech, in dBFS.
        The quietest clip of the three corpora reads -54.6 dBFS.
    min_voiced_fraction : float, default=0.1
        Lowest share of the active frames that must be voiced. Speech:
        0.26 or more in every corpus clip; noise: 0.023 at most.
    min_voiced_seconds : float, default=0.2
        Least voiced time in all, in seconds, about one stressed vowel. Keeps
        a short burst of noise with a few voiced-looking frames out.
    min_f0_slope_semitones_per_second : float, default=1.5
        Lowest median absolute F0 change over 50 ms of voice, in semitones
        per second.
    f0_min : float, default=60.0
        Lowest F0 the pitch tracker looks for, in Hz.
    f0_max : float, default=600.0
        Highest F0 the pitch tracker looks for, in Hz.

    See Also
    --------
    EnergyVAD : Where in a long recording the loud parts are.
    TrimPad : Trims silence and fixes the length of each clip.

    Examples
    --------
    >>> import numpy as np
    >>> sr = 16000
    >>> t = np.arange(2 * sr) / sr
    >>> hum = 0.1 * np.sin(2 * np.pi * 100 * t)
    >>> noise = 0.1 * np.random.default_rng(0).standard_normal(t.size)
    >>> detector = SpeechDetector(sr=sr)
    >>> detector.predict([hum, noise, np.zeros(sr)])
    array([False, False, False])
    >>> list(detector.measure([np.zeros(sr)])["reason"])
    ['silent: loudest frame -200 dBFS, below -60']
    """

    _parameter_constraints = {
        "sr": [Interval(Integral, 1, None, closed="left")],
        "min_level_dbfs": [Interval(Real, None, 0, closed="right")],
        "min_voiced_fraction": [Interval(Real, 0, 1, closed="right")],
        "min_voiced_seconds": [Interval(Real, 0, None, closed="neither")],
        "min_f0_slope_semitones_per_second": [Interval(Real, 0, None, closed="neither")],
        "f0_min": [Interval(Real, 0, None, closed="neither")],
        "f0_max": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self, *, sr=16000, min_level_dbfs=-60.0, min_voiced_fraction=0.1,
        min_voiced_seconds=0.2, min_f0_slope_semitones_per_second=1.5, f0_min=60.0,
        f0_max=600.0,
    ):
        self.sr = sr
        self.min_level_dbfs = min_level_dbfs
        self.min_voiced_fraction = min_voiced_fraction
        self.min_voiced_seconds = min_voiced_seconds
        self.min_f0_slope_semitones_per_second = min_f0_slope_semitones_per_second
        self.f0_min = f0_min
        self.f0_max = f0_max

    def _check_params(self):
        self._validate_params()
        check_pitch_range(sr=self.sr, f0_min=self.f0_min, f0_max=self.f0_max)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X=None, y=None):
        """Validate the parameters; the detector learns nothing.

        Parameters
        ----------
        X : ignored
        y : ignored

        Returns
        -------
        self : SpeechDetector
        """
        self._check_params()
        return self

    def measure(self, X):
        """What the decision rests on, per clip.

        Parameters
        ----------
        X : list of np.ndarray [shape=(n_samples_i,)] or np.ndarray [shape=(n_clips, n_samples)]
            Mono waveforms at ``sr``.

        Returns
        -------
        evidence : dict of np.ndarray [shape=(n_clips,)]
            ``"level_dbfs"``: level of the loudest frame (test 1);
            ``"voiced_fraction"`` and ``"voiced_seconds"``: voiced share of
            the active frames and voiced time (test 2);
            ``"f0_slope_semitones_per_second"``: median absolute F0 change
            over 50 ms of voice, 0 where no voiced stretch is that long
            (test 3); ``"score"``: `decision_function`; ``"speech"``:
            `predict`; ``"reason"``: why a clip holds no speech, with the
            measured value and its threshold ("silent: ...", "no voice:
            ...", "steady pitch: ..."), or ``""`` for speech.
        """
        self._check_params()
        waveforms = check_waveform_list(X)
        n_fft = pitch_frame_length(sr=self.sr, f0_min=self.f0_min, frame_length=0)
        hop = max(1, int(round(HOP_SECONDS * self.sr)))
        rows = [self._measure_one(y, n_fft=n_fft, hop=hop) for y in waveforms]
        level, fraction, seconds, slope = (np.array(c, dtype=np.float64) for c in zip(*rows))
        with np.errstate(divide="ignore"):
            margins = np.stack([
                (level - self.min_level_dbfs) / 20,
                np.log10(fraction / self.min_voiced_fraction),
                np.log10(seconds / self.min_voiced_seconds),
                np.log10(slope / self.min_f0_slope_semitones_per_second),
            ])
        score = np.maximum(margins, MIN_MARGIN).min(axis=0)
        speech = (margins >= 0).all(axis=0)
        reason = np.array([self._reason(*row) for row in rows], dtype=object)
        reason[speech] = ""
        return {"level_dbfs": level, "voiced_fraction": fraction, "voiced_seconds": seconds,
                "f0_slope_semitones_per_second": slope, "score": score, "speech": speech,
                "reason": reason}

    def decision_function(self, X):
        """How clearly each clip holds speech.

        The margin of the test a clip passes worst, as log10 of the ratio of
        measured value to threshold (the level's in dB over 20, the same
        scale): positive when every test passes, 1 when the weakest is ten
        times above its threshold, floored at -3.

        Parameters
        ----------
        X : list of np.ndarray [shape=(n_samples_i,)] or np.ndarray [shape=(n_clips, n_samples)]
            Mono waveforms at ``sr``.

        Returns
        -------
        score : np.ndarray [shape=(n_clips,), dtype=float64]
            ``score >= 0`` exactly where `predict` is True.
        """
        return self.measure(X)["score"]

    def predict(self, X):
        """Whether each clip holds speech.

        Parameters
        ----------
        X : list of np.ndarray [shape=(n_samples_i,)] or np.ndarray [shape=(n_clips, n_samples)]
            Mono waveforms at ``sr``.

        Returns
        -------
        speech : np.ndarray [shape=(n_clips,), dtype=bool]
            True where the clip passes all three tests.
        """
        return self.measure(X)["speech"]

    def _measure_one(self, y, *, n_fft, hop):
        """``(level_dbfs, voiced_fraction, voiced_seconds, f0_slope)`` of one clip."""
        window = stft_window("hann", n_fft, n_fft)
        power = power_spectrogram(y[np.newaxis], n_fft=n_fft, hop_length=hop)
        track = track_pitch(power, sr=self.sr, window=window, f0_min=self.f0_min,
                            f0_max=self.f0_max)
        # Parseval: the one-sided spectrum's bins count twice (but Nyquist),
        # over n_fft * sum(window**2) it is the frame's weighted mean square.
        # DC and rumble are left out, as the pitch tracker leaves them out.
        weights = np.full(power.shape[-1], 2.0)
        weights[-1] = 1.0
        weights[:int(np.ceil(0.5 * self.f0_min * n_fft / self.sr))] = 0.0
        mean_square = (power[0] @ weights) / (n_fft * np.sum(np.square(window)))
        db = 10 * np.log10(np.maximum(mean_square, _POWER_FLOOR))
        active = db > db.max() - SILENCE_DB
        voiced = track.voiced[0]
        # F0 changes over 50 ms rather than one hop: a glide adds up over
        # the span, the tracker's frame-to-frame noise on a steady note does
        # not (the demo corpus's lowest over synthetic music's highest: 3.1
        # instead of 1.7).
        lag = max(1, int(round(SLOPE_SECONDS / HOP_SECONDS)))
        semitones = 12 * np.log2(np.where(voiced, track.f0[0], 1.0))
        run = np.cumsum(~voiced)  # equal within one stretch of voiced frames
        same = voiced[lag:] & (run[lag:] == run[:-lag])
        change = np.abs(semitones[lag:] - semitones[:-lag])[same]
        slope = float(np.median(change)) / (lag * HOP_SECONDS) if change.size else 0.0
        return (float(db.max()), float(voiced[active].mean()),
                float(voiced.sum() * hop / self.sr), slope)

    def _reason(self, level, fraction, seconds, slope):
        if level < self.min_level_dbfs:
            return f"silent: loudest frame {level:.0f} dBFS, below {self.min_level_dbfs:g}"
        if fraction < self.min_voiced_fraction or seconds < self.min_voiced_seconds:
            return (f"no voice: {fraction:.0%} of the sound voiced ({seconds:.2f} s), below "
                    f"{self.min_voiced_fraction:.0%} or {self.min_voiced_seconds:g} s; noise?")
        return (f"steady pitch: F0 moves {slope:.2f} semitones/s, below "
                f"{self.min_f0_slope_semitones_per_second:g}; a tone, hum or music?")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags
