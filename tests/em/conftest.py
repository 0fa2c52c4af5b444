"""Data of the lecture cases and small helpers shared by the EM-core tests."""

from __future__ import annotations

import numpy as np
import pytest


def lecture_1d(seed: int = 0, n_blue: int = 100, n_red: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """``l12em1``: blue ``N(0, 3^2)`` then red ``N(10, 1)``; returns (x (N,), labels (N,))."""
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.normal(0.0, 3.0, n_blue), rng.normal(10.0, 1.0, n_red)])
    return x, np.repeat([0, 1], [n_blue, n_red])


def lecture_2d(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """k-means example: ``100 x N([50, 50], 10^2 I)`` and ``50 x N([70, 60], 5^2 I)``."""
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal([50, 50], 10, (100, 2)), rng.normal([70, 60], 5, (50, 2))])
    return X, np.repeat([0, 1], [100, 50])


def blobs(seed: int, n: int, d: int, k: int, spread: float = 4.0) -> np.ndarray:
    """``n`` samples around ``k`` random centres (unit noise), shape (n, d)."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(0.0, spread, (k, d))
    return centers[rng.integers(k, size=n)] + rng.standard_normal((n, d))


def random_covariances(rng: np.random.Generator, covariance_type: str, k: int, d: int):
    """Well-conditioned random covariances in scikit-learn's shape for ``covariance_type``."""
    if covariance_type == "full":
        a = rng.normal(size=(k, d, d))
        return a @ a.transpose(0, 2, 1) / d + np.eye(d)
    if covariance_type == "tied":
        a = rng.normal(size=(d, d))
        return a @ a.T / d + np.eye(d)
    if covariance_type == "diag":
        return rng.uniform(0.5, 2.0, (k, d))
    return rng.uniform(0.5, 2.0, k)


def sort_by_mean(means: np.ndarray, *arrays: np.ndarray):
    """Order components by their first mean coordinate (labels are arbitrary)."""
    order = np.argsort(means[:, 0])
    return (means[order], *(a[order] for a in arrays))


@pytest.fixture
def x_1d():
    return lecture_1d()[0]


@pytest.fixture
def X_2d():
    return lecture_2d()[0]
