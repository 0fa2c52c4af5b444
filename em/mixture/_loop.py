"""The EM loop shared by soft EM (:class:`~em.GaussianMixtureEM`) and hard EM
(:class:`~em.ClassificationEM`).

The base class owns validation, initialisation, the loop, the stopping rule, collapse
handling and every method of a fitted mixture (``predict``, ``score``, ``bic``, ``sample``,
...). A subclass supplies only its E-step: how the current parameters turn into the
responsibilities the (shared) M-step consumes.
"""

from __future__ import annotations

import warnings
from typing import Any, NamedTuple

import numpy as np

from .._base import BaseEstimator
from .._validation import (
    _as_float_array,
    check_array,
    check_choice,
    check_finite,
    check_float,
    check_int,
    check_random_state,
)
from ..exceptions import ConvergenceWarning, DegenerateComponentWarning
from . import _covariance as g
from . import _stats
from ._data import InMemory, fit_data
from ._init import (
    MIXTURE_INITS,
    initial_responsibilities,
    nearest_center_resp,
    random_from_data,
)
from ._seeding import squared_distances

# A standard deviation below this many units of rounding of the largest |x| is noise: the
# covariance counts as singular (e.g. identical points with reg_covar=0).
_ROUNDING_UNITS = 1e3
# A component whose effective number of samples sum_n r_nk falls below this has no data
# left to estimate anything from: it is treated as collapsed and re-seeded.
_MIN_COMPONENT_COUNT = 1e-6
# Relative asymmetry tolerated in covariances_init (rounding, e.g. from a file round trip).
_SYMMETRY_RTOL = 1e-10
# How far weights_init may sum away from one.
_WEIGHTS_SUM_ATOL = 1e-8


class MixtureParameters(NamedTuple):
    """Parameters of a Gaussian mixture.

    Attributes
    ----------
    weights : ndarray of shape (K,)
    means : ndarray of shape (K, D)
    covariances : ndarray
        ``full`` (K, D, D), ``tied`` (D, D), ``diag`` (K, D), ``spherical`` (K,).
    precisions_cholesky : ndarray
        Same shape as ``covariances`` (see :mod:`em._gaussian`).
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    precisions_cholesky: np.ndarray


def _plan(params: MixtureParameters, covariance_type: str) -> _stats.Plan:
    """The E-step / M-step plan (:mod:`em._stats`) at ``params``."""
    return _stats.plan(
        params.weights,
        params.means,
        params.precisions_cholesky,
        params.covariances,
        covariance_type,
    )


class _Run(NamedTuple):
    params: MixtureParameters
    history: np.ndarray
    objective_history: np.ndarray
    converged: bool
    n_iter: int
    log_likelihood: float


class BaseMixtureEM(BaseEstimator):
    """Gaussian mixture fitted by an EM-type algorithm; subclasses say which one.

    Parameters are documented on the public subclasses. Every iteration is one pass of
    :func:`em._stats.e_step` over the data in chunks, adding up sufficient statistics, and
    an M-step from the statistics alone, so a fit needs memory for a chunk and the
    ``K x D x D`` statistics, not for ``N x K`` responsibilities.
    """

    # Hard (classification) EM: samples count wholly for their most probable component.
    _hard: bool = False
    # Name of the fitted attribute recording the objective (None: it is the log-likelihood).
    _objective_history_attribute: str | None = None

    def __init__(
        self,
        n_components: int = 1,
        *,
        covariance_type: str = "full",
        tol: float = 1e-6,
        max_iter: int = 1000,
        n_init: int = 1,
        init: str = "kmeans++",
        weights_init: Any = None,
        means_init: Any = None,
        covariances_init: Any = None,
        reg_covar: float = 1e-6,
        random_state: Any = None,
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
        covariance_type = check_choice(self.covariance_type, "covariance_type", g.COVARIANCE_TYPES)
        tol = check_float(self.tol, "tol", minimum=0.0)
        max_iter = check_int(self.max_iter, "max_iter", minimum=0)
        n_init = check_int(self.n_init, "n_init", minimum=1)
        check_choice(self.init, "init", MIXTURE_INITS)
        reg_covar = check_float(self.reg_covar, "reg_covar", minimum=0.0)
        data = fit_data(X, n_components, f"n_components={n_components}")
        given = self._check_given_init(n_components, data.n_features, covariance_type)
        rng = check_random_state(self.random_state)

        ctx = _FitContext(data, covariance_type, reg_covar, type(self).__name__)
        runs = [
            self._run(ctx, self._initial_parameters(ctx, n_components, given, rng), max_iter, tol)
            for _ in range(n_init)
        ]
        best = max(runs, key=lambda run: run.log_likelihood)  # first of equals: reproducible

        if max_iter > 0 and not best.converged:
            warnings.warn(
                f"{type(self).__name__} stopped at max_iter={max_iter} before the change of "
                f"the mean per-sample log-likelihood fell below tol={tol}; increase max_iter "
                "or tol, or try another init",
                ConvergenceWarning,
                stacklevel=2,
            )
        self._set_fitted(best, runs, data)
        return self

    def _run(self, ctx: _FitContext, params: MixtureParameters, max_iter: int, tol: float) -> _Run:
        """One EM run from ``params``: E-step then M-step, ``max_iter`` times at most."""
        n_samples = ctx.data.n_samples
        history, objective_history = [], []
        previous_objective, previous_digest = -np.inf, None
        converged = False
        for _ in range(max_iter):
            plan = ctx.plan(params)
            stats = ctx.data.e_step(plan, self._hard)
            history.append(stats.log_likelihood)
            objective_history.append(stats.objective)
            params, reseeded = ctx.m_step(stats, plan)
            # Hard EM: a repeated assignment makes this M-step repeat the last one exactly.
            fixed_point = stats.digest is not None and stats.digest == previous_digest
            change = (stats.objective - previous_objective) / n_samples
            if not reseeded and (abs(change) < tol or fixed_point):
                converged = True
                break
            previous_objective, previous_digest = stats.objective, stats.digest
        log_likelihood = ctx.data.log_likelihood(ctx.plan(params))
        return _Run(
            params,
            np.asarray(history, dtype=np.float64),
            np.asarray(objective_history, dtype=np.float64),
            converged,
            len(history),
            log_likelihood,
        )

    def _initial_parameters(
        self,
        ctx: _FitContext,
        n_components: int,
        given: dict[str, np.ndarray],
        rng: np.random.Generator,
    ) -> MixtureParameters:
        """Parameters before the first E-step.

        Given ``*_init`` arrays are used as they are. The parts not given come from the
        ``init`` strategy, except that given means define the starting partition (each
        sample to its nearest given mean), so the other parts match those means.
        """
        weights, means, covariances = (
            given.get(name) for name in ("weights", "means", "covariances")
        )
        if weights is None or means is None or covariances is None:
            if self.init == "random_from_data" and means is None:
                overall, _ = ctx.data_covariance()
                start = ctx.with_precisions(
                    *random_from_data(ctx.data, n_components, ctx.covariance_type, overall, rng)
                )
            elif not isinstance(ctx.data, InMemory):
                raise ValueError(
                    f"init={self.init!r}{' with means_init' if means is not None else ''} "
                    "needs X in memory to form a starting partition; for a Dask array "
                    "accepted: init='random_from_data' (the lecture's start), or all of "
                    "weights_init, means_init and covariances_init"
                )
            elif means is not None:
                start = ctx.from_responsibilities(nearest_center_resp(ctx.data.X, means))
            else:
                resp = initial_responsibilities(ctx.data.X, n_components, self.init, rng)
                start = ctx.from_responsibilities(resp)
            weights = start.weights if weights is None else weights
            means = start.means if means is None else means
            covariances = start.covariances if covariances is None else covariances
        return ctx.with_precisions(weights, means, covariances)

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
        if self._objective_history_attribute is not None:
            setattr(self, self._objective_history_attribute, best.objective_history)
        self.init_log_likelihoods_ = np.array([run.log_likelihood for run in runs])
        self.n_features_in_ = data.n_features

    # ------------------------------------------------------------------ validation

    def _check_given_init(
        self, n_components: int, n_features: int, covariance_type: str
    ) -> dict[str, np.ndarray]:
        """Validated ``weights_init``, ``means_init``, ``covariances_init`` (those given)."""
        given = {}
        if self.weights_init is not None:
            given["weights"] = _check_weights(self.weights_init, n_components)
        if self.means_init is not None:
            given["means"] = _init_array(
                self.means_init,
                "means_init",
                (n_components, n_features),
                "(n_components, n_features)",
            )
        if self.covariances_init is not None:
            given["covariances"] = _check_covariances(
                self.covariances_init, covariance_type, n_components, n_features
            )
        return given

    def _check_X(self, X: Any) -> np.ndarray:
        """``X`` for a fitted model: finite, 2-D (or 1-D), with the fitted number of features."""
        self._check_fitted("means_")
        X = check_array(X, "X", copy=False)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features but {type(self).__name__} was fitted with "
                f"{self.n_features_in_}; pass data with {self.n_features_in_} columns"
            )
        return X

    # ------------------------------------------------------------------ fitted model

    @property
    def _params(self) -> MixtureParameters:
        return MixtureParameters(
            self.weights_, self.means_, self.covariances_, self.precisions_cholesky_
        )

    def _plan(self) -> _stats.Plan:
        return _plan(self._params, self.covariance_type)

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
            proba[part] = np.exp(log_joint - g.logsumexp_rows(log_joint)[:, None])
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
        return g.n_parameters(self.covariance_type, *self.means_.shape)

    # scikit-learn's private name, for code written against GaussianMixture.
    _n_parameters = n_parameters

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
        factors = g.covariance_cholesky(self.covariances_, self.covariance_type)
        n_components, n_features = self.means_.shape
        draws = []
        for k in range(n_components):
            z = rng.standard_normal((counts[k], n_features))
            if self.covariance_type == "full":
                draws.append(self.means_[k] + z @ factors[k].T)
            elif self.covariance_type == "tied":
                draws.append(self.means_[k] + z @ factors.T)
            else:
                draws.append(self.means_[k] + z * factors[k])
        return np.vstack(draws), np.repeat(np.arange(n_components), counts)


class _FitContext:
    """The data and settings of one ``fit`` call, and the M-step that needs them.

    Keeps the data covariance (used to re-seed collapsed components) so it is computed at
    most once per fit, and only when a component actually collapses.
    """

    def __init__(self, data, covariance_type: str, reg_covar: float, owner: str):
        self.data = data  # em._data.InMemory or em._dask.DaskData
        self.covariance_type = covariance_type
        self.reg_covar = reg_covar
        self.owner = owner
        self.min_std = _ROUNDING_UNITS * np.finfo(np.float64).eps * data.largest_abs
        self._reset = None

    def with_precisions(
        self, weights: np.ndarray, means: np.ndarray, covariances: np.ndarray
    ) -> MixtureParameters:
        """Complete parameters whose covariances are known to be positive definite."""
        precisions_cholesky, _ = g.compute_precision_cholesky(covariances, self.covariance_type)
        return MixtureParameters(weights, means, covariances, precisions_cholesky)

    def plan(self, params: MixtureParameters) -> _stats.Plan:
        """The E-step and M-step of an iteration at ``params``."""
        return _plan(params, self.covariance_type)

    def m_step(self, stats: _stats.Statistics, plan: _stats.Plan) -> tuple[MixtureParameters, bool]:
        """Parameters from the statistics of an E-step, with collapsed components re-seeded.

        Parameters
        ----------
        stats : Statistics
            Of the E-step made with ``plan``.
        plan : Plan
            The E-step's plan; re-seeding asks it for the worst-explained samples.

        Returns
        -------
        params : MixtureParameters
        reseeded : bool
            Whether any component was re-seeded (such an iteration never counts as
            converged, and the log-likelihood may drop across it).

        Notes
        -----
        A component collapses when its effective sample count ``n_k`` falls below
        ``1e-6`` (its weight went to zero, or a hard-EM cluster is empty) or its covariance
        is not numerically positive definite: the Cholesky factorisation fails, or some
        (conditional) standard deviation is at the rounding level of the data (at most
        ``1e3 * eps * max|x|``) or of the other directions (see
        :func:`em._gaussian.compute_precision_cholesky`); e.g. ``reg_covar=0`` and fewer
        distinct points than dimensions plus one. It is re-seeded at the worst-explained
        sample (lowest ``log p(x_n)`` at the E-step's parameters) as in the lecture's start:
        the covariance of all the data and an equal share ``N/K`` of the samples (then all
        weights are renormalised), so it can win samples back instead of collapsing again.
        A :class:`~em.DegenerateComponentWarning` names it. A singular ``tied`` covariance
        is reset to the data covariance.
        """
        nk, means, covariances = plan.m_step(stats, self.reg_covar, g.NK_EPS)
        return self._checked(
            nk, means, covariances, lambda collapsed: self.data.worst_samples(plan, collapsed.sum())
        )

    def from_responsibilities(self, resp: np.ndarray) -> MixtureParameters:
        """Starting parameters from given responsibilities (N, K), e.g. a partition.

        Data in memory only. A collapsed component is re-seeded as in :meth:`m_step`, at
        the sample farthest from every healthy component.
        """
        X = self.data.X
        nk, means, covariances = g.estimate_gaussian_parameters(
            X, resp, self.reg_covar, self.covariance_type
        )

        def farthest(collapsed: np.ndarray) -> np.ndarray:
            healthy = means[~collapsed]
            if not healthy.size:
                return np.arange(collapsed.sum())
            score = -squared_distances(X, healthy).min(axis=1)
            return np.argsort(score, kind="stable")[: collapsed.sum()]

        return self._checked(nk, means, covariances, farthest)[0]

    def _checked(self, nk, means, covariances, worst) -> tuple[MixtureParameters, bool]:
        """Complete parameters from an M-step's ``nk``, ``means`` and ``covariances``.

        ``worst(collapsed)`` gives the samples to re-seed the collapsed components at, one
        per ``True`` in the boolean mask (K,) ``collapsed``.
        """
        covariance_type = self.covariance_type
        precisions_cholesky, singular = g.compute_precision_cholesky(
            covariances, covariance_type, self.min_std
        )
        reseeded = False
        if covariance_type == "tied":
            if singular[0]:
                covariances, precisions_cholesky = self.data_covariance()
                self._warn("the tied (shared) covariance is singular; reset to the data covariance")
                reseeded = True
            singular = np.zeros_like(nk, dtype=bool)
        empty = nk < _MIN_COMPONENT_COUNT
        collapsed = np.flatnonzero(empty | singular)
        if collapsed.size:
            covariance, precision_cholesky = self.data_covariance()
            for k, i in zip(collapsed, worst(empty | singular), strict=True):
                why = (
                    f"its effective sample count fell to {nk[k] - g.NK_EPS:.3g}"
                    if empty[k]
                    else "its covariance is not positive definite (try a larger reg_covar)"
                )
                means[k] = self.data.rows(i)
                nk[k] = self.data.n_samples / nk.size
                if covariance_type != "tied":
                    covariances[k] = covariance
                    precisions_cholesky[k] = precision_cholesky
                self._warn(
                    f"component {k} collapsed ({why}); re-seeded at sample {i}, the "
                    "worst-explained one, with the data covariance and weight 1/K (before "
                    "renormalising)"
                )
            reseeded = True
        weights = nk / nk.sum()
        return MixtureParameters(weights, means, covariances, precisions_cholesky), reseeded

    def data_covariance(self) -> tuple[np.ndarray, np.ndarray]:
        """Covariance of all the data (one component's shape) and its precision Cholesky."""
        if self._reset is None:
            covariance = self.data.covariance(self.reg_covar, self.covariance_type)
            stacked = covariance[None] if self.covariance_type != "tied" else covariance
            precision_cholesky, singular = g.compute_precision_cholesky(
                stacked, self.covariance_type, self.min_std
            )
            if singular.any():
                raise ValueError(
                    f"X has a singular covariance (its points coincide or lie on a "
                    f"lower-dimensional subspace) and reg_covar={self.reg_covar}; the lecture's "
                    "start and the re-seeding of a collapsed component need a positive "
                    "definite one; accepted: such data, or reg_covar > 0 (e.g. the default 1e-6)"
                )
            if self.covariance_type != "tied":
                precision_cholesky = precision_cholesky[0]
            self._reset = (covariance, precision_cholesky)
        return self._reset

    def _warn(self, message: str) -> None:
        warnings.warn(f"{self.owner}: {message}", DegenerateComponentWarning, stacklevel=6)


# ---------------------------------------------------------------------- init validation


def _init_array(value: Any, name: str, shape: tuple[int, ...], shape_text: str) -> np.ndarray:
    """``value`` as float64 of exactly ``shape``.

    With one feature a flat array of the right length is also accepted (1-D data are one
    feature, so ``means_init=[3, 5]`` is unambiguous).
    """
    arr = _as_float_array(value, name)
    if arr.shape != shape:
        one_feature = len(shape) >= 2 and shape[-1] == 1
        if one_feature and arr.ndim <= 1 and arr.size == int(np.prod(shape)):
            arr = arr.reshape(shape)
        else:
            raise ValueError(
                f"{name} has shape {arr.shape}; accepted: shape {shape_text} = {shape}"
            )
    check_finite(arr, name)
    return arr


def _check_weights(value: Any, n_components: int) -> np.ndarray:
    weights = _init_array(value, "weights_init", (n_components,), "(n_components,)")
    if (weights <= 0).any():
        raise ValueError(
            f"weights_init has non-positive entries (min {weights.min():.6g}); accepted: "
            "positive weights summing to 1 (a zero weight would start a dead component)"
        )
    total = weights.sum()
    if abs(total - 1.0) > _WEIGHTS_SUM_ATOL:
        raise ValueError(
            f"weights_init sums to {total:.10g}; accepted: positive weights summing to 1 "
            f"(within {_WEIGHTS_SUM_ATOL:g})"
        )
    return weights / total  # removes the last rounding-level discrepancy


def _check_covariances(
    value: Any, covariance_type: str, n_components: int, n_features: int
) -> np.ndarray:
    shape = g.covariance_shape(covariance_type, n_components, n_features)
    shape_text = {
        "full": "(n_components, n_features, n_features)",
        "tied": "(n_features, n_features)",
        "diag": "(n_components, n_features)",
        "spherical": "(n_components,)",
    }[covariance_type]
    covariances = _init_array(
        value, "covariances_init", shape, f"{shape_text} for covariance_type={covariance_type!r}"
    )
    if covariance_type in ("full", "tied"):
        transposed = np.swapaxes(covariances, -1, -2)
        scale = np.abs(covariances).max()
        if np.abs(covariances - transposed).max() > _SYMMETRY_RTOL * scale:
            raise ValueError(
                "covariances_init is not symmetric; accepted: symmetric positive definite matrices"
            )
        covariances = (covariances + transposed) / 2
    _, singular = g.compute_precision_cholesky(covariances, covariance_type)
    if singular.any():
        which = "" if covariance_type == "tied" else f"[{int(np.flatnonzero(singular)[0])}]"
        accepted = (
            "symmetric positive definite matrices"
            if covariance_type in ("full", "tied")
            else "positive variances"
        )
        raise ValueError(
            f"covariances_init{which} is not positive definite for "
            f"covariance_type={covariance_type!r}; accepted: {accepted}"
        )
    return covariances
