"""EM beside Bayes: shared cases, both fits, their comparison and the reports.

The only package that imports both :mod:`em` and :mod:`models`::

    import compare
    result = compare.run("lecture-1d", seed=0, quick=True)
    compare.write_report([result], "reports")

Heavy modules (PyMC, ArviZ, matplotlib) are imported on first use, so
``python -m compare list`` answers at once.

Layers, each importing only those below it: ``cli`` -> ``runner`` (with ``jobs``,
``resultcache``, ``parallel``, ``progress``: cached jobs in worker processes) ->
``reports`` | ``studies`` -> ``engine`` -> ``sections`` -> ``figures`` -> ``kinds`` ->
``cases``, ``align``, ``metrics``, ``predictive``, ``generate``, ``settings``, ``steps``.
"""

from importlib import import_module
from typing import TYPE_CHECKING

from .cases import CASES, Case, Dataset, get_case

if TYPE_CHECKING:  # what the lazy names below resolve to, for type checkers and editors
    from .engine.comparison import ComparisonResult, run
    from .reports import write_report

_LAZY = {
    "run": "engine.comparison",
    "ComparisonResult": "engine.comparison",
    "write_report": "reports",
}

__all__ = ["CASES", "Case", "ComparisonResult", "Dataset", "get_case", "run", "write_report"]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'compare' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
