"""The variational E-step as a stream of sufficient statistics (Bishop, PRML 10.2).

Under the variational posterior ``q(w) q(mu, Sigma)`` (an :class:`em.prior.NIWPosterior`)
the responsibilities are ``r_nk`` proportional to ``rho_nk`` with

    log rho_nk = E[log w_k] + E[log |Lambda_k|] / 2 - D/2 log(2 pi)
                 - D / (2 kappa_k) - (x_n - m_k)^T E[Lambda_k] (x_n - m_k) / 2

(``Lambda = Sigma^{-1}``). The next update of ``q`` needs only ``n_k``, the weighted means
and the weighted scatter (:class:`em.prior.ComponentStatistics`), and the bound needs the
entropy ``-sum r log r``; so the E-step walks over ``X`` in chunks and adds these up:
nothing of size ``N x K`` is allocated. The sums are taken about the current ``m_k`` (the
correction to the scatter is then the square of a small step, so nothing cancels).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np
from scipy.special import digamma

from .._linalg import triangular_inverse
from .prior import NK_EPS, ComponentStatistics, NIWPosterior

# Bytes of the largest per-chunk buffer, (chunk, K, D) float64: about the size of a
# second-level cache, and the chunk never shorter than a few hundred rows.
_CHUNK_BYTES = 1 << 21
_MIN_CHUNK, _MAX_CHUNK = 256, 65_536


class Expectations(NamedTuple):
    """What the E-step needs of ``q``.

    Attributes
    ----------
    log_norm : ndarray of shape (K,)
        ``E[log w_k] + E[log |Lambda_k|] / 2 - D/2 log(2 pi) - D / (2 kappa_k)``.
    means : ndarray of shape (K, D)
        ``m_k``.
    precisions_cholesky : ndarray
        ``U`` with ``U U^T = E[Lambda_k]`` in scikit-learn's shape for the covariance type
        (upper triangular (K, D, D) / (D, D); ``sqrt`` of the precisions for ``diag``
        (K, D) and ``spherical`` (K,)).
    """

    log_norm: np.ndarray
    means: np.ndarray
    precisions_cholesky: np.ndarray


def expected_log_weights(alpha: np.ndarray) -> np.ndarray:
    """``E[log w_k]`` under ``Dirichlet(alpha)``; shape (K,)."""
    return digamma(alpha) - digamma(alpha.sum())


def expected_precision(
    posterior: NIWPosterior, covariance_type: str
) -> tuple[np.ndarray, np.ndarray]:
    """``E[log |Lambda_k|]`` (K,) and the Cholesky factor ``U`` of ``E[Lambda_k]``.

    ``E[Lambda] = nu Psi^{-1}``, the inverse of scikit-learn's ``covariances_ = Psi / nu``.
    ``E[log |Lambda|] = sum_{i<D} digamma((nu - i)/2) + D log 2 - log |Psi|`` for the
    matrix types and ``sum_d [digamma(nu/2) + log 2 - log psi_d]`` for the inverse-gamma
    ones (``spherical``: the one ``psi`` counted ``D`` times).
    """
    nu, psi = posterior.degrees_of_freedom, posterior.scale
    K, D = posterior.means.shape
    if covariance_type in ("full", "tied"):
        chol = np.linalg.cholesky(psi)
        stack = chol if covariance_type == "full" else chol[None]
        nus = np.broadcast_to(nu, (stack.shape[0],))
        log_det = 2 * np.log(np.diagonal(stack, axis1=1, axis2=2)).sum(axis=1)
        expected = (
            digamma(0.5 * (nus[:, None] - np.arange(D))).sum(axis=1) + D * math.log(2) - log_det
        )
        # U = sqrt(nu) L^{-T}: U U^T = nu (L L^T)^{-1}.
        prec_chol = np.stack(
            [
                math.sqrt(n) * triangular_inverse(c, lower=True).T
                for n, c in zip(nus, stack, strict=True)
            ]
        )
        if covariance_type == "tied":
            return np.broadcast_to(expected, (K,)), prec_chol[0]
        return expected, prec_chol
    per_feature = digamma(nu / 2) + math.log(2)  # (K,)
    if covariance_type == "diag":
        expected = D * per_feature - np.log(psi).sum(axis=1)
        return expected, np.sqrt(nu[:, None] / psi)
    return D * (per_feature - np.log(psi)), np.sqrt(nu / psi)


def expectations(posterior: NIWPosterior, covariance_type: str) -> Expectations:
    """The constants of an E-step under ``q = posterior``."""
    D = posterior.means.shape[1]
    log_det, prec_chol = expected_precision(posterior, covariance_type)
    log_norm = (
        expected_log_weights(posterior.weight_concentration)
        + 0.5 * log_det
        - 0.5 * D * math.log(2 * math.pi)
        - 0.5 * D / posterior.mean_precision
    )
    return Expectations(log_norm, posterior.means, prec_chol)


def chunk_slices(n_samples: int, n_components: int, n_features: int) -> Iterator[slice]:
    """Consecutive row slices of ``X`` whose (rows, K, D) buffer stays near 2 MiB."""
    rows = _CHUNK_BYTES // (8 * n_components * n_features)
    size = int(min(_MAX_CHUNK, max(_MIN_CHUNK, rows)))
    for start in range(0, n_samples, size):
        yield slice(start, min(start + size, n_samples))


def _log_rho(diff: np.ndarray, ex: Expectations, covariance_type: str) -> np.ndarray:
    """``log rho`` of a chunk from ``diff = x - m_k`` (b, K, D); shape (b, K)."""
    U = ex.precisions_cholesky
    if covariance_type == "full":
        quad = np.square(np.einsum("bkd,kde->bke", diff, U)).sum(axis=2)
    elif covariance_type == "tied":
        quad = np.square(diff @ U).sum(axis=2)
    elif covariance_type == "diag":
        quad = (np.square(diff) * np.square(U)).sum(axis=2)
    else:
        quad = np.square(diff).sum(axis=2) * np.square(U)
    return ex.log_norm - 0.5 * quad


def _normalise(log_rho: np.ndarray) -> np.ndarray:
    """Log responsibilities: ``log_rho`` minus its row-wise log-sum-exp."""
    top = log_rho.max(axis=1, keepdims=True)
    return log_rho - (top + np.log(np.exp(log_rho - top).sum(axis=1, keepdims=True)))


def log_resp_chunks(
    X: np.ndarray, posterior: NIWPosterior, covariance_type: str
) -> Iterator[tuple[slice, np.ndarray]]:
    """Log responsibilities ``log r_nk`` chunk by chunk: ``(slice, (b, K))`` pairs."""
    ex = expectations(posterior, covariance_type)
    K, D = ex.means.shape
    for part in chunk_slices(X.shape[0], K, D):
        diff = X[part, None, :] - ex.means
        yield part, _normalise(_log_rho(diff, ex, covariance_type))


def e_step(
    X: np.ndarray, posterior: NIWPosterior, covariance_type: str
) -> tuple[ComponentStatistics, float]:
    """Statistics of all of ``X`` (N, D) under the responsibilities of ``q = posterior``.

    Returns
    -------
    stats : ComponentStatistics
        ``n_k`` (plus ``1e-15``-ish, see :data:`em.prior.NK_EPS`), weighted means and
        weighted scatter in the shape of ``covariance_type``.
    entropy : float
        ``-sum_n sum_k r_nk log r_nk``.
    """
    ex = expectations(posterior, covariance_type)
    K, D = ex.means.shape
    matrix = covariance_type in ("full", "tied")
    nk, s1 = np.zeros(K), np.zeros((K, D))
    s2 = np.zeros((K, D, D) if matrix else (K, D))
    entropy = 0.0
    for part in chunk_slices(X.shape[0], K, D):
        diff = X[part, None, :] - ex.means
        log_r = _normalise(_log_rho(diff, ex, covariance_type))
        r = np.exp(log_r)
        entropy -= float((r * log_r).sum())
        nk += r.sum(axis=0)
        s1 += np.einsum("bk,bkd->kd", r, diff)
        if matrix:
            for k in range(K):
                s2[k] += (diff[:, k].T * r[:, k]) @ diff[:, k]
        else:
            s2 += np.einsum("bk,bkd->kd", r, np.square(diff))
    return _finish(nk, ex.means, s1, s2, covariance_type), entropy


def statistics_from_resp(
    X: np.ndarray, resp: np.ndarray, covariance_type: str
) -> tuple[ComponentStatistics, float]:
    """Statistics and entropy of given responsibilities ``resp`` (N, K); two passes.

    Used for the start, where responsibilities exist as an array: first the weighted
    means, then the scatter about them.
    """
    K, D = resp.shape[1], X.shape[1]
    nk = resp.sum(axis=0)
    means = (resp.T @ X) / (nk + NK_EPS)[:, None]
    matrix = covariance_type in ("full", "tied")
    s1, s2 = np.zeros((K, D)), np.zeros((K, D, D) if matrix else (K, D))
    for part in chunk_slices(X.shape[0], K, D):
        diff = X[part, None, :] - means
        r = resp[part]
        s1 += np.einsum("bk,bkd->kd", r, diff)
        if matrix:
            for k in range(K):
                s2[k] += (diff[:, k].T * r[:, k]) @ diff[:, k]
        else:
            s2 += np.einsum("bk,bkd->kd", r, np.square(diff))
    positive = resp > 0
    entropy = -float((resp[positive] * np.log(resp[positive])).sum())
    return _finish(nk, means, s1, s2, covariance_type), entropy


def _finish(nk, center, s1, s2, covariance_type) -> ComponentStatistics:
    """Statistics about the weighted means from sums about ``center`` (K, D)."""
    nk = nk + NK_EPS
    step = s1 / nk[:, None]
    if covariance_type in ("full", "tied"):
        scatter = s2 - nk[:, None, None] * step[:, :, None] * step[:, None, :]
        scatter = (scatter + np.swapaxes(scatter, 1, 2)) / 2
        if covariance_type == "tied":
            scatter = scatter.sum(axis=0)
    else:
        scatter = np.maximum(s2 - nk[:, None] * np.square(step), 0.0)
        if covariance_type == "spherical":
            scatter = scatter.sum(axis=1)
    return ComponentStatistics(nk, center + step, scatter)
