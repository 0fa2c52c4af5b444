"""The coverage study's figure, from its plain data, with its caption.

Colours as on the case pages: EM red (``C3``), posterior blue (``C0``); the bootstrap
orange (``C1``).
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ...settings import EM_PCT, HDI_PCT

__all__ = ["coverage_caption", "coverage_figure"]

EM, POST, BOOT = "C3", "C0", "C1"


def coverage_caption(replications: int) -> str:
    """Caption of :func:`coverage_figure`."""
    return (
        f"Coverage per parameter over R={replications} replications, with Monte-Carlo error "
        f"bars (±1 standard error, sqrt(p(1-p)/R)). Dashed lines: the nominal {EM_PCT} of "
        f"EM's intervals (red) and {HDI_PCT} of the HDI (blue)."
    )


def coverage_figure(coverage: dict, methods: dict, replications: int) -> Figure:
    """Coverage per parameter and method with Monte-Carlo error bars; one panel per structure.

    Parameters
    ----------
    coverage : dict
        ``{structure: {parameter: {method: {"fraction", "se", ...}}}}``.
    methods : dict
        ``{method: (label, nominal level)}``, in plotting order.
    replications : int
        R, for the title.
    """
    widths = [len(params) for params in coverage.values()]
    fig = Figure(figsize=(1.1 * sum(widths) + 2.0, 3.9), layout="constrained")
    axes = fig.subplots(1, len(coverage), width_ratios=widths, sharey=True, squeeze=False)[0]
    colours = dict(zip(methods, (EM, BOOT, POST), strict=False))
    lowest = 1.0
    for ax, (structure, params) in zip(axes, coverage.items(), strict=True):
        x = np.arange(len(params))
        for j, (method, (label, _)) in enumerate(methods.items()):
            frac = np.array([params[p][method]["fraction"] for p in params])
            se = np.array([params[p][method]["se"] for p in params])
            ax.errorbar(
                x + (j - 1) * 0.22,
                frac,
                yerr=np.nan_to_num(se),
                fmt="o",
                color=colours[method],
                capsize=3,
                label=label,
            )
            lowest = min(lowest, float(np.nanmin(frac - se)))
        # One line per nominal level, in the colour of the first method that has it.
        nominals = {nom: colours[m] for m, (_, nom) in reversed(methods.items())}
        for nominal, colour in nominals.items():
            ax.axhline(nominal, ls="--", color=colour, lw=1, label=f"nominal {nominal * 100:g} %")
        ax.set_xticks(x, list(params), rotation=30)
        ax.set_title(structure)
    axes[0].set_ylabel("fraction covering the truth")
    axes[0].set_ylim(max(0.0, min(lowest, 0.8) - 0.05), 1.02)
    axes[-1].legend(fontsize="small", loc="lower right", ncols=2)
    fig.suptitle(f"Coverage over R={replications} replications")
    return fig
