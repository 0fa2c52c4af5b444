"""How well the model fits real data: published reference fits, known classes, and a
posterior predictive check per feature.

Real data come from no model, so the page cannot compare an estimate with a truth. What it
can do instead:

- set EM's log-likelihood and BIC beside a published fit of the same model to the same data
  (mclust's fits of Old Faithful, :mod:`compare.data.references`);
- score the clusters against known classes where the data have them (iris' species: the
  adjusted Rand index of EM's and the posterior's clusters);
- check the model against the data: each statistic of the data (per feature: mean, sd,
  skewness, kurtosis, minimum, maximum; and the correlation of each pair of features) is
  set beside its posterior predictive distribution, computed from the replicated data sets
  of the comparison (``result.predictive``). A statistic outside the central 95 % of its
  replicates is a part of the data the model does not reproduce, and the page says which.
"""

from __future__ import annotations

import html
import itertools

import numpy as np
from scipy import stats

from .. import metrics as M
from . import Section

__all__ = ["PPC_LEVEL", "REAL_FIT", "ppc_rows"]

#: Central probability of the replicates' range a data statistic should fall in.
PPC_LEVEL = 0.95

# name -> (words, statistic of a sample along axis 0 of an (n, ...) array)
_STATISTICS = {
    "mean": ("mean", lambda x: x.mean(axis=0)),
    "sd": ("standard deviation", lambda x: x.std(axis=0, ddof=1)),
    "skewness": ("skewness", lambda x: stats.skew(x, axis=0)),
    "kurtosis": ("excess kurtosis", lambda x: stats.kurtosis(x, axis=0)),
    "min": ("minimum", lambda x: x.min(axis=0)),
    "max": ("maximum", lambda x: x.max(axis=0)),
}


def _feature_names(observed) -> list[str]:
    if observed.ndim == 1:
        return [str(observed.name)]
    dim = observed.dims[-1]
    if dim in observed.coords:
        return [str(v) for v in observed.coords[dim].values]
    return [f"x{j}" for j in range(observed.shape[-1])]


def _row(feature: str, statistic: str, words: str, value: float, replicated: np.ndarray):
    tail = (1.0 - PPC_LEVEL) / 2.0
    lower, upper = np.quantile(replicated, [tail, 1.0 - tail])
    above, below = float(np.mean(replicated > value)), float(np.mean(replicated < value))
    return {
        "feature": feature,
        "statistic": statistic,
        "words": words,
        "observed": float(value),
        "replicated_mean": float(replicated.mean()),
        "lower": float(lower),
        "upper": float(upper),
        # Two-sided posterior predictive p-value.
        "p_value": min(1.0, 2.0 * min(1.0 - below, 1.0 - above)),
        "misfit": bool(value < lower or value > upper),
        "share_beyond": above if value > upper else below,
    }


def ppc_rows(observed: np.ndarray, replicated: np.ndarray, features: list[str]) -> list[dict]:
    """Each statistic of the data beside its posterior predictive distribution.

    Parameters
    ----------
    observed : ndarray of shape (n,) or (n, d)
    replicated : ndarray of shape (S, n) or (S, n, d)
        One replicated data set per posterior draw.
    features : list of str, length d (1 for a vector)

    Returns
    -------
    list of dict
        ``feature``, ``statistic``, ``words``, ``observed``, ``replicated_mean``,
        ``lower``/``upper`` (central :data:`PPC_LEVEL` range of the replicates),
        ``p_value`` (two-sided), ``misfit`` (outside the range) and ``share_beyond`` (the
        fraction of replicates on the far side of the observed value).
    """
    obs = np.asarray(observed, float).reshape(observed.shape[0], -1)
    rep = np.asarray(replicated, float).reshape(replicated.shape[0], obs.shape[0], -1)
    rows = []
    for name, (words, statistic) in _STATISTICS.items():
        value = statistic(obs)
        sims = np.stack([statistic(r) for r in rep])
        rows += [_row(f, name, words, value[j], sims[:, j]) for j, f in enumerate(features)]
    for i, j in itertools.combinations(range(obs.shape[1]), 2):
        value = np.corrcoef(obs[:, i], obs[:, j])[0, 1]
        sims = np.array([np.corrcoef(r[:, i], r[:, j])[0, 1] for r in rep])
        pair = f"{features[i]} & {features[j]}"
        rows.append(_row(pair, "correlation", "correlation", value, sims))
    return rows


def _misfit_sentences(rows: list[dict]) -> list[str]:
    out = []
    for r in rows:
        if not r["misfit"]:
            continue
        side = "higher" if r["observed"] > r["upper"] else "lower"
        out.append(
            f"{r['feature']}: the data's {r['words']} ({r['observed']:.4g}) is {side} than in "
            f"{100 * (1 - r['share_beyond']):.0f} % of the replicated data sets (their "
            f"{100 * PPC_LEVEL:.0f} % range {r['lower']:.4g} to {r['upper']:.4g})"
        )
    return out


def _mclust_reference(result) -> dict | None:
    """mclust's published fit of the same model and K to the same data, if there is one."""
    from ..data import load_faithful
    from ..data.references import (
        FAITHFUL_EEE3_CONVERGED_LOG_LIKELIHOOD,
        FAITHFUL_MCLUST_BEST,
        FAITHFUL_MCLUST_BIC,
        MCLUST_TO_COVARIANCE_TYPE,
        VIGNETTE_URL,
        mclust_bic,
    )

    provenance, est = result.data.provenance or {}, result.em.estimator
    faithful = load_faithful().provenance
    same_data = (
        provenance.get("sha256") == faithful.sha256
        and list(provenance.get("columns_used", ())) == list(faithful.columns_used)
        and provenance.get("n_rows_used") == faithful.n_rows_used
    )
    models = {v: k for k, v in MCLUST_TO_COVARIANCE_TYPE.items()}
    covariance_type = getattr(est, "covariance_type", None)
    if not same_data or covariance_type not in models or not hasattr(est, "n_parameters"):
        return None
    model, k = models[covariance_type], int(result.case.n_components)
    table = FAITHFUL_MCLUST_BIC[model]
    if k > len(table):
        return None
    n, df = int(result.data.X.shape[0]), int(est.n_parameters())
    log_lik = float(result.metrics[M.LOG_LIKELIHOOD_EM])
    out = {
        "data": "faithful",
        "model": model,
        "n_components": k,
        "df": df,
        "em_log_likelihood": log_lik,
        "em_bic_mclust_sign": float(mclust_bic(log_lik, df, n)),
        "mclust_bic": float(table[k - 1]),
        # Not printed by mclust: its BIC solved for the log-likelihood.
        "mclust_log_likelihood_from_bic": float((table[k - 1] + df * np.log(n)) / 2.0),
        "source": "mclustBIC(faithful) with mclust's defaults (mclust 5 or later), as "
        "recorded in compare/data/references.py (FAITHFUL_MCLUST_BIC)",
    }
    best = FAITHFUL_MCLUST_BEST
    if (best.model, best.n_components) == (model, k):
        out |= {
            "mclust_log_likelihood": best.log_likelihood,
            "mclust_converged_log_likelihood": FAITHFUL_EEE3_CONVERGED_LOG_LIKELIHOOD,
            "source": f"summary(Mclust(faithful)), the model mclust selects; mclust "
            f"vignette 'A quick tour of mclust' ({VIGNETTE_URL}); compare/data/references.py "
            "(FAITHFUL_MCLUST_BEST; FAITHFUL_EEE3_CONVERGED_LOG_LIKELIHOOD is mclust run "
            "to tol=1e-13)",
        }
    return out


def _compute(result) -> dict:
    observed = next(iter(result.predictive["observed_data"].ds.data_vars.values()))
    replicated = result.predictive["posterior_predictive"].ds[observed.name]
    other = [d for d in replicated.dims if d not in ("chain", "draw")]
    sims = replicated.transpose("chain", "draw", *other).values
    sims = sims.reshape(-1, *sims.shape[2:])
    rows = ppc_rows(observed.values, sims, _feature_names(observed))
    out = {
        "ppc": rows,
        "ppc_replicates": int(sims.shape[0]),
        "misfits": _misfit_sentences(rows),
        "reference": _mclust_reference(result),
    }
    m = result.metrics
    if result.data.labels is not None and M.ARI_EM in m:
        out["classes"] = {
            "n_classes": len(np.unique(result.data.labels)),
            "ari_em": float(m[M.ARI_EM]),
            "ari_posterior": float(m[M.ARI_POSTERIOR]),
        }
    return out


def _num(x) -> str:
    return "n/a" if x is None else f"{x:.6g}" if isinstance(x, float) else html.escape(str(x))


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _render_reference(ref: dict) -> str:
    rows = [
        ["log-likelihood", _num(ref["em_log_likelihood"]),
         _num(ref.get("mclust_log_likelihood", ref["mclust_log_likelihood_from_bic"]))
         + ("" if "mclust_log_likelihood" in ref else " (from its BIC)")],
        ["BIC, mclust's sign (2 log L - df log n, higher is better)",
         _num(ref["em_bic_mclust_sign"]), _num(ref["mclust_bic"])],
        ["free parameters (df)", _num(ref["df"]), _num(ref["df"])],
    ]  # fmt: skip
    if "mclust_converged_log_likelihood" in ref:
        converged = _num(ref["mclust_converged_log_likelihood"])
        rows.append(["log-likelihood, mclust run to convergence", "", converged])
    gap = ref["em_bic_mclust_sign"] - ref["mclust_bic"]
    if abs(gap) <= 0.5e-3 + 1e-9:
        verdict = "EM reaches mclust's published fit to its printed three decimals."
    elif gap > 0:
        verdict = (
            f"EM's maximum is higher than mclust's published one (BIC {gap:.4g} higher): "
            "mclust starts EM once, from hierarchical clustering, and stops at a relative "
            "log-likelihood change of 1e-5, so it can stop short of the maximum or in a "
            "lower one; EM here restarts several times and runs to a tolerance of 1e-10."
        )
    else:
        verdict = (
            f"EM's maximum is lower than mclust's published one (BIC {-gap:.4g} lower): EM "
            "stopped in a worse local maximum; more restarts (n_init) would find mclust's."
        )
    return (
        f"<p>mclust's model {html.escape(ref['model'])} with {ref['n_components']} components "
        f"is the same model as EM's here. Source: {html.escape(ref['source'])}.</p>"
        + _table(["quantity", "EM (this page)", "mclust (published)"], rows)
        + f"<p>{html.escape(verdict)}</p>"
    )


def _render(data: dict, directory) -> str:
    parts = []
    if data.get("reference"):
        parts += ["<h3>Against a published fit</h3>", _render_reference(data["reference"])]
    if data.get("classes"):
        c = data["classes"]
        parts.append(
            f"<h3>Against the known classes</h3><p>The data come with {c['n_classes']} known "
            "classes (for iris: the species) that neither fit was given. Adjusted Rand index "
            f"of the clusters against them (1 = the same partition, 0 = chance): EM "
            f"{c['ari_em']:.4f}, posterior (most probable component under the posterior "
            f"mean responsibilities) {c['ari_posterior']:.4f}.</p>"
        )
    level = f"{100 * PPC_LEVEL:.0f} %"
    parts.append(
        "<h3>Posterior predictive check</h3><p>Each statistic of the data beside the same "
        f"statistic of {data['ppc_replicates']} data sets replicated from the posterior. A "
        f"value outside the replicates' central {level} is something the model does not "
        "reproduce.</p>"
    )
    if data["misfits"]:
        parts.append(
            "<p class='bad'>Where the model misfits these data:</p><ul>"
            + "".join(f"<li>{html.escape(s)}</li>" for s in data["misfits"])
            + "</ul>"
        )
    else:
        parts.append(
            f"<p class='ok'>Every statistic lies inside its replicates' central {level}: "
            "these checks see no misfit.</p>"
        )
    rows = [
        [html.escape(r["feature"]), html.escape(r["words"]), _num(r["observed"]),
         _num(r["replicated_mean"]), f"[{_num(r['lower'])}, {_num(r['upper'])}]",
         _num(r["p_value"]), "<b class='bad'>misfit</b>" if r["misfit"] else "ok"]
        for r in data["ppc"]
    ]  # fmt: skip
    header = ["feature", "statistic", "data", "replicates' mean", f"replicates' {level}"]
    parts.append(_table([*header, "p (two-sided)", ""], rows))
    return "\n".join(parts)


REAL_FIT = Section(
    name="real_fit",
    title="How the model fits these real data",
    applies=lambda case: bool(getattr(case, "real_data", False)) and case.kind != "categorical",
    compute=_compute,
    render=_render,
)
