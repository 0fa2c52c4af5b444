"""Posterior predictive quantities computed in numpy from posterior draws.

PyMC's ``sample_posterior_predictive`` compiles a function for every model; these models
are simple enough to simulate directly, which costs milliseconds and no compilation.
Draws are thinned to ``n_draws`` evenly spaced posterior draws per chain.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from scipy.special import expit
from scipy.stats import norm

__all__ = ["density_band", "predictive_dataset", "thin"]


def thin(da: xr.DataArray, n_draws: int) -> xr.DataArray:
    """``n_draws`` evenly spaced draws per chain (all of them if there are fewer)."""
    step = max(1, da.sizes["draw"] // max(n_draws, 1))
    return da.isel(draw=slice(None, None, step)).isel(draw=slice(0, n_draws))


def _stack(da: xr.DataArray) -> np.ndarray:
    other = [d for d in da.dims if d not in ("chain", "draw")]
    values = da.transpose("chain", "draw", *other).values
    return values.reshape(-1, *values.shape[2:])


def density_band(grid, w, mu, sigma, prob: float = 0.94) -> dict[str, np.ndarray]:
    """Posterior of a 1-D mixture density on ``grid``.

    Parameters
    ----------
    grid : ndarray of shape (G,)
    w, mu, sigma : DataArray of dims (chain, draw, component)
    prob : float
        Central probability of the band.

    Returns
    -------
    dict
        ``mean``, ``lower``, ``upper``: arrays of shape (G,).
    """
    w, mu, sigma = (_stack(v) for v in (w, mu, sigma))  # (S, K)
    dens = np.sum(w[:, None, :] * norm.pdf(grid[None, :, None], mu[:, None], sigma[:, None]), -1)
    tail = (1.0 - prob) / 2.0
    return {
        "mean": dens.mean(axis=0),
        "lower": np.quantile(dens, tail, axis=0),
        "upper": np.quantile(dens, 1.0 - tail, axis=0),
    }


def predictive_dataset(
    kind: str, posterior: dict, X, observed: xr.DataArray, seed: int, n_draws: int = 100
) -> xr.Dataset:
    """Replicated data sets, one per (thinned) posterior draw, shaped like ``observed``.

    Parameters
    ----------
    kind : str
        The case's kind.
    posterior : dict of DataArray
        Draws in the report's names (:func:`compare.params.posterior_parameters`).
    X : ndarray
        Regressions: the design (n, p). Unused otherwise.
    observed : DataArray
        The observed variable from ``idata.observed_data``; gives the name, dims and shape.
    seed : int
    n_draws : int
        Draws per chain.

    Returns
    -------
    xarray.Dataset
        One variable named like ``observed``, dims ``(chain, draw, *observed.dims)``.
    """
    rng = np.random.default_rng(seed)
    p = {k: thin(v, n_draws) for k, v in posterior.items()}
    first = next(iter(p.values()))
    n_chain, n_draw = first.sizes["chain"], first.sizes["draw"]
    S = n_chain * n_draw
    shape = observed.shape
    if kind == "mixture":
        w = _stack(p["weights"])
        mu = _stack(p["means"])
        n = shape[0]
        # Inverse-CDF draw of each point's component, per posterior draw.
        u = rng.uniform(size=(S, n, 1))
        comp = np.minimum((u > np.cumsum(w, axis=1)[:, None, :]).sum(-1), w.shape[1] - 1)
        rows = np.arange(S)[:, None]
        if "sigma" in p:
            sigma = _stack(p["sigma"])
            sim = mu[rows, comp] + sigma[rows, comp] * rng.standard_normal((S, n))
        else:
            chol = np.linalg.cholesky(_stack(p["covariances"]))  # (S, K, d, d)
            z = rng.standard_normal((S, n, mu.shape[-1]))
            sim = mu[rows, comp] + np.einsum("snij,snj->sni", chol[rows, comp], z)
        sim = sim.reshape(S, *shape)
    elif kind in ("linear", "logistic"):
        eta = _stack(p["intercept"])[:, None] + _stack(p["coef"]) @ np.asarray(X, float).T
        if kind == "linear":
            sim = eta + _stack(p["sigma"])[:, None] * rng.standard_normal(eta.shape)
        else:
            sim = (rng.uniform(size=eta.shape) < expit(eta)).astype(float)
    elif kind == "categorical":
        probs = _stack(p["p"])
        probs = probs / probs.sum(axis=1, keepdims=True)
        total = int(np.asarray(observed).sum())
        sim = np.stack([rng.multinomial(total, q) for q in probs]).astype(float)
    else:
        raise ValueError(f"unknown kind {kind!r}")
    sim = sim.reshape(n_chain, n_draw, *shape)
    coords = {d: observed.coords[d].values for d in observed.dims if d in observed.coords}
    da = xr.DataArray(sim, dims=("chain", "draw", *observed.dims), coords=coords)
    return xr.Dataset({observed.name: da})
