"""Models: network classifiers (CNNs for frame features and log-mel images, a
sequence model for frame features) and a soft-voting ensemble.

Importing this package does not import TensorFlow; fitting a network does.
"""

from ._cnn import ARCHITECTURES, CNNClassifier
from ._ensemble import SoftVotingEnsemble

__all__ = ["ARCHITECTURES", "CNNClassifier", "SoftVotingEnsemble"]
