"""Label alignment: match estimated mixture components to a reference by their means.

A mixture's likelihood does not change when its components are relabelled, so before an
EM component is compared with a posterior component (or with the truth) both are matched
to the same reference. The matching minimises the total squared distance between means
(the Hungarian algorithm; :func:`em.match_components`, which the bootstrap uses too), and
components are reordered by :func:`em.apply_permutations`, the relabelling of posterior draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import em

__all__ = [
    "COMPONENT_PARAMETERS",
    "Alignment",
    "align_fits",
    "match_components",
    "permute_components",
]

# The report names of a mixture's per-component parameters (axis 0, or dim "component").
COMPONENT_PARAMETERS = ("weights", "means", "sigma", "covariances")


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


def align_fits(
    reference_means, em_params: dict, posterior: dict, *, reference: str = "truth"
) -> tuple[dict, dict, dict[str, Alignment]]:
    """Put EM's and the posterior's mixture components in the reference's order.

    Parameters
    ----------
    reference_means : array-like of shape (K, d) or (K,)
        The truth's means, or EM's own when there is no truth.
    em_params : dict
        From :meth:`compare.kinds.Kind.em_parameters`: ``{name: {"estimate", "se", "lower",
        "upper"}}``, components in the estimator's order (``means`` (K,) or (K, d)).
    posterior : dict of DataArray
        From :meth:`compare.kinds.Kind.posterior_parameters`; ``means`` has a ``component``
        dim. The model's ordering constraint already removed label switching, so one
        permutation (of the posterior means) serves every draw.
    reference : str
        Recorded in the alignments.

    Returns
    -------
    em_params, posterior : dict
        The same, permuted so component ``k`` is the reference's component ``k``.
    alignment : dict of Alignment
        ``"em"`` and ``"posterior"``.
    """
    post_means = posterior["means"].mean(("chain", "draw")).values
    alignment = {
        "em": match_components(
            em_params["means"]["estimate"], reference_means, reference=reference
        ),
        "posterior": match_components(
            post_means, reference_means, reference=reference, ordering_constraint=True
        ),
    }
    return (
        permute_components(em_params, alignment["em"].order),
        permute_components(posterior, alignment["posterior"].order, draws=True),
        alignment,
    )


def permute_components(params: dict, order: np.ndarray, *, draws: bool = False) -> dict:
    """Reorder mixture components (axis 0, or the ``component`` dim of DataArrays).

    One permutation for every draw: :func:`em.apply_permutations` (the relabelling of
    :mod:`em.relabel`, which gives every draw its own) with that permutation for a single
    "draw", so the code base has one way to permute components.

    Parameters
    ----------
    params : dict
        Report name -> ``{"estimate", "se", "lower", "upper"}`` arrays (``draws=False``)
        or DataArray with a ``component`` dim (``draws=True``); names outside
        :data:`COMPONENT_PARAMETERS` pass through.
    order : ndarray of int, shape (K,)
        :attr:`Alignment.order`.
    draws : bool, default False
    """
    perm = np.asarray(order)[None, :]
    out = {}
    for name, value in params.items():
        if name not in COMPONENT_PARAMETERS:
            out[name] = value
        elif draws:
            # Relabel too: component k of the result is the truth's component k.
            axis = value.get_axis_num("component") + 1
            moved = em.apply_permutations({name: value.values[None]}, perm, axis=axis)[name][0]
            out[name] = value.copy(data=moved).assign_coords(component=np.arange(perm.shape[1]))
        else:
            out[name] = {
                f: em.apply_permutations({f: np.asarray(v)[None]}, perm)[f][0]
                for f, v in value.items()
            }
    return out
