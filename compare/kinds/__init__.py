"""What differs between kinds of case, one object per kind behind one protocol.

:data:`KINDS` maps :attr:`compare.Case.kind` to its :class:`Kind`; :func:`get_kind` looks
one up. Nothing outside this package tests a case's kind: the engine, the figures, the
reports and the studies ask the kind object (see :mod:`compare.kinds._kind` for the
protocol and how to add a kind).
"""

from __future__ import annotations

from ._kind import Kind
from .categorical import CategoricalKind
from .linear import LinearKind
from .logistic import LogisticKind
from .mixture import MixtureKind

__all__ = ["KINDS", "Kind", "get_kind"]

KINDS: dict[str, Kind] = {
    kind.name: kind for kind in (MixtureKind(), LinearKind(), LogisticKind(), CategoricalKind())
}


def get_kind(name: str) -> Kind:
    """The :class:`Kind` called ``name`` (a case's ``kind``).

    Raises
    ------
    ValueError
        For an unknown name; the message lists the valid ones.
    """
    try:
        return KINDS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown kind {name!r}; valid kinds: {', '.join(KINDS)}") from None
