"""The M-step of one fit, and what happens when a component collapses.

A component collapses when its effective sample count ``n_k`` falls below ``1e-6`` (its
weight went to zero, or a hard-EM cluster is empty) or its covariance is not numerically
positive definite. The policy, the lecture's start applied to one component: re-seed it at
the worst-explained sample with the covariance of all the data and an equal share ``N/K``
of the samples (then renormalise the weights), so it can win samples back instead of
collapsing again, and say so with a :class:`~em.DegenerateComponentWarning`.

With a conjugate prior (MAP-EM) the M-step is the posterior mode of
:meth:`em.NormalInverseWishart.update` from the same statistics, and nothing collapses: the
prior's scale keeps every covariance positive definite, and an empty component keeps a
mean near the prior's and a small positive weight. No component is re-seeded then.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

from ..exceptions import DegenerateComponentWarning
from . import _stats
from ._covariance import CovarianceType
from ._seeding import squared_distances
from ._stats import MixtureParameters
from .prior import ComponentStatistics, NormalInverseWishart

# A standard deviation below this many units of rounding of the largest |x| is noise: the
# covariance counts as singular (e.g. identical points with reg_covar=0).
_ROUNDING_UNITS = 1e3
# A component whose effective number of samples sum_n r_nk falls below this has no data
# left to estimate anything from: it is treated as collapsed and re-seeded.
_MIN_COMPONENT_COUNT = 1e-6
# Frames between the user's call (fit) and warnings.warn in FitContext._warn: fit -> the
# loop or the start -> m_step / from_responsibilities -> _checked -> _warn.
_WARN_STACKLEVEL = 6


class FitContext:
    """The data and settings of one ``fit`` call, and the M-step that needs them.

    Keeps the data covariance (used to re-seed collapsed components) so it is computed at
    most once per fit, and only when a component actually collapses.

    Parameters
    ----------
    data : em.mixture._data.InMemory or em.mixture._dask.DaskData
    covariance : CovarianceType
    reg_covar : float
    owner : str
        The estimator's class name, for warnings.
    prior : NormalInverseWishart, optional
        With a prior the M-step is the MAP step and ``reg_covar`` is not used by it.
    """

    def __init__(
        self,
        data,
        covariance: CovarianceType,
        reg_covar: float,
        owner: str,
        prior: NormalInverseWishart | None = None,
    ):
        self.data = data
        self.covariance = covariance
        self.reg_covar = reg_covar
        self.owner = owner
        self.prior = prior
        self.min_std = _ROUNDING_UNITS * np.finfo(np.float64).eps * data.largest_abs
        self._reset = None

    def with_precisions(
        self, weights: np.ndarray, means: np.ndarray, covariances: np.ndarray
    ) -> MixtureParameters:
        """Complete parameters whose covariances are known to be positive definite."""
        precisions_cholesky, _ = self.covariance.precision_cholesky(covariances)
        return MixtureParameters(weights, means, covariances, precisions_cholesky)

    def plan(self, params: MixtureParameters) -> _stats.Plan:
        """The E-step and M-step of an iteration at ``params``."""
        return _stats.plan_at(params, self.covariance)

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
        A covariance counts as singular when the Cholesky factorisation fails, or some
        (conditional) standard deviation is at the rounding level of the data (at most
        ``1e3 * eps * max|x|``) or of the other directions (see
        :meth:`CovarianceType.precision_cholesky`); e.g. ``reg_covar=0`` and fewer distinct
        points than dimensions plus one. The collapsed component is re-seeded at the
        worst-explained sample (lowest ``log p(x_n)`` at the E-step's parameters). A
        singular shared (``tied``) covariance is reset to the data covariance.
        """
        if self.prior is not None:
            return self._map(*plan.moments(stats, _stats.NK_EPS)), False
        nk, means, covariances = plan.m_step(stats, self.reg_covar, _stats.NK_EPS)
        return self._checked(
            nk, means, covariances, lambda collapsed: self.data.worst_samples(plan, collapsed.sum())
        )

    def _map(self, nk: np.ndarray, means: np.ndarray, scatter: np.ndarray) -> MixtureParameters:
        """The MAP M-step: the mode of the conjugate posterior given weighted moments.

        ``nk`` (K,), weighted means (K, D) and the scatter of :meth:`Plan.moments`.
        """
        kind = self.covariance
        statistics = ComponentStatistics(nk, means, kind.pool(scatter))
        weights, means, covariances = self.prior.update(statistics, kind).mode(kind)
        precisions_cholesky, singular = kind.precision_cholesky(covariances, self.min_std)
        if singular.any():
            # The mode's covariance is at least Psi0 / (nu0 + N + D + 2): only a scale at the
            # rounding level of the data can make it singular.
            raise ValueError(
                f"{self.owner}: the MAP covariance of component(s) "
                f"{', '.join(map(str, np.flatnonzero(singular)))} is singular to working "
                "precision, so prior.covariance_prior is too small for data of this magnitude; "
                "accepted: a covariance_prior well above the rounding level of X (e.g. "
                "NormalInverseWishart.default(X, ...))"
            )
        return MixtureParameters(weights, means, covariances, precisions_cholesky)

    def log_prior(self, params: MixtureParameters) -> float:
        """``log p(theta)`` under the prior (0 without one)."""
        if self.prior is None:
            return 0.0
        return self.prior.log_density(
            params.weights, params.means, params.covariances, self.covariance
        )

    def from_responsibilities(self, resp: np.ndarray) -> MixtureParameters:
        """Starting parameters from given responsibilities (N, K), e.g. a partition.

        Data in memory only. A collapsed component is re-seeded as in :meth:`m_step`, at
        the sample farthest from every healthy component. With a prior the start is the
        MAP step from these responsibilities (nothing collapses).
        """
        X = self.data.X
        if self.prior is not None:
            return self._map(*_stats.responsibility_moments(X, resp, self.covariance))
        nk, means, covariances = _stats.estimate_from_responsibilities(
            X, resp, self.reg_covar, self.covariance
        )

        def farthest(collapsed: np.ndarray) -> np.ndarray:
            healthy = means[~collapsed]
            if not healthy.size:
                return np.arange(collapsed.sum())
            score = -squared_distances(X, healthy).min(axis=1)
            return np.argsort(score, kind="stable")[: collapsed.sum()]

        return self._checked(nk, means, covariances, farthest)[0]

    def _checked(
        self,
        nk: np.ndarray,
        means: np.ndarray,
        covariances: np.ndarray,
        worst: Callable[[np.ndarray], np.ndarray],
    ) -> tuple[MixtureParameters, bool]:
        """Complete parameters from an M-step's ``nk``, ``means`` and ``covariances``.

        ``worst(collapsed)`` gives the samples to re-seed the collapsed components at, one
        per ``True`` in the boolean mask (K,) ``collapsed``.
        """
        kind = self.covariance
        precisions_cholesky, singular = kind.precision_cholesky(covariances, self.min_std)
        reseeded = False
        if kind.shared:
            # One covariance for all: re-seeding one component cannot repair it.
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
                    f"its effective sample count fell to {nk[k] - _stats.NK_EPS:.3g}"
                    if empty[k]
                    else "its covariance is not positive definite (try a larger reg_covar)"
                )
                means[k] = self.data.rows(i)
                nk[k] = self.data.n_samples / nk.size
                if not kind.shared:
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
            covariance = self.data.covariance(self.reg_covar, self.covariance)
            precision_cholesky, singular = self.covariance.one_precision_cholesky(
                covariance, self.min_std
            )
            if singular:
                raise ValueError(
                    f"X has a singular covariance (its points coincide or lie on a "
                    f"lower-dimensional subspace) and reg_covar={self.reg_covar}; the lecture's "
                    "start and the re-seeding of a collapsed component need a positive "
                    "definite one; accepted: such data, or reg_covar > 0 (e.g. the default 1e-6)"
                )
            self._reset = (covariance, precision_cholesky)
        return self._reset

    def _warn(self, message: str) -> None:
        warnings.warn(
            f"{self.owner}: {message}", DegenerateComponentWarning, stacklevel=_WARN_STACKLEVEL
        )
