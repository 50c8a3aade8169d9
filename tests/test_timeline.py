"""Emotion over time: stream_audio, EnergyVAD, predict_timeline, plot_timeline,
join_clips and ``skser predict --timeline``."""

import json

import numpy as np
import pytest
import soundfile as sf

from skser import EnergyVAD, load_model, make_ser_pipeline, predict_timeline, save_model
from skser.cli import main
from skser.datasets import join_clips, make_emotional_speech
from skser.loading import AudioReadError, stream_audio
from skser.timeline import plot_timeline
from skser.timeline._predict import _moving_average, _Timeline

SR = 16000


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The statistics pipeline trained on six demo speakers, and the clips of
    two speakers it has never heard."""
    data = make_emotional_speech(tmp_path_factory.mktemp("demo"), n_speakers=8,
                                 n_per_class=4, random_state=3)
    held_out = np.isin(data.groups, np.unique(data.groups)[-2:])
    model = make_ser_pipeline("stats").fit(list(data.filenames[~held_out]),
                                           data.target[~held_out])
    return model, list(data.filenames[held_out]), data.target[held_out]


@pytest.fixture(scope="module")
def recording(demo):
    model, clips, labels = demo
    return join_clips(clips, labels, sr=SR, min_pause=0.6, max_pause=2.0, random_state=0)


def speech(seconds, *, sr=SR, f0=140.0, level=0.2, seed=0):
    """A voiced-vowel-like buzz with syllable-rate loudness, for the detector."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    buzz = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, 12))
    envelope = 0.55 + 0.45 * np.sin(2 * np.pi * 4 * t)
    return (level * buzz * envelope / 3 + 0.002 * rng.standard_normal(t.size)).astype(
        np.float32)


def quiet(seconds, *, sr=SR, seed=1):
    return (0.0005 * np.random.default_rng(seed).standard_normal(int(seconds * sr))).astype(
        np.float32)


# --------------------------------------------------------------------------
# The whole capability, on a recording of known emotions


def test_timeline_finds_the_speech_segments_of_a_long_recording(demo, recording):
    timeline = predict_timeline(demo[0], recording.waveform)

    truth, found = recording.segments, timeline.segments
    assert len(found) == len(truth)
    # The truth is each clip trimmed 30 dB below its peak; the detector keeps
    # what is 12 dB above the noise floor, padded by 0.1 s. Soft onsets differ.
    error = np.abs(found - truth)
    assert np.mean(error <= 0.25) >= 0.95, error.max()
    assert error.max() <= 0.4


def test_timeline_recovers_the_emotion_sequence_above_chance(demo, recording):
    timeline = predict_timeline(demo[0], recording.waveform)

    # Each clip's emotion: the mean probability of the windows inside its speech.
    predicted = []
    for start, end in recording.segments:
        inside = timeline.speech & (timeline.end > start) & (timeline.start < end)
        predicted.append(timeline.classes[np.argmax(timeline.proba[inside].mean(axis=0))])
    accuracy = np.mean(np.asarray(predicted) == recording.labels)
    chance = 1 / len(timeline.classes)
    assert accuracy >= 2.5 * chance, (accuracy, chance)


def test_timeline_rows_cover_the_recording_in_time_order(demo, recording):
    timeline = predict_timeline(demo[0], recording.waveform, hop=1.0)

    assert timeline.start[0] == 0 and timeline.end[-1] == pytest.approx(timeline.duration)
    assert np.all(np.diff(timeline.start) > 0)
    # Every pause row lies between two segments; nothing is left uncovered.
    for i in np.flatnonzero(~timeline.speech):
        assert np.isnan(timeline.proba[i]).all() and timeline.label[i] is None
    covered = np.zeros(int(timeline.duration * 100) + 1, dtype=bool)
    for s, e in zip(timeline.start, timeline.end):
        covered[int(round(s * 100)):int(round(e * 100))] = True
    assert covered[:-1].all()
    # Speech windows are at most a window long and fall inside a segment.
    windows = timeline.speech
    assert np.all(timeline.end[windows] - timeline.start[windows] <= 3.0 + 1e-9)
    np.testing.assert_allclose(timeline.proba[windows].sum(axis=1), 1.0, atol=1e-6)
    assert set(timeline.label[windows]) <= set(timeline.classes)


def test_timeline_of_a_file_equals_that_of_its_waveform(demo, recording, tmp_path):
    path = tmp_path / "call.wav"
    sf.write(path, recording.waveform, SR, subtype="FLOAT")

    from_file = predict_timeline(demo[0], path)
    from_array = predict_timeline(demo[0], recording.waveform)

    for key in ("start", "end", "speech", "segments"):
        np.testing.assert_array_equal(from_file[key], from_array[key])
    np.testing.assert_allclose(from_file.proba, from_array.proba)


def test_timeline_does_not_depend_on_the_block_size(demo, recording):
    whole = predict_timeline(demo[0], recording.waveform, block_duration=600.0)
    small = predict_timeline(demo[0], recording.waveform, block_duration=0.37, batch_size=3)

    for key in ("start", "end", "speech", "label", "segments"):
        np.testing.assert_array_equal(small[key], whole[key])
    np.testing.assert_allclose(small.proba, whole.proba, rtol=1e-5, atol=1e-7)


class _Recorder:
    """A classifier that keeps the clips it is asked about."""

    classes_ = np.array(["a", "b"])

    def __init__(self):
        self.clips = []

    def predict_proba(self, X):
        self.clips += list(X)
        return np.tile([0.25, 0.75], (len(X), 1))


def _offset(y, clip):
    """Where ``clip`` lies in ``y`` (its samples are noise: unique)."""
    starts = [i for i in np.flatnonzero(y == clip[0])
              if np.array_equal(y[i:i + len(clip)], clip)]
    assert len(starts) == 1
    return int(starts[0])


@pytest.mark.parametrize("block_duration", [600.0, 0.37])
def test_a_short_segment_is_classified_with_the_recording_around_it(block_duration):
    """A window shorter than ``window`` gets the background around it, as a
    clip file would, up to the window's length and never into its
    neighbours: the model's TrimPad then trims and pads it like a file."""
    sr = 8000
    y = np.concatenate([quiet(2.0, sr=sr, seed=1), speech(1.0, sr=sr, seed=2),
                        quiet(0.8, sr=sr, seed=3), speech(0.5, sr=sr, seed=4),
                        quiet(4.0, sr=sr, seed=5), speech(1.0, sr=sr, seed=6),
                        quiet(0.4, sr=sr, seed=7)])
    model = _Recorder()
    timeline = predict_timeline(model, y, sr=sr, window=3.0,
                                block_duration=block_duration, batch_size=2)

    segments = np.round(timeline.segments * sr).astype(int)
    assert len(segments) == 3 and len(model.clips) == 3
    # The rows keep the segments' times.
    speech_rows = np.flatnonzero(timeline.speech)
    np.testing.assert_allclose(timeline.start[speech_rows], timeline.segments[:, 0])
    np.testing.assert_allclose(timeline.end[speech_rows], timeline.segments[:, 1])
    bounds = np.concatenate([[0], segments.ravel(), [len(y)]])
    for i, clip in enumerate(model.clips):
        lo = _offset(y, clip)
        hi = lo + len(clip)
        assert len(clip) == 3 * sr
        # Its own segment whole, nothing of the segments beside it.
        assert lo <= segments[i, 0] and segments[i, 1] <= hi
        assert bounds[2 * i] <= lo and hi <= bounds[2 * i + 3]


def _largest_buffer(model, y, *, sr, block):
    """Feed ``y`` block by block; the fitted builder and its largest buffer."""
    builder = _Timeline(model, sr=sr, window=3 * sr, hop=sr, batch_size=8, n_classes=2,
                        tracker=EnergyVAD().tracker(sr=sr))
    largest = 0
    for start in range(0, len(y), block):
        builder.push(y[start:start + block])
        largest = max(largest, len(builder.buffer))
    builder.finish()
    return builder, largest


def test_timeline_buffer_is_bounded_by_a_window_and_a_block_not_the_length():
    sr, block = 8000, 4000
    # Ten minutes of speech without a pause, then silence: one long segment.
    y = np.concatenate([speech(600, sr=sr), quiet(5, sr=sr)])
    builder, largest = _largest_buffer(_Recorder(), y, sr=sr, block=block)

    # The last window and a hop, the detector's look-ahead (half its 6 s
    # floor and the smoothing) and a block.
    assert largest <= 3 * sr + sr + 3.1 * sr + block, largest / sr
    result = builder.result(_Recorder.classes_, smooth=1)
    assert result.speech.sum() >= 595 and len(result.segments) == 1


def test_timeline_buffer_of_many_short_segments_is_bounded_too():
    """Short segments wait for the context after them; the buffer still
    holds only a window of context, the detector's look-ahead and a block."""
    model = _Recorder()
    sr, block = 8000, 4000
    # Five minutes of 1 s utterances 1.5 s apart.
    y = np.concatenate([part for i in range(120) for part in (
        speech(1.0, sr=sr, seed=i), quiet(1.5, sr=sr, seed=1000 + i))])
    _, largest = _largest_buffer(model, y, sr=sr, block=block)

    # Each a whole window, but the first: nothing lies before it, and its
    # context ends where the second utterance starts.
    assert len(model.clips) == 120 and all(len(c) == 3 * sr for c in model.clips[1:])
    # A window before the oldest waiting segment, the look-ahead and a block.
    assert largest <= 3 * sr + 3.1 * sr + 3 * sr + block, largest / sr


def test_timeline_resamples_a_file_at_another_rate(demo, recording, tmp_path):
    import librosa

    path = tmp_path / "call_44k.wav"
    sf.write(path, librosa.resample(recording.waveform, orig_sr=SR, target_sr=44100), 44100)

    timeline = predict_timeline(demo[0], path)

    at_16k = predict_timeline(demo[0], recording.waveform)
    np.testing.assert_allclose(timeline.segments, at_16k.segments, atol=0.03)
    assert timeline.duration == pytest.approx(len(recording.waveform) / SR, abs=1e-3)


def test_timeline_works_with_a_loaded_model_file(demo, recording, tmp_path):
    loaded = load_model(save_model(demo[0], tmp_path / "m.skser"))

    timeline = predict_timeline(loaded, recording.waveform)
    original = predict_timeline(demo[0], recording.waveform)

    np.testing.assert_allclose(timeline.proba, original.proba)


@pytest.mark.slow
def test_timeline_works_with_a_cnn_pipeline(labelled_wavs):
    from conftest import tiny_ser_pipeline

    paths, labels, _ = labelled_wavs
    pipe = tiny_ser_pipeline("2d").fit(paths, labels)
    y = np.concatenate([quiet(1, sr=8000), speech(2.2, sr=8000), quiet(1, sr=8000)])

    timeline = predict_timeline(pipe, y)

    # duration=0.5 s: the window is the pipeline's clip length, hop half of it.
    windows = timeline.speech
    assert windows.sum() >= 4
    assert np.all(timeline.end[windows] - timeline.start[windows] <= 0.5 + 1e-9)
    np.testing.assert_allclose(timeline.proba[windows].sum(axis=1), 1.0, atol=1e-5)


def test_timeline_without_vad_classifies_the_whole_recording(demo):
    y = np.concatenate([quiet(2), speech(1.0), quiet(2)])

    timeline = predict_timeline(demo[0], y, vad=None, hop=3.0)

    assert timeline.speech.all()
    np.testing.assert_allclose(timeline.segments, [[0.0, 5.0]])
    np.testing.assert_allclose(timeline.start, [0.0, 2.0])
    np.testing.assert_allclose(timeline.end, [3.0, 5.0])


def test_timeline_smoothing_averages_neighbouring_speech_windows(demo, recording):
    plain = predict_timeline(demo[0], recording.waveform)
    smooth = predict_timeline(demo[0], recording.waveform, smooth=3)

    windows = plain.speech
    np.testing.assert_allclose(smooth.proba[windows],
                               _moving_average(plain.proba[windows], 3))
    assert not np.allclose(smooth.proba[windows], plain.proba[windows])
    assert np.isnan(smooth.proba[~windows]).all()


def test_moving_average_matches_a_loop_with_short_ends(rng):
    x = rng.random((7, 3))

    expected = [x[max(0, i - 2):i + 3].mean(axis=0) for i in range(7)]

    np.testing.assert_allclose(_moving_average(x, 5), expected)


def test_timeline_as_frame_has_one_column_per_class(demo, recording):
    pytest.importorskip("pandas")

    frame = predict_timeline(demo[0], recording.waveform, as_frame=True)

    assert list(frame.columns[:4]) == ["start", "end", "speech", "label"]
    assert list(frame.columns[4:]) == list(demo[0].classes_)
    assert frame["speech"].dtype == bool and len(frame) > len(recording.segments)


# --------------------------------------------------------------------------
# Bad and awkward input


def test_timeline_of_silence_is_one_pause_and_no_windows(demo):
    for y in (np.zeros(5 * SR, dtype=np.float32), quiet(5)):
        timeline = predict_timeline(demo[0], y)

        assert timeline.speech.tolist() == [False]
        assert timeline.segments.shape == (0, 2)
        np.testing.assert_allclose([timeline.start[0], timeline.end[0]], [0, 5])


def test_timeline_of_an_empty_recording_has_no_rows(demo, tmp_path):
    path = tmp_path / "empty.wav"
    sf.write(path, np.zeros(0, dtype=np.float32), SR)

    for source in (np.zeros(0, dtype=np.float32), path):
        timeline = predict_timeline(demo[0], source)

        assert len(timeline.start) == 0 and timeline.proba.shape == (0, 6)
        assert timeline.duration == 0


def test_timeline_of_a_recording_shorter_than_a_window_is_one_window(demo):
    y = np.concatenate([quiet(0.3), speech(1.0), quiet(0.3)])

    timeline = predict_timeline(demo[0], y)

    assert timeline.speech.tolist() == [False, True, False]
    assert timeline.end[1] - timeline.start[1] == pytest.approx(1.0, abs=0.25)


def test_timeline_names_file_and_time_of_a_damaged_block(demo, recording, tmp_path):
    path = tmp_path / "damaged.flac"
    sf.write(path, recording.waveform, SR)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 4000] = bytes((b * 7 + 13) % 256 for b in data[middle:middle + 4000])
    path.write_bytes(bytes(data))

    with pytest.raises(AudioReadError, match=r"damaged\.flac.*after (\d+):(\d\d\.\d)") as error:
        predict_timeline(demo[0], path)

    # The time of the damage, not of the 60 s block it falls in.
    import re

    minutes, seconds = re.search(r"after (\d+):(\d\d\.\d)", str(error.value)).groups()
    at = 60 * int(minutes) + float(seconds)
    assert 0.3 < at / (len(recording.waveform) / SR) < 0.7


def test_timeline_names_the_time_of_nan_samples(demo, tmp_path):
    y = speech(8.0)
    y[5 * SR + 123] = np.nan
    path = tmp_path / "nan.wav"
    sf.write(path, y, SR, subtype="FLOAT")

    with pytest.raises(AudioReadError, match=r"waveform holds NaN .* from 0:05\.0"):
        predict_timeline(demo[0], y)
    with pytest.raises(AudioReadError, match=r"nan\.wav.* NaN .* from 0:05\.0"):
        predict_timeline(demo[0], path)


def test_timeline_refuses_missing_empty_and_non_audio_files(demo, tmp_path):
    (tmp_path / "zero.wav").write_bytes(b"")
    (tmp_path / "text.wav").write_text("not audio")

    with pytest.raises(AudioReadError, match="missing.wav.*does not exist"):
        predict_timeline(demo[0], tmp_path / "missing.wav")
    with pytest.raises(AudioReadError, match=r"zero\.wav.*empty"):
        predict_timeline(demo[0], tmp_path / "zero.wav")
    with pytest.raises(AudioReadError, match=r"text\.wav.*could not be decoded"):
        predict_timeline(demo[0], tmp_path / "text.wav")


@pytest.mark.parametrize("options, message", [
    ({"hop": 4.0}, "hop must be"),
    ({"hop": 0}, "hop must be"),
    ({"window": -1.0}, "window must be"),
    ({"window": 40.0}, "longer than the pipeline's AudioLoader reads"),
    ({"smooth": 2}, "smooth must be an odd"),
    ({"smooth": 0}, "smooth must be an odd"),
    ({"vad": "webrtc"}, 'vad must be "energy"'),
    ({"batch_size": 0}, "batch_size must be"),
    ({"sr": 0}, "sr must be"),
    ({"block_duration": 0}, "block_duration must be"),
])
def test_timeline_refuses_bad_parameters_by_name(demo, options, message):
    with pytest.raises(ValueError, match=message):
        predict_timeline(demo[0], np.zeros(SR, dtype=np.float32), **options)


def test_timeline_refuses_an_estimator_without_probabilities():
    from sklearn.svm import LinearSVC

    with pytest.raises(TypeError, match="predict_proba and classes_"):
        predict_timeline(LinearSVC(), np.zeros(SR))


# --------------------------------------------------------------------------
# The pieces: stream_audio, EnergyVAD, join_clips, plot_timeline


@pytest.mark.parametrize("rate", [SR, 22050])
def test_stream_audio_blocks_join_to_the_whole_file(tmp_path, rate, rng):
    from skser import AudioLoader

    path = tmp_path / "x.wav"
    sf.write(path, rng.uniform(-0.5, 0.5, (int(7.3 * rate), 2)).astype(np.float32), rate,
             subtype="FLOAT")

    blocks = list(stream_audio(path, sr=SR, block_duration=1.0))
    whole = AudioLoader(sr=SR).fit_transform([str(path)])[0]

    assert all(b.dtype == np.float32 and b.ndim == 1 for b in blocks)
    assert max(len(b) for b in blocks) <= 1.05 * SR
    joined = np.concatenate(blocks)
    assert abs(len(joined) - len(whole)) <= 1
    n = min(len(joined), len(whole))
    # The streaming resampler matches the whole-file one away from the ends.
    np.testing.assert_allclose(joined[100:n - 100], whole[100:n - 100],
                               atol=0 if rate == SR else 2e-3)


def test_stream_audio_scales_integer_waveforms_like_the_loader():
    y = np.array([0, 16384, -32768], dtype=np.int16)

    (block,) = stream_audio(y, sr=SR)

    np.testing.assert_allclose(block, [0.0, 0.5, -1.0])


def test_vad_is_independent_of_the_recording_level():
    y = np.concatenate([quiet(2), speech(1.5), quiet(1.0), speech(2.0), quiet(2)])

    loud = EnergyVAD().segments(y, sr=SR)
    soft = EnergyVAD().segments(0.1 * y, sr=SR)

    np.testing.assert_allclose(loud, [[2.0, 3.5], [4.5, 6.5]], atol=0.15)
    np.testing.assert_allclose(soft, loud)


def test_vad_joins_short_pauses_and_drops_clicks():
    click = np.zeros(int(0.05 * SR), dtype=np.float32)
    click[::40] = 0.5
    y = np.concatenate([quiet(2), speech(1.0), quiet(0.15), speech(1.0), quiet(2), click,
                        quiet(2)])

    found = EnergyVAD().segments(y, sr=SR)

    np.testing.assert_allclose(found, [[2.0, 4.15]], atol=0.15)


def test_vad_streamed_in_blocks_equals_the_whole_waveform():
    y = np.concatenate([quiet(3), speech(2), quiet(0.5), speech(4), quiet(7), speech(1),
                        quiet(1)])

    tracker = EnergyVAD().tracker(sr=SR)
    streamed = []
    for start in range(0, len(y), 1234):
        streamed += tracker.push(y[start:start + 1234])
    streamed += tracker.finish()

    np.testing.assert_array_equal(np.asarray(streamed) / SR, EnergyVAD().segments(y, sr=SR))


def test_vad_refuses_nan_and_non_numeric_waveforms():
    y = speech(1.0)
    y[300] = np.nan

    with pytest.raises(ValueError, match="NaN or infinite samples from sample 300"):
        EnergyVAD().segments(y, sr=SR)
    with pytest.raises(TypeError, match="numeric waveform; got dtype <U1"):
        EnergyVAD().segments(np.array(["a", "b"]), sr=SR)


def test_vad_refuses_bad_parameters_by_name():
    with pytest.raises(ValueError, match="threshold_db"):
        EnergyVAD(threshold_db=-3).segments(np.zeros(100), sr=SR)
    with pytest.raises(ValueError, match="mono waveform"):
        EnergyVAD().segments(np.zeros((2, 100)), sr=SR)


def test_join_clips_places_each_clip_at_its_segment(tmp_path):
    clips = [speech(1.0, seed=i) for i in range(3)]

    rec = join_clips(clips, ["a", "b", "c"], sr=SR, min_pause=1.0, max_pause=1.0,
                     noise_db=None, random_state=0)

    assert len(rec.waveform) == pytest.approx(3 * SR + 4 * SR, abs=3)
    for (start, end), clip in zip(rec.segments, clips):
        piece = rec.waveform[int(round(start * SR)):int(round(end * SR))]
        assert len(piece) <= len(clip) and np.abs(piece).max() > 0.1
    with pytest.raises(ValueError, match="one label per clip"):
        join_clips(clips, ["a"], sr=SR)


def test_plot_timeline_writes_an_image_of_a_timeline(demo, recording, tmp_path):
    timeline = predict_timeline(demo[0], recording.waveform)

    path = plot_timeline(timeline, tmp_path / "t.png", title="call")

    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    figure = plot_timeline(timeline)
    assert figure.axes[0].get_title().startswith(f"{timeline.speech.sum()} speech window")
    with pytest.raises(TypeError, match="predict_timeline returns"):
        plot_timeline({"start": []})


def test_plot_timeline_draws_an_empty_and_an_all_silent_timeline(demo, tmp_path):
    for y in (np.zeros(0, dtype=np.float32), np.zeros(SR, dtype=np.float32)):
        path = plot_timeline(predict_timeline(demo[0], y), tmp_path / "e.png")
        assert path.stat().st_size > 0


# --------------------------------------------------------------------------
# skser predict --timeline


@pytest.fixture(scope="module")
def model_file(demo, tmp_path_factory):
    return save_model(demo[0], tmp_path_factory.mktemp("model") / "model.skser")


def test_cli_timeline_writes_table_and_plot_per_file(model_file, recording, tmp_path,
                                                     capsys):
    sf.write(tmp_path / "call.wav", recording.waveform, SR)
    out = tmp_path / "out"

    status = main(["predict", str(model_file), str(tmp_path / "call.wav"), "--timeline",
                   "--out", str(out), "-q"])

    assert status == 0
    printed = capsys.readouterr().out
    assert f"in {len(recording.segments)} segment(s)" in printed
    table = (out / "call.timeline.csv").read_text().splitlines()
    assert table[0].startswith("start,end,speech,label,")
    assert len(table) - 1 == len(predict_timeline(load_model(model_file), tmp_path / "call.wav").start)
    assert (out / "call.timeline.png").read_bytes()[:4] == b"\x89PNG"


def test_cli_timeline_json_holds_segments_and_windows(model_file, recording, tmp_path):
    sf.write(tmp_path / "call.wav", recording.waveform, SR)

    main(["predict", str(model_file), str(tmp_path / "call.wav"), "--timeline", "--format",
          "json", "--out", str(tmp_path), "--window", "2", "--hop", "1", "-q"])

    report = json.loads((tmp_path / "call.timeline.json").read_text())
    assert len(report["segments"]) == len(recording.segments)
    windows = [w for w in report["windows"] if w["speech"]]
    assert all(w["end"] - w["start"] <= 2.0 + 1e-6 for w in windows)
    assert all(abs(sum(w[c] for c in report["classes"]) - 1) < 1e-3 for w in windows)


def test_cli_timeline_reports_a_bad_file_and_does_the_rest(model_file, recording, tmp_path,
                                                          capsys):
    folder = tmp_path / "calls"
    folder.mkdir()
    sf.write(folder / "a.wav", recording.waveform[:10 * SR], SR)
    (folder / "b.wav").write_bytes(b"RIFF not really")

    status = main(["predict", str(model_file), str(folder), "--timeline", "--out",
                   str(tmp_path / "out"), "-q"])

    assert status == 1
    assert "b.wav: error: " in capsys.readouterr().out
    assert (tmp_path / "out" / "a.timeline.csv").is_file()
    assert not (tmp_path / "out" / "b.timeline.csv").exists()


def test_cli_timeline_refuses_same_speaker(model_file, tmp_path, capsys):
    sf.write(tmp_path / "a.wav", quiet(1), SR)

    status = main(["predict", str(model_file), str(tmp_path / "a.wav"), "--timeline",
                   "--same-speaker"])

    assert status == 2
    assert "--same-speaker" in capsys.readouterr().err


def test_timeline_progress_bar_follows_the_recording_on_a_terminal(demo, monkeypatch):
    from conftest import stderr_as_terminal

    y = np.concatenate([quiet(1), speech(2.0), quiet(1)])

    stream = stderr_as_terminal(monkeypatch)
    predict_timeline(demo[0], y, verbose=1, block_duration=1.0)
    drawn = stream.getvalue()
    predict_timeline(demo[0], y, verbose=0)

    # The total is the recording in seconds.
    assert "timeline" in drawn and "/4.0 " in drawn
    assert stream.getvalue() == drawn


def test_plot_timeline_of_many_segments_shows_time_bins():
    from sklearn.utils import Bunch

    from skser.timeline._plot import MAX_SEGMENTS, N_BINS

    n = MAX_SEGMENTS + 50
    starts = np.arange(n) * 3.0
    rng = np.random.default_rng(0)
    proba = rng.dirichlet(np.ones(3), size=n)
    timeline = Bunch(start=starts + 1.0, end=starts + 2.5, speech=np.ones(n, dtype=bool),
                     label=np.array(["a", "b", "c"])[proba.argmax(axis=1)], proba=proba,
                     classes=np.array(["a", "b", "c"]),
                     segments=np.stack([starts + 1.0, starts + 2.5], axis=1),
                     duration=3.0 * n)

    figure = plot_timeline(timeline)

    band = figure.axes[0]
    assert "each bar the mean of the windows in" in band.get_title()
    # One bar per bin holding a window's centre, coloured by its top class.
    edges = np.linspace(0, timeline.duration, N_BINS + 1)
    with_speech = np.unique(np.searchsorted(edges, starts + 1.75, side="right") - 1)
    bars = sum(len(collection.get_paths()) for collection in band.collections)
    assert bars == len(with_speech) < N_BINS
