"""The inference ladder section of a mixture case page: MLE, MAP-EM, VB, ADVI and NUTS.

``compute`` climbs every rung of :mod:`compare.sections.ladder_methods` on the case's
data (reusing the comparison's EM fit, its compiled conjugate model and its NUTS draws)
and scores each against NUTS; ``render`` writes the table and the figures.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np

from ..figures.ladder import (
    DENSITIES_CAPTION,
    INTERVALS_CAPTION,
    ladder_densities,
    ladder_intervals,
)
from ..settings import (
    DEFAULT_LADDER,
    EM_LEVEL,
    LADDER_ADVI,
    LADDER_ADVI_MAX_FEATURES,
    LADDER_PASS,
    LADDERS,
    percent,
)
from . import Section
from .ladder_methods import ADVI_RUNGS, RUNGS, climb, scalars, score

__all__ = ["LADDER", "compute", "render"]

_BINS = 40
_GRID = 200
_DPI = 80
_FILES = {"intervals": "ladder_intervals.png", "densities": "ladder_densities.png"}


def applies(case) -> bool:
    """Mixture cases sampled with the conjugate prior (every rung then shares it)."""
    return case.kind == "mixture" and case.prior == "conjugate"


def compute(result) -> dict:
    """The ladder of ``result``'s data: scores per method and scalar, 1-D densities."""
    seed = int(result.settings["seeds"]["em"])
    ladder = result.settings.get("ladder", DEFAULT_LADDER)
    chosen = available_rungs(result.data.X.shape[1], ladder)
    rungs = climb(result.case, result.data, result, seed, rungs=chosen)
    names = scalars(result.rows)
    out = {
        "left_out": [r for r in available_rungs() if r not in chosen],
        "case": result.case.name,
        "level": EM_LEVEL,
        "rule": LADDER_PASS,
        "advi": dict(LADDER_ADVI),
        "prior": result.case.prior_text(),
        "methods": score(rungs, names),
    }
    if result.data.X.shape[1] == 1:
        out["densities"] = _densities(rungs, names, result.posterior)
    return out


def available_rungs(n_features: int = 1, ladder: str = "full") -> tuple[str, ...]:
    """The rungs of :data:`RUNGS` a page of ``n_features``-dimensional data climbs.

    Parameters
    ----------
    n_features : int, default 1
    ladder : {"default", "full"}, default "full"
        One of :data:`compare.settings.LADDERS`. ``"default"`` (the report's) leaves the
        ADVI rungs out above :data:`compare.settings.LADDER_ADVI_MAX_FEATURES` features:
        their two compilations cost more than the rest of the case.

    Returns
    -------
    tuple of str
        In :data:`RUNGS` order; MAP-EM only where :class:`em.GaussianMixtureEM` takes a
        ``prior``.
    """
    import em

    if ladder not in LADDERS:
        raise ValueError(f"ladder must be one of {', '.join(LADDERS)}; got {ladder!r}")
    has_prior = "prior" in em.GaussianMixtureEM().get_params()
    skip_advi = ladder == "default" and n_features > LADDER_ADVI_MAX_FEATURES
    return tuple(
        r
        for r in RUNGS
        if (has_prior or r != "MAP-EM + Laplace") and not (skip_advi and r in ADVI_RUNGS)
    )


def _densities(rungs, names, posterior) -> dict:
    """Per scalar: a grid, the NUTS histogram and each approximation's density on the grid."""
    out = {}
    for name, parameter, index in names:
        da = posterior[parameter]
        draws = da.values.reshape(-1, *da.shape[2:])[(slice(None), *index)]
        lo, hi = np.quantile(draws, [0.001, 0.999])
        pad = 0.25 * (hi - lo) if hi > lo else 1.0
        grid = np.linspace(lo - pad, hi + pad, _GRID)
        counts, edges = np.histogram(draws, bins=_BINS, range=(lo - pad, hi + pad), density=True)
        curves = {
            r.name: np.nan_to_num(r.densities[name](grid)).tolist()
            for r in rungs
            if r.name != "NUTS" and name in r.densities
        }
        out[name] = {
            "grid": grid.tolist(),
            "hist": {"edges": edges.tolist(), "density": counts.tolist()},
            "curves": curves,
        }
    return out


# --------------------------------------------------------------------------------------------
# The page


def _num(value, digits: int = 3) -> str:
    if value is None:
        return "-"
    v = float(value)
    if not np.isfinite(v):
        return str(v)
    return f"{v:.{digits}g}"


def _table(header: list[str], rows: list[list[str]], spans: list[tuple[str, int]] = ()) -> str:
    head = ""
    if spans:
        head = "<tr>" + "".join(f"<th colspan='{n}'>{html.escape(t)}</th>" for t, n in spans)
        head += "</tr>"
    head += "<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr>"
    body = "".join(
        "<tr>"
        + "".join(f"<td class='l'>{c}</td>" if i == 0 else f"<td>{c}</td>" for i, c in enumerate(r))
        + "</tr>"
        for r in rows
    )
    return f"<div style='overflow-x:auto'><table>{head}{body}</table></div>"


def _mark(passes) -> str:
    if passes is None:
        return "-"
    return "<span class='ok'>pass</span>" if passes else "<span class='bad'>fail</span>"


def summary_rows(methods: list[dict]) -> list[list[str]]:
    """Per method: wall time, worst error, the range of sd ratios, the pass mark."""
    rows = []
    for m in methods:
        ratios = [c["sd_ratio"] for c in m["cells"] if c["sd_ratio"] is not None]
        rows.append(
            [
                html.escape(m["method"]),
                html.escape(m["interval"]),
                _num(m["seconds"]),
                _num(m["worst_error"]),
                f"{_num(min(ratios))} - {_num(max(ratios))}" if ratios else "-",
                _mark(m["passes"]),
            ]
        )
    return rows


def render(data: dict, directory: Path) -> str:
    level, rule = percent(data["level"]), data["rule"]
    methods = data["methods"]
    advi_text = (
        f"ADVI: {data['advi']['n_advi']} steps mean-field, {data['advi']['n_fullrank']} "
        f"full-rank (adagrad_window, step size {data['advi']['learning_rate']:g}), "
        f"parameters averaged over the last {data['advi'].get('average', 0)} steps, "
        f"{data['advi']['draws']} draws each."
    )
    left_out = data.get("left_out", [])
    parts = []
    if left_out:
        advi_text = ""
        parts.append(
            f"<p class='warn'>{html.escape(' and '.join(left_out))}: left out of the "
            "default report for time (two more compilations, longer than the rest of this "
            f"case). <code>python -m compare run {html.escape(data.get('case', 'CASE'))} "
            "--ladder full</code> adds them; <code>python -m compare study ladder</code> "
            "scores ADVI against NUTS over sizes and separations.</p>"
        )
    parts += [
        f"<p>Prior of every Bayesian rung: {html.escape(data['prior'])}. Intervals: central "
        f"{level} for every method. A method passes on a parameter when |its mean - the NUTS "
        f"mean| / NUTS sd &lt; {rule:g} (the rule Stan's stat_comp_benchmarks applies to "
        f"approximate algorithms); sd / NUTS sd says whether its uncertainty is honest. "
        f"{advi_text} Wall seconds on this machine; NUTS' include compilation (0 when the "
        "compiled model was reused).</p>",
        _table(
            ["method", "interval", "seconds", "worst |error| / sd", "sd / NUTS sd", "all pass"],
            summary_rows(methods),
        ),
    ]
    names = [c["name"] for c in methods[0]["cells"]]
    header, rows = ["method"], []
    for _ in names:
        header += ["estimate", "interval", "|err|/sd", "sd ratio", ""]
    for m in methods:
        row = [html.escape(m["method"])]
        for c in m["cells"]:
            row += [
                _num(c["estimate"], 4),
                f"[{_num(c['lower'], 4)}, {_num(c['upper'], 4)}]",
                _num(c["error"], 2),
                _num(c["sd_ratio"], 2),
                _mark(c["passes"]),
            ]
        rows.append(row)
    parts.append(_table(header, rows, [("", 1)] + [(n, 5) for n in names]))
    figures = [
        (
            _FILES["intervals"],
            ladder_intervals(methods, rule),
            INTERVALS_CAPTION.format(level=level, rule=f"{rule:g}"),
        )
    ]
    if "densities" in data:
        figures.append(
            (_FILES["densities"], ladder_densities(data["densities"]), DENSITIES_CAPTION)
        )
    for filename, fig, caption in figures:
        fig.savefig(directory / filename, dpi=_DPI)
        parts.append(
            f"<figure><img src='{filename}' alt='{html.escape(caption)}'>"
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )
    return "".join(parts)


LADDER = Section(
    "ladder",
    "The inference ladder: MLE, MAP-EM, VB, ADVI and NUTS on one posterior",
    applies,
    compute,
    render,
)
