"""Mixtures fitted to a Dask array: statistics per block on the workers, M-step here.

Every pass of the EM loop maps a function over the blocks of rows of ``X`` (each block
holds all features) and reduces the small results (``K x D x D`` at most) on the client,
in block order, so the fit never gathers ``X``. With a ``dask.distributed`` client active
the blocks run on its workers; otherwise on Dask's default scheduler. The block function
is the in-memory one (:meth:`._stats.Plan.chunk_statistics`, via
:func:`._stats.e_step`), so the two agree to rounding.

Needs the optional dependency ``dask[array]`` (``pip install 'em-vs-bayes[dask]'``).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from .._validation import check_scale_bounds
from . import _stats
from ._assignment import Assignment
from ._covariance import CovarianceType


def _blocks(X) -> tuple[list, np.ndarray]:
    """The delayed row blocks of ``X`` and the index of each block's first row."""
    blocks = list(X.to_delayed()[:, 0])
    starts = np.concatenate([[0], np.cumsum(X.chunks[0])[:-1]]).astype(np.intp)
    return blocks, starts


def _map_reduce(X, fn, combine, *args) -> Any:
    """``combine`` (in block order) of ``fn(block, *args)`` over the row blocks of ``X``."""
    import dask

    blocks, _ = _blocks(X)
    parts = dask.compute(*[dask.delayed(fn)(block, *args) for block in blocks])
    return functools.reduce(combine, parts)


def _worst_block(block: np.ndarray, start: int, plan: _stats.Plan, count: int):
    idx = _stats.worst_samples(block, plan, count)
    return _stats.sample_log_likelihood(block[idx], plan), idx + start


def _labels_block(block: np.ndarray, plan: _stats.Plan) -> np.ndarray:
    return plan.log_joint(block).argmax(axis=0)


def _scatter_block(block: np.ndarray, mean: np.ndarray) -> np.ndarray:
    diff = block - mean
    return diff.T @ diff


class DaskData:
    """A Dask array of shape (N, D) (or (N,)), validated and rechunked to row blocks.

    Parameters
    ----------
    X : dask.array.Array
    min_samples : int
    min_samples_reason : str
        As for :func:`em._validation.check_array`.
    """

    def __init__(self, X, *, min_samples: int = 1, min_samples_reason: str = ""):
        import dask

        if X.ndim == 1:
            X = X.reshape(-1, 1)
        if X.ndim != 2:
            raise ValueError(
                f"X must be 1-D (n_samples,) or 2-D (n_samples, n_features); got a Dask array "
                f"with shape {X.shape}"
            )
        if any(np.isnan(c) for axis in X.chunks for c in axis):
            raise ValueError(
                "X is a Dask array with unknown chunk sizes; call X.compute_chunk_sizes() "
                "first (the fit needs the number of rows of every block)"
            )
        if not (np.issubdtype(X.dtype, np.number) or np.issubdtype(X.dtype, np.bool_)):
            raise TypeError(f"X must be numeric; got a Dask array of dtype {X.dtype}")
        if np.issubdtype(X.dtype, np.complexfloating):
            raise TypeError("X must be real; got complex values")
        n_samples, n_features = X.shape
        if n_samples == 0 or n_features == 0:
            raise ValueError(f"X is empty (shape {X.shape}); at least one sample is required")
        if n_samples < min_samples:
            reason = f" ({min_samples_reason})" if min_samples_reason else ""
            raise ValueError(
                f"X has {n_samples} samples; at least {min_samples} are required{reason}"
            )
        # Every block holds whole rows: the statistics of a block need all its features.
        self.X = X.astype(np.float64).rechunk({1: -1})
        self.n_samples, self.n_features = n_samples, n_features
        finite, low, high = dask.compute(
            dask.array.isfinite(self.X).all(), self.X.min(axis=0), self.X.max(axis=0)
        )
        if not finite:
            raise ValueError(
                "X contains non-finite values (NaN or inf); only finite numbers are accepted"
            )
        check_scale_bounds(np.asarray(low), np.asarray(high), "X", two_d=True)
        self.largest_abs = max(float(np.max(high)), -float(np.min(low)))

    def e_step(self, plan: _stats.Plan, assignment: Assignment) -> _stats.Statistics:
        return _map_reduce(self.X, _stats.e_step, _stats.combine, plan, assignment)

    def log_likelihood(self, plan: _stats.Plan) -> float:
        return float(_map_reduce(self.X, _stats.log_likelihood, lambda a, b: a + b, plan))

    def worst_samples(self, plan: _stats.Plan, count: int) -> np.ndarray:
        import dask

        blocks, starts = _blocks(self.X)
        parts = dask.compute(
            *[
                dask.delayed(_worst_block)(block, int(start), plan, count)
                for block, start in zip(blocks, starts, strict=True)
            ]
        )
        values = np.concatenate([p[0] for p in parts])
        indices = np.concatenate([p[1] for p in parts])
        return indices[np.lexsort((indices, values))[:count]]

    def labels(self, plan: _stats.Plan):
        """Most probable component of every sample, as a lazy Dask array (N,)."""
        return self.X.map_blocks(_labels_block, plan, drop_axis=1, dtype=np.intp)

    def rows(self, indices: np.ndarray) -> np.ndarray:
        indices = int(indices) if np.ndim(indices) == 0 else np.asarray(indices)
        return np.asarray(self.X[indices].compute())

    def feature_variances(self) -> np.ndarray:
        """Variance of each feature over all the data (divides by N); shape (D,)."""
        mean = np.asarray(self.X.mean(axis=0).compute())
        return np.diag(_map_reduce(self.X, _scatter_block, np.add, mean)) / self.n_samples

    def covariance(self, reg_covar: float, covariance: CovarianceType) -> np.ndarray:
        mean = np.asarray(self.X.mean(axis=0).compute())
        scatter = _map_reduce(self.X, _scatter_block, np.add, mean)
        return covariance.from_data_scatter(scatter, self.n_samples, reg_covar)
