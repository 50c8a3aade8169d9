"""Loading: file paths or in-memory audio -> list of 1-D float32 waveforms."""

from ._audio_loader import AudioLoader, AudioReadError, AudioReadWarning

__all__ = ["AudioLoader", "AudioReadError", "AudioReadWarning"]
