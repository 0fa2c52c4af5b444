"""Fitting both sides of a comparison: the EM/MLE estimator and the PyMC posterior.

Plain data goes out: :class:`EMFit` and :class:`BayesFit` keep the fitted objects and the
wall times; nothing here computes comparisons or draws figures.

Compiling a PyMC model costs far more than sampling it, so built models are kept in a
process-wide cache keyed by :meth:`compare.cases.Case.model_key`; a later case (or seed)
with the same key gets the same model with its data swapped by ``models.set_data``, and
``models.sample`` reuses the compiled sampler.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .cases import Case, Dataset

__all__ = [
    "BayesFit",
    "EMFit",
    "clear_model_cache",
    "fit_bayes",
    "fit_bic_by_k",
    "fit_em",
    "fit_em_variants",
    "lecture_start",
    "warning_messages",
]


@dataclass
class EMFit:
    """The EM/MLE side of one case.

    Attributes
    ----------
    estimator : object
        The fitted estimator from :mod:`em`.
    inference : em.InferenceTable
        Standard errors and 95 % intervals.
    fit_time, inference_time : float
        Wall seconds.
    warnings : list of str
        Warnings the fit raised (convergence, collapsed components, separation).
    """

    estimator: Any
    inference: Any
    fit_time: float
    inference_time: float
    warnings: list[str] = field(default_factory=list)


@dataclass
class BayesFit:
    """The Bayesian side of one case.

    Attributes
    ----------
    model : pymc.Model
    idata : xarray.DataTree
        From ``models.sample``.
    diagnostics : models.Diagnostics
    build_time : float
        Seconds to build the model graph (0 when a cached model was reused).
    compile_time, sampling_time : float
        From the sampling wrapper's attributes.
    reused_model : bool
        Whether the model came from the cache (its data swapped with ``set_data``).
    warnings : list of str
    """

    model: Any
    idata: Any
    diagnostics: Any
    build_time: float
    compile_time: float
    sampling_time: float
    reused_model: bool
    warnings: list[str] = field(default_factory=list)


def fit_em(case: Case, data: Dataset, seed: int) -> EMFit:
    """Fit the case's estimator and ask it for its 95 % intervals.

    Parameters
    ----------
    case : Case
    data : Dataset
    seed : int
        ``random_state`` of the estimator.
    """
    estimator = case.make_estimator(seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        if case.kind == "categorical":
            estimator.fit(counts=data.X)
        elif data.y is None:
            estimator.fit(data.X)
        else:
            estimator.fit(data.X, data.y)
        fit_time = time.perf_counter() - start
        start = time.perf_counter()
        # A mixture's observed information needs the data; the other estimators computed
        # theirs at fit.
        if case.kind == "mixture":
            table = estimator.inference(data.X, level=0.95)
        else:
            table = estimator.inference(level=0.95)
        inference_time = time.perf_counter() - start
    return EMFit(
        estimator=estimator,
        inference=table,
        fit_time=fit_time,
        inference_time=inference_time,
        warnings=warning_messages(caught),
    )


def fit_em_variants(
    case: Case, data: Dataset, seed: int, covariance_type: str = "full"
) -> dict[str, Any]:
    """Soft EM, hard EM and k-means from one common start, for the iteration plot.

    The start is the case's (the lecture's) where it has one; otherwise K data points drawn
    with ``seed`` as means, the overall covariance and equal weights (the lecture's gmm1).

    Parameters
    ----------
    case : Case
    data : Dataset
    seed : int
    covariance_type : {"full", "diag"}, default "full"
        The main EM fit's, so soft and hard EM fit the same model it does; ``"diag"`` keeps
        the diagonals of the start's covariances.

    Returns
    -------
    dict
        ``"soft"``, ``"hard"`` (fitted :class:`em.GaussianMixtureEM`,
        :class:`em.ClassificationEM`), ``"kmeans"`` (:class:`em.KMeans`) and ``"start"``.
    """
    from em import ClassificationEM, GaussianMixtureEM, KMeans

    X = data.X
    K = case.n_components
    start = case.start if case.start is not None else _data_start(X, K, seed)
    covariances = start["covariances"]
    if covariance_type == "diag":
        covariances = np.diagonal(covariances, axis1=1, axis2=2)
    common = dict(
        covariance_type=covariance_type,
        weights_init=start["weights"],
        means_init=start["means"],
        covariances_init=covariances,
        random_state=seed,
        max_iter=100,
    )
    out = {"start": start}
    with warnings.catch_warnings():
        # Hard EM and k-means from a poor start are expected to warn; the plot shows it.
        warnings.simplefilter("ignore")
        out["soft"] = GaussianMixtureEM(K, **common).fit(X)
        out["hard"] = ClassificationEM(K, **common).fit(X)
        out["kmeans"] = KMeans(K, init=np.asarray(start["means"]), n_init=1, max_iter=100).fit(X)
    return out


def fit_bic_by_k(data: Dataset, seed: int, covariance_type: str, max_k: int) -> dict[int, float]:
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
    K = means.shape[0]
    cov = np.atleast_2d(np.cov(X, rowvar=False))
    return {
        "weights": np.full(K, 1.0 / K),
        "means": means,
        "covariances": np.repeat(cov[None], K, axis=0),
    }


def _data_start(X: np.ndarray, K: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return lecture_start(X, X[rng.choice(len(X), size=K, replace=False)])


# key -> pymc.Model; see the module docstring.
_MODELS: dict[tuple, Any] = {}


def clear_model_cache() -> None:
    """Forget every cached model (the next fit of each structure compiles again)."""
    _MODELS.clear()


def fit_bayes(
    case: Case,
    data: Dataset,
    *,
    seed: int,
    draws: int,
    tune: int,
    chains: int,
    sampler: str,
) -> BayesFit:
    """Build (or reuse) the case's model for ``data`` and sample its posterior."""
    import models

    key = (*case.model_key(data), sampler)
    start = time.perf_counter()
    model = _MODELS.get(key)
    reused = model is not None
    if reused:
        _set_data(case, model, data)
    else:
        model = case.make_model(data)
        _MODELS[key] = model
    build_time = 0.0 if reused else time.perf_counter() - start

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        idata = models.sample(
            model, draws=draws, tune=tune, chains=chains, sampler=sampler, random_seed=seed
        )
    return BayesFit(
        model=model,
        idata=idata,
        diagnostics=models.diagnostics(idata),
        build_time=build_time,
        compile_time=float(idata.attrs.get("compile_time", np.nan)),
        sampling_time=float(idata.attrs.get("sampling_time", np.nan)),
        reused_model=reused,
        warnings=warning_messages(caught),
    )


def _set_data(case: Case, model, data: Dataset) -> None:
    import models

    names = models.data_names(model)
    if case.kind == "categorical":
        models.set_data(model, counts=data.X)
    elif "x" in names:
        models.set_data(model, x=data.x1d)
    elif "y" in names:
        models.set_data(model, X=data.X, y=data.y)
    else:
        models.set_data(model, X=data.X)


def warning_messages(caught) -> list[str]:
    """The distinct caught warnings as ``"ClassName: message"``, in order of first sight."""
    seen: list[str] = []
    for w in caught:
        text = f"{w.category.__name__}: {w.message}"
        if text not in seen:
            seen.append(text)
    return seen
