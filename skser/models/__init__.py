"""Models: network classifiers (CNNs for frame features and log-mel images, a
sequence model for frame features), a soft-voting ensemble, and a
classifier that mixes a clean-trained and a multi-condition expert per clip,
and one that sends band-limited clips (phone lines) to a model of their band.

Importing this package does not import TensorFlow; fitting a network does.
A network loaded from a model file with its ONNX graph is an `OnnxNetwork`,
run by onnxruntime.
"""

from ._bandwidth import BandwidthExperts
from ._cnn import ARCHITECTURES, CNNClassifier
from ._ensemble import SoftVotingEnsemble
from ._gated import ConditionGatedClassifier
from ._onnx import ONNX_TOLERANCE, OnnxNetwork

__all__ = ["ARCHITECTURES", "BandwidthExperts", "CNNClassifier", "ConditionGatedClassifier",
           "ONNX_TOLERANCE", "OnnxNetwork", "SoftVotingEnsemble"]
