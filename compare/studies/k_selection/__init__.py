"""k-selection: how often does each criterion find the number of components that made the data?

Synthetic 1-D mixtures with a known ``K_true`` in {1, 2, 3, 4} (:mod:`._design`: the
lecture's well-separated pair and its overlapping pair, continued), at two sample sizes,
``R`` data sets per cell. On every data set each criterion picks a K among the candidates
(:mod:`._criteria`): EM's BIC, AIC, ICL, 5-fold held-out log-likelihood and mclust's
sequential bootstrap LRT; the posterior's PSIS-LOO ELPD (NUTS per K, one compiled model per
(K, n) whose data :func:`models.set_data` swaps); and the effective number of components of
the variational fit started with the largest K (weights above 1 %), under the default and a
sparse Dirichlet prior of the weights. The page gives the fraction of data sets on which
each criterion picks ``K_true``, with Monte-Carlo error ``sqrt(p (1 - p) / R)``, and the
confusion table of chosen K against ``K_true``.

Cost decides which criterion sees how many data sets: BIC, AIC, ICL and VB cost a few
hundredths of a second per data set and run on all ``R``; the CV and the LRT refit dozens of
times (about a second) and NUTS needs a fit per K (a second or more, after a compile per
(K, n) of 10 s or more), so they run on the first data sets of each cell only
(``slow_subset``, ``loo_subset``), as the settings on the page say. The quick level also
keeps one sample size. The question of choose-k (the lecture's own data and the posterior
of a too-large K) stays with choose-k.
"""

from __future__ import annotations

import time

import numpy as np

from .. import QUESTIONS
from .._base import StudyConfig, StudyResult, Table, child_seeds
from . import _criteria as C
from . import figures as plots
from ._design import SEPARATIONS, simulate, standardise, truth

__all__ = ["CRITERIA", "LEVEL_SETTINGS", "NAME", "QUESTION", "run", "summarise"]

NAME = "k-selection"
QUESTION = QUESTIONS[NAME]

# criterion -> how it chooses, in the order of the tables.
CRITERIA = {
    "bic": "EM: lowest BIC",
    "aic": "EM: lowest AIC",
    "icl": "EM: lowest ICL (BIC + 2 x classification entropy)",
    "lrt": "EM: first K whose bootstrap LRT against K + 1 is not rejected at 5 %",
    "cv": "EM: highest 5-fold held-out log-likelihood",
    "loo": "posterior: highest PSIS-LOO ELPD",
    "vb": "VB started with the largest K, Dirichlet(1) weights: components above 1 %",
    "vb-sparse": "VB started with the largest K, Dirichlet(0.01) weights: components above 1 %",
}
_FAST, _SLOW = ("bic", "aic", "icl"), ("cv", "lrt")

LEVEL_SETTINGS = {
    "tiny": {
        "k_true": [1, 2],
        "ns": [100],
        "ks": [1, 2],
        "replications": 4,
        "slow_subset": 2,
        "loo_subset": 1,
        "n_folds": 3,
        "n_replicates": 19,
        "draws": 200,
        "tune": 200,
        "chains": 2,
    },
    # Quick keeps one n and K_true <= 3 (candidates 1..4): every candidate K is a NUTS model
    # to compile (5-10 s each) and the over-fitted ones sample slowest; measured at about a
    # minute on two cores. Full runs the whole design.
    "quick": {
        "k_true": [1, 2, 3],
        "ns": [200],
        "ks": [1, 2, 3, 4],
        "replications": 20,
        "slow_subset": 2,
        "loo_subset": 1,
        "n_folds": 5,
        "n_replicates": 19,
        "draws": 300,
        "tune": 300,
        "chains": 2,
    },
    "full": {
        "k_true": [1, 2, 3, 4],
        "ns": [200, 1000],
        "ks": [1, 2, 3, 4, 5],
        "replications": 100,
        "slow_subset": 100,
        "loo_subset": 10,
        "n_folds": 5,
        "n_replicates": 99,
        "draws": 1000,
        "tune": 1000,
        "chains": 4,
    },
}


def run(config: StudyConfig) -> StudyResult:
    """Run the study at ``config.level`` (see :data:`LEVEL_SETTINGS`)."""
    level = LEVEL_SETTINGS[config.level]
    t0 = time.perf_counter()
    seconds = {
        "em_fast": 0.0,
        "em_slow": 0.0,
        "vb": 0.0,
        "compile": 0.0,
        "sampling": 0.0,
        "loo": 0.0,
    }
    counts = {"em_fast": 0, "em_slow": 0, "vb": 0, "loo": 0}
    cells = []
    for separation in SEPARATIONS:
        for n in level["ns"]:
            for k_true in level["k_true"]:
                reps = [
                    _replication(separation, n, k_true, i, s, level, config, seconds, counts)
                    for i, s in enumerate(
                        child_seeds(
                            (config.seed, list(SEPARATIONS).index(separation), n, k_true),
                            level["replications"],
                            ("data", "em", "mcmc"),
                        )
                    )
                ]
                cells.append(
                    {"separation": separation, "n": n, "k_true": k_true, "replications": reps}
                )
    summary = summarise(cells, level["ks"])
    total = time.perf_counter() - t0
    timings = seconds | {
        "total": total,
        "per_data_set_em_fast": seconds["em_fast"] / max(counts["em_fast"], 1),
        "per_data_set_em_slow": seconds["em_slow"] / max(counts["em_slow"], 1),
        "per_data_set_vb": seconds["vb"] / max(counts["vb"], 1),
        "per_loo_fit_sampling": seconds["sampling"] / max(counts["loo"] * len(level["ks"]), 1),
    }
    data = {"cells": cells, "summary": summary, "counts": counts}
    warnings = _warnings(cells)
    return StudyResult(
        name=NAME,
        question=QUESTION,
        answer=answer(summary, level),
        figures=[
            ("accuracy", plots.accuracy_figure(summary, level["ks"]), plots.ACCURACY_CAPTION),
            ("pareto_k", plots.pareto_k_figure(cells, level["ks"]), plots.PARETO_K_CAPTION),
        ],
        tables=_tables(summary, cells, level["ks"]),
        data=data,
        settings=config.as_settings()
        | {key: level[key] for key in level}
        | {
            "criteria": dict(CRITERIA),
            "data": {s: {k: truth(s, k) for k in level["k_true"]} for s in SEPARATIONS},
            "design": (
                f"{level['replications']} data sets per cell; BIC, AIC, ICL and VB on all of "
                f"them, CV and LRT on the first {level['slow_subset']}, LOO on the first "
                f"{level['loo_subset']} (each fit costs much more); every data set "
                "standardised, components with fixed shares n // K as in the lecture"
            ),
            "em": f"GaussianMixtureEM(K, n_init={C.N_INIT}, tol={C.EM_TOL}) from k-means++",
            "vb": f"VariationalGaussianMixture(max K, n_init={C.VB_N_INIT}, tol={C.VB_TOL}), "
            "mclust's default NIW prior",
            "prior": "ordered normal mixture on the standardised data: means Normal((k+1/2)/K "
            "quantile of N(0, 1), 2), sds HalfNormal(2), weights Dirichlet(1)",
            "pareto_k_max": C.PARETO_K_MAX,
            "weight_floor": C.WEIGHT_FLOOR,
        },
        timings=timings,
        warnings=warnings,
    )


def _replication(separation, n, k_true, index, seeds, level, config, seconds, counts) -> dict:
    """Every criterion that this replication's index asks for, on one data set."""
    x = standardise(simulate(separation, k_true, n, seeds["data"]))
    ks = level["ks"]
    out: dict = {"chosen": {}}
    t = time.perf_counter()
    fast = C.em_choices(
        x, ks, _FAST, seeds["em"], n_folds=level["n_folds"], n_replicates=level["n_replicates"]
    )
    seconds["em_fast"] += time.perf_counter() - t
    counts["em_fast"] += 1
    out["chosen"] |= fast["chosen"]
    out["em_warnings"] = fast["warnings"]
    t = time.perf_counter()
    out["chosen"] |= C.vb_effective_k(x, max(ks), seeds["em"])
    seconds["vb"] += time.perf_counter() - t
    counts["vb"] += 1
    if index < level["slow_subset"]:
        t = time.perf_counter()
        slow = C.em_choices(
            x, ks, _SLOW, seeds["em"], n_folds=level["n_folds"], n_replicates=level["n_replicates"]
        )
        seconds["em_slow"] += time.perf_counter() - t
        counts["em_slow"] += 1
        out["chosen"] |= slow["chosen"]
        out["lrt_p_values"] = slow["values"]["lrt"]
    if index < level["loo_subset"]:
        loo = C.loo_choice(
            x,
            ks,
            sampler=config.sampler,
            seed=seeds["mcmc"],
            draws=level["draws"],
            tune=level["tune"],
            chains=level["chains"],
        )
        for key, value in loo.pop("seconds").items():
            seconds[key] += value
        counts["loo"] += 1
        out["chosen"]["loo"] = loo.pop("chosen")
        out["loo"] = loo
    out["chosen"] = {c: int(out["chosen"][c]) for c in CRITERIA if c in out["chosen"]}
    return out


def summarise(cells: list[dict], ks: list[int]) -> list[dict]:
    """Per cell and criterion: data sets, how many chose ``K_true``, the fraction and its MC error.

    Returns
    -------
    list of dict
        ``separation``, ``n``, ``k_true``, ``criterion``, ``runs``, ``correct``, ``fraction``,
        ``se`` (``sqrt(p (1 - p) / runs)``), ``under``/``over`` (chose fewer / more) and
        ``counts`` (how often each candidate K was chosen, in ``ks`` order).
    """
    rows = []
    for cell in cells:
        for criterion in CRITERIA:
            chosen = [
                r["chosen"][criterion] for r in cell["replications"] if criterion in r["chosen"]
            ]
            if not chosen:
                continue
            chosen = np.asarray(chosen)
            p = float(np.mean(chosen == cell["k_true"]))
            rows.append(
                {
                    "separation": cell["separation"],
                    "n": cell["n"],
                    "k_true": cell["k_true"],
                    "criterion": criterion,
                    "runs": int(chosen.size),
                    "correct": int(np.sum(chosen == cell["k_true"])),
                    "fraction": p,
                    "se": float(np.sqrt(p * (1 - p) / chosen.size)),
                    "under": int(np.sum(chosen < cell["k_true"])),
                    "over": int(np.sum(chosen > cell["k_true"])),
                    # VB can keep more components than it started with never, fewer always:
                    # its count lies in 1..max(ks) like every other choice.
                    "counts": [int(np.sum(chosen == k)) for k in ks],
                }
            )
    return rows


def pooled(summary: list[dict], criterion: str, separation: str) -> dict:
    """One criterion at one separation, pooled over ``K_true`` and ``n``.

    Returns
    -------
    dict
        ``runs``, ``correct``, ``under``, ``over`` (sums) and ``fraction``.
    """
    rows = [r for r in summary if r["criterion"] == criterion and r["separation"] == separation]
    out = {key: sum(r[key] for r in rows) for key in ("runs", "correct", "under", "over")}
    out["fraction"] = out["correct"] / out["runs"] if out["runs"] else float("nan")
    return out


def answer(summary: list[dict], level: dict) -> str:
    """The answer paragraph, every number from ``summary``."""
    parts = []
    for separation in SEPARATIONS:
        stats = {c: pooled(summary, c, separation) for c in CRITERIA}
        stats = {c: s for c, s in stats.items() if s["runs"]}
        ranked = sorted(stats, key=lambda c: -stats[c]["fraction"])
        listing = ", ".join(
            f"{c.upper() if c not in ('vb', 'vb-sparse') else c} {_share(stats[c])}" for c in ranked
        )
        k_trues = ", ".join(map(str, level["k_true"]))
        ns = ", ".join(map(str, level["ns"]))
        text = (
            f"On the {separation} data (K_true {k_trues}, pooled over n = {ns}), the share "
            f"of data sets on which each criterion picks K_true is: {listing}."
        )
        text += " " + _direction(stats, ("bic", "loo", "icl"))
        parts.append(text)
    loo_runs = sum(r["runs"] for r in summary if r["criterion"] == "loo")
    parts.append(
        f"LOO and the CV/LRT ran on fewer data sets than BIC ({loo_runs} LOO data sets in all, "
        f"{level['loo_subset']} per cell, against {level['replications']} for BIC): their "
        "shares carry the larger Monte-Carlo error shown in the table."
    )
    return " ".join(parts)


def _share(s: dict) -> str:
    return f"{s['correct']}/{s['runs']} ({100 * s['fraction']:.0f} %)"


def _direction(stats: dict, names: tuple[str, ...]) -> str:
    """Where BIC, LOO and ICL go wrong: too few or too many components."""
    pieces = []
    for c in names:
        if c not in stats:
            continue
        s = stats[c]
        wrong = s["under"] + s["over"]
        if not wrong:
            pieces.append(f"{c.upper()} was never wrong")
        else:
            pieces.append(
                f"{c.upper()} erred on {wrong} (too few components on {s['under']}, too many "
                f"on {s['over']})"
            )
    return "; ".join(pieces) + "." if pieces else ""


def _warnings(cells: list[dict]) -> list[str]:
    out = []
    for cell in cells:
        for i, r in enumerate(cell["replications"]):
            loo = r.get("loo")
            if loo is None:
                continue
            bad = [str(k + 1) for k, ok in enumerate(loo["ok"]) if not ok]
            if bad:
                out.append(
                    f"{cell['separation']}, n={cell['n']}, K_true={cell['k_true']}, data set "
                    f"{i}: chains failed the diagnostics at K={', '.join(bad)}"
                )
    return out


def _tables(summary: list[dict], cells: list[dict], ks: list[int]) -> list[Table]:
    accuracy = Table(
        "accuracy",
        "Fraction of data sets on which each criterion picks K_true, with its Monte-Carlo "
        "standard error sqrt(p(1-p)/runs); under / over: how many chose fewer / more",
        [
            "separation",
            "n",
            "K_true",
            "criterion",
            "runs",
            "correct",
            "fraction",
            "MC se",
            "under",
            "over",
        ],
        [
            [
                r["separation"],
                r["n"],
                r["k_true"],
                r["criterion"],
                r["runs"],
                r["correct"],
                r["fraction"],
                r["se"],
                r["under"],
                r["over"],
            ]
            for r in summary
        ],
    )
    confusion = Table(
        "confusion",
        "Confusion table: how many data sets each criterion gave each chosen K, by K_true",
        ["criterion", "separation", "n", "K_true", *[f"chose {k}" for k in ks]],
        [
            [r["criterion"], r["separation"], r["n"], r["k_true"], *r["counts"]]
            for r in sorted(summary, key=lambda r: list(CRITERIA).index(r["criterion"]))
        ],
    )
    pareto = []
    for cell in cells:
        fits = [r["loo"] for r in cell["replications"] if "loo" in r]
        for j, k in enumerate(ks):
            if not fits:
                continue
            max_k = np.array([f["max_pareto_k"][j] for f in fits])
            share = np.array([f["share_bad_k"][j] for f in fits])
            pareto.append(
                [
                    cell["separation"],
                    cell["n"],
                    cell["k_true"],
                    k,
                    len(fits),
                    float(np.median(max_k)),
                    float(np.max(max_k)),
                    int(np.sum(max_k > C.PARETO_K_MAX)),
                    float(np.mean(share)),
                ]
            )
    pareto_table = Table(
        "pareto_k",
        f"PSIS-LOO's Pareto k per candidate K: median and largest max-k over the data sets, "
        f"how many fits had a point above {C.PARETO_K_MAX} (LOO unreliable there) and the "
        "mean share of such points",
        [
            "separation",
            "n",
            "K_true",
            "K",
            "fits",
            "median max k",
            "largest max k",
            f"fits with k > {C.PARETO_K_MAX}",
            "mean share k > 0.7",
        ],
        pareto,
    )
    return [accuracy, confusion, pareto_table]
