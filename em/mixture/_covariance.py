"""Everything that depends on the covariance type, one small object per type.

Covariance shapes follow scikit-learn, with ``K`` components and ``D`` features:

==============  =========================  ================================================
type            ``covariances``            meaning
==============  =========================  ================================================
``"full"``      ``(K, D, D)``              one full covariance matrix per component
``"tied"``      ``(D, D)``                 one full covariance matrix shared by all
``"diag"``      ``(K, D)``                 one diagonal (per-feature variances) each
``"spherical"`` ``(K,)``                   one variance each, the same for every feature
==============  =========================  ================================================

``precisions_cholesky`` has the same shape as ``covariances``. For the matrix types it is
the upper-triangular ``U = L^{-T}`` where ``covariance = L L^T`` (so ``precision = U U^T``,
scikit-learn's convention); for ``diag`` and ``spherical`` it is ``1 / sqrt(variance)``.
Working with ``U`` turns the Mahalanobis distance into a matrix product and the
log-determinant into a sum of logs of a diagonal: no inverse, no determinant.

Each type is a :class:`CovarianceType` in :data:`COVARIANCES` (name -> object). It knows
its shapes (and their text for error messages), the precision Cholesky factor and the
log-determinant, the covariances of an M-step from the sufficient statistics, the data
covariance in one component's shape, the sampling factor, the number of free parameters,
the unconstrained coordinates in which :mod:`.information` differentiates the
likelihood, and the per-type formulas of the conjugate normal-inverse-Wishart prior
(:mod:`.prior`: its density, conjugate update and mode; the expectations, bound and
predictive density of variational Bayes). Code outside this module asks the object; it
never compares the type's name.

The two families differ in how the E-step accumulates statistics (:mod:`._stats`):
:class:`MatrixCovariance` (``full``, ``tied``) sums whitened outer products,
:class:`DiagonalCovariance` (``diag``, ``spherical``) sums squares. A new type (banded,
factor-analytic) is one more subclass here and one line in :data:`COVARIANCES`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.special import digamma, gammaln, multigammaln

from .._linalg import triangular_inverse
from .._validation import check_choice

# A full covariance whose Cholesky pivot satisfies L_ii^2 <= _RCOND * Sigma_ii (its
# correlation matrix has a pivot that small) is singular to working precision: what is
# left in that direction is rounding of the other directions (e.g. two points in 2-D).
_RCOND = 1e4 * np.finfo(np.float64).eps


class CovarianceType:
    """One covariance type of a Gaussian mixture; see the module docstring for the shapes.

    Attributes
    ----------
    name : str
        ``covariance_type`` as the user writes it.
    shape_text : str
        The shape of ``covariances`` in words, for error messages.
    accepted : str
        What a valid ``covariances`` holds, in words, for error messages.
    shared : bool
        One covariance for all components (``tied``): components cannot be given their
        own covariance, and relabelling components leaves it unchanged.
    diagonal : bool
        Only variances (``diag``, ``spherical``): the E-step sums squares, not outer
        products, and there is no symmetry to check.
    """

    name: str
    shape_text: str
    accepted: str
    shared: bool = False
    diagonal: bool

    def __repr__(self) -> str:
        return f"CovarianceType({self.name!r})"

    def __reduce__(self):
        # Plans holding a type are pickled to Dask workers: unpickle to the registry's object.
        return (covariance_kind, (self.name,))

    # ---------------------------------------------------------------- shapes

    def shape(self, n_components: int, n_features: int) -> tuple[int, ...]:
        """Shape of ``covariances`` (and ``precisions_cholesky``)."""
        raise NotImplementedError

    def n_covariance_parameters(self, n_components: int, n_features: int) -> int:
        """Free entries of ``covariances`` (a symmetric matrix counts its triangle)."""
        raise NotImplementedError

    def n_parameters(self, n_components: int, n_features: int) -> int:
        """Free parameters of the mixture: ``K - 1`` weights, ``K D`` means, the covariances."""
        covariance_parameters = self.n_covariance_parameters(n_components, n_features)
        return n_components - 1 + n_components * n_features + covariance_parameters

    def repeat(self, one: np.ndarray, n_components: int) -> np.ndarray:
        """``covariances`` whose every component is ``one`` (one component's shape)."""
        return np.broadcast_to(one, (n_components, *one.shape)).copy()

    def permute(self, covariances: np.ndarray, order: np.ndarray) -> np.ndarray:
        """``covariances`` with the components relabelled: component ``k`` <- ``order[k]``."""
        return covariances[order]

    def as_full(self, covariances: np.ndarray, n_components: int, n_features: int) -> np.ndarray:
        """``covariances`` as one full matrix per component, a new array (K, D, D)."""
        raise NotImplementedError

    # ---------------------------------------------------------------- factors

    def precision_cholesky(
        self, covariances: np.ndarray, min_std: float = 0.0
    ) -> tuple[np.ndarray, np.ndarray]:
        """Cholesky factor of the precision of each component, and which ones are singular.

        Parameters
        ----------
        covariances : ndarray
            In this type's shape.
        min_std : float, default=0
            A covariance whose Cholesky pivot (a conditional standard deviation) or
            standard deviation is at most this counts as singular even though a factor
            exists: below the rounding level of the data such a "variance" is noise, and
            its density a spike. Independently of it, a matrix whose correlation matrix has
            a squared pivot below ``1e4 * eps`` is singular to working precision.

        Returns
        -------
        precisions_cholesky : ndarray, same shape as ``covariances``
            Entries of a singular component are set to 1 (a harmless placeholder).
        singular : ndarray of bool, shape (K,), or shape (1,) for a shared covariance
            True where the covariance is not numerically symmetric positive definite, so
            the caller decides what to do (re-seed the component, or refuse the input)
            instead of this function raising half-way through.
        """
        raise NotImplementedError

    def one_precision_cholesky(
        self, covariance: np.ndarray, min_std: float = 0.0
    ) -> tuple[np.ndarray, bool]:
        """:meth:`precision_cholesky` of one component's covariance, and whether it is singular."""
        precision_cholesky, singular = self.precision_cholesky(covariance[None], min_std)
        return precision_cholesky[0], bool(singular.any())

    def log_det_cholesky(self, precisions_cholesky: np.ndarray, n_features: int) -> np.ndarray:
        """``log det U_k`` for every component, i.e. ``-0.5 log det Sigma_k``.

        Returns an ndarray of shape (K,), or a 0-d float for a shared covariance (it
        broadcasts over components).
        """
        raise NotImplementedError

    def sampling_factor(self, covariances: np.ndarray) -> np.ndarray:
        """``L`` with ``Sigma = L L^T`` per component (standard deviations when diagonal)."""
        raise NotImplementedError

    def draw(self, z: np.ndarray, factors: np.ndarray, k: int) -> np.ndarray:
        """``L_k z`` for standard normal rows ``z`` (n, D): draws of component ``k``, centred."""
        raise NotImplementedError

    # ---------------------------------------------------------------- estimation

    def from_data_scatter(self, scatter: np.ndarray, n_samples: int, reg_covar: float):
        """The data covariance in one component's shape from the scatter about the mean (D, D).

        ``(D, D)`` for the matrix types, ``(D,)`` for ``diag``, a 0-d array for
        ``spherical``; maximum-likelihood scaling plus ``reg_covar`` on the diagonal. Used
        for the lecture's start (every covariance the overall one) and to re-seed a
        collapsed component.
        """
        n_features = scatter.shape[0]
        covariance = scatter / n_samples
        covariance = (covariance + covariance.T) / 2
        covariance[np.arange(n_features), np.arange(n_features)] += reg_covar
        return self._from_data_covariance(covariance)

    def _from_data_covariance(self, covariance: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    # ---------------------------------------------------------------- inference coordinates
    # Unconstrained coordinates of the covariances (steps never leave the cone of valid
    # covariances) for the observed information of :mod:`.information`.

    def pack(self, covariances: np.ndarray) -> np.ndarray:
        """The unconstrained coordinates of ``covariances``, flat."""
        raise NotImplementedError

    def unpack(self, coordinates: np.ndarray, n_components: int, n_features: int):
        """``covariances`` from :meth:`pack`'s coordinates; complex-safe (no abs, no max)."""
        raise NotImplementedError

    def scales(self, covariances: np.ndarray, n_components: int, n_features: int):
        """Natural scales for finite-difference steps.

        Returns
        -------
        sd : ndarray of shape (K, D)
            Standard deviation of each component along each feature (the scale of a mean).
        coordinate_scales : ndarray
            One per coordinate of :meth:`pack` (1 on the log scale).
        """
        raise NotImplementedError

    def score(self, X, resp, nk, means, covariances, precisions_cholesky, residual_sum):
        """The score of the means and of :meth:`pack`'s coordinates (Fisher's identity).

        Parameters
        ----------
        X : ndarray of shape (N, D)
        resp : ndarray of shape (N, K)
            Responsibilities at the parameters.
        nk : ndarray of shape (K,)
            ``sum_n r_nk``.
        means : ndarray of shape (K, D)
        covariances, precisions_cholesky : ndarray
            In this type's shape.
        residual_sum : ndarray of shape (K, D)
            ``sum_n r_nk (x_n - mu_k)``.

        Returns
        -------
        score_means : ndarray of shape (K, D)
        score_coordinates : ndarray, flat, one per coordinate of :meth:`pack`
        """
        raise NotImplementedError

    # ---------------------------------------------------------------- conjugate prior
    # The normal-inverse-Wishart prior of :mod:`.prior` restricted to this type (inverse
    # gamma variances for the diagonal types): ``Psi`` is the scale in this type's shape
    # (``full`` (K, D, D), ``tied`` (D, D), ``diag`` (K, D), ``spherical`` (K,)) and ``nu``
    # its degrees of freedom, (K,) or 0-d for a shared covariance.

    scale_text: str  # the prior's scale of one component in words, for error messages

    def component_shape(self, n_features: int) -> tuple[int, ...]:
        """Shape of one component's covariance, and of the prior's ``covariance_prior``."""
        raise NotImplementedError

    def divide(self, covariances: np.ndarray, values: Any) -> np.ndarray:
        """``covariances`` with component ``k`` divided by ``values[k]`` (0-d: all alike)."""
        values = np.asarray(values)
        return covariances / values.reshape(values.shape + (1,) * (covariances.ndim - values.ndim))

    def pool(self, per_component: np.ndarray) -> np.ndarray:
        """Per-component scatters in this type's shape.

        ``per_component`` is (K, D, D) for the matrix types, (K, D) per-feature sums of
        squares for the diagonal ones; ``tied`` sums over components, ``spherical`` over
        features, the others return it unchanged.
        """
        return per_component

    def default_prior_scale(self, variance: np.ndarray, n_samples: int, shrink: float):
        """mclust's default scale from the sample covariance ``variance`` (D, D).

        See :meth:`em.NormalInverseWishart.default`; ``shrink`` is ``K^(-2/D)``.
        """
        raise NotImplementedError

    def prior_log_density(self, diff, covariances, scale, kappa: float, nu: float):
        """The covariance and mean terms of the log prior density, every constant kept.

        Parameters
        ----------
        diff : ndarray of shape (K, D)
            ``mu_k - m0``.
        covariances : ndarray
            In this type's shape.
        scale : ndarray
            ``Psi0`` in :meth:`component_shape`.
        kappa, nu : float
            ``kappa0`` and ``nu0``.

        Returns
        -------
        log_covariances, log_means : ndarray
            Log inverse-Wishart (inverse-gamma) densities of the covariances and log normal
            densities of the means, to be summed.

        Raises
        ------
        ValueError
            When a covariance matrix is not symmetric positive definite.
        """
        raise NotImplementedError

    def posterior_scale(self, scale, scatter, shrink: np.ndarray, diff: np.ndarray):
        """``Psi = Psi0 + S + sum_k kappa0 n_k / kappa_k (xbar_k - m0)(xbar_k - m0)^T``.

        ``scatter`` is :meth:`pool`'s, ``shrink`` (K,) ``kappa0 n_k / kappa_k`` and ``diff``
        (K, D) ``xbar_k - m0``; the result is in this type's shape.
        """
        raise NotImplementedError

    def posterior_dof(self, nu0: float, nk: np.ndarray, n_features: int) -> np.ndarray:
        """Posterior degrees of freedom: ``nu0 + n_k`` per component (see the subclasses)."""
        return nu0 + nk

    def mode(self, psi: np.ndarray, nu: np.ndarray, n_components: int, n_features: int):
        """Covariances at the joint mode of ``(mu, Sigma)`` under ``NIW(kappa, nu, Psi)``.

        The exponent of ``det(Sigma)`` in the joint density, plus the mode of the
        inverse-Wishart part: every normal mean adds 1/2 to it (``tied``: ``K`` of them).
        """
        return self.divide(psi, self.mode_denominator(nu, n_components, n_features))

    def mode_denominator(self, nu, n_components, n_features):
        """``c`` with the density of the covariances proportional to ``|Sigma|^(-c/2)``
        times ``exp(-tr(Sigma^{-1} B) / 2)`` (the means' normals included) at ``nu``."""
        raise NotImplementedError

    def log_prior_gradient(self, diff, covariances, B, c: float, kappa: float):
        """Gradient of the log prior density in the means and the covariances.

        Parameters
        ----------
        diff : ndarray of shape (K, D)
            ``mu_k - m0``.
        covariances : ndarray
            In this type's shape.
        B : ndarray
            ``Psi0 + kappa0 sum (mu_k - m0)(mu_k - m0)^T`` pooled as the type pools
            (:meth:`posterior_scale` with no data).
        c : float
            :meth:`mode_denominator` at the prior's ``nu0``.
        kappa : float
            ``kappa0``.

        Returns
        -------
        grad_means : ndarray of shape (K, D)
            ``-kappa0 Sigma_k^{-1} (mu_k - m0)``.
        grad_covariances : ndarray, this type's shape
            ``-c/2 Sigma^{-1} + 1/2 Sigma^{-1} B Sigma^{-1}`` (the derivative in every entry,
            both triangles, as if they were free).
        """
        raise NotImplementedError

    # ---------------------------------------------------------------- variational Bayes

    def expected_precision(self, nu, psi, n_components: int, n_features: int):
        """``E[log |Lambda_k|]`` (K,) and the factor ``U`` of ``E[Lambda_k] = nu Psi^{-1}``.

        ``U`` is in scikit-learn's shape for the type (upper triangular (K, D, D) /
        (D, D); ``sqrt`` of the precisions (K, D) / (K,)). The matrix types use the
        Wishart's ``sum_{i<D} digamma((nu - i)/2) + D log 2 - log |Psi|``, the diagonal
        ones ``sum_d [digamma(nu/2) + log 2 - log psi_d]`` (``spherical``: the one ``psi``
        counted ``D`` times).
        """
        raise NotImplementedError

    def expected_quadratic(self, diff: np.ndarray, precisions_cholesky) -> np.ndarray:
        """``(x - m_k)^T E[Lambda_k] (x - m_k)`` from ``diff`` (b, K, D); shape (b, K)."""
        raise NotImplementedError

    def add_evidence(
        self, bound: float, kappa, nu, psi, kappa0, nu0, scale0, n_features: int
    ) -> float:
        """``bound`` plus ``sum log Z(kappa_k, nu_k, Psi_k) / Z(kappa0, nu0, Psi0)``.

        The normal-inverse-Wishart part of the variational bound (:mod:`._vb_bound`), with
        ``log Z = lgamma_D(nu/2) - nu/2 log |Psi| - D/2 log kappa`` per block.
        """
        raise NotImplementedError

    def predictive_log_pdf(self, diff: np.ndarray, kappa, nu, psi) -> np.ndarray:
        """Log Student-t density of each component's posterior predictive; shape (b, K).

        ``diff`` is ``x - m_k`` (b, K, D); see :mod:`._vb_predictive` for the t's.
        """
        raise NotImplementedError


class MatrixCovariance(CovarianceType):
    """Full covariance matrices: one per component (``full``) or one shared (``tied``).

    The methods work on a stack ``(S, D, D)`` (``S = K``, or 1 for a shared covariance);
    :meth:`_stack` and :meth:`_unstack` convert from and to the user's shape.
    """

    diagonal = False
    accepted = "symmetric positive definite matrices"

    def _stack(self, covariances: np.ndarray) -> np.ndarray:
        return covariances

    def _unstack(self, stack: np.ndarray) -> np.ndarray:
        return stack

    def per_component(self, matrices: np.ndarray, n_components: int) -> np.ndarray:
        """``matrices`` in the user's shape -> (K, D, D), one (view) per component."""
        return matrices

    def _pool(self, scatter: np.ndarray, nk: np.ndarray) -> np.ndarray:
        """Per-component scatters (K, D, D) -> the covariances before symmetry and reg_covar."""
        raise NotImplementedError

    def precision_cholesky(self, covariances, min_std=0.0):
        stack = self._stack(covariances)
        n_features = stack.shape[-1]
        identity = np.eye(n_features)
        chol = np.zeros_like(stack)
        singular = ~np.isfinite(stack).all(axis=(1, 2))
        for k in np.flatnonzero(~singular):  # K small; lets us tell which component failed
            try:
                chol[k] = np.linalg.cholesky(stack[k])
            except np.linalg.LinAlgError:
                singular[k] = True
        pivots = np.diagonal(chol, axis1=1, axis2=2)
        variances = np.diagonal(stack, axis1=1, axis2=2)
        singular |= ~((pivots > min_std) & (pivots**2 > _RCOND * variances)).all(axis=1)
        prec_chol = np.broadcast_to(identity, stack.shape).copy()
        for k in np.flatnonzero(~singular):
            # U = L^{-T}: the inverse of a triangular factor, not of the covariance.
            prec_chol[k] = triangular_inverse(chol[k], lower=True).T
        return self._unstack(prec_chol), singular

    def sampling_factor(self, covariances):
        return np.linalg.cholesky(covariances)

    def _from_data_covariance(self, covariance):
        return covariance

    def covariances_from_scatter(
        self, scatter: np.ndarray, nk: np.ndarray, reg_covar: float
    ) -> np.ndarray:
        """The M-step's covariances from the scatter of each component about its new mean.

        Parameters
        ----------
        scatter : ndarray of shape (K, D, D)
            ``sum_n r_nk (x_n - mu_k)(x_n - mu_k)^T``.
        nk : ndarray of shape (K,)
            ``sum_n r_nk`` (plus the tiny constant that keeps an empty component finite).
        reg_covar : float
            Added to the diagonal.
        """
        covariances = self._pool(scatter, nk)
        # The products are symmetric only up to rounding; make them exactly so (users test it).
        covariances = (covariances + np.swapaxes(covariances, -1, -2)) / 2
        idx = np.arange(scatter.shape[-1])
        covariances[..., idx, idx] += reg_covar
        return covariances

    # -------------------------------------------------------------- inference coordinates
    # The lower Cholesky factor L (Sigma = L L^T) with its diagonal on the log scale.

    def pack(self, covariances):
        tril = np.tril_indices(covariances.shape[-1])
        on_diagonal = tril[0] == tril[1]
        chol = np.linalg.cholesky(self._stack(covariances))
        entries = chol[:, tril[0], tril[1]]
        entries[:, on_diagonal] = np.log(entries[:, on_diagonal])
        return entries.ravel()

    def unpack(self, coordinates, n_components, n_features):
        tril = np.tril_indices(n_features)
        on_diagonal = tril[0] == tril[1]
        entries = coordinates.reshape(-1, tril[0].size).copy()
        entries[:, on_diagonal] = np.exp(entries[:, on_diagonal])
        chol = np.zeros((entries.shape[0], n_features, n_features), dtype=coordinates.dtype)
        chol[:, tril[0], tril[1]] = entries
        return self._unstack(chol @ np.swapaxes(chol, 1, 2))  # transpose, not conjugate

    def scales(self, covariances, n_components, n_features):
        tril = np.tril_indices(n_features)
        on_diagonal = tril[0] == tril[1]
        stack_sd = np.sqrt(np.diagonal(self._stack(covariances), axis1=1, axis2=2))
        sd = np.broadcast_to(stack_sd, (n_components, n_features))
        return sd, np.where(on_diagonal, 1.0, stack_sd[:, tril[0]]).ravel()

    def score(self, X, resp, nk, means, covariances, precisions_cholesky, residual_sum):
        n_components, n_features = means.shape
        tril = np.tril_indices(n_features)
        on_diagonal = tril[0] == tril[1]
        precisions = precisions_cholesky @ np.swapaxes(precisions_cholesky, -1, -2)  # U U^T
        precisions = self.per_component(precisions, n_components)
        score_means = np.einsum("kij,kj->ki", precisions, residual_sum)
        # G_k = 1/2 (P S_k P - n_k P), S_k the weighted scatter about mu_k.
        grads = np.empty((n_components, n_features, n_features))
        for k in range(n_components):
            diff = X - means[k]
            scatter = (resp[:, k] * diff.T) @ diff
            P = precisions[k]
            grads[k] = 0.5 * (P @ scatter @ P - nk[k] * P)
        chols = np.linalg.cholesky(self._stack(covariances))
        if self.shared:
            grads = grads.sum(axis=0, keepdims=True)
        # d/dL tr(G L L^T) = 2 G L; the log-diagonal picks up a factor L_ii.
        dL = 2 * grads @ chols
        entries = dL[:, tril[0], tril[1]]
        diag_chol = chols[:, tril[0], tril[1]][:, on_diagonal]
        entries[:, on_diagonal] *= diag_chol
        return score_means, entries.ravel()

    # -------------------------------------------------------------- conjugate prior

    scale_text = "(D, D) matrix"

    def component_shape(self, n_features):
        return (n_features, n_features)

    def default_prior_scale(self, variance, n_samples, shrink):
        # mclust's ellipsoidal models; with N <= D the sample covariance is singular and
        # mclust (and we) use its diagonal.
        n_features = variance.shape[0]
        scale = variance if n_samples > n_features else np.diag(np.diag(variance))
        return shrink * scale

    def prior_log_density(self, diff, covariances, scale, kappa, nu):
        K, D = diff.shape
        stack = self._stack(covariances)
        try:
            chol = np.linalg.cholesky(stack)
        except np.linalg.LinAlgError:
            raise ValueError(
                "covariances are not symmetric positive definite; accepted: SPD matrices"
            ) from None
        log_det = 2 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
        inverse = np.linalg.inv(stack)
        _, log_det_scale = np.linalg.slogdet(scale)
        log_iw = (
            0.5 * nu * log_det_scale
            - 0.5 * nu * D * math.log(2)
            - multigammaln(nu / 2, D)
            - 0.5 * (nu + D + 1) * log_det
            - 0.5 * np.einsum("ij,kji->k", scale, inverse)
        )
        inverse = np.broadcast_to(inverse, (K, D, D))  # shared: one for every mean
        maha = np.einsum("ki,kij,kj->k", diff, inverse, diff)
        log_normal = 0.5 * D * math.log(kappa / (2 * math.pi)) - 0.5 * log_det - 0.5 * kappa * maha
        return log_iw, log_normal

    def posterior_scale(self, scale, scatter, shrink, diff):
        psi = scale + scatter + self._mean_scatter(shrink, diff)
        return (psi + np.swapaxes(psi, -1, -2)) / 2

    def log_prior_gradient(self, diff, covariances, B, c, kappa):
        precisions = np.linalg.inv(covariances)
        grad_means = -kappa * np.einsum(
            "kij,kj->ki", self.per_component(precisions, diff.shape[0]), diff
        )
        return grad_means, 0.5 * (precisions @ B @ precisions - c * precisions)

    def _mean_scatter(self, shrink, diff):
        raise NotImplementedError

    # -------------------------------------------------------------- variational Bayes

    def expected_precision(self, nu, psi, n_components, n_features):
        D = n_features
        stack = self._stack(np.linalg.cholesky(psi))
        nus = np.broadcast_to(nu, (stack.shape[0],))
        log_det = 2 * np.log(np.diagonal(stack, axis1=1, axis2=2)).sum(axis=1)
        expected = (
            digamma(0.5 * (nus[:, None] - np.arange(D))).sum(axis=1) + D * math.log(2) - log_det
        )
        # U = sqrt(nu) L^{-T}: U U^T = nu (L L^T)^{-1}.
        prec_chol = np.stack(
            [
                math.sqrt(n) * triangular_inverse(c, lower=True).T
                for n, c in zip(nus, stack, strict=True)
            ]
        )
        return np.broadcast_to(expected, (n_components,)), self._unstack(prec_chol)

    def predictive_log_pdf(self, diff, kappa, nu, psi):
        # dof = nu + 1 - D and scale matrix C = (1 + kappa) / (kappa dof) Psi.
        _, K, D = diff.shape
        dof = np.broadcast_to(nu, (K,)) + 1 - D
        factor = (1 + kappa) / (kappa * dof)  # C_k = factor_k Psi_k
        stack = np.broadcast_to(np.linalg.cholesky(psi), (K, D, D))
        whitened = [diff[:, k] @ triangular_inverse(stack[k], lower=True).T for k in range(K)]
        delta = np.stack([np.square(w).sum(axis=1) for w in whitened], axis=1) / factor
        log_det = 2 * np.log(np.diagonal(stack, axis1=1, axis2=2)).sum(axis=1) + D * np.log(factor)
        return _log_t_const(dof, D) - 0.5 * log_det - 0.5 * (dof + D) * np.log1p(delta / dof)


class FullCovariance(MatrixCovariance):
    """``full``: one covariance matrix per component, (K, D, D)."""

    name = "full"
    shape_text = "(n_components, n_features, n_features)"

    def shape(self, n_components, n_features):
        return (n_components, n_features, n_features)

    def n_covariance_parameters(self, n_components, n_features):
        return n_components * n_features * (n_features + 1) // 2

    def log_det_cholesky(self, precisions_cholesky, n_features):
        return np.log(np.diagonal(precisions_cholesky, axis1=1, axis2=2)).sum(axis=1)

    def draw(self, z, factors, k):
        return z @ factors[k].T

    def _pool(self, scatter, nk):
        return scatter / nk[:, None, None]

    def as_full(self, covariances, n_components, n_features):
        return covariances.copy()

    def _mean_scatter(self, shrink, diff):
        return shrink[:, None, None] * diff[:, :, None] * diff[:, None, :]

    def mode_denominator(self, nu, n_components, n_features):
        return nu + n_features + 2

    def expected_quadratic(self, diff, precisions_cholesky):
        return np.square(np.einsum("bkd,kde->bke", diff, precisions_cholesky)).sum(axis=2)

    def add_evidence(self, bound, kappa, nu, psi, kappa0, nu0, scale0, n_features):
        D = n_features
        post = _log_niw_norm(kappa, nu, _log_det(psi), D)
        pri = _log_niw_norm(kappa0, nu0, _log_det(scale0), D)
        return float(bound + (post - pri).sum())


class TiedCovariance(MatrixCovariance):
    """``tied``: one covariance matrix shared by all components, (D, D)."""

    name = "tied"
    shape_text = "(n_features, n_features)"
    shared = True

    def _stack(self, covariances):
        return covariances[None]

    def _unstack(self, stack):
        return stack[0]

    def per_component(self, matrices, n_components):
        return np.broadcast_to(matrices, (n_components, *matrices.shape))

    def _pool(self, scatter, nk):
        return scatter.sum(axis=0) / nk.sum()

    def shape(self, n_components, n_features):
        return (n_features, n_features)

    def n_covariance_parameters(self, n_components, n_features):
        return n_features * (n_features + 1) // 2

    def repeat(self, one, n_components):
        return one.copy()

    def permute(self, covariances, order):
        return covariances

    def as_full(self, covariances, n_components, n_features):
        return np.broadcast_to(covariances, (n_components, n_features, n_features)).copy()

    def one_precision_cholesky(self, covariance, min_std=0.0):
        precision_cholesky, singular = self.precision_cholesky(covariance, min_std)
        return precision_cholesky, bool(singular.any())

    def log_det_cholesky(self, precisions_cholesky, n_features):
        return np.log(np.diagonal(precisions_cholesky)).sum()

    def draw(self, z, factors, k):
        return z @ factors.T

    def pool(self, per_component):
        return per_component.sum(axis=0)

    def _mean_scatter(self, shrink, diff):
        return (shrink[:, None] * diff).T @ diff

    def posterior_dof(self, nu0, nk, n_features):
        return np.asarray(nu0 + nk.sum())  # every sample informs the one covariance

    def mode_denominator(self, nu, n_components, n_features):
        return nu + n_features + 1 + n_components

    def expected_quadratic(self, diff, precisions_cholesky):
        return np.square(diff @ precisions_cholesky).sum(axis=2)

    def add_evidence(self, bound, kappa, nu, psi, kappa0, nu0, scale0, n_features):
        # One inverse Wishart; every mean keeps its own kappa.
        D = n_features
        iw_post = multigammaln(float(nu) / 2, D) - 0.5 * float(nu) * _log_det(psi)
        iw_pri = multigammaln(nu0 / 2, D) - 0.5 * nu0 * _log_det(scale0)
        means = -0.5 * D * (np.log(kappa) - math.log(kappa0)).sum()
        return float(bound + iw_post - iw_pri + means)


class DiagonalCovariance(CovarianceType):
    """Variances only: per feature (``diag``) or one per component (``spherical``)."""

    diagonal = True
    accepted = "positive variances"

    def _variances(self, covariances: np.ndarray, n_components: int, n_features: int):
        """The variances as (K, D), broadcasting a spherical component's over features."""
        raise NotImplementedError

    def covariances_from_variances(self, variances: np.ndarray) -> np.ndarray:
        """The M-step's covariances from per-feature variances (K, D) (``reg_covar`` included)."""
        raise NotImplementedError

    def precision_cholesky(self, covariances, min_std=0.0):
        singular = ~(np.isfinite(covariances) & (covariances > min_std**2))
        if singular.ndim > 1:
            singular = singular.any(axis=1)
        mask = singular.reshape(singular.shape + (1,) * (covariances.ndim - 1))
        return 1.0 / np.sqrt(np.where(mask, 1.0, covariances)), singular

    def sampling_factor(self, covariances):
        return np.sqrt(covariances)

    def draw(self, z, factors, k):
        return z * factors[k]

    def as_full(self, covariances, n_components, n_features):
        variances = self._variances(covariances, n_components, n_features)
        full = np.zeros((n_components, n_features, n_features))
        idx = np.arange(n_features)
        full[:, idx, idx] = variances
        return full

    # -------------------------------------------------------------- inference coordinates
    # Log-variances.

    def pack(self, covariances):
        return np.log(covariances).ravel()

    def scales(self, covariances, n_components, n_features):
        sd = np.broadcast_to(self._sd(covariances), (n_components, n_features))
        return sd, np.ones(covariances.size)

    def _sd(self, covariances: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def score(self, X, resp, nk, means, covariances, precisions_cholesky, residual_sum):
        n_components, n_features = means.shape
        variances = self._variances(covariances, n_components, n_features)
        score_means = residual_sum / variances
        squares = np.stack(
            [resp[:, k] @ np.square(X - means[k]) for k in range(n_components)]
        )  # (K, D)
        per_feature = 0.5 * (squares / variances - nk[:, None])
        return score_means, self._score_coordinates(per_feature).ravel()

    def _score_coordinates(self, per_feature: np.ndarray) -> np.ndarray:
        return per_feature

    # -------------------------------------------------------------- conjugate prior

    def default_prior_scale(self, variance, n_samples, shrink):
        # mclust's spherical and diagonal models: one scalar trace(V) / D / K^(2/D).
        n_features = variance.shape[0]
        return self._from_scalar(shrink * float(np.trace(variance)) / n_features, n_features)

    def _from_scalar(self, scalar: float, n_features: int):
        raise NotImplementedError

    def prior_log_density(self, diff, covariances, scale, kappa, nu):
        # diag: one IG and one normal per feature; spherical: one IG, a D-variate normal.
        variances = self._variances(covariances, *diff.shape)
        log_ig = (
            0.5 * nu * np.log(scale / 2)
            - gammaln(nu / 2)
            - (nu / 2 + 1) * np.log(covariances)
            - 0.5 * scale / covariances
        )
        log_normal = (
            0.5 * math.log(kappa / (2 * math.pi))
            - 0.5 * np.log(variances)
            - 0.5 * kappa * diff**2 / variances
        )
        return log_ig, log_normal

    def posterior_scale(self, scale, scatter, shrink, diff):
        return scale + scatter + self._mean_scatter(shrink, diff)

    def log_prior_gradient(self, diff, covariances, B, c, kappa):
        variances = self._variances(covariances, *diff.shape)
        return -kappa * diff / variances, 0.5 * (B / covariances**2 - c / covariances)

    def _mean_scatter(self, shrink, diff):
        raise NotImplementedError


class DiagCovariance(DiagonalCovariance):
    """``diag``: per-feature variances per component, (K, D)."""

    name = "diag"
    shape_text = "(n_components, n_features)"

    def shape(self, n_components, n_features):
        return (n_components, n_features)

    def n_covariance_parameters(self, n_components, n_features):
        return n_components * n_features

    def log_det_cholesky(self, precisions_cholesky, n_features):
        return np.log(precisions_cholesky).sum(axis=1)

    def _variances(self, covariances, n_components, n_features):
        return np.broadcast_to(covariances, (n_components, n_features))

    def covariances_from_variances(self, variances):
        return variances

    def _from_data_covariance(self, covariance):
        return np.diagonal(covariance).copy()

    def unpack(self, coordinates, n_components, n_features):
        return np.exp(coordinates).reshape(n_components, n_features)

    def _sd(self, covariances):
        return np.sqrt(covariances)

    # -------------------------------------------------------------- conjugate prior

    scale_text = "(D,) vector"

    def component_shape(self, n_features):
        return (n_features,)

    def _from_scalar(self, scalar, n_features):
        return np.full(n_features, scalar)

    def _mean_scatter(self, shrink, diff):
        return shrink[:, None] * diff**2

    def mode_denominator(self, nu, n_components, n_features):
        return nu + 3  # a 1-D problem per feature

    def expected_precision(self, nu, psi, n_components, n_features):
        per_feature = digamma(nu / 2) + math.log(2)  # (K,)
        expected = n_features * per_feature - np.log(psi).sum(axis=1)
        return expected, np.sqrt(nu[:, None] / psi)

    def expected_quadratic(self, diff, precisions_cholesky):
        return (np.square(diff) * np.square(precisions_cholesky)).sum(axis=2)

    def add_evidence(self, bound, kappa, nu, psi, kappa0, nu0, scale0, n_features):
        post = _log_niw_norm(kappa[:, None], nu[:, None], np.log(psi), 1)
        pri = _log_niw_norm(kappa0, nu0, np.log(scale0), 1)
        return float(bound + (post - pri).sum())

    def predictive_log_pdf(self, diff, kappa, nu, psi):
        # A product of D one-dimensional t's, dof = nu, scales (1 + kappa) psi_d / (kappa nu).
        scale = (1 + kappa)[:, None] * psi / (kappa * nu)[:, None]  # (K, D)
        dof = nu[:, None]
        per_feature = (
            _log_t_const(dof, 1)
            - 0.5 * np.log(scale)
            - 0.5 * (dof + 1) * np.log1p(np.square(diff) / (scale * dof))
        )
        return per_feature.sum(axis=2)


class SphericalCovariance(DiagonalCovariance):
    """``spherical``: one variance per component, the same for every feature, (K,)."""

    name = "spherical"
    shape_text = "(n_components,)"

    def shape(self, n_components, n_features):
        return (n_components,)

    def n_covariance_parameters(self, n_components, n_features):
        return n_components

    def log_det_cholesky(self, precisions_cholesky, n_features):
        return n_features * np.log(precisions_cholesky)

    def _variances(self, covariances, n_components, n_features):
        return np.broadcast_to(covariances[:, None], (n_components, n_features))

    def covariances_from_variances(self, variances):
        return variances.mean(axis=1)

    def _from_data_covariance(self, covariance):
        return np.diagonal(covariance).copy().mean()

    def unpack(self, coordinates, n_components, n_features):
        return np.exp(coordinates)

    def _sd(self, covariances):
        return np.sqrt(covariances)[:, None]

    def _score_coordinates(self, per_feature):
        return per_feature.sum(axis=1)

    # -------------------------------------------------------------- conjugate prior

    scale_text = "positive scalar"

    def component_shape(self, n_features):
        return ()

    def pool(self, per_component):
        return per_component.sum(axis=1)

    def _from_scalar(self, scalar, n_features):
        return scalar

    def _mean_scatter(self, shrink, diff):
        return shrink * (diff**2).sum(axis=1)

    def posterior_dof(self, nu0, nk, n_features):
        return nu0 + n_features * nk  # D squared deviations per sample inform the variance

    def mode_denominator(self, nu, n_components, n_features):
        return nu + n_features + 2

    def expected_precision(self, nu, psi, n_components, n_features):
        per_feature = digamma(nu / 2) + math.log(2)  # (K,)
        return n_features * (per_feature - np.log(psi)), np.sqrt(nu / psi)

    def expected_quadratic(self, diff, precisions_cholesky):
        return np.square(diff).sum(axis=2) * np.square(precisions_cholesky)

    def add_evidence(self, bound, kappa, nu, psi, kappa0, nu0, scale0, n_features):
        D = n_features
        post = gammaln(nu / 2) - 0.5 * nu * np.log(psi) - 0.5 * D * np.log(kappa)
        pri = gammaln(nu0 / 2) - 0.5 * nu0 * math.log(float(scale0)) - 0.5 * D * math.log(kappa0)
        return float(bound + (post - pri).sum())

    def predictive_log_pdf(self, diff, kappa, nu, psi):
        # One inverse-gamma variance: a D-variate t, dof = nu, C = (1 + kappa) / (kappa nu) psi I.
        D = diff.shape[2]
        scale = (1 + kappa) * psi / (kappa * nu)  # (K,)
        delta = np.square(diff).sum(axis=2) / scale
        return _log_t_const(nu, D) - 0.5 * D * np.log(scale) - 0.5 * (nu + D) * np.log1p(delta / nu)


#: ``covariance_type`` -> its :class:`CovarianceType`.
COVARIANCES: dict[str, CovarianceType] = {
    kind.name: kind
    for kind in (FullCovariance(), TiedCovariance(), DiagCovariance(), SphericalCovariance())
}


def covariance_kind(covariance_type: Any, name: str = "covariance_type") -> CovarianceType:
    """The :class:`CovarianceType` named ``covariance_type`` (an object passes through).

    A name that is not a covariance type raises a ValueError naming ``name``.
    """
    if isinstance(covariance_type, CovarianceType):
        return covariance_type
    return COVARIANCES[check_choice(covariance_type, name, COVARIANCES)]


# ---------------------------------------------------------------------- conjugate constants


def _log_det(matrices: np.ndarray) -> np.ndarray:
    """``log |A|`` of SPD matrices (..., D, D) from their Cholesky factors."""
    chol = np.linalg.cholesky(matrices)
    return 2 * np.log(np.diagonal(chol, axis1=-2, axis2=-1)).sum(axis=-1)


def _log_niw_norm(kappa, nu, log_det_psi, dim: int):
    """``log Z`` of a ``dim``-dimensional normal-inverse-Wishart (element-wise)."""
    nu = np.asarray(nu, dtype=float)
    return multigammaln(nu / 2, dim) - 0.5 * nu * log_det_psi - 0.5 * dim * np.log(kappa)


def _log_t_const(dof: np.ndarray, dim: int) -> np.ndarray:
    """``lgamma((dof + d)/2) - lgamma(dof/2) - d/2 log(dof pi)`` of a ``d``-variate t."""
    return gammaln((dof + dim) / 2) - gammaln(dof / 2) - 0.5 * dim * np.log(dof * math.pi)
