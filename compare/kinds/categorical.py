"""The categorical distribution: counts, their MLE (Wald intervals) and a Dirichlet posterior."""

from __future__ import annotations

import numpy as np

from .. import metrics as M
from ._kind import ARVIZ_FIGURES, Kind, fields, method_of

__all__ = ["CategoricalKind"]


class CategoricalKind(Kind):
    """``data.X`` holds the counts (k,); the parameter is ``p`` (k,)."""

    name = "categorical"
    figures = ("intervals",)
    # A PPC of four counts pooled into one density says nothing; the forest says it all.
    arviz_figures = tuple(f for f in ARVIZ_FIGURES if f != "az_ppc")
    # X holds one count per category: its length is the model's structure.
    any_size = False

    def fit(self, estimator, data) -> None:
        estimator.fit(counts=data.X)

    def em_parameters(self, estimator, table):
        return {"p": fields(table, "probabilities", estimator.probabilities_)}, method_of(table)

    def posterior_names(self, data):
        return {"p": "p"}

    def log_likelihood(self, data, point):
        # Without the multinomial coefficient, as the lecture (and em.CategoricalMLE) write it.
        return M.categorical_log_likelihood(data.X, point["p"])

    def n_observations(self, data) -> int:
        return int(data.X.sum())

    def set_data(self, model, data) -> None:
        import models

        models.set_data(model, counts=data.X)

    def simulate(self, draws, X, observed, rng):
        probs = draws["p"]
        probs = probs / probs.sum(axis=1, keepdims=True)
        total = int(np.asarray(observed).sum())
        return np.stack([rng.multinomial(total, q) for q in probs]).astype(float)
