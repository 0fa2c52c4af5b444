"""KMeans: the lecture's two starts, Lloyd's loop, empty clusters."""

from __future__ import annotations

import numpy as np
import pytest

from em import ConvergenceWarning, DegenerateComponentWarning, KMeans, NotFittedError

from .conftest import blobs, lecture_2d

LECTURE_STARTS = {"sideways": [[40, 50], [80, 50]], "diagonal": [[20, 30], [80, 80]]}


@pytest.mark.parametrize("start", LECTURE_STARTS)
def test_lecture_starts_match_sklearn(start):
    SklearnKMeans = pytest.importorskip("sklearn.cluster").KMeans
    X, _ = lecture_2d()
    init = np.array(LECTURE_STARTS[start], dtype=float)
    ours = KMeans(2, init=init).fit(X)
    theirs = SklearnKMeans(2, init=init, n_init=1, algorithm="lloyd").fit(X)
    np.testing.assert_allclose(ours.cluster_centers_, theirs.cluster_centers_, rtol=1e-12)
    np.testing.assert_array_equal(ours.labels_, theirs.labels_)
    assert ours.inertia_ == pytest.approx(theirs.inertia_, rel=1e-12)
    assert ours.converged_


def test_lecture_result_depends_on_the_start():
    X, _ = lecture_2d()
    a, b = (KMeans(2, init=np.array(s, float)).fit(X) for s in LECTURE_STARTS.values())
    assert not np.allclose(a.cluster_centers_, b.cluster_centers_)
    for model in (a, b):  # either way: one centre near each generating mean
        centers = model.cluster_centers_[np.argsort(model.cluster_centers_[:, 0])]
        np.testing.assert_allclose(centers, [[50, 50], [70, 60]], atol=6)


def test_wrong_number_of_clusters_still_answers():
    X, _ = lecture_2d()
    km = KMeans(4, random_state=0).fit(X)
    assert km.cluster_centers_.shape == (4, 2)
    assert set(np.unique(km.labels_)) == {0, 1, 2, 3}


def test_inertia_history_non_increasing_and_final():
    X = blobs(0, 300, 2, 5, spread=3.0)
    km = KMeans(5, init="random", n_init=1, random_state=1).fit(X)
    history = km.inertia_history_
    assert history.shape == (km.n_iter_,)
    assert np.all(np.diff(history) <= 1e-9 * history[:-1])
    assert km.inertia_ <= history[-1] + 1e-9
    d2 = ((X[:, None, :] - km.cluster_centers_[None]) ** 2).sum(-1)
    assert km.inertia_ == pytest.approx(d2.min(axis=1).sum(), rel=1e-12)
    np.testing.assert_array_equal(km.labels_, d2.argmin(axis=1))
    np.testing.assert_array_equal(km.predict(X), km.labels_)
    np.testing.assert_array_equal(km.fit_predict(X), km.labels_)


def test_n_init_keeps_lowest_inertia_and_is_reproducible():
    X = blobs(1, 200, 2, 6, spread=2.0)
    single = [KMeans(6, init="random", n_init=1, random_state=s).fit(X).inertia_ for s in range(5)]
    best = KMeans(6, init="random", n_init=5, random_state=0).fit(X)
    assert best.inertia_ <= max(single)
    again = KMeans(6, init="random", n_init=5, random_state=0).fit(X)
    np.testing.assert_array_equal(best.cluster_centers_, again.cluster_centers_)


def test_empty_cluster_is_reseeded_with_warning():
    X, _ = lecture_2d()
    init = np.array([[50.0, 50.0], [70.0, 60.0], [1e4, 1e4]])
    with pytest.warns(DegenerateComponentWarning, match="k-means cluster 2 became empty"):
        km = KMeans(3, init=init).fit(X)
    assert np.all(np.isfinite(km.cluster_centers_))
    assert np.bincount(km.labels_, minlength=3).min() >= 1


def test_max_iter_warns():
    X = blobs(2, 300, 2, 6, spread=2.0)
    with pytest.warns(ConvergenceWarning, match="max_iter=1"):
        km = KMeans(6, init="random", n_init=1, max_iter=1, random_state=0).fit(X)
    assert not km.converged_ and km.n_iter_ == 1


def test_one_dimensional_and_not_fitted():
    x = np.r_[np.zeros(10), np.full(10, 5.0)]
    km = KMeans(2, init=[0.0, 5.0]).fit(x)  # a flat init is read as one feature too
    np.testing.assert_allclose(np.sort(km.cluster_centers_.ravel()), [0, 5])
    with pytest.raises(NotFittedError):
        KMeans(2).predict(x)
    with pytest.raises(ValueError, match="X has 2 features but KMeans was fitted with 1"):
        km.predict(np.zeros((3, 2)))


def test_kmeans_plusplus_seeds_are_distinct_even_with_duplicates():
    from em.mixture._seeding import kmeans_plusplus

    X = np.vstack([np.zeros((20, 2)), np.ones((3, 2))])  # only two distinct points
    seeds = kmeans_plusplus(X, 4, np.random.default_rng(0))
    assert len(set(seeds.tolist())) == 4
    assert {tuple(X[i]) for i in seeds} == {(0.0, 0.0), (1.0, 1.0)}  # both points used
    again = kmeans_plusplus(X, 4, np.random.default_rng(0))
    np.testing.assert_array_equal(seeds, again)
