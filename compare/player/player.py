"""The iteration player of one data set: its files and its HTML snippet."""

from __future__ import annotations

import io
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from .._atomic import write_file_atomic
from .files import check_data
from .frames import DPI, PlayerFigure
from .gif import frame_durations, gif_bytes
from .history import as_track
from .page import player_data, player_html

__all__ = ["PlayerResult", "write_player"]

_PREFIX = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


@dataclass
class PlayerResult:
    """What :func:`write_player` wrote.

    Attributes
    ----------
    html : str
        The snippet to put in a page that lives in ``out_dir`` (its links are relative).
    files : dict of str to Path
        ``final`` (PNG of the last frame), ``background`` (PNG under the script's drawing),
        ``gif`` (the animation).
    bytes : dict of str to int
        Size of every file and of the snippet (``html``); ``total`` their sum.
    n_frames : int
        T+1 of the longest run.
    seconds : float
        Wall time of the whole call.
    timings : dict of str to float
        ``figure``, ``frames``, ``gif``, ``write`` seconds.
    """

    html: str
    files: dict[str, Path]
    bytes: dict[str, int]
    n_frames: int
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)


def _png(image: np.ndarray) -> bytes:
    """A palette PNG: a figure has few colours, and 255 of them keep the blends smooth
    while the file shrinks to about half of an RGB one."""
    rgb = Image.fromarray(np.ascontiguousarray(image[..., :3]))
    out = io.BytesIO()
    rgb.quantize(255, method=Image.Quantize.MEDIANCUT).save(out, format="PNG", optimize=True)
    return out.getvalue()


def write_player(
    out_dir: str | os.PathLike,
    X: Any,
    histories: Mapping[str, Any],
    *,
    title: str,
    prefix: str = "player",
    assignments: Mapping[str, str] | None = None,
    dpi: int = DPI,
) -> PlayerResult:
    """Write the iteration player of several runs on one data set into ``out_dir``.

    The runs (soft EM, hard EM and k-means from one start, typically) are drawn side by
    side and step together; a shorter run holds its last step. Files written, each
    atomically, and nothing else: ``<prefix>_final.png``, ``<prefix>_background.png``,
    ``<prefix>.gif`` (exactly T+1 frames, T the longest run's iterations).

    Parameters
    ----------
    out_dir : path
        Created if missing; the page showing the snippet must live here.
    X : array-like of shape (N, D) or (N,)
        The data, ``D`` 1 or 2.
    histories : mapping of str to em.FitHistory-like
        Panel title to history (see :mod:`compare.player.history`), in display order,
        e.g. :func:`compare.player.history.variant_histories` of fits with
        ``keep_history=True``.
    title : str
        Heading of the snippet.
    prefix : str, default "player"
        File name prefix (letters, digits, ``_.-``), so several players share a folder.
    assignments : mapping of str to {"soft", "hard", "nearest"}, optional
        How each history colours the points; default from the history (see
        :func:`compare.player.history.as_track`).
    dpi : int, default 80

    Returns
    -------
    PlayerResult

    Raises
    ------
    ValueError, TypeError
        Bad ``X``, ``histories`` (shapes, component or feature counts that disagree) or
        ``prefix``.
    """
    started = time.perf_counter()
    X = check_data(X)
    if not isinstance(histories, Mapping) or not histories:
        raise TypeError(
            "histories must be a non-empty mapping of panel title to an em.FitHistory-like "
            f"object; got {type(histories).__name__}"
        )
    if not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix):
        raise ValueError(
            f"prefix is {prefix!r}; accepted: letters, digits, '_', '.', '-' (not first)"
        )
    assignments = dict(assignments or {})
    unknown = set(assignments) - set(histories)
    if unknown:
        raise ValueError(
            f"assignments names {sorted(unknown)}, not in histories; accepted: keys of "
            f"histories {list(histories)}"
        )
    tracks = [as_track(str(name), h, assignments.get(name)) for name, h in histories.items()]
    shape = tracks[0].means.shape[1:]
    for track in tracks:
        if track.means.shape[1:] != (shape[0], X.shape[1]):
            raise ValueError(
                f"histories[{track.name!r}].means has {track.means.shape[1]} components of "
                f"{track.means.shape[2]} features; accepted: the same K for every history "
                f"({shape[0]}) and D = {X.shape[1]}, the columns of X"
            )

    t0 = time.perf_counter()
    figure = PlayerFigure(X, tracks, dpi=dpi)
    t1 = time.perf_counter()
    frames = [figure.render(t) for t in range(figure.n_frames)]
    t2 = time.perf_counter()
    gif = gif_bytes(frames)
    t3 = time.perf_counter()

    out = Path(out_dir)
    names = {
        "final": f"{prefix}_final.png",
        "background": f"{prefix}_background.png",
        "gif": f"{prefix}.gif",
    }
    contents = {"final": _png(frames[-1]), "background": _png(figure.background()), "gif": gif}
    files, sizes = {}, {}
    for key, name in names.items():
        files[key] = out / name
        sizes[key] = write_file_atomic(files[key], contents[key])
    data = player_data(
        X,
        tracks,
        figure.geometry(),
        background=names["background"],
        interval_ms=frame_durations(figure.n_frames)[0],
    )
    snippet = player_html(
        data, title=title, final_src=names["final"], gif_src=names["gif"], size=figure.size
    )
    sizes["html"] = len(snippet.encode())
    sizes["total"] = sum(sizes.values())
    t4 = time.perf_counter()
    return PlayerResult(
        html=snippet,
        files=files,
        bytes=sizes,
        n_frames=figure.n_frames,
        seconds=t4 - started,
        timings={"figure": t1 - t0, "frames": t2 - t1, "gif": t3 - t2, "write": t4 - t3},
    )
