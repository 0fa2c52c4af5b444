"""The conjugate prior of a Gaussian mixture, its posterior update and the MAP M-step.

One prior serves the whole inference ladder (MAP-EM, variational Bayes, and the PyMC
model built with exactly this parametrisation). With ``K`` components and ``D`` features:

- weights ``w ~ Dirichlet(alpha0 * ones(K))``;
- per component ``k``: covariance ``Sigma_k ~ inverse-Wishart(nu0, Psi0)`` and mean
  ``mu_k | Sigma_k ~ Normal(m0, Sigma_k / kappa0)``.

It is the prior of scikit-learn's ``BayesianGaussianMixture`` (Dirichlet-distribution
weights) and of mclust's ``priorControl`` (Fraley and Raftery 2007). The covariance types
restrict ``Sigma``:

==============  ===========================================================================
type            prior on the covariance (``IG(a, b)``: inverse gamma, shape ``a``, scale ``b``)
==============  ===========================================================================
``"full"``      ``Sigma_k ~ IW(nu0, Psi0)``, ``Psi0`` (D, D); in 1-D ``IG(nu0/2, Psi0/2)``
``"tied"``      one ``Sigma ~ IW(nu0, Psi0)`` shared by every component (each mean still
                has its own ``Normal(m0, Sigma / kappa0)``)
``"diag"``      ``Sigma_k = diag(s_k1..s_kD)``, ``s_kd ~ IG(nu0/2, psi0_d/2)``, ``psi0`` (D,)
``"spherical"`` ``Sigma_k = s_k I``, ``s_k ~ IG(nu0/2, psi0/2)``, ``psi0`` a scalar
==============  ===========================================================================

Everything the data contribute enters through three statistics per component
(:class:`ComponentStatistics`): the responsibility sums ``n_k``, the weighted means
``xbar_k`` and the weighted scatter about ``xbar_k``. :meth:`NormalInverseWishart.update`
turns them into the conjugate posterior (:class:`NIWPosterior`), whose mode is the MAP
M-step (:func:`map_m_step`) and which is the variational factor ``q(mu, Sigma) q(w)`` of
:class:`em.VariationalGaussianMixture`.

References
----------
Fraley, C. and Raftery, A. E. (2007). Bayesian regularization for normal mixture
estimation and model-based clustering. Journal of Classification 24, 155-181.
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from scipy.special import gammaln

from .._validation import _as_float_array, check_array, check_finite, check_int
from ..exceptions import DegenerateComponentWarning
from ._covariance import CovarianceType, covariance_kind

# Relative asymmetry tolerated in a scale matrix (rounding, e.g. from a file round trip).
_SYMMETRY_RTOL = 1e-10


@dataclass(frozen=True, eq=False)
class NormalInverseWishart:
    """Conjugate Dirichlet / normal-inverse-Wishart prior of a Gaussian mixture.

    Parameters
    ----------
    weight_concentration : float
        ``alpha0 > 0``; the weights are ``Dirichlet(alpha0 * ones(K))``. ``1`` is uniform
        on the simplex (the MAP weights are then the MLE ``n_k / N``, as in mclust, which
        puts no prior on the weights).
    mean_prior : array-like of shape (D,)
        ``m0``, the prior mean of every component mean (a scalar is accepted for ``D = 1``).
    mean_precision : float
        ``kappa0 > 0``; ``mu_k | Sigma_k ~ Normal(m0, Sigma_k / kappa0)``. mclust calls it
        ``shrinkage``.
    degrees_of_freedom : float
        ``nu0 > D - 1``.
    covariance_prior : float or array-like
        The scale ``Psi0``: (D, D) symmetric positive definite for ``full`` and ``tied``,
        (D,) positive for ``diag``, a positive scalar for ``spherical``. With ``D = 1`` any
        of these shapes with one positive entry serves every covariance type.

    Raises
    ------
    ValueError, TypeError
        Naming the argument: a non-numeric, NaN or infinite value, a non-positive
        concentration, precision or scale, ``degrees_of_freedom <= D - 1``, a
        ``covariance_prior`` of a shape that fits no covariance type, or a scale matrix that
        is not symmetric positive definite.

    Notes
    -----
    The object is immutable; its arrays are read-only copies.

    Examples
    --------
    >>> import numpy as np
    >>> from em import NormalInverseWishart
    >>> X = np.random.default_rng(0).normal(size=(100, 2))
    >>> prior = NormalInverseWishart.default(X, n_components=3)
    >>> prior.degrees_of_freedom, prior.mean_precision
    (4.0, 0.01)
    """

    weight_concentration: float
    mean_prior: np.ndarray
    mean_precision: float
    degrees_of_freedom: float
    covariance_prior: np.ndarray

    def __post_init__(self) -> None:
        alpha = _positive_scalar(self.weight_concentration, "weight_concentration")
        kappa = _positive_scalar(self.mean_precision, "mean_precision")
        mean = _as_float_array(self.mean_prior, "mean_prior")
        if mean.ndim == 0:
            mean = mean.reshape(1)
        if mean.ndim != 1:
            raise ValueError(
                f"mean_prior has shape {mean.shape}; accepted: shape (n_features,) "
                "(a scalar for one feature)"
            )
        check_finite(mean, "mean_prior")
        n_features = mean.shape[0]
        nu = _positive_scalar(self.degrees_of_freedom, "degrees_of_freedom", positive=False)
        if nu <= n_features - 1:
            raise ValueError(
                f"degrees_of_freedom={nu} must be > n_features - 1 = {n_features - 1} "
                "(the inverse-Wishart prior is improper otherwise)"
            )
        scale = _check_scale(self.covariance_prior, n_features)
        for name, value in (
            ("weight_concentration", alpha),
            ("mean_prior", mean),
            ("mean_precision", kappa),
            ("degrees_of_freedom", nu),
            ("covariance_prior", scale),
        ):
            if isinstance(value, np.ndarray):
                value.setflags(write=False)
            object.__setattr__(self, name, value)

    # ------------------------------------------------------------------ construction

    @classmethod
    def default(
        cls,
        X: Any,
        n_components: int,
        covariance_type: str = "full",
        *,
        weight_concentration: float = 1.0,
    ) -> NormalInverseWishart:
        """mclust's default prior, scaled to the data (``defaultPrior``).

        As in mclust's ``defaultPrior`` (R package mclust, ``R/mclust.R``; Fraley and
        Raftery 2007): ``mean_precision = 0.01`` (mclust's ``shrinkage``),
        ``mean_prior`` the column means, ``degrees_of_freedom = D + 2`` (3 in 1-D) and
        the scale from the sample covariance ``V`` (divisor ``N - 1``) shrunk by the
        number of components, ``K^(-2/D)``:

        - ``full``/``tied``: ``V / K^(2/D)`` (mclust's ellipsoidal models; with
          ``N <= D`` mclust uses ``diag(V)`` instead, and so do we), in 1-D ``var / K^2``;
        - ``diag``/``spherical``: mclust's one scalar ``trace(V) / D / K^(2/D)`` (its
          spherical and diagonal models), repeated ``D`` times for ``diag``.

        mclust puts no prior on the weights; ``weight_concentration = 1`` (uniform on
        the simplex) makes the MAP weights equal mclust's ``n_k / N``.

        Parameters
        ----------
        X : array-like of shape (N, D) or (N,)
        n_components : int
        covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
        weight_concentration : float, default=1.0

        Returns
        -------
        NormalInverseWishart
        """
        n_components = check_int(n_components, "n_components", minimum=1)
        kind = covariance_kind(covariance_type)
        X = check_array(X, "X", min_samples=2, min_samples_reason="a sample covariance")
        n_samples, n_features = X.shape
        variance = np.atleast_2d(np.cov(X, rowvar=False))
        shrink = float(n_components) ** (-2.0 / n_features)
        scale = kind.default_prior_scale(variance, n_samples, shrink)
        spectrum = np.linalg.eigvalsh(scale) if np.ndim(scale) == 2 else np.atleast_1d(scale)
        if not (spectrum > 0).all():
            raise ValueError(
                "X has a singular sample covariance (constant columns, or points on a "
                "lower-dimensional subspace), so mclust's default scale is not positive "
                "definite; accepted: such data, or a NormalInverseWishart with an explicit "
                "covariance_prior"
            )
        return cls(
            weight_concentration=weight_concentration,
            mean_prior=X.mean(axis=0),
            mean_precision=0.01,
            degrees_of_freedom=n_features + 2.0,
            covariance_prior=scale,
        )

    # ------------------------------------------------------------------ shapes

    @property
    def n_features(self) -> int:
        """``D``, the length of ``mean_prior``."""
        return int(self.mean_prior.shape[0])

    def scale_for(self, covariance_type: str) -> np.ndarray:
        """``covariance_prior`` in the shape one component has under ``covariance_type``.

        Returns (D, D) for ``full``/``tied``, (D,) for ``diag`` and a 0-d array for
        ``spherical``. Raises ``ValueError`` naming ``covariance_prior`` when its shape
        belongs to another covariance type (with one feature every shape fits).
        """
        kind = covariance_kind(covariance_type)
        D = self.n_features
        scale = self.covariance_prior
        wanted = kind.component_shape(D)
        if scale.shape == wanted:
            return scale
        if D == 1:
            return scale.reshape(wanted)
        raise ValueError(
            f"covariance_prior has shape {scale.shape} but covariance_type="
            f"{kind.name!r} with D={D} needs a {kind.scale_text} of shape {wanted}; "
            f"accepted: NormalInverseWishart.default(X, K, covariance_type="
            f"{kind.name!r}) or a prior built with that shape"
        )

    def check_data(self, n_features: int, name: str = "prior") -> None:
        """Refuse a prior whose ``mean_prior`` has a length other than ``n_features``."""
        if self.n_features != n_features:
            raise ValueError(
                f"{name}.mean_prior has {self.n_features} entries but X has {n_features} "
                f"features; accepted: a prior with mean_prior of shape ({n_features},)"
            )

    # ------------------------------------------------------------------ density

    def log_density(
        self, weights: Any, means: Any, covariances: Any, covariance_type: str
    ) -> float:
        """Log prior density of mixture parameters, with every normalising constant.

        Parameters
        ----------
        weights : array-like of shape (K,)
            On the simplex (positive, summing to one).
        means : array-like of shape (K, D)
        covariances : array-like
            ``full`` (K, D, D), ``tied`` (D, D), ``diag`` (K, D), ``spherical`` (K,).
        covariance_type : {"full", "tied", "diag", "spherical"}

        Returns
        -------
        float
            ``log Dir(w | alpha0) + sum_k log p(mu_k, Sigma_k)`` (``tied``: the one
            ``log IW(Sigma)`` plus every ``log N(mu_k | m0, Sigma / kappa0)``). The density
            of the weights is with respect to Lebesgue measure on the first ``K - 1``
            coordinates, as ``scipy.stats.dirichlet`` has it.
        """
        kind = covariance_kind(covariance_type)
        scale = self.scale_for(kind)
        weights, means, covariances = _check_parameters(
            weights, means, covariances, kind, self.n_features
        )
        K = means.shape[0]
        alpha, kappa, nu = self.weight_concentration, self.mean_precision, self.degrees_of_freedom
        log_p = gammaln(K * alpha) - K * gammaln(alpha) + (alpha - 1) * np.log(weights).sum()
        diff = means - self.mean_prior
        log_covariances, log_means = kind.prior_log_density(diff, covariances, scale, kappa, nu)
        return float(log_p + log_covariances.sum() + log_means.sum())

    def log_density_gradient(
        self, weights: Any, means: Any, covariances: Any, covariance_type: str
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Gradient of :meth:`log_density` in the weights, means and covariances.

        Each entry is differentiated as if it were free (the weights off the simplex, both
        triangles of a covariance matrix separately); a caller with constrained
        coordinates applies the chain rule (as :mod:`em.mixture.information` does).

        Returns
        -------
        grad_weights : ndarray of shape (K,)
            ``(alpha0 - 1) / w_k``.
        grad_means : ndarray of shape (K, D)
        grad_covariances : ndarray, the shape of ``covariances``
        """
        kind = covariance_kind(covariance_type)
        scale = self.scale_for(kind)
        weights, means, covariances = _check_parameters(
            weights, means, covariances, kind, self.n_features
        )
        K, D = means.shape
        kappa = self.mean_precision
        diff = means - self.mean_prior
        B = kind.posterior_scale(scale, 0.0, np.full(K, kappa), diff)
        c = kind.mode_denominator(self.degrees_of_freedom, K, D)
        grad_means, grad_covariances = kind.log_prior_gradient(diff, covariances, B, c, kappa)
        return (self.weight_concentration - 1) / weights, grad_means, grad_covariances

    # ------------------------------------------------------------------ conjugate update

    def update(self, stats: ComponentStatistics, covariance_type: str) -> NIWPosterior:
        """The conjugate posterior given responsibility-weighted statistics.

        Parameters
        ----------
        stats : ComponentStatistics
            ``n_k``, weighted means and weighted scatter (see there for the shapes).
        covariance_type : {"full", "tied", "diag", "spherical"}

        Returns
        -------
        NIWPosterior
            With ``alpha_k = alpha0 + n_k``, ``kappa_k = kappa0 + n_k``,
            ``m_k = (kappa0 m0 + n_k xbar_k) / kappa_k`` and
            ``Psi_k = Psi0 + S_k + kappa0 n_k / kappa_k (xbar_k - m0)(xbar_k - m0)^T`` in
            the covariance type's shape (``tied``: one ``Psi``, summed over components;
            ``diag``: per feature; ``spherical``: summed over features); degrees of
            freedom ``nu0 + n_k`` (``full``, ``diag``), ``nu0 + N`` (``tied``) and
            ``nu0 + D n_k`` (``spherical``: ``D`` squared deviations per sample inform
            the one variance).
        """
        kind = covariance_kind(covariance_type)
        scale = self.scale_for(kind)
        nk, xbar, scatter = stats
        D = xbar.shape[1]
        kappa = self.mean_precision + nk
        means = (self.mean_precision * self.mean_prior + nk[:, None] * xbar) / kappa[:, None]
        diff = xbar - self.mean_prior
        shrink = self.mean_precision * nk / kappa  # (K,)
        psi = kind.posterior_scale(scale, scatter, shrink, diff)
        nu = kind.posterior_dof(self.degrees_of_freedom, nk, D)
        return NIWPosterior(self.weight_concentration + nk, kappa, means, nu, psi)


class ComponentStatistics(NamedTuple):
    """What the data contribute to the posterior: three responsibility-weighted sums.

    Attributes
    ----------
    nk : ndarray of shape (K,)
        ``n_k = sum_n r_nk``.
    means : ndarray of shape (K, D)
        ``xbar_k = sum_n r_nk x_n / n_k``.
    scatter : ndarray
        Weighted scatter about ``xbar_k`` (a sum, not divided by ``n_k``):
        ``S_k = sum_n r_nk (x_n - xbar_k)(x_n - xbar_k)^T`` as ``full`` (K, D, D);
        ``tied`` (D, D) the pooled ``sum_k S_k``; ``diag`` (K, D) the diagonals of
        ``S_k``; ``spherical`` (K,) their traces.
    """

    nk: np.ndarray
    means: np.ndarray
    scatter: np.ndarray


class NIWPosterior(NamedTuple):
    """A conjugate (posterior or variational) distribution of the mixture parameters.

    ``w ~ Dirichlet(weight_concentration)``; given the covariance, ``mu_k ~ Normal(
    means[k], Sigma_k / mean_precision[k])``; the covariance is
    ``IW(degrees_of_freedom, scale)`` in the shape of the covariance type (see
    :mod:`em.prior`; ``diag`` and ``spherical``: inverse gamma with shape ``nu / 2`` and
    scale ``psi / 2``).

    Attributes
    ----------
    weight_concentration : ndarray of shape (K,)
    mean_precision : ndarray of shape (K,)
    means : ndarray of shape (K, D)
    degrees_of_freedom : ndarray of shape (K,), or 0-d for ``tied``
    scale : ndarray
        ``full`` (K, D, D), ``tied`` (D, D), ``diag`` (K, D), ``spherical`` (K,).
    """

    weight_concentration: np.ndarray
    mean_precision: np.ndarray
    means: np.ndarray
    degrees_of_freedom: np.ndarray
    scale: np.ndarray

    def mode(
        self, covariance_type: str | CovarianceType
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Joint mode of the weights, means and covariances (see :func:`map_m_step`)."""
        K, D = self.means.shape
        covariances = covariance_kind(covariance_type).mode(
            self.scale, self.degrees_of_freedom, K, D
        )
        return _weights_mode(self.weight_concentration), self.means.copy(), covariances


def map_m_step(
    nk: Any, means: Any, scatter: Any, prior: NormalInverseWishart, covariance_type: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """MAP-EM M-step: the posterior mode of the parameters given responsibilities.

    Maximises the expected complete-data log posterior
    ``sum_n sum_k r_nk log(w_k N(x_n | mu_k, Sigma_k)) + log p(w, mu, Sigma)`` (the
    prior of ``prior``), i.e. the mode of the joint density of ``(mu, Sigma)`` in the
    ``(mu, Sigma)`` parametrisation. With ``kappa_k = kappa0 + n_k`` and
    ``B_k = Psi0 + S_k + kappa0 n_k / kappa_k (xbar_k - m0)(xbar_k - m0)^T``:

    - means ``mu_k = (n_k xbar_k + kappa0 m0) / kappa_k``;
    - ``full``: ``Sigma_k = B_k / (nu0 + n_k + D + 2)``;
    - ``tied``: ``Sigma = sum_k B_k / (nu0 + N + D + 1 + K)`` (``Psi0`` counted once);
    - ``diag``: per feature ``s_kd = B_kd / (nu0 + n_k + 3)`` (a 1-D problem each);
    - ``spherical``: ``s_k = (psi0 + sum_d [S_kdd + kappa0 n_k / kappa_k (xbar_kd -
      m0_d)^2]) / (nu0 + D n_k + D + 2)``;
    - weights ``w_k = (n_k + alpha0 - 1) / (N + K (alpha0 - 1))``.

    These are exact modes of the stated density (mclust's Fortran departs from them in a
    few of its constrained models; we do not copy that).

    Parameters
    ----------
    nk : array-like of shape (K,)
        Responsibility sums ``sum_n r_nk`` (non-negative).
    means : array-like of shape (K, D)
        Weighted means ``xbar_k``.
    scatter : array-like
        Weighted scatter about ``xbar_k`` (a sum): ``full`` (K, D, D), ``tied`` (D, D)
        pooled over components, ``diag`` (K, D), ``spherical`` (K,) traces. See
        :class:`ComponentStatistics`.
    prior : NormalInverseWishart
    covariance_type : {"full", "tied", "diag", "spherical"}

    Returns
    -------
    weights : ndarray of shape (K,)
    means : ndarray of shape (K, D)
    covariances : ndarray
        ``full`` (K, D, D), ``tied`` (D, D), ``diag`` (K, D), ``spherical`` (K,).

    Warns
    -----
    DegenerateComponentWarning
        With ``weight_concentration < 1`` a component with ``n_k < 1 - alpha0`` has a
        negative weight by the formula: the Dirichlet density is unbounded as that weight
        goes to 0, so there is no interior mode. Its weight is set to 0 (the limit on the
        face of the simplex, where the rest is the mode ``w_j`` proportional to
        ``n_j + alpha0 - 1``): the component is pruned, the sparsity that ``alpha0 < 1``
        asks for. Its mean and covariance are still the (finite) modes above.

    Raises
    ------
    ValueError
        When no component has ``n_k + alpha0 - 1 > 0`` (every weight would be pruned),
        and for statistics of inconsistent shapes, negative ``nk`` or non-finite values.
    """
    if not isinstance(prior, NormalInverseWishart):
        raise TypeError(f"prior must be a NormalInverseWishart; got {type(prior).__name__}")
    kind = covariance_kind(covariance_type)
    stats = _check_statistics(nk, means, scatter, kind, prior.n_features)
    return prior.update(stats, kind).mode(kind)


def _check_statistics(
    nk: Any, means: Any, scatter: Any, kind: CovarianceType, n_features: int
) -> ComponentStatistics:
    """Validate ``(nk, means, scatter)`` and return them as :class:`ComponentStatistics`."""
    nk = _as_float_array(nk, "nk")
    if nk.ndim != 1 or nk.size == 0:
        raise ValueError(f"nk has shape {nk.shape}; accepted: shape (n_components,)")
    check_finite(nk, "nk")
    if (nk < 0).any():
        raise ValueError(f"nk has negative entries (min {nk.min():.6g}); accepted: nk >= 0")
    K, D = nk.shape[0], n_features
    means = _as_float_array(means, "means")
    if means.shape != (K, D):
        raise ValueError(f"means has shape {means.shape}; accepted: (n_components, D) = {(K, D)}")
    check_finite(means, "means")
    scatter = _as_float_array(scatter, "scatter")
    shape = kind.shape(K, D)
    if scatter.shape != shape:
        raise ValueError(
            f"scatter has shape {scatter.shape}; accepted: {shape} for "
            f"covariance_type={kind.name!r}"
        )
    check_finite(scatter, "scatter")
    return ComponentStatistics(nk, means, scatter)


# ---------------------------------------------------------------------- helpers


def _weights_mode(alpha: np.ndarray) -> np.ndarray:
    """Mode of ``Dirichlet(alpha)``, pruning the weights whose density is unbounded at 0."""
    excess = alpha - 1.0
    keep = excess > 0
    if not keep.any():
        raise ValueError(
            "no component has n_k + weight_concentration - 1 > 0, so the posterior of the "
            "weights has no mode (its density is unbounded wherever a weight goes to 0); "
            "accepted: weight_concentration >= 1, or more data per component"
        )
    if not keep.all():
        pruned = ", ".join(map(str, np.flatnonzero(~keep)))
        warnings.warn(
            f"map_m_step: component(s) {pruned} have n_k + weight_concentration - 1 <= 0; "
            "with weight_concentration < 1 the posterior density is unbounded as their "
            "weight goes to 0, so they are pruned (weight 0)",
            DegenerateComponentWarning,
            stacklevel=3,
        )
    weights = np.where(keep, excess, 0.0)
    return weights / weights.sum()


def _positive_scalar(value: Any, name: str, *, positive: bool = True) -> float:
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(()).item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {type(value).__name__} {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value}")
    if positive and value <= 0:
        raise ValueError(f"{name} must be > 0; got {value}")
    return value


def _check_scale(value: Any, n_features: int) -> np.ndarray:
    """``covariance_prior``: a positive scalar, a positive (D,) vector or an SPD (D, D)."""
    D = n_features
    scale = _as_float_array(value, "covariance_prior")
    check_finite(scale, "covariance_prior")
    if scale.shape not in ((), (D,), (D, D)):
        raise ValueError(
            f"covariance_prior has shape {scale.shape}; accepted with D={D}: a positive "
            f"scalar (spherical), a positive vector of shape ({D},) (diag) or a symmetric "
            f"positive definite matrix of shape ({D}, {D}) (full, tied)"
        )
    if scale.ndim < 2:
        if (scale <= 0).any():
            raise ValueError(
                f"covariance_prior has non-positive entries (min {scale.min():.6g}); "
                "accepted: positive scales"
            )
        return scale
    if np.abs(scale - scale.T).max() > _SYMMETRY_RTOL * np.abs(scale).max():
        raise ValueError(
            "covariance_prior is not symmetric; accepted: a symmetric positive definite matrix"
        )
    scale = (scale + scale.T) / 2
    try:
        np.linalg.cholesky(scale)
    except np.linalg.LinAlgError:
        raise ValueError(
            "covariance_prior is not positive definite (its Cholesky factorisation fails); "
            "accepted: a symmetric positive definite matrix"
        ) from None
    return scale


def _check_parameters(weights, means, covariances, kind: CovarianceType, n_features):
    """Shapes and domains of the arguments of :meth:`NormalInverseWishart.log_density`."""
    weights = _as_float_array(weights, "weights")
    if weights.ndim != 1:
        raise ValueError(f"weights has shape {weights.shape}; accepted: (n_components,)")
    K, D = weights.shape[0], n_features
    means = _as_float_array(means, "means")
    if D == 1 and means.shape == (K,):
        means = means.reshape(K, 1)
    if means.shape != (K, D):
        raise ValueError(f"means has shape {means.shape}; accepted: (n_components, D) = {(K, D)}")
    covariances = _as_float_array(covariances, "covariances")
    shape = kind.shape(K, D)
    if covariances.shape != shape and covariances.size == int(np.prod(shape)) and D == 1:
        covariances = covariances.reshape(shape)
    if covariances.shape != shape:
        raise ValueError(
            f"covariances has shape {covariances.shape}; accepted: {shape} for "
            f"covariance_type={kind.name!r}"
        )
    for name, arr in (("weights", weights), ("means", means), ("covariances", covariances)):
        check_finite(arr, name)
    if (weights <= 0).any() or abs(weights.sum() - 1) > 1e-8:
        raise ValueError("weights must be positive and sum to 1 (a point of the simplex)")
    if kind.diagonal and (covariances <= 0).any():
        raise ValueError("covariances must be positive variances")
    return weights, means, covariances
