"""Where a real data set came from: file, checksum, rows and columns used.

Applies to the cases whose data are real measurements (the shipped data sets and a user's
file given to ``python -m compare fit``), so a page can always be traced back to the exact
bytes it was computed from.
"""

from __future__ import annotations

import html

from . import Section

__all__ = ["PROVENANCE"]

_LABELS = {
    "path": "file",
    "sha256": "sha256 of the file",
    "size_bytes": "size (bytes)",
    "n_rows_read": "data rows in the file",
    "n_rows_used": "rows used",
    "rows_dropped": "rows dropped (missing cells, --drop-missing)",
    "columns_used": "columns used",
}


def _compute(result) -> dict:
    provenance = result.data.provenance
    if provenance is None:
        raise ValueError(
            f"case {result.case.name!r} is marked real_data but its Dataset has no provenance"
        )
    out = dict(provenance)
    out["columns_used"] = list(out.get("columns_used", ()))
    if "n_rows_read" in out and "n_rows_used" in out:
        out["rows_dropped"] = int(out["n_rows_read"]) - int(out["n_rows_used"])
    return out


def _render(data: dict, directory) -> str:
    rows = []
    for key, label in _LABELS.items():
        if key not in data:
            continue
        value = data[key]
        text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        rows.append(f"<tr><td class='l'>{html.escape(label)}</td><td class='l'>"
                    f"<code>{html.escape(text)}</code></td></tr>")  # fmt: skip
    return (
        "<p>The numbers on this page were computed from this file; the checksum identifies "
        "its exact bytes.</p><table>" + "".join(rows) + "</table>"
    )


PROVENANCE = Section(
    name="provenance",
    title="Where the data came from",
    applies=lambda case: bool(getattr(case, "real_data", False)),
    compute=_compute,
    render=_render,
)
