"""Section "worked_example": the lecture's one-epoch example, step by step, beside the
numbers the lecture printed (:func:`compare.player.worked_example_html`).
"""

from __future__ import annotations

from pathlib import Path

from ..player import epoch, worked_example_html
from . import Section

__all__ = ["SECTION"]


def compute(result) -> dict:
    """One E-step and one M-step by ``em.GaussianMixtureEM``, as lists."""
    return {key: value.tolist() for key, value in epoch().items()}


def render(data: dict, directory: Path) -> str:
    """The E-step and M-step tables (no files)."""
    return worked_example_html(data, heading=False)


SECTION = Section(
    name="worked_example",
    title="One epoch by hand: the lecture's worked example",
    applies=lambda case: case.name == "worked-example",
    compute=compute,
    render=render,
)
