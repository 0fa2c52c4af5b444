"""A categorical distribution from counts: Dirichlet prior, multinomial likelihood.

The Dirichlet is conjugate here, so :func:`categorical_posterior` gives the posterior
exactly; tests use it to check the sampler, and a report can show both side by side.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pymc as pm

from ._validation import INT32_MAX, check_counts, check_names, check_positive
from .data import register_data_checks

__all__ = ["DirichletPosterior", "categorical", "categorical_posterior"]


def categorical(counts, *, alpha=1.0, category_names=None) -> pm.Model:
    """``p ~ Dirichlet(alpha)``, ``counts ~ Multinomial(sum(counts), p)``.

    Parameters
    ----------
    counts : array-like of shape (k,)
        Non-negative integer count of each category, ``k >= 2``, totalling at most
        ``2**31 - 1`` (PyMC stores integer data as int32). Stored as ``pm.Data("counts")``.
    alpha : float or array-like of shape (k,), default 1.0
        Dirichlet concentration; 1 is uniform on the simplex.
    category_names : sequence of str, optional
        Labels of the ``category`` coordinate; default ``0, 1, ...`` as strings.

    Returns
    -------
    pymc.Model
        Coord ``category``; free variable ``p`` (category); observed ``counts_obs``.
    """
    counts = check_counts(counts, "counts", max_total=INT32_MAX)
    k = len(counts)
    alpha = check_positive(alpha, "alpha", shape=(k,)) * np.ones(k)
    coords = {"category": check_names(category_names, "category_names", k, "")}

    with pm.Model(coords=coords) as model:
        counts_data = pm.Data("counts", counts, dims="category")
        p = pm.Dirichlet("p", a=alpha, dims="category")
        # The total is read from the data, so set_data may change it.
        pm.Multinomial(
            "counts_obs", n=counts_data.sum(), p=p, observed=counts_data, dims="category"
        )

    register_data_checks(model, counts=lambda v: check_counts(v, "counts", max_total=INT32_MAX))
    return model


@dataclass(frozen=True)
class DirichletPosterior:
    """The exact posterior ``Dirichlet(concentration)`` of the category probabilities.

    Attributes
    ----------
    concentration : ndarray of shape (k,)
        ``alpha + counts``.
    mean, sd : ndarray of shape (k,)
        Posterior mean and standard deviation of each ``p_j``.
    """

    concentration: np.ndarray
    mean: np.ndarray
    sd: np.ndarray


def categorical_posterior(counts, alpha=1.0) -> DirichletPosterior:
    """Conjugate update of a ``Dirichlet(alpha)`` prior by multinomial ``counts``.

    Parameters
    ----------
    counts : array-like of shape (k,)
        Non-negative integer counts, totalling at most ``2**63 - 1``.
    alpha : float or array-like of shape (k,), default 1.0
        Prior concentration.

    Returns
    -------
    DirichletPosterior
        With ``a = alpha + counts`` and ``a0 = sum(a)``: mean ``a / a0`` and sd
        ``sqrt(mean * (1 - mean) / (a0 + 1))``.
    """
    counts = check_counts(counts, "counts")
    a = check_positive(alpha, "alpha", shape=counts.shape) + counts
    mean = a / a.sum()
    sd = np.sqrt(mean * (1.0 - mean) / (a.sum() + 1.0))
    return DirichletPosterior(concentration=a, mean=mean, sd=sd)
