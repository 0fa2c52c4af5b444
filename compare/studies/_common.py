"""What the init-sensitivity, choose-k and step-order studies share.

Fits and sampling runs with their warnings captured as text (a study reports them,
it does not print them); the lecture's gmm1 start; the textbook M-step and the
log-likelihood of a hard partition; the one number format their answers quote.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ..engine.fit import warning_messages
from ..metrics import mixture_log_likelihood
from ..settings import SAME_OPTIMUM_NATS

__all__ = [
    "SAME_OPTIMUM_NATS",
    "figure",
    "fmt",
    "partition_log_likelihood",
    "partition_parameters",
    "percent",
    "quietly",
    "responsibility_parameters",
    "sample_posterior",
]


def quietly(fn: Callable[..., Any], *args, **kwargs) -> tuple[Any, list[str]]:
    """``fn(*args, **kwargs)`` and the distinct warnings it raised, as ``"Class: message"``.

    A study expects EM from a bad start to warn (a collapsed component, no convergence):
    the warning is a result to count and show, not console noise.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = fn(*args, **kwargs)
    return value, warning_messages(caught)


def responsibility_parameters(
    X: np.ndarray, resp: np.ndarray, reg_covar: float = 1e-6
) -> dict[str, np.ndarray]:
    """One M-step: Gaussian parameters from responsibilities (one-hot: a hard partition).

    Kept apart from :mod:`em` on purpose: a study sometimes needs the plain textbook step,
    including its failure (a component without points gets 0/0 = NaN parameters, which
    :mod:`em` would repair by re-seeding).

    Parameters
    ----------
    X : ndarray of shape (n, d)
    resp : ndarray of shape (n, K)
    reg_covar : float
        Added to each covariance's diagonal, as the EM estimators do.

    Returns
    -------
    dict
        ``weights`` (K,), ``means`` (K, d), ``covariances`` (K, d, d) (divisor ``n_k``).
    """
    n, d = X.shape
    nk = resp.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = (resp.T @ X) / nk[:, None]
        centred = X[None, :, :] - means[:, None, :]  # (K, n, d)
        covs = np.einsum("nk,kni,knj->kij", resp, centred, centred) / nk[:, None, None]
    return {"weights": nk / n, "means": means, "covariances": covs + reg_covar * np.eye(d)}


def partition_parameters(
    X: np.ndarray, labels: np.ndarray, n_components: int
) -> dict[str, np.ndarray]:
    """Cluster-wise maximum-likelihood Gaussians of a hard partition (hard EM's M-step).

    What turns k-means' clusters into a mixture scored on EM's log-likelihood scale.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    labels : ndarray of int, shape (n,)
        Values in ``0 .. n_components - 1``; every cluster must have a point.
    n_components : int

    Returns
    -------
    dict
        As :func:`responsibility_parameters`.
    """
    counts = np.bincount(labels, minlength=n_components)
    if (counts == 0).any():
        raise ValueError(f"every cluster needs a point; cluster sizes are {counts.tolist()}")
    return responsibility_parameters(X, np.eye(n_components)[labels])


def partition_log_likelihood(X: np.ndarray, labels: np.ndarray, n_components: int) -> float:
    """Mixture log-likelihood of ``X`` at the partition's cluster-wise MLE (common scale)."""
    p = partition_parameters(X, labels, n_components)
    return float(mixture_log_likelihood(X, p["weights"], p["means"], p["covariances"]))


def sample_posterior(
    model, *, sampler: str, seed: int, draws: int, tune: int, chains: int, initvals=None
):
    """``models.sample`` with its warnings captured.

    Parameters
    ----------
    model : pymc.Model
    sampler : str
        One of :data:`compare.settings.SAMPLERS`.
    seed, draws, tune, chains : int
    initvals : list of dict, optional
        One starting point per chain (see :func:`models.sample`).

    Returns
    -------
    idata : xarray.DataTree
    diagnostics : models.Diagnostics
    warnings : list of str
    seconds : dict
        ``compile`` and ``sampling`` (from the sampler's attributes) and ``wall``.
    """
    import models

    start = time.perf_counter()
    idata, messages = quietly(
        models.sample,
        model,
        draws=draws,
        tune=tune,
        chains=chains,
        sampler=sampler,
        random_seed=seed,
        initvals=initvals,
    )
    seconds = {
        "compile": float(idata.attrs["compile_time"]),
        "sampling": float(idata.attrs["sampling_time"]),
        "wall": time.perf_counter() - start,
    }
    return idata, models.diagnostics(idata), messages, seconds


def fmt(value: float, digits: int = 1) -> str:
    """The one format in which answers quote a number (tests format the data the same way)."""
    return f"{value:.{digits}f}"


def percent(count: int, total: int) -> str:
    """``"27 of 50 (54 %)"``."""
    return f"{count} of {total} ({100.0 * count / total:.0f} %)" if total else "0 of 0"


def figure(nrows: int = 1, ncols: int = 1, size: tuple[float, float] = (6.0, 3.6)):
    """A constrained-layout ``Figure`` (no pyplot state) and its axes, always 2-D."""
    from matplotlib.figure import Figure  # on first use: `python -m compare list` stays fast

    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.subplots(nrows, ncols, squeeze=False)
