"""Augmentation: random perturbations applied only while a pipeline is fitted.

Two mechanisms, both safe inside a Pipeline:

* The augmenters (`AddNoise`, `TimeShift`, `FrequencyMask`, `TimeMask`) are
  transformers whose ``fit_transform`` perturbs the training rows in place and
  whose ``transform`` returns its input unchanged. A Pipeline calls
  ``fit_transform`` on intermediate steps during ``fit`` and ``transform``
  during ``predict``/``score``, so predictions never see augmentation. The
  number of rows never changes, so X and y stay aligned in any Pipeline.
* `AugmentedCopies` keeps the originals and appends augmented copies, as the
  course projects trained. That changes the number of rows, which a scikit-learn
  transformer cannot do to y. It is therefore a *sampler* (``fit_resample``)
  for imbalanced-learn's `Pipeline`, which runs samplers during ``fit`` only
  and passes the resampled X and y on together. `make_ser_pipeline` returns
  such a Pipeline.
"""

from ._copies import AugmentedCopies
from ._masks import FrequencyMask, TimeMask
from ._waveform import AddNoise, TimeShift

__all__ = ["AddNoise", "AugmentedCopies", "FrequencyMask", "TimeMask", "TimeShift"]
