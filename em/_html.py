"""The notebook view of an estimator (``BaseEstimator._repr_html_``): plain HTML strings.

Unfitted: the constructor parameters. Fitted: the key numbers (every scalar fitted
attribute: log-likelihood, iterations, convergence, ...) and the parameter table, from the
estimator's own :meth:`inference` where it needs no data (regressions, the categorical), and
otherwise one row per entry of each fitted parameter array (a mixture's inference needs
``X``; iteration histories, start values and precision factors are left out).
"""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np

__all__ = ["estimator_html"]

#: Rows of the parameter table before the rest are summarised in one line.
MAX_ROWS = 200


def _cell(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return "n/a" if not math.isfinite(value) else f"{float(value):.6g}"
    return html.escape(repr(value) if not isinstance(value, str) else value)


def _table(caption: str, header: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in r) + "</tr>" for r in rows)
    return f"<table><caption>{html.escape(caption)}</caption><tr>{head}</tr>{body}</table>"


def _fitted(estimator) -> dict[str, Any]:
    return {
        name: value
        for name, value in vars(estimator).items()
        if name.endswith("_") and not name.startswith("_")
    }


def _inference_rows(estimator) -> list[list[Any]] | None:
    """Rows of the estimator's own inference table, or None when it needs data to compute."""
    inference = getattr(estimator, "inference", None)
    if inference is None:
        return None
    try:
        table = inference()
    except (TypeError, ValueError):  # a mixture's observed information needs X
        return None
    return [[r.name, r.estimate, r.se, r.lower, r.upper, r.method] for r in table]


def _is_parameter(name: str) -> bool:
    """Fitted arrays that are parameters: not iteration records, start values or factors."""
    return not (
        name.endswith(("history_", "histories_")) or name.startswith(("init_", "precisions"))
    )


def _array_rows(fitted: dict[str, Any]) -> list[list[Any]]:
    """One row per entry, named as the inference tables name them (``means[1, 0]``)."""
    rows = []
    for name, value in fitted.items():
        array = np.asarray(value) if isinstance(value, np.ndarray | list | tuple) else None
        if array is None or array.dtype.kind not in "biuf" or array.ndim == 0:
            continue
        if not _is_parameter(name):
            continue
        for index in np.ndindex(array.shape):
            rows.append([f"{name[:-1]}[{', '.join(map(str, index))}]", array[index]])
    return rows


def estimator_html(estimator) -> str:
    """HTML summary of ``estimator`` (fitted or not); see the module docstring."""
    title = html.escape(type(estimator).__name__)
    params = [[name, value] for name, value in estimator.get_params().items()]
    fitted = _fitted(estimator)
    if not fitted:
        return (
            f"<div><h3>{title} (not fitted)</h3>"
            + _table("Constructor parameters", ["parameter", "value"], params)
            + "</div>"
        )
    key = [
        [name, value]
        for name, value in fitted.items()
        if isinstance(value, bool | int | float | str | np.generic)
    ]
    rows = _inference_rows(estimator)
    if rows is not None:
        header = ["parameter", "estimate", "se", "lower", "upper", "method"]
        caption = "Parameters (estimate, standard error, interval)"
    else:
        rows, header, caption = _array_rows(fitted), ["parameter", "estimate"], "Parameters"
    more = len(rows) - MAX_ROWS
    parts = [f"<div><h3>{title} (fitted)</h3>", _table("Key numbers", ["quantity", "value"], key)]
    parts.append(_table(caption, header, rows[:MAX_ROWS]))
    if more > 0:
        parts.append(f"<p>... and {more} more entries (see the fitted attributes).</p>")
    parts.append(_table("Constructor parameters", ["parameter", "value"], params))
    parts.append("</div>")
    return "\n".join(parts)
