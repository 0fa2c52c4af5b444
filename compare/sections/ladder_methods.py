"""The rungs of the inference ladder: every method's marginals of one mixture posterior.

One data set, one conjugate prior (:mod:`compare.conjugate`), six ways to summarise what
the data say about the parameters, each as a point, a standard deviation and a central
interval per scalar parameter, in the report's names and aligned to NUTS:

=================  ==========================================================================
rung               what it reports
=================  ==========================================================================
EM (MLE)           the maximum-likelihood estimate, standard errors from the observed
                   information, Wald intervals (the comparison's own EM fit; no prior)
MAP-EM + Laplace   the posterior mode of the conjugate prior, the Laplace approximation's
                   (observed information of the log posterior) standard errors and intervals
VB                 mean-field variational Bayes (:class:`em.VariationalGaussianMixture`):
                   the exact marginals of ``q``
ADVI               PyMC's mean-field ADVI of the same compiled model (``models.advi``)
ADVI full-rank     PyMC's full-rank ADVI of the same model
NUTS               the comparison's posterior draws: the reference
=================  ==========================================================================

Every rung is aligned to NUTS by the one Hungarian matching of component means
(:func:`compare.align.match_components`). The scores against NUTS are Stan's
``stat_comp_benchmarks`` rule for approximate algorithms: ``|mean - NUTS mean| / NUTS sd``
below :data:`compare.settings.LADDER_PASS` passes; the ratio ``sd / NUTS sd`` says how
honest the method's uncertainty is.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from scipy import stats
from scipy.special import gammaln

from ..align import match_components, permute_components
from ..kinds import get_kind
from ..settings import EM_LEVEL, LADDER_ADVI, LADDER_PASS

__all__ = ["ADVI_RUNGS", "RUNGS", "Rung", "climb", "scalars", "score"]

# Rung names, in the page's order (cheapest first, the reference last).
RUNGS = ("EM (MLE)", "MAP-EM + Laplace", "VB", "ADVI", "ADVI full-rank", "NUTS")
REFERENCE = "NUTS"
# The rungs that fit PyMC's ADVI (each compiles its own step function: the costly ones).
ADVI_RUNGS = ("ADVI", "ADVI full-rank")
# Points of the density grids of the 1-D figure.
_GRID = 200
# Rung -> (models.advi's method, the LADDER_ADVI key of its number of steps).
_ADVI_METHODS = {"ADVI": ("advi", "n_advi"), "ADVI full-rank": ("fullrank_advi", "n_fullrank")}


@dataclass
class Rung:
    """One method's marginals.

    Attributes
    ----------
    name : str
        One of :data:`RUNGS`.
    interval : str
        How its interval was obtained, in words.
    params : dict
        Report name -> ``{"estimate", "sd", "lower", "upper"}`` arrays in the report's
        shapes, components in NUTS' order.
    seconds : float
        Wall seconds of the method (fit and summaries; NUTS: compile and sampling).
    densities : dict
        1-D only: scalar name -> ``callable(grid) -> density`` (analytic or a KDE).
    """

    name: str
    interval: str
    params: dict
    seconds: float
    densities: dict = field(default_factory=dict)


def scalars(rows) -> list[tuple[str, str, tuple[int, ...]]]:
    """``(name, parameter, index)`` of each scalar, from the comparison's rows."""
    return [(r.name, r.parameter, tuple(r.index)) for r in rows]


# --------------------------------------------------------------------------------------------
# Summaries


def _from_draws(posterior: dict, level: float) -> dict:
    """Mean, sd and central interval of draws ``{name: DataArray (chain, draw, ...)}``."""
    tails = [(1 - level) / 2, (1 + level) / 2]
    out = {}
    for name, da in posterior.items():
        values = da.values.reshape(-1, *da.shape[2:])
        lo, hi = np.quantile(values, tails, axis=0)
        out[name] = {
            "estimate": values.mean(axis=0),
            "sd": values.std(axis=0),
            "lower": lo,
            "upper": hi,
        }
    return out


def _from_fields(params: dict) -> dict:
    """EM-style ``{"estimate", "se", "lower", "upper"}`` as the ladder's fields."""
    return {
        name: {
            "estimate": np.asarray(f["estimate"], float),
            "sd": np.asarray(f["se"], float),
            "lower": np.asarray(f["lower"], float),
            "upper": np.asarray(f["upper"], float),
        }
        for name, f in params.items()
    }


def _aligned(params: dict, nuts_means: np.ndarray) -> dict:
    order = match_components(params["means"]["estimate"], nuts_means, reference="NUTS").order
    return permute_components(params, order)


def _kde(values: np.ndarray):
    values = np.asarray(values, float)
    if np.ptp(values) == 0:  # a point mass: nothing to smooth
        return None
    return stats.gaussian_kde(values)


def _draw_densities(params_draws: dict, names) -> dict:
    out = {}
    for name, parameter, index in names:
        da = params_draws[parameter]
        values = da.values.reshape(-1, *da.shape[2:])[(slice(None), *index)]
        kde = _kde(values)
        if kde is not None:
            out[name] = kde
    return out


# --------------------------------------------------------------------------------------------
# The rungs


def _nuts(fitted, level: float, names, one_d: bool) -> Rung:
    bayes = fitted.bayes
    return Rung(
        REFERENCE,
        f"central {level:.0%} of the draws",
        _from_draws(fitted.posterior, level),
        float(bayes.compile_time + bayes.sampling_time),
        _draw_densities(fitted.posterior, names) if one_d else {},
    )


def _mle(fitted, nuts_means) -> Rung:
    em_fit = fitted.em
    return Rung(
        "EM (MLE)",
        f"Wald ({fitted.rows[0].em_method})",
        _aligned(_from_fields(fitted.em_params), nuts_means),
        float(em_fit.fit_time + em_fit.inference_time),
    )


def _map_em(case, data, prior, seed: int, level: float, nuts_means, names, one_d) -> Rung:
    """MAP-EM with the conjugate prior; Laplace intervals from its log posterior."""
    import em

    kind = get_kind(case.kind)
    start = time.perf_counter()
    estimator = em.GaussianMixtureEM(
        case.n_components,
        covariance_type=case.covariance_type,
        prior=prior,
        n_init=5,
        random_state=seed,
    ).fit(data.X)
    table = estimator.inference(data.X, level=level)
    params, _ = kind.em_parameters(estimator, table)
    params = _aligned(_from_fields(params), nuts_means)
    seconds = time.perf_counter() - start
    dens = {}
    if one_d:
        for name, parameter, index in names:
            f = params[parameter]
            dens[name] = stats.norm(f["estimate"][index], f["sd"][index]).pdf
    interval = "Laplace: observed information of the log posterior at the MAP"
    return Rung("MAP-EM + Laplace", interval, params, seconds, dens)


def _vb(case, data, prior, seed: int, level: float, nuts_means, names, one_d) -> Rung:
    """Mean-field VB with the conjugate prior; its exact marginals of ``q``."""
    import em

    start = time.perf_counter()
    vb = em.VariationalGaussianMixture(
        case.n_components,
        covariance_type=case.covariance_type,
        prior=prior,
        n_init=5,
        random_state=seed,
    ).fit(data.X)
    table = vb.inference(level=level)
    estimate = {p: table.array(p, "estimate") for p in ("weights", "means", "covariances")}
    fields = {
        p: {"estimate": v, "se": table.array(p, "se"), "lower": table.array(p, "lower")}
        | {"upper": table.array(p, "upper")}
        for p, v in estimate.items()
    }
    params = _from_fields(fields)
    post = vb.posterior_
    if one_d:
        # q(variance_k) = IG(nu_k / 2, psi_k / 2): sigma's marginal is its square root.
        a, b = np.asarray(post.degrees_of_freedom, float) / 2, np.ravel(post.scale) / 2
        params.pop("covariances")
        params["means"] = {f: v.reshape(-1) for f, v in params["means"].items()}
        params["sigma"] = _sqrt_inverse_gamma(a, b, level)
    else:
        params["covariances"] = _as_matrices(params["covariances"], case.n_components)
    order = match_components(params["means"]["estimate"], nuts_means).order
    params = permute_components(params, order)
    seconds = time.perf_counter() - start
    dens = _vb_densities(post, order, a[order], b[order], names) if one_d else {}
    return Rung("VB", f"exact marginals of q, central {level:.0%}", params, seconds, dens)


def _sqrt_inverse_gamma(a: np.ndarray, b: np.ndarray, level: float) -> dict:
    """Mean, sd and central interval of ``sqrt(v)``, ``v ~ IG(a, b)`` (elementwise)."""
    mean = np.sqrt(b) * np.exp(gammaln(a - 0.5) - gammaln(a))
    second = np.where(a > 1, b / np.maximum(a - 1, 1e-300), np.inf)
    lo, hi = (
        np.sqrt(stats.invgamma.ppf(q, a, scale=b)) for q in ((1 - level) / 2, (1 + level) / 2)
    )
    return {
        "estimate": mean,
        "sd": np.sqrt(np.maximum(second - mean**2, 0)),
        "lower": lo,
        "upper": hi,
    }


def _as_matrices(values: dict, K: int) -> dict:
    """Diagonal covariances (K, d) as (K, d, d) matrices, the posterior's ``cov`` shape."""
    out = {}
    for f, v in values.items():
        v = np.asarray(v, float)
        out[f] = (
            v if v.ndim == 3 else np.einsum("kd,de->kde", v.reshape(K, -1), np.eye(v.shape[-1]))
        )
    return out


def _vb_densities(post, order, a, b, names) -> dict:
    """Analytic marginal densities of ``q`` in 1-D, components in NUTS' order."""
    alpha = np.asarray(post.weight_concentration, float)[order]
    kappa = np.asarray(post.mean_precision, float)[order]
    m = np.asarray(post.means, float).reshape(-1)[order]
    out = {}
    for name, parameter, index in names:
        k = index[0]
        if parameter == "weights":
            out[name] = stats.beta(alpha[k], alpha.sum() - alpha[k]).pdf
        elif parameter == "means":
            # mu_k's marginal under q: Student t with 2 a_k dof, scale^2 = psi / (kappa nu).
            dof = 2 * a[k]
            out[name] = stats.t(dof, m[k], np.sqrt(2 * b[k] / (kappa[k] * dof))).pdf
        else:
            out[name] = _sigma_density(a[k], b[k])
    return out


def _sigma_density(a: float, b: float):
    def pdf(s):
        s = np.asarray(s, float)
        return np.where(s > 0, 2 * s * stats.invgamma.pdf(s**2, a, scale=b), 0.0)

    return pdf


def _advi(case, data, model, method: str, seed: int, level, nuts_means, names, one_d, advi):
    import models

    kind = get_kind(case.kind)
    name, steps = _ADVI_METHODS[method]
    start = time.perf_counter()
    idata = models.advi(
        model,
        method=name,
        n=advi[steps],
        draws=advi["draws"],
        learning_rate=advi["learning_rate"],
        average=advi["average"],
        random_seed=seed,
    )
    draws = kind.posterior_parameters(idata.posterior, data)
    order = match_components(draws["means"].mean(("chain", "draw")).values, nuts_means).order
    draws = permute_components(draws, order, draws=True)
    params = _from_draws(draws, level)
    seconds = time.perf_counter() - start
    note = (
        f"central {level:.0%} of {advi['draws']} draws after {advi[steps]} steps "
        f"(parameters averaged over the last {advi['average']})"
    )
    return Rung(method, note, params, seconds, _draw_densities(draws, names) if one_d else {})


def climb(case, data, fitted, seed: int, *, level: float = EM_LEVEL, advi=None, rungs=RUNGS):
    """Every rung of the ladder on one data set.

    Parameters
    ----------
    case : compare.Case
        A mixture case with a conjugate prior (``case.conjugate_prior``).
    data : compare.Dataset
    fitted : ComparisonResult or Pair
        The comparison's fits: ``em``, ``em_params``, ``em_method``, ``bayes`` (its model
        is the compiled conjugate model, holding ``data``), ``posterior``, ``rows``.
    seed : int
        Seeds MAP-EM's and VB's starts and ADVI.
    level : float, default :data:`compare.settings.EM_LEVEL`
        One interval level for every rung.
    advi : dict, optional
        ``n_advi``, ``n_fullrank`` (steps), ``learning_rate``, ``average`` (the last steps
        whose parameters are averaged, see ``models.advi``), ``draws``; default
        :data:`compare.settings.LADDER_ADVI`.
    rungs : sequence of str, default :data:`RUNGS`
        Which rungs to climb (NUTS is always there).

    Returns
    -------
    list of Rung
        In :data:`RUNGS` order.
    """
    if case.conjugate_prior is None:
        raise ValueError(f"case {case.name!r} has no conjugate prior; the ladder needs one")
    unknown = set(rungs) - set(RUNGS)
    if unknown:
        raise ValueError(f"rungs {sorted(unknown)} unknown; accepted: {', '.join(RUNGS)}")
    advi = dict(LADDER_ADVI) | dict(advi or {})
    prior = case.conjugate_prior()
    one_d = data.X.shape[1] == 1
    names = scalars(fitted.rows)
    nuts = _nuts(fitted, level, names, one_d)
    nuts_means = nuts.params["means"]["estimate"]
    seeds = [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(seed).spawn(4)]
    common = (level, nuts_means, names, one_d)
    makers = {
        "EM (MLE)": lambda: _mle(fitted, nuts_means),
        "MAP-EM + Laplace": lambda: _map_em(case, data, prior, seeds[0], *common),
        "VB": lambda: _vb(case, data, prior, seeds[1], *common),
        "ADVI": lambda: _advi(case, data, fitted.bayes.model, "ADVI", seeds[2], *common, advi),
        "ADVI full-rank": lambda: _advi(
            case, data, fitted.bayes.model, "ADVI full-rank", seeds[3], *common, advi
        ),
        REFERENCE: lambda: nuts,
    }
    return [makers[name]() for name in RUNGS if name in rungs or name == REFERENCE]


def score(rungs: list[Rung], names) -> list[dict]:
    """Each rung against NUTS, scalar by scalar (JSON-ready).

    Returns
    -------
    list of dict
        Per rung: ``method``, ``interval``, ``seconds``, ``passes`` (every scored scalar
        passes), ``worst_error`` (largest ``|mean error| / NUTS sd``) and ``cells``: per
        scalar ``name``, ``estimate``, ``sd``, ``lower``, ``upper``, ``error`` (``|mean -
        NUTS mean| / NUTS sd``), ``sd_ratio`` and ``passes``. A scalar NUTS does not vary
        (a diagonal model's fixed off-diagonal) is not scored (``error`` None).
    """
    reference = next(r for r in rungs if r.name == REFERENCE).params
    out = []
    for rung in rungs:
        cells = []
        for name, parameter, index in names:
            f = {k: float(np.asarray(v)[index]) for k, v in rung.params[parameter].items()}
            ref_mean = float(np.asarray(reference[parameter]["estimate"])[index])
            ref_sd = float(np.asarray(reference[parameter]["sd"])[index])
            scored = ref_sd > 0 and np.isfinite(f["estimate"])
            error = abs(f["estimate"] - ref_mean) / ref_sd if scored else None
            ratio = f["sd"] / ref_sd if scored else None
            passes = None if error is None else bool(error < LADDER_PASS)
            cells.append({"name": name, **f, "error": error, "sd_ratio": ratio, "passes": passes})
        scored = [c for c in cells if c["error"] is not None]
        out.append(
            {
                "method": rung.name,
                "interval": rung.interval,
                "seconds": rung.seconds,
                "passes": all(c["passes"] for c in scored),
                "worst_error": max((c["error"] for c in scored), default=None),
                "cells": cells,
            }
        )
    return out
