"""Restarts over the likelihood landscape of a two-component mixture.

The picture: the log-likelihood over the plane of the two means (1-D data:
``(mu_1, mu_2)``; 2-D data: the means' first coordinates), EM's paths from many starts
drawn on it and coloured by the optimum each reached, optional posterior draws of the same
two numbers on top, and a table counting the starts per optimum.

The surface is a slice, not a profile: everything but the two plotted coordinates (the
weights, the covariances, in 2-D the means' second coordinates) stays at the best run's
fit, in whichever of its two labellings fits better at each grid point. That keeps the
surface symmetric in the diagonal, so the best optimum and its label-swapped twin are two
equal peaks; a worse local optimum has other weights and covariances, so it need not be a
peak of this slice (its runs' paths still end where it is). A true profile (maximising
over the other parameters at every grid point) costs seconds per case, over the report's
budget.

How a run is classified (:func:`classify_optima`), in this order:

1. **collapse**: a component holds fewer than :data:`MIN_POINTS` points' worth of weight
   (``w_k N``), or its scale ``det(Sigma_k)^(1/(2D))`` is below :data:`COLLAPSE_SCALE` times
   the data's; such a run's log-likelihood can be arbitrarily high and is not compared.
2. **best**: within :data:`compare.settings.SAME_OPTIMUM_NATS` of the highest final
   log-likelihood of the other runs, with the components in increasing order of the plotted
   coordinate (``mu_1 < mu_2``: above the diagonal of the picture).
3. **twin**: as good as the best, with the labels swapped (below the diagonal).
4. **worse**: any other run, a lower local optimum (or a saddle EM stopped at).
"""

from __future__ import annotations

import html
import io
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import BoundaryNorm, to_hex
from matplotlib.figure import Figure

from ..kinds.mixture_extras import lecture_start
from ..settings import SAME_OPTIMUM_NATS
from .files import check_data, write_atomic
from .frames import DPI
from .history import IterationHistory, stepped_history

__all__ = [
    "CLASSES",
    "LandscapeResult",
    "classify_optima",
    "restart_histories",
    "slice_log_likelihood",
    "write_landscape",
]

MIN_POINTS = 2.0
COLLAPSE_SCALE = 0.02
# Contour levels, in nats below the best grid value; anything lower is one colour.
CONTOUR_LEVELS = (1000.0, 500.0, 200.0, 100.0, 50.0, 20.0, 10.0, 5.0, 2.0, 1.0, 0.0)
CLASSES = {
    "best": ("C0", "best optimum (mu_1 < mu_2: above the diagonal)"),
    "twin": ("C2", "best optimum, labels swapped (mu_1 > mu_2: below the diagonal)"),
    "worse": ("C3", "worse local optimum"),
    "collapse": ("C4", "collapsing component"),
}


def _log_normal(X: np.ndarray, means: np.ndarray, cov: tuple[np.ndarray, ...]) -> np.ndarray:
    """``log N(x_n | mu_pk, Sigma_pk)`` for every grid point p and component k: (P, N, K).

    One or two features, written out (a batched Cholesky solve over thousands of grid
    points costs ten times more). ``cov`` is ``(var,)`` for one feature, ``(a, b, c)`` for
    ``[[a, b], [b, c]]``; each of shape (P, K).
    """
    d0 = X[None, :, None, 0] - means[:, None, :, 0]  # (P, N, K)
    if X.shape[1] == 1:
        (var,) = cov
        return -0.5 * (d0**2 / var[:, None] + np.log(2.0 * np.pi * var)[:, None])
    a, b, c = (v[:, None] for v in cov)
    d1 = X[None, :, None, 1] - means[:, None, :, 1]
    det = a * c - b**2
    return -0.5 * ((c * d0**2 - 2.0 * b * d0 * d1 + a * d1**2) / det + np.log(det)) - np.log(
        2.0 * np.pi
    )


def slice_log_likelihood(
    X: Any,
    first: np.ndarray,
    second: np.ndarray,
    weights: np.ndarray,
    means: np.ndarray,
    covariances: np.ndarray,
) -> np.ndarray:
    """Log-likelihood over the means' first coordinates, the rest fixed at given parameters.

    Each grid point is evaluated in both labellings of the fixed parameters (component 1's
    weight, covariance and other mean coordinates with the first mean, or with the
    second) and the larger is kept, so the surface is symmetric in the diagonal: the fit
    and its label-swapped twin are both peaks.

    Parameters
    ----------
    X : array-like of shape (N, D) or (N,)
        ``D`` 1 or 2.
    first, second : ndarray of shape (G1,) and (G2,)
        Grid values of ``mu_1[0]`` and ``mu_2[0]``.
    weights : ndarray of shape (2,)
    means : ndarray of shape (2, D)
        Only the coordinates after the first are used.
    covariances : ndarray of shape (2, D, D)

    Returns
    -------
    ndarray of shape (G2, G1)
        Entry ``[j, i]`` at ``mu_1[0] = first[i]``, ``mu_2[0] = second[j]`` (the layout of
        ``contour(first, second, Z)``).
    """
    X = check_data(X)
    d = X.shape[1]
    weights = np.asarray(weights, float)
    means = np.asarray(means, float).reshape(2, d)
    covariances = np.asarray(covariances, float).reshape(2, d, d)
    m1, m2 = np.meshgrid(np.asarray(first, float), np.asarray(second, float))
    best = None
    for order in ([0, 1], [1, 0]):
        grid_means = np.repeat(means[order][None], m1.size, axis=0)  # (P, 2, D)
        grid_means[:, 0, 0], grid_means[:, 1, 0] = m1.ravel(), m2.ravel()
        cov = covariances[order]
        parts = (cov[:, 0, 0],) if d == 1 else (cov[:, 0, 0], cov[:, 0, 1], cov[:, 1, 1])
        parts = tuple(np.broadcast_to(v, (m1.size, 2)) for v in parts)
        log_joint = np.log(weights[order]) + _log_normal(X, grid_means, parts)
        # Two components: logaddexp is 20 times faster than scipy's general logsumexp.
        total = np.logaddexp(log_joint[..., 0], log_joint[..., 1]).sum(axis=1)
        best = total if best is None else np.maximum(best, total)
    return best.reshape(m1.shape)


def restart_histories(X: Any, starts: np.ndarray, **options: Any) -> list[IterationHistory]:
    """Soft EM from each of ``starts`` (the lecture's gmm1 start around those means).

    Parameters
    ----------
    X : array-like of shape (N, D) or (N,)
    starts : ndarray of shape (S, 2, D)
        Starting means; weights equal, covariances the data covariance.
    **options
        For :func:`compare.player.history.stepped_history` (``max_iter``, ``tol``).

    Returns
    -------
    list of IterationHistory
        One per start, in order.
    """
    X = check_data(X)
    starts = np.asarray(starts, dtype=np.float64)
    if starts.ndim != 3 or starts.shape[1:] != (2, X.shape[1]):
        raise ValueError(
            f"starts has shape {starts.shape}; accepted: (S, 2, D) = (S, 2, {X.shape[1]}), "
            "the two starting means of every start"
        )
    return [stepped_history(X, "soft", lecture_start(X, means), **options) for means in starts]


def classify_optima(
    X: Any, histories: Sequence[Any], *, same_nats: float = SAME_OPTIMUM_NATS
) -> list[str]:
    """The optimum each run reached: ``best``, ``twin``, ``worse`` or ``collapse``.

    See the module docstring for the rule.

    Parameters
    ----------
    X : array-like of shape (N, D) or (N,)
        The data the runs were fitted to.
    histories : sequence of em.FitHistory-like
        Two components each; only the last step is used.
    same_nats : float
        Final log-likelihoods closer than this are the same optimum.

    Returns
    -------
    list of str
    """
    X = check_data(X)
    n, d = X.shape
    data_scale = np.linalg.det(np.atleast_2d(np.cov(X, rowvar=False))) ** (1 / (2 * d))
    collapsed, finals = [], []
    for h in histories:
        weights, covs = np.asarray(h.weights)[-1], np.asarray(h.covariances)[-1]
        scales = np.linalg.det(covs) ** (1 / (2 * d))
        collapsed.append(
            bool((weights * n < MIN_POINTS).any() or (scales < COLLAPSE_SCALE * data_scale).any())
        )
        finals.append(float(np.asarray(h.log_likelihood)[-1]))
    healthy = [ll for ll, c in zip(finals, collapsed, strict=True) if not c]
    best = max(healthy) if healthy else np.inf
    labels = []
    for h, ll, c in zip(histories, finals, collapsed, strict=True):
        if c:
            labels.append("collapse")
        elif ll >= best - same_nats:
            first = np.asarray(h.means)[-1][:, 0]
            labels.append("best" if first[0] <= first[1] else "twin")
        else:
            labels.append("worse")
    return labels


@dataclass
class LandscapeResult:
    """What :func:`write_landscape` wrote and found.

    Attributes
    ----------
    html : str
        Figure and count table, for a page in ``out_dir``.
    files : dict of str to Path
        ``figure``: the PNG.
    bytes : dict of str to int
        ``figure``, ``html`` and ``total``.
    labels : list of str
        The class of every start, in order.
    counts : dict of str to int
        Starts per class (every class present, zeros included).
    seconds : float
    timings : dict of str to float
        ``runs``, ``surface``, ``figure`` seconds.
    """

    html: str
    files: dict[str, Path]
    bytes: dict[str, int]
    labels: list[str]
    counts: dict[str, int]
    seconds: float
    timings: dict[str, float]


def _figure(X, first, second, surface, histories, labels, posterior, dim) -> Figure:
    fig = Figure(figsize=(6.2, 5.2), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    levels = -np.array(CONTOUR_LEVELS)
    relative = np.maximum(surface - surface.max(), levels[0])
    # One grey step per band, however wide: the bands near the top are the ones to read.
    norm = BoundaryNorm(levels, ncolors=256)
    filled = ax.contourf(
        first, second, relative, levels=levels, cmap="Greys_r", norm=norm, alpha=0.85
    )
    fig.colorbar(filled, ax=ax, label="log-likelihood minus its maximum (nats)")
    lo, hi = min(first[0], second[0]), max(first[-1], second[-1])
    ax.plot([lo, hi], [lo, hi], color="0.3", lw=0.8, ls=":")
    if posterior is not None:
        ax.scatter(posterior[:, 0], posterior[:, 1], s=3, color="#ffbf00", alpha=0.5, zorder=2)
    for h, label in zip(histories, labels, strict=True):
        path = np.asarray(h.means)[:, :, 0]
        colour = CLASSES[label][0]
        ax.plot(path[:, 0], path[:, 1], "-", color=colour, lw=1.0, alpha=0.8, zorder=3)
        ax.plot(path[0, 0], path[0, 1], "o", mfc="none", mec=colour, ms=4, zorder=3)
        ax.plot(path[-1, 0], path[-1, 1], "*", color=colour, mec="k", mew=0.4, ms=9, zorder=4)
    counts = {key: labels.count(key) for key in CLASSES}
    handles = [
        ax.plot([], [], "-*", color=CLASSES[k][0], mec="k", mew=0.4, label=f"{k}: {counts[k]}")[0]
        for k in CLASSES
    ]
    if posterior is not None:
        handles.append(ax.scatter([], [], s=6, color="#ffbf00", label="posterior draws"))
    ax.legend(handles=handles, fontsize=7, loc="upper left", framealpha=0.9)
    ax.set_xlim(first[0], first[-1])
    ax.set_ylim(second[0], second[-1])
    ax.set_aspect("equal")
    coordinate = "" if dim == 1 else "[0]"
    ax.set_xlabel(f"mu_1{coordinate}")
    ax.set_ylabel(f"mu_2{coordinate}")
    others = "weights, variances" if dim == 1 else "weights, covariances, means' x1"
    ax.set_title(
        f"EM from {len(labels)} starts (o) to their optima (*)\n"
        f"grey: log-likelihood, {others} at the best fit",
        fontsize=9,
    )
    return fig


def _table(histories, labels) -> str:
    rows = []
    for key, (colour, text) in CLASSES.items():
        members = [h for h, label in zip(histories, labels, strict=True) if label == key]
        if members:
            finals = [float(np.asarray(h.log_likelihood)[-1]) for h in members]
            means = np.asarray(members[int(np.argmax(finals))].means)[-1][:, 0]
            ll = f"{min(finals):.2f} to {max(finals):.2f}"
            where = f"({means[0]:.3g}, {means[1]:.3g})"
        else:
            ll = where = "-"
        rows.append(
            f"<tr><td class='l'><span style='color:{to_hex(colour)}'>&#9632;</span> "
            f"{html.escape(text)}</td><td>{len(members)}</td><td>{ll}</td><td>{where}</td></tr>"
        )
    return (
        "<table><tr><th class='l'>optimum reached</th><th>starts</th>"
        "<th>final log-likelihood</th><th>final (mu_1, mu_2) of the best run</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _best_run(histories: Sequence[Any], labels: list[str]) -> Any:
    """The run with the highest final log-likelihood that did not collapse (else any)."""
    pool = [h for h, label in zip(histories, labels, strict=True) if label != "collapse"]
    return max(pool or histories, key=lambda h: float(np.asarray(h.log_likelihood)[-1]))


def _grid(values: np.ndarray, points: int) -> np.ndarray:
    lo, hi = values.min(), values.max()
    pad = 0.05 * (hi - lo) or 1.0
    return np.linspace(lo - pad, hi + pad, points)


def write_landscape(
    out_dir: str | os.PathLike,
    X: Any,
    *,
    posterior_means: Any = None,
    starts: Any = None,
    n_starts: int = 20,
    seed: int = 0,
    grid_points: int | None = None,
    prefix: str = "landscape",
    dpi: int = DPI,
) -> LandscapeResult:
    """Draw EM's restarts over the log-likelihood landscape of a two-component mixture.

    Parameters
    ----------
    out_dir : path
    X : array-like of shape (N, D) or (N,)
        ``D`` 1 or 2.
    posterior_means : array-like of shape (S, 2), optional
        Posterior draws of ``(mu_1, mu_2)`` (2-D data: of the means' first coordinates),
        drawn on top.
    starts : array-like of shape (R, 2, D), optional
        Starting means; default ``n_starts`` pairs of distinct random data points (the
        lecture's gmm1 start).
    n_starts : int, default 20
    seed : int, default 0
        Seeds the random starts.
    grid_points : int, optional
        Per axis; default 80.
    prefix : str, default "landscape"
        The figure is ``<prefix>.png``.
    dpi : int, default 80

    Returns
    -------
    LandscapeResult
    """
    started = time.perf_counter()
    X = check_data(X)
    n, d = X.shape
    if starts is None:
        if not isinstance(n_starts, int | np.integer) or n_starts < 1:
            raise ValueError(f"n_starts is {n_starts!r}; accepted: an int >= 1")
        rng = np.random.default_rng(seed)
        starts = np.stack([X[rng.choice(n, size=2, replace=False)] for _ in range(n_starts)])
    if posterior_means is not None:
        posterior_means = np.asarray(posterior_means, dtype=np.float64)
        if posterior_means.ndim != 2 or posterior_means.shape[1] != 2:
            raise ValueError(
                f"posterior_means has shape {posterior_means.shape}; accepted: (S, 2), draws "
                "of the two means' first coordinates"
            )
    t0 = time.perf_counter()
    histories = restart_histories(X, starts)
    labels = classify_optima(X, histories)
    t1 = time.perf_counter()
    reach = np.concatenate([X[:, 0], *(np.asarray(h.means)[:, :, 0].ravel() for h in histories)])
    axis = _grid(reach, grid_points or 80)
    fit = _best_run(histories, labels)
    surface = slice_log_likelihood(
        X,
        axis,
        axis,
        *(np.asarray(getattr(fit, k))[-1] for k in ("weights", "means", "covariances")),
    )
    t2 = time.perf_counter()
    fig = _figure(X, axis, axis, surface, histories, labels, posterior_means, d)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    path = Path(out_dir) / f"{prefix}.png"
    sizes = {"figure": write_atomic(path, buffer.getvalue())}
    t3 = time.perf_counter()
    counts = {key: labels.count(key) for key in CLASSES}
    snippet = (
        "<div class='em-landscape'>"
        f"<figure><img src='{path.name}' alt='EM restarts over the likelihood landscape'>"
        "<figcaption>Log-likelihood over the plane of the two means (grey, darker is "
        "lower), the other parameters fixed at the best run's fit (in either labelling, "
        "the better); EM's path from "
        "every start (o) to where it stopped (*), coloured by the optimum it reached. The "
        "dotted diagonal is the label swap: the best optimum and its twin mirror each other"
        + ("; yellow dots are posterior draws" if posterior_means is not None else "")
        + ".</figcaption></figure>"
        + _table(histories, labels)
        + "</div>"
    )
    sizes["html"] = len(snippet.encode())
    sizes["total"] = sum(sizes.values())
    return LandscapeResult(
        html=snippet,
        files={"figure": path},
        bytes=sizes,
        labels=labels,
        counts=counts,
        seconds=time.perf_counter() - started,
        timings={"runs": t1 - t0, "surface": t2 - t1, "figure": t3 - t2},
    )
