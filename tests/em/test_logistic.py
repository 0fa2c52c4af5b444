"""LogisticRegressionMLE: statsmodels oracle, separation, bad input."""

from __future__ import annotations

import time
import warnings

import numpy as np
import pytest
import statsmodels.api as sm

from em import ConvergenceWarning, LogisticRegressionMLE, SeparationWarning


def simulated(seed: int = 0, n: int = 400):
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.normal(50, 10, n), rng.normal(size=n), rng.normal(size=n)])
    eta = -5 + 0.1 * X[:, 0] + X[:, 1] - 0.5 * X[:, 2]
    return X, (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_matches_statsmodels_logit(fit_intercept):
    X, y = simulated()
    if not fit_intercept:
        X = X - X.mean(axis=0)
    design = sm.add_constant(X) if fit_intercept else X
    logit = sm.Logit(y, design).fit(disp=0, tol=1e-12, maxiter=100)
    clf = LogisticRegressionMLE(fit_intercept=fit_intercept).fit(X, y)
    params = np.r_[clf.intercept_, clf.coef_] if fit_intercept else clf.coef_
    se = np.r_[clf.intercept_stderr_, clf.coef_stderr_] if fit_intercept else clf.coef_stderr_
    np.testing.assert_allclose(params, logit.params, rtol=1e-8)
    np.testing.assert_allclose(se, logit.bse, rtol=1e-8)
    assert clf.log_likelihood_ == pytest.approx(logit.llf, rel=1e-10)
    np.testing.assert_allclose(clf.conf_int(), logit.conf_int(), rtol=1e-8)
    np.testing.assert_allclose(clf.predict_proba(X)[:, 1], logit.predict(design), rtol=1e-8)
    assert clf.converged_ and clf.separation_ == "none" and clf.n_iter_ < 15


def test_gradient_descent_reaches_the_newton_optimum():
    X, y = simulated()
    newton = LogisticRegressionMLE().fit(X, y)
    gd = LogisticRegressionMLE("gradient_descent", tol=1e-9).fit(X, y)
    assert gd.converged_
    np.testing.assert_allclose(gd.coef_, newton.coef_, rtol=1e-6)
    np.testing.assert_allclose(gd.coef_stderr_, newton.coef_stderr_, rtol=1e-6)
    assert gd.loss_history_[-1] == pytest.approx(-newton.log_likelihood_ / len(y), rel=1e-10)


def test_inference_table_and_prediction():
    X, y = simulated()
    clf = LogisticRegressionMLE().fit(X, y)
    assert clf.inference_.shapes == {"intercept": (), "coef": (3,)}
    assert {row.method for row in clf.inference_} == {"fisher-information"}
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.predict(X), (proba[:, 1] > 0.5).astype(int))
    assert 0.5 < clf.score(X, y) <= 1.0


@pytest.mark.parametrize("method", ["newton", "gradient_descent"])
@pytest.mark.parametrize(
    ("x", "y", "kind"),
    [
        (np.arange(10.0), (np.arange(10) > 4.5).astype(float), "complete"),
        (np.r_[np.arange(10.0), 4.0], np.r_[(np.arange(10) >= 4).astype(float), 0.0], "quasi"),
        (np.arange(6.0), np.zeros(6), "complete"),  # one class only: intercept -> -inf
    ],
)
def test_separation_warns_and_stays_finite(method, x, y, kind):
    start = time.perf_counter()
    with pytest.warns(SeparationWarning, match=f"{kind}.*separation"):
        clf = LogisticRegressionMLE(method, max_iter=2000).fit(x, y)
    assert time.perf_counter() - start < 5
    assert clf.separation_.startswith(kind)
    values = [clf.intercept_, *clf.coef_, clf.intercept_stderr_, *clf.coef_stderr_]
    assert np.isfinite(values).all()
    assert all(np.isfinite([r.lower, r.upper, r.se]).all() for r in clf.inference_)
    # The separated samples are classified correctly.
    sep = clf.separated_
    np.testing.assert_array_equal(clf.predict(x[:, None])[sep], y[sep])


def test_overlapping_classes_are_not_separated():
    x = np.arange(10.0)
    y = (x > 4.5).astype(float)
    y[[4, 5]] = y[[5, 4]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = LogisticRegressionMLE().fit(x, y)
    assert clf.separation_ == "none" and not clf.separated_.any()


def test_max_iter_warning():
    X, y = simulated()
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        LogisticRegressionMLE(max_iter=2).fit(X, y)


@pytest.mark.parametrize(
    ("X", "y", "kwargs", "match"),
    [
        (np.arange(6.0), [0, 1, 2, 0, 1, 0], {}, "y must contain only the labels 0 and 1"),
        (np.arange(6.0), [0, 1, -1, 0, 1, 0], {}, "y must contain only the labels 0 and 1"),
        (np.arange(6.0), [0, 1, np.nan, 0, 1, 0], {}, "y contains 1 non-finite"),
        (np.arange(6.0), [0, 1, 1], {}, "y has 3 entries but X has 6 rows"),
        (np.arange(4.0).reshape(2, 2), [0, 1], {}, "X has 2 rows but the model has 3 param"),
        (np.column_stack([np.arange(6.0), np.full(6, 2.0)]), [0, 1, 0, 1, 0, 1], {}, "constant"),
        (np.arange(6.0), [0, 1, 0, 1, 0, 1], {"method": "lbfgs"}, "method='lbfgs'"),
    ],
)
def test_bad_input_names_the_argument(X, y, kwargs, match):
    with pytest.raises(ValueError, match=match):
        LogisticRegressionMLE(**kwargs).fit(X, y)
