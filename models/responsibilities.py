"""Posterior responsibilities ``P(z_i = k | x_i, theta)``, averaged over the posterior.

This is EM's E-step evaluated at every posterior draw instead of at one point estimate; the
spread over draws says how sure the posterior is of each point's component. Plain numpy and
scipy, in log space.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from scipy.special import logsumexp
from scipy.stats import norm

from ._validation import check_idata, check_matrix, check_vector

__all__ = ["posterior_responsibilities"]

# Draws handled at once; bounds the (draws, n, K, d) intermediate arrays.
_CHUNK = 256


def posterior_responsibilities(idata: xr.DataTree, X) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sd over posterior draws of each point's component probabilities.

    The mixture is recognised from the posterior: ``mu`` of dims (component) with ``sigma``
    is :func:`models.normal_mixture`; ``mu`` of dims (component, feature) with ``cov`` is
    :func:`models.mv_normal_mixture`.

    Parameters
    ----------
    idata : xarray.DataTree
        A posterior of one of the two mixture models.
    X : array-like of shape (n,) or (n, d)
        Points to classify (the fitted data or new points).

    Returns
    -------
    mean : ndarray of shape (n, K)
        Posterior mean of ``P(z_i = k | x_i, theta)``; rows sum to 1.
    sd : ndarray of shape (n, K)
        Its posterior standard deviation.
    """
    check_idata(idata)
    post = idata.posterior
    missing = {"w", "mu"} - set(post.data_vars)
    if missing:
        raise ValueError(f"idata's posterior lacks {sorted(missing)}: not a mixture posterior")
    w = _stacked(post["w"])  # (S, K)
    mu = _stacked(post["mu"])
    if mu.ndim == 2 and "sigma" in post.data_vars:
        x = check_vector(X, "X")
        log_r = _log_weighted_1d(x, np.log(w), mu, _stacked(post["sigma"]))
    elif mu.ndim == 3 and "cov" in post.data_vars:
        x = check_matrix(X, "X")
        if x.shape[1] != mu.shape[2]:
            raise ValueError(f"X has {x.shape[1]} features; the posterior has {mu.shape[2]}")
        log_r = _log_weighted_mv(x, np.log(w), mu, _stacked(post["cov"]))
    else:
        raise ValueError("idata's posterior is neither a 1-D nor an n-D mixture posterior")
    r = np.exp(log_r - logsumexp(log_r, axis=-1, keepdims=True))  # (S, n, K)
    return r.mean(axis=0), r.std(axis=0)


def _stacked(da: xr.DataArray) -> np.ndarray:
    """Values with (chain, draw) merged into a leading sample axis."""
    other = [d for d in da.dims if d not in ("chain", "draw")]
    return da.transpose("chain", "draw", *other).values.reshape(-1, *da.shape[2:])


def _log_weighted_1d(x, log_w, mu, sigma) -> np.ndarray:
    """``log w_k + log N(x_i | mu_k, sigma_k^2)`` of shape (S, n, K)."""
    return log_w[:, None, :] + norm.logpdf(x[None, :, None], mu[:, None, :], sigma[:, None, :])


def _log_weighted_mv(X, log_w, mu, cov) -> np.ndarray:
    """``log w_k + log N(x_i | mu_k, Sigma_k)`` of shape (S, n, K), via Cholesky factors."""
    d = X.shape[1]
    chol = np.linalg.cholesky(cov)  # (S, K, d, d)
    log_det = 2.0 * np.log(np.diagonal(chol, axis1=-2, axis2=-1)).sum(axis=-1)  # (S, K)
    out = np.empty((mu.shape[0], X.shape[0], mu.shape[1]))
    for start in range(0, mu.shape[0], _CHUNK):
        s = slice(start, start + _CHUNK)
        diff = X[None, :, None, :] - mu[s, None, :, :]  # (s, n, K, d)
        # Solve L z = diff for every draw and component at once; |z|^2 is the Mahalanobis term.
        z = np.linalg.solve(chol[s, None], diff[..., None])[..., 0]
        maha = np.sum(z**2, axis=-1)
        out[s] = log_w[s, None, :] - 0.5 * (maha + log_det[s, None, :] + d * np.log(2 * np.pi))
    return out
