"""Gaussian mixture models: 1-D (``NormalMixture``) and n-D (a mixture of ``MvNormal``).

Both are marginalised over the component labels, so NUTS samples only the continuous
parameters. Label switching is removed by ordering the components: by their mean in 1-D, by
the first coordinate of their mean in n-D.

Default priors are weakly informative and scaled to the data passed in (``s`` is the
standard deviation of the pooled data, per feature in n-D):

- ``w ~ Dirichlet(w_concentration * ones(K))``, uniform on the simplex by default;
- ``mu_k ~ Normal(loc_k, 2 s)`` with ``loc_k`` the ``(k + 1/2) / K`` quantile of the data
  (of the first feature in n-D, the other features at their mean), so the prior means are
  already in the order the ordering transform needs;
- ``sigma_k ~ HalfNormal(2 s)``; in n-D with ``covariance="full"`` these are the standard
  deviations inside ``LKJCholeskyCov(eta=lkj_eta)``, one per component.

The priors keep their values when :func:`models.set_data` swaps in new data.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt
from pymc.distributions.transforms import Transform, ordered

from ._validation import (
    as_float_array,
    check_choice,
    check_int,
    check_matrix,
    check_names,
    check_positive,
    check_vector,
)
from .data import register_data_checks

__all__ = ["mv_normal_mixture", "normal_mixture"]

# Spread of the default priors in units of the data's standard deviation: wide enough that
# the data dominate, narrow enough to keep the sampler away from absurd regions.
_PRIOR_WIDTH = 2.0


def normal_mixture(
    x,
    n_components: int,
    *,
    mu_prior=None,
    sigma_prior=None,
    w_concentration=1.0,
) -> pm.Model:
    """A 1-D Gaussian mixture with ordered means.

    Parameters
    ----------
    x : array-like of shape (n,)
        Observations; at least ``n_components`` of them. Stored as ``pm.Data("x")``.
    n_components : int
        Number of components ``K >= 1``.
    mu_prior : tuple (loc, scale), optional
        Normal prior of the means; ``loc`` of shape (K,) strictly increasing, ``scale`` a
        positive scalar or shape (K,). Default: data quantiles and ``2 * std(x)``.
    sigma_prior : float or array of shape (K,), optional
        Scale of the HalfNormal prior of the component standard deviations.
        Default ``2 * std(x)``.
    w_concentration : float or array of shape (K,), default 1.0
        Dirichlet concentration of the weights.

    Returns
    -------
    pymc.Model
        Coords ``component`` (K) and ``obs_id`` (n); free variables ``w`` (component),
        ``mu`` (component, ordered) and ``sigma`` (component); observed ``x_obs``.
    """
    K = check_int(n_components, "n_components", minimum=1)
    x = check_vector(x, "x", min_length=K, reason=f"n_components={K}")
    scale = _data_scale(x)
    mu_loc, mu_scale = _mu_prior(mu_prior, _ordered_quantiles(x, K), _PRIOR_WIDTH * scale, K)
    sigma_scale = _prior_scale(sigma_prior, "sigma_prior", _PRIOR_WIDTH * scale, (K,))
    w_conc = check_positive(w_concentration, "w_concentration", shape=(K,)) * np.ones(K)

    with pm.Model(coords={"component": np.arange(K), "obs_id": np.arange(len(x))}) as model:
        x_data = pm.Data("x", x, dims="obs_id")
        w = pm.Dirichlet("w", a=w_conc, dims="component")
        mu = pm.Normal("mu", mu_loc, mu_scale, dims="component", **_ordering(K, ordered))
        sigma = pm.HalfNormal("sigma", sigma_scale, dims="component")
        pm.NormalMixture("x_obs", w=w, mu=mu, sigma=sigma, observed=x_data, dims="obs_id")

    register_data_checks(model, x=lambda v: check_vector(v, "x"))
    return model


def mv_normal_mixture(
    X,
    n_components: int,
    *,
    covariance: str = "full",
    mu_prior=None,
    sigma_prior=None,
    w_concentration=1.0,
    lkj_eta: float = 2.0,
    feature_names=None,
) -> pm.Model:
    """An n-D Gaussian mixture, components ordered by the first coordinate of their mean.

    Parameters
    ----------
    X : array-like of shape (n, d)
        Observations; at least ``n_components`` rows. Stored as ``pm.Data("X")``.
    n_components : int
        Number of components ``K >= 1``.
    covariance : {"full", "diag"}, default "full"
        ``"full"``: one ``LKJCholeskyCov`` prior per component. ``"diag"``: independent
        HalfNormal standard deviations ``sigma`` (component, feature); samples fastest.
    mu_prior : tuple (loc, scale), optional
        Normal prior of the means; ``loc`` of shape (K, d) with ``loc[:, 0]`` strictly
        increasing, ``scale`` positive, broadcastable to (K, d). Default: quantiles of the
        first feature, the mean of the others, and ``2 * std`` of each feature.
    sigma_prior : float or array broadcastable to (K, d), optional
        Scale of the HalfNormal prior of the standard deviations. Default ``2 * std(X)``.
    w_concentration : float or array of shape (K,), default 1.0
        Dirichlet concentration of the weights.
    lkj_eta : float, default 2.0
        LKJ concentration (``covariance="full"``); 2 mildly favours weak correlations.
    feature_names : sequence of str, optional
        Labels of the ``feature`` coordinate; default ``x0, x1, ...``.

    Returns
    -------
    pymc.Model
        Coords ``component``, ``feature``, ``feature_bis`` and ``obs_id``; free variables
        ``w`` (component), ``mu`` (component, feature) and either ``chol_cov_k`` (packed
        Cholesky factor per component, ``"full"``) or ``sigma`` (component, feature,
        ``"diag"``); Deterministic ``cov`` (component, feature, feature_bis); observed
        ``X_obs``.
    """
    covariance = check_choice(covariance, "covariance", ("full", "diag"))
    K = check_int(n_components, "n_components", minimum=1)
    X = check_matrix(X, "X", min_rows=K, reason=f"n_components={K}")
    n, d = X.shape
    scale = np.array([_data_scale(col) for col in X.T])
    default_loc = np.tile(X.mean(axis=0), (K, 1))
    default_loc[:, 0] = _ordered_quantiles(X[:, 0], K)
    mu_loc, mu_scale = _mu_prior(mu_prior, default_loc, _PRIOR_WIDTH * scale, (K, d))
    sigma_scale = _prior_scale(sigma_prior, "sigma_prior", _PRIOR_WIDTH * scale, (K, d))
    w_conc = check_positive(w_concentration, "w_concentration", shape=(K,)) * np.ones(K)
    lkj_eta = check_positive(lkj_eta, "lkj_eta")
    features = check_names(feature_names, "feature_names", d, "x")
    coords = {"component": np.arange(K), "feature": features, "feature_bis": features}

    with pm.Model(coords=coords | {"obs_id": np.arange(n)}) as model:
        X_data = pm.Data("X", X, dims=("obs_id", "feature"))
        w = pm.Dirichlet("w", a=w_conc, dims="component")
        mu = pm.Normal(
            "mu",
            mu_loc,
            mu_scale,
            dims=("component", "feature"),
            **_ordering(K, _OrderedFirstColumn()),
        )
        if covariance == "full":
            chol = pt.stack([_lkj_chol(k, d, lkj_eta, sigma_scale[k]) for k in range(K)])
        else:
            sigma = pm.HalfNormal("sigma", sigma_scale, dims=("component", "feature"))
            chol = sigma[:, :, None] * pt.eye(d)
        pm.Deterministic("cov", chol @ chol.mT, dims=("component", "feature", "feature_bis"))
        # One batched MvNormal: its last batch axis (K) is the mixture axis.
        components = pm.MvNormal.dist(mu=mu, chol=chol)
        pm.Mixture("X_obs", w=w, comp_dists=components, observed=X_data, dims=("obs_id", "feature"))

    register_data_checks(model, X=lambda v: check_matrix(v, "X"))
    return model


def _lkj_chol(k: int, d: int, eta: float, sd_scale: np.ndarray):
    """Cholesky factor (d, d) of component ``k``'s covariance under an LKJ prior.

    ``LKJCholeskyCov`` cannot be batched over components, hence one per component.
    """
    packed = pm.LKJCholeskyCov(
        f"chol_cov_{k}",
        n=d,
        eta=eta,
        sd_dist=pm.HalfNormal.dist(sd_scale, shape=d),
        compute_corr=False,
    )
    return pm.math.expand_packed_triangular(d, packed, lower=True)


class _OrderedFirstColumn(Transform):
    """Orders the rows of a (K, d) matrix by their first column; other columns are free.

    PyMC's ``ordered`` works on the last axis, which would order every feature across
    components; only the first one must be ordered to remove label switching.
    """

    name = "orderedfirst"  # no underscore: PyMC parses "<var>_<transform>__" names
    ndim_supp = 2

    def forward(self, value, *inputs):
        col = value[..., :, 0]
        steps = pt.concatenate([col[..., :1], pt.log(col[..., 1:] - col[..., :-1])], axis=-1)
        return pt.set_subtensor(value[..., :, 0], steps)

    def backward(self, value, *inputs):
        col = value[..., :, 0]
        steps = pt.concatenate([col[..., :1], pt.exp(col[..., 1:])], axis=-1)
        return pt.set_subtensor(value[..., :, 0], pt.cumsum(steps, axis=-1))

    def log_jac_det(self, value, *inputs):
        return pt.sum(value[..., 1:, 0], axis=-1)


def _ordering(K: int, transform) -> dict:
    """The ``transform`` keyword for the means: ordering only matters with two components."""
    return {"transform": transform} if K > 1 else {}


def _data_scale(x: np.ndarray) -> float:
    """Standard deviation, or 1 for constant data (a prior scale must be positive)."""
    s = float(np.std(x))
    return s if s > 0 else 1.0


def _ordered_quantiles(x: np.ndarray, K: int) -> np.ndarray:
    """The ``(k + 1/2) / K`` quantiles of ``x``, nudged to be strictly increasing.

    The ordering transform needs strictly increasing starting means: ties (heavily repeated
    values) would start the sampler at ``-inf``.
    """
    q = np.quantile(x, (np.arange(K) + 0.5) / K)
    return q + np.arange(K) * 1e-3 * _data_scale(x)


def _mu_prior(mu_prior, default_loc, default_scale, shape):
    shape = (shape,) if isinstance(shape, int) else shape
    if mu_prior is None:
        return default_loc, np.broadcast_to(default_scale, shape).copy()
    try:
        loc, scale = mu_prior
    except (TypeError, ValueError):
        raise ValueError(f"mu_prior must be a pair (loc, scale); got {mu_prior!r}") from None
    loc = np.broadcast_to(as_float_array(loc, "mu_prior loc"), shape).copy()
    first = loc if loc.ndim == 1 else loc[:, 0]
    if (np.diff(first) <= 0).any():
        raise ValueError(
            f"mu_prior loc must be strictly increasing over components (by the first feature "
            f"in n-D), as the ordering transform requires; got {first}"
        )
    return loc, check_positive(scale, "mu_prior scale", shape=shape) * np.ones(shape)


def _prior_scale(value, name, default, shape):
    if value is None:
        return np.broadcast_to(default, shape).copy()
    return check_positive(value, name, shape=shape) * np.ones(shape)
