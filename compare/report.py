"""Writing reports: per case a directory of figures, tables and data; one index for all.

Layout of ``out``::

    index.html                  every case: key numbers, a thumbnail, a link, warnings
    <case>/index.html, index.md the case's page (plain HTML with inline CSS; Markdown)
    <case>/*.png                figures (:mod:`compare.figures`, :mod:`compare.az_figures`)
    <case>/metrics.json         ComparisonResult.to_metrics() plus the figure list
    <case>/summary.csv          ArviZ summary of the aligned posterior (94 % HDI)
    <case>/posterior.nc         the sampled DataTree (NetCDF via h5netcdf)
    studies/                    studies (``python -m compare study``, see
                                :mod:`compare.studies.report`): kept when the cases are
                                rewritten, and listed in a block of index.html

Writing is atomic: everything is built in a temporary directory beside ``out`` and renamed
into place at the end, so an interrupted run leaves the previous report untouched. Plain
files at the top of an existing ``out`` that the report does not write itself (its
README) are carried over; directories of earlier runs are replaced.
"""

from __future__ import annotations

import csv
import html
import json
import math
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

__all__ = ["write_atomic_dir", "write_case", "write_report"]

DPI = 80
CSS = """
body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:1100px;color:#222}
table{border-collapse:collapse;font-size:0.85em;margin:0.5em 0}
td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}
th{background:#f0f0f0}td.l,th.l{text-align:left}
.warn{background:#fff3cd;border:2px solid #d39e00;padding:0.6em 1em;font-weight:bold}
.ok{color:#1a7f37;font-weight:bold}.bad{color:#b00020;font-weight:bold}
figure{display:inline-block;margin:0.5em;vertical-align:top}
figcaption{font-size:0.85em;max-width:640px}
.notes li{margin:0.2em 0}
"""

CAPTIONS = {
    "data_responsibilities": "The data coloured by EM's responsibilities (the lecture's "
    "colouring).",
    "density": "Histogram with the true density (dashed), the EM density (red) and the posterior "
    "mean density with its 94 % band (blue).",
    "ellipses": "1 and 2 sigma ellipses: truth or the generating distribution (dashed), EM "
    "(red), posterior mean (blue); the blue cloud is posterior draws of the means.",
    "iterations": "Log-likelihood per iteration of soft EM and hard EM from one start; k-means "
    "has no likelihood, so its -inertia is on the right axis.",
    "responsibilities": "EM responsibilities against posterior mean responsibilities; bars are "
    "posterior sds. Points off the diagonal are where the two disagree.",
    "regression": "Linear regression: EM/MLE line with its 95 % confidence band (red) and the "
    "posterior mean line with its 94 % band (blue); truth dashed.",
    "logistic": "Logistic regression: MLE curve with 95 % band (red), posterior mean with 94 % "
    "band (blue); truth dashed. Data jittered vertically.",
    "intervals": "Forest: EM 95 % intervals (red) beside posterior 94 % HDIs (blue); black "
    "ticks are the truth.",
    "az_trace": "ArviZ plot_trace_dist: marginal densities and traces per chain.",
    "az_rank": "ArviZ plot_rank: chains that mix give uniform ranks.",
    "az_posterior": "ArviZ plot_dist with reference lines: truth (black) and EM (red).",
    "az_pair": "ArviZ plot_pair: joint posterior of the parameters.",
    "az_ppc": "ArviZ plot_ppc_dist (plot_ppc_pava for 0/1 data): replicated data sets "
    "(simulated from posterior draws) "
    "against the observed data.",
}


# --------------------------------------------------------------------------------------------
# Atomic directory writing


def write_atomic_dir(target: str | os.PathLike, build, *, keep_files: bool = True) -> Path:
    """Build a directory with ``build(tmp_path)`` and rename it to ``target`` at the end.

    Parameters
    ----------
    target : path
        The directory to (re)place.
    build : callable ``(Path) -> None``
        Writes the contents into the temporary directory it is given.
    keep_files : bool, default True
        Copy plain files at the top of an existing ``target`` that ``build`` did not write
        (a README) into the new directory.

    Returns
    -------
    Path
        ``target``. If ``build`` raises, ``target`` is untouched and the temporary
        directory is removed.
    """
    target = Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-tmp-", dir=target.parent))
    try:
        build(tmp)
        if keep_files and target.is_dir():
            for entry in target.iterdir():
                if entry.is_file() and not (tmp / entry.name).exists():
                    shutil.copy2(entry, tmp / entry.name)
        old = None
        if target.exists():
            old = target.parent / f".{target.name}-old-{os.getpid()}-{time.time_ns()}"
            target.rename(old)
        tmp.rename(target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


# --------------------------------------------------------------------------------------------
# Formatting helpers


def _fmt(value, digits: int = 4) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return str(int(value))
    try:
        v = float(value)
    except (TypeError, ValueError):
        return html.escape(str(value))
    if math.isnan(v):
        return "n/a"
    return f"{v:.{digits}g}"


def _interval(lo, hi) -> str:
    if lo is None or hi is None or not (np.isfinite(lo) and np.isfinite(hi)):
        return "n/a"
    return f"[{_fmt(lo)}, {_fmt(hi)}]"


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def _clean_json(value):
    """NaN/inf are not JSON: write them as null."""
    if isinstance(value, dict):
        return {k: _clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean_json(v) for v in value]
    if isinstance(value, np.ndarray):
        return _clean_json(value.tolist())
    if isinstance(value, float | np.floating) and not math.isfinite(float(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


PARAM_HEADER = [
    "parameter", "truth", "EM estimate", "EM se", "EM 95 % interval", "EM covers",
    "post. mean", "post. sd", "94 % HDI", "HDI covers",
]  # fmt: skip


def _param_cells(r) -> list[str]:
    return [
        r.name,
        _fmt(r.truth),
        _fmt(r.em_estimate),
        _fmt(r.em_se),
        _interval(r.em_lower, r.em_upper),
        _fmt(r.em_covers),
        _fmt(r.post_mean),
        _fmt(r.post_sd),
        _interval(r.hdi_lower, r.hdi_upper),
        _fmt(r.post_covers),
    ]


def key_numbers(result) -> dict[str, object]:
    """The numbers shown for a case on its page and in the index."""
    m, d = result.metrics, result.diagnostics
    out = {
        "log-lik at EM": m.get("log_likelihood_em"),
        "log-lik at posterior mean": m.get("log_likelihood_posterior_mean"),
    }
    for key, label in (
        ("ari_em", "ARI EM"),
        ("ari_posterior", "ARI posterior"),
        ("responsibility_diff_max", "max |resp diff|"),
        ("responsibility_diff_mean", "mean |resp diff|"),
        ("em_n_iter", "EM iterations"),
        ("em_converged", "EM converged"),
        ("em_bic", "BIC (EM)"),
        ("em_bic_best_k", "K with the lowest BIC (EM, same covariance model)"),
        ("looic", "LOO-IC = -2 elpd_loo (posterior)"),
        ("loo_max_pareto_k", "max Pareto k (LOO; > 0.7 unreliable)"),
    ):
        if key in m:
            out[label] = m[key]
    if "em_bic_by_k" in m:
        out["BIC by K (EM)"] = ", ".join(f"K={k}: {v:.1f}" for k, v in m["em_bic_by_k"].items())
    out |= {
        "max R-hat": d.get("max_rhat"),
        "min bulk ESS": d.get("min_ess_bulk"),
        "divergences": d.get("divergences"),
    }
    return out


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> str:
    head = "".join(
        f"<th class='l'>{html.escape(h)}</th>" if i < left else f"<th>{html.escape(h)}</th>"
        for i, h in enumerate(header)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td class='l'>{c}</td>" if i < left else f"<td>{c}</td>" for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _warning_text(result) -> str:
    reasons = result.diagnostics.get("reasons") or ["diagnostics failed"]
    return (
        "WARNING: the chains did not converge cleanly ("
        + "; ".join(reasons)
        + "). "
        + ("Do not read these posterior numbers as a clean result.")
    )


# --------------------------------------------------------------------------------------------
# One case


def _save_figures(result, directory: Path) -> tuple[list[str], dict[str, str]]:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from .az_figures import AZ_FIGURES, az_figures_for
    from .figures import FIGURES, figures_for

    written, errors = [], {}
    for name in figures_for(result) + az_figures_for(result):
        path = directory / f"{name}.png"
        try:
            obj = (FIGURES.get(name) or AZ_FIGURES[name])(result)
            obj.savefig(path, dpi=DPI)
            written.append(path.name)
        except Exception as exc:  # one failed plot must not lose the rest of the report
            errors[name] = f"{type(exc).__name__}: {exc}"
        finally:
            plt.close("all")
    return written, errors


def _summary_rows(result) -> tuple[list[str], list[list[str]]]:
    import arviz as az

    from .az_figures import posterior_tree

    with np.errstate(invalid="ignore"):
        # Entries the model fixes (a diagonal model's zero covariances) have no variance:
        # their R-hat and MCSE are NaN, shown as n/a, not worth a console warning.
        df = az.summary(posterior_tree(result), ci_prob=0.94, ci_kind="hdi", round_to="none")
    header = ["", *map(str, df.columns)]
    rows = [
        [str(idx), *(_fmt(v) for v in row)] for idx, row in zip(df.index, df.values, strict=True)
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
    directory = Path(directory)
    start = time.perf_counter()
    figures, errors = _save_figures(result, directory)
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
    (directory / "metrics.json").write_text(
        json.dumps(_clean_json(doc), indent=2, default=_json_default, allow_nan=False)
    )
    (directory / "index.html").write_text(_case_html(result, doc, summary_header, summary_rows))
    (directory / "index.md").write_text(_case_md(result, doc))
    return doc


def _case_html(result, doc, summary_header, summary_rows) -> str:
    case = result.case
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(case.name)}</title>"
        f"<style>{CSS}</style></head><body>",
        "<p><a href='../index.html'>&larr; all cases</a></p>",
        f"<h1>{html.escape(case.name)}</h1><p>{html.escape(case.description)}</p>",
    ]
    if not result.converged:
        parts.append(f"<p class='warn'>{html.escape(_warning_text(result))}</p>")
    s = result.settings
    parts.append(
        "<p>Seed {seed}; {chains} chains x {draws} draws ({tune} tuning), sampler {sampler}"
        "{quick}. Prior: {prior}.</p>".format(
            **{k: html.escape(str(v)) for k, v in s.items() if k != "quick"},
            quick=" (quick)" if s["quick"] else "",
            prior=html.escape(case.prior_note),
        )
    )
    if result.notes:
        parts.append(
            "<ul class='notes'>"
            + "".join(f"<li>{html.escape(n)}</li>" for n in result.notes)
            + "</ul>"
        )
    keys = key_numbers(result)
    parts.append("<h2>Key numbers</h2>")
    parts.append(
        _table(["quantity", "value"], [[html.escape(k), _fmt(v)] for k, v in keys.items()])
    )
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
        _table(PARAM_HEADER, [[html.escape(c) for c in _param_cells(r)] for r in result.rows])
    )
    parts.append("<h2>Figures</h2>")
    for name in doc["figures"]:
        stem = name.removesuffix(".png")
        parts.append(
            f"<figure><a href='{name}'><img src='{name}' alt='{stem}' style='max-width:640px'></a>"
            f"<figcaption>{html.escape(CAPTIONS.get(stem, stem))}</figcaption></figure>"
        )
    for name, err in doc["figure_errors"].items():
        parts.append(f"<p class='bad'>Figure {html.escape(name)} failed: {html.escape(err)}</p>")
    parts.append("<h2>ArviZ summary (aligned posterior, 94 % HDI)</h2>")
    parts.append(_table(summary_header, summary_rows))
    parts.append("<h2>Diagnostics and timings</h2>")
    diag_rows = [[html.escape(k), _fmt(v)] for k, v in result.diagnostics.items() if k != "reasons"]
    parts.append(_table(["diagnostic", "value"], diag_rows))
    parts.append(
        _table(
            ["timing (s)", "value"],
            [[html.escape(k), _fmt(v, 3)] for k, v in doc["timings"].items()],
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
    lines = [f"# {case.name}", "", case.description, ""]
    if not result.converged:
        lines += [f"**{_warning_text(result)}**", ""]
    lines += [f"- {n}" for n in result.notes] + [""]
    lines += [
        "## Key numbers",
        "",
        _md_table(["quantity", "value"], [[k, _fmt(v)] for k, v in key_numbers(result).items()]),
        "",
    ]
    lines += [
        "## Parameters",
        "",
        _md_table(PARAM_HEADER, [_param_cells(r) for r in result.rows]),
        "",
    ]
    lines += ["## Figures", ""]
    lines += [f"![{n.removesuffix('.png')}]({n})" for n in doc["figures"]]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# The whole report


def write_report(
    results, out: str | os.PathLike = "reports", *, total_time: float | None = None
) -> Path:
    """Write every result's case directory and the index, atomically.

    Parameters
    ----------
    results : sequence of ComparisonResult
    out : path, default "reports"
    total_time : float, optional
        Wall seconds of fitting every case (before the report is written), shown in the
        index.

    Returns
    -------
    Path
        The index, ``out/index.html``.
    """
    from .studies.report import STUDIES_DIR, studies_block

    results = list(results)
    docs = {}
    studies = Path(out) / STUDIES_DIR

    def build(tmp: Path) -> None:
        for result in results:
            case_dir = tmp / result.case.name
            case_dir.mkdir()
            docs[result.case.name] = write_case(result, case_dir)
        if studies.is_dir():
            # Studies are written by their own command (`compare study`); a new case report
            # replaces `out` but must not lose them. Copied, not moved: if this build fails,
            # the old report keeps its studies. Hidden entries are studies half written.
            shutil.copytree(
                studies, tmp / STUDIES_DIR, symlinks=True, ignore=shutil.ignore_patterns(".*")
            )
        (tmp / "index.html").write_text(_index_html(results, docs, total_time, studies_block(tmp)))

    return write_atomic_dir(out, build) / "index.html"


def _index_html(results, docs, total_time, studies: str = "") -> str:
    header = [
        "case", "status", "log-lik EM", "log-lik post. mean", "ARI EM", "ARI post.",
        "max |resp diff|", "max R-hat", "div.", "min ESS", "compile s", "sampling s", "figure",
    ]  # fmt: skip
    rows = []
    for r in results:
        name = html.escape(r.case.name)
        m, d = r.metrics, r.diagnostics
        status = (
            "<span class='ok'>OK</span>"
            if r.converged
            else "<span class='bad'>WARNING: not converged</span><br><small>"
            + html.escape("; ".join(d.get("reasons", [])))
            + "</small>"
        )
        figs = docs[r.case.name]["figures"]
        thumb = (
            f"<a href='{name}/index.html'><img src='{name}/{figs[0]}' width='150' alt='{name}'></a>"
            if figs
            else ""
        )
        rows.append(
            [
                f"<a href='{name}/index.html'><b>{name}</b></a><br><small>"
                f"{html.escape(r.case.description)}</small>",
                status,
                _fmt(m.get("log_likelihood_em"), 6),
                _fmt(m.get("log_likelihood_posterior_mean"), 6),
                _fmt(m.get("ari_em")),
                _fmt(m.get("ari_posterior")),
                _fmt(m.get("responsibility_diff_max"), 3),
                _fmt(d.get("max_rhat")),
                _fmt(d.get("divergences")),
                _fmt(d.get("min_ess_bulk"), 3),
                _fmt(r.timings.get("compile"), 3),
                _fmt(r.timings.get("sampling"), 3),
                thumb,
            ]
        )
    bad = [r.case.name for r in results if not r.converged]
    warning = (
        f"<p class='warn'>WARNING: {len(bad)} case(s) did not converge cleanly: "
        f"{html.escape(', '.join(bad))}. Their posterior numbers are not clean results.</p>"
        if bad
        else ""
    )
    total = (
        ""
        if total_time is None
        else f"<p>Wall time of the fits (both sides, every case): {total_time:.1f} s.</p>"
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>EM vs Bayes</title>"
        f"<style>{CSS}</style></head><body><h1>EM vs Bayes: comparison report</h1>"
        "<p>Each case fits the same synthetic data by EM / maximum likelihood and by a PyMC "
        "posterior. EM intervals are 95 %, posterior intervals are 94 % HDIs.</p>"
        f"{warning}{_table(header, rows, left=2)}{total}{studies}</body></html>"
    )
