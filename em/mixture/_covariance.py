"""Gaussian pieces shared by every mixture estimator: Cholesky factors, shapes, M-step.

The log-density itself lives in :mod:`em._stats` (one implementation, chunked, for soft
EM, hard EM, prediction and the public :mod:`em.density`). Everything here is a small pure
function of arrays, so each step of EM can be read, tested and reused on its own.

Covariance shapes follow scikit-learn, with ``K`` components and ``D`` features:

==============  =========================  ================================================
type            ``covariances``            meaning
==============  =========================  ================================================
``"full"``      ``(K, D, D)``              one full covariance matrix per component
``"tied"``      ``(D, D)``                 one full covariance matrix shared by all
``"diag"``      ``(K, D)``                 one diagonal (per-feature variances) each
``"spherical"`` ``(K,)``                   one variance each, the same for every feature
==============  =========================  ================================================

``precisions_cholesky`` has the same shape as ``covariances``. For the matrix types it is
the upper-triangular ``U = L^{-T}`` where ``covariance = L L^T`` (so ``precision = U U^T``,
scikit-learn's convention); for ``diag`` and ``spherical`` it is ``1 / sqrt(variance)``.
Working with ``U`` turns the Mahalanobis distance into a matrix product and the
log-determinant into a sum of logs of a diagonal: no inverse, no determinant.
"""

from __future__ import annotations

import numpy as np

from .._chunks import chunks
from .._linalg import triangular_inverse

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")

# A full covariance whose Cholesky pivot satisfies L_ii^2 <= _RCOND * Sigma_ii (its
# correlation matrix has a pivot that small) is singular to working precision: what is
# left in that direction is rounding of the other directions (e.g. two points in 2-D).
_RCOND = 1e4 * np.finfo(np.float64).eps
# Added to every n_k before dividing (as scikit-learn does) so an empty component yields a
# finite mean instead of 0/0; far below anything that changes a non-empty component.
NK_EPS = 10 * np.finfo(np.float64).eps


def covariance_shape(covariance_type: str, n_components: int, n_features: int) -> tuple:
    """Shape of ``covariances`` (and ``precisions_cholesky``) for a covariance type."""
    return {
        "full": (n_components, n_features, n_features),
        "tied": (n_features, n_features),
        "diag": (n_components, n_features),
        "spherical": (n_components,),
    }[covariance_type]


def log_det_cholesky(
    precisions_cholesky: np.ndarray, covariance_type: str, n_features: int
) -> np.ndarray:
    """``log det U_k`` for every component, i.e. ``-0.5 log det Sigma_k``.

    Parameters
    ----------
    precisions_cholesky : ndarray
        ``full`` (K, D, D), ``tied`` (D, D), ``diag`` (K, D), ``spherical`` (K,).
    covariance_type : {"full", "tied", "diag", "spherical"}
    n_features : int
        ``D``; needed for ``spherical``, where ``U_k`` is a scalar times the identity.

    Returns
    -------
    ndarray of shape (K,), or a 0-d float for ``tied`` (broadcasts over components)
    """
    if covariance_type == "full":
        return np.log(np.diagonal(precisions_cholesky, axis1=1, axis2=2)).sum(axis=1)
    if covariance_type == "tied":
        return np.log(np.diagonal(precisions_cholesky)).sum()
    if covariance_type == "diag":
        return np.log(precisions_cholesky).sum(axis=1)
    return n_features * np.log(precisions_cholesky)


def logsumexp_rows(a: np.ndarray) -> np.ndarray:
    """``log(sum(exp(a), axis=1))`` without overflow; shape (N, K) -> (N,).

    Rows are finite here (weights are positive, parameters finite), so the row maximum is
    a safe shift and we skip the generality (and cost) of ``scipy.special.logsumexp``.
    """
    top = a.max(axis=1)
    return top + np.log(np.exp(a - top[:, None]).sum(axis=1))


def compute_precision_cholesky(
    covariances: np.ndarray, covariance_type: str, min_std: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Cholesky factor of the precision of each component, and which ones are singular.

    Parameters
    ----------
    covariances : ndarray
        ``full`` (K, D, D), ``tied`` (D, D), ``diag`` (K, D), ``spherical`` (K,).
    covariance_type : {"full", "tied", "diag", "spherical"}
    min_std : float, default=0
        A covariance whose Cholesky pivot (a conditional standard deviation) or standard
        deviation is at most this counts as singular even though a factor exists: below the
        rounding level of the data such a "variance" is noise, and its density a spike.
        Independently of it, a matrix whose correlation matrix has a squared pivot below
        ``1e4 * eps`` is singular to working precision and counts as singular too.

    Returns
    -------
    precisions_cholesky : ndarray, same shape as ``covariances``
        Entries of a singular component are set to 1 (a harmless placeholder).
    singular : ndarray of bool, shape (K,), or shape (1,) for ``tied``
        True where the covariance is not numerically symmetric positive definite, so the
        caller decides what to do (re-seed the component, or refuse the input) instead of
        this function raising half-way through.
    """
    if covariance_type in ("diag", "spherical"):
        singular = ~(np.isfinite(covariances) & (covariances > min_std**2))
        if covariance_type == "diag":
            singular = singular.any(axis=1)
        mask = singular.reshape(singular.shape + (1,) * (covariances.ndim - 1))
        return 1.0 / np.sqrt(np.where(mask, 1.0, covariances)), singular

    stack = covariances[None] if covariance_type == "tied" else covariances
    n_features = stack.shape[-1]
    identity = np.eye(n_features)
    chol = np.zeros_like(stack)
    singular = ~np.isfinite(stack).all(axis=(1, 2))
    for k in np.flatnonzero(~singular):  # K small; lets us tell which component failed
        try:
            chol[k] = np.linalg.cholesky(stack[k])
        except np.linalg.LinAlgError:
            singular[k] = True
    pivots = np.diagonal(chol, axis1=1, axis2=2)
    variances = np.diagonal(stack, axis1=1, axis2=2)
    singular |= ~((pivots > min_std) & (pivots**2 > _RCOND * variances)).all(axis=1)
    prec_chol = np.broadcast_to(identity, stack.shape).copy()
    for k in np.flatnonzero(~singular):
        # U = L^{-T}: the inverse of a triangular factor, not of the covariance.
        prec_chol[k] = triangular_inverse(chol[k], lower=True).T
    return (prec_chol[0] if covariance_type == "tied" else prec_chol), singular


def estimate_gaussian_parameters(
    X: np.ndarray, resp: np.ndarray, reg_covar: float, covariance_type: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The M-step from responsibilities: weighted counts, means and covariances.

    The reference form (two passes: means, then scatter about them), used where
    responsibilities exist as an array (a starting partition); the EM loop uses the
    one-pass statistics of :mod:`em._stats` instead.

    Parameters
    ----------
    X : ndarray of shape (N, D)
    resp : ndarray of shape (N, K)
        Responsibilities (soft EM) or one-hot labels (hard EM); rows sum to one.
    reg_covar : float
        Added to the diagonal of every covariance (the variance floor).
    covariance_type : {"full", "tied", "diag", "spherical"}

    Returns
    -------
    nk : ndarray of shape (K,)
        Effective number of samples per component, ``sum_n r_nk`` (plus a tiny constant).
    means : ndarray of shape (K, D)
    covariances : ndarray
        ``full`` (K, D, D), ``tied`` (D, D), ``diag`` (K, D), ``spherical`` (K,): the
        maximum-likelihood (divide by ``n_k``, not ``n_k - 1``) estimates plus ``reg_covar``.
    """
    nk = resp.sum(axis=0) + NK_EPS
    means = (resp.T @ X) / nk[:, None]
    n_components, n_features = means.shape
    diagonal = covariance_type in ("diag", "spherical")
    # Centred products, never E[x x^T] - mu mu^T, which cancels badly when the data sit far
    # from the origin relative to their spread; chunked so no temporary is as large as X.
    scatter = np.zeros(
        (n_components, n_features) if diagonal else (n_components, n_features, n_features)
    )
    for part in chunks(X.shape[0], 8192):
        for k in range(n_components):
            diff = X[part] - means[k]
            r = resp[part, k]
            scatter[k] += r @ np.square(diff) if diagonal else (r * diff.T) @ diff
    idx = np.arange(n_features)
    if covariance_type == "full":
        covariances = scatter / nk[:, None, None]
        covariances[:, idx, idx] += reg_covar
        # The product is symmetric only up to rounding; make it exactly so (users test it).
        return nk, means, (covariances + np.swapaxes(covariances, 1, 2)) / 2
    if covariance_type == "tied":
        covariance = scatter.sum(axis=0) / nk.sum()
        covariance[idx, idx] += reg_covar
        return nk, means, (covariance + covariance.T) / 2
    variances = scatter / nk[:, None] + reg_covar
    if covariance_type == "spherical":
        return nk, means, variances.mean(axis=1)
    return nk, means, variances


def data_covariance(X: np.ndarray, reg_covar: float, covariance_type: str) -> np.ndarray:
    """Covariance of all of ``X`` (one component's worth) in the shape of one component.

    Returns ``(D, D)`` for ``full``/``tied``, ``(D,)`` for ``diag``, a 0-d array for
    ``spherical``; maximum-likelihood scaling plus ``reg_covar`` on the diagonal. Used for
    the lecture's start (every variance the overall variance) and to re-seed a collapsed
    component. Chunked: no temporary is as large as ``X``.
    """
    mean = X.mean(axis=0)
    n_features = X.shape[1]
    scatter = np.zeros((n_features, n_features))
    for part in chunks(X.shape[0], 8192):
        diff = X[part] - mean
        scatter += diff.T @ diff
    return covariance_from_scatter(scatter, X.shape[0], reg_covar, covariance_type)


def covariance_from_scatter(
    scatter: np.ndarray, n_samples: int, reg_covar: float, covariance_type: str
) -> np.ndarray:
    """The data covariance in one component's shape from the scatter about the mean (D, D).

    See :func:`data_covariance` for the shapes.
    """
    n_features = scatter.shape[0]
    covariance = scatter / n_samples
    covariance = (covariance + covariance.T) / 2
    covariance[np.arange(n_features), np.arange(n_features)] += reg_covar
    if covariance_type in ("full", "tied"):
        return covariance
    variances = np.diagonal(covariance).copy()
    return variances if covariance_type == "diag" else variances.mean()


def covariance_cholesky(covariances: np.ndarray, covariance_type: str) -> np.ndarray:
    """Lower Cholesky factor ``L`` (``Sigma = L L^T``) per component, for sampling.

    Returns ``(K, D, D)`` for ``full``, ``(D, D)`` for ``tied``, and the standard
    deviations ``(K, D)`` / ``(K,)`` for ``diag`` / ``spherical``.
    """
    if covariance_type in ("full", "tied"):
        return np.linalg.cholesky(covariances)
    return np.sqrt(covariances)


def n_parameters(covariance_type: str, n_components: int, n_features: int) -> int:
    """Number of free parameters of a ``K``-component, ``D``-feature Gaussian mixture.

    ``K - 1`` weights (they sum to one), ``K D`` means, and the covariance entries:
    ``K D (D + 1) / 2`` (full), ``D (D + 1) / 2`` (tied), ``K D`` (diag), ``K`` (spherical).
    """
    covariance_parameters = {
        "full": n_components * n_features * (n_features + 1) // 2,
        "tied": n_features * (n_features + 1) // 2,
        "diag": n_components * n_features,
        "spherical": n_components,
    }[covariance_type]
    return n_components - 1 + n_components * n_features + covariance_parameters
