"""LinearRegressionMLE: statsmodels oracle, numerical accuracy, descent methods, bad input."""

from __future__ import annotations

import warnings
from fractions import Fraction

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from em import ConvergenceWarning, LinearRegressionMLE


def simulated(seed: int = 0, n: int = 120):
    """Unscaled features (units differ by 1e4) and Gaussian noise."""
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.normal(50, 10, n), rng.normal(0, 0.01, n), rng.normal(size=n)])
    return X, 3 + X @ [0.5, 100.0, -2.0] + rng.normal(0, 2, n)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_matches_statsmodels_ols(fit_intercept):
    X, y = simulated()
    ols = sm.OLS(y, sm.add_constant(X) if fit_intercept else X).fit()
    reg = LinearRegressionMLE(fit_intercept=fit_intercept).fit(X, y)
    params = np.r_[reg.intercept_, reg.coef_] if fit_intercept else reg.coef_
    se = np.r_[reg.intercept_stderr_, reg.coef_stderr_] if fit_intercept else reg.coef_stderr_
    np.testing.assert_allclose(params, ols.params, rtol=1e-8)
    np.testing.assert_allclose(se, ols.bse, rtol=1e-8)
    np.testing.assert_allclose(reg.covariance_, ols.cov_params(), rtol=1e-8, atol=0)
    assert reg.log_likelihood_ == pytest.approx(ols.llf, rel=1e-8)
    np.testing.assert_allclose(reg.conf_int(0.9), ols.conf_int(alpha=0.1), rtol=1e-8)
    assert reg.sigma_ == pytest.approx(np.sqrt(ols.ssr / len(y)), rel=1e-12)
    # R^2 about the mean, as scikit-learn's score (statsmodels' is uncentred without a constant).
    assert reg.score(X, y) == pytest.approx(1 - ols.ssr / ols.centered_tss, rel=1e-10)
    np.testing.assert_allclose(reg.predict(X), ols.fittedvalues, rtol=1e-10)


def test_inference_table_names_and_methods():
    X, y = simulated()
    table = LinearRegressionMLE().fit(X, y).inference_
    assert table.shapes == {"intercept": (), "coef": (3,), "sigma": ()}
    assert table["coef[1]"].method == "exact-t"
    assert table["sigma"].method == "exact-chi2"
    assert table["sigma"].lower < table["sigma"].estimate < table["sigma"].upper
    assert LinearRegressionMLE(fit_intercept=False).fit(X, y).inference_.parameters == [
        "coef",
        "sigma",
    ]


def _exact_least_squares(A: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Exact rational solution of the normal equations of the (exactly represented) data."""
    F = [[Fraction(v) for v in row] for row in A]
    Y = [Fraction(v) for v in y]
    p = A.shape[1]
    M = [
        [sum(r[i] * r[j] for r in F) for j in range(p)]
        + [sum(r[i] * t for r, t in zip(F, Y, strict=True))]
        for i in range(p)
    ]
    for c in range(p):  # Gauss-Jordan; exact, so no pivoting strategy is needed
        for r in range(p):
            if r != c:
                f = M[r][c] / M[c][c]
                M[r] = [a - f * b for a, b in zip(M[r], M[c], strict=True)]
    return np.array([float(M[i][p] / M[i][i]) for i in range(p)])


def _digits(estimate: np.ndarray, reference: np.ndarray) -> float:
    return float(-np.log10(np.max(np.abs(estimate - reference) / np.abs(reference))))


def test_qr_keeps_ten_digits_on_an_ill_conditioned_design_where_normal_equations_lose_half():
    # Condition number ~1e9 of the kind met in practice: an offset (values near 1.7e4, as
    # years or incomes) against the intercept, and columns in very different units.
    rng = np.random.default_rng(3)
    n = 60
    X = np.column_stack(
        [1.7e4 + rng.uniform(0, 1, n), 1e-4 * rng.standard_normal(n), rng.standard_normal(n)]
    )
    y = 2 + X @ [1.5, 3e3, -1.0] + rng.standard_normal(n)
    A = np.column_stack([np.ones(n), X])
    assert 3e8 < np.linalg.cond(A) < 3e9
    reference = _exact_least_squares(A, y)

    def digits(method):
        reg = LinearRegressionMLE(method).fit(X, y)
        return _digits(np.r_[reg.intercept_, reg.coef_], reference)

    qr, normal = digits("qr"), digits("normal_equations")
    assert qr >= 10
    assert normal <= qr - 4  # about half of the ~15 digits lost


def test_closed_form_is_the_simple_regression_formula():
    rng = np.random.default_rng(4)
    x = rng.uniform(0, 10, 50)
    y = 1 - 2 * x + rng.normal(size=50)
    closed, qr = LinearRegressionMLE("closed_form").fit(x, y), LinearRegressionMLE().fit(x, y)
    assert closed.intercept_ == pytest.approx(qr.intercept_, rel=1e-12)
    np.testing.assert_allclose(closed.coef_, qr.coef_, rtol=1e-12)
    through_origin = LinearRegressionMLE("closed_form", fit_intercept=False).fit(x, y)
    np.testing.assert_allclose(through_origin.coef_, [x @ y / (x @ x)])
    with pytest.raises(ValueError, match="needs exactly one feature; X has 2"):
        LinearRegressionMLE("closed_form").fit(np.column_stack([x, x**2]), y)


def test_gradient_descent_reaches_the_qr_optimum_on_unscaled_data():
    X, y = simulated()
    qr = LinearRegressionMLE().fit(X, y)
    gd = LinearRegressionMLE("gradient_descent").fit(X, y)
    assert gd.converged_
    np.testing.assert_allclose(gd.coef_, qr.coef_, rtol=1e-6)
    assert gd.intercept_ == pytest.approx(qr.intercept_, rel=1e-6)
    assert gd.loss_history_.shape == (gd.n_epochs_ + 1,)
    assert np.all(np.diff(gd.loss_history_) <= 1e-12 * gd.loss_history_[0])
    assert gd.loss_history_[-1] == pytest.approx(qr.sigma_**2, rel=1e-10)


@pytest.mark.parametrize(("method", "tolerance"), [("minibatch", 0.01), ("sgd", 0.05)])
def test_stochastic_methods_reach_the_qr_optimum_within_a_fraction_of_a_standard_error(
    method, tolerance
):
    X, y = simulated(n=100)
    qr = LinearRegressionMLE().fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit = LinearRegressionMLE(method, batch_size=10, max_epochs=400, random_state=0).fit(X, y)
    gap = np.abs(np.r_[fit.intercept_, fit.coef_] - np.r_[qr.intercept_, qr.coef_])
    assert np.all(gap <= tolerance * np.r_[qr.intercept_stderr_, qr.coef_stderr_])
    again = LinearRegressionMLE(method, batch_size=10, max_epochs=400, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        np.testing.assert_array_equal(again.fit(X, y).coef_, fit.coef_)


def test_descent_warns_at_max_epochs_and_refuses_to_diverge():
    X, y = simulated()
    with pytest.warns(ConvergenceWarning, match="max_epochs=3"):
        LinearRegressionMLE("gradient_descent", max_epochs=3).fit(X, y)
    with pytest.raises(ValueError, match=r"diverged.*smaller learning_rate"):
        LinearRegressionMLE("gradient_descent", learning_rate=10.0).fit(X, y)


@pytest.mark.parametrize(
    ("X", "y", "kwargs", "match"),
    [
        (np.ones((5, 1)) * [[1], [2], [3], [4], [5]], [1, 2, np.nan, 4, 5], {}, "y contains 1"),
        (np.arange(5.0), [1, 2, np.inf, 4, 5], {}, "y contains 1 non-finite"),
        (np.arange(5.0), [1, 2, 3], {}, "y has 3 entries but X has 5 rows"),
        (np.arange(6.0).reshape(3, 2), [1, 2, 3], {}, "X has 3 rows but the model has 3 param"),
        (
            np.column_stack([np.arange(5.0), np.ones(5)]),
            np.arange(5.0),
            {},
            r"column\(s\) \[1\] are constant",
        ),
        (
            np.column_stack([np.arange(6.0), 2 * np.arange(6.0) + 1]),
            np.arange(6.0),
            {},
            "X is rank deficient",
        ),
        (
            np.column_stack([np.arange(6.0), np.zeros(6)]),
            np.arange(6.0),
            {"fit_intercept": False},
            "rank deficient",
        ),
        (np.arange(5.0), np.arange(5.0), {"method": "svd"}, "method='svd' is not supported"),
        ([[np.nan], [1], [2]], [1, 2, 3], {}, "X contains 1 non-finite"),
    ],
)
def test_bad_input_names_the_argument(X, y, kwargs, match):
    with pytest.raises(ValueError, match=match):
        LinearRegressionMLE(**kwargs).fit(X, y)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), p=st.integers(1, 4), n=st.integers(10, 60))
def test_direct_methods_agree_on_well_conditioned_problems(seed, p, n):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    y = rng.normal(size=n)
    qr = LinearRegressionMLE().fit(X, y)
    normal = LinearRegressionMLE("normal_equations").fit(X, y)
    np.testing.assert_allclose(normal.coef_, qr.coef_, rtol=1e-7, atol=1e-9)
    assert qr.log_likelihood_ >= normal.log_likelihood_ - 1e-9 * abs(qr.log_likelihood_)


def test_perfect_fit_has_zero_sigma_and_unbounded_likelihood():
    x = np.arange(10.0)
    reg = LinearRegressionMLE().fit(x, 1 + 2 * x)
    assert reg.intercept_ == pytest.approx(1.0) and reg.coef_[0] == pytest.approx(2.0)
    assert reg.sigma_ == pytest.approx(0.0, abs=1e-14)
    assert reg.log_likelihood_ > 0
