"""ArviZ figures of one comparison.

They plot the *aligned* posterior under the report's parameter names (``weights``,
``means``, ``sigma``, ...), so the reference lines for the truth and the EM estimate line up
component by component with what EM reports. Each function takes the posterior (a dict of
DataArrays) and what else it draws and returns an ArviZ ``PlotCollection`` (or
``PlotMatrix``); the report writer saves it. Captions sit beside the functions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

from ._spec import FigureSpec

__all__ = ["ARVIZ_FIGURES", "posterior_tree"]

FIGSIZE = (8.0, 5.0)
# ArviZ lays one panel per scalar parameter in rows of at most this many.
COL_WRAP = 4


def _plot_vars(posterior: dict) -> list[str]:
    """Variables worth a panel each; a 2-D case's covariances stay in the table and forest."""
    return [name for name in posterior if name != "covariances"]


def _panel_figsize(posterior: dict, names) -> tuple[float, float]:
    """A figure size that gives every panel room for its two-line title and axis labels."""
    n_panels = sum(int(np.prod(posterior[n].shape[2:], dtype=int)) for n in names)
    rows = -(-n_panels // COL_WRAP)
    return (9.0, max(3.5, 3.0 * rows))


def _spaced(pc):
    """Let matplotlib lay the panels out so two-line titles clear the row above."""
    pc.viz["figure"].item().set_layout_engine("constrained")
    return pc


def posterior_tree(posterior: dict, idata) -> xr.DataTree:
    """The aligned posterior (report names) with the run's sample stats, as a DataTree.

    Parameters
    ----------
    posterior : dict of DataArray
        Report name -> draws (chain, draw, ...).
    idata : xarray.DataTree
        The sampled tree; its ``sample_stats`` are carried over when present.
    """
    groups = {"posterior": xr.Dataset(dict(posterior))}
    if "sample_stats" in idata.children:
        groups["sample_stats"] = idata.sample_stats.to_dataset()
    return xr.DataTree.from_dict(groups)


TRACE_CAPTION = "ArviZ plot_trace_dist: marginal densities and traces per chain."


def trace(posterior: dict, idata):
    """Marginal densities and traces per chain (``plot_trace_dist``)."""
    import arviz as az

    return az.plot_trace_dist(
        posterior_tree(posterior, idata),
        var_names=_plot_vars(posterior),
        figure_kwargs={"figsize": (8.0, 5.0)},
    )


RANK_CAPTION = "ArviZ plot_rank: chains that mix give uniform ranks."


def rank(posterior: dict, idata):
    """Rank plots: for mixing chains every chain's ranks are uniform."""
    import arviz as az

    names = _plot_vars(posterior)
    return _spaced(
        az.plot_rank(
            posterior_tree(posterior, idata),
            var_names=names,
            col_wrap=COL_WRAP,
            figure_kwargs={"figsize": _panel_figsize(posterior, names)},
        )
    )


POSTERIOR_CAPTION = "ArviZ plot_dist with reference lines: truth (black) and EM (red)."


def posterior_with_references(posterior: dict, idata, rows: Sequence, has_truth: bool):
    """Posterior marginals with vertical lines at the truth (black) and the EM estimate (red).

    Parameters
    ----------
    posterior : dict of DataArray
    idata : xarray.DataTree
    rows : sequence of ParameterComparison
        Where the reference values come from (``truth``, ``em_estimate`` by row name).
    has_truth : bool
        Whether to draw the truth's lines.
    """
    import arviz as az

    names = _plot_vars(posterior)
    pc = _spaced(
        az.plot_dist(
            posterior_tree(posterior, idata),
            var_names=names,
            col_wrap=COL_WRAP,
            figure_kwargs={"figsize": _panel_figsize(posterior, names)},
        )
    )
    refs = _references(posterior, names, rows, has_truth)
    if refs is not None:
        labels = list(refs["ref_dim"].values)
        colours = {"truth": "k", "EM": "C3"}
        az.add_lines(
            pc, refs, aes_by_visuals={"ref_line": ["color"]}, color=[colours[x] for x in labels]
        )
    return pc


def _references(posterior, names, rows, has_truth) -> xr.Dataset | None:
    sources = {}
    if has_truth:
        sources["truth"] = {r.name: r.truth for r in rows}
    sources["EM"] = {r.name: r.em_estimate for r in rows}
    data = {}
    for name in names:
        template = posterior[name].isel(chain=0, draw=0, drop=True)
        stacked = []
        for values in sources.values():
            arr = np.full(template.shape, np.nan)
            for index in np.ndindex(template.shape):
                label = name if not index else f"{name}[{', '.join(map(str, index))}]"
                arr[index] = values.get(label, np.nan)
            stacked.append(arr)
        data[name] = xr.DataArray(
            np.stack(stacked, axis=-1),
            dims=(*template.dims, "ref_dim"),
            coords={d: template.coords[d].values for d in template.dims if d in template.coords},
        )
    return xr.Dataset(data, coords={"ref_dim": list(sources)})


PAIR_CAPTION = "ArviZ plot_pair: joint posterior of the parameters."


def pair(posterior: dict, idata):
    """Pair plot of the parameters (at most a few, to stay legible)."""
    import arviz as az

    # Every scalar gets a row and a column: keep the means and spreads of a mixture only.
    names = [n for n in _plot_vars(posterior) if n != "weights"] or _plot_vars(posterior)
    return az.plot_pair(
        posterior_tree(posterior, idata), var_names=names, figure_kwargs={"figsize": (6.5, 6.5)}
    )


PPC_CAPTION = (
    "ArviZ plot_ppc_dist (plot_ppc_pava for 0/1 data): replicated data sets (simulated from "
    "posterior draws) against the observed data."
)


def ppc(predictive: xr.DataTree):
    """Posterior predictive check: replicated data sets against the observed one."""
    import arviz as az

    return az.plot_ppc_dist(predictive, num_samples=50, figure_kwargs={"figsize": FIGSIZE})


def ppc_pava(predictive: xr.DataTree):
    """Posterior predictive check of 0/1 outcomes: a calibration (PAV) plot, as ArviZ advises."""
    import arviz as az

    return az.plot_ppc_pava(predictive, figure_kwargs={"figsize": FIGSIZE})


ARVIZ_FIGURES = {
    "az_trace": FigureSpec("az_trace", TRACE_CAPTION, lambda r: trace(r.posterior, r.bayes.idata)),
    "az_rank": FigureSpec("az_rank", RANK_CAPTION, lambda r: rank(r.posterior, r.bayes.idata)),
    "az_posterior": FigureSpec(
        "az_posterior",
        POSTERIOR_CAPTION,
        lambda r: posterior_with_references(
            r.posterior, r.bayes.idata, r.rows, r.case.truth is not None
        ),
    ),
    "az_pair": FigureSpec("az_pair", PAIR_CAPTION, lambda r: pair(r.posterior, r.bayes.idata)),
    "az_ppc": FigureSpec("az_ppc", PPC_CAPTION, lambda r: ppc(r.predictive)),
    # Same file and caption as az_ppc: the kind of 0/1 outcomes picks this one instead.
    "az_ppc_pava": FigureSpec("az_ppc", PPC_CAPTION, lambda r: ppc_pava(r.predictive)),
}
