import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from compare.parallel import Job, JobResult, default_workers, run_jobs
from compare.progress import report_step

ROOT = Path(__file__).resolve().parents[2]

# Workers are spawned: job functions must be importable by name, hence module level.
_MODEL_CACHE: dict[str, int] = {}


def sleepy(label: str, seconds: float) -> dict:
    report_step("compile")
    time.sleep(seconds)
    report_step("sample")
    return {"label": label, "pid": os.getpid()}


def compiled_once(structure: str) -> dict:
    """A stand-in for a case: 'compiles' its structure once per process."""
    fresh = structure not in _MODEL_CACHE
    _MODEL_CACHE.setdefault(structure, os.getpid())
    return {"fresh": fresh, "pid": os.getpid()}


def broken(message: str) -> None:
    raise ValueError(message)


def unpicklable() -> object:
    return lambda: None


def record(events):
    return lambda kind, index, payload: events.append((kind, index, payload))


def test_results_come_in_list_order_whichever_finishes_first():
    jobs = [Job("slow", sleepy, ("slow", 1.0)), Job("fast", sleepy, ("fast", 0.0))]
    events = []
    results = run_jobs(jobs, workers=2, on_event=record(events))
    assert [r.label for r in results] == ["slow", "fast"]
    assert [r.index for r in results] == [0, 1]
    assert all(r.ok for r in results) and results[0].value == {
        "label": "slow",
        "pid": results[0].pid,
    }
    # Two workers, both of them other processes, ran at once: the fast one finished first.
    assert results[0].pid != results[1].pid and os.getpid() not in {r.pid for r in results}
    done = [i for kind, i, _ in events if kind == "done"]
    assert done == [1, 0]
    # Steps come back to this process as the job reports them.
    assert [(i, p) for kind, i, p in events if kind == "step" and i == 0] == [
        (0, "compile"),
        (0, "sample"),
    ]
    assert events.index(("start", 0, None)) < events.index(("step", 0, "compile"))


def test_a_group_runs_in_one_worker_so_its_structure_compiles_once():
    jobs = [
        Job("a1", compiled_once, ("mix-1d",), group="mix-1d"),
        Job("b1", compiled_once, ("mix-2d",), group="mix-2d"),
        Job("a2", compiled_once, ("mix-1d",), group="mix-1d"),
        Job("a3", compiled_once, ("mix-1d",), group="mix-1d"),
    ]
    results = run_jobs(jobs, workers=2)
    assert [r.value["fresh"] for r in results] == [True, True, False, False]
    assert results[0].pid == results[2].pid == results[3].pid


def test_a_failing_job_reports_its_traceback_and_the_others_finish():
    jobs = [
        Job("bad", broken, ("no such data",)),
        Job("good", sleepy, ("good", 0.0)),
        Job("odd", unpicklable),
    ]
    results = run_jobs(jobs, workers=2)
    assert not results[0].ok and results[0].value is None
    assert "ValueError: no such data" in results[0].error and "Traceback" in results[0].error
    assert results[1].ok and results[1].value["label"] == "good"
    assert not results[2].ok and "cannot be pickled" in results[2].error


def test_one_worker_runs_in_this_process_with_the_same_results():
    events = []
    jobs = [Job("bad", broken, ("x",)), Job("ok", sleepy, ("ok", 0.0))]
    results = run_jobs(jobs, workers=1, on_event=record(events))
    assert {r.pid for r in results} == {os.getpid()}
    assert [r.ok for r in results] == [False, True]
    assert [k for k, i, _ in events if i == 1] == ["start", "step", "step", "done"]
    assert isinstance(events[-1][2], JobResult)


def test_bad_arguments():
    with pytest.raises(ValueError, match="workers must be an integer >= 1 or None"):
        run_jobs([], workers=0)
    with pytest.raises(TypeError, match=r"jobs\[0\] must be a Job"):
        run_jobs([sleepy])
    with pytest.raises(TypeError, match="func must be callable"):
        Job("x", "sleepy")
    with pytest.raises(TypeError, match="args must be a tuple"):
        Job("x", sleepy, ["a", 1])
    assert 1 <= default_workers() <= 2
    assert run_jobs([]) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_stops_the_workers_cleanly(tmp_path):
    script = textwrap.dedent(
        f"""
        import faulthandler, os, signal, sys, time
        # Ctrl-C as a terminal delivers it: the test runner's process (a pytest-xdist worker,
        # say) may have left SIGINT ignored or blocked, and a child inherits both. Seen in
        # cold `make test` runs: 30 s after the signal the run was still polling its queue.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])
        sys.path.insert(0, {str(ROOT)!r})
        from compare.parallel import Job, run_jobs
        from tests.compare.test_parallel import sleepy

        starts = []

        def started(kind, index, payload):
            if kind == "start":
                starts.append(index)
                if len(starts) == 2:
                    # If stopping hangs, every thread's traceback goes to stderr (for the
                    # failure message) 30 s after the Ctrl-C that follows this line.
                    faulthandler.dump_traceback_later(30, exit=True)
                print("started", flush=True)
        try:
            run_jobs([Job("a", sleepy, ("a", 60.0)), Job("b", sleepy, ("b", 60.0))],
                     workers=2, on_event=started)
        except KeyboardInterrupt:
            import multiprocessing

            def running(pid):
                # active_children() also lists a worker already reaped by another thread
                # (its poll() sees ECHILD); ask the operating system instead.
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    return False
                with open("/proc/%d/stat" % pid) as f:
                    return f.read().split(")")[-1].split()[0] != "Z"

            left = [c for c in multiprocessing.active_children() if running(c.pid)]
            print("interrupted", len(left), flush=True)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        start_new_session=True,  # its own process group: a failure can end its workers too
    )
    # Both jobs running (under a loaded machine the second worker can take seconds to start).
    assert [proc.stdout.readline().strip() for _ in range(2)] == ["started", "started"]
    t0 = time.perf_counter()
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=40)
    except subprocess.TimeoutExpired:
        # The workers hold the pipes open: end the whole group, or reading them never ends.
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"Ctrl-C did not stop the run within 40 s; stdout {out!r}; stderr:\n{err}")
    assert proc.returncode == 0, err
    # No worker left behind, and well before the 60 s jobs would have ended.
    assert out.split()[-2:] == ["interrupted", "0"]
    assert time.perf_counter() - t0 < 20


def dies() -> None:
    os._exit(3)  # as the kernel's out-of-memory killer would end it


def test_a_worker_that_dies_fails_its_job_instead_of_hanging():
    results = run_jobs([Job("dies", dies), Job("ok", sleepy, ("ok", 0.0))], workers=2)
    assert not results[0].ok and "worker process was lost" in results[0].error
    # The pool is broken then; whatever ran or not, every job has a result.
    assert [r.label for r in results] == ["dies", "ok"]
