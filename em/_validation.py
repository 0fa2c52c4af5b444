"""Argument checks shared by every estimator.

Each check raises ``ValueError`` (or ``TypeError`` for a wrong type) with a message that
names the argument, says what was wrong and what is accepted. Nothing is coerced silently:
an integer array becomes float64 (lossless for the magnitudes we handle), anything else that
is not numeric is refused.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np

from ._chunks import chunks

# Rows per block of the finiteness check of large arrays.
_FINITE_BLOCK = 65_536


def check_array(
    X: Any,
    name: str = "X",
    *,
    allow_1d: bool = True,
    min_samples: int = 1,
    min_samples_reason: str = "",
    copy: bool = True,
) -> np.ndarray:
    """Validate a data matrix and return it as a float64 array of shape ``(n, d)``.

    Parameters
    ----------
    X : array-like of shape (n,) or (n, d)
        The data. A 1-D array is read as ``n`` samples of one feature when ``allow_1d``.
    name : str
        Argument name used in error messages.
    allow_1d : bool
        Whether shape ``(n,)`` is accepted (as ``(n, 1)``).
    min_samples : int
        Minimum number of rows.
    min_samples_reason : str
        Appended to the error message when there are too few rows (e.g. "n_components=3").
    copy : bool, default True
        Return a copy, so the caller's data are safe from any later change. ``False`` for
        callers that only read: a float64 array is then returned as it is (a view), which
        keeps the memory of a fit on large data independent of ``N``.

    Returns
    -------
    ndarray of shape (n, d), dtype float64
    """
    arr = _as_float_array(X, name, copy=copy)
    if arr.ndim == 1:
        if not allow_1d:
            raise ValueError(f"{name} must be 2-D of shape (n_samples, n_features); got 1-D")
        arr = arr.reshape(-1, 1)
    elif arr.ndim != 2:
        raise ValueError(
            f"{name} must be 1-D (n_samples,) or 2-D (n_samples, n_features); "
            f"got {arr.ndim} dimensions with shape {arr.shape}"
        )
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); at least one sample is required")
    check_finite(arr, name)
    if arr.shape[0] < min_samples:
        reason = f" ({min_samples_reason})" if min_samples_reason else ""
        raise ValueError(
            f"{name} has {arr.shape[0]} samples; at least {min_samples} are required{reason}"
        )
    return arr


def check_vector(y: Any, name: str = "y", *, n: int | None = None) -> np.ndarray:
    """Validate a 1-D float vector (optionally of length ``n``); shape ``(n,)`` float64."""
    arr = _as_float_array(y, name)
    if arr.ndim == 2 and arr.shape[1] == 1:
        raise ValueError(f"{name} must be 1-D of shape (n_samples,); got shape {arr.shape}")
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D of shape (n_samples,); got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty; at least one value is required")
    check_finite(arr, name)
    if n is not None and arr.shape[0] != n:
        raise ValueError(f"{name} has {arr.shape[0]} entries but X has {n} rows; they must match")
    return arr


def check_finite(arr: np.ndarray, name: str) -> None:
    """Refuse NaN and +/-inf, saying how many and where the first one is.

    Large arrays are checked in blocks of rows, so the check allocates no boolean array as
    large as the data; only a failing array is then examined whole (for the message).
    """
    blocks = chunks(arr.shape[0], _FINITE_BLOCK) if arr.ndim >= 1 else ()
    if arr.ndim >= 1 and all(np.isfinite(arr[part]).all() for part in blocks):
        return
    bad = ~np.isfinite(arr)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        kind = "NaN" if np.isnan(arr[first]) else "inf"
        raise ValueError(
            f"{name} contains {int(bad.sum())} non-finite value(s) (first: {kind} at index "
            f"{first}); only finite numbers are accepted"
        )


def check_int(value: Any, name: str, *, minimum: int | None = None) -> int:
    """An integer (not bool) at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {type(value).__name__} {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value}")
    return int(value)


def check_float(
    value: Any,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    exclusive_minimum: bool = False,
    exclusive_maximum: bool = False,
) -> float:
    """A finite real number within the given bounds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {type(value).__name__} {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value}")
    if minimum is not None and (value <= minimum if exclusive_minimum else value < minimum):
        op = ">" if exclusive_minimum else ">="
        raise ValueError(f"{name} must be {op} {minimum}; got {value}")
    if maximum is not None and (value >= maximum if exclusive_maximum else value > maximum):
        op = "<" if exclusive_maximum else "<="
        raise ValueError(f"{name} must be {op} {maximum}; got {value}")
    return value


def check_choice(value: Any, name: str, choices: Iterable[str]) -> str:
    """One of a fixed set of strings."""
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        raise ValueError(
            f"{name}={value!r} is not supported; accepted: {', '.join(map(repr, choices))}"
        )
    return value


def check_level(level: Any, name: str = "level") -> float:
    """A confidence level strictly between 0 and 1."""
    return check_float(
        level, name, minimum=0.0, maximum=1.0, exclusive_minimum=True, exclusive_maximum=True
    )


def check_random_state(random_state: Any, name: str = "random_state") -> np.random.Generator:
    """Turn ``None``, an int or a ``numpy.random.Generator`` into a Generator.

    A Generator is returned as is (so successive fits draw fresh numbers from it); an int
    seeds a new one, so the same int always gives the same numbers.
    """
    if random_state is None:
        return np.random.default_rng()
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"{name} must be a non-negative integer seed; got {random_state}")
        return np.random.default_rng(int(random_state))
    raise TypeError(
        f"{name} must be None, a non-negative int or a numpy.random.Generator; "
        f"got {type(random_state).__name__}"
    )


def _as_float_array(X: Any, name: str, copy: bool = True) -> np.ndarray:
    if X is None:
        raise ValueError(f"{name} is None; an array of numbers is required")
    arr = np.asarray(X)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise TypeError(f"{name} must be numeric; got an array of dtype {arr.dtype}")
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must be real; got complex values")
    # A copy by default: the caller's data is never modified.
    return np.array(arr, dtype=np.float64, copy=True if copy else None)
