"""Argument checks shared by every estimator.

Each check raises ``ValueError`` (or ``TypeError`` for a wrong type) with a message that
names the argument, says what was wrong and what is accepted. Nothing is coerced silently:
an integer array becomes float64 (lossless for the magnitudes we handle), a pandas object
with numeric (also nullable ``Float64``/``Int64``) columns and no missing value becomes its
float64 values, an object array of real numbers its float64 values; anything else that is not
numeric is refused, and so is sparse input (with how to convert it).

Data must lie in the range float64 arithmetic handles (see :func:`check_scale`): beyond it
squares overflow to inf or variances underflow to 0, and every estimate would be wrong
without a word, so such data are refused with a message that says the scale is out of range.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np

from ._chunks import chunks

# Rows per block of the finiteness check of large arrays.
_FINITE_BLOCK = 65_536

# Range of data the estimators support: the fourth powers of the values and of their spread
# (squares of variances, in standard errors and observed information) must stay inside
# float64's 1e-308..1e308, with room for sums over samples. Narrower than the models'
# (models._validation, 1e100 / 1e-100, which need only squares).
DATA_MAX = 1e75
DATA_SPREAD_MIN = 1e-75


def check_array(
    X: Any,
    name: str = "X",
    *,
    allow_1d: bool = True,
    min_samples: int = 1,
    min_samples_reason: str = "",
    copy: bool = True,
    scale: bool = True,
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
    scale : bool, default True
        Refuse data out of the supported range (:func:`check_scale`).

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
    if arr.shape[1] == 0:
        # The wording "0 feature(s) (shape=...) while a minimum of 1 is required" is
        # scikit-learn's, which its estimator checks look for.
        raise ValueError(
            f"{name} has no features: 0 feature(s) (shape={arr.shape}) while a minimum of 1 "
            "is required; pass at least one column"
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); at least one sample is required")
    check_finite(arr, name)
    if scale:
        check_scale(arr, name)
    if arr.shape[0] < min_samples:
        reason = f" ({min_samples_reason})" if min_samples_reason else ""
        raise ValueError(
            f"{name} has {arr.shape[0]} samples; at least {min_samples} are required{reason}"
        )
    return arr


def check_vector(
    y: Any, name: str = "y", *, n: int | None = None, scale: bool = True
) -> np.ndarray:
    """Validate a 1-D float vector (optionally of length ``n``); shape ``(n,)`` float64.

    ``scale``: refuse values out of the supported range (:func:`check_scale`).
    """
    arr = _as_float_array(y, name)
    if arr.ndim == 2 and arr.shape[1] == 1:
        raise ValueError(f"{name} must be 1-D of shape (n_samples,); got shape {arr.shape}")
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D of shape (n_samples,); got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty; at least one value is required")
    check_finite(arr, name)
    if scale:
        check_scale(arr, name)
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


def check_scale(arr: np.ndarray, name: str) -> np.ndarray:
    """Refuse finite data out of the range float64 arithmetic handles; returns ``arr``.

    Parameters
    ----------
    arr : ndarray of shape (n,) or (n, d), float64, finite
    name : str
        Argument name used in error messages.

    Raises
    ------
    ValueError
        If a value exceeds ``DATA_MAX`` (1e75) in magnitude (squares of variances would
        overflow: infinite inertia or variance, "singular" covariances), or if a
        non-constant column varies by less than ``DATA_SPREAD_MIN`` (1e-75) from its
        smallest to its largest value (its variance would underflow to 0, or be swamped by
        any regularisation). A constant column is accepted: it is degenerate, not out of
        range, and each estimator says so in its own terms.

    Notes
    -----
    Two reductions per column (max and min): no temporary as large as the data.
    """
    columns = arr.reshape(arr.shape[0], -1)
    if columns.size:
        check_scale_bounds(columns.min(axis=0), columns.max(axis=0), name, two_d=arr.ndim == 2)
    return arr


def check_scale_bounds(low: np.ndarray, high: np.ndarray, name: str, *, two_d: bool) -> None:
    """:func:`check_scale` from each column's smallest and largest value, shape (D,) each
    (so that data read in blocks, e.g. a Dask array, are checked the same way)."""
    largest = float(max(np.max(high), -np.min(low)))
    if largest > DATA_MAX:
        raise ValueError(
            f"{name} is out of the supported range: its values reach {largest:.3g} in "
            f"magnitude, but at most {DATA_MAX:g} is supported (the squares of their "
            "variances would overflow float64). Rescale it (divide by a power of ten) and "
            "scale the estimates back"
        )
    spread = high - low
    tiny = np.flatnonzero((spread > 0) & (spread < DATA_SPREAD_MIN))
    if tiny.size:
        j = int(tiny[0])
        where = f" (column {j})" if two_d else ""
        raise ValueError(
            f"{name}{where} is out of the supported range: its values vary by only "
            f"{float(spread[j]):.3g}, but a spread of at least {DATA_SPREAD_MIN:g} is "
            "supported (its variance would underflow to 0). Rescale it (multiply by a power "
            "of ten) and scale the estimates back"
        )


def check_n_features(X: np.ndarray, expected: int, owner: str, name: str = "X") -> np.ndarray:
    """Refuse data whose number of columns differs from the fit's; returns ``X``.

    The message ends with scikit-learn's own words ("X has 1 features, but KMeans is
    expecting 4 features as input"), which its estimator checks look for.
    """
    if X.shape[1] != expected:
        d = X.shape[1]
        raise ValueError(
            f"{name} has {d} features but {owner} was fitted with {expected}; pass data with "
            f"{expected} columns ({name} has {d} features, but {owner} is expecting {expected} "
            "features as input)"
            + (
                # A 1-D X is read as one feature; often it was meant as one sample.
                f". A 1-D {name} is read as n samples of one feature: Reshape your data with "
                f"{name}.reshape(1, -1) if it is a single sample"
                if d == 1
                else ""
            )
        )
    return X


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
    if _is_sparse(X):
        raise TypeError(
            f"{name} is a sparse {type(X).__name__}; sparse input is not supported. Convert "
            f"it to a dense array first ({name}.toarray()) if it fits in memory"
        )
    if _is_pandas(X):
        X = _pandas_values(X, name)
    arr = np.asarray(X)
    if np.iscomplexobj(arr):
        # "Complex data not supported" is scikit-learn's wording, which its checks look for.
        raise ValueError(
            f"{name} has complex values: Complex data not supported; pass real numbers"
        )
    if arr.dtype == object:
        arr = _object_to_float(arr, name)
    elif not (np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)):
        raise TypeError(
            f"{name} must be numeric; got an array of dtype {arr.dtype} (each argument must be "
            "a real number, not a string: convert strings of numbers with .astype(float))"
        )
    # A copy by default: the caller's data is never modified.
    return np.array(arr, dtype=np.float64, copy=True if copy else None)


def _is_sparse(X: Any) -> bool:
    """A scipy.sparse matrix or array, recognised without importing scipy.sparse."""
    return type(X).__module__.startswith("scipy.sparse") and hasattr(X, "toarray")


def _is_pandas(X: Any) -> bool:
    """A pandas DataFrame or Series, recognised without importing pandas."""
    return type(X).__module__.split(".")[0] == "pandas" and hasattr(X, "isna")


def _pandas_values(X: Any, name: str) -> Any:
    """The values of a DataFrame or Series, float64 when every column is numeric.

    Nullable extension columns (``Float64``, ``Int64``, ``boolean``) convert like the numpy
    ones when nothing is missing; a missing value (``pd.NA`` or NaN) is refused with its
    position (row label and column), since numpy would turn ``pd.NA`` into an object array.
    """
    missing = X.isna().to_numpy()
    if missing.any():
        first = tuple(int(i) for i in np.argwhere(missing)[0])
        row = X.index[first[0]]
        row = row.item() if isinstance(row, np.generic) else row  # 11, not np.int64(11)
        where = f"row {row!r}" + (f", column {X.columns[first[1]]!r}" if missing.ndim == 2 else "")
        raise ValueError(
            f"{name} has {int(missing.sum())} missing value(s) (pd.NA or NaN; first at "
            f"{where}); only finite numbers are accepted: drop or impute them first"
        )
    try:
        return X.to_numpy(dtype=np.float64)
    except (TypeError, ValueError):
        return X.to_numpy()  # a non-numeric column: refused below with its dtype


def _object_to_float(arr: np.ndarray, name: str) -> np.ndarray:
    """An object array of real numbers as float64; anything else (None, a string, a dict)
    is a TypeError naming the first such entry and where it is."""
    numeric = np.fromiter(
        (isinstance(v, numbers.Real | np.bool_) for v in arr.flat), dtype=bool, count=arr.size
    )
    if not numeric.all():
        index = np.unravel_index(int(np.argmin(numeric)), arr.shape)
        value = arr[index]
        raise TypeError(
            f"{name} must be numeric; got an array of dtype object holding "
            f"{type(value).__name__} {value!r} at index {tuple(map(int, index))} (each "
            "argument must be a real number, not a string or another object: convert "
            "strings of numbers with .astype(float))"
        )
    return arr.astype(np.float64)
