"""Both fits' parameters laid out row by row: one :class:`ParameterComparison` per scalar.

The kinds (:mod:`compare.kinds`) put both sides under the report's names and in one order;
this module lays them beside each other with the posterior's HDI and the truth.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import xarray as xr

from ..settings import HDI_PROB

__all__ = ["ParameterComparison", "compare_parameters", "hdi"]


@dataclass(frozen=True)
class ParameterComparison:
    """One scalar parameter, both sides.

    ``em_*`` are the estimate, standard error and interval (at
    :data:`~compare.settings.EM_LEVEL`); ``post_*`` the posterior mean, sd and HDI (at
    :data:`~compare.settings.HDI_PROB`). ``*_covers`` say whether the interval contains the
    truth (None without a truth), ``*_error`` is estimate minus truth.
    """

    name: str
    parameter: str
    index: tuple[int, ...]
    truth: float | None
    em_estimate: float
    em_se: float
    em_lower: float
    em_upper: float
    em_covers: bool | None
    em_error: float | None
    post_mean: float
    post_sd: float
    hdi_lower: float
    hdi_upper: float
    post_covers: bool | None
    post_error: float | None
    em_method: str

    def to_dict(self) -> dict:
        out = asdict(self)
        out["index"] = list(self.index)
        return out


def hdi(draws: xr.DataArray, prob: float = HDI_PROB) -> tuple[np.ndarray, np.ndarray]:
    """Highest-density interval over (chain, draw) by ArviZ; two arrays in the rest's shape."""
    import arviz as az

    h = az.hdi(draws, prob=prob)
    return h.sel(ci_bound="lower").values, h.sel(ci_bound="upper").values


def _scalar_indices(name: str, shape: tuple[int, ...]):
    for index in np.ndindex(shape):
        # A covariance matrix is symmetric: list its upper triangle once.
        if name == "covariances" and index[-2] > index[-1]:
            continue
        yield tuple(int(i) for i in index)


def compare_parameters(
    truth: dict | None, em: dict, em_method: str, posterior: dict
) -> list[ParameterComparison]:
    """One row per scalar parameter, in the order of ``em``.

    Parameters
    ----------
    truth : dict of ndarray or None
        In the report's names (1-D mixtures: ``sigma`` (K,) standard deviations).
    em : dict
        From :meth:`compare.kinds.Kind.em_parameters`, already aligned.
    em_method : str
    posterior : dict of DataArray
        From :meth:`compare.kinds.Kind.posterior_parameters`, already aligned.
    """
    rows = []
    for name, fields in em.items():
        est = np.asarray(fields["estimate"], float)
        draws = posterior[name]
        sample_dims = ("chain", "draw")
        mean = draws.mean(sample_dims).values.reshape(est.shape)
        sd = draws.std(sample_dims).values.reshape(est.shape)
        lo, hi = (b.reshape(est.shape) for b in hdi(draws))
        true = None if truth is None else np.asarray(truth[name], float).reshape(est.shape)
        for index in _scalar_indices(name, est.shape):
            t = None if true is None else float(true[index])
            em_lo, em_hi = float(fields["lower"][index]), float(fields["upper"][index])
            rows.append(
                ParameterComparison(
                    name=name if not index else f"{name}[{', '.join(map(str, index))}]",
                    parameter=name,
                    index=index,
                    truth=t,
                    em_estimate=float(est[index]),
                    em_se=float(fields["se"][index]),
                    em_lower=em_lo,
                    em_upper=em_hi,
                    em_covers=_covers(t, em_lo, em_hi),
                    em_error=None if t is None else float(est[index]) - t,
                    post_mean=float(mean[index]),
                    post_sd=float(sd[index]),
                    hdi_lower=float(lo[index]),
                    hdi_upper=float(hi[index]),
                    post_covers=_covers(t, float(lo[index]), float(hi[index])),
                    post_error=None if t is None else float(mean[index]) - t,
                    em_method=em_method,
                )
            )
    return rows


def _covers(value: float | None, lower: float, upper: float) -> bool | None:
    if value is None or not (np.isfinite(lower) and np.isfinite(upper)):
        return None
    return bool(lower <= value <= upper)
