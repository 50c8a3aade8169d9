"""skser: speech emotion recognition that speaks scikit-learn.

Data flow, one contract per stage::

    paths --AudioLoader--> list of 1-D float32 waveforms
          --TrimPad------> (n_clips, n_samples)
          --FrameFeatures1D--> (n_clips, n_frames, n_features)   [1-D]
          --MelSpectrogram2D-> (n_clips, n_mels, n_frames, 1)     [2-D]
          --StandardScalerND--> same shape  (or SpeakerStandardScaler, per speaker;
                                             DomainStandardScaler, per recording domain)
          --CNNClassifier---> labels

Importing skser imports none of its dependencies: each public name is
imported on first use, so the command line's ``--help`` is instant. Fitting
a `CNNClassifier`, or loading a model file that holds one without its ONNX
graph (or without onnxruntime installed), imports TensorFlow; nothing else
does.

`save_model`/`load_model` write and read model files whose loading runs no
code (unlike a pickle); a file's networks are stored as ONNX graphs too, so
that a loaded model predicts with onnxruntime, without TensorFlow.
`export_onnx` writes a model's classifiers as ONNX graphs for other runtimes. `load_pretrained` returns the model that ships in
the package (six emotions; its weights for non-commercial research use
only, docs/pretrained.md).
"""

import importlib

# Where each public name lives. They are imported on first use (PEP 562), so
# `import skser` and the command line's `--help` do not pay for scikit-learn,
# librosa and SciPy until a step is used; `from skser import X` works as usual.
_EXPORTS = {
    "AddNoise": "augmentation", "AugmentedCopies": "augmentation",
    "FrequencyMask": "augmentation", "TimeMask": "augmentation", "TimeShift": "augmentation",
    "RandomCorruption": "augmentation", "corrupt": "augmentation",
    "FEATURE_NAMES": "features", "FrameFeatures1D": "features",
    "MelSpectrogram2D": "features", "RECIPE_FEATURES": "features",
    "AudioLoader": "loading", "AudioReadError": "loading", "AudioReadWarning": "loading",
    "ARCHITECTURES": "models", "CNNClassifier": "models", "SoftVotingEnsemble": "models",
    "ConditionGatedClassifier": "models", "BandwidthExperts": "models",
    "TRUSTED_TYPES": "_persistence", "ModelFileError": "_persistence",
    "load_model": "_persistence", "model_metadata": "_persistence",
    "save_model": "_persistence", "export_onnx": "_export",
    "make_ser_pipeline": "pipeline",
    "load_pretrained": "_pretrained", "make_pretrained_pipeline": "_pretrained",
    "BandPass": "preprocessing", "DomainStandardScaler": "preprocessing",
    "EnergyVAD": "preprocessing", "LevelNormalizer": "preprocessing",
    "SpeakerStandardScaler": "preprocessing",
    "SpeechDetector": "preprocessing",
    "StandardScalerND": "preprocessing", "TrimPad": "preprocessing",
    "plot_timeline": "timeline", "predict_timeline": "timeline",
}


_SUBPACKAGES = ("augmentation", "datasets", "evaluation", "features", "loading", "models",
                "pipeline", "preprocessing", "timeline")


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value  # later lookups skip this function
        return value
    if name in _SUBPACKAGES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS) | set(_SUBPACKAGES))


__version__ = "0.1.0.dev0"

__all__ = sorted(_EXPORTS)
