"""Section "player": soft EM, hard EM and k-means from the case's lecture start, stepping
together, with the animated GIF beside the page.

The three runs are the comparison's own variants (:attr:`ComparisonResult.variants`,
fitted once with ``keep_history=True`` for the iteration figure too): nothing is refitted
here. ``compute`` keeps their histories as numbers; ``render`` draws the player
(:func:`compare.player.write_player`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from em import FitHistory

from ..player import variant_histories, write_player
from . import Section

__all__ = ["LECTURE_CASES", "SECTION", "history_from_dict", "history_to_dict"]

# The lecture's cases: their start is the one the lecture used (or its gmm1 rule).
LECTURE_CASES = frozenset(
    {"lecture-1d", "lecture-1d-close", "lecture-2d", "three-1d", "worked-example"}
)
_FIELDS = ("weights", "means", "covariances", "log_likelihood", "inertia")


def history_to_dict(history: FitHistory) -> dict:
    """An ``em.FitHistory`` as JSON-ready lists (None kept)."""
    return {
        k: None if getattr(history, k) is None else getattr(history, k).tolist() for k in _FIELDS
    }


def history_from_dict(data: dict) -> FitHistory:
    """The inverse of :func:`history_to_dict`."""
    return FitHistory(**{k: None if data.get(k) is None else np.asarray(data[k]) for k in _FIELDS})


def _start_text(start: dict) -> str:
    means = np.asarray(start["means"], float)
    if means.shape[1] == 1:
        sds = np.sqrt(np.asarray(start["covariances"], float)[:, 0, 0])
        return (
            "means "
            + ", ".join(f"{m:.3g}" for m in means[:, 0])
            + "; sds "
            + ", ".join(f"{s:.3g}" for s in sds)
        )
    return "means " + ", ".join("(" + ", ".join(f"{v:.3g}" for v in m) + ")" for m in means)


def compute(result) -> dict:
    """The three runs' histories and the data, from ``result.variants``."""
    variants = result.variants
    if variants is None:
        raise ValueError(
            f"case {result.case.name!r} has no soft/hard EM and k-means variants; accepted: "
            "a mixture case"
        )
    histories = variant_histories(variants)
    return {
        "X": np.asarray(result.data.X, float).tolist(),
        "start": _start_text(variants["start"]),
        "n_iter": {title: int(h.n_steps - 1) for title, h in histories.items()},
        "histories": {title: history_to_dict(h) for title, h in histories.items()},
    }


def render(data: dict, directory: Path) -> str:
    """Write ``player_final.png``, ``player_background.png`` and ``player.gif``; the HTML."""
    histories = {title: history_from_dict(h) for title, h in data["histories"].items()}
    played = write_player(
        directory,
        np.asarray(data["X"], float),
        histories,
        title=f"From one start ({data['start']})",
        prefix="player",
    )
    steps = ", ".join(f"{title} {n}" for title, n in data["n_iter"].items())
    return (
        "<p>The three algorithms of the lecture, each from the same start, one column each: "
        "the points coloured by their responsibilities (soft EM: a blend of the component "
        "colours; hard EM and k-means: the winning component), the current components, and "
        "below the objective each step improves. Step with the buttons or play; a run that "
        f"has stopped holds its last step. Iterations: {steps}.</p>" + played.html
    )


SECTION = Section(
    name="player",
    title="Watching EM work: iteration by iteration",
    applies=lambda case: case.name in LECTURE_CASES,
    compute=compute,
    render=render,
)
