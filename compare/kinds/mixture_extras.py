"""The mixture's fits beyond the main one: soft/hard EM and k-means, BIC by K, PSIS-LOO.

:class:`compare.kinds.mixture.MixtureKind` adds them to a comparison; the studies use
:func:`lecture_start` and :func:`loo` too.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .. import metrics as M

__all__ = ["fit_bic_by_k", "fit_em_variants", "fit_variants", "lecture_start", "loo"]

# Iterations of the soft EM, hard EM and k-means variants (the iteration plot and player).
VARIANTS_MAX_ITER = 100


def fit_em_variants(case, data, seed: int, covariance_type: str = "full") -> dict[str, Any]:
    """Soft EM, hard EM and k-means from one common start, each keeping its history.

    The start is the case's (the lecture's) where it has one; otherwise K data points drawn
    with ``seed`` as means, the overall covariance and equal weights (the lecture's gmm1).
    One computation serves the iteration plot and the iteration player (their
    ``history_``).

    Parameters
    ----------
    case : Case
    data : Dataset
        ``X`` of shape (n, d).
    seed : int
    covariance_type : {"full", "diag", "tied", "spherical"}, default "full"
        The main EM fit's, so soft and hard EM fit the same model it does; the start's
        full covariances are cut down to that layout (:func:`_start_layout`).

    Returns
    -------
    dict
        As :func:`fit_variants`.
    """
    X = data.X
    start = case.start if case.start is not None else _data_start(X, case.n_components, seed)
    return fit_variants(X, start, seed=seed, covariance_type=covariance_type)


def fit_variants(
    X: np.ndarray,
    start: dict[str, np.ndarray],
    *,
    seed: int = 0,
    covariance_type: str = "full",
    max_iter: int = VARIANTS_MAX_ITER,
) -> dict[str, Any]:
    """Soft EM, hard EM and k-means from ``start``, fitted with ``keep_history=True``.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    start : dict
        ``weights`` (K,), ``means`` (K, d), ``covariances`` (K, d, d); k-means starts at
        the means.
    seed : int, default 0
        The mixtures' ``random_state`` (unused by a full start; kept for reproducibility).
    covariance_type : {"full", "diag", "tied", "spherical"}, default "full"
        The start's full covariances are cut down to that layout (:func:`_start_layout`).
    max_iter : int

    Returns
    -------
    dict
        ``"soft"``, ``"hard"`` (fitted :class:`em.GaussianMixtureEM`,
        :class:`em.ClassificationEM`), ``"kmeans"`` (:class:`em.KMeans`), each with its
        ``history_``, and ``"start"``.
    """
    from em import ClassificationEM, GaussianMixtureEM, KMeans

    n_components = len(start["weights"])
    covariances = _start_layout(np.asarray(start["covariances"], float), covariance_type)
    common = dict(
        covariance_type=covariance_type,
        weights_init=start["weights"],
        means_init=start["means"],
        covariances_init=covariances,
        random_state=seed,
        max_iter=max_iter,
        keep_history=True,
    )
    out = {"start": start}
    with warnings.catch_warnings():
        # Hard EM and k-means from a poor start are expected to warn; the plot shows it.
        warnings.simplefilter("ignore")
        out["soft"] = GaussianMixtureEM(n_components, **common).fit(X)
        out["hard"] = ClassificationEM(n_components, **common).fit(X)
        out["kmeans"] = KMeans(
            n_components,
            init=np.asarray(start["means"]),
            n_init=1,
            max_iter=max_iter,
            keep_history=True,
        ).fit(X)
    return out


def _start_layout(covariances: np.ndarray, covariance_type: str) -> np.ndarray:
    """Full start covariances (K, d, d) in ``covariance_type``'s layout.

    ``diag``: their diagonals (K, d); ``tied``: their average (d, d); ``spherical``: the
    mean of each diagonal (K,); ``full``: unchanged.
    """
    diagonals = np.diagonal(covariances, axis1=1, axis2=2)
    layouts = {
        "full": lambda: covariances,
        "diag": lambda: diagonals,
        "tied": lambda: covariances.mean(axis=0),
        "spherical": lambda: diagonals.mean(axis=1),
    }
    return layouts[covariance_type]()


def fit_bic_by_k(data, seed: int, covariance_type: str, max_k: int) -> dict[int, float]:
    """EM's BIC for K = 1 .. ``max_k`` on the case's data, with the case's covariance model.

    The classic way an EM user chooses K; it puts the case's own K in context (the wrong-K
    case asks for 3 where BIC, on the same model family, may prefer 2). Each K gets five
    k-means++ starts; K never exceeds a fifth of the sample size, so every component has
    some data to stand on.

    Returns
    -------
    dict of int to float
        ``{K: BIC}``; lower is better.
    """
    from em import GaussianMixtureEM

    n = data.X.shape[0]
    out = {}
    with warnings.catch_warnings():
        # Over-large K collapses components or stops at max_iter by design; the BIC says so.
        warnings.simplefilter("ignore")
        for k in range(1, max(1, min(max_k, n // 5)) + 1):
            gm = GaussianMixtureEM(k, covariance_type=covariance_type, n_init=5, random_state=seed)
            out[k] = float(gm.fit(data.X).bic(data.X))
    return out


def lecture_start(X: np.ndarray, means: np.ndarray) -> dict[str, np.ndarray]:
    """The lecture's gmm1 start around given means: every covariance that of all the data.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    means : ndarray of shape (K, d)

    Returns
    -------
    dict
        ``weights`` (K,) equal, ``means`` (K, d), ``covariances`` (K, d, d).
    """
    means = np.asarray(means, dtype=float)
    n_components = means.shape[0]
    cov = np.atleast_2d(np.cov(X, rowvar=False))
    return {
        "weights": np.full(n_components, 1.0 / n_components),
        "means": means,
        "covariances": np.repeat(cov[None], n_components, axis=0),
    }


def _data_start(X: np.ndarray, n_components: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return lecture_start(X, X[rng.choice(len(X), size=n_components, replace=False)])


def loo(idata) -> dict[str, Any]:
    """PSIS-LOO of the posterior, on the deviance scale beside EM's BIC and AIC.

    ``looic = -2 elpd_loo`` is what a Bayesian would compare across K where the EM user
    compares BIC; Pareto k above 0.7 means the estimate is unreliable for some points.

    Returns
    -------
    dict
        ``loo_elpd``, ``loo_se``, ``loo_p``, ``looic``, ``loo_max_pareto_k`` (floats).
    """
    import arviz as az

    with warnings.catch_warnings():
        # A high Pareto k is reported through loo_max_pareto_k, not as a console warning.
        warnings.simplefilter("ignore")
        result = az.loo(idata)
    return {
        M.LOO_ELPD: float(result.elpd),
        M.LOO_SE: float(result.se),
        M.LOO_P: float(result.p),
        M.LOOIC: float(-2.0 * result.elpd),
        M.LOO_MAX_PARETO_K: float(np.max(result.pareto_k)),
    }
