"""The player's histories (the estimators' history_) are the ordinary fits; checked input."""

import warnings
from types import SimpleNamespace

import numpy as np
import pytest

from compare.kinds.mixture_extras import VARIANTS_MAX_ITER
from compare.player.history import ALGORITHMS, as_track, variant_histories
from em import ClassificationEM, GaussianMixtureEM, KMeans


def _ordinary(algorithm, X, start):
    """The ordinary fit (no history kept) of one variant, as fit_variants configures it."""
    k = len(start["weights"])
    if algorithm == "kmeans":
        return KMeans(k, init=start["means"], n_init=1, max_iter=VARIANTS_MAX_ITER).fit(X)
    cls = GaussianMixtureEM if algorithm == "soft" else ClassificationEM
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cls(
            k,
            weights_init=start["weights"],
            means_init=start["means"],
            covariances_init=start["covariances"],
            max_iter=VARIANTS_MAX_ITER,
        ).fit(X)


@pytest.mark.parametrize("case", ["lecture_1d", "lecture_2d"])
@pytest.mark.parametrize("algorithm", ["soft", "hard", "kmeans"])
def test_the_players_histories_are_the_ordinary_fits(case, algorithm, request):
    X, start, histories = request.getfixturevalue(case)
    history = histories[ALGORITHMS[algorithm]]
    fit = _ordinary(algorithm, X, start)
    assert history.n_steps == fit.n_iter_ + 1 >= 3
    np.testing.assert_allclose(history.means[0], start["means"])
    if algorithm == "kmeans":
        np.testing.assert_allclose(history.means[-1], fit.cluster_centers_, rtol=1e-10)
        np.testing.assert_allclose(history.inertia[:-1], fit.inertia_history_, rtol=1e-10)
        assert history.inertia[-1] == pytest.approx(fit.inertia_, rel=1e-10)
        assert history.covariances is None
        np.testing.assert_allclose(history.weights[-1], np.bincount(fit.labels_) / len(X))
        return
    np.testing.assert_allclose(history.weights[-1], fit.weights_, rtol=1e-10)
    np.testing.assert_allclose(history.means[-1], fit.means_, rtol=1e-10)
    np.testing.assert_allclose(history.covariances[-1], fit.covariances_, rtol=1e-10)
    # Entry t is the log-likelihood of step t's parameters: the ordinary fit's E-step
    # history, then its final value.
    np.testing.assert_allclose(history.log_likelihood[:-1], fit.log_likelihood_history_)
    assert history.log_likelihood[-1] == pytest.approx(fit.log_likelihood_, rel=1e-12)


def test_soft_em_history_never_decreases(lecture_1d):
    _, _, histories = lecture_1d
    assert np.all(np.diff(histories["soft EM"].log_likelihood) > -1e-9)


def test_a_history_of_zero_iterations_is_the_start(lecture_1d):
    X, start, _ = lecture_1d
    history = (
        GaussianMixtureEM(
            2,
            weights_init=start["weights"],
            means_init=start["means"],
            covariances_init=start["covariances"],
            max_iter=0,
            keep_history=True,
        )
        .fit(X)
        .history_
    )
    assert history.n_steps == 1 == as_track("soft EM", history).n_steps
    np.testing.assert_allclose(history.means[0], start["means"])
    assert np.isfinite(history.log_likelihood[0])


def test_k_means_panel_shows_its_inertia(lecture_1d):
    _, _, h = lecture_1d
    label, values = as_track("k-means", h["k-means"]).objective
    assert label.startswith("inertia") and values is not None
    np.testing.assert_array_equal(values, h["k-means"].inertia)
    assert as_track("soft EM", h["soft EM"]).objective[0] == "log-likelihood"


def test_tracks_infer_how_points_are_coloured(lecture_1d):
    _, _, h = lecture_1d
    assert as_track("soft EM", h["soft EM"]).assignment == "soft"
    assert as_track("hard EM (CEM)", h["hard EM (CEM)"]).assignment == "hard"
    assert as_track("k-means", h["k-means"]).assignment == "nearest"
    assert as_track("anything", h["hard EM (CEM)"], "hard").assignment == "hard"


def test_bad_histories_name_what_is_wrong(lecture_1d):
    _, _, h = lecture_1d
    soft = h["soft EM"]
    with pytest.raises(TypeError, match=r"histories\['a'\] has no attribute 'means'"):
        as_track("a", SimpleNamespace(weights=soft.weights))
    short = SimpleNamespace(
        weights=soft.weights[:-1],
        means=soft.means,
        covariances=soft.covariances,
        log_likelihood=soft.log_likelihood,
    )
    with pytest.raises(ValueError, match=r"weights has shape .* accepted: \(T\+1, K\)"):
        as_track("a", short)
    diag = SimpleNamespace(**{**vars(soft), "covariances": soft.covariances[..., 0]})
    with pytest.raises(ValueError, match="covariances has"):
        as_track("a", diag)
    with pytest.raises(ValueError, match="assignment='nearest'"):
        as_track("k", h["k-means"], "soft")
    with pytest.raises(ValueError, match="variants has no 'kmeans'"):
        variant_histories({"soft": None, "hard": None})
    unkept = KMeans(2, n_init=1).fit(np.arange(10.0)[:, None])
    with pytest.raises(ValueError, match=r"variants\['soft'\] has no history_.*keep_history=True"):
        variant_histories({"soft": unkept, "hard": unkept, "kmeans": unkept})
