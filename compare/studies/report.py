"""Writing a study: its page, figures, tables and data; the studies' index; the top link.

Layout under ``out`` (``reports`` by default)::

    index.html                    the case report's index; gets a studies block
    studies/index.html            every study present: question, level, date
    studies/<name>/index.html     question, answer, warnings, figures, tables, settings
    studies/<name>/<stem>.png     one per figure of the StudyResult
    studies/<name>/<table>.csv    one per Table
    studies/<name>/results.json   data, settings, timings, warnings (and what the page shows)

A study directory is replaced atomically (:func:`compare.report.write_atomic_dir`), so an
interrupted run leaves the previous one whole. The two index files are rebuilt from the
``results.json`` files present, so studies written by separate runs all appear. The case
report (:func:`compare.report.write_report`) carries ``studies/`` over when it replaces
``out`` and shows the same block, built by :func:`studies_block`.
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
import tempfile
from datetime import datetime
from pathlib import Path

from ..report import CSS, DPI, _clean_json, _fmt, _json_default, _table, write_atomic_dir
from ._base import StudyResult

__all__ = [
    "BLOCK_END",
    "BLOCK_START",
    "link_studies",
    "read_studies",
    "studies_block",
    "write_studies_index",
    "write_study",
]

STUDIES_DIR = "studies"
BLOCK_START, BLOCK_END = "<!-- studies -->", "<!-- /studies -->"
_BLOCK = re.compile(re.escape(BLOCK_START) + ".*?" + re.escape(BLOCK_END), re.DOTALL)
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

    Returns
    -------
    Path
        The study's page, ``<out>/studies/<name>/index.html``.
    """
    out = Path(out)
    target = out / STUDIES_DIR / result.name

    def build(tmp: Path) -> None:
        figures, errors = _save_figures(result, tmp)
        for table in result.tables:
            with open(tmp / f"{table.name}.csv", "w", newline="") as fh:
                csv.writer(fh).writerows([table.header, *table.rows])
        doc = _document(result, figures, errors)
        (tmp / "results.json").write_text(
            json.dumps(_clean_json(doc), indent=2, default=_json_default, allow_nan=False)
        )
        (tmp / "index.html").write_text(_study_html(result, doc))

    # keep_files=False: figures an earlier version drew and this one does not must go.
    page = write_atomic_dir(target, build, keep_files=False) / "index.html"
    write_studies_index(out)
    link_studies(out)
    return page


def _save_figures(result: StudyResult, directory: Path) -> tuple[list[dict], dict[str, str]]:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    written, errors = [], {}
    for stem, figure, caption in result.figures:
        try:
            figure.savefig(directory / f"{stem}.png", dpi=DPI)
            written.append({"file": f"{stem}.png", "caption": caption})
        except Exception as exc:  # one failed figure must not lose the page
            errors[stem] = f"{type(exc).__name__}: {exc}"
        finally:
            if isinstance(figure, Figure):  # a pyplot figure would otherwise stay open
                plt.close(figure)
    return written, errors


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
        f"<!doctype html><html><head><meta charset='utf-8'><title>{esc(result.name)}</title>"
        f"<style>{CSS}{_STYLE}</style></head><body>",
        "<p><a href='../../index.html'>&larr; report</a> &middot; "
        "<a href='../index.html'>all studies</a></p>",
        f"<h1>Study: {esc(result.name)}</h1>",
        f"<p class='question'><b>Question.</b> {esc(result.question)}</p>",
        f"<p class='answer'><b>Answer (from this run's numbers).</b> {esc(result.answer)}</p>",
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
    for table in result.tables:
        parts.append(
            f"<h2>{esc(table.name)}</h2><p>{esc(table.caption)} "
            f"(<a href='{esc(table.name)}.csv'>{esc(table.name)}.csv</a>)</p>"
        )
        parts.append(
            _table([str(h) for h in table.header], [[_fmt(c) for c in row] for row in table.rows])
        )
    parts.append("<h2>Settings</h2>")
    parts.append(
        _table(
            ["setting", "value"],
            [[esc(str(k)), esc(_plain_text(v))] for k, v in result.settings.items()],
        )
    )
    parts.append("<h2>Timings</h2>")
    parts.append(
        _table(
            ["timing (s)", "value"], [[esc(str(k)), _fmt(v, 3)] for k, v in result.timings.items()]
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


# --------------------------------------------------------------------------------------------
# The indexes


def read_studies(out: str | os.PathLike) -> list[dict]:
    """The ``results.json`` of every study under ``<out>/studies/``, by name.

    A directory without a readable ``results.json`` (a study being replaced, a stray
    folder) is skipped. Only the keys the indexes show are kept: ``name``, ``question``,
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
    return _table(["study", "question", "level", "written", "warnings"], rows, left=2)


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
    _write_text_atomic(
        path,
        "<!doctype html><html><head><meta charset='utf-8'><title>EM vs Bayes: studies</title>"
        f"<style>{CSS}</style></head><body><p><a href='../index.html'>&larr; report</a></p>"
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
            "<!doctype html><html><head><meta charset='utf-8'><title>EM vs Bayes</title>"
            f"<style>{CSS}</style></head><body><h1>EM vs Bayes</h1><p>No case report here yet "
            "(<code>python -m compare run</code> writes one beside the studies).</p>"
            f"{block}</body></html>"
        )
    _write_text_atomic(path, text)
    return path


def _write_text_atomic(path: Path, text: str) -> None:
    """Write through a temporary file and rename, so a reader never sees half a page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a page is for reading
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
