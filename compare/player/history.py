"""Iteration histories: the input format of the player, and a stepping adapter that makes them.

The player draws any object with the attributes of ``em.FitHistory`` (arrays per step,
entry 0 the start):

- ``weights`` (T+1, K), ``means`` (T+1, K, D);
- ``covariances`` (T+1, K, D, D), full matrices, or ``None`` (k-means);
- ``log_likelihood`` (T+1,): entry ``t`` the log-likelihood of the parameters of step ``t``
  (``None`` for k-means);
- ``inertia`` (T+1,) for k-means (absent or ``None`` otherwise).

Until the estimators keep their own history (``keep_history`` / ``history_``),
:func:`stepped_history` produces one exactly: it fits the estimator once as usual (to learn
how many iterations the ordinary fit takes), then replays the run one public ``fit`` call
per iteration (``max_iter=1`` from the previous step's parameters) and records every step.
It is the one place to replace with ``estimator.history_`` later.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from em import (
    ClassificationEM,
    ConvergenceWarning,
    DegenerateComponentWarning,
    GaussianMixtureEM,
    KMeans,
)

__all__ = [
    "ALGORITHMS",
    "IterationHistory",
    "Track",
    "as_track",
    "stepped_histories",
    "stepped_history",
]

# The three algorithms of the side-by-side player, in display order, with their titles.
ALGORITHMS = {"soft": "soft EM", "hard": "hard EM (CEM)", "kmeans": "k-means"}
# How a track colours the points: soft posterior probabilities, the hard EM label (largest
# w_k N(x | mu_k, Sigma_k)), or the nearest centre.
ASSIGNMENTS = ("soft", "hard", "nearest")


@dataclass(frozen=True)
class IterationHistory:
    """Parameters of every step of one run, in the format of ``em.FitHistory``.

    Attributes
    ----------
    weights : ndarray of shape (T+1, K)
        For k-means the fraction of points nearest each centre.
    means : ndarray of shape (T+1, K, D)
    covariances : ndarray of shape (T+1, K, D, D) or None
        ``None`` for k-means.
    log_likelihood : ndarray of shape (T+1,) or None
        Mixture log-likelihood of each step's parameters; ``None`` for k-means.
    inertia : ndarray of shape (T+1,) or None
        k-means only: sum of squared distances to the nearest centre.
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray | None
    log_likelihood: np.ndarray | None
    inertia: np.ndarray | None = None

    @property
    def n_iter(self) -> int:
        """T, the number of iterations (steps after the start)."""
        return self.means.shape[0] - 1


@dataclass(frozen=True)
class Track:
    """One run as the player draws it: a validated history with its name and colouring.

    Attributes
    ----------
    name : str
        The panel title.
    assignment : {"soft", "hard", "nearest"}
        How points are coloured (see :data:`ASSIGNMENTS`).
    weights, means, covariances, log_likelihood, inertia
        As in :class:`IterationHistory` (float64 arrays).
    """

    name: str
    assignment: str
    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray | None
    log_likelihood: np.ndarray | None
    inertia: np.ndarray | None

    @property
    def n_steps(self) -> int:
        """T+1, the number of parameter sets (the start included)."""
        return self.means.shape[0]

    def at(self, t: int) -> int:
        """The step shown at player frame ``t``: a shorter run holds its last step."""
        return min(t, self.n_steps - 1)

    @property
    def objective(self) -> tuple[str, np.ndarray]:
        """The curve under the panel: (label, values (T+1,))."""
        if self.log_likelihood is not None:
            return "log-likelihood", self.log_likelihood
        return "inertia (not a log-likelihood)", self.inertia


def _array(value: Any, where: str, ndim: int) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{where} must be a numeric array; got {type(value).__name__}") from exc
    if arr.ndim != ndim:
        raise ValueError(f"{where} has shape {arr.shape}; accepted: an array with {ndim} axes")
    if not np.isfinite(arr).all():
        raise ValueError(f"{where} has non-finite entries; accepted: finite numbers")
    return arr


def as_track(name: str, history: Any, assignment: str | None = None) -> Track:
    """Validate an ``em.FitHistory``-like object and turn it into a :class:`Track`.

    Parameters
    ----------
    name : str
        Key of the history in the player's ``histories`` (its panel title).
    history : object
        With ``weights``, ``means``, ``covariances``, ``log_likelihood`` (and ``inertia``
        for k-means) as described in the module docstring.
    assignment : {"soft", "hard", "nearest"}, optional
        Default: ``"nearest"`` without covariances, ``"hard"`` when the name says hard EM
        (contains "hard" or "classification"), else ``"soft"``.

    Raises
    ------
    TypeError, ValueError
        Naming the attribute, its shape and what is accepted.
    """
    where = f"histories[{name!r}]"
    for attr in ("weights", "means", "covariances", "log_likelihood"):
        if not hasattr(history, attr):
            raise TypeError(
                f"{where} has no attribute {attr!r}; accepted: an em.FitHistory-like object "
                "with weights, means, covariances (None for k-means) and log_likelihood"
            )
    means = _array(history.means, f"{where}.means", 3)
    steps, k, d = means.shape
    weights = _array(history.weights, f"{where}.weights", 2)
    if weights.shape != (steps, k):
        raise ValueError(
            f"{where}.weights has shape {weights.shape}; accepted: (T+1, K) = {(steps, k)} "
            "to match means (T+1, K, D)"
        )
    covariances = None
    if history.covariances is not None:
        covariances = _array(history.covariances, f"{where}.covariances", 4)
        if covariances.shape != (steps, k, d, d):
            raise ValueError(
                f"{where}.covariances has shape {covariances.shape}; accepted: full matrices "
                f"(T+1, K, D, D) = {(steps, k, d, d)}, or None for k-means"
            )
    curves = {}
    for attr in ("log_likelihood", "inertia"):
        value = getattr(history, attr, None)
        if value is not None:
            curves[attr] = _array(value, f"{where}.{attr}", 1)
            if curves[attr].shape != (steps,):
                raise ValueError(
                    f"{where}.{attr} has shape {curves[attr].shape}; accepted: (T+1,) = "
                    f"({steps},), one value per step"
                )
    if not curves:
        raise ValueError(
            f"{where} has neither log_likelihood nor inertia; accepted: log_likelihood "
            "(T+1,) for EM, inertia (T+1,) for k-means"
        )
    if assignment is None:
        lowered = name.lower()
        if covariances is None:
            assignment = "nearest"
        elif "hard" in lowered or "classification" in lowered:
            assignment = "hard"
        else:
            assignment = "soft"
    if assignment not in ASSIGNMENTS:
        raise ValueError(f"assignment of {where} is {assignment!r}; accepted: {ASSIGNMENTS}")
    if assignment != "nearest" and covariances is None:
        raise ValueError(
            f"{where} has no covariances, so its points can only be coloured by the nearest "
            f"centre; accepted: assignment='nearest' (got {assignment!r})"
        )
    return Track(
        name=name,
        assignment=assignment,
        weights=weights,
        means=means,
        covariances=covariances,
        log_likelihood=curves.get("log_likelihood"),
        inertia=curves.get("inertia"),
    )


# ---------------------------------------------------------------------------------------------
# The stepping adapter (to be replaced by the estimators' own history_)


def _check_start(start: Mapping[str, Any], X: np.ndarray) -> dict[str, np.ndarray]:
    missing = {"weights", "means", "covariances"} - set(start)
    if missing:
        raise ValueError(
            f"start lacks {sorted(missing)}; accepted: a mapping with weights (K,), means "
            "(K, D) and covariances (K, D, D)"
        )
    means = np.asarray(start["means"], dtype=np.float64)
    means = means[:, None] if means.ndim == 1 else means
    if means.ndim != 2 or means.shape[1] != X.shape[1]:
        raise ValueError(
            f"start['means'] has shape {np.shape(start['means'])}; accepted: (K, D) with "
            f"D = {X.shape[1]}, the number of columns of X"
        )
    k, d = means.shape
    covariances = np.asarray(start["covariances"], dtype=np.float64).reshape(k, d, d)
    return {
        "weights": np.asarray(start["weights"], dtype=np.float64),
        "means": means,
        "covariances": covariances,
    }


def _quiet_step(estimator, X: np.ndarray):
    """``estimator.fit(X)`` for one replayed iteration, without its warnings.

    A one-iteration fit always "stops at max_iter", and a collapse it meets was already
    reported by the ordinary fit being replayed.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", DegenerateComponentWarning)
        return estimator.fit(X)


def stepped_history(
    X: np.ndarray,
    algorithm: str,
    start: Mapping[str, Any],
    *,
    tol: float | None = None,
    max_iter: int = 1000,
    reg_covar: float = 1e-6,
) -> IterationHistory:
    """The history of one ordinary fit from ``start``, replayed one iteration at a time.

    The estimator is first fitted as usual (``max_iter``, ``tol``) to learn its number of
    iterations ``T``; then ``T`` public ``fit`` calls with ``max_iter=1``, each started at
    the previous step's parameters, record every step. Each call performs exactly the
    ordinary loop's E-step and M-step, so the last step equals the ordinary fit's result.

    Parameters
    ----------
    X : ndarray of shape (N, D)
    algorithm : {"soft", "hard", "kmeans"}
        :class:`em.GaussianMixtureEM`, :class:`em.ClassificationEM` or :class:`em.KMeans`
        (the latter starts at ``start["means"]``).
    start : mapping
        ``weights`` (K,), ``means`` (K, D), ``covariances`` (K, D, D).
    tol : float, optional
        The estimator's stopping tolerance (default: the estimator's own).
    max_iter : int, default 1000
    reg_covar : float, default 1e-6
        EM only.

    Returns
    -------
    IterationHistory
    """
    X = np.asarray(X, dtype=np.float64)
    X = X[:, None] if X.ndim == 1 else X
    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm is {algorithm!r}; accepted: {tuple(ALGORITHMS)}")
    start = _check_start(start, X)
    if algorithm == "kmeans":
        return _stepped_kmeans(X, start["means"], tol, max_iter)
    cls = GaussianMixtureEM if algorithm == "soft" else ClassificationEM
    k = start["means"].shape[0]
    options = {"reg_covar": reg_covar} | ({} if tol is None else {"tol": tol})
    full = cls(
        k,
        max_iter=max_iter,
        weights_init=start["weights"],
        means_init=start["means"],
        covariances_init=start["covariances"],
        **options,
    ).fit(X)
    weights, means, covs = [start["weights"]], [start["means"]], [start["covariances"]]
    log_likelihood = []
    for _ in range(full.n_iter_):
        step = _quiet_step(
            cls(
                k,
                max_iter=1,
                tol=0.0,
                reg_covar=reg_covar,
                weights_init=weights[-1],
                means_init=means[-1],
                covariances_init=covs[-1],
            ),
            X,
        )
        log_likelihood.append(step.log_likelihood_history_[0])
        weights.append(step.weights_)
        means.append(step.means_)
        covs.append(step.covariances_)
    log_likelihood.append(full.log_likelihood_ if full.n_iter_ else _start_ll(cls, X, start))
    return IterationHistory(
        weights=np.array(weights),
        means=np.array(means),
        covariances=np.array(covs),
        log_likelihood=np.array(log_likelihood),
    )


def _start_ll(cls, X: np.ndarray, start: dict[str, np.ndarray]) -> float:
    """Log-likelihood at the start (a fit with no iteration keeps the start)."""
    k = start["means"].shape[0]
    return (
        cls(
            k,
            max_iter=0,
            weights_init=start["weights"],
            means_init=start["means"],
            covariances_init=start["covariances"],
        )
        .fit(X)
        .log_likelihood_
    )


def _nearest_fractions(X: np.ndarray, centres: np.ndarray) -> np.ndarray:
    labels = np.argmin(((X[:, None, :] - centres[None]) ** 2).sum(axis=2), axis=1)
    return np.bincount(labels, minlength=centres.shape[0]) / X.shape[0]


def _stepped_kmeans(
    X: np.ndarray, centres: np.ndarray, tol: float | None, max_iter: int
) -> IterationHistory:
    k = centres.shape[0]
    options = {} if tol is None else {"tol": tol}
    full = KMeans(k, init=centres, n_init=1, max_iter=max_iter, **options).fit(X)
    means, inertia = [centres], [float(full.inertia_history_[0])]
    weights = [_nearest_fractions(X, centres)]
    for _ in range(full.n_iter_):
        step = _quiet_step(KMeans(k, init=means[-1], n_init=1, max_iter=1), X)
        means.append(step.cluster_centers_)
        inertia.append(step.inertia_)
        weights.append(np.bincount(step.labels_, minlength=k) / X.shape[0])
    return IterationHistory(
        weights=np.array(weights),
        means=np.array(means),
        covariances=None,
        log_likelihood=None,
        inertia=np.array(inertia),
    )


def stepped_histories(
    X: np.ndarray, start: Mapping[str, Any], **options: Any
) -> dict[str, IterationHistory]:
    """Soft EM, hard EM and k-means from one start, keyed by :data:`ALGORITHMS`' titles.

    Parameters
    ----------
    X : ndarray of shape (N, D)
    start : mapping
        As for :func:`stepped_history`.
    **options
        Passed to :func:`stepped_history` (``max_iter``, ``reg_covar``).

    Returns
    -------
    dict of str to IterationHistory
        ``{"soft EM": ..., "hard EM (CEM)": ..., "k-means": ...}``.
    """
    return {
        title: stepped_history(X, algorithm, start, **options)
        for algorithm, title in ALGORITHMS.items()
    }
