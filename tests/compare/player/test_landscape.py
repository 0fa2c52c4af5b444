"""Restarts over the landscape: the classification rule and the written figure."""

from html.parser import HTMLParser
from types import SimpleNamespace

import numpy as np
import pytest

from compare.player import write_landscape
from compare.player.landscape import (
    CLASSES,
    Restarts,
    classify_optima,
    find_restarts,
    restart_histories,
    slice_log_likelihood,
)


def test_symmetric_starts_reach_the_best_optimum_and_its_twin(lecture_1d):
    X, _, _ = lecture_1d
    pairs = np.array([[[-2.0], [8.0]], [[1.0], [11.0]], [[4.0], [9.0]]])
    starts = np.concatenate([pairs, pairs[:, ::-1]])  # each start and its label swap
    histories = restart_histories(X, starts)
    labels = classify_optima(X, histories)
    assert labels == ["best"] * 3 + ["twin"] * 3
    best = np.array([h.means[-1, :, 0] for h in histories[:3]])
    twin = np.array([h.means[-1, :, 0] for h in histories[3:]])
    # The twin is the same optimum with the labels swapped: the lecture's 0 and 10.
    np.testing.assert_allclose(best, twin[:, ::-1], atol=1e-3)
    np.testing.assert_allclose(best.mean(axis=0), [0.0, 10.0], atol=0.8)


def _final(weights, means, variances, log_likelihood):
    return SimpleNamespace(
        weights=np.array([weights]),
        means=np.array([means])[..., None],
        covariances=np.array([variances])[..., None, None],
        log_likelihood=np.array([log_likelihood]),
    )


def test_each_class_of_the_rule():
    X = np.linspace(-5.0, 5.0, 100)[:, None]  # sd about 2.9
    runs = [
        _final([0.5, 0.5], [-2.0, 2.0], [1.0, 1.0], -200.0),
        _final([0.5, 0.5], [2.0, -2.0], [1.0, 1.0], -200.05),  # within 0.1 nats: twin
        _final([0.5, 0.5], [-1.0, 1.0], [2.0, 2.0], -205.0),  # lower: worse
        _final([0.995, 0.005], [0.0, 3.0], [8.0, 1.0], -190.0),  # half a point: collapse
        _final([0.5, 0.5], [-2.0, 2.0], [1e-6, 8.0], 50.0),  # a spike: collapse
    ]
    assert classify_optima(X, runs) == ["best", "twin", "worse", "collapse", "collapse"]


def test_the_slice_is_symmetric_under_the_label_swap(lecture_1d):
    X, _, histories = lecture_1d
    soft = histories["soft EM"]
    grid = np.linspace(-5.0, 12.0, 21)
    Z = slice_log_likelihood(X, grid, grid, soft.weights[-1], soft.means[-1], soft.covariances[-1])
    np.testing.assert_allclose(Z, Z.T)
    # At the fit itself the slice is the fit's log-likelihood.
    at_fit = slice_log_likelihood(
        X,
        soft.means[-1, :1, 0],
        soft.means[-1, 1:, 0],
        *(getattr(soft, k)[-1] for k in ("weights", "means", "covariances")),
    )
    assert at_fit[0, 0] == pytest.approx(soft.log_likelihood[-1], rel=1e-10)


@pytest.mark.parametrize("case", ["lecture_1d", "lecture_2d"])
def test_write_landscape_counts_every_start(case, request, tmp_path):
    X, _, _ = request.getfixturevalue(case)
    draws = np.random.default_rng(0).normal(size=(50, 2)) + X[:2, 0]
    result = write_landscape(tmp_path, X, posterior_means=draws, n_starts=8, seed=3)
    assert sum(result.counts.values()) == 8 == len(result.labels)
    assert set(result.counts) == set(CLASSES)
    assert result.counts["best"] + result.counts["twin"] >= 1
    assert [p.name for p in tmp_path.iterdir()] == ["landscape.png"]
    assert result.bytes["figure"] == result.files["figure"].stat().st_size
    parser = HTMLParser()
    parser.feed(result.html)
    assert "landscape.png" in result.html and result.html.count("<tr>") == 1 + len(CLASSES)


def test_landscape_arguments_are_checked(tmp_path, lecture_1d):
    X, _, _ = lecture_1d
    with pytest.raises(ValueError, match=r"posterior_means has shape \(5,\)"):
        write_landscape(tmp_path, X, posterior_means=np.zeros(5))
    with pytest.raises(ValueError, match=r"starts has shape \(2, 3, 1\)"):
        write_landscape(tmp_path, X, starts=np.zeros((2, 3, 1)))
    with pytest.raises(ValueError, match="n_starts is 0"):
        write_landscape(tmp_path, X, n_starts=0)


def test_random_starts_are_the_estimators_own_histories(lecture_1d):
    from em import GaussianMixtureEM

    X, _, _ = lecture_1d
    fit = GaussianMixtureEM(
        2, init="random_from_data", n_init=5, random_state=7, keep_history="all"
    ).fit(X)
    histories = restart_histories(X, n_starts=5, seed=7)
    assert len(histories) == 5
    for ours, theirs in zip(histories, fit.histories_, strict=True):
        np.testing.assert_array_equal(ours.means, theirs.means)
        np.testing.assert_array_equal(ours.log_likelihood, theirs.log_likelihood)


def test_restarts_survive_json_and_draw_without_refitting(lecture_2d, tmp_path, monkeypatch):
    import json

    import compare.player.landscape as landscape

    X, _, _ = lecture_2d
    restarts = find_restarts(X, n_starts=6, seed=1)
    assert len(restarts.paths) == 6 and restarts.best["means"].shape == (2, 2)
    back = Restarts.from_dict(json.loads(json.dumps(restarts.to_dict())))
    for a, b in zip(restarts.paths, back.paths, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5)  # drawn only: 6 significant digits
    np.testing.assert_array_equal(back.final_log_likelihood, restarts.final_log_likelihood)

    def no_fitting(*args, **kwargs):
        raise AssertionError("write_landscape refitted given restarts")

    monkeypatch.setattr(landscape, "restart_histories", no_fitting)
    result = write_landscape(tmp_path, X, restarts=back)
    assert result.labels == restarts.labels and result.counts == restarts.counts
    with pytest.raises(TypeError, match="restarts is a dict"):
        write_landscape(tmp_path, X, restarts=restarts.to_dict())
