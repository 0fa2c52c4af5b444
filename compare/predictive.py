"""Posterior predictive quantities computed in numpy from posterior draws.

PyMC's ``sample_posterior_predictive`` compiles a function for every model; these models
are simple enough to simulate directly, which costs milliseconds and no compilation.
Draws are thinned to ``n_draws`` evenly spaced posterior draws per chain; each kind
simulates its own data (:meth:`compare.kinds.Kind.simulate`).
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from scipy.stats import norm

from .settings import HDI_PROB

__all__ = ["density_band", "predictive_dataset", "stack", "thin"]


def thin(da: xr.DataArray, n_draws: int) -> xr.DataArray:
    """``n_draws`` evenly spaced draws per chain (all of them if there are fewer)."""
    step = max(1, da.sizes["draw"] // max(n_draws, 1))
    return da.isel(draw=slice(None, None, step)).isel(draw=slice(0, n_draws))


def stack(da: xr.DataArray) -> np.ndarray:
    """Draws of ``da`` (chain, draw, ...) as one array (chain * draw, ...), chains in order."""
    other = [d for d in da.dims if d not in ("chain", "draw")]
    values = da.transpose("chain", "draw", *other).values
    return values.reshape(-1, *values.shape[2:])


def density_band(grid, w, mu, sigma, prob: float = HDI_PROB) -> dict[str, np.ndarray]:
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
    w, mu, sigma = (stack(v) for v in (w, mu, sigma))  # (S, K)
    dens = np.sum(w[:, None, :] * norm.pdf(grid[None, :, None], mu[:, None], sigma[:, None]), -1)
    tail = (1.0 - prob) / 2.0
    return {
        "mean": dens.mean(axis=0),
        "lower": np.quantile(dens, tail, axis=0),
        "upper": np.quantile(dens, 1.0 - tail, axis=0),
    }


def predictive_dataset(
    kind, posterior: dict, X, observed: xr.DataArray, seed: int, n_draws: int = 100
) -> xr.Dataset:
    """Replicated data sets, one per (thinned) posterior draw, shaped like ``observed``.

    Parameters
    ----------
    kind : compare.kinds.Kind
        The case's kind; its :meth:`~compare.kinds.Kind.simulate` draws the data.
    posterior : dict of DataArray
        Draws in the report's names (:meth:`compare.kinds.Kind.posterior_parameters`).
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
    sim = kind.simulate({k: stack(v) for k, v in p.items()}, X, observed, rng)
    sim = sim.reshape(n_chain, n_draw, *observed.shape)
    coords = {d: observed.coords[d].values for d in observed.dims if d in observed.coords}
    da = xr.DataArray(sim, dims=("chain", "draw", *observed.dims), coords=coords)
    return xr.Dataset({observed.name: da})
