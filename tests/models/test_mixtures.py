"""Mixture models on the lecture data: recovery of the truth, convergence, responsibilities."""

import numpy as np
import pytest

import models


def _assert_close(actual, expected, tolerance):
    """Elementwise ``|actual - expected| <= tolerance`` (one tolerance per element)."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert (np.abs(actual - expected) <= np.asarray(tolerance)).all(), (actual, expected)


def _means(idata, name):
    return idata.posterior[name].mean(("chain", "draw")).values


def test_1d_model_structure(mixture_1d):
    assert {v.name for v in mixture_1d.free_RVs} == {"w", "mu", "sigma"}
    assert mixture_1d.named_vars_to_dims["mu"] == ("component",)
    assert list(mixture_1d.coords) == ["component", "obs_id"]
    assert models.data_names(mixture_1d) == ["x"]


def test_1d_lecture_case_recovers_truth(fit_1d):
    # Truth: w = (0.5, 0.5), mu = (0, 10), sigma = (3, 1), 100 points each. Tolerances are
    # about three standard errors of the per-component MLE at this n: sd / sqrt(100) for a
    # mean, sd / sqrt(200) for an sd, sqrt(0.25 / 200) for a weight.
    np.testing.assert_allclose(_means(fit_1d, "w"), [0.5, 0.5], atol=0.11)
    _assert_close(_means(fit_1d, "mu"), [0.0, 10.0], [0.9, 0.3])
    _assert_close(_means(fit_1d, "sigma"), [3.0, 1.0], [0.65, 0.22])


def test_1d_lecture_case_converges(fit_1d):
    report = models.diagnostics(fit_1d)
    assert report.max_rhat <= 1.01
    assert report.divergences == 0
    assert report.ok, report.reasons


def test_1d_means_are_ordered_in_every_draw(fit_1d):
    mu = fit_1d.posterior["mu"].values
    assert (np.diff(mu, axis=-1) > 0).all()


def test_2d_lecture_case_k2_converges(fit_2d_diag):
    report = models.diagnostics(fit_2d_diag)
    assert report.ok, report.reasons
    # Components ordered by the first coordinate: blue (50, 50) then red (70, 60).
    np.testing.assert_allclose(_means(fit_2d_diag, "mu"), [[50, 50], [70, 60]], atol=4.0)
    np.testing.assert_allclose(_means(fit_2d_diag, "w"), [2 / 3, 1 / 3], atol=0.12)
    cov = fit_2d_diag.posterior["cov"]
    assert cov.dims[2:] == ("component", "feature", "feature_bis")
    assert (cov.sel(feature="x0", feature_bis="x1") == 0).all()


@pytest.mark.slow
def test_2d_full_covariance_converges(lecture_2d):
    # Full covariances mix slowly here (bulk ESS ~ 12% of draws), hence the longer chains.
    model = models.mv_normal_mixture(lecture_2d, 2, covariance="full")
    idata = models.sample(model, draws=3000, tune=1000, chains=4, random_seed=3)
    report = models.diagnostics(idata)
    assert report.ok, report.reasons
    np.testing.assert_allclose(_means(idata, "mu"), [[50, 50], [70, 60]], atol=4.0)
    assert idata.posterior["cov"].dims[2:] == ("component", "feature", "feature_bis")


def test_1d_responsibilities(fit_1d, lecture_1d):
    mean, sd = models.posterior_responsibilities(fit_1d, lecture_1d)
    assert mean.shape == sd.shape == (200, 2)
    np.testing.assert_allclose(mean.sum(axis=1), 1.0)
    assert ((sd >= 0) & (sd <= 0.5)).all()
    # Points far into either cluster are assigned with certainty, to the right component.
    assert mean[lecture_1d < -4, 0].min() > 0.99
    assert mean[lecture_1d > 9, 1].min() > 0.99


def test_2d_responsibilities_match_a_direct_computation(fit_2d_diag, lecture_2d):
    from scipy.stats import multivariate_normal

    mean, sd = models.posterior_responsibilities(fit_2d_diag, lecture_2d)
    assert mean.shape == sd.shape == (150, 2)
    post = fit_2d_diag.posterior.isel(chain=[0], draw=slice(0, 5))
    direct = []
    for i in range(5):
        w, mu, cov = (post[v].isel(chain=0, draw=i).values for v in ("w", "mu", "cov"))
        dens = np.column_stack(
            [w[k] * multivariate_normal(mu[k], cov[k]).pdf(lecture_2d) for k in range(2)]
        )
        direct.append(dens / dens.sum(axis=1, keepdims=True))
    sub = fit_2d_diag.copy()
    sub["posterior"] = post
    sub_mean, _ = models.posterior_responsibilities(sub, lecture_2d)
    np.testing.assert_allclose(sub_mean, np.mean(direct, axis=0), rtol=1e-8, atol=1e-12)
    # Most blue points belong to component 0, most red points to component 1.
    assert (mean[:100, 0] > 0.5).mean() > 0.8
    assert (mean[100:, 1] > 0.5).mean() > 0.8


def test_responsibilities_refuse_other_posteriors(fit_1d, lecture_2d):
    with pytest.raises(ValueError, match="X"):
        models.posterior_responsibilities(fit_1d, lecture_2d)
    with pytest.raises(ValueError, match="posterior"):
        models.posterior_responsibilities(fit_1d.copy().drop_nodes("posterior"), [1.0])


def test_single_component_needs_no_ordering(lecture_1d):
    model = models.normal_mixture(lecture_1d, 1)
    assert model.rvs_to_transforms[model["mu"]] is None


def test_mv_priors_ordered_by_first_feature(lecture_2d):
    model = models.mv_normal_mixture(lecture_2d, 3, covariance="diag")
    start = model.initial_point()
    # Transformed first column: first mean, then log-gaps (finite means strictly ordered).
    assert np.isfinite(start["mu_orderedfirst__"]).all()


@pytest.mark.parametrize("prior", ["weak", "conjugate"])
def test_ordering_flag_sets_the_means_transform(lecture_1d, lecture_2d, prior):
    from pymc.distributions.transforms import ordered

    from models._transforms import OrderedFirstColumn

    default = models.normal_mixture(lecture_1d, 2, prior=prior)
    free = models.normal_mixture(lecture_1d, 2, prior=prior, ordering="none")
    assert default.rvs_to_transforms[default["mu"]] is ordered
    assert free.rvs_to_transforms[free["mu"]] is None
    assert "mu" in free.initial_point()  # sampled as is, no "mu_ordered__"
    mv_default = models.mv_normal_mixture(lecture_2d, 2, covariance="diag", prior=prior)
    mv_free = models.mv_normal_mixture(
        lecture_2d, 2, covariance="diag", prior=prior, ordering="none"
    )
    assert isinstance(mv_default.rvs_to_transforms[mv_default["mu"]], OrderedFirstColumn)
    assert mv_free.rvs_to_transforms[mv_free["mu"]] is None


def test_ordering_none_accepts_unordered_prior_means(lecture_1d):
    with pytest.raises(ValueError, match="strictly increasing"):
        models.normal_mixture(lecture_1d, 2, mu_prior=([10.0, 0.0], 2.0))
    model = models.normal_mixture(lecture_1d, 2, mu_prior=([10.0, 0.0], 2.0), ordering="none")
    np.testing.assert_array_equal(model["mu"].owner.inputs[-2].eval(), [10.0, 0.0])
    with pytest.raises(ValueError, match="ordering='sorted' is not supported"):
        models.normal_mixture(lecture_1d, 2, ordering="sorted")


@pytest.mark.filterwarnings("ignore::models.SamplingWarning")
def test_unordered_model_samples(lecture_1d):
    model = models.normal_mixture(lecture_1d, 2, ordering="none")
    idata = models.sample(model, draws=300, tune=300, chains=2, random_seed=4)
    mu = idata.posterior["mu"].values
    assert mu.shape == (2, 300, 2) and np.isfinite(mu).all()
    assert idata.log_likelihood["x_obs"].shape == (2, 300, 200)
    # Each chain finds the two clusters, under whichever labels it picked.
    np.testing.assert_allclose(np.sort(mu.mean(axis=1), axis=-1), [[0.0, 10.0]] * 2, atol=1.0)
