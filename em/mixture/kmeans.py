"""k-means by Lloyd's algorithm: hard EM for equal, spherical, unit-variance Gaussians.

The lecture's 2D example (``100 x N([50, 50], 10^2 I)`` and ``50 x N([70, 60], 5^2 I)``)
shows the answer depends on the starting centroids; ``init`` accepts an array of them so
that comparison can be reproduced exactly.
"""

from __future__ import annotations

import hashlib
import warnings
from typing import Any, NamedTuple

import numpy as np

from .._base import BaseEstimator
from .._chunks import chunk_size, chunks
from .._resampling import BootstrapData, require_X
from .._validation import check_array, check_float, check_int, check_n_features, check_random_state
from ..alignment import match_components
from ..exceptions import ConvergenceWarning, DegenerateComponentWarning
from ._seeding import K_MEANS_PLUS_PLUS, kmeans_plusplus, one_hot, squared_distances
from ._stats import data_scatter
from .history import FitHistory, HistoryRecorder, check_keep_history

_INITS = (K_MEANS_PLUS_PLUS, "random")
_NO_PARAMETRIC_BOOTSTRAP = (
    "bootstrap: kind='parametric' needs a generative model; KMeans has none. "
    "Use kind='nonparametric'"
)


class LloydResult(NamedTuple):
    """Outcome of one run of :func:`lloyd`.

    Attributes
    ----------
    centers : ndarray of shape (K, D)
    labels : ndarray of int, shape (N,)
        Nearest centre of every sample, for the final ``centers``.
    inertia : float
        Sum of squared distances to the nearest final centre.
    inertia_history : ndarray of shape (n_iter,)
        Inertia after each assignment step (before that iteration's centre update).
    n_iter : int
    converged : bool
    history : FitHistory or None
        With ``keep_history``: the centres of the start and after every update.
    """

    centers: np.ndarray
    labels: np.ndarray
    inertia: float
    inertia_history: np.ndarray
    n_iter: int
    converged: bool
    history: FitHistory | None = None


def lloyd(
    X: np.ndarray, centers: np.ndarray, *, max_iter: int, tol: float, keep_history: bool = False
) -> LloydResult:
    """Lloyd's k-means from given centres.

    One iteration assigns every sample to its nearest centre, then moves each centre to the
    mean of its samples. It stops when an assignment repeats the previous one (an exact
    fixed point) or when the sum of squared centre moves is at most
    ``tol * mean(var(X, axis=0))`` (scikit-learn's scale-free rule), else after ``max_iter``.

    A cluster left empty is re-seeded at the sample farthest from its own centre (the worst
    explained one), with a :class:`~em.DegenerateComponentWarning` naming the cluster.

    Parameters
    ----------
    X : ndarray of shape (N, D)
    centers : ndarray of shape (K, D)
    max_iter : int
    tol : float
    keep_history : bool, default=False
        Record the centres, cluster fractions and inertia of every step
        (:class:`~em.FitHistory`); nothing is recorded otherwise.

    Returns
    -------
    LloydResult
    """
    # Mean per-feature variance, by chunks (np.var would make a temporary as large as X).
    threshold = tol * float(np.mean(np.diagonal(data_scatter(X)) / X.shape[0]))
    n_clusters = centers.shape[0]
    centers = centers.copy()
    previous = None
    history = []
    converged = False
    recorder = HistoryRecorder() if keep_history else None
    for _ in range(max_iter):
        counts, sums, inertia, digest, _ = _assign(X, centers)
        history.append(inertia)
        if recorder is not None:  # step t: the centres before this update
            recorder.record(counts / X.shape[0], centers)
        if counts.min() == 0:
            # Rare: choosing the donor samples of an empty cluster needs the whole
            # assignment, so only this iteration holds (N,) labels and distances.
            distances = squared_distances(X, centers)
            labels = np.argmin(distances, axis=1)
            closest = distances[np.arange(X.shape[0]), labels]
            labels = _reseed_empty(labels, closest, n_clusters)
            new_centers = _cluster_means(X, labels, n_clusters)
            digest = hashlib.blake2b(labels.astype(np.int32).tobytes(), digest_size=16).digest()
        else:
            new_centers = sums / counts[:, None]
        shift = float(np.square(new_centers - centers).sum())
        centers = new_centers
        if digest == previous:  # the assignment repeated: an exact fixed point
            converged = True
            break
        if shift <= threshold:
            converged = True
            break
        previous = digest
    counts, _, inertia, _, labels = _assign(X, centers, keep_labels=True)
    fit_history = None
    if recorder is not None:
        recorder.record(counts / X.shape[0], centers)
        inertias = np.asarray([*history, inertia])
        fractions = np.stack(recorder.weights)
        log_likelihood = _classification_log_likelihood(fractions, inertias, X.shape)
        fit_history = recorder.result(log_likelihood, inertia=inertias)
    return LloydResult(
        centers, labels, inertia, np.asarray(history), len(history), converged, fit_history
    )


def _classification_log_likelihood(
    fractions: np.ndarray, inertia: np.ndarray, shape: tuple[int, int]
) -> np.ndarray:
    """The k-means model's classification log-likelihood at each step (see FitHistory).

    Spherical Gaussians with a common variance at its MLE ``s^2 = inertia / (N D)`` and
    weights the cluster fractions: ``sum_k n_k log(n_k / N) - N D / 2 (log(2 pi s^2) + 1)``
    (``0 log 0 = 0`` for an empty cluster; ``+inf`` when every sample sits on a centre).

    Parameters
    ----------
    fractions : ndarray of shape (T + 1, K)
    inertia : ndarray of shape (T + 1,)
    shape : (N, D)
    """
    n_samples, n_features = shape
    counts = fractions * n_samples
    with np.errstate(divide="ignore"):
        assignment = np.where(counts > 0, counts * np.log(fractions), 0.0).sum(axis=1)
        spread = (
            n_samples
            * n_features
            / 2
            * (np.log(2 * np.pi * inertia / (n_samples * n_features)) + 1)
        )
    return assignment - spread


def _assign(X: np.ndarray, centers: np.ndarray, keep_labels: bool = False):
    """One assignment pass over ``X`` in chunks.

    Returns
    -------
    counts : ndarray of int, shape (K,)
    sums : ndarray of shape (K, D)
        Sum of the samples of each cluster.
    inertia : float
        Sum of squared distances to the nearest centre.
    digest : bytes
        Hash of the labels in sample order (equal digests: the same assignment).
    labels : ndarray of int, shape (N,), or None
        Only with ``keep_labels``; otherwise nothing of size ``N`` is allocated.
    """
    n_clusters, n_features = centers.shape
    counts = np.zeros(n_clusters, dtype=np.intp)
    sums = np.zeros((n_clusters, n_features))
    inertia = 0.0
    digest = hashlib.blake2b(digest_size=16)
    labels_out = np.empty(X.shape[0], dtype=np.intp) if keep_labels else None
    for part in chunks(X.shape[0], chunk_size(n_clusters + n_features)):
        distances = squared_distances(X[part], centers)
        labels = np.argmin(distances, axis=1)
        inertia += float(distances[np.arange(labels.size), labels].sum())
        counts += np.bincount(labels, minlength=n_clusters)
        sums += one_hot(labels, n_clusters).T @ X[part]
        digest.update(labels.astype(np.int32).tobytes())
        if keep_labels:
            labels_out[part] = labels
    return counts, sums, inertia, digest.digest(), labels_out


def _cluster_means(X: np.ndarray, labels: np.ndarray, n_clusters: int) -> np.ndarray:
    """Mean of the samples of each (non-empty) cluster; shape (K, D)."""
    counts = np.bincount(labels, minlength=n_clusters)
    # One bincount per feature: a loop over features, not samples.
    sums = np.stack(
        [np.bincount(labels, weights=X[:, d], minlength=n_clusters) for d in range(X.shape[1])],
        axis=1,
    )
    return sums / counts[:, None]


def _reseed_empty(labels: np.ndarray, closest: np.ndarray, n_clusters: int) -> np.ndarray:
    """Move the samples farthest from their centres into the empty clusters, one each."""
    counts = np.bincount(labels, minlength=n_clusters)
    empty = np.flatnonzero(counts == 0)
    if empty.size == 0:
        return labels
    labels = labels.copy()
    for k, i in zip(empty, _donor_samples(labels, closest, counts, empty.size), strict=True):
        warnings.warn(
            f"k-means cluster {k} became empty; re-seeded at sample {i}, the sample "
            f"farthest from its centre",
            DegenerateComponentWarning,
            stacklevel=4,
        )
        labels[i] = k
    return labels


def _donor_samples(
    labels: np.ndarray, closest: np.ndarray, counts: np.ndarray, n_needed: int
) -> np.ndarray:
    """The ``n_needed`` farthest samples whose removal leaves every cluster non-empty.

    A cluster may give up all but one of its members; with ``N >= K`` there are always
    enough (``N - #non-empty >= #empty``).
    """
    order = np.argsort(-closest, kind="stable")  # farthest first
    ordered_labels = labels[order]
    # Rank of each sample among the members of its own cluster, in farthest-first order.
    grouped = np.argsort(ordered_labels, kind="stable")
    first = np.searchsorted(ordered_labels[grouped], ordered_labels[grouped])
    rank = np.empty_like(grouped)
    rank[grouped] = np.arange(grouped.size) - first
    return order[rank < counts[ordered_labels] - 1][:n_needed]


class KMeans(BaseEstimator):
    """k-means clustering (Lloyd's algorithm).

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters ``K``.
    init : {"k-means++", "random"} or array-like of shape (K, D), default="k-means++"
        ``"k-means++"``: greedy k-means++ seeding; ``"random"``: ``K`` distinct samples
        drawn uniformly; an array: these starting centroids (the lecture's experiment).
    n_init : int or "auto", default="auto"
        Number of starts; the run with the lowest inertia is kept. ``"auto"`` is 1 for
        ``"k-means++"`` or an array and 10 for ``"random"`` (scikit-learn's rule). With an
        array every start is the same, so ``n_init`` must then be 1 or ``"auto"``.
    max_iter : int, default=300
        Maximum number of iterations (assignment + update) per start.
    tol : float, default=1e-4
        Stop when the summed squared centre move is at most ``tol`` times the mean
        per-feature variance of ``X`` (scikit-learn's rule); an unchanged assignment always
        stops.
    random_state : None, int or numpy.random.Generator, default=None
        Seeds every random choice; the same int gives the same result.
    keep_history : bool or "all", default=False
        ``True``: keep the centres, cluster fractions and inertia of the start and after
        every update of the kept run in ``history_``; ``"all"``: also of every run in
        ``histories_``. Memory grows with iterations x K x D, never with N.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (K, D)
    labels_ : ndarray of int, shape (N,)
    inertia_ : float
        Sum of squared distances of the samples to their nearest centre.
    inertia_history_ : ndarray of shape (n_iter_,)
        Inertia after each assignment step of the kept run.
    n_iter_ : int
    converged_ : bool
    n_features_in_ : int
    history_ : FitHistory or None
        With ``keep_history``: the kept run step by step (see :class:`~em.FitHistory`;
        ``covariances`` is None, ``inertia`` is set). None otherwise.
    histories_ : list of FitHistory or None
        With ``keep_history="all"``: one per run, in the order they ran. None otherwise.
    """

    _estimator_kind = "clusterer"

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        init: Any = "k-means++",
        n_init: int | str = "auto",
        max_iter: int = 300,
        tol: float = 1e-4,
        random_state: Any = None,
        keep_history: bool | str = False,
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.keep_history = keep_history

    def fit(self, X: Any, y: Any = None) -> KMeans:
        """Cluster ``X`` of shape (N, D) or (N,); returns ``self``."""
        n_clusters = check_int(self.n_clusters, "n_clusters", minimum=1)
        X = check_array(
            X,
            "X",
            min_samples=n_clusters,
            min_samples_reason=f"n_clusters={n_clusters}",
            copy=False,  # never written to; a copy would double the memory of a fit
        )
        max_iter = check_int(self.max_iter, "max_iter", minimum=1)
        tol = check_float(self.tol, "tol", minimum=0.0)
        given = self._check_init(n_clusters, X.shape[1])
        n_init = self._check_n_init(given is not None)
        rng = check_random_state(self.random_state)
        keep_history = check_keep_history(self.keep_history)

        best = None
        histories = []
        for _ in range(n_init):
            if given is not None:
                centers = given
            elif self.init == "random":
                centers = X[rng.choice(X.shape[0], size=n_clusters, replace=False)]
            else:
                centers = X[kmeans_plusplus(X, n_clusters, rng)]
            result = lloyd(X, centers, max_iter=max_iter, tol=tol, keep_history=bool(keep_history))
            histories.append(result.history)
            if best is None or result.inertia < best.inertia:
                best = result
        if not best.converged:
            warnings.warn(
                f"KMeans stopped at max_iter={max_iter} without converging; increase "
                "max_iter or tol",
                ConvergenceWarning,
                stacklevel=2,
            )
        self.cluster_centers_ = best.centers
        self.labels_ = best.labels
        self.inertia_ = best.inertia
        self.inertia_history_ = best.inertia_history
        self.n_iter_ = best.n_iter
        self.converged_ = best.converged
        self.n_features_in_ = X.shape[1]
        self.history_ = best.history
        self.histories_ = histories if keep_history == "all" else None
        return self

    def fit_predict(self, X: Any, y: Any = None) -> np.ndarray:
        """Fit and return ``labels_``, shape (N,)."""
        return self.fit(X).labels_

    def predict(self, X: Any) -> np.ndarray:
        """Index of the nearest fitted centre for each sample; shape (N,)."""
        self._check_fitted("cluster_centers_")
        X = check_array(X, "X")
        check_n_features(X, self.n_features_in_, "KMeans")
        return _assign(X, self.cluster_centers_, keep_labels=True)[4]

    def _check_init(self, n_clusters: int, n_features: int) -> np.ndarray | None:
        """Starting centroids as an array (K, D) when ``init`` is one, else None."""
        if isinstance(self.init, str):
            if self.init not in _INITS:
                raise ValueError(
                    f"init={self.init!r} is not supported; accepted: 'k-means++', 'random' "
                    "or an array of starting centroids of shape (n_clusters, n_features)"
                )
            return None
        centers = check_array(self.init, "init")
        if centers.shape != (n_clusters, n_features):
            raise ValueError(
                f"init has shape {centers.shape}; an array of starting centroids must have "
                f"shape (n_clusters, n_features) = {(n_clusters, n_features)}"
            )
        return centers

    # ------------------------------------------------------------------ bootstrap hook
    # (em._resampling.Resamplable)

    def _bootstrap_data(self, X: Any, y: Any, kind: str) -> BootstrapData:
        self._check_fitted("cluster_centers_")
        if kind == "parametric":
            raise ValueError(_NO_PARAMETRIC_BOOTSTRAP)
        return BootstrapData(require_X(X, type(self).__name__))

    def _bootstrap_simulate(self, data, rng) -> dict:
        raise ValueError(_NO_PARAMETRIC_BOOTSTRAP)

    def _bootstrap_estimates(self) -> dict[str, np.ndarray]:
        return {"cluster_centers": self.cluster_centers_}

    def _bootstrap_align(self, values, reference, data):
        """Clusters matched to the reference's by their centres (labels are arbitrary)."""
        centers = values["cluster_centers"]
        order = match_components(centers, reference["cluster_centers"], data.feature_scale)
        return {"cluster_centers": centers[order]}

    def _check_n_init(self, init_is_array: bool) -> int:
        if self.n_init == "auto":
            return 10 if isinstance(self.init, str) and self.init == "random" else 1
        n_init = check_int(self.n_init, "n_init", minimum=1)
        if init_is_array and n_init != 1:
            raise ValueError(
                f"n_init={n_init} with an array init would repeat the same start; "
                "accepted: n_init=1 or 'auto' when init is an array"
            )
        return n_init
