"""Optional parts of a case page, one file each: computed after the comparison, drawn on its page.

A *section* adds something that only some cases need (the inference ladder, the iteration
player, relabelled posteriors, where the data came from, ...). It has two halves, kept apart
so that a computation never writes files and a page never refits:

- ``compute(result) -> dict``: runs after :func:`compare.run` has fitted both sides; it may
  fit more (another estimator, ADVI, a second model) and returns JSON-ready numbers. They are
  stored in ``result.sections[name]`` and written to ``metrics.json`` under ``"sections"``.
- ``render(data, directory) -> str``: runs when the page is written; it may write its own
  files into the case's folder (figures, GIFs) and returns the HTML of its part of the page.

``applies(case)`` says which cases get the section (by kind, by name, ...): the section
decides, so that adding one never edits the catalogue of cases.

Adding a section is one new file in this package that defines a :class:`Section`, plus one
line in :data:`SECTIONS` below (the order of the page).
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

__all__ = ["SECTIONS", "Section", "compute_sections", "render_sections"]


@dataclass(frozen=True)
class Section:
    """One optional part of a case page.

    Attributes
    ----------
    name : str
        Key in ``result.sections`` and in ``metrics.json["sections"]``; also the stem of
        the files the section writes.
    title : str
        The page heading.
    applies : callable ``(case) -> bool``
    compute : callable ``(result) -> dict``
        JSON-ready numbers (lists, floats, strings) and whatever ``render`` needs.
    render : callable ``(data, directory) -> str``
        Writes the section's own files into ``directory``; returns its HTML (without the
        heading).
    """

    name: str
    title: str
    applies: Callable[[Any], bool]
    compute: Callable[[Any], dict]
    render: Callable[[dict, Path], str]


# name -> "module:attribute" of its Section, in page order. Imported on first use, so a
# case that needs no section pays nothing for it.
SECTIONS: dict[str, str] = {
    "real_fit": ".real_fit:REAL_FIT",
    "provenance": ".provenance:PROVENANCE",
    "worked_example": ".worked_example:SECTION",
    "player": ".player:SECTION",
    "landscape": ".landscape:SECTION",
    "ladder": ".ladder:LADDER",
    "relabel": ".relabel:SECTION",
}


def _load(name: str) -> Section:
    module, attribute = SECTIONS[name].split(":")
    return getattr(import_module(module, __name__), attribute)


def compute_sections(result) -> tuple[dict[str, dict], dict[str, float], dict[str, str]]:
    """Run every section that applies to ``result.case``.

    Returns
    -------
    data : dict
        ``{name: compute(result)}`` for the sections that succeeded.
    seconds : dict
        Wall seconds per section.
    errors : dict
        ``{name: the error's last line}`` for the sections that failed: a failing section
        is reported on its page, it does not lose the comparison.
    """
    data, seconds, errors = {}, {}, {}
    for name in SECTIONS:
        section = _load(name)
        if not section.applies(result.case):
            continue
        start = time.perf_counter()
        try:
            data[name] = section.compute(result)
        except Exception as exc:  # reported on the page, not swallowed
            errors[name] = f"{type(exc).__name__}: {exc}"
            traceback.print_exc()
        seconds[name] = time.perf_counter() - start
    return data, seconds, errors


def render_sections(sections: dict[str, dict], directory: Path) -> list[tuple[str, str]]:
    """``[(title, html)]`` of each computed section, in page order, its files written."""
    out = []
    for name in SECTIONS:
        if name in sections:
            section = _load(name)
            out.append((section.title, section.render(sections[name], directory)))
    return out
