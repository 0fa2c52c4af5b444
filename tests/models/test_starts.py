"""models.mixture_start: a fitted mixture as a starting point of each mixture model."""

import numpy as np
import pytest

import models
from models.sampling._initvals import check_initvals

WEIGHTS = np.array([0.6, 0.4])
# Given out of order: the ordered models need the first coordinates increasing.
MEANS = np.array([[10.0, 60.0], [0.0, 50.0]])
COVARIANCES = np.array([[[4.0, 1.0], [1.0, 2.0]], [[9.0, -2.0], [-2.0, 3.0]]])


@pytest.mark.parametrize("prior", ["weak", "conjugate"])
@pytest.mark.parametrize("covariance", ["full", "diag"])
def test_every_2d_model_starts_at_the_given_mixture(lecture_2d, prior, covariance):
    model = models.mv_normal_mixture(lecture_2d, 2, covariance=covariance, prior=prior)
    point = models.mixture_start(model, WEIGHTS, MEANS, COVARIANCES)
    assert set(point) == {rv.name for rv in model.free_RVs}
    np.testing.assert_array_equal(point["w"], WEIGHTS[::-1])
    np.testing.assert_array_equal(point["mu"], MEANS[::-1])
    check_initvals(model, [point], 1)  # finite in the transformed space
    if "cov" in point:
        np.testing.assert_array_equal(point["cov"], COVARIANCES[::-1])
    for k in range(2):
        if f"chol_cov_{k}" in point:
            chol = np.zeros((2, 2))
            chol[np.tril_indices(2)] = point[f"chol_cov_{k}"]
            np.testing.assert_allclose(chol @ chol.T, COVARIANCES[::-1][k])
    if "sigma" in point:
        np.testing.assert_allclose(point["sigma"] ** 2, [[9.0, 3.0], [4.0, 2.0]])


@pytest.mark.parametrize("prior", ["weak", "conjugate"])
def test_1d_models_take_vectors(lecture_1d, prior):
    model = models.normal_mixture(lecture_1d, 2, prior=prior)
    point = models.mixture_start(model, [0.5, 0.5], [[10.0], [0.0]], [[[1.0]], [[9.0]]])
    np.testing.assert_array_equal(point["mu"], [0.0, 10.0])
    key = "sigma" if prior == "weak" else "variance"
    np.testing.assert_allclose(point[key], [3.0, 1.0] if key == "sigma" else [9.0, 1.0])
    check_initvals(model, [point], 1)


def test_bad_mixtures_are_refused(lecture_1d):
    model = models.normal_mixture(lecture_1d, 2)
    with pytest.raises(ValueError, match=r"weights \(K,\), means \(K, D\)"):
        models.mixture_start(model, [1.0], [[0.0], [1.0]], [[[1.0]], [[1.0]]])
    with pytest.raises(ValueError, match="the model has 2"):
        models.mixture_start(model, [1.0], [[0.0]], [[[1.0]]])
    with pytest.raises(ValueError, match="positive definite"):
        models.mixture_start(model, [0.5, 0.5], [[0.0], [1.0]], [[[1.0]], [[-1.0]]])
