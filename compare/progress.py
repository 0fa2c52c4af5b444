"""Progress of a run of jobs (cases and studies): a live bar on a terminal, plain lines else.

On a terminal, one bar (rich, which PyMC already depends on, so nothing is added) shows
the jobs running and their current step (``generate``, ``EM``, ``compile``, ``sample``,
``figures``, ...), the elapsed time and an estimate of what is left. Elsewhere (CI, a log
file) it prints one line per finished job, as the CLI always has::

    [3/9] lecture-2d ... 54.6 s (compile 48.6 s, sampling 2.0 s) ok

Lines come in the order of the job list whatever order the jobs finish in. At the end,
:meth:`Progress.close` prints where the time went (summed step timings and cache hits).

A job reports its step from wherever it runs (this process or a worker) with
:func:`report_step` (defined in the leaf module :mod:`compare.steps`, so that the engine
can call it; re-exported here); the runner (:mod:`compare.parallel`) routes the call to the
:class:`Progress` of the parent process. Outside a runner it does nothing.
"""

from __future__ import annotations

import math
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TextIO

from .steps import report_step, step_reporter

__all__ = [
    "MODES",
    "STEPS",
    "JobReport",
    "Progress",
    "report_step",
    "step_reporter",
]

# The steps a job goes through, in the order the summary lists them; a job may report
# others (they come after these).
STEPS = ("generate", "EM", "compile", "sample", "figures", "write")
MODES = ("auto", "bar", "lines")


@dataclass
class JobReport:
    """What a finished job tells the progress display.

    Attributes
    ----------
    label : str
        ``"lecture-2d"``, ``"study coverage (quick)"``.
    seconds : float
        Wall seconds the job took here (a cache hit: the restore).
    detail : str
        Inside the parentheses of its line, e.g. ``"compile 48.6 s, sampling 2.0 s"``.
    status : str
        After the parentheses: ``"ok"``, ``"WARNING: not converged"``, ``"FAILED: ..."``,
        ``"-> reports/studies/coverage/index.html"``.
    ok : bool
        False for a failed job.
    cached : bool
        Read from the result cache.
    saved : float
        Seconds a cache hit saved (the original run's recorded time), else 0.
    timings : dict of str to float
        Seconds per step (:data:`STEPS` or others), summed in the final summary.
    """

    label: str
    seconds: float
    detail: str = ""
    status: str = "ok"
    ok: bool = True
    cached: bool = False
    saved: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    def line(self, number: int, total: int) -> str:
        """``[number/total] label ... 12.3 s (detail) status``."""
        detail = f" ({self.detail})" if self.detail else ""
        status = f" {self.status}" if self.status else ""
        return f"[{number}/{total}] {self.label} ... {self.seconds:.1f} s{detail}{status}"


def _seconds(value: float) -> str:
    value = max(0.0, value)
    if value < 60:
        return f"{value:.0f} s"
    return f"{int(value // 60)} min {int(value % 60):02d} s"


class Progress:
    """Progress display of one run of jobs.

    Parameters
    ----------
    labels : sequence of str
        One per job, in the job list's order.
    estimates : sequence of float or None, optional
        Expected seconds per job (from the result cache's record of earlier runs, or
        about 0 for a cache hit); None where unknown: such jobs count as the mean of the
        jobs finished so far that were not cache hits.
    workers : int, default 1
        Jobs running at once; the estimate of what is left divides by it.
    stream : text file, default sys.stdout
    mode : {"auto", "bar", "lines"}, default "auto"
        ``"auto"``: the bar when ``stream`` is a terminal, else lines.
    """

    def __init__(
        self,
        labels: Sequence[str],
        *,
        estimates: Sequence[float | None] | None = None,
        workers: int = 1,
        stream: TextIO | None = None,
        mode: str = "auto",
    ) -> None:
        self.labels = [str(label) for label in labels]
        n = len(self.labels)
        if estimates is None:
            estimates = [None] * n
        if len(estimates) != n:
            raise ValueError(f"estimates must have one entry per label ({n}); got {len(estimates)}")
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"workers must be an integer >= 1; got {workers!r}")
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}; got {mode!r}")
        self.estimates = [None if e is None else float(e) for e in estimates]
        self.workers = workers
        self.stream = sys.stdout if stream is None else stream
        if mode == "auto":
            mode = "bar" if getattr(self.stream, "isatty", lambda: False)() else "lines"
        self.mode = mode
        self.reports: list[JobReport | None] = [None] * n
        self._started: dict[int, float] = {}
        self._steps: dict[int, str] = {}
        self._printed = 0
        self._lock = threading.RLock()
        self._t0 = time.perf_counter()
        self._bar = None
        if self.mode == "bar":
            self._open_bar()

    # ---------------------------------------------------------------------------------------
    # Events

    def _check(self, index: int) -> None:
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(self):
            raise ValueError(f"index must be a job number in [0, {len(self)}); got {index!r}")

    def __len__(self) -> int:
        return len(self.labels)

    def start(self, index: int) -> None:
        """Job ``index`` (0-based, in the job list) has started."""
        self._check(index)
        with self._lock:
            self._started[index] = time.perf_counter()
            self._steps[index] = "starting"
            self._refresh()

    def step(self, index: int, step: str) -> None:
        """Job ``index`` has reached ``step``."""
        self._check(index)
        with self._lock:
            self._started.setdefault(index, time.perf_counter())
            self._steps[index] = str(step)
            self._refresh()

    def finish(self, index: int, report: JobReport) -> None:
        """Job ``index`` has finished; its line is printed once every earlier one is."""
        self._check(index)
        if not isinstance(report, JobReport):
            raise TypeError(f"report must be a JobReport; got {type(report).__name__}")
        with self._lock:
            if self.reports[index] is not None:
                raise ValueError(f"job {index} ({self.labels[index]}) has already finished")
            self.reports[index] = report
            self._started.pop(index, None)
            self._steps.pop(index, None)
            while self._printed < len(self) and self.reports[self._printed] is not None:
                self._print(self.reports[self._printed].line(self._printed + 1, len(self)))
                self._printed += 1
            self._refresh()

    def close(self) -> str:
        """Stop the bar and print the summary; returns the summary."""
        with self._lock:
            if self._bar is not None:
                self._bar.stop()
                self._bar = None
            text = self.summary()
            print(text, file=self.stream, flush=True)
            return text

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is None:
            self.close()
        elif self._bar is not None:  # an error or Ctrl-C: stop drawing, say nothing more
            self._bar.stop()
            self._bar = None

    # ---------------------------------------------------------------------------------------
    # Numbers

    def elapsed(self) -> float:
        """Seconds since the display was made."""
        return time.perf_counter() - self._t0

    def remaining(self) -> float | None:
        """Estimated seconds until every job has finished; None when nothing is known yet.

        Each job not finished counts its estimate (or, without one, the mean of the
        finished jobs that were not cache hits), less what it has already run; the sum is
        divided among the workers.
        """
        with self._lock:
            done = [r.seconds for r in self.reports if r is not None and not r.cached]
            mean = sum(done) / len(done) if done else None
            now = time.perf_counter()
            left = 0.0
            for i, report in enumerate(self.reports):
                if report is not None:
                    continue
                guess = self.estimates[i] if self.estimates[i] is not None else mean
                if guess is None:
                    return None
                left += max(guess - (now - self._started.get(i, now)), 0.0)
            return left / min(self.workers, max(1, self.reports.count(None)))

    def summary(self) -> str:
        """Where the time went: step seconds summed over jobs, cache hits, failures."""
        reports = [r for r in self.reports if r is not None]
        totals: dict[str, float] = {}
        for r in reports:
            for step, secs in r.timings.items():
                if isinstance(secs, int | float) and math.isfinite(secs):
                    totals[step] = totals.get(step, 0.0) + float(secs)
        order = [s for s in STEPS if s in totals] + [s for s in totals if s not in STEPS]
        job_seconds = sum(r.seconds for r in reports)
        parts = [f"{s} {totals[s]:.1f} s" for s in order]
        lines = [
            f"done: {len(reports)} of {len(self)} job(s) in {self.elapsed():.1f} s wall "
            f"({job_seconds:.1f} s of job time, {self.workers} worker(s))"
        ]
        if parts:
            lines.append("time by step (summed over jobs): " + ", ".join(parts))
        hits = [r for r in reports if r.cached]
        if hits:
            saved = sum(r.saved for r in hits)
            lines.append(
                f"cache hits: {len(hits)} of {len(reports)} job(s), read in "
                f"{sum(r.seconds for r in hits):.1f} s (their first runs took {saved:.1f} s)"
            )
        failed = [r.label for r in reports if not r.ok]
        if failed:
            lines.append(f"failed: {', '.join(failed)}")
        return "\n".join(lines)

    # ---------------------------------------------------------------------------------------
    # Output

    def _print(self, text: str) -> None:
        if self._bar is not None:
            self._bar.console.print(text, highlight=False, markup=False)
        else:
            print(text, file=self.stream, flush=True)

    def _status(self) -> str:
        running = [f"{self.labels[i]}: {self._steps[i]}" for i in sorted(self._steps)]
        return " | ".join(running) if running else "waiting"

    def _left(self) -> str:
        left = self.remaining()
        return "left: estimating" if left is None else f"left: ~{_seconds(left)}"

    def _open_bar(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            ProgressColumn,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.progress import Progress as RichProgress
        from rich.text import Text

        owner = self

        class _Left(ProgressColumn):
            # Rendered on every refresh, so the estimate runs down between events.
            def render(self, task) -> Text:
                return Text(owner._left())

        console = Console(file=self.stream, force_terminal=True)
        self._bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            _Left(),
            console=console,
            transient=True,  # the finished lines and the summary stay, the bar goes
        )
        self._task = self._bar.add_task(self._status(), total=len(self))
        self._bar.start()

    def _refresh(self) -> None:
        if self._bar is not None:
            done = sum(r is not None for r in self.reports)
            self._bar.update(self._task, completed=done, description=self._status())
