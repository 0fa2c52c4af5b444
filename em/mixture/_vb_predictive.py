"""Posterior predictive density of the variational Gaussian mixture: a Student-t mixture.

Under ``q(w) q(mu, Sigma)`` a new sample has density
``p(x) = sum_k E[w_k] St(x | m_k, C_k, dof_k)`` (Bishop, PRML 10.81), where integrating
``N(x | mu_k, Sigma_k)`` over ``q(mu_k | Sigma_k) q(Sigma_k)`` gives a multivariate
Student t: ``full``/``tied`` with ``dof = nu + 1 - D`` and scale matrix
``C = (1 + kappa) / (kappa dof) Psi``; ``spherical`` (one inverse-gamma variance) with
``dof = nu`` and ``C = (1 + kappa) / (kappa nu) psi I``; ``diag`` (independent variances)
a product of ``D`` one-dimensional t's with ``dof = nu`` and scales
``(1 + kappa) psi_d / (kappa nu)``. It is exact for ``q``; it is not the plug-in
Gaussian mixture at the posterior means.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import gammaln

from .._linalg import triangular_inverse
from ._vb_stats import chunk_slices
from .prior import NIWPosterior


def _log_t_const(dof: np.ndarray, dim: int) -> np.ndarray:
    """``lgamma((dof + d)/2) - lgamma(dof/2) - d/2 log(dof pi)`` of a ``d``-variate t."""
    return gammaln((dof + dim) / 2) - gammaln(dof / 2) - 0.5 * dim * np.log(dof * math.pi)


def component_log_pdf(X: np.ndarray, posterior: NIWPosterior, covariance_type: str) -> np.ndarray:
    """``log St(x_n | component k)`` for every sample and component; shape (b, K).

    Called on a chunk of rows at a time; allocates (b, K, D).
    """
    _, kappa, means, nu, psi = posterior
    K, D = means.shape
    diff = X[:, None, :] - means  # (b, K, D)
    if covariance_type in ("full", "tied"):
        dof = np.broadcast_to(nu, (K,)) + 1 - D
        factor = (1 + kappa) / (kappa * dof)  # C_k = factor_k Psi_k
        chol = np.linalg.cholesky(psi)
        stack = np.broadcast_to(chol, (K, D, D))
        whitened = [diff[:, k] @ triangular_inverse(stack[k], lower=True).T for k in range(K)]
        delta = np.stack([np.square(w).sum(axis=1) for w in whitened], axis=1) / factor
        log_det = 2 * np.log(np.diagonal(stack, axis1=1, axis2=2)).sum(axis=1) + D * np.log(factor)
        return _log_t_const(dof, D) - 0.5 * log_det - 0.5 * (dof + D) * np.log1p(delta / dof)
    if covariance_type == "diag":
        scale = (1 + kappa)[:, None] * psi / (kappa * nu)[:, None]  # (K, D)
        dof = nu[:, None]
        per_feature = (
            _log_t_const(dof, 1)
            - 0.5 * np.log(scale)
            - 0.5 * (dof + 1) * np.log1p(np.square(diff) / (scale * dof))
        )
        return per_feature.sum(axis=2)
    scale = (1 + kappa) * psi / (kappa * nu)  # (K,)
    delta = np.square(diff).sum(axis=2) / scale
    return _log_t_const(nu, D) - 0.5 * D * np.log(scale) - 0.5 * (nu + D) * np.log1p(delta / nu)


def log_predictive(X: np.ndarray, posterior: NIWPosterior, covariance_type: str) -> np.ndarray:
    """``log p(x_n)`` under the predictive Student-t mixture, chunk by chunk; shape (N,)."""
    alpha = posterior.weight_concentration
    log_weights = np.log(alpha / alpha.sum())
    K, D = posterior.means.shape
    out = np.empty(X.shape[0])
    for part in chunk_slices(X.shape[0], K, D):
        joint = component_log_pdf(X[part], posterior, covariance_type) + log_weights
        top = joint.max(axis=1)
        out[part] = top + np.log(np.exp(joint - top[:, None]).sum(axis=1))
    return out
