"""Both sides of one study replication, summarised as a study needs them.

The fitting, naming, aligning and rows are :func:`compare.engine.pair.fit_both`, the same
pipeline a comparison runs; this keeps only what a study summarises: the parameter rows
(components in the truth's order), what went wrong, and the wall times. The compiled model
is reused through :func:`compare.engine.fit.fit_bayes`'s cache (one per
:meth:`compare.cases.Case.model_key`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..cases import Case, Dataset
from ..engine.pair import fit_both
from ..engine.params import ParameterComparison
from ..kinds import get_kind
from ..kinds.mixture import COLLAPSE_FRACTION
from ..settings import SAMPLERS

__all__ = ["COLLAPSE_FRACTION", "PairFit", "compile_delta", "fit_pair"]


@dataclass
class PairFit:
    """One data set fitted by EM and by the posterior.

    Attributes
    ----------
    wald : list of ParameterComparison
        EM's own intervals (observed information for mixtures, exact/Wald for regressions)
        beside the posterior's HDI, one row per scalar parameter.
    bootstrap : list of ParameterComparison or None
        The same rows with EM's percentile bootstrap intervals; ``None`` when not asked
        for, or when the bootstrap failed (see ``bootstrap_info``).
    em_warnings : list of str
        Warnings of the EM fit and its intervals (``"ClassName: message"``).
    bootstrap_info : dict
        ``n_boot``, ``n_failed``, ``warnings`` (class name -> refits), ``error``.
    posterior_ok : bool
        Whether the chains passed :func:`models.diagnostics`.
    posterior_reasons : list of str
    collapsed : bool or None
        Mixtures: a component's sd fell below :data:`COLLAPSE_FRACTION` of the data's,
        or EM reported a degenerate component. ``None`` for other kinds.
    em_interval_infinite : bool
        Some EM (Wald) interval is infinite or undefined: the information was singular.
    reused_model : bool
        The compiled model came from the cache (its data swapped).
    timings : dict of str to float
        ``em``, ``bootstrap``, ``build``, ``compile``, ``sampling``, ``total`` seconds.
    """

    wald: list[ParameterComparison]
    bootstrap: list[ParameterComparison] | None
    em_warnings: list[str]
    bootstrap_info: dict
    posterior_ok: bool
    posterior_reasons: list[str]
    collapsed: bool | None
    em_interval_infinite: bool
    reused_model: bool
    timings: dict[str, float] = field(default_factory=dict)


def fit_pair(
    case: Case,
    data: Dataset,
    seeds: dict[str, int],
    *,
    draws: int,
    tune: int,
    chains: int,
    sampler: str,
    n_boot: int = 0,
) -> PairFit:
    """Fit ``data`` by the case's EM estimator and by its PyMC model; align to the truth.

    Parameters
    ----------
    case : Case
        Must have a ``truth`` (a study measures against it).
    data : Dataset
    seeds : dict
        ``em``, ``mcmc`` and (with ``n_boot``) ``bootstrap`` integer seeds.
    draws, tune, chains : int
    sampler : str
        One of :data:`compare.settings.SAMPLERS`.
    n_boot : int, default 0
        Nonparametric bootstrap refits for EM's percentile intervals; 0 for none.

    Returns
    -------
    PairFit
    """
    pair = fit_both(
        case, data, seeds, draws=draws, tune=tune, chains=chains, sampler=sampler, n_boot=n_boot
    )
    infinite = any(not np.isfinite([r.em_lower, r.em_upper]).all() for r in pair.rows)
    t = pair.timings
    return PairFit(
        wald=pair.rows,
        bootstrap=pair.bootstrap,
        em_warnings=list(pair.em.warnings),
        bootstrap_info=pair.bootstrap_info,
        posterior_ok=bool(pair.bayes.diagnostics.ok),
        posterior_reasons=list(pair.bayes.diagnostics.reasons),
        collapsed=_collapsed(case, data, pair.em_params, pair.em.warnings),
        em_interval_infinite=infinite,
        reused_model=pair.bayes.reused_model,
        timings={k: t[k] for k in ("em", "bootstrap", "build", "compile", "sampling", "total")},
    )


def _collapsed(case: Case, data: Dataset, em_params: dict, messages: list[str]) -> bool | None:
    """See :attr:`PairFit.collapsed`; ``messages`` are the fit's ``"Class: text"`` warnings."""
    return get_kind(case.kind).collapsed(data, em_params, messages)


def compile_delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """Compilations between two :func:`models.compile_counts` snapshots, by kind."""
    return {k: int(after.get(k, 0) - before.get(k, 0)) for k in (*SAMPLERS, "log_likelihood")}
