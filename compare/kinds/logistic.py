"""Logistic regression: the Newton MLE (Wald intervals) beside a PyMC logistic regression."""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from .. import metrics as M
from ._kind import ARVIZ_FIGURES, Kind, fields, method_of

__all__ = ["LogisticKind"]


class LogisticKind(Kind):
    """``P(y = 1 | x) = sigmoid(intercept + x coef)``, 0/1 outcomes."""

    name = "logistic"
    figures = ("logistic", "intervals")
    # 0/1 outcomes: the predictive check is a calibration (PAV) plot, as ArviZ recommends.
    arviz_figures = tuple("az_ppc_pava" if f == "az_ppc" else f for f in ARVIZ_FIGURES)

    def em_parameters(self, estimator, table):
        return {
            "intercept": fields(table, "intercept", np.ravel(estimator.intercept_)[0]),
            "coef": fields(table, "coef", np.ravel(estimator.coef_)),
        }, method_of(table)

    def posterior_names(self, data):
        return {"intercept": "alpha", "coef": "beta"}

    def log_likelihood(self, data, point):
        return M.logistic_log_likelihood(data.X, data.y, point["intercept"], point["coef"])

    def simulate(self, draws, X, observed, rng):
        eta = draws["intercept"][:, None] + draws["coef"] @ np.asarray(X, float).T
        return (rng.uniform(size=eta.shape) < expit(eta)).astype(float)
