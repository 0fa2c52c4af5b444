"""Seeding shared by k-means and the mixture starts: k-means++, distances, one-hot labels.

Kept apart from :mod:`._init` (the mixture starts) and :mod:`.kmeans` (Lloyd's
algorithm) because both use it and the starts also use Lloyd's algorithm: with the seeding
here the imports run one way, ``_init -> kmeans -> _seeding``.
"""

from __future__ import annotations

import math

import numpy as np

# The one spelling of the k-means++ start, for KMeans and the mixtures alike.
K_MEANS_PLUS_PLUS = "k-means++"


def squared_distances(X: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Squared Euclidean distance of every sample to every centre; (N, D), (K, D) -> (N, K)."""
    out = np.empty((X.shape[0], centers.shape[0]))
    # Centred differences (a loop over the few centres, never over samples) avoid the
    # cancellation of the expanded |x|^2 - 2 x.c + |c|^2 form; k-means relies on exact ties.
    for k, center in enumerate(centers):
        diff = X - center
        out[:, k] = np.einsum("ij,ij->i", diff, diff)
    return out


def kmeans_plusplus(X: np.ndarray, n_clusters: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``n_clusters`` seeds chosen by greedy k-means++.

    The first seed is uniform; each next one is drawn with probability proportional to the
    squared distance to the nearest seed so far. As in scikit-learn (and Arthur &
    Vassilvitskii), ``2 + log K`` candidates are drawn per step and the one that lowers the
    total squared distance most is kept, which avoids most unlucky seeds.

    Parameters
    ----------
    X : ndarray of shape (N, D)
    n_clusters : int
        ``K <= N``.
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of int, shape (K,)
        Distinct row indices of ``X`` (distinct as long as ``X`` has K distinct rows).
    """
    n_samples = X.shape[0]
    n_trials = 2 + int(math.log(n_clusters))
    indices = np.empty(n_clusters, dtype=np.intp)
    indices[0] = rng.integers(n_samples)
    closest = squared_distances(X, X[indices[:1]])[:, 0]
    for c in range(1, n_clusters):
        total = closest.sum()
        if total <= 0:  # every point coincides with a seed: any unused point will do
            unused = np.setdiff1d(np.arange(n_samples), indices[:c])
            indices[c] = rng.choice(unused)
            closest = np.minimum(closest, squared_distances(X, X[indices[c : c + 1]])[:, 0])
            continue
        candidates = np.searchsorted(np.cumsum(closest), rng.uniform(size=n_trials) * total)
        candidates = np.minimum(candidates, n_samples - 1)  # guards rounding at the top end
        trial = np.minimum(closest[:, None], squared_distances(X, X[candidates]))
        best = int(np.argmin(trial.sum(axis=0)))
        indices[c] = candidates[best]
        closest = trial[:, best]
    return indices


def one_hot(labels: np.ndarray, n_components: int) -> np.ndarray:
    """Labels (N,) -> one-hot responsibilities (N, K)."""
    resp = np.zeros((labels.shape[0], n_components))
    resp[np.arange(labels.shape[0]), labels] = 1.0
    return resp
