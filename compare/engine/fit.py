"""Fitting both sides of a comparison: the EM/MLE estimator and the PyMC posterior.

Plain data goes out: :class:`EMFit` and :class:`BayesFit` keep the fitted objects and the
wall times; nothing here computes comparisons or draws figures.

Fitting and swapping data go through the case's kind (:mod:`compare.kinds`). Compiling a
PyMC model costs far more than sampling it, so built models are kept in a
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

from ..cases import Case, Dataset
from ..kinds import get_kind
from ..settings import EM_LEVEL
from ..steps import report_step

__all__ = [
    "BayesFit",
    "EMFit",
    "clear_model_cache",
    "fit_bayes",
    "fit_em",
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
        Standard errors and intervals at :data:`compare.settings.EM_LEVEL`.
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


def fit_em(case: Case, data: Dataset, seed: int, level: float = EM_LEVEL) -> EMFit:
    """Fit the case's estimator and ask it for its intervals at ``level``.

    Parameters
    ----------
    case : Case
    data : Dataset
    seed : int
        ``random_state`` of the estimator.
    level : float, default :data:`compare.settings.EM_LEVEL`
    """
    kind = get_kind(case.kind)
    estimator = case.make_estimator(seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        kind.fit(estimator, data)
        fit_time = time.perf_counter() - start
        start = time.perf_counter()
        table = kind.inference(estimator, data, level)
        inference_time = time.perf_counter() - start
    return EMFit(
        estimator=estimator,
        inference=table,
        fit_time=fit_time,
        inference_time=inference_time,
        warnings=warning_messages(caught),
    )


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
    em_fit: EMFit | None = None,
) -> BayesFit:
    """Build (or reuse) the case's model for ``data`` and sample its posterior.

    A case with ``chains_start="em"`` starts every chain at ``em_fit``'s solution, which it
    then requires.
    """
    import models

    kind = get_kind(case.kind)
    key = (*case.model_key(data, any_size=kind.any_size), sampler)
    start = time.perf_counter()
    model = _MODELS.get(key)
    reused = model is not None
    if reused:
        kind.set_data(model, data)
    else:
        model = kind.build_model(case, data)
        _MODELS[key] = model
    build_time = 0.0 if reused else time.perf_counter() - start
    # models.sample compiles (unless the compiled sampler is cached) and then samples.
    report_step("sample" if reused else "compile")

    initvals = None
    if case.chains_start == "em":
        if em_fit is None:
            raise ValueError(f"case {case.name!r} starts its chains at EM's fit: pass em_fit")
        initvals = [kind.em_start(model, em_fit.estimator)] * chains
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        idata = models.sample(
            model,
            draws=draws,
            tune=tune,
            chains=chains,
            sampler=sampler,
            random_seed=seed,
            initvals=initvals,
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


def warning_messages(caught) -> list[str]:
    """The distinct caught warnings as ``"ClassName: message"``, in order of first sight."""
    seen: list[str] = []
    for w in caught:
        text = f"{w.category.__name__}: {w.message}"
        if text not in seen:
            seen.append(text)
    return seen
