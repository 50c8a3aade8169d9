"""The network architectures skser builds, by name: the one list that
`CNNClassifier` validates ``model`` against and `build_cnn` builds from.

Imports nothing: `CNNClassifier` reads it without TensorFlow, and
`_architectures` (which imports TensorFlow) reads it too, so the models
package depends one way: ``_catalog`` <- ``_architectures`` <- ``_keras``
<- (lazily) ``_cnn`` -> ``_catalog``.
"""

__all__ = ["ARCHITECTURES"]

#: Names of the network architectures, in the order the docs list them.
ARCHITECTURES = ("lenet5", "alexnet", "vgg16", "custom", "attention_gru")
