"""A mixture model's free variables at given weights, means and covariances.

:func:`models.sample` takes per-chain starting points in the variables' own names
(``initvals``); the mixture builders name them by their prior (``sigma`` or ``variance``,
``cov`` or one ``chol_cov_k`` per component), so this module is the one place that turns
a fitted mixture (EM's, say) into such a point.
"""

from __future__ import annotations

import numpy as np
import pymc as pm

from ._validation import as_float_array
from .data import data_names

__all__ = ["mixture_start"]


def mixture_start(model: pm.Model, weights, means, covariances) -> dict[str, np.ndarray]:
    """The point of ``model`` at the mixture ``(weights, means, covariances)``.

    Parameters
    ----------
    model : pymc.Model
        From :func:`models.normal_mixture` or :func:`models.mv_normal_mixture` (either
        prior, either covariance model, ordered or not).
    weights : array_like of shape (K,)
    means : array_like of shape (K, D)
    covariances : array_like of shape (K, D, D)
        Full matrices, symmetric positive definite; a diagonal model takes their diagonals.

    Returns
    -------
    dict of str to ndarray
        One entry per free variable, in its constrained space, for
        ``models.sample(initvals=[point] * chains)``. The components are put in the order
        of their means' first coordinate, the order the ordered models require (harmless
        for unordered ones).

    Raises
    ------
    ValueError
        Shapes that do not match each other or the model's K and D, a covariance that is not
        positive definite, or a model with a free variable this function does not know.
    """
    w = as_float_array(weights, "weights")
    mu = as_float_array(means, "means")
    cov = as_float_array(covariances, "covariances")
    if w.ndim != 1 or mu.ndim != 2 or cov.shape != (w.size, mu.shape[1], mu.shape[1]):
        raise ValueError(
            "weights (K,), means (K, D) and covariances (K, D, D) are accepted; got shapes "
            f"{w.shape}, {mu.shape} and {cov.shape}"
        )
    K, d = mu.shape
    n_components = len(model.coords["component"])
    if n_components != K:
        raise ValueError(f"weights has {K} components; the model has {n_components}")
    order = np.argsort(mu[:, 0], kind="stable")
    w, mu, cov = w[order], mu[order], cov[order]
    try:
        chol = np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        raise ValueError("covariances must be positive definite") from None
    variances = np.diagonal(cov, axis1=1, axis2=2)  # (K, D)
    one_d = "x" in data_names(model)  # normal_mixture's data; mv_normal_mixture's is "X"
    rows, cols = np.tril_indices(d)
    values = {
        "w": w,
        "mu": mu[:, 0] if one_d else mu,
        "sigma": np.sqrt(variances[:, 0] if one_d else variances),
        "variance": variances[:, 0] if one_d else variances,
        "cov": cov,
        **{f"chol_cov_{k}": chol[k][rows, cols] for k in range(K)},
    }
    point = {}
    for rv in model.free_RVs:
        if rv.name not in values:
            raise ValueError(
                f"the model's free variable {rv.name!r} is not a mixture parameter this "
                "function knows; accepted models: models.normal_mixture, models.mv_normal_mixture"
            )
        point[rv.name] = values[rv.name]
    return point
