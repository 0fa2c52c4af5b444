"""What a player frame shows, as numbers: point colours, densities, ellipses, paths.

The Python renderer (:mod:`compare.player.frames`) draws these; the page's JavaScript
(:mod:`compare.player.page`) computes the same from the same parameters, so the two show
one picture. Colours follow the lecture: each component has a colour and a point is drawn
in the blend of the component colours weighted by its responsibilities ("the colouring of
the data points").
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import to_rgb
from scipy.special import softmax
from scipy.stats import norm

from em import mixture_log_joint

from .history import Track

__all__ = [
    "PALETTE",
    "component_colours",
    "densities_1d",
    "ellipse_points",
    "point_colours",
    "responsibilities",
]

# The lecture's blue and red first (matplotlib's C0 and C3), then further distinct colours.
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
# Points of an ellipse outline (a closed polygon: the first point repeated at the end).
ELLIPSE_POINTS = 49


def component_colours(n_components: int) -> np.ndarray:
    """RGB colours in [0, 1] of ``n_components`` components, shape (K, 3).

    Raises
    ------
    ValueError
        For more components than :data:`PALETTE` has colours.
    """
    if not 1 <= n_components <= len(PALETTE):
        raise ValueError(f"the player colours 1 to {len(PALETTE)} components; got {n_components}")
    return np.array([to_rgb(c) for c in PALETTE[:n_components]])


def responsibilities(X: np.ndarray, track: Track, step: int) -> np.ndarray:
    """Responsibilities of the track's parameters at ``step``, shape (N, K).

    Soft: posterior probabilities ``P(C_k | x_n)``; hard: one-hot of the largest
    ``w_k N(x_n | mu_k, Sigma_k)`` (hard EM's E-step); nearest: one-hot of the nearest
    centre (k-means' assignment).
    """
    means = track.means[step]
    n_components = means.shape[0]
    if track.assignment == "nearest":
        labels = np.argmin(((X[:, None, :] - means[None]) ** 2).sum(axis=2), axis=1)
        return np.eye(n_components)[labels]
    log_joint = mixture_log_joint(X, track.weights[step], means, track.covariances[step])
    if track.assignment == "hard":
        return np.eye(n_components)[np.argmax(log_joint, axis=1)]
    return softmax(log_joint, axis=1)


def point_colours(X: np.ndarray, track: Track, step: int) -> np.ndarray:
    """The lecture's colouring: responsibilities times component colours, shape (N, 3)."""
    resp = responsibilities(X, track, step)
    return np.clip(resp @ component_colours(resp.shape[1]), 0.0, 1.0)


def densities_1d(grid: np.ndarray, track: Track, step: int) -> np.ndarray:
    """Weighted component densities and the mixture density on ``grid``.

    Parameters
    ----------
    grid : ndarray of shape (G,)
    track : Track
        One feature, with covariances.
    step : int

    Returns
    -------
    ndarray of shape (K + 1, G)
        Rows ``w_k N(x | mu_k, sigma_k^2)``, then their sum.
    """
    sd = np.sqrt(track.covariances[step][:, 0, 0])
    means = track.means[step][:, :1]
    parts = track.weights[step][:, None] * norm.pdf(grid[None], means, sd[:, None])
    return np.vstack([parts, parts.sum(axis=0)])


def ellipse_points(mean: np.ndarray, covariance: np.ndarray, n_sigma: float) -> np.ndarray:
    """The ``n_sigma`` ellipse ``(x - mu)^T Sigma^-1 (x - mu) = n_sigma^2``, shape (P, 2).

    Drawn as ``mu + n_sigma L (cos a, sin a)`` with ``L`` the Cholesky factor of
    ``Sigma`` (any square root traces the same curve; Cholesky is the one the page's
    script computes too).
    """
    angle = np.linspace(0.0, 2.0 * np.pi, ELLIPSE_POINTS)
    circle = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return mean + n_sigma * circle @ np.linalg.cholesky(covariance).T
