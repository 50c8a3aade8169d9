"""Features: fixed-length waveforms -> per-frame features or log-mel images.

=====================  ====================================  ===================================
step                   input                                  output
=====================  ====================================  ===================================
`FrameFeatures1D`      ``(n_clips, n_samples)``               ``(n_clips, n_frames, n_features)``
                                                              or ``(n_clips, n_stats)``
`MelSpectrogram2D`     ``(n_clips, n_samples)``               ``(n_clips, n_mels, n_frames, 1)``
=====================  ====================================  ===================================
"""

from ._frame_features import FEATURE_NAMES, RECIPE_FEATURES, FrameFeatures1D
from ._mel_spectrogram import MelSpectrogram2D

__all__ = ["FEATURE_NAMES", "FrameFeatures1D", "MelSpectrogram2D", "RECIPE_FEATURES"]
