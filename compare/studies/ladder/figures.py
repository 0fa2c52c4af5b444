"""The ladder study's figure, from its summary rows, with its caption."""

from __future__ import annotations

import numpy as np

from ...figures.ladder import COLOURS
from .._common import figure

__all__ = ["ladder_study_caption", "ladder_study_figure"]


def ladder_study_caption(rule: float) -> str:
    """Caption of :func:`ladder_study_figure`."""
    return (
        "Left: each method's worst |mean - NUTS mean| / NUTS sd over the parameters against "
        f"the number of points per component (lecture-1d data; dashed: the pass line {rule:g}). "
        "Right: sd / NUTS sd of the component means (median over means and data sets); 1 is "
        "NUTS' own spread, below 1 overconfident."
    )


def ladder_study_figure(summary: list[dict], sweep: str, rule: float):
    """Worst error and the means' sd ratio against n, one line per method."""
    fig, grid = figure(1, 2, (11.0, 3.8))
    axes = grid[0]
    rows = [r for r in summary if r["structure"] == sweep]
    for method in dict.fromkeys(r["method"] for r in rows):
        if method == "NUTS":
            continue
        mine = [r for r in rows if r["method"] == method]
        n = np.array([r["n"] for r in mine])
        colour = COLOURS.get(method, "k")
        axes[0].plot(n, [r["worst_error"] for r in mine], "o-", color=colour, label=method)
        axes[1].plot(n, [r["means_sd_ratio"] for r in mine], "o-", color=colour, label=method)
    axes[0].axhline(rule, color="k", ls="--", lw=0.8)
    axes[1].axhline(1.0, color="k", ls="--", lw=0.8)
    for ax, label in zip(axes, ("worst |error| / NUTS sd", "sd / NUTS sd (means)"), strict=True):
        ax.set_xscale("log")
        ax.set_xlabel("points per component")
        ax.set_ylabel(label)
    axes[0].set_yscale("log")
    axes[0].legend(fontsize=8, frameon=False)
    return fig
