"""The orders of the steps the step-order study runs, as one enum shared by its parts."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Order"]


class Order(StrEnum):
    """How a run begins. The value is the label the tables, figures and ``results.json`` show.

    A ``StrEnum``: members compare equal to, and serialise as, their labels.
    """

    E_FIRST = "E first"
    M_UNIFORM = "M first, uniform P(C|x)"
    M_ZEROS = "M first, labels all 0"
    M_RANDOM = "M first, random labels"
