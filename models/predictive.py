"""Prior and posterior predictive draws, for the checks a report plots."""

from __future__ import annotations

import warnings

import pymc as pm
import xarray as xr

from ._validation import check_idata, check_int, resolve_seed

__all__ = ["posterior_predictive", "prior_predictive"]


def prior_predictive(model: pm.Model, *, draws: int = 500, random_seed=None) -> xr.DataTree:
    """Parameters and data simulated from the prior.

    Parameters
    ----------
    model : pymc.Model
    draws : int, default 500
    random_seed : int, numpy.random.Generator or None

    Returns
    -------
    xarray.DataTree
        Groups ``prior`` (parameters), ``prior_predictive`` (simulated observations, e.g.
        ``x_obs`` of dims (chain, draw, obs_id)) and ``observed_data``.
    """
    draws = check_int(draws, "draws", minimum=1)
    with warnings.catch_warnings():
        # The conjugate prior's inverse-Wishart draws come from scipy, which Numba runs in
        # object mode; PyTensor warns about it, harmlessly (a few draws, once).
        warnings.filterwarnings("ignore", message="Numba will use object mode")
        return pm.sample_prior_predictive(
            draws=draws, model=model, random_seed=resolve_seed(random_seed)
        )


def posterior_predictive(
    model: pm.Model, idata: xr.DataTree, *, random_seed=None, progressbar: bool = False
) -> xr.DataTree:
    """Data simulated from the posterior draws in ``idata``.

    Parameters
    ----------
    model : pymc.Model
        The model ``idata`` was sampled from, holding the data it was fitted to.
    idata : xarray.DataTree
        A result of :func:`models.sample`; it is not modified.
    random_seed : int, numpy.random.Generator or None
    progressbar : bool, default False

    Returns
    -------
    xarray.DataTree
        Groups ``posterior_predictive`` (one simulated data set per draw, dims
        (chain, draw, ...)) and ``observed_data``.
    """
    check_idata(idata)
    return pm.sample_posterior_predictive(
        idata,
        model=model,
        # The posterior's draws are kept as they are; PyMC would otherwise warn that the
        # priors' shared hyperparameters could have changed since sampling.
        freeze_vars=[rv.name for rv in model.free_RVs if rv.name in idata.posterior],
        random_seed=resolve_seed(random_seed),
        progressbar=progressbar,
        extend_inferencedata=False,
    )
