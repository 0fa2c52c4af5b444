"""Mixtures fitted to Dask arrays agree with the in-memory fit to 1e-10."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from em import ClassificationEM, ConvergenceWarning, DegenerateComponentWarning, GaussianMixtureEM

from .conftest import blobs, random_covariances

da = pytest.importorskip("dask.array", reason="the optional 'dask' extra is not installed")

RTOL = 1e-10
FITTED = ("weights_", "means_", "covariances_", "precisions_cholesky_", "log_likelihood_history_")


def given_start(X, covariance_type, k, seed=1):
    rng = np.random.default_rng(seed)
    return dict(
        weights_init=np.full(k, 1.0 / k),
        means_init=X[rng.choice(len(X), k, replace=False)],
        covariances_init=random_covariances(rng, covariance_type, k, X.shape[1]),
    )


def assert_same_fit(a, b):
    for name in FITTED:
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=RTOL, atol=1e-12)
    assert a.n_iter_ == b.n_iter_
    assert a.converged_ == b.converged_
    np.testing.assert_allclose(a.log_likelihood_, b.log_likelihood_, rtol=RTOL)


def fit_both(estimator, X, chunks):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        in_memory = estimator.fit(X)
        from sklearn.base import clone

        on_dask = clone(estimator).fit(da.from_array(X, chunks=chunks))
    return in_memory, on_dask


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_dask_fit_equals_in_memory_fit(covariance_type):
    X = blobs(0, 3000, 3, 3)
    start = given_start(X, covariance_type, 3)
    estimator = GaussianMixtureEM(3, covariance_type=covariance_type, max_iter=15, **start)
    assert_same_fit(*fit_both(estimator, X, chunks=(700, 3)))


def test_dask_lecture_start_and_hard_em():
    X = blobs(1, 2000, 2, 2)
    soft = GaussianMixtureEM(2, init="random_from_data", random_state=3, max_iter=50)
    assert_same_fit(*fit_both(soft, X, chunks=(512, 1)))  # column chunks are joined
    hard_memory, hard_dask = fit_both(ClassificationEM(2, **given_start(X, "full", 2)), X, 600)
    assert_same_fit(hard_memory, hard_dask)
    np.testing.assert_array_equal(hard_dask.labels_.compute(), hard_memory.labels_)


def test_dask_reseeds_a_collapsed_component_like_the_in_memory_fit():
    X = blobs(2, 1500, 2, 2)
    start = given_start(X, "full", 3)
    start["means_init"][2] = [1e3, 1e3]  # far from every sample: it gets no responsibility
    estimator = GaussianMixtureEM(3, max_iter=5, **start)
    with pytest.warns(DegenerateComponentWarning, match="component 2 collapsed"):
        in_memory, on_dask = fit_both(estimator, X, chunks=400)
    assert_same_fit(in_memory, on_dask)


def test_dask_array_backed_by_a_file_larger_than_a_chunk(tmp_path):
    X = blobs(4, 20_000, 4, 3)
    da.to_npy_stack(tmp_path / "X", da.from_array(X, chunks=(2_500, 4)))
    on_disk = da.from_npy_stack(tmp_path / "X")
    assert on_disk.numblocks[0] == 8 and on_disk.nbytes > 2_500 * 4 * 8
    start = given_start(X, "full", 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        in_memory = GaussianMixtureEM(3, max_iter=10, **start).fit(X)
        from_file = GaussianMixtureEM(3, max_iter=10, **start).fit(on_disk)
    assert_same_fit(in_memory, from_file)


def test_dask_distributed_local_cluster_of_processes():
    distributed = pytest.importorskip("distributed")
    X = blobs(5, 4000, 3, 3)
    start = given_start(X, "full", 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        in_memory = GaussianMixtureEM(3, max_iter=8, **start).fit(X)
        with (
            distributed.LocalCluster(
                n_workers=2,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            on_cluster = GaussianMixtureEM(3, max_iter=8, **start).fit(da.from_array(X, 1000))
            # The blocks really ran on the worker processes.
            assert sum(client.run(lambda: 1).values()) == 2
    assert_same_fit(in_memory, on_cluster)


def test_dask_bad_input_is_refused_with_clear_messages():
    X = blobs(6, 500, 2, 2)
    with pytest.raises(ValueError, match="init='k-means\\+\\+' needs X in memory"):
        GaussianMixtureEM(2).fit(da.from_array(X, chunks=100))
    bad = X.copy()
    bad[123, 1] = np.nan
    with pytest.raises(ValueError, match="non-finite"):
        GaussianMixtureEM(2, init="random_from_data").fit(da.from_array(bad, chunks=100))
    unknown = da.from_array(X, chunks=100)
    unknown = unknown[unknown[:, 0] > -np.inf]  # boolean mask: chunk sizes become unknown
    with pytest.raises(ValueError, match="unknown chunk sizes"):
        GaussianMixtureEM(2, init="random_from_data").fit(unknown)
    with pytest.raises(ValueError, match="at least 3 are required"):
        GaussianMixtureEM(3, init="random_from_data").fit(da.from_array(X[:2], chunks=1))
