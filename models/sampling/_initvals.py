"""Validation of per-chain starting points, in the form each backend needs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pymc as pm
from pymc.initial_point import make_initial_point_fns_per_chain

from .._validation import as_float_array

__all__ = ["check_initvals"]


def check_initvals(
    model: pm.Model, initvals: Sequence[Mapping[str, Any]], chains: int
) -> tuple[list[dict[str, np.ndarray]], list[np.ndarray]]:
    """Validated ``initvals`` (float arrays) and each chain's start as a flat vector.

    The vector holds the transformed values of the free variables in model order (what
    nutpie's initial-point function returns). PyMC's own initial-point functions apply the
    transforms, so the checks see what ``pm.sample(initvals=...)`` would.

    Raises
    ------
    TypeError
        ``initvals`` not a sequence of mappings.
    ValueError
        Another length than ``chains``, an unknown variable name, or a start whose
        transformed value is not finite (outside the support, ordered means out of order).
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
    # as_float_array refuses complex values (numpy would drop their imaginary part).
    overrides = [
        {k: as_float_array(v, f"initvals[{c}][{k!r}]") for k, v in p.items()}
        for c, p in enumerate(initvals)
    ]
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
