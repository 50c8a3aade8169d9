"""``make_ser_pipeline(memory=...)``: a grid over classifier parameters fits
the steps before the classifier once per fold, not once per candidate.

The pipeline is the real 2-D one (load, trim, features, augment, scale), with
counting subclasses of its feature and augmentation steps and a cheap
scikit-learn classifier on flattened features, so a whole grid search takes
about a second.

The counts, for ``GridSearchCV(n_jobs=1)`` with C candidates, F folds and
``refit=True``:

- fitting (``fit`` then ``transform`` of the training clips) runs
  ``C * F + 1`` times without memory, ``F + 1`` with it: the first candidate
  of each fold fills the cache, the others hit it; the refit on all clips is
  new input, so it computes once more;
- scoring calls ``transform`` on the test clips ``C * F`` times either way:
  a Pipeline caches fitting, not ``transform``.
"""

from collections import Counter

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, GroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skser import AugmentedCopies, FrequencyMask, MelSpectrogram2D, TimeMask, make_ser_pipeline

CALLS = Counter()
N_FOLDS = 2
GRID = {"clf__logisticregression__C": [1e-4, 1e-3, 1e-2]}
N_CANDIDATES = 3


class CountingMel(MelSpectrogram2D):
    """MelSpectrogram2D that counts its calls in CALLS (a joblib cache hit calls nothing)."""

    def fit(self, X, y=None):
        CALLS["features.fit"] += 1
        return super().fit(X, y)

    def transform(self, X):
        CALLS["features.transform"] += 1
        return super().transform(X)


class CountingCopies(AugmentedCopies):
    def fit_resample(self, X, y=None, **params):
        CALLS["augment.fit_resample"] += 1
        return super().fit_resample(X, y, **params)


def _flatten(X):
    return X.reshape(len(X), -1)


def small_pipeline(memory, random_state=0):
    """The 2-D pipeline on 8 kHz, 0.5 s clips, 16 mel bands, and a logistic
    regression in place of the CNN."""
    pipe = make_ser_pipeline(
        "2d", sr=8000, duration=0.5, memory=memory, random_state=random_state,
        features=CountingMel(sr=8000, n_mels=16, n_fft=256, hop_length=128),
        clf=make_pipeline(FunctionTransformer(_flatten), LogisticRegression()),
    )
    # Not through make_ser_pipeline's options: its own ``augment`` argument
    # (a bool) would take the keyword.
    return pipe.set_params(augment=CountingCopies(
        augmenters=[make_pipeline(FrequencyMask(max_bins=4), TimeMask(max_frames=4))],
        random_state=random_state,
    ))


def search(memory, paths, labels, speakers):
    CALLS.clear()
    grid = GridSearchCV(small_pipeline(memory), GRID, cv=GroupKFold(n_splits=N_FOLDS),
                        scoring="neg_log_loss", n_jobs=1)
    grid.fit(paths, labels, groups=speakers)
    return grid, Counter(CALLS)


def test_grid_over_classifier_fits_features_once_per_fold_with_memory(labelled_wavs, tmp_path):
    paths, labels, speakers = labelled_wavs

    _, uncached = search(None, paths, labels, speakers)
    _, cached = search(str(tmp_path / "cache"), paths, labels, speakers)

    fits = N_CANDIDATES * N_FOLDS + 1
    scores = N_CANDIDATES * N_FOLDS
    assert uncached == {
        "features.fit": fits, "features.transform": fits + scores,
        "augment.fit_resample": fits,
    }
    assert cached == {
        "features.fit": N_FOLDS + 1, "features.transform": N_FOLDS + 1 + scores,
        "augment.fit_resample": N_FOLDS + 1,
    }


def test_a_second_search_on_the_same_cache_computes_nothing_at_fit_time(
    labelled_wavs, tmp_path
):
    paths, labels, speakers = labelled_wavs
    search(str(tmp_path / "cache"), paths, labels, speakers)

    _, again = search(str(tmp_path / "cache"), paths, labels, speakers)

    assert again == {"features.transform": N_CANDIDATES * N_FOLDS}


def test_cached_and_uncached_searches_score_identically(labelled_wavs, tmp_path):
    paths, labels, speakers = labelled_wavs

    uncached, _ = search(None, paths, labels, speakers)
    cached, _ = search(str(tmp_path / "cache"), paths, labels, speakers)

    for key in ["split0_test_score", "split1_test_score", "mean_test_score"]:
        np.testing.assert_array_equal(cached.cv_results_[key], uncached.cv_results_[key])
    assert len(set(uncached.cv_results_["mean_test_score"])) > 1, "candidates must differ"
    np.testing.assert_array_equal(
        cached.predict_proba(paths), uncached.predict_proba(paths)
    )


@pytest.mark.parametrize("memory", [False, True], ids=["no-memory", "memory"])
def test_memory_reuses_the_augmented_copies_of_random_state_none(memory, labelled_wavs, tmp_path):
    """With ``random_state=None`` every fit draws new augmented copies, unless
    the fit is a cache hit: then it gets the copies the first fit drew (the
    scaler, fitted on originals plus copies, shows which)."""
    paths, labels, _ = labelled_wavs
    location = str(tmp_path / "cache") if memory else None

    first = small_pipeline(location, random_state=None).fit(paths, labels)
    second = small_pipeline(location, random_state=None).fit(paths, labels)

    means = first.named_steps["scale"].mean_, second.named_steps["scale"].mean_
    assert np.array_equal(*means) == memory


def test_memory_may_be_a_path(tmp_path):
    from sklearn.utils.validation import check_memory

    pipe = make_ser_pipeline("2d", memory=tmp_path / "cache")

    assert check_memory(pipe.memory).location == str(tmp_path / "cache")
