"""Bad input is refused with a ValueError naming the argument, before anything compiles."""

import numpy as np
import pytest

import models

X2 = np.random.default_rng(0).normal(size=(20, 2))
X1 = X2[:, 0]


@pytest.fixture(autouse=True)
def nothing_compiles():
    before = models.compile_counts()
    yield
    assert models.compile_counts() == before


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: models.normal_mixture([1.0, np.nan, 2.0], 2), "x contains 1 non-finite"),
        (lambda: models.normal_mixture([1.0, np.inf, 2.0], 2), "x contains .*inf"),
        (lambda: models.normal_mixture(X2, 2), r"x must be 1-D"),
        (lambda: models.normal_mixture(X1, 0), "n_components must be"),
        (lambda: models.normal_mixture([1.0, 2.0], 3), r"x has 2 rows; at least 3"),
        (lambda: models.normal_mixture(X1, 2, mu_prior=([2.0, 1.0], 1.0)), "mu_prior"),
        (lambda: models.normal_mixture(X1, 2, mu_prior=5.0), "mu_prior"),
        (lambda: models.normal_mixture(X1, 2, sigma_prior=-1.0), "sigma_prior"),
        (lambda: models.normal_mixture(X1, 2, w_concentration=[1, 2, 3]), "w_concentration"),
        (lambda: models.mv_normal_mixture(X2, 2, covariance="spherical"), "covariance"),
        (lambda: models.mv_normal_mixture(X2[:1], 2), r"X has 1 rows"),
        (lambda: models.mv_normal_mixture(np.ones((3, 2, 2)), 2), "X must be"),
        (lambda: models.mv_normal_mixture(X2, 2, feature_names=["a"]), "feature_names"),
        (lambda: models.mv_normal_mixture(X2, 2, lkj_eta=0.0), "lkj_eta"),
        (lambda: models.linear_regression(X2, np.ones(19)), "y has 19 entries"),
        (lambda: models.linear_regression(X2, np.full(20, np.nan)), "y contains"),
        (lambda: models.linear_regression(X2, np.ones(20), prior_scale=0), "prior_scale"),
        (lambda: models.logistic_regression(X2, np.arange(20) % 3), r"y must contain only"),
        (lambda: models.logistic_regression(X2, np.ones(19)), "y has 19 entries"),
        (lambda: models.categorical([1, -2, 3]), "counts must be non-negative"),
        (lambda: models.categorical([1.5, 2, 3]), "counts must be whole"),
        (lambda: models.categorical([0, 0]), "counts sums to 0"),
        (lambda: models.categorical([5]), "counts has 1 rows"),
        (lambda: models.categorical([1, 2], alpha=[1, 2, 3]), "alpha"),
        (lambda: models.categorical([1, 2], alpha=0.0), "alpha must be > 0"),
        (lambda: models.categorical_posterior([1, -1]), "counts"),
    ],
)
def test_bad_input_names_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_non_numeric_is_a_type_error():
    with pytest.raises(TypeError, match="x must be numeric"):
        models.normal_mixture(["a", "b", "c"], 2)
    with pytest.raises(TypeError, match="n_components must be an integer"):
        models.normal_mixture(X1, 2.0)


def test_set_data_checks_like_the_builder():
    model = models.logistic_regression(X2, np.arange(20) % 2)
    with pytest.raises(ValueError, match="y must contain only"):
        models.set_data(model, y=np.full(20, 2.0))
    with pytest.raises(ValueError, match="X contains"):
        models.set_data(model, X=np.full((20, 2), np.nan))
    with pytest.raises(ValueError, match=r"X must keep the shape \(20, 2\)"):
        models.set_data(model, X=X2[:10])
    with pytest.raises(ValueError, match="'z' is not a data container"):
        models.set_data(model, z=X1)
    # A refused update leaves every container as it was, even one named before the bad one.
    with pytest.raises(ValueError):
        models.set_data(model, X=X2 + 1.0, y=np.full(20, 2.0))
    np.testing.assert_array_equal(model["X"].get_value(), X2)


def test_set_data_refuses_negative_counts():
    model = models.categorical([1, 2, 3])
    with pytest.raises(ValueError, match="counts must be non-negative"):
        models.set_data(model, counts=[1, -2, 3])
    models.set_data(model, counts=[4, 5, 6])
    np.testing.assert_array_equal(model["counts"].get_value(), [4, 5, 6])


def test_caller_data_is_not_modified():
    x = X1.copy()
    models.normal_mixture(x, 2)
    np.testing.assert_array_equal(x, X1)
