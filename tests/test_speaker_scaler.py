"""SpeakerStandardScaler: per-speaker statistics, the fallback, shrinkage,
groups through metadata routing in a real (tiny, TensorFlow-free) pipeline."""

import warnings

import numpy as np
import pytest
import sklearn
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.model_selection import GroupKFold, cross_val_score

from skser import SpeakerStandardScaler, StandardScalerND, load_model, make_ser_pipeline, save_model

import strategies as sst
from conftest import write_tone_clips

FAST = settings(max_examples=25, deadline=None)

# Axes pooled into one statistic, per rank (as StandardScalerND).
_POOLED_AXES = {2: (0,), 3: (0, 1), 4: (0, 2)}


def _tol(X):
    return 1e-3 if X.dtype == np.float32 else 1e-8


@st.composite
def features_and_speakers(draw, ranks=(2, 3, 4)):
    X = draw(sst.feature_arrays(ranks=ranks))
    return X, draw(sst.speaker_groups(X.shape[0]))


def _speaker_clips(rng, spec, n_features=3):
    """2-D features of speakers ``{name: (n_clips, offset, spread)}``, each
    speaker shifted and stretched, and their groups."""
    X = np.concatenate([
        offset + spread * rng.normal(size=(n, n_features)) for n, offset, spread in spec.values()
    ])
    groups = np.repeat(list(spec), [n for n, _, _ in spec.values()])
    return X, groups


# ------------------------------------------------------------- statistics

@FAST
@given(data=features_and_speakers())
def test_each_speaker_comes_out_with_mean_0_and_std_1_without_prior(data):
    X, groups = data

    Xt = SpeakerStandardScaler(prior_clips=0).fit(X, groups=groups).transform(X, groups=groups)

    assert Xt.shape == X.shape and Xt.dtype == X.dtype and np.all(np.isfinite(Xt))
    axes = _POOLED_AXES[X.ndim]
    for speaker in np.unique(groups):
        own, out = X[groups == speaker].astype(np.float64), Xt[groups == speaker].astype(np.float64)
        np.testing.assert_allclose(out.mean(axis=axes), 0.0, atol=_tol(X))
        constant = own.max(axis=axes) == own.min(axis=axes)
        np.testing.assert_allclose(out.std(axis=axes)[~constant], 1.0, atol=_tol(X))
        np.testing.assert_array_equal(out.std(axis=axes)[constant], 0.0)


@pytest.mark.parametrize("shape", [(8, 3), (8, 5, 3), (8, 4, 5, 2)])
def test_fallback_is_the_mean_of_speaker_means_and_root_mean_of_speaker_variances(shape, rng):
    X = rng.normal(size=shape) * rng.uniform(1, 5, size=shape) + rng.uniform(-5, 5, size=shape)
    groups = np.array(["a"] * 3 + ["b"] * 5)
    axes = _POOLED_AXES[len(shape)]

    scaler = SpeakerStandardScaler().fit(X, groups=groups)

    a, b = X[:3], X[3:]
    mean = (a.mean(axis=axes, keepdims=True) + b.mean(axis=axes, keepdims=True))[0] / 2
    var = (a.var(axis=axes, keepdims=True) + b.var(axis=axes, keepdims=True))[0] / 2
    np.testing.assert_allclose(scaler.mean_, mean, rtol=1e-12)
    np.testing.assert_allclose(scaler.var_, var, rtol=1e-12)
    np.testing.assert_allclose(scaler.scale_, np.sqrt(var), rtol=1e-12)
    assert scaler.n_speakers_ == 2 and scaler.n_features_in_ == shape[1]


@pytest.mark.parametrize("n_clips", [1, 3])
def test_a_speaker_with_few_clips_is_shrunk_toward_the_fallback(n_clips, rng):
    X, groups = _speaker_clips(rng, {"a": (20, 0.0, 1.0), "b": (20, 10.0, 3.0)})
    scaler = SpeakerStandardScaler(prior_clips=5).fit(X, groups=groups)
    new = 40.0 + 7.0 * rng.normal(size=(n_clips, 3))

    out = scaler.transform(new, groups=["new"] * n_clips)

    w = n_clips / (n_clips + 5)
    mean = w * new.mean(axis=0) + (1 - w) * scaler.mean_
    var = w * new.var(axis=0) + (1 - w) * scaler.var_
    np.testing.assert_allclose(out, (new - mean) / np.sqrt(var), rtol=1e-10)


def test_a_one_clip_speaker_without_prior_is_only_centred(rng):
    X, groups = _speaker_clips(rng, {"a": (10, 0.0, 1.0), "b": (10, 5.0, 2.0)})
    scaler = SpeakerStandardScaler(prior_clips=0).fit(X, groups=groups)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = scaler.transform(X[:1], groups=["unseen"])

    np.testing.assert_array_equal(out, 0.0)


def test_many_clips_outweigh_the_prior(rng):
    X, groups = _speaker_clips(rng, {"a": (30, 0.0, 1.0), "b": (30, 10.0, 3.0)})
    new = 40.0 + 7.0 * rng.normal(size=(2000, 3))

    out = SpeakerStandardScaler(prior_clips=5).fit(X, groups=groups).transform(
        new, groups=["new"] * 2000)

    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=0.02)
    np.testing.assert_allclose(out.std(axis=0), 1.0, atol=0.02)


def test_fit_without_groups_is_one_speaker_as_standard_scaler_nd(rng):
    X = 3.0 + 2.0 * rng.normal(size=(12, 7, 4))

    ours = SpeakerStandardScaler().fit(X)

    theirs = StandardScalerND().fit(X)
    assert ours.n_speakers_ == 1
    np.testing.assert_allclose(ours.transform(X), theirs.transform(X), rtol=1e-12)
    np.testing.assert_allclose(ours.fit_transform(X), theirs.transform(X), rtol=1e-12)
    np.testing.assert_allclose(ours.transform(X, groups=["x"] * 12), theirs.transform(X),
                               rtol=1e-12)


def test_transform_without_groups_uses_the_fallback_and_warns_nothing(rng):
    X, groups = _speaker_clips(rng, {"a": (10, 0.0, 1.0), "b": (10, 5.0, 2.0)})
    scaler = SpeakerStandardScaler().fit(X, groups=groups)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = scaler.transform(X[:2])

    np.testing.assert_allclose(out, (X[:2] - scaler.mean_) / scaler.scale_, rtol=1e-12)


def test_fit_transform_standardises_training_clips_as_transform_would(rng):
    X, groups = _speaker_clips(rng, {"a": (4, 0.0, 1.0), "b": (9, 5.0, 2.0), "c": (1, 2, 1)})
    scaler = SpeakerStandardScaler()

    out = scaler.fit_transform(X, groups=groups)

    np.testing.assert_array_equal(out, scaler.transform(X, groups=groups))


def test_copy_of_standardises_each_round_of_a_speakers_copies_apart(rng):
    # Two speakers, three clips each, then two rounds of copies: each round
    # of a speaker's copies shifted by its own channel.
    originals = rng.normal(size=(6, 3))
    X = np.concatenate([originals, originals + 10.0, originals * 3.0 - 4.0])
    groups = np.tile(["ann", "ann", "ann", "bob", "bob", "bob"], 3)
    copy_of = np.tile(np.arange(6), 3)
    scaler = SpeakerStandardScaler(prior_clips=0)

    out = scaler.fit_transform(X, groups=groups, copy_of=copy_of)

    for part in range(3):
        for speaker in ("ann", "bob"):
            block = out[6 * part:6 * part + 6][groups[:6] == speaker]
            np.testing.assert_allclose(block.mean(axis=0), 0.0, atol=1e-9)
            np.testing.assert_allclose(block.std(axis=0), 1.0, rtol=1e-9)
    # Every round standardised alike: the copies match their originals.
    np.testing.assert_allclose(out[6:12], out[:6], atol=1e-9)
    assert scaler.n_speakers_ == 6
    # Without copy_of, each speaker's rows are one group (the shifts stay).
    plain = SpeakerStandardScaler(prior_clips=0).fit_transform(X, groups=groups)
    assert not np.allclose(plain[6:12], plain[:6])
    # Without groups, copy_of changes nothing: one speaker, as before.
    np.testing.assert_array_equal(
        SpeakerStandardScaler().fit_transform(X, copy_of=copy_of),
        SpeakerStandardScaler().fit_transform(X))


@pytest.mark.parametrize("copy_of, error, message", [
    (np.arange(5), ValueError, r"copy_of has shape \(5,\) but X has 6 rows"),
    ("abc", TypeError, "copy_of must be a sequence"),
])
def test_bad_copy_of_raises_an_error_naming_it(copy_of, error, message, rng):
    with pytest.raises(error, match=message):
        SpeakerStandardScaler().fit_transform(rng.normal(size=(6, 3)), groups=np.arange(6) % 2,
                                              copy_of=copy_of)


@pytest.mark.parametrize("with_mean, with_std", [(True, False), (False, True)])
def test_with_mean_and_with_std_switch_off_their_step(with_mean, with_std, rng):
    X, groups = _speaker_clips(rng, {"a": (10, 3.0, 1.0), "b": (10, 5.0, 2.0)})
    scaler = SpeakerStandardScaler(with_mean=with_mean, with_std=with_std, prior_clips=0)

    out = scaler.fit_transform(X, groups=groups)

    a, b = X[groups == "a"], out[groups == "a"]
    expected = (a - a.mean(axis=0) if with_mean else a) / (a.std(axis=0) if with_std else 1)
    np.testing.assert_allclose(b, expected, rtol=1e-10)
    assert (scaler.mean_ is None) != with_mean and (scaler.scale_ is None) != with_std


# --------------------------------------------------------- data contract

@FAST
@given(data=features_and_speakers(), prior=st.sampled_from([0, 0.5, 5]), seed=sst.seeds)
def test_shuffling_clips_permutes_the_output(data, prior, seed):
    X, groups = data
    order = np.random.default_rng(seed).permutation(X.shape[0])
    scaler = SpeakerStandardScaler(prior_clips=prior).fit(X, groups=groups)

    out = scaler.transform(X, groups=groups)
    shuffled = scaler.transform(X[order], groups=groups[order])

    # Only the summation order changes: equal up to rounding of X's dtype.
    tol = _tol(X) * 1e-2
    np.testing.assert_allclose(shuffled, out[order], rtol=tol, atol=tol)


@FAST
@given(data=features_and_speakers())
def test_speaker_names_do_not_matter_only_who_is_who(data):
    X, groups = data
    scaler = SpeakerStandardScaler().fit(X, groups=groups)
    renamed = np.array([f"#{sst.SPEAKER_NAMES.index(g) * 7}" for g in groups])

    np.testing.assert_array_equal(scaler.transform(X, groups=renamed),
                                  scaler.transform(X, groups=groups))


@FAST
@given(data=features_and_speakers(), n_new=st.integers(1, 5))
def test_output_keeps_shape_and_dtype_and_is_finite_for_unseen_speakers(data, n_new):
    X, groups = data
    scaler = SpeakerStandardScaler().fit(X, groups=groups)
    new = X[:n_new] * 3 + 1

    for out in (scaler.transform(new, groups=["new"] * len(new)), scaler.transform(new)):
        assert out.shape == new.shape and out.dtype == X.dtype
        assert np.all(np.isfinite(out))


def test_feature_names_pass_through_for_2d_input(rng):
    scaler = SpeakerStandardScaler().fit(rng.normal(size=(6, 3)).astype(np.float32),
                                         groups=[0, 0, 1, 1, 2, 2])

    assert list(scaler.get_feature_names_out(["f0", "f1", "f2"])) == ["f0", "f1", "f2"]
    with pytest.raises(ValueError, match="2-D"):
        SpeakerStandardScaler().fit(rng.normal(size=(6, 4, 3))).get_feature_names_out()


# ------------------------------------------------------------- bad input

@pytest.mark.parametrize("groups, error, message", [
    (["a"] * 5, ValueError, "groups has 5 entries but X has 6 clips"),
    (["a", "a", None, "b", "b", "b"], ValueError, r"groups has no speaker \(None or NaN\) "
                                                  "for 1 clip.*index 2"),
    ([1.0, np.nan, 1.0, 2.0, np.nan, 2.0], ValueError, "groups has no speaker .* for 2 clip"),
    (np.zeros((6, 2)), ValueError, "groups must be 1-D"),
    ("speaker", TypeError, "groups must be a sequence"),
    (7, TypeError, "groups must be a sequence"),
    ([["a"], ["a"], ["a"], ["b"], ["b"], ["c", "d"]], ValueError, "groups could not be"),
])
def test_bad_groups_raise_errors_naming_groups(groups, error, message, rng):
    X = rng.normal(size=(6, 3))
    scaler = SpeakerStandardScaler().fit(X)

    with pytest.raises(error, match=message):
        scaler.fit(X, groups=groups)
    with pytest.raises(error, match=message):
        scaler.transform(X, groups=groups)


def test_an_object_array_of_groups_may_mix_label_types(rng):
    """As in a pandas column of object dtype: labels numpy cannot sort."""
    X = rng.normal(size=(4, 2))
    groups = np.array([1, "a", 1, "a"], dtype=object)

    scaler = SpeakerStandardScaler(prior_clips=0)
    out = scaler.fit_transform(X, groups=groups)

    assert scaler.n_speakers_ == 2
    np.testing.assert_allclose(out[[0, 2]].mean(axis=0), 0.0, atol=1e-12)


# -------------------------------------------------- in a pipeline, routed

SR = 8000


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """30 tone clips of 3 labels by 5 speakers, each speaker at its own loudness."""
    folder = tmp_path_factory.mktemp("speakers")
    paths, labels = write_tone_clips(folder, 30, sr=SR, seconds=0.5,
                                     rng=np.random.default_rng(0))
    groups = np.array([f"s{i % 5}" for i in range(30)])
    return np.array(paths), np.array(labels), groups


def _pipeline():
    return make_ser_pipeline(
        "stats", speaker_normalize=True, sr=SR, duration=0.5, random_state=0,
        features__features=("rms", "mfcc"), features__n_mfcc=8, features__n_mels=16,
        features__n_fft=256, features__hop_length=128,
    )


@pytest.fixture(scope="module")
def fitted(corpus):
    paths, labels, groups = corpus
    with sklearn.config_context(enable_metadata_routing=True):
        return _pipeline().fit(list(paths[:20]), labels[:20], groups=groups[:20])


def _by_hand(pipe, paths, groups=None):
    """predict_proba of ``pipe`` with the scale step called directly."""
    features = pipe[:-2].transform(list(paths))
    return pipe[-1].predict_proba(pipe["scale"].transform(features, groups=groups))


def test_routed_fit_gives_the_scaler_the_training_speakers(fitted):
    assert fitted["scale"].n_speakers_ == 5


def test_routed_predict_uses_each_test_speakers_clips(fitted, corpus):
    paths, _, groups = corpus
    new, new_groups = paths[20:], groups[20:]

    with sklearn.config_context(enable_metadata_routing=True):
        proba = fitted.predict_proba(list(new), groups=new_groups)
        labels = fitted.predict(list(new), groups=new_groups)

    np.testing.assert_allclose(proba, _by_hand(fitted, new, new_groups), rtol=1e-12)
    assert list(labels) == list(fitted.classes_[np.argmax(proba, axis=1)])


def test_routed_predict_without_groups_uses_the_fallback_silently(fitted, corpus):
    paths = corpus[0][20:]

    with sklearn.config_context(enable_metadata_routing=True), warnings.catch_warnings():
        warnings.simplefilter("error")
        proba = fitted.predict_proba(list(paths))
        fitted.predict(list(paths))

    np.testing.assert_allclose(proba, _by_hand(fitted, paths), rtol=1e-12)


def test_cross_val_score_with_group_kfold_routes_groups(corpus):
    paths, labels, groups = corpus

    with sklearn.config_context(enable_metadata_routing=True):
        scores = cross_val_score(_pipeline(), list(paths), labels, cv=GroupKFold(5),
                                 params={"groups": groups})

    assert scores.shape == (5,) and np.all((scores >= 0) & (scores <= 1))


def test_without_routing_fit_takes_groups_as_a_step_parameter(corpus):
    paths, labels, groups = corpus

    pipe = _pipeline().fit(list(paths[:20]), labels[:20], scale__groups=groups[:20])

    assert pipe["scale"].n_speakers_ == 5


def test_a_saved_speaker_normalised_model_predicts_the_same(fitted, corpus, tmp_path):
    paths, _, groups = corpus
    model = load_model(save_model(fitted, tmp_path / "model.skser"))

    with sklearn.config_context(enable_metadata_routing=True):
        np.testing.assert_array_equal(model.predict_proba(list(paths[20:]), groups=groups[20:]),
                                      fitted.predict_proba(list(paths[20:]), groups=groups[20:]))
