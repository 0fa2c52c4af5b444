"""Label alignment of mixture components: the one Hungarian matching in ``em``.

A mixture's likelihood does not change when its components are relabelled, so before two
fits are compared (EM restarts, bootstrap refits with the reference fit, posterior draws
with a pivot, EM with the posterior or the truth) their components are matched. Every
matching in the code base goes through :func:`assignment_orders` on costs from
:func:`component_costs`: :func:`match_components` (``em.bootstrap``, ``compare``) and the
relabelling algorithms of :mod:`em.relabel` alike.

Convention: an *order* (or permutation) ``order`` of length ``K`` maps a new label to an
old one, ``relabelled[k] = values[order[k]]``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from ._validation import _as_float_array

__all__ = ["assignment_orders", "component_costs", "match_components"]


def assignment_orders(cost: Any) -> np.ndarray:
    """Minimum-cost assignments (the Hungarian algorithm) of a batch of square cost matrices.

    Parameters
    ----------
    cost : array-like of shape (..., K, K)
        ``cost[..., k, j]``: cost of giving new label ``k`` to old component ``j``. Must be
        finite.

    Returns
    -------
    orders : ndarray of int, shape (..., K)
        ``orders[..., k]`` is the old component that becomes component ``k``; every
        ``orders[...]`` is a permutation of ``0..K-1`` minimising
        ``sum_k cost[..., k, orders[..., k]]``.
    """
    cost = np.asarray(cost, float)
    if cost.ndim < 2 or cost.shape[-1] != cost.shape[-2] or cost.shape[-1] == 0:
        raise ValueError(f"cost must have shape (..., K, K) with K >= 1; got {cost.shape}")
    if not np.isfinite(cost).all():
        raise ValueError("cost contains non-finite values; only finite costs are accepted")
    k = cost.shape[-1]
    flat = cost.reshape(-1, k, k)
    orders = np.empty((flat.shape[0], k), dtype=np.intp)
    # scipy solves one matrix per call; K is small, so the loop costs microseconds per draw.
    for s, matrix in enumerate(flat):
        rows, cols = linear_sum_assignment(matrix)
        orders[s] = cols[np.argsort(rows)]
    return orders.reshape(cost.shape[:-1])


def component_costs(values: Any, reference: Any, scale: Any = None) -> np.ndarray:
    """Squared scaled distances between every component of ``values`` and of ``reference``.

    Parameters
    ----------
    values : array-like of shape (..., K, *event)
        Per-component parameters of one fit (``(K, *event)``) or a batch of fits (e.g.
        posterior draws, ``(S, K, *event)``).
    reference : array-like of shape (K, *event)
        The same parameter of the reference.
    scale : array-like broadcastable to ``event``, optional
        Units the distances are measured in (e.g. the data's standard deviations, so no
        feature dominates by its units); default 1.

    Returns
    -------
    cost : ndarray of shape (..., K, K)
        ``cost[..., k, j] = sum((reference[k] - values[..., j]) / scale) ** 2)``, summed
        over the event dimensions.
    """
    values = np.asarray(values, float)
    reference = np.asarray(reference, float)
    event = reference.shape[1:]
    if reference.ndim < 1 or values.ndim < reference.ndim:
        raise ValueError(
            f"values {values.shape} must have the reference's shape {reference.shape} "
            "after any leading batch dimensions"
        )
    if values.shape[values.ndim - reference.ndim :] != reference.shape:
        raise ValueError(
            f"values has components of shape {values.shape[values.ndim - reference.ndim :]} "
            f"but reference has shape {reference.shape}; they must have the same number of "
            "components K and the same per-component shape"
        )
    scale = np.ones(event) if scale is None else np.asarray(scale, float)
    if not (np.isfinite(scale).all() and (scale > 0).all()):
        raise ValueError("scale must be finite and positive")
    axis = values.ndim - reference.ndim  # the component axis of values
    diff = (np.expand_dims(reference, 1) - np.expand_dims(values, axis)) / scale
    return np.sum(np.square(diff), axis=tuple(range(axis + 2, diff.ndim)))


def match_components(means: Any, reference: Any, scale: Any = None) -> np.ndarray:
    """The relabelling that matches ``means`` to ``reference`` at least total squared distance.

    Parameters
    ----------
    means, reference : array-like of shape (K, d) or (K,)
        Component means of the fit to relabel, and of the reference: the same ``K`` and
        ``d``. Another number of components is refused (a shorter order would silently
        drop components).
    scale : array-like of shape (d,), optional
        Per-feature scale the distances are measured in (e.g. the data's standard
        deviations, so no feature dominates by its units); default 1.

    Returns
    -------
    order : ndarray of int, shape (K,)
        ``means[order][k]`` is the component matched to reference component ``k``.
    """
    means = _as_means(means, "means")
    reference = _as_means(reference, "reference")
    if reference.shape != means.shape:
        raise ValueError(
            f"reference has shape {reference.shape} (K={reference.shape[0]} components of "
            f"{reference.shape[1]} features) but means has shape {means.shape}; a reference "
            "of the same K and number of features is required"
        )
    return assignment_orders(component_costs(means, reference, scale))


def _as_means(value: Any, name: str) -> np.ndarray:
    # The shared conversion: sparse, complex, object and pandas input get their messages.
    arr = _as_float_array(value, name)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] == 0 or not np.isfinite(arr).all():
        raise ValueError(
            f"{name} must be a finite array of shape (K, d) or (K,) with K >= 1; "
            f"got shape {np.shape(value)}"
        )
    return arr
