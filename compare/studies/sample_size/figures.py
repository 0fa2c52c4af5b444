"""Figures of the sample-size study, from its plain data, with their captions.

Each function takes the study's JSON-ready numbers and returns a ``Figure`` (no pyplot, no
global state). Colours as on the case pages: EM red (``C3``), posterior blue (``C0``).
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullFormatter

from ...settings import EM_PCT, HDI_PCT

__all__ = [
    "BIAS_CAPTION",
    "bias_figure",
    "ratio_caption",
    "ratio_figure",
    "width_caption",
    "width_figure",
]

EM, POST = "C3", "C0"


def width_caption(collapse_fraction: float) -> str:
    """Caption of :func:`width_figure`."""
    return (
        f"Interval width against n per component (log-log): EM's {EM_PCT} Wald interval "
        f"(red) and the posterior's {HDI_PCT} HDI (blue), medians over the data sets of each "
        "n (faint dots: each data set). Black x: EM collapsed (a component's sd below "
        f"{collapse_fraction:.0%} of the data's); red triangles at the top: infinite EM "
        "intervals. Grey dotted: slope -1/2."
    )


def ratio_caption(normal_ratio: float, agreement: float) -> str:
    """Caption of :func:`ratio_figure`."""
    return (
        "EM width / HDI width per parameter (medians). The band is agreement within "
        f"{agreement:.0%} of {normal_ratio:.3f}, the ratio of a {EM_PCT} to a {HDI_PCT} normal "
        "interval."
    )


BIAS_CAPTION = (
    "Bias (mean of estimate minus truth over the data sets, ±1 standard error) "
    "of the EM estimate (red) and the posterior mean (blue), against n per "
    "component."
)


def _grid(names: list[str]) -> dict[str, tuple[int, int]]:
    """``"means[1]"`` -> (row 1, column of "means"): one column per parameter array."""
    bases = list(dict.fromkeys(name.split("[")[0] for name in names))
    out = {}
    for name in names:
        base, _, rest = name.partition("[")
        row = int(rest.rstrip("]").split(",")[0]) if rest else 0
        out[name] = (row, bases.index(base))
    return out


def _plain_log_ticks(ax) -> None:
    """Label a log y axis 0.6, 2 rather than 6x10^-1; minor labels only within a decade.

    Call after the data are drawn: the limits decide whether minor ticks get labels.
    """
    plain = FuncFormatter(lambda v, _: f"{v:g}")
    low, high = ax.get_ylim()
    ax.yaxis.set_major_formatter(plain)
    ax.yaxis.set_minor_formatter(plain if high / low <= 10 else NullFormatter())


def _panels(names: list[str], title: str):
    grid = _grid(names)
    nrows = 1 + max(r for r, _ in grid.values())
    ncols = 1 + max(c for _, c in grid.values())
    fig = Figure(figsize=(3.3 * ncols, 2.7 * nrows + 0.4), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax in axes.ravel():
        ax.set_visible(False)
    fig.suptitle(title)
    return fig, {name: axes[r, c] for name, (r, c) in grid.items()}


def width_figure(summary: dict, records: list[dict]) -> Figure:
    """EM and HDI widths against n per component (log-log), one panel per parameter.

    Parameters
    ----------
    summary : dict
        :func:`compare.studies.sample_size.summarise`.
    records : list of dict
        The per-data-set records (their widths are the faint dots; collapsed fits get a
        black x, infinite EM intervals a red triangle at the top of the panel).
    """
    ns = np.array([int(n) for n in summary], float)
    names = list(next(iter(summary.values()))["parameters"])
    fig, axes = _panels(names, "Interval width against sample size")
    for name, ax in axes.items():
        ax.set_visible(True)
        em = np.array([summary[str(int(n))]["parameters"][name]["em_width"] for n in ns])
        hdi = np.array([summary[str(int(n))]["parameters"][name]["hdi_width"] for n in ns])
        widths = [rec["parameters"][name]["em_width"] for rec in records]
        finite = [w for w in widths if np.isfinite(w) and w > 0]
        top = 2.0 * max([*finite, *hdi[np.isfinite(hdi)]])
        for rec in records:
            n, p = rec["n_per_component"], rec["parameters"][name]
            w = p["em_width"]
            if not np.isfinite(w):
                ax.plot(n, top, "^", color=EM, ms=7, zorder=4)
            else:
                ax.plot(n, w, ".", color=EM, alpha=0.3, ms=4)
                if rec["collapsed"]:
                    ax.plot(n, w, "x", color="k", ms=7, mew=1.5, zorder=5)
            ax.plot(n, p["hdi_width"], ".", color=POST, alpha=0.3, ms=4)
        shown = np.isfinite(em)
        ax.plot(ns[shown], em[shown], "o-", color=EM, label=f"EM {EM_PCT} (median)")
        ax.plot(ns, hdi, "s-", color=POST, label=f"HDI {HDI_PCT} (median)")
        # Slope -1/2 through the largest n's HDI width: what both should follow.
        ax.plot(ns, hdi[-1] * np.sqrt(ns[-1] / ns), ":", color="0.5", label="slope -1/2")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_ylim(top=top * 1.5)
        _plain_log_ticks(ax)
        ax.set_title(name)
        ax.set_xlabel("n per component")
        ax.set_ylabel("width")
    next(iter(axes.values())).legend(fontsize="small")
    return fig


def ratio_figure(summary: dict, normal_ratio: float, agreement: float) -> Figure:
    """EM width / HDI width against n, every parameter on one axis, with the agreement band."""
    ns = np.array([int(n) for n in summary], float)
    names = list(next(iter(summary.values()))["parameters"])
    fig = Figure(figsize=(6.0, 3.8), layout="constrained")
    ax = fig.add_subplot()
    ax.axhspan(
        normal_ratio * (1 - agreement),
        normal_ratio * (1 + agreement),
        color="0.85",
        label=f"within {agreement:.0%} of {normal_ratio:.3f}",
    )
    for i, name in enumerate(names):
        ratio = np.array([summary[str(int(n))]["parameters"][name]["ratio"] for n in ns])
        finite = np.isfinite(ratio)
        line = ax.plot(ns[finite], ratio[finite], "o-", color=f"C{i}", label=name, ms=4)
        for n in ns[~finite]:  # an infinite EM interval: an arrow off the top
            ax.annotate(
                "∞", (n, 1.0), xycoords=("data", "axes fraction"), color=line[0].get_color()
            )
    ax.set_xscale("log")
    ax.set_yscale("log")
    _plain_log_ticks(ax)
    ax.set_xlabel("n per component")
    ax.set_ylabel("EM width / HDI width")
    ax.set_title("Where EM's and the posterior's intervals agree")
    ax.legend(fontsize="small", ncols=2)
    return fig


def bias_figure(summary: dict) -> Figure:
    """Mean error (± its standard error) of EM and the posterior mean against n."""
    ns = np.array([int(n) for n in summary], float)
    names = list(next(iter(summary.values()))["parameters"])
    fig, axes = _panels(names, "Bias against sample size")
    for name, ax in axes.items():
        ax.set_visible(True)
        p = [summary[str(int(n))]["parameters"][name] for n in ns]
        # Nudge the two sides apart on the log axis so their error bars do not overlap.
        ax.errorbar(
            ns * 0.93,
            [x["em_bias"] for x in p],
            yerr=[np.nan_to_num(x["em_bias_se"]) for x in p],
            fmt="o-",
            color=EM,
            capsize=2,
            label="EM",
        )
        ax.errorbar(
            ns * 1.07,
            [x["post_bias"] for x in p],
            yerr=[np.nan_to_num(x["post_bias_se"]) for x in p],
            fmt="s-",
            color=POST,
            capsize=2,
            label="posterior mean",
        )
        ax.axhline(0.0, color="k", lw=0.8)
        ax.set_xscale("log")
        ax.set_title(name)
        ax.set_xlabel("n per component")
        ax.set_ylabel("estimate - truth")
    next(iter(axes.values())).legend(fontsize="small")
    return fig
