"""The evidence lower bound (ELBO) of the variational Gaussian mixture, in closed form.

Right after the update of ``q(w) q(mu, Sigma)`` from responsibilities ``r`` (the point at
which every iteration records it, as scikit-learn does), each conjugate factor is the
exact posterior of a "weighted-data" model, so its part of the bound is a log marginal
likelihood (a ratio of normalising constants):

    ELBO = -sum r log r
           + log C(alpha0 1) - log C(alpha)                      (weights)
           + sum_k log Z(kappa_k, nu_k, Psi_k) / Z(kappa0, nu0, Psi0)
             - N D / 2 log(pi)                                    (means and covariances)

with ``log C(a) = lgamma(sum a) - sum lgamma(a)`` and, for a ``D``-dimensional
normal-inverse-Wishart, ``log Z = lgamma_D(nu / 2) - nu / 2 log |Psi| - D / 2 log kappa``
(the ``2^(nu D / 2)`` of the Wishart and the ``(2 pi)^(-n D / 2)`` of the likelihood
combine into the ``pi``). ``diag`` is ``D`` one-dimensional models per component,
``spherical`` one inverse gamma per component with ``nu_k = nu0 + D n_k``, ``tied`` one
inverse Wishart for all components. Every constant is kept, so the bound is a true lower
bound of ``log p(X)`` and comparable across models.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import gammaln, multigammaln

from .prior import NIWPosterior, NormalInverseWishart


def _log_dirichlet_norm(alpha: np.ndarray) -> float:
    return float(gammaln(alpha.sum()) - gammaln(alpha).sum())


def _log_det(matrices: np.ndarray) -> np.ndarray:
    """``log |A|`` of SPD matrices (..., D, D) from their Cholesky factors."""
    chol = np.linalg.cholesky(matrices)
    return 2 * np.log(np.diagonal(chol, axis1=-2, axis2=-1)).sum(axis=-1)


def _log_niw_norm(kappa, nu, log_det_psi, dim: int):
    """``log Z`` of a ``dim``-dimensional normal-inverse-Wishart (element-wise)."""
    nu = np.asarray(nu, dtype=float)
    return multigammaln(nu / 2, dim) - 0.5 * nu * log_det_psi - 0.5 * dim * np.log(kappa)


def elbo(
    prior: NormalInverseWishart,
    posterior: NIWPosterior,
    entropy: float,
    covariance_type: str,
) -> float:
    """The ELBO at responsibilities with entropy ``entropy`` and ``q = posterior``.

    Parameters
    ----------
    prior : NormalInverseWishart
    posterior : NIWPosterior
        ``prior.update(stats, covariance_type)`` for the statistics of the same
        responsibilities (only then is the closed form the bound).
    entropy : float
        ``-sum_n sum_k r_nk log r_nk``.
    covariance_type : {"full", "tied", "diag", "spherical"}

    Returns
    -------
    float
    """
    alpha0, kappa0, nu0 = prior.weight_concentration, prior.mean_precision, prior.degrees_of_freedom
    scale0 = prior.scale_for(covariance_type)
    alpha, kappa, _, nu, psi = posterior
    K, D = posterior.means.shape
    n_samples = float(alpha.sum() - K * alpha0)
    bound = entropy + _log_dirichlet_norm(np.full(K, alpha0)) - _log_dirichlet_norm(alpha)
    bound -= 0.5 * n_samples * D * math.log(math.pi)
    if covariance_type == "full":
        post = _log_niw_norm(kappa, nu, _log_det(psi), D)
        pri = _log_niw_norm(kappa0, nu0, _log_det(scale0), D)
        return float(bound + (post - pri).sum())
    if covariance_type == "tied":
        # One inverse Wishart; every mean keeps its own kappa.
        iw_post = multigammaln(float(nu) / 2, D) - 0.5 * float(nu) * _log_det(psi)
        iw_pri = multigammaln(nu0 / 2, D) - 0.5 * nu0 * _log_det(scale0)
        means = -0.5 * D * (np.log(kappa) - math.log(kappa0)).sum()
        return float(bound + iw_post - iw_pri + means)
    if covariance_type == "diag":
        post = _log_niw_norm(kappa[:, None], nu[:, None], np.log(psi), 1)
        pri = _log_niw_norm(kappa0, nu0, np.log(scale0), 1)
        return float(bound + (post - pri).sum())
    post = gammaln(nu / 2) - 0.5 * nu * np.log(psi) - 0.5 * D * np.log(kappa)
    pri = gammaln(nu0 / 2) - 0.5 * nu0 * math.log(float(scale0)) - 0.5 * D * math.log(kappa0)
    return float(bound + (post - pri).sum())
