"""The hook through which :func:`em.bootstrap` resamples and refits an estimator.

The bootstrap knows no estimator class. It asks the fitted reference estimator, through
the four methods of :class:`Resamplable`, for everything that differs between families:
which data it accepts, how to simulate from it, which parameters to summarise, and how a
refit's parameters line up with its own (mixture labels are arbitrary). Resampling the
rows of ``(X, y)`` with replacement is the same for every estimator and stays in the
bootstrap.

A new estimator joins the bootstrap by implementing these four methods; nothing in
:mod:`em.bootstrap` changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ._validation import check_array, check_vector


@dataclass
class BootstrapData:
    """The data of a bootstrap, validated by the reference estimator.

    Attributes
    ----------
    X : ndarray of shape (n, ...) or None
        The data the reference was fitted to. None only for an estimator fitted from a
        summary (:class:`~em.CategoricalMLE` from counts): every replicate is then
        simulated, since resampling the observations is exactly that.
    y : ndarray of shape (n,) or None
        The response of a regression; its rows are resampled with those of ``X``.
    shared_params : dict
        Hyper-parameters every replicate takes from the reference on top of
        ``get_params()`` (e.g. the categories, so a category that a replicate misses
        keeps its place with count 0).
    """

    X: np.ndarray | None
    y: np.ndarray | None = None
    shared_params: dict[str, Any] = field(default_factory=dict)

    @property
    def n_samples(self) -> int:
        return len(self.X)

    @cached_property
    def feature_scale(self) -> np.ndarray:
        """Per-feature standard deviation of ``X`` (1 where constant), shape (D,).

        The units in which :func:`~em.match_components` compares component means, so no
        feature dominates the matching by its units.
        """
        sd = self.X.std(axis=0)
        return np.where(sd > 0, sd, 1.0)


@runtime_checkable
class Resamplable(Protocol):
    """What :func:`em.bootstrap` needs of an estimator; every estimator of ``em`` has it.

    The methods are private (they are for the bootstrap, not for users) and have one
    signature for all estimators.
    """

    def _bootstrap_data(self, X: Any, y: Any, kind: str) -> BootstrapData:
        """Check that the estimator is fitted and supports ``kind``; validate ``X``, ``y``.

        Raises ``NotFittedError`` before ``fit``, and ``ValueError`` naming the argument
        for missing or bad data or an unsupported ``kind``, before any refit runs.
        """
        ...

    def _bootstrap_simulate(self, data: BootstrapData, rng: np.random.Generator) -> dict:
        """Keyword arguments of ``fit`` for one parametric replicate.

        New data of the size of ``data``, simulated from the fitted model with ``rng``
        (new responses at the same ``X`` for a regression).
        """
        ...

    def _bootstrap_estimates(self) -> dict[str, Any]:
        """The fitted parameters to summarise, by name (arrays or scalars)."""
        ...

    def _bootstrap_align(
        self, values: dict[str, np.ndarray], reference: dict[str, np.ndarray], data: BootstrapData
    ) -> dict[str, np.ndarray]:
        """A refit's ``values`` relabelled to match ``reference`` (the identity if no labels)."""
        ...


def require_X(X: Any, owner: str) -> np.ndarray:
    """``X`` validated as for a fit, or a ValueError when it is missing."""
    if X is None:
        raise ValueError(f"bootstrap: X is required for {owner}")
    return check_array(X, "X")


def regression_data(X: Any, y: Any, owner: str) -> BootstrapData:
    """The ``(X, y)`` of a regression's bootstrap, validated."""
    if X is None:
        raise ValueError(f"bootstrap: X is required for {owner}")
    if y is None:
        raise ValueError(f"bootstrap: y is required for {owner}")
    X = check_array(X, "X")
    return BootstrapData(X, check_vector(y, "y", n=len(X)))
