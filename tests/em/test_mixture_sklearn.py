"""scikit-learn as an oracle: same start, same number of iterations, same numbers."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.exceptions import ConvergenceWarning as SklearnConvergenceWarning  # noqa: E402
from sklearn.mixture import GaussianMixture  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402

from em import ClassificationEM, ConvergenceWarning, GaussianMixtureEM, KMeans  # noqa: E402

from .conftest import blobs, random_covariances  # noqa: E402

N_SAMPLES = 150
N_ITER = 10
RTOL = 1e-10


def precisions(covariances, covariance_type):
    """scikit-learn takes precisions; ours takes covariances."""
    if covariance_type in ("full", "tied"):
        return np.linalg.inv(covariances)
    return 1.0 / covariances


def fit_pair(covariance_type, n_features, n_components, seed=0, n_iter=N_ITER):
    rng = np.random.default_rng(100 * seed + 10 * n_features + n_components)
    X = blobs(int(rng.integers(1 << 30)), N_SAMPLES, n_features, n_components, spread=3.0)
    weights = rng.dirichlet(np.full(n_components, 5.0))
    means = X[rng.choice(N_SAMPLES, n_components, replace=False)]
    covariances = random_covariances(rng, covariance_type, n_components, n_features)
    theirs = GaussianMixture(
        n_components,
        covariance_type=covariance_type,
        weights_init=weights,
        means_init=means,
        precisions_init=precisions(covariances, covariance_type),
        max_iter=n_iter,
        tol=0.0,
    )
    ours = GaussianMixtureEM(
        n_components,
        covariance_type=covariance_type,
        weights_init=weights,
        means_init=means,
        covariances_init=covariances,
        max_iter=n_iter,
        tol=0.0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs.fit(X)
        ours.fit(X)
    return X, ours, theirs


def assert_rel(actual, desired, rtol=RTOL):
    """Relative agreement measured against the largest entry (entries near 0 included)."""
    actual, desired = np.asarray(actual), np.asarray(desired)
    assert actual.shape == desired.shape
    scale = np.abs(desired).max()
    assert np.abs(actual - desired).max() <= rtol * scale, (actual, desired)


@pytest.mark.parametrize("n_components", [2, 3, 4])
@pytest.mark.parametrize("n_features", [1, 2, 5])
@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_matches_sklearn_iteration_by_iteration(covariance_type, n_features, n_components):
    X, ours, theirs = fit_pair(covariance_type, n_features, n_components)
    # scikit-learn's lower bound of iteration i is the mean log-likelihood computed in that
    # iteration's E-step, before its M-step: our history entry divided by N.
    assert_rel(ours.log_likelihood_history_, np.asarray(theirs.lower_bounds_) * N_SAMPLES)
    assert ours.n_iter_ == theirs.n_iter_ == N_ITER
    assert_rel(ours.weights_, theirs.weights_)
    assert_rel(ours.means_, theirs.means_)
    assert_rel(ours.covariances_, theirs.covariances_)
    assert_rel(ours.precisions_cholesky_, theirs.precisions_cholesky_)
    # The fitted model's methods at identical parameters.
    assert_rel(ours.score_samples(X), theirs.score_samples(X))
    assert_rel(ours.predict_proba(X), theirs.predict_proba(X))
    assert ours.n_parameters() == theirs._n_parameters()
    assert ours.bic(X) == pytest.approx(theirs.bic(X), rel=RTOL)
    assert ours.aic(X) == pytest.approx(theirs.aic(X), rel=RTOL)


def test_single_iteration_from_given_start_matches_sklearn():
    """max_iter=1 is exactly one E-step and one M-step in both libraries."""
    _, ours, theirs = fit_pair("full", 2, 3, n_iter=1)
    assert_rel(ours.means_, theirs.means_)
    assert_rel(ours.covariances_, theirs.covariances_)


def test_kmeans_matches_sklearn_from_the_same_centroids():
    from sklearn.cluster import KMeans as SklearnKMeans

    X = blobs(3, 300, 3, 4, spread=3.0)
    start = X[:4].copy()
    ours = KMeans(4, init=start).fit(X)
    theirs = SklearnKMeans(4, init=start, n_init=1, algorithm="lloyd").fit(X)
    np.testing.assert_allclose(ours.cluster_centers_, theirs.cluster_centers_, rtol=1e-12)
    np.testing.assert_array_equal(ours.labels_, theirs.labels_)
    assert ours.inertia_ == pytest.approx(theirs.inertia_, rel=1e-12)


@pytest.mark.parametrize("estimator", [GaussianMixtureEM, ClassificationEM])
def test_clone_and_grid_search(estimator):
    x = blobs(0, 120, 1, 2, spread=6.0)
    model = estimator(2, means_init=np.array([[0.0], [1.0]]), random_state=0)
    copy = clone(model)
    assert copy is not model and not hasattr(copy, "means_")
    np.testing.assert_array_equal(copy.get_params()["means_init"], model.means_init)
    search = GridSearchCV(
        estimator(random_state=0),
        {"n_components": [1, 2, 3], "covariance_type": ["full", "spherical"]},
        cv=3,
    ).fit(x)
    assert np.isfinite(search.best_score_)
    if estimator is GaussianMixtureEM:  # held-out likelihood sees the two components
        assert search.best_params_["n_components"] >= 2


def test_kmeans_clone_and_grid_search():
    X = blobs(1, 90, 2, 3)
    search = GridSearchCV(
        KMeans(random_state=0), {"n_clusters": [2, 3]}, cv=3, scoring=lambda est, X, y=None: 0.0
    ).fit(X)
    assert search.best_estimator_.cluster_centers_.shape[1] == 2
    assert clone(KMeans(3, init="random")).get_params()["init"] == "random"


def test_em_never_imports_sklearn():
    code = (
        "import sys, numpy as np, em\n"
        "x = np.r_[np.zeros(20), np.ones(20)] + np.linspace(0, .1, 40)\n"
        "em.GaussianMixtureEM(2, random_state=0).fit(x).sample(3)\n"
        "em.ClassificationEM(2, random_state=0).fit(x)\n"
        "em.KMeans(2, random_state=0).fit(x)\n"
        "assert not any(m.split('.')[0] == 'sklearn' for m in sys.modules), 'sklearn imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
