"""Maximum-likelihood mean and (co)variance of a Gaussian, with their uncertainty."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from scipy import stats

from .._base import BaseEstimator
from .._resampling import BootstrapData, require_X
from .._validation import check_array, check_level
from ..inference import InferenceTable, interval_table
from ._conditioning import warn_perfect_fit


class GaussianMLE(BaseEstimator):
    """Mean and covariance of ``N(mu, Sigma)`` by maximum likelihood.

    The MLE of the covariance divides by ``n``; the unbiased estimate (divide by ``n - 1``)
    is exposed beside it.

    Attributes
    ----------
    mean_ : ndarray of shape (D,)
    covariance_ : ndarray of shape (D, D)
        MLE, ``sum (x - mean)(x - mean)^T / n``.
    covariance_unbiased_ : ndarray of shape (D, D)
        The same sum divided by ``n - 1``.
    variance_, variance_unbiased_ : ndarray of shape (D,)
        Their diagonals.
    mean_stderr_ : ndarray of shape (D,)
        ``sqrt(s^2_jj / n)`` with the unbiased variance, the standard error of the
        ``t`` interval.
    covariance_stderr_ : ndarray of shape (D, D)
        Inverse-Fisher standard errors of the MLE, ``sqrt((S_ij^2 + S_ii S_jj) / n)``
        (``S_jj sqrt(2 / n)`` on the diagonal).
    log_likelihood_ : float
        At the MLE, ``-n/2 (D log(2 pi) + log det S + D)``; ``inf`` when ``S`` is singular
        (constant or collinear features), where the likelihood is unbounded (with a
        :class:`~em.PerfectFitWarning`).
    n_samples_, n_features_in_ : int
    inference_ : InferenceTable
        At level 0.95; see :meth:`inference`.

    Notes
    -----
    Intervals (see :meth:`inference`): for each mean coordinate the exact ``t`` interval
    with ``n - 1`` degrees of freedom; for each variance the exact chi-square interval
    ``n S_jj / chi2_{n-1}``; for an off-diagonal covariance a Wald interval (its exact
    distribution is not a standard one). The chi-square interval is not symmetric, so the
    variance's ``se`` column (the Fisher one) does not determine it.

    Examples
    --------
    >>> import numpy as np
    >>> from em import GaussianMLE
    >>> g = GaussianMLE().fit(np.array([1.0, 2.0, 3.0, 4.0]))
    >>> float(g.mean_[0]), float(g.variance_[0]), float(g.variance_unbiased_[0])
    (2.5, 1.25, 1.6666666666666667)
    """

    def __init__(self):
        pass

    def fit(self, X: Any, y: Any = None) -> GaussianMLE:
        """Estimate from samples.

        Parameters
        ----------
        X : array-like of shape (n,) or (n, D)
            At least two samples (one sample has no spread to estimate).
        y : ignored

        Returns
        -------
        self
        """
        X = check_array(X, "X", min_samples=2, min_samples_reason="to estimate a variance")
        n, d = X.shape
        self.mean_ = X.mean(axis=0)
        centred = X - self.mean_
        scatter = centred.T @ centred
        self.covariance_ = scatter / n
        self.covariance_unbiased_ = scatter / (n - 1)
        self.variance_ = np.diag(self.covariance_).copy()
        self.variance_unbiased_ = np.diag(self.covariance_unbiased_).copy()
        self.mean_stderr_ = np.sqrt(self.variance_unbiased_ / n)
        cov = self.covariance_
        self.covariance_stderr_ = np.sqrt((cov**2 + np.outer(np.diag(cov), np.diag(cov))) / n)
        sign, log_det = np.linalg.slogdet(cov)
        # A singular sample covariance (e.g. n <= D or collinear features) has no density.
        self.log_likelihood_ = (
            float(-n / 2 * (d * np.log(2 * np.pi) + log_det + d)) if sign > 0 else float(np.inf)
        )
        if sign <= 0:
            warn_perfect_fit(
                "GaussianMLE",
                "the sample covariance is singular (constant or collinear features, or n <= D)",
            )
        self.n_samples_ = n
        self.n_features_in_ = d
        self.inference_ = self.inference()
        return self

    def inference(self, X: Any = None, y: Any = None, *, level: float = 0.95) -> InferenceTable:
        """Estimates, standard errors and intervals of the mean and the (co)variance.

        Everything is computed at ``fit``; ``X`` and ``y`` are accepted for the uniform
        interface and ignored.

        Parameters
        ----------
        X, y : ignored
        level : float, default=0.95

        Returns
        -------
        InferenceTable
            One feature: scalars ``mean`` and ``variance``. Several: ``mean`` (D,) and
            ``covariance`` (D, D). Methods ``"exact-t"`` (means), ``"exact-chi2"``
            (variances) and ``"fisher-information"`` (off-diagonal covariances, Wald).
        """
        self._check_fitted("mean_")
        level = check_level(level)
        n, d = self.n_samples_, self.n_features_in_
        half = stats.t.ppf(0.5 + level / 2, n - 1) * self.mean_stderr_
        chi2 = stats.chi2.ppf([0.5 + level / 2, 0.5 - level / 2], n - 1)
        var_lower, var_upper = (n * self.variance_[:, None] / chi2).T
        if d == 1:
            means = interval_table(
                {"mean": self.mean_[0]},
                {"mean": self.mean_stderr_[0]},
                {"mean": self.mean_[0] - half[0]},
                {"mean": self.mean_[0] + half[0]},
                level=level,
                method="exact-t",
            )
            variances = interval_table(
                {"variance": self.variance_[0]},
                {"variance": self.covariance_stderr_[0, 0]},
                {"variance": var_lower[0]},
                {"variance": var_upper[0]},
                level=level,
                method="exact-chi2",
            )
            return InferenceTable([*means, *variances], {**means.shapes, **variances.shapes})
        means = interval_table(
            {"mean": self.mean_},
            {"mean": self.mean_stderr_},
            {"mean": self.mean_ - half},
            {"mean": self.mean_ + half},
            level=level,
            method="exact-t",
        )
        z = stats.norm.ppf(0.5 + level / 2)
        lower = self.covariance_ - z * self.covariance_stderr_
        upper = self.covariance_ + z * self.covariance_stderr_
        diagonal = np.eye(d, dtype=bool)
        lower[diagonal], upper[diagonal] = var_lower, var_upper
        covariance = interval_table(
            {"covariance": self.covariance_},
            {"covariance": self.covariance_stderr_},
            {"covariance": lower},
            {"covariance": upper},
            level=level,
            method="fisher-information",
        )
        rows = [
            replace(row, method="exact-chi2") if row.index[0] == row.index[1] else row
            for row in covariance
        ]
        return InferenceTable([*means, *rows], {**means.shapes, **covariance.shapes})

    # -------------------------------------------------- bootstrap hook (em._resampling)

    def _bootstrap_data(self, X: Any, y: Any, kind: str) -> BootstrapData:
        self._check_fitted("mean_")
        return BootstrapData(require_X(X, type(self).__name__))

    def _bootstrap_simulate(self, data: BootstrapData, rng: np.random.Generator) -> dict:
        """``n`` draws from the fitted Gaussian, shape (n, D)."""
        draws = rng.multivariate_normal(
            self.mean_, self.covariance_, size=data.n_samples, method="eigh"
        )
        return {"X": draws}

    def _bootstrap_align(self, values, reference, data):
        return values

    def _bootstrap_estimates(self) -> dict[str, Any]:
        if self.n_features_in_ == 1:
            return {"mean": self.mean_[0], "variance": self.variance_[0]}
        return {"mean": self.mean_, "covariance": self.covariance_}
