"""Models: CNN classifiers for frame features and log-mel images.

Importing this package does not import TensorFlow; fitting a model does.
"""

from ._cnn import ARCHITECTURES, CNNClassifier

__all__ = ["ARCHITECTURES", "CNNClassifier"]
