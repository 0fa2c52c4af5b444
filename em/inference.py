"""One result shape for the uncertainty of every MLE.

Every estimator in ``em`` reports its uncertainty as an :class:`InferenceTable`: one row per
scalar parameter with estimate, standard error, interval and the method that produced them.
``compare`` lays these rows next to a posterior summary without knowing which estimator
made them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from ._validation import check_level


@dataclass(frozen=True)
class ParameterRow:
    """One scalar parameter.

    Attributes
    ----------
    parameter : str
        Name of the array parameter, e.g. ``"means"`` or ``"coef"``.
    index : tuple of int
        Position inside that array (``()`` for a scalar).
    estimate, se, lower, upper : float
        Point estimate, standard error and interval bounds (``se`` may be NaN only when the
        method cannot give one, e.g. a fixed parameter; never for a fitted free parameter).
    level : float
        Coverage of the interval, e.g. 0.95.
    method : str
        How ``se`` and the interval were obtained, e.g. ``"observed-information"``,
        ``"fisher-information"``, ``"bootstrap-nonparametric"``.
    """

    parameter: str
    index: tuple[int, ...]
    estimate: float
    se: float
    lower: float
    upper: float
    level: float
    method: str

    @property
    def name(self) -> str:
        """``parameter[i, j]`` (or ``parameter`` for a scalar)."""
        if not self.index:
            return self.parameter
        return f"{self.parameter}[{', '.join(map(str, self.index))}]"

    def covers(self, value: float) -> bool:
        """Whether the interval contains ``value``."""
        return bool(self.lower <= value <= self.upper)


class InferenceTable:
    """Ordered rows of :class:`ParameterRow`, addressable by row name or by parameter.

    Parameters
    ----------
    rows : sequence of ParameterRow
    shapes : mapping of str to tuple of int
        The shape of each array parameter, so :meth:`array` can rebuild it.
    """

    def __init__(self, rows: list[ParameterRow], shapes: Mapping[str, tuple[int, ...]]):
        self.rows = tuple(rows)
        self.shapes = dict(shapes)
        self._by_name = {row.name: row for row in self.rows}

    def __iter__(self) -> Iterator[ParameterRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, name: str) -> ParameterRow:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(
                f"no parameter {name!r}; available: {', '.join(self._by_name)}"
            ) from None

    @property
    def parameters(self) -> list[str]:
        """Names of the array parameters, in order."""
        return list(self.shapes)

    def array(self, parameter: str, field: str = "estimate") -> np.ndarray:
        """Field (``estimate``, ``se``, ``lower``, ``upper``) of one parameter, in its shape."""
        if parameter not in self.shapes:
            raise KeyError(f"no parameter {parameter!r}; available: {', '.join(self.shapes)}")
        out = np.full(self.shapes[parameter], np.nan)
        for row in self.rows:
            if row.parameter == parameter:
                out[row.index] = getattr(row, field)
        return out

    def to_records(self) -> list[dict]:
        """Plain dicts (JSON-ready), one per row."""
        return [
            {
                "name": r.name,
                "parameter": r.parameter,
                "index": list(r.index),
                "estimate": r.estimate,
                "se": r.se,
                "lower": r.lower,
                "upper": r.upper,
                "level": r.level,
                "method": r.method,
            }
            for r in self.rows
        ]

    def __repr__(self) -> str:
        lines = [f"{'parameter':<22}{'estimate':>12}{'se':>12}{'lower':>12}{'upper':>12}  method"]
        for r in self.rows:
            lines.append(
                f"{r.name:<22}{r.estimate:>12.5g}{r.se:>12.5g}{r.lower:>12.5g}{r.upper:>12.5g}"
                f"  {r.method}"
            )
        return "\n".join(lines)


def wald_table(
    estimates: Mapping[str, np.ndarray],
    standard_errors: Mapping[str, np.ndarray],
    *,
    level: float = 0.95,
    method: str,
) -> InferenceTable:
    """Build a table with normal (Wald) intervals ``estimate +/- z * se``.

    Parameters
    ----------
    estimates, standard_errors : mapping of str to ndarray
        Same keys and shapes; scalars are allowed.
    level : float
        Interval coverage in (0, 1).
    method : str
        Recorded in every row.
    """
    level = check_level(level)
    z = ndtri(0.5 + level / 2)
    lower = {
        k: np.asarray(v, float) - z * np.asarray(standard_errors[k], float)
        for k, v in estimates.items()
    }
    upper = {
        k: np.asarray(v, float) + z * np.asarray(standard_errors[k], float)
        for k, v in estimates.items()
    }
    return interval_table(estimates, standard_errors, lower, upper, level=level, method=method)


def interval_table(
    estimates: Mapping[str, np.ndarray],
    standard_errors: Mapping[str, np.ndarray],
    lower: Mapping[str, np.ndarray],
    upper: Mapping[str, np.ndarray],
    *,
    level: float,
    method: str,
) -> InferenceTable:
    """Build a table from explicit interval bounds (e.g. bootstrap percentiles, t intervals)."""
    rows: list[ParameterRow] = []
    shapes: dict[str, tuple[int, ...]] = {}
    for key, est in estimates.items():
        est = np.asarray(est, float)
        se = np.broadcast_to(np.asarray(standard_errors[key], float), est.shape)
        lo = np.broadcast_to(np.asarray(lower[key], float), est.shape)
        hi = np.broadcast_to(np.asarray(upper[key], float), est.shape)
        shapes[key] = est.shape
        for index in np.ndindex(est.shape):
            rows.append(
                ParameterRow(
                    parameter=key,
                    index=tuple(int(i) for i in index),
                    estimate=float(est[index]),
                    se=float(se[index]),
                    lower=float(lo[index]),
                    upper=float(hi[index]),
                    level=float(level),
                    method=method,
                )
            )
    return InferenceTable(rows, shapes)
