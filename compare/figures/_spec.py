"""One figure of a case page: its file stem, its caption and how it is drawn from a result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["FigureSpec"]


@dataclass(frozen=True)
class FigureSpec:
    """A case figure as the page writer sees it.

    Attributes
    ----------
    stem : str
        File name without ``.png`` (two specs may share one: the logistic case's
        calibration plot stands where the others' predictive check does).
    caption : str
        Shown under the figure; written beside the function that draws it.
    draw : callable ``(ComparisonResult) -> figure``
        Picks the arrays the figure needs from the result and draws it; returns anything
        with ``savefig(path, dpi=...)``.
    """

    stem: str
    caption: str
    draw: Callable[[Any], Any]

    def drawer(self, result) -> Callable[[], Any]:
        """``draw`` bound to ``result``: a zero-argument callable for the figure saver."""
        return lambda: self.draw(result)
