"""The notebook view of one comparison (``ComparisonResult._repr_html_``).

Key numbers, the parameter table (EM beside the posterior) and the case's first figure
inline, built with :mod:`compare.notebook`; no Jupyter import.
"""

from __future__ import annotations

from .. import metrics as M
from ..notebook import figure_html, summary_html
from ..settings import EM_LEVEL, HDI_PROB

__all__ = ["PARAMETER_HEADER", "comparison_html"]

PARAMETER_HEADER = [
    "parameter", "truth", "EM estimate", "EM se", f"EM {EM_LEVEL:.0%} lower",
    f"EM {EM_LEVEL:.0%} upper", "post. mean", "post. sd", f"{HDI_PROB:.0%} HDI lower",
    f"{HDI_PROB:.0%} HDI upper",
]  # fmt: skip

# metrics key -> label, in the order shown.
_KEY_NUMBERS = {
    M.N_OBSERVATIONS: "observations",
    M.LOG_LIKELIHOOD_EM: "log-lik at EM",
    M.LOG_LIKELIHOOD_POSTERIOR_MEAN: "log-lik at posterior mean",
    M.EM_BIC: "BIC (EM)",
    M.ARI_EM: "ARI EM",
    M.ARI_POSTERIOR: "ARI posterior",
    M.LOOIC: "LOO-IC (posterior)",
    M.EM_N_ITER: "EM iterations",
}


def comparison_html(result) -> str:
    """HTML summary of a :class:`~compare.engine.comparison.ComparisonResult`."""
    from ..figures import case_figures

    m, d, s = result.metrics, result.diagnostics, result.settings
    numbers = {label: m[key] for key, label in _KEY_NUMBERS.items() if key in m}
    numbers |= {
        "chains converged": result.converged,
        "max R-hat": d.get("max_rhat"),
        "divergences": d.get("divergences"),
    }
    rows = [
        [r.name, r.truth, r.em_estimate, r.em_se, r.em_lower, r.em_upper, r.post_mean,
         r.post_sd, r.hdi_lower, r.hdi_upper]
        for r in result.rows
    ]  # fmt: skip
    figures = []
    specs = case_figures(result)
    if specs:
        try:
            figures.append(figure_html(specs[0].draw(result), specs[0].stem, specs[0].caption))
        except Exception as exc:  # the numbers are still worth showing
            figures.append(f"<p>Figure {specs[0].stem} failed: {type(exc).__name__}</p>")
    return summary_html(
        f"Comparison: {result.case.name}",
        lines=[
            result.case.description,
            f"Seed {s['seed']}; {s['chains']} chains x {s['draws']} draws ({s['tune']} "
            f"tuning), sampler {s['sampler']}" + (" (quick)." if s["quick"] else "."),
        ],
        warnings=[n for n in result.notes if n.startswith("WARNING")],
        key_numbers=numbers,
        tables=[("Parameters: EM beside the posterior", PARAMETER_HEADER, rows)],
        figures=figures,
    )
