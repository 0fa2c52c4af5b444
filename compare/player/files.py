"""The data argument every writer of the player takes, checked.

The files themselves are written by :func:`compare._atomic.write_file_atomic`, the report's
own atomic writer.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["check_data"]


def check_data(X: Any, dims: tuple[int, ...] = (1, 2)) -> np.ndarray:
    """``X`` as a finite float array of shape (N, D) with ``D`` in ``dims``.

    A 1-D array is one feature. Raises ValueError or TypeError naming ``X``.
    """
    try:
        X = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"X must be a numeric array; got {type(X).__name__}") from exc
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2 or X.shape[1] not in dims or X.shape[0] < 2:
        raise ValueError(
            f"X has shape {X.shape}; accepted: (N, D) with N >= 2 and D in {dims} "
            "(a 1-D array is one feature)"
        )
    if not np.isfinite(X).all():
        raise ValueError("X has non-finite entries; accepted: finite numbers")
    return X
