"""The EM loop shared by soft EM (:class:`~em.GaussianMixtureEM`) and hard EM
(:class:`~em.ClassificationEM`).

The base class owns validation, the loop, the stopping rule and every method of a fitted
mixture (``predict``, ``score``, ``bic``, ``sample``, ...); the starts live in
:mod:`._init`, the M-step with its collapse handling in :mod:`._collapse`. A subclass
supplies only its assignment strategy (:mod:`._assignment`): how the E-step turns the
current parameters into the responsibilities the (shared) M-step consumes.
"""

from __future__ import annotations

import copy
import warnings
from typing import Any, NamedTuple

import numpy as np

from .._base import BaseEstimator
from .._fingerprint import data_fingerprint
from .._resampling import BootstrapData, require_X
from .._validation import (
    check_array,
    check_float,
    check_int,
    check_n_features,
    check_random_state,
)
from ..alignment import match_components
from ..exceptions import ConvergenceWarning
from . import _stats
from ._assignment import SOFT, Assignment
from ._collapse import FitContext
from ._covariance import COVARIANCES, CovarianceType, covariance_kind
from ._data import InMemory, fit_data
from ._init import check_given_init, check_init, initial_parameters
from ._regularisation import warn_if_reg_covar_dominates
from ._stats import MixtureParameters
from .history import FitHistory, HistoryRecorder, check_keep_history
from .prior import NormalInverseWishart


class _Run(NamedTuple):
    params: MixtureParameters
    history: np.ndarray
    objective_history: np.ndarray
    converged: bool
    n_iter: int
    log_likelihood: float
    fit_history: FitHistory | None
    # With a prior: the log posterior (up to the constant log p(X)) at each E-step and at
    # the end; what selects the best start. Without one: the log-likelihood again.
    log_posterior_history: np.ndarray
    log_posterior: float


class BaseMixtureEM(BaseEstimator):
    """Gaussian mixture fitted by an EM-type algorithm; subclasses say which one.

    Parameters are documented on the public subclasses. Every iteration is one pass of
    :func:`._stats.e_step` over the data in chunks, adding up sufficient statistics, and
    an M-step from the statistics alone, so a fit needs memory for a chunk and the
    ``K x D x D`` statistics, not for ``N x K`` responsibilities.
    """

    # How the E-step assigns samples to components: what makes the EM variant.
    _assignment: Assignment = SOFT
    # Whether a conjugate prior (MAP-EM) is supported by this variant.
    _takes_prior: bool = True

    def __init__(
        self,
        n_components: int = 1,
        *,
        covariance_type: str = "full",
        tol: float = 1e-6,
        max_iter: int = 1000,
        n_init: int = 1,
        init: str = "k-means++",
        weights_init: Any = None,
        means_init: Any = None,
        covariances_init: Any = None,
        reg_covar: float = 1e-6,
        random_state: Any = None,
        keep_history: bool | str = False,
        prior: NormalInverseWishart | str | None = None,
    ):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.max_iter = max_iter
        self.n_init = n_init
        self.init = init
        self.weights_init = weights_init
        self.means_init = means_init
        self.covariances_init = covariances_init
        self.reg_covar = reg_covar
        self.random_state = random_state
        self.keep_history = keep_history
        self.prior = prior

    # ------------------------------------------------------------------ fitting

    def fit(self, X: Any, y: Any = None) -> BaseMixtureEM:
        """Fit the mixture to ``X`` by EM; returns ``self``.

        Parameters
        ----------
        X : array-like of shape (N, D) or (N,)
            Samples; a 1-D array is one feature.
        y : ignored
            Accepted for scikit-learn compatibility (pipelines, ``GridSearchCV``).

        Returns
        -------
        self
        """
        n_components = check_int(self.n_components, "n_components", minimum=1)
        covariance = covariance_kind(self.covariance_type)
        tol = check_float(self.tol, "tol", minimum=0.0)
        max_iter = check_int(self.max_iter, "max_iter", minimum=0)
        n_init = check_int(self.n_init, "n_init", minimum=1)
        init = check_init(self.init)
        reg_covar = check_float(self.reg_covar, "reg_covar", minimum=0.0)
        data = fit_data(X, n_components, f"n_components={n_components}")
        given = check_given_init(
            self.weights_init,
            self.means_init,
            self.covariances_init,
            n_components,
            data.n_features,
            covariance,
        )
        rng = check_random_state(self.random_state)
        keep_history = check_keep_history(self.keep_history)

        prior = self._check_prior(data, n_components, covariance)
        if prior is None:  # a MAP M-step does not add reg_covar
            warn_if_reg_covar_dominates(data, reg_covar, type(self).__name__)

        ctx = FitContext(data, covariance, reg_covar, type(self).__name__, prior)
        runs = []
        for _ in range(n_init):
            start = initial_parameters(ctx, init, n_components, given, rng)
            runs.append(self._run(ctx, start, max_iter, tol, keep_history is not False))
        best = max(runs, key=lambda run: run.log_posterior)  # first of equals: reproducible

        if max_iter > 0 and not best.converged:
            objective = "log-likelihood" if prior is None else "log posterior"
            warnings.warn(
                f"{type(self).__name__} stopped at max_iter={max_iter} before the change of "
                f"the mean per-sample {objective} fell below tol={tol}; increase max_iter "
                "or tol, or try another init",
                ConvergenceWarning,
                stacklevel=2,
            )
        self._set_fitted(best, runs, data)
        self.prior_ = prior
        self.history_ = best.fit_history
        self.histories_ = [run.fit_history for run in runs] if keep_history == "all" else None
        return self

    def _check_prior(
        self, data, n_components: int, covariance: CovarianceType
    ) -> NormalInverseWishart | None:
        """The prior to fit with: None, the given one (checked), or the default one."""
        prior = self.prior
        if prior is None:
            return None
        name = type(self).__name__
        if not self._takes_prior:
            raise ValueError(
                f"{name} does not take a prior (got prior={prior!r}): hard EM maximises the "
                "classification likelihood, whose MAP version is not implemented; accepted: "
                "prior=None, or GaussianMixtureEM(prior=...) for MAP-EM"
            )
        if isinstance(prior, str) and prior == "default":
            if not isinstance(data, InMemory):
                raise ValueError(
                    "prior='default' needs X in memory (the sample covariance scales it); "
                    "accepted with a Dask array: an explicit NormalInverseWishart"
                )
            return NormalInverseWishart.default(data.X, n_components, covariance.name)
        if not isinstance(prior, NormalInverseWishart):
            raise TypeError(
                f"prior must be None, 'default' or an em.NormalInverseWishart; got "
                f"{type(prior).__name__} {prior!r}"
            )
        prior.check_data(data.n_features)
        prior.scale_for(covariance)  # raises, naming covariance_prior, on a wrong shape
        if prior.weight_concentration < 1:
            raise ValueError(
                f"prior.weight_concentration={prior.weight_concentration} < 1: the posterior "
                "density is then unbounded as a weight goes to 0, so MAP-EM has no maximum to "
                "find; accepted: weight_concentration >= 1 (1: uniform on the simplex), or "
                "em.VariationalGaussianMixture for a sparse prior"
            )
        return prior

    def _run(
        self,
        ctx: FitContext,
        params: MixtureParameters,
        max_iter: int,
        tol: float,
        keep_history: bool = False,
    ) -> _Run:
        """One EM run from ``params``: E-step then M-step, ``max_iter`` times at most.

        With ``keep_history`` the parameters of the start and after every M-step are
        recorded (:class:`~em.FitHistory`); nothing is recorded otherwise.
        """
        n_samples = ctx.data.n_samples
        recorder = HistoryRecorder(ctx.covariance) if keep_history else None
        if recorder is not None:
            recorder.record(params.weights, params.means, params.covariances)
        history, objective_history, posterior_history = [], [], []
        previous_objective, previous_digest = -np.inf, None
        converged = False
        for _ in range(max_iter):
            plan = ctx.plan(params)
            stats = ctx.data.e_step(plan, self._assignment)
            history.append(stats.log_likelihood)
            objective_history.append(stats.objective)
            # MAP-EM increases the log posterior; plain EM the objective of its assignment.
            objective = stats.objective
            if ctx.prior is not None:
                objective = stats.objective + ctx.log_prior(params)
                posterior_history.append(objective)
            params, reseeded = ctx.m_step(stats, plan)
            if recorder is not None:
                recorder.record(params.weights, params.means, params.covariances)
            # E.g. hard EM: a repeated assignment makes this M-step repeat the last one exactly.
            fixed_point = self._assignment.at_fixed_point(stats.digest, previous_digest)
            change = (objective - previous_objective) / n_samples
            if not reseeded and (abs(change) < tol or fixed_point):
                converged = True
                break
            previous_objective, previous_digest = objective, stats.digest
        log_likelihood = ctx.data.log_likelihood(ctx.plan(params))
        log_posterior = log_likelihood
        if ctx.prior is not None:
            log_posterior = log_likelihood + ctx.log_prior(params)
        else:
            posterior_history = history
        fit_history = None
        if recorder is not None:
            fit_history = recorder.result([*history, log_likelihood])
        return _Run(
            params,
            np.asarray(history, dtype=np.float64),
            np.asarray(objective_history, dtype=np.float64),
            converged,
            len(history),
            log_likelihood,
            fit_history,
            np.asarray(posterior_history, dtype=np.float64),
            log_posterior,
        )

    def _set_fitted(self, best: _Run, runs: list[_Run], data) -> None:
        params = best.params
        self.weights_ = params.weights
        self.means_ = params.means
        self.covariances_ = params.covariances
        self.precisions_cholesky_ = params.precisions_cholesky
        self.converged_ = best.converged
        self.n_iter_ = best.n_iter
        self.stop_reason_ = "converged" if best.converged else "max_iter"
        self.log_likelihood_ = best.log_likelihood
        self.log_likelihood_history_ = best.history
        self.init_log_likelihoods_ = np.array([run.log_likelihood for run in runs])
        self.n_features_in_ = data.n_features
        if self.prior is None:  # the MAP attributes exist only for a MAP fit
            for name in ("log_posterior_", "log_posterior_history_"):
                self.__dict__.pop(name, None)
        else:
            self.log_posterior_ = best.log_posterior
            self.log_posterior_history_ = best.log_posterior_history
        # Lets inference(X) refuse data other than these (em._fingerprint).
        self.data_fingerprint_ = data_fingerprint(data.n_samples, data.n_features, data.rows)

    def _check_X(self, X: Any) -> np.ndarray:
        """``X`` for a fitted model: finite, 2-D (or 1-D), with the fitted number of features."""
        self._check_fitted("means_")
        X = check_array(X, "X", copy=False)
        check_n_features(X, self.n_features_in_, type(self).__name__)
        return X

    # ------------------------------------------------------------------ fitted model

    @property
    def _params(self) -> MixtureParameters:
        return MixtureParameters(
            self.weights_, self.means_, self.covariances_, self.precisions_cholesky_
        )

    @property
    def _covariance(self) -> CovarianceType:
        return COVARIANCES[self.covariance_type]

    def _plan(self) -> _stats.Plan:
        return _stats.plan_at(self._params, self._covariance)

    def predict(self, X: Any) -> np.ndarray:
        """Most probable component of each sample (Bayes' rule); shape (N,)."""
        return self._labels(self._check_X(X))

    def _labels(self, X: np.ndarray) -> np.ndarray:
        """``predict`` of an already validated ``X``."""
        labels = np.empty(X.shape[0], dtype=np.intp)
        for part, log_joint in _stats.log_joint_chunks(X, self._plan()):
            labels[part] = np.argmax(log_joint, axis=1)
        return labels

    def predict_proba(self, X: Any) -> np.ndarray:
        """Posterior component probabilities ``P(C_k | x_n)``; shape (N, K), rows sum to 1.

        Computed chunk by chunk: the only array of size ``N`` is the result.
        """
        X = self._check_X(X)
        proba = np.empty((X.shape[0], self.means_.shape[0]))
        for part, log_joint in _stats.log_joint_chunks(X, self._plan()):
            proba[part] = np.exp(log_joint - _stats.logsumexp_rows(log_joint)[:, None])
        return proba

    def score_samples(self, X: Any) -> np.ndarray:
        """Log-likelihood ``log p(x_n)`` of each sample under the fitted mixture; shape (N,)."""
        X = self._check_X(X)
        return _stats.sample_log_likelihood(X, self._plan())

    def score(self, X: Any, y: Any = None) -> float:
        """Mean per-sample log-likelihood of ``X`` (higher is better, as ``GridSearchCV`` wants)."""
        return float(np.mean(self.score_samples(X)))

    def n_parameters(self) -> int:
        """Number of free parameters: ``K - 1`` weights, ``K D`` means, covariance entries."""
        self._check_fitted("means_")
        return self._covariance.n_parameters(*self.means_.shape)

    # scikit-learn's private name, for code written against GaussianMixture.
    _n_parameters = n_parameters

    def full_covariances(self, values: Any = None) -> np.ndarray:
        """Covariances laid out like ``covariances_``, as one full matrix per component.

        Parameters
        ----------
        values : array-like, optional
            Anything laid out like ``covariances_`` (standard errors or interval bounds from
            :meth:`inference`, say); default ``covariances_`` itself. Off-diagonal entries
            that the covariance type fixes at zero are zero.

        Returns
        -------
        ndarray of shape (K, D, D)
            A new array.
        """
        self._check_fitted("means_")
        values = self.covariances_ if values is None else np.asarray(values, float)
        return self._covariance.as_full(values, *self.means_.shape)

    def bic(self, X: Any) -> float:
        """Bayesian information criterion ``-2 log L + p log N`` on ``X`` (lower is better)."""
        X = self._check_X(X)
        log_likelihood = _stats.log_likelihood(X, self._plan())
        return float(-2 * log_likelihood + self.n_parameters() * np.log(X.shape[0]))

    def aic(self, X: Any) -> float:
        """Akaike information criterion ``-2 log L + 2 p`` on ``X`` (lower is better)."""
        X = self._check_X(X)
        log_likelihood = _stats.log_likelihood(X, self._plan())
        return float(-2 * log_likelihood + 2 * self.n_parameters())

    def sample(self, n_samples: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """Draw from the fitted mixture (the lecture's generative story).

        Pick component ``k`` with probability ``w_k``, then draw ``mu_k + L_k z`` with
        ``z ~ N(0, I)`` and ``Sigma_k = L_k L_k^T``. Draws use ``random_state``, so an int
        seed gives the same sample on every call.

        Parameters
        ----------
        n_samples : int, default=1

        Returns
        -------
        X : ndarray of shape (n_samples, D)
            Grouped by component, as in scikit-learn.
        labels : ndarray of int, shape (n_samples,)
            The component each row was drawn from.
        """
        self._check_fitted("means_")
        n_samples = check_int(n_samples, "n_samples", minimum=1)
        rng = check_random_state(self.random_state)
        counts = rng.multinomial(n_samples, self.weights_)
        covariance = self._covariance
        factors = covariance.sampling_factor(self.covariances_)
        n_components, n_features = self.means_.shape
        draws = []
        for k in range(n_components):
            z = rng.standard_normal((counts[k], n_features))
            draws.append(self.means_[k] + covariance.draw(z, factors, k))
        return np.vstack(draws), np.repeat(np.arange(n_components), counts)

    # ------------------------------------------------------------------ bootstrap hook
    # (em._resampling.Resamplable)

    def _bootstrap_data(self, X: Any, y: Any, kind: str) -> BootstrapData:
        self._check_fitted("means_")
        return BootstrapData(require_X(X, type(self).__name__))

    def _bootstrap_simulate(self, data: BootstrapData, rng: np.random.Generator) -> dict:
        """A sample of the training size from the fitted mixture."""
        simulator = copy.copy(self)
        simulator.random_state = rng  # fresh draws each time, not the reference's seed
        return {"X": simulator.sample(data.n_samples)[0]}

    def _bootstrap_estimates(self) -> dict[str, np.ndarray]:
        return {"weights": self.weights_, "means": self.means_, "covariances": self.covariances_}

    def _bootstrap_align(self, values, reference, data):
        """Components matched to the reference's by their means (labels are arbitrary)."""
        order = match_components(values["means"], reference["means"], data.feature_scale)
        return {
            "weights": values["weights"][order],
            "means": values["means"][order],
            "covariances": self._covariance.permute(values["covariances"], order),
        }
