"""Relabelling of mixture draws: posterior draws, EM restarts, bootstrap replicates.

A mixture's likelihood is invariant to permuting its components, so a sampler (or a set of
restarts or bootstrap refits) can visit the same component under different labels. Each
function here finds one permutation per draw that puts all draws in a common labelling:

- :func:`pivot_relabel`: match every draw's parameters to a pivot (EM's fit, the MAP);
- :func:`stephens_relabel`: Stephens' (2000) Kullback-Leibler algorithm on the draws'
  classification probabilities;
- :func:`ecr_relabel`: Papastamoulis & Iliopoulos' (2010) equivalence-classes
  representatives on the draws' allocations.

All three solve their per-draw assignment problems with :func:`em.alignment.assignment_orders`,
the one Hungarian matching in ``em`` (``em.match_components`` uses it too).

Conventions
-----------
- Draws of a parameter have shape ``(S, K, ...)``: ``S`` draws (flatten chains and draws
  of a posterior first), the component axis second, then the parameter's own shape
  (``means`` ``(S, K, D)``, ``weights`` ``(S, K)``, full ``covariances`` ``(S, K, D, D)``).
  Parameters without a component axis (a tied covariance) are not relabelled.
- ``permutations[s]`` maps a new label to an old one: the relabelled draw is
  ``relabelled[s, k] = draws[s, permutations[s, k]]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.special import logsumexp

from ._validation import check_int
from .alignment import assignment_orders, component_costs

__all__ = [
    "RelabelResult",
    "apply_permutations",
    "ecr_relabel",
    "permute_allocations",
    "pivot_relabel",
    "stephens_relabel",
]

# Floor of the mean classification probabilities in Stephens' cost, so a label no draw
# ever uses costs a large finite amount instead of log(0) = -inf.
_TINY = 1e-300


@dataclass(frozen=True)
class RelabelResult:
    """Permutations that put every draw in a common labelling, and the relabelled draws.

    Attributes
    ----------
    permutations : ndarray of int, shape (S, K)
        ``permutations[s, k]`` is the old label of draw ``s`` that becomes label ``k``.
    draws : dict of str to ndarray
        The draws passed in, relabelled (each ``(S, K, ...)``); empty when none were given.
    method : str
        ``"pivot"``, ``"stephens"``, ``"ecr"`` or ``"ecr-iterative"``.
    n_iter : int
        Iterations of an iterative algorithm (1 for the pivot methods).
    converged : bool
        Whether an iterative algorithm stopped because no permutation changed (always true
        for the pivot methods).
    """

    permutations: np.ndarray
    draws: dict[str, np.ndarray] = field(default_factory=dict)
    method: str = ""
    n_iter: int = 1
    converged: bool = True

    @property
    def permutation_rate(self) -> float:
        """Fraction of draws whose permutation is not the identity."""
        identity = np.arange(self.permutations.shape[1])
        return float(np.mean(np.any(self.permutations != identity, axis=1)))


def apply_permutations(
    draws: Mapping[str, Any], permutations: Any, *, axis: int = 1
) -> dict[str, np.ndarray]:
    """Relabel per-component draws: ``out[name][s, k] = draws[name][s, permutations[s, k]]``.

    Parameters
    ----------
    draws : mapping of str to array-like of shape (S, ..., K, ...)
        Per-component arrays, the draw axis first and the component axis at ``axis``.
    permutations : array-like of int, shape (S, K)
        One permutation per draw (new label -> old label).
    axis : int, default=1
        Position of the component axis (1 for ``(S, K, ...)``; 2 for classification
        probabilities ``(S, N, K)``).

    Returns
    -------
    dict of str to ndarray
        New arrays, same shapes.
    """
    permutations = _check_permutations(permutations)
    n_draws, n_components = permutations.shape
    out = {}
    for name, value in _check_mapping(draws, "draws").items():
        arr = np.asarray(value)
        if arr.ndim < 2 or not -arr.ndim < axis < arr.ndim or axis % arr.ndim == 0:
            raise ValueError(
                f"draws[{name!r}] has shape {arr.shape}; axis={axis} must name a component "
                "axis other than the draw axis 0"
            )
        moved = np.moveaxis(arr, axis, 1)
        if moved.shape[:2] != (n_draws, n_components):
            raise ValueError(
                f"draws[{name!r}] has {moved.shape[0]} draws and {moved.shape[1]} components "
                f"on axis {axis}, but permutations has shape {permutations.shape}; they must "
                "match"
            )
        index = permutations.reshape(permutations.shape + (1,) * (moved.ndim - 2))
        out[name] = np.moveaxis(np.take_along_axis(moved, index, axis=1), 1, axis)
    return out


def permute_allocations(allocations: Any, permutations: Any) -> np.ndarray:
    """Relabel allocations: a draw's old label ``permutations[s, k]`` becomes ``k``.

    Parameters
    ----------
    allocations : array-like of int, shape (S, N)
        Component of every sample in every draw.
    permutations : array-like of int, shape (S, K)

    Returns
    -------
    ndarray of int, shape (S, N)
    """
    permutations = _check_permutations(permutations)
    allocations = _check_allocations(allocations, "allocations", permutations.shape[1])
    if allocations.shape[0] != permutations.shape[0]:
        raise ValueError(
            f"allocations has {allocations.shape[0]} draws but permutations has "
            f"{permutations.shape[0]}; they must match"
        )
    inverse = np.argsort(permutations, axis=1)  # old label -> new label
    return np.take_along_axis(inverse, allocations, axis=1)


def pivot_relabel(
    draws: Mapping[str, Any],
    pivot: Mapping[str, Any],
    *,
    scale: Mapping[str, Any] | None = None,
) -> RelabelResult:
    """Match every draw's components to a pivot's (e.g. EM's fit or the MAP draw).

    Per draw, the permutation minimises the total squared distance to the pivot summed
    over the pivot's parameters, each in its own units (:func:`em.alignment.component_costs`,
    solved by the Hungarian algorithm as in :func:`em.match_components`).

    Parameters
    ----------
    draws : mapping of str to array-like of shape (S, K, ...)
        Per-component draws; every entry is relabelled.
    pivot : mapping of str to array-like of shape (K, ...)
        The parameters that decide the matching (a subset of ``draws``' names, e.g. only
        ``{"means": ...}``), with the draws' ``K`` and per-component shapes.
    scale : mapping of str to array-like, optional
        Per parameter, the units its distances are measured in (broadcastable to the
        per-component shape). Default: the standard deviation of each element over all
        draws and components (1 where that is 0), so no parameter dominates by its units.

    Returns
    -------
    RelabelResult
        ``method="pivot"``; ``draws`` holds every entry of ``draws`` relabelled.
    """
    draws = {
        name: np.asarray(value, float) for name, value in _check_mapping(draws, "draws").items()
    }
    pivot = _check_mapping(pivot, "pivot")
    n_draws = n_components = None
    for name, value in draws.items():
        if value.ndim < 2 or not np.isfinite(value).all():
            raise ValueError(
                f"draws[{name!r}] must be a finite array of shape (S, K, ...); got {value.shape}"
            )
        if n_draws is None:
            n_draws, n_components = value.shape[:2]
        elif value.shape[:2] != (n_draws, n_components):
            raise ValueError(
                f"draws[{name!r}] has shape {value.shape}, but the other draws start with "
                f"(S, K) = {(n_draws, n_components)}; every entry needs the same S and K"
            )
    scale = {} if scale is None else dict(_check_mapping(scale, "scale", allow_empty=True))
    cost = np.zeros((n_draws, n_components, n_components))
    for name, value in pivot.items():
        if name not in draws:
            raise ValueError(
                f"pivot[{name!r}] has no draws; pivot's names must be among draws' names "
                f"({', '.join(map(repr, draws))})"
            )
        reference = np.asarray(value, float)
        if reference.shape != draws[name].shape[1:] or not np.isfinite(reference).all():
            raise ValueError(
                f"pivot[{name!r}] has shape {reference.shape}; finite values of the draws' "
                f"per-draw shape {draws[name].shape[1:]} are required (the same K = "
                f"{n_components} components)"
            )
        if name in scale:
            units = scale[name]
        else:
            units = draws[name].std(axis=(0, 1))
            units = np.where(units > 0, units, 1.0)
        cost += component_costs(draws[name], reference, units)
    permutations = assignment_orders(cost)
    return RelabelResult(permutations, apply_permutations(draws, permutations), "pivot")


def stephens_relabel(
    probabilities: Any,
    *,
    log: bool = False,
    draws: Mapping[str, Any] | None = None,
    initial_permutations: Any = None,
    max_iter: int = 100,
) -> RelabelResult:
    """Stephens' (2000) Kullback-Leibler relabelling of the draws' classification probabilities.

    Iterates two steps until no permutation changes:

    1. ``Q = mean_s p[s][:, perm_s]``, the mean classification probabilities (N, K) in the
       current labelling;
    2. per draw, the permutation minimising ``KL(p[s][:, perm] || Q) = sum_i sum_k
       p[s, i, perm[k]] log(p[s, i, perm[k]] / Q[i, k])``, by the Hungarian algorithm on
       ``cost[k, j] = -sum_i p[s, i, j] log Q[i, k]`` (the entropy term does not depend
       on the permutation).

    Each step lowers the total divergence, so the iteration stops; its fixed point is a
    local optimum that depends on the start.

    Parameters
    ----------
    probabilities : array-like of shape (S, N, K)
        ``p[s, i, k] = P(z_i = k | x, theta_s)``, rows summing to 1; with ``log=True``,
        the log weighted densities ``log(w_k f(x_i | theta_k))`` of draw ``s`` instead
        (normalised here).
    log : bool, default=False
        Whether ``probabilities`` are unnormalised log weighted densities.
    draws : mapping of str to array-like of shape (S, K, ...), optional
        Per-component draws to relabel along.
    initial_permutations : array-like of int, shape (S, K), optional
        Start (default: the identity for every draw, i.e. ``Q`` is the plain mean); e.g.
        the permutations of :func:`pivot_relabel`.
    max_iter : int, default=100

    Returns
    -------
    RelabelResult
        ``method="stephens"``; ``converged`` is false when ``max_iter`` was reached.
    """
    p = _check_probabilities(probabilities, log)
    n_draws, _, n_components = p.shape
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    permutations = _initial(initial_permutations, n_draws, n_components)
    n_iter, converged = 0, False
    while n_iter < max_iter and not converged:
        n_iter += 1
        permuted = np.take_along_axis(p, permutations[:, None, :], axis=2)
        log_q = np.log(np.maximum(permuted.mean(axis=0), _TINY))
        updated = assignment_orders(-np.einsum("sij,ik->skj", p, log_q))
        converged = np.array_equal(updated, permutations)
        permutations = updated
    relabelled = {} if draws is None else apply_permutations(draws, permutations)
    return RelabelResult(permutations, relabelled, "stephens", n_iter, converged)


def ecr_relabel(
    allocations: Any,
    pivot_allocation: Any,
    n_components: int,
    *,
    draws: Mapping[str, Any] | None = None,
    iterative: bool = False,
    max_iter: int = 100,
) -> RelabelResult:
    """Papastamoulis & Iliopoulos' (2010) equivalence-classes representatives (ECR).

    Per draw, the permutation that makes the relabelled allocations agree with the pivot
    allocation on as many samples as possible: the Hungarian algorithm on
    ``cost[k, j] = -#{i : pivot_i = k and z[s, i] = j}``. Among equally good permutations
    the one that keeps the most labels is chosen (a bonus below one agreement on the
    diagonal), so draws that are already in the pivot's labelling stay as they are.

    With ``iterative=True`` (their ECR-ITERATIVE-1), the pivot is then replaced by the
    most frequent relabelled allocation of every sample and the matching repeated, until
    no permutation changes; ``pivot_allocation`` is the start.

    Parameters
    ----------
    allocations : array-like of int, shape (S, N)
        Component ``0..K-1`` of every sample in every draw.
    pivot_allocation : array-like of int, shape (N,)
        The reference allocation (e.g. the MAP draw's, or EM's ``predict``).
    n_components : int
        ``K`` (components may be empty in a draw, so it is not read from the labels).
    draws : mapping of str to array-like of shape (S, K, ...), optional
        Per-component draws to relabel along.
    iterative : bool, default=False
    max_iter : int, default=100
        Iterations of the iterative version.

    Returns
    -------
    RelabelResult
        ``method="ecr"`` or ``"ecr-iterative"``.
    """
    n_components = check_int(n_components, "n_components", minimum=1)
    allocations = _check_allocations(allocations, "allocations", n_components)
    pivot = _check_allocations(pivot_allocation, "pivot_allocation", n_components, ndim=1)
    if pivot.shape[0] != allocations.shape[1]:
        raise ValueError(
            f"pivot_allocation has {pivot.shape[0]} samples but allocations has "
            f"{allocations.shape[1]} per draw; they must match"
        )
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    permutations = _ecr_permutations(allocations, pivot, n_components)
    n_iter, converged = 1, True
    if iterative:
        converged = False
        while n_iter < max_iter and not converged:
            n_iter += 1
            pivot = _mode(permute_allocations(allocations, permutations), n_components)
            updated = _ecr_permutations(allocations, pivot, n_components)
            converged = np.array_equal(updated, permutations)
            permutations = updated
    relabelled_draws = {} if draws is None else apply_permutations(draws, permutations)
    method = "ecr-iterative" if iterative else "ecr"
    return RelabelResult(permutations, relabelled_draws, method, n_iter, converged)


def _ecr_permutations(allocations: np.ndarray, pivot: np.ndarray, n_components: int) -> np.ndarray:
    n_draws = allocations.shape[0]
    # counts[s, k, j] = #{i: pivot_i = k, z[s, i] = j}, all draws in one bincount.
    index = (np.arange(n_draws)[:, None] * n_components + pivot) * n_components + allocations
    counts = np.bincount(index.ravel(), minlength=n_draws * n_components**2)
    counts = counts.reshape(n_draws, n_components, n_components)
    # Agreements are integers; a diagonal bonus summing to < 1 only breaks ties.
    bonus = np.eye(n_components) / (2 * n_components)
    return assignment_orders(-(counts + bonus))


def _mode(allocations: np.ndarray, n_components: int) -> np.ndarray:
    """Most frequent label of every sample over the draws; shape (N,)."""
    n_samples = allocations.shape[1]
    index = allocations * n_samples + np.arange(n_samples)
    counts = np.bincount(index.ravel(), minlength=n_components * n_samples)
    return np.argmax(counts.reshape(n_components, n_samples), axis=0)


def _check_mapping(value: Any, name: str, *, allow_empty: bool = False) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(
            f"{name} must be a mapping of parameter name to array; got {type(value).__name__}"
        )
    if not value and not allow_empty:
        raise ValueError(f"{name} is empty; at least one parameter is required")
    return value


def _check_permutations(permutations: Any, name: str = "permutations") -> np.ndarray:
    arr = np.asarray(permutations)
    if arr.ndim != 2 or arr.shape[1] == 0 or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"{name} must be an integer array of shape (S, K); got {arr.shape}")
    if not np.array_equal(
        np.sort(arr, axis=1), np.broadcast_to(np.arange(arr.shape[1]), arr.shape)
    ):
        raise ValueError(f"every row of {name} must be a permutation of 0..K-1")
    return arr.astype(np.intp)


def _check_allocations(value: Any, name: str, n_components: int, ndim: int = 2) -> np.ndarray:
    arr = np.asarray(value)
    shape = "(S, N)" if ndim == 2 else "(N,)"
    if arr.ndim != ndim or arr.size == 0 or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(
            f"{name} must be a non-empty integer array of shape {shape}; got {arr.shape}"
        )
    if arr.min() < 0 or arr.max() >= n_components:
        raise ValueError(
            f"{name} has labels from {arr.min()} to {arr.max()}; labels must lie in "
            f"0..{n_components - 1} (n_components={n_components})"
        )
    return arr.astype(np.intp)


def _check_probabilities(value: Any, log: bool) -> np.ndarray:
    p = np.asarray(value, float)
    if p.ndim != 3 or 0 in p.shape:
        raise ValueError(f"probabilities must have shape (S, N, K); got {p.shape}")
    if log:
        if np.isnan(p).any() or np.isposinf(p).any():
            raise ValueError("probabilities (log=True) must not contain NaN or +inf")
        return np.exp(p - logsumexp(p, axis=2, keepdims=True))
    if not np.isfinite(p).all() or (p < 0).any():
        raise ValueError("probabilities must be finite and non-negative")
    if not np.allclose(p.sum(axis=2), 1.0, atol=1e-6):
        raise ValueError(
            "probabilities must sum to 1 over the component axis (last); pass log=True for "
            "unnormalised log weighted densities"
        )
    return p


def _initial(initial: Any, n_draws: int, n_components: int) -> np.ndarray:
    if initial is None:
        return np.tile(np.arange(n_components), (n_draws, 1))
    permutations = _check_permutations(initial, "initial_permutations")
    if permutations.shape != (n_draws, n_components):
        raise ValueError(
            f"initial_permutations has shape {permutations.shape}; (S, K) = "
            f"{(n_draws, n_components)} is required"
        )
    return permutations
