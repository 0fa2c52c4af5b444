"""The protocol every kind of case implements, and the helpers the kinds share.

A *kind* is what a case compares: a Gaussian mixture, a linear regression, a logistic
regression, a categorical distribution. Everything that differs between kinds lives in one
object per kind (one file each in :mod:`compare.kinds`); the engine, the figures, the
reports and the studies ask that object and never test the kind's name.

Adding a kind (say Poisson regression) takes one new file and one registry line::

    # compare/kinds/poisson.py
    class PoissonKind(Kind):
        name = "poisson"
        figures = ("intervals",)

        def em_parameters(self, estimator, table):
            return {"intercept": fields(table, "intercept", estimator.intercept_),
                    "coef": fields(table, "coef", np.ravel(estimator.coef_))}, method_of(table)

        def posterior_names(self, data):
            return {"intercept": "alpha", "coef": "beta"}

        def log_likelihood(self, data, point):
            eta = point["intercept"] + data.X @ point["coef"]
            return float(np.sum(data.y * eta - np.exp(eta) - gammaln(data.y + 1)))

        def simulate(self, draws, X, observed, rng):
            return rng.poisson(np.exp(draws["intercept"][:, None] + draws["coef"] @ X.T))

    # compare/kinds/__init__.py: KINDS = {..., "poisson": PoissonKind()}

plus its cases in :mod:`compare.cases` (``kind="poisson"``), the estimator in :mod:`em` and
the model in :mod:`models`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from .. import metrics as M
from ..conjugate import PILOT_SEED

if TYPE_CHECKING:
    import xarray as xr

    from ..align import Alignment
    from ..cases import Case, Dataset

__all__ = ["Kind", "fields", "method_of", "plain"]

# Every kind's posterior gets these ArviZ figures unless it says otherwise.
ARVIZ_FIGURES = ("az_trace", "az_rank", "az_posterior", "az_pair", "az_ppc")


def plain(value):
    """numpy scalars and containers as plain Python, for JSON."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def method_of(table) -> str:
    """How an :class:`em.InferenceTable`'s intervals were obtained (its methods, joined)."""
    return ", ".join(sorted({r.method for r in table}))


def fields(table, parameter: str, estimate, shape=None) -> dict[str, np.ndarray]:
    """``{"estimate", "se", "lower", "upper"}`` of one parameter, each shaped like ``estimate``.

    Parameters
    ----------
    table : em.InferenceTable
    parameter : str
        The table's name of the parameter.
    estimate : array-like
        The estimator's attribute.
    shape : tuple of int, optional
        Shape of the table's arrays; default the estimate's (tables may differ by a
        length-1 axis, e.g. 1-D means (K, 1) against (K,)).
    """
    estimate = np.asarray(estimate, float)
    out = {"estimate": estimate}
    for f in ("se", "lower", "upper"):
        out[f] = np.asarray(table.array(parameter, f), float).reshape(
            estimate.shape if shape is None else shape
        )
    return out


class Kind:
    """What one kind of case does differently; subclass it once per kind.

    Class attributes
    ----------------
    name : str
        The value of :attr:`compare.Case.kind`.
    figures : tuple of str
        The case figures of :mod:`compare.figures` that apply, in page order (see
        :meth:`figure_names` for kinds that choose by the data).
    arviz_figures : tuple of str
        The ArviZ figures that apply.
    any_size : bool
        Whether a built model takes data with another number of rows (observations); a
        case with fixed priors then compiles once for every data size.
    """

    name: ClassVar[str] = ""
    figures: ClassVar[tuple[str, ...]] = ("intervals",)
    arviz_figures: ClassVar[tuple[str, ...]] = ARVIZ_FIGURES
    # The rows of X (and y) are observations, so a built model takes data of any size
    # (set_data through models.resize_data): with fixed priors, one compile serves them all.
    any_size: ClassVar[bool] = True

    def __repr__(self) -> str:
        return f"<kind {self.name!r}>"

    # ----------------------------------------------------------------------------------------
    # The EM / MLE side

    def fit(self, estimator, data: Dataset) -> None:
        """Fit ``estimator`` to ``data`` (default: ``fit(X, y)``)."""
        estimator.fit(data.X, data.y)

    def inference(self, estimator, data: Dataset, level: float):
        """The fitted estimator's :class:`em.InferenceTable` at ``level``.

        Default: the intervals the estimator computed at fit (``inference(level=...)``).
        """
        return estimator.inference(level=level)

    def em_parameters(self, estimator, table) -> tuple[dict[str, dict[str, np.ndarray]], str]:
        """Estimates with se and interval bounds in the report's names.

        Returns
        -------
        params : dict
            ``{name: {"estimate", "se", "lower", "upper": ndarray}}``.
        method : str
            How the intervals were obtained (:func:`method_of`).
        """
        raise NotImplementedError

    # ----------------------------------------------------------------------------------------
    # Names on the Bayesian side, the truth, alignment

    def posterior_names(self, data: Dataset) -> dict[str, str]:
        """Report name -> the posterior variable it is read from."""
        raise NotImplementedError

    def posterior_parameters(self, posterior: xr.Dataset, data: Dataset) -> dict:
        """Posterior draws in the report's names, ``{name: DataArray (chain, draw, ...)}``."""
        out = {}
        for name, var in self.posterior_names(data).items():
            da = posterior[var]
            # A variable may not share its name with a dimension ("coef" would become a
            # coordinate in a Dataset); the regressions' coefficient dim becomes "feature".
            if name in da.dims:
                da = da.rename({name: "feature"})
            out[name] = da.rename(name)
        return out

    def report_truth(self, truth, data: Dataset) -> dict | None:
        """The case's truth in the report's names (default: as the case gives it)."""
        return None if truth is None else dict(truth)

    def align(
        self, case: Case, em_params: dict, posterior: dict
    ) -> tuple[dict, dict, dict[str, Alignment]]:
        """Put both sides' parameters in one order; default: nothing to align."""
        return em_params, posterior, {}

    # ----------------------------------------------------------------------------------------
    # Scoring a point, the data, simulating

    def point_parameters(self, params: dict) -> dict[str, np.ndarray]:
        """Parameters at one point (estimate or posterior mean), as :meth:`log_likelihood` reads."""
        return {k: np.asarray(v, float) for k, v in params.items()}

    def log_likelihood(self, data: Dataset, point: dict[str, np.ndarray]) -> float:
        """Log-likelihood of ``data`` at ``point`` (from :meth:`point_parameters`)."""
        raise NotImplementedError

    def n_observations(self, data: Dataset) -> int:
        """How many observations ``data`` holds (default: its rows)."""
        return int(data.X.shape[0])

    def build_model(self, case: Case, data: Dataset, **options):
        """The case's PyMC model for ``data``, the same whichever data set built it first.

        A compiled model is shared by every seed (and every size, for kinds that take any
        size) of a case whose priors do not depend on its data. The builders derive a
        starting point from the data they are given (the ordered means start at the data's
        quantiles), so such a model is built from the case's pilot data set and then takes
        ``data``: otherwise a case's draws would depend on which data set happened to build
        its model earlier in the process. ``options`` go to ``case.make_model`` (e.g.
        ``ordering="none"``).
        """
        if case.data_independent_priors and self.any_size:
            model = case.make_model(case.generate(PILOT_SEED, "numpy"), **options)
            self.set_data(model, data)
            return model
        return case.make_model(data, **options)

    def em_start(self, model, estimator) -> dict:
        """The point of ``model`` at the fitted ``estimator``'s parameters, for the chains of
        a case with ``chains_start="em"`` (mapping of free-variable names to values).

        The default refuses: a kind whose posterior needs it says how.
        """
        raise ValueError(f"chains_start='em' is not available for {self.name} cases")

    def set_data(self, model, data: Dataset) -> None:
        """Swap ``data`` into a built PyMC ``model`` (default: ``X`` and ``y``, any size)."""
        import models

        models.resize_data(model, X=data.X, y=data.y)

    def simulate(
        self, draws: dict[str, np.ndarray], X, observed, rng: np.random.Generator
    ) -> np.ndarray:
        """One replicated data set per posterior draw.

        Parameters
        ----------
        draws : dict of ndarray
            Report name -> draws stacked over (chain, draw): shape (S, ...).
        X : ndarray
            The case's ``data.X`` (regressions' design).
        observed : DataArray
            The observed variable; gives the shape.
        rng : numpy.random.Generator

        Returns
        -------
        ndarray of shape (S, *observed.shape)
        """
        raise NotImplementedError

    # ----------------------------------------------------------------------------------------
    # Run-level extras, metrics, figures

    def run_extras(self, case: Case, data: Dataset, em_fit, bayes, alignment, seed: int) -> dict:
        """What :func:`compare.run` adds for this kind beyond the parameter rows.

        Returns
        -------
        dict
            ``variants`` (dict or None) and ``responsibilities`` (dict of ndarray); default
            neither.
        """
        return {"variants": None, "responsibilities": {}}

    def em_metrics(self, estimator, data: Dataset, extras: dict) -> dict[str, Any]:
        """The EM fit's own numbers for ``metrics.json`` (default: iterations, convergence)."""
        out = {}
        for attr, key in (("n_iter_", M.EM_N_ITER), ("converged_", M.EM_CONVERGED)):
            if hasattr(estimator, attr):
                out[key] = plain(getattr(estimator, attr))
        return out

    def posterior_metrics(self, case: Case, data: Dataset, em_fit, bayes, seed: int) -> dict:
        """Model-choice numbers computed after the rows (default: none)."""
        return {}

    def figure_names(self, data: Dataset) -> list[str]:
        """Keys of :data:`compare.figures.FIGURES` for a case of this kind, in page order."""
        return [*self.figures, *self.arviz_figures]

    # ----------------------------------------------------------------------------------------
    # Studies

    def collapsed(self, data: Dataset, em_params: dict, messages: list[str]) -> bool | None:
        """Whether the EM fit collapsed (mixtures); ``None`` where the idea does not apply."""
        return None
