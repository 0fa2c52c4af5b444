"""Swapping the data of a built model, so one compiled sampler serves many data sets.

Every model builder registers, for each of its ``pm.Data`` containers, the check that its
own argument went through. :func:`set_data` runs the same check on the new values and
insists on the old shape: the compiled sampler, the coordinates and the priors were all
made for that shape. :func:`resize_data` lets the number of observations change as well
(nutpie's compiled sampler takes data of any length; the coordinates follow), for models
whose priors do not depend on the data.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np
import pymc as pm

__all__ = ["OBSERVATIONS", "data_names", "resize_data", "set_data"]

# The dimension of the observations in every builder: the one length a refit may change.
OBSERVATIONS = "obs_id"

# model -> {container name: check(new value) -> validated array}
_CHECKS: weakref.WeakKeyDictionary[pm.Model, dict[str, Callable[[Any], np.ndarray]]] = (
    weakref.WeakKeyDictionary()
)


def register_data_checks(model: pm.Model, **checks: Callable[[Any], np.ndarray]) -> None:
    """Record how the values of each named data container of ``model`` are validated."""
    _CHECKS[model] = dict(checks)


def data_names(model: pm.Model) -> list[str]:
    """Names of the data containers of ``model`` that :func:`set_data` accepts."""
    return [v.name for v in model.data_vars]


def set_data(model: pm.Model, **new: Any) -> pm.Model:
    """Replace the data of ``model`` in place with values of the same shape.

    The next :func:`models.sample` of ``model`` reuses its compiled sampler (no
    recompilation). Priors that were scaled to the original data keep their values: a model
    fitted to many simulated data sets keeps one prior.

    Parameters
    ----------
    model : pymc.Model
        A model made by one of this package's builders.
    **new : array-like
        New values keyed by container name (``x`` for :func:`models.normal_mixture`, ``X``
        for :func:`models.mv_normal_mixture`, ``X`` and ``y`` for the regressions,
        ``counts`` for :func:`models.categorical`); each with the shape of the old value.

    Returns
    -------
    pymc.Model
        ``model`` itself, for chaining.

    Raises
    ------
    ValueError
        An unknown container name, a value that fails the builder's check (NaN/inf, labels
        outside {0, 1}, negative counts, ...) or a shape different from the current one.
    """
    checks = _CHECKS.get(model, {})
    known = data_names(model)
    validated = {}
    for name, value in new.items():
        if name not in known:
            raise ValueError(f"{name!r} is not a data container of this model; known: {known}")
        arr = checks[name](value) if name in checks else np.asarray(value)
        old = model[name].get_value()
        if arr.shape != old.shape:
            raise ValueError(
                f"{name} must keep the shape {old.shape} the model was built with; got "
                f"{arr.shape}. Build a new model for data of another shape."
            )
        validated[name] = arr.astype(old.dtype, copy=False)
    # Validate everything first, so a bad value leaves the model untouched.
    pm.set_data(validated, model=model)
    return model


def resize_data(model: pm.Model, **new: Any) -> pm.Model:
    """Like :func:`set_data`, but the number of observations may change.

    A container's first dimension may change length when it is the observations
    (:data:`OBSERVATIONS`); every other dimension keeps its length, and the containers
    sharing the observations (``X`` and ``y``) must be given together, with one length.
    nutpie's compiled sampler takes the new length without compiling (PyMC's own NUTS
    compiles at every run anyway). Priors that were scaled to the original data keep their
    values: use it for models whose priors were fixed without looking at the data.

    Parameters
    ----------
    model : pymc.Model
        A model made by one of this package's builders.
    **new : array-like
        New values keyed by container name, as for :func:`set_data`.

    Returns
    -------
    pymc.Model
        ``model`` itself, for chaining.

    Raises
    ------
    ValueError
        What :func:`set_data` refuses, except a new number of observations; also a
        container whose first dimension is not the observations given with another
        length, containers of one model given with different numbers of observations, or
        a container sharing the observations left out while the length changes.
    """
    checks = _CHECKS.get(model, {})
    known = data_names(model)
    dims = model.named_vars_to_dims
    validated, lengths = {}, {}
    for name, value in new.items():
        if name not in known:
            raise ValueError(f"{name!r} is not a data container of this model; known: {known}")
        arr = checks[name](value) if name in checks else np.asarray(value)
        old = model[name].get_value()
        free = bool(dims.get(name)) and dims[name][0] == OBSERVATIONS and old.ndim >= 1
        same_rest = arr.ndim == old.ndim and arr.shape[1:] == old.shape[1:]
        if not (same_rest if free else arr.shape == old.shape):
            what = "keep every dimension but the first" if free else "keep the shape"
            raise ValueError(
                f"{name} must {what} of {old.shape} the model was built with; got {arr.shape}"
            )
        if free:
            lengths[name] = arr.shape[0]
        validated[name] = arr.astype(old.dtype, copy=False)
    if len(set(lengths.values())) > 1:
        raise ValueError(f"the containers must have one number of observations; got {lengths}")
    coords = {}
    if lengths:
        n = next(iter(lengths.values()))
        if n != len(model.coords[OBSERVATIONS]):
            sharing = [v for v in known if dims.get(v) and dims[v][0] == OBSERVATIONS]
            missing = [v for v in sharing if v not in validated]
            if missing:
                raise ValueError(
                    f"the number of observations changes to {n}: give {', '.join(missing)} "
                    f"too (every container along {OBSERVATIONS}: {', '.join(sharing)})"
                )
            coords[OBSERVATIONS] = np.arange(n)
    # Validate everything first, so a bad value leaves the model untouched.
    pm.set_data(validated, model=model, coords=coords or None)
    return model
