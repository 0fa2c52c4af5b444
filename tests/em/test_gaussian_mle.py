"""GaussianMLE: MLE vs unbiased (co)variance, standard errors and intervals."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from em import GaussianMLE


def test_mle_divides_by_n_and_unbiased_by_n_minus_one():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    g = GaussianMLE().fit(x)
    assert g.mean_.tolist() == [2.5]
    assert g.variance_[0] == pytest.approx(1.25)
    assert g.variance_unbiased_[0] == pytest.approx(5 / 3)
    assert g.log_likelihood_ == pytest.approx(stats.norm.logpdf(x, 2.5, np.sqrt(1.25)).sum())


def test_one_feature_table_has_scalar_mean_and_variance_with_exact_intervals():
    x = np.random.default_rng(0).normal(3.0, 2.0, 40)
    table = GaussianMLE().fit(x).inference(level=0.9)
    assert table.parameters == ["mean", "variance"]
    mean, variance = table["mean"], table["variance"]
    n, s2 = len(x), x.var(ddof=1)
    t_lo, t_hi = stats.t.interval(0.9, n - 1, loc=x.mean(), scale=np.sqrt(s2 / n))
    assert (mean.lower, mean.upper) == pytest.approx((t_lo, t_hi), rel=1e-12)
    assert mean.method == "exact-t"
    chi = stats.chi2.ppf([0.95, 0.05], n - 1)
    assert (variance.lower, variance.upper) == pytest.approx(tuple((n - 1) * s2 / chi), rel=1e-12)
    assert variance.se == pytest.approx(x.var() * np.sqrt(2 / n))
    assert variance.method == "exact-chi2"


def test_multivariate_matches_numpy_and_names_covariance():
    X = np.random.default_rng(1).multivariate_normal([0, 5, -1], np.diag([1, 2, 3]) + 0.5, 300)
    g = GaussianMLE().fit(X)
    np.testing.assert_allclose(g.mean_, X.mean(axis=0), rtol=1e-13)
    np.testing.assert_allclose(g.covariance_, np.cov(X.T, bias=True), rtol=1e-12)
    np.testing.assert_allclose(g.covariance_unbiased_, np.cov(X.T), rtol=1e-12)
    table = g.inference_
    assert table.shapes == {"mean": (3,), "covariance": (3, 3)}
    assert table["covariance[0, 1]"].method == "fisher-information"
    assert table["covariance[2, 2]"].method == "exact-chi2"
    se = table.array("covariance", "se")
    np.testing.assert_allclose(se, se.T)
    S = g.covariance_
    assert se[0, 1] == pytest.approx(np.sqrt((S[0, 1] ** 2 + S[0, 0] * S[1, 1]) / 300))


def test_inference_level_changes_width_only():
    g = GaussianMLE().fit(np.random.default_rng(2).normal(size=(50, 2)))
    narrow, wide = g.inference(level=0.5), g.inference(level=0.99)
    for a, b in zip(narrow, wide, strict=True):
        assert a.estimate == b.estimate and a.se == b.se
        assert b.lower < a.lower <= a.upper < b.upper


@pytest.mark.parametrize(
    ("X", "match"),
    [
        ([1.0], "at least 2"),
        ([1.0, np.nan, 2.0], "X contains 1 non-finite"),
        (np.ones((2, 2, 2)), "X must be 1-D"),
        ([], "X is empty"),
    ],
)
def test_bad_input_names_the_argument(X, match):
    with pytest.raises(ValueError, match=match):
        GaussianMLE().fit(X)


@settings(max_examples=30, deadline=None)
@given(
    shift=st.floats(-1e3, 1e3),
    scale=st.floats(0.1, 10.0),
    seed=st.integers(0, 2**16),
)
def test_affine_equivariance(shift, scale, seed):
    x = np.random.default_rng(seed).normal(size=30)
    base, moved = GaussianMLE().fit(x), GaussianMLE().fit(shift + scale * x)
    assert moved.mean_[0] == pytest.approx(
        shift + scale * base.mean_[0], abs=1e-9 * (1 + abs(shift))
    )
    assert moved.variance_[0] == pytest.approx(scale**2 * base.variance_[0], rel=1e-8)
    assert moved.inference_["mean"].se == pytest.approx(
        scale * base.inference_["mean"].se, rel=1e-8
    )
