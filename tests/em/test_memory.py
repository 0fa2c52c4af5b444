"""The extra memory of a fit does not grow with N (chunked passes, no copy of X)."""

from __future__ import annotations

import tracemalloc
import warnings

import numpy as np
import pytest

from em import ConvergenceWarning, GaussianMixtureEM

from .conftest import blobs, random_covariances


def peak_of_fit(X, covariance_type, k=3):
    rng = np.random.default_rng(0)
    start = dict(
        weights_init=np.full(k, 1.0 / k),
        means_init=X[:k].copy(),
        covariances_init=random_covariances(rng, covariance_type, k, X.shape[1]),
    )
    estimator = GaussianMixtureEM(k, covariance_type=covariance_type, max_iter=3, **start)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        tracemalloc.start()
        try:
            estimator.fit(X)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    return peak


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_extra_peak_memory_of_a_fit_is_independent_of_n(covariance_type):
    # Both span several chunks, so they differ only in how many.
    small, large = blobs(0, 200_000, 4, 3), blobs(0, 2_000_000, 4, 3)  # 6.4 MB and 64 MB
    peak_small = peak_of_fit(small, covariance_type)
    peak_large = peak_of_fit(large, covariance_type)
    # NumPy reports its allocations to tracemalloc; chunk buffers are bounded, so 20 times
    # the data adds (almost) nothing, and far less than one copy of X.
    assert peak_large < peak_small + 256 * 1024
    assert peak_large < 0.25 * large.nbytes


def test_kmeans_holds_only_its_labels_beyond_a_chunk():
    from em import KMeans

    def peak(X):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            tracemalloc.start()
            try:
                KMeans(3, init=X[:3].copy(), max_iter=5).fit(X)
                return tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()

    small, large = blobs(1, 200_000, 4, 3), blobs(1, 1_000_000, 4, 3)
    labels_bytes = 8 * (len(large) - len(small))  # labels_ (N,) is the result itself
    assert peak(large) < peak(small) + labels_bytes + 256 * 1024
