"""bootstrap: every estimator, both kinds, label alignment, reproducibility, failures."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import numpy as np
import pytest

from em import (
    BaseEstimator,
    CategoricalMLE,
    ClassificationEM,
    GaussianMixtureEM,
    GaussianMLE,
    KMeans,
    LinearRegressionMLE,
    LogisticRegressionMLE,
    NotFittedError,
    bootstrap,
)
from em._resampling import BootstrapData, Resamplable
from tests.em.conftest import lecture_1d, lecture_2d


def test_gaussian_bootstrap_se_matches_the_analytic_one():
    x = np.random.default_rng(0).normal(5, 2, 200)
    g = GaussianMLE().fit(x)
    for kind in ("parametric", "nonparametric"):
        result = bootstrap(g, x, n_boot=400, kind=kind, random_state=0)
        assert result.table.parameters == ["mean", "variance"]
        assert result.draws["mean"].shape == (400,)
        assert result.n_failed == 0
        # Monte-Carlo sd of a bootstrap se from 400 draws is ~4 %; 20 % is generous.
        assert result.table["mean"].se == pytest.approx(g.inference_["mean"].se, rel=0.2)
        assert result.table["variance"].se == pytest.approx(g.inference_["variance"].se, rel=0.25)
        assert result.table["mean"].method == f"bootstrap-{kind}"
        row = result.table["mean"]
        assert row.lower < row.estimate < row.upper


def test_linear_bootstrap_se_matches_statsmodels_bse():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(150, 2))
    y = 1 + X @ [2.0, -1.0] + rng.normal(size=150)
    reg = LinearRegressionMLE().fit(X, y)
    for kind in ("parametric", "nonparametric"):
        result = bootstrap(reg, X, y, n_boot=300, kind=kind, random_state=1)
        assert result.draws["coef"].shape == (300, 2)
        np.testing.assert_allclose(result.table.array("coef", "se"), reg.coef_stderr_, rtol=0.25)


def test_logistic_and_categorical_bootstrap_run():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(200, 1))
    y = (rng.random(200) < 1 / (1 + np.exp(-X[:, 0]))).astype(float)
    clf = LogisticRegressionMLE().fit(X, y)
    result = bootstrap(clf, X, y, n_boot=100, kind="parametric", random_state=2)
    assert result.table["coef[0]"].se == pytest.approx(clf.coef_stderr_[0], rel=0.3)

    cat = CategoricalMLE().fit(counts=[1000, 90000, 6000, 3000])
    counts_only = bootstrap(cat, n_boot=200, random_state=0)
    np.testing.assert_allclose(
        counts_only.table.array("probabilities", "se"), cat.probabilities_stderr_, rtol=0.25
    )
    # A rare category missing from a resample keeps its place with probability 0.
    rare = CategoricalMLE().fit(np.r_[np.zeros(60), np.ones(39), 2])
    result = bootstrap(rare, np.r_[np.zeros(60), np.ones(39), 2], n_boot=100, random_state=0)
    assert result.draws["probabilities"].shape == (100, 3)
    assert (result.draws["probabilities"][:, 2] == 0).any()


@pytest.mark.parametrize("estimator", [GaussianMixtureEM, ClassificationEM])
def test_mixture_components_are_aligned_to_the_reference(estimator):
    X, _ = lecture_2d()
    fit = estimator(2, random_state=0).fit(X)
    result = bootstrap(fit, X, n_boot=40, kind="parametric", random_state=3)
    means = result.draws["means"]
    assert means.shape == (40, 2, 2)
    # Without alignment about half the draws would swap the two clusters. (A rare refit
    # can land in another local maximum, so not every draw need be close.)
    scale = X.std(axis=0)
    cost = np.sum(((means - fit.means_) / scale) ** 2, axis=(1, 2))
    swapped = np.sum(((means - fit.means_[::-1]) / scale) ** 2, axis=(1, 2))
    assert np.all(cost <= swapped)
    nearer = np.linalg.norm(means - fit.means_, axis=2) < np.linalg.norm(
        means - fit.means_[::-1], axis=2
    )
    assert np.all(nearer, axis=1).mean() >= 0.9
    assert result.draws["covariances"].shape == (40, 2, 2, 2)


def test_tied_covariances_are_not_permuted_and_kmeans_is_nonparametric_only():
    x, _ = lecture_1d()
    tied = GaussianMixtureEM(2, covariance_type="tied", random_state=0).fit(x)
    result = bootstrap(tied, x, n_boot=20, random_state=0)
    assert result.draws["covariances"].shape == (20, 1, 1)
    km = KMeans(2, random_state=0).fit(x[:, None])
    centers = bootstrap(km, x, n_boot=20, random_state=0).draws["cluster_centers"]
    assert np.all(np.abs(centers - km.cluster_centers_) < 3)
    with pytest.raises(ValueError, match="kind='parametric' needs a generative model"):
        bootstrap(km, x, kind="parametric")


def test_same_seed_same_draws():
    x, _ = lecture_1d()
    fit = GaussianMixtureEM(2, random_state=0).fit(x)
    a = bootstrap(fit, x, n_boot=10, random_state=7)
    b = bootstrap(fit, x, n_boot=10, random_state=7)
    np.testing.assert_array_equal(a.draws["means"], b.draws["means"])


def test_failed_refits_are_counted_not_summarised():
    # Resamples that miss the single x = 1 make the column constant: refused, and counted.
    x = np.array([0.0, 0, 0, 0, 0, 1, 0, 0])
    y = np.array([0.3, 0.1, 0.5, 0.2, 0.4, 2.0, 0.0, 0.6])
    reg = LinearRegressionMLE().fit(x, y)
    result = bootstrap(reg, x, y, n_boot=60, random_state=0)
    assert 0 < result.n_failed < 60
    assert result.draws["coef"].shape == (60 - result.n_failed, 1)
    assert np.isfinite(result.table.array("coef", "se")).all()


def test_warnings_of_refits_are_counted():
    x = np.array([0.0, 1, 2, 3, 4, 5, 6, 7])
    y = np.array([0.0, 0, 1, 0, 1, 0, 1, 1])
    result = bootstrap(LogisticRegressionMLE().fit(x, y), x, y, n_boot=40, random_state=0)
    assert result.warnings.get("SeparationWarning", 0) > 0


def test_bad_input():
    x = np.arange(10.0)
    with pytest.raises(NotFittedError):
        bootstrap(GaussianMLE(), x)
    with pytest.raises(ValueError, match="kind='jackknife'"):
        bootstrap(GaussianMLE().fit(x), x, kind="jackknife")
    with pytest.raises(ValueError, match="y is required"):
        bootstrap(LinearRegressionMLE().fit(x, x**2), x)
    with pytest.raises(ValueError, match="X is required"):
        bootstrap(GaussianMLE().fit(x))
    with pytest.raises(ValueError, match="n_boot must be an integer >= 2"):
        bootstrap(GaussianMLE().fit(x), x, n_boot=1)
    with pytest.raises(NotFittedError, match="not fitted"):
        bootstrap(GaussianMixtureEM(2), x)
    with pytest.raises(ValueError, match="bootstrap: dict is not supported; accepted: a fitted"):
        bootstrap({"mean": 1.0}, x)


# ---------------------------------------------------------------- the declared hook


class _ExponentialRate(BaseEstimator):
    """A minimal estimator outside em: the MLE of an exponential rate, 1 / mean."""

    def fit(self, X, y=None):
        self.rate_ = 1.0 / float(np.mean(X))
        return self

    def _bootstrap_data(self, X, y, kind):
        return BootstrapData(np.asarray(X, float))

    def _bootstrap_simulate(self, data, rng):
        return {"X": rng.exponential(1.0 / self.rate_, size=data.n_samples)}

    def _bootstrap_estimates(self):
        return {"rate": self.rate_}

    def _bootstrap_align(self, values, reference, data):
        return values


@pytest.mark.parametrize("kind", ["nonparametric", "parametric"])
def test_any_estimator_with_the_hook_is_bootstrapped(kind):
    x = np.random.default_rng(0).exponential(0.5, size=400)  # rate 2
    result = bootstrap(_ExponentialRate().fit(x), x, n_boot=200, kind=kind, random_state=0)
    # Asymptotic se of the rate MLE: rate / sqrt(n).
    assert result.table["rate"].se == pytest.approx(2 / np.sqrt(400), rel=0.25)
    assert result.draws["rate"].shape == (200,)


def test_every_estimator_declares_the_hook_and_bootstrap_imports_none():
    estimators = [
        GaussianMixtureEM(),
        ClassificationEM(),
        KMeans(),
        GaussianMLE(),
        CategoricalMLE(),
        LinearRegressionMLE(),
        LogisticRegressionMLE(),
    ]
    assert all(isinstance(est, Resamplable) for est in estimators)
    module = importlib.import_module("em.bootstrap")  # em.bootstrap is the function
    tree = ast.parse(Path(module.__file__).read_text())
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert not imported & {type(est).__name__ for est in estimators}
