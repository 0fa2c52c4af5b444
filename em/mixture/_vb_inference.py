"""Marginal posterior summaries of every parameter under the variational posterior ``q``.

One row per scalar parameter, named as :func:`em.mixture_inference.mixture_inference`
names them (``weights[k]``, ``means[k, d]``, ``covariances[...]`` in the shape of the
covariance type), so ``compare`` can lay VB, the MLE and a sampler side by side. The
estimate is the mean under ``q``, ``se`` its standard deviation and the interval
equal-tailed. What is exact and what is not:

- ``weights[k]``: ``Beta(alpha_k, sum(alpha) - alpha_k)``, the exact marginal of the
  Dirichlet factor (method ``"variational-beta"``);
- ``means[k, d]``: Student t (estimate: its centre ``m_kd``, the mean when
  ``dof > 1``), the exact marginal of ``q(mu_k, Sigma_k)`` (normal given
  the covariance, covariance inverse Wishart / gamma): ``dof = nu - D + 1`` and
  ``scale^2 = Psi_dd / (kappa dof)`` for ``full``/``tied``, ``dof = nu`` and
  ``scale^2 = psi / (kappa nu)`` for ``diag``/``spherical`` (``"variational-student-t"``);
- variances (``diag``, ``spherical`` and the diagonal of ``full``/``tied``): inverse gamma,
  exact (a diagonal entry of ``IW(nu, Psi)`` is ``IG((nu - D + 1)/2, Psi_dd/2)``)
  (``"variational-inverse-gamma"``);
- off-diagonal covariances: no closed-form marginal; mean and standard deviation are the
  exact inverse-Wishart moments, the interval is the quantiles of 20,000 draws of the
  inverse Wishart with a fixed seed (deterministic, Monte Carlo error about 1% of the
  standard deviation) (``"variational-monte-carlo"``).

A moment that does not exist (a t with ``dof <= 2``, an inverse gamma with shape ``<= 2``)
is reported as ``inf``. Every row describes ``q``: how well ``q`` approximates the true
posterior is the mean-field question (its intervals are typically too narrow).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from ..inference import InferenceTable, ParameterRow
from ._covariance import CovarianceType, covariance_kind
from .prior import NIWPosterior

_N_DRAWS = 20_000
_SEED = 0


def _row(parameter, index, mean, sd, lower, upper, level, method) -> ParameterRow:
    return ParameterRow(
        parameter,
        tuple(int(i) for i in index),
        float(mean),
        float(sd),
        float(lower),
        float(upper),
        float(level),
        method,
    )


def _inverse_gamma(shape: float, scale: float, tails) -> tuple[float, float, float, float]:
    """Mean, sd and the two quantiles of ``IG(shape, scale)``."""
    mean = scale / (shape - 1) if shape > 1 else np.inf
    sd = mean / np.sqrt(shape - 2) if shape > 2 else np.inf
    lower, upper = stats.invgamma.ppf(tails, shape, scale=scale)
    return mean, sd, lower, upper


def variational_table(
    posterior: NIWPosterior, covariance_type: str | CovarianceType, level: float
) -> InferenceTable:
    """The :class:`~em.inference.InferenceTable` of ``q = posterior`` at ``level``."""
    kind = covariance_kind(covariance_type)
    alpha, kappa, means, nu, psi = posterior
    K, D = means.shape
    tails = np.array([(1 - level) / 2, (1 + level) / 2])
    rows: list[ParameterRow] = []

    total = alpha.sum()
    for k in range(K):
        if K == 1:  # the one weight is 1 with certainty
            rows.append(_row("weights", (k,), 1.0, 0.0, 1.0, 1.0, level, "fixed"))
            continue
        a, b = alpha[k], total - alpha[k]
        sd = np.sqrt(a * b / (total**2 * (total + 1)))
        lower, upper = stats.beta.ppf(tails, a, b)
        rows.append(_row("weights", (k,), a / total, sd, lower, upper, level, "variational-beta"))

    nus = np.broadcast_to(nu, (K,))
    for k in range(K):
        if not kind.diagonal:
            dof = nus[k] - D + 1
            diag_psi = np.diagonal(kind.per_component(psi, K)[k])
            scales = np.sqrt(diag_psi / (kappa[k] * dof))
        else:
            dof = nus[k]
            scales = np.sqrt(np.broadcast_to(psi[k], (D,)) / (kappa[k] * dof))
        for d in range(D):
            sd = scales[d] * np.sqrt(dof / (dof - 2)) if dof > 2 else np.inf
            lower, upper = means[k, d] + scales[d] * stats.t.ppf(tails, dof)
            rows.append(
                _row("means", (k, d), means[k, d], sd, lower, upper, level, "variational-student-t")
            )

    if kind.diagonal:
        for index in np.ndindex(psi.shape):
            values = _inverse_gamma(nus[index[0]] / 2, psi[index] / 2, tails)
            rows.append(_row("covariances", index, *values, level, "variational-inverse-gamma"))
    else:
        rng = np.random.default_rng(_SEED)
        if kind.shared:
            rows.extend(_wishart_rows(None, float(nu), psi, tails, level, rng))
        else:
            for k in range(K):
                rows.extend(_wishart_rows(k, nus[k], psi[k], tails, level, rng))
    shapes = {"weights": (K,), "means": (K, D), "covariances": psi.shape}
    return InferenceTable(rows, shapes)


def _wishart_rows(component, nu, psi, tails, level, rng) -> list[ParameterRow]:
    """Rows of every entry of one ``IW(nu, Psi)`` covariance (``component`` None: tied)."""
    D = psi.shape[0]
    prefix = () if component is None else (component,)
    draws = None
    rows = []
    for i in range(D):
        for j in range(D):
            if i == j:
                values = _inverse_gamma((nu - D + 1) / 2, psi[i, i] / 2, tails)
                rows.append(
                    _row(
                        "covariances", (*prefix, i, j), *values, level, "variational-inverse-gamma"
                    )
                )
                continue
            p = nu - D
            mean = psi[i, j] / (p - 1) if p > 1 else np.inf
            if p > 3:
                var = ((p + 1) * psi[i, j] ** 2 + (p - 1) * psi[i, i] * psi[j, j]) / (
                    p * (p - 1) ** 2 * (p - 3)
                )
                sd = np.sqrt(var)
            else:
                sd = np.inf
            if draws is None:
                draws = stats.invwishart(df=nu, scale=psi).rvs(size=_N_DRAWS, random_state=rng)
                draws = draws.reshape(_N_DRAWS, D, D)
            lower, upper = np.quantile(draws[:, i, j], tails)
            rows.append(
                _row(
                    "covariances",
                    (*prefix, i, j),
                    mean,
                    sd,
                    lower,
                    upper,
                    level,
                    "variational-monte-carlo",
                )
            )
    return rows
