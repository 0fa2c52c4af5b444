"""Writing one file atomically, and checking the data argument every writer takes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["check_data", "write_atomic"]


def write_atomic(path: Path, content: bytes | str) -> int:
    """Write ``content`` to ``path`` through a temporary name and a rename; returns bytes.

    A reader (or a report being rebuilt beside it) never sees half a file, and an
    interrupted write leaves the previous version in place.
    """
    data = content.encode() if isinstance(content, str) else content
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        # mkstemp makes the file private; a report is meant to be read (and served).
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(data)


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
