"""Observed-information standard errors of the Gaussian-mixture MLE."""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import numpy as np
import pytest
from scipy import stats

from em import GaussianMixtureEM, SingularInformationWarning, bootstrap
from em.mixture.information import mixture_inference
from tests.em.conftest import lecture_1d


def tight(k: int, covariance_type: str = "full", **kwargs) -> GaussianMixtureEM:
    """Converged far beyond the default, so the fit is at the maximum to rounding."""
    return GaussianMixtureEM(
        k, covariance_type=covariance_type, tol=1e-13, max_iter=20_000, random_state=0, **kwargs
    )


def test_lecture_1d_standard_errors_agree_with_the_bootstrap():
    # 100 x N(0, 3^2) + 100 x N(10, 1), K = 2. Tolerance: bootstrap se ratios within 25 %;
    # the Monte-Carlo sd of a bootstrap se from 300 draws is ~4 %, the rest is the
    # difference between asymptotic and finite-sample spread at N = 200 (measured: 0.95-1.07).
    x, _ = lecture_1d()
    gm = GaussianMixtureEM(2, random_state=0).fit(x)
    table = gm.inference(x)
    boot = bootstrap(gm, x, n_boot=300, kind="parametric", random_state=1)
    assert boot.n_failed == 0
    for row in table:
        if row.name == "weights[1]":
            continue  # the same number as weights[0]
        assert row.method == "observed-information"
        assert row.se / boot.table[row.name].se == pytest.approx(1.0, abs=0.25), row.name


def test_lecture_1d_matches_a_brute_force_hessian_in_natural_parameters():
    x, _ = lecture_1d(seed=1, n_blue=30, n_red=30)
    gm = tight(2, reg_covar=0.0).fit(x)

    def log_likelihood(p):
        w0, m0, m1, v0, v1 = p
        return np.logaddexp(
            np.log(w0) + stats.norm.logpdf(x, m0, np.sqrt(v0)),
            np.log1p(-w0) + stats.norm.logpdf(x, m1, np.sqrt(v1)),
        ).sum()

    p0 = np.r_[gm.weights_[0], gm.means_[:, 0], gm.covariances_.ravel()]
    h = 1e-4 * np.maximum(np.abs(p0), 0.1)
    eye = np.diag(h)
    hessian = np.array(
        [
            [
                (
                    log_likelihood(p0 + eye[i] + eye[j])
                    - log_likelihood(p0 + eye[i] - eye[j])
                    - log_likelihood(p0 - eye[i] + eye[j])
                    + log_likelihood(p0 - eye[i] - eye[j])
                )
                / (4 * h[i] * h[j])
                for j in range(5)
            ]
            for i in range(5)
        ]
    )
    brute = np.sqrt(np.diag(np.linalg.inv(-hessian)))
    table = mixture_inference(gm, x)
    ours = np.r_[
        table.array("weights", "se")[0],
        table.array("means", "se").ravel(),
        table.array("covariances", "se").ravel(),
    ]
    np.testing.assert_allclose(ours, brute, rtol=1e-5)


def test_one_component_reduces_to_the_gaussian_fisher_information():
    X = np.random.default_rng(2).multivariate_normal([1, -1], [[2, 0.5], [0.5, 1]], 400)
    gm = tight(1, reg_covar=0.0).fit(X)
    table = mixture_inference(gm, X)
    S, n = gm.covariances_[0], len(X)
    np.testing.assert_allclose(table.array("means", "se")[0], np.sqrt(np.diag(S) / n), rtol=1e-7)
    expected = np.sqrt((S**2 + np.outer(np.diag(S), np.diag(S))) / n)
    np.testing.assert_allclose(table.array("covariances", "se")[0], expected, rtol=1e-6)
    assert table["weights[0]"].se == 0.0


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_every_covariance_type(covariance_type):
    rng = np.random.default_rng(3)
    X = np.vstack([rng.normal([0, 0], [1, 2], (150, 2)), rng.normal([6, 3], [1, 0.5], (100, 2))])
    gm = tight(2, covariance_type).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = mixture_inference(gm, X, level=0.9)
    assert table.shapes == {
        "weights": (2,),
        "means": (2, 2),
        "covariances": gm.covariances_.shape,
    }
    se = np.array([row.se for row in table])
    assert np.isfinite(se).all() and (se > 0).all()
    np.testing.assert_allclose(table.array("weights", "se")[0], table.array("weights", "se")[1])
    if covariance_type in ("full", "tied"):
        cov_se = table.array("covariances", "se")
        np.testing.assert_allclose(cov_se, np.swapaxes(cov_se, -1, -2), rtol=1e-6)
    assert all(row.level == 0.9 for row in table)


def test_duplicated_component_warns_and_gives_infinite_not_nan_errors():
    # Two identical components: only their total weight is identified.
    x, _ = lecture_1d()
    stand_in = SimpleNamespace(
        weights_=np.array([0.25, 0.25, 0.5]),
        means_=np.array([[0.0], [0.0], [10.0]]),
        covariances_=np.array([[[9.0]], [[9.0]], [[1.0]]]),
        covariance_type="full",
        n_components=3,
    )
    with pytest.warns(SingularInformationWarning, match="not identified"):
        table = mixture_inference(stand_in, x)
    se = np.array([row.se for row in table])
    assert not np.isnan(se).any()
    assert np.isinf(se).any()


def test_a_point_away_from_the_maximum_warns():
    x, _ = lecture_1d()
    gm = tight(2).fit(x)
    se = mixture_inference(gm, x).array("means", "se")
    moved = SimpleNamespace(
        weights_=gm.weights_,
        means_=gm.means_ + se,  # one standard error off
        covariances_=gm.covariances_,
        covariance_type="full",
        n_components=2,
    )
    with pytest.warns(SingularInformationWarning, match="standard errors .one Newton step"):
        mixture_inference(moved, x)


def test_bad_input():
    x, _ = lecture_1d()
    gm = GaussianMixtureEM(2, random_state=0).fit(x)
    with pytest.raises(ValueError, match="X has 2 features but the mixture has 1"):
        mixture_inference(gm, np.column_stack([x, x]))
    with pytest.raises(ValueError, match="X contains 1 non-finite"):
        mixture_inference(gm, np.r_[x, np.nan])
