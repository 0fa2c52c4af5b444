"""Logistic regression by maximum likelihood (no penalty), with Fisher-information errors.

The lecture's classifier: ``P(y = 1 | x) = sigmoid(b + x w)``, fitted by maximising the
Bernoulli log-likelihood. Newton's method (iteratively reweighted least squares) is the
default; batch gradient descent is kept for teaching.

When the classes are (quasi-)completely separated the MLE does not exist: the likelihood
keeps increasing as the coefficients run off to infinity. That is detected before fitting
(a small linear programme) and reported instead of iterating forever.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from scipy import linalg, optimize, sparse, special

from .._base import BaseEstimator
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
from ..exceptions import ConvergenceWarning, SeparationWarning
from ..inference import InferenceTable, wald_table
from ._design import check_design
from ._gradient import Standardizer, descend

METHODS = ("newton", "gradient_descent")

# Under separation the iteration stops once every separated sample is fitted with
# probability within 1e-8 of its label (|eta| >= log(1e8)): going on only inflates the
# coefficients, and stopping there keeps p (1 - p) >= ~1e-8, so the information matrix,
# and with it every standard error, stays finite.
_SEPARATED_MARGIN = np.log(1e8)
_MAX_HALVINGS = 50


class LogisticRegressionMLE(BaseEstimator):
    """Binary logistic regression ``P(y=1 | x) = sigmoid(intercept + x coef)`` by pure MLE.

    Parameters
    ----------
    method : {"newton", "gradient_descent"}, default="newton"
        ``newton``: Newton-Raphson on the log-likelihood, i.e. iteratively reweighted least
        squares, with step halving so the log-likelihood never decreases. Converges
        quadratically. ``gradient_descent``: full-batch descent on the mean negative
        log-likelihood of standardised features.
    fit_intercept : bool, default=True
    tol : float or None, default=None
        ``newton`` stops when no coefficient (of the standardised problem) moves by more
        than ``tol`` (default ``1e-10``); ``gradient_descent`` when every entry of the
        gradient of the mean loss is at most ``tol`` (default ``1e-6``).
    max_iter : int or None, default=None
        Newton iterations (default 100) or descent epochs (default 10000).
    learning_rate : float or None, default=None
        Step of ``gradient_descent`` on the standardised problem; ``None``: ``4 / L`` with
        ``L`` the largest eigenvalue of the standardised Gram matrix, the safe step
        (``p (1 - p) <= 1/4`` bounds the curvature).

    Attributes
    ----------
    coef_ : ndarray of shape (p,)
    intercept_ : float
        0.0 when ``fit_intercept=False``.
    coef_stderr_ : ndarray of shape (p,)
    intercept_stderr_ : float
        Square roots of the diagonal of the inverse Fisher information
        ``(A^T W A)^{-1}``, ``W = diag(p_i (1 - p_i))``, at the estimate (what statsmodels'
        ``Logit`` reports as ``bse``); 0.0 for the intercept when it is not fitted.
    covariance_ : ndarray of shape (q, q)
        That inverse information, intercept first when fitted.
    log_likelihood_ : float
    n_iter_ : int
    converged_ : bool
    separation_ : {"none", "quasi-complete", "complete"}
        What the separation check found. With separation a :class:`~em.SeparationWarning`
        is raised; the estimates are finite but arbitrary (where the iteration stopped,
        with every separated sample fitted within ``1e-8`` of its label) and their
        standard errors are huge: the MLE does not exist.
    separated_ : ndarray of bool, shape (n,)
        Samples whose fitted probability goes to 0 or 1 along the separating direction.
    inference_ : InferenceTable
        ``intercept`` (when fitted) and ``coef`` (p,), Wald intervals at level 0.95.
    n_features_in_ : int
    classes_ : ndarray of shape (2,)
        The two labels, ``[0, 1]`` unless ``y`` had two others; ``predict`` returns them
        and ``predict_proba``'s columns follow them (scikit-learn's convention).

    Examples
    --------
    >>> import numpy as np
    >>> from em import LogisticRegressionMLE
    >>> x = np.array([0.0, 1, 2, 3, 4, 5, 6, 7])
    >>> y = np.array([0, 0, 1, 0, 1, 0, 1, 1])
    >>> clf = LogisticRegressionMLE().fit(x, y)
    >>> clf.predict(np.array([0.0, 7.0])).tolist()
    [0, 1]
    """

    _estimator_kind = "classifier"
    _binary_only = True

    def __init__(
        self,
        method: str = "newton",
        *,
        fit_intercept: bool = True,
        tol: float | None = None,
        max_iter: int | None = None,
        learning_rate: float | None = None,
    ):
        self.method = method
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.max_iter = max_iter
        self.learning_rate = learning_rate

    def fit(self, X: Any, y: Any) -> LogisticRegressionMLE:
        """Fit by maximum likelihood.

        Parameters
        ----------
        X : array-like of shape (n, p) or (n,)
        y : array-like of shape (n,)
            Labels 0 and 1 (booleans are accepted), or any two numbers: the larger plays
            the part of 1 (``classes_`` keeps them).

        Returns
        -------
        self
        """
        method = check_choice(self.method, "method", METHODS)
        if not isinstance(self.fit_intercept, bool):
            raise TypeError(f"fit_intercept must be a bool; got {self.fit_intercept!r}")
        newton = method == "newton"
        tol = (
            (1e-10 if newton else 1e-6)
            if self.tol is None
            else check_float(self.tol, "tol", minimum=0.0)
        )
        max_iter = (
            (100 if newton else 10_000)
            if self.max_iter is None
            else check_int(self.max_iter, "max_iter", minimum=1)
        )
        owner = type(self).__name__
        if y is not None:
            # The labels first: a multiclass y is the first thing to say, before the design.
            self.classes_, y = _binary_labels(check_vector(y, "y"))
        X, y = check_design(X, y, self.fit_intercept, owner)

        scaler = Standardizer.fit(X, self.fit_intercept)
        Z = scaler.transform(X)
        A = np.column_stack([np.ones(len(Z)), Z]) if self.fit_intercept else Z
        self.separated_ = _separated_samples(A, y)
        self.separation_ = (
            "none"
            if not self.separated_.any()
            else "complete"
            if self.separated_.all()
            else "quasi-complete"
        )
        if newton:
            beta, self.n_iter_, self.converged_ = _newton(A, y, self.separated_, tol, max_iter)
        else:
            beta = self._gradient_descent(A, y, tol, max_iter)
        if self.separation_ != "none":
            warnings.warn(
                f"{owner}: {self.separation_} separation: {int(self.separated_.sum())} of "
                f"{len(y)} samples are perfectly classified by a linear rule, so the "
                "maximum-likelihood estimate does not exist (the coefficients diverge). The "
                "reported coefficients are where the iteration stopped and their standard "
                "errors are huge; consider a penalised or Bayesian model",
                SeparationWarning,
                stacklevel=2,
            )
        elif not self.converged_:
            warnings.warn(
                f"{owner}: {method} reached max_iter={max_iter} before meeting tol={tol:g}",
                ConvergenceWarning,
                stacklevel=2,
            )

        eta = A @ beta
        self.log_likelihood_ = _log_likelihood(eta, y)
        info = A.T @ (_variance(eta)[:, None] * A)
        cov_z = _inverse_information(info, owner)
        # Original units: a linear map T of the standardised coefficients.
        T = np.diag(np.r_[1.0, 1.0 / scaler.scale] if self.fit_intercept else 1.0 / scaler.scale)
        if self.fit_intercept:
            T[0, 1:] = -scaler.center / scaler.scale
        theta = T @ beta
        self.covariance_ = T @ cov_z @ T.T
        se = np.sqrt(np.diag(self.covariance_))
        if not (np.isfinite(theta).all() and np.isfinite(se).all()):  # pragma: no cover
            # Guaranteed not to happen by the separation stop; never return inf or NaN.
            raise ValueError(f"{owner}: the fit produced non-finite estimates")
        if self.fit_intercept:
            self.intercept_, self.coef_ = float(theta[0]), theta[1:]
            self.intercept_stderr_, self.coef_stderr_ = float(se[0]), se[1:]
        else:
            self.intercept_, self.coef_ = 0.0, theta
            self.intercept_stderr_, self.coef_stderr_ = 0.0, se
        self.n_features_in_ = X.shape[1]
        self.inference_ = self.inference()
        return self

    def _gradient_descent(self, A: np.ndarray, y: np.ndarray, tol: float, max_iter: int):
        n = len(y)

        def gradient(beta: np.ndarray, idx: np.ndarray | None) -> np.ndarray:
            return A.T @ (special.expit(A @ beta) - y) / n

        def loss(beta: np.ndarray) -> float:
            return -_log_likelihood(A @ beta, y) / n

        if self.learning_rate is None:
            step = 4.0 / float(np.linalg.eigvalsh(A.T @ A / n)[-1])
        else:
            step = check_float(
                self.learning_rate, "learning_rate", minimum=0.0, exclusive_minimum=True
            )
        with warnings.catch_warnings():
            # Reported once, by fit, together with the separation diagnosis.
            warnings.simplefilter("ignore", ConvergenceWarning)
            result = descend(
                gradient,
                loss,
                np.zeros(A.shape[1]),
                n_samples=n,
                batch_size=None,
                step=step,
                decay=0.0,
                max_epochs=max_iter,
                tol=tol,
                rng=check_random_state(0),  # full batch: never used
                owner=type(self).__name__,
            )
        self.n_iter_, self.converged_ = result.n_epochs, result.converged
        self.loss_history_ = result.loss_history
        return result.w

    # ------------------------------------------------------------------ inference

    def conf_int(self, level: float = 0.95) -> np.ndarray:
        """Wald intervals, intercept first (when fitted); shape (q, 2)."""
        table = self.inference(level=level)
        return np.array([[row.lower, row.upper] for row in table])

    def inference(self, X: Any = None, y: Any = None, *, level: float = 0.95) -> InferenceTable:
        """Estimates, inverse-Fisher standard errors and Wald intervals.

        Everything is computed at ``fit``; ``X`` and ``y`` are accepted for the uniform
        interface and ignored.

        Returns
        -------
        InferenceTable
            Rows ``intercept`` (when fitted) and ``coef[j]``, method ``"fisher-information"``.
        """
        self._check_fitted("coef_")
        level = check_level(level)
        est: dict[str, Any] = {"coef": self.coef_}
        se: dict[str, Any] = {"coef": self.coef_stderr_}
        if self.fit_intercept:
            est = {"intercept": self.intercept_, **est}
            se = {"intercept": self.intercept_stderr_, **se}
        return wald_table(est, se, level=level, method="fisher-information")

    # ------------------------------------------------------------------ prediction

    def decision_function(self, X: Any) -> np.ndarray:
        """Log-odds ``intercept_ + X coef_``; shape (n,)."""
        self._check_fitted("coef_")
        X = check_array(X, "X")
        check_n_features(X, self.n_features_in_, type(self).__name__)
        return X @ self.coef_ + self.intercept_

    def predict_proba(self, X: Any) -> np.ndarray:
        """``[P(y=0 | x), P(y=1 | x)]`` per row; shape (n, 2)."""
        eta = self.decision_function(X)
        return np.column_stack([special.expit(-eta), special.expit(eta)])

    def predict(self, X: Any) -> np.ndarray:
        """``classes_[1]`` (label 1) where ``P(y=1 | x) > 1/2``, else ``classes_[0]``;
        shape (n,)."""
        positive = self.decision_function(X) > 0  # first: it raises NotFittedError
        return self.classes_[positive.astype(int)]

    def score(self, X: Any, y: Any) -> float:
        """Accuracy of :meth:`predict` on ``(X, y)``."""
        pred = self.predict(X)
        return float(np.mean(pred == check_vector(y, "y", n=len(pred))))

    # -------------------------------------------------- bootstrap hook (em._resampling)

    def _bootstrap_data(self, X: Any, y: Any, kind: str) -> BootstrapData:
        self._check_fitted("coef_")
        return regression_data(X, y, type(self).__name__)

    def _bootstrap_simulate(self, data: BootstrapData, rng: np.random.Generator) -> dict:
        """Labels (n,) drawn from the fitted model at the same ``X``."""
        X = data.X
        labels = (rng.random(X.shape[0]) < special.expit(self.decision_function(X))).astype(float)
        return {"X": X, "y": labels}

    def _bootstrap_align(self, values, reference, data):
        return values

    def _bootstrap_estimates(self) -> dict[str, Any]:
        out = {"intercept": self.intercept_} if self.fit_intercept else {}
        return {**out, "coef": self.coef_}


def _log_likelihood(eta: np.ndarray, y: np.ndarray) -> float:
    """``sum y log p + (1 - y) log(1 - p)`` without forming p: ``-log(1 + exp(-s eta))``."""
    return float(-np.logaddexp(0.0, -(2 * y - 1) * eta).sum())


def _variance(eta: np.ndarray) -> np.ndarray:
    """``p (1 - p)`` as ``expit(eta) expit(-eta)``: no cancellation when p is near 1."""
    return special.expit(eta) * special.expit(-eta)


def _inverse_information(info: np.ndarray, owner: str) -> np.ndarray:
    try:
        factor = linalg.cho_factor(info)
    except linalg.LinAlgError:
        raise ValueError(
            f"{owner}: the Fisher information is singular at the estimate, so the standard "
            "errors do not exist (the data are separated or the design is degenerate)"
        ) from None
    return linalg.cho_solve(factor, np.eye(len(info)))


def _separated_samples(A: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The largest set of samples that a linear rule classifies with a positive margin.

    Separation exists iff some ``b != 0`` has margins ``m_i = s_i a_i b >= 0`` for every
    sample (``s_i = +1`` for label 1, ``-1`` for label 0): moving along ``b`` then never
    lowers any sample's likelihood and raises those with ``m_i > 0``, whose fitted
    probabilities go to 0 or 1. The feasible ``b`` form a cone, so any positive margin can
    be scaled up to 1; the linear programme ``max sum_i u_i`` subject to
    ``0 <= u_i <= min(m_i, 1)``, ``m_i >= 0`` therefore counts the largest such set. For a
    full-rank ``A`` the only feasible ``b`` is 0 exactly when the MLE exists.

    Returns
    -------
    ndarray of bool, shape (n,)
        All False when there is no separation; all True for complete separation.
    """
    n, q = A.shape
    signed = (2 * y - 1)[:, None] * A
    # A cheap first programme in the unit box (q variables) settles the usual case, no
    # separation, where b = 0 is the only feasible point.
    quick = optimize.linprog(
        -signed.sum(axis=0),
        A_ub=-signed,
        b_ub=np.zeros(n),
        bounds=[(-1.0, 1.0)] * q,
        method="highs",
    )
    if quick.status == 0 and -quick.fun <= 1e-7 * n:
        return np.zeros(n, dtype=bool)
    identity = sparse.identity(n, format="csr")
    result = optimize.linprog(
        np.r_[np.zeros(q), -np.ones(n)],
        A_ub=sparse.bmat([[-signed, identity], [-signed, None]], format="csr"),
        b_ub=np.zeros(2 * n),
        bounds=[(None, None)] * q + [(0.0, 1.0)] * n,
        method="highs",
    )
    if result.status != 0:  # pragma: no cover - feasible (b = 0) and bounded (u <= 1)
        return np.zeros(n, dtype=bool)
    return result.x[q:] > 0.5


def _newton(
    A: np.ndarray, y: np.ndarray, separated: np.ndarray, tol: float, max_iter: int
) -> tuple[np.ndarray, int, bool]:
    """IRLS with step halving; returns (coefficients, iterations, converged)."""
    s = 2 * y - 1
    beta = np.zeros(A.shape[1])
    ll = _log_likelihood(A @ beta, y)
    for iteration in range(1, max_iter + 1):
        eta = A @ beta
        gradient = A.T @ (y - special.expit(eta))
        w = _variance(eta)
        info = A.T @ (w[:, None] * A)
        try:
            direction = linalg.cho_solve(linalg.cho_factor(info), gradient)
        except linalg.LinAlgError:
            # Weights underflowed on separated samples: the minimum-norm Newton step.
            direction = np.linalg.lstsq(info, gradient, rcond=None)[0]
        t = 1.0
        for _ in range(_MAX_HALVINGS):
            new_ll = _log_likelihood(A @ (beta + t * direction), y)
            if new_ll >= ll - 1e-12 * abs(ll):
                break
            t /= 2
        beta = beta + t * direction
        ll = new_ll
        if np.max(np.abs(t * direction)) <= tol:
            return beta, iteration, True
        if separated.any() and np.all(s[separated] * (A[separated] @ beta) >= _SEPARATED_MARGIN):
            return beta, iteration, False
    return beta, max_iter, False


def _binary_labels(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The two classes of ``y`` (n,) and ``y`` as 0/1 floats; a ValueError otherwise."""
    labels = np.unique(y)
    if np.isin(labels, (0.0, 1.0)).all():
        classes = np.array([0, 1])
    elif labels.size == 2:
        # Two other labels (e.g. 1 and 2, as scikit-learn's tools may pass): the larger
        # is the "1" of the model; predict returns the labels given.
        classes = labels
        y = (y == labels[1]).astype(np.float64)
    else:
        # The first words are scikit-learn's, which its tools and checks look for.
        what = (
            "Unknown label type: y looks continuous (it has non-whole values)"
            if (labels != np.round(labels)).any()
            else f"Only binary classification is supported: y has {labels.size} classes"
        )
        raise ValueError(
            f"{what}; y must contain only the labels 0 and 1 (or any two numbers); got "
            f"the distinct values {labels[:10].tolist()}"
            f"{' ...' if labels.size > 10 else ''}"
        )

    return classes, y
