"""DomainStandardScaler and make_ser_pipeline(adapt=True): statistics per
recording domain, ``domains`` as a metadata key of its own (beside the
speakers' ``groups``), in a real (tiny, TensorFlow-free) pipeline and in
the ensemble's inner split."""

import numpy as np
import pytest
import sklearn
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from skser import (
    DomainStandardScaler, SoftVotingEnsemble, SpeakerStandardScaler, load_model,
    make_ser_pipeline, save_model,
)

import strategies as sst
from conftest import write_tone_clips

FAST = settings(max_examples=25, deadline=None)


@st.composite
def features_and_domains(draw):
    X = draw(sst.feature_arrays(ranks=(2, 3, 4)))
    return X, draw(sst.speaker_groups(X.shape[0]))


@given(data=features_and_domains())
@FAST
def test_per_domain_statistics_are_the_speaker_scalers_over_domains(data):
    X, domains = data
    new = X[::-1]

    ours = DomainStandardScaler().fit(X, domains=domains)
    theirs = SpeakerStandardScaler().fit(X, groups=domains)

    np.testing.assert_array_equal(ours.transform(new, domains=domains),
                                  theirs.transform(new, groups=domains))
    np.testing.assert_array_equal(ours.transform(new), theirs.transform(new))
    np.testing.assert_array_equal(ours.fit_transform(X, domains=domains),
                                  theirs.fit_transform(X, groups=domains))


def test_a_shifted_domain_is_centred_with_its_own_clips_not_the_fallback(rng):
    X = np.concatenate([rng.normal(0, 1, (60, 3)), rng.normal(5, 2, (60, 3))])
    scaler = DomainStandardScaler(prior_clips=0).fit(X, domains=[0] * 60 + [1] * 60)
    user = rng.normal(-8, 3, (30, 3))

    adapted = scaler.transform(user, domains=["mine"] * 30)
    plain = scaler.transform(user)

    np.testing.assert_allclose(adapted.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(adapted.std(axis=0), 1, rtol=1e-12)
    assert np.all(plain.mean(axis=0) < -3)
    assert scaler.n_speakers_ == 2


@pytest.mark.parametrize("domains, error, message", [
    (["a"] * 5, ValueError, "domains has 5 entries but X has 6 clips; domains must name "
                            "the domain"),
    (["a", "a", None, "b", "b", "b"], ValueError, r"domains has no domain \(None or NaN\)"),
    (np.zeros((6, 2)), ValueError, "domains must be 1-D, one domain per clip"),
    ("studio", TypeError, "domains must be a sequence holding the domain of each clip"),
])
def test_bad_domains_raise_errors_naming_domains(domains, error, message, rng):
    X = rng.normal(size=(6, 3))
    scaler = DomainStandardScaler().fit(X)

    with pytest.raises(error, match=message):
        scaler.fit(X, domains=domains)
    with pytest.raises(error, match=message):
        scaler.transform(X, domains=domains)


def test_domains_are_requested_and_groups_are_not():
    routing = DomainStandardScaler().get_metadata_routing()

    for method in ("fit", "transform"):
        assert routing.consumes(method, ["domains", "groups"]) == {"domains"}


_LOG = []


class _RecordsDomains(ClassifierMixin, BaseEstimator):
    """Learns nothing; logs the ``domains`` of every fit and predict_proba in
    `_LOG` (clones share it: clone copies a list parameter)."""

    __metadata_request__fit = {"domains": True}
    __metadata_request__predict_proba = {"domains": True}

    def fit(self, X, y, domains=None):
        self.classes_ = np.unique(y)
        _LOG.append(("fit", None if domains is None else set(domains)))
        return self

    def predict_proba(self, X, domains=None):
        _LOG.append(("predict", None if domains is None else set(domains)))
        return np.full((len(X), self.classes_.size), 1 / self.classes_.size)


def test_the_ensembles_inner_split_is_over_speakers_and_passes_each_part_its_domains(rng):
    X = rng.normal(size=(60, 3))
    y = np.tile(["a", "b"], 30)
    speakers = np.repeat(np.arange(6), 10)
    domains = np.where(speakers < 3, "studio", "street")
    _LOG.clear()

    with sklearn.config_context(enable_metadata_routing=True):
        vote = SoftVotingEnsemble(estimators=[("m", _RecordsDomains()),
                                              ("lr", LogisticRegression())],
                                  weights="auto", cv=3)
        vote.fit(X, y, groups=speakers, domains=domains)
        vote.predict_proba(X[:5], domains=["user"] * 5)

    fits = [seen for step, seen in _LOG if step == "fit"]
    predictions = [seen for step, seen in _LOG if step == "predict"]
    # Three inner fits and the final one, each with its part's domains ...
    assert len(fits) == 4 and fits[-1] == {"studio", "street"}
    # ... and every held-out part predicted with its own, then the user's.
    assert len(predictions) == 4 and all(p and p <= {"studio", "street"}
                                         for p in predictions[:3])
    assert predictions[-1] == {"user"}


# -------------------------------------------------- make_ser_pipeline(adapt=True)

SR = 8000


def _pipeline():
    # Clean-trained: the altered copies would only slow this test down.
    return make_ser_pipeline(
        "stats", adapt=True, robust=False, sr=SR, duration=0.5, random_state=0,
        features__features=("rms", "mfcc"), features__n_mfcc=8, features__n_mels=16,
        features__n_fft=256, features__hop_length=128,
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """30 tone clips of 3 labels from 2 'corpora'."""
    folder = tmp_path_factory.mktemp("domains")
    paths, labels = write_tone_clips(folder, 30, sr=SR, seconds=0.5,
                                     rng=np.random.default_rng(0))
    domains = np.array(["ravdess", "emodb"] * 15)
    return np.array(paths), np.array(labels), domains


@pytest.fixture(scope="module")
def fitted(corpus):
    paths, labels, domains = corpus
    with sklearn.config_context(enable_metadata_routing=True):
        return _pipeline().fit(list(paths[:20]), labels[:20], domains=domains[:20])


def test_adapt_makes_the_scale_step_a_domain_scaler_in_every_kind_that_scales():
    assert isinstance(make_ser_pipeline("stats", adapt=True)["scale"], DomainStandardScaler)
    members = make_ser_pipeline(adapt=True)["clf"].estimators
    assert all(isinstance(m["scale"], DomainStandardScaler) for _, m in members)
    # Adapting keeps the robust training of the default.
    assert [n for n, _ in make_ser_pipeline(adapt=True).steps] == [
        "load", "trim", "augment", "level", "clf"]


def test_adapt_and_speaker_normalize_are_refused_together_by_name():
    with pytest.raises(ValueError, match="adapt=True and speaker_normalize=True"):
        make_ser_pipeline("stats", adapt=True, speaker_normalize=True)


def test_an_adapted_pipeline_standardises_a_batch_with_its_own_clips(fitted, corpus):
    paths = list(corpus[0][20:])
    batch = np.zeros(len(paths))

    with sklearn.config_context(enable_metadata_routing=True):
        adapted = fitted.predict_proba(paths, domains=batch)
        plain = fitted.predict_proba(paths)

    features = fitted[:-2].transform(paths)
    by_hand = fitted[-1].predict_proba(fitted["scale"].transform(features, domains=batch))
    np.testing.assert_allclose(adapted, by_hand, rtol=1e-12)
    assert fitted["scale"].n_speakers_ == 2
    assert not np.allclose(adapted, plain)


def test_a_saved_adapted_model_adapts_the_same(fitted, corpus, tmp_path):
    paths = list(corpus[0][20:])
    model = load_model(save_model(fitted, tmp_path / "adapted.skser"))

    with sklearn.config_context(enable_metadata_routing=True):
        np.testing.assert_array_equal(model.predict_proba(paths, domains=np.zeros(10)),
                                      fitted.predict_proba(paths, domains=np.zeros(10)))
