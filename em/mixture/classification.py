"""Gaussian mixture fitted by classification (hard) EM, the lecture's ``l12em1`` loop."""

from __future__ import annotations

from ._assignment import HARD
from ._data import InMemory
from ._loop import BaseMixtureEM


class ClassificationEM(BaseMixtureEM):
    """Gaussian mixture fitted by hard EM (classification EM, CEM).

    The E-step labels every sample with the component of largest ``w_k N(x_n | theta_k)``
    (Bayes' rule, taking the most probable class instead of the probabilities); the M-step
    sets each weight to the fraction of samples with that label and each mean and
    (co)variance to the maximum-likelihood estimate from the samples with that label.
    The lecture's ``l12em1`` loop, with the same order (E first).

    Parameters
    ----------
    n_components, covariance_type, max_iter, n_init, init, weights_init, means_init, \
covariances_init, reg_covar, random_state, keep_history
        As for :class:`~em.GaussianMixtureEM`.
    prior : None
        Refused (ValueError): hard EM with a prior (classification MAP) is not implemented;
        use :class:`~em.GaussianMixtureEM` with ``prior=`` for MAP-EM.
    tol : float, default=1e-6
        Stop when the mean per-sample classification log-likelihood changes by less than
        ``tol``, or as soon as an assignment repeats the previous one (an exact fixed
        point). ``tol=0`` stops only at a fixed point or ``max_iter``.

    Attributes
    ----------
    weights_, means_, covariances_, precisions_cholesky_, converged_, n_iter_, \
stop_reason_, init_log_likelihoods_, n_features_in_, history_, histories_
        As for :class:`~em.GaussianMixtureEM` (the history's log-likelihood is the
        observed-data one, as in ``log_likelihood_history_``).
    labels_ : ndarray of int, shape (N,)
        Hard assignment of the training samples under the final parameters (a lazy Dask
        array when ``X`` was one).
    log_likelihood_ : float
        Observed-data (mixture) log-likelihood ``sum_n log sum_k w_k N(x_n | theta_k)`` at
        the final parameters; also what selects the best of ``n_init`` starts.
    log_likelihood_history_ : ndarray of shape (n_iter_,)
        Observed-data log-likelihood at each E-step. Hard EM does not maximise it, so it
        need not increase.
    classification_log_likelihood_history_ : ndarray of shape (n_iter_,)
        Complete-data log-likelihood of the hard assignment at each E-step,
        ``sum_n log(w_{z_n} N(x_n | theta_{z_n}))``: the quantity hard EM increases.

    Notes
    -----
    An empty cluster (or one whose covariance is singular) is re-seeded at the
    worst-explained sample with a :class:`~em.DegenerateComponentWarning`, exactly as in
    :class:`~em.GaussianMixtureEM`. A cluster with a single sample has covariance
    ``reg_covar`` (times the identity): with ``reg_covar=0`` that is singular and
    re-seeded.
    """

    _estimator_kind = "clusterer"

    _assignment = HARD
    _takes_prior = False

    def _set_fitted(self, best, runs, data) -> None:
        super()._set_fitted(best, runs, data)
        self.classification_log_likelihood_history_ = best.objective_history
        if isinstance(data, InMemory):
            self.labels_ = self._labels(data.X)
        else:  # a Dask array of labels, computed when asked for
            self.labels_ = data.labels(self._plan())
