"""The k-selection study's synthetic data: K_true components at two separations.

Two families, both built from the lecture's 1-D pairs by repeating the pair's spacing:

- ``separated``: the lecture-1d pair, N(0, 3^2) and N(10, 1), continued: means 0, 10, 20,
  30, standard deviations alternating 3, 1, 3, 1;
- ``overlapping``: the lecture-1d-close pair, N(1, 1) and N(3, 1), continued: means 1, 3,
  5, 7, standard deviations 1.

As in the lecture, every component gets a fixed share of the ``n`` points (``n // K``, the
remainder to the first ones), so ``K_true`` is the number of components that really
generated points. Each data set is standardised (mean 0, sd 1) before any fit: every
criterion's choice is unchanged by an affine change of units (BIC, AIC, ICL, the LRT, the
held-out and LOO log-likelihoods all shift by the same ``n log(sd)`` at every K), and one
prior then serves every data set, so one compiled model per (K, n) serves them all.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SEPARATIONS", "component_counts", "simulate", "standardise", "truth"]

# separation -> (first mean, mean spacing, standard deviations cycled over the components).
SEPARATIONS: dict[str, tuple[float, float, tuple[float, ...]]] = {
    "separated": (0.0, 10.0, (3.0, 1.0)),
    "overlapping": (1.0, 2.0, (1.0,)),
}


def component_counts(n: int, k_true: int) -> np.ndarray:
    """Points per component: ``n // k_true`` each, the remainder to the first ones; (K,)."""
    if k_true < 1 or n < k_true:
        raise ValueError(f"k_true must be in 1..n={n}; got {k_true}")
    counts = np.full(k_true, n // k_true)
    counts[: n % k_true] += 1
    return counts


def simulate(separation: str, k_true: int, n: int, seed: int) -> np.ndarray:
    """One data set of ``n`` points from ``k_true`` components; shape (n,), unshuffled.

    Parameters
    ----------
    separation : {"separated", "overlapping"}
    k_true : int
    n : int
    seed : int
    """
    rng = np.random.default_rng(seed)
    components = truth(separation, k_true)
    parts = [
        rng.normal(mean, sd, count)
        for mean, sd, count in zip(
            components["means"], components["sds"], component_counts(n, k_true), strict=True
        )
    ]
    return np.concatenate(parts)


def standardise(x: np.ndarray) -> np.ndarray:
    """``(x - mean) / sd``; shape (n,)."""
    return (x - x.mean()) / x.std()


def truth(separation: str, k_true: int) -> dict[str, list[float]]:
    """Means and standard deviations of the ``k_true`` generating components."""
    if separation not in SEPARATIONS:
        raise ValueError(f"separation must be one of {', '.join(SEPARATIONS)}; got {separation!r}")
    first, spacing, sds = SEPARATIONS[separation]
    return {
        "means": [first + spacing * k for k in range(k_true)],
        "sds": [sds[k % len(sds)] for k in range(k_true)],
    }
