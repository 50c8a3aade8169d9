"""End to end: labelled WAV files -> make_ser_pipeline -> scikit-learn tools.

Networks are tiny (width 0.05, 1-2 epochs) so that each fit takes about a
second; these tests check plumbing and contracts, not accuracy.
"""

import joblib
import numpy as np
import pytest
import sklearn
from sklearn.base import clone, is_classifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_val_score, cross_validate
from sklearn.pipeline import Pipeline as SklearnPipeline
from sklearn.preprocessing import StandardScaler

from skser import (
    AddNoise,
    AudioLoader,
    AugmentedCopies,
    FrameFeatures1D,
    SpeakerStandardScaler,
    StandardScalerND,
    TimeShift,
    TrimPad,
    make_ser_pipeline,
)

pytestmark = pytest.mark.slow

# Small, fast settings for both kinds; every key is a real pipeline parameter.
FAST = {
    "1d": dict(
        features__n_fft=256, features__hop_length=128, features__n_mels=32,
        features__n_mfcc=13, features__n_bands=4,
    ),
    "2d": dict(features__n_fft=256, features__hop_length=128, features__n_mels=32),
}
CLF = dict(clf__width=0.05, clf__epochs=2, clf__batch_size=8, clf__patience=None)


def tiny_pipeline(kind, **options):
    return make_ser_pipeline(
        kind, sr=8000, duration=1.0, random_state=0, **{**FAST[kind], **CLF, **options}
    )


def through_transforms(pipe, X):
    """Features the classifier sees at predict time: every transformer's
    ``transform``, with samplers skipped, as a Pipeline does when predicting."""
    for _, step in pipe.steps[:-1]:
        if step == "passthrough" or hasattr(step, "fit_resample"):
            continue
        X = step.transform(X)
    return X


def test_make_ser_pipeline_names_its_steps():
    assert [n for n, _ in make_ser_pipeline("1d").steps] == [
        "load", "trim", "augment", "features", "scale", "clf"
    ]
    assert [n for n, _ in make_ser_pipeline("2d").steps] == [
        "load", "trim", "features", "augment", "scale", "clf"
    ]


@pytest.mark.parametrize("kind, steps", [
    # Speaker-normalised statistics are the clean-trained model (robust=None
    # is False with speaker_normalize=True).
    ("stats", ["load", "trim", "augment", "features", "scale", "clf"]),
    ("1d", ["load", "trim", "augment", "features", "scale", "clf"]),
    # Before the masked copies, where rows still match the groups.
    ("2d", ["load", "trim", "features", "scale", "augment", "clf"]),
])
def test_speaker_normalize_makes_the_scale_step_per_speaker(kind, steps):
    pipe = make_ser_pipeline(kind, speaker_normalize=True, augment=kind == "2d")

    assert [n for n, _ in pipe.steps] == steps
    assert isinstance(pipe.named_steps["scale"], SpeakerStandardScaler)
    assert type(make_ser_pipeline(kind).named_steps["scale"]) is StandardScalerND


@pytest.mark.parametrize("kind, options", [("stats", {"augment": True, "robust": False}),
                                           ("1d", {})])
def test_speaker_normalize_refuses_waveform_copies_that_have_no_speaker(kind, options):
    with pytest.raises(ValueError, match="speaker_normalize=True needs augment=False"):
        make_ser_pipeline(kind, speaker_normalize=True, **options)


def test_robust_stats_pipeline_standardises_altered_copies_with_their_speakers(labelled_wavs):
    """The robust statistics model's altered copies keep their original's
    speaker: the per-speaker scaler sees five rows per clip (the clip and its
    four copies), in four speakers, and standardises each speaker's
    originals and each round of its copies (one channel per speaker and
    round) as groups of their own."""
    paths, labels, speakers = labelled_wavs
    pipe = make_ser_pipeline("stats", speaker_normalize=True, robust=True, random_state=0)

    with sklearn.config_context(enable_metadata_routing=True):
        pipe.fit(paths, labels, groups=speakers)
        proba = pipe.predict_proba(paths[:6], groups=speakers[:6])

    assert pipe.named_steps["augment"].sample_indices_.size == 5 * len(paths)
    assert pipe.named_steps["scale"].n_speakers_ == 4 * 5
    assert proba.shape == (6, 3)


def test_speaker_normalised_2d_pipeline_trains_on_masked_copies_with_routed_groups(
        labelled_wavs):
    paths, labels, speakers = labelled_wavs
    pipe = tiny_pipeline("2d", speaker_normalize=True, clf__validation_split=0.0)

    with sklearn.config_context(enable_metadata_routing=True):
        pipe.fit(paths, labels, groups=speakers)
        proba = pipe.predict_proba(paths[:6], groups=speakers[:6])

    assert pipe.named_steps["scale"].n_speakers_ == 4
    assert pipe.named_steps["clf"].estimator_.X_shape_[0] == 2 * len(paths)
    assert proba.shape == (6, 3)


def test_pipelines_fit_with_metadata_routing_enabled_and_nothing_to_route():
    """With routing on and no parameters, scikit-learn hands the pipeline a
    stand-in that answers every key; ``in`` on it never ended, so fit hung.
    In a subprocess, so that a hang fails the test instead of the run."""
    import subprocess
    import sys

    code = (
        "import numpy as np, sklearn\n"
        "from imblearn.over_sampling import RandomOverSampler\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "from sklearn.preprocessing import StandardScaler\n"
        "from skser.pipeline import Pipeline\n"
        "X = np.random.default_rng(0).normal(size=(20, 3)); y = np.array([0] * 14 + [1] * 6)\n"
        "with sklearn.config_context(enable_metadata_routing=True):\n"
        "    fitted = Pipeline([('s', StandardScaler()), ('c', LogisticRegression())]).fit(X, y)\n"
        "    assert fitted.predict(X).shape == (20,)\n"
        "    Xt = Pipeline([('s', StandardScaler()), ('t', StandardScaler())]).fit_transform(X, y)\n"
        "    assert Xt.shape == (20, 3)\n"
        "    over = Pipeline([('o', RandomOverSampler(random_state=0)),\n"
        "                     ('c', LogisticRegression())]).fit(X, y)\n"
        "    assert over.named_steps['c'].n_features_in_ == 3\n"
        "print('fitted')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0 and "fitted" in result.stdout, result.stderr[-2000:]


def test_make_ser_pipeline_applies_options_and_rejects_unknown_ones():
    pipe = make_ser_pipeline("2d", model="vgg16", features__n_mels=64, clf__epochs=3)
    assert pipe.named_steps["features"].n_mels == 64
    assert pipe.named_steps["clf"].epochs == 3
    assert pipe.named_steps["clf"].model == "vgg16"
    with pytest.raises(ValueError, match="nonsense"):
        make_ser_pipeline("2d", features__nonsense=1)
    with pytest.raises(ValueError, match="kind"):
        make_ser_pipeline("3d")


def test_make_ser_pipeline_without_augmentation_has_passthrough_step():
    assert make_ser_pipeline("1d", augment=False).named_steps["augment"] == "passthrough"


def test_ser_pipeline_is_a_classifier_so_cv_is_stratified(labelled_wavs):
    paths, labels, _ = labelled_wavs
    order = np.argsort(labels, kind="stable")  # sorted labels: KFold would fail here
    paths = [paths[i] for i in order]
    labels = np.asarray(labels)[order]
    pipe = tiny_pipeline("2d", clf__epochs=1)
    assert is_classifier(pipe)
    result = cross_validate(pipe, paths, labels, cv=3, return_indices=True)
    n_classes = np.unique(labels).size
    for test_idx in result["indices"]["test"]:
        counts = np.unique(labels[test_idx], return_counts=True)[1]
        assert counts.size == n_classes
        assert counts.max() - counts.min() <= 1


@pytest.mark.parametrize("kind", ["1d", "2d"])
def test_cross_val_score_grouped_by_speaker_runs_on_file_paths(kind, labelled_wavs):
    paths, labels, speakers = labelled_wavs
    scores = cross_val_score(
        tiny_pipeline(kind), paths, labels, groups=speakers, cv=GroupKFold(n_splits=2)
    )
    assert scores.shape == (2,)
    assert np.all((scores >= 0) & (scores <= 1))


def test_grid_search_over_features_and_architecture(labelled_wavs):
    paths, labels, speakers = labelled_wavs
    grid = GridSearchCV(
        tiny_pipeline("2d", clf__epochs=1),
        {"features__n_mels": [16, 32], "clf__model": ["lenet5", "vgg16"]},
        cv=GroupKFold(n_splits=2),
    )
    grid.fit(paths, labels, groups=speakers)
    assert len(grid.cv_results_["params"]) == 4
    assert np.all(np.isfinite(grid.cv_results_["mean_test_score"]))
    assert grid.best_params_["clf__model"] in ("lenet5", "vgg16")
    assert set(grid.predict(paths[:5])) <= set(labels)


@pytest.mark.parametrize("kind", ["1d", "2d"])
def test_fitted_pipeline_round_trips_through_joblib(kind, labelled_wavs, tmp_path):
    paths, labels, _ = labelled_wavs
    pipe = tiny_pipeline(kind).fit(paths, labels)
    joblib.dump(pipe, tmp_path / "model.joblib")
    loaded = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(loaded.predict_proba(paths), pipe.predict_proba(paths))
    np.testing.assert_array_equal(loaded.predict(paths), pipe.predict(paths))


@pytest.mark.parametrize(("kind", "n_augmenters"), [("1d", 2), ("2d", 1)])
def test_augmented_copies_grow_training_set_only(kind, n_augmenters, labelled_wavs):
    paths, labels, _ = labelled_wavs
    pipe = tiny_pipeline(kind, n_copies=2, clf__validation_split=0.0).fit(paths, labels)
    # The network trained on the originals plus 2 rounds of copies ...
    n_trained = pipe.named_steps["clf"].estimator_.X_shape_[0]
    assert n_trained == len(paths) * (1 + 2 * n_augmenters)
    # ... but predicts from the clean features of exactly the given clips.
    proba = pipe.predict_proba(paths)
    assert proba.shape == (len(paths), 3)
    expected = pipe.named_steps["clf"].predict_proba(through_transforms(pipe, paths))
    np.testing.assert_array_equal(proba, expected)


def test_in_place_augmenters_never_touch_predictions(labelled_wavs):
    """A plain scikit-learn Pipeline with augmenters: fitting sees noisy,
    shifted clips; predicting sees the originals."""
    paths, labels, _ = labelled_wavs
    features = FrameFeatures1D(sr=8000, n_fft=256, hop_length=128, n_mels=32,
                               n_bands=4, aggregate="mean_std")
    pipe = SklearnPipeline([
        ("load", AudioLoader(sr=8000)),
        ("trim", TrimPad(sr=8000, duration=1.0)),
        ("noise", AddNoise(min_snr_db=0, max_snr_db=5, random_state=0)),
        ("shift", TimeShift(sr=8000, random_state=0)),
        ("features", features),
        ("scale", StandardScaler()),
        ("clf", LogisticRegression(max_iter=500)),
    ]).fit(paths, labels)
    clean = pipe.named_steps["features"].transform(
        pipe.named_steps["trim"].transform(pipe.named_steps["load"].transform(paths))
    )
    expected = pipe.named_steps["clf"].predict_proba(pipe.named_steps["scale"].transform(clean))
    np.testing.assert_allclose(pipe.predict_proba(paths), expected, rtol=1e-6)
    # The scaler was fitted on augmented features, so augmentation did run in fit.
    unaugmented_mean = clean.mean(axis=0)
    assert not np.allclose(pipe.named_steps["scale"].mean_, unaugmented_mean)


def test_sampler_step_is_refused_by_plain_sklearn_pipeline(labelled_wavs):
    paths, labels, _ = labelled_wavs
    pipe = SklearnPipeline([
        ("load", AudioLoader(sr=8000)),
        ("trim", TrimPad(sr=8000, duration=1.0)),
        ("augment", AugmentedCopies(augmenters=[AddNoise()])),
        ("clf", LogisticRegression()),
    ])
    with pytest.raises(TypeError, match="transform"):
        pipe.fit(paths, labels)


def test_pipeline_predicts_identically_when_refitted_with_same_seed(labelled_wavs):
    paths, labels, _ = labelled_wavs
    pipe = tiny_pipeline("1d")
    first = clone(pipe).fit(paths, labels).predict_proba(paths)
    second = clone(pipe).fit(paths, labels).predict_proba(paths)
    np.testing.assert_array_equal(first, second)


def test_statistics_kind_pools_features_for_a_linear_model(labelled_wavs, tmp_path):
    paths, labels, speakers = labelled_wavs
    pipe = make_ser_pipeline("stats", sr=8000, duration=1.0, random_state=0, **FAST["1d"])
    assert [n for n, _ in pipe.steps] == [
        "load", "trim", "augment", "level", "features", "scale", "clf"
    ]
    # augment=None: four altered copies for the robust statistics model.
    assert pipe.named_steps["augment"].n_copies == 4
    assert is_classifier(pipe)

    pipe.fit(paths, labels)
    X = through_transforms(pipe, paths[:3])
    n_features = len(pipe.named_steps["features"].get_feature_names_out())
    assert X.shape == (3, n_features) and n_features % 2 == 0  # mean and std of each
    proba = pipe.predict_proba(paths)
    assert proba.shape == (len(paths), len(set(labels)))
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)

    scores = cross_val_score(make_ser_pipeline("stats", sr=8000, duration=1.0, **FAST["1d"]),
                             paths, labels, groups=speakers, cv=GroupKFold(n_splits=2))
    assert scores.shape == (2,) and np.all((scores >= 0) & (scores <= 1))


def test_statistics_kind_takes_augmentation_on_request():
    pipe = make_ser_pipeline("stats", augment=True)
    assert isinstance(pipe.named_steps["augment"], AugmentedCopies)


def test_statistics_kind_refuses_a_cnn_model():
    with pytest.raises(ValueError, match='model=.vgg16. names a CNN, but kind="stats"'):
        make_ser_pipeline("stats", model="vgg16")
    assert make_ser_pipeline("2d").named_steps["clf"].model == "lenet5"


def test_statistics_pipeline_trains_and_predicts_without_tensorflow(labelled_wavs):
    import subprocess
    import sys

    paths, labels, _ = labelled_wavs
    code = "\n".join([
        "import sys",
        "from skser import make_ser_pipeline",
        f"paths, labels = {list(map(str, paths))!r}, {list(labels)!r}",
        "pipe = make_ser_pipeline('stats', duration=1.0).fit(paths, labels)",
        "pipe.predict_proba(paths)",
        "print(sorted(m for m in ('tensorflow', 'keras', 'scikeras') if m in sys.modules))",
    ])
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_every_declared_kind_is_documented_and_named_in_errors():
    # make_ser_pipeline reads its kinds from one declaration (issue 23): the
    # docstring and the error messages must follow it.
    from skser.pipeline import KINDS

    doc = make_ser_pipeline.__doc__
    with pytest.raises(ValueError) as info:
        make_ser_pipeline("bogus")
    for name, kind in KINDS.items():
        assert f'"{name}"' in doc and f'"{name}"' in str(info.value)
        if kind.robust == "never":
            with pytest.raises(ValueError, match="robust=True is available for") as robust:
                make_ser_pipeline(name, robust=True)
            assert all(f'"{k}"' in str(robust.value) for k, spec in KINDS.items()
                       if spec.robust != "never")
        else:
            make_ser_pipeline(name, robust=True)
        for member in kind.members:
            assert member in KINDS and not KINDS[member].members


def test_voting_kinds_set_their_members_robust_features_only_when_robust():
    # The default's statistics member reads root cepstra when robust
    # (benchmarks/member_roots.py); clean-trained and speaker-normalised
    # defaults keep the members as their kinds build them clean-trained.
    from skser.pipeline import ENSEMBLE_STATS_CEPSTRAL_ROOT, KINDS

    assert KINDS["ensemble"].robust_member_features == {
        "stats": {"cepstral_root": ENSEMBLE_STATS_CEPSTRAL_ROOT}}
    for name, kind in KINDS.items():
        assert set(kind.robust_member_features) <= set(kind.members)
        for member in kind.members:
            clean = make_ser_pipeline(member, robust=False).named_steps["features"]
            changed = kind.robust_member_features.get(member, {})
            for options, expected in (({}, changed), ({"robust": False}, {}),
                                      ({"speaker_normalize": True}, {})):
                built = make_ser_pipeline(name, **options).named_steps["clf"]
                features = dict(built.estimators)[member].named_steps["features"]
                assert features.get_params() == {**clean.get_params(), **expected}, options


def test_kinds_build_the_step_order_their_declaration_says():
    from skser.pipeline import KINDS

    for name, kind in KINDS.items():
        steps = [n for n, _ in make_ser_pipeline(name).steps]
        if kind.members:
            assert steps[-1] == "clf" and "features" not in steps
        elif kind.copies == "features":
            assert steps.index("features") < steps.index("augment") < steps.index("scale")
        else:
            assert steps.index("augment") < steps.index("features") < steps.index("scale")
            assert ("level" in steps) == (kind.robust == "default")
