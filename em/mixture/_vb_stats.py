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

from .._chunks import chunk_size, chunks
from ._covariance import CovarianceType, covariance_kind
from ._stats import NK_EPS
from .prior import ComponentStatistics, NIWPosterior


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
    posterior: NIWPosterior, covariance_type: str | CovarianceType
) -> tuple[np.ndarray, np.ndarray]:
    """``E[log |Lambda_k|]`` (K,) and the Cholesky factor ``U`` of ``E[Lambda_k]``.

    ``E[Lambda] = nu Psi^{-1}``, the inverse of scikit-learn's ``covariances_ = Psi / nu``;
    see :meth:`CovarianceType.expected_precision` for the formulas of each type.
    """
    K, D = posterior.means.shape
    return covariance_kind(covariance_type).expected_precision(
        posterior.degrees_of_freedom, posterior.scale, K, D
    )


def expectations(posterior: NIWPosterior, covariance_type: str | CovarianceType) -> Expectations:
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


def _log_rho(diff: np.ndarray, ex: Expectations, kind: CovarianceType) -> np.ndarray:
    """``log rho`` of a chunk from ``diff = x - m_k`` (b, K, D); shape (b, K)."""
    return ex.log_norm - 0.5 * kind.expected_quadratic(diff, ex.precisions_cholesky)


def _normalise(log_rho: np.ndarray) -> np.ndarray:
    """Log responsibilities: ``log_rho`` minus its row-wise log-sum-exp."""
    top = log_rho.max(axis=1, keepdims=True)
    return log_rho - (top + np.log(np.exp(log_rho - top).sum(axis=1, keepdims=True)))


def log_resp_chunks(
    X: np.ndarray, posterior: NIWPosterior, covariance_type: str | CovarianceType
) -> Iterator[tuple[slice, np.ndarray]]:
    """Log responsibilities ``log r_nk`` chunk by chunk: ``(slice, (b, K))`` pairs."""
    kind = covariance_kind(covariance_type)
    ex = expectations(posterior, kind)
    K, D = ex.means.shape
    for part in chunks(X.shape[0], chunk_size(K * D)):  # (b, K, D) buffers
        diff = X[part, None, :] - ex.means
        yield part, _normalise(_log_rho(diff, ex, kind))


def e_step(
    X: np.ndarray, posterior: NIWPosterior, covariance_type: str | CovarianceType
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
    kind = covariance_kind(covariance_type)
    ex = expectations(posterior, kind)
    K, D = ex.means.shape
    matrix = not kind.diagonal
    nk, s1 = np.zeros(K), np.zeros((K, D))
    s2 = np.zeros((K, D, D) if matrix else (K, D))
    entropy = 0.0
    for part in chunks(X.shape[0], chunk_size(K * D)):  # (b, K, D) buffers
        diff = X[part, None, :] - ex.means
        log_r = _normalise(_log_rho(diff, ex, kind))
        r = np.exp(log_r)
        entropy -= float((r * log_r).sum())
        nk += r.sum(axis=0)
        s1 += np.einsum("bk,bkd->kd", r, diff)
        if matrix:
            for k in range(K):
                s2[k] += (diff[:, k].T * r[:, k]) @ diff[:, k]
        else:
            s2 += np.einsum("bk,bkd->kd", r, np.square(diff))
    return _finish(nk, ex.means, s1, s2, kind), entropy


def statistics_from_resp(
    X: np.ndarray, resp: np.ndarray, covariance_type: str | CovarianceType
) -> tuple[ComponentStatistics, float]:
    """Statistics and entropy of given responsibilities ``resp`` (N, K); two passes.

    Used for the start, where responsibilities exist as an array: first the weighted
    means, then the scatter about them.
    """
    kind = covariance_kind(covariance_type)
    K, D = resp.shape[1], X.shape[1]
    nk = resp.sum(axis=0)
    means = (resp.T @ X) / (nk + NK_EPS)[:, None]
    matrix = not kind.diagonal
    s1, s2 = np.zeros((K, D)), np.zeros((K, D, D) if matrix else (K, D))
    for part in chunks(X.shape[0], chunk_size(K * D)):  # (b, K, D) buffers
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
    return _finish(nk, means, s1, s2, kind), entropy


def _finish(nk, center, s1, s2, kind: CovarianceType) -> ComponentStatistics:
    """Statistics about the weighted means from sums about ``center`` (K, D)."""
    nk = nk + NK_EPS
    step = s1 / nk[:, None]
    if kind.diagonal:
        scatter = np.maximum(s2 - nk[:, None] * np.square(step), 0.0)
    else:
        scatter = s2 - nk[:, None, None] * step[:, :, None] * step[:, None, :]
        scatter = (scatter + np.swapaxes(scatter, 1, 2)) / 2
    return ComponentStatistics(nk, center + step, kind.pool(scatter))
