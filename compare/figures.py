"""matplotlib figures of one :class:`compare.ComparisonResult`.

Each function draws one figure from plain arrays in the result and returns it; the report
writer saves and closes it. Colours are fixed across figures: truth black, EM red
(``C3``), posterior blue (``C0``).
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse
from scipy.special import expit
from scipy.stats import norm
from scipy.stats import t as student_t

__all__ = ["FIGURES", "figures_for"]

TRUTH, EM, POST = "k", "C3", "C0"
SMALL = (6.0, 3.6)


def _figure(size=SMALL) -> tuple[Figure, object]:
    # Figure() without pyplot: no global state, nothing to close but the object itself.
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def data_by_responsibility(result) -> Figure:
    """The data coloured by EM's responsibility of the last component (the lecture's colouring)."""
    X = result.data.X
    r = result.responsibilities["em"][:, -1]
    fig, ax = _figure()
    if X.shape[1] == 1:
        jitter = np.random.default_rng(0).uniform(-0.4, 0.4, len(X))
        sc = ax.scatter(X[:, 0], jitter, c=r, cmap="coolwarm", vmin=0, vmax=1, s=18)
        ax.set_yticks([])
        ax.set_xlabel("x  (vertical jitter only for visibility)")
    else:
        sc = ax.scatter(X[:, 0], X[:, 1], c=r, cmap="coolwarm", vmin=0, vmax=1, s=18)
        ax.set_xlabel("x0")
        ax.set_ylabel("x1")
    last = result.responsibilities["em"].shape[1] - 1
    fig.colorbar(sc, ax=ax, label=f"EM responsibility of component {last}")
    ax.set_title("Data coloured by EM responsibilities")
    return fig


def _source_mixture(case) -> dict[str, np.ndarray] | None:
    """The mixture the data were drawn from, or ``None`` for fixed data.

    The truth, or the generating distribution of a case fitted with another K.
    """
    return case.truth if case.truth is not None else case.generating


def _source_label(case) -> str:
    if case.truth is not None:
        return "truth"
    return f"generating distribution (K={len(case.generating['weights'])})"


def density_1d(result) -> Figure:
    """Histogram with the true, the EM and the posterior density (mean and 94 % band)."""
    from .predictive import density_band

    x = result.data.x1d
    pad = 0.15 * (x.max() - x.min()) + 1e-9
    grid = np.linspace(x.min() - pad, x.max() + pad, 300)
    fig, ax = _figure()
    ax.hist(x, bins=min(40, max(5, len(x) // 5)), density=True, color="0.85", label="data")
    t = _source_mixture(result.case)
    if t is not None:
        dens = _mix_pdf(grid, t["weights"], t["means"][:, 0], np.sqrt(t["covariances"][:, 0, 0]))
        ax.plot(grid, dens, color=TRUTH, ls="--", label=f"{_source_label(result.case)} density")
    em = result.em_params
    ax.plot(
        grid,
        _mix_pdf(grid, em["weights"]["estimate"], em["means"]["estimate"], em["sigma"]["estimate"]),
        color=EM,
        label="EM (MLE) density",
    )
    p = result.posterior
    band = density_band(grid, p["weights"], p["means"], p["sigma"])
    ax.plot(grid, band["mean"], color=POST, label="posterior mean density")
    ax.fill_between(grid, band["lower"], band["upper"], color=POST, alpha=0.25, label="94 % band")
    ax.set_xlabel("x")
    ax.set_ylabel("density")
    ax.legend(fontsize=8)
    ax.set_title("Data, true density, EM and posterior")
    return fig


def _mix_pdf(grid, w, mu, sd) -> np.ndarray:
    return np.sum(np.asarray(w) * norm.pdf(grid[:, None], np.asarray(mu), np.asarray(sd)), axis=1)


def _ellipse(ax, mean, cov, n_sigma, **kwargs) -> None:
    vals, vecs = np.linalg.eigh(cov)
    angle = np.degrees(np.arctan2(vecs[1, -1], vecs[0, -1]))
    width, height = 2 * n_sigma * np.sqrt(vals[::-1])
    ax.add_patch(Ellipse(mean, width, height, angle=angle, fill=False, **kwargs))


def ellipses_2d(result) -> Figure:
    """1 and 2 sigma ellipses of truth, EM and posterior mean; posterior draws of the means."""
    X = result.data.X
    fig, ax = _figure((6.0, 4.8))
    ax.scatter(X[:, 0], X[:, 1], s=10, color="0.6", label="data")
    mu = result.posterior["means"].values  # (chain, draw, K, 2)
    for k in range(mu.shape[2]):
        cloud = mu[:, :, k].reshape(-1, 2)[::4]
        ax.scatter(cloud[:, 0], cloud[:, 1], s=2, color=POST, alpha=0.25)
    em = result.em_params
    post_cov = result.posterior["covariances"].mean(("chain", "draw")).values
    sources = [
        (EM, "-", "EM", em["means"]["estimate"], em["covariances"]["estimate"]),
        (POST, "-.", "posterior mean", mu.mean(axis=(0, 1)), post_cov),
    ]
    t = _source_mixture(result.case)
    if t is not None:
        sources.insert(0, (TRUTH, "--", _source_label(result.case), t["means"], t["covariances"]))
    for colour, ls, _, means, covs in sources:
        for m, c in zip(means, covs, strict=True):
            for n_sigma in (1, 2):
                _ellipse(ax, m, c, n_sigma, color=colour, ls=ls, lw=1.5 if n_sigma == 1 else 0.8)
    handles = [ax.plot([], [], color=c, ls=ls, label=lab)[0] for c, ls, lab, *_ in sources]
    handles.append(ax.scatter([], [], s=6, color=POST, label="posterior draws of the means"))
    ax.legend(handles=handles, fontsize=8, loc="best")
    ax.set_xlabel("x0")
    ax.set_ylabel("x1")
    ax.set_title("1 and 2 sigma ellipses")
    return fig


def iterations(result) -> Figure:
    """Log-likelihood per iteration for soft and hard EM; k-means' -inertia on a twin axis."""
    v = result.variants
    fig, ax = _figure()
    soft = np.append(v["soft"].log_likelihood_history_, v["soft"].log_likelihood_)
    hard = np.append(v["hard"].log_likelihood_history_, v["hard"].log_likelihood_)
    ax.plot(np.arange(len(soft)), soft, "o-", ms=3, color=EM, label="soft EM: log-likelihood")
    ax.plot(np.arange(len(hard)), hard, "s-", ms=3, color="C2", label="hard EM: log-likelihood")
    later = np.concatenate([soft[1:], hard[1:]])
    if later.size and soft[0] < later.min():
        # The start is usually far below everything after it; keep the climb readable.
        spread = later.max() - later.min()
        ax.set_ylim(later.min() - 0.5 * spread - 1, later.max() + 0.1 * spread + 1)
        ax.annotate(f"start: {soft[0]:.1f} (below)", (0, 0.02), xycoords=("data", "axes fraction"))
    ax.set_xlabel("iteration (0 = the common start)")
    ax.set_ylabel("mixture log-likelihood")
    twin = ax.twinx()
    inertia = -np.asarray(v["kmeans"].inertia_history_, float)
    twin.plot(np.arange(len(inertia)), inertia, "^:", ms=3, color="C4", label="k-means: -inertia")
    if inertia.size > 2:
        spread = inertia[1:].max() - inertia[1:].min()
        twin.set_ylim(inertia[1:].min() - 0.5 * spread - 1, inertia[1:].max() + 0.1 * spread + 1)
    twin.set_ylabel("k-means: -inertia (not a log-likelihood)", color="C4")
    lines = ax.get_legend_handles_labels()
    lines2 = twin.get_legend_handles_labels()
    ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], fontsize=8, loc="lower right")
    ax.set_title("Soft EM, hard EM and k-means from one start")
    return fig


def responsibilities(result) -> Figure:
    """EM responsibilities against posterior mean responsibilities (bars: posterior sd)."""
    em = result.responsibilities["em"]
    mean = result.responsibilities["posterior_mean"]
    sd = result.responsibilities["posterior_sd"]
    fig, ax = _figure((4.8, 4.2))
    ax.plot([0, 1], [0, 1], color="0.5", lw=0.8)
    for k in range(em.shape[1]):
        ax.errorbar(
            em[:, k],
            mean[:, k],
            yerr=sd[:, k],
            fmt="o",
            ms=3,
            lw=0.5,
            alpha=0.6,
            color=f"C{k}",
            label=f"component {k}",
        )
    ax.set_xlabel("EM responsibility")
    ax.set_ylabel("posterior mean responsibility")
    ax.legend(fontsize=8)
    ax.set_title("EM vs posterior responsibilities")
    return fig


def _posterior_lines(result, grid) -> np.ndarray:
    from .predictive import thin

    a = thin(result.posterior["intercept"], 250).values.reshape(-1)
    b = thin(result.posterior["coef"], 250).values.reshape(-1, result.data.X.shape[1])[:, 0]
    return a[:, None] + b[:, None] * grid[None, :]


def regression_fit(result) -> Figure:
    """Data, true line, EM line with 95 % confidence band, posterior mean line with 94 % band."""
    return _line_fit(result, logistic=False)


def logistic_fit(result) -> Figure:
    """0/1 data, true curve, EM curve with 95 % band, posterior curve with 94 % band."""
    return _line_fit(result, logistic=True)


def _line_fit(result, *, logistic: bool) -> Figure:
    x, y = result.data.X[:, 0], result.data.y
    grid = np.linspace(x.min(), x.max(), 200)
    link = expit if logistic else (lambda v: v)
    fig, ax = _figure()
    jitter = np.random.default_rng(0).uniform(-0.03, 0.03, len(y)) if logistic else 0
    ax.scatter(x, y + jitter, s=10, color="0.5", label="data")
    t = result.case.truth
    ax.plot(grid, link(t["intercept"] + t["coef"][0] * grid), color=TRUTH, ls="--", label="truth")
    em = result.em_params
    eta = em["intercept"]["estimate"] + em["coef"]["estimate"][0] * grid
    # Covariance of (intercept, coef) at the MLE, as the estimator computed it: s^2 (A^T A)^-1
    # for least squares, the inverse Fisher information for the logistic MLE.
    cov = result.em.estimator.covariance_
    G = np.column_stack([np.ones_like(grid), grid])
    # The estimator's own interval family: Student t for least squares, normal (Wald) for
    # the logistic MLE.
    n, p = result.data.X.shape
    q = norm.ppf(0.975) if logistic else student_t.ppf(0.975, n - p - 1)
    half = q * np.sqrt(np.einsum("gi,ij,gj->g", G, cov, G))
    ax.plot(grid, link(eta), color=EM, label="EM / MLE")
    if np.isfinite(half).all():
        ax.fill_between(
            grid,
            link(eta - half),
            link(eta + half),
            color=EM,
            alpha=0.2,
            label="95 % confidence band",
        )
    lines = link(_posterior_lines(result, grid))
    ax.plot(grid, lines.mean(axis=0), color=POST, ls="-.", label="posterior mean")
    ax.fill_between(
        grid,
        *np.quantile(lines, [0.03, 0.97], axis=0),
        color=POST,
        alpha=0.2,
        label="94 % posterior band",
    )
    ax.set_xlabel("x")
    ax.set_ylabel("P(y = 1 | x)" if logistic else "y")
    ax.legend(fontsize=8)
    ax.set_title("Logistic regression" if logistic else "Linear regression")
    return fig


def intervals(result) -> Figure:
    """Forest: EM 95 % intervals beside posterior 94 % HDIs, truth marked; a panel per parameter."""
    groups: dict[str, list] = {}
    for r in result.rows:
        groups.setdefault(r.parameter, []).append(r)
    heights = [len(g) for g in groups.values()]
    fig = Figure(figsize=(6.0, 0.8 + 0.42 * sum(heights) + 0.3 * len(groups)), layout="constrained")
    axes = fig.subplots(len(groups), 1, height_ratios=heights, squeeze=False)[:, 0]
    for ax, rows in zip(axes, groups.values(), strict=True):
        y = np.arange(len(rows))[::-1]
        for yi, r in zip(y, rows, strict=True):
            ax.plot([r.em_lower, r.em_upper], [yi + 0.15] * 2, color=EM, lw=2)
            ax.plot(r.em_estimate, yi + 0.15, "o", color=EM, ms=4)
            ax.plot([r.hdi_lower, r.hdi_upper], [yi - 0.15] * 2, color=POST, lw=2)
            ax.plot(r.post_mean, yi - 0.15, "s", color=POST, ms=4)
            if r.truth is not None:
                ax.plot(r.truth, yi, "k|", ms=12, mew=2)
        ax.set_yticks(y, [r.name for r in rows], fontsize=8)
        ax.set_ylim(-0.6, len(rows) - 0.4)
    axes[0].plot([], [], color=EM, lw=2, marker="o", label="EM estimate, 95 % interval")
    axes[0].plot([], [], color=POST, lw=2, marker="s", label="posterior mean, 94 % HDI")
    if any(r.truth is not None for r in result.rows):
        axes[0].plot([], [], "k|", ms=10, mew=2, label="truth")
    fig.legend(fontsize=7, loc="outside upper center", ncols=3)
    return fig


FIGURES = {
    "data_responsibilities": data_by_responsibility,
    "density": density_1d,
    "ellipses": ellipses_2d,
    "iterations": iterations,
    "responsibilities": responsibilities,
    "regression": regression_fit,
    "logistic": logistic_fit,
    "intervals": intervals,
}


def figures_for(result) -> list[str]:
    """Names of the :data:`FIGURES` that apply to ``result``'s case, in report order."""
    kind = result.case.kind
    if kind == "mixture":
        one_d = result.data.X.shape[1] == 1
        shape = ["density"] if one_d else ["ellipses"]
        return ["data_responsibilities", *shape, "iterations", "responsibilities", "intervals"]
    if kind == "linear":
        return ["regression", "intervals"]
    if kind == "logistic":
        return ["logistic", "intervals"]
    return ["intervals"]
