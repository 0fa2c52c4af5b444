"""Figures of the inference ladder: every method's interval, and 1-D marginal densities.

Each function takes plain lists (what :mod:`compare.sections.ladder` stores in
``metrics.json``) and returns a matplotlib ``Figure``; the captions are beside them.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

__all__ = ["DENSITIES_CAPTION", "INTERVALS_CAPTION", "ladder_densities", "ladder_intervals"]

# One colour per method, the same in both figures (NUTS in the comparison's posterior blue).
COLOURS = {
    "EM (MLE)": "C3",
    "MAP-EM + Laplace": "C1",
    "VB": "C2",
    "ADVI": "C4",
    "ADVI full-rank": "C6",
    "NUTS": "C0",
}
_COLUMNS = 3

INTERVALS_CAPTION = (
    "Every method's point (dot) and central {level} interval (bar) per parameter, "
    "components matched to NUTS; the dashed line is the NUTS posterior mean, the shaded "
    "band +-{rule} NUTS posterior sd (inside it a method passes Stan's rule)."
)
DENSITIES_CAPTION = (
    "Marginal densities of each approximation against the NUTS draws (grey histogram): "
    "VB's exact marginals of q, ADVI's and full-rank ADVI's draws (kernel density), and "
    "the Laplace approximation around the MAP-EM point (normal)."
)


def _grid(n: int, width: float = 3.3, height: float = 2.2):
    rows = math.ceil(n / _COLUMNS)
    cols = min(n, _COLUMNS)
    fig = Figure(figsize=(width * cols, height * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes


def ladder_intervals(scores: list[dict], rule: float) -> Figure:
    """One panel per scalar parameter, one row per method.

    Parameters
    ----------
    scores : list of dict
        :func:`compare.sections.ladder_methods.score`'s rows; the last is NUTS.
    rule : float
        The pass threshold in NUTS sds (shaded band).
    """
    names = [c["name"] for c in scores[0]["cells"]]
    nuts = scores[-1]["cells"]
    fig, axes = _grid(len(names))
    y = np.arange(len(scores))[::-1]
    for j, (ax, name) in enumerate(zip(axes, names, strict=False)):
        centre, sd = nuts[j]["estimate"], nuts[j]["sd"]
        if sd > 0:
            ax.axvspan(centre - rule * sd, centre + rule * sd, color="0.85", zorder=0)
        ax.axvline(centre, color="k", ls="--", lw=0.8)
        for yi, row in zip(y, scores, strict=True):
            c = row["cells"][j]
            colour = COLOURS.get(row["method"], "k")
            if np.isfinite(c["lower"]) and np.isfinite(c["upper"]):
                ax.plot([c["lower"], c["upper"]], [yi, yi], color=colour, lw=2)
            ax.plot(c["estimate"], yi, "o", color=colour, ms=4)
        ax.set_title(name, fontsize=9)
        ax.set_yticks(y, [r["method"] for r in scores] if j % _COLUMNS == 0 else [])
        ax.tick_params(labelsize=7)
    return fig


def ladder_densities(densities: dict) -> Figure:
    """One panel per scalar parameter of a 1-D mixture.

    Parameters
    ----------
    densities : dict
        Scalar name -> ``{"grid": [...], "hist": {"edges", "density"}, "curves":
        {method: [...]}}``.
    """
    fig, axes = _grid(len(densities))
    for ax, (name, d) in zip(axes, densities.items(), strict=False):
        edges = np.asarray(d["hist"]["edges"])
        ax.stairs(d["hist"]["density"], edges, fill=True, color="0.8", label="NUTS")
        for method, curve in d["curves"].items():
            ax.plot(d["grid"], curve, color=COLOURS.get(method, "k"), lw=1.3, label=method)
        ax.set_title(name, fontsize=9)
        ax.tick_params(labelsize=7)
        ax.set_yticks([])
    axes[0].legend(fontsize=7, frameon=False)
    return fig
