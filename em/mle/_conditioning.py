"""Warnings of a fit whose numbers cannot be trusted as they stand: digits lost to an
ill-conditioned system, or an exact fit whose likelihood is unbounded."""

from __future__ import annotations

import warnings

import numpy as np

from ..exceptions import PerfectFitWarning, PrecisionLossWarning

# float64 carries about 16 significant digits; a linear solve loses about log10(condition
# number) of them. Beyond 1e8 more than half are gone.
HALF_THE_DIGITS = 1e8


def warn_if_ill_conditioned(gram: np.ndarray, owner: str) -> float:
    """Warn when solving with ``gram`` loses more than about half the digits.

    Parameters
    ----------
    gram : ndarray of shape (q, q)
        The Gram matrix ``A^T A`` of the normal equations.
    owner : str
        The estimator's name, for the message.

    Returns
    -------
    float
        The 2-norm condition number of ``gram`` (``inf`` when singular). Computed from its
        singular values, an O(q^3) cost that is small beside forming ``A^T A`` itself.
    """
    singular = np.linalg.svd(gram, compute_uv=False)
    condition = float(singular[0] / singular[-1]) if singular[-1] > 0 else float("inf")
    if condition > HALF_THE_DIGITS:
        digits = min(16.0, float(np.log10(condition)))
        warnings.warn(
            f"{owner}: method='normal_equations' solves with A^T A, whose condition number "
            f"is {condition:.2g}: about {digits:.0f} of float64's ~16 significant digits "
            "are lost and the coefficients may be wrong even in their leading digit. Use "
            "method='qr' (the default), which never forms A^T A",
            PrecisionLossWarning,
            stacklevel=4,
        )
    return condition


def warn_perfect_fit(owner: str, why: str) -> None:
    """Say that the log-likelihood is +inf because the data fit the model exactly."""
    warnings.warn(
        f"{owner}: {why}, so the data fit the model exactly: the likelihood is unbounded and "
        "log_likelihood_ is +inf (not a usable number for comparisons or information "
        "criteria)",
        PerfectFitWarning,
        stacklevel=3,  # the caller of fit
    )
