"""MAP-EM: GaussianMixtureEM(prior=...) maximises the log posterior; its Laplace table."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from em import (
    ClassificationEM,
    ConvergenceWarning,
    DegenerateComponentWarning,
    GaussianMixtureEM,
    NormalInverseWishart,
    map_m_step,
    mixture_log_likelihood,
)
from em.mixture._covariance import COVARIANCES
from em.mixture.information import _Parametrisation

from .conftest import blobs

TYPES = ("full", "tied", "diag", "spherical")


def scatter_statistics(X, resp, covariance_type):
    """``nk``, weighted means and weighted scatter in the shape of ``covariance_type``."""
    nk = resp.sum(axis=0)
    xbar = resp.T @ X / nk[:, None]
    diff = X[:, None, :] - xbar
    full = np.einsum("nk,nkd,nke->kde", resp, diff, diff)
    scatter = {
        "full": full,
        "tied": full.sum(axis=0),
        "diag": np.diagonal(full, axis1=1, axis2=2).copy(),
        "spherical": np.trace(full, axis1=1, axis2=2),
    }[covariance_type]
    return nk, xbar, scatter


@pytest.mark.parametrize("covariance_type", TYPES)
def test_fit_is_a_fixed_point_of_the_map_step(covariance_type):
    X = blobs(0, 300, 2, 3)
    prior = NormalInverseWishart.default(X, 3, covariance_type, weight_concentration=2.0)
    fit = GaussianMixtureEM(
        3, covariance_type=covariance_type, prior=prior, tol=1e-12, random_state=0
    ).fit(X)
    assert fit.prior_ is prior
    stats = scatter_statistics(X, fit.predict_proba(X), covariance_type)
    weights, means, covariances = map_m_step(*stats, prior, covariance_type)
    # Stopping at a change of 1e-12 per sample leaves the parameters ~1e-6 from the mode;
    # the MLE step would differ by ~1e-2 (covariances) and ~1e-4 (means).
    np.testing.assert_allclose(fit.weights_, weights, rtol=1e-5)
    np.testing.assert_allclose(fit.means_, means, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(fit.covariances_, covariances, rtol=1e-5, atol=1e-8)
    log_posterior = mixture_log_likelihood(
        X, fit.weights_, fit.means_, fit.covariances_, covariance_type
    ) + prior.log_density(fit.weights_, fit.means_, fit.covariances_, covariance_type)
    assert fit.log_posterior_ == pytest.approx(log_posterior, rel=1e-12)
    assert len(fit.log_posterior_history_) == fit.n_iter_ == len(fit.log_likelihood_history_)
    # bic and aic keep meaning the likelihood.
    p = fit.n_parameters()
    assert fit.bic(X) == pytest.approx(-2 * fit.log_likelihood_ + p * np.log(len(X)), rel=1e-12)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    covariance_type=st.sampled_from(TYPES),
    n_features=st.integers(1, 3),
    n_components=st.integers(1, 4),
    kappa=st.floats(1e-3, 10.0),
    alpha=st.floats(1.0, 5.0),
)
def test_log_posterior_never_decreases(
    seed, covariance_type, n_features, n_components, kappa, alpha
):
    X = blobs(seed, 60, n_features, 3, spread=2.0)
    default = NormalInverseWishart.default(X, n_components, covariance_type)
    prior = NormalInverseWishart(
        weight_concentration=alpha,
        mean_prior=default.mean_prior,
        mean_precision=kappa,
        degrees_of_freedom=default.degrees_of_freedom,
        covariance_prior=default.covariance_prior,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("error", DegenerateComponentWarning)  # nothing is re-seeded
        fit = GaussianMixtureEM(
            n_components,
            covariance_type=covariance_type,
            prior=prior,
            init="random",
            tol=0,
            max_iter=30,
            random_state=seed,
        ).fit(X)
    history = np.append(fit.log_posterior_history_, fit.log_posterior_)
    assert np.all(np.diff(history) >= -1e-9 * np.abs(history[1:]))


def test_map_em_does_not_collapse_where_plain_em_does():
    # Three identical points: with reg_covar=0 their component's MLE variance is 0.
    x = np.concatenate([np.random.default_rng(0).normal(0, 1, 60), [5.0, 5.0, 5.0]])
    settings_ = dict(means_init=[[0.0], [5.0]], reg_covar=0, random_state=0)
    with warnings.catch_warnings(), pytest.warns(DegenerateComponentWarning, match="collapsed"):
        warnings.simplefilter("ignore", ConvergenceWarning)  # it keeps collapsing
        GaussianMixtureEM(2, **settings_).fit(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DegenerateComponentWarning)
        fit = GaussianMixtureEM(2, prior="default", **settings_).fit(x)
    assert fit.converged_
    assert np.all(fit.covariances_ > 0.01)
    assert fit.means_[1, 0] == pytest.approx(5.0, abs=0.05)  # the component kept its points
    assert fit.weights_[1] == pytest.approx(3 / 63, rel=1e-3)


def _weak_prior(covariance_type, n_features):
    scale = {
        "full": 1e-9 * np.eye(n_features),
        "tied": 1e-9 * np.eye(n_features),
        "diag": np.full(n_features, 1e-9),
        "spherical": 1e-9,
    }[covariance_type]
    return NormalInverseWishart(
        weight_concentration=1.0,
        mean_prior=np.zeros(n_features),
        mean_precision=1e-10,
        degrees_of_freedom=n_features - 1 + 1e-9,
        covariance_prior=scale,
    )


@pytest.mark.parametrize("covariance_type", TYPES)
def test_weak_prior_tends_to_the_mle(covariance_type):
    """kappa0 -> 0, nu0 -> D - 1, alpha0 = 1, Psi0 -> 0: the MAP is the MLE except that the
    mode's covariance divides by ``n_k + nu0 + D + 2`` (the exponent of the joint density of
    ``(mu, Sigma)``) instead of ``n_k``; undoing that divisor leaves the MLE to ~1e-6, and the
    gap itself shrinks as 1/N."""
    D, K = 2, 2
    prior = _weak_prior(covariance_type, D)
    kind = COVARIANCES[covariance_type]
    gaps = []
    for n_samples in (400, 40_000):
        X = blobs(3, n_samples, D, K, spread=5.0)
        settings_ = dict(covariance_type=covariance_type, tol=1e-12, reg_covar=0, random_state=0)
        mle = GaussianMixtureEM(K, **settings_).fit(X)
        fit = GaussianMixtureEM(K, prior=prior, **settings_).fit(X)
        np.testing.assert_allclose(fit.weights_, mle.weights_, rtol=1e-6)
        np.testing.assert_allclose(fit.means_, mle.means_, rtol=1e-6)
        # The data's share of the posterior degrees of freedom, and the mode's divisor.
        nk = fit.weights_ * n_samples
        data_dof = kind.posterior_dof(0.0, nk, D)
        divisor = kind.mode_denominator(kind.posterior_dof(prior.degrees_of_freedom, nk, D), K, D)
        undone = kind.divide(kind.divide(fit.covariances_, 1 / divisor), data_dof)
        np.testing.assert_allclose(undone, mle.covariances_, rtol=1e-6)
        gaps.append(np.max(np.abs(fit.covariances_ - mle.covariances_) / mle.covariances_.max()))
    assert gaps[1] < gaps[0] / 50


def _isotropic(covariance_type, n_features, value):
    return {
        "full": value * np.eye(n_features),
        "tied": value * np.eye(n_features),
        "diag": np.full(n_features, value),
        "spherical": value,
    }[covariance_type]


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (dict(covariance_prior=np.ones(2)), ValueError, "covariance_prior has shape"),
        (dict(covariance_prior=[[1.0, 2.0], [2.0, 1.0]]), ValueError, "covariance_prior is not"),
        (dict(degrees_of_freedom=1.0), ValueError, "degrees_of_freedom=1.0 must be > "),
        (dict(weight_concentration=-1.0), ValueError, "weight_concentration must be > 0"),
        (dict(weight_concentration=0.5), ValueError, "prior.weight_concentration=0.5 < 1"),
        (dict(mean_prior=np.zeros(3), covariance_prior=np.eye(3)), ValueError, "prior.mean_prior"),
        (dict(mean_precision=0.0), ValueError, "mean_precision must be > 0"),
    ],
)
def test_bad_prior_names_the_argument(change, error, match):
    X = blobs(0, 50, 2, 2)
    arguments = dict(
        weight_concentration=1.0,
        mean_prior=np.zeros(2),
        mean_precision=0.1,
        degrees_of_freedom=4.0,
        covariance_prior=np.eye(2),
    )
    arguments.update(change)
    with pytest.raises(error, match=match):
        GaussianMixtureEM(2, prior=NormalInverseWishart(**arguments)).fit(X)


def test_prior_argument_is_checked():
    X = blobs(0, 50, 2, 2)
    with pytest.raises(TypeError, match=r"prior must be None, 'default' or an em\.Normal"):
        GaussianMixtureEM(2, prior="mclust").fit(X)
    with pytest.raises(ValueError, match="ClassificationEM does not take a prior"):
        ClassificationEM(2, prior="default").fit(X)
    # "default" is NormalInverseWishart.default at fit.
    by_name = GaussianMixtureEM(2, covariance_type="diag", prior="default", random_state=0)
    explicit = GaussianMixtureEM(
        2,
        covariance_type="diag",
        prior=NormalInverseWishart.default(X, 2, "diag"),
        random_state=0,
    )
    np.testing.assert_array_equal(by_name.fit(X).covariances_, explicit.fit(X).covariances_)
    assert not hasattr(GaussianMixtureEM(2).fit(X), "log_posterior_")


# ---------------------------------------------------------------------- Laplace


def _log_posterior(model, theta, X, prior, covariance_type):
    weights, means, covariances = model.unpack(theta)
    return mixture_log_likelihood(
        X, weights, means, covariances, covariance_type
    ) + prior.log_density(weights, means, covariances, covariance_type)


@pytest.mark.parametrize(
    ("covariance_type", "n_features"), [("full", 1), ("full", 2), ("diag", 2), ("tied", 2)]
)
def test_laplace_is_the_finite_difference_hessian_of_the_log_posterior(covariance_type, n_features):
    X = blobs(4, 80, n_features, 2, spread=3.0)
    prior = NormalInverseWishart.default(X, 2, covariance_type, weight_concentration=3.0)
    fit = GaussianMixtureEM(
        2, covariance_type=covariance_type, prior=prior, tol=1e-14, random_state=0
    ).fit(X)
    table = fit.inference(X, level=0.9)
    mle_table = GaussianMixtureEM(2, covariance_type=covariance_type, random_state=0)
    assert [row.name for row in table] == [row.name for row in mle_table.fit(X).inference(X)]
    assert {row.method for row in table} == {"laplace"}

    model = _Parametrisation(COVARIANCES[covariance_type], 2, n_features)
    theta = model.pack(fit.weights_, fit.means_, fit.covariances_)
    steps = 1e-4 * model.scales(fit.covariances_)
    size = theta.size
    hessian = np.empty((size, size))
    f0 = _log_posterior(model, theta, X, prior, covariance_type)
    for i in range(size):
        for j in range(i, size):
            ei, ej = np.eye(size)[i] * steps[i], np.eye(size)[j] * steps[j]
            values = [
                _log_posterior(model, theta + a * ei + b * ej, X, prior, covariance_type)
                for a, b in ((1, 1), (1, -1), (-1, 1), (-1, -1))
            ]
            if i == j:
                plus = _log_posterior(model, theta + ei, X, prior, covariance_type)
                minus = _log_posterior(model, theta - ei, X, prior, covariance_type)
                hessian[i, i] = (plus - 2 * f0 + minus) / steps[i] ** 2
            else:
                hessian[i, j] = hessian[j, i] = (values[0] - values[1] - values[2] + values[3]) / (
                    4 * steps[i] * steps[j]
                )
    jacobian = model.jacobian(theta)
    covariance = jacobian @ np.linalg.solve(-hessian, jacobian.T)
    np.testing.assert_allclose([row.se for row in table], np.sqrt(np.diag(covariance)), rtol=2e-4)


def test_map_em_on_a_dask_array_matches_the_in_memory_fit():
    da = pytest.importorskip("dask.array", reason="the optional 'dask' extra is not installed")
    X = blobs(5, 600, 2, 3)
    prior = NormalInverseWishart.default(X, 3, "full")
    settings_ = dict(prior=prior, init="random_from_data", random_state=0)
    in_memory = GaussianMixtureEM(3, **settings_).fit(X)
    lazy = GaussianMixtureEM(3, **settings_).fit(da.from_array(X, chunks=150))
    for name in ("weights_", "means_", "covariances_", "log_posterior_history_"):
        np.testing.assert_allclose(getattr(lazy, name), getattr(in_memory, name), rtol=1e-10)
    assert lazy.log_posterior_ == pytest.approx(in_memory.log_posterior_, rel=1e-12)
    with pytest.raises(ValueError, match="prior='default' needs X in memory"):
        GaussianMixtureEM(3, prior="default").fit(da.from_array(X, chunks=150))
