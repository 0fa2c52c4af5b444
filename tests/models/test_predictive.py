"""Prior/posterior predictive draws and the MAP / ADVI baselines."""

import numpy as np
import pytest

import models


def _assert_close(actual, expected, tolerance):
    """Elementwise ``|actual - expected| <= tolerance`` (one tolerance per element)."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert (np.abs(actual - expected) <= np.asarray(tolerance)).all(), (actual, expected)


def test_prior_predictive(mixture_1d):
    prior = models.prior_predictive(mixture_1d, draws=50, random_seed=1)
    assert prior.prior_predictive["x_obs"].shape == (1, 50, 200)
    assert prior.prior["mu"].shape == (1, 50, 2)
    again = models.prior_predictive(mixture_1d, draws=50, random_seed=1)
    np.testing.assert_array_equal(prior.prior["mu"].values, again.prior["mu"].values)


def test_posterior_predictive(mixture_1d, fit_1d, lecture_1d):
    pp = models.posterior_predictive(mixture_1d, fit_1d, random_seed=2)
    sim = pp.posterior_predictive["x_obs"]
    assert sim.dims == ("chain", "draw", "obs_id")
    assert sim.shape == (4, 1000, 200)
    assert "posterior_predictive" not in fit_1d.children  # the input is left alone
    # The replicated data look like the data: same mean, same spread, roughly.
    assert abs(float(sim.mean()) - lecture_1d.mean()) < 0.5
    assert abs(float(sim.std()) - lecture_1d.std()) < 0.5


@pytest.mark.slow
def test_map_lands_next_to_the_truth(mixture_1d):
    point = models.map_estimate(mixture_1d)
    assert set(point) == {"w", "mu", "sigma"}
    _assert_close(point["mu"], [0.0, 10.0], [0.9, 0.3])
    _assert_close(point["sigma"], [3.0, 1.0], [0.7, 0.25])


@pytest.mark.slow
def test_advi_gives_draws_like_sample(mixture_1d):
    approx = models.advi(mixture_1d, n=20_000, draws=200, random_seed=3)
    assert approx.posterior["mu"].shape == (1, 200, 2)
    assert approx.attrs["method"] == "advi"
    # Mean-field ADVI finds the right neighbourhood; its spread is not checked (see baselines).
    _assert_close(approx.posterior["mu"].mean(("chain", "draw")), [0.0, 10.0], [1.5, 1.0])


@pytest.fixture(scope="module")
def small_conjugate():
    rng = np.random.default_rng(31)
    x = np.concatenate([rng.normal(0.0, 1.0, 15), rng.normal(6.0, 1.0, 15)])
    return models.normal_mixture(x, 2, prior="conjugate")


@pytest.mark.parametrize("method", ["advi", "fullrank_advi"])
def test_advi_methods_are_reproducible(small_conjugate, method):
    fit = models.advi(small_conjugate, method=method, n=500, draws=100, random_seed=5)
    post = fit.posterior
    assert post["mu"].dims == ("chain", "draw", "component")
    assert post["mu"].shape == (1, 100, 2)
    assert {"w", "variance", "mu", "sigma"} <= set(post.data_vars)
    for attrs in (fit.attrs, post.attrs):
        assert attrs["method"] == method and attrs["n"] == 500 and attrs["random_seed"] == 5
        assert np.isfinite(attrs["final_loss"]) and attrs["wall_time"] > 0
    # Means ordered in every draw (the approximation lives in the transformed space).
    assert (np.diff(post["mu"].values, axis=-1) > 0).all()
    again = models.advi(small_conjugate, method=method, n=500, draws=100, random_seed=5)
    np.testing.assert_array_equal(again.posterior["mu"].values, post["mu"].values)
    assert again.attrs["final_loss"] == fit.attrs["final_loss"]
    other = models.advi(small_conjugate, method=method, n=500, draws=100, random_seed=6)
    assert not np.array_equal(other.posterior["mu"].values, post["mu"].values)


# Full-rank ADVI has more to fit (a Cholesky factor) and needs more steps to settle.
@pytest.mark.parametrize(
    "method, n", [("advi", 3000), pytest.param("fullrank_advi", 30_000, marks=pytest.mark.slow)]
)
def test_advi_finds_the_clusters(small_conjugate, method, n):
    fit = models.advi(small_conjugate, method=method, n=n, draws=200, random_seed=5)
    np.testing.assert_allclose(fit.posterior["mu"].mean(("chain", "draw")), [0.0, 6.0], atol=1.0)


def test_advi_refuses_bad_arguments(small_conjugate):
    with pytest.raises(ValueError, match="method='svgd' is not supported"):
        models.advi(small_conjugate, method="svgd")
    with pytest.raises(ValueError, match="n must be"):
        models.advi(small_conjugate, n=0)
    with pytest.raises(TypeError, match=r"model must be a pymc\.Model"):
        models.advi(None)
    with pytest.raises(TypeError, match=r"model must be a pymc\.Model"):
        models.map_estimate("model")


def test_advi_iterate_average_lands_on_a_narrow_posterior():
    # mu ~ N(0, 10^2), y_i ~ N(mu, 1), n = 1,000: the exact posterior is N(m, s^2) with
    # s = 0.032. adagrad_window moves mu by ~ the step size (0.01, a third of s) per step,
    # so the last iterate jitters; the mean of the last 1,000 iterates does not.
    import pymc as pm

    y = np.random.default_rng(0).normal(size=1000)
    with pm.Model() as model:
        mu = pm.Normal("mu", 0.0, 10.0)
        pm.Normal("y", mu, 1.0, observed=y)
    precision = len(y) + 1 / 100
    exact_mean, exact_sd = y.sum() / precision, precision**-0.5
    fit = models.advi(model, n=3000, learning_rate=0.01, average=1000, draws=4000, random_seed=1)
    draws = fit.posterior["mu"].values
    assert fit.attrs["average"] == 1000
    assert abs(draws.mean() - exact_mean) / exact_sd < 0.1
    assert draws.std() / exact_sd == pytest.approx(1.0, abs=0.1)
    with pytest.raises(ValueError, match=r"average must be at most n = 10"):
        models.advi(model, n=10, average=11)
    with pytest.raises(ValueError, match="average must be"):
        models.advi(model, n=10, average=-1)
