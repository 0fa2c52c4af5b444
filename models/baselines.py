"""Cheaper approximations that teach something beside the full posterior.

- MAP: the posterior mode. With weak priors it lands next to the EM / maximum-likelihood
  estimate; where it does not, the prior is doing work.
- Mean-field ADVI: a factorised Gaussian fitted to the posterior. It cannot represent the
  dependence between ordered means, so it misstates their spread: a lesson, not a bug.
  Full-rank ADVI fits a Gaussian with a full covariance, which can.
"""

from __future__ import annotations

import time

import numpy as np
import pymc as pm
import xarray as xr

from ._validation import check_choice, check_int, check_positive, resolve_seed

__all__ = ["ADVI_METHODS", "advi", "map_estimate"]

ADVI_METHODS = ("advi", "fullrank_advi")


def map_estimate(model: pm.Model, *, random_seed=None, tol=None) -> dict[str, np.ndarray]:
    """Maximum a posteriori point (L-BFGS-B from the model's initial point).

    The optimiser works in the unconstrained space but on the density without the
    transforms' Jacobians, so the point is the mode of the posterior density of the
    variables as the model declares them: ``(w, mu, sigma)`` for the weak mixture priors,
    ``(w, mu, variance)`` or ``(w, mu, cov)`` for the conjugate ones (the MAP-EM point of
    that prior, up to the optimiser's tolerance and the mode it starts near).

    Parameters
    ----------
    model : pymc.Model
    random_seed : int, numpy.random.Generator or None
        Only used if the optimiser's start needs jittering (it is not jittered by default).
    tol : float, optional
        Tolerance of ``scipy.optimize.minimize`` (L-BFGS-B's ``ftol`` and ``gtol``);
        default scipy's, which stops a few 1e-5 short of the mode of a mixture. Pass e.g.
        1e-12 to compare the point with another optimiser's.

    Returns
    -------
    dict of str to ndarray
        Every free variable and Deterministic in its natural (constrained) space, e.g.
        ``w`` (K,), ``mu`` (K,), ``sigma`` (K,), and ``variance`` (K,) for the conjugate
        1-D mixture; no transformed duplicates.
    """
    if not isinstance(model, pm.Model):
        raise TypeError(f"model must be a pymc.Model; got {type(model).__name__}")
    idata = pm.find_MAP(
        model=model,
        jitter=False,
        progressbar=False,
        random_seed=resolve_seed(random_seed),
        return_inferencedata=True,
        **({} if tol is None else {"tol": check_positive(tol, "tol")}),
    )
    point = idata.posterior.to_dataset().squeeze(("chain", "draw"), drop=True)
    names = [v.name for v in (*model.free_RVs, *model.deterministics)]
    return {name: point[name].values for name in names}


def advi(
    model: pm.Model,
    *,
    method: str = "advi",
    n: int = 20_000,
    draws: int = 1000,
    learning_rate: float | None = None,
    average: int = 0,
    random_seed=None,
) -> xr.DataTree:
    """Variational inference (ADVI), then draws from the fitted approximation.

    Parameters
    ----------
    model : pymc.Model
    method : {"advi", "fullrank_advi"}, default "advi"
        ``"advi"``: a Gaussian with a diagonal covariance in the unconstrained space
        (mean-field); ``"fullrank_advi"``: with a full covariance, which can represent the
        dependence between parameters (at a cost quadratic in their number).
    n : int, default 20000
        Optimisation steps.
    draws : int, default 1000
        Draws from the approximation (one chain).
    learning_rate : float, optional
        Step size of PyMC's default optimiser (``adagrad_window``); default PyMC's, 1e-3.
        A larger step (1e-2) reaches the optimum of a small mixture in a few thousand
        steps where the default needs tens of thousands.
    average : int, default 0
        Average the approximation's parameters over the last ``average`` steps (Polyak-
        Ruppert iterate averaging) and draw from the average; 0 keeps the last iterate.
        The optimiser moves every parameter by about ``learning_rate`` per step whatever
        the posterior's width, so near a narrow posterior (many data) the last iterate
        jitters by a sizeable fraction of a posterior sd; the average does not.
    random_seed : int, numpy.random.Generator or None
        The same int gives the same fit and the same draws.

    Returns
    -------
    xarray.DataTree
        A ``posterior`` group with dims (chain=1, draw, ...) like :func:`models.sample`'s
        (free variables and Deterministics, same coords), so the two can be plotted
        together. ``attrs`` of the tree and of ``posterior``: ``method``, ``n``,
        ``average``, ``random_seed``, ``final_loss`` (the last negative ELBO) and
        ``wall_time``
        (seconds for the fit and the draws, compilation included).
    """
    if not isinstance(model, pm.Model):
        raise TypeError(f"model must be a pymc.Model; got {type(model).__name__}")
    method = check_choice(method, "method", ADVI_METHODS)
    n = check_int(n, "n", minimum=1)
    draws = check_int(draws, "draws", minimum=1)
    average = check_int(average, "average", minimum=0)
    if average > n:
        raise ValueError(f"average must be at most n = {n} (the steps run); got {average}")
    seed = resolve_seed(random_seed)
    options = {}
    if learning_rate is not None:
        learning_rate = check_positive(learning_rate, "learning_rate")
        options["obj_optimizer"] = pm.adagrad_window(learning_rate=float(learning_rate))
    start = time.perf_counter()
    averager = _IterateAverage(n - average) if average else None
    if averager is not None:
        options["callbacks"] = [averager]
    approx = pm.fit(n=n, method=method, model=model, random_seed=seed, progressbar=False, **options)
    if averager is not None:
        averager.apply(approx)
    idata = approx.sample(draws, random_seed=seed)
    attrs = {
        "method": method,
        "n": n,
        "learning_rate": 1e-3 if learning_rate is None else float(learning_rate),
        "average": average,
        "random_seed": seed,
        "final_loss": float(approx.hist[-1]),
        "wall_time": time.perf_counter() - start,
    }
    idata.attrs.update(attrs)
    idata.posterior.attrs.update(attrs)
    return idata


class _IterateAverage:
    """A ``pm.fit`` callback: the running mean of the parameters after step ``after``."""

    def __init__(self, after: int):
        self.after = after
        self.count = 0
        self.sums: list[np.ndarray] | None = None

    def __call__(self, approx, _loss, i: int) -> None:
        if i <= self.after:  # i counts steps from 1
            return
        values = [np.array(p.get_value(), dtype=float) for p in approx.params]
        if self.sums is None:
            self.sums = values
        else:
            for total, value in zip(self.sums, values, strict=True):
                total += value
        self.count += 1

    def apply(self, approx) -> None:
        """Set ``approx``'s parameters to their averages (draws then come from them)."""
        for p, total in zip(approx.params, self.sums, strict=True):
            p.set_value((total / self.count).astype(p.get_value().dtype))
