"""Coverage of the 95 % intervals over many simulated data sets (slow).

With ``R`` replicates the Monte-Carlo standard deviation of an observed coverage is
``sqrt(0.95 * 0.05 / R)``: 0.0049 for R = 2000, 0.0069 for R = 1000, 0.0126 for R = 300.
Exact intervals (t, chi-square) must lie within 3.5 of those sds of 0.95; asymptotic ones
(Wald, Wilson, observed information) get a stated extra allowance for their finite-sample
error.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from em import (
    CategoricalMLE,
    GaussianMixtureEM,
    GaussianMLE,
    LinearRegressionMLE,
    LogisticRegressionMLE,
)

pytestmark = pytest.mark.slow


def mc_sd(replicates: int) -> float:
    return float(np.sqrt(0.95 * 0.05 / replicates))


def covered(table, truth: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {
        name: (table.array(name, "lower") <= value) & (value <= table.array(name, "upper"))
        for name, value in truth.items()
    }


def test_gaussian_exact_intervals():
    rng = np.random.default_rng(10)
    R = 2000
    hits = np.array(
        [
            list(
                covered(
                    GaussianMLE().fit(rng.normal(3, 2, 20)).inference_,
                    {"mean": 3.0, "variance": 4.0},
                ).values()
            )
            for _ in range(R)
        ]
    )
    np.testing.assert_allclose(hits.mean(axis=0), 0.95, atol=3.5 * mc_sd(R))


def test_categorical_wilson_intervals():
    rng = np.random.default_rng(11)
    R, p = 2000, np.array([0.1, 0.6, 0.3])
    hits = np.array(
        [
            covered(
                CategoricalMLE().fit(counts=rng.multinomial(200, p)).inference_,
                {"probabilities": p},
            )["probabilities"]
            for _ in range(R)
        ]
    )
    # Wilson's coverage oscillates with n p around the nominal value: 0.01 extra.
    np.testing.assert_allclose(hits.mean(axis=0), 0.95, atol=3.5 * mc_sd(R) + 0.01)


def test_linear_regression_exact_intervals():
    rng = np.random.default_rng(12)
    R, n = 2000, 30
    X = rng.normal(size=(n, 2))
    coef, sigma = np.array([1.0, -2.0]), 1.5
    hits = []
    for _ in range(R):
        fit = LinearRegressionMLE().fit(X, 0.5 + X @ coef + sigma * rng.normal(size=n))
        c = covered(fit.inference_, {"intercept": 0.5, "coef": coef, "sigma": sigma})
        hits.append([c["intercept"], *c["coef"], c["sigma"]])
    np.testing.assert_allclose(np.mean(hits, axis=0), 0.95, atol=3.5 * mc_sd(R))


def test_logistic_regression_wald_intervals():
    rng = np.random.default_rng(13)
    R, n = 1000, 300
    X = rng.normal(size=(n, 2))
    coef = np.array([1.0, -0.5])
    p = 1 / (1 + np.exp(-(-0.5 + X @ coef)))
    hits = []
    for _ in range(R):
        fit = LogisticRegressionMLE().fit(X, (rng.random(n) < p).astype(float))
        c = covered(fit.inference_, {"intercept": -0.5, "coef": coef})
        hits.append([c["intercept"], *c["coef"]])
    # Wald intervals at n = 300: 0.01 allowance for their finite-sample error.
    np.testing.assert_allclose(np.mean(hits, axis=0), 0.95, atol=3.5 * mc_sd(R) + 0.01)


def test_mixture_observed_information_intervals_on_the_lecture_case():
    rng = np.random.default_rng(14)
    R = 300
    truth = {
        "weights": np.array([0.5, 0.5]),
        "means": np.array([[0.0], [10.0]]),
        "covariances": np.array([[[9.0]], [[1.0]]]),
    }
    hits = []
    for seed in range(R):
        # Drawn from the model (the lecture fixes 100 + 100; the MLE's weight uncertainty
        # is that of a binomial count).
        n_blue = rng.binomial(200, 0.5)
        x = np.concatenate([rng.normal(0, 3, n_blue), rng.normal(10, 1, 200 - n_blue)])
        gm = GaussianMixtureEM(2, tol=1e-10, random_state=seed).fit(x)
        order = np.argsort(gm.means_[:, 0])  # order[0] is the fitted blue N(0, 3^2)
        rank = np.argsort(order)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = gm.inference(x)
        c = covered(table, {name: value[rank] for name, value in truth.items()})
        hits.append([*c["weights"][order], *c["means"][order, 0], *c["covariances"][order, 0, 0]])
    coverage = np.mean(hits, axis=0)
    # Asymptotic at N = 200 with overlapping components: 0.02 allowance.
    np.testing.assert_allclose(coverage, 0.95, atol=3.5 * mc_sd(R) + 0.02)
