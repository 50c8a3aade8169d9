"""Preprocessing: variable-length waveforms -> fixed-length batches, and
feature standardisation for 2-D, 3-D and 4-D feature arrays (over all clips,
or per speaker)."""

from ._scaler import StandardScalerND
from ._speaker_scaler import SpeakerStandardScaler
from ._trim_pad import TrimPad

__all__ = ["SpeakerStandardScaler", "StandardScalerND", "TrimPad"]
