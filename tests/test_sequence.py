"""The sequence model (``model="attention_gru"``, ``make_ser_pipeline("sequence")``)
and its SpecAugment-style masks."""

import numpy as np
import pytest

from skser import CNNClassifier, load_model, make_ser_pipeline, save_model

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def keras():
    from skser._tensorflow import import_tensorflow

    import_tensorflow()
    import keras

    return keras


def test_attention_gru_pools_frames_into_class_probabilities(keras):
    from skser.models._architectures import build_cnn

    model = build_cnn("attention_gru", (40, 12), 3, width=0.25, seed=0)

    assert model.output_shape == (None, 3)
    x = np.random.default_rng(0).normal(size=(5, 40, 12)).astype("float32")
    np.testing.assert_allclose(np.asarray(model(x)).sum(axis=1), 1.0, rtol=1e-5)
    # The attention weights are a distribution over the pooled frames.
    weights = keras.Model(model.input, model.get_layer("attention_weights").output)(x)
    assert weights.shape == (5, 10, 1)
    np.testing.assert_allclose(np.asarray(weights).sum(axis=1), 1.0, rtol=1e-5)


def test_attention_gru_refuses_an_image_input_by_name(keras):
    from skser.models._architectures import build_cnn

    with pytest.raises(ValueError, match="'attention_gru' takes frame features"):
        build_cnn("attention_gru", (16, 40, 1), 3)


def test_spec_augment_masks_spans_in_training_only(keras):
    from skser.models._architectures import SpecAugment

    layer = SpecAugment(2, 10, 5, seed=0)
    x = np.ones((64, 100, 30), dtype="float32")

    masked = np.asarray(layer(x, training=True))
    assert np.array_equal(np.asarray(layer(x, training=False)), x)

    # Zeros come in whole frames and whole features, at most 2 x 10 frames
    # and 2 x 5 features per clip, and differ between clips.
    zero_frames = (masked == 0).all(axis=2).sum(axis=1)
    zero_features = (masked == 0).all(axis=1).sum(axis=1)
    assert zero_frames.max() <= 20 and zero_features.max() <= 10
    assert zero_frames.mean() > 2 and zero_features.mean() > 1
    masked_frames = (masked == 0).all(axis=2)
    assert not (masked_frames == masked_frames[0]).all()
    kept = masked != 0
    assert np.array_equal(masked[kept], x[kept])


def test_spec_augment_masks_mel_bands_and_frames_of_images(keras):
    from skser.models._architectures import SpecAugment

    x = np.ones((32, 20, 50, 1), dtype="float32")  # (clips, mels, frames, channel)

    masked = np.asarray(SpecAugment(1, 50, 0, seed=1)(x, training=True))

    # max_bins=0 masks no band: every zero spans all bands of its frame.
    zeros = masked[..., 0] == 0
    assert zeros.any()
    assert np.array_equal(zeros.all(axis=1), zeros.any(axis=1))


def test_spec_augment_round_trips_through_its_config(keras):
    from skser.models._architectures import SpecAugment

    layer = SpecAugment(2, 20, 12, seed=3)

    again = SpecAugment.from_config(layer.get_config())

    assert (again.n_masks, again.max_frames, again.max_bins, again.seed) == (2, 20, 12, 3)


@pytest.mark.parametrize("bad", [(2, 20), (2, -1, 3), (2.0, 20, 12), (True, 1, 1)])
def test_classifier_refuses_a_bad_spec_augment_by_name(bad):
    X = np.zeros((6, 10, 4), dtype="float32")

    with pytest.raises(ValueError, match="spec_augment must be None or"):
        CNNClassifier(spec_augment=bad, epochs=1).fit(X, ["a", "b"] * 3)


def test_sequence_pipeline_refuses_a_cnn_model_by_name():
    with pytest.raises(ValueError, match='kind="sequence" trains the "attention_gru"'):
        make_ser_pipeline("sequence", model="lenet5")


def test_sequence_pipeline_fits_saves_and_loads(labelled_wavs, tmp_path):
    paths, labels, _ = labelled_wavs
    pipe = make_ser_pipeline("sequence", sr=8000, duration=0.5, random_state=0,
                             features__n_fft=256, features__hop_length=128,
                             features__n_mels=32, features__n_bands=4, clf__width=0.25,
                             clf__epochs=2, clf__spec_augment=(1, 2, 3))

    pipe.fit(paths, labels)

    assert pipe.named_steps["augment"] == "passthrough"
    assert pipe.named_steps["clf"].estimator_.model_.name == "attention_gru_1d"
    proba = pipe.predict_proba(paths)
    loaded = load_model(save_model(pipe, tmp_path / "seq.skser"))
    np.testing.assert_allclose(loaded.predict_proba(paths), proba, atol=1e-6)
    assert loaded.named_steps["clf"].estimator_.model_.get_layer("spec_augment").n_masks == 1


def test_smoothed_sparse_crossentropy_matches_its_definition(keras):
    from skser.models._architectures import SmoothedSparseCrossentropy

    rng = np.random.default_rng(0)
    proba = rng.dirichlet(np.ones(4), size=6).astype("float32")
    labels = np.array([0, 3, 1, 2, 2, 0])

    smoothed = float(SmoothedSparseCrossentropy(0.2)(labels, proba))
    plain = float(SmoothedSparseCrossentropy(0.0)(labels, proba))

    target = np.full((6, 4), 0.2 / 4) + 0.8 * np.eye(4)[labels]
    expected = -(target * np.log(proba)).sum(axis=1).mean()
    np.testing.assert_allclose(smoothed, expected, rtol=1e-5)
    sparse = keras.losses.SparseCategoricalCrossentropy()(labels, proba)
    np.testing.assert_allclose(plain, float(sparse), rtol=1e-5)


def test_label_smoothing_and_cosine_schedule_reach_the_network(keras):
    from skser.models._architectures import SmoothedSparseCrossentropy

    rng = np.random.default_rng(0)
    X = rng.normal(size=(24, 12, 5)).astype("float32")
    y = ["a", "b", "c"] * 8

    clf = CNNClassifier(model="attention_gru", width=0.1, epochs=3, batch_size=8,
                        validation_split=0, patience=None, label_smoothing=0.1,
                        schedule="cosine", random_state=0).fit(X, y)

    network = clf.estimator_.model_
    assert isinstance(network.loss, SmoothedSparseCrossentropy)
    assert network.loss.label_smoothing == 0.1
    schedule = network.optimizer._learning_rate
    assert isinstance(schedule, keras.optimizers.schedules.CosineDecay)
    # Three epochs of three batches: the rate reaches 0 at the end of training.
    assert schedule.decay_steps == 9
    assert float(schedule(9)) == pytest.approx(0.0, abs=1e-9)
    assert clf.predict_proba(X).shape == (24, 3)


@pytest.mark.parametrize("bad, message", [({"label_smoothing": 1.0}, "label_smoothing"),
                                          ({"schedule": "linear"}, "schedule")])
def test_classifier_refuses_a_bad_recipe_by_name(bad, message):
    X = np.zeros((6, 10, 4), dtype="float32")

    with pytest.raises(ValueError, match=message):
        CNNClassifier(epochs=1, **bad).fit(X, ["a", "b"] * 3)
