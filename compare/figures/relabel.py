"""The relabelling section's figure: marginal densities of each mean, ordered against relabelled."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

__all__ = ["DENSITY_CAPTION", "density_figure"]

DENSITY_CAPTION = (
    "Marginal posterior density of each component mean: the ordered model (black) and the "
    "unordered model relabelled by the pivot, Stephens and ECR algorithms (colours). Where "
    "the curves coincide the ordering constraint changes nothing; where they part, the "
    "constraint mu[0] < mu[1] has cut the posterior."
)
_STYLES = {"pivot": ("C0", "-"), "stephens": ("C1", "--"), "ecr": ("C2", ":")}


def density_figure(densities: dict) -> Figure:
    """One panel per component mean.

    Parameters
    ----------
    densities : dict
        ``grid`` (G,) and, per posterior (``ordered``, ``pivot``, ``stephens``, ``ecr``),
        one density (G,) per component.
    """
    grid = np.asarray(densities["grid"])
    n_components = len(densities["ordered"])
    fig = Figure(figsize=(4.0 * n_components, 3.2), layout="constrained")
    axes = fig.subplots(1, n_components, squeeze=False)[0]
    for k, ax in enumerate(axes):
        ax.plot(grid, densities["ordered"][k], color="k", lw=2, label="ordered")
        for method, (colour, style) in _STYLES.items():
            if method in densities:
                ax.plot(grid, densities[method][k], color=colour, ls=style, label=method)
        ax.set_title(f"mean of component {k}")
        ax.set_xlabel("mu")
    axes[0].set_ylabel("posterior density")
    axes[-1].legend(fontsize="small")
    return fig
