"""A warning when ``reg_covar`` swamps the data's own variance.

``reg_covar`` is absolute (scikit-learn's convention, kept so that the fits match
scikit-learn's exactly): it is added to every covariance's diagonal whatever the data's
units. On data of a small scale (features varying by 1e-4, say) the default 1e-6 is as
large as the data's variance, the covariances are the regularisation's rather than the
data's, and clusters merge silently. Rather than change the fits, the fit warns and says
what to do (rescale X, or lower reg_covar).
"""

from __future__ import annotations

import warnings

import numpy as np

from ..exceptions import PrecisionLossWarning

# reg_covar above this fraction of a feature's variance visibly inflates the covariances of
# the components, which are tighter than the data as a whole.
DOMINANCE = 1e-3


def warn_if_reg_covar_dominates(data, reg_covar: float, owner: str) -> None:
    """Warn when ``reg_covar`` exceeds ``DOMINANCE`` times a feature's variance.

    Parameters
    ----------
    data : em.mixture._data.InMemory or em.mixture._dask.DaskData
        The fit's data; its ``feature_variances()`` (D,) is computed only when
        ``reg_covar > 0`` (one pass over the data, chunked).
    reg_covar : float
    owner : str
        The estimator's name, for the message.
    """
    if reg_covar <= 0:
        return
    variances = np.asarray(data.feature_variances(), dtype=np.float64)
    varying = np.flatnonzero(variances > 0)  # a constant feature is degenerate, not swamped
    if varying.size == 0:
        return
    j = int(varying[np.argmin(variances[varying])])
    smallest = float(variances[j])
    if reg_covar > DOMINANCE * smallest:
        warnings.warn(
            f"{owner}: reg_covar={reg_covar:g} is {reg_covar / smallest:.2g} times the "
            f"variance of feature {j} of X ({smallest:.3g}): reg_covar is absolute, so on "
            "data of this scale the regularisation, not the data, shapes the covariances "
            "and clusters can merge. Rescale X (e.g. standardise its features) or pass a "
            f"reg_covar below {DOMINANCE * smallest:.2g}",
            PrecisionLossWarning,
            stacklevel=4,
        )
