"""Hyperparameters of the mixtures' two prior families, with their defaults and checks.

``"weak"``: weakly informative priors scaled to the data (see :mod:`models.mixtures`).

``"conjugate"``: the Normal-inverse-Wishart prior (names as scikit-learn's
``BayesianGaussianMixture``), with defaults from mclust's ``defaultPrior`` (Fraley and
Raftery 2007, "Bayesian regularization for normal mixture estimation and model-based
clustering"), computed from the data ``X`` of shape (n, D) the model is built with:

- ``weight_concentration``: 1 (uniform Dirichlet on the weights);
- ``mean_prior``: the column means of ``X``;
- ``mean_precision`` (``kappa0``): 0.01, so the means' prior is 10 component sds wide;
- ``degrees_of_freedom`` (``nu0``): ``D + 2``;
- ``covariance_prior`` (``Psi0``): ``cov(X) / K^(2/D)`` (full), the per-feature variances
  ``var(X) / K^(2/D)`` (diagonal and 1-D), with the ``n - 1`` denominator (R's ``var``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import as_float_array, check_positive

__all__ = [
    "ConjugatePrior",
    "conjugate_prior",
    "data_scale",
    "mean_prior_from_pair",
    "ordered_quantiles",
    "prior_scale",
]


@dataclass(frozen=True)
class ConjugatePrior:
    """Resolved Normal-inverse-Wishart hyperparameters of one component in ``D`` dimensions.

    Attributes
    ----------
    mean_prior : ndarray of shape (D,)
    mean_precision : float
    degrees_of_freedom : float
    covariance_prior : ndarray of shape (D, D) (full) or (D,) (diagonal, 1-D)
    """

    mean_prior: np.ndarray
    mean_precision: float
    degrees_of_freedom: float
    covariance_prior: np.ndarray


def conjugate_prior(
    X: np.ndarray,
    K: int,
    covariance: str,
    *,
    mean_prior=None,
    mean_precision=None,
    degrees_of_freedom=None,
    covariance_prior=None,
) -> ConjugatePrior:
    """The conjugate prior's hyperparameters: those given, checked, the others by default.

    The weights' ``weight_concentration`` (default 1) is shared with the weak prior and
    checked by the builders.

    Parameters
    ----------
    X : ndarray of shape (n, D)
        The validated data (1-D data as one column).
    K : int
        Number of components.
    covariance : {"full", "diag"}
        ``"diag"`` also serves the 1-D model.
    mean_prior : float or array-like of shape (D,), optional
    mean_precision : float, optional
    degrees_of_freedom : float, optional
        ``> D - 1`` for a full covariance (inverse-Wishart), ``> 0`` otherwise.
    covariance_prior : array-like, optional
        Full: an SPD (D, D) matrix or a positive scalar (times the identity). Diagonal:
        positive, a scalar or shape (D,).

    Raises
    ------
    ValueError
        A hyperparameter out of its range or of the wrong shape, or a default that cannot
        be computed (fewer than two rows, a constant or collinear feature).
    """
    D = X.shape[1]
    if mean_prior is None:
        m0 = X.mean(axis=0)
    else:
        m0 = as_float_array(mean_prior, "mean_prior")
        if m0.ndim > 1 or m0.size not in (1, D):
            raise ValueError(f"mean_prior must be a scalar or of shape ({D},); got {m0.shape}")
        m0 = np.broadcast_to(m0, (D,)).copy()
    kappa0 = check_positive(0.01 if mean_precision is None else mean_precision, "mean_precision")
    if np.ndim(kappa0) != 0:
        raise ValueError(f"mean_precision must be a positive scalar; got {mean_precision!r}")
    nu0 = _degrees_of_freedom(degrees_of_freedom, D, covariance)
    if covariance_prior is None:
        psi0 = _default_covariance_prior(X, K, covariance)
    else:
        psi0 = _covariance_prior(covariance_prior, D, covariance)
    return ConjugatePrior(m0, float(kappa0), nu0, psi0)


def _degrees_of_freedom(value, D: int, covariance: str) -> float:
    nu0 = D + 2.0 if value is None else as_float_array(value, "degrees_of_freedom")
    minimum = D - 1 if covariance == "full" else 0
    if np.ndim(nu0) != 0 or not nu0 > minimum:
        what = "D - 1 (inverse-Wishart)" if covariance == "full" else "0"
        raise ValueError(f"degrees_of_freedom must be a scalar > {what} = {minimum}; got {value!r}")
    return float(nu0)


def _default_covariance_prior(X: np.ndarray, K: int, covariance: str) -> np.ndarray:
    n, D = X.shape
    if n < 2:
        raise ValueError(
            "the default covariance_prior is the data's covariance, which needs at least 2 "
            f"rows; X has {n}: pass covariance_prior"
        )
    shrink = K ** (2.0 / D)
    if covariance == "full":
        psi0 = np.atleast_2d(np.cov(X, rowvar=False, ddof=1)) / shrink
        if np.linalg.eigvalsh(psi0)[0] <= 0:
            raise ValueError(
                "the default covariance_prior, cov(X) / K^(2/D), is singular (a constant or "
                "collinear feature): pass covariance_prior"
            )
        return psi0
    psi0 = X.var(axis=0, ddof=1) / shrink
    if (psi0 <= 0).any():
        raise ValueError(
            f"the default covariance_prior, var(X) / K^(2/D), is 0 for feature(s) "
            f"{np.flatnonzero(psi0 <= 0).tolist()} (constant): pass covariance_prior"
        )
    return psi0


def _covariance_prior(value, D: int, covariance: str) -> np.ndarray:
    if covariance == "diag":
        return check_positive(value, "covariance_prior", shape=(D,)) * np.ones(D)
    psi0 = as_float_array(value, "covariance_prior")
    if psi0.ndim == 0:
        return check_positive(value, "covariance_prior") * np.eye(D)
    if psi0.shape != (D, D):
        raise ValueError(
            f"covariance_prior must be a positive scalar or a ({D}, {D}) matrix; got shape "
            f"{psi0.shape}"
        )
    if not np.allclose(psi0, psi0.T, rtol=1e-12, atol=0.0):
        raise ValueError("covariance_prior must be symmetric")
    if np.linalg.eigvalsh(psi0)[0] <= 0:
        raise ValueError(
            "covariance_prior must be positive definite; its smallest eigenvalue is <= 0"
        )
    return psi0


def data_scale(x: np.ndarray) -> float:
    """Standard deviation, or 1 for constant data (a prior scale must be positive)."""
    s = float(np.std(x))
    return s if s > 0 else 1.0


def ordered_quantiles(x: np.ndarray, K: int) -> np.ndarray:
    """The ``(k + 1/2) / K`` quantiles of ``x``, nudged to be strictly increasing.

    The ordering transform needs strictly increasing starting means: ties (heavily repeated
    values) would start the sampler at ``-inf``.
    """
    q = np.quantile(x, (np.arange(K) + 0.5) / K)
    return q + np.arange(K) * 1e-3 * data_scale(x)


def mean_prior_from_pair(mu_prior, default_loc, default_scale, shape, ordered: bool):
    """The weak prior's ``(loc, scale)`` of the means, from ``mu_prior`` or the defaults."""
    shape = (shape,) if isinstance(shape, int) else shape
    if mu_prior is None:
        return default_loc, np.broadcast_to(default_scale, shape).copy()
    try:
        loc, scale = mu_prior
    except (TypeError, ValueError):
        raise ValueError(f"mu_prior must be a pair (loc, scale); got {mu_prior!r}") from None
    loc = np.broadcast_to(as_float_array(loc, "mu_prior loc"), shape).copy()
    first = loc if loc.ndim == 1 else loc[:, 0]
    if ordered and (np.diff(first) <= 0).any():
        raise ValueError(
            f"mu_prior loc must be strictly increasing over components (by the first feature "
            f"in n-D), as the ordering transform requires; got {first}"
        )
    return loc, check_positive(scale, "mu_prior scale", shape=shape) * np.ones(shape)


def prior_scale(value, name, default, shape):
    """A positive prior scale of ``shape``: ``value`` checked, or ``default``."""
    if value is None:
        return np.broadcast_to(default, shape).copy()
    return check_positive(value, name, shape=shape) * np.ones(shape)
