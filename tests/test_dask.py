"""skser's parallel work runs unchanged on a Dask cluster.

Every parallel step goes through joblib, so ``joblib.parallel_config(
backend="dask")`` with a `distributed.Client` sends it to the cluster. Here a
`LocalCluster` of two worker processes stands in for a real one: the results
must equal the sequential ones, and the cluster's task stream must show that
the work ran on its workers (the check fails if the backend were ignored).

The sequential references run with BLAS limited to one thread, as in the
workers (Dask's nanny, like loky, sets ``OMP/MKL/OPENBLAS_NUM_THREADS=1``):
a multi-threaded OpenBLAS may round the mel filterbank product differently in
the last float32 bit, which is no fault of the backend.

Cost: about 2 s to start the workers, a few seconds for their first
``import skser``; about 25 s for the module on 2 cores.
"""

import re

import joblib
import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, GroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from threadpoolctl import threadpool_limits

from skser import AudioLoader, AudioReadError, FrameFeatures1D, MelSpectrogram2D, TrimPad
from skser.datasets import make_emotional_speech

distributed = pytest.importorskip("distributed")

SR = 8000
# Small spectral settings keep every transform cheap; 72 clips of 0.5 s give
# three 32-clip chunks, so the chunked path runs several tasks.
SPECTRAL = dict(sr=SR, n_fft=256, hop_length=128, n_mels=32)
FRAME = dict(SPECTRAL, n_mfcc=13, n_bands=4)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
    )
    client = distributed.Client(cluster)
    client.run(__import__, "skser")  # pay the workers' import once, here
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """72 clips: 4 speakers x 6 emotions x 3."""
    folder = tmp_path_factory.mktemp("dask_corpus")
    return make_emotional_speech(folder, n_speakers=4, n_per_class=3, random_state=0)


@pytest.fixture(scope="module")
def waveforms(corpus):
    loaded = AudioLoader(sr=SR, n_jobs=1).fit_transform(corpus.filenames)
    return TrimPad(sr=SR, duration=0.5).fit_transform(loaded)


def calls_on_workers(stream, client, funcname):
    """Number of ``funcname`` calls the task stream shows on the cluster's
    workers (joblib's dask backend names each task ``batch_of_<func>_<n>_calls``)."""
    workers = set(client.scheduler_info()["workers"])
    total = 0
    for task in stream.data:
        match = re.match(rf"batch_of_{funcname}_(\d+)_calls", str(task["key"]))
        if match:
            assert task["worker"] in workers
            total += int(match.group(1))
    return total


@pytest.mark.parametrize("verbose", [0, 1])
def test_loader_on_cluster_equals_sequential(client, corpus, verbose):
    with threadpool_limits(1):
        expected = AudioLoader(sr=SR, n_jobs=1).fit_transform(corpus.filenames)
    with joblib.parallel_config(backend="dask"), distributed.get_task_stream(client) as stream:
        got = AudioLoader(sr=SR, n_jobs=-1, verbose=verbose).fit_transform(corpus.filenames)
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        np.testing.assert_array_equal(a, b)
    # Every file was loaded by a task on a worker, none in this process.
    assert calls_on_workers(stream, client, "_load_item") == len(corpus.filenames)


@pytest.mark.parametrize("verbose", [0, 1])
@pytest.mark.parametrize("make", [
    lambda **kw: MelSpectrogram2D(**SPECTRAL, **kw),
    lambda **kw: FrameFeatures1D(**FRAME, **kw),
], ids=["MelSpectrogram2D", "FrameFeatures1D"])
def test_features_on_cluster_equal_sequential(client, waveforms, make, verbose):
    n_chunks = -(-waveforms.shape[0] // 32)
    assert n_chunks >= 3
    with threadpool_limits(1):
        expected = make(n_jobs=1).fit_transform(waveforms)
    with joblib.parallel_config(backend="dask"), distributed.get_task_stream(client) as stream:
        got = make(n_jobs=-1, verbose=verbose).fit_transform(waveforms)
    np.testing.assert_array_equal(got, expected)
    assert got.dtype == expected.dtype
    assert calls_on_workers(stream, client, "_transform_chunk") == n_chunks


def test_n_jobs_1_stays_in_this_process_under_dask(client, waveforms):
    # joblib's Dask backend sends even n_jobs=1 to the cluster; skser keeps
    # it local, so a step inside a grid-search task can stay in that task.
    with threadpool_limits(1):
        expected = MelSpectrogram2D(**SPECTRAL).fit_transform(waveforms)
    with joblib.parallel_config(backend="dask"), distributed.get_task_stream(client) as stream:
        got = MelSpectrogram2D(**SPECTRAL, n_jobs=1).fit_transform(waveforms)
        with_bar = MelSpectrogram2D(**SPECTRAL, n_jobs=1, verbose=1).fit_transform(waveforms)
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(with_bar, expected)
    assert stream.data == []


def test_loader_error_comes_back_from_a_worker(client, corpus, tmp_path):
    bad = tmp_path / "not_audio.wav"
    bad.write_bytes(b"this is not a WAV file")
    files = [*corpus.filenames[:3], str(bad)]
    with joblib.parallel_config(backend="dask"), pytest.raises(AudioReadError, match=re.escape(str(bad))):
        AudioLoader(sr=SR, n_jobs=-1).fit_transform(files)


def test_grid_search_on_cluster_equals_sequential(client, corpus):
    pipe = make_pipeline(
        AudioLoader(sr=SR, n_jobs=-1),
        TrimPad(sr=SR, duration=0.5),
        FrameFeatures1D(**FRAME, aggregate="mean_std", n_jobs=-1),
        StandardScaler(),
        SVC(),
    )
    grid = {"svc__C": [0.1, 1.0, 10.0]}
    cv = GroupKFold(n_splits=2)
    X, y, groups = corpus.filenames, corpus.target, corpus.groups

    with joblib.parallel_config(backend="sequential"), threadpool_limits(1):
        expected = GridSearchCV(pipe, grid, cv=cv, scoring="balanced_accuracy").fit(
            X, y, groups=groups)
        expected_pred = expected.predict(X)
    with joblib.parallel_config(backend="dask"), distributed.get_task_stream(client) as stream:
        got = GridSearchCV(pipe, grid, cv=cv, scoring="balanced_accuracy", n_jobs=-1).fit(
            X, y, groups=groups)
        got_pred = got.predict(X)

    assert got.best_params_ == expected.best_params_
    for key in ("mean_test_score", "std_test_score", "split0_test_score", "split1_test_score"):
        np.testing.assert_array_equal(got.cv_results_[key], expected.cv_results_[key])
    np.testing.assert_array_equal(got_pred, expected_pred)
    # 3 candidates x 2 folds fitted and scored on the workers; the loader and
    # the features nested inside them sent their own tasks to the cluster too.
    assert calls_on_workers(stream, client, "_fit_and_score") == 6
    assert calls_on_workers(stream, client, "_load_item") > 0
