"""Figures of one comparison: matplotlib (:mod:`.case`) and ArviZ (:mod:`.arviz`).

:data:`FIGURES` maps a figure's key to its :class:`FigureSpec` (stem, caption, drawer);
the case's kind says which keys apply (:meth:`compare.kinds.Kind.figure_names`).
"""

from __future__ import annotations

from ..kinds import get_kind
from ._spec import FigureSpec
from .arviz import ARVIZ_FIGURES
from .case import CASE_FIGURES

__all__ = ["FIGURES", "FigureSpec", "case_figures"]

FIGURES: dict[str, FigureSpec] = {**CASE_FIGURES, **ARVIZ_FIGURES}


def case_figures(result) -> list[FigureSpec]:
    """The figures of ``result``'s case, in page order."""
    return [FIGURES[name] for name in get_kind(result.case.kind).figure_names(result.data)]
