"""One study's folder: its page, figures, tables and data; then both indexes link it.

Layout of ``<out>/studies/<name>/``::

    index.html      question, answer, warnings, figures, tables, settings
    <stem>.png      one per figure of the StudyResult
    <table>.csv     one per Table
    results.json    data, settings, timings, warnings (and what the page shows)

The folder is built beside its target and swapped in whole
(:func:`compare.reports._files.write_atomic_dir`), so an interrupted run leaves the previous
one complete; then ``<out>/studies/index.html`` and the block in ``<out>/index.html`` are
rebuilt (:mod:`compare.reports.index`).
"""

from __future__ import annotations

import csv
import html
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ._files import check_out_dir, save_figures, write_atomic_dir
from ._html import NOTE_MARKER, dump_json, fmt, page_head, table
from .index import STUDIES_DIR, link_studies, write_studies_index

if TYPE_CHECKING:  # only for the annotations: the studies sit below the reports
    from ..studies._base import StudyResult

__all__ = ["write_study"]

_STYLE = ".question{font-size:1.15em}.answer{background:#f6f8fa;padding:0.6em 1em}"


def write_study(result: StudyResult, out: str | os.PathLike = "reports") -> Path:
    """Write ``result`` to ``<out>/studies/<name>/`` and link it from both indexes.

    Parameters
    ----------
    result : StudyResult
        ``figures`` are ``(stem, figure, caption)`` with anything that has
        ``savefig(path, dpi=...)``; ``data``, ``settings`` and ``timings`` must be
        JSON-ready (numpy scalars and arrays are converted, NaN/inf become null);
        ``settings["level"]`` is shown in the indexes.
    out : path, default "reports"
        A folder (created if missing); a ValueError if it is an existing file.

    Returns
    -------
    Path
        The study's page, ``<out>/studies/<name>/index.html``.
    """
    out = check_out_dir(out)
    target = out / STUDIES_DIR / result.name

    def build(tmp: Path) -> None:
        stems, errors = save_figures(
            tmp, [(stem, lambda figure=figure: figure) for stem, figure, _ in result.figures]
        )
        captions = {stem: caption for stem, _, caption in result.figures}
        figures = [{"file": f"{stem}.png", "caption": captions[stem]} for stem in stems]
        for t in result.tables:
            with open(tmp / f"{t.name}.csv", "w", newline="") as fh:
                csv.writer(fh).writerows([t.header, *t.rows])
        doc = _document(result, figures, errors)
        (tmp / "results.json").write_text(dump_json(doc))
        (tmp / "index.html").write_text(_study_html(result, doc))

    page = write_atomic_dir(target, build, keep_files=False) / "index.html"
    write_studies_index(out)
    link_studies(out)
    return page


def _document(result: StudyResult, figures: list[dict], errors: dict[str, str]) -> dict:
    """The ``results.json`` document."""
    return {
        "name": result.name,
        "question": result.question,
        "answer": result.answer,
        "level": result.settings.get("level"),
        "written": datetime.now().astimezone().isoformat(timespec="seconds"),
        "settings": result.settings,
        "timings": result.timings,
        "warnings": result.warnings,
        "figures": figures,
        "figure_errors": errors,
        "tables": [
            {"name": t.name, "caption": t.caption, "file": f"{t.name}.csv"} for t in result.tables
        ],
        "data": result.data,
    }


def _study_html(result: StudyResult, doc: dict) -> str:
    esc = html.escape
    parts = [
        page_head(result.name, _STYLE),
        "<p><a href='../../index.html'>&larr; report</a> &middot; "
        "<a href='../index.html'>all studies</a></p>",
        f"<h1>Study: {esc(result.name)}</h1>",
        f"<p class='question'><b>Question.</b> {esc(result.question)}</p>",
        f"<p class='answer'><b>Answer (from this run's numbers).</b> {esc(result.answer)}</p>",
        NOTE_MARKER,
    ]
    if result.warnings:
        parts.append(
            "<div class='warn'>WARNING: read these results with care."
            + "<ul>"
            + "".join(f"<li>{esc(w)}</li>" for w in result.warnings)
            + "</ul></div>"
        )
    if doc["figures"] or doc["figure_errors"]:
        parts.append("<h2>Figures</h2>")
    for fig in doc["figures"]:
        name = esc(fig["file"])
        parts.append(
            f"<figure><a href='{name}'><img src='{name}' alt='{name}' style='max-width:900px'>"
            f"</a><figcaption>{esc(fig['caption'])}</figcaption></figure>"
        )
    for stem, err in doc["figure_errors"].items():
        parts.append(f"<p class='bad'>Figure {esc(stem)} failed: {esc(err)}</p>")
    for t in result.tables:
        parts.append(
            f"<h2>{esc(t.name)}</h2><p>{esc(t.caption)} "
            f"(<a href='{esc(t.name)}.csv'>{esc(t.name)}.csv</a>)</p>"
        )
        parts.append(table([str(h) for h in t.header], [[fmt(c) for c in row] for row in t.rows]))
    parts.append("<h2>Settings</h2>")
    parts.append(
        table(
            ["setting", "value"],
            [[esc(str(k)), esc(_plain_text(v))] for k, v in result.settings.items()],
        )
    )
    parts.append("<h2>Timings</h2>")
    parts.append(
        table(
            ["timing (s)", "value"], [[esc(str(k)), fmt(v, 3)] for k, v in result.timings.items()]
        )
    )
    parts.append(
        f"<p>Written {esc(doc['written'])}. Data: <a href='results.json'>results.json</a>.</p>"
        "</body></html>"
    )
    return "\n".join(parts)


def _plain_text(value) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_plain_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain_text(v)}" for k, v in value.items())
    return str(value)
