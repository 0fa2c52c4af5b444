"""Linear regression: least squares (exact t intervals) beside a PyMC regression."""

from __future__ import annotations

import numpy as np

from .. import metrics as M
from ._kind import Kind, fields, method_of

__all__ = ["LinearKind"]


class LinearKind(Kind):
    """``y = intercept + X coef + N(0, sigma^2)`` noise."""

    name = "linear"
    figures = ("regression", "intervals")

    def em_parameters(self, estimator, table):
        return {
            "intercept": fields(table, "intercept", estimator.intercept_),
            "coef": fields(table, "coef", np.ravel(estimator.coef_)),
            "sigma": fields(table, "sigma", estimator.sigma_),
        }, method_of(table)

    def posterior_names(self, data):
        return {"intercept": "alpha", "coef": "beta", "sigma": "sigma"}

    def log_likelihood(self, data, point):
        return M.linear_log_likelihood(
            data.X, data.y, point["intercept"], point["coef"], point["sigma"]
        )

    def simulate(self, draws, X, observed, rng):
        eta = draws["intercept"][:, None] + draws["coef"] @ np.asarray(X, float).T
        return eta + draws["sigma"][:, None] * rng.standard_normal(eta.shape)
