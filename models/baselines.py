"""Cheaper approximations that teach something beside the full posterior.

- MAP: the posterior mode. With weak priors it lands next to the EM / maximum-likelihood
  estimate; where it does not, the prior is doing work.
- Mean-field ADVI: a factorised Gaussian fitted to the posterior. It cannot represent the
  dependence between ordered means, so it misstates their spread: a lesson, not a bug.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import xarray as xr

from ._validation import check_int, resolve_seed

__all__ = ["advi", "map_estimate"]


def map_estimate(model: pm.Model, *, random_seed=None) -> dict[str, np.ndarray]:
    """Maximum a posteriori point (L-BFGS-B from the model's initial point).

    Parameters
    ----------
    model : pymc.Model
    random_seed : int, numpy.random.Generator or None
        Only used if the optimiser's start needs jittering (it is not jittered by default).

    Returns
    -------
    dict of str to ndarray
        Every free variable and Deterministic in its natural (constrained) space, e.g.
        ``w`` (K,), ``mu`` (K,), ``sigma`` (K,); no transformed duplicates.
    """
    idata = pm.find_MAP(
        model=model,
        jitter=False,
        progressbar=False,
        random_seed=resolve_seed(random_seed),
        return_inferencedata=True,
    )
    point = idata.posterior.to_dataset().squeeze(("chain", "draw"), drop=True)
    names = [v.name for v in (*model.free_RVs, *model.deterministics)]
    return {name: point[name].values for name in names}


def advi(model: pm.Model, *, n: int = 20_000, draws: int = 1000, random_seed=None) -> xr.DataTree:
    """Mean-field ADVI, then draws from the fitted approximation.

    Parameters
    ----------
    model : pymc.Model
    n : int, default 20000
        Optimisation steps.
    draws : int, default 1000
        Draws from the approximation (one chain).
    random_seed : int, numpy.random.Generator or None

    Returns
    -------
    xarray.DataTree
        A ``posterior`` group with dims (chain=1, draw) like :func:`models.sample`'s, so
        the two can be plotted together; ``attrs["final_loss"]`` is the last negative ELBO.
    """
    n = check_int(n, "n", minimum=1)
    draws = check_int(draws, "draws", minimum=1)
    seed = resolve_seed(random_seed)
    approx = pm.fit(n=n, method="advi", model=model, random_seed=seed, progressbar=False)
    idata = approx.sample(draws, random_seed=seed)
    idata.attrs.update(
        {"method": "advi", "n": n, "random_seed": seed, "final_loss": float(approx.hist[-1])}
    )
    return idata
