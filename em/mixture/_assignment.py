"""What makes an EM variant: how the E-step assigns the samples to the components.

Every variant computes ``log w_k N(x_n | theta_k)`` for a chunk of samples and hands the
M-step, per sample, the weights ``r_nk`` with which it counts for each component:

- :data:`SOFT` (EM, :class:`~em.GaussianMixtureEM`): the posterior probabilities
  ``P(C_k | x_n)``, by Bayes' rule in log space;
- :data:`HARD` (classification EM, :class:`~em.ClassificationEM`): all of the sample for
  its most probable component.

A strategy also says what the variant increases (its objective) and when an iteration
repeats the previous one exactly (a fixed point). A third variant (stochastic EM: draw
each label from ``P(C_k | x_n)``; annealed EM: a tempered posterior) is one more subclass
of :class:`Assignment`, given to an estimator as its ``_assignment``.

A strategy holds no data, so it travels to Dask workers with the plan.
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple

import numpy as np


class Assigned(NamedTuple):
    """What an assignment makes of one chunk.

    Attributes
    ----------
    resp : ndarray of shape (K, b)
        The weight of each sample (column) for each component; columns sum to one.
    log_likelihood : float
        ``sum_n log p(x_n)`` over the chunk.
    objective : float
        What the variant increases, summed over the chunk.
    digest : bytes or None
        A hash of the chunk's assignment, for fixed-point detection; None when the
        variant has no exact fixed point.
    """

    resp: np.ndarray
    log_likelihood: float
    objective: float
    digest: bytes | None


class Assignment:
    """How the E-step turns the log joint of a chunk into responsibilities."""

    def assign(self, log_joint: np.ndarray) -> Assigned:
        """Responsibilities of a chunk from ``log w_k N(x_n | theta_k)`` (K, b), overwriting it."""
        raise NotImplementedError

    def at_fixed_point(self, digest: bytes | None, previous: bytes | None) -> bool:
        """Whether an E-step whose statistics have ``digest`` repeats the previous one exactly.

        Then the M-step would repeat the previous M-step, and the loop may stop.
        """
        return False

    def __reduce__(self):
        # Unpickle (e.g. on a Dask worker) to a fresh instance; strategies hold no state.
        return (type(self), ())


def _normalise(log_joint: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """``exp(log_joint - max)`` in place, its column sums, and ``sum_n log p(x_n)``."""
    top = log_joint.max(axis=0)
    resp = log_joint
    resp -= top
    np.exp(resp, out=resp)
    total = resp.sum(axis=0)
    return resp, total, float(np.log(total).sum() + top.sum())


class SoftAssignment(Assignment):
    """EM: ``r_nk = P(C_k | x_n)``; the objective is the log-likelihood itself."""

    def assign(self, log_joint):
        resp, total, log_likelihood = _normalise(log_joint)
        resp /= total
        return Assigned(resp, log_likelihood, log_likelihood, None)


class HardAssignment(Assignment):
    """Classification EM: ``r_nk = 1`` for the most probable component, else 0.

    The objective is the classification log-likelihood
    ``sum_n log(w_{z_n} N(x_n | theta_{z_n}))`` (the log joint at each sample's label, its
    maximum). Labels that repeat the previous E-step's exactly make the M-step repeat too:
    a fixed point, detected by a hash of the labels in sample order.
    """

    def assign(self, log_joint):
        top = log_joint.max(axis=0)
        labels = log_joint.argmax(axis=0)
        _, _, log_likelihood = _normalise(log_joint)
        resp = np.zeros_like(log_joint)
        resp[labels, np.arange(labels.size)] = 1.0
        digest = hashlib.blake2b(labels.astype(np.int32).tobytes(), digest_size=16).digest()
        return Assigned(resp, log_likelihood, float(top.sum()), digest)

    def at_fixed_point(self, digest, previous):
        return digest is not None and digest == previous


SOFT = SoftAssignment()
HARD = HardAssignment()
