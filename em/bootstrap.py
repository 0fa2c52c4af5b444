"""The bootstrap for every estimator of ``em``: refit on resampled data, summarise the spread.

Nonparametric: resample the rows of the data (``(X, y)`` pairs for regressions) with
replacement. Parametric: simulate new data of the same size from the fitted model (new
responses at the same ``X`` for regressions). Either way a fresh clone of the estimator is
fitted to each replicate, and the standard deviation and percentiles of the refitted
parameters estimate the sampling distribution of the reference fit.

Mixture (and k-means) labels are arbitrary, and a refit may number its components
differently from the reference ("label switching"): every replicate's components are
matched to the reference's by the Hungarian algorithm on the distances between means
(in units of each feature's standard deviation) before anything is summarised.
"""

from __future__ import annotations

import copy
import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._validation import (
    check_array,
    check_choice,
    check_int,
    check_level,
    check_random_state,
    check_vector,
)
from .alignment import match_components
from .inference import InferenceTable, interval_table
from .mle.categorical import CategoricalMLE
from .mle.gaussian import GaussianMLE
from .mle.linear import LinearRegressionMLE
from .mle.logistic import LogisticRegressionMLE

KINDS = ("nonparametric", "parametric")


@dataclass
class BootstrapResult:
    """Summary and draws of a bootstrap.

    Attributes
    ----------
    table : InferenceTable
        Reference estimate, bootstrap standard error (sd of the draws, ``ddof=1``) and
        percentile interval per scalar parameter; method ``"bootstrap-parametric"`` or
        ``"bootstrap-nonparametric"``.
    draws : dict of str to ndarray
        Parameter name -> refitted values of shape ``(n_boot - n_failed, *shape)``, with
        mixture components aligned to the reference fit.
    n_boot : int
        Replicates attempted.
    n_failed : int
        Replicates whose refit raised an error or gave non-finite values (left out).
    kind : {"nonparametric", "parametric"}
    warnings : dict of str to int
        Warning class name -> number of refits that raised it (e.g. ``ConvergenceWarning``,
        ``SeparationWarning``); the warnings themselves are not repeated.
    """

    table: InferenceTable
    draws: dict[str, np.ndarray]
    n_boot: int
    n_failed: int
    kind: str
    warnings: dict[str, int] = field(default_factory=dict)


def bootstrap(
    estimator: Any,
    X: Any = None,
    y: Any = None,
    n_boot: int = 200,
    kind: str = "nonparametric",
    random_state: Any = None,
    level: float = 0.95,
) -> BootstrapResult:
    """Bootstrap standard errors and percentile intervals of a fitted estimator.

    Parameters
    ----------
    estimator : fitted estimator of ``em``
        :class:`~em.GaussianMixtureEM`, :class:`~em.ClassificationEM`,
        :class:`~em.KMeans` (nonparametric only), :class:`~em.GaussianMLE`,
        :class:`~em.CategoricalMLE`, :class:`~em.LinearRegressionMLE` or
        :class:`~em.LogisticRegressionMLE`, already fitted to ``X`` (and ``y``); it is
        the reference, and is not modified.
    X : array-like of shape (n,) or (n, D)
        The data it was fitted to. May be ``None`` for a ``CategoricalMLE`` fitted from
        counts: then both kinds draw multinomial counts from the fitted probabilities
        (resampling the individual observations is exactly that).
    y : array-like of shape (n,), optional
        The response, for the regressions.
    n_boot : int, default=200
    kind : {"nonparametric", "parametric"}, default="nonparametric"
    random_state : None, int or numpy.random.Generator
        Drives the resampling and seeds each refit's own ``random_state`` (so an int gives
        the same result every time).
    level : float, default=0.95
        Coverage of the percentile intervals.

    Returns
    -------
    BootstrapResult

    Raises
    ------
    ValueError
        For an unknown ``kind``, an estimator that is not fitted or not supported, missing
        data, or fewer than two successful refits.
    """
    n_boot = check_int(n_boot, "n_boot", minimum=2)
    kind = check_choice(kind, "kind", KINDS)
    level = check_level(level)
    rng = check_random_state(random_state)
    adapter = _adapter(estimator, X, y, kind)
    reference = adapter.estimates(estimator)

    draws: dict[str, list[np.ndarray]] = {name: [] for name in reference}
    warned: Counter[str] = Counter()
    n_failed = 0
    for _ in range(n_boot):
        clone = type(estimator)(**estimator.get_params())
        if "random_state" in clone.get_params():
            clone.set_params(random_state=int(rng.integers(2**31)))
        adapter.pin(clone, estimator)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                adapter.refit(clone, rng)
            except (ValueError, ArithmeticError, np.linalg.LinAlgError):
                n_failed += 1
                continue
        warned.update({type(w.message).__name__ for w in caught})
        values = adapter.align(adapter.estimates(clone), reference)
        if not all(np.isfinite(v).all() for v in values.values()):
            n_failed += 1
            continue
        for name, value in values.items():
            draws[name].append(np.asarray(value, float))

    if n_boot - n_failed < 2:
        raise ValueError(
            f"bootstrap: only {n_boot - n_failed} of {n_boot} refits succeeded; at least 2 "
            "are needed for a standard error"
        )
    stacked = {name: np.stack(values) for name, values in draws.items()}
    quantiles = {
        name: np.quantile(d, [(1 - level) / 2, (1 + level) / 2], axis=0)
        for name, d in stacked.items()
    }
    table = interval_table(
        reference,
        {name: d.std(axis=0, ddof=1) for name, d in stacked.items()},
        {name: q[0] for name, q in quantiles.items()},
        {name: q[1] for name, q in quantiles.items()},
        level=level,
        method=f"bootstrap-{kind}",
    )
    return BootstrapResult(table, stacked, n_boot, n_failed, kind, dict(warned))


# ---------------------------------------------------------------------- adapters


class _Adapter:
    """How to read, resample, refit and align one family of estimators."""

    def __init__(self, X: np.ndarray | None, y: np.ndarray | None, kind: str):
        self.X, self.y, self.kind = X, y, kind

    def estimates(self, est: Any) -> dict[str, np.ndarray]:
        return {name: np.asarray(v, float) for name, v in est._estimates().items()}

    def pin(self, clone: Any, reference: Any) -> None:
        """Fix what the replicate must share with the reference (e.g. the categories)."""

    def refit(self, clone: Any, rng: np.random.Generator) -> None:
        raise NotImplementedError

    def align(self, values: dict, reference: dict) -> dict:
        return values

    def rows(self, rng: np.random.Generator) -> np.ndarray:
        return rng.integers(len(self.X), size=len(self.X))


class _Regression(_Adapter):
    def __init__(self, X, y, kind, reference):
        super().__init__(X, y, kind)
        self.reference = reference

    def refit(self, clone, rng):
        if self.kind == "parametric":
            clone.fit(self.X, self.reference._simulate(self.X, rng))
        else:
            idx = self.rows(rng)
            clone.fit(self.X[idx], self.y[idx])


class _Gaussian(_Adapter):
    def __init__(self, X, y, kind, reference):
        super().__init__(X, y, kind)
        self.reference = reference

    def refit(self, clone, rng):
        n = len(self.X)
        clone.fit(
            self.reference._simulate(n, rng)
            if self.kind == "parametric"
            else self.X[self.rows(rng)]
        )


class _Categorical(_Adapter):
    def __init__(self, X, y, kind, reference):
        super().__init__(X, y, kind)
        self.reference = reference

    def pin(self, clone, reference):
        # A rare category may be missed by a replicate; it must stay, with count 0.
        clone.set_params(categories=reference.categories_)

    def refit(self, clone, rng):
        if self.kind == "parametric" or self.X is None:
            clone.fit(counts=self.reference._simulate(self.reference.n_samples_, rng))
        else:
            clone.fit(self.X[self.rows(rng)])


class _Mixture(_Adapter):
    """Gaussian mixtures (soft or hard EM): weights, means, covariances; label-aligned."""

    names = ("weights", "means", "covariances")

    def __init__(self, X, y, kind, reference):
        super().__init__(X, y, kind)
        self.reference = reference
        self.scale = np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)

    def estimates(self, est):
        return {
            "weights": np.asarray(est.weights_, float),
            "means": np.asarray(est.means_, float),
            "covariances": np.asarray(est.covariances_, float),
        }

    def refit(self, clone, rng):
        if self.kind == "parametric":
            simulator = copy.copy(self.reference)
            simulator.random_state = rng  # fresh draws each time, not the reference's seed
            clone.fit(simulator.sample(len(self.X))[0])
        else:
            clone.fit(self.X[self.rows(rng)])

    def align(self, values, reference):
        order = match_components(values["means"], reference["means"], self.scale)
        out = {"weights": values["weights"][order], "means": values["means"][order]}
        out["covariances"] = self.reference._covariance.permute(values["covariances"], order)
        return out


class _KMeans(_Adapter):
    def __init__(self, X, y, kind, reference):
        super().__init__(X, y, kind)
        self.scale = np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)

    def estimates(self, est):
        return {"cluster_centers": np.asarray(est.cluster_centers_, float)}

    def refit(self, clone, rng):
        clone.fit(self.X[self.rows(rng)])

    def align(self, values, reference):
        order = match_components(
            values["cluster_centers"], reference["cluster_centers"], self.scale
        )
        return {"cluster_centers": values["cluster_centers"][order]}


def _adapter(estimator: Any, X: Any, y: Any, kind: str) -> _Adapter:
    name = type(estimator).__name__
    if isinstance(estimator, CategoricalMLE):
        estimator._check_fitted("probabilities_")
        data = None if X is None else np.asarray(X)
        return _Categorical(data, None, kind, estimator)
    if X is None:
        raise ValueError(f"bootstrap: X is required for {name}")
    if isinstance(estimator, LinearRegressionMLE | LogisticRegressionMLE):
        estimator._check_fitted("coef_")
        if y is None:
            raise ValueError(f"bootstrap: y is required for {name}")
        X = check_array(X, "X")
        return _Regression(X, check_vector(y, "y", n=len(X)), kind, estimator)
    X = check_array(X, "X")
    if isinstance(estimator, GaussianMLE):
        estimator._check_fitted("mean_")
        return _Gaussian(X, None, kind, estimator)
    if all(hasattr(estimator, a) for a in ("weights_", "means_", "covariances_")):
        return _Mixture(X, None, kind, estimator)
    if hasattr(estimator, "cluster_centers_"):
        if kind == "parametric":
            raise ValueError(
                f"bootstrap: kind='parametric' needs a generative model; {name} has none. "
                "Use kind='nonparametric'"
            )
        return _KMeans(X, None, kind, estimator)
    raise ValueError(
        f"bootstrap: {name} is not supported or not fitted; fit one of em's estimators first"
    )
