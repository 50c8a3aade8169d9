"""skser: speech emotion recognition that speaks scikit-learn.

Data flow, one contract per stage::

    paths --AudioLoader--> list of 1-D float32 waveforms
          --TrimPad------> (n_clips, n_samples)
          --FrameFeatures1D--> (n_clips, n_frames, n_features)   [1-D]
          --MelSpectrogram2D-> (n_clips, n_mels, n_frames, 1)     [2-D]
          --StandardScalerND--> same shape  (or SpeakerStandardScaler, per speaker)
          --CNNClassifier---> labels

Importing skser does not import TensorFlow; fitting a `CNNClassifier`, or
loading a model file that holds one, does.

`save_model`/`load_model` write and read model files whose loading runs no
code (unlike a pickle).
"""

from .augmentation import AddNoise, AugmentedCopies, FrequencyMask, TimeMask, TimeShift
from .features import FEATURE_NAMES, FrameFeatures1D, MelSpectrogram2D
from .loading import AudioLoader, AudioReadError, AudioReadWarning
from .models import ARCHITECTURES, CNNClassifier
from ._persistence import TRUSTED_TYPES, ModelFileError, load_model, save_model
from .pipeline import make_ser_pipeline
from .preprocessing import SpeakerStandardScaler, StandardScalerND, TrimPad

__version__ = "0.1.0.dev0"

__all__ = [
    "ARCHITECTURES",
    "AddNoise",
    "AudioLoader",
    "AudioReadError",
    "AudioReadWarning",
    "AugmentedCopies",
    "CNNClassifier",
    "FEATURE_NAMES",
    "FrameFeatures1D",
    "FrequencyMask",
    "MelSpectrogram2D",
    "ModelFileError",
    "SpeakerStandardScaler",
    "StandardScalerND",
    "TRUSTED_TYPES",
    "TimeMask",
    "TimeShift",
    "TrimPad",
    "load_model",
    "make_ser_pipeline",
    "save_model",
]
