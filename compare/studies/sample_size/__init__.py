"""Sample size: when do EM's intervals and the posterior's agree, and when do they part?

The lecture-1d mixture (``N(0, 3^2)`` and ``N(10, 1)``, equal numbers) is drawn with ``n``
points per component, ``n`` from 10 to 10,000 on a log scale, several data sets per ``n``.
Each is fitted by EM (observed-information 95 % intervals) and by the posterior (94 %
HDI), components matched to the truth. Per parameter and ``n`` the study reports the
median interval widths and the bias (mean error over the data sets) of both.

Large ``n``: the likelihood dominates the prior and both widths shrink like
``1/sqrt(n)`` together. Small ``n``: EM's maximum can sit on a component squeezed onto a
few points (its likelihood is unbounded there) and its Wald intervals can be infinite or
absurdly narrow, while the prior keeps the posterior finite. Such fits are marked on the
figures, not dropped.

The model's data shape changes with ``n``, so each ``n`` compiles its own model once; the
data sets of one ``n`` share it.
"""

from __future__ import annotations

import time
from collections import Counter

import numpy as np
from scipy.special import ndtri

from ...cases import Dataset, get_case
from ...generate import mixture_sample
from ...settings import EM_PCT, EM_UPPER_QUANTILE, HDI_BAND_QUANTILES, HDI_PCT
from .. import QUESTIONS
from .._base import StudyConfig, StudyResult, Table, child_seeds
from .._fits import COLLAPSE_FRACTION, PairFit, compile_delta, fit_pair

__all__ = ["AGREEMENT", "LEVEL_SETTINGS", "NAME", "NORMAL_RATIO", "QUESTION", "answer", "run"]

NAME = "sample-size"
QUESTION = QUESTIONS[NAME]
CASE = "lecture-1d"
# Data sets per n: more where fits are cheap and EM's behaviour varies most (small n), fewer
# where one posterior takes half a minute (10,000 per component, 4 chains on 2 cores).
LEVEL_SETTINGS = {
    "tiny": {"n_per_component": [10, 100], "replications": [2, 2], "draws": 100,
             "tune": 100, "chains": 2},
    "quick": {"n_per_component": [10, 100, 1000], "replications": [5, 3, 3], "draws": 1000,
              "tune": 500, "chains": 2},
    "full": {"n_per_component": [int(n) for n in np.round(np.logspace(1, 4, 7))],
             "replications": [20, 20, 20, 10, 10, 5, 5], "draws": 1000, "tune": 1000,
             "chains": 4},
}  # fmt: skip
# A normal interval at 95 % is this much wider than at 94 %: the ratio of two intervals
# that agree perfectly.
NORMAL_RATIO = float(ndtri(EM_UPPER_QUANTILE) / ndtri(HDI_BAND_QUANTILES[1]))
# Widths "agree" when their ratio is within this fraction of NORMAL_RATIO.
AGREEMENT = 0.10
_SEED_NAMES = ("data", "em", "mcmc")


def run(config: StudyConfig) -> StudyResult:
    """Run the sample-size study at ``config.level``; see the module docstring."""
    import models

    s = LEVEL_SETTINGS[config.level]
    case = get_case(CASE)
    start = time.perf_counter()
    compiles_before = models.compile_counts()
    records = []
    for n, reps in zip(s["n_per_component"], s["replications"], strict=True):
        # Keyed by n, so a data set of size n is the same whichever sizes run beside it.
        for r, seeds in enumerate(child_seeds((config.seed, n), reps, _SEED_NAMES)):
            data = generate(n, seeds["data"])
            fit = fit_pair(
                case,
                data,
                seeds,
                draws=s["draws"],
                tune=s["tune"],
                chains=s["chains"],
                sampler=config.sampler,
            )
            records.append(_record(n, r, seeds, fit))
    compiles = compile_delta(compiles_before, models.compile_counts())

    summary = summarise(records)
    data = {
        "summary": summary,
        "replications": records,
        "normal_ratio": NORMAL_RATIO,
        "agreement": AGREEMENT,
        "collapse_fraction": COLLAPSE_FRACTION,
        "compile_counts": compiles | {"fits": len(records)},
    }
    fits = [rec["timings"] for rec in records]
    timings = {
        "total": time.perf_counter() - start,
        "compile": sum(t["compile"] + t["build"] for t in fits),
        "sampling": sum(t["sampling"] for t in fits),
        "em": sum(t["em"] for t in fits),
        # Seconds of one fit (EM and posterior) once its model is compiled.
        "per_fit": float(np.mean([t["total"] - t["compile"] - t["build"] for t in fits])),
    }

    from .figures import (
        BIAS_CAPTION,
        bias_figure,
        ratio_caption,
        ratio_figure,
        width_caption,
        width_figure,
    )

    return StudyResult(
        name=NAME,
        question=QUESTION,
        answer=answer(summary),
        figures=[
            ("widths", width_figure(summary, records), width_caption(COLLAPSE_FRACTION)),
            (
                "ratio",
                ratio_figure(summary, NORMAL_RATIO, AGREEMENT),
                ratio_caption(NORMAL_RATIO, AGREEMENT),
            ),
            ("bias", bias_figure(summary), BIAS_CAPTION),
        ],
        tables=[_summary_table(summary)],
        data=data,
        settings=config.as_settings() | s | {"case": CASE, "truth": _truth_text(case)},
        timings=timings,
        warnings=_warnings(records),
    )


def generate(n: int, seed: int) -> Dataset:
    """The lecture-1d data with ``n`` points per component, shape (2 n, 1)."""
    truth = get_case(CASE).truth
    X, labels = mixture_sample(
        np.random.default_rng(seed), (n, n), truth["means"], truth["covariances"]
    )
    return Dataset(X=X, labels=labels, seed=seed)


def _truth_text(case) -> str:
    """``"N(0, 3^2) and N(10, 1^2), n points each"``."""
    means = np.ravel(case.truth["means"])
    sds = np.sqrt(np.ravel(case.truth["covariances"]))
    parts = [f"N({m:g}, {sd:g}^2)" for m, sd in zip(means, sds, strict=True)]
    return " and ".join(parts) + ", n points each"


def _record(n: int, r: int, seeds: dict, fit: PairFit) -> dict:
    return {
        "n_per_component": n,
        "replication": r,
        "seeds": seeds,
        "parameters": {
            row.name: {
                "truth": row.truth,
                "em_estimate": row.em_estimate,
                "em_interval": [row.em_lower, row.em_upper],
                "em_width": row.em_upper - row.em_lower,
                "posterior_mean": row.post_mean,
                "hdi": [row.hdi_lower, row.hdi_upper],
                "hdi_width": row.hdi_upper - row.hdi_lower,
            }
            for row in fit.wald
        },
        "collapsed": bool(fit.collapsed),
        "em_interval_infinite": fit.em_interval_infinite,
        "em_warnings": fit.em_warnings,
        "posterior_ok": fit.posterior_ok,
        "posterior_reasons": fit.posterior_reasons,
        "reused_model": fit.reused_model,
        "timings": fit.timings,
    }


def summarise(records: list[dict]) -> dict[str, dict]:
    """Per ``n`` (as a string key, for JSON) and parameter: medians, biases, counts.

    Returns
    -------
    dict
        ``{n: {"collapsed", "infinite", "posterior_not_ok", "replications",
        "parameters": {name: {"em_width", "hdi_width", "ratio", "em_bias", "em_bias_se",
        "post_bias", "post_bias_se"}}}}``. Widths are medians over the data sets (an
        infinite width counts as the largest); biases are means of estimate minus truth.
    """
    out = {}
    for n in sorted({rec["n_per_component"] for rec in records}):
        recs = [rec for rec in records if rec["n_per_component"] == n]
        params = {}
        for name in recs[0]["parameters"]:
            p = [rec["parameters"][name] for rec in recs]
            em_w = float(np.median([x["em_width"] for x in p]))
            hdi_w = float(np.median([x["hdi_width"] for x in p]))
            em_err = np.array([x["em_estimate"] - x["truth"] for x in p])
            post_err = np.array([x["posterior_mean"] - x["truth"] for x in p])
            params[name] = {
                "em_width": em_w,
                "hdi_width": hdi_w,
                "ratio": em_w / hdi_w,
                "em_bias": float(em_err.mean()),
                "em_bias_se": _se(em_err),
                "post_bias": float(post_err.mean()),
                "post_bias_se": _se(post_err),
            }
        out[str(n)] = {
            "replications": len(recs),
            "collapsed": sum(rec["collapsed"] for rec in recs),
            "infinite": sum(rec["em_interval_infinite"] for rec in recs),
            "posterior_not_ok": sum(not rec["posterior_ok"] for rec in recs),
            "parameters": params,
        }
    return out


def _se(errors: np.ndarray) -> float:
    return float(errors.std(ddof=1) / np.sqrt(len(errors))) if len(errors) > 1 else float("nan")


def deviation(ratio: float) -> float:
    """How far an EM/HDI width ratio is from perfect agreement, as a fraction."""
    return abs(ratio / NORMAL_RATIO - 1.0)


def answer(summary: dict) -> str:
    """The page's answer paragraph, written from this run's numbers."""
    ns = [int(n) for n in summary]
    n0, n_max = ns[0], ns[-1]
    small = summary[str(n0)]
    name, p = max(small["parameters"].items(), key=lambda kv: deviation(kv[1]["ratio"]))
    parts = [
        f"At n={n0} per component (medians of {small['replications']} data sets) the EM "
        f"{EM_PCT} interval for {name} is {_wide(p['em_width'])} against the posterior "
        f"HDI's {p['hdi_width']:.3g} "
        f"({_ratio(p['ratio'])}a {EM_PCT} normal interval is {NORMAL_RATIO:.2f} times a "
        f"{HDI_PCT} one)."
    ]
    agree_from = _agreement_start(summary)
    if agree_from is not None:
        parts.append(
            f"From n={agree_from} per component on, every parameter's two widths agree within "
            f"{AGREEMENT:.0%}."
        )
    else:
        worst, q = max(
            summary[str(n_max)]["parameters"].items(), key=lambda kv: deviation(kv[1]["ratio"])
        )
        parts.append(
            f"At no sample size up to n={n_max} do all parameters' widths agree within "
            f"{AGREEMENT:.0%}: at n={n_max} {worst} is still {deviation(q['ratio']):.0%} off "
            f"(ratio {q['ratio']:.2f})."
        )
    parts.append(_collapse_sentence(summary))
    parts.append(_bias_sentence(summary))
    return " ".join(parts)


def _wide(width: float) -> str:
    return f"{width:.3g} wide" if np.isfinite(width) else "infinitely wide"


def _ratio(ratio: float) -> str:
    return f"ratio {ratio:.2f}; " if np.isfinite(ratio) else ""


def _agreement_start(summary: dict) -> int | None:
    """The smallest n from which on every parameter's widths agree; None if never."""
    start = None
    for n, s in summary.items():
        ok = all(deviation(p["ratio"]) <= AGREEMENT for p in s["parameters"].values())
        start = (start or int(n)) if ok else None
    return start


def _collapse_sentence(summary: dict) -> str:
    collapsed = {n: s["collapsed"] for n, s in summary.items() if s["collapsed"]}
    infinite = {n: s["infinite"] for n, s in summary.items() if s["infinite"]}
    total = sum(s["replications"] for s in summary.values())
    widest_n, widest, w = max(
        ((n, k, v["hdi_width"]) for n, s in summary.items() for k, v in s["parameters"].items()),
        key=lambda x: x[2],
    )
    hdi = (
        f"the posterior's widest HDI was {w:.3g} ({widest} at n={widest_n}): finite, as the "
        "prior keeps it."
    )
    if not collapsed and not infinite:
        return (
            f"EM did not collapse in any of the {total} data sets of this run (no component's "
            f"sd below {COLLAPSE_FRACTION:.0%} of the data's, no infinite interval); {hdi}"
        )
    text = []
    if collapsed:
        text.append(
            "EM collapsed a component (sd below "
            f"{COLLAPSE_FRACTION:.0%} of the data's, or a degenerate-component warning) in "
            + ", ".join(
                f"{c}/{summary[n]['replications']} data sets at n={n}" for n, c in collapsed.items()
            )
        )
    if infinite:
        text.append(
            ("its" if collapsed else "EM's")
            + " intervals were infinite in "
            + ", ".join(f"{c}/{summary[n]['replications']} at n={n}" for n, c in infinite.items())
        )
    return "; ".join(text) + f" (marked on the figures), while {hdi}"


def _bias_sentence(summary: dict) -> str:
    ns = list(summary)
    small = summary[ns[0]]["parameters"]
    name, p = max(small.items(), key=lambda kv: max(abs(kv[1]["em_bias"]), abs(kv[1]["post_bias"])))
    large = summary[ns[-1]]["parameters"].values()
    largest = max(max(abs(p2["em_bias"]), abs(p2["post_bias"])) for p2 in large)
    return (
        f"The largest bias (mean error over the data sets) at n={ns[0]} is on {name}: EM "
        f"{p['em_bias']:+.3g}, posterior mean {p['post_bias']:+.3g}; at n={ns[-1]} no bias "
        f"exceeds {largest:.2g} in absolute value on either side."
    )


def _summary_table(summary: dict) -> Table:
    rows = []
    for n, s in summary.items():
        for name, p in s["parameters"].items():
            rows.append(
                [int(n), name, p["em_width"], p["hdi_width"], p["ratio"], p["em_bias"],
                 p["post_bias"], s["collapsed"], s["infinite"]]
            )  # fmt: skip
    return Table(
        name="summary",
        caption="Per n per component and parameter: median widths over its data sets, "
        "their ratio, the bias of both, and the data sets where EM collapsed or gave infinite "
        "intervals (counted per n).",
        header=["n per component", "parameter", f"EM {EM_PCT} width", f"HDI {HDI_PCT} width",
                "ratio", "EM bias", "posterior bias", "EM collapsed", "EM infinite"],
        rows=rows,
    )  # fmt: skip


def _warnings(records: list[dict]) -> list[str]:
    out = []
    by_n = Counter(rec["n_per_component"] for rec in records)
    for kind, key in (
        ("collapsed", "collapsed"),
        ("gave infinite intervals", "em_interval_infinite"),
    ):
        hits = Counter(rec["n_per_component"] for rec in records if rec[key])
        if hits:
            out.append(
                f"EM {kind} in "
                + ", ".join(f"{c}/{by_n[n]} data sets at n={n}" for n, c in sorted(hits.items()))
                + " (marked on the figures)."
            )
    bad = Counter(rec["n_per_component"] for rec in records if not rec["posterior_ok"])
    if bad:
        out.append(
            "The chains did not converge cleanly in "
            + ", ".join(f"{c}/{by_n[n]} fits at n={n}" for n, c in sorted(bad.items()))
            + "; those HDIs are shown all the same."
        )
    em_classes = Counter(w.split(":", 1)[0] for rec in records for w in set(rec["em_warnings"]))
    if em_classes:
        out.append(
            "EM warned: "
            + ", ".join(f"{k} in {v} fit(s)" for k, v in em_classes.most_common())
            + "."
        )
    return out
