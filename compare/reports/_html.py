"""The page kit: CSS, number formatting, HTML and Markdown tables, JSON cleaning.

Shared by the case pages, the study pages and the indexes, so every page formats a number
and draws a table the same way.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence

import numpy as np

__all__ = [
    "CSS",
    "DPI",
    "NOTE_MARKER",
    "clean_json",
    "dump_json",
    "fmt",
    "interval",
    "md_table",
    "page_head",
    "table",
]

DPI = 80
# Where a page read back from the result cache says so (compare.resultcache.restore
# fills the note in after it; a fresh page shows nothing).
NOTE_MARKER = "<!-- result-cache-note -->"
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


def page_head(title: str, extra_css: str = "") -> str:
    """``<!doctype html>`` up to and including ``<body>``; ``title`` is escaped here."""
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{CSS}{extra_css}</style></head><body>"
    )


def fmt(value, digits: int = 4) -> str:
    """A cell: ``-`` for None, yes/no for booleans, integers as is, floats to ``digits``."""
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


def interval(lo, hi) -> str:
    """``[lo, hi]`` formatted, or ``n/a`` when a bound is missing or infinite."""
    if lo is None or hi is None or not (np.isfinite(lo) and np.isfinite(hi)):
        return "n/a"
    return f"[{fmt(lo)}, {fmt(hi)}]"


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def clean_json(value):
    """numpy values as plain Python; NaN/inf (not JSON) as None, recursively."""
    if isinstance(value, dict):
        return {k: clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_json(v) for v in value]
    if isinstance(value, np.ndarray):
        return clean_json(value.tolist())
    if isinstance(value, float | np.floating) and not math.isfinite(float(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def dump_json(document) -> str:
    """``document`` as indented, strict JSON text (see :func:`clean_json`)."""
    return json.dumps(clean_json(document), indent=2, default=_json_default, allow_nan=False)


def table(header: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> str:
    """An HTML table; the first ``left`` columns are left-aligned. Cells are not escaped."""
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


def md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown (GitHub) table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
