"""Synthetic data: normal draws from a seeded generator, or by the lecture's Marsaglia method.

Every random number comes from one ``numpy.random.Generator`` so that a seed fixes the data.
The standard normals are drawn either by numpy (``method="numpy"``, the default, fast and
well tested) or by the Marsaglia polar method the lecture derives (``method="marsaglia"``),
written out by hand so a student can read it. Everything else is a deterministic map of
those standard normals: ``mu + sigma z`` in 1-D and ``mu + L z`` with ``Sigma = L L^T`` in
n-D.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "METHODS",
    "marsaglia_polar",
    "mixture_sample",
    "multivariate_normal",
    "normal",
    "standard_normal",
]

METHODS = ("numpy", "marsaglia")


def marsaglia_polar(rng: np.random.Generator, size: int) -> np.ndarray:
    """Standard normal draws by the Marsaglia polar method.

    Draw ``(u, v)`` uniformly on the square ``[-1, 1]^2`` and keep the pairs inside the unit
    disc (``0 < s = u^2 + v^2 < 1``); each kept pair gives two independent N(0, 1) draws
    ``u f`` and ``v f`` with ``f = sqrt(-2 log(s) / s)``. About ``pi/4`` of the pairs are
    kept, so the loop below draws in vectorised batches until it has enough.

    Parameters
    ----------
    rng : numpy.random.Generator
    size : int
        Number of draws, ``>= 0``.

    Returns
    -------
    ndarray of shape (size,)
    """
    if size < 0:
        raise ValueError(f"size must be >= 0; got {size}")
    out = np.empty(0)
    while out.size < size:
        # Ask for a few more pairs than the acceptance rate (pi/4) needs, so one batch
        # almost always suffices.
        n_pairs = (size - out.size) // 2 + 8
        uv = rng.uniform(-1.0, 1.0, size=(int(n_pairs * 1.35) + 8, 2))
        s = np.sum(uv**2, axis=1)
        keep = (s > 0.0) & (s < 1.0)
        uv, s = uv[keep], s[keep]
        factor = np.sqrt(-2.0 * np.log(s) / s)
        out = np.concatenate([out, (uv * factor[:, None]).ravel()])
    return out[:size]


def standard_normal(rng: np.random.Generator, size: int, method: str = "numpy") -> np.ndarray:
    """``size`` independent N(0, 1) draws, shape (size,), by ``method`` in :data:`METHODS`."""
    if method == "numpy":
        return rng.standard_normal(size)
    if method == "marsaglia":
        return marsaglia_polar(rng, size)
    raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")


def normal(rng: np.random.Generator, mean: float, sd: float, size: int, method: str = "numpy"):
    """N(mean, sd^2) draws as ``mean + sd z``; shape (size,)."""
    if not sd >= 0:
        raise ValueError(f"sd must be >= 0; got {sd}")
    return mean + sd * standard_normal(rng, size, method)


def multivariate_normal(
    rng: np.random.Generator, mean, cov, size: int, method: str = "numpy"
) -> np.ndarray:
    """N(mean, cov) draws as ``mean + L z`` with ``cov = L L^T`` (Cholesky).

    Parameters
    ----------
    rng : numpy.random.Generator
    mean : array-like of shape (d,)
    cov : array-like of shape (d, d)
        Symmetric positive definite. (A singular map would give the lecture's degenerate
        distribution; the cases here do not need one, so it is rejected.)
    size : int
    method : {"numpy", "marsaglia"}

    Returns
    -------
    ndarray of shape (size, d)
    """
    mean = np.asarray(mean, float)
    cov = np.asarray(cov, float)
    d = mean.shape[0]
    if cov.shape != (d, d):
        raise ValueError(f"cov must have shape ({d}, {d}) to match mean; got {cov.shape}")
    try:
        chol = np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        raise ValueError("cov must be symmetric positive definite") from None
    z = standard_normal(rng, size * d, method).reshape(size, d)
    return mean + z @ chol.T


def mixture_sample(
    rng: np.random.Generator,
    counts,
    means,
    covariances,
    method: str = "numpy",
) -> tuple[np.ndarray, np.ndarray]:
    """Fixed numbers of points from each Gaussian component, as the lecture draws them.

    Parameters
    ----------
    rng : numpy.random.Generator
    counts : sequence of int, length K
        Points drawn from each component (the lecture fixes them: 100 blue, 50 red).
    means : array-like of shape (K, d)
    covariances : array-like of shape (K, d, d)
    method : {"numpy", "marsaglia"}

    Returns
    -------
    X : ndarray of shape (sum(counts), d)
    labels : ndarray of int, shape (sum(counts),)
        The component each point came from.
    """
    means = np.asarray(means, float)
    covariances = np.asarray(covariances, float)
    parts = [
        multivariate_normal(rng, m, c, int(n), method)
        for n, m, c in zip(counts, means, covariances, strict=True)
    ]
    labels = np.repeat(np.arange(len(parts)), [len(p) for p in parts])
    return np.concatenate(parts), labels
