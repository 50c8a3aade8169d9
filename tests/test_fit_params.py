"""Per-sample fit parameters (``sample_weight``, ``groups``) reach the steps
after `AugmentedCopies` repeated like the rows, in skser's `Pipeline`, with
and without metadata routing.

imbalanced-learn's Pipeline routes fit parameters before any step runs and
its samplers hand on only X and y; skser's Pipeline indexes the parameters
of the later steps by each sampler's ``sample_indices_``.
"""

import numpy as np
import pytest
import sklearn
from imblearn.under_sampling import RandomUnderSampler
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.preprocessing import FunctionTransformer

from skser import AugmentedCopies, FrequencyMask, make_ser_pipeline
from skser.pipeline import Pipeline

from conftest import write_tone_clips

N_CLIPS = 6
N_PARTS = 3  # the originals and two rounds of copies


class RecordingClassifier(ClassifierMixin, BaseEstimator):
    """Keeps what its fit received; predicts the first class."""

    def fit(self, X, y, sample_weight=None, note=None):
        self.n_rows_, self.y_ = len(X), np.asarray(y)
        self.sample_weight_, self.note_ = sample_weight, note
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


class RecordingGroups(TransformerMixin, BaseEstimator):
    """Passes X through; keeps the groups its fit received (as a speaker
    normalisation step would use them)."""

    def fit(self, X, y=None, groups=None):
        self.groups_ = groups
        return self

    def transform(self, X):
        return X


@pytest.fixture
def clips(tmp_path, rng):
    paths, labels = write_tone_clips(tmp_path, N_CLIPS, sr=8000, seconds=0.5, rng=rng)
    speakers = [f"spk{i % 2}" for i in range(N_CLIPS)]
    weights = np.linspace(0.5, 3.0, N_CLIPS)
    return paths, np.asarray(labels), speakers, weights


def tiny_pipeline(memory=None):
    """The 2-D pipeline at 8 kHz with 16 mel bands, two rounds of masked
    copies, a groups-recording step after them and a recording classifier."""
    pipe = make_ser_pipeline(
        "2d", sr=8000, duration=0.5, memory=memory, features__n_mels=16,
        features__n_fft=256, features__hop_length=128,
        scale=RecordingGroups(), clf=RecordingClassifier(),
    )
    return pipe.set_params(augment=AugmentedCopies(
        augmenters=[FrequencyMask(max_bins=4)], n_copies=N_PARTS - 1, random_state=0,
    ))


def test_sample_weight_and_groups_are_repeated_for_the_copies(clips):
    paths, labels, speakers, weights = clips

    pipe = tiny_pipeline().fit(paths, labels, clf__sample_weight=weights,
                               scale__groups=speakers, clf__note="as given")

    clf = pipe.named_steps["clf"]
    assert clf.n_rows_ == N_CLIPS * N_PARTS
    np.testing.assert_array_equal(clf.y_, np.tile(labels, N_PARTS))
    np.testing.assert_array_equal(clf.sample_weight_, np.tile(weights, N_PARTS))
    assert list(pipe.named_steps["scale"].groups_) == speakers * N_PARTS
    assert clf.note_ == "as given"  # not one value per clip: passed on unchanged


class RecordingCopies(RecordingGroups):
    """Keeps the groups and copy_of its fit_transform received."""

    def fit_transform(self, X, y=None, groups=None, copy_of=None):
        self.groups_, self.copy_of_ = groups, copy_of
        return X


def test_a_scaler_whose_fit_transform_takes_copy_of_gets_the_clip_of_each_row(clips):
    paths, labels, speakers, _ = clips

    pipe = tiny_pipeline().set_params(scale=RecordingCopies())
    pipe.fit(paths, labels, scale__groups=speakers)

    scale = pipe.named_steps["scale"]
    np.testing.assert_array_equal(scale.copy_of_, np.tile(np.arange(N_CLIPS), N_PARTS))
    assert list(scale.groups_) == speakers * N_PARTS
    # Without samplers before it, the step gets no copy_of.
    pipe.set_params(augment="passthrough").fit(paths, labels, scale__groups=speakers)
    assert pipe.named_steps["scale"].copy_of_ is None


class CopyRecorder(ClassifierMixin, BaseEstimator):
    """Keeps the copy_of its fit received; predicts the first class."""

    def fit(self, X, y, copy_of=None):
        self.copy_of_ = copy_of
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_a_pipeline_given_copy_of_starts_from_it():
    X = np.arange(12, dtype=float).reshape(6, 2)
    y = np.array(["a", "b"] * 3)
    given = np.array([0, 1, 2, 0, 1, 2])  # three clips and a copy of each

    plain = Pipeline([("scale", FunctionTransformer()), ("clf", CopyRecorder())])
    np.testing.assert_array_equal(plain.fit(X, y, copy_of=given).named_steps["clf"].copy_of_,
                                  given)
    # A sampler after it indexes the given clips, not the rows it was given:
    # its rows 3 and 4 copy clips 0 and 1.
    sampled = Pipeline([("sample", RandomUnderSampler(random_state=0)),
                        ("clf", CopyRecorder())])
    sampled.fit(X, y, copy_of=given)
    kept = sampled.named_steps["sample"].sample_indices_
    np.testing.assert_array_equal(sampled.named_steps["clf"].copy_of_, given[kept])
    # Not given, the rows are clips: nothing reaches the classifier.
    assert plain.fit(X, y).named_steps["clf"].copy_of_ is None
    # With metadata routing on, copy_of is the Pipeline's own argument, not
    # metadata a step must request.
    with sklearn.config_context(enable_metadata_routing=True):
        np.testing.assert_array_equal(
            plain.fit(X, y, copy_of=given).named_steps["clf"].copy_of_, given)
    # The fit's copy_of stays out of the fitted pipeline.
    assert "_given_copy_of" not in vars(plain)


@pytest.mark.parametrize("copy_of", [np.arange(5), np.zeros((6, 2))])
def test_a_pipeline_refuses_copy_of_of_another_shape_by_name(copy_of):
    X, y = np.zeros((6, 2)), np.array(["a", "b"] * 3)
    pipe = Pipeline([("clf", CopyRecorder())])
    with pytest.raises(ValueError, match=r"copy_of has shape .* for 6 rows of X"):
        pipe.fit(X, y, copy_of=copy_of)
    assert not hasattr(pipe.named_steps["clf"], "copy_of_")


def test_metadata_routing_repeats_sample_weight_and_groups_for_the_copies(clips):
    paths, labels, speakers, weights = clips

    with sklearn.config_context(enable_metadata_routing=True):
        pipe = tiny_pipeline().set_params(
            scale=RecordingGroups().set_fit_request(groups=True),
            clf=RecordingClassifier().set_fit_request(sample_weight=True),
        )
        pipe.fit(paths, labels, sample_weight=weights, groups=speakers)

    np.testing.assert_array_equal(pipe.named_steps["clf"].sample_weight_,
                                  np.tile(weights, N_PARTS))
    assert list(pipe.named_steps["scale"].groups_) == speakers * N_PARTS


def test_sample_weight_is_repeated_when_the_steps_come_from_the_cache(clips, tmp_path):
    paths, labels, _, weights = clips

    for _ in range(2):  # the second fit loads the sampler from the cache
        pipe = tiny_pipeline(memory=tmp_path / "cache")
        pipe.fit(paths, labels, clf__sample_weight=weights)

        np.testing.assert_array_equal(pipe.named_steps["clf"].sample_weight_,
                                      np.tile(weights, N_PARTS))


def test_statistics_pipeline_with_copies_fits_with_sample_weight(clips):
    paths, labels, _, weights = clips
    pipe = make_ser_pipeline("stats", sr=8000, duration=0.5, augment=True, random_state=0,
                             features__n_fft=512, features__hop_length=256, features__n_bands=4)

    pipe.fit(paths, labels, clf__sample_weight=weights)

    assert pipe.predict(paths).shape == (N_CLIPS,)


def test_parameters_follow_any_sampler_that_sets_sample_indices(rng):
    X = rng.normal(size=(12, 3))
    y = np.array([0] * 9 + [1] * 3)
    weights = np.arange(12.0)
    pipe = Pipeline([
        ("identity", FunctionTransformer()),
        ("under", RandomUnderSampler(random_state=0)),
        ("clf", RecordingClassifier()),
    ])

    pipe.fit(X, y, clf__sample_weight=weights)

    kept = pipe.named_steps["under"].sample_indices_
    assert len(kept) == 6
    np.testing.assert_array_equal(pipe.named_steps["clf"].sample_weight_, weights[kept])
