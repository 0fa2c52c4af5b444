"""The stepping adapter reproduces ordinary fits; histories are validated."""

import warnings
from types import SimpleNamespace

import numpy as np
import pytest

from compare.player.history import as_track, stepped_history
from em import ClassificationEM, GaussianMixtureEM, KMeans


def _ordinary(algorithm, X, start):
    k = len(start["weights"])
    if algorithm == "kmeans":
        return KMeans(k, init=start["means"], n_init=1).fit(X)
    cls = GaussianMixtureEM if algorithm == "soft" else ClassificationEM
    return cls(
        k,
        weights_init=start["weights"],
        means_init=start["means"],
        covariances_init=start["covariances"],
    ).fit(X)


@pytest.mark.parametrize("case", ["lecture_1d", "lecture_2d"])
@pytest.mark.parametrize("algorithm", ["soft", "hard", "kmeans"])
def test_stepping_reproduces_the_ordinary_fit(case, algorithm, request):
    X, start, _ = request.getfixturevalue(case)
    history = stepped_history(X, algorithm, start)
    fit = _ordinary(algorithm, X, start)
    assert history.n_iter == fit.n_iter_ >= 2
    np.testing.assert_allclose(history.means[0], start["means"])
    if algorithm == "kmeans":
        np.testing.assert_allclose(history.means[-1], fit.cluster_centers_, rtol=1e-10)
        np.testing.assert_allclose(history.inertia[:-1], fit.inertia_history_, rtol=1e-10)
        assert history.inertia[-1] == pytest.approx(fit.inertia_, rel=1e-10)
        assert history.covariances is None and history.log_likelihood is None
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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        history = stepped_history(X, "soft", start, max_iter=0)
    assert history.n_iter == 0
    np.testing.assert_allclose(history.means[0], start["means"])
    assert np.isfinite(history.log_likelihood[0])


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
    with pytest.raises(ValueError, match="algorithm is 'em'"):
        stepped_history(np.zeros((5, 1)), "em", {})
