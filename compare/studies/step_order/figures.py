"""Figures of the step-order study, from its plain data, with their captions.

Colours: soft EM blue (``C0``), hard EM orange (``C1``), k-means green (``C2``), M first red
(``C3``).
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .._common import figure
from ._orders import Order

__all__ = [
    "ERROR_CAPTION",
    "ORDER_CAPTION",
    "TRACE_CAPTION",
    "algorithm_trace_figure",
    "error_figure",
    "order_figure",
]

ORDER_CAPTION = (
    "Log-likelihood per iteration: E first from the guess (soft: blue, hard: orange), M first "
    "from uniform P(C|x) (red, flat: stuck at the one-Gaussian fit) and M first from random "
    "labels (faint red); dotted: the best value found. The window starts below the worst "
    "final value, so the first steps from a poor guess may come in from below."
)
TRACE_CAPTION = (
    "Soft and hard EM from the same start on the first data set: observed-data log-likelihood "
    "per iteration (hard EM does not maximise it, so it can end lower)."
)
ERROR_CAPTION = (
    "Mean error (estimate - truth) of each parameter over the data sets, ± its standard "
    "error, for soft EM, hard EM and k-means from the same start."
)
COLOURS = {"soft": "C0", "hard": "C1", "kmeans": "C2"}


def order_figure(order: dict) -> Figure:
    """Log-likelihood traces of E first and M first, one panel per data set and lecture guess.

    Parameters
    ----------
    order : dict
        ``{data set: {"best", "runs"}}`` from :mod:`compare.studies.step_order`; each run
        has ``guess``, ``order``, ``algorithm``, ``history`` (n_iter,) and ``log_likelihood``.
    """
    guesses = max(
        len(
            {
                r["guess"]
                for r in res["runs"]
                if r["order"] == Order.E_FIRST and r["guess"].startswith("lecture")
            }
        )
        for res in order.values()
    )
    fig, axes = figure(len(order), guesses, (4.8 * guesses, 3.2 * len(order)))
    for row, (name, res) in enumerate(order.items()):
        runs = res["runs"]
        lecture = list(
            dict.fromkeys(
                r["guess"]
                for r in runs
                if r["order"] == Order.E_FIRST and r["guess"].startswith("lecture")
            )
        )
        for col in range(guesses):
            ax = axes[row, col]
            if col >= len(lecture):
                ax.set_visible(False)
                continue
            for r in runs:
                if r["order"] == Order.E_FIRST and r["guess"] == lecture[col]:
                    ax.plot(
                        r["history"],
                        color=COLOURS[r["algorithm"]],
                        label=f"E first, {r['algorithm']}",
                    )
                elif r["order"] == Order.M_RANDOM and r["algorithm"] == "soft":
                    ax.plot(r["history"], color="C3", alpha=0.25, lw=0.8)
                elif r["order"] == Order.M_UNIFORM:
                    ax.plot(r["history"], color="C3", ls="--", marker="o", label="M first, uniform")
            ax.axhline(res["best"], ls=":", color="k", lw=0.8)
            # The first E-step from a poor guess can sit far below everything else; the
            # window shows the end game, where the orders differ.
            floor = min(r["log_likelihood"] for r in runs if r["log_likelihood"] is not None)
            span = res["best"] - floor
            ax.set_ylim(floor - 0.5 * span, res["best"] + 0.1 * span)
            ax.set_title(f"{name}: {lecture[col]}", fontsize="small")
            ax.set_xlabel("iteration")
            ax.set_ylabel("log-likelihood")
            ax.legend(fontsize="x-small")
    return fig


def algorithm_trace_figure(algorithms: dict) -> Figure:
    """Soft and hard EM's log-likelihood per iteration on each case's first data set."""
    fig, axes = figure(1, len(algorithms), (4.0 * len(algorithms), 3.2))
    for ax, (name, a) in zip(axes[0], algorithms.items(), strict=True):
        for method, history in a["traces"].items():
            ax.plot(history, color=COLOURS[method], label=f"{method} EM")
        ax.set_title(name)
        ax.set_xlabel("iteration")
        ax.set_ylabel("log-likelihood")
        ax.legend(fontsize="small")
    return fig


def error_figure(algorithms: dict) -> Figure:
    """Mean error ± its standard error of each parameter for soft EM, hard EM and k-means.

    Parameters
    ----------
    algorithms : dict
        ``{case: {"truth", "bias"}}``: ``bias[method][parameter]`` has ``mean_error`` and
        ``se`` (None with one data set).
    """
    fig, axes = figure(1, len(algorithms), (4.6 * len(algorithms), 3.4))
    for ax, (name, a) in zip(axes[0], algorithms.items(), strict=True):
        params = list(a["truth"])
        x = np.arange(len(params))
        for j, method in enumerate(("soft", "hard", "kmeans")):
            b = a["bias"][method]
            ax.errorbar(
                x + (j - 1) * 0.22,
                [b[p]["mean_error"] for p in params],
                yerr=[b[p]["se"] or 0.0 for p in params],
                fmt="o",
                capsize=2,
                color=COLOURS[method],
                label=method,
            )
        ax.axhline(0.0, color="k", lw=0.8)
        ax.set_xticks(x, params, rotation=60, fontsize="small")
        ax.set_title(name)
        ax.set_ylabel("estimate - truth")
        ax.legend(fontsize="small")
    return fig
