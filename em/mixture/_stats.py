"""The E-step as a stream of sufficient statistics, and the M-step from the statistics alone.

Soft EM needs, per component ``k``, only three sums over the samples: ``n_k = sum_n r_nk``,
the weighted first moment and the weighted second moment (or what the covariance type
needs of it). So the E-step walks over ``X`` in chunks of bounded size
(:mod:`em._chunks`) and adds up the statistics of each chunk: nothing of size ``N`` is
allocated, and the same chunk function serves a NumPy array in memory and the blocks of a
Dask array (:mod:`._dask`). Hard EM is the same pass with one-hot responsibilities: how
the log joint becomes responsibilities is the assignment strategy of :mod:`._assignment`.

A :class:`Plan` holds one iteration's constants; there are two kinds, so that every step
is a matrix product over all components at once (no Python loop over components):

- :class:`WhitenedPlan` (``full``, ``tied``) accumulates the statistics of the whitened
  samples ``y = U_k^T (x - mu_k)``: centred on the current means, in units of the current
  covariances, so nothing cancels.
- :class:`DiagonalPlan` (``diag``, ``spherical``) accumulates those of
  ``[(x - c)^2, x - c]`` about the mixture mean ``c``, which turns distances and sums
  into two products with ``2 D`` inner dimension.

Chunks are held with samples along the last axis (``(K, D, chunk)``, ``(2 D, chunk)``),
so every element-wise step runs along long contiguous rows even when ``D`` is 1 or 2.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

from .._chunks import chunk_size, chunks
from ._assignment import SOFT, Assignment
from ._covariance import CovarianceType

# Added to every n_k before dividing (as scikit-learn does) so an empty component yields a
# finite mean instead of 0/0; far below anything that changes a non-empty component.
NK_EPS = 10 * np.finfo(np.float64).eps


class MixtureParameters(NamedTuple):
    """Parameters of a Gaussian mixture.

    Attributes
    ----------
    weights : ndarray of shape (K,)
    means : ndarray of shape (K, D)
    covariances : ndarray
        ``full`` (K, D, D), ``tied`` (D, D), ``diag`` (K, D), ``spherical`` (K,).
    precisions_cholesky : ndarray
        Same shape as ``covariances`` (see :mod:`._covariance`).
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    precisions_cholesky: np.ndarray


class Statistics(NamedTuple):
    """What one E-step pass over (part of) the data adds up.

    All sums are over the samples of the pass; two passes over disjoint samples combine
    with :func:`combine`. ``y`` is the whitened sample of the module docstring.

    Attributes
    ----------
    nk : ndarray of shape (K,)
        ``sum_n r_nk``.
    s1 : ndarray of shape (K, D)
        ``sum_n r_nk y_nk``.
    s2 : ndarray
        ``full``/``tied``: (K, D, D), ``sum_n r_nk y_nk y_nk^T``; ``diag``/``spherical``:
        (K, D), ``sum_n r_nk y_nk^2`` (element-wise).
    log_likelihood : float
        ``sum_n log p(x_n)`` at the parameters of the pass.
    objective : float
        What the EM variant increases: the log-likelihood (soft EM) or the
        classification log-likelihood ``sum_n log(w_z N(x_n | theta_z))`` (hard EM).
    digest : bytes or None
        A hash of the assignment of the pass, in sample order (two passes with equal
        digests assigned every sample alike), for the assignments that have exact fixed
        points (hard EM); None otherwise.
    n_samples : int
    """

    nk: np.ndarray
    s1: np.ndarray
    s2: np.ndarray
    log_likelihood: float
    objective: float
    digest: bytes | None
    n_samples: int


def combine(a: Statistics, b: Statistics) -> Statistics:
    """Statistics of the samples of ``a`` followed by those of ``b``."""
    digest = None
    if a.digest is not None and b.digest is not None:
        digest = hashlib.blake2b(a.digest + b.digest, digest_size=16).digest()
    return Statistics(
        a.nk + b.nk,
        a.s1 + b.s1,
        a.s2 + b.s2,
        a.log_likelihood + b.log_likelihood,
        a.objective + b.objective,
        digest,
        a.n_samples + b.n_samples,
    )


class Plan:
    """The E-step and M-step of one iteration, with their constants computed once.

    Subclasses: :class:`WhitenedPlan` (matrix covariances) and :class:`DiagonalPlan`
    (variances only); :func:`plan` picks one. A plan holds only small arrays
    (``K x D x D`` at most), so it is cheap to send to Dask workers.
    """

    covariance: CovarianceType
    n_components: int
    n_features: int
    log_norm: np.ndarray  # (K, 1): log w_k + log det U_k - D/2 log(2 pi)
    buffer_rows: int  # float64 numbers per sample in the largest buffer of a chunk

    def log_joint(self, X: np.ndarray) -> np.ndarray:
        """``log w_k N(x_n | theta_k)`` of a chunk; (b, D) -> (K, b)."""
        raise NotImplementedError

    def chunk_statistics(self, X: np.ndarray, assignment: Assignment = SOFT) -> Statistics:
        """Statistics of one chunk ``X`` of shape (b, D) (any row stride).

        ``assignment`` turns the log joint into responsibilities (:mod:`._assignment`):
        soft EM by default, or hard EM, where every sample counts wholly for its most
        probable component.
        """
        raise NotImplementedError

    def m_step(
        self, stats: Statistics, reg_covar: float, nk_eps: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """New ``nk`` (K,), ``means`` (K, D) and ``covariances`` from the statistics.

        ``reg_covar`` is added to the diagonal of every covariance; ``nk_eps`` to every
        ``n_k`` before dividing, so an empty component gives a finite mean.
        """
        raise NotImplementedError

    def moments(
        self, stats: Statistics, nk_eps: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``nk`` (K,), the weighted means ``xbar_k`` (K, D) and the scatter about them.

        The scatter ``sum_n r_nk (x_n - xbar_k)(x_n - xbar_k)^T`` is a sum (not divided by
        ``n_k``): (K, D, D) for the matrix types, its diagonal (K, D) for the diagonal
        ones; :meth:`CovarianceType.pool` puts it in the type's shape. What the MAP M-step
        (:meth:`em.NormalInverseWishart.update`) needs of the E-step.
        """
        raise NotImplementedError


class WhitenedPlan(Plan):
    """``full`` and ``tied``: statistics of the whitened samples ``y = U_k^T (x - mu_k)``.

    ``|y|^2`` is the squared Mahalanobis distance, and ``S_k = sum_n r_nk y y^T`` is the
    scatter about the current mean in units of the current covariance, so nothing cancels;
    :meth:`m_step` maps it back with ``L_k = U_k^{-T}`` (the covariance's Cholesky factor).
    The whitening of every component is one matrix product of ``(K D) x (D + 1)`` by
    ``(D + 1) x b`` (the ``+ 1`` row of ones carries ``-U_k^T mu_k``): one BLAS call, no
    loop over components. ``tied`` whitens once and subtracts each ``U^T mu_k``.
    """

    def __init__(self, weights, means, precisions_cholesky, covariances, covariance):
        K, D = means.shape
        self.covariance, self.n_components, self.n_features = covariance, K, D
        self.buffer_rows = K * (D + 1)
        self.means = means
        self.log_norm = _log_norm(weights, precisions_cholesky, covariance, D)
        self.chol = np.broadcast_to(np.linalg.cholesky(covariances), (K, D, D))
        if covariance.shared:
            self.affine = np.concatenate([precisions_cholesky.T, np.zeros((D, 1))], axis=1)
            self.offsets = (means @ precisions_cholesky)[:, :, None]  # U^T mu_k, (K, D, 1)
        else:
            Ut = np.swapaxes(precisions_cholesky, 1, 2)  # U_k^T, (K, D, D)
            shift = -np.einsum("kij,kj->ki", Ut, means)[:, :, None]
            self.affine = np.concatenate([Ut, shift], axis=2).reshape(K * D, D + 1)
            self.offsets = None

    def _whiten(self, X: np.ndarray) -> np.ndarray:
        """``y = U_k^T (x - mu_k)`` for every component; (b, D) -> (K, D, b)."""
        K, D = self.n_components, self.n_features
        Xt = np.empty((D + 1, X.shape[0]))
        Xt[:-1] = X.T
        Xt[-1] = 1.0
        if self.offsets is None:
            return (self.affine @ Xt).reshape(K, D, -1)
        return (self.affine @ Xt)[None] - self.offsets

    def _log_joint(self, y: np.ndarray) -> np.ndarray:
        """``log w_k N(x | theta_k)`` from the whitened chunk; (K, D, b) -> (K, b)."""
        log_joint = np.einsum("kdb,kdb->kb", y, y)
        log_joint *= -0.5
        log_joint += self.log_norm
        return log_joint

    def log_joint(self, X):
        return self._log_joint(self._whiten(X))

    def chunk_statistics(self, X, assignment=SOFT):
        y = self._whiten(X)
        resp, log_likelihood, objective, digest = assignment.assign(self._log_joint(y))
        s1 = np.matmul(y, resp[:, :, None])[:, :, 0]
        s2 = np.matmul(y * resp[:, None, :], np.swapaxes(y, 1, 2))
        return Statistics(resp.sum(axis=1), s1, s2, log_likelihood, objective, digest, X.shape[0])

    def moments(self, stats, nk_eps):
        # With d_k = sum_n r_nk (x_n - mu_k) / n_k (the step of the mean), the scatter about
        # the new mean is sum_n r_nk (x_n - mu_k)(x_n - mu_k)^T - n_k d_k d_k^T: the
        # correction is the square of a step, which cancels nothing that matters.
        nk = stats.nk + nk_eps
        L = self.chol
        step = np.einsum("kij,kj->ki", L, stats.s1) / nk[:, None]
        scatter = L @ stats.s2 @ np.swapaxes(L, 1, 2)
        scatter -= nk[:, None, None] * (step[:, :, None] * step[:, None, :])
        return nk, self.means + step, scatter

    def m_step(self, stats, reg_covar, nk_eps):
        nk, means, scatter = self.moments(stats, nk_eps)
        covariances = self.covariance.covariances_from_scatter(scatter, nk, reg_covar)
        return nk, means, covariances


class DiagonalPlan(Plan):
    """``diag`` and ``spherical``: statistics of ``x - c`` and ``(x - c)^2`` by matrix products.

    With diagonal precisions ``P_k = 1 / sigma_k^2`` the squared Mahalanobis distance is
    linear in ``z = x - c`` and ``z^2``: ``P_k . z^2 - 2 P_k m_k . z + P_k . m_k^2`` with
    ``m_k = mu_k - c``; so the distances of all components are two ``b x D`` by ``D x K``
    products, and the M-step's sums ``sum_n r_nk z_n`` and ``sum_n r_nk z_n^2`` two more.
    ``c`` is the current mixture mean ``sum_k w_k mu_k``, which keeps the expansion from
    cancelling (scikit-learn expands about 0). Chunks stay in the rows of ``X`` (samples
    first): each product then reads contiguous memory, and no transposed copy is made.
    """

    def __init__(self, weights, means, precisions_cholesky, covariances, covariance):
        K, D = means.shape
        self.covariance, self.n_components, self.n_features = covariance, K, D
        self.buffer_rows = 2 * D + K
        self.center = weights @ means
        self.offsets = means - self.center  # m_k, (K, D)
        precisions = np.broadcast_to(precisions_cholesky.reshape(K, -1) ** 2, (K, D))
        self.log_norm = _log_norm(weights, precisions_cholesky, covariance, D) - 0.5 * (
            precisions * self.offsets**2
        ).sum(axis=1, keepdims=True)
        self.square_coef = -0.5 * precisions  # (K, D)
        self.linear_coef = precisions * self.offsets  # (K, D)

    def _centred(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``z = x - c`` and ``z^2``, each (b, D)."""
        z = X - self.center
        return z, np.square(z)

    def _log_joint(self, z: np.ndarray, z2: np.ndarray) -> np.ndarray:
        """(K, b) from the centred chunk."""
        # (K, D) by (D, b): the transposes are BLAS flags, not copies, and the result comes
        # out components first, as the rest of the pass wants it.
        log_joint = self.square_coef @ z2.T
        log_joint += self.linear_coef @ z.T
        log_joint += self.log_norm
        return log_joint

    def log_joint(self, X):
        return self._log_joint(*self._centred(X))

    def chunk_statistics(self, X, assignment=SOFT):
        z, z2 = self._centred(X)
        resp, log_likelihood, objective, digest = assignment.assign(self._log_joint(z, z2))
        return Statistics(
            resp.sum(axis=1), resp @ z, resp @ z2, log_likelihood, objective, digest, X.shape[0]
        )

    def m_step(self, stats, reg_covar, nk_eps):
        nk = (stats.nk + nk_eps)[:, None]
        mean_from_center = stats.s1 / nk
        variances = stats.s2 / nk - mean_from_center**2 + reg_covar
        variances = self.covariance.covariances_from_variances(variances)
        return nk[:, 0], self.center + mean_from_center, variances

    def moments(self, stats, nk_eps):
        nk = stats.nk + nk_eps
        mean_from_center = stats.s1 / nk[:, None]
        # sum r (z - m)^2 = sum r z^2 - n m^2; rounding could make it slightly negative.
        scatter = np.maximum(stats.s2 - nk[:, None] * mean_from_center**2, 0.0)
        return nk, self.center + mean_from_center, scatter


def _log_norm(weights, precisions_cholesky, covariance, n_features) -> np.ndarray:
    """``log w_k + log det U_k - D/2 log(2 pi)``, shape (K, 1)."""
    log_det = covariance.log_det_cholesky(precisions_cholesky, n_features)
    value = np.log(weights) + log_det - 0.5 * n_features * math.log(2 * math.pi)
    return value.reshape(-1, 1)


def plan(
    weights: np.ndarray,
    means: np.ndarray,
    precisions_cholesky: np.ndarray,
    covariances: np.ndarray,
    covariance: CovarianceType,
) -> Plan:
    """The plan of an iteration at the given parameters.

    Parameters
    ----------
    weights : ndarray of shape (K,)
    means : ndarray of shape (K, D)
    precisions_cholesky, covariances : ndarray
        In the shape of ``covariance``.
    covariance : CovarianceType
        From :data:`._covariance.COVARIANCES`.
    """
    cls = DiagonalPlan if covariance.diagonal else WhitenedPlan
    return cls(weights, means, precisions_cholesky, covariances, covariance)


def plan_at(params: MixtureParameters, covariance: CovarianceType) -> Plan:
    """:func:`plan` at ``params``."""
    return plan(
        params.weights, params.means, params.precisions_cholesky, params.covariances, covariance
    )


def _parts(X: np.ndarray, plan: Plan) -> Iterator[slice]:
    """The chunks of ``X`` a pass with ``plan`` walks over."""
    return chunks(X.shape[0], chunk_size(plan.buffer_rows))


def e_step(X: np.ndarray, plan: Plan, assignment: Assignment = SOFT) -> Statistics:
    """Statistics of all of ``X`` (N, D), chunk by chunk."""
    total = None
    for part in _parts(X, plan):
        stats = plan.chunk_statistics(X[part], assignment)
        total = stats if total is None else combine(total, stats)
    return total


def log_joint_chunks(X: np.ndarray, plan: Plan) -> Iterator[tuple[slice, np.ndarray]]:
    """``log w_k N(x_n | theta_k)`` chunk by chunk: ``(slice, (b, K) array)`` pairs."""
    for part in _parts(X, plan):
        yield part, plan.log_joint(X[part]).T


def log_joint(X: np.ndarray, plan: Plan) -> np.ndarray:
    """``log w_k N(x_n | theta_k)`` of every sample and component; shape (N, K)."""
    out = np.empty((X.shape[0], plan.n_components))
    for part, values in log_joint_chunks(X, plan):
        out[part] = values
    return out


def _logsumexp_columns(log_joint: np.ndarray) -> np.ndarray:
    """``log sum_k exp`` over the first axis of a (K, b) array; shape (b,)."""
    top = log_joint.max(axis=0)
    return top + np.log(np.exp(log_joint - top).sum(axis=0))


def sample_log_likelihood(X: np.ndarray, plan: Plan) -> np.ndarray:
    """``log p(x_n)`` of every sample, computed chunk by chunk; shape (N,)."""
    out = np.empty(X.shape[0])
    for part in _parts(X, plan):
        out[part] = _logsumexp_columns(plan.log_joint(X[part]))
    return out


def log_likelihood(X: np.ndarray, plan: Plan) -> float:
    """``sum_n log p(x_n)`` without any array of size ``N``."""
    return float(sum(_logsumexp_columns(plan.log_joint(X[part])).sum() for part in _parts(X, plan)))


def worst_samples(X: np.ndarray, plan: Plan, count: int) -> np.ndarray:
    """Indices of the ``count`` samples with the lowest ``log p(x_n)``, lowest first.

    Ties go to the earlier sample. Keeps ``count`` candidates, never an array of size ``N``.
    """
    values, indices = np.empty(0), np.empty(0, dtype=np.intp)
    for part in _parts(X, plan):
        values = np.concatenate([values, _logsumexp_columns(plan.log_joint(X[part]))])
        indices = np.concatenate([indices, np.arange(part.start, part.stop)])
        keep = np.lexsort((indices, values))[:count]
        values, indices = values[keep], indices[keep]
    return indices


def logsumexp_rows(a: np.ndarray) -> np.ndarray:
    """``log(sum(exp(a), axis=1))`` without overflow; shape (N, K) -> (N,).

    Rows are finite here (weights are positive, parameters finite), so the row maximum is
    a safe shift and we skip the generality (and cost) of ``scipy.special.logsumexp``.
    """
    top = a.max(axis=1)
    return top + np.log(np.exp(a - top[:, None]).sum(axis=1))


def estimate_from_responsibilities(
    X: np.ndarray, resp: np.ndarray, reg_covar: float, covariance: CovarianceType
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The M-step from responsibilities: weighted counts, means and covariances.

    The reference form (two passes: means, then scatter about them), used where
    responsibilities exist as an array (a starting partition); the EM loop uses the
    one-pass statistics of :meth:`Plan.m_step` instead.

    Parameters
    ----------
    X : ndarray of shape (N, D)
    resp : ndarray of shape (N, K)
        Responsibilities (soft EM) or one-hot labels (hard EM); rows sum to one.
    reg_covar : float
        Added to the diagonal of every covariance (the variance floor).
    covariance : CovarianceType

    Returns
    -------
    nk : ndarray of shape (K,)
        Effective number of samples per component, ``sum_n r_nk`` (plus a tiny constant).
    means : ndarray of shape (K, D)
    covariances : ndarray
        In the shape of ``covariance``: the maximum-likelihood (divide by ``n_k``, not
        ``n_k - 1``) estimates plus ``reg_covar``.
    """
    nk, means, scatter = responsibility_moments(X, resp, covariance)
    if covariance.diagonal:
        return nk, means, covariance.covariances_from_variances(scatter / nk[:, None] + reg_covar)
    return nk, means, covariance.covariances_from_scatter(scatter, nk, reg_covar)


def responsibility_moments(
    X: np.ndarray, resp: np.ndarray, covariance: CovarianceType
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:meth:`Plan.moments` from responsibilities (N, K) held as an array; two passes.

    Returns ``nk`` (K,) (plus the tiny constant), the weighted means (K, D) and the
    weighted scatter about them, a sum: (K, D, D), or its diagonal (K, D) for the
    diagonal types.
    """
    nk = resp.sum(axis=0) + NK_EPS
    means = (resp.T @ X) / nk[:, None]
    n_components, n_features = means.shape
    diagonal = covariance.diagonal
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
    return nk, means, scatter


def data_scatter(X: np.ndarray) -> np.ndarray:
    """Scatter of all of ``X`` about its mean, ``sum_n (x_n - m)(x_n - m)^T``; shape (D, D).

    Chunked: no temporary is as large as ``X``.
    """
    mean = X.mean(axis=0)
    n_features = X.shape[1]
    scatter = np.zeros((n_features, n_features))
    for part in chunks(X.shape[0], 8192):
        diff = X[part] - mean
        scatter += diff.T @ diff
    return scatter
