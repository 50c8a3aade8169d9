"""Augmentation: random perturbations applied only while a pipeline is fitted,
and the corruption suite they draw from.

Two mechanisms, both safe inside a Pipeline:

* The augmenters (`AddNoise`, `TimeShift`, `FrequencyMask`, `TimeMask`,
  `RandomCorruption`) are transformers whose ``fit_transform`` perturbs the
  training rows and whose ``transform`` returns its input unchanged. A
  Pipeline calls ``fit_transform`` on intermediate steps during ``fit`` and
  ``transform`` during ``predict``/``score``, so predictions never see
  augmentation. The number of rows never changes, so X and y stay aligned in
  any Pipeline.
* `AugmentedCopies` keeps the originals and appends augmented copies, as the
  course projects trained. That changes the number of rows, which a scikit-learn
  transformer cannot do to y. It is therefore a *sampler* (``fit_resample``)
  for imbalanced-learn's `Pipeline`, which runs samplers during ``fit`` only
  and passes the resampled X and y on together. `make_ser_pipeline` returns
  such a Pipeline.

`corrupt` applies one member of `CORRUPTIONS` (noise of several kinds, a
noise floor, a room, a phone line, a codec, a gain, a sample rate) at one
severity: what the robustness benchmark and ``skser evaluate --robustness``
test on, and what `RandomCorruption` draws from in training.
"""

from ._copies import AugmentedCopies
from ._corruptions import CORRUPTION_NAMES, CORRUPTIONS, Corruption, corrupt, speech_level_db
from ._masks import FrequencyMask, TimeMask
from ._random_corruption import RandomCorruption
from ._waveform import AddNoise, TimeShift

__all__ = ["AddNoise", "AugmentedCopies", "CORRUPTIONS", "CORRUPTION_NAMES", "Corruption",
           "FrequencyMask", "RandomCorruption", "TimeMask", "TimeShift", "corrupt",
           "speech_level_db"]
