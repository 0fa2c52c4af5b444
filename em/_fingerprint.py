"""A cheap fingerprint of a data matrix, to recognise the data a model was fitted to.

Methods such as :meth:`em.GaussianMixtureEM.inference` need the training data again (the
observed information is a sum over the samples, which the fit does not keep); given other
data they would compute a wrong answer without a word. The fingerprint is the shape and a
hash of at most ``ROWS`` rows at evenly strided positions (the first and the last
included): O(ROWS x D) to compute, so it costs nothing beside a fit, and reading the rows
by index works for an in-memory and for a Dask array alike. Data that differ only in rows
between the strided ones are not told apart; the same rows in another order are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np

ROWS = 64


def data_fingerprint(
    n_samples: int, n_features: int, rows: Callable[[np.ndarray], np.ndarray]
) -> str:
    """Fingerprint of an (n_samples, n_features) float64 matrix read through ``rows``.

    Parameters
    ----------
    n_samples, n_features : int
    rows : callable ``(indices (m,)) -> ndarray (m, n_features)``
        Returns the requested rows (e.g. ``lambda i: X[i]``).

    Returns
    -------
    str
        ``"<n_samples>x<n_features>:<hex digest>"``.
    """
    indices = np.unique(np.linspace(0, n_samples - 1, min(n_samples, ROWS)).astype(np.intp))
    sample = np.ascontiguousarray(np.asarray(rows(indices), dtype=np.float64))
    digest = hashlib.blake2b(sample.tobytes(), digest_size=16).hexdigest()
    return f"{n_samples}x{n_features}:{digest}"


def check_same_data(X: np.ndarray, fingerprint: str, owner: str, name: str = "X") -> None:
    """Refuse a validated ``X`` (n, d) that is not the data of ``fingerprint``.

    Raises
    ------
    ValueError
        Naming ``name``, what differs (the shape, or the values) and what is expected.
    """
    found = data_fingerprint(X.shape[0], X.shape[1], lambda i: X[i])
    if found == fingerprint:
        return
    expected_shape = fingerprint.split(":")[0]
    got_shape = found.split(":")[0]
    what = (
        f"shape {got_shape} instead of {expected_shape}"
        if got_shape != expected_shape
        else "the right shape but other values (or rows in another order)"
    )
    raise ValueError(
        f"{owner}: {name} is not the data the model was fitted to ({what}); pass the "
        "training data, unchanged and in the same row order (the result is defined only "
        "for them)"
    )
