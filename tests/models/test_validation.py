"""Bad input is refused with a ValueError naming the argument, before anything compiles."""

import numpy as np
import pytest
import xarray as xr

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


@pytest.mark.parametrize(
    "counts, match",
    [
        ([1e300, 1e300, 1], "fit a 64-bit integer"),
        ([2**63, 1], "fit a 64-bit integer"),
        (np.array([2**63, 1], dtype=np.uint64), "fit a 64-bit integer"),
        ([2**64, 1], "fit a 64-bit integer"),
        ([2**62, 2**62], r"sums to 9223372036854775808, more than a 64-bit integer"),
        ([1.5, 2.0], "whole numbers"),
    ],
)
def test_counts_must_fit_int64(counts, match):
    with pytest.raises(ValueError, match=match):
        models.categorical(counts)
    with pytest.raises(ValueError, match=match):
        models.categorical_posterior(counts)


def test_largest_counts_are_kept_exactly():
    big = np.iinfo(np.int64).max
    exact = models.categorical_posterior([big, 0])
    assert exact.concentration[0] == float(big) + 1.0
    # PyMC stores integer data as int32: the model takes totals up to 2**31 - 1, exactly.
    model = models.categorical([2**31 - 1, 0])
    assert model["counts"].get_value().tolist() == [2**31 - 1, 0]
    for counts in ([2**31, 0], [2**30, 2**30]):
        with pytest.raises(ValueError, match=r"counts sums to 2147483648; .* 32-bit"):
            models.categorical(counts)
    with pytest.raises(ValueError, match="32-bit"):
        models.set_data(model, counts=[2**31, 0])


SMALL = X1 * 1e-300  # spread ~1e-300: its square underflows to 0
HUGE = X1 * 1e300  # squares overflow: the log-density would be NaN


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: models.normal_mixture(HUGE, 2), r"x is out of the range .* at most 1e\+100"),
        (lambda: models.normal_mixture(SMALL, 2), r"x is out of .* at least 1e-100"),
        (lambda: models.normal_mixture(SMALL, 2, prior="conjugate"), "x is out of the range"),
        (lambda: models.mv_normal_mixture(X2 * 1e300, 2), "X is out of the range"),
        (
            lambda: models.mv_normal_mixture(np.column_stack([X1, SMALL]), 2),
            r"X \(column 1\) is out of the range",
        ),
        (lambda: models.linear_regression(X2, HUGE), "y is out of the range"),
        (lambda: models.linear_regression(X2 * 1e-300, X1), "X .*is out of the range"),
        (lambda: models.logistic_regression(X2 * 1e300, X1 > 0), "X is out of the range"),
    ],
)
def test_data_out_of_the_supported_range_is_refused(call, match):
    with pytest.raises(ValueError, match=match) as error:
        call()
    assert "Rescale the data" in str(error.value)


def test_data_at_the_edges_of_the_range_is_accepted():
    # The log-density at the model's start is still finite there (compiled in Python mode).
    for x in (X1 * 1e99, X1 * 1e-99):
        for prior in ("weak", "conjugate"):
            model = models.normal_mixture(x, 2, prior=prior)
            assert np.isfinite(model.compile_logp(mode="FAST_COMPILE")(model.initial_point()))
    # Constant data are no scale problem: they get a unit prior scale, as before.
    models.normal_mixture(np.full(5, 1e-300), 1)


def test_set_data_checks_the_range():
    model = models.normal_mixture(X1, 2)
    with pytest.raises(ValueError, match="x is out of the range"):
        models.set_data(model, x=HUGE)
    with pytest.raises(ValueError, match="x is out of the range"):
        models.set_data(model, x=SMALL)


@pytest.mark.parametrize("bad", [None, "idata", xr.Dataset(), {"posterior": None}])
def test_idata_must_be_a_datatree(bad):
    with pytest.raises(TypeError, match=r"idata must be an xarray\.DataTree"):
        models.diagnostics(bad)
    with pytest.raises(TypeError, match="idata"):
        models.posterior_responsibilities(bad, X1)
    with pytest.raises(TypeError, match="idata"):
        models.posterior_predictive(MODEL_1D, bad)


def test_idata_without_posterior_is_a_value_error():
    with pytest.raises(ValueError, match="idata has no posterior group"):
        models.diagnostics(xr.DataTree())


MODEL_1D = models.normal_mixture(X1, 2)
Z1 = X1 + 1j


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: models.normal_mixture(Z1, 2), "x must be real"),
        (lambda: models.normal_mixture(X1, 2, weight_concentration=1 + 1j), "weight_conc"),
        (lambda: models.normal_mixture(X1, 2, mu_prior=([0, 1j], 1.0)), "mu_prior loc must be"),
        (lambda: models.normal_mixture(X1, 2, sigma_prior=2j), "sigma_prior must be real"),
        (lambda: models.normal_mixture(X1, 2, prior="conjugate", mean_prior=1j), "mean_prior"),
        (
            lambda: models.normal_mixture(X1, 2, prior="conjugate", degrees_of_freedom=3 + 0j),
            "degrees_of_freedom must be real",
        ),
        (
            lambda: models.mv_normal_mixture(
                X2, 2, prior="conjugate", covariance_prior=np.eye(2) * 1j
            ),
            "covariance_prior must be real",
        ),
        (lambda: models.mv_normal_mixture(X2 * (1 + 0j), 2), "X must be real"),
        (lambda: models.linear_regression(X2, Z1), "y must be real"),
        (lambda: models.logistic_regression(X2 + 0j, X1 > 0), "X must be real"),
        (lambda: models.categorical([1 + 0j, 2]), "counts must be real"),
        (lambda: models.categorical([1, 2], alpha=1j), "alpha must be real"),
        (lambda: models.normal_mixture(X1, 2 + 0j), "n_components must be an integer"),
        (lambda: models.set_data(MODEL_1D, x=Z1), "x must be real"),
        (lambda: models.posterior_responsibilities(xr.DataTree(), Z1), "idata"),
        (lambda: models.sample(MODEL_1D, random_seed=1j), "random_seed"),
        (lambda: models.sample(MODEL_1D, draws=10 + 0j), "draws must be an integer"),
        (lambda: models.sample(MODEL_1D, target_accept=0.8 + 0j), "target_accept"),
        (
            lambda: models.sample(MODEL_1D, chains=1, initvals=[{"mu": np.array([0, 5]) + 1j}]),
            r"initvals\[0\]\['mu'\] must be real",
        ),
        (lambda: models.prior_predictive(MODEL_1D, draws=5j), "draws must be an integer"),
        (lambda: models.advi(MODEL_1D, n=10j), "n must be an integer"),
    ],
)
def test_complex_input_is_refused(call, match):
    with pytest.raises((TypeError, ValueError), match=match):
        call()
