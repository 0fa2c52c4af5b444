"""Section "landscape": EM from many random starts over the log-likelihood surface of the
two means, coloured by the optimum each run reached, with the posterior draws on top.

``compute`` runs the restarts (one ``GaussianMixtureEM(init="random_from_data",
n_init=LANDSCAPE_STARTS, keep_history="all")``, seeded by the case's EM seed) and keeps the
paths, the classes and the posterior draws of the two means' first coordinates;
``render`` draws the figure and the count table (:func:`compare.player.write_landscape`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..player import Restarts, find_restarts, write_landscape
from ..player.page import rounded
from . import Section

__all__ = ["LANDSCAPE_CASES", "LANDSCAPE_POSTERIOR_DRAWS", "LANDSCAPE_STARTS", "SECTION"]

# The two-component lecture cases: the picture is a plane of two means.
LANDSCAPE_CASES = frozenset({"lecture-1d", "lecture-1d-close", "lecture-2d"})
# Random starts per case: enough to meet every optimum the lecture's data have more than
# once, at a few milliseconds each.
LANDSCAPE_STARTS = 20
# Posterior draws shown on top (evenly thinned): more only hide the paths.
LANDSCAPE_POSTERIOR_DRAWS = 400


def _posterior_first_coordinates(result) -> np.ndarray:
    """Aligned posterior draws of the two means' first coordinates, thinned: (S, 2)."""
    means = np.asarray(result.posterior["means"].values, float)  # (chain, draw, K[, D])
    flat = means.reshape(means.shape[0] * means.shape[1], means.shape[2], -1)[:, :, 0]
    keep = np.unique(np.linspace(0, len(flat) - 1, LANDSCAPE_POSTERIOR_DRAWS).astype(int))
    return flat[keep]


def compute(result) -> dict:
    """The restarts (paths, classes, counts) and the posterior draws to draw over them."""
    if result.case.n_components != 2:
        raise ValueError(
            f"case {result.case.name!r} has {result.case.n_components} components; "
            "accepted: 2 (the landscape is the plane of two means)"
        )
    restarts = find_restarts(
        result.data.X, n_starts=LANDSCAPE_STARTS, seed=int(result.settings["seeds"]["em"])
    )
    return {
        "X": np.asarray(result.data.X, float).tolist(),
        "counts": restarts.counts,
        "restarts": restarts.to_dict(),
        "posterior_means": rounded(_posterior_first_coordinates(result)),
    }


def render(data: dict, directory: Path) -> str:
    """Write ``landscape.png``; the figure, the count table and a sentence on the counts."""
    drawn = write_landscape(
        directory,
        np.asarray(data["X"], float),
        posterior_means=np.asarray(data["posterior_means"], float),
        restarts=Restarts.from_dict(data["restarts"]),
        prefix="landscape",
    )
    counts = data["counts"]
    total = sum(counts.values())
    return (
        f"<p>{total} random starts (two distinct data points as means, every covariance "
        "that of all the data, equal weights: the lecture's gmm1 start): "
        f"{counts['best'] + counts['twin']} reach the best optimum ({counts['best']} as "
        f"labelled, {counts['twin']} with the labels swapped), {counts['worse']} a worse "
        f"local optimum, {counts['collapse']} a collapsing component. The posterior draws "
        "(yellow) sit on one of the two mirror-image peaks: the model orders its means, and "
        "the draws are matched to the reference components.</p>" + drawn.html
    )


SECTION = Section(
    name="landscape",
    title="Restarts over the likelihood landscape",
    applies=lambda case: case.name in LANDSCAPE_CASES,
    compute=compute,
    render=render,
)
