"""Gradient-descent machinery shared by the regression estimators.

Both regressions minimise a mean loss over samples. Running the descent on standardised
features (each column centred and divided by its standard deviation) makes the curvature
of the loss about the same in every direction, so one step size works on data in any
units; :class:`Standardizer` maps the solution back to the original units.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from ..exceptions import ConvergenceWarning

DESCENT_METHODS = ("gradient_descent", "sgd", "minibatch")


class Standardizer(NamedTuple):
    """Column centring and scaling ``(X - center) / scale``.

    Attributes
    ----------
    center : ndarray of shape (p,)
        Column means (zeros when there is no intercept: without one, centring would change
        the model).
    scale : ndarray of shape (p,)
        Column standard deviations (root mean squares without an intercept); 1 for an
        all-zero column so nothing is divided by zero.
    """

    center: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, X: np.ndarray, fit_intercept: bool) -> Standardizer:
        center = X.mean(axis=0) if fit_intercept else np.zeros(X.shape[1])
        scale = np.sqrt(np.mean(np.square(X - center), axis=0))
        return cls(center, np.where(scale > 0, scale, 1.0))

    def transform(self, X: np.ndarray) -> np.ndarray:
        return (X - self.center) / self.scale

    def to_original(self, w: np.ndarray, b: float) -> tuple[np.ndarray, float]:
        """Coefficients and intercept in the original units from ``b + Z w``; ((p,), float)."""
        coef = w / self.scale
        return coef, float(b - self.center @ coef)


class DescentResult(NamedTuple):
    """Outcome of :func:`descend`."""

    w: np.ndarray
    loss_history: np.ndarray
    n_epochs: int
    converged: bool
    stop_reason: str


def batches(n_samples: int, batch_size: int, rng: np.random.Generator):
    """Index arrays of one epoch: a fresh random permutation cut into batches."""
    order = rng.permutation(n_samples)
    return np.array_split(order, max(1, -(-n_samples // batch_size)))


def descend(
    gradient: Callable[[np.ndarray, np.ndarray | None], np.ndarray],
    loss: Callable[[np.ndarray], float],
    w0: np.ndarray,
    *,
    n_samples: int,
    batch_size: int | None,
    step: float,
    decay: float,
    max_epochs: int,
    tol: float,
    rng: np.random.Generator,
    owner: str,
) -> DescentResult:
    """Minimise a mean loss by (stochastic, mini-batch or full-batch) gradient descent.

    Parameters
    ----------
    gradient : callable ``(w, idx) -> ndarray of shape (q,)``
        Gradient of the mean loss over the samples ``idx`` (``None``: all samples).
    loss : callable ``w -> float``
        Mean loss over all samples; recorded once per epoch.
    w0 : ndarray of shape (q,)
        Starting point.
    n_samples : int
    batch_size : int or None
        ``None`` for full-batch descent (one step per epoch).
    step : float
        Initial step size.
    decay : float
        The step of epoch ``e`` (counted from 0) is ``step / (1 + decay * e)``; a stochastic
        gradient is noisy at the optimum, so only a shrinking step settles there.
    max_epochs : int
    tol : float
        Converged when the largest absolute entry of the full gradient is at most ``tol``.
    rng : numpy.random.Generator
        Shuffles the samples every epoch.
    owner : str
        Estimator name for messages.

    Returns
    -------
    DescentResult
        ``w`` is the last iterate for full-batch descent and, for the stochastic variants,
        the mean of the iterates of the last half of the epochs. ``loss_history`` has one
        entry per epoch plus the starting loss, shape ``(n_epochs + 1,)``.

    Raises
    ------
    ValueError
        When the loss becomes non-finite or grows a thousandfold (the step is too large),
        so no diverged, NaN fit is ever returned.
    """
    w = w0.copy()
    history = [loss(w)]
    epoch_means: list[np.ndarray] = []
    for epoch in range(max_epochs):
        eta = step / (1.0 + decay * epoch)
        if batch_size is None:
            w -= eta * gradient(w, None)
            estimate = w
        else:
            # Tail (Polyak-Ruppert) averaging: the mean of the iterates of the last half of
            # the epochs averages the gradient noise away, so the estimate settles far
            # closer to the optimum than the last iterate, which keeps jittering.
            epoch_sum = np.zeros_like(w)
            steps = batches(n_samples, batch_size, rng)
            for idx in steps:
                w -= eta * gradient(w, idx)
                epoch_sum += w
            epoch_means.append(epoch_sum / len(steps))
            estimate = np.mean(epoch_means[len(epoch_means) // 2 :], axis=0)
        history.append(loss(estimate))
        if not np.isfinite(history[-1]) or history[-1] > 1e3 * max(history[0], 1e-300):
            raise ValueError(
                f"{owner}: gradient descent diverged at epoch {epoch + 1} (loss "
                f"{history[0]:.3g} -> {history[-1]:.3g}); use a smaller learning_rate"
            )
        if np.max(np.abs(gradient(estimate, None))) <= tol:
            return DescentResult(estimate, np.array(history), epoch + 1, True, "converged")
    warnings.warn(
        f"{owner}: gradient descent reached max_epochs={max_epochs} before the gradient fell "
        f"below tol={tol:g}; increase max_epochs or learning_rate",
        ConvergenceWarning,
        stacklevel=3,
    )
    return DescentResult(estimate, np.array(history), max_epochs, False, "max_epochs")
