"""Figures of the init-sensitivity study, from its plain data, with their captions.

Each function returns a ``Figure`` (no pyplot). Colours: the best optimum blue (``C0``),
another optimum or a failure red (``C3``); EM's estimates and the truth black.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .._common import figure

__all__ = [
    "CHAINS_CAPTION",
    "OPTIMA_CAPTION",
    "STARTS_CAPTION",
    "chains_figure",
    "optima_figure",
    "starts_figure",
]

OPTIMA_CAPTION = (
    "Final value of every start (dots, jittered sideways; stars: the lecture's two starts). "
    "Left: EM's log-likelihood (higher is better); right: k-means' inertia (lower is better)."
)
STARTS_CAPTION = (
    "Where the starts were: each line joins one start's two means, coloured by the optimum "
    "it reached (blue: the best; thick: the lecture's starts)."
)
CHAINS_CAPTION = (
    "NUTS chains from dispersed starts. Left: each chain's draws of the first coordinate of "
    "both means (dashed: EM's optima). Right: arrows from each chain's start to its posterior "
    "mean of the two means (crosses: EM's best optimum)."
)


def optima_figure(records: list[dict], em_optima: list[dict], km_optima: list[dict]) -> Figure:
    """Final EM log-likelihood and k-means inertia of every start, grouped into optima.

    Parameters
    ----------
    records : list of dict
        One per start (``kind``, ``em`` and ``kmeans`` with ``log_likelihood`` /
        ``inertia`` and ``optimum``), as :mod:`compare.studies.init_sensitivity` records them.
    em_optima, km_optima : list of dict
        The optima, best first (``value``, ``count``).
    """
    fig, axes = figure(1, 2, (8.0, 3.6))
    jitter = np.random.default_rng(0).uniform(-0.3, 0.3, len(records))
    for ax, key, value, title, optima in (
        (axes[0, 0], "em", "log_likelihood", "EM final log-likelihood", em_optima),
        (axes[0, 1], "kmeans", "inertia", "k-means final inertia", km_optima),
    ):
        values = np.array([r[key][value] for r in records])
        best = np.array([r[key]["optimum"] == 0 for r in records])
        lecture = np.array([r["kind"] == "lecture" for r in records])
        ax.scatter(jitter[best], values[best], s=12, color="C0", label="best optimum")
        ax.scatter(jitter[~best], values[~best], s=12, color="C3", label="another optimum")
        ax.scatter(
            jitter[lecture], values[lecture], s=120, marker="*", color="k", label="lecture's starts"
        )
        for rank, group in enumerate(optima):
            ax.annotate(
                f"{group['count']} start(s)",
                (0.35, group["value"]),
                fontsize="small",
                color="C0" if rank == 0 else "C3",
                va="center",
            )
        ax.set_xticks([])
        ax.set_xlim(-1, 1.2)
        ax.set_title(title)
    axes[0, 0].legend(fontsize="small")
    return fig


def starts_figure(X: np.ndarray, records: list[dict]) -> Figure:
    """The data of shape (n, 2) and every start's two means, coloured by the optimum reached."""
    fig, axes = figure(1, 2, (9.0, 4.0))
    for ax, key, title in ((axes[0, 0], "em", "EM"), (axes[0, 1], "kmeans", "k-means")):
        ax.scatter(X[:, 0], X[:, 1], s=6, color="0.75")
        for r in records:
            m = np.array(r["start_means"])
            colour = "C0" if r[key]["optimum"] == 0 else "C3"
            lecture = r["kind"] == "lecture"
            ax.plot(
                m[:, 0],
                m[:, 1],
                "-o",
                color=colour,
                lw=2.5 if lecture else 0.6,
                ms=5 if lecture else 2,
                alpha=1.0 if lecture else 0.5,
            )
        ax.set_title(f"{title}: starts coloured by outcome")
        ax.set_xlabel("x0")
        ax.set_ylabel("x1")
    return fig


def chains_figure(X: np.ndarray, nuts: dict) -> Figure:
    """NUTS chains from dispersed starts: traces of ``mu[k, 0]`` and start -> end arrows.

    Parameters
    ----------
    X : ndarray of shape (n, 2)
    nuts : dict
        ``mu`` (chain, draw, K, 2) draws, ``optimum_means`` (list of (K, 2) arrays, EM's
        optima best first) and ``data`` with the per-chain records.
    """
    fig, axes = figure(1, 2, (10.0, 4.0))
    ax = axes[0, 0]
    mu = nuts["mu"]
    for c in range(mu.shape[0]):
        for k in range(mu.shape[2]):
            ax.plot(
                mu[c, :, k, 0], color=f"C{c % 10}", lw=0.5, label=f"chain {c}" if k == 0 else None
            )
    for rank, means in enumerate(nuts["optimum_means"]):
        for value in means[:, 0]:
            ax.axhline(value, ls="--", lw=0.8, color="k" if rank == 0 else "0.6")
    ax.set_xlabel("draw")
    ax.set_ylabel("mu[k, x0]")
    ax.legend(fontsize="x-small", ncols=2)
    ax = axes[0, 1]
    ax.scatter(X[:, 0], X[:, 1], s=6, color="0.8")
    for ch in nuts["data"]["chains"]:
        start, end = np.array(ch["start_means"]), np.array(ch["posterior_mean_mu"])
        for k in range(start.shape[0]):
            ax.annotate(
                "",
                end[k],
                start[k],
                arrowprops={"arrowstyle": "->", "color": f"C{ch['chain'] % 10}"},
            )
    best = nuts["optimum_means"][0]
    ax.scatter(best[:, 0], best[:, 1], marker="x", s=80, color="k", label="EM best optimum")
    ax.legend(fontsize="small")
    ax.set_xlabel("x0")
    ax.set_ylabel("x1")
    ax.set_title("chain starts -> posterior means")
    return fig
