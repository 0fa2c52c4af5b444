"""Where a fit's data live: a NumPy array in memory, or a Dask array (:mod:`._dask`).

The EM loop touches the data only through these few passes, each of which reduces the
samples to something of size ``K x D x D`` at most, so both kinds of data run the same
loop. :func:`fit_data` picks the kind.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_array
from . import _stats
from ._assignment import Assignment
from ._covariance import CovarianceType
from ._dask import DaskData


class InMemory:
    """A validated float64 array of shape (N, D), read chunk by chunk."""

    def __init__(self, X: np.ndarray):
        self.X = X
        self.n_samples, self.n_features = X.shape
        # max |x| by two reductions: np.abs(X) would be a temporary as large as X.
        self.largest_abs = max(float(X.max()), -float(X.min()))

    def e_step(self, plan: _stats.Plan, assignment: Assignment) -> _stats.Statistics:
        return _stats.e_step(self.X, plan, assignment)

    def log_likelihood(self, plan: _stats.Plan) -> float:
        return _stats.log_likelihood(self.X, plan)

    def worst_samples(self, plan: _stats.Plan, count: int) -> np.ndarray:
        return _stats.worst_samples(self.X, plan, count)

    def rows(self, indices: np.ndarray) -> np.ndarray:
        return self.X[indices]

    def feature_variances(self) -> np.ndarray:
        """Variance of each feature over all the data (divides by N); shape (D,)."""
        return np.diag(_stats.data_scatter(self.X)) / self.n_samples

    def covariance(self, reg_covar: float, covariance: CovarianceType) -> np.ndarray:
        """Covariance of all the data in one component's shape (see ``from_data_scatter``)."""
        return covariance.from_data_scatter(_stats.data_scatter(self.X), self.n_samples, reg_covar)


def is_dask_array(X: Any) -> bool:
    """Whether ``X`` is a Dask array (checked without importing Dask)."""
    return type(X).__module__.split(".")[0] == "dask" and hasattr(X, "to_delayed")


def fit_data(X: Any, min_samples: int, min_samples_reason: str):
    """The data of a fit: :class:`InMemory` or :class:`._dask.DaskData`, validated."""
    if is_dask_array(X):
        return DaskData(X, min_samples=min_samples, min_samples_reason=min_samples_reason)
    X = check_array(
        X,
        "X",
        min_samples=min_samples,
        min_samples_reason=min_samples_reason,
        copy=False,  # EM never writes to X; a copy would double the memory of a fit
    )
    return InMemory(X)
