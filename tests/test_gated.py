"""ConditionGatedClassifier: a clean expert and a multi-condition expert, mixed per clip."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from skser import AddNoise, AugmentedCopies, ConditionGatedClassifier, load_model, save_model
from skser.pipeline import Pipeline


def _two_conditions(n=200, seed=0):
    """Clean rows whose class is read from column 0, and altered copies in
    which column 0 is buried in noise, the class shows (weaker) in column 1,
    and column 2 says the row was altered."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=n)
    sign = 2 * y - 1
    clean = np.column_stack([1.5 * sign + 0.5 * rng.normal(size=n),
                             rng.normal(size=n),
                             rng.normal(size=n)])
    altered = np.column_stack([6.0 * rng.normal(size=n),
                               1.0 * sign + 0.8 * rng.normal(size=n),
                               4.0 + rng.normal(size=n)])
    return clean, altered, np.array(["sad", "angry"])[y]


# A sharp detector for these three columns (the default's C=0.01 is for
# hundreds of columns and thousands of rows).
SHARP = LogisticRegression(C=10.0)


def _fit_on_copies(clf, n=200, seed=0):
    clean, altered, y = _two_conditions(n, seed)
    X = np.vstack([clean, altered])
    copy_of = np.concatenate([np.arange(n), np.arange(n)])
    return clf.fit(X, np.concatenate([y, y]), copy_of=copy_of)


def test_without_copies_it_is_the_estimator_alone():
    clean, _, y = _two_conditions()
    estimator = LogisticRegression(C=0.1)
    gated = ConditionGatedClassifier(estimator=estimator).fit(clean, y)
    alone = clone(estimator).fit(clean, y)
    assert gated.robust_estimator_ is None and gated.detector_ is None
    np.testing.assert_allclose(gated.predict_proba(clean), alone.predict_proba(clean))
    np.testing.assert_array_equal(gated.clean_weight(clean), 1.0)


def test_each_expert_fits_its_rows_and_the_detector_tells_them_apart():
    n = 200
    clean, altered, y = _two_conditions(n)
    gated = _fit_on_copies(ConditionGatedClassifier(estimator=LogisticRegression(),
                                                    detector=SHARP), n)
    clean_alone = LogisticRegression().fit(clean, y)
    every_row = LogisticRegression().fit(np.vstack([clean, altered]), np.concatenate([y, y]))
    np.testing.assert_allclose(gated.clean_estimator_.coef_, clean_alone.coef_)
    np.testing.assert_allclose(gated.robust_estimator_.coef_, every_row.coef_)
    test_clean, test_altered, _ = _two_conditions(100, seed=1)
    assert gated.clean_weight(test_clean).mean() > 0.8
    assert gated.clean_weight(test_altered).mean() < 0.05


def test_gating_beats_either_expert_alone_across_conditions():
    gated = _fit_on_copies(ConditionGatedClassifier(estimator=LogisticRegression(),
                                                    detector=SHARP))
    test_clean, test_altered, y = _two_conditions(300, seed=2)

    def accuracy(proba_of, X):
        return np.mean(gated.classes_[proba_of(X).argmax(axis=1)] == y)

    experts = {"clean": gated.clean_estimator_.predict_proba,
               "robust": gated.robust_estimator_.predict_proba}
    # The clean expert is lost on altered rows; the robust one is weaker on clean rows.
    assert accuracy(experts["clean"], test_altered) < 0.7
    assert accuracy(experts["robust"], test_clean) < accuracy(experts["clean"], test_clean)
    for X in (test_clean, test_altered):
        scores = sorted(accuracy(proba, X) for proba in experts.values())
        # Near the right expert, and clearly above the wrong one.
        assert accuracy(gated.predict_proba, X) >= scores[1] - 0.02
        assert accuracy(gated.predict_proba, X) >= scores[0] + 0.03


def test_a_larger_power_gives_the_clean_expert_less_weight():
    X = np.vstack(_two_conditions(100, seed=3)[:2])
    weights = [_fit_on_copies(ConditionGatedClassifier(power=p)).clean_weight(X)
               for p in (1.0, 3.0)]
    assert np.all(weights[1] <= weights[0] + 1e-12)
    assert np.any(weights[1] < weights[0] - 0.01)


def test_probabilities_are_a_mixture_of_the_experts():
    gated = _fit_on_copies(ConditionGatedClassifier())
    X = np.vstack(_two_conditions(50, seed=4)[:2])
    g = gated.clean_weight(X)[:, None]
    expected = (g * gated.clean_estimator_.predict_proba(X)
                + (1 - g) * gated.robust_estimator_.predict_proba(X))
    np.testing.assert_allclose(gated.predict_proba(X), expected)
    np.testing.assert_allclose(gated.predict_proba(X).sum(axis=1), 1.0)


def test_copy_of_of_another_length_is_refused():
    clean, _, y = _two_conditions(20)
    with pytest.raises(ValueError, match="copy_of holds 19 entries for 20 rows"):
        ConditionGatedClassifier().fit(clean, y, copy_of=np.arange(19))


def test_skser_pipeline_hands_it_the_copies_of_each_clip():
    clean, _, y = _two_conditions(60)
    pipe = Pipeline([
        ("augment", AugmentedCopies(augmenters=[AddNoise(min_snr_db=0.0, max_snr_db=5.0)],
                                    n_copies=2, random_state=0)),
        ("scale", StandardScaler()),
        ("clf", ConditionGatedClassifier(estimator=LogisticRegression())),
    ]).fit(clean, y)
    gated = pipe[-1]
    assert gated.detector_ is not None
    # The clean expert saw the 60 originals (standardised with every row).
    originals = pipe[:-1].transform(clean)
    np.testing.assert_allclose(gated.clean_estimator_.coef_,
                               LogisticRegression().fit(originals, y).coef_)
    assert pipe.predict(clean).shape == (60,)


def test_a_pipeline_with_it_round_trips_through_a_model_file(tmp_path):
    clean, altered, y = _two_conditions(80)
    pipe = Pipeline([
        ("augment", AugmentedCopies(augmenters=[AddNoise()], n_copies=1, random_state=0)),
        ("clf", ConditionGatedClassifier()),
    ]).fit(clean, y)
    loaded = load_model(save_model(pipe, tmp_path / "gated.skser"))
    X = np.vstack([clean, altered])
    np.testing.assert_allclose(loaded.predict_proba(X), pipe.predict_proba(X))


def test_statistics_pipeline_with_the_gate_fits_experts_on_originals_and_copies(
        labelled_wavs, tmp_path):
    """The route docs/pipeline.md gives: the stats pipeline's clf replaced."""
    from sklearn.pipeline import make_pipeline

    from skser import make_ser_pipeline

    paths, labels, _ = labelled_wavs
    pipe = make_ser_pipeline("stats", sr=8000, duration=0.5, n_copies=2, random_state=0,
                             features__n_fft=256, features__hop_length=128,
                             features__n_mels=32, features__n_bands=4)
    pipe.set_params(clf=ConditionGatedClassifier(estimator=make_pipeline(
        StandardScaler(), LogisticRegression(C=0.01, class_weight="balanced", max_iter=2000))))
    pipe.fit(paths, labels)
    gated = pipe.named_steps["clf"]
    assert gated.detector_ is not None
    # Two altered copies of each clip: the clean expert saw a third of the rows.
    assert gated.clean_estimator_[0].n_samples_seen_ == len(paths)
    assert gated.robust_estimator_[0].n_samples_seen_ == 3 * len(paths)
    proba = pipe.predict_proba(paths)
    assert proba.shape == (len(paths), len(set(labels)))
    loaded = load_model(save_model(pipe, tmp_path / "gated-stats.skser"))
    np.testing.assert_allclose(loaded.predict_proba(paths), proba, rtol=1e-6)


def test_sample_weight_reaches_every_weighted_step_of_each_expert_and_the_detector():
    from sklearn.pipeline import make_pipeline

    clean, altered, y = _two_conditions()
    n = len(y)
    X, yy = np.vstack([clean, altered]), np.concatenate([y, y])
    copy_of = np.concatenate([np.arange(n), np.arange(n)])
    weights = np.random.default_rng(1).uniform(0.1, 3.0, size=2 * n)
    expert = make_pipeline(StandardScaler(), LogisticRegression())
    clf = ConditionGatedClassifier(estimator=expert, detector=clone(expert)).fit(
        X, yy, copy_of=copy_of, sample_weight=weights)

    def by_hand(rows, target):
        return clone(expert).fit(X[rows], target[rows], standardscaler__sample_weight=weights[rows],
                                 logisticregression__sample_weight=weights[rows])

    originals = np.arange(2 * n) < n
    everything = np.ones(2 * n, dtype=bool)
    for fitted, expected in ((clf.clean_estimator_, by_hand(originals, yy)),
                             (clf.robust_estimator_, by_hand(everything, yy)),
                             (clf.detector_, by_hand(everything, originals))):
        np.testing.assert_allclose(fitted[-1].coef_, expected[-1].coef_, rtol=1e-6)
        np.testing.assert_allclose(fitted[0].mean_, expected[0].mean_, rtol=1e-12)
    unweighted = ConditionGatedClassifier(estimator=expert).fit(X, yy, copy_of=copy_of)
    assert not np.allclose(unweighted.robust_estimator_[-1].coef_,
                           clf.robust_estimator_[-1].coef_)


def test_sample_weight_for_an_expert_that_cannot_take_it_is_refused_by_name():
    from sklearn.neighbors import KNeighborsClassifier

    clean, _, y = _two_conditions(40)
    with pytest.raises(TypeError, match="estimator, KNeighborsClassifier, does not take it"):
        ConditionGatedClassifier(estimator=KNeighborsClassifier()).fit(
            clean, y, sample_weight=np.ones(len(y)))


# ------------------------------------------------------------ speaker_scaler

def _speakers_on_channels(n_speakers=6, n_clips=30, seed=0):
    """Clips of speakers with their own offsets, and one round of copies
    in which each speaker's channel shifts every column by its own amount
    (the class stays in column 0): once each speaker's originals and
    copies are standardised apart, the copies look like originals."""
    rng = np.random.default_rng(seed)
    groups = np.repeat(np.arange(n_speakers), n_clips)
    y = rng.integers(0, 2, size=groups.size)
    voice = rng.normal(size=(n_speakers, 3))[groups]
    clean = voice + np.column_stack([(2 * y - 1) + 0.5 * rng.normal(size=y.size),
                                     rng.normal(size=(y.size, 2))])
    channel = 6.0 + rng.normal(scale=0.5, size=(n_speakers, 3))[groups]
    altered = clean + channel + 0.3 * rng.normal(size=clean.shape)
    return clean, altered, np.array(["sad", "angry"])[y], groups


def test_a_speaker_scaler_standardises_the_experts_input_and_the_detector_reads_it_raw():
    from skser import SpeakerStandardScaler

    clean, altered, y, groups = _speakers_on_channels()
    X, Y = np.vstack([clean, altered]), np.concatenate([y, y])
    copy_of, G = np.tile(np.arange(len(y)), 2), np.tile(groups, 2)
    gated = ConditionGatedClassifier(estimator=LogisticRegression(), detector=SHARP,
                                     speaker_scaler=SpeakerStandardScaler(prior_clips=0))
    gated.fit(X, Y, copy_of=copy_of, groups=G)

    # Each speaker's originals and copies standardised apart, for the experts.
    assert gated.speaker_scaler_.n_speakers_ == 2 * len(set(groups))
    standardised = SpeakerStandardScaler(prior_clips=0).fit_transform(
        X, groups=G, copy_of=copy_of)
    np.testing.assert_allclose(gated.clean_estimator_.coef_,
                               LogisticRegression().fit(standardised[:len(y)], y).coef_)
    # New speakers: the detector, on the features as given, tells a clean
    # speaker from an altered one, with one weight for each speaker's clips.
    test_clean, test_altered, _, test_groups = _speakers_on_channels(seed=1)
    on_clean = gated.clean_weight(test_clean, groups=test_groups)
    assert on_clean.mean() > 0.8 and gated.clean_weight(test_altered, test_groups).mean() < 0.05
    assert all(len(np.unique(on_clean[test_groups == g])) == 1 for g in set(test_groups))
    # The scaler before the classifier instead: the detector sees
    # standardised clips and cannot tell a clean speaker from an altered one.
    before = ConditionGatedClassifier(estimator=LogisticRegression(), detector=SHARP)
    before.fit(standardised, Y, copy_of=copy_of)
    scaler = SpeakerStandardScaler(prior_clips=0).fit(X, groups=G)
    assert before.clean_weight(scaler.transform(test_clean, groups=test_groups)).mean() < 0.5


def test_a_speaker_scaler_gets_groups_by_routing_and_round_trips(tmp_path):
    import sklearn

    from skser import SpeakerStandardScaler

    clean, altered, y, groups = _speakers_on_channels(n_speakers=4, n_clips=20)
    pipe = Pipeline([
        ("augment", AugmentedCopies(augmenters=[AddNoise()], n_copies=1, random_state=0)),
        ("clf", ConditionGatedClassifier(speaker_scaler=SpeakerStandardScaler())),
    ])
    assert ConditionGatedClassifier().get_metadata_routing().consumes(
        "fit", ["groups"]) == set()
    with sklearn.config_context(enable_metadata_routing=True):
        pipe.fit(clean, y, groups=groups)
        proba = pipe.predict_proba(altered, groups=groups)
    assert pipe.named_steps["clf"].speaker_scaler_.n_speakers_ == 2 * 4
    np.testing.assert_allclose(proba, pipe.named_steps["clf"].predict_proba(altered, groups))
    assert not np.allclose(proba, pipe.named_steps["clf"].predict_proba(altered))
    loaded = load_model(save_model(pipe, tmp_path / "gated.skser"))
    np.testing.assert_allclose(loaded.named_steps["clf"].predict_proba(altered, groups), proba)
