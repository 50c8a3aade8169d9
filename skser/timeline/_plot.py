"""plot_timeline: a picture of `predict_timeline`'s result.

Data contract
-------------
input : the Bunch `predict_timeline` returns (``as_frame=False``).
output : a matplotlib Figure, or the image file it is saved to.
"""

from pathlib import Path

import numpy as np

from .._files import atomic_write
from ..loading._stream import format_time

__all__ = ["plot_timeline"]

# Colours people read emotions by; other class names get tab10's.
EMOTION_COLORS = {
    "angry": "#d62728", "anger": "#d62728", "happy": "#f2b01e", "happiness": "#f2b01e",
    "joy": "#f2b01e", "sad": "#1f5fbf", "sadness": "#1f5fbf", "fear": "#8c4fc2",
    "fearful": "#8c4fc2", "disgust": "#2ca02c", "disgusted": "#2ca02c",
    "neutral": "#9a9a9a", "calm": "#7fc8e8", "surprise": "#e377c2", "surprised": "#e377c2",
    "pleasant_surprise": "#e377c2", "boredom": "#a0785a", "bored": "#a0785a",
}
PAUSE_COLOR = "#e6e6e6"
# Beyond this many speech segments the plot shows N_BINS time bins instead
# (a one-hour call has over a thousand; a bar per segment would be a hairline).
MAX_SEGMENTS = 150
N_BINS = 360
# Tick spacings in seconds that read as clock times.
TICK_STEPS = (0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)


def plot_timeline(timeline, path=None, *, title=None, width=14.0):
    """Draw class probabilities over time, pauses shaded, a label per segment.

    The upper band colours each speech segment by its most probable class
    (the mean of its windows' probabilities), named where there is room; the
    lower panel stacks the class probabilities of the windows over time
    (drawn at window centres, held to the segment's ends) with the pauses
    shaded grey. Readable at any length: a one-hour timeline is the same
    picture with a time axis in hours.

    Parameters
    ----------
    timeline : sklearn.utils.Bunch
        The result of `predict_timeline` (``as_frame=False``).
    path : str, os.PathLike or None, default=None
        Image file to write (the suffix picks the format: ``.png``,
        ``.svg``, ``.pdf``); None returns the figure instead.
    title : str or None, default=None
        Title above the plot.
    width : float, default=14.0
        Figure width in inches (the height is 4.5).

    Returns
    -------
    figure_or_path : matplotlib.figure.Figure or pathlib.Path
        The figure when ``path`` is None, else the path written.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.utils import Bunch
    >>> timeline = Bunch(
    ...     start=np.array([0.0, 1.0, 2.5]), end=np.array([1.0, 2.5, 4.0]),
    ...     speech=np.array([False, True, True]), label=np.array([None, "sad", "sad"]),
    ...     proba=np.array([[np.nan, np.nan], [0.2, 0.8], [0.4, 0.6]]),
    ...     classes=np.array(["angry", "sad"]), segments=np.array([[1.0, 4.0]]),
    ...     duration=4.0)
    >>> figure = plot_timeline(timeline)
    >>> len(figure.axes)
    2
    """
    from matplotlib.figure import Figure

    try:
        start, end, speech = (np.asarray(timeline[k]) for k in ("start", "end", "speech"))
        proba, classes = np.asarray(timeline["proba"]), np.asarray(timeline["classes"])
        segments = np.asarray(timeline["segments"]).reshape(-1, 2)
        duration = float(timeline["duration"])
    except (KeyError, TypeError, IndexError):
        raise TypeError("timeline must be the dict predict_timeline returns (as_frame="
                        "False), with start, end, speech, proba, classes, segments and "
                        f"duration; got {type(timeline).__name__}.") from None
    colors = _class_colors(classes)
    figure = Figure(figsize=(width, 4.5), dpi=110, layout="constrained")
    band, ax = figure.subplots(2, 1, sharex=True, height_ratios=[1, 5])

    pauses = [(s, e - s) for s, e, sp in zip(start, end, speech) if not sp and e > s]
    for axes in (band, ax):
        axes.broken_barh(pauses, (0, 1), facecolors=PAUSE_COLOR, edgecolor="none")
        axes.set_ylim(0, 1)
    right = max(duration, float(end.max()) if len(end) else 0.0) or 1.0
    if len(segments) > MAX_SEGMENTS:
        # Too many segments to tell apart (a long recording): show time bins.
        bin_seconds = _draw_bins(band, ax, start, end, speech, proba, right, colors)
        title = title or (f"{int(speech.sum())} speech windows in {len(segments)} segments, "
                          f"{format_time(duration)}; each bar the mean of the windows in "
                          f"{bin_seconds:.1f} s")
        return _finish(figure, band, ax, classes, colors, right, title, path)
    label_room = 0.025 * right * 14.0 / width
    for seg_start, seg_end in segments:
        inside = speech & (start >= seg_start) & (end <= seg_end)
        if not inside.any():
            continue
        top = int(np.argmax(proba[inside].mean(axis=0)))
        band.broken_barh([(seg_start, seg_end - seg_start)], (0, 1),
                         facecolors=colors[top], edgecolor="white", linewidth=0.3)
        if seg_end - seg_start >= label_room * len(str(classes[top])) / 5:
            band.text((seg_start + seg_end) / 2, 0.5, str(classes[top]), ha="center",
                      va="center", fontsize=7, color="white", clip_on=True)
    _fill_stacked(ax, *_stacked(start, end, speech, proba, segments), colors)
    n_windows = int(speech.sum())
    title = title or (f"{n_windows} speech window(s) in {len(segments)} segment(s), "
                      f"{format_time(duration)}")
    return _finish(figure, band, ax, classes, colors, right, title, path)


def _finish(figure, band, ax, classes, colors, right, title, path):
    """Axes, legend and title; the figure, or the file it is saved to."""
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    band.set_yticks([])
    band.set_ylabel("top\nlabel", rotation=0, ha="right", va="center", fontsize=8)
    ax.set_xlim(0, right)
    ax.set_ylabel("class probability")
    step = next((s for s in TICK_STEPS if right / s <= 12), TICK_STEPS[-1] * np.ceil(
        right / 12 / TICK_STEPS[-1]))
    ax.xaxis.set_major_locator(MultipleLocator(step))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda t, _: format_time(t).split(".")[0]))
    ax.set_xlabel("time (h:mm:ss)" if right >= 3600 else "time (m:ss)")
    handles = [Patch(color=colors[i], label=str(c)) for i, c in enumerate(classes)]
    handles.append(Patch(color=PAUSE_COLOR, label="no speech"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.005, 1), fontsize=8,
              frameon=False)
    band.set_title(title, fontsize=10)
    if path is None:
        return figure
    path = Path(path)
    atomic_write(path, lambda tmp: figure.savefig(tmp, format=path.suffix.lstrip(".") or "png"))
    return path


def _draw_bins(band, ax, start, end, speech, proba, right, colors):
    """The long-recording view: ``N_BINS`` equal time bins, each drawn with
    the mean probabilities of the speech windows centred in it (none: the
    pause shading shows through). Returns the bin width in seconds."""
    edges = np.linspace(0.0, right, N_BINS + 1)
    centres = (start[speech] + end[speech]) / 2
    index = np.clip(np.searchsorted(edges, centres, side="right") - 1, 0, N_BINS - 1)
    counts = np.bincount(index, minlength=N_BINS)
    sums = np.zeros((N_BINS, proba.shape[1]))
    np.add.at(sums, index, proba[speech])
    mean = np.full_like(sums, np.nan)
    mean[counts > 0] = sums[counts > 0] / counts[counts > 0, None]
    top = np.argmax(np.nan_to_num(mean, nan=-1.0), axis=1)
    for i, color in enumerate(colors):
        bars = [(edges[b], edges[b + 1] - edges[b]) for b in np.flatnonzero(
            (counts > 0) & (top == i))]
        band.broken_barh(bars, (0, 1), facecolors=color, edgecolor="none")
    # Steps: each bin's cumulative probabilities held across the bin.
    _fill_stacked(ax, np.repeat(edges, 2)[1:-1],
                  np.repeat(np.cumsum(mean, axis=1), 2, axis=0), colors)
    return edges[1] - edges[0]


def _fill_stacked(ax, x, cumulative, colors):
    """One filled band per class between consecutive cumulative
    probabilities ``(len(x), n_classes)``; NaN rows leave gaps."""
    lower = np.zeros(len(x))
    for i, color in enumerate(colors):
        ax.fill_between(x, lower, cumulative[:, i], color=color, linewidth=0, alpha=0.9)
        lower = cumulative[:, i]


def _class_colors(classes):
    from matplotlib import colormaps

    palette = colormaps["tab10"].colors
    used = set()
    colors = []
    for i, name in enumerate(classes):
        color = EMOTION_COLORS.get(str(name).lower())
        if color is None or color in used:
            color = palette[i % len(palette)]
        used.add(color)
        colors.append(color)
    return colors


def _stacked(start, end, speech, proba, segments):
    """Cumulative probabilities at window centres, each segment held flat to
    its ends and separated from the next by a NaN row (a gap in the fill)."""
    xs, ys = [], []
    n_classes = proba.shape[1]
    for seg_start, seg_end in segments:
        inside = np.flatnonzero(speech & (start >= seg_start) & (end <= seg_end))
        if not len(inside):
            continue
        centres = (start[inside] + end[inside]) / 2
        order = np.argsort(centres, kind="stable")
        cum = np.cumsum(proba[inside][order], axis=1)
        xs.extend([[seg_start], centres[order], [seg_end], [np.nan]])
        ys.extend([cum[:1], cum, cum[-1:], np.full((1, n_classes), np.nan)])
    if not xs:
        return np.zeros(0), np.zeros((0, n_classes))
    return np.concatenate(xs), np.concatenate(ys)
