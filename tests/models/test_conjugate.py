"""The conjugate (Normal-inverse-Wishart) mixture prior against scipy, at its mode, by NUTS.

The model's log-density is compiled in PyTensor's FAST_COMPILE mode (Python code, compiles
in a second) wherever only its values matter.
"""

import numpy as np
import pytest
from pymc.model.transform.conditioning import remove_value_transforms
from scipy import stats
from scipy.special import logsumexp

import models

RNG = np.random.default_rng(2024)
X1 = np.concatenate([RNG.normal(0.0, 1.0, 20), RNG.normal(5.0, 0.7, 20)])
X2 = np.vstack([RNG.normal([0.0, 0.0], 1.0, (20, 2)), RNG.normal([5.0, 3.0], 1.0, (20, 2))])
PSI_FULL = np.array([[1.5, 0.4], [0.4, 0.8]])


def mclust_defaults(X, K, covariance):
    """mclust's ``defaultPrior``, written out independently of the package."""
    X = np.asarray(X, float).reshape(len(X), -1)
    D = X.shape[1]
    if covariance == "full":
        psi = np.cov(X, rowvar=False) / K ** (2 / D)
    else:
        psi = X.var(axis=0, ddof=1) / K ** (2 / D)
    return dict(alpha=np.ones(K), m0=X.mean(axis=0), kappa0=0.01, nu0=D + 2.0, psi0=psi)


def log_posterior(X, covariance, w, mu, cov, alpha, m0, kappa0, nu0, psi0):
    """Log prior + log-likelihood of a Gaussian mixture with the conjugate prior (scipy).

    ``X`` (n, D); ``w`` (K,); ``mu`` (K, D); ``cov`` (K, D, D) (diagonal for "diag").
    """
    X = np.asarray(X, float).reshape(len(X), -1)
    lp = stats.dirichlet.logpdf(w, alpha)
    log_dens = []
    for k in range(len(w)):
        if covariance == "full":
            lp += stats.invwishart.logpdf(cov[k], nu0, psi0)
        else:
            variances = np.diag(cov[k])
            lp += stats.invgamma.logpdf(variances, nu0 / 2, scale=np.asarray(psi0) / 2).sum()
        lp += stats.multivariate_normal.logpdf(mu[k], m0, cov[k] / kappa0)
        log_dens.append(np.log(w[k]) + stats.multivariate_normal.logpdf(X, mu[k], cov[k]))
    return lp + logsumexp(np.column_stack(log_dens), axis=1).sum()


def model_log_density(model):
    """The model's log-density at points in the variables' own (constrained) space."""
    plain = remove_value_transforms(model)
    return plain.compile_logp(mode="FAST_COMPILE")


def as_cov(point, covariance):
    """(K, D, D) covariances from a point of the model (``variance`` or ``cov``)."""
    if covariance == "full":
        return np.asarray(point["cov"])
    variance = np.asarray(point["variance"], float)
    variance = variance.reshape(len(variance), -1)
    return np.stack([np.diag(v) for v in variance])


CASES = {
    "1d-defaults": (X1, "1d", {}),
    "1d-given": (
        X1,
        "1d",
        dict(
            weight_concentration=[2.0, 3.0],
            mean_prior=1.0,
            mean_precision=0.5,
            degrees_of_freedom=4.0,
            covariance_prior=2.0,
        ),
    ),
    "diag-given": (
        X2,
        "diag",
        dict(
            weight_concentration=1.5,
            mean_prior=[1.0, -1.0],
            mean_precision=0.2,
            degrees_of_freedom=3.5,
            covariance_prior=[0.5, 2.0],
        ),
    ),
    "full-defaults": (X2, "full", {}),
    "full-given": (
        X2,
        "full",
        dict(
            mean_prior=[2.0, 1.0],
            mean_precision=0.1,
            degrees_of_freedom=2.5,
            covariance_prior=PSI_FULL,
        ),
    ),
}


def build(X, kind, hyper):
    if kind == "1d":
        return models.normal_mixture(X, 2, prior="conjugate", **hyper)
    return models.mv_normal_mixture(X, 2, covariance=kind, prior="conjugate", **hyper)


def resolved(X, kind, hyper):
    """The hyperparameters the model should use: mclust's defaults overridden by ``hyper``."""
    out = mclust_defaults(X, 2, "full" if kind == "full" else "diag")
    names = dict(
        weight_concentration="alpha",
        mean_prior="m0",
        mean_precision="kappa0",
        degrees_of_freedom="nu0",
        covariance_prior="psi0",
    )
    for name, value in hyper.items():
        value = np.broadcast_to(value, np.shape(out[names[name]])).astype(float)
        out[names[name]] = value if value.ndim else float(value)
    return out


@pytest.mark.parametrize("case", list(CASES))
def test_log_density_matches_scipy(case):
    X, kind, hyper = CASES[case]
    model = build(X, kind, hyper)
    covariance = "full" if kind == "full" else "diag"
    logp = model_log_density(model)
    w = np.array([0.3, 0.7])
    if kind == "1d":
        points = [{"w": w, "mu": np.array([-1.0, 4.0]), "variance": np.array([2.0, 0.5])}]
    elif kind == "diag":
        points = [
            {
                "w": w,
                "mu": np.array([[0.0, 1.0], [4.0, 2.0]]),
                "variance": np.array([[1.0, 2.0], [0.3, 0.9]]),
            }
        ]
    else:
        cov = np.array([[[1.0, 0.3], [0.3, 2.0]], [[0.5, -0.2], [-0.2, 0.4]]])
        points = [{"w": w, "mu": np.array([[0.0, 1.0], [4.0, 2.0]]), "cov": cov}]
    # A second point: the prior's own default start (mean of the inverse-gamma / Wishart).
    start = remove_value_transforms(model).initial_point()
    points.append({k: v for k, v in start.items()})
    for point in points:
        mu = np.asarray(point["mu"], float).reshape(2, -1)
        expected = log_posterior(
            X, covariance, point["w"], mu, as_cov(point, covariance), **resolved(X, kind, hyper)
        )
        np.testing.assert_allclose(logp(point), expected, rtol=1e-10, atol=1e-8)


def test_structure_and_deterministics():
    m1 = models.normal_mixture(X1, 2, prior="conjugate")
    assert [v.name for v in m1.free_RVs] == ["w", "variance", "mu"]
    assert [v.name for v in m1.deterministics] == ["sigma"]
    full = models.mv_normal_mixture(X2, 2, prior="conjugate")
    assert [v.name for v in full.free_RVs] == ["w", "cov", "mu"]
    assert full.named_vars_to_dims["cov"] == ("component", "feature", "feature_bis")
    diag = models.mv_normal_mixture(X2, 2, covariance="diag", prior="conjugate")
    assert [v.name for v in diag.free_RVs] == ["w", "variance", "mu"]
    assert {v.name for v in diag.deterministics} == {"sigma", "cov"}
    # The means start strictly ordered although their prior location is shared.
    assert np.isfinite(m1.initial_point()["mu_ordered__"]).all()
    assert np.isfinite(full.initial_point()["mu_orderedfirst__"]).all()


def numeric_gradient(f, theta, rel=1e-6):
    grad = np.empty_like(theta)
    for i in range(len(theta)):
        h = rel * max(1.0, abs(theta[i]))
        up, down = theta.copy(), theta.copy()
        up[i] += h
        down[i] -= h
        grad[i] = (f(up) - f(down)) / (2 * h)
    return grad


def test_map_is_a_stationary_point_of_the_1d_log_posterior():
    model = models.normal_mixture(X1, 2, prior="conjugate")
    point = models.map_estimate(model)
    assert set(point) == {"w", "variance", "mu", "sigma"}
    np.testing.assert_allclose(point["sigma"], np.sqrt(point["variance"]))
    hyper = resolved(X1, "1d", {})

    # Free coordinates of (w, mu, variance): w_1 (w_2 = 1 - w_1), the means, the variances.
    def f(theta):
        w = np.array([theta[0], 1.0 - theta[0]])
        return log_posterior(X1, "diag", w, theta[1:3, None], theta[3:, None, None], **hyper)

    theta = np.concatenate([point["w"][:1], point["mu"], point["variance"]])
    grad = numeric_gradient(f, theta)
    # At a generic point the gradient is of order 10-100 here; the optimiser's tolerance
    # leaves well under 1e-2.
    assert np.abs(grad).max() < 1e-2, grad
    assert np.abs(numeric_gradient(f, theta * 1.05)).max() > 1.0
    # The well-separated clusters are found: means near 0 and 5.
    np.testing.assert_allclose(point["mu"], [0.0, 5.0], atol=0.6)


# Compiling the full-covariance log posterior and its gradient costs ~45 s with a cold
# PyTensor cache; the 1-D stationarity test stays in the default suite.
@pytest.mark.slow
def test_map_is_a_stationary_point_of_the_full_covariance_log_posterior():
    model = models.mv_normal_mixture(X2, 2, prior="conjugate")
    point = models.map_estimate(model)
    assert set(point) == {"w", "cov", "mu"}
    hyper = resolved(X2, "full", {})
    rows, cols = np.tril_indices(2)

    # Free coordinates: w_1, the means (K * D), each covariance's lower triangle (symmetric).
    def unpack(theta):
        w = np.array([theta[0], 1.0 - theta[0]])
        mu = theta[1:5].reshape(2, 2)
        cov = np.zeros((2, 2, 2))
        cov[:, rows, cols] = theta[5:].reshape(2, 3)
        cov[:, cols, rows] = theta[5:].reshape(2, 3)
        return w, mu, cov

    def f(theta):
        return log_posterior(X2, "full", *unpack(theta), **hyper)

    theta = np.concatenate(
        [point["w"][:1], point["mu"].ravel(), point["cov"][:, rows, cols].ravel()]
    )
    grad = numeric_gradient(f, theta)
    assert np.abs(grad).max() < 1e-2, grad
    np.testing.assert_allclose(point["mu"], [[0.0, 0.0], [5.0, 3.0]], atol=0.8)


def test_nuts_on_the_lecture_data_converges(conjugate_1d, fit_conjugate_1d):
    report = models.diagnostics(fit_conjugate_1d)
    assert report.ok, report.reasons
    mu = fit_conjugate_1d.posterior["mu"].mean(("chain", "draw")).values
    sigma = fit_conjugate_1d.posterior["sigma"].mean(("chain", "draw")).values
    # Same tolerances as the weak prior's test (test_mixtures): about three standard errors.
    assert (np.abs(mu - [0.0, 10.0]) <= [0.9, 0.3]).all(), mu
    assert (np.abs(sigma - [3.0, 1.0]) <= [0.65, 0.22]).all(), sigma
    assert fit_conjugate_1d.log_likelihood["x_obs"].dims == ("chain", "draw", "obs_id")


def test_log_cholesky_jacobian_matches_finite_differences():
    import pytensor
    import pytensor.tensor as pt

    from models._transforms import LogCholesky

    d = 3
    transform = LogCholesky(d)
    y = pt.vector("y")
    f = pytensor.function(
        [y], [transform.backward(y), transform.log_jac_det(y)], mode="FAST_COMPILE"
    )
    back = pytensor.function([y], transform.forward(transform.backward(y)), mode="FAST_COMPILE")
    y0 = np.random.default_rng(1).normal(size=d * (d + 1) // 2)
    rows, cols = np.tril_indices(d)
    jac = np.column_stack(
        [
            (f(y0 + e)[0][rows, cols] - f(y0 - e)[0][rows, cols]) / 2e-6
            for e in np.eye(len(y0)) * 1e-6
        ]
    )
    np.testing.assert_allclose(f(y0)[1], np.linalg.slogdet(jac)[1], rtol=1e-6)
    np.testing.assert_allclose(back(y0), y0, atol=1e-12)
    sigma = f(y0)[0]
    assert np.allclose(sigma, sigma.T) and np.linalg.eigvalsh(sigma)[0] > 0


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(prior="conjugate", mu_prior=([0.0, 1.0], 1.0)), "mu_prior belong"),
        (dict(prior="weak", mean_precision=1.0), "mean_precision belong"),
        (dict(prior="conjugate", mean_precision=0.0), "mean_precision must be > 0"),
        (dict(prior="conjugate", degrees_of_freedom=-1.0), "degrees_of_freedom must be"),
        (dict(prior="conjugate", covariance_prior=-1.0), "covariance_prior must be > 0"),
        (dict(prior="conjugate", mean_prior=[1.0, 2.0]), r"mean_prior must be a scalar"),
        (dict(prior="bayes"), "prior='bayes' is not supported"),
        (dict(weight_concentration=1.0, w_concentration=1.0), "both given"),
    ],
)
def test_bad_1d_hyperparameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        models.normal_mixture(X1, 2, **kwargs)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(degrees_of_freedom=0.5), r"degrees_of_freedom must be a scalar > D - 1"),
        (dict(covariance_prior=[[1.0, 2.0], [2.0, 1.0]]), "positive definite"),
        (dict(covariance_prior=[[1.0, 0.1], [0.0, 1.0]]), "symmetric"),
        (dict(covariance_prior=np.eye(3)), r"\(2, 2\) matrix"),
        (dict(lkj_eta=2.0), "lkj_eta belong"),
    ],
)
def test_bad_full_hyperparameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        models.mv_normal_mixture(X2, 2, prior="conjugate", **kwargs)


def test_default_covariance_prior_needs_a_spread():
    X = np.column_stack([X1, np.ones_like(X1)])
    with pytest.raises(ValueError, match="covariance_prior"):
        models.mv_normal_mixture(X, 2, prior="conjugate")
    with pytest.raises(ValueError, match=r"feature\(s\) \[1\]"):
        models.mv_normal_mixture(X, 2, covariance="diag", prior="conjugate")
    # Given explicitly, the prior makes a constant feature acceptable.
    models.mv_normal_mixture(X, 2, covariance="diag", prior="conjugate", covariance_prior=1.0)


def test_prior_predictive_of_the_full_model():
    model = models.mv_normal_mixture(X2, 2, prior="conjugate")
    prior = models.prior_predictive(model, draws=20, random_seed=1)
    cov = prior.prior["cov"].values  # (1, 20, K, D, D)
    assert cov.shape == (1, 20, 2, 2, 2)
    assert np.allclose(cov, cov.swapaxes(-1, -2))
    assert (np.linalg.eigvalsh(cov)[..., 0] > 0).all()
    assert prior.prior_predictive["X_obs"].shape == (1, 20, 40, 2)
