"""Run jobs (cases, studies) in up to N worker processes, results in the job list's order.

A :class:`Job` is a picklable callable with its arguments, a label and a ``group``.
Jobs of one group run in one worker, one after another in list order: give the jobs that
build the same compiled model structure (``Case.model_key`` without the data, a study's
model) the same group, and the process-wide model cache of :mod:`compare.engine.fit` and the
compiled samplers of :mod:`models.sampling` serve all but the first of them, as they do in
a single process today. Jobs without a group are each their own group.

Workers are started with ``spawn`` (a fork of a process that has imported PyTensor, Numba
or started threads is unsafe) in one pool of at most N processes, so memory stays bounded
by N copies of PyMC and its compiled models. Starting a worker and importing PyMC costs
a few seconds (measured by ``python -m compare.parallel``), which is why one worker or a
single group runs in this process instead. A script that calls :func:`run_jobs` must
guard its top level with ``if __name__ == "__main__":`` (spawned workers import the main
script); ``python -m compare`` needs nothing, as spawn never re-runs a ``__main__``
module of a package.

:func:`run_jobs` returns one :class:`JobResult` per job, in the order of the job list.
While they run, ``on_event(kind, index, payload)`` is called in this process as things
happen: ``("start", i, None)``, ``("step", i, name)`` for each
:func:`compare.progress.report_step` call the job makes, ``("done", i, JobResult)``; a
:class:`compare.progress.Progress` turns these into the bar or the ordered lines. A job
that raises becomes a failed result with its traceback; the others go on. Ctrl-C stops
the workers (they ignore SIGINT themselves; this process terminates them) and raises
KeyboardInterrupt here.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import pickle
import queue as queue_module
import signal
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from .progress import step_reporter

__all__ = ["Job", "JobResult", "default_workers", "run_jobs"]

EVENTS = ("start", "step", "done")
_GRACE = 10.0  # seconds a finished batch's last results may take to arrive


@dataclass(frozen=True)
class Job:
    """One unit of work.

    Attributes
    ----------
    label : str
        What the progress display calls it (``"lecture-2d"``, ``"study coverage"``).
    func : callable
        Picklable: a module-level function (workers import it by name).
    args : tuple
    kwargs : dict
    group : str or None
        Jobs with the same group run in the same worker, in list order (see the module
        docstring); None: a group of its own.
    """

    label: str
    func: Callable[..., Any]
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    group: str | None = None

    def __post_init__(self) -> None:
        if not callable(self.func):
            raise TypeError(f"func must be callable; got {type(self.func).__name__}")
        if not isinstance(self.args, tuple):
            raise TypeError(f"args must be a tuple; got {type(self.args).__name__}")
        if not isinstance(self.kwargs, dict):
            raise TypeError(f"kwargs must be a dict; got {type(self.kwargs).__name__}")
        if self.group is not None and not isinstance(self.group, str):
            raise TypeError(f"group must be a string or None; got {self.group!r}")


@dataclass
class JobResult:
    """How one job ended.

    Attributes
    ----------
    index : int
        Its place in the job list.
    label : str
    ok : bool
    value : object
        What ``func`` returned (None when it failed).
    error : str or None
        The traceback (or why the worker was lost) when it failed.
    seconds : float
        Wall seconds of ``func`` in its worker.
    pid : int
        The process that ran it (this one's when run in-process).
    """

    index: int
    label: str
    ok: bool
    value: Any = None
    error: str | None = None
    seconds: float = 0.0
    pid: int = 0


def default_workers() -> int:
    """``min(2, os.cpu_count())``: both cores of the 2-core machines the report targets."""
    return max(1, min(2, os.cpu_count() or 1))


def _batches(jobs: Sequence[Job]) -> list[list[int]]:
    """Job indices by group, groups in order of their first job, jobs in list order."""
    groups: dict[object, list[int]] = {}
    for i, job in enumerate(jobs):
        groups.setdefault(job.group if job.group is not None else ("job", i), []).append(i)
    return list(groups.values())


def _call(index: int, job: Job, emit: Callable[[str, int, Any], None]) -> JobResult:
    """Run one job, reporting its start and steps; an exception becomes a failed result."""
    emit("start", index, None)
    t0 = time.perf_counter()
    try:
        with step_reporter(lambda step: emit("step", index, step)):
            value = job.func(*job.args, **job.kwargs)
    except Exception:
        return JobResult(
            index,
            job.label,
            False,
            error=traceback.format_exc(),
            seconds=time.perf_counter() - t0,
            pid=os.getpid(),
        )
    return JobResult(index, job.label, True, value, None, time.perf_counter() - t0, os.getpid())


# --------------------------------------------------------------------------------------------
# Worker side

_events = None  # the worker's queue to the parent (set by _init_worker)


def _init_worker(events, preload: tuple[str, ...]) -> None:
    global _events
    # Ctrl-C in a terminal reaches the whole process group; the parent decides what
    # stops, so a worker does not die half way through writing a file on its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _events = events
    for module in preload:
        importlib.import_module(module)


def _emit_to_parent(kind: str, index: int, payload: Any) -> None:
    if kind == "done":
        # Pickled here, not in the queue's feeder thread, where a failure would be lost
        # and the parent would wait for this job forever.
        try:
            payload = pickle.dumps(payload)
        except Exception:
            payload = pickle.dumps(
                JobResult(
                    payload.index,
                    payload.label,
                    False,
                    error="the job's return value cannot be pickled:\n" + traceback.format_exc(),
                    seconds=payload.seconds,
                    pid=payload.pid,
                )
            )
    _events.put((kind, index, payload))


def _run_batch(batch: list[tuple[int, Job]]) -> list[int]:
    for index, job in batch:
        _emit_to_parent("done", index, _call(index, job, _emit_to_parent))
    return [index for index, _ in batch]


# --------------------------------------------------------------------------------------------
# Parent side


def run_jobs(
    jobs: Sequence[Job],
    workers: int | None = None,
    *,
    on_event: Callable[[str, int, Any], None] | None = None,
    preload: Sequence[str] = (),
) -> list[JobResult]:
    """Run ``jobs`` in up to ``workers`` processes; one result per job, in list order.

    Parameters
    ----------
    jobs : sequence of Job
    workers : int, optional
        At most this many worker processes (default :func:`default_workers`). With 1, or
        when all jobs form one group, everything runs in this process (no start-up cost).
    on_event : callable ``(kind, index, payload)``, optional
        Called in this process, in the order things happen: ``"start"`` (payload None),
        ``"step"`` (the step's name), ``"done"`` (the JobResult).
    preload : sequence of str
        Modules each worker imports when it starts (e.g. ``("models",)``), before its
        first job.

    Returns
    -------
    list of JobResult
        ``results[i]`` is the result of ``jobs[i]``.

    Raises
    ------
    KeyboardInterrupt
        On Ctrl-C, after the workers are stopped.
    """
    jobs = list(jobs)
    for i, job in enumerate(jobs):
        if not isinstance(job, Job):
            raise TypeError(f"jobs[{i}] must be a Job; got {type(job).__name__}")
    if workers is None:
        workers = default_workers()
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be an integer >= 1 or None; got {workers!r}")
    emit = on_event or (lambda kind, index, payload: None)
    batches = _batches(jobs)
    if workers == 1 or len(batches) <= 1:
        results = []
        for i, job in enumerate(jobs):
            results.append(_call(i, job, emit))
            emit("done", i, results[-1])
        return results
    return _run_pool(jobs, batches, min(workers, len(batches)), emit, tuple(preload))


def _run_pool(jobs, batches, workers, emit, preload) -> list[JobResult]:
    context = multiprocessing.get_context("spawn")
    events = context.Queue()
    results: list[JobResult | None] = [None] * len(jobs)

    def dispatch(kind: str, index: int, payload: Any) -> None:
        if results[index] is not None:  # late start/step of a job already accounted for
            return
        if kind == "done":
            payload = pickle.loads(payload)
            results[index] = payload
        emit(kind, index, payload)

    def drain(timeout: float) -> None:
        try:
            dispatch(*events.get(timeout=timeout))
            while True:
                dispatch(*events.get_nowait())
        except queue_module.Empty:
            pass

    # Children alive before the pool: _stop must leave them alone.
    others = set(multiprocessing.active_children())
    executor = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_init_worker,
        initargs=(events, preload),
    )
    try:
        futures = {
            executor.submit(_run_batch, [(i, jobs[i]) for i in batch]): batch for batch in batches
        }
        pending = set(futures)
        returned: dict[Any, float] = {}  # finished batch -> when it finished
        while None in results:
            done, pending = wait(pending, timeout=0.05, return_when=FIRST_COMPLETED)
            now = time.perf_counter()
            returned |= dict.fromkeys(done, now)
            drain(0.05)
            for future, when in returned.items():
                missing = [i for i in futures[future] if results[i] is None]
                error = future.exception()
                # A batch's results travel through the events queue, beside the future's
                # own pipe: give them a moment to arrive before calling them lost.
                if missing and now - when > (1.0 if error is not None else _GRACE):
                    reason = (
                        f"the worker process was lost: {error!r}"
                        if error is not None
                        else "the job's result never arrived from its worker"
                    )
                    for i in missing:
                        failed = JobResult(i, jobs[i].label, False, error=reason)
                        dispatch("done", i, pickle.dumps(failed))
    except BaseException:
        _stop(executor, others)
        raise
    executor.shutdown(wait=True)
    events.close()
    return results


def _stop(executor: ProcessPoolExecutor, others: set) -> None:
    """Terminate the workers now (Ctrl-C or an error in this process).

    ``others`` are the child processes that were alive before the pool started.
    """
    # Python 3.12 has no public call for this (3.14 adds terminate_workers); the pool's
    # process table is the documented-in-source way the executor itself uses. A Ctrl-C
    # that lands while the pool is still spawning a worker can leave that worker out of
    # the table (or have it appear just after), so every child started since the pool
    # began is stopped, in rounds until none is left.
    table = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    manager = getattr(executor, "_executor_manager_thread", None)
    for round_ in range(6):
        mine = [p for p in multiprocessing.active_children() if p not in others]
        alive = [p for p in dict.fromkeys([*table, *mine]) if p.is_alive()]
        if not alive and round_ > 0:
            return
        for process in alive:
            process.terminate()
        for process in alive:
            process.join(timeout=5)
        if manager is not None:  # it may still be starting a worker: let it finish first
            manager.join(timeout=5)


# --------------------------------------------------------------------------------------------
# python -m compare.parallel: what starting a worker costs


def _imported(module: str) -> float:
    t0 = time.perf_counter()
    importlib.import_module(module)
    return time.perf_counter() - t0


def measure_overhead(module: str = "models") -> dict[str, float]:
    """Seconds from asking for a worker to its first job's end, with ``module`` imported.

    Returns ``{"spawn_and_import": ..., "import_in_worker": ...}``: the first is what a
    worker costs before it can work, the second the part of it that is the import.
    """
    t0 = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as executor:
        imported = executor.submit(_imported, module).result()
        total = time.perf_counter() - t0
    return {"spawn_and_import": total, "import_in_worker": imported}


if __name__ == "__main__":
    for name, seconds in measure_overhead().items():
        print(f"{name}: {seconds:.2f} s")
