"""Numbers that compare two fits: clustering agreement, log-likelihoods, responsibilities.

Pure numpy/scipy on plain arrays; nothing here knows about estimators or posteriors.

The keys under which a comparison stores its numbers (``ComparisonResult.metrics``, the
``metrics`` of ``metrics.json``) are the constants below; whoever writes or reads a metric
uses them, so renaming one breaks every reader loudly instead of leaving a blank cell.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

__all__ = [
    "METRIC_KEYS",
    "adjusted_rand_index",
    "categorical_log_likelihood",
    "linear_log_likelihood",
    "logistic_log_likelihood",
    "mixture_log_likelihood",
    "responsibility_difference",
]


# ---------------------------------------------------------------------------------------------
# Keys of ComparisonResult.metrics, in the order a mixture case writes them.

N_OBSERVATIONS = "n_observations"
LOG_LIKELIHOOD_EM = "log_likelihood_em"
LOG_LIKELIHOOD_POSTERIOR_MEAN = "log_likelihood_posterior_mean"
EM_INTERVAL_LEVEL = "em_interval_level"
HDI_PROB = "hdi_prob"
EM_N_ITER = "em_n_iter"
EM_CONVERGED = "em_converged"
EM_STOP_REASON = "em_stop_reason"
EM_BIC = "em_bic"
EM_AIC = "em_aic"
ARI_EM = "ari_em"
ARI_POSTERIOR = "ari_posterior"
ARI_EM_VS_POSTERIOR = "ari_em_vs_posterior"
RESPONSIBILITY_DIFF_MAX = "responsibility_diff_max"
RESPONSIBILITY_DIFF_MEAN = "responsibility_diff_mean"
VARIANTS = "variants"
EM_REPORTED_LOG_LIKELIHOOD = "em_reported_log_likelihood"
LOO_ELPD = "loo_elpd"
LOO_SE = "loo_se"
LOO_P = "loo_p"
LOOIC = "looic"
LOO_MAX_PARETO_K = "loo_max_pareto_k"
EM_BIC_BY_K = "em_bic_by_k"
EM_BIC_BEST_K = "em_bic_best_k"

METRIC_KEYS = (
    N_OBSERVATIONS, LOG_LIKELIHOOD_EM, LOG_LIKELIHOOD_POSTERIOR_MEAN, EM_INTERVAL_LEVEL,
    HDI_PROB, EM_N_ITER, EM_CONVERGED, EM_STOP_REASON, EM_BIC, EM_AIC, ARI_EM, ARI_POSTERIOR,
    ARI_EM_VS_POSTERIOR, RESPONSIBILITY_DIFF_MAX, RESPONSIBILITY_DIFF_MEAN, VARIANTS,
    EM_REPORTED_LOG_LIKELIHOOD, LOO_ELPD, LOO_SE, LOO_P, LOOIC, LOO_MAX_PARETO_K, EM_BIC_BY_K,
    EM_BIC_BEST_K,
)  # fmt: skip


def _comb2(n: np.ndarray) -> np.ndarray:
    """``n choose 2`` elementwise (as float)."""
    n = np.asarray(n, float)
    return n * (n - 1.0) / 2.0


def adjusted_rand_index(labels_true, labels_pred) -> float:
    """Adjusted Rand index of two partitions (Hubert and Arabie, 1985).

    ``ARI = (sum_ij C(n_ij, 2) - E) / (0.5 (sum_i C(a_i, 2) + sum_j C(b_j, 2)) - E)`` with
    ``E = sum_i C(a_i, 2) sum_j C(b_j, 2) / C(n, 2)``, where ``n_ij`` is the contingency
    table and ``a``, ``b`` its row and column sums. 1 for identical partitions (up to
    relabelling), about 0 for independent ones.

    Parameters
    ----------
    labels_true, labels_pred : array-like of shape (n,)
        Any hashable labels.

    Returns
    -------
    float
    """
    a = np.asarray(labels_true)
    b = np.asarray(labels_pred)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"labels must be two 1-D arrays of one length; got {a.shape}, {b.shape}")
    n = a.size
    _, ia = np.unique(a, return_inverse=True)
    _, ib = np.unique(b, return_inverse=True)
    table = np.zeros((ia.max(initial=-1) + 1, ib.max(initial=-1) + 1))
    np.add.at(table, (ia, ib), 1)
    sum_cells = _comb2(table).sum()
    sum_rows = _comb2(table.sum(axis=1)).sum()
    sum_cols = _comb2(table.sum(axis=0)).sum()
    total = _comb2(n)
    expected = sum_rows * sum_cols / total if total > 0 else 0.0
    maximum = 0.5 * (sum_rows + sum_cols)
    if maximum == expected:
        # Both partitions trivial (one cluster each, or all singletons): they agree fully.
        return 1.0
    return float((sum_cells - expected) / (maximum - expected))


def mixture_log_likelihood(X, weights, means, covariances) -> float:
    """``sum_n log sum_k w_k N(x_n | mu_k, Sigma_k)`` with full covariances (K, d, d).

    The same log-density the EM estimators use (:func:`em.mixture_log_likelihood`), so the
    EM estimate and the posterior mean are scored by one implementation.
    """
    from em import mixture_log_likelihood as em_mixture_log_likelihood

    return em_mixture_log_likelihood(X, weights, means, covariances, "full")


def linear_log_likelihood(X, y, intercept, coef, sigma) -> float:
    """Gaussian regression log-likelihood ``sum_n log N(y_n | a + x_n b, sigma^2)``."""
    resid = np.asarray(y, float) - (intercept + np.asarray(X, float) @ np.asarray(coef, float))
    n = resid.size
    return float(-0.5 * n * np.log(2 * np.pi * sigma**2) - 0.5 * np.sum(resid**2) / sigma**2)


def logistic_log_likelihood(X, y, intercept, coef) -> float:
    """Bernoulli log-likelihood with ``p = sigmoid(a + x b)``, computed stably."""
    eta = intercept + np.asarray(X, float) @ np.asarray(coef, float)
    y = np.asarray(y, float)
    # log p = -log(1 + e^-eta), log(1 - p) = -log(1 + e^eta)
    return float(-np.sum(y * np.logaddexp(0, -eta) + (1 - y) * np.logaddexp(0, eta)))


def categorical_log_likelihood(counts, p, *, multinomial_coefficient: bool = False) -> float:
    """``sum_j c_j log p_j`` (plus ``log(n! / prod c_j!)`` if asked); ``0 log 0 = 0``."""
    counts = np.asarray(counts, float)
    p = np.asarray(p, float)
    terms = np.where(counts > 0, counts * np.log(np.where(counts > 0, p, 1.0)), 0.0)
    value = float(terms.sum())
    if multinomial_coefficient:
        value += float(gammaln(counts.sum() + 1) - gammaln(counts + 1).sum())
    return value


def responsibility_difference(resp_a, resp_b) -> dict[str, float]:
    """Max and mean of ``|resp_a - resp_b|`` over points and components.

    Parameters
    ----------
    resp_a, resp_b : array-like of shape (n, K)
        Responsibilities with components in the same (aligned) order.
    """
    a = np.asarray(resp_a, float)
    b = np.asarray(resp_b, float)
    if a.shape != b.shape:
        raise ValueError(f"responsibilities must have one shape; got {a.shape} and {b.shape}")
    diff = np.abs(a - b)
    return {"max": float(diff.max()), "mean": float(diff.mean())}
