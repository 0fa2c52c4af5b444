"""The k-selection study's figures, from its plain data, with their captions."""

from __future__ import annotations

import numpy as np

from .._common import figure
from ._criteria import PARETO_K_MAX

__all__ = ["ACCURACY_CAPTION", "PARETO_K_CAPTION", "accuracy_figure", "pareto_k_figure"]

ACCURACY_CAPTION = (
    "Fraction of data sets on which each criterion picks K_true, one panel per separation "
    "and sample size, with ±1 Monte-Carlo standard error (sqrt(p(1-p)/runs)); LOO, CV and "
    "the LRT ran on fewer data sets (see the settings), so their bars are wider."
)
PARETO_K_CAPTION = (
    f"PSIS-LOO's largest Pareto k of every LOO fit, by candidate K (columns) and K_true "
    f"(colour); above the dashed line ({PARETO_K_MAX}) the LOO estimate of that fit is "
    "unreliable for some point."
)


def accuracy_figure(summary: list[dict], ks: list[int]):
    """Fraction correct against ``K_true`` per criterion; one panel per (separation, n)."""
    panels = list(dict.fromkeys((r["separation"], r["n"]) for r in summary))
    criteria = list(dict.fromkeys(r["criterion"] for r in summary))
    fig, axes = figure(1, len(panels), size=(4.2 * len(panels) + 1.5, 3.6))
    width = 0.8 / len(criteria)
    for ax, (separation, n) in zip(axes[0], panels, strict=True):
        for j, criterion in enumerate(criteria):
            rows = [
                r
                for r in summary
                if (r["separation"], r["n"], r["criterion"]) == (separation, n, criterion)
            ]
            x = np.array([r["k_true"] for r in rows]) + (j - (len(criteria) - 1) / 2) * width
            ax.errorbar(
                x,
                [r["fraction"] for r in rows],
                yerr=[r["se"] for r in rows],
                fmt="o",
                ms=4,
                capsize=2,
                color=f"C{j}",
                label=criterion,
            )
        ax.set_xticks(sorted({r["k_true"] for r in summary}))
        ax.set_xlabel("K_true")
        ax.set_ylim(-0.05, 1.05)
        ax.set_title(f"{separation}, n={n}")
    axes[0][0].set_ylabel("fraction choosing K_true")
    axes[0][-1].legend(fontsize="small", loc="center left", bbox_to_anchor=(1.0, 0.5))
    return fig


def pareto_k_figure(cells: list[dict], ks: list[int]):
    """Largest Pareto k of each LOO fit, by candidate K, coloured by ``K_true``."""
    fig, axes = figure(1, 1, size=(6.0, 3.6))
    ax = axes[0][0]
    k_trues = sorted({c["k_true"] for c in cells})
    for cell in cells:
        fits = [r["loo"] for r in cell["replications"] if "loo" in r]
        colour = f"C{k_trues.index(cell['k_true'])}"
        offset = (k_trues.index(cell["k_true"]) - (len(k_trues) - 1) / 2) * 0.12
        for f in fits:
            ax.plot(np.asarray(ks) + offset, f["max_pareto_k"], "o", ms=3, color=colour, alpha=0.6)
    for i, k_true in enumerate(k_trues):
        ax.plot([], [], "o", color=f"C{i}", label=f"K_true={k_true}")
    ax.axhline(PARETO_K_MAX, ls="--", color="k", lw=1)
    ax.set_xticks(ks)
    ax.set_xlabel("candidate K")
    ax.set_ylabel("largest Pareto k")
    ax.legend(fontsize="small")
    return fig
