"""HTML summaries for Jupyter: what ``_repr_html_`` of a comparison or a study returns.

Plain strings built with the standard library: nothing here imports Jupyter or IPython (a
notebook calls ``_repr_html_`` itself), and matplotlib only when a figure is passed in.
Figures are embedded as base64 PNG so the summary is one self-contained piece of HTML.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["cell", "figure_html", "html_table", "summary_html"]

#: Resolution of embedded figures (lower than the report's files: a notebook cell is small).
NOTEBOOK_DPI = 72


def cell(value: Any, digits: int = 4) -> str:
    """One value as escaped text: numbers to ``digits`` significant digits, None as ``-``."""
    if value is None:
        return "-"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return "n/a" if not math.isfinite(value) else f"{float(value):.{digits}g}"
    return html.escape(str(value))


def html_table(header: Sequence[str], rows: Sequence[Sequence[Any]], caption: str = "") -> str:
    """A ``<table>`` with a header row; cells formatted by :func:`cell`."""
    parts = ["<table>"]
    if caption:
        parts.append(f"<caption>{html.escape(caption)}</caption>")
    parts.append("<tr>" + "".join(f"<th>{html.escape(str(h))}</th>" for h in header) + "</tr>")
    for row in rows:
        parts.append("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>")
    parts.append("</table>")
    return "".join(parts)


def figure_html(figure, alt: str, caption: str = "", *, close: bool = True) -> str:
    """A matplotlib figure as an inline ``<img>`` (base64 PNG).

    ``close=True`` closes a figure drawn just for this view; a figure that belongs to a
    result (a study's, saved later by its page) is left open with ``close=False``.
    """
    buffer = io.BytesIO()
    try:
        figure.savefig(buffer, format="png", dpi=NOTEBOOK_DPI, bbox_inches="tight")
    finally:
        if close:
            import matplotlib.pyplot as plt

            plt.close(figure)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    text = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return (
        f"<figure><img src='data:image/png;base64,{data}' alt='{html.escape(alt)}' "
        f"style='max-width:640px'>{text}</figure>"
    )


def summary_html(
    title: str,
    *,
    lines: Sequence[str] = (),
    key_numbers: Mapping[str, Any] | None = None,
    tables: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]]]] = (),
    figures: Sequence[str] = (),
    warnings: Sequence[str] = (),
) -> str:
    """One summary block: title, text lines, warnings, key numbers, tables, figures.

    Parameters
    ----------
    title : str
    lines : sequence of str
        Paragraphs of plain text (escaped here).
    key_numbers : mapping, optional
        ``{quantity: value}``, shown as a two-column table.
    tables : sequence of (caption, header, rows)
    figures : sequence of str
        HTML from :func:`figure_html`.
    warnings : sequence of str
        Plain text, shown highlighted.

    Returns
    -------
    str
        A ``<div>``.
    """
    parts = [f"<div class='compare-summary'><h3>{html.escape(title)}</h3>"]
    parts += [f"<p>{html.escape(line)}</p>" for line in lines]
    parts += [f"<p style='color:#b00020'><b>{html.escape(w)}</b></p>" for w in warnings]
    if key_numbers:
        parts.append(html_table(["quantity", "value"], list(key_numbers.items()), "Key numbers"))
    for caption, header, rows in tables:
        parts.append(html_table(header, rows, caption))
    parts += list(figures)
    parts.append("</div>")
    return "\n".join(parts)
