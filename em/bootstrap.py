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

What differs between estimators (accepted data, simulation, parameters, label matching)
the estimator itself supplies through the hook of :class:`em._resampling.Resamplable`;
this module knows no estimator class.
"""

from __future__ import annotations

import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._resampling import BootstrapData, Resamplable
from ._validation import check_choice, check_int, check_level, check_n_features, check_random_state
from .inference import InferenceTable, interval_table

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
        :class:`~em.LogisticRegressionMLE` (any estimator implementing
        :class:`em._resampling.Resamplable`), already fitted to ``X`` (and ``y``); it is
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
    if not isinstance(estimator, Resamplable):
        raise ValueError(
            f"bootstrap: {type(estimator).__name__} is not supported; accepted: a fitted "
            "estimator of em (GaussianMixtureEM, ClassificationEM, KMeans, GaussianMLE, "
            "CategoricalMLE, LinearRegressionMLE, LogisticRegressionMLE)"
        )
    data = estimator._bootstrap_data(X, y, kind)
    fitted_width = getattr(estimator, "n_features_in_", None)
    if fitted_width is not None and data.X is not None and data.X.ndim == 2:
        # Otherwise every refit would estimate other parameters than the reference's.
        check_n_features(data.X, fitted_width, type(estimator).__name__)
    reference = _estimates(estimator)

    draws: dict[str, list[np.ndarray]] = {name: [] for name in reference}
    warned: Counter[str] = Counter()
    n_failed = 0
    for _ in range(n_boot):
        clone = type(estimator)(**estimator.get_params())
        if "random_state" in clone.get_params():
            clone.set_params(random_state=int(rng.integers(2**31)))
        clone.set_params(**data.shared_params)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                clone.fit(**_replicate(estimator, data, kind, rng))
            except (ValueError, ArithmeticError, np.linalg.LinAlgError):
                n_failed += 1
                continue
        warned.update({type(w.message).__name__ for w in caught})
        values = estimator._bootstrap_align(_estimates(clone), reference, data)
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


def _estimates(estimator: Resamplable) -> dict[str, np.ndarray]:
    return {name: np.asarray(v, float) for name, v in estimator._bootstrap_estimates().items()}


def _replicate(
    estimator: Resamplable, data: BootstrapData, kind: str, rng: np.random.Generator
) -> dict:
    """Keyword arguments of ``fit`` for one replicate: resampled rows, or simulated data."""
    if kind == "parametric" or data.X is None:
        return estimator._bootstrap_simulate(data, rng)
    rows = rng.integers(data.n_samples, size=data.n_samples)
    if data.y is None:
        return {"X": data.X[rows]}
    return {"X": data.X[rows], "y": data.y[rows]}
