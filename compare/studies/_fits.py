"""Both sides of one study replication: EM (Wald and, optionally, bootstrap) and the posterior.

A study fits the same structure many times, so this keeps only what a study summarises:
the parameter rows (components in the truth's order), what went wrong, and the wall times.
The compiled model is reused through :func:`compare.fit.fit_bayes`'s cache (one per
:meth:`compare.cases.Case.model_key`).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from ..align import align_fits
from ..cases import Case, Dataset
from ..fit import fit_bayes, fit_em
from ..params import (
    ParameterComparison,
    compare_parameters,
    em_parameters,
    permute_components,
    posterior_parameters,
    report_truth,
)

__all__ = ["COLLAPSE_FRACTION", "PairFit", "compile_delta", "fit_pair"]

# A fitted component whose standard deviation is below this fraction of the data's has
# collapsed onto a few points: the likelihood grows without bound there, which is EM's
# small-sample failure (the floor reg_covar only keeps the number finite).
COLLAPSE_FRACTION = 0.01


@dataclass
class PairFit:
    """One data set fitted by EM and by the posterior.

    Attributes
    ----------
    wald : list of ParameterComparison
        EM's own intervals (observed information for mixtures, exact/Wald for regressions)
        beside the posterior's 94 % HDI, one row per scalar parameter.
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
    sampler : {"nutpie", "pymc"}
    n_boot : int, default 0
        Nonparametric bootstrap refits for EM's percentile intervals; 0 for none. A
        mixture's refits start at its fitted solution (see :func:`_warm_started`).

    Returns
    -------
    PairFit
    """
    import em

    start = time.perf_counter()
    em_fit = fit_em(case, data, seeds["em"])
    em_time = time.perf_counter() - start

    boot_table, boot_info, boot_time = None, {"n_boot": int(n_boot)}, 0.0
    if n_boot:
        t0 = time.perf_counter()
        try:
            result = em.bootstrap(
                _warm_started(em_fit.estimator, data.X),
                data.X,
                data.y,
                n_boot=n_boot,
                kind="nonparametric",
                random_state=seeds["bootstrap"],
            )
        except ValueError as exc:  # fewer than two refits succeeded: no interval, say why
            boot_info["error"] = str(exc)
        else:
            boot_table = result.table
            boot_info |= {"n_failed": result.n_failed, "warnings": dict(result.warnings)}
        boot_time = time.perf_counter() - t0

    bayes = fit_bayes(
        case, data, seed=seeds["mcmc"], draws=draws, tune=tune, chains=chains, sampler=sampler
    )

    n_features = data.X.shape[1] if case.kind == "mixture" else None
    truth = report_truth(case.kind, case.truth, n_features)
    wald, method = em_parameters(case.kind, em_fit.estimator, em_fit.inference)
    posterior = posterior_parameters(case.kind, bayes.idata.posterior, n_features)
    boot = None if boot_table is None else em_parameters(case.kind, em_fit.estimator, boot_table)
    if case.kind == "mixture":
        wald, posterior, alignment = align_fits(case.truth["means"], wald, posterior)
        if boot is not None:
            # The bootstrap aligned its refits to the reference fit: one permutation for both.
            boot = (permute_components(boot[0], alignment["em"].order), boot[1])

    wald_rows = compare_parameters(truth, wald, method, posterior)
    boot_rows = None if boot is None else compare_parameters(truth, boot[0], boot[1], posterior)
    infinite = any(not np.isfinite([r.em_lower, r.em_upper]).all() for r in wald_rows)
    return PairFit(
        wald=wald_rows,
        bootstrap=boot_rows,
        em_warnings=list(em_fit.warnings),
        bootstrap_info=boot_info,
        posterior_ok=bool(bayes.diagnostics.ok),
        posterior_reasons=list(bayes.diagnostics.reasons),
        collapsed=_collapsed(case, data, wald, em_fit.warnings),
        em_interval_infinite=infinite,
        reused_model=bayes.reused_model,
        timings={
            "em": em_time,
            "bootstrap": boot_time,
            "build": bayes.build_time,
            "compile": bayes.compile_time,
            "sampling": bayes.sampling_time,
            "total": time.perf_counter() - start,
        },
    )


def _warm_started(estimator, X: np.ndarray):
    """The estimator refitted from its own solution, so every bootstrap refit starts there.

    A mixture estimator with several random starts (``n_init``) would repeat all of them
    for each refit; starting at the fitted maximum instead finds the same intervals on these
    well-separated data (checked: bounds equal to 1e-4) five to seven times faster. Where
    resamples would fall into another mode, this start understates the spread, so only
    estimators that take a start are treated this way.
    """
    params = estimator.get_params()
    if not {"means_init", "weights_init", "covariances_init", "n_init"} <= set(params):
        return estimator
    start = {
        "weights_init": estimator.weights_,
        "means_init": estimator.means_,
        "covariances_init": estimator.covariances_,
        "n_init": 1,
    }
    with warnings.catch_warnings():
        # The fit being restarted already reported its warnings.
        warnings.simplefilter("ignore")
        return type(estimator)(**(params | start)).fit(X)


def _collapsed(case: Case, data: Dataset, em_params: dict, messages: list[str]) -> bool | None:
    """See :attr:`PairFit.collapsed`; ``messages`` are the fit's ``"Class: text"`` warnings."""
    if case.kind != "mixture":
        return None
    if any(m.startswith("DegenerateComponentWarning") for m in messages):
        return True
    if "sigma" in em_params:  # 1-D: standard deviations (K,)
        sd = np.asarray(em_params["sigma"]["estimate"], float)[:, None]
    else:  # (K, d, d): the smallest spread of each component, along any direction
        sd = np.sqrt(np.clip(np.linalg.eigvalsh(em_params["covariances"]["estimate"]), 0, None))
    scale = data.X.std(axis=0).min()
    return bool(np.any(sd.min(axis=-1) < COLLAPSE_FRACTION * scale))


def compile_delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """Compilations between two :func:`models.compile_counts` snapshots, by kind."""
    return {
        k: int(after.get(k, 0) - before.get(k, 0)) for k in ("nutpie", "pymc", "log_likelihood")
    }
