"""choose-k: which K the criteria pick, EM's BIC and AIC beside the posterior's LOO ELPD.

For K = 1 .. 5 on the lecture's 1-D and 2-D data, EM (several k-means++ starts) gives its
maximised log-likelihood, BIC and AIC, and NUTS the posterior of the same mixture, with
PSIS-LOO (:func:`compare.kinds.mixture_extras.loo`) and ArviZ's ranking (``az.compare``).
A K larger than the data's two clusters makes the posterior non-identifiable (a component
split in two, or left almost empty): its chains disagree, and the study shows their R-hat,
divergences and per-chain weights instead of hiding them.
"""

from __future__ import annotations

import hashlib
import time

import numpy as np

from ... import metrics as M
from ...cases import get_case
from ...kinds.mixture_extras import loo as _loo
from .. import QUESTIONS
from .._base import StudyConfig, StudyResult, Table, child_seeds
from .._common import SAME_OPTIMUM_NATS, fmt, quietly, sample_posterior
from . import figures as plots

__all__ = ["LEVEL_SETTINGS", "NAME", "QUESTION", "run"]

NAME = "choose-k"
QUESTION = QUESTIONS[NAME]

# datasets: case -> covariance model of both sides. Every (data set, K) is a new model
# structure that compiles for ~5 s with a warm PyTensor cache (20-60 s cold; the 2-D
# full-covariance ones longest), so quick (make report's level) keeps the 1-D data and stops
# at K=4: the trouble of a too large K already shows at K=3 and 4, and the 2-D data's four
# compilations cost about 70 s of a cold report. The full level has both data sets.
LEVEL_SETTINGS = {
    "tiny": {
        "datasets": {"lecture-1d": "full"},
        "ks": [1, 2],
        "draws": 200,
        "tune": 200,
        "chains": 2,
        "n_init": 2,
    },
    "quick": {
        "datasets": {"lecture-1d": "full"},
        "ks": [1, 2, 3, 4],
        "draws": 500,
        "tune": 500,
        "chains": 2,
        "n_init": 5,
    },
    "full": {
        "datasets": {"lecture-1d": "full", "lecture-2d": "full"},
        "ks": [1, 2, 3, 4, 5],
        "draws": 1000,
        "tune": 1000,
        "chains": 4,
        "n_init": 10,
    },
}
# PSIS-LOO is unreliable for a point whose Pareto k exceeds this (Vehtari et al. 2017).
PARETO_K_MAX = 0.7

# (case, K, covariance, data digest) -> pymc.Model: a second run on the same data in one
# process (the CLI after the tests, say) reuses the compiled sampler.
_MODELS: dict[tuple, object] = {}


def run(config: StudyConfig) -> StudyResult:
    """Run the study at ``config.level`` (see :data:`LEVEL_SETTINGS`)."""
    level = LEVEL_SETTINGS[config.level]
    seeds = child_seeds(config.seed, 1, ("em", "mcmc"))[0]
    t0 = time.perf_counter()
    results, seconds = {}, {"em": 0.0, "compile": 0.0, "sampling": 0.0, "loo": 0.0}
    for name, covariance in level["datasets"].items():
        data = get_case(name).generate(config.seed)
        results[name] = _dataset(name, data, covariance, level, seeds, config, seconds)
    warnings = [w for r in results.values() for w in r["warnings"]]
    return StudyResult(
        name=NAME,
        question=QUESTION,
        answer=_answer(results),
        figures=[
            ("criteria", plots.criteria_figure(results), plots.CRITERIA_CAPTION),
            ("chain_weights", plots.chain_weights_figure(results), plots.CHAIN_WEIGHTS_CAPTION),
        ],
        tables=_tables(results),
        data=results,
        settings={
            "level": config.level,
            "seed": config.seed,
            "sampler": config.sampler,
            "data": {n: get_case(n).description for n in level["datasets"]},
            "covariance": level["datasets"],
            "ks": level["ks"],
            "draws": level["draws"],
            "tune": level["tune"],
            "chains": level["chains"],
            "em": f"GaussianMixtureEM(K, n_init={level['n_init']}) from k-means++ starts",
            "priors": "models' defaults: w ~ Dirichlet(1); mu ~ Normal(data quantiles, 2 sd), "
            "ordered (by the first coordinate in 2-D); sd ~ HalfNormal(2 sd) (LKJ(2) "
            "correlations for full covariances)",
            "pareto_k_max": PARETO_K_MAX,
        },
        timings=seconds | {"total": time.perf_counter() - t0},
        warnings=warnings,
    )


def _dataset(name, data, covariance, level, seeds, config, seconds) -> dict:
    """Every K on one data set: EM, the posterior, LOO and the ArviZ ranking.

    Adds the wall seconds of each part to ``seconds``.
    """
    import arviz as az

    X = data.X
    em, bayes, idatas = {}, {}, {}
    for K in level["ks"]:
        t = time.perf_counter()
        em[str(K)] = _em(X, K, covariance, level["n_init"], seeds["em"])
        seconds["em"] += time.perf_counter() - t
        model = _model(name, X, K, covariance)
        idata, diag, messages, s = sample_posterior(
            model,
            sampler=config.sampler,
            seed=seeds["mcmc"],
            draws=level["draws"],
            tune=level["tune"],
            chains=level["chains"],
        )
        seconds["compile"] += s["compile"]
        seconds["sampling"] += s["sampling"]
        t = time.perf_counter()
        bayes[str(K)] = (
            _posterior_summary(idata, diag)
            | _loo(idata)
            | {
                "sampler_warnings": messages,
                "compile_seconds": s["compile"],
                "sampling_seconds": s["sampling"],
            }
        )
        seconds["loo"] += time.perf_counter() - t
        idatas[f"K={K}"] = idata
    t = time.perf_counter()
    ranking, _ = quietly(az.compare, idatas, round_to="none")
    seconds["loo"] += time.perf_counter() - t
    compare = {
        key.removeprefix("K="): {
            "rank": int(row["rank"]),
            "elpd_diff": float(row["elpd_diff"]),
            "dse": float(row["dse"]),
            "weight": float(row["weight"]),
        }
        for key, row in ranking.iterrows()
    }
    choice = {
        "bic": int(min(em, key=lambda k: em[k]["bic"])),
        "aic": int(min(em, key=lambda k: em[k]["aic"])),
        "loo": int(ranking.index[0].removeprefix("K=")),
    }
    result = {
        "covariance": covariance,
        "n_observations": int(X.shape[0]),
        "ks": list(level["ks"]),
        "em": em,
        "bayes": bayes,
        "compare": compare,
        "choice": choice,
    }
    result["warnings"] = _flags(name, result)
    return result


def _em(X, K, covariance, n_init, seed) -> dict:
    from em import GaussianMixtureEM

    gm, messages = quietly(
        GaussianMixtureEM(K, covariance_type=covariance, n_init=n_init, random_state=seed).fit, X
    )
    starts = np.asarray(gm.init_log_likelihoods_)
    return {
        "log_likelihood": float(gm.log_likelihood_),
        "n_parameters": int(gm.n_parameters()),
        "bic": float(gm.bic(X)),
        "aic": float(gm.aic(X)),
        "converged": bool(gm.converged_),
        "n_iter": int(gm.n_iter_),
        "min_weight": float(np.min(gm.weights_)),
        "weights": np.sort(gm.weights_).tolist(),
        # Starts that ended at the best optimum: a lone one hints at a likelihood with many
        # optima (a split cluster, a component on a few points).
        "starts_at_best": int(np.sum(starts >= starts.max() - SAME_OPTIMUM_NATS)),
        "warnings": messages,
    }


def _model(name, X, K, covariance):
    import models

    key = (name, K, covariance, hashlib.sha1(np.ascontiguousarray(X).tobytes()).hexdigest())
    if key not in _MODELS:
        if X.shape[1] == 1:
            _MODELS[key] = models.normal_mixture(X[:, 0], K)
        else:
            _MODELS[key] = models.mv_normal_mixture(X, K, covariance=covariance)
    return _MODELS[key]


def _posterior_summary(idata, diag) -> dict:
    w = idata.posterior["w"].values  # (chain, draw, K)
    per_chain = np.sort(w.mean(axis=1), axis=1)  # components sorted by weight, per chain
    return {
        "max_rhat": float(diag.max_rhat),
        "min_ess_bulk": float(diag.min_ess_bulk),
        "divergences": int(diag.divergences),
        "ok": bool(diag.ok),
        "reasons": list(diag.reasons),
        "chain_weights": per_chain.tolist(),
        "min_mean_weight": float(w.mean(axis=(0, 1)).min()),
    }


def _flags(name, result) -> list[str]:
    """The K whose posterior or LOO cannot be taken at face value, each with its reasons."""
    out = []
    for k, b in result["bayes"].items():
        reasons = list(b["reasons"])
        if b[M.LOO_MAX_PARETO_K] > PARETO_K_MAX:
            reasons.append(f"max Pareto k {b[M.LOO_MAX_PARETO_K]:.2f} > {PARETO_K_MAX}")
        b["flagged"] = bool(reasons)
        if reasons:
            out.append(f"{name}, K={k}: " + "; ".join(reasons))
    return out


# ---------------------------------------------------------------------------------------------
# Text and tables


def _answer(results) -> str:
    parts = []
    for name, r in results.items():
        em, bayes, cmp, choice = r["em"], r["bayes"], r["compare"], r["choice"]
        kb, ka, kl = (str(choice[c]) for c in ("bic", "aic", "loo"))
        text = (
            f"On {name} ({r['covariance']} covariances), BIC picks K={kb} "
            f"(BIC {fmt(em[kb]['bic'])}), AIC picks K={ka} (AIC {fmt(em[ka]['aic'])}) and "
            f"LOO picks K={kl} (ELPD {fmt(bayes[kl][M.LOO_ELPD])} ± {fmt(bayes[kl][M.LOO_SE])})"
        )
        runner = next((k for k, c in cmp.items() if c["rank"] == 1), None)
        if runner is not None:
            text += (
                f"; the runner-up K={runner} is {fmt(-cmp[runner]['elpd_diff'])} ± "
                f"{fmt(cmp[runner]['dse'])} ELPD behind"
            )
        text += "."
        flagged = [k for k, b in bayes.items() if b["flagged"]]
        if flagged:
            worst = max(flagged, key=lambda k: bayes[k]["max_rhat"])
            text += (
                f" The posterior is flagged at K={', '.join(flagged)} (worst max R-hat "
                f"{fmt(bayes[worst]['max_rhat'], 3)} at K={worst}, "
                f"{bayes[worst]['divergences']} divergences)"
            )
            too_large = [k for k in flagged if int(k) > choice["loo"]]
            if too_large:
                text += ": a K beyond the data's clusters leaves the posterior without one answer"
            text += "."
        else:
            text += " Every K's chains passed the diagnostics."
        parts.append(text)
    return " ".join(parts)


def _tables(results) -> list[Table]:
    em_rows, bayes_rows = [], []
    for name, r in results.items():
        for k in map(str, r["ks"]):
            e, b, c = r["em"][k], r["bayes"][k], r["compare"][k]
            em_rows.append(
                [
                    name,
                    int(k),
                    e["log_likelihood"],
                    e["n_parameters"],
                    e["bic"],
                    e["aic"],
                    e["min_weight"],
                    e["starts_at_best"],
                    e["converged"],
                    len(e["warnings"]),
                ]
            )
            bayes_rows.append(
                [
                    name,
                    int(k),
                    b[M.LOO_ELPD],
                    b[M.LOO_SE],
                    b[M.LOO_P],
                    c["rank"],
                    c["elpd_diff"],
                    c["dse"],
                    c["weight"],
                    b["max_rhat"],
                    b["min_ess_bulk"],
                    b["divergences"],
                    b[M.LOO_MAX_PARETO_K],
                    "FLAGGED" if b["flagged"] else "ok",
                ]
            )
    return [
        Table(
            "em_by_k",
            "EM per K: maximised log-likelihood, free parameters, BIC and AIC (lower is "
            "better), the smallest weight, how many starts reached the best optimum",
            [
                "data",
                "K",
                "log-lik",
                "parameters",
                "BIC",
                "AIC",
                "min weight",
                "starts at best",
                "converged",
                "warnings",
            ],
            em_rows,
        ),
        Table(
            "posterior_by_k",
            "Posterior per K: PSIS-LOO ELPD (higher is better) with its SE and effective "
            "parameters, az.compare's rank, ELPD difference to the best with its SE and "
            "stacking weight, and the convergence diagnostics; FLAGGED rows failed R-hat, "
            "ESS, divergences or Pareto k",
            [
                "data",
                "K",
                "ELPD",
                "SE",
                "p_loo",
                "rank",
                "ELPD diff",
                "dSE",
                "weight",
                "max R-hat",
                "min bulk ESS",
                "divergences",
                "max Pareto k",
                "status",
            ],
            bayes_rows,
        ),
    ]
