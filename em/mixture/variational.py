"""Gaussian mixture fitted by mean-field variational Bayes (Bishop, PRML 10.2)."""

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
    check_level,
    check_n_features,
    check_random_state,
)
from ..exceptions import ConvergenceWarning
from ..inference import InferenceTable
from ._covariance import CovarianceType, covariance_kind
from ._vb_bound import elbo
from ._vb_inference import variational_table
from ._vb_predictive import log_predictive
from ._vb_stats import e_step, expected_precision, log_resp_chunks, statistics_from_resp
from .gaussian import GaussianMixtureEM
from .prior import NIWPosterior, NormalInverseWishart

VB_INITS = ("k-means++", "kmeans", "random", "random_from_data")
# How far a row of resp_init may sum away from one.
_RESP_SUM_ATOL = 1e-8


class _Run(NamedTuple):
    posterior: NIWPosterior
    history: np.ndarray
    lower_bound: float
    converged: bool


class VariationalGaussianMixture(BaseEstimator):
    """Gaussian mixture with the conjugate prior of :class:`em.NormalInverseWishart`,
    fitted by mean-field variational Bayes.

    The posterior of the weights ``w``, means ``mu`` and covariances ``Sigma`` is
    approximated by ``q(z) q(w) q(mu, Sigma)``: ``q(w)`` Dirichlet, ``q(mu_k, Sigma_k)``
    normal-inverse-Wishart (inverse-gamma for ``diag``/``spherical``; one inverse Wishart
    shared by all components for ``tied``). Coordinate ascent alternates an E-step
    (responsibilities from expectations under ``q``, streamed over ``X`` in chunks) and
    the conjugate update of ``q`` from the responsibility-weighted statistics; each
    iteration raises the evidence lower bound (ELBO), which is computed with all its
    constants.

    Parameters
    ----------
    n_components : int, default=1
        Number of components ``K`` (at most the number of samples).
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
        See :mod:`em.prior` for what each means for the prior.
    prior : NormalInverseWishart, optional
        The prior; ``None`` uses :meth:`NormalInverseWishart.default` (mclust's default,
        scaled to the data, with ``weight_concentration=1``). Its ``covariance_prior``
        must have the shape of ``covariance_type``.
    tol : float, default=1e-6
        Stop when the ELBO per sample changes by less than ``tol``; ``0`` always runs
        ``max_iter`` iterations.
    max_iter : int, default=1000
        Maximum number of iterations (E-step + update of ``q``) per start; ``0`` returns
        ``q`` updated once from the starting responsibilities.
    n_init : int, default=1
        Number of starts; the one with the highest final ELBO is kept.
    init : {"k-means++", "kmeans", "random", "random_from_data"}, default="k-means++"
        The starts of :class:`em.GaussianMixtureEM`: its starting parameters for this
        ``init``, turned into starting responsibilities by one E-step (Bayes' rule).
        The start holds one (N, K) array; the iterations stream over ``X`` in chunks
        and allocate nothing of size ``N`` (``X`` must be a NumPy array in memory).
    resp_init : array-like of shape (N, K), optional
        Starting responsibilities (non-negative rows summing to one); when given, ``init``
        and ``n_init`` are not used (every start would be this one).
    random_state : None, int or numpy.random.Generator, default=None
        Seeds the starts.

    Attributes
    ----------
    weight_concentration_ : ndarray of shape (K,)
        ``alpha_k = alpha0 + n_k`` of ``q(w)``.
    weights_ : ndarray of shape (K,)
        Mean weights under ``q``, ``alpha_k / sum(alpha)``.
    mean_precision_ : ndarray of shape (K,)
        ``kappa_k = kappa0 + n_k``.
    means_ : ndarray of shape (K, D)
        ``m_k``, the mean of ``q(mu_k)``.
    degrees_of_freedom_ : ndarray of shape (K,), or float for ``tied``
        ``nu0 + n_k`` (``full``, ``diag``), ``nu0 + N`` (``tied``), ``nu0 + D n_k``
        (``spherical``).
    covariances_ : ndarray
        ``Psi / nu``: the inverse of ``E[Sigma^{-1}]`` under ``q`` (scikit-learn's
        ``covariances_``; the mean of ``q(Sigma)`` is ``Psi / (nu - D - 1)``, see
        :meth:`inference`). ``full`` (K, D, D), ``tied`` (D, D), ``diag`` (K, D),
        ``spherical`` (K,).
    precisions_cholesky_ : ndarray, same shape as ``covariances_``
        ``U`` with ``U U^T = E[Sigma^{-1}]`` (``1 / sqrt(covariances_)`` for ``diag`` and
        ``spherical``), as in scikit-learn.
    posterior_ : NIWPosterior
        All of ``q``'s parameters, including the scale ``Psi``.
    prior_ : NormalInverseWishart
        The prior used (the default one when ``prior`` is None).
    elbo_history_ : ndarray of shape (n_iter_,)
        The ELBO after each iteration's update of ``q``; never decreasing (up to
        rounding).
    lower_bound_ : float
        The final ELBO (of the start's ``q`` when ``max_iter=0``), a lower bound of
        ``log p(X)``.
    init_lower_bounds_ : ndarray of shape (n_init,)
    converged_ : bool
    n_iter_ : int
    n_features_in_ : int

    Notes
    -----
    Against scikit-learn's ``BayesianGaussianMixture(weight_concentration_prior_type=
    "dirichlet_distribution", reg_covar=0)`` with the same prior and the same starting
    responsibilities, ``full`` gives the same numbers. For the other types scikit-learn
    does not perform the mean-field updates of this model (with ``D > 1``): its
    ``diag`` uses the Wishart's ``E[log |Lambda|]`` instead of the sum of ``D`` gamma
    terms, its ``spherical`` counts one observation per sample instead of ``D``, and
    its ``tied`` gives the shared covariance ``N / K`` observations with ``Psi0``
    counted ``K`` times; here all three are the exact coordinate-ascent updates, so
    they agree with scikit-learn only where the algebra coincides (``diag`` and
    ``spherical`` in 1-D, ``tied`` with one component; ``diag``'s update of ``q`` from
    given responsibilities in any dimension). scikit-learn's ``lower_bounds_`` drop
    constants: for ``full`` our ``elbo_history_`` is theirs plus a constant that depends
    only on ``N``, ``K``, ``D`` and the prior.

    Mean-field VB ignores the coupling of labels and parameters: with overlapping
    components its marginal intervals are too narrow (e.g. half the exact posterior
    standard deviation of the means for two unit-variance components 3 sd apart).

    Examples
    --------
    >>> import numpy as np
    >>> from em import VariationalGaussianMixture
    >>> rng = np.random.default_rng(0)
    >>> x = np.concatenate([rng.normal(0, 1, 200), rng.normal(8, 1, 200)])
    >>> vb = VariationalGaussianMixture(2, random_state=0).fit(x)
    >>> [round(float(m)) for m in np.sort(vb.means_.ravel())]
    [0, 8]
    """

    _estimator_kind = "density_estimator"

    def __init__(
        self,
        n_components: int = 1,
        *,
        covariance_type: str = "full",
        prior: NormalInverseWishart | None = None,
        tol: float = 1e-6,
        max_iter: int = 1000,
        n_init: int = 1,
        init: str = "k-means++",
        resp_init: Any = None,
        random_state: Any = None,
    ):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.prior = prior
        self.tol = tol
        self.max_iter = max_iter
        self.n_init = n_init
        self.init = init
        self.resp_init = resp_init
        self.random_state = random_state

    # ------------------------------------------------------------------ fitting

    def fit(self, X: Any, y: Any = None) -> VariationalGaussianMixture:
        """Fit ``q`` to ``X`` by coordinate ascent; returns ``self``.

        Parameters
        ----------
        X : array-like of shape (N, D) or (N,)
            Samples; a 1-D array is one feature.
        y : ignored

        Returns
        -------
        self
        """
        n_components = check_int(self.n_components, "n_components", minimum=1)
        kind = covariance_kind(self.covariance_type)
        tol = check_float(self.tol, "tol", minimum=0.0)
        max_iter = check_int(self.max_iter, "max_iter", minimum=0)
        n_init = check_int(self.n_init, "n_init", minimum=1)
        check_choice(self.init, "init", VB_INITS)
        X = check_array(
            X, "X", min_samples=n_components, min_samples_reason=f"n_components={n_components}"
        )
        prior = self._check_prior(X, n_components, kind)
        rng = check_random_state(self.random_state)
        if self.resp_init is not None:
            starts = [_check_resp(self.resp_init, X.shape[0], n_components)]
        else:
            starts = (_em_start(X, n_components, kind.name, self.init, rng) for _ in range(n_init))
        runs = [self._run(X, prior, kind, resp, max_iter, tol) for resp in starts]
        best = max(runs, key=lambda run: run.lower_bound)  # first of equals
        if max_iter > 0 and not best.converged:
            warnings.warn(
                f"{type(self).__name__} stopped at max_iter={max_iter} before the change of "
                f"the ELBO per sample fell below tol={tol}; increase max_iter or tol",
                ConvergenceWarning,
                stacklevel=2,
            )
        self._set_fitted(best, runs, prior, kind, X.shape[1])
        return self

    def _check_prior(
        self, X: np.ndarray, n_components: int, covariance_type: CovarianceType
    ) -> NormalInverseWishart:
        if self.prior is None:
            return NormalInverseWishart.default(X, n_components, covariance_type)
        if not isinstance(self.prior, NormalInverseWishart):
            raise TypeError(
                f"prior must be None or a NormalInverseWishart; got {type(self.prior).__name__}"
            )
        self.prior.check_data(X.shape[1])
        self.prior.scale_for(covariance_type)  # raises when the shapes do not match
        return self.prior

    @staticmethod
    def _run(X, prior, covariance_type, resp, max_iter, tol) -> _Run:
        """Coordinate ascent from responsibilities ``resp`` (N, K)."""
        stats, entropy = statistics_from_resp(X, resp, covariance_type)
        posterior = prior.update(stats, covariance_type)
        bound = elbo(prior, posterior, entropy, covariance_type)
        history, converged = [], False
        for _ in range(max_iter):
            stats, entropy = e_step(X, posterior, covariance_type)
            posterior = prior.update(stats, covariance_type)
            new_bound = elbo(prior, posterior, entropy, covariance_type)
            history.append(new_bound)
            change, bound = (new_bound - bound) / X.shape[0], new_bound
            if abs(change) < tol:
                converged = True
                break
        return _Run(posterior, np.asarray(history, dtype=np.float64), bound, converged)

    def _set_fitted(self, best, runs, prior, kind, n_features) -> None:
        posterior = best.posterior
        alpha, kappa, means, nu, psi = posterior
        _, prec_chol = expected_precision(posterior, kind)
        covariances = kind.divide(psi, nu)
        self.posterior_ = posterior
        self.prior_ = prior
        self.weight_concentration_ = alpha
        self.weights_ = alpha / alpha.sum()
        self.mean_precision_ = kappa
        self.means_ = means
        self.degrees_of_freedom_ = float(nu) if kind.shared else nu
        self.covariances_ = covariances
        self.precisions_cholesky_ = prec_chol
        self.elbo_history_ = best.history
        self.lower_bound_ = best.lower_bound
        self.init_lower_bounds_ = np.array([run.lower_bound for run in runs])
        self.converged_ = best.converged
        self.n_iter_ = len(best.history)
        self.n_features_in_ = n_features

    # ------------------------------------------------------------------ fitted model

    def _check_X(self, X: Any) -> np.ndarray:
        self._check_fitted("means_")
        X = check_array(X, "X", copy=False)
        check_n_features(X, self.n_features_in_, type(self).__name__)
        return X

    def predict_proba(self, X: Any) -> np.ndarray:
        """Variational responsibilities ``q(z_n = k)``; shape (N, K), rows sum to 1.

        The E-step's ``r_nk`` (proportional to ``exp(E[log w_k N(x_n | mu_k,
        Sigma_k)])``), as scikit-learn's ``predict_proba`` gives them.
        """
        X = self._check_X(X)
        proba = np.empty((X.shape[0], self.means_.shape[0]))
        for part, log_resp in log_resp_chunks(X, self.posterior_, self.covariance_type):
            proba[part] = np.exp(log_resp)
        return proba

    def predict(self, X: Any) -> np.ndarray:
        """Component with the largest variational responsibility; shape (N,)."""
        X = self._check_X(X)
        labels = np.empty(X.shape[0], dtype=np.intp)
        for part, log_resp in log_resp_chunks(X, self.posterior_, self.covariance_type):
            labels[part] = np.argmax(log_resp, axis=1)
        return labels

    def score_samples(self, X: Any) -> np.ndarray:
        """Log posterior predictive density ``log p(x_n | q)``; shape (N,).

        The exact predictive of ``q``, a mixture of Student t's with the mean weights
        (see :mod:`em._vb_predictive`), not the plug-in Gaussian mixture.
        """
        X = self._check_X(X)
        return log_predictive(X, self.posterior_, self.covariance_type)

    def score(self, X: Any, y: Any = None) -> float:
        """Mean log posterior predictive density of ``X`` (higher is better)."""
        return float(np.mean(self.score_samples(X)))

    def inference(self, X: Any = None, y: Any = None, *, level: float = 0.95) -> InferenceTable:
        """Marginal intervals of every parameter under the variational posterior ``q``.

        Rows ``weights[k]``, ``means[k, d]`` and ``covariances[...]`` (the shape of
        ``covariances_``), named as :meth:`em.GaussianMixtureEM.inference` names them.
        Estimates are means under ``q``, ``se`` its standard deviations, intervals
        equal-tailed; see :mod:`em._vb_inference` for which marginals are exact
        (weights, means, variances) and which are Monte Carlo (off-diagonal covariances).

        Parameters
        ----------
        X, y : ignored
            Accepted so every estimator's ``inference(X)`` can be called alike; ``q``
            already holds what the data say.
        level : float, default=0.95

        Returns
        -------
        InferenceTable
        """
        self._check_fitted("means_")
        level = check_level(level)
        return variational_table(self.posterior_, self.covariance_type, level)


def _check_resp(value: Any, n_samples: int, n_components: int) -> np.ndarray:
    resp = _as_float_array(value, "resp_init")
    if resp.shape != (n_samples, n_components):
        raise ValueError(
            f"resp_init has shape {resp.shape}; accepted: (n_samples, n_components) = "
            f"{(n_samples, n_components)}"
        )
    check_finite(resp, "resp_init")
    if (resp < 0).any():
        raise ValueError(
            f"resp_init has negative entries (min {resp.min():.6g}); accepted: "
            "non-negative rows summing to 1"
        )
    sums = resp.sum(axis=1)
    worst = int(np.argmax(np.abs(sums - 1)))
    if abs(sums[worst] - 1) > _RESP_SUM_ATOL:
        raise ValueError(
            f"resp_init row {worst} sums to {sums[worst]:.10g}; accepted: non-negative rows "
            f"summing to 1 (within {_RESP_SUM_ATOL:g})"
        )
    return resp / sums[:, None]


def _em_start(
    X: np.ndarray, n_components: int, covariance_type: str, init: str, rng: np.random.Generator
) -> np.ndarray:
    """Starting responsibilities: :class:`em.GaussianMixtureEM`'s start for ``init``,
    then one E-step (``max_iter=0`` returns its starting parameters unchanged)."""
    start = GaussianMixtureEM(
        n_components, covariance_type=covariance_type, init=init, max_iter=0, random_state=rng
    ).fit(X)
    return start.predict_proba(X)
