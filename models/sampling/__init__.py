"""One sampling wrapper: NUTS by nutpie (default) or by PyMC, with compiled samplers cached.

Compiling a model costs 20-60 s with a cold PyTensor cache and several seconds with a warm
one, while sampling these small models takes about a second. So a backend that can
(``nutpie``) compiles once per model object, and later calls reuse it, after
:func:`models.set_data` too; the log-likelihood function is cached the same way
(``_loglik``). PyMC's own NUTS has no such hook and compiles on every call.

Chains can start from given points (``initvals``, one per chain), e.g. to see whether chains
started far apart find the same mode. They then start exactly there, without jitter.

Backends live one per module (``nutpie.py``, ``pymc.py``) behind the interface described in
``_backend``; ``BACKENDS`` below is the registry.
"""

from __future__ import annotations

import numbers
import time
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pymc as pm
import xarray as xr

from .._validation import check_choice, check_int, resolve_seed
from ..diagnostics import diagnostics
from . import nutpie as _nutpie
from . import pymc as _pymc
from ._backend import Settings
from ._cache import cached, compile_counts, count_compile
from ._initvals import check_initvals
from ._loglik import log_likelihood

__all__ = ["BACKENDS", "SAMPLERS", "SamplingWarning", "compile_counts", "sample"]

# Sampler name -> backend module (see ``_backend`` for what a backend provides).
BACKENDS = {"nutpie": _nutpie, "pymc": _pymc}
SAMPLERS = tuple(BACKENDS)


class SamplingWarning(UserWarning):
    """The chains did not converge cleanly (R-hat, divergences or too few effective draws)."""


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
        ``"nutpie"`` reuses a cached compiled sampler (that of this model, or of any model
        of the same structure compiled earlier in the process, with this model's data and
        hyperparameters); ``"pymc"`` compiles on every call.
        Any name in :data:`SAMPLERS`.
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
        nutpie, different starts make the chains run one after another, each from its own
        start (nutpie draws every chain's start from one function), so ``cores`` is not
        used; one start given for every chain is one run with parallel chains. With PyMC
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
    sampler = check_choice(sampler, "sampler", BACKENDS)
    chains = check_int(chains, "chains", minimum=1)
    overrides, starts = (
        (None, None) if initvals is None else check_initvals(model, initvals, chains)
    )
    settings = Settings(
        draws=check_int(draws, "draws", minimum=1),
        tune=check_int(tune, "tune", minimum=1),
        chains=chains,
        cores=None if cores is None else check_int(cores, "cores", minimum=1),
        seed=resolve_seed(random_seed),
        progressbar=bool(progressbar),
        target_accept=_check_target_accept(target_accept),
        initvals=overrides,
        starts=starts,
    )

    idata, compile_time, compiled = _run_backend(BACKENDS[sampler], sampler, model, settings)
    loglik, loglik_compile_time, loglik_compiled = log_likelihood(model, idata)
    idata["log_likelihood"] = loglik
    compile_time += loglik_compile_time
    compiled = compiled or loglik_compiled

    attrs = {
        "sampler": sampler,
        "random_seed": settings.seed,
        "compile_time": compile_time,
        "sampling_time": float(idata.posterior.attrs["sampling_time"]),
        "compiled": compiled,
        "cache_hit": not compiled,
        "draws": settings.draws,
        "tune": settings.tune,
        "chains": settings.chains,
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


def _run_backend(backend, name: str, model: pm.Model, settings: Settings):
    """``(idata, compile_time, compiled_now)`` from one backend run."""
    if backend.CACHED:
        rebind = getattr(backend, "rebind", None)
        compiled, compile_time, fresh = cached(name, model, backend.compile, rebind)
        return backend.run(compiled, model, settings), compile_time, fresh
    start = time.perf_counter()
    idata = backend.run(backend.compile(model), model, settings)
    count_compile(name)
    # The backend compiles and initialises inside run: what it did not spend sampling is that.
    compile_time = time.perf_counter() - start - float(idata.posterior.attrs["sampling_time"])
    return idata, max(compile_time, 0.0), True


def _check_target_accept(value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < value < 1:
        raise ValueError(f"target_accept must be a number strictly between 0 and 1; got {value!r}")
    return float(value)
