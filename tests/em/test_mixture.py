"""GaussianMixtureEM: the lecture's numbers, the loop's contract, the fitted model's methods."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from em import (
    ClassificationEM,
    ConvergenceWarning,
    DegenerateComponentWarning,
    GaussianMixtureEM,
    KMeans,
    NotFittedError,
)

from .conftest import blobs, lecture_1d, sort_by_mean

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


def fit_quietly(model, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X)


# ---------------------------------------------------------------- the worked example


def test_worked_example_one_iteration_by_hand():
    """Five points, means (1, 2), variances (2, 2), equal weights: one E-step, one M-step."""
    x = [0.9, 0.7, 1.2, 2.4, 1.8]

    def pdf(v, mean, var):
        return math.exp(-((v - mean) ** 2) / (2 * var)) / math.sqrt(2 * math.pi * var)

    # E-step with the starting parameters: r_i1 = w1 N1 / (w1 N1 + w2 N2).
    joint1 = [0.5 * pdf(v, 1.0, 2.0) for v in x]
    joint2 = [0.5 * pdf(v, 2.0, 2.0) for v in x]
    r1 = [a / (a + b) for a, b in zip(joint1, joint2, strict=True)]
    r2 = [1 - r for r in r1]
    loglik_start = sum(math.log(a + b) for a, b in zip(joint1, joint2, strict=True))
    # M-step: weights = mean responsibility; mean and variance responsibility-weighted.
    n1, n2 = sum(r1), sum(r2)
    mu1 = sum(r * v for r, v in zip(r1, x, strict=True)) / n1
    mu2 = sum(r * v for r, v in zip(r2, x, strict=True)) / n2
    var1 = sum(r * (v - mu1) ** 2 for r, v in zip(r1, x, strict=True)) / n1
    var2 = sum(r * (v - mu2) ** 2 for r, v in zip(r2, x, strict=True)) / n2
    w1, w2 = n1 / 5, n2 / 5
    loglik_end = sum(math.log(w1 * pdf(v, mu1, var1) + w2 * pdf(v, mu2, var2)) for v in x)

    # Equal variances and weights: r_11 = 1 / (1 + exp(((0.9-1)^2 - (0.9-2)^2) / 4)).
    assert r1[0] == pytest.approx(1 / (1 + math.exp(-0.3)), rel=1e-15)
    assert (w1, w2) == pytest.approx((0.5124982, 0.4875018), abs=1e-7)

    gm = GaussianMixtureEM(
        2,
        weights_init=[0.5, 0.5],
        means_init=[1.0, 2.0],
        covariances_init=[2.0, 2.0],
        reg_covar=0.0,
        max_iter=1,
    )
    with pytest.warns(ConvergenceWarning, match="max_iter=1"):
        gm.fit(x)
    assert gm.n_iter_ == 1
    assert gm.stop_reason_ == "max_iter" and not gm.converged_
    np.testing.assert_allclose(gm.weights_, [w1, w2], rtol=1e-12)
    np.testing.assert_allclose(gm.means_.ravel(), [mu1, mu2], rtol=1e-12)
    np.testing.assert_allclose(gm.covariances_.ravel(), [var1, var2], rtol=1e-12)
    np.testing.assert_allclose(gm.log_likelihood_history_, [loglik_start], rtol=1e-12)
    assert gm.log_likelihood_ == pytest.approx(loglik_end, rel=1e-12)
    assert gm.log_likelihood_ > loglik_start


def test_predict_proba_at_start_is_bayes_rule():
    """With max_iter=0 the model is the start, so predict_proba is the first E-step."""
    x = np.array([0.9, 0.7, 1.2, 2.4, 1.8])
    gm = GaussianMixtureEM(
        2, weights_init=[0.5, 0.5], means_init=[1, 2], covariances_init=[2, 2], max_iter=0
    ).fit(x)
    # Equal variances and weights: P(C1 | x) = 1 / (1 + exp(((x-1)^2 - (x-2)^2) / (2*2))).
    expected = 1 / (1 + np.exp(((x - 1) ** 2 - (x - 2) ** 2) / 4))
    np.testing.assert_allclose(gm.predict_proba(x)[:, 0], expected, rtol=1e-12)
    assert gm.n_iter_ == 0 and gm.log_likelihood_history_.shape == (0,)
    np.testing.assert_array_equal(gm.means_.ravel(), [1, 2])


def test_lecture_small_example_two_pairs():
    """gmm1's small example: x = 1, 1.1, 10, 10.1 splits into two pairs with pi = 1/2."""
    x = np.array([1.0, 1.1, 10.0, 10.1])
    gm = GaussianMixtureEM(2, init="random_from_data", n_init=3, random_state=0).fit(x)
    means, weights = sort_by_mean(gm.means_, gm.weights_)
    np.testing.assert_allclose(means.ravel(), [1.05, 10.05], atol=1e-6)
    np.testing.assert_allclose(weights, [0.5, 0.5], atol=1e-6)


# ---------------------------------------------------------------- lecture cases


@pytest.mark.parametrize("init", ["k-means++", "kmeans", "random", "random_from_data"])
def test_lecture_1d_recovers_truth(init):
    x, _ = lecture_1d(seed=1, n_blue=300, n_red=300)
    gm = GaussianMixtureEM(2, init=init, n_init=2, random_state=0).fit(x)
    means, sds, weights = sort_by_mean(gm.means_, np.sqrt(gm.covariances_.ravel()), gm.weights_)
    np.testing.assert_allclose(means.ravel(), [0, 10], atol=0.4)
    np.testing.assert_allclose(sds, [3, 1], atol=0.4)  # sd of a sample sd: 3/sqrt(600)
    np.testing.assert_allclose(weights, [0.5, 0.5], atol=0.05)
    assert gm.converged_ and gm.stop_reason_ == "converged"


@pytest.mark.parametrize("estimator", [GaussianMixtureEM, ClassificationEM])
def test_old_kmeanspp_spelling_warns_and_fits_the_same(estimator):
    x, _ = lecture_1d(seed=1)
    new = estimator(2, init="k-means++", random_state=0).fit(x)
    with pytest.warns(FutureWarning, match=r"init='kmeans\+\+' is deprecated.*init='k-means\+\+'"):
        old = estimator(2, init="kmeans++", random_state=0).fit(x)
    assert old.init == "kmeans++"  # the hyper-parameter is stored as given
    np.testing.assert_array_equal(old.means_, new.means_)
    np.testing.assert_array_equal(old.covariances_, new.covariances_)
    assert GaussianMixtureEM().init == KMeans().init == "k-means++"


@pytest.mark.parametrize("seed", range(3))
def test_lecture_overlapping_case_is_robust(seed):
    """Blue N(1, 1), red N(3, 1) from means 3 and 5 ("very robust"): soft EM gets there."""
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.normal(1, 1, 100), rng.normal(3, 1, 100)])
    gm = GaussianMixtureEM(
        2, weights_init=[0.5, 0.5], means_init=[3.0, 5.0], covariances_init=[1.0, 1.0]
    ).fit(x)
    assert gm.converged_
    np.testing.assert_allclose(gm.means_.ravel(), [1, 3], atol=0.6)
    np.testing.assert_allclose(np.sqrt(gm.covariances_.ravel()), [1, 1], atol=0.3)


def test_lecture_2d_soft_em_recovers_truth():
    rng = np.random.default_rng(3)
    X = np.vstack([rng.normal([50, 50], 10, (400, 2)), rng.normal([70, 60], 5, (200, 2))])
    gm = GaussianMixtureEM(2, n_init=3, random_state=0).fit(X)
    means, covs, weights = sort_by_mean(gm.means_, gm.covariances_, gm.weights_)
    np.testing.assert_allclose(means, [[50, 50], [70, 60]], atol=2.5)
    np.testing.assert_allclose(
        np.sqrt(np.diagonal(covs, axis1=1, axis2=2)), [[10, 10], [5, 5]], atol=1.5
    )
    np.testing.assert_allclose(weights, [2 / 3, 1 / 3], atol=0.07)


# ---------------------------------------------------------------- the loop's contract


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_history_non_decreasing_and_final_loglik(covariance_type):
    X = blobs(0, 200, 2, 3)
    gm = GaussianMixtureEM(3, covariance_type=covariance_type, random_state=0).fit(X)
    history = gm.log_likelihood_history_
    assert history.shape == (gm.n_iter_,)
    assert np.all(np.diff(history) >= -1e-9 * np.abs(history[1:]))
    assert gm.log_likelihood_ >= history[-1] - 1e-9 * abs(history[-1])
    assert gm.log_likelihood_ == pytest.approx(gm.score(X) * X.shape[0], rel=1e-12)


def test_tol_is_on_mean_per_sample_loglik():
    X = blobs(1, 300, 2, 3)
    gm = GaussianMixtureEM(3, tol=1e-3, random_state=0).fit(X)
    steps = np.diff(gm.log_likelihood_history_) / X.shape[0]
    assert abs(steps[-1]) < 1e-3
    assert np.all(np.abs(steps[:-1]) >= 1e-3)
    tight = GaussianMixtureEM(3, random_state=0).fit(X)  # default tol=1e-6
    assert tight.n_iter_ >= gm.n_iter_
    assert tight.log_likelihood_ >= gm.log_likelihood_ - 1e-9


def test_max_iter_warns_and_records_reason():
    X = blobs(2, 200, 2, 3)
    with pytest.warns(ConvergenceWarning, match="GaussianMixtureEM stopped at max_iter=2"):
        gm = GaussianMixtureEM(3, max_iter=2, tol=0.0, random_state=0).fit(X)
    assert gm.n_iter_ == 2 and gm.stop_reason_ == "max_iter" and not gm.converged_


def test_n_init_keeps_best_start():
    X = blobs(4, 150, 2, 4, spread=2.5)
    gm = GaussianMixtureEM(4, n_init=4, init="random", random_state=0).fit(X)
    assert gm.init_log_likelihoods_.shape == (4,)
    assert gm.log_likelihood_ == gm.init_log_likelihoods_.max()


def test_given_means_start_partition_fills_other_parts():
    x, _ = lecture_1d()
    gm = GaussianMixtureEM(2, means_init=[[3.0], [5.0]], max_iter=0).fit(x)
    np.testing.assert_array_equal(gm.means_, [[3.0], [5.0]])
    left = x[np.abs(x - 3) <= np.abs(x - 5)]
    assert gm.weights_[0] == pytest.approx(left.size / x.size)
    assert gm.covariances_[0, 0, 0] == pytest.approx(left.var() + 1e-6, rel=1e-10)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("init", ["k-means++", "kmeans", "random", "random_from_data"])
def test_every_init_and_type_runs_and_is_reproducible(covariance_type, init):
    X = blobs(5, 120, 3, 3)
    kwargs = dict(covariance_type=covariance_type, init=init, random_state=7)
    a = GaussianMixtureEM(3, **kwargs).fit(X)
    b = GaussianMixtureEM(3, **kwargs).fit(X)
    for name in ("weights_", "means_", "covariances_", "log_likelihood_history_"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
        assert np.all(np.isfinite(getattr(a, name)))
    shape = {"full": (3, 3, 3), "tied": (3, 3), "diag": (3, 3), "spherical": (3,)}
    assert a.covariances_.shape == shape[covariance_type]
    assert a.precisions_cholesky_.shape == shape[covariance_type]


def test_generator_random_state_draws_fresh_numbers():
    X = blobs(6, 100, 2, 3)
    rng = np.random.default_rng(0)
    gm = GaussianMixtureEM(3, init="random", max_iter=0, random_state=rng)
    first = gm.fit(X).means_.copy()
    second = gm.fit(X).means_
    assert not np.array_equal(first, second)


# ---------------------------------------------------------------- collapse handling


def test_collapsed_component_is_reseeded_with_warning():
    """A start far from every sample owns nothing: re-seeded, named, and no NaN."""
    x, _ = lecture_1d()
    gm = GaussianMixtureEM(
        2,
        weights_init=[0.5, 0.5],
        means_init=[5.0, 1e4],
        covariances_init=[20.0, 1e-2],
        max_iter=200,
    )
    with pytest.warns(DegenerateComponentWarning, match=r"component 1 collapsed .*re-seeded"):
        gm.fit(x)
    assert np.all(np.isfinite(gm.means_)) and np.all(np.isfinite(gm.covariances_))
    assert np.all(gm.weights_ > 0.1)  # both components are back in use
    assert gm.converged_


def test_singular_covariance_without_reg_is_reseeded():
    """reg_covar=0 and a component on one repeated point: singular, so re-seeded."""
    x = np.concatenate([np.full(5, 2.0), np.linspace(-10, -4, 40)])
    gm = GaussianMixtureEM(
        2,
        weights_init=[0.5, 0.5],
        means_init=[2.0, 0.0],
        covariances_init=[1e-3, 4.0],
        reg_covar=0.0,
        max_iter=50,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gm.fit(x)
    messages = [str(w.message) for w in caught if w.category is DegenerateComponentWarning]
    assert any(
        "component 0 collapsed (its covariance is not positive definite" in m for m in messages
    )
    assert np.all(np.isfinite(gm.covariances_)) and np.all(gm.covariances_ > 0)


def test_all_points_equal_needs_reg_covar():
    x = np.full(10, 3.0)
    gm = GaussianMixtureEM(1).fit(x)  # the default reg_covar keeps it well defined
    assert gm.covariances_[0, 0, 0] == pytest.approx(1e-6)
    with pytest.raises(ValueError, match=r"X has a singular covariance.*reg_covar"):
        GaussianMixtureEM(1, reg_covar=0.0).fit(x)


# ---------------------------------------------------------------- the fitted model


def test_methods_shapes_and_identities():
    X = blobs(8, 150, 2, 3)
    gm = GaussianMixtureEM(3, random_state=0).fit(X)
    proba = gm.predict_proba(X)
    assert proba.shape == (150, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(gm.predict(X), proba.argmax(axis=1))
    assert gm.score_samples(X).shape == (150,)
    n, p = X.shape[0], gm.n_parameters()
    assert p == 3 * 2 + 3 * 3 + 2  # means + full covariances (3 each) + free weights
    assert gm._n_parameters() == p
    assert gm.bic(X) == pytest.approx(-2 * gm.score(X) * n + p * np.log(n))
    assert gm.aic(X) == pytest.approx(-2 * gm.score(X) * n + 2 * p)
    assert gm.n_features_in_ == 2


def test_sample_matches_the_model():
    x, _ = lecture_1d(n_blue=500, n_red=500)
    gm = GaussianMixtureEM(2, random_state=0).fit(x)
    draws, labels = gm.sample(20_000)
    assert draws.shape == (20_000, 1) and labels.shape == (20_000,)
    for k in range(2):
        assert np.mean(labels == k) == pytest.approx(gm.weights_[k], abs=0.02)
        assert draws[labels == k].mean() == pytest.approx(gm.means_[k, 0], abs=0.1)
        assert draws[labels == k].var() == pytest.approx(gm.covariances_[k, 0, 0], rel=0.05)
    again, _ = gm.sample(20_000)
    np.testing.assert_array_equal(draws, again)  # an int seed: the same sample every call


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_sample_covariance_every_type(covariance_type):
    X = blobs(9, 400, 2, 2, spread=8)
    gm = GaussianMixtureEM(2, covariance_type=covariance_type, random_state=0).fit(X)
    draws, labels = gm.sample(4000)
    assert draws.shape == (4000, 2)
    assert np.bincount(labels, minlength=2).sum() == 4000


def test_one_dimensional_input_is_one_feature():
    x, _ = lecture_1d()
    a = GaussianMixtureEM(2, random_state=0).fit(x)
    b = GaussianMixtureEM(2, random_state=0).fit(x[:, None])
    np.testing.assert_array_equal(a.means_, b.means_)
    np.testing.assert_array_equal(a.predict(x), b.predict(x[:, None]))


def test_not_fitted_and_wrong_features():
    gm = GaussianMixtureEM(2)
    with pytest.raises(NotFittedError, match="not fitted"):
        gm.predict([[0.0]])
    with pytest.raises(NotFittedError):
        gm.sample(3)
    gm.fit(blobs(0, 50, 2, 2))
    with pytest.raises(
        ValueError, match="X has 3 features but GaussianMixtureEM was fitted with 2"
    ):
        gm.score_samples(np.zeros((4, 3)))


def test_hyper_parameters_stored_unchanged_and_validated_in_fit():
    means = np.array([[1.0], [2.0]])
    gm = GaussianMixtureEM(2, means_init=means, covariance_type="bogus")  # no error yet
    assert gm.means_init is means and gm.covariance_type == "bogus"
    with pytest.raises(ValueError, match="covariance_type"):
        gm.fit([1.0, 2.0, 3.0])
    assert gm.get_params()["n_components"] == 2
    assert "GaussianMixtureEM(" in repr(gm)


def test_inference_delegates_to_mixture_inference():
    gm = GaussianMixtureEM(1)
    with pytest.raises(NotFittedError):
        gm.inference([1.0, 2.0])


def test_inference_has_every_estimators_signature_and_needs_X():
    x, _ = lecture_1d()
    gm = GaussianMixtureEM(2, random_state=0).fit(x)
    positional = gm.inference(x, level=0.9)
    keyword = gm.inference(X=x, y=None, level=0.9)
    assert positional.to_records() == keyword.to_records()
    with pytest.raises(ValueError, match=r"inference needs X, .*got X=None"):
        gm.inference()
    with pytest.raises(TypeError):
        gm.inference(x, None, 0.9)  # level is keyword-only, as for the other estimators


def test_every_inference_takes_the_same_arguments():
    import inspect

    import em

    names = ["GaussianMixtureEM", "GaussianMLE", "CategoricalMLE"]
    names += ["LinearRegressionMLE", "LogisticRegressionMLE"]
    signatures = {
        name: [
            (p.name, p.kind, p.default)
            for p in inspect.signature(getattr(em, name).inference).parameters.values()
        ]
        for name in names
    }
    expected = [
        ("self", inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.empty),
        ("X", inspect.Parameter.POSITIONAL_OR_KEYWORD, None),
        ("y", inspect.Parameter.POSITIONAL_OR_KEYWORD, None),
        ("level", inspect.Parameter.KEYWORD_ONLY, 0.95),
    ]
    assert signatures == dict.fromkeys(names, expected)
