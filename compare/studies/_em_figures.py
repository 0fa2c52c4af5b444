"""matplotlib figures of the init-sensitivity, choose-k and step-order studies.

Each function draws one figure from the study's plain data and returns it (a ``Figure``,
no pyplot state); the captions say what a reader sees. Colours: the best optimum, the
posterior and soft EM blue (``C0``), another optimum or a failure red (``C3``), hard EM
orange (``C1``), k-means green (``C2``), EM's estimates and the truth black.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ._common import figure

__all__ = [
    "algorithm_trace_figure",
    "chain_weights_figure",
    "chains_figure",
    "criteria_figure",
    "error_figure",
    "optima_figure",
    "order_figure",
    "starts_figure",
]

# ---------------------------------------------------------------------------------------------
# init-sensitivity

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


# ---------------------------------------------------------------------------------------------
# choose-k

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
        looic = np.array([-2 * b["loo_elpd"] for b in bayes])
        ax.errorbar(
            ks,
            looic,
            yerr=[2 * b["loo_se"] for b in bayes],
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


# ---------------------------------------------------------------------------------------------
# step-order

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
                if r["order"] == "E first" and r["guess"].startswith("lecture")
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
                if r["order"] == "E first" and r["guess"].startswith("lecture")
            )
        )
        for col in range(guesses):
            ax = axes[row, col]
            if col >= len(lecture):
                ax.set_visible(False)
                continue
            for r in runs:
                if r["order"] == "E first" and r["guess"] == lecture[col]:
                    ax.plot(
                        r["history"],
                        color=COLOURS[r["algorithm"]],
                        label=f"E first, {r['algorithm']}",
                    )
                elif r["order"] == "M first, random labels" and r["algorithm"] == "soft":
                    ax.plot(r["history"], color="C3", alpha=0.25, lw=0.8)
                elif r["order"] == "M first, uniform P(C|x)":
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
