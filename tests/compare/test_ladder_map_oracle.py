"""MAP-EM (em) and the MAP of the conjugate PyMC model (models) are the same point.

The ladder's MAP-EM rung and its NUTS rung only approximate one posterior if the two
packages mean the same prior. Here the oracle is ``models.map_estimate`` (L-BFGS on the
PyMC model's log density, no Jacobians, so the mode in the ``(w, mu, variance / cov)``
parametrisation that MAP-EM maximises): both sides get the same explicit hyperparameters
(``compare.conjugate.builder_arguments``), never their own defaults, because em's default
diagonal scale is mclust's one scalar ``trace(V) / D / K^(2/D)`` while models' is the
per-feature variance.
"""

from __future__ import annotations

import numpy as np
import pytest

import em
import models
from compare.align import match_components
from compare.conjugate import builder_arguments

# Both optimisers run to tight tolerances (EM: tol=1e-12; L-BFGS: tol=1e-12, where its
# default stops ~3e-5 short of the mode on the 2-D data), so 1e-5 is the agreement of two
# methods, not of two stopping rules.
TOL = 1e-5


def _two_clusters(n: int, d: int, seed: int) -> np.ndarray:
    """Two clusters apart on the first feature: one clear mode, which both optimisers find
    from their own starts (closer clusters give the 2-D full model a second local mode)."""
    rng = np.random.default_rng(seed)
    centre = np.zeros(d)
    centre[0] = 6.0
    scales = 1.0 + 0.5 * np.arange(d)
    return np.vstack([rng.normal(0.0, 1.0, (n, d)) * scales, centre + rng.normal(0.0, 0.8, (n, d))])


def _map_em(X, covariance_type, prior):
    fit = em.GaussianMixtureEM(
        2, covariance_type=covariance_type, prior=prior, n_init=3, tol=1e-12,
        max_iter=5000, random_state=0,
    ).fit(X)  # fmt: skip
    return fit.weights_, fit.means_, fit.covariances_


def _aligned(weights, means, covariances, reference_means):
    order = match_components(means, reference_means).order
    return weights[order], means[order], covariances[order]


def _assert_same(em_point, pymc_point):
    for name, a, b in zip(("weights", "means", "covariances"), em_point, pymc_point, strict=True):
        np.testing.assert_allclose(a, b, rtol=TOL, atol=TOL, err_msg=name)


def test_map_em_is_the_mode_of_the_1d_conjugate_model():
    X = _two_clusters(60, 1, seed=1)
    prior = em.NormalInverseWishart.default(X, 2, "full")
    model = models.normal_mixture(
        X[:, 0], 2, prior="conjugate", **builder_arguments(prior, "full", 1)
    )
    point = models.map_estimate(model, tol=1e-12)
    pymc = (point["w"], point["mu"].reshape(2, 1), point["variance"].reshape(2, 1, 1))
    _assert_same(_aligned(*_map_em(X, "full", prior), pymc[1]), pymc)


@pytest.mark.slow
def test_map_em_is_the_mode_of_the_2d_diagonal_conjugate_model():
    X = _two_clusters(60, 2, seed=2)
    # An explicit per-feature scale (not em's mclust scalar default): both sides get it.
    V = np.var(X, axis=0, ddof=1)
    prior = em.NormalInverseWishart(1.0, X.mean(axis=0), 0.01, 4.0, V / 2)
    given = builder_arguments(prior, "diag", 2)
    model = models.mv_normal_mixture(X, 2, covariance="diag", prior="conjugate", **given)
    point = models.map_estimate(model, tol=1e-12)
    pymc = (point["w"], point["mu"], point["variance"])
    _assert_same(_aligned(*_map_em(X, "diag", prior), pymc[1]), pymc)


@pytest.mark.slow
def test_map_em_is_the_mode_of_the_2d_full_conjugate_model():
    X = _two_clusters(60, 2, seed=3)
    prior = em.NormalInverseWishart.default(X, 2, "full")
    given = builder_arguments(prior, "full", 2)
    model = models.mv_normal_mixture(X, 2, covariance="full", prior="conjugate", **given)
    point = models.map_estimate(model, tol=1e-12)
    pymc = (point["w"], point["mu"], point["cov"])
    _assert_same(_aligned(*_map_em(X, "full", prior), pymc[1]), pymc)
