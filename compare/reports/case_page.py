"""One case's folder: its page (HTML and Markdown), figures, tables and data.

Layout of ``<out>/<case>/``::

    index.html, index.md    the case's page (plain HTML with inline CSS; Markdown)
    *.png                   figures (:mod:`compare.figures`), each captioned on the page
    metrics.json            ComparisonResult.to_metrics() plus the figure list
    summary.csv             ArviZ summary of the aligned posterior (HDI)
    posterior.nc            the sampled DataTree (NetCDF via h5netcdf)

:func:`write_case` fills a folder it is given; :func:`compare.reports.write_report` gives
it a temporary one and swaps it in whole.
"""

from __future__ import annotations

import csv
import html
import os
import time
from pathlib import Path

import numpy as np

from .. import metrics as M
from ..settings import EM_PCT, HDI_PCT, HDI_PROB
from ._files import save_figures
from ._html import NOTE_MARKER, dump_json, fmt, interval, md_table, page_head, table

__all__ = ["PARAM_HEADER", "key_numbers", "write_case"]

PARAM_HEADER = [
    "parameter", "truth", "EM estimate", "EM se", f"EM {EM_PCT} interval", "EM covers",
    "post. mean", "post. sd", f"{HDI_PCT} HDI", "HDI covers",
]  # fmt: skip


def _param_cells(r) -> list[str]:
    return [
        r.name,
        fmt(r.truth),
        fmt(r.em_estimate),
        fmt(r.em_se),
        interval(r.em_lower, r.em_upper),
        fmt(r.em_covers),
        fmt(r.post_mean),
        fmt(r.post_sd),
        interval(r.hdi_lower, r.hdi_upper),
        fmt(r.post_covers),
    ]


def key_numbers(result) -> dict[str, object]:
    """The numbers shown for a case on its page and in the index."""
    m, d = result.metrics, result.diagnostics
    out = {
        "log-lik at EM": m.get(M.LOG_LIKELIHOOD_EM),
        "log-lik at posterior mean": m.get(M.LOG_LIKELIHOOD_POSTERIOR_MEAN),
    }
    for key, label in (
        (M.ARI_EM, "ARI EM"),
        (M.ARI_POSTERIOR, "ARI posterior"),
        (M.RESPONSIBILITY_DIFF_MAX, "max |resp diff|"),
        (M.RESPONSIBILITY_DIFF_MEAN, "mean |resp diff|"),
        (M.EM_N_ITER, "EM iterations"),
        (M.EM_CONVERGED, "EM converged"),
        (M.EM_BIC, "BIC (EM)"),
        (M.EM_BIC_BEST_K, "K with the lowest BIC (EM, same covariance model)"),
        (M.LOOIC, "LOO-IC = -2 elpd_loo (posterior)"),
        (M.LOO_MAX_PARETO_K, "max Pareto k (LOO; > 0.7 unreliable)"),
    ):
        if key in m:
            out[label] = m[key]
    if M.EM_BIC_BY_K in m:
        out["BIC by K (EM)"] = ", ".join(f"K={k}: {v:.1f}" for k, v in m[M.EM_BIC_BY_K].items())
    out |= {
        "max R-hat": d.get("max_rhat"),
        "min bulk ESS": d.get("min_ess_bulk"),
        "divergences": d.get("divergences"),
    }
    return out


def warning_text(result) -> str:
    """The banner of a case whose chains did not converge."""
    reasons = result.diagnostics.get("reasons") or ["diagnostics failed"]
    return (
        "WARNING: the chains did not converge cleanly ("
        + "; ".join(reasons)
        + "). "
        + ("Do not read these posterior numbers as a clean result.")
    )


def _summary_rows(result) -> tuple[list[str], list[list[str]]]:
    import arviz as az

    from ..figures.arviz import posterior_tree

    with np.errstate(invalid="ignore"):
        # Entries the model fixes (a diagonal model's zero covariances) have no variance:
        # their R-hat and MCSE are NaN, shown as n/a, not worth a console warning.
        df = az.summary(
            posterior_tree(result.posterior, result.bayes.idata),
            ci_prob=HDI_PROB,
            ci_kind="hdi",
            round_to="none",
        )
    header = ["", *map(str, df.columns)]
    rows = [
        [str(idx), *(fmt(v) for v in row)] for idx, row in zip(df.index, df.values, strict=True)
    ]
    return header, rows


def _write_posterior_netcdf(result, path: Path) -> None:
    """Write the sampled DataTree (every group) as NetCDF4 through h5netcdf."""
    tree = result.bayes.idata.copy()
    # NetCDF attributes cannot be booleans or None.
    for node in tree.subtree:
        node.attrs = {
            k: (int(v) if isinstance(v, bool) else v)
            for k, v in node.attrs.items()
            if v is not None
        }
    tree.to_netcdf(path, engine="h5netcdf")


def write_case(result, directory: str | os.PathLike) -> dict:
    """Write one case's page, figures, tables and data into ``directory`` (must exist).

    Returns
    -------
    dict
        The ``metrics.json`` document, with ``figures`` and ``figure_errors`` added and the
        ``timings`` completed with ``figures`` and ``write`` seconds.
    """
    from ..figures import case_figures
    from ..sections import render_sections

    directory = Path(directory)
    start = time.perf_counter()
    specs = case_figures(result)
    stems, errors = save_figures(directory, [(s.stem, s.drawer(result)) for s in specs])
    figures = [f"{stem}.png" for stem in stems]
    captions = {s.stem: s.caption for s in specs}
    sections = render_sections(result.sections, directory)
    figure_time = time.perf_counter() - start

    start = time.perf_counter()
    summary_header, summary_rows = _summary_rows(result)
    with open(directory / "summary.csv", "w", newline="") as fh:
        csv.writer(fh).writerows([["parameter", *summary_header[1:]], *summary_rows])
    _write_posterior_netcdf(result, directory / "posterior.nc")

    doc = result.to_metrics()
    doc["figures"] = figures
    doc["figure_errors"] = errors
    result.timings["figures"] = figure_time
    doc["timings"] = dict(result.timings)
    doc["timings"]["write"] = time.perf_counter() - start
    (directory / "metrics.json").write_text(dump_json(doc))
    (directory / "index.html").write_text(
        _case_html(result, doc, captions, summary_header, summary_rows, sections)
    )
    (directory / "index.md").write_text(_case_md(result, doc))
    return doc


def _case_html(result, doc, captions, summary_header, summary_rows, sections) -> str:
    case = result.case
    parts = [
        page_head(case.name),
        "<p><a href='../index.html'>&larr; all cases</a></p>",
        f"<h1>{html.escape(case.name)}</h1><p>{html.escape(case.description)}</p>",
    ]
    if not result.converged:
        parts.append(f"<p class='warn'>{html.escape(warning_text(result))}</p>")
    s = result.settings
    parts.append(
        "<p>Seed {seed}; {chains} chains x {draws} draws ({tune} tuning), sampler {sampler}"
        "{quick}. Prior: {prior}.</p>".format(
            **{k: html.escape(str(v)) for k, v in s.items() if k not in ("quick", "prior", "ladder")},
            quick=" (quick)" if s["quick"] else "",
            prior=html.escape(case.prior_text()),
        )
    )
    parts.append(NOTE_MARKER)
    if result.notes:
        parts.append(
            "<ul class='notes'>"
            + "".join(f"<li>{html.escape(n)}</li>" for n in result.notes)
            + "</ul>"
        )
    keys = key_numbers(result)
    parts.append("<h2>Key numbers</h2>")
    parts.append(table(["quantity", "value"], [[html.escape(k), fmt(v)] for k, v in keys.items()]))
    parts.append("<h2>Parameters</h2>")
    method = result.rows[0].em_method if result.rows else "-"
    parts.append(
        f"<p>EM intervals: {html.escape(method)}. Components matched to the "
        f"{html.escape(result.alignment['em'].reference if result.alignment else 'truth')} "
        "on their means (Hungarian); the posterior's components are ordered by the model "
        "(ordering constraint) before matching.</p>"
        if result.alignment
        else f"<p>EM intervals: {html.escape(method)}.</p>"
    )
    parts.append(
        table(PARAM_HEADER, [[html.escape(c) for c in _param_cells(r)] for r in result.rows])
    )
    parts.append("<h2>Figures</h2>")
    for name in doc["figures"]:
        stem = name.removesuffix(".png")
        parts.append(
            f"<figure><a href='{name}'><img src='{name}' alt='{stem}' style='max-width:640px'></a>"
            f"<figcaption>{html.escape(captions.get(stem, stem))}</figcaption></figure>"
        )
    for name, err in doc["figure_errors"].items():
        parts.append(f"<p class='bad'>Figure {html.escape(name)} failed: {html.escape(err)}</p>")
    for title, body in sections:
        parts.append(f"<h2>{html.escape(title)}</h2>")
        parts.append(body)
    for name, err in result.section_errors.items():
        parts.append(f"<p class='bad'>Section {html.escape(name)} failed: {html.escape(err)}</p>")
    parts.append(f"<h2>ArviZ summary (aligned posterior, {HDI_PCT} HDI)</h2>")
    parts.append(table(summary_header, summary_rows))
    parts.append("<h2>Diagnostics and timings</h2>")
    diag_rows = [[html.escape(k), fmt(v)] for k, v in result.diagnostics.items() if k != "reasons"]
    parts.append(table(["diagnostic", "value"], diag_rows))
    parts.append(
        table(
            ["timing (s)", "value"],
            [[html.escape(k), fmt(v, 3)] for k, v in doc["timings"].items()],
        )
    )
    parts.append(
        "<p>Files: <a href='metrics.json'>metrics.json</a>, "
        "<a href='summary.csv'>summary.csv</a>, <a href='posterior.nc'>posterior.nc</a>, "
        "<a href='index.md'>index.md</a>.</p></body></html>"
    )
    return "\n".join(parts)


def _case_md(result, doc) -> str:
    case = result.case
    lines = [f"# {case.name}", "", case.description, "", NOTE_MARKER, ""]
    if not result.converged:
        lines += [f"**{warning_text(result)}**", ""]
    lines += [f"- {n}" for n in result.notes] + [""]
    lines += [
        "## Key numbers",
        "",
        md_table(["quantity", "value"], [[k, fmt(v)] for k, v in key_numbers(result).items()]),
        "",
    ]
    lines += [
        "## Parameters",
        "",
        md_table(PARAM_HEADER, [_param_cells(r) for r in result.rows]),
        "",
    ]
    lines += ["## Figures", ""]
    lines += [f"![{n.removesuffix('.png')}]({n})" for n in doc["figures"]]
    return "\n".join(lines) + "\n"
