"""Ordered against relabelled: what the ordering constraint does to a 1-D mixture posterior.

The case's model orders the component means (``ordering="ordered"``), which removes label
switching by construction. This section samples the same model without the constraint
(``ordering="none"``, same priors, same data) and relabels its draws three ways
(:func:`em.pivot_relabel` on EM's means, :func:`em.stephens_relabel` on the draws'
classification probabilities, :func:`em.ecr_relabel` on sampled allocations with EM's
classification as pivot), then sets each relabelled posterior beside the ordered one,
parameter by parameter: mean, sd and HDI, the permutation rate of each method and the
marginal density of each mean.

Stephens' algorithm fixes the labels only up to one global permutation; that one is chosen
by :func:`em.match_components` against EM's means, the same matching the comparison uses,
so every labelling here is the truth's.

Cost: one compile of the unordered model per shape (the two lecture cases share it through
:func:`models.set_data`), one NUTS run per case, and the relabelling (numpy).
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np
import xarray as xr
from scipy.stats import gaussian_kde

import em

from ..figures.relabel import DENSITY_CAPTION, density_figure
from ..kinds import get_kind
from ..settings import HDI_PCT, HDI_PROB
from . import Section

__all__ = ["CASES", "METHODS", "SECTION", "compute", "render"]

CASES = ("lecture-1d", "lecture-1d-close")
METHODS = ("pivot", "stephens", "ecr")
PARAMETERS = ("weights", "means", "sigma")
# A difference between the ordered and a relabelled posterior counts as a distortion when
# the means differ by more than this many posterior sds, or the sds by more than this
# fraction, and by more than MC_SIGMAS Monte-Carlo standard errors (from both sides' ESS):
# a short run must not read its own noise as a distortion.
DISTORTION = 0.1
MC_SIGMAS = 3.0
# Points of each density curve.
_GRID = 200
_DPI = 80

# (model group, n) -> the unordered pymc.Model, its data swapped for the next case.
_MODELS: dict[tuple, object] = {}


def applies(case) -> bool:
    return case.name in CASES


def compute(result) -> dict:
    """Sample the unordered model, relabel it three ways, summarise beside the ordered posterior."""
    import models

    case, data, settings = result.case, result.data, result.settings
    kind = get_kind(case.kind)
    start = time.perf_counter()
    model = _unordered_model(case, data)
    with warnings.catch_warnings():
        # Label switching is what this model is sampled to show, so its raw chains fail
        # R-hat by design; the relabelled chains' R-hat and ESS are on the page.
        warnings.simplefilter("ignore", models.SamplingWarning)
        idata = models.sample(
            model,
            draws=settings["draws"],
            tune=settings["tune"],
            chains=settings["chains"],
            sampler=settings["sampler"],
            random_seed=settings["seed"],
        )
    sampled = time.perf_counter()
    raw = _flat(kind.posterior_parameters(idata.posterior, data))
    ordered = _flat(result.posterior)
    x = data.x1d
    em_means = np.asarray(result.em_params["means"]["estimate"], float)
    em_labels = np.asarray(result.responsibilities["em"]).argmax(axis=1)
    rng = np.random.default_rng(settings["seed"])

    relabelled, rates, permutations = {}, {}, {}
    raw_prob, ordered_prob = _classification(raw, x), _classification(ordered, x)
    for method in METHODS:
        perms = _relabel(method, raw, em_means, em_labels, rng, raw_prob)
        permutations[method] = perms
        rates[method] = _rate(perms)
        relabelled[method] = em.apply_permutations(raw, perms)
    ordered_rates = {
        method: _rate(_relabel(method, ordered, em_means, em_labels, rng, ordered_prob))
        for method in METHODS
    }
    agree = np.all(
        [np.all(permutations[m] == permutations[METHODS[0]], axis=1) for m in METHODS[1:]],
        axis=0,
    )
    chains = settings["chains"]
    summaries = {"ordered": _summary(ordered, chains)} | {
        m: _summary(relabelled[m], chains) for m in METHODS
    }
    out = {
        "case": case.name,
        "n_draws": int(raw["means"].shape[0]),
        "summaries": summaries,
        "permutation_rate": rates,
        "ordered_permutation_rate": ordered_rates,
        "methods_agree": float(np.mean(agree)),
        # Label switching in the raw unordered draws: draws whose means are out of order.
        "raw_unsorted_share": float(np.mean(np.any(np.diff(raw["means"], axis=1) < 0, axis=1))),
        "distortion": _distortion(summaries["ordered"], summaries["pivot"]),
        "densities": _densities(ordered, relabelled),
        "seconds": {
            "compile": float(idata.attrs["compile_time"]),
            "sampling": float(idata.attrs["sampling_time"]),
            "wall_sampling": sampled - start,
            "relabel": time.perf_counter() - sampled,
        },
    }
    return out


def _unordered_model(case, data):
    key = (case.model_group, data.X.shape[0])
    if key in _MODELS:
        import models

        return models.set_data(_MODELS[key], x=data.x1d)
    _MODELS[key] = get_kind(case.kind).build_model(case, data, ordering="none")
    return _MODELS[key]


def _flat(posterior: dict) -> dict[str, np.ndarray]:
    """``{name: (S, K)}`` draws, chains concatenated (chain-major), of the 1-D parameters."""
    return {
        name: np.asarray(posterior[name].transpose("chain", "draw", ...).values, float).reshape(
            -1, posterior[name].sizes["component"]
        )
        for name in PARAMETERS
    }


def _relabel(method, draws, em_means, em_labels, rng, prob=None) -> np.ndarray:
    """Permutations (S, K) of ``method`` that put ``draws`` in EM's (the truth's) labelling.

    ``prob`` (S, N, K): the draws' classification probabilities (:func:`_classification`),
    needed by Stephens and ECR.
    """
    if method == "pivot":
        return em.pivot_relabel(draws, {"means": em_means}).permutations
    if method == "stephens":
        perms = em.stephens_relabel(prob).permutations
        # Stephens fixes labels up to one global permutation: match it to EM's means.
        means = em.apply_permutations({"means": draws["means"]}, perms)["means"].mean(axis=0)
        return perms[:, em.match_components(means, em_means)]
    # ECR: one allocation per point and draw, drawn from the draw's classification
    # probabilities (inverse CDF), matched to EM's classification.
    u = rng.random(prob.shape[:2])[..., None]
    allocations = np.minimum((np.cumsum(prob, axis=2) < u).sum(axis=2), prob.shape[2] - 1)
    return em.ecr_relabel(allocations, em_labels, prob.shape[2]).permutations


def _classification(draws: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """``P(z_i = k | x_i, draw s)``, shape (S, N, K), from 1-D draws (S, K) and data (N,)."""
    # log(w_k N(x_i | mu_k, sigma_k)), normalised by its maximum (plain numpy: scipy's
    # logsumexp costs seconds on a few million entries).
    z = (x[None, :, None] - draws["means"][:, None, :]) / draws["sigma"][:, None, :]
    log_dens = np.log(draws["weights"] / draws["sigma"])[:, None, :] - 0.5 * z**2
    dens = np.exp(log_dens - log_dens.max(axis=2, keepdims=True))
    return dens / dens.sum(axis=2, keepdims=True)


def _rate(perms: np.ndarray) -> float:
    return float(np.mean(np.any(perms != np.arange(perms.shape[1]), axis=1)))


def _summary(draws: dict[str, np.ndarray], chains: int) -> dict:
    """Per parameter, lists over components: ``rhat``, ``ess`` (bulk), ``mean``, ``sd``, HDI."""
    import arviz as az

    out = {}
    for name, values in draws.items():
        da = xr.DataArray(
            values.reshape(chains, -1, values.shape[1]), dims=("chain", "draw", "component")
        )
        h = az.hdi(da, prob=HDI_PROB)
        out[name] = {
            # R-hat of the (relabelled) chains: label switching left over, or a mode one
            # chain found and the others did not.
            "rhat": np.asarray(az.rhat(da)).tolist(),
            "ess": np.asarray(az.ess(da)).tolist(),
            "mean": values.mean(axis=0).tolist(),
            "sd": values.std(axis=0, ddof=1).tolist(),
            "hdi_lower": h.sel(ci_bound="lower").values.tolist(),
            "hdi_upper": h.sel(ci_bound="upper").values.tolist(),
        }
    return out


def _distortion(ordered: dict, relabelled: dict) -> list[dict]:
    """Per parameter and component: the shift of the mean in relabelled sds and the sd ratio.

    ``distorted`` when either exceeds :data:`DISTORTION` and :data:`MC_SIGMAS` times its
    Monte-Carlo error: ``sqrt(1/ESS_o + 1/ESS_r)`` sd for the shift, and that over ``sqrt(2)``
    (relative) for the sd ratio, since an sd estimated from ``ESS`` draws has a relative
    error of about ``1 / sqrt(2 ESS)``.
    """
    rows = []
    for name in PARAMETERS:
        for k in range(len(ordered[name]["mean"])):
            sd = relabelled[name]["sd"][k]
            shift = (ordered[name]["mean"][k] - relabelled[name]["mean"][k]) / sd
            ratio = ordered[name]["sd"][k] / sd
            mcse = float(np.sqrt(1 / ordered[name]["ess"][k] + 1 / relabelled[name]["ess"][k]))
            rows.append(
                {
                    "parameter": f"{name}[{k}]",
                    "shift_sd": float(shift),
                    "sd_ratio": float(ratio),
                    "mc_error_sd": mcse,
                    "distorted": bool(
                        abs(shift) > max(DISTORTION, MC_SIGMAS * mcse)
                        or abs(ratio - 1) > max(DISTORTION, MC_SIGMAS * mcse / np.sqrt(2))
                    ),
                }
            )
    return rows


def _densities(ordered: dict, relabelled: dict) -> dict:
    """Kernel densities of every mean on one grid: ``{"grid", "ordered", method...}``."""
    every = np.concatenate(
        [ordered["means"].ravel()] + [r["means"].ravel() for r in relabelled.values()]
    )
    lo, hi = np.quantile(every, [0.0005, 0.9995])
    pad = 0.1 * (hi - lo)
    grid = np.linspace(lo - pad, hi + pad, _GRID)
    out = {"grid": grid.tolist()}
    for label, draws in {"ordered": ordered, **relabelled}.items():
        out[label] = [
            gaussian_kde(draws["means"][:, k])(grid).tolist()
            for k in range(draws["means"].shape[1])
        ]
    return out


# ---------------------------------------------------------------------------------------------
# The page


def render(data: dict, directory: Path) -> str:
    """The comparison table, the permutation rates, the density figure and the words."""
    stem = "relabel_means"
    density_figure(data["densities"]).savefig(Path(directory) / f"{stem}.png", dpi=_DPI)
    rates = data["permutation_rate"]
    ordered_rates = data["ordered_permutation_rate"]
    rate_rows = "".join(
        f"<tr><td class='l'>{m}</td><td>{rates[m]:.3f}</td><td>{ordered_rates[m]:.3f}</td></tr>"
        for m in METHODS
    )
    rows = []
    for name in PARAMETERS:
        for k in range(len(data["summaries"]["ordered"][name]["mean"])):
            for label, s in data["summaries"].items():
                p = s[name]
                rows.append(
                    f"<tr><td class='l'>{name}[{k}]</td><td class='l'>{label}</td>"
                    f"<td>{p['mean'][k]:.3f}</td><td>{p['sd'][k]:.3f}</td>"
                    f"<td>[{p['hdi_lower'][k]:.3f}, {p['hdi_upper'][k]:.3f}]</td></tr>"
                )
    return (
        f"<p>{words(data)}</p>"
        "<table><tr><th class='l'>method</th><th>permutation rate, unordered posterior</th>"
        f"<th>permutation rate, ordered posterior</th></tr>{rate_rows}</table>"
        "<table><tr><th class='l'>parameter</th><th class='l'>posterior</th><th>mean</th>"
        f"<th>sd</th><th>{HDI_PCT} HDI</th></tr>{''.join(rows)}</table>"
        f"<figure><img src='{stem}.png' alt='densities of the means'>"
        f"<figcaption>{DENSITY_CAPTION}</figcaption></figure>"
    )


def words(data: dict) -> str:
    """Where ordering distorts the posterior and where it does not, from the numbers."""
    rates = data["permutation_rate"]
    distorted = [r for r in data["distortion"] if r["distorted"]]
    relabelled = ", ".join(f"{100 * rates[m]:.0f} %" for m in METHODS)
    text = (
        f"Without the ordering, {100 * data['raw_unsorted_share']:.0f} % of the "
        f"{data['n_draws']} draws have their means out of order (label switching); the pivot, "
        f"Stephens and ECR algorithms relabel {relabelled} "
        f"of the draws and agree on {100 * data['methods_agree']:.0f} % of them. On the ordered "
        "posterior they change "
        + ", ".join(f"{100 * data['ordered_permutation_rate'][m]:.0f} %" for m in METHODS)
        + " of the draws. "
    )
    if not distorted:
        worst = max(data["distortion"], key=lambda r: abs(r["shift_sd"]))
        return text + (
            "The ordered and the relabelled (pivot) posteriors agree within Monte-Carlo "
            f"error (largest shift of a mean {worst['shift_sd']:+.2f} posterior sd, "
            f"{worst['parameter']}, against a Monte-Carlo error of "
            f"{worst['mc_error_sd']:.2f} sd); here the ordering only names the components."
        )
    listing = "; ".join(
        f"{r['parameter']} shifted {r['shift_sd']:+.2f} sd, sd x {r['sd_ratio']:.2f}"
        for r in distorted
    )
    narrower = [r for r in distorted if r["sd_ratio"] < 1 - DISTORTION]
    rhat = max(max(p["rhat"]) for p in data["summaries"]["pivot"].values())
    text += (
        f"The ordering changes the posterior here: {listing} (ordered against the pivot-"
        "relabelled posterior)."
    )
    if narrower:
        text += (
            f" The ordered posterior is narrower for {len(narrower)} of "
            f"{len(data['distortion'])} parameters: the constraint mu[0] < mu[1] removes the "
            "region where the overlapping components cross, which the unordered sampler "
            "visits and relabelling keeps under the other label."
        )
    text += f" The largest R-hat of the pivot-relabelled chains is {rhat:.2f}" + (
        ": relabelling did not make the chains agree, so part of the difference is a mode "
        "one chain found and the others did not."
        if rhat > 1.01
        else "."
    )
    return text


SECTION = Section("relabel", "Ordered against relabelled posterior", applies, compute, render)
