"""Figures of the choose-k study, from its plain data, with their captions."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ... import metrics as M
from .._common import figure

__all__ = ["CHAIN_WEIGHTS_CAPTION", "CRITERIA_CAPTION", "chain_weights_figure", "criteria_figure"]

CRITERIA_CAPTION = (
    "Left: EM's BIC and AIC and the posterior's LOO-IC = -2 ELPD (bars: ± its standard "
    "error), all on the deviance scale (lower is better); rings mark each criterion's "
    "choice. Right: the "
    "posterior's worst R-hat per K (red: flagged, for R-hat, ESS, divergences or Pareto k; "
    "dashed: 1.01), divergences written beside."
)
CHAIN_WEIGHTS_CAPTION = (
    "Each chain's posterior mean of each component weight (sorted; crosses: EM's weights), "
    "per K: at a K the data support the chains agree; at too large a K they disagree or leave "
    "components nearly empty."
)


def criteria_figure(results: dict) -> Figure:
    """BIC, AIC and LOO-IC against K, and the worst R-hat per K; one row per data set.

    Parameters
    ----------
    results : dict
        ``{data set: {"ks", "covariance", "em", "bayes", "choice"}}`` from
        :mod:`compare.studies.choose_k`.
    """
    fig, axes = figure(len(results), 2, (9.0, 3.3 * len(results)))
    for row, (name, r) in enumerate(results.items()):
        ks = np.array(r["ks"])
        em = [r["em"][str(k)] for k in ks]
        bayes = [r["bayes"][str(k)] for k in ks]
        ax = axes[row, 0]
        for key, colour, label in (("bic", "C3", "BIC"), ("aic", "C1", "AIC")):
            values = np.array([e[key] for e in em])
            ax.plot(ks, values, "o-", color=colour, label=f"EM {label}")
            best = r["choice"][key]
            ax.plot(best, values[list(ks).index(best)], "o", ms=14, mfc="none", color=colour)
        looic = np.array([-2 * b[M.LOO_ELPD] for b in bayes])
        ax.errorbar(
            ks,
            looic,
            yerr=[2 * b[M.LOO_SE] for b in bayes],
            fmt="s-",
            color="C0",
            capsize=3,
            label="LOO-IC",
        )
        best = r["choice"]["loo"]
        ax.plot(best, looic[list(ks).index(best)], "s", ms=14, mfc="none", color="C0")
        ax.set_xticks(ks)
        ax.set_xlabel("K")
        ax.set_ylabel("deviance scale")
        ax.set_title(f"{name} ({r['covariance']})")
        ax.legend(fontsize="small")
        ax = axes[row, 1]
        rhat = np.array([b["max_rhat"] for b in bayes])
        flagged = np.array([b["flagged"] for b in bayes])
        ax.plot(ks, rhat, "-", color="0.6")
        ax.scatter(ks[~flagged], rhat[~flagged], color="C0", zorder=3, label="ok")
        ax.scatter(ks[flagged], rhat[flagged], color="C3", zorder=3, label="flagged")
        for k, value, b in zip(ks, rhat, bayes, strict=True):
            if b["divergences"]:
                ax.annotate(
                    f"{b['divergences']} div",
                    (k, value),
                    fontsize="small",
                    xytext=(4, 4),
                    textcoords="offset points",
                )
        ax.axhline(1.01, ls="--", color="k", lw=0.8)
        ax.set_xticks(ks)
        ax.set_xlabel("K")
        ax.set_ylabel("max R-hat")
        ax.legend(fontsize="small")
    return fig


def chain_weights_figure(results: dict) -> Figure:
    """Per-chain posterior mean weights (sorted) beside EM's weights, per K and data set."""
    fig, axes = figure(1, len(results), (4.5 * len(results), 3.4))
    for ax, (name, r) in zip(axes[0], results.items(), strict=True):
        for k in r["ks"]:
            chains = np.array(r["bayes"][str(k)]["chain_weights"])  # (chain, K)
            for c, weights in enumerate(chains):
                offset = (c - (len(chains) - 1) / 2) * 0.08
                ax.scatter(
                    np.full(k, k + offset),
                    weights,
                    s=14,
                    color=f"C{c % 10}",
                    label=f"chain {c}" if k == r["ks"][0] else None,
                )
            em_weights = r["em"][str(k)]["weights"]
            ax.scatter(
                np.full(k, k + 0.3),
                em_weights,
                marker="x",
                color="k",
                label="EM" if k == r["ks"][0] else None,
            )
        ax.set_xticks(r["ks"])
        ax.set_xlabel("K")
        ax.set_ylabel("posterior mean weight")
        ax.set_title(name)
        ax.legend(fontsize="x-small")
    return fig
