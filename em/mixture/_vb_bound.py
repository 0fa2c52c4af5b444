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
from scipy.special import gammaln

from ._covariance import CovarianceType, covariance_kind
from .prior import NIWPosterior, NormalInverseWishart


def _log_dirichlet_norm(alpha: np.ndarray) -> float:
    return float(gammaln(alpha.sum()) - gammaln(alpha).sum())


def elbo(
    prior: NormalInverseWishart,
    posterior: NIWPosterior,
    entropy: float,
    covariance_type: str | CovarianceType,
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
    covariance_type : {"full", "tied", "diag", "spherical"} or CovarianceType

    Returns
    -------
    float
    """
    kind = covariance_kind(covariance_type)
    alpha0, kappa0, nu0 = prior.weight_concentration, prior.mean_precision, prior.degrees_of_freedom
    scale0 = prior.scale_for(kind)
    alpha, kappa, _, nu, psi = posterior
    K, D = posterior.means.shape
    n_samples = float(alpha.sum() - K * alpha0)
    bound = entropy + _log_dirichlet_norm(np.full(K, alpha0)) - _log_dirichlet_norm(alpha)
    bound -= 0.5 * n_samples * D * math.log(math.pi)
    return kind.add_evidence(bound, kappa, nu, psi, kappa0, nu0, scale0, D)
