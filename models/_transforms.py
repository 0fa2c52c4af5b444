"""Bijections to unconstrained space for the mixtures' parameters, with log-Jacobians.

NUTS samples in the transformed space; ``pm.find_MAP`` optimises there too, but on the
density without the Jacobian, so its optimum is the mode in the variables' own space.
"""

from __future__ import annotations

import numpy as np
import pytensor.tensor as pt
from pymc.distributions.transforms import Transform

__all__ = ["LogCholesky", "OrderedFirstColumn"]


class OrderedFirstColumn(Transform):
    """Orders the rows of a (K, d) matrix by their first column; other columns are free.

    PyMC's ``ordered`` works on the last axis, which would order every feature across
    components; only the first one must be ordered to remove label switching.
    """

    name = "orderedfirst"  # no underscore: PyMC parses "<var>_<transform>__" names
    ndim_supp = 2

    def forward(self, value, *inputs):
        col = value[..., :, 0]
        steps = pt.concatenate([col[..., :1], pt.log(col[..., 1:] - col[..., :-1])], axis=-1)
        return pt.set_subtensor(value[..., :, 0], steps)

    def backward(self, value, *inputs):
        col = value[..., :, 0]
        steps = pt.concatenate([col[..., :1], pt.exp(col[..., 1:])], axis=-1)
        return pt.set_subtensor(value[..., :, 0], pt.cumsum(steps, axis=-1))

    def log_jac_det(self, value, *inputs):
        return pt.sum(value[..., 1:, 0], axis=-1)


class LogCholesky(Transform):
    """Symmetric positive-definite (..., d, d) matrices <-> vectors (..., d (d + 1) / 2).

    ``Sigma = L L^T`` with ``L`` lower triangular with a positive diagonal; the vector holds
    the rows of ``L``'s lower triangle (``numpy.tril_indices`` order) with the diagonal
    entries replaced by their logarithms. The log-Jacobian of ``vector -> Sigma`` is
    ``d log 2 + sum_i (d + 2 - i) log L_ii`` (``i = 1..d``): ``2^d prod_i L_ii^(d + 1 - i)``
    from ``L -> L L^T`` times ``prod_i L_ii`` from the exponentiated diagonal.
    """

    name = "logcholesky"
    ndim_supp = 2

    def __init__(self, d: int):
        self.d = int(d)
        self._rows, self._cols = np.tril_indices(self.d)
        self._diag = np.flatnonzero(self._rows == self._cols)  # positions of L_ii, i = 1..d

    def forward(self, value, *inputs):
        packed = pt.linalg.cholesky(value)[..., self._rows, self._cols]
        return pt.set_subtensor(packed[..., self._diag], pt.log(packed[..., self._diag]))

    def backward(self, value, *inputs):
        packed = pt.set_subtensor(value[..., self._diag], pt.exp(value[..., self._diag]))
        chol = pt.zeros((*value.shape[:-1], self.d, self.d), dtype=value.dtype)
        chol = pt.set_subtensor(chol[..., self._rows, self._cols], packed)
        return chol @ chol.mT

    def log_jac_det(self, value, *inputs):
        powers = self.d + 2 - np.arange(1, self.d + 1)
        return self.d * np.log(2.0) + pt.sum(value[..., self._diag] * powers, axis=-1)
