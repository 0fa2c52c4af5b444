"""Iteration histories: the input format of the player, checked and named.

The player draws any object with the attributes of ``em.FitHistory`` (arrays per step,
entry 0 the start), as ``GaussianMixtureEM``, ``ClassificationEM`` and ``KMeans`` keep it
in ``history_`` when fitted with ``keep_history=True``:

- ``weights`` (T+1, K), ``means`` (T+1, K, D);
- ``covariances`` (T+1, K, D, D), full matrices, or ``None`` (k-means);
- ``log_likelihood`` (T+1,): entry ``t`` the log-likelihood of the parameters of step ``t``
  (for k-means a classification log-likelihood, or ``None``);
- ``inertia`` (T+1,) for k-means (absent or ``None`` otherwise).

:func:`variant_histories` takes the soft EM, hard EM and k-means fits of one start (as
:func:`compare.kinds.mixture_extras.fit_variants` returns them) to the player's panels.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["ALGORITHMS", "Track", "as_track", "variant_histories"]

# The three algorithms of the side-by-side player, in display order, with their titles.
ALGORITHMS = {"soft": "soft EM", "hard": "hard EM (CEM)", "kmeans": "k-means"}
# How a track colours the points: soft posterior probabilities, the hard EM label (largest
# w_k N(x | mu_k, Sigma_k)), or the nearest centre.
ASSIGNMENTS = ("soft", "hard", "nearest")


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
        As in ``em.FitHistory`` (float64 arrays).
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
        """The curve under the panel: (label, values (T+1,)).

        k-means shows its inertia, the quantity each of its steps lowers, even where its
        history also carries a classification log-likelihood: that one belongs to another
        model than the mixture's and would read as comparable to EM's.
        """
        if self.inertia is not None:
            return "inertia (not a log-likelihood)", self.inertia
        return "log-likelihood", self.log_likelihood


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


def variant_histories(variants: Mapping[str, Any]) -> dict[str, Any]:
    """The ``history_`` of soft EM, hard EM and k-means, keyed by their panel titles.

    Parameters
    ----------
    variants : mapping
        ``"soft"``, ``"hard"`` and ``"kmeans"``: estimators fitted with
        ``keep_history=True`` (other keys, such as ``"start"``, are ignored).

    Returns
    -------
    dict of str to em.FitHistory
        ``{"soft EM": ..., "hard EM (CEM)": ..., "k-means": ...}``, in :data:`ALGORITHMS`'
        order.

    Raises
    ------
    ValueError
        Naming the variant that is missing or was fitted without ``keep_history``.
    """
    missing = [key for key in ALGORITHMS if key not in variants]
    if missing:
        raise ValueError(
            f"variants has no {', '.join(map(repr, missing))}; accepted: a mapping with "
            f"{list(ALGORITHMS)} (estimators fitted with keep_history=True)"
        )
    out = {}
    for key, title in ALGORITHMS.items():
        history = getattr(variants[key], "history_", None)
        if history is None:
            raise ValueError(
                f"variants[{key!r}] has no history_; accepted: an estimator fitted with "
                "keep_history=True"
            )
        out[title] = history
    return out
