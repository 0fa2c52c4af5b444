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
