"""Preprocessing: variable-length waveforms -> fixed-length batches, where a
recording holds speech, whether a clip holds any at all, every clip at one
speech level, one frequency band (a phone line's), and feature
standardisation for 2-D, 3-D and 4-D feature arrays (over all clips, or per
speaker or per recording domain)."""

from ._band_pass import BandPass
from ._domain_scaler import DomainStandardScaler
from ._level import LevelNormalizer
from ._scaler import StandardScalerND
from ._speaker_scaler import SpeakerStandardScaler
from ._speech_detector import SpeechDetector
from ._trim_pad import TrimPad
from ._voice_activity import EnergyVAD

__all__ = [
    "BandPass", "DomainStandardScaler", "EnergyVAD", "LevelNormalizer", "SpeakerStandardScaler", "SpeechDetector",
    "StandardScalerND", "TrimPad",
]
