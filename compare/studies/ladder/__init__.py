"""Ladder: how far is each approximate method from NUTS, by sample size and by separation?

The inference ladder of a case page (:mod:`compare.sections.ladder`) on one data set says
little about when an approximation is good enough. Here it is climbed on many: the
lecture-1d generator (N(0, 3^2) and N(10, 1), equal counts) at several numbers of points
per component, and a well-separated (N(0, 1) and N(10, 1)) and a poorly separated
(N(1, 1) and N(3, 1), the lecture-1d-close data) mixture at one size. Each data set is
fitted by EM (MLE), MAP-EM + Laplace (where :mod:`em` has it), VB, mean-field and
full-rank ADVI and NUTS, all with one conjugate prior per structure (mclust's default of a
pilot data set, fixed), and every method is scored against NUTS: its worst
``|mean - NUTS mean| / NUTS sd`` over the parameters and the ratio ``sd / NUTS sd`` of the
component means.

One compiled model serves every replication of a structure and size
(``models.set_data``); a new size is a new data shape, so it compiles once more.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from ...cases import _mixture_generator, _mixture_truth, get_case
from ...conjugate import conjugate_model
from ...engine.pair import fit_both
from ...sections.ladder import available_rungs
from ...sections.ladder_methods import RUNGS, climb, scalars, score
from ...settings import LADDER_PASS
from .. import QUESTIONS
from .._base import StudyConfig, StudyResult, Table, child_seeds
from .figures import ladder_study_caption, ladder_study_figure

__all__ = ["LEVEL_SETTINGS", "NAME", "QUESTION", "STRUCTURES", "answer", "run"]

NAME = "ladder"
QUESTION = QUESTIONS[NAME]
# structure -> (means, sds); the sweep over sizes uses "lecture-1d".
STRUCTURES = {
    "lecture-1d": ([0.0, 10.0], [3.0, 1.0]),
    "well-separated": ([0.0, 10.0], [1.0, 1.0]),
    "poorly-separated": ([1.0, 3.0], [1.0, 1.0]),
}
SWEEP = "lecture-1d"
# Every (structure, size) is its own compiled model (NUTS and two ADVI step functions, ~8 s
# a data set on 2 cores): the quick level (`make report`'s) has four data sets, ~40 s warm.
# Fewer NUTS draws (300) left every quick data set short of ESS 200.
LEVEL_SETTINGS = {
    "tiny": {"sizes": (30,), "fixed_size": 30, "replications": 1, "draws": 200, "tune": 200,
             "chains": 2},
    "quick": {"sizes": (30, 1000), "fixed_size": 100, "replications": 1, "draws": 500,
              "tune": 500, "chains": 2},
    "full": {"sizes": (10, 30, 100, 300, 1000, 3000, 10000), "fixed_size": 100,
             "replications": 5, "draws": 1000, "tune": 1000, "chains": 4},
}  # fmt: skip
# The pilot data set of each structure's prior has this many points per component.
_PILOT_SIZE = 100
TABLE_HEADER = [
    "structure", "n per component", "method", "data sets", "worst |error| / NUTS sd (mean)",
    "sd / NUTS sd of the means (median)", "passes", "seconds (mean)",
]  # fmt: skip


def _case(structure: str, n: int, prior):
    """A lecture-1d-like case of ``structure`` with ``n`` points per component."""
    means, sds = STRUCTURES[structure]
    counts = (n, n)
    truth = _mixture_truth(counts, means, sds)

    def make_model(data):
        return conjugate_model(data, 2, "full", prior)

    return dataclasses.replace(
        get_case("lecture-1d"),
        name=f"ladder-{structure}-{n}",
        truth=truth,
        generate=_mixture_generator(counts, truth),
        make_model=make_model,
        conjugate_prior=lambda: prior,
        model_group=f"ladder-{structure}",
        start=None,
        notes=(),
    )


def _pilot_prior(structure: str, seed: int):
    import em

    means, sds = STRUCTURES[structure]
    counts = (_PILOT_SIZE, _PILOT_SIZE)
    data = _mixture_generator(counts, _mixture_truth(counts, means, sds))(seed, "numpy")
    return em.NormalInverseWishart.default(data.X, 2, "full")


def run(config: StudyConfig) -> StudyResult:
    """Run the ladder study at ``config.level``; see the module docstring."""
    s = LEVEL_SETTINGS[config.level]
    start = time.perf_counter()
    rungs = available_rungs()
    plan = [(SWEEP, n) for n in s["sizes"]]
    plan += [(st, s["fixed_size"]) for st in STRUCTURES if st != SWEEP]
    prior_seeds = dict(zip(STRUCTURES, child_seeds((config.seed, 0), len(STRUCTURES)), strict=True))
    priors = {st: _pilot_prior(st, prior_seeds[st]) for st in STRUCTURES}
    records, warnings = [], []
    for structure, n in plan:
        case = _case(structure, n, priors[structure])
        names = ("data", "em", "mcmc", "ladder")
        for rep, seeds in enumerate(
            child_seeds((config.seed, n, len(structure)), s["replications"], names)
        ):
            data = case.generate(seeds["data"], "numpy")
            pair = fit_both(case, data, seeds, draws=s["draws"], tune=s["tune"],
                            chains=s["chains"], sampler=config.sampler)  # fmt: skip
            if not pair.bayes.diagnostics.ok:
                warnings.append(
                    f"{structure}, n={n}, data set {rep}: NUTS did not converge cleanly ("
                    + "; ".join(pair.bayes.diagnostics.reasons)
                    + "); its scores are doubtful"
                )
            scored = score(
                climb(case, data, pair, seeds["ladder"], rungs=rungs), scalars(pair.rows)
            )
            for m in scored:
                ratios = [c["sd_ratio"] for c in m["cells"] if c["name"].startswith("means")]
                records.append({
                    "structure": structure, "n": n, "rep": rep, "method": m["method"],
                    "worst_error": m["worst_error"], "means_sd_ratio": float(np.median(ratios)),
                    "passes": bool(m["passes"]), "seconds": m["seconds"],
                })  # fmt: skip
    summary = _summary(records, [r for r in RUNGS if r in rungs])
    result = StudyResult(
        name=NAME,
        question=QUESTION,
        answer=answer(summary, s),
        figures=[
            (
                "ladder",
                ladder_study_figure(summary, SWEEP, LADDER_PASS),
                ladder_study_caption(LADDER_PASS),
            )
        ],
        tables=[
            Table(
                "ladder",
                "Each method against NUTS, averaged over the data sets.",
                TABLE_HEADER,
                [list(r.values()) for r in summary],
            )
        ],
        data={
            "records": records,
            "summary": summary,
            "priors": {
                st: {
                    "mean_prior": p.mean_prior.tolist(),
                    "mean_precision": p.mean_precision,
                    "degrees_of_freedom": p.degrees_of_freedom,
                    "covariance_prior": np.ravel(p.covariance_prior).tolist(),
                }
                for st, p in priors.items()
            },
        },
        settings=config.as_settings()
        | {k: list(v) if isinstance(v, tuple) else v for k, v in s.items()}
        | {"pass_rule": LADDER_PASS},
        timings={"total": time.perf_counter() - start},
        warnings=warnings,
    )
    return result


def _summary(records: list[dict], methods: list[str]) -> list[dict]:
    """Mean worst error, median sd ratio, pass fraction and mean seconds per cell."""
    out = []
    keys = dict.fromkeys((r["structure"], r["n"]) for r in records)
    for structure, n in keys:
        for method in methods:
            rs = [
                r
                for r in records
                if (r["structure"], r["n"], r["method"]) == (structure, n, method)
            ]
            out.append({
                "structure": structure, "n": n, "method": method, "data_sets": len(rs),
                "worst_error": float(np.mean([r["worst_error"] for r in rs])),
                "means_sd_ratio": float(np.median([r["means_sd_ratio"] for r in rs])),
                "passes": float(np.mean([r["passes"] for r in rs])),
                "seconds": float(np.mean([r["seconds"] for r in rs])),
            })  # fmt: skip
    return out


def answer(summary: list[dict], settings: dict) -> str:
    """The answer paragraph, written from the numbers."""
    approx = [m for m in dict.fromkeys(r["method"] for r in summary) if m != "NUTS"]
    sizes = settings["sizes"]

    def cell(structure, n, method):
        return next(
            r for r in summary if (r["structure"], r["n"], r["method"]) == (structure, n, method)
        )

    parts = []
    for method in approx:
        errors = [cell(SWEEP, n, method)["worst_error"] for n in sizes]
        first = next(
            (i for i in range(len(sizes)) if all(e < LADDER_PASS for e in errors[i:])), None
        )
        where = (
            "does not pass at the largest size"
            if first is None
            else f"passes from n = {sizes[first]} per component on"
        )
        ratio = cell(SWEEP, sizes[-1], method)["means_sd_ratio"]
        parts.append(
            f"{method}: worst error {', '.join(f'{e:.2f}' for e in errors)} NUTS sds at n = "
            f"{', '.join(map(str, sizes))}; it {where}; sd of the means {ratio:.2f} x NUTS' at "
            f"n = {sizes[-1]}"
        )
    n0 = settings["fixed_size"]
    sep = []
    for method in approx:
        w = cell("well-separated", n0, method)["worst_error"]
        p = cell("poorly-separated", n0, method)["worst_error"]
        sep.append(f"{method} {w:.2f} vs {p:.2f}")
    return (
        f"On the lecture-1d data (pass: worst |mean error| < {LADDER_PASS:g} NUTS sd): "
        + "; ".join(parts)
        + ". "
        f"With {n0} points per component, the worst error on well- against poorly separated "
        f"components: " + ", ".join(sep) + ". The overlap of the components, not the size "
        "alone, decides whether an approximation can stand in for the posterior. "
        f"This run: n = {', '.join(map(str, sizes))} per component on lecture-1d and {n0} on "
        f"the other two, {settings['replications']} data set(s) each, NUTS "
        f"{settings['chains']} x {settings['draws']} draws; `python -m compare study ladder` "
        f"(the full level) sweeps n = {', '.join(map(str, LEVEL_SETTINGS['full']['sizes']))} "
        f"with {LEVEL_SETTINGS['full']['replications']} data sets each."
    )
