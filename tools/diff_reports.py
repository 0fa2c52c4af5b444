"""Compare the numbers of two report folders written by ``python -m compare run``.

For every case folder present in either report, compares ``metrics.json`` (every number,
recursively, by key path, leaving out the wall-clock ``timings``) and ``summary.csv`` (cell
by cell, numbers as numbers). Prints one line per difference and a total; exits 1 when
anything differs, 0 when the numbers agree.

Usage::

    python tools/diff_reports.py BEFORE_DIR AFTER_DIR [--rtol 0] [--atol 0]

The default tolerance is exact: the same seed, code path and library versions give
bit-identical draws (``numba__fastmath`` is off), so a refactoring must not move a digit.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from pathlib import Path


def _case_dirs(root: Path) -> dict[str, Path]:
    return {p.name: p for p in sorted(root.iterdir()) if (p / "metrics.json").is_file()}


def _close(a: float, b: float, rtol: float, atol: float) -> bool:
    if math.isnan(a) and math.isnan(b):
        return True
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= atol + rtol * abs(b)


# Wall-clock seconds differ from run to run; they are not results.
_SKIP_KEYS = frozenset({"timings"})


def _walk(a, b, path: str, out: list[str], rtol: float, atol: float) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted((set(a) | set(b)) - _SKIP_KEYS):
            if key not in a or key not in b:
                where = "after only" if key not in a else "before only"
                out.append(f"{path}/{key}: {where}")
                continue
            _walk(a[key], b[key], f"{path}/{key}", out, rtol, atol)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{path}: length {len(a)} -> {len(b)}")
            return
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _walk(x, y, f"{path}[{i}]", out, rtol, atol)
    elif isinstance(a, bool | str | type(None)) or isinstance(b, bool | str | type(None)):
        if a != b:
            out.append(f"{path}: {a!r} -> {b!r}")
    elif isinstance(a, int | float) and isinstance(b, int | float):
        if not _close(float(a), float(b), rtol, atol):
            out.append(f"{path}: {a!r} -> {b!r}")
    elif a != b:
        out.append(f"{path}: {a!r} -> {b!r}")


def _number(cell: str):
    try:
        return float(cell)
    except ValueError:
        return cell


def _read_csv(path: Path) -> list[list]:
    with path.open(newline="") as f:
        return [[_number(c) for c in row] for row in csv.reader(f)]


def diff_reports(before: Path, after: Path, rtol: float = 0.0, atol: float = 0.0) -> list[str]:
    """Differences between two report folders, one string each (empty when equal)."""
    out: list[str] = []
    a_cases, b_cases = _case_dirs(before), _case_dirs(after)
    for name in sorted(set(a_cases) | set(b_cases)):
        if name not in a_cases or name not in b_cases:
            out.append(f"{name}: only in {'after' if name not in a_cases else 'before'}")
            continue
        a_m = json.loads((a_cases[name] / "metrics.json").read_text())
        b_m = json.loads((b_cases[name] / "metrics.json").read_text())
        _walk(a_m, b_m, f"{name}/metrics.json", out, rtol, atol)
        a_s, b_s = a_cases[name] / "summary.csv", b_cases[name] / "summary.csv"
        if a_s.is_file() != b_s.is_file():
            out.append(f"{name}/summary.csv: present in one report only")
        elif a_s.is_file():
            _walk(_read_csv(a_s), _read_csv(b_s), f"{name}/summary.csv", out, rtol, atol)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--rtol", type=float, default=0.0)
    parser.add_argument("--atol", type=float, default=0.0)
    args = parser.parse_args(argv)
    for root in (args.before, args.after):
        if not root.is_dir():
            parser.error(f"{root} is not a report folder")
    diffs = diff_reports(args.before, args.after, args.rtol, args.atol)
    n_cases = len(set(_case_dirs(args.before)) | set(_case_dirs(args.after)))
    for line in diffs:
        print(line)
    print(f"{n_cases} cases compared, {len(diffs)} differences")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
