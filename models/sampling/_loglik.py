"""Pointwise log-likelihood of every posterior draw, with the compiled function cached.

``pm.compute_log_likelihood`` compiles a new function on every call; this is the same
computation with the compilation paid once per model (and reused after ``set_data``).
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import xarray as xr
from pymc.backends.arviz import apply_function_over_dataset
from pymc.model.transform.conditioning import remove_value_transforms

from ._cache import cached
from ._structure import shared_values

__all__ = ["log_likelihood"]


def log_likelihood(model: pm.Model, idata: xr.DataTree) -> tuple[xr.Dataset, float, bool]:
    """Log-likelihood of each observation at each draw of ``idata.posterior``.

    Parameters
    ----------
    model : pymc.Model
        The model sampled, holding the data it was fitted to.
    idata : xarray.DataTree
        With a ``posterior`` group of the model's free variables, dims (chain, draw, ...).

    Returns
    -------
    loglik : xarray.Dataset
        One variable per observed variable, dims (chain, draw, *observation dims).
    compile_time : float
        Seconds spent compiling (0 on a cache hit).
    compiled : bool
        Whether this call compiled.
    """
    fn, compile_time, compiled = cached(
        "log_likelihood", model, _compile, rebind=lambda twin, _model: twin
    )
    # The function belongs to a copy of the model (or of a model of the same structure)
    # with its own shared variables: give them this model's current values (set_data may
    # have changed the data; a twin has other data and hyperparameters).
    values = shared_values(model)
    for var in fn.f.get_shared():
        if var.name in values:
            var.set_value(values[var.name])
    free = [rv.name for rv in model.free_RVs]
    # The compiled function trusts its inputs after the first call: give it its own dtypes.
    posterior = idata.posterior.to_dataset()[free].astype(
        {rv.name: rv.type.dtype for rv in model.free_RVs}, copy=False
    )
    coords = {name: np.asarray(v) for name, v in model.coords.items() if v is not None}
    dims = {name: list(d) for name, d in model.named_vars_to_dims.items()}
    loglik = apply_function_over_dataset(
        fn,
        posterior,
        output_var_names=[rv.name for rv in model.observed_RVs],
        dims=dims,
        coords=coords,
        progressbar=False,
    )
    return loglik, compile_time, compiled


def _compile(model: pm.Model):
    # The posterior holds constrained values, so the function takes them untransformed.
    plain = remove_value_transforms(model)
    fn = plain.compile_fn(
        inputs=plain.value_vars,
        outs=plain.logp(vars=list(plain.observed_RVs), sum=False),
        on_unused_input="ignore",
    )
    return fn
