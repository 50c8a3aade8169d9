"""How the commands print: prediction tables (table, JSON, CSV), timelines
and the demo's examples."""

import csv
import io
import json

import numpy as np




def _summarise_timeline(name, timeline):
    from ..loading._stream import format_time

    speech = timeline.speech
    seconds = float(np.sum((timeline.end - timeline.start)[~speech]))
    spoken = max(timeline.duration - seconds, 0.0)
    line = (f"{name}: {format_time(timeline.duration)}, speech "
            f"{spoken / timeline.duration if timeline.duration else 0:.0%} in "
            f"{len(timeline.segments)} segment(s), {int(speech.sum())} window(s)")
    if speech.any():
        labels, counts = np.unique(timeline.label[speech].astype(str), return_counts=True)
        top = sorted(zip(counts, labels), reverse=True)
        line += "\n  windows by top label: " + ", ".join(
            f"{label} {count / speech.sum():.0%}" for count, label in top)
    return line


def _format_timeline(timeline, fmt, *, file, model):
    """A timeline as CSV (one row per window) or JSON (with the segments)."""
    classes = [str(c) for c in timeline.classes]
    rows = []
    for i in range(len(timeline.start)):
        row = {"start": round(float(timeline.start[i]), 3),
               "end": round(float(timeline.end[i]), 3),
               "speech": bool(timeline.speech[i]),
               "label": None if timeline.label[i] is None else str(timeline.label[i])}
        row.update({c: (round(float(p), 4) if timeline.speech[i] else None)
                    for c, p in zip(classes, timeline.proba[i])})
        rows.append(row)
    if fmt == "json":
        return json.dumps({
            "file": file, "model": model, "duration": round(timeline.duration, 3),
            "classes": classes, "segments": np.round(timeline.segments, 3).tolist(),
            "windows": rows}, indent=1) + "\n"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["start", "end", "speech", "label", *classes])
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _format_examples(names, truth, classes, proba, *, top=3):
    """One line per clip: true and predicted label, the ``top`` most probable
    classes with percentages, and "right" or "WRONG" (ASCII, for any
    console); then how many were right."""
    predicted = np.asarray(classes)[np.argmax(proba, axis=1)]
    order = np.argsort(-proba, axis=1)[:, :top]
    tops = [", ".join(f"{classes[j]} {100 * row[j]:.0f}%" for j in js)
            for row, js in zip(proba, order)]
    right = predicted == np.asarray(truth)
    rows = [("clip", "true", "predicted", "", "most probable"),
            *[(name, str(t), str(p), "right" if ok else "WRONG", probs)
              for name, t, p, ok, probs in zip(names, truth, predicted, right, tops)]]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  " + "  ".join(cell.ljust(w) for cell, w in zip(row[:4], widths)) + "  " + row[4]
             for row in rows]
    lines.append(f"{int(right.sum())} of {right.size} right.")
    return "\n".join(lines)


def _format_predictions(rows, classes, fmt):
    """Rows as a table, JSON or CSV. A ``speech`` column appears when the
    rows have one (the speech check ran); a row with a ``reason`` (no
    speech) or an ``error`` has no label or probabilities, and a ``reason``
    or ``error`` column appears when any row has one."""
    if fmt == "json":
        return json.dumps(rows, indent=2) + "\n"
    speech = ["speech"] if any("speech" in row for row in rows) else []
    notes = [c for c in ("reason", "error") if any(c in row for row in rows)]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=["file", *speech, "label", *classes, *notes])
        writer.writeheader()
        for row in rows:
            writer.writerow({k: (f"{v:.4f}" if isinstance(v, float) else v)
                             for k, v in row.items()})
        return buffer.getvalue()
    width = max(4, *(len(r["file"]) for r in rows))
    lw = max(5, *(len(c) for c in classes))
    yes_no = {True: "yes", False: "no", None: "-"}
    # A row has a reason or an error, never both: one last column holds either.
    head = (f"{'file':<{width}}" + "".join(f"  {c}" for c in speech) + f"  {'label':<{lw}}"
            + "".join(f"  {c[:8]:>8}" for c in classes)
            + (f"  {' / '.join(notes)}" if notes else ""))
    lines = [head]
    for row in rows:
        line = (f"{row['file']:<{width}}"
                + "".join(f"  {yes_no[row['speech']]:<6}" for _ in speech))
        if row["label"] is None:
            line += f"  {'-':<{lw}}" + "".join(f"  {'-':>8}" for _ in classes)
        else:
            line += f"  {row['label']:<{lw}}" + "".join(f"  {row[c]:8.3f}" for c in classes)
        note = row.get("reason", row.get("error"))
        lines.append(line + (f"  {note}" if note is not None else ""))
    return "\n".join(lines) + "\n"
