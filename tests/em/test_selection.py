"""em.selection: ICL, bootstrap LRT, cross-validated likelihood and select_k against a known K."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from em import (
    GaussianMixtureEM,
    KSelection,
    bootstrap_lrt,
    cross_validated_log_likelihood,
    icl,
    select_k,
)

CENTERS = np.array([[0.0, 0.0], [8.0, 0.0], [0.0, 8.0]])


def _data(k_true, n=400, seed=2):
    """Well-separated isotropic clusters (8 standard deviations apart)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(k_true, size=n)
    return CENTERS[:k_true][labels] + rng.normal(size=(n, 2))


# ----------------------------------------------------------------------------- choice of K


@pytest.mark.parametrize("k_true", [1, 2, 3])
def test_every_criterion_but_the_lrt_finds_k(k_true):
    result = select_k(
        _data(k_true), range(1, 5), criteria=("bic", "aic", "icl", "cv"), random_state=2
    )
    assert isinstance(result, KSelection)
    assert result.chosen == dict.fromkeys(("bic", "aic", "icl", "cv"), k_true)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("k_true", [1, 2, 3])
def test_bic_and_icl_find_k_on_every_seed(k_true, seed):
    # AIC and CV are not consistent: on these data they choose too many components for
    # about one seed in four (full covariances); BIC and ICL must not.
    X = _data(k_true, seed=seed)
    result = select_k(X, range(1, 5), criteria=("bic", "icl"), random_state=seed)
    assert result.chosen == {"bic": k_true, "icl": k_true}


def test_select_k_with_every_criterion():
    result = select_k(_data(2), [3, 1, 2], n_replicates=19, random_state=2)
    assert result.ks == (1, 2, 3)
    assert result.chosen == dict.fromkeys(("bic", "aic", "icl", "cv", "lrt"), 2)
    # 1 vs 2 rejected at the smallest attainable p-value, 2 vs 3 not; 3 is not tested.
    assert result.values["lrt"][0] == pytest.approx(1 / 20)
    assert result.values["lrt"][1] > 0.05
    assert np.isnan(result.values["lrt"][2])
    rows = result.rows()
    assert [row["k"] for row in rows] == [1, 2, 3]
    assert rows[1]["n_parameters"] == 11  # 1 weight, 2 x 2 means, 2 x 3 covariance entries
    assert rows[0]["bic"] == pytest.approx(-2 * rows[0]["log_likelihood"] + 5 * np.log(400))
    assert set(rows[0]) >= {"cv", "cv_se", "lrt", "icl", "aic"}
    as_dict = result.to_dict()
    assert as_dict["rows"][2]["lrt"] is None and as_dict["chosen"]["lrt"] == 2


@pytest.mark.slow
@pytest.mark.parametrize("k_true", [1, 2, 3])
def test_every_criterion_finds_k(k_true):
    result = select_k(_data(k_true), range(1, 5), n_replicates=19, random_state=2)
    assert result.chosen == dict.fromkeys(("bic", "aic", "icl", "cv", "lrt"), k_true)


# ----------------------------------------------------------------------------- bootstrap LRT


@pytest.mark.parametrize("k_true", [2, pytest.param(3, marks=pytest.mark.slow)])
def test_lrt_rejects_too_few_and_keeps_enough_components(k_true):
    X = _data(k_true)
    too_few = bootstrap_lrt(X, k_true - 1, n_replicates=19, random_state=1)
    enough = bootstrap_lrt(X, k_true, n_replicates=19, random_state=1)
    assert too_few.p_value == pytest.approx(1 / 20)
    assert too_few.statistic > 10 * too_few.replicate_statistics.max()
    assert enough.p_value > 0.2
    for result in (too_few, enough):
        assert result.n_replicates == 19
        assert (result.replicate_statistics >= 0).all()
        log_l, log_l1 = result.log_likelihoods
        assert log_l1 >= log_l
        assert result.statistic == pytest.approx(2 * (log_l1 - log_l))


@pytest.mark.slow
def test_lrt_p_values_are_roughly_uniform_under_the_null():
    p = np.array(
        [
            bootstrap_lrt(_data(1, n=100, seed=100 + s), 1, n_replicates=19, random_state=s).p_value
            for s in range(20)
        ]
    )
    assert 0.3 < p.mean() < 0.75  # uniform on {0.05, ..., 1}: mean 0.525
    assert np.mean(p <= 0.05) <= 0.2


def test_lrt_splits_a_component_when_the_plain_k_plus_1_fit_is_stuck():
    # One random start: on these data (seed 10) the plain 3-component fit ends in a worse
    # optimum than the 2-component fit, which would give a negative statistic.
    from em.mixture.selection import _rng, _root

    X = _data(3, n=200, seed=10)
    template = GaussianMixtureEM(n_init=1, init="random")
    root = _root(10)
    plain = GaussianMixtureEM(3, init="random", random_state=_rng(root, 0, 3)).fit(X)
    result = bootstrap_lrt(X, 2, n_replicates=2, estimator=template, random_state=10)
    log_l, log_l1 = result.log_likelihoods
    assert plain.score(X) * len(X) < log_l
    # A split of one of the 2 components finds the third cluster.
    assert log_l1 > log_l + 50
    assert result.statistic > 100


def test_lrt_replicate_i_does_not_depend_on_n_replicates():
    X = _data(1, n=60)
    five = bootstrap_lrt(X, 1, n_replicates=5, random_state=3)
    eight = bootstrap_lrt(X, 1, n_replicates=8, random_state=3)
    np.testing.assert_array_equal(eight.replicate_statistics[:5], five.replicate_statistics)
    assert eight.statistic == five.statistic
    again = bootstrap_lrt(X, 1, n_replicates=5, random_state=3)
    np.testing.assert_array_equal(again.replicate_statistics, five.replicate_statistics)
    other = bootstrap_lrt(X, 1, n_replicates=5, random_state=4)
    assert not np.array_equal(other.replicate_statistics, five.replicate_statistics)


def test_lrt_uses_the_template():
    X = _data(2, n=100)
    template = GaussianMixtureEM(covariance_type="spherical", n_init=2)
    result = bootstrap_lrt(X, 1, n_replicates=3, estimator=template, random_state=0)
    fit = GaussianMixtureEM(1, covariance_type="spherical").fit(X)
    assert result.log_likelihoods[0] == pytest.approx(fit.score(X) * len(X))
    assert template.n_components == 1 and template.random_state is None  # left untouched


def test_select_k_reports_what_the_single_functions_return():
    X = _data(2, n=120)
    result = select_k(X, [1, 2], criteria=("cv", "lrt"), n_replicates=4, random_state=5)
    lrt = bootstrap_lrt(X, 1, n_replicates=4, random_state=5)
    cv = cross_validated_log_likelihood(X, 2, random_state=5)
    assert result.values["lrt"][0] == lrt.p_value
    assert result.values["cv"][1] == cv.mean
    assert result.standard_errors["cv"][1] == cv.standard_error


# ----------------------------------------------------------------------------- ICL


def test_icl_is_bic_plus_twice_the_entropy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 2)) + [[2.0, 0.0]] * rng.integers(2, size=(150, 1))  # overlap
    fit = GaussianMixtureEM(2, random_state=0).fit(X)
    z = fit.predict_proba(X)
    entropy = -np.sum(z * np.log(z))
    assert entropy > 1.0
    assert icl(fit, X) == pytest.approx(fit.bic(X) + 2 * entropy)
    map_entropy = -np.sum(np.log(z.max(axis=1)))
    assert icl(fit, X, classification="map") == pytest.approx(fit.bic(X) + 2 * map_entropy)
    assert fit.bic(X) < icl(fit, X, classification="map") < icl(fit, X)


def test_icl_equals_bic_for_hard_assignments():
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(0, 1, 50), rng.normal(1000, 1, 50)])
    fit = GaussianMixtureEM(2, random_state=0).fit(X)
    assert set(np.unique(fit.predict_proba(X))) == {0.0, 1.0}
    assert icl(fit, X) == fit.bic(X)
    one = GaussianMixtureEM(1).fit(X)
    assert icl(one, X) == one.bic(X)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), k=st.integers(1, 4), spread=st.floats(0.5, 10.0))
def test_icl_is_never_below_bic(seed, k, spread):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(60, 2)) + spread * rng.integers(3, size=(60, 1))
    fit = GaussianMixtureEM(k, random_state=seed % 1000).fit(X)
    assert icl(fit, X) >= fit.bic(X)
    assert icl(fit, X, classification="map") >= fit.bic(X)


# ----------------------------------------------------------------------------- cross-validation


def test_cross_validation_scores_held_out_folds():
    X = _data(2, n=103)
    result = cross_validated_log_likelihood(X, 2, n_folds=4, random_state=0)
    assert result.fold_scores.shape == (4,)
    assert result.mean == pytest.approx(result.fold_scores.mean())
    assert result.standard_error == pytest.approx(result.fold_scores.std(ddof=1) / 2)
    # Held out, the likelihood is below the in-sample one of a fit to all the data.
    assert result.mean < GaussianMixtureEM(2, random_state=0).fit(X).score(X)
    same = cross_validated_log_likelihood(X, 2, n_folds=4, random_state=0)
    np.testing.assert_array_equal(same.fold_scores, result.fold_scores)
    loo = cross_validated_log_likelihood(X[:12], 1, n_folds=12, random_state=0)
    assert loo.fold_scores.shape == (12,)


# ----------------------------------------------------------------------------- bad input


def test_bad_arguments_are_refused_by_name():
    X = _data(2, n=30)
    with pytest.raises(ValueError, match="k must be an integer >= 1"):
        bootstrap_lrt(X, 0)
    with pytest.raises(ValueError, match="k must be an integer >= 1"):
        cross_validated_log_likelihood(X, 0)
    with pytest.raises(ValueError, match="n_replicates must be an integer >= 1"):
        bootstrap_lrt(X, 1, n_replicates=0)
    with pytest.raises(ValueError, match="n_folds must be an integer >= 2"):
        cross_validated_log_likelihood(X, 1, n_folds=1)
    with pytest.raises(ValueError, match="n_folds must be at most the number of samples 30"):
        cross_validated_log_likelihood(X, 1, n_folds=31)
    with pytest.raises(ValueError, match="fewer than k=5 components"):
        cross_validated_log_likelihood(X[:8], 5, n_folds=2)
    with pytest.raises(ValueError, match="X has 2 samples; at least 3"):
        bootstrap_lrt(X[:2], 2)
    with pytest.raises(ValueError, match="ks must be an integer >= 1"):
        select_k(X, [0, 1])
    with pytest.raises(ValueError, match="ks is empty"):
        select_k(X, [])
    with pytest.raises(TypeError, match="ks must be an iterable"):
        select_k(X, 3)
    with pytest.raises(ValueError, match="must be consecutive"):
        select_k(X, [1, 3])
    with pytest.raises(ValueError, match="criteria='bayes' is not supported"):
        select_k(X, [1, 2], criteria=("bic", "bayes"))
    with pytest.raises(ValueError, match="level must be < 1"):
        select_k(X, [1, 2], criteria="lrt", level=1.0)
    with pytest.raises(TypeError, match="estimator must be a mixture estimator"):
        select_k(X, [1, 2], criteria="bic", estimator=object())
    with pytest.raises(TypeError, match="random_state must be None"):
        bootstrap_lrt(X, 1, random_state="seed")
    with pytest.raises(ValueError, match="classification='hard' is not supported"):
        icl(GaussianMixtureEM(1).fit(X), X, classification="hard")
    with pytest.raises(TypeError, match="has no bic"):
        icl(object(), X)
