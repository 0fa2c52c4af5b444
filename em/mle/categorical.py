"""Maximum-likelihood probabilities of a categorical (discrete) distribution."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from scipy import stats

from .._base import BaseEstimator
from .._resampling import BootstrapData
from .._validation import check_choice, check_finite, check_level
from ..inference import InferenceTable, interval_table

INTERVALS = ("wilson", "exact", "wald")


class CategoricalMLE(BaseEstimator):
    """Probabilities ``P(X = c_k)`` of a discrete distribution, estimated as frequencies.

    The MLE of each probability is its count divided by the total (the lecture: 100,000
    families with 0, 1, 2, 3 children counted 1,000 / 90,000 / 6,000 / 3,000 give
    0.01 / 0.9 / 0.06 / 0.03).

    Parameters
    ----------
    categories : array-like of shape (K,), optional
        All possible values, so that a value never observed gets probability 0 instead of
        disappearing. Default: the distinct observed values (sorted), or ``0..K-1`` when
        fitting from counts.
    interval : {"wilson", "exact", "wald"}, default="wilson"
        Per-category interval for ``p_k`` (marginal, each from the binomial count
        ``n_k ~ Bin(n, p_k)``; not simultaneous over categories):

        - ``wilson``: the score interval; well behaved near 0 and 1, and for a zero count
          it is ``[0, z^2 / (n + z^2)]``, not a degenerate point.
        - ``exact``: Clopper-Pearson (beta quantiles), conservative; ``[0, 1 - (a/2)^(1/n)]``
          for a zero count.
        - ``wald``: ``p +/- z se``, clipped to ``[0, 1]``; degenerate ``[0, 0]`` for a zero
          count (kept for comparison: it is what the standard error alone gives).

    Attributes
    ----------
    categories_ : ndarray of shape (K,)
    counts_ : ndarray of shape (K,), int
    n_samples_ : int
    probabilities_ : ndarray of shape (K,)
    probabilities_stderr_ : ndarray of shape (K,)
        Inverse-Fisher standard errors ``sqrt(p_k (1 - p_k) / n)``; 0 for a zero count
        (the information is infinite at the boundary), which is why the default interval
        is Wilson's rather than ``p +/- z se``.
    log_likelihood_ : float
        ``sum_k n_k log p_k`` (``0 log 0 = 0``): the log-probability of the observed
        sequence, without the multinomial coefficient.
    inference_ : InferenceTable
        ``probabilities`` (K,) at level 0.95.

    Examples
    --------
    >>> from em import CategoricalMLE
    >>> m = CategoricalMLE().fit(counts=[1000, 90000, 6000, 3000])
    >>> m.probabilities_.tolist()
    [0.01, 0.9, 0.06, 0.03]
    """

    def __init__(self, categories: Any = None, *, interval: str = "wilson"):
        self.categories = categories
        self.interval = interval

    def fit(self, X: Any = None, y: Any = None, *, counts: Any = None) -> CategoricalMLE:
        """Estimate from samples ``X`` or from ``counts`` (exactly one of them).

        Parameters
        ----------
        X : array-like of shape (n,), optional
            Observed values (numbers or strings).
        y : ignored
        counts : array-like of shape (K,), optional
            Non-negative whole numbers, one per category, not all zero.

        Returns
        -------
        self
        """
        check_choice(self.interval, "interval", INTERVALS)
        if (X is None) == (counts is None):
            raise ValueError("CategoricalMLE.fit needs exactly one of X (samples) or counts")
        categories = None if self.categories is None else _check_categories(self.categories)
        if counts is not None:
            counts = _check_counts(counts)
            if categories is None:
                categories = np.arange(len(counts))
            elif len(categories) != len(counts):
                raise ValueError(
                    f"counts has {len(counts)} entries but categories has {len(categories)}; "
                    "they must match"
                )
        else:
            categories, counts = _count(X, categories)
        self.categories_ = categories
        self.counts_ = counts
        self.n_samples_ = int(counts.sum())
        self.probabilities_ = counts / self.n_samples_
        p = self.probabilities_
        self.probabilities_stderr_ = np.sqrt(p * (1 - p) / self.n_samples_)
        observed = counts > 0
        self.log_likelihood_ = float(counts[observed] @ np.log(p[observed]))
        self.inference_ = self.inference()
        return self

    def inference(self, X: Any = None, y: Any = None, *, level: float = 0.95) -> InferenceTable:
        """Estimates, standard errors and ``interval`` intervals of the probabilities.

        Everything is computed at ``fit``; ``X`` and ``y`` are accepted for the uniform
        interface and ignored.

        Returns
        -------
        InferenceTable
            ``probabilities`` (K,), method ``"wilson"``, ``"exact-clopper-pearson"`` or
            ``"fisher-information"`` (Wald).
        """
        self._check_fitted("probabilities_")
        level = check_level(level)
        lower, upper = binomial_interval(self.counts_, self.n_samples_, level, self.interval)
        method = {
            "wilson": "wilson",
            "exact": "exact-clopper-pearson",
            "wald": "fisher-information",
        }[self.interval]
        return interval_table(
            {"probabilities": self.probabilities_},
            {"probabilities": self.probabilities_stderr_},
            {"probabilities": lower},
            {"probabilities": upper},
            level=level,
            method=method,
        )

    # -------------------------------------------------- bootstrap hook (em._resampling)

    def _bootstrap_data(self, X: Any, y: Any, kind: str) -> BootstrapData:
        self._check_fitted("probabilities_")
        # X may be None (fitted from counts); a rare category missed by a replicate must
        # keep its place, with count 0.
        data = None if X is None else np.asarray(X)
        return BootstrapData(data, shared_params={"categories": self.categories_})

    def _bootstrap_simulate(self, data: BootstrapData, rng: np.random.Generator) -> dict:
        """Counts (K,) of ``n_samples_`` draws from the fitted distribution."""
        return {"counts": rng.multinomial(self.n_samples_, self.probabilities_)}

    def _bootstrap_align(self, values, reference, data):
        return values

    def _bootstrap_estimates(self) -> dict[str, Any]:
        return {"probabilities": self.probabilities_}


def binomial_interval(
    k: np.ndarray, n: int, level: float, kind: str
) -> tuple[np.ndarray, np.ndarray]:
    """Interval for a binomial proportion ``k / n``, element-wise.

    Parameters
    ----------
    k : ndarray of shape (K,)
        Successes.
    n : int
        Trials.
    level : float
    kind : {"wilson", "exact", "wald"}

    Returns
    -------
    lower, upper : ndarray of shape (K,)
    """
    z = stats.norm.ppf(0.5 + level / 2)
    p = k / n
    if kind == "wald":
        half = z * np.sqrt(p * (1 - p) / n)
        return np.clip(p - half, 0, 1), np.clip(p + half, 0, 1)
    if kind == "exact":
        alpha = 1 - level
        # beta.ppf gives NaN at the boundary parameters; the limits there are 0 and 1.
        with np.errstate(invalid="ignore"):
            lower = np.where(k > 0, stats.beta.ppf(alpha / 2, k, n - k + 1), 0.0)
            upper = np.where(k < n, stats.beta.ppf(1 - alpha / 2, k + 1, n - k), 1.0)
        return lower, upper
    center = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return np.clip(center - half, 0, 1), np.clip(center + half, 0, 1)


# Largest count (and total) kept exactly as an int64; beyond it numpy's cast would wrap.
_COUNT_MAX = 2.0**63


def _check_counts(counts: Any) -> np.ndarray:
    """Counts as int64, shape (K,); anything a cast could not keep exactly is refused."""
    arr = np.asarray(counts)
    if np.iscomplexobj(arr):
        raise TypeError("counts must be real whole numbers; got complex values")
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
        raise TypeError(f"counts must be numeric; got an array of dtype {arr.dtype}")
    arr = arr.astype(float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"counts must be a non-empty 1-D array; got shape {arr.shape}")
    check_finite(arr, "counts")
    if (arr < 0).any():
        raise ValueError(
            f"counts must be non-negative; got {arr[arr < 0][0]:g} at index "
            f"{int(np.flatnonzero(arr < 0)[0])}"
        )
    if (arr != np.round(arr)).any():
        raise ValueError("counts must be whole numbers (numbers of observations)")
    if arr.sum() == 0:
        raise ValueError("counts sum to zero; at least one observation is required")
    if arr.max() >= _COUNT_MAX or arr.sum() >= _COUNT_MAX:
        # int64 would wrap (negative probabilities, a negative n_samples_).
        raise ValueError(
            "counts must fit a 64-bit integer, each and their total below 2**63 "
            f"(about 9.2e18); got a largest count of {arr.max():.6g} and a total of "
            f"{arr.sum():.6g}"
        )
    return arr.astype(np.int64)


def _check_categories(categories: Any) -> np.ndarray:
    arr = np.asarray(categories)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"categories must be a non-empty 1-D array; got shape {arr.shape}")
    if len(np.unique(arr)) != arr.size:
        raise ValueError("categories must not contain duplicates")
    return arr


def _count(X: Any, categories: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    arr = np.asarray(X)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"X must be a non-empty 1-D array of observed values; got {arr.shape}")
    if np.issubdtype(arr.dtype, np.number):
        check_finite(arr.astype(float) if not np.iscomplexobj(arr) else np.abs(arr), "X")
    if arr.dtype == object:
        _check_object_values(arr)
    values, counts = np.unique(arr, return_counts=True)
    if categories is None:
        return values, counts.astype(np.int64)
    known = np.isin(values, categories)
    if not known.all():
        raise ValueError(
            f"X contains values not in categories: {values[~known][:5].tolist()}; "
            f"accepted: {categories.tolist()}"
        )
    full = np.zeros(len(categories), dtype=np.int64)
    for value, count in zip(values, counts, strict=True):
        full[np.flatnonzero(categories == value)[0]] = count
    return categories, full


def _check_object_values(arr: np.ndarray) -> None:
    """An object array of observed values: no missing value, one comparable kind.

    Counting sorts the values, so ``None`` or a mix such as strings and numbers would end
    in numpy's bare ``TypeError``; say what is wrong instead.
    """
    for i, value in enumerate(arr):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            raise ValueError(
                f"X has a missing value ({value!r}) at index {i}; every observation must "
                "be a value (drop the missing ones first)"
            )
    kinds = {"number" if isinstance(v, numbers.Number) else type(v).__name__ for v in arr}
    if len(kinds) > 1:
        raise TypeError(
            f"X mixes values of kinds {', '.join(sorted(kinds))}, which cannot be ordered "
            "and counted together; pass values of one kind (e.g. all strings)"
        )
