"""matplotlib figures of one comparison, each drawn from the few arrays it shows.

Each figure is a function of plain arrays (no ComparisonResult inside) with its caption
beside it; :data:`CASE_FIGURES` at the bottom says which arrays of a result each one gets.
Colours are fixed across figures: truth black, EM red (``C3``), posterior blue (``C0``).
Interval levels come from :mod:`compare.settings`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse
from scipy.special import expit
from scipy.stats import norm
from scipy.stats import t as student_t

from ..predictive import density_band, thin
from ..settings import EM_PCT, EM_UPPER_QUANTILE, HDI_BAND_QUANTILES, HDI_PCT, HDI_PROB
from ._spec import FigureSpec

__all__ = [
    "CASE_FIGURES",
    "data_by_responsibility",
    "density_1d",
    "ellipses_2d",
    "intervals",
    "iterations",
    "line_fit",
    "responsibilities",
]

TRUTH, EM, POST = "k", "C3", "C0"
SMALL = (6.0, 3.6)


def _figure(size=SMALL) -> tuple[Figure, object]:
    # Figure() without pyplot: no global state, nothing to close but the object itself.
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


DATA_RESPONSIBILITIES_CAPTION = (
    "The data coloured by EM's responsibilities (the lecture's colouring)."
)


def data_by_responsibility(X: np.ndarray, resp: np.ndarray) -> Figure:
    """The data (n, d) coloured by EM's responsibility (n, K) of the last component."""
    r = resp[:, -1]
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
    last = resp.shape[1] - 1
    fig.colorbar(sc, ax=ax, label=f"EM responsibility of component {last}")
    ax.set_title("Data coloured by EM responsibilities")
    return fig


DENSITY_CAPTION = (
    "Histogram with the true density (dashed), the EM density (red) and the posterior "
    f"mean density with its {HDI_PCT} band (blue)."
)


def density_1d(x, source, source_label, em: dict, w, mu, sigma) -> Figure:
    """Histogram with the true, the EM and the posterior density (mean and HDI_PROB band).

    Parameters
    ----------
    x : ndarray of shape (n,)
    source : dict or None
        The mixture the data came from (``weights`` (K,), ``means`` (K, 1),
        ``covariances`` (K, 1, 1)); None for fixed data.
    source_label : str
    em : dict
        EM's ``weights``, ``means`` and ``sigma`` (K,) each.
    w, mu, sigma : DataArray of dims (chain, draw, component)
        The aligned posterior.
    """
    pad = 0.15 * (x.max() - x.min()) + 1e-9
    grid = np.linspace(x.min() - pad, x.max() + pad, 300)
    fig, ax = _figure()
    ax.hist(x, bins=min(40, max(5, len(x) // 5)), density=True, color="0.85", label="data")
    if source is not None:
        dens = _mix_pdf(
            grid, source["weights"], source["means"][:, 0], np.sqrt(source["covariances"][:, 0, 0])
        )
        ax.plot(grid, dens, color=TRUTH, ls="--", label=f"{source_label} density")
    ax.plot(
        grid,
        _mix_pdf(grid, em["weights"], em["means"], em["sigma"]),
        color=EM,
        label="EM (MLE) density",
    )
    band = density_band(grid, w, mu, sigma, HDI_PROB)
    ax.plot(grid, band["mean"], color=POST, label="posterior mean density")
    ax.fill_between(
        grid, band["lower"], band["upper"], color=POST, alpha=0.25, label=f"{HDI_PCT} band"
    )
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


ELLIPSES_CAPTION = (
    "1 and 2 sigma ellipses: truth or the generating distribution (dashed), EM (red), "
    "posterior mean (blue); the blue cloud is posterior draws of the means."
)


def ellipses_2d(X, source, source_label, em_means, em_covs, mu_draws, post_covs) -> Figure:
    """1 and 2 sigma ellipses of truth, EM and posterior mean; posterior draws of the means.

    Parameters
    ----------
    X : ndarray of shape (n, 2)
    source : dict or None
        The mixture the data came from (``means`` (K, 2), ``covariances`` (K, 2, 2)).
    source_label : str
    em_means, em_covs : ndarray of shape (K, 2) and (K, 2, 2)
    mu_draws : ndarray of shape (chain, draw, K, 2)
    post_covs : ndarray of shape (K, 2, 2)
        Posterior mean covariances.
    """
    fig, ax = _figure((6.0, 4.8))
    ax.scatter(X[:, 0], X[:, 1], s=10, color="0.6", label="data")
    for k in range(mu_draws.shape[2]):
        cloud = mu_draws[:, :, k].reshape(-1, 2)[::4]
        ax.scatter(cloud[:, 0], cloud[:, 1], s=2, color=POST, alpha=0.25)
    sources = [
        (EM, "-", "EM", em_means, em_covs),
        (POST, "-.", "posterior mean", mu_draws.mean(axis=(0, 1)), post_covs),
    ]
    if source is not None:
        sources.insert(0, (TRUTH, "--", source_label, source["means"], source["covariances"]))
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


ITERATIONS_CAPTION = (
    "Log-likelihood per iteration of soft EM and hard EM from one start; k-means has no "
    "likelihood, so its -inertia is on the right axis."
)


def iterations(soft: np.ndarray, hard: np.ndarray, inertia: np.ndarray) -> Figure:
    """Log-likelihood per iteration for soft and hard EM; k-means' -inertia on a twin axis.

    Parameters
    ----------
    soft, hard : ndarray of shape (n_iter + 1,)
        Log-likelihood at the start and after each iteration.
    inertia : ndarray of shape (n_iter_kmeans + 1,)
        k-means' inertia at the start and after each iteration (drawn negated).
    """
    fig, ax = _figure()
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
    inertia = -np.asarray(inertia, float)
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


RESPONSIBILITIES_CAPTION = (
    "EM responsibilities against posterior mean responsibilities; bars are posterior sds. "
    "Points off the diagonal are where the two disagree."
)


def responsibilities(em: np.ndarray, mean: np.ndarray, sd: np.ndarray) -> Figure:
    """EM responsibilities (n, K) against posterior mean ones (n, K), bars: posterior sd."""
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


REGRESSION_CAPTION = (
    f"Linear regression: EM/MLE line with its {EM_PCT} confidence band (red) and the "
    f"posterior mean line with its {HDI_PCT} band (blue); truth dashed."
)
LOGISTIC_CAPTION = (
    f"Logistic regression: MLE curve with {EM_PCT} band (red), posterior mean with {HDI_PCT} "
    "band (blue); truth dashed. Data jittered vertically."
)


def line_fit(
    x, y, truth: tuple[float, float], em: tuple[float, float], em_cov, dof, posterior,
    *, logistic: bool,
) -> Figure:  # fmt: skip
    """Data, true line, EM line with its confidence band, posterior mean line with its band.

    Parameters
    ----------
    x, y : ndarray of shape (n,)
        The single feature and the outcome (0/1 when ``logistic``).
    truth, em : (float, float)
        Intercept and slope.
    em_cov : ndarray of shape (2, 2)
        Covariance of EM's (intercept, slope), as the estimator computed it: s^2 (A^T A)^-1
        for least squares, the inverse Fisher information for the logistic MLE.
    dof : int or None
        Degrees of freedom of the t band (least squares); None for a normal (Wald) band.
    posterior : (ndarray, ndarray)
        Intercept and slope draws, shape (S,) each.
    logistic : bool
        Draw on the probability scale (inverse logit).
    """
    grid = np.linspace(x.min(), x.max(), 200)
    link = expit if logistic else (lambda v: v)
    fig, ax = _figure()
    jitter = np.random.default_rng(0).uniform(-0.03, 0.03, len(y)) if logistic else 0
    ax.scatter(x, y + jitter, s=10, color="0.5", label="data")
    ax.plot(grid, link(truth[0] + truth[1] * grid), color=TRUTH, ls="--", label="truth")
    eta = em[0] + em[1] * grid
    G = np.column_stack([np.ones_like(grid), grid])
    # The estimator's own interval family: Student t for least squares, normal (Wald) for
    # the logistic MLE.
    q = norm.ppf(EM_UPPER_QUANTILE) if dof is None else student_t.ppf(EM_UPPER_QUANTILE, dof)
    half = q * np.sqrt(np.einsum("gi,ij,gj->g", G, em_cov, G))
    ax.plot(grid, link(eta), color=EM, label="EM / MLE")
    if np.isfinite(half).all():
        ax.fill_between(
            grid,
            link(eta - half),
            link(eta + half),
            color=EM,
            alpha=0.2,
            label=f"{EM_PCT} confidence band",
        )
    a, b = posterior
    lines = link(a[:, None] + b[:, None] * grid[None, :])
    ax.plot(grid, lines.mean(axis=0), color=POST, ls="-.", label="posterior mean")
    ax.fill_between(
        grid,
        *np.quantile(lines, list(HDI_BAND_QUANTILES), axis=0),
        color=POST,
        alpha=0.2,
        label=f"{HDI_PCT} posterior band",
    )
    ax.set_xlabel("x")
    ax.set_ylabel("P(y = 1 | x)" if logistic else "y")
    ax.legend(fontsize=8)
    ax.set_title("Logistic regression" if logistic else "Linear regression")
    return fig


INTERVALS_CAPTION = (
    f"Forest: EM {EM_PCT} intervals (red) beside posterior {HDI_PCT} HDIs (blue); black "
    "ticks are the truth."
)


def intervals(rows: Sequence) -> Figure:
    """Forest: EM intervals beside posterior HDIs, truth marked; a panel per parameter.

    Parameters
    ----------
    rows : sequence of ParameterComparison
    """
    groups: dict[str, list] = {}
    for r in rows:
        groups.setdefault(r.parameter, []).append(r)
    heights = [len(g) for g in groups.values()]
    fig = Figure(figsize=(6.0, 0.8 + 0.42 * sum(heights) + 0.3 * len(groups)), layout="constrained")
    axes = fig.subplots(len(groups), 1, height_ratios=heights, squeeze=False)[:, 0]
    for ax, group in zip(axes, groups.values(), strict=True):
        y = np.arange(len(group))[::-1]
        for yi, r in zip(y, group, strict=True):
            ax.plot([r.em_lower, r.em_upper], [yi + 0.15] * 2, color=EM, lw=2)
            ax.plot(r.em_estimate, yi + 0.15, "o", color=EM, ms=4)
            ax.plot([r.hdi_lower, r.hdi_upper], [yi - 0.15] * 2, color=POST, lw=2)
            ax.plot(r.post_mean, yi - 0.15, "s", color=POST, ms=4)
            if r.truth is not None:
                ax.plot(r.truth, yi, "k|", ms=12, mew=2)
        ax.set_yticks(y, [r.name for r in group], fontsize=8)
        ax.set_ylim(-0.6, len(group) - 0.4)
    axes[0].plot([], [], color=EM, lw=2, marker="o", label=f"EM estimate, {EM_PCT} interval")
    axes[0].plot([], [], color=POST, lw=2, marker="s", label=f"posterior mean, {HDI_PCT} HDI")
    if any(r.truth is not None for r in rows):
        axes[0].plot([], [], "k|", ms=10, mew=2, label="truth")
    fig.legend(fontsize=7, loc="outside upper center", ncols=3)
    return fig


# --------------------------------------------------------------------------------------------
# Which arrays of a ComparisonResult each figure gets


def _source(case) -> dict[str, np.ndarray] | None:
    """The mixture the data were drawn from: the truth, or the generating distribution of a
    case fitted with another K; ``None`` for fixed data."""
    return case.truth if case.truth is not None else case.generating


def _source_label(case) -> str:
    """How the legend names :func:`_source` (``""`` when there is none to draw)."""
    if case.truth is not None:
        return "truth"
    if case.generating is not None:
        return f"generating distribution (K={len(case.generating['weights'])})"
    return ""


def _estimates(result) -> dict[str, np.ndarray]:
    return {name: v["estimate"] for name, v in result.em_params.items()}


def _density(result) -> Figure:
    p = result.posterior
    return density_1d(
        result.data.x1d,
        _source(result.case),
        _source_label(result.case),
        _estimates(result),
        p["weights"],
        p["means"],
        p["sigma"],
    )


def _ellipses(result) -> Figure:
    em = _estimates(result)
    return ellipses_2d(
        result.data.X,
        _source(result.case),
        _source_label(result.case),
        em["means"],
        em["covariances"],
        result.posterior["means"].values,
        result.posterior["covariances"].mean(("chain", "draw")).values,
    )


def _iterations(result) -> Figure:
    # The variants keep their history (one fit, shared with the iteration player).
    v = result.variants
    return iterations(
        v["soft"].history_.log_likelihood,
        v["hard"].history_.log_likelihood,
        v["kmeans"].history_.inertia,
    )


def _line_fit(result, *, logistic: bool) -> Figure:
    X, truth, em = result.data.X, result.case.truth, _estimates(result)
    n, p = X.shape
    post = result.posterior
    return line_fit(
        X[:, 0],
        result.data.y,
        (truth["intercept"], truth["coef"][0]),
        (em["intercept"], em["coef"][0]),
        result.em.estimator.covariance_,
        None if logistic else n - p - 1,
        (
            thin(post["intercept"], 250).values.reshape(-1),
            thin(post["coef"], 250).values.reshape(-1, p)[:, 0],
        ),
        logistic=logistic,
    )


CASE_FIGURES = {
    "data_responsibilities": FigureSpec(
        "data_responsibilities",
        DATA_RESPONSIBILITIES_CAPTION,
        lambda r: data_by_responsibility(r.data.X, r.responsibilities["em"]),
    ),
    "density": FigureSpec("density", DENSITY_CAPTION, _density),
    "ellipses": FigureSpec("ellipses", ELLIPSES_CAPTION, _ellipses),
    "iterations": FigureSpec("iterations", ITERATIONS_CAPTION, _iterations),
    "responsibilities": FigureSpec(
        "responsibilities",
        RESPONSIBILITIES_CAPTION,
        lambda r: responsibilities(
            r.responsibilities["em"],
            r.responsibilities["posterior_mean"],
            r.responsibilities["posterior_sd"],
        ),
    ),
    "regression": FigureSpec(
        "regression", REGRESSION_CAPTION, lambda r: _line_fit(r, logistic=False)
    ),
    "logistic": FigureSpec("logistic", LOGISTIC_CAPTION, lambda r: _line_fit(r, logistic=True)),
    "intervals": FigureSpec("intervals", INTERVALS_CAPTION, lambda r: intervals(r.rows)),
}
