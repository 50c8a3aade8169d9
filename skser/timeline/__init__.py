"""Timeline: emotion over time in recordings of any length.

A recording is streamed in blocks, its speech found by a voice-activity
detector and cut into windows of the pipeline's clip length; each window is
classified by a fitted pipeline. `plot_timeline` draws the result.
"""

from ._plot import plot_timeline
from ._predict import predict_timeline

__all__ = ["plot_timeline", "predict_timeline"]
