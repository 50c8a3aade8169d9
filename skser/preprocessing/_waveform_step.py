"""What the stateless steps over fixed-length waveform batches share
(`LevelNormalizer`, `BandPass`): output columns named as the input's, no
fit needed, float32 kept.

Data contract
-------------
input and output : ``(n_clips, n_samples)`` float32 waveforms.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = ["StatelessWaveformStep"]


class StatelessWaveformStep:
    """Mixin of a transformer that changes each clip's samples in place of
    their columns: ``get_feature_names_out`` and the tags of a stateless,
    float32-preserving step."""

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns: those of the input (``sample0`` ...).

        Parameters
        ----------
        input_features : array-like of str or None
            Names of the input columns; None gives ``sample0`` ...
            ``sample{n_features_in_ - 1}``.

        Returns
        -------
        feature_names_out : np.ndarray of str
        """
        if input_features is not None:
            return np.asarray(input_features, dtype=object)
        check_is_fitted(self, "n_features_in_")
        return np.asarray([f"sample{i}" for i in range(self.n_features_in_)], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
