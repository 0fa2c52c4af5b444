"""What a model's compiled code depends on, and the values it does not.

Two models whose graphs are equal up to the values of their shared variables (data,
hyperparameters, dimension lengths: the builders keep all three in shared variables) can
run on one compiled function, given each model's shared values. :func:`signature` says when
two models are such twins; :func:`shared_values` gives the values to hand over.
"""

from __future__ import annotations

import hashlib
import io

import numpy as np
import pymc as pm
from pytensor.compile.sharedvalue import SharedVariable
from pytensor.graph.basic import Constant
from pytensor.graph.traversal import ancestors
from pytensor.printing import debugprint
from pytensor.tensor.type import TensorType

__all__ = ["shared_values", "signature"]


def _outputs(model: pm.Model) -> list:
    # The observed variables' values hold the data; the variables' graphs the rest.
    return [
        *model.free_RVs,
        *model.observed_RVs,
        *(model.rvs_to_values[rv] for rv in model.observed_RVs),
        *model.deterministics,
        *model.potentials,
    ]


def shared_values(model: pm.Model) -> dict[str, np.ndarray]:
    """The current value of every named tensor shared variable of ``model``'s graph."""
    out = {var.name: var.get_value(borrow=True) for var in model.data_vars}
    for var in ancestors(_outputs(model)):
        if isinstance(var, SharedVariable) and isinstance(var.type, TensorType) and var.name:
            out[var.name] = var.get_value(borrow=True)
    return out


def signature(model: pm.Model) -> str:
    """A digest of everything that goes into ``model``'s compiled log-density and trace.

    The printed graph of the joint log-density (in the free variables' transformed values)
    and of the deterministics, with types; the full data of every constant (printing may
    abbreviate large ones); the value variables' names; and the coordinates of every
    dimension a free variable or deterministic uses (they label the draws). Shared
    variables enter by name and type only, so models that differ in data, hyperparameters
    or observation count share a signature.
    """
    outputs = [model.logp(), *model.deterministics]
    text = io.StringIO()
    debugprint(outputs, file=text, print_type=True)
    digest = hashlib.sha256(text.getvalue().encode())
    for var in ancestors(outputs):
        if isinstance(var, Constant):
            data = np.asarray(var.data)
            digest.update(f"{data.dtype}{data.shape}".encode())
            digest.update(np.ascontiguousarray(data).tobytes())
    digest.update(repr([v.name for v in model.value_vars]).encode())
    dims = {
        dim
        for var in (*model.free_RVs, *model.deterministics)
        for dim in model.named_vars_to_dims.get(var.name, ())
    }
    for dim in sorted(dims):
        values = model.coords.get(dim)
        digest.update(f"{dim}={None if values is None else list(values)!r}".encode())
    return digest.hexdigest()
