"""Where a case page's figure time goes: seconds per figure, drawing and saving apart.

Fits the cases at the report's settings (full draws unless ``--quick``), then draws and
saves every figure of each case page the way the page writer does
(:func:`compare.reports._files.save_figures`), timing the draw and the ``savefig`` of each
in wall seconds and in CPU seconds of this process (the CPU column is what to compare on a
loaded machine).
``--profile`` adds the functions that took longest (cProfile, cumulative) over all figures.

Run from the repository root with it on the path (the editable install may point
elsewhere)::

    PYTHONPATH=. .venv/bin/python benchmarks/profile_figures.py lecture-2d three-1d
    PYTHONPATH=. .venv/bin/python benchmarks/profile_figures.py lecture-1d --quick --profile 15
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from compare.engine.comparison import run
from compare.figures import case_figures
from compare.reports._html import DPI


def _timed(stem: str, draw, folder: Path) -> tuple[str, float, float, float]:
    before = set(plt.get_fignums())
    c0, t0 = time.process_time(), time.perf_counter()
    figure = draw()
    t1 = time.perf_counter()
    figure.savefig(folder / f"{stem}.png", dpi=DPI)
    t2, c2 = time.perf_counter(), time.process_time()
    for number in set(plt.get_fignums()) - before:
        plt.close(number)
    return stem, t1 - t0, t2 - t1, c2 - c0


def time_figures(result, folder: Path) -> list[tuple[str, float, float, float]]:
    """``(stem, draw s, save s, CPU s)`` per figure of ``result``'s page."""
    return [_timed(spec.stem, spec.drawer(result), folder) for spec in case_figures(result)]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="+")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--profile", type=int, default=0, help="show the N costliest functions")
    args = parser.parse_args(argv)
    profiler = cProfile.Profile() if args.profile else None
    for name in args.cases:
        result = run(name, quick=args.quick)
        with tempfile.TemporaryDirectory() as tmp:
            # Once untimed: the first figure of a process pays for imports and font caches.
            time_figures(result, Path(tmp))
            if profiler:
                profiler.enable()
            rows = time_figures(result, Path(tmp))
            if profiler:
                profiler.disable()
        print(f"\n{name} ({result.settings['chains']} x {result.settings['draws']} draws)")
        print(f"{'figure':<24}{'draw s':>8}{'save s':>8}{'CPU s':>8}")
        for stem, draw, save, cpu in sorted(rows, key=lambda r: -r[3]):
            print(f"{stem:<24}{draw:>8.2f}{save:>8.2f}{cpu:>8.2f}")
        print(f"{'page total':<24}{sum(r[1] for r in rows):>8.2f}{sum(r[2] for r in rows):>8.2f}"
              f"{sum(r[3] for r in rows):>8.2f}")  # fmt: skip
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.profile)
        print(out.getvalue())


if __name__ == "__main__":
    main()
