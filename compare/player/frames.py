"""The player's picture drawn with matplotlib: a static background and one image per frame.

Layout: one column per algorithm. Top: the data (1-D: histogram, the weighted component
densities and the mixture density, the points as a strip under the axis; 2-D: the points,
each component's 1- and 2-sigma ellipses and the path of its centre so far); bottom: the
run's log-likelihood (k-means: inertia) per iteration with a marker at the frame's step.

Everything that does not change between frames (axes, histogram, the whole objective
curve) is drawn once; each frame restores that background and draws only the moving
artists (matplotlib's blitting), which keeps a frame at a few milliseconds. The same
geometry (data-to-pixel maps of every panel) is exported for the page's script, which draws
the moving parts itself over the background image.
"""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.transforms import Bbox

from .history import Track
from .scene import component_colours, densities_1d, ellipse_points, point_colours

__all__ = ["DPI", "PlayerFigure"]

# The report's figure resolution (compare.reports._html.DPI): the player sits among its figures.
DPI = 80
# Point area (pt^2) and line widths (pt) of the moving artists; the script scales the same
# numbers to pixels.
POINT_SIZE = 10.0
DENSITY_LW, MIXTURE_LW, SIGMA_LW = (1.5, 1.3, (1.5, 0.8))
# The mixture is dashed and drawn over the components: where one component carries the
# whole mixture, both stay visible.
MIXTURE_DASHES = (4.0, 2.5)
PATH_LW, CENTRE_SIZE = 1.0, 6.0
# Points of the 1-D density curves.
GRID_POINTS = 300
# Where the strip of points sits under the density axis, as fractions of the axis height.
STRIP_BOTTOM = 0.22
STRIP_SPREAD = 0.07


def _padded(lo: float, hi: float, fraction: float = 0.08) -> tuple[float, float]:
    pad = fraction * (hi - lo) or 1.0
    return lo - pad, hi + pad


def objective_limits(values: np.ndarray) -> tuple[float, float, str]:
    """y-limits of an objective curve, and a note when the start is left outside them.

    The start is often far from everything after it (EM's first step gains most); then the
    axis shows the later steps and the note gives the start's value, as in the report's
    iterations figure.

    Returns
    -------
    lo, hi : float
    note : str
        Empty when every value is inside.
    """
    later = values[1:] if values.size > 1 else values
    spread = float(later.max() - later.min())
    lo, hi = later.min() - 0.5 * spread - 1.0, later.max() + 0.5 * spread + 1.0
    if lo <= values[0] <= hi:
        return min(lo, values.min()), max(hi, values.max()), ""
    side = "below" if values[0] < lo else "above"
    return lo, hi, f"start: {values[0]:.1f} ({side})"


class PlayerFigure:
    """The side-by-side iteration picture of several runs on one data set.

    Parameters
    ----------
    X : ndarray of shape (N, D)
        ``D`` is 1 or 2.
    tracks : list of Track
        Same number of components and features as ``X``.
    dpi : int, default :data:`DPI`

    Attributes
    ----------
    n_frames : int
        T+1 of the longest run; a shorter run holds its last step.
    size : tuple of int
        (width, height) of every image in pixels.
    """

    def __init__(self, X: np.ndarray, tracks: list[Track], *, dpi: int = DPI):
        self.X = X
        self.tracks = tracks
        self.dim = X.shape[1]
        self.n_frames = max(t.n_steps for t in tracks)
        self.colours = component_colours(tracks[0].means.shape[1])
        data_height = 2.5 if self.dim == 1 else 3.1
        self.fig = Figure(
            figsize=(3.2 * len(tracks), data_height + 1.4), dpi=dpi, layout="constrained"
        )
        self.canvas = FigureCanvasAgg(self.fig)
        axes = self.fig.subplots(2, len(tracks), squeeze=False, height_ratios=[data_height, 1.4])
        self.panels = []
        for column, track in enumerate(tracks):
            panel = {"track": track, "data": axes[0, column], "objective": axes[1, column]}
            self._data_panel(panel, column == 0)
            self._objective_panel(panel, column == 0)
            self.panels.append(panel)
        self.canvas.draw()
        # The layout is fixed from here on: every frame and the exported geometry use it.
        self.fig.set_layout_engine("none")
        self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        # Pixels of a panel whose run has ended: they no longer change, so later frames
        # paste them instead of drawing the panel again.
        self._held: dict[int, object] = {}
        self.size = tuple(int(v) for v in self.canvas.get_width_height())

    # ------------------------------------------------------------------ static parts

    def _limits(self) -> tuple[tuple[float, float], ...]:
        """Padded ranges of the data and every centre of every step, per feature."""
        centres = np.concatenate([t.means.reshape(-1, self.dim) for t in self.tracks])
        both = np.vstack([self.X, centres])
        return tuple(_padded(both[:, d].min(), both[:, d].max()) for d in range(self.dim))

    def _data_panel(self, panel: dict, first: bool) -> None:
        ax, track = panel["data"], panel["track"]
        n_steps = track.n_steps - 1
        ax.set_title(f"{track.name}  ({n_steps} iteration{'s' * (n_steps != 1)})", fontsize=10)
        limits = self._limits()
        ax.set_xlim(*limits[0])
        moving = []
        if self.dim == 1:
            moving += self._density_artists(ax, panel, first)
        else:
            ax.set_ylim(*limits[1])
            ax.set_aspect("equal", adjustable="box")
            ax.set_xlabel("x0", fontsize=8)
            if first:
                ax.set_ylabel("x1", fontsize=8)
            moving += self._plane_artists(ax, panel)
        panel["counter"] = ax.text(
            0.98, 0.97, "", transform=ax.transAxes, ha="right", va="top", fontsize=8,
            animated=True,
        )  # fmt: skip
        panel["moving"] = [*moving, panel["counter"]]
        ax.tick_params(labelsize=7)

    def _density_artists(self, ax, panel: dict, first: bool) -> list:
        x = self.X[:, 0]
        track = panel["track"]
        heights, _, _ = ax.hist(
            x, bins=min(40, max(5, len(x) // 5)), density=True, color="0.85", label="data"
        )
        grid = np.linspace(*ax.get_xlim(), GRID_POINTS)
        panel["grid"] = grid
        top = heights.max()
        if track.covariances is not None:
            peak = max(densities_1d(grid, track, s)[-1].max() for s in range(track.n_steps))
            # A collapsing component's spike would flatten everything else: clip it.
            top = max(top, min(peak, 2.5 * top))
        top *= 1.08
        ax.set_ylim(-STRIP_BOTTOM * top, top)
        ax.axhline(0.0, color="0.5", lw=0.6)
        jitter = np.random.default_rng(0).uniform(-1.0, 1.0, len(x))
        panel["strip"] = (-STRIP_BOTTOM / 2 + STRIP_SPREAD * jitter) * top
        ax.set_xlabel("x", fontsize=8)
        if first:
            ax.set_ylabel("density", fontsize=8)
        points = ax.scatter(
            x, panel["strip"], s=POINT_SIZE, linewidths=0, color="0.5", animated=True
        )
        panel["points"] = points
        curves = []
        for k, colour in enumerate(self.colours):
            (line,) = ax.plot([], [], color=colour, lw=DENSITY_LW, animated=True)
            line.set_label(f"component {k + 1}" if track.covariances is not None else None)
            curves.append(line)
        if track.covariances is not None:
            (mixture,) = ax.plot(
                [], [], color="k", lw=MIXTURE_LW, dashes=MIXTURE_DASHES, animated=True
            )
            mixture.set_label("mixture")
            curves.append(mixture)
        panel["curves"] = curves
        if first:
            handles = [Line2D([], [], color=c, lw=DENSITY_LW) for c in self.colours]
            names = [f"w{k + 1} N(mu{k + 1}, var{k + 1})" for k in range(len(self.colours))]
            handles.append(Line2D([], [], color="k", lw=MIXTURE_LW, dashes=MIXTURE_DASHES))
            ax.legend(handles, [*names, "mixture"], fontsize=6, loc="upper left")
        return [points, *curves]

    def _plane_artists(self, ax, panel: dict) -> list:
        track = panel["track"]
        points = ax.scatter(
            self.X[:, 0], self.X[:, 1], s=POINT_SIZE, linewidths=0, color="0.5", animated=True
        )
        panel["points"] = points
        ellipses, paths, centres = [], [], []
        for colour in self.colours:
            if track.covariances is not None:
                for lw in SIGMA_LW:
                    (line,) = ax.plot([], [], color=colour, lw=lw, animated=True)
                    ellipses.append(line)
            (path,) = ax.plot([], [], color="k", lw=PATH_LW, marker=".", ms=3, animated=True)
            (centre,) = ax.plot(
                [], [], "o", ms=CENTRE_SIZE, mfc=colour, mec="k", mew=1.0, animated=True
            )
            paths.append(path)
            centres.append(centre)
        panel["ellipses"], panel["paths"], panel["centres"] = ellipses, paths, centres
        return [points, *ellipses, *paths, *centres]

    def _objective_panel(self, panel: dict, first: bool) -> None:
        ax, track = panel["objective"], panel["track"]
        label, values = track.objective
        steps = np.arange(track.n_steps)
        ax.plot(steps, values, "o-", ms=2, lw=1.0, color="0.55")
        lo, hi, note = objective_limits(values)
        ax.set_ylim(lo, hi)
        ax.set_xlim(-0.5, self.n_frames - 0.5)
        if note:
            ax.annotate(note, (0.02, 0.05), xycoords="axes fraction", fontsize=7)
        ax.set_xlabel("iteration (0 = the common start)", fontsize=8)
        ax.set_ylabel(label.split(" (")[0], fontsize=8)
        ax.tick_params(labelsize=7)
        ax.xaxis.get_major_locator().set_params(integer=True)
        # The marker of a start outside the axis sits on its edge (the note gives its value).
        panel["objective_y"] = np.clip(values, lo, hi)
        (marker,) = ax.plot([], [], "o", ms=7, mfc="C3", mec="k", animated=True)
        panel["marker"] = marker
        panel["moving"] = [*panel.get("moving", []), marker]

    # ------------------------------------------------------------------ frames

    def _update(self, panel: dict, t: int) -> None:
        track = panel["track"]
        step = track.at(t)
        panel["points"].set_facecolor(point_colours(self.X, track, step))
        if self.dim == 1:
            if track.covariances is not None:
                for line, curve in zip(
                    panel["curves"], densities_1d(panel["grid"], track, step), strict=True
                ):
                    line.set_data(panel["grid"], curve)
            else:
                top = panel["data"].get_ylim()[1]
                for line, mean in zip(panel["curves"], track.means[step, :, 0], strict=True):
                    line.set_data([mean, mean], [0.0, top])
        else:
            lines = iter(panel["ellipses"])
            for k in range(track.means.shape[1]):
                if track.covariances is not None:
                    for n_sigma in (1, 2):
                        outline = ellipse_points(
                            track.means[step, k], track.covariances[step, k], n_sigma
                        )
                        next(lines).set_data(outline[:, 0], outline[:, 1])
                path = track.means[: step + 1, k]
                panel["paths"][k].set_data(path[:, 0], path[:, 1])
                panel["centres"][k].set_data(path[-1:, 0], path[-1:, 1])
        done = " (done)" if step == track.n_steps - 1 else ""
        panel["counter"].set_text(f"step {step} of {track.n_steps - 1}{done}")
        panel["marker"].set_data([step], [panel["objective_y"][step]])

    def render(self, t: int) -> np.ndarray:
        """The image of frame ``t`` (0 <= t < n_frames), shape (height, width, 4), uint8."""
        if not 0 <= t < self.n_frames:
            raise ValueError(f"t is {t}; accepted: 0 <= t < n_frames = {self.n_frames}")
        self.canvas.restore_region(self._background)
        for index, panel in enumerate(self.panels):
            if index in self._held and t >= panel["track"].n_steps - 1:
                self.canvas.restore_region(self._held[index])
                continue
            self._update(panel, t)
            for artist in panel["moving"]:
                self.fig.draw_artist(artist)
            if t == panel["track"].n_steps - 1:
                region = Bbox.union([panel["data"].bbox, panel["objective"].bbox])
                self._held[index] = self.canvas.copy_from_bbox(region)
        return np.asarray(self.canvas.buffer_rgba()).copy()

    def background(self) -> np.ndarray:
        """The static image under every frame, shape (height, width, 4), uint8."""
        self.canvas.restore_region(self._background)
        return np.asarray(self.canvas.buffer_rgba()).copy()

    # ------------------------------------------------------------------ for the page

    def _pixel_map(self, ax) -> dict:
        """Affine data-to-pixel map of ``ax`` (pixels from the top left) and its clip box."""
        height = self.size[1]
        (x0, y0), (x1, y1) = ax.transData.transform([(0.0, 0.0), (1.0, 1.0)])
        box = ax.bbox
        return {
            "map": [x1 - x0, x0, -(y1 - y0), height - y0],
            "clip": [box.x0, height - box.y1, box.width, box.height],
        }

    def geometry(self) -> dict:
        """Pixel geometry of every panel, for the page's script (JSON-ready).

        Returns
        -------
        dict
            ``size`` [width, height]; per track (in order) ``data`` and ``objective``
            panels as ``{"map": [ax, bx, ay, by], "clip": [x, y, w, h]}`` with pixel
            ``(ax * x + bx, ay * y + by)``; ``counter`` [x, y], the top-right anchor of
            the step counter; ``objective_y`` (T+1,) the marker heights (clamped to the
            axis); for 1-D data ``strip`` (N,) the points' heights and ``top`` the density
            axis' upper limit.
        """
        px_per_pt = self.fig.dpi / 72.0
        out = {
            "size": list(self.size),
            "px_per_pt": px_per_pt,
            "style": {
                "point_radius": np.sqrt(POINT_SIZE) / 2 * px_per_pt,
                "density_lw": DENSITY_LW * px_per_pt,
                "mixture_lw": MIXTURE_LW * px_per_pt,
                # matplotlib scales dash lengths by the line width.
                "mixture_dashes": [d * MIXTURE_LW * px_per_pt for d in MIXTURE_DASHES],
                "sigma_lw": [lw * px_per_pt for lw in SIGMA_LW],
                "path_lw": PATH_LW * px_per_pt,
                "centre_radius": CENTRE_SIZE / 2 * px_per_pt,
                "font_px": 8 * px_per_pt,
            },
            "panels": [],
        }
        height = self.size[1]
        for panel in self.panels:
            ax = panel["data"]
            x, y = ax.transAxes.transform((0.98, 0.97))
            entry = {
                "data": self._pixel_map(ax),
                "objective": self._pixel_map(panel["objective"]),
                "counter": [x, height - y],
                "objective_y": panel["objective_y"],
            }
            if self.dim == 1:
                entry["strip"] = panel["strip"]
                entry["top"] = ax.get_ylim()[1]
            out["panels"].append(entry)
        return out
