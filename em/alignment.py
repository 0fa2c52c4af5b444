"""Label alignment of mixture components: the Hungarian algorithm on their means.

A mixture's likelihood does not change when its components are relabelled, so before two
fits are compared (bootstrap refits with the reference fit, EM with the posterior or the
truth) their components are matched. One implementation serves ``em.bootstrap`` and
``compare``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

__all__ = ["match_components"]


def match_components(means: Any, reference: Any, scale: Any = None) -> np.ndarray:
    """The relabelling that matches ``means`` to ``reference`` at least total squared distance.

    Parameters
    ----------
    means, reference : array-like of shape (K, d)
        Component means of the fit to relabel, and of the reference.
    scale : array-like of shape (d,), optional
        Per-feature scale the distances are measured in (e.g. the data's standard
        deviations, so no feature dominates by its units); default 1.

    Returns
    -------
    order : ndarray of int, shape (K,)
        ``means[order][k]`` is the component matched to reference component ``k``.
    """
    means = np.asarray(means, float)
    reference = np.asarray(reference, float)
    scale = 1.0 if scale is None else np.asarray(scale, float)
    # cost[k, j]: reference component k matched with component j.
    cost = np.sum(np.square((reference[:, None, :] - means[None, :, :]) / scale), axis=2)
    rows, cols = linear_sum_assignment(cost)
    return cols[np.argsort(rows)]
