"""The conjugate prior of the mixture cases: one prior for NUTS, MAP-EM and variational Bayes.

The mixture cases sample the conjugate model of :mod:`models` (``prior="conjugate"``) by
default, with the hyperparameters of :meth:`em.NormalInverseWishart.default` (mclust's
default prior) passed to the builder as plain numbers. The same
:class:`em.NormalInverseWishart` object is then given to MAP-EM and to
:class:`em.VariationalGaussianMixture` by the inference ladder, so every rung of the ladder
approximates one posterior.

The hyperparameters are computed once per case from a *pilot* data set (the case's data at
seed :data:`PILOT_SEED`, which is also the report's default seed) and then held fixed: a
prior must not move with each data set it is compared on, and fixed numbers let one
compiled model serve every seed of the case (``models.set_data``), as the studies need.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["PILOT_SEED", "builder_arguments", "conjugate_model", "describe"]

# The data set the hyperparameters are computed from (see the module docstring).
PILOT_SEED = 0


def builder_arguments(prior, covariance_type: str, n_features: int) -> dict[str, Any]:
    """``prior`` as the keyword arguments of ``models.normal_mixture`` / ``mv_normal_mixture``.

    Parameters
    ----------
    prior : em.NormalInverseWishart
    covariance_type : {"full", "diag"}
        The model's covariance (1-D data: either; the 1-D model has one variance each).
    n_features : int

    Returns
    -------
    dict
        ``weight_concentration``, ``mean_prior``, ``mean_precision``, ``degrees_of_freedom``
        and ``covariance_prior``, as plain floats and arrays.
    """
    scale = prior.scale_for(covariance_type)
    out = {
        "weight_concentration": float(prior.weight_concentration),
        "mean_precision": float(prior.mean_precision),
        "degrees_of_freedom": float(prior.degrees_of_freedom),
    }
    if n_features == 1:  # the 1-D model takes scalars
        return out | {
            "mean_prior": float(prior.mean_prior[0]),
            "covariance_prior": float(np.ravel(scale)[0]),
        }
    return out | {"mean_prior": np.array(prior.mean_prior), "covariance_prior": np.array(scale)}


def conjugate_model(data, n_components: int, covariance_type: str, prior, ordering="ordered"):
    """The conjugate PyMC mixture of ``data`` with ``prior``'s hyperparameters.

    Parameters
    ----------
    data : compare.cases.Dataset
    n_components : int
    covariance_type : {"full", "diag"}
    prior : em.NormalInverseWishart
    ordering : {"ordered", "none"}, default "ordered"
        ``"none"``: the same model without the ordering transform (the relabelling
        section samples it beside the case's ordered one).

    Returns
    -------
    pymc.Model
        ``models.normal_mixture`` for 1-D data, ``models.mv_normal_mixture`` otherwise.
    """
    import models

    d = data.X.shape[1]
    given = builder_arguments(prior, covariance_type, d)
    if d == 1:
        return models.normal_mixture(
            data.x1d, n_components, prior="conjugate", ordering=ordering, **given
        )
    return models.mv_normal_mixture(
        data.X,
        n_components,
        covariance=covariance_type,
        prior="conjugate",
        ordering=ordering,
        **given,
    )


def pilot_prior(generate: Callable, n_components: int, covariance_type: str) -> Callable[[], Any]:
    """A function returning mclust's default prior of the pilot data set, computed once."""
    cache: list = []

    def prior():
        if not cache:
            import em

            X = generate(PILOT_SEED, "numpy").X
            cache.append(em.NormalInverseWishart.default(X, n_components, covariance_type))
        return cache[0]

    return prior


def describe(prior, covariance_type: str) -> str:
    """The prior in words and numbers, for a page."""
    scale = np.round(np.asarray(prior.scale_for(covariance_type), float), 4).tolist()
    m0 = np.round(np.asarray(prior.mean_prior, float), 4).tolist()
    if prior.n_features == 1:
        cov = "variance_k ~ InverseGamma(nu0/2, Psi0/2)"
    elif covariance_type == "diag":
        cov = "each variance ~ InverseGamma(nu0/2, Psi0_d/2)"
    else:
        cov = "Sigma_k ~ InverseWishart(nu0, Psi0)"
    return (
        f"conjugate: w ~ Dirichlet({prior.weight_concentration:g}); {cov}; "
        f"mu_k | Sigma_k ~ Normal(m0, Sigma_k / kappa0), ordered; m0 = {m0}, "
        f"kappa0 = {prior.mean_precision:g}, nu0 = {prior.degrees_of_freedom:g}, "
        f"Psi0 = {scale} (mclust's default prior, em.NormalInverseWishart.default, of the "
        f"seed-{PILOT_SEED} data, then fixed)"
    )
