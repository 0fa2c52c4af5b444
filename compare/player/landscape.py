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
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import BoundaryNorm, to_hex
from matplotlib.figure import Figure

from em import ConvergenceWarning, DegenerateComponentWarning, FitHistory, GaussianMixtureEM

from .._atomic import write_file_atomic
from ..kinds.mixture_extras import lecture_start
from ..settings import SAME_OPTIMUM_NATS
from .files import check_data
from .frames import DPI
from .page import rounded

__all__ = [
    "CLASSES",
    "LandscapeResult",
    "Restarts",
    "classify_optima",
    "find_restarts",
    "restart_histories",
    "slice_log_likelihood",
    "write_landscape",
]

MIN_POINTS = 2.0
# Iterations per restart: the lecture's starts converge in tens of iterations; a run still
# creeping along a flat ridge after this many is drawn where it stopped.
RESTART_MAX_ITER = 200
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


def restart_histories(
    X: Any,
    starts: Any = None,
    *,
    n_starts: int = 20,
    seed: int = 0,
    max_iter: int = RESTART_MAX_ITER,
) -> list[FitHistory]:
    """Soft EM from many lecture (gmm1) starts, each run's ``em.FitHistory``.

    Parameters
    ----------
    X : array-like of shape (N, D) or (N,)
    starts : array-like of shape (S, 2, D), optional
        Starting means (weights equal, covariances the data covariance), one fit each
        (its ``history_``). Default: ``n_starts`` starts of one
        ``GaussianMixtureEM(init="random_from_data", n_init=n_starts,
        keep_history="all")``, two distinct random data points as means each (its
        ``histories_``).
    n_starts : int, default 20
    seed : int, default 0
        The random starts' ``random_state``.
    max_iter : int
        Per run.

    Returns
    -------
    list of em.FitHistory
        One per start, in order.
    """
    X = check_data(X)
    common = {"max_iter": max_iter, "keep_history": True}
    with warnings.catch_warnings():
        # A run that stops at max_iter or re-seeds a collapsing component is one of the
        # things the picture shows (its class says so); the console need not.
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", DegenerateComponentWarning)
        if starts is None:
            if isinstance(n_starts, bool) or not isinstance(n_starts, int | np.integer):
                raise TypeError(f"n_starts is {n_starts!r}; accepted: an int >= 1")
            if n_starts < 1:
                raise ValueError(f"n_starts is {n_starts!r}; accepted: an int >= 1")
            fit = GaussianMixtureEM(
                2,
                init="random_from_data",
                n_init=int(n_starts),
                random_state=seed,
                **(common | {"keep_history": "all"}),
            ).fit(X)
            return list(fit.histories_)
        starts = np.asarray(starts, dtype=np.float64)
        if starts.ndim != 3 or starts.shape[1:] != (2, X.shape[1]):
            raise ValueError(
                f"starts has shape {starts.shape}; accepted: (S, 2, D) = (S, 2, {X.shape[1]}), "
                "the two starting means of every start"
            )
        out = []
        for means in starts:
            start = lecture_start(X, means)
            fit = GaussianMixtureEM(
                2,
                weights_init=start["weights"],
                means_init=start["means"],
                covariances_init=start["covariances"],
                **common,
            ).fit(X)
            out.append(fit.history_)
        return out


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


@dataclass(frozen=True)
class Restarts:
    """EM's runs from many starts, reduced to what the landscape draws.

    Attributes
    ----------
    paths : list of ndarray, each of shape (T_s + 1, 2)
        Per run, the two means' first coordinates at every step (the start first).
    final_log_likelihood : ndarray of shape (S,)
    labels : list of str
        The class of every run (:func:`classify_optima`).
    best : dict
        ``weights`` (2,), ``means`` (2, D), ``covariances`` (2, D, D): the final
        parameters of the highest run that did not collapse (of any run if all did); the
        surface is sliced through them.
    """

    paths: list[np.ndarray]
    final_log_likelihood: np.ndarray
    labels: list[str]
    best: dict[str, np.ndarray]

    @property
    def counts(self) -> dict[str, int]:
        """Runs per class, every class of :data:`CLASSES` present (zeros included)."""
        return {key: self.labels.count(key) for key in CLASSES}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (lists and strings); :meth:`from_dict` reads it back.

        The paths are only drawn: they keep :data:`compare.player.page.DIGITS` significant
        digits (far below a pixel, half the bytes).
        """
        return {
            "paths": [rounded(p) for p in self.paths],
            "final_log_likelihood": self.final_log_likelihood.tolist(),
            "labels": list(self.labels),
            "best": {key: value.tolist() for key, value in self.best.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Restarts:
        """The inverse of :meth:`to_dict`."""
        return cls(
            paths=[np.asarray(p, dtype=np.float64).reshape(-1, 2) for p in data["paths"]],
            final_log_likelihood=np.asarray(data["final_log_likelihood"], dtype=np.float64),
            labels=[str(label) for label in data["labels"]],
            best={k: np.asarray(v, dtype=np.float64) for k, v in data["best"].items()},
        )


def find_restarts(X: Any, starts: Any = None, *, n_starts: int = 20, seed: int = 0) -> Restarts:
    """Run soft EM from many starts and classify the optimum each reached.

    Parameters
    ----------
    X : array-like of shape (N, D) or (N,)
    starts, n_starts, seed
        As for :func:`restart_histories`.

    Returns
    -------
    Restarts
    """
    X = check_data(X)
    histories = restart_histories(X, starts, n_starts=n_starts, seed=seed)
    labels = classify_optima(X, histories)
    finals = np.array([float(h.log_likelihood[-1]) for h in histories])
    healthy = [i for i, label in enumerate(labels) if label != "collapse"]
    top = max(healthy or range(len(histories)), key=lambda i: finals[i])
    return Restarts(
        paths=[np.array(h.means[:, :, 0]) for h in histories],
        final_log_likelihood=finals,
        labels=labels,
        best={
            key: np.array(getattr(histories[top], key)[-1])
            for key in ("weights", "means", "covariances")
        },
    )


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
        ``runs`` (0 when given ``restarts``), ``surface``, ``figure`` seconds.
    """

    html: str
    files: dict[str, Path]
    bytes: dict[str, int]
    labels: list[str]
    counts: dict[str, int]
    seconds: float
    timings: dict[str, float]


def _figure(first, second, surface, restarts: Restarts, posterior, dim) -> Figure:
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
    for path, label in zip(restarts.paths, restarts.labels, strict=True):
        colour = CLASSES[label][0]
        ax.plot(path[:, 0], path[:, 1], "-", color=colour, lw=1.0, alpha=0.8, zorder=3)
        ax.plot(path[0, 0], path[0, 1], "o", mfc="none", mec=colour, ms=4, zorder=3)
        ax.plot(path[-1, 0], path[-1, 1], "*", color=colour, mec="k", mew=0.4, ms=9, zorder=4)
    counts = restarts.counts
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
        f"EM from {len(restarts.labels)} starts (o) to their optima (*)\n"
        f"grey: log-likelihood, {others} at the best fit",
        fontsize=9,
    )
    return fig


def _table(restarts: Restarts) -> str:
    rows = []
    for key, (colour, text) in CLASSES.items():
        members = [i for i, label in enumerate(restarts.labels) if label == key]
        if members:
            finals = restarts.final_log_likelihood[members]
            means = restarts.paths[members[int(np.argmax(finals))]][-1]
            ll = f"{finals.min():.2f} to {finals.max():.2f}"
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


def _grid(values: np.ndarray, points: int) -> np.ndarray:
    lo, hi = values.min(), values.max()
    pad = 0.05 * (hi - lo) or 1.0
    return np.linspace(lo - pad, hi + pad, points)


def write_landscape(
    out_dir: str | os.PathLike,
    X: Any,
    *,
    posterior_means: Any = None,
    restarts: Restarts | None = None,
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
    restarts : Restarts, optional
        Runs already made (:func:`find_restarts`); then ``starts``, ``n_starts`` and
        ``seed`` are not used and nothing is fitted.
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
    if posterior_means is not None:
        posterior_means = np.asarray(posterior_means, dtype=np.float64)
        if posterior_means.ndim != 2 or posterior_means.shape[1] != 2:
            raise ValueError(
                f"posterior_means has shape {posterior_means.shape}; accepted: (S, 2), draws "
                "of the two means' first coordinates"
            )
    t0 = time.perf_counter()
    if restarts is None:
        restarts = find_restarts(X, starts, n_starts=n_starts, seed=seed)
    elif not isinstance(restarts, Restarts):
        raise TypeError(
            f"restarts is a {type(restarts).__name__}; accepted: a Restarts (find_restarts)"
        )
    t1 = time.perf_counter()
    reach = np.concatenate([X[:, 0], *(p.ravel() for p in restarts.paths)])
    axis = _grid(reach, grid_points or 80)
    surface = slice_log_likelihood(
        X, axis, axis, *(restarts.best[k] for k in ("weights", "means", "covariances"))
    )
    t2 = time.perf_counter()
    fig = _figure(axis, axis, surface, restarts, posterior_means, X.shape[1])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    path = Path(out_dir) / f"{prefix}.png"
    sizes = {"figure": write_file_atomic(path, buffer.getvalue())}
    t3 = time.perf_counter()
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
        + _table(restarts)
        + "</div>"
    )
    sizes["html"] = len(snippet.encode())
    sizes["total"] = sum(sizes.values())
    return LandscapeResult(
        html=snippet,
        files={"figure": path},
        bytes=sizes,
        labels=list(restarts.labels),
        counts=restarts.counts,
        seconds=time.perf_counter() - started,
        timings={"runs": t1 - t0, "surface": t2 - t1, "figure": t3 - t2},
    )
