"""The conjugate prior: mclust's default, the log density against scipy, validation, and
the MAP M-step against brute-force maximisation and as an ascent step of MAP-EM."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import optimize, stats
from scipy.special import logsumexp

from em import DegenerateComponentWarning, NormalInverseWishart, map_m_step

from .conftest import blobs, random_covariances

COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]


def full_covariances(covariances, covariance_type, K, D):
    """Any covariance type as K full (D, D) matrices."""
    if covariance_type == "full":
        return covariances
    if covariance_type == "tied":
        return np.broadcast_to(covariances, (K, D, D))
    if covariance_type == "diag":
        return np.stack([np.diag(c) for c in covariances])
    return covariances[:, None, None] * np.eye(D)


def statistics(X, resp, covariance_type):
    """``n_k``, weighted means and weighted scatter (a sum) in the type's shape."""
    nk = resp.sum(axis=0)
    means = resp.T @ X / nk[:, None]
    scatter = np.stack([(r * (X - m).T) @ (X - m) for r, m in zip(resp.T, means, strict=True)])
    if covariance_type == "tied":
        scatter = scatter.sum(axis=0)
    elif covariance_type == "diag":
        scatter = np.diagonal(scatter, axis1=1, axis2=2).copy()
    elif covariance_type == "spherical":
        scatter = np.trace(scatter, axis1=1, axis2=2)
    return nk, means, scatter


def prior_for(X, covariance_type, alpha=2.0, kappa=0.5):
    """mclust's default with a weight prior and a mean shrinkage strong enough to matter."""
    base = NormalInverseWishart.default(X, 2, covariance_type)
    return NormalInverseWishart(
        alpha, base.mean_prior + 0.3, kappa, base.degrees_of_freedom, base.covariance_prior
    )


def log_likelihood(X, weights, means, covariances, covariance_type):
    K, D = means.shape
    full = full_covariances(covariances, covariance_type, K, D)
    log_joint = np.column_stack(
        [
            np.log(w) + stats.multivariate_normal(m, c).logpdf(X).reshape(-1)
            for w, m, c in zip(weights, means, full, strict=True)
        ]
    )
    return log_joint


def complete_log_posterior(X, resp, prior, weights, means, covariances, covariance_type):
    """``sum r_nk log(w_k N(x_n | theta_k)) + log p(theta)``: what the MAP M-step maximises."""
    log_joint = log_likelihood(X, weights, means, covariances, covariance_type)
    return float((resp * log_joint).sum()) + prior.log_density(
        weights, means, covariances, covariance_type
    )


# ---------------------------------------------------------------------- default and density


def test_default_is_mclusts_default_prior():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3)) @ rng.normal(size=(3, 3)) + 5
    V = np.cov(X, rowvar=False)
    full = NormalInverseWishart.default(X, 4, "full")
    assert full.weight_concentration == 1.0 and full.mean_precision == 0.01
    assert full.degrees_of_freedom == 5.0
    np.testing.assert_allclose(full.mean_prior, X.mean(axis=0))
    np.testing.assert_allclose(full.covariance_prior, V * 4 ** (-2 / 3))
    scalar = 4 ** (-2 / 3) * np.trace(V) / 3  # mclust's one scale for EII ... VVI
    np.testing.assert_allclose(
        NormalInverseWishart.default(X, 4, "diag").covariance_prior, [scalar] * 3
    )
    assert NormalInverseWishart.default(X, 4, "spherical").covariance_prior == pytest.approx(scalar)
    one_d = NormalInverseWishart.default(X[:, 0], 3)  # mclust "E"/"V": dof 3, var / G^2
    assert one_d.degrees_of_freedom == 3.0
    assert one_d.covariance_prior.item() == pytest.approx(np.var(X[:, 0], ddof=1) / 9)
    few = NormalInverseWishart.default(X[:3], 2, "tied")  # n <= p: mclust uses diag(var)
    np.testing.assert_allclose(
        few.covariance_prior, np.diag(np.var(X[:3], axis=0, ddof=1)) * 2 ** (-2 / 3)
    )


def reference_log_density(prior, weights, means, covariances, covariance_type):
    K, D = means.shape
    psi = prior.scale_for(covariance_type)
    nu, kappa, m0 = prior.degrees_of_freedom, prior.mean_precision, prior.mean_prior
    total = stats.dirichlet(np.full(K, prior.weight_concentration)).logpdf(weights)
    full = full_covariances(covariances, covariance_type, K, D)
    for k in range(K):
        total += stats.multivariate_normal(m0, full[k] / kappa).logpdf(means[k])
    if covariance_type == "full":
        total += sum(stats.invwishart(nu, psi).logpdf(c) for c in covariances)
    elif covariance_type == "tied":
        total += stats.invwishart(nu, psi).logpdf(covariances)
    elif covariance_type == "diag":
        total += stats.invgamma(nu / 2, scale=psi / 2).logpdf(covariances).sum()
    else:
        total += stats.invgamma(nu / 2, scale=psi / 2).logpdf(covariances).sum()
    return total


@pytest.mark.parametrize("n_features", [1, 2, 3])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_log_density_matches_scipy(covariance_type, n_features):
    rng = np.random.default_rng(n_features)
    X = rng.normal(size=(30, n_features))
    prior = prior_for(X, covariance_type)
    K = 3
    weights = rng.dirichlet(np.ones(K))
    means = rng.normal(size=(K, n_features))
    covariances = random_covariances(rng, covariance_type, K, n_features)
    assert prior.log_density(weights, means, covariances, covariance_type) == pytest.approx(
        reference_log_density(prior, weights, means, covariances, covariance_type), rel=1e-12
    )


# ---------------------------------------------------------------------- validation


GOOD = dict(
    weight_concentration=1.0,
    mean_prior=[0.0, 0.0],
    mean_precision=0.01,
    degrees_of_freedom=4.0,
    covariance_prior=np.eye(2),
)


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"weight_concentration": 0.0}, ValueError, "weight_concentration must be > 0"),
        ({"weight_concentration": "1"}, TypeError, "weight_concentration must be a real number"),
        ({"mean_precision": -1.0}, ValueError, "mean_precision must be > 0"),
        ({"mean_precision": np.nan}, ValueError, "mean_precision must be finite"),
        (
            {"degrees_of_freedom": 1.0},
            ValueError,
            r"degrees_of_freedom=1\.0 must be > n_features - 1 = 1",
        ),
        ({"mean_prior": [0.0, np.nan]}, ValueError, "mean_prior contains 1 non-finite"),
        ({"mean_prior": np.zeros((2, 2))}, ValueError, r"mean_prior has shape \(2, 2\)"),
        ({"covariance_prior": np.eye(3)}, ValueError, r"covariance_prior has shape \(3, 3\)"),
        (
            {"covariance_prior": [[1.0, 2.0], [2.0, 1.0]]},
            ValueError,
            "covariance_prior is not positive definite",
        ),
        (
            {"covariance_prior": [[1.0, 0.5], [0.0, 1.0]]},
            ValueError,
            "covariance_prior is not symmetric",
        ),
        (
            {"covariance_prior": [1.0, -1.0]},
            ValueError,
            "covariance_prior has non-positive entries",
        ),
        ({"covariance_prior": 0.0}, ValueError, "covariance_prior has non-positive entries"),
        (
            {"covariance_prior": [[np.nan, 0], [0, 1]]},
            ValueError,
            "covariance_prior contains 1 non-finite",
        ),
    ],
)
def test_bad_prior_names_the_argument(change, error, match):
    with pytest.raises(error, match=match):
        NormalInverseWishart(**{**GOOD, **change})


def test_prior_is_immutable_and_shape_checked_per_covariance_type():
    prior = NormalInverseWishart(**GOOD)
    with pytest.raises(AttributeError):
        prior.mean_precision = 1.0
    with pytest.raises(ValueError, match="read-only"):
        prior.mean_prior[0] = 1.0
    with pytest.raises(ValueError, match=r"covariance_type='diag' with D=2 needs a \(D,\) vector"):
        prior.scale_for("diag")
    with pytest.raises(ValueError, match="covariance_type='cubic' is not supported"):
        prior.scale_for("cubic")
    one = NormalInverseWishart(1.0, 0.0, 0.01, 3.0, 2.0)  # 1-D: every shape serves every type
    assert one.scale_for("full").shape == (1, 1) and one.scale_for("diag").shape == (1,)
    with pytest.raises(ValueError, match="X has a singular sample covariance"):
        NormalInverseWishart.default(np.c_[np.arange(5.0), np.arange(5.0)], 2)


# ---------------------------------------------------------------------- MAP M-step


def _unpack(theta, covariance_type, K, D):
    """Unconstrained vector -> (weights, means, covariances): softmax logits, means,
    log-diagonal Cholesky factors or log-variances."""
    logits = np.append(theta[: K - 1], 0.0)
    weights = np.exp(logits - logsumexp(logits))
    pos = K - 1
    means = theta[pos : pos + K * D].reshape(K, D)
    pos += K * D
    rest = theta[pos:]
    if covariance_type in ("full", "tied"):
        n_mat = K if covariance_type == "full" else 1
        rows, cols = np.tril_indices(D)
        mats = []
        for i in range(n_mat):
            L = np.zeros((D, D))
            L[rows, cols] = rest[i * len(rows) : (i + 1) * len(rows)]
            L[np.diag_indices(D)] = np.exp(np.diag(L))
            mats.append(L @ L.T)
        covariances = np.stack(mats) if covariance_type == "full" else mats[0]
    else:
        covariances = np.exp(rest).reshape((K, D) if covariance_type == "diag" else (K,))
    return weights, means, covariances


def _pack(weights, means, covariances, covariance_type):
    logits = np.log(weights[:-1]) - np.log(weights[-1])
    if covariance_type in ("full", "tied"):
        stack = covariances if covariance_type == "full" else covariances[None]
        parts = []
        for c in stack:
            L = np.linalg.cholesky(c)
            L[np.diag_indices(len(c))] = np.log(np.diag(L))
            parts.append(L[np.tril_indices(len(c))])
        rest = np.concatenate(parts)
    else:
        rest = np.log(covariances).ravel()
    return np.concatenate([logits, means.ravel(), rest])


@pytest.mark.parametrize("n_features", [1, 2])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_map_step_is_the_numerical_maximum(covariance_type, n_features):
    rng = np.random.default_rng(10 + n_features)
    K, N = 2, 40
    X = blobs(n_features, N, n_features, K, spread=2.0)
    resp = rng.dirichlet(np.ones(K), size=N)
    prior = prior_for(X, covariance_type)
    expected = map_m_step(*statistics(X, resp, covariance_type), prior, covariance_type)

    def objective(theta):
        params = _unpack(theta, covariance_type, K, n_features)
        return -complete_log_posterior(X, resp, prior, *params, covariance_type)

    # Start from the maximum-likelihood step (no prior), a visibly different point.
    nk, means, _ = statistics(X, resp, covariance_type)
    start = _pack(nk / N, means, expected[2] * 1.5, covariance_type)
    result = optimize.minimize(
        objective, start, method="BFGS", jac="3-point", options={"gtol": 1e-10}
    )
    found = _unpack(result.x, covariance_type, K, n_features)
    assert -result.fun <= -objective(_pack(*expected, covariance_type)) + 1e-9
    for got, want in zip(found, expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6 * np.abs(want).max())


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_map_step_beats_perturbed_parameters(covariance_type):
    rng = np.random.default_rng(3)
    K, D, N = 3, 3, 90
    X = blobs(7, N, D, K)
    resp = rng.dirichlet(np.ones(K), size=N)
    prior = prior_for(X, covariance_type)
    best = map_m_step(*statistics(X, resp, covariance_type), prior, covariance_type)
    top = complete_log_posterior(X, resp, prior, *best, covariance_type)
    theta = _pack(*best, covariance_type)
    for _ in range(20):
        other = _unpack(theta + 1e-3 * rng.standard_normal(theta.shape), covariance_type, K, D)
        assert complete_log_posterior(X, resp, prior, *other, covariance_type) < top


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_map_em_increases_log_likelihood_plus_log_prior(covariance_type):
    """The MAP step inside EM: every iteration raises log p(X | theta) + log p(theta)."""
    rng = np.random.default_rng(4)
    K, D = 3, 2
    X = blobs(11, 120, D, K, spread=2.5)
    prior = prior_for(X, covariance_type, alpha=1.5)
    params = (
        np.full(K, 1 / K),
        X[rng.choice(len(X), K, replace=False)],
        random_covariances(rng, covariance_type, K, D),
    )
    previous = -np.inf
    for _ in range(15):
        log_joint = log_likelihood(X, *params, covariance_type)
        current = logsumexp(log_joint, axis=1).sum() + prior.log_density(*params, covariance_type)
        assert current >= previous - 1e-9 * abs(current)
        previous = current
        resp = np.exp(log_joint - logsumexp(log_joint, axis=1, keepdims=True))
        params = map_m_step(*statistics(X, resp, covariance_type), prior, covariance_type)


def test_weights_below_one_concentration_are_pruned_or_refused():
    nk = np.array([10.0, 0.2, 5.0])
    means = np.zeros((3, 1))
    prior = NormalInverseWishart(0.5, 0.0, 0.01, 3.0, 1.0)
    with pytest.warns(DegenerateComponentWarning, match=r"component\(s\) 1 .* pruned"):
        weights, _, covariances = map_m_step(nk, means, np.ones(3), prior, "spherical")
    np.testing.assert_allclose(weights, [9.5, 0.0, 4.5] / np.float64(14.0))
    assert (covariances > 0).all()
    with pytest.raises(ValueError, match="no component has n_k \\+ weight_concentration - 1 > 0"):
        map_m_step(np.array([0.1, 0.2]), np.zeros((2, 1)), np.ones(2), prior, "spherical")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # alpha0 < 1 with enough data: the plain formula
        weights, _, _ = map_m_step(
            np.array([3.0, 7.0]), np.zeros((2, 1)), np.ones((2, 1)), prior, "diag"
        )
    np.testing.assert_allclose(weights, [2.5, 6.5] / np.float64(9.0))


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((np.ones((2, 2)), np.zeros((2, 1)), np.ones(2)), ValueError, r"nk has shape \(2, 2\)"),
        ((np.array([1.0, -1.0]), np.zeros((2, 1)), np.ones(2)), ValueError, "nk has negative"),
        ((np.ones(2), np.zeros((3, 1)), np.ones(2)), ValueError, r"means has shape \(3, 1\)"),
        ((np.ones(2), np.zeros((2, 1)), np.ones(3)), ValueError, r"scatter has shape \(3,\)"),
        (
            (np.ones(2), np.zeros((2, 1)), [np.inf, 1.0]),
            ValueError,
            "scatter contains 1 non-finite",
        ),
    ],
)
def test_map_step_validates_its_statistics(args, error, match):
    prior = NormalInverseWishart(1.0, 0.0, 0.01, 3.0, 1.0)
    with pytest.raises(error, match=match):
        map_m_step(*args, prior, "spherical")
    with pytest.raises(TypeError, match="prior must be a NormalInverseWishart"):
        map_m_step(np.ones(2), np.zeros((2, 1)), np.ones(2), {"alpha": 1}, "spherical")
