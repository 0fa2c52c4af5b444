"""Coverage: how often do EM's intervals and the posterior's HDIs contain the truth?

One data set says nothing about coverage; R replications of the lecture-1d mixture and of
the regression line do. Each replication draws fresh data, fits EM with its analytic
intervals (observed-information Wald for the mixture, exact t / chi-square for the
regression) and a nonparametric percentile bootstrap (refits started at the fit, see
:func:`compare.studies._fits.fit_pair`), samples the posterior, and records
whether each interval contains the true value. Coverage per parameter and method is the
fraction of replications that do, with Monte-Carlo standard error ``sqrt(p (1 - p) / R)``.

Compilation costs seconds and sampling a fraction of one, so each structure is compiled
once and every replication swaps its data into the same model (``models.set_data``); the
compile counts are recorded to show it.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter

import numpy as np
from scipy.special import ndtr

from ...cases import Case, Dataset, get_case
from ...kinds import get_kind
from ...settings import (
    DEFAULT_SAMPLER,
    EM_LEVEL,
    EM_PCT,
    HDI_PCT,
    HDI_PROB,
    RECOMPILING_SAMPLERS,
    SAMPLERS,
)
from .. import QUESTIONS
from .._base import StudyConfig, StudyResult, Table, child_seeds
from .._fits import PairFit, compile_delta, fit_pair

__all__ = ["LEVEL_SETTINGS", "METHODS", "NAME", "QUESTION", "STRUCTURES", "answer", "covers", "run"]

NAME = "coverage"
QUESTION = QUESTIONS[NAME]
STRUCTURES = ("lecture-1d", "regression")
LEVEL_SETTINGS = {
    "tiny": {"replications": 2, "draws": 100, "tune": 100, "chains": 2, "n_boot": 10},
    "quick": {"replications": 20, "draws": 1000, "tune": 500, "chains": 2, "n_boot": 200},
    "full": {"replications": 100, "draws": 1000, "tune": 1000, "chains": 4, "n_boot": 400},
}
# method key -> (label, nominal level)
METHODS = {
    "em_analytic": (f"EM analytic {EM_PCT}", EM_LEVEL),
    "em_bootstrap": (f"EM bootstrap {EM_PCT}", EM_LEVEL),
    "hdi": (f"posterior {HDI_PCT} HDI", HDI_PROB),
}
_SEED_NAMES = ("data", "em", "bootstrap", "mcmc")
TABLE_HEADER = [
    "structure", "parameter", "method", "nominal", "covered", "n", "coverage", "se",
    "mean width", "infinite",
]  # fmt: skip


def run(config: StudyConfig) -> StudyResult:
    """Run the coverage study at ``config.level``; see the module docstring."""
    import models

    s = LEVEL_SETTINGS[config.level]
    R = s["replications"]
    start = time.perf_counter()
    compiles_before = models.compile_counts()
    # Seed 0 of the sequence fixes the regression's prior; seeds 1.. are the replications.
    prior_seed, *rep_seeds = child_seeds(config.seed, R + 1)
    cases = {name: _fixed_prior_case(get_case(name), prior_seed) for name in STRUCTURES}

    records: dict[str, list[dict]] = {name: [] for name in STRUCTURES}
    rep_times = []
    for r, rep_seed in enumerate(rep_seeds):
        t0 = time.perf_counter()
        structure_seeds = child_seeds(rep_seed, len(cases), _SEED_NAMES)
        for (name, case), seeds in zip(cases.items(), structure_seeds, strict=True):
            data = case.generate(seeds["data"], "numpy")
            fit = fit_pair(
                case,
                data,
                seeds,
                draws=s["draws"],
                tune=s["tune"],
                chains=s["chains"],
                sampler=config.sampler,
                n_boot=s["n_boot"],
            )
            records[name].append(_record(r, seeds, data, fit))
        rep_times.append(time.perf_counter() - t0)

    compiles = compile_delta(compiles_before, models.compile_counts())
    coverage = {name: _coverage(recs) for name, recs in records.items()}
    n_obs = {name: recs[0]["n"] for name, recs in records.items()}
    timings = _timings(records, rep_times, time.perf_counter() - start)
    fits = sum(len(v) for v in records.values())
    reused = sum(rec["reused_model"] for recs in records.values() for rec in recs)
    data = {
        "coverage": coverage,
        "replications": records,
        "n_observations": n_obs,
        "methods": {k: {"label": v[0], "nominal": v[1]} for k, v in METHODS.items()},
        "compile_counts": compiles | {"fits": fits, "reused_model_fits": reused},
        "replication_seconds": rep_times,
    }
    settings = config.as_settings() | s | {"structures": list(STRUCTURES), "n": n_obs}
    settings["prior_seed"] = prior_seed
    warnings = _warnings(records, compiles, config.sampler)

    from .figures import coverage_caption, coverage_figure

    return StudyResult(
        name=NAME,
        question=QUESTION,
        answer=answer(data, timings, R, s["n_boot"]),
        figures=[("coverage", coverage_figure(coverage, METHODS, R), coverage_caption(R))],
        tables=[_coverage_table(coverage, R)],
        data=data,
        settings=settings,
        timings=timings,
        warnings=warnings,
    )


def _fixed_prior_case(case: Case, prior_seed: int) -> Case:
    """``case`` with priors that do not depend on the data they are fitted to.

    The regression's priors are scaled to its data, so its model key includes a hash of
    the data and every replication would compile anew. Here they are scaled once, to a
    pilot data set from the same generator (seed ``prior_seed``, used by no replication),
    and each replication's data are swapped into that one model: the prior no longer
    sees the data it is judged on, and one compilation serves all replications.
    """
    if case.data_independent_priors:
        return case
    pilot = case.generate(prior_seed, "numpy")
    kind = get_kind(case.kind)

    def make_model(data: Dataset):
        model = case.make_model(pilot)
        kind.set_data(model, data)
        return model

    return dataclasses.replace(
        case,
        make_model=make_model,
        data_independent_priors=True,
        model_group=f"{case.name}-prior-seed-{prior_seed}",
        prior_note=case.prior_note + f", scaled to one pilot data set (seed {prior_seed})",
    )


def _record(r: int, seeds: dict, data: Dataset, fit: PairFit) -> dict:
    """One replication of one structure, as plain data (``results.json``)."""
    params = {}
    for i, row in enumerate(fit.wald):
        boot = None if fit.bootstrap is None else fit.bootstrap[i]
        params[row.name] = {
            "truth": row.truth,
            "em_estimate": row.em_estimate,
            "em_analytic": [row.em_lower, row.em_upper],
            "em_bootstrap": [np.nan, np.nan] if boot is None else [boot.em_lower, boot.em_upper],
            "posterior_mean": row.post_mean,
            "hdi": [row.hdi_lower, row.hdi_upper],
        }
    return {
        "replication": r,
        "seeds": seeds,
        "n": int(data.X.shape[0]),
        "em_method": fit.wald[0].em_method,
        "parameters": params,
        "em_warnings": fit.em_warnings,
        "bootstrap": fit.bootstrap_info,
        "posterior_ok": fit.posterior_ok,
        "posterior_reasons": fit.posterior_reasons,
        "collapsed": fit.collapsed,
        "em_interval_infinite": fit.em_interval_infinite,
        "reused_model": fit.reused_model,
        "timings": fit.timings,
    }


def covers(truth: float, interval) -> bool | None:
    """Whether ``interval`` contains ``truth``; ``None`` when it is undefined (NaN).

    An infinite bound counts: ``[-inf, inf]`` does contain the truth, and leaving such
    intervals out would flatter a method that gives up.
    """
    lo, hi = (float(v) for v in interval)
    if np.isnan(lo) or np.isnan(hi):
        return None
    return bool(lo <= truth <= hi)


def _coverage(records: list[dict]) -> dict[str, dict[str, dict]]:
    """``{parameter: {method: {covered, n, fraction, se, mean_width, n_infinite}}}``."""
    out: dict[str, dict[str, dict]] = {}
    for param in records[0]["parameters"]:
        out[param] = {}
        for method in METHODS:
            hits, widths, infinite = [], [], 0
            for rec in records:
                p = rec["parameters"][param]
                hit = covers(p["truth"], p[method])
                if hit is None:
                    continue
                hits.append(hit)
                width = p[method][1] - p[method][0]
                if np.isfinite(width):
                    widths.append(width)
                else:
                    infinite += 1
            n, k = len(hits), int(sum(hits))
            frac = k / n if n else float("nan")
            out[param][method] = {
                "covered": k,
                "n": n,
                "fraction": frac,
                "se": float(np.sqrt(frac * (1 - frac) / n)) if n else float("nan"),
                "mean_width": float(np.mean(widths)) if widths else float("nan"),
                "n_infinite": infinite,
            }
    return out


def _timings(records, rep_times: list[float], total: float) -> dict[str, float]:
    fits = [rec["timings"] for recs in records.values() for rec in recs]
    compile_time = sum(t["compile"] + t["build"] for t in fits)
    R = len(rep_times)
    # The first replication pays for the compilations; the rest show the warm cost.
    warm = rep_times[1:] if R > 1 else [max(rep_times[0] - compile_time, 0.0)]
    return {
        "total": total,
        "compile": compile_time,
        "first_replication": rep_times[0],
        "per_replication": float(np.mean(warm)),
        "per_replication_em": sum(t["em"] for t in fits) / R,
        "per_replication_bootstrap": sum(t["bootstrap"] for t in fits) / R,
        "per_replication_sampling": sum(t["sampling"] for t in fits) / R,
    }


def _warnings(records, compiles: dict, sampler: str) -> list[str]:
    out = []
    for name, recs in records.items():
        R = len(recs)
        bad = [rec for rec in recs if not rec["posterior_ok"]]
        if bad:
            reasons = Counter(_reason_kind(x) for rec in bad for x in rec["posterior_reasons"])
            out.append(
                f"{name}: the chains did not converge cleanly in {len(bad)}/{R} replications "
                f"({', '.join(f'{k} in {v}' for k, v in reasons.most_common())}); their HDIs "
                "are counted all the same."
            )
        em_classes = Counter(
            w.split(":", 1)[0] for rec in recs for w in dict.fromkeys(rec["em_warnings"])
        )
        if em_classes:
            out.append(
                f"{name}: EM warned in some replications: "
                + ", ".join(f"{k} in {v}/{R}" for k, v in em_classes.items())
                + "."
            )
        collapsed = sum(bool(rec["collapsed"]) for rec in recs)
        if collapsed:
            out.append(f"{name}: an EM component collapsed in {collapsed}/{R} replications.")
        failed = [rec["bootstrap"]["error"] for rec in recs if "error" in rec["bootstrap"]]
        if failed:
            out.append(f"{name}: the bootstrap failed in {len(failed)}/{R}: {failed[0]}")
    if sampler in RECOMPILING_SAMPLERS:
        out.append(
            "PyMC's own NUTS compiles on every call (it has no data-swap hook): "
            f"{compiles[sampler]} compilations. Use {DEFAULT_SAMPLER} to reuse one model per "
            "structure."
        )
    return out


def _reason_kind(reason: str) -> str:
    """``"max R-hat 1.020 > 1.01"`` -> ``"max R-hat"``: the reason without its numbers."""
    words = [w for w in reason.split() if not any(c.isdigit() for c in w) and w not in "<>"]
    return " ".join(words)


def below_nominal(c: dict, nominal: float) -> bool:
    """Whether coverage ``c`` is more than two standard errors below ``nominal``.

    The standard error is the binomial one at the nominal level, ``sqrt(q (1 - q) / n)``:
    the spread a method that is right would show, so a run of all-covered or none-covered
    replications (whose own standard error is 0) is judged fairly.
    """
    return bool(nominal - c["fraction"] > 2 * np.sqrt(nominal * (1 - nominal) / c["n"]))


def _fraction(c: dict) -> str:
    """``"17/20 = 0.85 ± 0.08"``: covered of available, fraction and its MC standard error."""
    return f"{c['covered']}/{c['n']} = {c['fraction']:.2f} ± {c['se']:.2f}"


def _coverage_table(coverage: dict, R: int) -> Table:
    rows = []
    for name, params in coverage.items():
        for param, methods in params.items():
            for method, c in methods.items():
                label, nominal = METHODS[method]
                rows.append(
                    [
                        name,
                        param,
                        label,
                        nominal,
                        c["covered"],
                        c["n"],
                        c["fraction"],
                        c["se"],
                        c["mean_width"],
                        c["n_infinite"],
                    ]
                )
    return Table(
        name="coverage",
        caption=f"Coverage per structure, parameter and method over R={R} replications "
        "(n: replications where the interval was defined; se: Monte-Carlo standard error "
        "sqrt(p(1-p)/n); mean width over the finite intervals).",
        header=TABLE_HEADER,
        rows=rows,
    )


def answer(data: dict, timings: dict, R: int, n_boot: int) -> str:
    """The page's answer paragraph, written from this run's numbers."""
    coverage = data["coverage"]
    cells = [
        (name, param, method, c)
        for name, params in coverage.items()
        for param, methods in params.items()
        for method, c in methods.items()
        if c["n"]
    ]
    sizes = ", ".join(f"n={n} for {k}" for k, n in data["n_observations"].items())
    pooled = []
    for method, (label, _) in METHODS.items():
        mine = [c for _, _, m, c in cells if m == method]
        k, n = sum(c["covered"] for c in mine), sum(c["n"] for c in mine)
        pooled.append(f"{label} in {k}/{n} = {k / n:.2f}")
    parts = [
        f"Over R={R} replications ({sizes}), pooled over parameters, the truth was covered "
        f"by {'; '.join(pooled)}."
    ]
    lowest = []
    for method, (label, _) in METHODS.items():
        name, param, _, c = min(
            (x for x in cells if x[2] == method), key=lambda x: (x[3]["fraction"], x[1])
        )
        lowest.append(f"{label} on {param} of {name}, {_fraction(c)}")
    parts.append("Lowest per method: " + "; ".join(lowest) + ".")
    short = [
        f"{METHODS[m][0]} on {param} of {name} ({_fraction(c)})"
        for name, param, m, c in cells
        if below_nominal(c, METHODS[m][1])
    ]
    # One-sided, each pair falls two standard errors low by chance with probability
    # Phi(-2) = 2.3 %: with many pairs a few such cells are expected, and the text says so.
    chance = len(cells) * float(ndtr(-2.0))
    parts.append(
        (
            "Below the nominal level by more than two binomial standard errors: " + "; ".join(short)
            if short
            else "No method fell below its nominal level by more than two binomial standard "
            "errors on any parameter"
        )
        + f" (of {len(cells)} pairs of parameter and method, about {chance:.1f} would fall "
        "that low by chance alone)."
    )
    se = float(np.sqrt(EM_LEVEL * (1 - EM_LEVEL) / R))
    parts.append(
        f"With R={R}, a true coverage of {EM_LEVEL:g} is measured to ±{se:.2f}, so only gaps "
        f"of about {2 * se:.2f} or more are evidence."
    )
    cc = data["compile_counts"]
    compiled = sum(cc[s] for s in SAMPLERS)
    parts.append(
        f"One replication (both structures: EM, {n_boot} bootstrap refits and one posterior "
        f"each) took {timings['per_replication']:.2f} s once compiled; {compiled} sampler "
        f"compilation(s) served all {cc['fits']} posterior fits."
    )
    return " ".join(parts)
