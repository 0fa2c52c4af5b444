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
import xarray as xr


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


def check_counts(value: Any, name: str, *, max_total: int | None = None) -> np.ndarray:
    """Non-negative integer counts of shape ``(k,)``, ``k >= 2``, a positive total, as int64.

    Counts and their total must fit a 64-bit integer: larger values would silently wrap
    around. ``max_total`` lowers the limit on the total (PyMC stores integer data as int32).
    """
    raw = np.asarray(value)
    if raw.dtype == object and all(isinstance(v, numbers.Integral) for v in raw.ravel()):
        # Python ints too large for any numpy integer type.
        _refuse_huge_counts(name, max(raw.ravel(), default=0))
    arr = check_vector(value, name, min_length=2, reason="a categorical needs two categories")
    if (arr < 0).any():
        raise ValueError(f"{name} must be non-negative counts; got {arr[arr < 0][:5]}")
    if (arr != np.round(arr)).any():
        raise ValueError(f"{name} must be whole numbers (counts); got {arr[arr != np.round(arr)]}")
    if raw.dtype.kind in "iu":
        # Integers are compared as integers: as floats, 2**63 - 1 would round up to 2**63.
        if raw.max() > _INT64_MAX:
            _refuse_huge_counts(name, raw.max())
        counts = raw.astype(np.int64)
    else:
        if arr.max() >= 2.0**63:
            _refuse_huge_counts(name, arr.max())
        counts = arr.astype(np.int64)  # whole floats below 2**63 convert exactly
    total = sum(int(c) for c in counts)
    if total > _INT64_MAX:
        raise ValueError(
            f"{name} sums to {total}, more than a 64-bit integer holds ({_INT64_MAX}); the "
            "total of the counts must fit: scale them down"
        )
    if max_total is not None and total > max_total:
        raise ValueError(
            f"{name} sums to {total}; the model stores counts as PyMC integer data, which are "
            f"32-bit, so the total must be at most {max_total}: scale the counts down "
            "(categorical_posterior takes totals up to 2**63 - 1)"
        )
    if total == 0:
        raise ValueError(f"{name} sums to 0; at least one observation is required")
    return counts


_INT64_MAX = int(np.iinfo(np.int64).max)
INT32_MAX = int(np.iinfo(np.int32).max)


def _refuse_huge_counts(name: str, largest) -> None:
    raise ValueError(
        f"{name} must be counts that fit a 64-bit integer (at most 2**63 - 1 = {_INT64_MAX}); "
        f"got a count of {largest:.6g}"
    )


# Range of data the models support: squares of the values and of their spread must stay
# well inside float64 (about 1e-308 to 1e308), with room for the priors built on them.
DATA_MAX = 1e100
DATA_SPREAD_MIN = 1e-100


def check_scale(arr: np.ndarray, name: str) -> np.ndarray:
    """Refuse data too large, or too finely spread, for the models' float64 arithmetic.

    ``arr`` is a validated float array of shape (n,) or (n, d). Its magnitudes must be at
    most ``DATA_MAX`` (1e100), and each column's standard deviation, unless the column is
    constant, at least ``DATA_SPREAD_MIN`` (1e-100). Beyond that the model's log-density
    overflows (NaN) or the data's spread underflows to 0 and the priors built on it are
    wrong by as many orders of magnitude.
    """
    largest = float(np.max(np.abs(arr)))
    if largest > DATA_MAX:
        raise ValueError(
            f"{name} is out of the range the model supports: its values must be at most "
            f"{DATA_MAX:g} in magnitude; got {largest:.3g}. Rescale the data (divide by a "
            "power of ten) and scale the estimates back"
        )
    columns = arr.reshape(len(arr), -1)
    for j, col in enumerate(columns.T):
        if (col == col[0]).all():
            continue  # constant: the builders use a unit scale for it
        spread = float(np.std(col))
        if spread < DATA_SPREAD_MIN:
            where = f" (column {j})" if arr.ndim == 2 else ""
            raise ValueError(
                f"{name}{where} is out of the range the model supports: its standard deviation "
                f"must be at least {DATA_SPREAD_MIN:g} (the spread of non-constant data); got "
                f"{spread:.3g}. Rescale the data (multiply by a power of ten) and scale the "
                "estimates back"
            )
    return arr


def check_data_vector(value: Any, name: str, **options) -> np.ndarray:
    """:func:`check_vector` then :func:`check_scale`: observations a model is fitted to."""
    return check_scale(check_vector(value, name, **options), name)


def check_data_matrix(value: Any, name: str, **options) -> np.ndarray:
    """:func:`check_matrix` then :func:`check_scale`: observations a model is fitted to."""
    return check_scale(check_matrix(value, name, **options), name)


def check_idata(idata: Any, name: str = "idata") -> xr.DataTree:
    """A DataTree with a ``posterior`` group (a result of :func:`models.sample`)."""
    if not isinstance(idata, xr.DataTree):
        raise TypeError(
            f"{name} must be an xarray.DataTree with a posterior group (the result of "
            f"models.sample); got {type(idata).__name__}"
        )
    if "posterior" not in idata.children:
        raise ValueError(
            f"{name} has no posterior group; pass the result of models.sample (groups: "
            f"{list(idata.children)})"
        )
    return idata


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
