"""PyMC's own NUTS: no compile hook, so it compiles inside every run.

Kept as a reference for the benchmark and for cross-checks of the default backend.
"""

from __future__ import annotations

import pymc as pm
import xarray as xr

from ._backend import Settings

__all__ = ["CACHED", "compile", "run"]

CACHED = False


def compile(model: pm.Model) -> None:
    """Nothing to prepare: ``pm.sample`` compiles the model itself."""
    return None


def run(compiled: None, model: pm.Model, settings: Settings) -> xr.DataTree:
    """``pm.sample(nuts_sampler="pymc")`` with ``settings``."""
    options = {}
    if settings.target_accept is not None:
        options["nuts"] = {"target_accept": settings.target_accept}
    if settings.starts is not None:
        # adapt_diag starts every chain exactly at its initvals (no jitter), as nutpie does.
        options |= {"initvals": settings.initvals, "init": "adapt_diag"}
    return pm.sample(
        model=model,
        draws=settings.draws,
        tune=settings.tune,
        chains=settings.chains,
        cores=settings.cores,
        random_seed=settings.seed,
        progressbar=settings.progressbar,
        nuts_sampler="pymc",
        compute_convergence_checks=False,
        quiet=True,
        **options,
    )
