"""Gaussian mixture fitted by (soft) EM, as in the lecture's ``gmm1``."""

from __future__ import annotations

from typing import Any

from ._loop import BaseMixtureEM
from .information import mixture_inference


class GaussianMixtureEM(BaseMixtureEM):
    """Gaussian mixture model fitted by the expectation-maximisation algorithm.

    One iteration is one E-step (responsibilities ``r_nk = P(C_k | x_n)`` by Bayes' rule,
    in log space with log-sum-exp) followed by one M-step (weights, means and covariances
    as responsibility-weighted averages), in that order: the lecture warns that an M-step
    first often fails. From given initial parameters ``max_iter=1`` therefore performs
    exactly one E-step and one M-step.

    Parameters
    ----------
    n_components : int, default=1
        Number of components ``K`` (at most the number of samples).
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
        Shape of the covariances (scikit-learn's): ``full`` (K, D, D), ``tied`` (D, D)
        shared by all components, ``diag`` (K, D), ``spherical`` (K,).
    tol : float, default=1e-6
        Stop when the mean per-sample log-likelihood changes by less than ``tol`` between
        two E-steps. Deliberately tighter than scikit-learn's ``1e-3``, which can stop
        visibly short of the maximum (scikit-learn issue #10122); ``tol=0`` always runs
        ``max_iter`` iterations.
    max_iter : int, default=1000
        Maximum number of iterations per start; ``0`` returns the initial parameters.
    n_init : int, default=1
        Number of starts; the one with the highest final log-likelihood is kept.
    init : {"k-means++", "kmeans", "random", "random_from_data"}, default="k-means++"
        How the parameters that are not given start: ``k-means++`` gives every sample to
        its nearest k-means++ seed, ``kmeans`` to its cluster after k-means, ``random``
        draws uniform random responsibilities (all three then run one M-step), and
        ``random_from_data`` is the lecture's start: means at random data points, every
        covariance the covariance of all the data, equal weights. The old spelling
        ``"kmeans++"`` is still accepted, with a ``FutureWarning``.
    weights_init : array-like of shape (K,), optional
        Starting weights: positive, summing to one.
    means_init : array-like of shape (K, D), optional
        Starting means (``(K,)`` is accepted for one feature). When given, the parts not
        given start from the partition that gives each sample to its nearest mean.
    covariances_init : array-like, optional
        Starting covariances in the shape of ``covariance_type`` (a flat array of ``K``
        variances is accepted for one feature), symmetric positive definite; used as
        given (``reg_covar`` is not added).
    reg_covar : float, default=1e-6
        Added to the diagonal of every covariance the M-step estimates, so none is ever
        singular. ``0`` gives the textbook updates. Absolute, as scikit-learn's (the fits
        match its exactly): a :class:`~em.PrecisionLossWarning` says when it exceeds 1e-3
        times a feature's variance (data of a small scale), where it would swamp the data.
        Not used by the M-step of a fit with a ``prior`` (the prior's scale already keeps
        every covariance positive definite, and adding it would move the fit off the
        posterior mode); the starting partition and the lecture's start still use it.
    random_state : None, int or numpy.random.Generator, default=None
        Seeds every random choice (initialisation, ``sample``); the same int gives the
        same fit.
    keep_history : bool or "all", default=False
        ``True``: keep the parameters of the start and after every M-step of the kept
        start in ``history_``; ``"all"``: also of every start in ``histories_``. Memory
        grows with iterations x K x D^2, never with N; without it nothing is recorded.
    prior : None, "default" or NormalInverseWishart, default=None
        None: maximum likelihood. A :class:`~em.NormalInverseWishart` (or ``"default"``,
        :meth:`~em.NormalInverseWishart.default` of ``X``, ``n_components`` and
        ``covariance_type``, built at ``fit``; in-memory ``X`` only): EM maximises the log
        posterior (MAP-EM), the M-step being :func:`~em.map_m_step` of the E-step's
        sufficient statistics. Its ``weight_concentration`` must be at least 1 (below 1
        the posterior is unbounded at the simplex's faces: no maximum).

    Attributes
    ----------
    weights_ : ndarray of shape (K,)
    means_ : ndarray of shape (K, D)
    covariances_ : ndarray
        ``full`` (K, D, D), ``tied`` (D, D), ``diag`` (K, D), ``spherical`` (K,).
    precisions_cholesky_ : ndarray, same shape as ``covariances_``
        Upper-triangular ``U`` with ``precision = U U^T`` (``1/sqrt(variance)`` for diag
        and spherical), as in scikit-learn.
    converged_ : bool
    n_iter_ : int
        Number of iterations (E-step + M-step) of the kept start.
    stop_reason_ : {"converged", "max_iter"}
    log_likelihood_ : float
        Total log-likelihood ``sum_n log p(x_n)`` at the final parameters.
    log_likelihood_history_ : ndarray of shape (n_iter_,)
        Total log-likelihood computed in each E-step, i.e. at the parameters *before* that
        iteration's M-step (so ``log_likelihood_`` is one step beyond its last entry). It
        equals scikit-learn's ``lower_bounds_`` times ``N``. Non-decreasing, up to
        rounding, except across a re-seeded collapse.
    init_log_likelihoods_ : ndarray of shape (n_init,)
        Final log-likelihood of every start.
    n_features_in_ : int
    data_fingerprint_ : str
        Shape and a hash of strided rows of the training data (:mod:`em._fingerprint`):
        :meth:`inference` refuses other data with a ValueError.
    history_ : FitHistory or None
        With ``keep_history``: the kept start step by step, ``n_iter_ + 1`` parameter sets
        (see :class:`~em.FitHistory`: entry 0 the start, the last the fitted parameters,
        log-likelihoods ``[*log_likelihood_history_, log_likelihood_]``). None otherwise.
    histories_ : list of FitHistory or None
        With ``keep_history="all"``: one per start, in the order they ran. None otherwise.
    prior_ : NormalInverseWishart or None
        The prior of a MAP fit (the default one built from ``X`` for
        ``prior="default"``); None for the maximum-likelihood fit.
    log_posterior_ : float
        With a prior only: ``log p(X | theta) + log p(theta)`` at the final parameters (the
        log posterior up to the constant ``log p(X)``); also what selects the best start.
    log_posterior_history_ : ndarray of shape (n_iter_,)
        With a prior only: the log posterior at the parameters of each E-step (beside
        ``log_likelihood_history_`` at the same parameters). Never decreasing, up to
        rounding: MAP-EM increases it, and convergence is judged on it.

    Notes
    -----
    A component collapses when its effective sample count falls below ``1e-6`` or its
    covariance is not numerically positive definite. It is then re-seeded at the
    worst-explained sample (the lowest ``log p(x_n)``) with the covariance of all the
    data and weight ``1/K`` (before the weights are renormalised), as in the lecture's
    start, and a :class:`~em.DegenerateComponentWarning` names it; no fit returns NaN.
    Reaching ``max_iter`` without meeting ``tol`` raises a :class:`~em.ConvergenceWarning`.

    With a prior nothing collapses and nothing is re-seeded: every MAP covariance is at
    least ``Psi0 / (nu0 + N + D + 2)``, and a component without data keeps a mean near
    ``m0`` and a small positive weight. ``log_likelihood_``, ``bic`` and ``aic`` keep
    meaning the likelihood (at the MAP parameters); the fit maximises the log posterior,
    so it does not maximise them. As the prior gets weaker the MAP tends to the MLE at the
    rate ``1/N`` (the mode's covariance divides by ``n_k + nu0 + D + 2``, not ``n_k``).

    Examples
    --------
    >>> import numpy as np
    >>> from em import GaussianMixtureEM
    >>> rng = np.random.default_rng(0)
    >>> x = np.concatenate([rng.normal(0, 3, 100), rng.normal(10, 1, 100)])
    >>> gm = GaussianMixtureEM(2, random_state=0).fit(x)
    >>> [round(float(m)) for m in np.sort(gm.means_.ravel())]
    [0, 10]
    """

    _estimator_kind = "density_estimator"

    def inference(self, X: Any = None, y: Any = None, *, level: float = 0.95):
        """Standard errors and intervals of weights, means and covariances.

        At the MLE: from the observed information of the marginal (observed-data)
        log-likelihood at the fitted parameters (rows of method ``"observed-information"``).
        With a prior, at the MAP: from the observed information of the log posterior, the
        Laplace approximation (method ``"laplace"``, the same row names). See
        :func:`em.mixture.information.mixture_inference` for the parametrisation and the
        method. The signature is every estimator's; the mixture needs ``X``.

        Parameters
        ----------
        X : array-like of shape (N, D) or (N,)
            The data the model was fitted to (required: the observed information is a
            sum over the samples, which the fit does not keep).
        y : ignored
            Accepted for the uniform interface.
        level : float, default=0.95
            Coverage of the intervals.

        Returns
        -------
        InferenceTable
        """
        self._check_fitted("means_")
        if X is None:
            raise ValueError(
                "GaussianMixtureEM.inference needs X, the data the mixture was fitted to "
                "(the observed information is a sum over the samples); got X=None"
            )
        return mixture_inference(self, X, level=level, prior=self.prior_)
