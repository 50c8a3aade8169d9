"""Models: network classifiers (CNNs for frame features and log-mel images, a
sequence model for frame features) and a soft-voting ensemble.

Importing this package does not import TensorFlow; fitting a network does.
A network loaded from a model file with its ONNX graph is an `OnnxNetwork`,
run by onnxruntime.
"""

from ._cnn import ARCHITECTURES, CNNClassifier
from ._ensemble import SoftVotingEnsemble
from ._onnx import ONNX_TOLERANCE, OnnxNetwork

__all__ = ["ARCHITECTURES", "CNNClassifier", "ONNX_TOLERANCE", "OnnxNetwork",
           "SoftVotingEnsemble"]
