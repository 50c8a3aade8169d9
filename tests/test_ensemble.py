"""SoftVotingEnsemble and make_ser_pipeline("ensemble")."""

import numpy as np
import pytest
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.naive_bayes import GaussianNB
from sklearn.svm import LinearSVC

from skser import SoftVotingEnsemble, SpeakerStandardScaler, load_model, make_ser_pipeline
from skser import make_pretrained_pipeline, save_model
from skser.pipeline import Pipeline

# Small frames for both members of the default ensemble: a plumbing test's
# clips at 8 kHz, featurised in milliseconds.
SMALL_FRAMES = {f"clf__{m}__features__{k}": v for m in ("stats", "sequence")
                for k, v in (("n_fft", 256), ("hop_length", 128), ("n_mels", 32),
                             ("n_bands", 4))}


@pytest.fixture
def blobs(rng):
    X = rng.normal(size=(60, 4))
    y = np.array(["angry", "happy", "sad"])[np.argmax(X[:, :3], axis=1)]
    return X, y


def test_ensemble_averages_member_probabilities_with_weights(blobs):
    X, y = blobs
    lr, nb = LogisticRegression(), GaussianNB()

    vote = SoftVotingEnsemble(estimators=[("lr", lr), ("nb", nb)], weights=[3, 1]).fit(X, y)

    expected = (0.75 * lr.fit(X, y).predict_proba(X) + 0.25 * nb.fit(X, y).predict_proba(X))
    np.testing.assert_allclose(vote.predict_proba(X), expected)
    np.testing.assert_array_equal(vote.predict(X), vote.classes_[expected.argmax(axis=1)])
    assert vote.named_estimators_["nb"] is vote.estimators_[1]


def test_ensemble_parameters_reach_members_in_a_grid_search(blobs):
    X, y = blobs
    vote = SoftVotingEnsemble(estimators=[("lr", LogisticRegression()), ("nb", GaussianNB())])

    grid = GridSearchCV(vote, {"lr__C": [0.01, 1.0], "weights": [[1, 1], [1, 0]]}, cv=3)
    grid.fit(X, y)

    assert grid.best_estimator_.named_estimators_["lr"].C in (0.01, 1.0)
    assert "nb__var_smoothing" in vote.get_params()


def test_ensemble_routes_groups_to_members_in_fit_and_predict(blobs):
    X, y = blobs
    groups = np.repeat(["ann", "bob", "eve"], 20)
    member = Pipeline([("scale", SpeakerStandardScaler(prior_clips=0)),
                       ("clf", LogisticRegression())])

    with sklearn.config_context(enable_metadata_routing=True):
        vote = SoftVotingEnsemble(estimators=[("a", member)]).fit(X, y, groups=groups)
        alone = Pipeline(member.steps).fit(X, y, groups=groups)
        with_groups = vote.predict_proba(X, groups=groups)
        np.testing.assert_allclose(with_groups, alone.predict_proba(X, groups=groups))
        assert not np.allclose(with_groups, vote.predict_proba(X))


def test_ensemble_refuses_metadata_without_routing(blobs):
    X, y = blobs

    with pytest.raises(ValueError, match="enable_metadata_routing"):
        SoftVotingEnsemble(estimators=[("lr", LogisticRegression())]).fit(X, y, groups=np.zeros(60))


def _columns(columns):
    from sklearn.preprocessing import FunctionTransformer

    return FunctionTransformer(lambda X: X[:, columns])


def test_auto_weights_favour_the_member_that_predicts_held_out_speakers(rng):
    # Column 0 tells the label; columns 1-3 are noise.
    X = rng.normal(size=(90, 4))
    y = np.where(X[:, 0] > 0, "angry", "sad")
    speakers = np.repeat(np.arange(9), 10)
    informed = Pipeline([("pick", _columns([0])), ("clf", LogisticRegression())])
    guessing = Pipeline([("pick", _columns([1, 2, 3])), ("clf", GaussianNB())])

    vote = SoftVotingEnsemble(estimators=[("informed", informed), ("guessing", guessing)],
                              weights="auto").fit(X, y, groups=speakers)

    grid, ua = vote.cv_results_["weights"], vote.cv_results_["ua"]
    assert grid.shape == (11, 2) and np.allclose(grid.sum(axis=1), 1)
    assert ua[np.all(grid == [1, 0], axis=1)] > ua[np.all(grid == [0, 1], axis=1)] + 0.2
    assert vote.weights_[0] > vote.weights_[1]
    assert ua[np.all(grid == vote.weights_, axis=1)] == ua.max()
    assert vote.predict(X).tolist() == np.where(
        (vote.weights_[:, None, None] * np.stack([m.predict_proba(X) for m in
                                                  vote.estimators_])).sum(0)[:, 0] > 0.5,
        "angry", "sad").tolist()


def _group_recorder(seen):
    """A classifier for X whose column 0 names each row's group (a speaker, a
    clip): ``groups_`` are the groups it was fitted on, and every
    ``predict_proba`` appends (the groups it was fitted on, the groups it
    predicts) to ``seen``; it predicts uniform probabilities."""
    from sklearn.base import BaseEstimator, ClassifierMixin

    class Recorder(ClassifierMixin, BaseEstimator):
        def fit(self, X, y):
            self.classes_ = np.unique(y)
            self.groups_ = set(X[:, 0].tolist())
            return self

        def predict_proba(self, X):
            seen.append((self.groups_, set(X[:, 0].tolist())))
            return np.full((len(X), self.classes_.size), 1 / self.classes_.size)

    return Recorder()


def test_auto_weights_split_the_training_clips_by_speaker():
    seen = []
    speakers = np.repeat(np.arange(6), 6)
    X = np.column_stack([speakers, np.arange(36)]).astype(float)
    y = np.tile(["angry", "happy", "sad"], 12)

    vote = SoftVotingEnsemble(estimators=[("r", _group_recorder(seen))], weights="auto", cv=3)
    vote.fit(X, y, groups=speakers)

    assert len(seen) == 3
    for trained_on, predicted in seen:
        assert trained_on and predicted and not trained_on & predicted
    assert set().union(*(p for _, p in seen)) == set(range(6))
    assert vote.estimators_[0].groups_ == set(range(6))  # the final fit: every speaker


@pytest.mark.parametrize("routing", [False, True])
@pytest.mark.parametrize("groups", [False, True])
def test_auto_weights_keep_a_clip_and_its_copies_on_one_side(routing, groups):
    """After AugmentedCopies, the Pipeline tells the ensemble which clip each
    row copies; with no speakers given, the inner split keeps a clip and its
    copies together, so that no member is weighed on copies of its own
    training clips. With speakers, the speakers split them as before."""
    from sklearn.base import BaseEstimator, TransformerMixin

    from skser import AugmentedCopies

    seen = []  # column 0 of X is the clip (copies keep it)

    class Jitter(TransformerMixin, BaseEstimator):
        """An augmenter: column 1 gets noise, column 0 (the clip) is kept."""

        def __init__(self, random_state=None):
            self.random_state = random_state

        def fit(self, X, y=None):
            return self

        def transform(self, X):
            X = np.array(X, dtype=float)
            X[:, 1] += np.random.default_rng(self.random_state).normal(size=len(X))
            return X

    n = 36
    X = np.column_stack([np.arange(n), np.zeros(n)]).astype(float)
    y = np.tile(["angry", "happy", "sad"], n // 3)
    speakers = np.repeat(np.arange(6), 6)
    pipe = Pipeline([
        ("augment", AugmentedCopies(augmenters=Jitter(), n_copies=2, random_state=0)),
        ("clf", SoftVotingEnsemble(estimators=[("r", _group_recorder(seen))], weights="auto",
                                   cv=3))])
    with sklearn.config_context(enable_metadata_routing=routing):
        pipe.fit(X, y, **({"groups": speakers} if groups and routing else
                          {"clf__groups": speakers} if groups else {}))

    assert len(seen) == 3
    for trained_on, predicted in seen:
        assert trained_on and predicted and not trained_on & predicted
    assert set().union(*(p for _, p in seen)) == set(range(n))
    if groups:  # the speakers' split: clips of one speaker held out together
        for _, predicted in seen:
            held = set(speakers[sorted(int(c) for c in predicted)].tolist())
            assert not held & set(speakers[sorted(int(c) for c in
                                                  set(range(n)) - predicted)].tolist())

    # The ensemble alone, given the rows and no copy_of, would have split
    # copies of one clip across its inner folds: what the Pipeline prevents.
    seen.clear()
    rows = np.concatenate([X, X, X])
    SoftVotingEnsemble(estimators=[("r", _group_recorder(seen))], weights="auto", cv=3).fit(
        rows, np.concatenate([y, y, y]))
    assert any(trained_on & predicted for trained_on, predicted in seen)


def test_auto_weights_refuse_copy_of_of_another_length_by_name(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="copy_of holds 10 entries for 60 clips"):
        SoftVotingEnsemble(estimators=[("lr", LogisticRegression())],
                           weights="auto").fit(X, y, copy_of=np.zeros(10))


def test_auto_weights_take_the_speakers_by_routing_and_pass_them_on(blobs):
    X, y = blobs
    groups = np.repeat(["ann", "bob", "eve", "joe", "kim", "lou"], 10)
    member = Pipeline([("scale", SpeakerStandardScaler(prior_clips=0)),
                       ("clf", LogisticRegression())])

    with sklearn.config_context(enable_metadata_routing=True):
        from sklearn.preprocessing import FunctionTransformer

        pipe = Pipeline([("same", FunctionTransformer()), (
            "clf", SoftVotingEnsemble(estimators=[("a", member), ("b", GaussianNB())],
                                      weights="auto"))])
        pipe.fit(X, y, groups=groups)
        vote = pipe.named_steps["clf"]
        direct = SoftVotingEnsemble(estimators=[("a", member), ("b", GaussianNB())],
                                    weights="auto").fit(X, y, groups=groups)

    np.testing.assert_array_equal(vote.cv_results_["ua"], direct.cv_results_["ua"])
    # The member's scaler got the speakers too, in the final fit ...
    assert vote.named_estimators_["a"].named_steps["scale"].n_speakers_ == 6
    # ... and without them sees one speaker; the split is then over clips.
    alone = SoftVotingEnsemble(estimators=[("a", member), ("b", GaussianNB())],
                               weights="auto").fit(X, y)
    assert alone.named_estimators_["a"].named_steps["scale"].n_speakers_ == 1


def test_auto_weights_refuse_groups_of_another_length_by_name(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="groups holds 10 speakers for 60 clips"):
        SoftVotingEnsemble(estimators=[("lr", LogisticRegression())],
                           weights="auto").fit(X, y, groups=np.zeros(10))


def test_auto_weights_need_two_speakers_and_use_one_per_fold_when_few(blobs):
    X, y = blobs
    vote = SoftVotingEnsemble(estimators=[("lr", LogisticRegression())], weights="auto", cv=5)
    with pytest.raises(ValueError, match="needs at least 2; got 1"):
        vote.fit(X, y, groups=np.zeros(60))
    vote.fit(X, y, groups=np.repeat([0, 1], 30))  # two folds of one speaker each
    assert vote.weights_.tolist() == [1.0]


@pytest.mark.parametrize("weights, cv, message", [
    ("equal", 3, "'weights' parameter"),
    ("auto", "three", "'cv' parameter"),
])
def test_auto_weights_refuse_bad_settings_by_name(blobs, weights, cv, message):
    with pytest.raises(ValueError, match=message):
        SoftVotingEnsemble(estimators=[("lr", LogisticRegression())], weights=weights,
                           cv=cv).fit(*blobs)


@pytest.mark.parametrize("members, weights, error, message", [
    ([], None, ValueError, "at least one"),
    ([("svm", LinearSVC())], None, TypeError, "has no predict_proba"),
    ([("a", LogisticRegression()), ("b", GaussianNB())], [1], ValueError, "weights must"),
    ([("a", LogisticRegression()), ("b", GaussianNB())], [0, 0], ValueError, "weights must"),
    ([("a", LogisticRegression()), ("b", GaussianNB())], [1, -1], ValueError, "weights must"),
])
def test_ensemble_refuses_bad_members_and_weights_by_name(blobs, members, weights, error,
                                                          message):
    with pytest.raises(error, match=message):
        SoftVotingEnsemble(estimators=members, weights=weights).fit(*blobs)


def test_ensemble_refuses_members_with_different_classes(blobs):
    from sklearn.base import BaseEstimator, ClassifierMixin

    class Other(ClassifierMixin, BaseEstimator):
        def fit(self, X, y):
            self.classes_ = np.array(["x", "y"])
            return self

        def predict_proba(self, X):
            return np.full((len(X), 2), 0.5)

    with pytest.raises(ValueError, match="different classes_"):
        SoftVotingEnsemble(estimators=[("lr", LogisticRegression()), ("o", Other())]).fit(*blobs)


@pytest.mark.slow
def test_ensemble_pipeline_votes_stats_and_sequence_and_saves(labelled_wavs, tmp_path):
    paths, labels, _ = labelled_wavs
    pipe = make_ser_pipeline(
        "ensemble", sr=8000, duration=0.5, random_state=0, **SMALL_FRAMES,
        clf__sequence__clf__width=0.25, clf__sequence__clf__epochs=2)

    pipe.fit(paths, labels)

    # Robust by default (issue 21): altered copies and one speech level, shared.
    assert [name for name, _ in pipe.steps] == ["load", "trim", "augment", "level", "clf"]
    members = pipe.named_steps["clf"].named_estimators_
    vote = pipe.named_steps["clf"]
    assert vote.weights == "auto"
    assert vote.weights_.tolist() in vote.cv_results_["weights"].tolist()
    # Both members trained on the clips and their two altered copies.
    assert members["stats"][-1].n_features_in_ > 0
    assert pipe.named_steps["augment"].sample_indices_.size == 3 * len(paths)
    trimmed = pipe[:-1].transform(paths)
    expected = (vote.weights_[0] * members["stats"].predict_proba(trimmed)
                + vote.weights_[1] * members["sequence"].predict_proba(trimmed))
    proba = pipe.predict_proba(paths)
    np.testing.assert_allclose(proba, expected, rtol=1e-6)
    loaded = load_model(save_model(pipe, tmp_path / "ensemble.skser"))
    np.testing.assert_allclose(loaded.predict_proba(paths), proba, atol=1e-6)


def test_ensemble_pipeline_refuses_a_model_and_augmentation_without_robust():
    with pytest.raises(ValueError, match='kind="ensemble" votes'):
        make_ser_pipeline("ensemble", model="lenet5")
    with pytest.raises(ValueError, match="robust=False takes no augmented copies"):
        make_ser_pipeline("ensemble", robust=False, augment=True)
    with pytest.raises(ValueError, match="robust=False takes no augmented copies"):
        make_ser_pipeline("ensemble", robust=False, n_copies=3)
    # Robust, copies are the robust statistics model's: their number can change.
    assert make_ser_pipeline(n_copies=3).named_steps["augment"].n_copies == 3


@pytest.mark.parametrize("build, n_copies", [
    # The statistics model's four were searched for it alone; the ensemble
    # and the shipped recipe keep the two their stored rows were measured with.
    (lambda: make_ser_pipeline("stats"), 4),
    (lambda: make_ser_pipeline(), 2),
    (lambda: make_ser_pipeline("sequence", robust=True), 2),
    (lambda: make_pretrained_pipeline(), 2),
    (lambda: make_ser_pipeline("stats", robust=False, augment=True), 1),
])
def test_each_recipe_declares_its_number_of_altered_copies(build, n_copies):
    pipe = build()
    assert pipe.named_steps["augment"].n_copies == n_copies


def test_the_default_pipeline_is_the_ensemble_and_builds_without_tensorflow():
    import subprocess
    import sys

    # The issue-14 default (the best row over both corpora in docs/results.md),
    # robust since issue 21.
    code = "\n".join([
        "import sys",
        "from skser import make_ser_pipeline",
        "pipe = make_ser_pipeline()",
        "vote = pipe.named_steps['clf']",
        "print([n for n, _ in pipe.steps], [n for n, _ in vote.estimators], vote.weights)",
        "print(sorted(m for m in ('tensorflow', 'keras', 'scikeras') if m in sys.modules))",
    ])
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    steps, tensorflow = result.stdout.strip().splitlines()[-2:]
    assert steps == "['load', 'trim', 'augment', 'level', 'clf'] ['stats', 'sequence'] auto"
    assert tensorflow == "[]"
    assert type(make_ser_pipeline().named_steps["clf"]) is SoftVotingEnsemble


@pytest.mark.slow
@pytest.mark.parametrize("routing", [True])  # the harder case: metadata reach the tails
def test_features_computed_once_fit_the_same_members(routing, labelled_wavs, monkeypatch):
    # weights="auto" fits every member cv + 1 times; a pipeline member's
    # features are now computed once for all clips. The result must be the
    # ensemble that fitting every member from the clips gives, bit for bit,
    # with a speaker-normalised member (metadata reaching the tail) too.
    from sklearn import config_context

    from skser.features import FrameFeatures1D

    paths, labels, speakers = labelled_wavs
    options = dict(sr=8000, duration=0.5, random_state=0, robust=False,
                   speaker_normalize=routing, **SMALL_FRAMES,
                   clf__sequence__clf__width=0.25, clf__sequence__clf__epochs=2)
    calls = []
    frames = FrameFeatures1D._frames_chunk
    monkeypatch.setattr(FrameFeatures1D, "_frames_chunk",
                        lambda self, X, **kw: calls.append(len(X)) or frames(self, X, **kw))
    fitted = {}
    for cache in (True, False):
        monkeypatch.setattr(SoftVotingEnsemble, "_cache_heads", cache)
        calls.clear()
        pipe = make_ser_pipeline("ensemble", **options)
        with config_context(enable_metadata_routing=routing):
            pipe.fit(paths, labels, **({"groups": speakers} if routing else
                                       {"clf__groups": speakers}))
            proba = pipe.predict_proba(paths, **({"groups": speakers} if routing else {}))
        fitted[cache] = (pipe, proba, list(calls))

    (cached, proba, calls), (plain, expected, plain_calls) = fitted[True], fitted[False]
    np.testing.assert_array_equal(cached[-1].weights_, plain[-1].weights_)
    np.testing.assert_array_equal(cached[-1].cv_results_["ua"], plain[-1].cv_results_["ua"])
    np.testing.assert_array_equal(proba, expected)
    # The members' frames (the same features, pooled for one and per frame
    # for the other): once over all clips, then once to predict, against
    # each member's own for (cv + 1) fits and cv held-out parts, and predict.
    n = len(paths)
    assert np.all(cached[-1].weights_ > 0)
    assert sum(calls) == 2 * n
    assert sum(plain_calls) == 2 * (n * (1 + 2) + n) + 2 * n


def _pooled_members(rng):
    """Waveforms, labels and two pipeline members that pool the same frame
    features two ways (the stats/sequence pair without a network)."""
    from skser.features import FrameFeatures1D

    X = (0.1 * rng.standard_normal((30, 4000))).astype(np.float32)
    y = np.repeat(["angry", "happy", "sad"], 10)
    X[y == "angry"] *= 4
    X[y == "sad", :1000] = 0.0
    features = dict(sr=8000, features=("rms", "mfcc", "f0"), n_mfcc=4, n_fft=256,
                    hop_length=128, n_mels=32)
    members = [(name, Pipeline([("features", FrameFeatures1D(**features, aggregate=pool)),
                                ("clf", LogisticRegression(C=c, max_iter=1000))]))
               for name, pool, c in (("mean", "mean", 1.0), ("func", "functionals", 0.1))]
    return X, y, members


@pytest.mark.parametrize("weights", [[1, 2], [1, 0]])
def test_members_that_pool_the_same_frames_compute_them_once(weights, rng, monkeypatch):
    # With fixed weights too: fit computes the frames once for both members,
    # predict once for the members that vote; a member of weight 0 is not
    # run at predict. The votes are those of members fitted on their own.
    from skser.features import FrameFeatures1D

    X, y, members = _pooled_members(rng)
    calls = []
    frames = FrameFeatures1D._frames_chunk
    monkeypatch.setattr(FrameFeatures1D, "_frames_chunk",
                        lambda self, X, **kw: calls.append(len(X)) or frames(self, X, **kw))

    vote = SoftVotingEnsemble(estimators=members, weights=weights).fit(X, y)
    fit_calls = sum(calls)
    proba = vote.predict_proba(X)

    assert (fit_calls, sum(calls) - fit_calls) == (len(X), len(X))
    alone = [Pipeline(m.steps).fit(X, y).predict_proba(X) for _, m in members]
    w = np.asarray(weights) / sum(weights)
    np.testing.assert_array_equal(proba, w[0] * alone[0] + w[1] * alone[1] if w[1] else
                                  w[0] * alone[0])
    monkeypatch.setattr(SoftVotingEnsemble, "_cache_heads", False)
    calls.clear()
    plain = SoftVotingEnsemble(estimators=members, weights=weights).fit(X, y)
    np.testing.assert_array_equal(plain.predict_proba(X), proba)
    assert sum(calls) == 2 * len(X) + len(X) * int(np.count_nonzero(weights))


def test_members_whose_fit_takes_copy_of_get_their_rows_entries(blobs):
    from sklearn.base import BaseEstimator, ClassifierMixin
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    from skser import ConditionGatedClassifier

    fits = []

    class CopyChecker(ClassifierMixin, BaseEstimator):
        """Column 0 of X is the clip each row copies; records whether the
        copy_of its fit got says the same."""

        def fit(self, X, y, copy_of=None):
            fits.append(copy_of is not None and np.array_equal(copy_of, X[:, 0]))
            self.classes_ = np.unique(y)
            return self

        def predict_proba(self, X):
            return np.full((len(X), self.classes_.size), 1 / self.classes_.size)

    X, y = blobs
    n = len(y)
    rng = np.random.default_rng(0)
    # The clips, then a noisy copy of each: copy_of as AugmentedCopies sets it.
    rows = np.vstack([X, X + rng.normal(0, 1.0, X.shape)])
    copy_of = np.tile(np.arange(n), 2)
    rows = np.column_stack([copy_of, rows]).astype(float)
    labels = np.concatenate([y, y])
    gated = Pipeline([("scale", StandardScaler()), ("clf", ConditionGatedClassifier())])
    vote = SoftVotingEnsemble(estimators=[
        # The checker's pipeline has a head that learns nothing, which the
        # ensemble computes once: its tail gets copy_of.
        ("gated", gated),
        ("check", Pipeline([("f", FunctionTransformer()), ("clf", CopyChecker())])),
        ("plain", GaussianNB())], weights="auto", cv=3)
    vote.fit(rows, labels, copy_of=copy_of)

    assert "check" in vote._heads(rows, {})
    # Three inner fits and the final one, each with its own rows' entries.
    assert fits == [True] * 4
    # The gated member learned which rows are copies, as it does alone.
    member = vote.named_estimators_["gated"].named_steps["clf"]
    assert member.detector_ is not None
    alone = Pipeline([("scale", StandardScaler()), ("clf", ConditionGatedClassifier())])
    alone.fit(rows, labels, copy_of=copy_of)
    np.testing.assert_allclose(vote.named_estimators_["gated"].predict_proba(rows),
                               alone.predict_proba(rows))
    # Without copy_of every row is a clip: no copies, no detector.
    fits.clear()
    vote.fit(rows, labels)
    assert fits == [False] * 4
    assert vote.named_estimators_["gated"].named_steps["clf"].detector_ is None


@pytest.mark.slow
def test_a_gated_member_of_the_default_tells_the_clips_from_the_shared_copies(labelled_wavs):
    from skser import ConditionGatedClassifier

    paths, labels, _ = labelled_wavs
    pipe = make_ser_pipeline(
        sr=8000, duration=0.5, random_state=0, **SMALL_FRAMES, clf__sequence__clf__width=0.25,
        clf__sequence__clf__epochs=1, clf__stats__clf=ConditionGatedClassifier())

    pipe.fit(paths, labels)

    # The Pipeline handed the ensemble the clip of each row, and the ensemble
    # its gated member: the clean expert learned the originals only, the
    # detector originals against the two altered copies of each.
    gate = pipe.named_steps["clf"].named_estimators_["stats"][-1]
    assert gate.detector_ is not None
    assert pipe.named_steps["augment"].sample_indices_.size == 3 * len(paths)
    assert gate.clean_estimator_[0].n_samples_seen_ == len(paths)
    assert gate.robust_estimator_[0].n_samples_seen_ == 3 * len(paths)
    assert pipe.predict_proba(paths).shape == (len(paths), np.unique(labels).size)
