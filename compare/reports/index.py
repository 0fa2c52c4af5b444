"""The indexes: ``<out>/index.html`` (cases and the studies block), ``<out>/studies/index.html``.

Layout of ``out``::

    index.html                  every case of the last run: key numbers, a thumbnail, a link,
                                warnings; then a block listing the studies present
    <case>/                     one folder per case (:mod:`compare.reports.case_page`)
    studies/index.html          every study present (:func:`write_studies_index`)
    studies/<name>/             one folder per study (:mod:`compare.reports.study_page`)

:func:`write_report` writes each case folder whole (built beside it, then swapped in) and
then the index (:func:`write_index`, which reads only the ``metrics.json`` documents, so the
runner builds it from folders fitted now and folders read back from the result cache alike); anything else in ``out`` (the user's files and folders, studies, case
folders of earlier runs) is left as it is. The studies block is rebuilt from the
``results.json`` files present, so studies written by separate runs all appear.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

from .. import metrics as M
from ..settings import EM_PCT, HDI_PCT
from ._files import check_out_dir, write_atomic_dir, write_text_atomic
from ._html import fmt, page_head, table
from .case_page import write_case

__all__ = [
    "BLOCK_END",
    "BLOCK_START",
    "STUDIES_DIR",
    "link_studies",
    "read_studies",
    "studies_block",
    "write_index",
    "write_report",
    "write_studies_index",
]

STUDIES_DIR = "studies"
BLOCK_START, BLOCK_END = "<!-- studies -->", "<!-- /studies -->"
_BLOCK = re.compile(re.escape(BLOCK_START) + ".*?" + re.escape(BLOCK_END), re.DOTALL)


# --------------------------------------------------------------------------------------------
# The case report


def write_report(
    results, out: str | os.PathLike = "reports", *, total_time: float | None = None
) -> Path:
    """Write every result's case folder, then ``out/index.html``.

    Each case folder is built beside its target and swapped in whole, so a reader never
    sees half a case and an interrupted run leaves the previous folder complete. Nothing
    else in ``out`` is touched, and ``out`` keeps its permissions.

    Parameters
    ----------
    results : sequence of ComparisonResult
    out : path, default "reports"
        A folder (created if missing); a ValueError if it is an existing file.
    total_time : float, optional
        Wall seconds of fitting every case (before the report is written), shown in the
        index.

    Returns
    -------
    Path
        The index, ``out/index.html`` (absolute).
    """
    out = check_out_dir(out)
    results = list(results)
    out.mkdir(parents=True, exist_ok=True)
    docs = []
    for result in results:

        def build(tmp: Path, result=result) -> None:
            # What the index reads, from the result, under what the page wrote (the same).
            known = {
                "case": result.case.name,
                "description": result.case.description,
                "converged": result.converged,
                "diagnostics": result.diagnostics,
                "metrics": result.metrics,
                "timings": result.timings,
            }
            docs.append(known | write_case(result, tmp))

        write_atomic_dir(out / result.case.name, build, keep_files=False)
    return write_index(out, docs, total_time=total_time)


def write_index(
    out: str | os.PathLike,
    docs,
    *,
    total_time: float | None = None,
    cached=(),
) -> Path:
    """Write ``out/index.html`` from the case folders' ``metrics.json`` documents.

    Only the documents are read (never a fitted result), so a case read back from the
    result cache appears exactly like one fitted in this run.

    Parameters
    ----------
    out : path
        The report folder; the case folders ``out/<case>/`` are already in place.
    docs : sequence of dict
        One ``metrics.json`` document per case (``case``, ``description``, ``converged``,
        ``diagnostics``, ``metrics``, ``timings``, ``figures``), in the order the rows
        are shown.
    total_time : float, optional
        Wall seconds of the run, shown under the table.
    cached : collection of str
        Names of the cases read from the result cache (marked in their row).

    Returns
    -------
    Path
        ``out/index.html`` (absolute).
    """
    out = check_out_dir(out)
    out.mkdir(parents=True, exist_ok=True)
    docs = list(docs)
    for i, doc in enumerate(docs):
        missing = [k for k in _INDEX_KEYS if k not in doc]
        if missing:
            raise ValueError(
                f"docs[{i}] must be a metrics.json document with {', '.join(_INDEX_KEYS)}; "
                f"missing {', '.join(missing)}"
            )
    index = out / "index.html"
    html_text = _index_html(docs, set(cached), total_time, studies_block(out))
    write_text_atomic(index, html_text)
    return index.resolve()


_INDEX_KEYS = ("case", "description", "converged", "diagnostics", "metrics", "timings", "figures")


def _index_html(docs, cached, total_time, studies: str = "") -> str:
    header = [
        "case", "status", "log-lik EM", "log-lik post. mean", "ARI EM", "ARI post.",
        "max |resp diff|", "max R-hat", "div.", "min ESS", "compile s", "sampling s", "figure",
    ]  # fmt: skip
    rows = []
    for doc in docs:
        name = html.escape(doc["case"])
        m, d, t = doc["metrics"], doc["diagnostics"], doc["timings"]
        status = (
            "<span class='ok'>OK</span>"
            if doc["converged"]
            else "<span class='bad'>WARNING: not converged</span><br><small>"
            + html.escape("; ".join(d.get("reasons", [])))
            + "</small>"
        )
        if doc["case"] in cached:
            status += "<br><small>(result cache)</small>"
        figs = doc["figures"]
        thumb = (
            f"<a href='{name}/index.html'><img src='{name}/{figs[0]}' width='150' alt='{name}'></a>"
            if figs
            else ""
        )
        rows.append(
            [
                f"<a href='{name}/index.html'><b>{name}</b></a><br><small>"
                f"{html.escape(doc['description'])}</small>",
                status,
                fmt(m.get(M.LOG_LIKELIHOOD_EM), 6),
                fmt(m.get(M.LOG_LIKELIHOOD_POSTERIOR_MEAN), 6),
                fmt(m.get(M.ARI_EM)),
                fmt(m.get(M.ARI_POSTERIOR)),
                fmt(m.get(M.RESPONSIBILITY_DIFF_MAX), 3),
                fmt(d.get("max_rhat")),
                fmt(d.get("divergences")),
                fmt(d.get("min_ess_bulk"), 3),
                fmt(t.get("compile"), 3),
                fmt(t.get("sampling"), 3),
                thumb,
            ]
        )
    bad = [doc["case"] for doc in docs if not doc["converged"]]
    warning = (
        f"<p class='warn'>WARNING: {len(bad)} case(s) did not converge cleanly: "
        f"{html.escape(', '.join(bad))}. Their posterior numbers are not clean results.</p>"
        if bad
        else ""
    )
    hits = [doc["case"] for doc in docs if doc["case"] in cached]
    reused = (
        f"<p>{len(hits)} of {len(docs)} case(s) were read back from the result cache "
        "(same settings, case definition, source and library versions; their pages say "
        "when they were fitted). <code>--no-cache</code> fits every case again.</p>"
        if hits
        else ""
    )
    total = (
        ""
        if total_time is None
        else f"<p>Wall time of the run (both sides, every case): {total_time:.1f} s.</p>"
    )
    return (
        f"{page_head('EM vs Bayes')}<h1>EM vs Bayes: comparison report</h1>"
        "<p>Each case fits the same synthetic data by EM / maximum likelihood and by a PyMC "
        f"posterior. EM intervals are {EM_PCT}, posterior intervals are {HDI_PCT} HDIs.</p>"
        f"{warning}{reused}{table(header, rows, left=2)}{total}{studies}</body></html>"
    )


# --------------------------------------------------------------------------------------------
# The studies


def read_studies(out: str | os.PathLike) -> list[dict]:
    """The ``results.json`` of every study under ``<out>/studies/``, by name.

    A folder without a readable ``results.json`` (a study being replaced, a stray folder)
    is skipped. Only the keys the indexes show are kept: ``name``, ``question``,
    ``level``, ``written`` and ``n_warnings``.
    """
    root = Path(out) / STUDIES_DIR
    found = []
    for path in sorted(root.glob("*/results.json")) if root.is_dir() else []:
        if path.parent.name.startswith("."):  # a study being written or replaced right now
            continue
        try:
            doc = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        found.append(
            {
                "name": str(doc.get("name", path.parent.name)),
                "dir": path.parent.name,
                "question": str(doc.get("question", "")),
                "level": str(doc.get("level") or "?"),
                "written": str(doc.get("written", "")),
                "n_warnings": len(doc.get("warnings") or []),
            }
        )
    return found


def _studies_table(studies: list[dict], prefix: str) -> str:
    rows = [
        [
            f"<a href='{prefix}{html.escape(s['dir'])}/index.html'><b>"
            f"{html.escape(s['name'])}</b></a>",
            html.escape(s["question"]),
            html.escape(s["level"]),
            html.escape(s["written"]),
            "<span class='ok'>none</span>"
            if not s["n_warnings"]
            else f"<span class='bad'>{s['n_warnings']}</span>",
        ]
        for s in studies
    ]
    return table(["study", "question", "level", "written", "warnings"], rows, left=2)


def studies_block(out: str | os.PathLike) -> str:
    """The marked studies section of ``<out>/index.html``; ``""`` when there are none.

    Delimited by :data:`BLOCK_START` and :data:`BLOCK_END`, so :func:`link_studies` can
    replace it in place.
    """
    studies = read_studies(out)
    if not studies:
        return ""
    return (
        f"{BLOCK_START}<h2>Studies</h2><p>Questions about EM against Bayes answered by "
        "repeated experiments (<code>python -m compare study NAME</code>); "
        f"<a href='{STUDIES_DIR}/index.html'>all studies</a>.</p>"
        f"{_studies_table(studies, STUDIES_DIR + '/')}{BLOCK_END}"
    )


def write_studies_index(out: str | os.PathLike) -> Path:
    """(Re)write ``<out>/studies/index.html`` from the studies present."""
    path = Path(out) / STUDIES_DIR / "index.html"
    studies = read_studies(out)
    body = (
        _studies_table(studies, "")
        if studies
        else "<p>No studies yet: <code>python -m compare study all</code>.</p>"
    )
    write_text_atomic(
        path,
        f"{page_head('EM vs Bayes: studies')}<p><a href='../index.html'>&larr; report</a></p>"
        "<h1>Studies</h1><p>Each study asks one question about EM against Bayes and answers "
        "it from repeated fits; the answer on its page is written from that run's numbers."
        f"</p>{body}</body></html>",
    )
    return path


def link_studies(out: str | os.PathLike) -> Path:
    """Put the current :func:`studies_block` into ``<out>/index.html``.

    An existing index keeps everything else: its old block is replaced, or the block is
    inserted before ``</body>``. Without an index a minimal one holding the block is
    written.
    """
    path = Path(out) / "index.html"
    block = studies_block(out)
    if path.is_file():
        text = path.read_text()
        if _BLOCK.search(text):
            text = _BLOCK.sub(lambda _: block, text, count=1)
        elif "</body>" in text:
            head, _, tail = text.rpartition("</body>")
            text = f"{head}{block}</body>{tail}"
        else:
            text += block
    else:
        text = (
            f"{page_head('EM vs Bayes')}<h1>EM vs Bayes</h1><p>No case report here yet "
            "(<code>python -m compare run</code> writes one beside the studies).</p>"
            f"{block}</body></html>"
        )
    write_text_atomic(path, text)
    return path
