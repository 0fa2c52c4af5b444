"""Small dense linear algebra shared by the estimators."""

from __future__ import annotations

import numpy as np
from scipy.linalg import lapack


def triangular_inverse(a: np.ndarray, *, lower: bool) -> np.ndarray:
    """Inverse of a non-singular triangular matrix (D, D), by LAPACK's ``trtri``.

    Not ``scipy.linalg.solve_triangular(a, identity)``: with a matrix right-hand side that
    goes through the threaded BLAS ``trsm``, which on a busy machine costs milliseconds even
    for a 2 x 2 matrix (thread wake-ups), a thousand times the arithmetic.
    """
    inverse, info = lapack.dtrtri(a, lower=int(lower))
    if info != 0:
        raise np.linalg.LinAlgError(f"triangular matrix is singular (trtri info={info})")
    return inverse
