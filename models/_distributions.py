"""Distributions the conjugate mixture priors need and PyMC does not provide as such.

- :func:`inverse_wishart`: an inverse-Wishart on the covariance matrix itself (a
  ``CustomDist`` with the log-Cholesky transform), so the free variable is ``Sigma``.
- :func:`with_start`: any PyMC distribution with a given default starting point. The
  conjugate means all share one prior location, which an ordering transform cannot start
  from (equal means are its boundary, ``log 0``); ``initval=`` would do, but PyMC cannot
  then rewrite the model (``remove_value_transforms``, which the log-likelihood needs).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pymc as pm
import pytensor.tensor as pt
from scipy.stats import invwishart

from ._transforms import LogCholesky

__all__ = ["inverse_wishart", "inverse_wishart_logp", "with_start"]


def inverse_wishart_logp(value, nu, psi):
    """Log-density of ``InverseWishart(nu, psi)`` at ``value`` (..., d, d), d static.

    ``nu/2 log|psi| - nu d/2 log 2 - log Gamma_d(nu/2) - (nu + d + 1)/2 log|value|
    - tr(psi value^-1) / 2``; the trace is ``|L^-1 C|_F^2`` with ``value = L L^T`` and
    ``psi = C C^T``, which avoids forming an inverse.
    """
    d = int(psi.type.shape[-1])
    chol = pt.linalg.cholesky(value)
    chol_psi = pt.linalg.cholesky(psi)
    log_det = 2.0 * pt.sum(pt.log(pt.diagonal(chol, axis1=-2, axis2=-1)), axis=-1)
    log_det_psi = 2.0 * pt.sum(pt.log(pt.diagonal(chol_psi, axis1=-2, axis2=-1)), axis=-1)
    solved = pt.linalg.solve_triangular(chol, pt.broadcast_to(chol_psi, chol.shape), lower=True)
    trace = pt.sum(solved**2, axis=(-2, -1))
    # log Gamma_d(a) = d (d - 1) / 4 log(pi) + sum_j log Gamma(a + (1 - j) / 2), j = 1..d
    log_gamma_d = d * (d - 1) / 4 * np.log(np.pi) + pt.sum(
        pt.gammaln(nu / 2 + (1 - np.arange(1, d + 1)) / 2)
    )
    return (
        nu / 2 * log_det_psi
        - nu * d / 2 * np.log(2.0)
        - log_gamma_d
        - (nu + d + 1) / 2 * log_det
        - trace / 2
    )


def inverse_wishart(name: str, nu: float, psi: np.ndarray, **kwargs):
    """An inverse-Wishart random variable on (..., d, d) SPD matrices.

    Parameters
    ----------
    name : str
    nu : float
        Degrees of freedom, ``nu > d - 1``.
    psi : ndarray or tensor of shape (d, d)
        Scale matrix, symmetric positive definite; a tensor needs a static shape.
    **kwargs
        ``dims`` or ``shape`` (leading batch axes then the two matrix axes) and the like.

    Returns
    -------
    TensorVariable
        Transformed by :class:`~models._transforms.LogCholesky`; starts at the mean
        ``psi / (nu - d - 1)`` (the mode ``psi / (nu + d + 1)`` if ``nu <= d + 1``); its
        prior draws come from ``scipy.stats.invwishart``.
    """
    psi = pt.as_tensor(psi, dtype="float64")
    d = psi.type.shape[-1]
    if d is None:
        raise ValueError("psi must have a static shape (d, d)")

    def random(nu, psi, rng=None, size=None):
        # PyMC may hand the parameters already broadcast to the batch shape.
        size = np.broadcast_shapes(np.shape(nu), psi.shape[:-2]) if size is None else tuple(size)
        nu, psi = np.broadcast_to(nu, size), np.broadcast_to(psi, (*size, d, d))
        draws = np.empty((*size, d, d))
        for index in np.ndindex(*size):
            draws[index] = invwishart.rvs(df=nu[index], scale=psi[index], random_state=rng)
        return draws

    def support_point(rv, size, nu, psi):
        # The mean where it exists (nu > d + 1), as PyMC's InverseGamma starts; else the mode.
        divisor = pt.switch(nu > d + 1, nu - d - 1, nu + d + 1)
        return pt.broadcast_to(psi / divisor, rv.shape)

    return pm.CustomDist(
        name,
        nu,
        psi,
        logp=inverse_wishart_logp,
        random=random,
        support_point=support_point,
        signature="(),(d,d)->(d,d)",
        transform=LogCholesky(d),
        **kwargs,
    )


def with_start(name: str, dist: Callable, *params, start, signature: str, **kwargs):
    """The random variable ``dist(*params, size=...)`` whose default start is ``start``.

    Parameters
    ----------
    name : str
    dist : callable
        ``dist(*params, size=size)`` returning a PyMC ``.dist`` variable; its log-density
        and prior draws are used unchanged.
    *params : tensors or arrays
        The distribution's parameters.
    start : array-like
        Starting point, of the variable's full shape.
    signature : str
        The core signature of ``dist`` (e.g. ``"(),()->()"`` for a Normal).
    **kwargs
        ``dims``, ``transform`` and the like.
    """
    start = np.asarray(start, dtype=np.float64)

    def support_point(rv, size, *_params):
        return pt.as_tensor(start)

    def sized(*args):
        # CustomDist passes the size last and positionally; ``.dist`` takes it by keyword.
        return dist(*args[:-1], size=args[-1])

    return pm.CustomDist(
        name, *params, dist=sized, support_point=support_point, signature=signature, **kwargs
    )
