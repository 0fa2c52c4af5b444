"""Both fits' parameters under one set of names, aligned, and laid out row by row.

The report names parameters the same way on both sides (see :mod:`compare.cases`); this
module translates the estimator's attributes and :class:`em.InferenceTable` on one side
and the posterior's variables on the other into those names, puts mixture components in
the truth's order (:mod:`compare.align`), and builds one :class:`ParameterComparison` per
scalar.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import xarray as xr

__all__ = [
    "POSTERIOR_NAMES",
    "ParameterComparison",
    "compare_parameters",
    "em_parameters",
    "hdi",
    "posterior_parameters",
]

EM_LEVEL = 0.95
HDI_PROB = 0.94

# Report name -> posterior variable, per kind of case.
POSTERIOR_NAMES = {
    "mixture-1d": {"weights": "w", "means": "mu", "sigma": "sigma"},
    "mixture": {"weights": "w", "means": "mu", "covariances": "cov"},
    "linear": {"intercept": "alpha", "coef": "beta", "sigma": "sigma"},
    "logistic": {"intercept": "alpha", "coef": "beta"},
    "categorical": {"p": "p"},
}


def layout(kind: str, n_features: int | None) -> str:
    """Key of :data:`POSTERIOR_NAMES` for a case: 1-D mixtures report standard deviations."""
    return "mixture-1d" if kind == "mixture" and n_features == 1 else kind


@dataclass(frozen=True)
class ParameterComparison:
    """One scalar parameter, both sides.

    ``em_*`` are the estimate, standard error and 95 % interval; ``post_*`` the posterior
    mean, sd and 94 % HDI. ``*_covers`` say whether the interval contains the truth (None
    without a truth), ``*_error`` is estimate minus truth.
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


def _field(table, parameter: str, field: str, shape) -> np.ndarray:
    return np.asarray(table.array(parameter, field), float).reshape(shape)


def em_parameters(kind: str, estimator, table) -> tuple[dict[str, dict[str, np.ndarray]], str]:
    """Estimates with se and 95 % bounds in the report's names.

    Parameters
    ----------
    kind : str
        The case's kind.
    estimator : fitted estimator from :mod:`em`
    table : em.InferenceTable

    Returns
    -------
    params : dict
        ``{name: {"estimate", "se", "lower", "upper": ndarray}}``; a mixture's components
        in the estimator's order.
    method : str
        How the intervals were obtained (from the table).
    """
    method = ", ".join(sorted({r.method for r in table}))
    out: dict[str, dict[str, np.ndarray]] = {}

    def put(name, estimate, table_name=None):
        estimate = np.asarray(estimate, float)
        fields = {"estimate": estimate}
        for f in ("se", "lower", "upper"):
            # Table shapes may differ by a length-1 axis (1-D means (K, 1) vs (K,)).
            fields[f] = _field(table, table_name or name, f, estimate.shape)
        out[name] = fields

    if kind == "mixture":
        means = np.asarray(estimator.means_, float)
        d = means.shape[1]
        put("weights", estimator.weights_)
        if d == 1:
            put("means", means[:, 0])
            var = np.asarray(estimator.covariances_, float).reshape(-1)
            var_fields = {
                f: _field(table, "covariances", f, np.shape(estimator.covariances_)).reshape(-1)
                for f in ("se", "lower", "upper")
            }
            sd = np.sqrt(var)
            # Delta method for the standard error; the interval is the variance interval's
            # square root (monotone), floored at 0.
            out["sigma"] = {
                "estimate": sd,
                "se": var_fields["se"] / (2.0 * sd),
                "lower": np.sqrt(np.clip(var_fields["lower"], 0.0, None)),
                "upper": np.sqrt(np.clip(var_fields["upper"], 0.0, None)),
            }
        else:
            put("means", means)
            put("covariances", estimator.covariances_)
            if getattr(estimator, "covariance_type", "full") == "diag":
                out["covariances"] = _diag_to_full(out["covariances"])
                method += "; covariance off-diagonals fixed at 0 (diagonal model), not estimated"
    elif kind == "linear":
        put("intercept", estimator.intercept_)
        put("coef", np.ravel(estimator.coef_))
        put("sigma", estimator.sigma_)
    elif kind == "logistic":
        put("intercept", np.ravel(estimator.intercept_)[0])
        put("coef", np.ravel(estimator.coef_))
    elif kind == "categorical":
        put("p", estimator.probabilities_, table_name="probabilities")
    else:
        raise ValueError(f"unknown kind {kind!r}")
    return out, method


def _diag_to_full(fields: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Diagonal covariances (K, d) as matrices (K, d, d), the posterior's ``cov`` shape.

    The off-diagonals are zero by the model's definition, not estimated: their estimate,
    standard error and interval are all exactly 0, as the posterior's are.
    """
    return {f: np.einsum("kd,de->kde", v, np.eye(v.shape[-1])) for f, v in fields.items()}


def posterior_parameters(kind: str, posterior: xr.Dataset, n_features: int | None) -> dict:
    """Posterior draws in the report's names, ``{name: DataArray (chain, draw, ...)}``."""
    names = POSTERIOR_NAMES[layout(kind, n_features)]
    out = {}
    for name, var in names.items():
        da = posterior[var]
        # A variable may not share its name with a dimension ("coef" would become a
        # coordinate in a Dataset); the regressions' coefficient dim becomes "feature".
        if name in da.dims:
            da = da.rename({name: "feature"})
        out[name] = da.rename(name)
    return out


def permute_components(params: dict, order: np.ndarray, *, draws: bool = False) -> dict:
    """Reorder mixture components (axis 0, or the ``component`` dim of DataArrays)."""
    out = {}
    for name, value in params.items():
        if name not in ("weights", "means", "sigma", "covariances"):
            out[name] = value
        elif draws:
            # Relabel too: component k of the result is the truth's component k.
            out[name] = value.isel(component=np.asarray(order)).assign_coords(
                component=np.arange(len(order))
            )
        else:
            out[name] = {f: np.asarray(v)[order] for f, v in value.items()}
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
        From :func:`em_parameters`, already aligned.
    em_method : str
    posterior : dict of DataArray
        From :func:`posterior_parameters`, already aligned.
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


def report_truth(kind: str, truth: dict | None, n_features: int | None) -> dict | None:
    """The case's truth in the report's names (1-D mixtures: sd instead of covariance)."""
    if truth is None:
        return None
    if layout(kind, n_features) == "mixture-1d":
        return {
            "weights": np.asarray(truth["weights"]),
            "means": np.asarray(truth["means"])[:, 0],
            "sigma": np.sqrt(np.asarray(truth["covariances"]).reshape(-1)),
        }
    return dict(truth)
