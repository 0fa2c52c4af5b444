"""One sampling wrapper: NUTS by nutpie (default) or by PyMC, with compiled samplers cached.

Compiling a model costs 20-60 s with a cold PyTensor cache and several seconds with a warm
one, while sampling these small models takes about a second. So the nutpie sampler and the
log-likelihood function are compiled once per model object and reused: after
:func:`models.set_data` the cached sampler only receives the new data (nutpie's
``with_data``). PyMC's own NUTS has no such hook and compiles on every call; it is here as a
reference for the benchmark and for cross-checks.
"""

from __future__ import annotations

import numbers
import time
import warnings
import weakref
from collections import Counter
from typing import Any

import numpy as np
import nutpie
import pymc as pm
import xarray as xr
from pymc.backends.arviz import apply_function_over_dataset, patch_nutpie_idata
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

    Returns
    -------
    xarray.DataTree
        Groups ``posterior``, ``sample_stats``, ``observed_data``, ``log_likelihood`` (and
        ``constant_data``). ``attrs`` of the tree and of ``posterior``: ``sampler``,
        ``random_seed``, ``compile_time`` and ``sampling_time`` (seconds; compile_time
        covers the sampler and the log-likelihood function, 0 on a cache hit), ``compiled``
        (whether this call compiled anything), ``cache_hit`` (its negation), ``draws``,
        ``tune``, ``chains``.

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
    run = dict(draws=draws, tune=tune, chains=chains, cores=cores, seed=seed)

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
    start = time.perf_counter()
    idata = nutpie.sample(
        compiled,
        draws=run["draws"],
        tune=run["tune"],
        chains=run["chains"],
        cores=run["cores"],
        seed=run["seed"],
        save_warmup=False,
        progress_bar=progressbar,
        **options,
    )
    # Adds observed_data / constant_data and the posterior's sampling_time, as pm.sample does.
    patch_nutpie_idata(idata, model, sampling_time=time.perf_counter() - start)
    return idata, compile_time, fresh


def _compile_nutpie(model):
    return nutpie.compile_pymc_model(model)


def _current_data(model, compiled) -> dict[str, np.ndarray]:
    known = {var.name for var in compiled.shared_var_keys}
    return {v.name: v.get_value() for v in model.data_vars if v.name in known}


def _sample_pymc(model, run, progressbar, target_accept):
    options = {} if target_accept is None else {"nuts": {"target_accept": target_accept}}
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
