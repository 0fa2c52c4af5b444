"""A report run: cases and studies as cached jobs in worker processes, pages in a fixed order.

What ``python -m compare run``, ``study`` and ``report`` do, in one place:

1. A staging folder is made inside ``--out`` (``<out>/.staging-XXXX``, so nothing is
   written outside the report's folder and every move into place is a rename).
2. Every job (:class:`Task`) the result cache holds is restored into it here, before any
   worker starts (:func:`compare.jobs.restore_cached`): a run where nothing changed
   starts no worker and imports no PyMC.
3. The misses run in up to ``workers`` processes (:func:`compare.parallel.run_jobs`);
   cases that share a compiled model run in one worker (:func:`compare.jobs.case_group`),
   and the longest groups start first (:func:`_schedule`).
4. As each job finishes, its folder is moved into ``<out>/<case>`` or
   ``<out>/studies/<name>`` whole (:func:`compare.reports._files.write_atomic_dir`), and
   :class:`compare.progress.Progress` prints its line in the task list's order.
5. At the end the indexes are written from the folders' documents (``metrics.json``,
   ``results.json``) in the task list's order, whichever job finished first.

An interrupted run (Ctrl-C) keeps the pages of the jobs that finished, complete, and
removes the staging folder; the index is then the previous run's.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from .cases import get_case
from .jobs import (
    CASE_SETTINGS,
    case_group,
    restore_cached,
    run_case_job,
    run_study_job,
    study_group,
    study_label,
)
from .parallel import Job, default_workers, run_jobs
from .progress import JobReport, Progress
from .reports._files import check_out_dir, write_atomic_dir
from .reports.index import STUDIES_DIR, link_studies, write_index, write_studies_index
from .resultcache import ResultCache

__all__ = ["RunOutcome", "Task", "case_tasks", "run_tasks", "study_tasks"]

KINDS = ("case", "study")
# The job function of each kind (module-level, so a spawned worker imports it by name).
JOB_FUNCTIONS = {"case": run_case_job, "study": run_study_job}


@dataclass(frozen=True)
class Task:
    """One job of a run: a case or a study with the settings its result depends on.

    Attributes
    ----------
    kind : {"case", "study"}
    name : str
    settings : dict
        A case's :data:`compare.jobs.CASE_SETTINGS`, or a study's ``level``, ``seed``,
        ``sampler``.
    """

    kind: str
    name: str
    settings: dict

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {self.kind!r}")
        if not isinstance(self.settings, dict):
            raise TypeError(f"settings must be a dict; got {type(self.settings).__name__}")

    @property
    def label(self) -> str:
        """Its name in the progress lines: the case's name, ``study NAME (LEVEL)``."""
        return self.name if self.kind == "case" else study_label(self.name, self.settings)

    @property
    def group(self) -> str | None:
        """Its :class:`compare.parallel.Job` group: jobs refitting one model structure share
        one (:func:`compare.jobs.case_group`, :func:`compare.jobs.study_group`)."""
        return case_group(self.name) if self.kind == "case" else study_group(self.name)

    def job(self, staging: str, cache_dir: str | None, read_cache: bool) -> Job:
        """The :class:`compare.parallel.Job` that fits it into ``staging`` and caches it."""
        func = JOB_FUNCTIONS[self.kind]
        args = (self.name, self.settings, staging, cache_dir, read_cache)
        return Job(self.label, func, args, group=self.group)

    def target(self, out: Path) -> Path:
        """Its folder in the report."""
        return out / self.name if self.kind == "case" else out / STUDIES_DIR / self.name


def case_tasks(
    names: Sequence[str], settings: dict, seed_overrides: dict[str, int] | None = None
) -> list[Task]:
    """One task per case, in ``names``' order.

    Parameters
    ----------
    names : sequence of str
    settings : dict
        :data:`compare.jobs.CASE_SETTINGS`, shared by every case.
    seed_overrides : dict of str to int, optional
        ``{case: seed}``: that case runs with that seed (only its key changes).
    """
    overrides = dict(seed_overrides or {})
    unknown = [n for n in overrides if n not in names]
    if unknown:
        raise ValueError(
            f"seed_overrides names case(s) not in this run: {', '.join(unknown)}; "
            f"accepted: {', '.join(names)}"
        )
    settings = {k: settings[k] for k in CASE_SETTINGS}
    tasks = []
    for n in names:
        own = dict(settings)
        if n in overrides:
            own["seed"] = overrides[n]
        if not get_case(n).prior:  # a case with one prior (regression, ...): --prior is moot
            own["prior"] = None
        tasks.append(Task("case", n, own))
    return tasks


def study_tasks(names: Sequence[str], config: dict) -> list[Task]:
    """One task per study, in ``names``' order; ``config`` is ``level``, ``seed``, ``sampler``."""
    return [Task("study", n, dict(config)) for n in names]


@dataclass
class RunOutcome:
    """How a run ended.

    Attributes
    ----------
    index : Path or None
        ``<out>/index.html`` (None when nothing was written).
    reports : list of JobReport
        One per task, in the task list's order.
    failed : list of str
        Labels of the tasks that failed (not in the report).
    summary : str
        What :meth:`compare.progress.Progress.close` printed.
    """

    index: Path | None
    reports: list[JobReport] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    summary: str = ""


def _move_into(source: str, target: Path) -> None:
    """Swap the finished folder ``source`` in as ``target`` (renames: same file system)."""

    def build(tmp: Path) -> None:
        for child in Path(source).iterdir():
            os.rename(child, tmp / child.name)

    write_atomic_dir(target, build, keep_files=False)
    Path(source).rmdir()


def _failed_report(result) -> JobReport:
    last = (result.error or "failed").strip().splitlines()[-1]
    return JobReport(result.label, result.seconds, status=f"FAILED: {last}", ok=False)


def _schedule(misses: list[int], tasks, estimates) -> list[int]:
    """The misses in the order to start them: the longest groups first.

    Two workers finish together only when the long jobs start early (a long job started
    last keeps one worker busy alone). A group's length is the sum of its jobs' estimates
    (what they took last time). An unknown estimate counts as the mean of the known ones
    for a case and as the largest for a study (a study is many fits: the quick choose-k
    compiles eight models); with nothing known (a cold run) a study counts three cases.
    Equal lengths keep the task list's order.
    """
    known = [estimates[i] for i in misses if estimates[i] is not None]
    guess = (
        {"case": sum(known) / len(known), "study": max(known)}
        if known
        else {"case": 1.0, "study": 3.0}
    )
    groups: dict[str, list[int]] = {}
    for i in misses:
        groups.setdefault(tasks[i].group or f"#{i}", []).append(i)
    total = {
        g: sum(guess[tasks[i].kind] if estimates[i] is None else estimates[i] for i in members)
        for g, members in groups.items()
    }
    ordered = sorted(groups, key=lambda g: -total[g])  # stable: ties keep the list order
    return [i for g in ordered for i in groups[g]]


def run_tasks(
    tasks: Sequence[Task],
    out: str | os.PathLike,
    *,
    workers: int | None = None,
    read_cache: bool = True,
    cache_dir: str | None = None,
    stream: TextIO | None = None,
    mode: str = "auto",
) -> RunOutcome:
    """Run ``tasks`` (cached, in workers) and write their pages and the indexes into ``out``.

    Parameters
    ----------
    tasks : sequence of Task
        In the order of the progress lines and of the index rows.
    out : path
        The report folder (created if missing; a ValueError if it is a file).
    workers : int, optional
        Worker processes (default :func:`compare.parallel.default_workers`).
    read_cache : bool, default True
        False (``--no-cache``): fit everything again (the new results are stored).
    cache_dir : str, optional
        The result cache's folder (default :func:`compare.resultcache.default_cache_dir`).
    stream : text file, optional
        Where the progress goes (default ``sys.stdout``).
    mode : {"auto", "bar", "lines"}
        As for :class:`compare.progress.Progress`.

    Returns
    -------
    RunOutcome

    Raises
    ------
    KeyboardInterrupt
        After the workers are stopped and the staging folder is removed; the jobs that
        finished before it have their folders in ``out``.
    """
    tasks = list(tasks)
    for i, task in enumerate(tasks):
        if not isinstance(task, Task):
            raise TypeError(f"tasks[{i}] must be a Task; got {type(task).__name__}")
    labels = [t.label for t in tasks]
    if len(set(labels)) != len(labels):
        raise ValueError(f"tasks must not repeat a case or study; got {labels}")
    workers = default_workers() if workers is None else workers
    out = check_out_dir(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    staging = tempfile.mkdtemp(prefix=".staging-", dir=out)
    docs: dict[int, dict] = {}
    cached: set[int] = set()
    reports: list[JobReport | None] = [None] * len(tasks)
    try:
        cache = ResultCache(cache_dir)
        # What each job took last time (any settings): the bar's estimate of what is left.
        estimates = [cache.recorded_seconds(t.kind, t.name) for t in tasks]
        with Progress(
            labels, estimates=estimates, workers=workers, stream=stream, mode=mode
        ) as progress:

            def finish(i: int, outcome) -> None:
                _move_into(outcome.folder, tasks[i].target(out))
                docs[i] = outcome.document
                reports[i] = outcome.report
                progress.finish(i, outcome.report)

            misses = []
            for i, task in enumerate(tasks):
                hit = restore_cached(
                    task.kind, task.name, task.settings, staging, cache_dir, read_cache
                )
                if hit is None:
                    misses.append(i)
                else:
                    cached.add(i)
                    finish(i, hit)
            misses = _schedule(misses, tasks, estimates)

            def on_event(kind: str, j: int, payload) -> None:
                i = misses[j]
                if kind == "start":
                    progress.start(i)
                elif kind == "step":
                    progress.step(i, payload)
                elif payload.ok:
                    finish(i, payload.value)
                else:
                    reports[i] = _failed_report(payload)
                    print(f"{payload.label} failed:\n{payload.error}", file=sys.stderr)
                    progress.finish(i, reports[i])

            jobs = [tasks[i].job(staging, cache_dir, read_cache) for i in misses]
            # No preload: a worker imports PyMC with its first job that needs it.
            run_jobs(jobs, workers, on_event=on_event)
            index = _write_indexes(tasks, docs, cached, out, time.perf_counter() - start)
        summary = progress.summary()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    failed = [tasks[i].label for i, r in enumerate(reports) if r is None or not r.ok]
    return RunOutcome(index, [r for r in reports if r is not None], failed, summary)


def _write_indexes(tasks, docs, cached, out: Path, total_time: float) -> Path | None:
    """The studies' index and the report's index, rows in the task list's order."""
    studies = [i for i, t in enumerate(tasks) if t.kind == "study" and i in docs]
    cases = [i for i, t in enumerate(tasks) if t.kind == "case"]
    if studies:
        write_studies_index(out)
    if cases:
        return write_index(
            out,
            [docs[i] for i in cases if i in docs],
            total_time=total_time,
            cached={tasks[i].name for i in cases if i in cached},
        )
    if studies:
        return link_studies(out).resolve()
    return None
