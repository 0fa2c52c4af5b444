"""Standard errors of a Gaussian-mixture MLE from the observed information.

Method
------
The observed information is minus the Hessian of the marginal (observed-data)
log-likelihood ``l(theta) = sum_n log sum_k w_k N(x_n | mu_k, Sigma_k)`` at the fitted
parameters, in an unconstrained parametrisation ``theta``:

- weights: ``K - 1`` log-ratios ``eta_k = log(w_k / w_K)`` (softmax back), so the
  constraint ``sum w = 1`` is built in and steps never leave the simplex;
- means: as they are;
- covariances: the lower Cholesky factor ``L`` (``Sigma = L L^T``) with its diagonal on
  the log scale (``full``: one per component, ``tied``: one); log-variances for ``diag``
  and ``spherical``. Steps never leave the positive-definite cone.

The score ``dl/dtheta`` is analytic (responsibility-weighted complete-data scores, Fisher's
identity); the Hessian is its central-difference Jacobian with step
``eps^(1/3) * scale_i`` per coordinate (``scale_i`` the component standard deviation for a
mean or a Cholesky off-diagonal, 1 for log-scale and log-ratio coordinates), which makes
the truncation and the rounding error both about ``1e-10`` relative. The inverse
information is mapped back to weights, means and covariances by the delta method with the
Jacobian of the (analytic) map ``theta -> (w, mu, Sigma)``, computed exactly by complex
steps. At a maximum the result does not depend on the parametrisation.

Intervals are Wald intervals ``estimate +/- z se`` on the natural scale (they can cross 0
or 1 for a weight near the boundary). The method is asymptotic: compare with
:func:`em.bootstrap` at small ``N``.

With a conjugate prior (a MAP-EM fit) the same is done for the log posterior
``l(theta) + log p(theta)``: the Laplace approximation, a normal with the MAP as its mean
and the inverse observed information of the log posterior as its covariance (rows of
method ``"laplace"``). The prior's score is analytic in the weights, means and
covariances (:meth:`em.NormalInverseWishart.log_density_gradient`) and reaches ``theta``
through the exact Jacobian of ``theta -> (w, mu, Sigma)``; the log prior is a function
of the parameters, not a density in ``theta`` (no Jacobian determinant), so the curvature
is that of the posterior density of ``(w, mu, Sigma)`` at its mode.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .._fingerprint import check_same_data
from .._validation import check_array, check_level
from ..exceptions import SingularInformationWarning
from ..inference import InferenceTable, wald_table
from . import _stats
from ._covariance import CovarianceType, covariance_kind
from .prior import NormalInverseWishart

METHOD = "observed-information"
LAPLACE = "laplace"
# Scaled information eigenvalues below this fraction of the largest count as zero: the
# parameters along those directions are not identified by the data (to working accuracy).
_RCOND = 1e-10
_STEP = np.finfo(float).eps ** (1 / 3)
# Warn when the fitted point is this many standard errors (one Newton step) from the
# maximum: the information is then evaluated at the wrong place.
_MAX_NEWTON_STEP = 0.25


def mixture_inference(
    estimator: Any, X: Any, *, level: float = 0.95, prior: NormalInverseWishart | None = None
) -> InferenceTable:
    """Observed-information standard errors and Wald intervals of a fitted Gaussian mixture.

    Parameters
    ----------
    estimator : fitted Gaussian mixture
        Anything with ``weights_`` (K,), ``means_`` (K, D), ``covariances_`` (``full``
        (K, D, D), ``tied`` (D, D), ``diag`` (K, D), ``spherical`` (K,)),
        ``covariance_type`` and ``n_components``; e.g. :class:`em.GaussianMixtureEM`.
    X : array-like of shape (N, D) or (N,)
        The data it was fitted to. When the estimator has a ``data_fingerprint_`` (as
        :class:`em.GaussianMixtureEM` records at ``fit``, see :mod:`em._fingerprint`), other
        data are refused with a ValueError.
    level : float, default=0.95
    prior : NormalInverseWishart, optional
        The prior of a MAP fit: the information is then that of the log posterior (the
        Laplace approximation) and the rows' method is ``"laplace"``.

    Returns
    -------
    InferenceTable
        ``weights`` (K,), ``means`` (K, D) and ``covariances`` (the shape of
        ``covariances_``), method ``"observed-information"`` (``"laplace"`` with a
        prior). With ``K = 1`` the weight is fixed at 1 with standard error 0.

    Warns
    -----
    SingularInformationWarning
        When the information is not numerically positive definite (a component with
        almost no weight or data, two identical components, a saddle point): the
        parameters that depend on the unidentified directions get ``se = inf`` (and
        infinite intervals), the others their finite standard errors; nothing is NaN.
        Also when the fit is more than a quarter of a standard error from the maximum
        (not converged), since the information is then evaluated at the wrong point.
    """
    level = check_level(level)
    weights = np.asarray(estimator.weights_, float)
    means = np.asarray(estimator.means_, float)
    covariances = np.asarray(estimator.covariances_, float)
    covariance = covariance_kind(estimator.covariance_type)
    n_components, n_features = means.shape
    X = check_array(X, "X")
    if X.shape[1] != n_features:
        raise ValueError(f"X has {X.shape[1]} features but the mixture has {n_features}")
    fingerprint = getattr(estimator, "data_fingerprint_", None)
    if fingerprint is not None:  # estimators that record their training data's fingerprint
        check_same_data(X, fingerprint, f"{type(estimator).__name__}.inference")

    model = _Parametrisation(covariance, n_components, n_features, prior)
    theta = model.pack(weights, means, covariances)
    steps = _STEP * model.scales(covariances)
    hessian = np.empty((theta.size, theta.size))
    for i in range(theta.size):
        shift = np.zeros_like(theta)
        shift[i] = steps[i]
        hessian[:, i] = (model.score(theta + shift, X) - model.score(theta - shift, X)) / (
            2 * steps[i]
        )
    information = -(hessian + hessian.T) / 2

    jacobian = model.jacobian(theta)
    cov_phi, unidentified = _delta_method(information, jacobian)
    se = np.sqrt(np.clip(np.diag(cov_phi), 0.0, None))
    se[unidentified] = np.inf
    names = model.names(covariances.shape)
    if unidentified.any():
        listed = ", ".join(names[i] for i in np.flatnonzero(unidentified)[:8])
        warnings.warn(
            f"mixture_inference: the observed information is singular or not positive "
            f"definite at the fitted parameters (e.g. a component with almost no weight, two "
            f"coinciding components, or a saddle point), so {int(unidentified.sum())} "
            f"parameter(s) are not identified and get se=inf: {listed}",
            SingularInformationWarning,
            stacklevel=2,
        )
    else:
        newton = np.linalg.solve(information, model.score(theta, X))
        theta_se = np.sqrt(np.diag(np.linalg.inv(information)))
        worst = float(np.max(np.abs(newton) / theta_se))
        if worst > _MAX_NEWTON_STEP or not getattr(estimator, "converged_", True):
            warnings.warn(
                f"mixture_inference: the fitted parameters are {worst:.2g} standard errors "
                f"(one Newton step) from the maximum of the {model.objective}; the fit has not "
                "converged (lower tol or raise max_iter), so the standard errors are "
                "approximate",
                SingularInformationWarning,
                stacklevel=2,
            )
    estimates = {"weights": weights, "means": means, "covariances": covariances}
    sizes = np.cumsum([weights.size, means.size])
    standard_errors = {
        "weights": se[: sizes[0]],
        "means": se[sizes[0] : sizes[1]].reshape(means.shape),
        "covariances": se[sizes[1] :].reshape(covariances.shape),
    }
    method = METHOD if prior is None else LAPLACE
    return wald_table(estimates, standard_errors, level=level, method=method)


def _delta_method(information: np.ndarray, jacobian: np.ndarray):
    """``J I^{-1} J^T`` and which rows of ``J`` touch a (near-)null direction of ``I``.

    The information is first scaled to unit diagonal, so the eigenvalue test measures
    identifiability rather than the units of the parameters.

    Returns
    -------
    covariance : ndarray of shape (m, m)
    unidentified : ndarray of bool, shape (m,)
    """
    diag = np.sqrt(np.abs(np.diag(information)))
    diag[diag == 0] = 1.0
    scaled = information / np.outer(diag, diag)
    eigenvalues, vectors = np.linalg.eigh(scaled)
    good = eigenvalues > _RCOND * max(eigenvalues[-1], 0.0)
    J = jacobian / diag  # J D^{-1}: into the scaled coordinates
    projected = J @ vectors
    covariance = (projected[:, good] / eigenvalues[good]) @ projected[:, good].T
    # A row that moves along a bad direction has unbounded variance.
    norms = np.linalg.norm(J, axis=1)
    unidentified = np.any(
        np.abs(projected[:, ~good]) > 1e-8 * np.maximum(norms, np.finfo(float).tiny)[:, None],
        axis=1,
    )
    return covariance, unidentified


class _Parametrisation:
    """The unconstrained coordinates ``theta`` of a Gaussian mixture and the analytic score.

    ``theta`` is the ``K - 1`` weight log-ratios, the means, then the covariance
    coordinates of the covariance type (:meth:`CovarianceType.pack`). With a ``prior`` the
    score is that of the log posterior.
    """

    def __init__(
        self,
        covariance: CovarianceType,
        n_components: int,
        n_features: int,
        prior: NormalInverseWishart | None = None,
    ):
        self.covariance = covariance
        self.K = n_components
        self.D = n_features
        self.prior = prior
        self.objective = "likelihood" if prior is None else "posterior"

    # -------------------------------------------------------------- packing

    def pack(self, weights, means, covariances) -> np.ndarray:
        eta = np.log(weights[:-1]) - np.log(weights[-1])
        return np.concatenate([eta, means.ravel(), self.covariance.pack(covariances)])

    def unpack(self, theta: np.ndarray):
        """``(weights (K,), means (K, D), covariances)``; complex-safe (no abs, no max)."""
        K, D = self.K, self.D
        eta = np.concatenate([theta[: K - 1], np.zeros(1, dtype=theta.dtype)])
        # Shift by the real part only, so complex-step differentiation stays analytic.
        expo = np.exp(eta - np.max(eta.real))
        weights = expo / expo.sum()
        means = theta[K - 1 : K - 1 + K * D].reshape(K, D)
        covariances = self.covariance.unpack(theta[K - 1 + K * D :], K, D)
        return weights, means, covariances

    def scales(self, covariances: np.ndarray) -> np.ndarray:
        """Natural scale of each coordinate, for the finite-difference steps."""
        sd, cov_scales = self.covariance.scales(covariances, self.K, self.D)
        return np.concatenate([np.ones(self.K - 1), sd.ravel(), cov_scales])

    def names(self, covariance_shape: tuple[int, ...]) -> list[str]:
        shapes = (
            ("weights", (self.K,)),
            ("means", (self.K, self.D)),
            ("covariances", covariance_shape),
        )
        return [
            f"{name}[{', '.join(map(str, index))}]"
            for name, shape in shapes
            for index in np.ndindex(shape)
        ]

    def jacobian(self, theta: np.ndarray) -> np.ndarray:
        """``d(weights, means, covariances)/dtheta`` by complex steps (exact); (m, P)."""
        h = 1e-30
        columns = []
        for i in range(theta.size):
            shifted = theta.astype(complex)
            shifted[i] += 1j * h
            columns.append(np.concatenate([a.ravel() for a in self.unpack(shifted)]).imag / h)
        return np.column_stack(columns)

    # -------------------------------------------------------------- score

    def score(self, theta: np.ndarray, X: np.ndarray) -> np.ndarray:
        """Gradient of the total log-likelihood (plus the log prior) in ``theta``; shape (P,)."""
        score = self.likelihood_score(theta, X)
        if self.prior is None:
            return score
        weights, means, covariances = self.unpack(theta)
        gradient = self.prior.log_density_gradient(weights, means, covariances, self.covariance)
        # Chain rule through the exact Jacobian of theta -> (w, mu, Sigma).
        return score + self.jacobian(theta).T @ np.concatenate([g.ravel() for g in gradient])

    def likelihood_score(self, theta: np.ndarray, X: np.ndarray) -> np.ndarray:
        """Gradient of the total log-likelihood with respect to ``theta``; shape (P,).

        Fisher's identity: the observed-data score is the responsibility-weighted sum of
        the complete-data scores of each component.
        """
        weights, means, covariances = self.unpack(theta)
        covariance = self.covariance
        prec_chol, singular = covariance.precision_cholesky(covariances)
        if singular.any():
            raise ValueError("mixture_inference: a covariance is singular at the fitted values")
        log_joint = _stats.log_joint(
            X, _stats.plan(weights, means, prec_chol, covariances, covariance)
        )
        resp = np.exp(log_joint - _stats.logsumexp_rows(log_joint)[:, None])  # (N, K)
        nk = resp.sum(axis=0)
        score_eta = (nk - len(X) * weights)[:-1]
        weighted_sum = resp.T @ X  # (K, D)
        residual_sum = weighted_sum - nk[:, None] * means  # sum_n r_nk (x_n - mu_k)
        score_means, score_cov = covariance.score(
            X, resp, nk, means, covariances, prec_chol, residual_sum
        )
        return np.concatenate([score_eta, score_means.ravel(), score_cov])
