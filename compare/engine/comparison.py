"""One comparison: generate a case's data, fit both sides, align them and measure.

:func:`run` returns a :class:`ComparisonResult`: plain numbers (parameter rows, metrics,
diagnostics, timings) plus the fitted objects that the figures and the tests look at. The
fitting, naming, aligning and rows are :func:`compare.engine.pair.fit_both`, shared with the
studies; what differs by kind of case comes from :mod:`compare.kinds`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import metrics as M
from ..align import Alignment
from ..cases import Case, Dataset, get_case
from ..generate import METHODS
from ..kinds import Kind, get_kind
from ..kinds._kind import plain
from ..predictive import predictive_dataset
from ..sections import compute_sections
from ..settings import (
    CHAINS,
    DEFAULT_LADDER,
    DEFAULT_SAMPLER,
    DRAWS,
    EM_LEVEL,
    HDI_PROB,
    LADDERS,
    QUICK,
    SAMPLERS,
    TUNE,
)
from ..steps import report_step
from .fit import BayesFit, EMFit
from .pair import Pair, fit_both
from .params import ParameterComparison
from .summary import comparison_html

__all__ = ["QUICK", "ComparisonResult", "run"]


@dataclass
class ComparisonResult:
    """Everything one comparison measured.

    Attributes
    ----------
    case : Case
    data : Dataset
    settings : dict
        ``seed``, ``draws``, ``tune``, ``chains``, ``sampler``, ``quick``, ``method``.
    rows : list of ParameterComparison
        One per scalar parameter, components in the truth's order.
    metrics : dict
        Per-case numbers (log-likelihoods, ARI, responsibility differences, EM iterations,
        information criteria); JSON-ready. Its keys are the constants of
        :mod:`compare.metrics` (``M.LOOIC`` is ``"looic"``).
    diagnostics : dict
        ``models.Diagnostics.to_dict()``.
    timings : dict
        Wall seconds: ``em_fit``, ``em_inference``, ``model_build``, ``compile``,
        ``sampling``, ``posterior_extras`` and ``total`` (``figures`` and ``write`` are
        added by the report writer).
    em, bayes : EMFit, BayesFit
        The fitted objects.
    em_params : dict
        EM estimates in the report's names, aligned: ``{name: {"estimate", "se",
        "lower", "upper"}}``.
    posterior : dict of DataArray
        Posterior draws in the report's names, aligned.
    alignment : dict of Alignment
        ``"em"`` and ``"posterior"`` (mixtures only).
    responsibilities : dict of ndarray
        Mixtures: ``"em"``, ``"posterior_mean"``, ``"posterior_sd"``, each (n, K), aligned.
    predictive : xarray.DataTree
        ``observed_data`` and ``posterior_predictive`` (simulated in numpy).
    variants : dict or None
        Soft EM, hard EM and k-means from one start (mixtures), for the iteration plot.
    notes : list of str
        What a reader must know (missing standard errors, warnings, non-convergence).
    sections : dict
        ``{name: data}`` of the optional page sections that apply to the case
        (:mod:`compare.sections`); JSON-ready.
    section_errors : dict
        ``{name: message}`` of the sections that failed.
    """

    case: Case
    data: Dataset
    settings: dict
    rows: list[ParameterComparison]
    metrics: dict
    diagnostics: dict
    timings: dict
    em: EMFit
    bayes: BayesFit
    em_params: dict
    posterior: dict
    alignment: dict[str, Alignment]
    responsibilities: dict[str, np.ndarray]
    predictive: Any
    variants: dict | None
    notes: list[str] = field(default_factory=list)
    sections: dict = field(default_factory=dict)
    section_errors: dict = field(default_factory=dict)

    @property
    def converged(self) -> bool:
        """Whether the chains passed every diagnostic (R-hat, divergences, ESS)."""
        return bool(self.diagnostics.get("ok", False))

    def _repr_html_(self) -> str:
        """Jupyter's view: key numbers, the parameter table and the main figure inline."""
        return comparison_html(self)

    def to_metrics(self) -> dict:
        """The JSON document written as ``metrics.json``."""
        return {
            "case": self.case.name,
            "description": self.case.description,
            "kind": self.case.kind,
            "n_components": self.case.n_components,
            "settings": self.settings,
            "converged": self.converged,
            "metrics": self.metrics,
            "diagnostics": self.diagnostics,
            "timings": self.timings,
            "alignment": {k: v.to_dict() for k, v in self.alignment.items()},
            "parameters": [r.to_dict() for r in self.rows],
            "notes": self.notes,
            "sections": self.sections,
            "section_errors": self.section_errors,
        }


def _seeds(seed: int) -> dict[str, int]:
    """Independent integer seeds for each random step, all derived from ``seed``.

    The data use ``seed`` itself, so ``case.generate(seed)`` reproduces them directly.
    """
    children = np.random.SeedSequence(seed).spawn(3)
    names = ("em", "mcmc", "predictive")
    return {"data": seed} | {
        n: int(c.generate_state(1)[0]) for n, c in zip(names, children, strict=True)
    }


def run(
    case: str | Case,
    seed: int = 0,
    draws: int = DRAWS,
    tune: int = TUNE,
    chains: int = CHAINS,
    sampler: str = DEFAULT_SAMPLER,
    quick: bool = False,
    method: str = "numpy",
    prior: str | None = None,
    ladder: str = DEFAULT_LADDER,
) -> ComparisonResult:
    """Fit one case by EM/MLE and by PyMC and compare the two.

    Parameters
    ----------
    case : str or Case
        A name from :data:`compare.CASES`.
    seed : int, default 0
        Seeds the data (``case.generate(seed)``) and, through a ``SeedSequence``, EM's
        initialisation, the sampler and the predictive draws.
    draws, tune, chains : int
        Sampler settings; ``quick=True`` caps them at :data:`compare.settings.QUICK`.
    sampler : str
        One of :data:`compare.settings.SAMPLERS`.
    quick : bool, default False
    method : {"numpy", "marsaglia"}
        How the data's standard normals are drawn (:mod:`compare.generate`).
    prior : str, optional
        Mixtures: the prior family of the posterior, one of
        :data:`compare.settings.MIXTURE_PRIORS`; default the case's own
        (:data:`~compare.settings.DEFAULT_MIXTURE_PRIOR`). See :meth:`Case.with_prior`.
    ladder : str, default :data:`compare.settings.DEFAULT_LADDER`
        One of :data:`compare.settings.LADDERS`: how much of the inference ladder section
        climbs (``"full"``: ADVI also for multivariate data).

    Returns
    -------
    ComparisonResult
    """
    case = get_case(case).with_prior(prior)
    for name, value in (("draws", draws), ("tune", tune), ("chains", chains)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value!r}")
    if sampler not in SAMPLERS:
        # Checked here, before EM runs or anything compiles.
        raise ValueError(f"sampler must be one of {', '.join(SAMPLERS)}; got {sampler!r}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    if ladder not in LADDERS:
        raise ValueError(f"ladder must be one of {', '.join(LADDERS)}; got {ladder!r}")
    if quick:
        draws, tune, chains = (
            min(v, QUICK[k]) for k, v in (("draws", draws), ("tune", tune), ("chains", chains))
        )
    kind = get_kind(case.kind)
    seeds = _seeds(int(seed))
    settings = dict(
        seed=int(seed),
        draws=int(draws),
        tune=int(tune),
        chains=int(chains),
        sampler=sampler,
        quick=bool(quick),
        method=method,
        prior=case.prior,
        ladder=ladder,
        seeds=seeds,
    )
    start = time.perf_counter()
    report_step("generate")
    data = case.generate(seeds["data"], method)
    pair = fit_both(case, data, seeds, draws=draws, tune=tune, chains=chains, sampler=sampler)
    em_fit, bayes = pair.em, pair.bayes

    report_step("extras")
    extras_start = time.perf_counter()
    extras = kind.run_extras(case, data, em_fit, bayes, pair.alignment, seeds["em"])
    metrics = _metrics(kind, data, pair, extras)
    metrics |= kind.posterior_metrics(case, data, em_fit, bayes, seeds["em"])
    observed = next(iter(bayes.idata.observed_data.data_vars.values()))
    predictive = _predictive_tree(
        bayes.idata,
        predictive_dataset(kind, pair.posterior, data.X, observed, seeds["predictive"]),
    )
    extras_time = pair.timings["extras"] + time.perf_counter() - extras_start

    diagnostics = plain(bayes.diagnostics.to_dict())
    timings = {
        "em_fit": em_fit.fit_time,
        "em_inference": em_fit.inference_time,
        "model_build": bayes.build_time,
        "compile": bayes.compile_time,
        "sampling": bayes.sampling_time,
        "posterior_extras": extras_time,
        "reused_model": bayes.reused_model,
        "total": time.perf_counter() - start,
    }
    notes = list(case.notes)
    notes += [f"EM: {w}" for w in em_fit.warnings]
    if not bayes.diagnostics.ok:
        notes.append(
            "WARNING: the chains did not converge cleanly: " + "; ".join(bayes.diagnostics.reasons)
        )
    result = ComparisonResult(
        case=case,
        data=data,
        settings=settings,
        rows=pair.rows,
        metrics=metrics,
        diagnostics=diagnostics,
        timings=timings,
        em=em_fit,
        bayes=bayes,
        em_params=pair.em_params,
        posterior=pair.posterior,
        alignment=pair.alignment,
        responsibilities=extras["responsibilities"],
        predictive=predictive,
        variants=extras["variants"],
        notes=notes,
    )
    result.sections, seconds, result.section_errors = compute_sections(result)
    result.timings |= {f"section_{name}": t for name, t in seconds.items()}
    result.timings["total"] = time.perf_counter() - start
    return result


def _metrics(kind: Kind, data: Dataset, pair: Pair, extras: dict) -> dict[str, Any]:
    """The per-case numbers (keys: the constants of :mod:`compare.metrics`)."""
    est = pair.em.estimator
    em_point = kind.point_parameters({k: v["estimate"] for k, v in pair.em_params.items()})
    post_point = kind.point_parameters(
        {k: v.mean(("chain", "draw")).values for k, v in pair.posterior.items()}
    )
    out: dict[str, Any] = {
        M.N_OBSERVATIONS: kind.n_observations(data),
        M.LOG_LIKELIHOOD_EM: kind.log_likelihood(data, em_point),
        M.LOG_LIKELIHOOD_POSTERIOR_MEAN: kind.log_likelihood(data, post_point),
        M.EM_INTERVAL_LEVEL: EM_LEVEL,
        M.HDI_PROB: HDI_PROB,
    }
    out |= kind.em_metrics(est, data, extras)
    em_ll = getattr(est, "log_likelihood_", None)
    if em_ll is not None:
        out[M.EM_REPORTED_LOG_LIKELIHOOD] = float(em_ll)
    return out


def _predictive_tree(idata, predictive):
    import xarray as xr

    return xr.DataTree.from_dict(
        {
            "posterior_predictive": predictive,
            "observed_data": idata.observed_data.to_dataset(),
        }
    )
