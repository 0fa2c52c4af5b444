"""ClassificationEM (hard EM): the lecture's l12em1 loop."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from em import ClassificationEM, DegenerateComponentWarning

from .conftest import blobs, lecture_1d

LECTURE_START = dict(weights_init=[0.5, 0.5], means_init=[3.0, 5.0], covariances_init=[1.0, 1.0])


@pytest.mark.parametrize("seed", range(4))
def test_l12em1_from_means_3_and_5(seed):
    """100 x N(0, 3^2) + 100 x N(10, 1) from means 3, 5, sds 1, weights 0.5."""
    x, truth = lecture_1d(seed)
    cem = ClassificationEM(2, max_iter=50, **LECTURE_START).fit(x)
    assert cem.converged_ and cem.stop_reason_ == "converged" and cem.n_iter_ < 50
    np.testing.assert_allclose(cem.means_.ravel(), [0, 10], atol=0.8)
    np.testing.assert_allclose(np.sqrt(cem.covariances_.ravel()), [3, 1], atol=0.5)
    np.testing.assert_allclose(cem.weights_, [0.5, 0.5], atol=0.05)
    assert np.mean(cem.labels_ == truth) > 0.95


def test_one_iteration_by_hand():
    """E: label by the larger w N(x); M: fractions, per-label mean and (MLE) variance."""
    x = np.array([0.9, 0.7, 1.2, 2.4, 1.8, 4.0])
    cem = ClassificationEM(
        2,
        weights_init=[0.5, 0.5],
        means_init=[1.0, 2.0],
        covariances_init=[2.0, 2.0],
        reg_covar=0.0,
        max_iter=1,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cem.fit(x)
    # Equal weights and variances: the larger weighted pdf is the nearer mean (1 or 2).
    blue, red = x[x < 1.5], x[x >= 1.5]  # [0.9, 0.7, 1.2] and [2.4, 1.8, 4.0]
    np.testing.assert_allclose(cem.weights_, [3 / 6, 3 / 6])
    np.testing.assert_allclose(cem.means_.ravel(), [blue.mean(), red.mean()], rtol=1e-14)
    np.testing.assert_allclose(
        cem.covariances_.ravel(),
        [np.mean((blue - blue.mean()) ** 2), np.mean((red - red.mean()) ** 2)],
        rtol=1e-13,
    )
    # Classification log-likelihood of the first E-step: sum of log(0.5 N(x | nearer mean, 2)).
    nearer = np.where(x < 1.5, 1.0, 2.0)
    expected = np.sum(np.log(0.5) - 0.5 * np.log(2 * np.pi * 2.0) - (x - nearer) ** 2 / 4.0)
    assert cem.classification_log_likelihood_history_[0] == pytest.approx(expected, rel=1e-13)
    # The observed-data log-likelihood of the same E-step is larger (it sums over labels).
    assert cem.log_likelihood_history_[0] > expected


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_classification_loglik_never_decreases(covariance_type):
    X = blobs(2, 200, 2, 3, spread=3.0)
    cem = ClassificationEM(3, covariance_type=covariance_type, random_state=0).fit(X)
    history = cem.classification_log_likelihood_history_
    assert history.shape == cem.log_likelihood_history_.shape == (cem.n_iter_,)
    assert np.all(np.diff(history) >= -1e-9 * np.abs(history[1:]))
    np.testing.assert_array_equal(cem.labels_, cem.predict(X))
    assert np.all(cem.log_likelihood_history_ >= history)  # sum over labels >= best label


def test_stops_at_fixed_point_even_with_tol_zero():
    x, _ = lecture_1d(0)
    cem = ClassificationEM(2, tol=0.0, max_iter=100, **LECTURE_START).fit(x)
    assert cem.converged_ and cem.n_iter_ < 100


def test_empty_cluster_is_reseeded_with_warning():
    x, _ = lecture_1d(0)
    cem = ClassificationEM(
        2, weights_init=[0.5, 0.5], means_init=[5.0, 1e3], covariances_init=[10.0, 1.0]
    )
    with pytest.warns(
        DegenerateComponentWarning,
        match=r"ClassificationEM: component 1 collapsed .*count fell to 0",
    ):
        cem.fit(x)
    assert np.all(np.isfinite(cem.means_)) and np.all(cem.covariances_ > 0)
    assert cem.converged_  # the re-seeded cluster wins samples back instead of cycling
    assert np.all(cem.weights_ > 0.01)


def test_overlapping_case_stays_finite():
    """Blue N(1, 1), red N(3, 1) from means 3 and 5: hard EM's per-label variances shrink
    the red cluster (a known bias of classification EM on overlapping components); the fit
    must still be finite and the classification log-likelihood must still climb."""
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(1, 1, 100), rng.normal(3, 1, 100)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateComponentWarning)
        cem = ClassificationEM(2, max_iter=50, **LECTURE_START).fit(x)
    assert np.all(np.isfinite(cem.means_)) and np.all(cem.covariances_ > 0)
    assert cem.means_[0, 0] == pytest.approx(1.0, abs=1.0)
    history = cem.classification_log_likelihood_history_
    assert np.all(np.diff(history) >= -1e-9 * np.abs(history[1:]))


def test_same_random_state_same_fit():
    X = blobs(5, 100, 2, 3)
    a = ClassificationEM(3, init="random_from_data", random_state=3).fit(X)
    b = ClassificationEM(3, init="random_from_data", random_state=3).fit(X)
    np.testing.assert_array_equal(a.means_, b.means_)
    np.testing.assert_array_equal(a.labels_, b.labels_)
