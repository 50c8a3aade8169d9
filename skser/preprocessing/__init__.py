"""Preprocessing: variable-length waveforms -> fixed-length batches, and
feature standardisation for 2-D, 3-D and 4-D feature arrays."""

from ._scaler import StandardScalerND
from ._trim_pad import TrimPad

__all__ = ["StandardScalerND", "TrimPad"]
