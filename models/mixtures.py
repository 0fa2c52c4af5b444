"""Gaussian mixture models: 1-D (``NormalMixture``) and n-D (a mixture of ``MvNormal``).

Both are marginalised over the component labels, so NUTS samples only the continuous
parameters. Label switching is removed by ordering the components (``ordering="ordered"``,
the default): by their mean in 1-D, by the first coordinate of their mean in n-D;
``ordering="none"`` leaves the labels free.

Two prior families (``prior=``):

``"weak"`` (default): weakly informative priors scaled to the data passed in (``s`` is the
standard deviation of the pooled data, per feature in n-D):

- ``w ~ Dirichlet(weight_concentration * ones(K))``, uniform on the simplex by default;
- ``mu_k ~ Normal(loc_k, 2 s)`` with ``loc_k`` the ``(k + 1/2) / K`` quantile of the data
  (of the first feature in n-D, the other features at their mean), so the prior means are
  already in the order the ordering transform needs;
- ``sigma_k ~ HalfNormal(2 s)``; in n-D with ``covariance="full"`` these are the standard
  deviations inside ``LKJCholeskyCov(eta=lkj_eta)``, one per component.

``"conjugate"``: the Normal-inverse-Wishart prior of the conjugate Bayesian treatment (and
of scikit-learn's ``BayesianGaussianMixture``, whose names the hyperparameters take):

- ``w ~ Dirichlet(weight_concentration * ones(K))``;
- 1-D: ``variance_k ~ InvGamma(nu0 / 2, Psi0 / 2)``, ``mu_k | variance_k ~
  Normal(m0, variance_k / kappa0)``;
- n-D ``"diag"``: ``variance_kd ~ InvGamma(nu0 / 2, psi0_d / 2)`` per feature,
  ``mu_kd | variance_kd ~ Normal(m0_d, variance_kd / kappa0)``;
- n-D ``"full"``: ``Sigma_k ~ InverseWishart(nu0, Psi0)``, ``mu_k | Sigma_k ~
  MvNormal(m0, Sigma_k / kappa0)``;

with ``nu0 = degrees_of_freedom``, ``Psi0 = covariance_prior``, ``m0 = mean_prior``,
``kappa0 = mean_precision``, and mclust's defaults (see ``_mixture_priors``). The free
variables are the variances / covariance matrices themselves (transformed to unconstrained
space for NUTS: log, log-Cholesky), so :func:`models.map_estimate` finds the mode of the
density of ``(w, mu, Sigma)``, the same point as a MAP-EM with this prior.

The priors keep their values when :func:`models.set_data` swaps in new data.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor
import pytensor.tensor as pt
from pymc.distributions.transforms import ordered

from ._distributions import inverse_wishart, with_start
from ._mixture_priors import (
    conjugate_prior,
    data_scale,
    mean_prior_from_pair,
    ordered_quantiles,
    prior_scale,
)
from ._transforms import OrderedFirstColumn
from ._validation import (
    check_choice,
    check_data_matrix,
    check_data_vector,
    check_int,
    check_names,
    check_positive,
)
from .data import register_data_checks

__all__ = ["ORDERINGS", "PRIORS", "mv_normal_mixture", "normal_mixture"]

PRIORS = ("weak", "conjugate")
ORDERINGS = ("ordered", "none")

# Spread of the weak priors in units of the data's standard deviation: wide enough that
# the data dominate, narrow enough to keep the sampler away from absurd regions.
_PRIOR_WIDTH = 2.0

# Hyperparameters that belong to one prior family only; giving one to the other is an error.
_WEAK_ONLY = ("mu_prior", "sigma_prior", "lkj_eta")
_CONJUGATE_ONLY = ("mean_prior", "mean_precision", "degrees_of_freedom", "covariance_prior")


def normal_mixture(
    x,
    n_components: int,
    *,
    prior: str = "weak",
    ordering: str = "ordered",
    weight_concentration=None,
    mean_prior=None,
    mean_precision=None,
    degrees_of_freedom=None,
    covariance_prior=None,
    mu_prior=None,
    sigma_prior=None,
    w_concentration=None,
) -> pm.Model:
    """A 1-D Gaussian mixture with ordered means.

    Parameters
    ----------
    x : array-like of shape (n,)
        Observations; at least ``n_components`` of them. Stored as ``pm.Data("x")``.
    n_components : int
        Number of components ``K >= 1``.
    prior : {"weak", "conjugate"}, default "weak"
        The prior family (module docstring).
    ordering : {"ordered", "none"}, default "ordered"
        ``"ordered"``: the means are constrained increasing, which removes label switching.
        ``"none"``: no constraint; the posterior is then symmetric under relabelling and
        chains may switch labels (each chain, or the same chain at different times, can
        call a cluster by another component index).
    weight_concentration : float or array of shape (K,), default 1.0
        Dirichlet concentration of the weights (both families).
    mean_prior, mean_precision, degrees_of_freedom, covariance_prior : float, optional
        ``prior="conjugate"`` only: ``m0``, ``kappa0 > 0``, ``nu0 > 0`` and ``Psi0 > 0``.
        Defaults: ``mean(x)``, 0.01, 3 and ``var(x) / K^2``.
    mu_prior : tuple (loc, scale), optional
        ``prior="weak"`` only: Normal prior of the means; ``loc`` of shape (K,), strictly
        increasing with ``ordering="ordered"``, ``scale`` a positive scalar or shape (K,).
        Default: data quantiles and ``2 * std(x)``.
    sigma_prior : float or array of shape (K,), optional
        ``prior="weak"`` only: scale of the HalfNormal prior of the component standard
        deviations. Default ``2 * std(x)``.
    w_concentration : float or array of shape (K,), optional
        Former name of ``weight_concentration``, still accepted.

    Returns
    -------
    pymc.Model
        Coords ``component`` (K) and ``obs_id`` (n); observed ``x_obs``; free variables
        ``w`` (component), ``mu`` (component, ordered) and ``sigma`` (component, weak) or
        ``variance`` (component, conjugate, with Deterministic ``sigma = sqrt(variance)``).
    """
    prior = check_choice(prior, "prior", PRIORS)
    ordered_means = check_choice(ordering, "ordering", ORDERINGS) == "ordered"
    K = check_int(n_components, "n_components", minimum=1)
    x = check_data_vector(x, "x", min_length=K, reason=f"n_components={K}")
    given = dict(mean_prior=mean_prior, mean_precision=mean_precision)
    given |= dict(degrees_of_freedom=degrees_of_freedom, covariance_prior=covariance_prior)
    _check_family(prior, given | dict(mu_prior=mu_prior, sigma_prior=sigma_prior))
    weight_concentration = _weight_concentration(weight_concentration, w_concentration, K)
    start = ordered_quantiles(x, K)
    if prior == "weak":
        scale = _PRIOR_WIDTH * data_scale(x)
        mu_loc, mu_scale = mean_prior_from_pair(mu_prior, start, scale, K, ordered_means)
        sigma_scale = prior_scale(sigma_prior, "sigma_prior", scale, (K,))
    else:
        hyper = conjugate_prior(x[:, None], K, "diag", **given)

    with pm.Model(coords={"component": np.arange(K), "obs_id": np.arange(len(x))}) as model:
        x_data = pm.Data("x", x, dims="obs_id")
        w = pm.Dirichlet(
            "w", a=_hyper("weight_concentration", weight_concentration), dims="component"
        )
        order = _ordering(K, ordered, ordered_means)
        if prior == "weak":
            mu = pm.Normal(
                "mu",
                _hyper("mu_loc", mu_loc),
                _hyper("mu_scale", mu_scale),
                dims="component",
                **order,
            )
            sigma = pm.HalfNormal("sigma", _hyper("sigma_scale", sigma_scale), dims="component")
        else:
            nu0 = _hyper("degrees_of_freedom", hyper.degrees_of_freedom)
            psi0 = _hyper("covariance_prior", hyper.covariance_prior[0])
            variance = pm.InverseGamma("variance", nu0 / 2, psi0 / 2, dims="component")
            mu = with_start(
                "mu",
                pm.Normal.dist,
                _hyper("mean_prior", hyper.mean_prior[0]),
                pt.sqrt(variance / _hyper("mean_precision", hyper.mean_precision)),
                start=start,
                signature="(),()->()",
                dims="component",
                **order,
            )
            sigma = pm.Deterministic("sigma", pt.sqrt(variance), dims="component")
        pm.NormalMixture("x_obs", w=w, mu=mu, sigma=sigma, observed=x_data, dims="obs_id")

    register_data_checks(model, x=lambda v: check_data_vector(v, "x"))
    return model


def mv_normal_mixture(
    X,
    n_components: int,
    *,
    covariance: str = "full",
    prior: str = "weak",
    ordering: str = "ordered",
    weight_concentration=None,
    mean_prior=None,
    mean_precision=None,
    degrees_of_freedom=None,
    covariance_prior=None,
    mu_prior=None,
    sigma_prior=None,
    lkj_eta=None,
    feature_names=None,
    w_concentration=None,
) -> pm.Model:
    """An n-D Gaussian mixture, components ordered by the first coordinate of their mean.

    Parameters
    ----------
    X : array-like of shape (n, d)
        Observations; at least ``n_components`` rows. Stored as ``pm.Data("X")``.
    n_components : int
        Number of components ``K >= 1``.
    covariance : {"full", "diag"}, default "full"
        A full covariance matrix per component, or a diagonal one (independent features
        within a component; samples fastest).
    prior : {"weak", "conjugate"}, default "weak"
        The prior family (module docstring).
    ordering : {"ordered", "none"}, default "ordered"
        ``"ordered"``: the components are constrained increasing in the first coordinate
        of their mean, which removes label switching. ``"none"``: no constraint; chains may
        switch labels.
    weight_concentration : float or array of shape (K,), default 1.0
        Dirichlet concentration of the weights (both families).
    mean_prior : float or array of shape (d,), optional
        ``prior="conjugate"`` only: ``m0``; default the column means of ``X``.
    mean_precision : float, optional
        ``prior="conjugate"`` only: ``kappa0 > 0``; default 0.01.
    degrees_of_freedom : float, optional
        ``prior="conjugate"`` only: ``nu0``, ``> d - 1`` (full) or ``> 0`` (diag); default
        ``d + 2``.
    covariance_prior : float or array, optional
        ``prior="conjugate"`` only: ``Psi0``; full: an SPD (d, d) matrix or a positive
        scalar (times the identity), default ``cov(X) / K^(2/d)``; diag: positive, scalar
        or shape (d,), default ``var(X) / K^(2/d)`` per feature.
    mu_prior : tuple (loc, scale), optional
        ``prior="weak"`` only: Normal prior of the means; ``loc`` of shape (K, d) with
        ``loc[:, 0]`` strictly increasing (with ``ordering="ordered"``), ``scale`` positive,
        broadcastable to (K, d). Default: quantiles of the first feature, the mean of the
        others, and ``2 * std`` of each feature.
    sigma_prior : float or array broadcastable to (K, d), optional
        ``prior="weak"`` only: scale of the HalfNormal prior of the standard deviations.
        Default ``2 * std(X)``.
    lkj_eta : float, optional
        ``prior="weak"``, ``covariance="full"`` only: LKJ concentration; default 2 (mildly
        favours weak correlations).
    feature_names : sequence of str, optional
        Labels of the ``feature`` coordinate; default ``x0, x1, ...``.
    w_concentration : float or array of shape (K,), optional
        Former name of ``weight_concentration``, still accepted.

    Returns
    -------
    pymc.Model
        Coords ``component``, ``feature``, ``feature_bis`` and ``obs_id``; observed
        ``X_obs``; free variables ``w`` (component), ``mu`` (component, feature) and, by
        prior and covariance: weak full ``chol_cov_k`` (packed Cholesky factor per
        component), weak diag ``sigma`` (component, feature), conjugate full ``cov``
        (component, feature, feature_bis) itself, conjugate diag ``variance`` (component,
        feature, with Deterministic ``sigma``). ``cov`` (component, feature, feature_bis)
        is always there, as a Deterministic where it is not free.
    """
    covariance = check_choice(covariance, "covariance", ("full", "diag"))
    prior = check_choice(prior, "prior", PRIORS)
    ordered_means = check_choice(ordering, "ordering", ORDERINGS) == "ordered"
    K = check_int(n_components, "n_components", minimum=1)
    X = check_data_matrix(X, "X", min_rows=K, reason=f"n_components={K}")
    n, d = X.shape
    given = dict(mean_prior=mean_prior, mean_precision=mean_precision)
    given |= dict(degrees_of_freedom=degrees_of_freedom, covariance_prior=covariance_prior)
    _check_family(prior, given | dict(mu_prior=mu_prior, sigma_prior=sigma_prior, lkj_eta=lkj_eta))
    weight_concentration = _weight_concentration(weight_concentration, w_concentration, K)
    features = check_names(feature_names, "feature_names", d, "x")
    start = np.tile(X.mean(axis=0), (K, 1))
    start[:, 0] = ordered_quantiles(X[:, 0], K)
    if prior == "weak":
        weak = _weak_mv_prior(
            X, K, start, mu_prior, sigma_prior, lkj_eta, covariance, ordered_means
        )
    else:
        hyper = conjugate_prior(X, K, covariance, **given)
    coords = {"component": np.arange(K), "feature": features, "feature_bis": features}
    matrix_dims = ("component", "feature", "feature_bis")

    with pm.Model(coords=coords | {"obs_id": np.arange(n)}) as model:
        X_data = pm.Data("X", X, dims=("obs_id", "feature"))
        order = _ordering(K, OrderedFirstColumn(), ordered_means)
        w = pm.Dirichlet(
            "w", a=_hyper("weight_concentration", weight_concentration), dims="component"
        )
        if prior == "weak":
            mu_loc, mu_scale, sigma_scale, eta = weak
            mu = pm.Normal(
                "mu",
                _hyper("mu_loc", mu_loc),
                _hyper("mu_scale", mu_scale),
                dims=("component", "feature"),
                **order,
            )
            sigma_scale = _hyper("sigma_scale", np.broadcast_to(sigma_scale, (K, d)))
            if covariance == "full":
                eta = _hyper("lkj_eta", eta)
                chol = pt.stack([_lkj_chol(k, d, eta, sigma_scale[k]) for k in range(K)])
            else:
                sigma = pm.HalfNormal("sigma", sigma_scale, dims=("component", "feature"))
                chol = sigma[:, :, None] * pt.eye(d)
            pm.Deterministic("cov", chol @ chol.mT, dims=matrix_dims)
        else:
            mu, chol = _conjugate_mv(hyper, covariance, start, d, order, matrix_dims)
        # One batched MvNormal: its last batch axis (K) is the mixture axis.
        components = pm.MvNormal.dist(mu=mu, chol=chol)
        pm.Mixture("X_obs", w=w, comp_dists=components, observed=X_data, dims=("obs_id", "feature"))

    register_data_checks(model, X=lambda v: check_data_matrix(v, "X"))
    return model


def _conjugate_mv(hyper, covariance, start, d, order, matrix_dims):
    """``(mu, chol)`` of the conjugate n-D prior, declared in the current model."""
    nu0 = _hyper("degrees_of_freedom", hyper.degrees_of_freedom)
    psi0 = _hyper("covariance_prior", hyper.covariance_prior)
    kappa0 = _hyper("mean_precision", hyper.mean_precision)
    mean_prior = _hyper("mean_prior", hyper.mean_prior)
    if covariance == "full":
        cov = inverse_wishart("cov", nu0, psi0, dims=matrix_dims)
        chol = pt.linalg.cholesky(cov)
        mu = with_start(
            "mu",
            lambda m, c, size: pm.MvNormal.dist(m, chol=c, size=size),
            mean_prior,
            chol / pt.sqrt(kappa0),
            start=start,
            signature="(d),(d,d)->(d)",
            dims=("component", "feature"),
            **order,
        )
        return mu, chol
    variance = pm.InverseGamma("variance", nu0 / 2, psi0 / 2, dims=("component", "feature"))
    sigma = pm.Deterministic("sigma", pt.sqrt(variance), dims=("component", "feature"))
    mu = with_start(
        "mu",
        pm.Normal.dist,
        mean_prior,
        sigma / pt.sqrt(kappa0),
        start=start,
        signature="(),()->()",
        dims=("component", "feature"),
        **order,
    )
    chol = sigma[:, :, None] * pt.eye(d)
    pm.Deterministic("cov", chol @ chol.mT, dims=matrix_dims)
    return mu, chol


def _weak_mv_prior(X, K, start, mu_prior, sigma_prior, lkj_eta, covariance, ordered_means):
    """``(mu_loc, mu_scale, sigma_scale, lkj_eta)`` of the weak n-D prior."""
    d = X.shape[1]
    scale = np.array([data_scale(col) for col in X.T])
    mu_loc, mu_scale = mean_prior_from_pair(
        mu_prior, start, _PRIOR_WIDTH * scale, (K, d), ordered_means
    )
    sigma_scale = prior_scale(sigma_prior, "sigma_prior", _PRIOR_WIDTH * scale, (K, d))
    if lkj_eta is not None and covariance != "full":
        raise ValueError("lkj_eta applies to covariance='full' only; got covariance='diag'")
    eta = check_positive(2.0 if lkj_eta is None else lkj_eta, "lkj_eta")
    return mu_loc, mu_scale, sigma_scale, eta


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


def _weight_concentration(weight_concentration, w_concentration, K: int) -> np.ndarray:
    """Dirichlet concentration (K,) from ``weight_concentration`` or its former name."""
    if w_concentration is None:
        value = 1.0 if weight_concentration is None else weight_concentration
        return check_positive(value, "weight_concentration", shape=(K,)) * np.ones(K)
    if weight_concentration is not None:
        raise ValueError(
            "weight_concentration and w_concentration (its former name) are both given; "
            "pass weight_concentration only"
        )
    return check_positive(w_concentration, "w_concentration", shape=(K,)) * np.ones(K)


def _check_family(prior: str, given: dict) -> None:
    """Refuse hyperparameters of the other prior family: they would be silently ignored."""
    foreign = _CONJUGATE_ONLY if prior == "weak" else _WEAK_ONLY
    wrong = [name for name in foreign if given.get(name) is not None]
    if wrong:
        other = "conjugate" if prior == "weak" else "weak"
        raise ValueError(
            f"{', '.join(wrong)} belong(s) to prior={other!r}, not prior={prior!r}; "
            f"accepted with prior={prior!r}: weight_concentration and "
            f"{', '.join(n for n in (_WEAK_ONLY if prior == 'weak' else _CONJUGATE_ONLY))}"
        )


def _hyper(name: str, value) -> pt.TensorVariable:
    """A hyperparameter held in a shared variable ``prior_<name>`` instead of a constant.

    Models that differ only in their hyperparameters (two cases' priors, one structure
    refitted at several sizes) then have one graph: PyTensor's compiled code is reused from
    its cache, and :func:`models.sample` reuses one compiled sampler for all of them.
    """
    value = np.asarray(value, dtype=np.float64)
    return pytensor.shared(value, name=f"prior_{name}", shape=value.shape)


def _ordering(K: int, transform, ordered_means: bool) -> dict:
    """The ``transform`` keyword for the means: ordering only matters with two components."""
    return {"transform": transform} if ordered_means and K > 1 else {}
