"""Every criterion's choice of K on one standardised 1-D data set.

EM side (:func:`em_choices`): :func:`em.select_k` with BIC, AIC, ICL and, where asked,
5-fold held-out log-likelihood and mclust's sequential bootstrap LRT. Variational side
(:func:`vb_effective_k`): the number of components of :class:`em.VariationalGaussianMixture`
whose posterior mean weight exceeds 1 %. Posterior side (:func:`loo_choice`): NUTS per K
through one compiled model per (K, n), PSIS-LOO ELPD and its Pareto k.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from scipy.stats import norm

from .._common import quietly, sample_posterior

__all__ = [
    "EM_TOL",
    "PARETO_K_MAX",
    "VB_PRIORS",
    "WEIGHT_FLOOR",
    "clear_models",
    "em_choices",
    "loo_choice",
    "vb_effective_k",
]

# EM stops when the log-likelihood per point changes by less than this: 0.02 nats in total
# at n = 200, far below the differences BIC or the LRT act on; the default 1e-6 costs an
# over-fitted K hundreds of iterations on a flat likelihood, and the study thousands of fits.
EM_TOL = 1e-4
# Starts (k-means++) of every EM fit: one start can stop in a local optimum, which would
# make a criterion judge the optimiser rather than the model.
N_INIT = 3
# VB empties an unneeded component slowly (its weight shrinks a little per iteration), so it
# runs to the estimator's own tolerance: stopped at EM_TOL it still holds most of them (on
# one separated K_true=1 cell, 7 of 10 fits kept 4 of 4 components at 1e-4, 1 of 10 at
# 1e-6). At 1e-6, on four cells of 10 data sets (K=4), three starts found K_true on 7, 7,
# 5 and 10 of them, one start on 7, 6, 2 and 10, at 3.5 times less cost; VB starts once
# (k-means++) to keep the study's quick level near a minute, and the page says so.
VB_TOL = 1e-6
VB_N_INIT = 1
# A VB component "exists" when its posterior mean weight exceeds this (the 1 %).
WEIGHT_FLOOR = 0.01
# name -> Dirichlet concentration of the weights' prior: the default (uniform on the
# simplex, as everywhere else in the suite) and a sparse one (Bishop, PRML 10.2.1), which
# lets VB empty the components the data do not need.
VB_PRIORS = {"vb": 1.0, "vb-sparse": 0.01}
# PSIS-LOO is unreliable for a point whose Pareto k exceeds this (Vehtari et al. 2017).
PARETO_K_MAX = 0.7
# Prior of the standardised data's mixture: means Normal(the (k + 1/2)/K quantile of
# N(0, 1), 2), sds HalfNormal(2); the same for every data set, so set_data can swap them.
_PRIOR_SCALE = 2.0

# (K, n) -> pymc.Model built for the first data set of that shape, its data swapped since.
_MODELS: dict[tuple[int, int], object] = {}


def em_choices(
    x: np.ndarray,
    ks: list[int],
    criteria: tuple[str, ...],
    seed: int,
    *,
    n_folds: int,
    n_replicates: int,
) -> dict:
    """:func:`em.select_k` on ``x`` (n,) over ``ks``; JSON-ready.

    Returns
    -------
    dict
        ``chosen`` ``{criterion: K}``, ``values`` ``{criterion: [value per K]}`` (NaN as
        None), ``warnings`` (distinct fit warnings).
    """
    from em import GaussianMixtureEM, select_k

    template = GaussianMixtureEM(n_init=N_INIT, tol=EM_TOL)
    selection, messages = quietly(
        select_k,
        x,
        ks,
        criteria=criteria,
        estimator=template,
        n_folds=n_folds,
        n_replicates=n_replicates,
        random_state=seed,
    )
    values = {
        name: [None if np.isnan(v) else float(v) for v in vals]
        for name, vals in selection.values.items()
    }
    return {"chosen": dict(selection.chosen), "values": values, "warnings": messages}


def vb_effective_k(x: np.ndarray, n_components: int, seed: int) -> dict[str, int]:
    """Effective number of components of the variational fit started with ``n_components``.

    VB starts with every component and empties those the data do not need (with a prior
    that lets it): the components whose posterior mean weight exceeds
    :data:`WEIGHT_FLOOR` are the criterion's choice.

    Returns
    -------
    dict
        ``{prior name in VB_PRIORS: effective K}``.
    """
    from em import NormalInverseWishart, VariationalGaussianMixture

    X = x[:, None]
    out = {}
    for name, concentration in VB_PRIORS.items():
        prior = NormalInverseWishart.default(
            X, n_components, "full", weight_concentration=concentration
        )
        vb, _ = quietly(
            VariationalGaussianMixture(
                n_components, prior=prior, n_init=VB_N_INIT, tol=VB_TOL, random_state=seed
            ).fit,
            X,
        )
        out[name] = int(np.sum(vb.weights_ > WEIGHT_FLOOR))
    return out


def loo_choice(
    x: np.ndarray, ks: list[int], *, sampler: str, seed: int, draws: int, tune: int, chains: int
) -> dict:
    """NUTS and PSIS-LOO of the ordered mixture at every K; the K of the highest ELPD.

    Returns
    -------
    dict
        ``chosen``; per K (lists in ``ks`` order): ``elpd``, ``se``, ``max_pareto_k``,
        ``share_bad_k`` (points with k > :data:`PARETO_K_MAX`), ``ok`` (the chains passed
        :func:`models.diagnostics`); ``seconds`` ``{"compile", "sampling", "loo"}``.
    """
    import arviz as az

    out = {"elpd": [], "se": [], "max_pareto_k": [], "share_bad_k": [], "ok": []}
    seconds = {"compile": 0.0, "sampling": 0.0, "loo": 0.0}
    for k in ks:
        model = _model(x, k)
        idata, diag, _, s = sample_posterior(
            model, sampler=sampler, seed=seed, draws=draws, tune=tune, chains=chains
        )
        seconds["compile"] += s["compile"]
        seconds["sampling"] += s["sampling"]
        start = time.perf_counter()
        with warnings.catch_warnings():
            # A high Pareto k is counted below, not printed.
            warnings.simplefilter("ignore")
            result = az.loo(idata, pointwise=True)
        pareto_k = np.asarray(result.pareto_k).ravel()
        seconds["loo"] += time.perf_counter() - start
        out["elpd"].append(float(result.elpd))
        out["se"].append(float(result.se))
        out["max_pareto_k"].append(float(pareto_k.max()))
        out["share_bad_k"].append(float(np.mean(pareto_k > PARETO_K_MAX)))
        out["ok"].append(bool(diag.ok))
    out["chosen"] = ks[int(np.argmax(out["elpd"]))]
    out["seconds"] = seconds
    return out


def _model(x: np.ndarray, k: int):
    """The compiled-once model of ``k`` components for data of ``x``'s length, holding ``x``."""
    import models

    key = (k, x.shape[0])
    if key not in _MODELS:
        loc = norm.ppf((np.arange(k) + 0.5) / k)
        _MODELS[key] = models.normal_mixture(
            x, k, mu_prior=(loc, _PRIOR_SCALE), sigma_prior=_PRIOR_SCALE
        )
    else:
        models.set_data(_MODELS[key], x=x)
    return _MODELS[key]


def clear_models() -> None:
    """Forget the cached models (the next LOO fit of each (K, n) compiles again)."""
    _MODELS.clear()
