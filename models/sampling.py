"""One sampling wrapper: NUTS by nutpie (default) or by PyMC, with compiled samplers cached.

Compiling a model costs 20-60 s with a cold PyTensor cache and several seconds with a warm
one, while sampling these small models takes about a second. So the nutpie sampler and the
log-likelihood function are compiled once per model object and reused: after
:func:`models.set_data` the cached sampler only receives the new data (nutpie's
``with_data``). PyMC's own NUTS has no such hook and compiles on every call; it is here as a
reference for the benchmark and for cross-checks.

Chains can start from given points (``initvals``, one per chain), e.g. to see whether chains
started far apart find the same mode. They then start exactly there, without jitter.
"""

from __future__ import annotations

import dataclasses
import numbers
import time
import warnings
import weakref
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import nutpie
import pymc as pm
import xarray as xr
from pymc.backends.arviz import apply_function_over_dataset, patch_nutpie_idata
from pymc.initial_point import make_initial_point_fns_per_chain
from pymc.model.transform.conditioning import remove_value_transforms

from ._validation import check_choice, check_int, resolve_seed
from .diagnostics import diagnostics

__all__ = ["SAMPLERS", "SamplingWarning", "compile_counts", "sample"]

SAMPLERS = ("nutpie", "pymc")


class SamplingWarning(UserWarning):
    """The chains did not converge cleanly (R-hat, divergences or too few effective draws)."""


# model -> (structure fingerprint, compiled object). Weak keys: a cache entry lives as long as
# its model does. The fingerprint catches a model changed in place after it was compiled.
_NUTPIE: weakref.WeakKeyDictionary[pm.Model, tuple[tuple, Any]] = weakref.WeakKeyDictionary()
_LOGLIK: weakref.WeakKeyDictionary[pm.Model, tuple[tuple, Any]] = weakref.WeakKeyDictionary()
_COMPILES: Counter[str] = Counter()


def compile_counts() -> dict[str, int]:
    """How many compilations :func:`sample` has done in this process, by kind.

    Keys ``"nutpie"`` (nutpie samplers), ``"pymc"`` (PyMC NUTS runs, one per call) and
    ``"log_likelihood"``. A refit after :func:`models.set_data` adds nothing with nutpie.
    """
    return dict(_COMPILES)


def sample(
    model: pm.Model,
    *,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    sampler: str = "nutpie",
    random_seed: int | np.random.Generator | None = None,
    progressbar: bool = False,
    target_accept: float | None = None,
    cores: int | None = None,
    initvals: Sequence[Mapping[str, Any]] | None = None,
) -> xr.DataTree:
    """Draw from the posterior of ``model`` with NUTS.

    Parameters
    ----------
    model : pymc.Model
        A model from this package (or any PyMC model whose data are ``pm.Data``).
    draws, tune : int
        Kept draws and tuning steps per chain.
    chains : int
        Number of chains; at least 2 are needed for R-hat.
    sampler : {"nutpie", "pymc"}, default "nutpie"
        ``"nutpie"`` reuses a cached compiled sampler; ``"pymc"`` compiles on every call.
    random_seed : int, numpy.random.Generator or None
        The same int gives identical draws, whatever the state of the PyTensor cache. ``None``
        draws a fresh seed; the seed used is recorded in ``attrs["random_seed"]``.
    progressbar : bool, default False
    target_accept : float in (0, 1), optional
        Target acceptance rate of the step-size adaptation (default: the sampler's, 0.8).
    cores : int, optional
        Chains run in parallel; default: as many as the machine has, up to ``chains``.
    initvals : sequence of mappings, optional
        Where each chain starts: one mapping per chain (``len(initvals) == chains``) from
        free-variable names to values in the variable's own (constrained) space, e.g.
        ``{"mu": [40.0, 80.0]}``; variables left out start at the model's default initial
        point. The chains start exactly there, without the usual jitter, so that dispersed
        starts stay as dispersed as given. Ordered means must be given in order. With
        nutpie the chains then run one after another, each from its own start (nutpie
        draws every chain's start from one function), so ``cores`` is not used; with PyMC
        they go to ``pm.sample(initvals=..., init="adapt_diag")``. Neither recompiles.

    Returns
    -------
    xarray.DataTree
        Groups ``posterior``, ``sample_stats``, ``observed_data``, ``log_likelihood`` (and
        ``constant_data``). ``attrs`` of the tree and of ``posterior``: ``sampler``,
        ``random_seed``, ``compile_time`` and ``sampling_time`` (seconds; compile_time
        covers the sampler and the log-likelihood function, 0 on a cache hit), ``compiled``
        (whether this call compiled anything), ``cache_hit`` (its negation), ``draws``,
        ``tune``, ``chains``.

    Raises
    ------
    ValueError
        ``initvals`` of another length than ``chains``, naming a variable the model does not
        have, or with a value whose transformed value is not finite (a negative standard
        deviation, ordered means out of order, ...).

    Warns
    -----
    SamplingWarning
        When :func:`models.diagnostics` finds R-hat > 1.01, divergences or too few effective
        draws; the message lists the reasons.
    """
    if not isinstance(model, pm.Model):
        raise TypeError(f"model must be a pymc.Model; got {type(model).__name__}")
    sampler = check_choice(sampler, "sampler", SAMPLERS)
    draws = check_int(draws, "draws", minimum=1)
    tune = check_int(tune, "tune", minimum=1)
    chains = check_int(chains, "chains", minimum=1)
    cores = None if cores is None else check_int(cores, "cores", minimum=1)
    target_accept = _check_target_accept(target_accept)
    seed = resolve_seed(random_seed)
    initvals, starts = (
        (None, None) if initvals is None else _check_initvals(model, initvals, chains)
    )
    run = dict(draws=draws, tune=tune, chains=chains, cores=cores, seed=seed)
    run |= dict(initvals=initvals, starts=starts)

    if sampler == "nutpie":
        idata, compile_time, compiled = _sample_nutpie(model, run, progressbar, target_accept)
    else:
        idata, compile_time, compiled = _sample_pymc(model, run, progressbar, target_accept)
    loglik, loglik_compile_time, loglik_compiled = _log_likelihood(model, idata)
    idata["log_likelihood"] = loglik
    compile_time += loglik_compile_time
    compiled = compiled or loglik_compiled

    attrs = {
        "sampler": sampler,
        "random_seed": seed,
        "compile_time": compile_time,
        "sampling_time": float(idata.posterior.attrs["sampling_time"]),
        "compiled": compiled,
        "cache_hit": not compiled,
        "draws": draws,
        "tune": tune,
        "chains": chains,
    }
    idata.attrs.update(attrs)
    idata.posterior.attrs.update(attrs)

    report = diagnostics(idata)
    if not report.ok:
        warnings.warn(
            f"sampling did not converge cleanly: {'; '.join(report.reasons)}",
            SamplingWarning,
            stacklevel=2,
        )
    return idata


def _sample_nutpie(model, run, progressbar, target_accept):
    compiled, compile_time, fresh = _cached(_NUTPIE, model, "nutpie", _compile_nutpie)
    # The cached sampler holds copies of the data it was compiled with: hand it the current
    # values (cheap, no compilation), which set_data may have changed since.
    compiled = compiled.with_data(**_current_data(model, compiled))
    options = {} if target_accept is None else {"target_accept": target_accept}
    options |= dict(draws=run["draws"], tune=run["tune"], save_warmup=False)
    options["progress_bar"] = progressbar
    start = time.perf_counter()
    if run["starts"] is None:
        idata = nutpie.sample(
            compiled, chains=run["chains"], cores=run["cores"], seed=run["seed"], **options
        )
    else:
        idata = _sample_nutpie_from(compiled, run["starts"], run["seed"], options)
    # Adds observed_data / constant_data and the posterior's sampling_time, as pm.sample does.
    patch_nutpie_idata(idata, model, sampling_time=time.perf_counter() - start)
    return idata, compile_time, fresh


def _sample_nutpie_from(compiled, starts, seed, options) -> xr.DataTree:
    """One nutpie chain per starting point, joined along ``chain``.

    nutpie asks one function for every chain's start and does not say which chain is
    asking, so a different start per chain needs a run per chain. Each run gets its own
    seed from ``seed`` (equal seeds would give every chain the same random stream).
    """
    seeds = [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(seed).spawn(len(starts))]
    runs = []
    for point, chain_seed in zip(starts, seeds, strict=True):
        fixed = dataclasses.replace(compiled, initial_point_func=lambda _seed, p=point: p.copy())
        runs.append(nutpie.sample(fixed, chains=1, cores=1, seed=chain_seed, **options))
    chains = np.arange(len(starts))
    groups = {
        name: xr.concat([run[name].to_dataset() for run in runs], dim="chain").assign_coords(
            chain=chains
        )
        for name in runs[0].children
    }
    return xr.DataTree.from_dict(groups)


def _check_initvals(model, initvals, chains) -> tuple[list[dict], list[np.ndarray]]:
    """Validated ``initvals`` (float arrays) and each chain's start as nutpie's flat vector.

    nutpie's vector holds the transformed values of the free variables in model order.
    PyMC's own initial-point functions apply the transforms, so the checks and nutpie see
    what ``pm.sample(initvals=...)`` would.
    """
    if isinstance(initvals, Mapping) or not isinstance(initvals, Sequence):
        raise TypeError(
            f"initvals must be a sequence of mappings, one per chain; got {type(initvals).__name__}"
        )
    if len(initvals) != chains:
        raise ValueError(
            f"initvals has {len(initvals)} entries for chains={chains}; one mapping per chain "
            "is accepted"
        )
    free = [rv.name for rv in model.free_RVs]
    for c, point in enumerate(initvals):
        if not isinstance(point, Mapping):
            raise TypeError(f"initvals[{c}] must be a mapping of variable names to values")
        unknown = sorted(set(point) - set(free))
        if unknown:
            raise ValueError(
                f"initvals[{c}] names {unknown}, not free variables of the model; accepted: {free}"
            )
    overrides = [{k: np.asarray(v, dtype=float) for k, v in p.items()} for p in initvals]
    functions = make_initial_point_fns_per_chain(
        model=model, overrides=overrides, jitter_rvs=set(), chains=chains
    )
    starts = []
    for c, function in enumerate(functions):
        point = function(None)
        parts = []
        for rv in model.free_RVs:
            value = np.asarray(point[model.rvs_to_values[rv].name], dtype=np.float64)
            if not np.isfinite(value).all():
                raise ValueError(
                    f"initvals[{c}][{rv.name!r}] is outside the variable's support (or not "
                    "in order, for ordered means): its transformed value is not finite"
                )
            parts.append(value.ravel())
        starts.append(np.concatenate(parts))
    return overrides, starts


def _compile_nutpie(model):
    return nutpie.compile_pymc_model(model)


def _current_data(model, compiled) -> dict[str, np.ndarray]:
    known = {var.name for var in compiled.shared_var_keys}
    return {v.name: v.get_value() for v in model.data_vars if v.name in known}


def _sample_pymc(model, run, progressbar, target_accept):
    options = {} if target_accept is None else {"nuts": {"target_accept": target_accept}}
    if run["starts"] is not None:
        # adapt_diag starts every chain exactly at its initvals (no jitter), as nutpie does.
        options |= {"initvals": run["initvals"], "init": "adapt_diag"}
    start = time.perf_counter()
    idata = pm.sample(
        model=model,
        draws=run["draws"],
        tune=run["tune"],
        chains=run["chains"],
        cores=run["cores"],
        random_seed=run["seed"],
        progressbar=progressbar,
        nuts_sampler="pymc",
        compute_convergence_checks=False,
        quiet=True,
        **options,
    )
    _COMPILES["pymc"] += 1
    # pm.sample compiles and initialises inside; what it did not spend sampling is that.
    compile_time = time.perf_counter() - start - float(idata.posterior.attrs["sampling_time"])
    return idata, max(compile_time, 0.0), True


def _log_likelihood(model, idata) -> tuple[xr.Dataset, float, bool]:
    """Pointwise log-likelihood of every draw, with a cached compiled function.

    ``pm.compute_log_likelihood`` compiles a new function on every call; this is the same
    computation with the compilation paid once per model. Returns the dataset, the compile
    time and whether this call compiled.
    """
    (plain, fn), compile_time, compiled = _cached(_LOGLIK, model, "log_likelihood", _compile_loglik)
    # The function belongs to a copy of the model with its own data containers: give them
    # the model's current data (set_data may have changed it).
    for var in model.data_vars:
        plain[var.name].set_value(var.get_value())
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


def _compile_loglik(model):
    # The posterior holds constrained values, so the function takes them untransformed.
    plain = remove_value_transforms(model)
    fn = plain.compile_fn(
        inputs=plain.value_vars,
        outs=plain.logp(vars=list(plain.observed_RVs), sum=False),
        on_unused_input="ignore",
    )
    return plain, fn


def _cached(cache, model, kind, build):
    """``(object, compile_time, compiled_now)`` from ``cache``, building it on a miss."""
    fingerprint = (tuple(model.named_vars), tuple(v.name for v in model.data_vars))
    entry = cache.get(model)
    if entry is not None and entry[0] == fingerprint:
        return entry[1], 0.0, False
    start = time.perf_counter()
    obj = build(model)
    cache[model] = (fingerprint, obj)
    _COMPILES[kind] += 1
    return obj, time.perf_counter() - start, True


def _check_target_accept(value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < value < 1:
        raise ValueError(f"target_accept must be a number strictly between 0 and 1; got {value!r}")
    return float(value)
