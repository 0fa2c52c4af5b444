"""nutpie's NUTS (Numba backend): compiled once per model structure, refitted for free.

After :func:`models.set_data` the cached sampler only receives the new data (nutpie's
``with_data``, no compilation); a new model of a structure compiled before (other data,
other hyperparameters) gets that sampler with its own values and starting point
(:func:`rebind`).
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import nutpie
import pymc as pm
import xarray as xr
from nutpie.compile_pymc import _rv_dict_to_flat_array_wrapper, _wrap_with_lock
from pymc.backends.arviz import patch_nutpie_idata
from pymc.initial_point import make_initial_point_fn

from ._backend import Settings
from ._structure import shared_values

__all__ = ["CACHED", "compile", "rebind", "run"]

CACHED = True


def compile(model: pm.Model):
    """nutpie's compiled model (logp and gradient through Numba)."""
    return nutpie.compile_pymc_model(model)


def rebind(compiled, model: pm.Model):
    """``compiled`` (from a model of ``model``'s structure) starting where ``model`` starts.

    The data and hyperparameters go in at every :func:`run`; what remains is the initial
    point, built as :func:`nutpie.compile_pymc_model` builds it (the support point of every
    free variable, jittered).
    """
    names = [model.rvs_to_values[rv].name for rv in model.free_RVs]
    pymc_start = make_initial_point_fn(
        model=model,
        default_strategy="support_point",
        jitter_rvs=set(model.free_RVs),
        return_transformed=True,
    )
    start = _rv_dict_to_flat_array_wrapper(
        _wrap_with_lock(pymc_start), names=names, shapes=[compiled._shapes[n] for n in names]
    )
    return dataclasses.replace(compiled, initial_point_func=start)


def run(compiled, model: pm.Model, settings: Settings) -> xr.DataTree:
    """Sample ``model`` with its current data through the compiled sampler."""
    # The cached sampler holds copies of the data it was compiled with: hand it the current
    # values (cheap, no compilation), which set_data may have changed since.
    compiled = compiled.with_data(**_current_data(model, compiled))
    options = {} if settings.target_accept is None else {"target_accept": settings.target_accept}
    options |= dict(draws=settings.draws, tune=settings.tune, save_warmup=False)
    options["progress_bar"] = settings.progressbar
    start = time.perf_counter()
    starts = settings.starts
    if starts is not None and all(np.array_equal(s, starts[0]) for s in starts):
        # One start for every chain: one run, its chains in parallel, all asking for it.
        compiled, starts = _starting_at(compiled, starts[0]), None
    if starts is None:
        idata = nutpie.sample(
            compiled, chains=settings.chains, cores=settings.cores, seed=settings.seed, **options
        )
    else:
        idata = _sample_from(compiled, starts, settings.seed, options)
    # Adds observed_data / constant_data and the posterior's sampling_time, as pm.sample does.
    patch_nutpie_idata(idata, model, sampling_time=time.perf_counter() - start)
    return idata


def _sample_from(compiled, starts, seed, options) -> xr.DataTree:
    """One nutpie chain per starting point, joined along ``chain``.

    nutpie asks one function for every chain's start and does not say which chain is
    asking, so a different start per chain needs a run per chain. Each run gets its own
    seed from ``seed`` (equal seeds would give every chain the same random stream).
    """
    seeds = [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(seed).spawn(len(starts))]
    runs = []
    for point, chain_seed in zip(starts, seeds, strict=True):
        runs.append(
            nutpie.sample(
                _starting_at(compiled, point), chains=1, cores=1, seed=chain_seed, **options
            )
        )
    chains = np.arange(len(starts))
    groups = {
        name: xr.concat([run[name].to_dataset() for run in runs], dim="chain").assign_coords(
            chain=chains
        )
        for name in runs[0].children
    }
    return xr.DataTree.from_dict(groups)


def _starting_at(compiled, point: np.ndarray):
    """``compiled`` with every chain starting exactly at ``point`` (a flat vector)."""
    return dataclasses.replace(compiled, initial_point_func=lambda _seed: point.copy())


def _current_data(model, compiled) -> dict[str, np.ndarray]:
    """``model``'s data, hyperparameters and lengths, for the shared variables ``compiled``
    holds (it may have been compiled from another model of the same structure)."""
    known = {var.name for var in compiled.shared_var_keys}
    return {name: v for name, v in shared_values(model).items() if name in known}
