"""The Gaussian-mixture density at given parameters, for code outside the estimators.

``compare`` evaluates the log-likelihood at points that no estimator fitted (the posterior
mean, the truth); this is the public door to the one log-density implementation that the
estimators use (:mod:`._stats`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_array
from . import _stats
from ._covariance import covariance_kind

__all__ = ["mixture_log_joint", "mixture_log_likelihood"]


def mixture_log_joint(
    X: Any, weights: Any, means: Any, covariances: Any, covariance_type: str = "full"
) -> np.ndarray:
    """``log w_k + log N(x_n | mu_k, Sigma_k)`` for every sample and component.

    Parameters
    ----------
    X : array-like of shape (N, D) or (N,)
    weights : array-like of shape (K,)
        Positive.
    means : array-like of shape (K, D)
    covariances : array-like
        ``full`` (K, D, D), ``tied`` (D, D), ``diag`` (K, D), ``spherical`` (K,);
        symmetric positive definite.
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"

    Returns
    -------
    ndarray of shape (N, K)
    """
    covariance = covariance_kind(covariance_type)
    X = check_array(X, "X")
    weights = check_array(weights, "weights").ravel()
    if (weights <= 0).any():
        raise ValueError(f"weights must be positive; got {weights}")
    means = check_array(means, "means")
    covariances = np.asarray(covariances, dtype=np.float64)
    expected = covariance.shape(*means.shape)
    if covariances.shape != expected or weights.shape != (means.shape[0],):
        raise ValueError(
            f"weights, means and covariances must have shapes ({means.shape[0]},), "
            f"{means.shape} and {expected} for covariance_type={covariance_type!r}; got "
            f"{weights.shape}, {means.shape} and {covariances.shape}"
        )
    precisions_cholesky, singular = covariance.precision_cholesky(covariances)
    if singular.any():
        raise ValueError(
            f"covariances of component(s) {np.flatnonzero(singular).tolist()} are not "
            "symmetric positive definite; only SPD covariances are accepted"
        )
    return _stats.log_joint(
        X, _stats.plan(weights, means, precisions_cholesky, covariances, covariance)
    )


def mixture_log_likelihood(
    X: Any, weights: Any, means: Any, covariances: Any, covariance_type: str = "full"
) -> float:
    """Total log-likelihood ``sum_n log sum_k w_k N(x_n | mu_k, Sigma_k)``.

    Parameters are those of :func:`mixture_log_joint`.
    """
    return float(
        _stats.logsumexp_rows(
            mixture_log_joint(X, weights, means, covariances, covariance_type)
        ).sum()
    )
