"""Linear regression by maximum likelihood: least squares five ways, with standard errors.

With Gaussian noise, ``y = b + X w + e``, ``e ~ N(0, sigma^2)``, maximising the
log-likelihood over ``(b, w)`` is least squares, and the MLE of ``sigma^2`` is the mean
squared residual. The lecture solves the least-squares problem by the slope/intercept
formula, by the normal equations and by gradient descent; ``qr`` is the numerically
stable default.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import linalg, stats

from .._base import BaseEstimator
from .._linalg import triangular_inverse
from .._resampling import BootstrapData, regression_data
from .._validation import (
    check_array,
    check_choice,
    check_float,
    check_int,
    check_level,
    check_n_features,
    check_random_state,
    check_vector,
)
from ..inference import InferenceTable, interval_table
from ._conditioning import warn_if_ill_conditioned, warn_perfect_fit
from ._design import check_design
from ._gradient import DESCENT_METHODS, Standardizer, descend

METHODS = ("qr", "normal_equations", "closed_form", *DESCENT_METHODS)


class LinearRegressionMLE(BaseEstimator):
    """Gaussian linear regression ``y = intercept + X coef + N(0, sigma^2)`` by MLE.

    Parameters
    ----------
    method : {"qr", "normal_equations", "closed_form", "gradient_descent", "sgd", \
"minibatch"}, default="qr"
        How the least-squares problem is solved:

        - ``qr`` (default): Householder QR of the design, after centring the columns when
          there is an intercept. Centring removes the ill-conditioning that an offset
          (values like years or incomes far from zero) puts between a column and the
          intercept, and QR never squares the condition number, so on a design with
          condition number ~1e9 it agrees with the exact solution to about 14 digits.
        - ``normal_equations``: the textbook ``(A^T A) beta = A^T y`` on the raw design
          ``A = [1, X]``, kept for teaching: forming ``A^T A`` squares the condition
          number, and on the same design about half of the digits are lost. A
          :class:`~em.PrecisionLossWarning` says so when the condition number of ``A^T A``
          exceeds 1e8 (more than half of float64's ~16 digits lost), naming ``qr``.
        - ``closed_form``: the simple-regression formula ``slope = cov(x, y) / var(x)``,
          ``intercept = mean(y) - slope mean(x)``; one feature only.
        - ``gradient_descent`` (full batch), ``sgd`` (one sample per step), ``minibatch``
          (``batch_size`` samples per step): descent on the mean squared error of
          standardised features and response, so they converge on unscaled data.
    fit_intercept : bool, default=True
    learning_rate : float or None, default=None
        Step size of the descent methods on the standardised problem. ``None``: ``1 / L``
        for ``gradient_descent``, where ``L`` is the largest eigenvalue of the
        standardised Gram matrix (the safe step of a quadratic), and
        ``1 / max_i ||z_i||^2`` for ``sgd`` and ``minibatch`` (no single-sample step
        overshoots).
    batch_size : int, default=32
        Samples per step for ``minibatch`` (``sgd`` uses 1).
    max_epochs : int, default=1000
        Passes over the data for the descent methods.
    tol : float or None, default=None
        The descent methods stop when every entry of the full gradient of the
        standardised loss is at most ``tol`` in absolute value. ``None``: ``1e-8`` for
        ``gradient_descent``, ``1e-4`` for ``sgd`` and ``minibatch`` (an average of noisy
        iterates gets only so close to the optimum in a reasonable number of epochs).
    learning_rate_decay : float, default=0.05
        For ``sgd`` and ``minibatch`` the step of epoch ``e`` is
        ``learning_rate / (1 + learning_rate_decay * e)`` (a stochastic gradient is noisy
        at the optimum; only a shrinking step settles there). Full-batch descent uses a
        constant step.
    random_state : None, int or numpy.random.Generator, default=None
        Shuffles the samples of ``sgd`` and ``minibatch``.

    Attributes
    ----------
    coef_ : ndarray of shape (p,)
    intercept_ : float
        0.0 when ``fit_intercept=False``.
    sigma_ : float
        MLE of the noise standard deviation, ``sqrt(RSS / n)`` (divides by ``n``).
    log_likelihood_ : float
        Gaussian log-likelihood at the MLE, ``-n/2 (log(2 pi sigma_^2) + 1)``; ``inf``
        for a perfect fit (``sigma_ = 0``), where the likelihood is unbounded (with a
        :class:`~em.PerfectFitWarning`).
    coef_stderr_ : ndarray of shape (p,)
    intercept_stderr_ : float
        Standard errors from ``s^2 (A^T A)^{-1}`` with ``s^2 = RSS / (n - q)`` (``q``
        parameters including the intercept), the unbiased variance, as statsmodels' OLS
        ``bse``; computed from the QR factor of the (centred) design whatever ``method``
        found the coefficients, so they never square the condition number. Without an
        intercept ``intercept_stderr_`` is 0.0 and the table has no ``intercept`` row.
    covariance_ : ndarray of shape (q, q)
        That estimated covariance ``s^2 (A^T A)^{-1}`` of the estimates, intercept first
        when fitted (the same layout as :class:`~em.LogisticRegressionMLE`'s).
    df_resid_ : int
        ``n - q``.
    inference_ : InferenceTable
        ``intercept`` (when fitted), ``coef`` (p,) and ``sigma`` at level 0.95.
    loss_history_ : ndarray of shape (n_epochs_ + 1,)
        Descent methods only: mean squared residual (original units) at the start and
        after every epoch.
    n_epochs_ : int
        Descent methods only.
    converged_ : bool
        Always True for the direct methods.
    n_features_in_ : int

    Notes
    -----
    Intervals: ``t`` intervals with ``n - q`` degrees of freedom for the intercept and the
    coefficients (exact under the model), and for ``sigma`` the exact chi-square interval
    ``sqrt(RSS / chi2_{n-q})``; the ``sigma`` standard error is the inverse-Fisher one,
    ``sigma_ / sqrt(2 n)``.

    Examples
    --------
    >>> import numpy as np
    >>> from em import LinearRegressionMLE
    >>> x = np.arange(10.0)
    >>> reg = LinearRegressionMLE().fit(x, 1 + 2 * x)
    >>> round(reg.intercept_, 6), np.round(reg.coef_, 6).tolist()
    (1.0, [2.0])
    """

    _estimator_kind = "regressor"

    def __init__(
        self,
        method: str = "qr",
        *,
        fit_intercept: bool = True,
        learning_rate: float | None = None,
        batch_size: int = 32,
        max_epochs: int = 1000,
        tol: float | None = None,
        learning_rate_decay: float = 0.05,
        random_state: Any = None,
    ):
        self.method = method
        self.fit_intercept = fit_intercept
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.tol = tol
        self.learning_rate_decay = learning_rate_decay
        self.random_state = random_state

    # ------------------------------------------------------------------ fitting

    def fit(self, X: Any, y: Any) -> LinearRegressionMLE:
        """Fit by the chosen ``method``.

        Parameters
        ----------
        X : array-like of shape (n, p) or (n,)
        y : array-like of shape (n,)

        Returns
        -------
        self
        """
        method = check_choice(self.method, "method", METHODS)
        if not isinstance(self.fit_intercept, bool):
            raise TypeError(f"fit_intercept must be a bool; got {self.fit_intercept!r}")
        owner = type(self).__name__
        X, y = check_design(X, y, self.fit_intercept, owner)
        n, p = X.shape
        if method == "closed_form":
            coef, intercept = self._closed_form(X, y)
        elif method == "normal_equations":
            coef, intercept = self._normal_equations(X, y)
        elif method == "qr":
            coef, intercept = self._qr(X, y)
        else:
            coef, intercept = self._descent(X, y, method)
        if method not in DESCENT_METHODS:
            self.converged_ = True
        self.coef_ = coef
        self.intercept_ = intercept
        self.n_features_in_ = p

        residuals = y - X @ coef - intercept
        rss = float(residuals @ residuals)
        n_params = p + int(self.fit_intercept)
        self.df_resid_ = n - n_params
        self.sigma_ = float(np.sqrt(rss / n))
        # A perfect fit (sigma_ = 0) has an unbounded likelihood: +inf, not a log(0) warning.
        self.log_likelihood_ = (
            float(-n / 2 * (np.log(2 * np.pi * rss / n) + 1)) if rss > 0 else float(np.inf)
        )
        if rss == 0:
            warn_perfect_fit(type(self).__name__, "the residuals are all zero (sigma_ = 0)")
        self._rss = rss
        self._set_stderr(X, rss / self.df_resid_)
        self.inference_ = self.inference()
        return self

    def _closed_form(self, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
        if X.shape[1] != 1:
            raise ValueError(
                f"method='closed_form' is the simple-regression formula and needs exactly one "
                f"feature; X has {X.shape[1]}. Use method='qr' for several features"
            )
        x = X[:, 0]
        if not self.fit_intercept:
            return np.array([x @ y / (x @ x)]), 0.0
        dx, dy = x - x.mean(), y - y.mean()
        slope = float(dx @ dy / (dx @ dx))
        return np.array([slope]), float(y.mean() - slope * x.mean())

    def _normal_equations(self, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
        # Deliberately the textbook form on the raw design, to show what it costs.
        A = np.column_stack([np.ones(len(X)), X]) if self.fit_intercept else X
        gram = A.T @ A
        warn_if_ill_conditioned(gram, type(self).__name__)
        beta = np.linalg.solve(gram, A.T @ y)
        return _split(beta, self.fit_intercept)

    def _qr(self, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
        center = X.mean(axis=0) if self.fit_intercept else np.zeros(X.shape[1])
        y_center = y.mean() if self.fit_intercept else 0.0
        q, r = linalg.qr(X - center, mode="economic")
        coef = linalg.solve_triangular(r, q.T @ (y - y_center))
        return coef, float(y_center - center @ coef)

    def _descent(self, X: np.ndarray, y: np.ndarray, method: str) -> tuple[np.ndarray, float]:
        max_epochs = check_int(self.max_epochs, "max_epochs", minimum=1)
        tol = (
            (1e-8 if method == "gradient_descent" else 1e-4)
            if self.tol is None
            else check_float(self.tol, "tol", minimum=0.0)
        )
        decay = check_float(self.learning_rate_decay, "learning_rate_decay", minimum=0.0)
        rng = check_random_state(self.random_state)
        batch_size = {"gradient_descent": None, "sgd": 1}.get(method)
        if method == "minibatch":
            batch_size = check_int(self.batch_size, "batch_size", minimum=1)
        scaler = Standardizer.fit(X, self.fit_intercept)
        Z = scaler.transform(X)
        # The response is standardised too, so tol means the same on any scale of y.
        y_center = y.mean() if self.fit_intercept else 0.0
        y_scale = float(np.sqrt(np.mean((y - y_center) ** 2))) or 1.0
        t = (y - y_center) / y_scale
        n = len(y)

        def gradient(w: np.ndarray, idx: np.ndarray | None) -> np.ndarray:
            Zb, tb = (Z, t) if idx is None else (Z[idx], t[idx])
            return Zb.T @ (Zb @ w - tb) / len(tb)

        def loss(w: np.ndarray) -> float:
            return float(np.mean((Z @ w - t) ** 2)) * y_scale**2

        if self.learning_rate is None:
            if batch_size is None:
                step = 1.0 / float(np.linalg.eigvalsh(Z.T @ Z / n)[-1])
            else:
                step = 1.0 / float(np.max(np.einsum("ij,ij->i", Z, Z)))
        else:
            step = check_float(
                self.learning_rate, "learning_rate", minimum=0.0, exclusive_minimum=True
            )
        result = descend(
            gradient,
            loss,
            np.zeros(X.shape[1]),
            n_samples=n,
            batch_size=batch_size,
            step=step,
            decay=0.0 if batch_size is None else decay,
            max_epochs=max_epochs,
            tol=tol,
            rng=rng,
            owner=type(self).__name__,
        )
        self.loss_history_ = result.loss_history
        self.n_epochs_ = result.n_epochs
        self.converged_ = result.converged
        self.stop_reason_ = result.stop_reason
        return scaler.to_original(result.w * y_scale, y_center)

    def _set_stderr(self, X: np.ndarray, s2: float) -> None:
        center = X.mean(axis=0) if self.fit_intercept else np.zeros(X.shape[1])
        r = linalg.qr(X - center, mode="r")[0][: X.shape[1]]
        # (R^T R)^{-1} = R^{-1} R^{-T}: triangular solves, no explicit Gram matrix.
        r_inv = triangular_inverse(r, lower=False)
        cov = s2 * (r_inv @ r_inv.T)
        self.coef_stderr_ = np.sqrt(np.diag(cov))
        if not self.fit_intercept:
            self.covariance_ = cov
            self.intercept_stderr_ = 0.0
            return
        # intercept = mean(y) - center @ coef, and with centred columns mean(y) is
        # uncorrelated with the slopes: Var = s^2/n + c' cov c, Cov(intercept, coef) = -cov c.
        cross = -(cov @ center)
        intercept_var = s2 / X.shape[0] + center @ cov @ center
        self.covariance_ = np.block(
            [[np.atleast_2d(intercept_var), cross[None, :]], [cross[:, None], cov]]
        )
        self.intercept_stderr_ = float(np.sqrt(intercept_var))

    # ------------------------------------------------------------------ inference

    def conf_int(self, level: float = 0.95) -> np.ndarray:
        """``t`` intervals of the intercept (first row, when fitted) and the coefficients.

        Parameters
        ----------
        level : float, default=0.95

        Returns
        -------
        ndarray of shape (q, 2)
            ``[lower, upper]`` per parameter, intercept first, as statsmodels' ``conf_int``.
        """
        self._check_fitted("coef_")
        level = check_level(level)
        t = stats.t.ppf(0.5 + level / 2, self.df_resid_)
        est = np.r_[self.intercept_, self.coef_] if self.fit_intercept else self.coef_
        se = (
            np.r_[self.intercept_stderr_, self.coef_stderr_]
            if self.fit_intercept
            else self.coef_stderr_
        )
        return np.column_stack([est - t * se, est + t * se])

    def inference(self, X: Any = None, y: Any = None, *, level: float = 0.95) -> InferenceTable:
        """Estimates, standard errors and intervals of ``intercept``, ``coef`` and ``sigma``.

        Everything is computed at ``fit``; ``X`` and ``y`` are accepted for the uniform
        interface and ignored.

        Parameters
        ----------
        X, y : ignored
        level : float, default=0.95

        Returns
        -------
        InferenceTable
            Rows ``intercept`` (when fitted), ``coef[j]`` (method ``"exact-t"``) and
            ``sigma`` (method ``"exact-chi2"``, se from the Fisher information).
        """
        self._check_fitted("coef_")
        level = check_level(level)
        bounds = self.conf_int(level)
        chi2 = stats.chi2.ppf([0.5 + level / 2, 0.5 - level / 2], self.df_resid_)
        sigma_bounds = np.sqrt(self._rss / chi2)
        n = self.df_resid_ + len(self.coef_) + int(self.fit_intercept)
        est = {"coef": self.coef_}
        se = {"coef": self.coef_stderr_}
        lower = {"coef": bounds[-len(self.coef_) :, 0]}
        upper = {"coef": bounds[-len(self.coef_) :, 1]}
        if self.fit_intercept:
            est = {"intercept": self.intercept_, **est}
            se = {"intercept": self.intercept_stderr_, **se}
            lower = {"intercept": bounds[0, 0], **lower}
            upper = {"intercept": bounds[0, 1], **upper}
        table = interval_table(est, se, lower, upper, level=level, method="exact-t")
        sigma = interval_table(
            {"sigma": self.sigma_},
            {"sigma": self.sigma_ / np.sqrt(2 * n)},
            {"sigma": sigma_bounds[0]},
            {"sigma": sigma_bounds[1]},
            level=level,
            method="exact-chi2",
        )
        return InferenceTable([*table, *sigma], {**table.shapes, **sigma.shapes})

    # ------------------------------------------------------------------ prediction

    def predict(self, X: Any) -> np.ndarray:
        """``intercept_ + X coef_``; shape (n,)."""
        self._check_fitted("coef_")
        return self._check_X(X) @ self.coef_ + self.intercept_

    def score(self, X: Any, y: Any) -> float:
        """Coefficient of determination ``R^2 = 1 - RSS / TSS`` on ``(X, y)``."""
        X = self._check_X(X)
        y = check_vector(y, "y", n=X.shape[0])
        rss = np.sum((y - self.predict(X)) ** 2)
        tss = np.sum((y - y.mean()) ** 2)
        return float(1 - rss / tss) if tss > 0 else float(rss == 0)

    def _check_X(self, X: Any) -> np.ndarray:
        X = check_array(X, "X")
        check_n_features(X, self.n_features_in_, type(self).__name__)
        return X

    # -------------------------------------------------- bootstrap hook (em._resampling)

    def _bootstrap_data(self, X: Any, y: Any, kind: str) -> BootstrapData:
        self._check_fitted("coef_")
        return regression_data(X, y, type(self).__name__)

    def _bootstrap_simulate(self, data: BootstrapData, rng: np.random.Generator) -> dict:
        """A response (n,) drawn from the fitted model at the same ``X``."""
        X = data.X
        return {"X": X, "y": self.predict(X) + self.sigma_ * rng.standard_normal(X.shape[0])}

    def _bootstrap_align(self, values, reference, data):
        return values

    def _bootstrap_estimates(self) -> dict[str, Any]:
        """Point estimates by parameter name, as in :meth:`inference`."""
        out = {"intercept": self.intercept_} if self.fit_intercept else {}
        return {**out, "coef": self.coef_, "sigma": self.sigma_}


def _split(beta: np.ndarray, fit_intercept: bool) -> tuple[np.ndarray, float]:
    """``[intercept, coef...]`` -> ``(coef, intercept)``."""
    return (beta[1:], float(beta[0])) if fit_intercept else (beta, 0.0)
