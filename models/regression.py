"""Linear and logistic regression with weakly informative priors scaled to the data.

The slopes' prior sd is ``prior_scale * s_y / s_j`` (``s_y = std(y)``, 1 for the logistic
model whose outcome is on the logit scale; ``s_j = std(X[:, j])``), so a change of units of
a feature does not change what the prior says. The intercept's prior is the one implied
for the uncentred model by an intercept ``N(m_y, prior_scale * s_y)`` on centred
predictors: its sd is ``prior_scale * s_y * sqrt(1 + sum_j (mean_j / s_j)^2)``.
Defaults: ``prior_scale = 10`` for linear regression (weak: the posterior mean is the least
squares fit up to a negligible shrinkage), 2.5 for logistic regression (Gelman et al.'s
weakly informative logit prior, which keeps estimates finite under separation).
``sigma ~ HalfNormal(prior_scale * s_y)``.
"""

from __future__ import annotations

import numpy as np
import pymc as pm

from ._validation import (
    check_binary,
    check_data_matrix,
    check_data_vector,
    check_names,
    check_positive,
)
from .data import register_data_checks

__all__ = ["linear_regression", "logistic_regression"]


def linear_regression(X, y, *, prior_scale: float = 10.0, coef_names=None) -> pm.Model:
    """Gaussian linear regression ``y ~ Normal(alpha + X @ beta, sigma)``.

    Parameters
    ----------
    X : array-like of shape (n, p)
        Predictors (a 1-D array is one predictor). Stored as ``pm.Data("X")``.
    y : array-like of shape (n,)
        Outcomes. Stored as ``pm.Data("y")``.
    prior_scale : float, default 10.0
        Width of the priors in units of the data's spread (see the module docstring).
    coef_names : sequence of str, optional
        Labels of the ``coef`` coordinate; default ``x0, x1, ...``.

    Returns
    -------
    pymc.Model
        Coords ``coef`` (p) and ``obs_id`` (n); free variables ``alpha`` (scalar),
        ``beta`` (coef) and ``sigma`` (scalar); observed ``y_obs``.
    """
    X = check_data_matrix(X, "X", min_rows=2, reason="a regression needs two observations")
    y = check_data_vector(y, "y")
    _check_rows(X, y)
    scale = check_positive(prior_scale, "prior_scale")
    s_y = _spread(y)
    alpha_sd, beta_sd = _coef_prior_sds(X, scale * s_y)
    coords = {"coef": check_names(coef_names, "coef_names", X.shape[1], "x")}

    with pm.Model(coords=coords | {"obs_id": np.arange(len(y))}) as model:
        X_data = pm.Data("X", X, dims=("obs_id", "coef"))
        y_data = pm.Data("y", y, dims="obs_id")
        alpha = pm.Normal("alpha", y.mean(), alpha_sd)
        beta = pm.Normal("beta", 0.0, beta_sd, dims="coef")
        sigma = pm.HalfNormal("sigma", scale * s_y)
        pm.Normal("y_obs", mu=alpha + X_data @ beta, sigma=sigma, observed=y_data, dims="obs_id")

    register_data_checks(
        model, X=lambda v: check_data_matrix(v, "X"), y=lambda v: check_data_vector(v, "y")
    )
    return model


def logistic_regression(X, y, *, prior_scale: float = 2.5, coef_names=None) -> pm.Model:
    """Logistic regression ``y ~ Bernoulli(sigmoid(alpha + X @ beta))``.

    Parameters
    ----------
    X : array-like of shape (n, p)
        Predictors. Stored as ``pm.Data("X")``.
    y : array-like of shape (n,)
        Labels in {0, 1} (booleans accepted). Stored as ``pm.Data("y")``.
    prior_scale : float, default 2.5
        Prior sd of a slope per standard deviation of its feature (see the module docstring).
    coef_names : sequence of str, optional
        Labels of the ``coef`` coordinate; default ``x0, x1, ...``.

    Returns
    -------
    pymc.Model
        Coords ``coef`` and ``obs_id``; free variables ``alpha`` (scalar) and ``beta``
        (coef); observed ``y_obs``.
    """
    X = check_data_matrix(X, "X", min_rows=2, reason="a regression needs two observations")
    y = check_binary(y, "y", n=X.shape[0])
    scale = check_positive(prior_scale, "prior_scale")
    alpha_sd, beta_sd = _coef_prior_sds(X, scale)
    coords = {"coef": check_names(coef_names, "coef_names", X.shape[1], "x")}

    with pm.Model(coords=coords | {"obs_id": np.arange(len(y))}) as model:
        X_data = pm.Data("X", X, dims=("obs_id", "coef"))
        y_data = pm.Data("y", y, dims="obs_id")
        alpha = pm.Normal("alpha", 0.0, alpha_sd)
        beta = pm.Normal("beta", 0.0, beta_sd, dims="coef")
        pm.Bernoulli("y_obs", logit_p=alpha + X_data @ beta, observed=y_data, dims="obs_id")

    n = X.shape[0]
    register_data_checks(
        model, X=lambda v: check_data_matrix(v, "X"), y=lambda v: check_binary(v, "y", n=n)
    )
    return model


def _coef_prior_sds(X: np.ndarray, outcome_scale: float) -> tuple[float, np.ndarray]:
    """Prior sds ``(alpha (scalar), beta (p,))`` for an outcome spread ``outcome_scale``."""
    s_x = np.array([_spread(col) for col in X.T])
    beta_sd = outcome_scale / s_x
    alpha_sd = outcome_scale * float(np.sqrt(1.0 + np.sum((X.mean(axis=0) / s_x) ** 2)))
    return alpha_sd, beta_sd


def _spread(v: np.ndarray) -> float:
    """Standard deviation, or 1 for a constant column (a prior scale must be positive)."""
    s = float(np.std(v))
    return s if s > 0 else 1.0


def _check_rows(X: np.ndarray, y: np.ndarray) -> None:
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"y has {y.shape[0]} entries but X has {X.shape[0]} rows; they must match")
