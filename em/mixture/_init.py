"""Where EM starts: the ``init`` strategies, and the check of given ``*_init`` arrays.

Each strategy is a pure function of the data and a ``numpy.random.Generator``. The mixture
strategies return either responsibilities (the M-step then turns them into parameters) or,
for the lecture's start, the parameters themselves. :func:`initial_parameters` combines
them with the user's ``weights_init``, ``means_init`` and ``covariances_init``, which
:func:`check_given_init` validates first.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .._validation import _as_float_array, check_choice, check_finite
from ._collapse import FitContext
from ._covariance import CovarianceType
from ._data import InMemory
from ._seeding import K_MEANS_PLUS_PLUS, kmeans_plusplus, one_hot, squared_distances
from ._stats import MixtureParameters
from .kmeans import lloyd

# Relative asymmetry tolerated in covariances_init (rounding, e.g. from a file round trip).
_SYMMETRY_RTOL = 1e-10
# How far weights_init may sum away from one.
_WEIGHTS_SUM_ATOL = 1e-8

MIXTURE_INITS = (K_MEANS_PLUS_PLUS, "kmeans", "random", "random_from_data")
# Spellings accepted with a FutureWarning -> the one to use.
_OLD_SPELLINGS = {"kmeans++": K_MEANS_PLUS_PLUS}


def check_init(init: Any) -> str:
    """``init`` of a mixture, validated; an old spelling is translated with a FutureWarning."""
    if isinstance(init, str) and init in _OLD_SPELLINGS:
        new = _OLD_SPELLINGS[init]
        warnings.warn(
            f"init={init!r} is deprecated and will be removed; use init={new!r}, the spelling "
            "KMeans (and scikit-learn) use too. The fit is the same",
            FutureWarning,
            stacklevel=3,
        )
        return new
    return check_choice(init, "init", MIXTURE_INITS)


def nearest_center_resp(X: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Give every sample wholly to its nearest centre; (N, K) one-hot."""
    return one_hot(np.argmin(squared_distances(X, centers), axis=1), centers.shape[0])


def kmeanspp_resp(X: np.ndarray, n_components: int, rng: np.random.Generator) -> np.ndarray:
    """``init="k-means++"``: k-means++ seeds, each sample given to its nearest seed.

    (scikit-learn instead gives each seed only itself, which starts every covariance at
    ``reg_covar``; a nearest-seed partition starts from covariances of the right scale.)
    """
    return nearest_center_resp(X, X[kmeans_plusplus(X, n_components, rng)])


def kmeans_resp(X: np.ndarray, n_components: int, rng: np.random.Generator) -> np.ndarray:
    """``init="kmeans"``: the partition found by one k-means++-seeded run of Lloyd's k-means."""
    centers = X[kmeans_plusplus(X, n_components, rng)]
    result = lloyd(X, centers, max_iter=300, tol=1e-4)
    return one_hot(result.labels, n_components)


def random_resp(X: np.ndarray, n_components: int, rng: np.random.Generator) -> np.ndarray:
    """``init="random"``: uniform random responsibilities, each row normalised to one."""
    resp = rng.uniform(size=(X.shape[0], n_components))
    return resp / resp.sum(axis=1, keepdims=True)


def random_from_data(
    data,
    n_components: int,
    covariance: CovarianceType,
    overall: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``init="random_from_data"``: the lecture's (``gmm1``) start.

    Means are ``K`` distinct data points drawn at random, every component's covariance is
    the covariance of all the data (the lecture: "every sd the overall sd"), weights ``1/K``.

    Parameters
    ----------
    data : InMemory or em.mixture._dask.DaskData
        The samples (``n_samples`` and ``rows(indices)`` are used).
    n_components : int
    covariance : CovarianceType
    overall : ndarray
        Covariance of all of ``X`` in the shape of one component (``(D, D)`` for ``full``
        and ``tied``, ``(D,)`` for ``diag``, 0-d for ``spherical``), see
        :meth:`CovarianceType.from_data_scatter`.
    rng : numpy.random.Generator

    Returns
    -------
    weights : ndarray of shape (K,)
    means : ndarray of shape (K, D)
    covariances : ndarray
        In the shape of ``covariance``.
    """
    means = data.rows(rng.choice(data.n_samples, size=n_components, replace=False))
    covariances = covariance.repeat(overall, n_components)
    return np.full(n_components, 1.0 / n_components), means, covariances


def initial_responsibilities(
    X: np.ndarray, n_components: int, init: str, rng: np.random.Generator
) -> np.ndarray:
    """Responsibilities (N, K) for the strategies that start from a partition."""
    strategies = {K_MEANS_PLUS_PLUS: kmeanspp_resp, "kmeans": kmeans_resp, "random": random_resp}
    return strategies[init](X, n_components, rng)


def initial_parameters(
    ctx: FitContext,
    init: str,
    n_components: int,
    given: dict[str, np.ndarray],
    rng: np.random.Generator,
) -> MixtureParameters:
    """Parameters before the first E-step.

    Given ``*_init`` arrays (``given``, from :func:`check_given_init`) are used as they
    are. The parts not given come from the ``init`` strategy, except that given means
    define the starting partition (each sample to its nearest given mean), so the other
    parts match those means.
    """
    weights, means, covariances = (given.get(name) for name in ("weights", "means", "covariances"))
    if weights is None or means is None or covariances is None:
        if init == "random_from_data" and means is None:
            overall, _ = ctx.data_covariance()
            start = ctx.with_precisions(
                *random_from_data(ctx.data, n_components, ctx.covariance, overall, rng)
            )
        elif not isinstance(ctx.data, InMemory):
            raise ValueError(
                f"init={init!r}{' with means_init' if means is not None else ''} "
                "needs X in memory to form a starting partition; for a Dask array "
                "accepted: init='random_from_data' (the lecture's start), or all of "
                "weights_init, means_init and covariances_init"
            )
        elif means is not None:
            start = ctx.from_responsibilities(nearest_center_resp(ctx.data.X, means))
        else:
            resp = initial_responsibilities(ctx.data.X, n_components, init, rng)
            start = ctx.from_responsibilities(resp)
        weights = start.weights if weights is None else weights
        means = start.means if means is None else means
        covariances = start.covariances if covariances is None else covariances
    return ctx.with_precisions(weights, means, covariances)


# ---------------------------------------------------------------------- given *_init


def check_given_init(
    weights_init: Any,
    means_init: Any,
    covariances_init: Any,
    n_components: int,
    n_features: int,
    covariance: CovarianceType,
) -> dict[str, np.ndarray]:
    """Validated ``weights_init``, ``means_init``, ``covariances_init`` (those not None).

    Returns
    -------
    dict
        ``"weights"`` (K,), ``"means"`` (K, D) and ``"covariances"`` (the shape of
        ``covariance``), for the ones given.
    """
    given = {}
    if weights_init is not None:
        given["weights"] = _check_weights(weights_init, n_components)
    if means_init is not None:
        given["means"] = _init_array(
            means_init, "means_init", (n_components, n_features), "(n_components, n_features)"
        )
    if covariances_init is not None:
        given["covariances"] = _check_covariances(
            covariances_init, covariance, n_components, n_features
        )
    return given


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
    value: Any, covariance: CovarianceType, n_components: int, n_features: int
) -> np.ndarray:
    name = covariance.name
    covariances = _init_array(
        value,
        "covariances_init",
        covariance.shape(n_components, n_features),
        f"{covariance.shape_text} for covariance_type={name!r}",
    )
    if not covariance.diagonal:
        transposed = np.swapaxes(covariances, -1, -2)
        scale = np.abs(covariances).max()
        if np.abs(covariances - transposed).max() > _SYMMETRY_RTOL * scale:
            raise ValueError(
                "covariances_init is not symmetric; accepted: symmetric positive definite matrices"
            )
        covariances = (covariances + transposed) / 2
    _, singular = covariance.precision_cholesky(covariances)
    if singular.any():
        which = "" if covariance.shared else f"[{int(np.flatnonzero(singular)[0])}]"
        raise ValueError(
            f"covariances_init{which} is not positive definite for "
            f"covariance_type={name!r}; accepted: {covariance.accepted}"
        )
    return covariances
