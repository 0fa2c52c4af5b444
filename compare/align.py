"""Label alignment: match estimated mixture components to a reference by their means.

A mixture's likelihood does not change when its components are relabelled, so before an
EM component is compared with a posterior component (or with the truth) both are matched
to the same reference. The matching minimises the total squared distance between means
(the Hungarian algorithm; :func:`em.match_components`, which the bootstrap uses too).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import em

__all__ = ["Alignment", "match_components"]


@dataclass(frozen=True)
class Alignment:
    """How one set of components maps onto the reference.

    Attributes
    ----------
    order : ndarray of int, shape (K,)
        ``order[k]`` is the estimated component matched to reference component ``k``;
        ``estimate[order]`` is in the reference's order.
    cost : float
        Total squared distance between matched means.
    reference : str
        What was matched to (``"truth"`` or ``"EM"``).
    ordering_constraint : bool
        Whether the estimate already had its components ordered by construction (the
        Bayesian models' ordering transform); then a non-identity ``order`` only says the
        truth is listed in another order.
    """

    order: np.ndarray
    cost: float
    reference: str
    ordering_constraint: bool = False

    @property
    def is_identity(self) -> bool:
        return bool(np.array_equal(self.order, np.arange(len(self.order))))

    def to_dict(self) -> dict:
        return {
            "order": [int(i) for i in self.order],
            "cost": float(self.cost),
            "reference": self.reference,
            "ordering_constraint": self.ordering_constraint,
        }


def match_components(
    estimated_means,
    reference_means,
    *,
    reference: str = "truth",
    ordering_constraint: bool = False,
) -> Alignment:
    """Hungarian matching of estimated components to reference components on their means.

    Parameters
    ----------
    estimated_means : array-like of shape (K, d) or (K,)
    reference_means : array-like of shape (K, d) or (K,)
    reference : str
        Recorded name of the reference.
    ordering_constraint : bool
        Recorded: whether the estimate was ordered by construction.

    Returns
    -------
    Alignment
    """
    est = _as_2d(estimated_means, "estimated_means")
    ref = _as_2d(reference_means, "reference_means")
    if est.shape != ref.shape:
        raise ValueError(
            f"estimated_means {est.shape} and reference_means {ref.shape} must have one shape"
        )
    order = em.match_components(est, ref)
    return Alignment(
        order=order,
        cost=float(np.sum((est[order] - ref) ** 2)),
        reference=reference,
        ordering_constraint=ordering_constraint,
    )


def _as_2d(means, name: str) -> np.ndarray:
    arr = np.asarray(means, float)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or not np.isfinite(arr).all():
        raise ValueError(f"{name} must be a finite array of shape (K, d) or (K,); got {arr.shape}")
    return arr
