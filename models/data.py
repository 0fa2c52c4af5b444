"""Swapping the data of a built model, so one compiled sampler serves many data sets.

Every model builder registers, for each of its ``pm.Data`` containers, the check that its
own argument went through. :func:`set_data` runs the same check on the new values and
insists on the old shape: the compiled sampler, the coordinates and the priors were all
made for that shape.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np
import pymc as pm

__all__ = ["data_names", "set_data"]

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
