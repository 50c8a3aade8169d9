"""Loading: file paths or in-memory audio -> list of 1-D float32 waveforms,
or one recording of any length as consecutive blocks."""

from ._audio_loader import AudioLoader, AudioReadError, AudioReadWarning
from ._stream import stream_audio

__all__ = ["AudioLoader", "AudioReadError", "AudioReadWarning", "stream_audio"]
