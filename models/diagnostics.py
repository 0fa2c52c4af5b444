"""Convergence diagnostics of a sampling run, reduced to a verdict a report can print."""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field

import arviz as az
import numpy as np
import xarray as xr

from ._validation import check_idata

__all__ = ["Diagnostics", "diagnostics"]

# Thresholds from Vehtari et al. (2021), "Rank-normalization, folding, and localization".
RHAT_MAX = 1.01
ESS_PER_CHAIN_MIN = 100


@dataclass(frozen=True)
class Diagnostics:
    """Worst-case convergence numbers over every scalar in the posterior.

    Attributes
    ----------
    max_rhat : float
        Largest rank-normalised split R-hat.
    min_ess_bulk, min_ess_tail : float
        Smallest bulk and tail effective sample sizes.
    divergences : int
        Divergent transitions after tuning, all chains together.
    n_chains, n_draws : int
        Chains and kept draws per chain.
    ok : bool
        R-hat <= 1.01, no divergences, and both ESS >= 100 per chain.
    reasons : list of str
        Why ``ok`` is False; empty when it is True.
    """

    max_rhat: float
    min_ess_bulk: float
    min_ess_tail: float
    divergences: int
    n_chains: int
    n_draws: int
    ok: bool
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """Plain Python values, ready for JSON."""
        return asdict(self)


def diagnostics(idata: xr.DataTree) -> Diagnostics:
    """Summarise R-hat, effective sample size and divergences of a posterior.

    Quantities that are constant across draws (the zero off-diagonal of a diagonal
    covariance, for instance) have no defined R-hat or ESS and are left out.

    Parameters
    ----------
    idata : xarray.DataTree
        A result of :func:`models.sample`: ``posterior`` and ``sample_stats`` groups.

    Returns
    -------
    Diagnostics

    Raises
    ------
    TypeError
        ``idata`` is not an ``xarray.DataTree`` (``None``, a Dataset, ...).
    ValueError
        ``idata`` has no ``posterior`` group.
    """
    check_idata(idata)
    posterior = idata.posterior
    n_chains, n_draws = posterior.sizes["chain"], posterior.sizes["draw"]
    with warnings.catch_warnings():
        # Constant quantities divide 0 by 0 inside ArviZ; their NaN is dropped below.
        warnings.simplefilter("ignore", RuntimeWarning)
        rhat = _worst(az.rhat(idata), np.nanmax) if n_chains > 1 else float("nan")
        ess_bulk = _worst(az.ess(idata, method="bulk"), np.nanmin)
        ess_tail = _worst(az.ess(idata, method="tail"), np.nanmin)
    divergences = 0
    if "sample_stats" in idata.children and "diverging" in idata.sample_stats:
        divergences = int(idata.sample_stats["diverging"].sum())

    ess_min = ESS_PER_CHAIN_MIN * n_chains
    reasons = []
    if n_chains < 2:
        reasons.append("R-hat needs at least 2 chains")
    elif not rhat <= RHAT_MAX:
        reasons.append(f"max R-hat {rhat:.3f} > {RHAT_MAX}")
    if divergences:
        reasons.append(f"{divergences} divergent transition(s)")
    if not ess_bulk >= ess_min:
        reasons.append(f"min bulk ESS {ess_bulk:.0f} < {ess_min}")
    if not ess_tail >= ess_min:
        reasons.append(f"min tail ESS {ess_tail:.0f} < {ess_min}")
    return Diagnostics(
        max_rhat=rhat,
        min_ess_bulk=ess_bulk,
        min_ess_tail=ess_tail,
        divergences=divergences,
        n_chains=n_chains,
        n_draws=n_draws,
        ok=not reasons,
        reasons=reasons,
    )


def _worst(result, reduce) -> float:
    """Reduce a per-variable diagnostic (DataTree or Dataset) to one number, ignoring NaN."""
    ds = result.to_dataset() if hasattr(result, "to_dataset") else result
    values = [np.ravel(ds[name].values) for name in ds.data_vars]
    values = np.concatenate(values) if values else np.array([np.nan])
    return float(reduce(values))  # all NaN gives NaN (the caller silences the warning)
