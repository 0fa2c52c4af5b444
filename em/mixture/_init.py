"""Starting points for EM and k-means.

Each strategy is a pure function of the data and a ``numpy.random.Generator``. The mixture
strategies return either responsibilities (the M-step then turns them into parameters) or,
for the lecture's start, the parameters themselves.
"""

from __future__ import annotations

import numpy as np

from ._seeding import kmeans_plusplus, one_hot, squared_distances
from .kmeans import lloyd

MIXTURE_INITS = ("kmeans++", "kmeans", "random", "random_from_data")


def nearest_center_resp(X: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Give every sample wholly to its nearest centre; (N, K) one-hot."""
    return one_hot(np.argmin(squared_distances(X, centers), axis=1), centers.shape[0])


def kmeanspp_resp(X: np.ndarray, n_components: int, rng: np.random.Generator) -> np.ndarray:
    """``init="kmeans++"``: k-means++ seeds, each sample given to its nearest seed.

    (scikit-learn instead gives each seed only itself, which starts every covariance at
    ``reg_covar``; a nearest-seed partition starts from covariances of the right scale.)
    """
    return nearest_center_resp(X, X[kmeans_plusplus(X, n_components, rng)])


def kmeans_resp(X: np.ndarray, n_components: int, rng: np.random.Generator) -> np.ndarray:
    """``init="kmeans"``: the partition found by one k-means++-seeded run of Lloyd's k-means."""
    centers = X[kmeans_plusplus(X, n_components, rng)]
    result = lloyd(X, centers, max_iter=300, tol=1e-4)
    return one_hot(result.labels, n_components)


def random_resp(X: np.ndarray, n_components: int, rng: np.random.Generator) -> np.ndarray:
    """``init="random"``: uniform random responsibilities, each row normalised to one."""
    resp = rng.uniform(size=(X.shape[0], n_components))
    return resp / resp.sum(axis=1, keepdims=True)


def random_from_data(
    data,
    n_components: int,
    covariance_type: str,
    overall: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``init="random_from_data"``: the lecture's (``gmm1``) start.

    Means are ``K`` distinct data points drawn at random, every component's covariance is
    the covariance of all the data (the lecture: "every sd the overall sd"), weights ``1/K``.

    Parameters
    ----------
    data : em._data.InMemory or em._dask.DaskData
        The samples (``n_samples`` and ``rows(indices)`` are used).
    n_components : int
    covariance_type : {"full", "tied", "diag", "spherical"}
    overall : ndarray
        Covariance of all of ``X`` in the shape of one component (``(D, D)`` for ``full``
        and ``tied``, ``(D,)`` for ``diag``, 0-d for ``spherical``), see
        :func:`em._gaussian.data_covariance`.
    rng : numpy.random.Generator

    Returns
    -------
    weights : ndarray of shape (K,)
    means : ndarray of shape (K, D)
    covariances : ndarray
        ``full`` (K, D, D), ``tied`` (D, D), ``diag`` (K, D), ``spherical`` (K,).
    """
    means = data.rows(rng.choice(data.n_samples, size=n_components, replace=False))
    if covariance_type == "tied":
        covariances = overall.copy()
    else:
        covariances = np.broadcast_to(overall, (n_components, *overall.shape)).copy()
    return np.full(n_components, 1.0 / n_components), means, covariances


def initial_responsibilities(
    X: np.ndarray, n_components: int, init: str, rng: np.random.Generator
) -> np.ndarray:
    """Responsibilities (N, K) for the strategies that start from a partition."""
    strategies = {"kmeans++": kmeanspp_resp, "kmeans": kmeans_resp, "random": random_resp}
    return strategies[init](X, n_components, rng)
