"""The check every regression runs on its design matrix and response.

Shared by :class:`~em.LinearRegressionMLE` and :class:`~em.LogisticRegressionMLE`: both
refuse a design whose coefficients are not identifiable instead of returning an arbitrary
solution.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import linalg

from .._validation import check_array, check_vector
from ._gradient import Standardizer


def check_design(X: Any, y: Any, fit_intercept: bool, owner: str) -> tuple[np.ndarray, np.ndarray]:
    """Validate a regression design and response.

    Refuses what would make the coefficients non-identifiable rather than returning an
    arbitrary solution: fewer rows than parameters plus one, a constant column together
    with an intercept, and any other exact (to working precision) linear dependence.

    Parameters
    ----------
    X : array-like of shape (n, p) or (n,)
    y : array-like of shape (n,)
    fit_intercept : bool
    owner : str
        Estimator name for messages.

    Returns
    -------
    X : ndarray of shape (n, p), float64
    y : ndarray of shape (n,), float64
    """
    X = check_array(X, "X")
    if y is None:
        # scikit-learn's wording, which its checks look for.
        raise ValueError(f"{owner} requires y to be passed, but the target y is None")
    y = check_vector(y, "y", n=X.shape[0])
    n, p = X.shape
    n_params = p + int(fit_intercept)
    if n <= n_params:
        raise ValueError(
            f"{owner}: X has {n} rows but the model has {n_params} parameters "
            f"({p} coefficients{' + intercept' if fit_intercept else ''}); at least "
            f"{n_params + 1} rows are required (got n_samples={n})"
        )
    if fit_intercept:
        constant = np.flatnonzero(np.ptp(X, axis=0) == 0)
        if constant.size:
            raise ValueError(
                f"{owner}: X column(s) {constant.tolist()} are constant; with "
                "fit_intercept=True a constant column duplicates the intercept (rank "
                "deficiency). Drop it or set fit_intercept=False"
            )
    Z = Standardizer.fit(X, fit_intercept).transform(X)
    _, r, perm = linalg.qr(Z, mode="economic", pivoting=True)
    diag = np.abs(np.diag(r))
    dependent = diag <= max(n, p) * np.finfo(float).eps * diag[0]
    if dependent.any():
        raise ValueError(
            f"{owner}: X is rank deficient: column(s) {sorted(perm[dependent].tolist())} are "
            "linear combinations of the others"
            f"{' and the intercept' if fit_intercept else ''}; the coefficients are not "
            "identifiable. Remove the redundant column(s)"
        )
    return X, y
