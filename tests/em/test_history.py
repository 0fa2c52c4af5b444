"""keep_history: the parameters of every step, in the FitHistory format a player reads."""

from __future__ import annotations

import dataclasses
import tracemalloc
import warnings

import numpy as np
import pytest
from scipy import stats

from em import ClassificationEM, ConvergenceWarning, FitHistory, GaussianMixtureEM, KMeans

from .conftest import blobs, lecture_2d

TYPES = ["full", "tied", "diag", "spherical"]


def full_matrices(covariances, covariance_type, k, d):
    """The covariances as (K, D, D), written out independently of em."""
    if covariance_type == "full":
        return covariances
    if covariance_type == "tied":
        return np.stack([covariances] * k)
    if covariance_type == "diag":
        return np.stack([np.diag(v) for v in covariances])
    return np.stack([v * np.eye(d) for v in covariances])


@pytest.mark.parametrize("covariance_type", TYPES)
@pytest.mark.parametrize("estimator", [GaussianMixtureEM, ClassificationEM])
def test_mixture_history_runs_from_the_start_to_the_fitted_parameters(estimator, covariance_type):
    X = blobs(2, 300, 2, 3)
    params = dict(covariance_type=covariance_type, n_init=2, random_state=1)
    fit = estimator(3, keep_history=True, **params).fit(X)
    plain = estimator(3, **params).fit(X)
    history = fit.history_
    T = fit.n_iter_
    assert isinstance(history, FitHistory)
    assert history.n_steps == T + 1
    assert history.weights.shape == (T + 1, 3)
    assert history.means.shape == (T + 1, 3, 2)
    assert history.covariances.shape == (T + 1, 3, 2, 2)
    assert history.inertia is None and fit.histories_ is None
    # The last entry is the fitted model, the fit itself is unchanged by recording.
    np.testing.assert_array_equal(history.weights[-1], fit.weights_)
    np.testing.assert_array_equal(history.means[-1], fit.means_)
    np.testing.assert_array_equal(
        history.covariances[-1], full_matrices(fit.covariances_, covariance_type, 3, 2)
    )
    np.testing.assert_array_equal(fit.means_, plain.means_)
    assert plain.history_ is None and plain.histories_ is None
    # Log-likelihoods: entry t < T is the E-step's of iteration t, entry T the final one.
    np.testing.assert_array_equal(history.log_likelihood[:-1], fit.log_likelihood_history_)
    assert history.log_likelihood[-1] == fit.log_likelihood_


@pytest.mark.parametrize("covariance_type", TYPES)
def test_first_entry_is_the_start(covariance_type):
    X = blobs(3, 200, 2, 2)
    params = dict(covariance_type=covariance_type, init="random_from_data", random_state=4)
    fit = GaussianMixtureEM(2, keep_history=True, **params).fit(X)
    start = GaussianMixtureEM(2, max_iter=0, **params).fit(X)  # the same start, no step
    np.testing.assert_array_equal(fit.history_.weights[0], start.weights_)
    np.testing.assert_array_equal(fit.history_.means[0], start.means_)
    np.testing.assert_array_equal(
        fit.history_.covariances[0], full_matrices(start.covariances_, covariance_type, 2, 2)
    )
    # The E-step's log-likelihood of the start; the same sum, added up in another order.
    np.testing.assert_allclose(fit.history_.log_likelihood[0], start.log_likelihood_, rtol=1e-12)


@pytest.mark.filterwarnings("ignore::em.exceptions.DegenerateComponentWarning")
def test_all_keeps_one_history_per_start_in_order():
    X = blobs(5, 300, 2, 3)
    fit = ClassificationEM(3, n_init=4, init="random", keep_history="all", random_state=0).fit(X)
    assert len(fit.histories_) == 4
    finals = [h.log_likelihood[-1] for h in fit.histories_]
    np.testing.assert_array_equal(finals, fit.init_log_likelihoods_)
    kept = fit.histories_[int(np.argmax(fit.init_log_likelihoods_))]
    assert kept is fit.history_
    for h in fit.histories_:  # every run starts somewhere else
        assert h.n_steps >= 1
    assert len({h.means[0].tobytes() for h in fit.histories_}) == 4


def test_history_is_frozen_and_read_only():
    fit = GaussianMixtureEM(2, keep_history=True, random_state=0).fit(blobs(0, 100, 1, 2))
    with pytest.raises(dataclasses.FrozenInstanceError):
        fit.history_.means = None
    with pytest.raises(ValueError, match="read-only"):
        fit.history_.means[0, 0, 0] = 1.0


def test_kmeans_history_has_fractions_centres_inertia_and_log_likelihood():
    X, _ = lecture_2d()
    start = X[[0, 120]]
    km = KMeans(2, init=start, keep_history=True).fit(X)
    h = km.history_
    T = km.n_iter_
    assert h.covariances is None and h.n_steps == T + 1
    np.testing.assert_array_equal(h.means[0], start)
    np.testing.assert_array_equal(h.means[-1], km.cluster_centers_)
    np.testing.assert_array_equal(h.inertia[:-1], km.inertia_history_)
    assert h.inertia[-1] == km.inertia_
    np.testing.assert_allclose(h.weights.sum(axis=1), 1.0)
    np.testing.assert_array_equal(h.weights[-1], np.bincount(km.labels_, minlength=2) / len(X))
    # The last log-likelihood, written out with scipy: spherical Gaussians with the common
    # variance at its MLE and the cluster fractions as weights, at each sample's label.
    s2 = km.inertia_ / X.size
    expected = sum(
        np.log(h.weights[-1][k])
        + stats.multivariate_normal(km.cluster_centers_[k], s2 * np.eye(2)).logpdf(x)
        for x, k in zip(X, km.labels_, strict=True)
    )
    np.testing.assert_allclose(h.log_likelihood[-1], expected, rtol=1e-12)
    assert KMeans(2, init=start).fit(X).history_ is None


def test_kmeans_all_histories():
    X, _ = lecture_2d()
    km = KMeans(2, init="random", n_init=3, keep_history="all", random_state=0).fit(X)
    assert len(km.histories_) == 3
    best = int(np.argmin([h.inertia[-1] for h in km.histories_]))
    assert km.histories_[best] is km.history_


@pytest.mark.parametrize("bad", ["yes", 2, None])
def test_bad_keep_history_is_refused(bad):
    for estimator in (GaussianMixtureEM(2, keep_history=bad), KMeans(2, keep_history=bad)):
        with pytest.raises(ValueError, match=r"keep_history=.* accepted: False, True .* 'all'"):
            estimator.fit(blobs(0, 50, 2, 2))


def _peak(X, keep_history, k=4):
    # Given starts: no (N, K) starting partition, so the peak is in the iterations.
    estimator = GaussianMixtureEM(
        k,
        weights_init=np.full(k, 1 / k),
        means_init=X[:k].copy(),
        covariances_init=np.stack([np.eye(X.shape[1])] * k),
        tol=0.0,
        max_iter=40,
        keep_history=keep_history,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        tracemalloc.start()
        try:
            estimator.fit(X)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    return peak, estimator


def test_history_memory_is_its_size_only_and_never_grows_with_n():
    X = blobs(0, 50_000, 6, 4)
    without, plain = _peak(X, False)
    with_history, fit = _peak(X, True)
    h = fit.history_
    size = sum(a.nbytes for a in (h.weights, h.means, h.covariances, h.log_likelihood))
    assert plain.history_ is None
    # Recording costs the history (plus its per-step lists while the fit runs), nothing
    # of size N; without keep_history nothing is recorded at all.
    assert size <= with_history - without < 3 * size + 64 * 1024
    small = _peak(blobs(0, 5_000, 6, 4), True)[1].history_
    assert small.n_steps == h.n_steps == 41
    assert sum(a.nbytes for a in (small.means, small.covariances)) == (
        h.means.nbytes + h.covariances.nbytes
    )


def test_history_with_dask_input_matches_in_memory():
    da = pytest.importorskip("dask.array")
    X = blobs(4, 600, 2, 3)
    params = dict(init="random_from_data", random_state=2, keep_history=True)
    memory = GaussianMixtureEM(3, **params).fit(X).history_
    lazy = GaussianMixtureEM(3, **params).fit(da.from_array(X, chunks=(150, 2))).history_
    assert lazy.n_steps == memory.n_steps
    np.testing.assert_allclose(lazy.means, memory.means, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(lazy.covariances, memory.covariances, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(lazy.log_likelihood, memory.log_likelihood, rtol=1e-12)
