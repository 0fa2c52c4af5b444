"""One comparison: generate a case's data, fit both sides, align them and measure.

:func:`run` returns a :class:`ComparisonResult`: plain numbers (parameter rows, metrics,
diagnostics, timings) plus the fitted objects that the figures and the tests look at.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import metrics as M
from .align import Alignment, align_fits
from .cases import Case, Dataset, get_case
from .fit import BayesFit, EMFit, fit_bayes, fit_bic_by_k, fit_em, fit_em_variants
from .generate import METHODS
from .params import (
    EM_LEVEL,
    HDI_PROB,
    ParameterComparison,
    compare_parameters,
    em_parameters,
    posterior_parameters,
    report_truth,
)
from .predictive import predictive_dataset

__all__ = ["QUICK", "ComparisonResult", "run"]

# --quick: enough draws for R-hat and ESS to mean something, few enough to be fast.
QUICK = {"draws": 500, "tune": 500, "chains": 2}
SAMPLERS = ("nutpie", "pymc")


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
        information criteria); JSON-ready.
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

    @property
    def converged(self) -> bool:
        """Whether the chains passed every diagnostic (R-hat, divergences, ESS)."""
        return bool(self.diagnostics.get("ok", False))

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
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    sampler: str = "nutpie",
    quick: bool = False,
    method: str = "numpy",
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
        Sampler settings; ``quick=True`` caps them at :data:`QUICK`.
    sampler : {"nutpie", "pymc"}
    quick : bool, default False
    method : {"numpy", "marsaglia"}
        How the data's standard normals are drawn (:mod:`compare.generate`).

    Returns
    -------
    ComparisonResult
    """
    case = get_case(case)
    for name, value in (("draws", draws), ("tune", tune), ("chains", chains)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value!r}")
    if sampler not in SAMPLERS:
        # Checked here, before EM runs or anything compiles.
        raise ValueError(f"sampler must be one of {', '.join(SAMPLERS)}; got {sampler!r}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    if quick:
        draws, tune, chains = (
            min(v, QUICK[k]) for k, v in (("draws", draws), ("tune", tune), ("chains", chains))
        )
    seeds = _seeds(int(seed))
    settings = dict(
        seed=int(seed),
        draws=int(draws),
        tune=int(tune),
        chains=int(chains),
        sampler=sampler,
        quick=bool(quick),
        method=method,
        seeds=seeds,
    )
    start = time.perf_counter()
    data = case.generate(seeds["data"], method)
    em_fit = fit_em(case, data, seeds["em"])
    variants = (
        fit_em_variants(case, data, seeds["em"], em_fit.estimator.covariance_type)
        if case.kind == "mixture"
        else None
    )
    bayes = fit_bayes(
        case, data, seed=seeds["mcmc"], draws=draws, tune=tune, chains=chains, sampler=sampler
    )

    extras_start = time.perf_counter()
    n_features = data.X.shape[1] if case.kind == "mixture" else None
    em_params, em_method = em_parameters(case.kind, em_fit.estimator, em_fit.inference)
    posterior = posterior_parameters(case.kind, bayes.idata.posterior, n_features)
    truth = report_truth(case.kind, case.truth, n_features)

    alignment: dict[str, Alignment] = {}
    responsibilities: dict[str, np.ndarray] = {}
    if case.kind == "mixture":
        em_means = np.asarray(em_fit.estimator.means_)
        reference, ref_means = (
            ("truth", case.truth["means"]) if case.truth is not None else ("EM", em_means)
        )
        em_params, posterior, alignment = align_fits(
            ref_means, em_params, posterior, reference=reference
        )
        responsibilities = _responsibilities(case, data, em_fit, bayes, alignment)

    rows = compare_parameters(truth, em_params, em_method, posterior)
    metrics = _metrics(case, data, em_fit, em_params, posterior, responsibilities, variants)
    if case.kind == "mixture":
        metrics |= _loo(bayes.idata)
        bic = fit_bic_by_k(
            data, seeds["em"], em_fit.estimator.covariance_type, max(4, case.n_components + 1)
        )
        metrics["em_bic_by_k"] = {str(k): v for k, v in bic.items()}  # JSON keys are strings
        metrics["em_bic_best_k"] = min(bic, key=bic.get)
    observed = next(iter(bayes.idata.observed_data.data_vars.values()))
    predictive = _predictive_tree(
        bayes.idata, predictive_dataset(case.kind, posterior, data.X, observed, seeds["predictive"])
    )
    extras_time = time.perf_counter() - extras_start

    diagnostics = _plain(bayes.diagnostics.to_dict())
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
    return ComparisonResult(
        case=case,
        data=data,
        settings=settings,
        rows=rows,
        metrics=metrics,
        diagnostics=diagnostics,
        timings=timings,
        em=em_fit,
        bayes=bayes,
        em_params=em_params,
        posterior=posterior,
        alignment=alignment,
        responsibilities=responsibilities,
        predictive=predictive,
        variants=variants,
        notes=notes,
    )


def _responsibilities(case, data, em_fit, bayes, alignment) -> dict[str, np.ndarray]:
    import models

    X = data.x1d if data.X.shape[1] == 1 else data.X
    mean, sd = models.posterior_responsibilities(bayes.idata, X)
    em_resp = em_fit.estimator.predict_proba(data.X)
    return {
        "em": em_resp[:, alignment["em"].order],
        "posterior_mean": mean[:, alignment["posterior"].order],
        "posterior_sd": sd[:, alignment["posterior"].order],
    }


def point_parameters(kind: str, params: dict) -> dict[str, np.ndarray]:
    """Parameters at one point (estimate or posterior mean) in the model's natural form.

    ``params`` maps report names to arrays; 1-D mixtures' ``sigma`` becomes
    ``covariances`` (K, 1, 1) and ``means`` (K, 1).
    """
    out = {k: np.asarray(v, float) for k, v in params.items()}
    if kind == "mixture" and "sigma" in out:
        out["means"] = out["means"][:, None]
        out["covariances"] = (out.pop("sigma") ** 2)[:, None, None]
    return out


def log_likelihood(kind: str, data: Dataset, params: dict[str, np.ndarray]) -> float:
    """Log-likelihood of ``data`` at ``params`` (from :func:`point_parameters`)."""
    if kind == "mixture":
        return M.mixture_log_likelihood(
            data.X, params["weights"], params["means"], params["covariances"]
        )
    if kind == "linear":
        return M.linear_log_likelihood(
            data.X, data.y, params["intercept"], params["coef"], params["sigma"]
        )
    if kind == "logistic":
        return M.logistic_log_likelihood(data.X, data.y, params["intercept"], params["coef"])
    # Without the multinomial coefficient, as the lecture (and em.CategoricalMLE) write it.
    return M.categorical_log_likelihood(data.X, params["p"])


def _metrics(case, data, em_fit, em_params, posterior, responsibilities, variants) -> dict:
    kind = case.kind
    est = em_fit.estimator
    em_point = point_parameters(kind, {k: v["estimate"] for k, v in em_params.items()})
    post_point = point_parameters(
        kind, {k: v.mean(("chain", "draw")).values for k, v in posterior.items()}
    )
    out: dict[str, Any] = {
        "n_observations": int(data.X.shape[0] if kind != "categorical" else data.X.sum()),
        "log_likelihood_em": log_likelihood(kind, data, em_point),
        "log_likelihood_posterior_mean": log_likelihood(kind, data, post_point),
        "em_interval_level": EM_LEVEL,
        "hdi_prob": HDI_PROB,
    }
    if kind == "mixture":
        out["em_n_iter"] = int(est.n_iter_)
        out["em_converged"] = bool(est.converged_)
        out["em_stop_reason"] = str(est.stop_reason_)
        out["em_bic"] = float(est.bic(data.X))
        out["em_aic"] = float(est.aic(data.X))
        em_labels = responsibilities["em"].argmax(axis=1)
        post_labels = responsibilities["posterior_mean"].argmax(axis=1)
        if data.labels is not None:
            out["ari_em"] = M.adjusted_rand_index(data.labels, em_labels)
            out["ari_posterior"] = M.adjusted_rand_index(data.labels, post_labels)
        out["ari_em_vs_posterior"] = M.adjusted_rand_index(em_labels, post_labels)
        diff = M.responsibility_difference(
            responsibilities["em"], responsibilities["posterior_mean"]
        )
        out["responsibility_diff_max"] = diff["max"]
        out["responsibility_diff_mean"] = diff["mean"]
        out["variants"] = {
            "soft_em_log_likelihood": float(variants["soft"].log_likelihood_),
            "soft_em_n_iter": int(variants["soft"].n_iter_),
            "hard_em_log_likelihood": float(variants["hard"].log_likelihood_),
            "hard_em_n_iter": int(variants["hard"].n_iter_),
            "kmeans_inertia": float(variants["kmeans"].inertia_),
            "kmeans_n_iter": int(variants["kmeans"].n_iter_),
        }
    else:
        for attr in ("n_iter_", "converged_"):
            if hasattr(est, attr):
                out[f"em_{attr.rstrip('_')}"] = _plain(getattr(est, attr))
    em_ll = getattr(est, "log_likelihood_", None)
    if em_ll is not None:
        out["em_reported_log_likelihood"] = float(em_ll)
    return out


def _loo(idata) -> dict[str, Any]:
    """PSIS-LOO of the posterior, on the deviance scale beside EM's BIC and AIC.

    ``looic = -2 elpd_loo`` is what a Bayesian would compare across K where the EM user
    compares BIC; Pareto k above 0.7 means the estimate is unreliable for some points.
    """
    import arviz as az

    with warnings.catch_warnings():
        # A high Pareto k is reported through loo_max_pareto_k, not as a console warning.
        warnings.simplefilter("ignore")
        loo = az.loo(idata)
    return {
        "loo_elpd": float(loo.elpd),
        "loo_se": float(loo.se),
        "loo_p": float(loo.p),
        "looic": float(-2.0 * loo.elpd),
        "loo_max_pareto_k": float(np.max(loo.pareto_k)),
    }


def _predictive_tree(idata, predictive):
    import xarray as xr

    return xr.DataTree.from_dict(
        {
            "posterior_predictive": predictive,
            "observed_data": idata.observed_data.to_dataset(),
        }
    )


def _plain(value):
    """numpy scalars and containers to plain Python, for JSON."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value
