"""Argument checks run before any PyMC graph is built or compiled.

Each check raises ``ValueError`` (or ``TypeError`` for a wrong type) whose message names the
argument, says what was wrong and what is accepted. The same rules as ``em`` (which this
package must not import, so the few helpers are repeated here).
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np


def as_float_array(value: Any, name: str) -> np.ndarray:
    """A real, numeric, finite, non-empty float64 copy of ``value``."""
    if value is None:
        raise ValueError(f"{name} is None; an array of numbers is required")
    arr = np.asarray(value)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise TypeError(f"{name} must be numeric; got an array of dtype {arr.dtype}")
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must be real; got complex values")
    arr = np.array(arr, dtype=np.float64)  # a copy: the caller's data is never modified
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); at least one value is required")
    check_finite(arr, name)
    return arr


def check_finite(arr: np.ndarray, name: str) -> None:
    """Refuse NaN and +/-inf, saying how many and where the first one is."""
    bad = ~np.isfinite(arr)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        kind = "NaN" if np.isnan(arr[first]) else "inf"
        raise ValueError(
            f"{name} contains {int(bad.sum())} non-finite value(s) (first: {kind} at index "
            f"{first}); only finite numbers are accepted"
        )


def check_vector(value: Any, name: str, *, min_length: int = 1, reason: str = "") -> np.ndarray:
    """A finite 1-D float vector of shape ``(n,)`` with ``n >= min_length``."""
    arr = as_float_array(value, name)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D of shape (n,); got shape {arr.shape}")
    _check_length(arr, name, min_length, reason)
    return arr


def check_matrix(value: Any, name: str, *, min_rows: int = 1, reason: str = "") -> np.ndarray:
    """A finite 2-D float matrix of shape ``(n, d)``; a 1-D array is read as ``(n, 1)``."""
    arr = as_float_array(value, name)
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be 1-D (n,) or 2-D (n, d); got {arr.ndim} dimensions, shape {arr.shape}"
        )
    _check_length(arr, name, min_rows, reason)
    return arr


def check_binary(value: Any, name: str, *, n: int) -> np.ndarray:
    """A 0/1 outcome vector of length ``n`` (booleans accepted), as float64."""
    arr = check_vector(value, name)
    if arr.shape[0] != n:
        raise ValueError(f"{name} has {arr.shape[0]} entries but X has {n} rows; they must match")
    bad = (arr != 0) & (arr != 1)
    if bad.any():
        raise ValueError(
            f"{name} must contain only the labels 0 and 1; got {np.unique(arr[bad])[:5]} "
            f"({int(bad.sum())} value(s) outside {{0, 1}})"
        )
    return arr


def check_counts(value: Any, name: str) -> np.ndarray:
    """Non-negative integer counts of shape ``(k,)``, ``k >= 2``, with a positive total."""
    arr = check_vector(value, name, min_length=2, reason="a categorical needs two categories")
    if (arr < 0).any():
        raise ValueError(f"{name} must be non-negative counts; got {arr[arr < 0][:5]}")
    if (arr != np.round(arr)).any():
        raise ValueError(f"{name} must be whole numbers (counts); got {arr[arr != np.round(arr)]}")
    if arr.sum() == 0:
        raise ValueError(f"{name} sums to 0; at least one observation is required")
    return arr.astype(np.int64)


def check_int(value: Any, name: str, *, minimum: int | None = None) -> int:
    """An integer (not bool) at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {type(value).__name__} {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value}")
    return int(value)


def check_positive(value: Any, name: str, *, shape: tuple[int, ...] = ()) -> np.ndarray | float:
    """A strictly positive finite scalar, or an array broadcastable to ``shape``."""
    arr = as_float_array(value, name)
    if (arr <= 0).any():
        raise ValueError(f"{name} must be > 0; got {value!r}")
    if arr.ndim == 0:
        return float(arr)
    try:
        return np.broadcast_to(arr, shape).copy()
    except ValueError:
        raise ValueError(
            f"{name} must be a scalar or broadcast to shape {shape}; got {arr.shape}"
        ) from None


def check_choice(value: Any, name: str, choices: Iterable[str]) -> str:
    """One of a fixed set of strings."""
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        raise ValueError(
            f"{name}={value!r} is not supported; accepted: {', '.join(map(repr, choices))}"
        )
    return value


def check_names(names: Any, name: str, n: int, default_prefix: str) -> list[str]:
    """``n`` distinct labels for a coordinate; ``None`` gives ``prefix0, prefix1, ...``."""
    if names is None:
        return [f"{default_prefix}{i}" for i in range(n)]
    labels = [str(v) for v in names]
    if len(labels) != n or len(set(labels)) != n:
        raise ValueError(f"{name} must be {n} distinct names; got {names!r}")
    return labels


def resolve_seed(random_seed) -> int:
    """An int seed from ``None`` (a fresh one), an int, or a ``numpy.random.Generator``."""
    if random_seed is None:
        return int(np.random.SeedSequence().generate_state(1)[0])
    if isinstance(random_seed, np.random.Generator):
        return int(random_seed.integers(2**31))
    if isinstance(random_seed, numbers.Integral) and not isinstance(random_seed, bool):
        if not 0 <= random_seed < 2**32:
            raise ValueError(f"random_seed must be an integer in [0, 2**32); got {random_seed}")
        return int(random_seed)
    raise TypeError(
        "random_seed must be None, a non-negative int or a numpy.random.Generator; "
        f"got {type(random_seed).__name__}"
    )


def _check_length(arr: np.ndarray, name: str, minimum: int, reason: str) -> None:
    if arr.shape[0] < minimum:
        why = f" ({reason})" if reason else ""
        raise ValueError(f"{name} has {arr.shape[0]} rows; at least {minimum} are required{why}")
