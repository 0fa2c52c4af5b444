"""ArviZ figures of one :class:`compare.ComparisonResult`.

They plot the *aligned* posterior under the report's parameter names (``weights``,
``means``, ``sigma``, ...), so the reference lines for the truth and the EM estimate line up
component by component with what EM reports. Each function returns an ArviZ
``PlotCollection`` (or ``PlotMatrix``); the report writer saves it.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

__all__ = ["AZ_FIGURES", "az_figures_for", "posterior_tree"]

FIGSIZE = (8.0, 5.0)
# ArviZ lays one panel per scalar parameter in rows of at most this many.
COL_WRAP = 4


def _plot_vars(result) -> list[str]:
    """Variables worth a panel each; a 2-D case's covariances stay in the table and forest."""
    return [name for name in result.posterior if name != "covariances"]


def _panel_figsize(result, names) -> tuple[float, float]:
    """A figure size that gives every panel room for its two-line title and axis labels."""
    n_panels = sum(int(np.prod(result.posterior[n].shape[2:], dtype=int)) for n in names)
    rows = -(-n_panels // COL_WRAP)
    return (9.0, max(3.5, 3.0 * rows))


def _spaced(pc):
    """Let matplotlib lay the panels out so two-line titles clear the row above."""
    pc.viz["figure"].item().set_layout_engine("constrained")
    return pc


def posterior_tree(result) -> xr.DataTree:
    """The aligned posterior (report names) with the run's sample stats, as a DataTree."""
    posterior = xr.Dataset(dict(result.posterior))
    groups = {"posterior": posterior}
    if "sample_stats" in result.bayes.idata.children:
        groups["sample_stats"] = result.bayes.idata.sample_stats.to_dataset()
    return xr.DataTree.from_dict(groups)


def trace(result):
    """Marginal densities and traces per chain (``plot_trace_dist``)."""
    import arviz as az

    return az.plot_trace_dist(
        posterior_tree(result), var_names=_plot_vars(result), figure_kwargs={"figsize": (8.0, 5.0)}
    )


def rank(result):
    """Rank plots: for mixing chains every chain's ranks are uniform."""
    import arviz as az

    names = _plot_vars(result)
    return _spaced(
        az.plot_rank(
            posterior_tree(result),
            var_names=names,
            col_wrap=COL_WRAP,
            figure_kwargs={"figsize": _panel_figsize(result, names)},
        )
    )


def posterior_with_references(result):
    """Posterior marginals with vertical lines at the truth (black) and the EM estimate (red)."""
    import arviz as az

    names = _plot_vars(result)
    pc = _spaced(
        az.plot_dist(
            posterior_tree(result),
            var_names=names,
            col_wrap=COL_WRAP,
            figure_kwargs={"figsize": _panel_figsize(result, names)},
        )
    )
    refs = _references(result, names)
    if refs is not None:
        labels = list(refs["ref_dim"].values)
        colours = {"truth": "k", "EM": "C3"}
        az.add_lines(
            pc, refs, aes_by_visuals={"ref_line": ["color"]}, color=[colours[x] for x in labels]
        )
    return pc


def _references(result, names) -> xr.Dataset | None:
    sources = {}
    if result.case.truth is not None:
        sources["truth"] = {r.name: r.truth for r in result.rows}
    sources["EM"] = {r.name: r.em_estimate for r in result.rows}
    data = {}
    for name in names:
        template = result.posterior[name].isel(chain=0, draw=0, drop=True)
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


def pair(result):
    """Pair plot of the parameters (at most a few, to stay legible)."""
    import arviz as az

    # Every scalar gets a row and a column: keep the means and spreads of a mixture only.
    names = [n for n in _plot_vars(result) if n != "weights"] or _plot_vars(result)
    return az.plot_pair(
        posterior_tree(result), var_names=names, figure_kwargs={"figsize": (6.5, 6.5)}
    )


def ppc(result):
    """Posterior predictive check: replicated data sets against the observed one."""
    import arviz as az

    if result.case.kind == "logistic":
        # 0/1 outcomes: a calibration (PAV) plot, as ArviZ recommends for binary data.
        return az.plot_ppc_pava(result.predictive, figure_kwargs={"figsize": FIGSIZE})
    return az.plot_ppc_dist(result.predictive, num_samples=50, figure_kwargs={"figsize": FIGSIZE})


AZ_FIGURES = {
    "az_trace": trace,
    "az_rank": rank,
    "az_posterior": posterior_with_references,
    "az_pair": pair,
    "az_ppc": ppc,
}


def az_figures_for(result) -> list[str]:
    """Names of the :data:`AZ_FIGURES` that apply to ``result``'s case."""
    names = ["az_trace", "az_rank", "az_posterior", "az_pair"]
    if result.case.kind != "categorical":
        # A PPC of four counts pooled into one density says nothing; the forest says it all.
        names.append("az_ppc")
    return names
