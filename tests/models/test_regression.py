"""Regression models: weak priors give the least-squares / maximum-likelihood answer."""

import numpy as np
import pytest

import models

from .conftest import RUN


@pytest.fixture(scope="module")
def regression_data():
    rng = np.random.default_rng(7)
    X = rng.normal([5.0, -2.0], [2.0, 0.5], size=(80, 2))
    y = 1.5 + X @ np.array([2.0, -3.0]) + rng.normal(0.0, 1.0, 80)
    return X, y


@pytest.fixture(scope="module")
def linear_fit(regression_data):
    X, y = regression_data
    model = models.linear_regression(X, y, coef_names=["a", "b"])
    return model, models.sample(model, random_seed=3, **RUN)


def test_linear_structure(linear_fit):
    model, idata = linear_fit
    assert {v.name for v in model.free_RVs} == {"alpha", "beta", "sigma"}
    assert idata.posterior["beta"].dims == ("chain", "draw", "coef")
    assert list(idata.posterior["coef"].values) == ["a", "b"]
    assert idata.log_likelihood["y_obs"].dims == ("chain", "draw", "obs_id")


def test_linear_weak_priors_give_least_squares(linear_fit, regression_data):
    X, y = regression_data
    design = np.column_stack([np.ones(len(y)), X])
    coef, rss, *_ = np.linalg.lstsq(design, y, rcond=None)
    _, idata = linear_fit
    assert models.diagnostics(idata).ok
    post = idata.posterior.mean(("chain", "draw"))
    sd = idata.posterior.std(("chain", "draw"))
    # The weak prior moves the mean by a small fraction of a posterior sd, and so does the
    # Monte Carlo error (sd / sqrt(ESS), ESS ~ 1000 or more).
    assert abs(float(post["alpha"]) - coef[0]) < 0.15 * float(sd["alpha"])
    assert (np.abs(post["beta"].values - coef[1:]) < 0.15 * sd["beta"].values).all()
    sigma_ls = np.sqrt(rss[0] / (len(y) - 3))
    np.testing.assert_allclose(post["sigma"], sigma_ls, rtol=0.05)


@pytest.mark.slow
def test_logistic_weak_priors_give_the_mle():
    from scipy.optimize import minimize
    from scipy.special import log_expit

    rng = np.random.default_rng(8)
    X = rng.normal(0.0, 1.0, size=(400, 2))
    y = rng.random(400) < 1 / (1 + np.exp(-(0.5 + X @ np.array([1.5, -1.0]))))
    design = np.column_stack([np.ones(400), X])

    def neg_loglik(b):
        eta = design @ b
        return -np.sum(np.where(y, log_expit(eta), log_expit(-eta)))

    mle = minimize(neg_loglik, np.zeros(3), method="BFGS").x
    model = models.logistic_regression(X, y)
    idata = models.sample(model, random_seed=2, **RUN)
    assert models.diagnostics(idata).ok
    post = idata.posterior.mean(("chain", "draw"))
    sd = idata.posterior.std(("chain", "draw"))
    # The 2.5-sd logit prior shrinks a little; the posterior mean also sits a bit off the
    # mode because the likelihood is skewed. Both stay well inside half a posterior sd.
    assert abs(float(post["alpha"]) - mle[0]) < 0.5 * float(sd["alpha"])
    assert (np.abs(post["beta"].values - mle[1:]) < 0.5 * sd["beta"].values).all()


def test_logistic_structure():
    X = np.arange(10.0).reshape(5, 2)
    model = models.logistic_regression(X, [0, 1, 0, 1, True])
    assert {v.name for v in model.free_RVs} == {"alpha", "beta"}
    assert model.named_vars_to_dims["beta"] == ("coef",)
    assert models.data_names(model) == ["X", "y"]


def test_prior_scales_follow_the_units(regression_data):
    X, y = regression_data
    m1 = models.linear_regression(X, y)
    m2 = models.linear_regression(X * 100.0, y)
    sd1 = m1["beta"].owner.inputs[-1].eval()
    sd2 = m2["beta"].owner.inputs[-1].eval()
    np.testing.assert_allclose(sd2, sd1 / 100.0)
