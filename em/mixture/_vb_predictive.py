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

import numpy as np

from .._chunks import chunk_size, chunks
from ._covariance import CovarianceType, covariance_kind
from .prior import NIWPosterior


def component_log_pdf(
    X: np.ndarray, posterior: NIWPosterior, covariance_type: str | CovarianceType
) -> np.ndarray:
    """``log St(x_n | component k)`` for every sample and component; shape (b, K).

    Called on a chunk of rows at a time; allocates (b, K, D).
    """
    _, kappa, means, nu, psi = posterior
    diff = X[:, None, :] - means  # (b, K, D)
    return covariance_kind(covariance_type).predictive_log_pdf(diff, kappa, nu, psi)


def log_predictive(
    X: np.ndarray, posterior: NIWPosterior, covariance_type: str | CovarianceType
) -> np.ndarray:
    """``log p(x_n)`` under the predictive Student-t mixture, chunk by chunk; shape (N,)."""
    kind = covariance_kind(covariance_type)
    alpha = posterior.weight_concentration
    log_weights = np.log(alpha / alpha.sum())
    K, D = posterior.means.shape
    out = np.empty(X.shape[0])
    for part in chunks(X.shape[0], chunk_size(K * D)):  # (b, K, D) buffers
        joint = component_log_pdf(X[part], posterior, kind) + log_weights
        top = joint.max(axis=1)
        out[part] = top + np.log(np.exp(joint - top[:, None]).sum(axis=1))
    return out
