"""The parameters of a fit at every step, for replaying how EM (or k-means) got there.

``GaussianMixtureEM``, ``ClassificationEM`` and ``KMeans`` fitted with
``keep_history=True`` keep a :class:`FitHistory` of the kept start in ``history_``; with
``keep_history="all"`` also one per start in ``histories_``. Step ``t`` is the parameters
after ``t`` M-steps (centre updates), ``t = 0`` the start. The history holds
``(T + 1) x K x D x D`` numbers at most (``T`` iterations), never anything of size ``N``:
its log-likelihoods are the ones each E-step computes anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

KEEP_HISTORY = (False, True, "all")


def check_keep_history(value: Any) -> bool | str:
    """``keep_history`` validated: False, True or ``"all"``."""
    if not any(value is choice or value == choice for choice in KEEP_HISTORY):
        raise ValueError(
            f"keep_history={value!r} is not supported; accepted: False, True (the kept "
            "start's history in history_) or 'all' (also every start's in histories_)"
        )
    return "all" if isinstance(value, str) else bool(value)


@dataclass(frozen=True)
class FitHistory:
    """Parameters and log-likelihood of a fit at every step, the start included.

    All arrays are read-only. ``T`` is the number of iterations of the run (its
    ``n_iter_``); entry ``t`` belongs to the parameters after ``t`` iterations, so entry 0
    is the start and entry ``T`` the fitted parameters.

    Attributes
    ----------
    weights : ndarray of shape (T + 1, K)
        Mixture weights; for k-means the fraction of the samples nearest each centre.
    means : ndarray of shape (T + 1, K, D)
        Component means (k-means: the centres).
    covariances : ndarray of shape (T + 1, K, D, D) or None
        Always full matrices, whatever the ``covariance_type`` (a tied covariance is
        repeated for every component, a diagonal one filled in). None for k-means.
    log_likelihood : ndarray of shape (T + 1,)
        Entry ``t`` is the log-likelihood ``sum_n log p(x_n)`` at the parameters of step
        ``t``. For the mixtures entries ``0 .. T-1`` are exactly ``log_likelihood_history_``
        (each E-step computes the log-likelihood of the parameters it starts from) and entry
        ``T`` is ``log_likelihood_``. For k-means it is the classification log-likelihood
        of the k-means model (spherical Gaussians with a common variance ``s^2``, weights
        the cluster fractions ``n_k / N``) with ``s^2`` at its MLE ``inertia / (N D)``:
        ``sum_k n_k log(n_k / N) - N D / 2 (log(2 pi s^2) + 1)``.
    inertia : ndarray of shape (T + 1,) or None
        k-means only: the sum of squared distances to the nearest centre of step ``t``;
        entries ``0 .. T-1`` are exactly ``inertia_history_`` and entry ``T`` is
        ``inertia_``. None for the mixtures.
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray | None
    log_likelihood: np.ndarray
    inertia: np.ndarray | None = None

    def __post_init__(self):
        for name in ("weights", "means", "covariances", "log_likelihood", "inertia"):
            value = getattr(self, name)
            if value is not None:
                value = np.array(value, dtype=np.float64)  # a copy: the history owns it
                value.setflags(write=False)
                object.__setattr__(self, name, value)

    @property
    def n_steps(self) -> int:
        """``T + 1``: the number of parameter sets, the start included."""
        return self.log_likelihood.shape[0]


class HistoryRecorder:
    """Collects one run's parameters step by step; :meth:`result` stacks them.

    Parameters
    ----------
    covariance : em.mixture._covariance.CovarianceType or None
        Converts each step's covariances to full matrices; None for k-means.
    """

    def __init__(self, covariance=None):
        self.covariance = covariance
        self.weights, self.means, self.covariances = [], [], []

    def record(self, weights: np.ndarray, means: np.ndarray, covariances=None) -> None:
        """Parameters of the next step (copied)."""
        self.weights.append(np.array(weights, dtype=np.float64))
        self.means.append(np.array(means, dtype=np.float64))
        if self.covariance is not None:
            self.covariances.append(self.covariance.as_full(covariances, *means.shape))

    def result(self, log_likelihood, inertia=None) -> FitHistory:
        """The :class:`FitHistory` of the recorded steps and their log-likelihoods (T + 1,)."""
        return FitHistory(
            weights=np.stack(self.weights),
            means=np.stack(self.means),
            covariances=np.stack(self.covariances) if self.covariance is not None else None,
            log_likelihood=np.asarray(log_likelihood, dtype=np.float64),
            inertia=None if inertia is None else np.asarray(inertia, dtype=np.float64),
        )
