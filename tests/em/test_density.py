"""em.mixture_log_joint / em.mixture_log_likelihood: the public door to the log-density."""

import numpy as np
import pytest
from scipy import stats

from em import GaussianMixtureEM, mixture_log_joint, mixture_log_likelihood


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_matches_scipy_and_the_fitted_estimator(covariance_type):
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (40, 2)), rng.normal(4, 0.5, (40, 2))])
    gm = GaussianMixtureEM(2, covariance_type=covariance_type, random_state=0).fit(X)
    if covariance_type == "full":
        full = gm.covariances_
    elif covariance_type == "tied":
        full = np.broadcast_to(gm.covariances_, (2, 2, 2))
    elif covariance_type == "diag":
        full = np.stack([np.diag(c) for c in gm.covariances_])
    else:
        full = np.stack([c * np.eye(2) for c in gm.covariances_])
    expected = np.column_stack(
        [
            np.log(gm.weights_[k]) + stats.multivariate_normal(gm.means_[k], full[k]).logpdf(X)
            for k in range(2)
        ]
    )
    joint = mixture_log_joint(X, gm.weights_, gm.means_, gm.covariances_, covariance_type)
    np.testing.assert_allclose(joint, expected, rtol=1e-12)
    total = mixture_log_likelihood(X, gm.weights_, gm.means_, gm.covariances_, covariance_type)
    assert total == pytest.approx(gm.log_likelihood_, rel=1e-12)


@pytest.mark.parametrize(
    ("weights", "covariances", "match"),
    [
        ([0.5, 0.5], [[[1.0, 2.0], [2.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]]], "positive definite"),
        ([-0.5, 1.5], [[[1.0, 0.0], [0.0, 1.0]]] * 2, "weights must be positive"),
        ([0.5, 0.5], [[1.0, 1.0], [1.0, 1.0]], "shapes"),
    ],
)
def test_bad_parameters_name_the_argument(weights, covariances, match):
    X = np.zeros((3, 2))
    with pytest.raises(ValueError, match=match):
        mixture_log_joint(X, weights, [[0.0, 0.0], [1.0, 1.0]], covariances)
