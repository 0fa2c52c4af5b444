"""The wired report run (compare.runner through the CLI): cache, workers, order, Ctrl-C.

The fast tests use the tiny step-order study (no model compilation, a few seconds) as the
real job and stand-in case jobs (module-level below, so spawned workers can import them)
where only the runner's own behaviour is under test.
"""

import io
import json
import os
import re
import time
from pathlib import Path

import pytest

from compare import resultcache, runner
from compare.cli import main
from compare.jobs import JobOutcome, case_key
from compare.progress import JobReport, report_step
from compare.runner import Task, case_tasks, run_tasks, study_tasks

TINY = {"level": "tiny", "seed": 0, "sampler": "nutpie"}
CASE_SETTINGS = {
    "seed": 0, "draws": 100, "tune": 100, "chains": 2, "sampler": "nutpie", "quick": True,
    "method": "numpy", "prior": None, "ladder": "default",
}  # fmt: skip


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty result cache of this test's own (what the CLI finds via the environment)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(resultcache.CACHE_ENV, str(folder))
    return folder


def study_numbers(out: Path, name: str = "step-order") -> dict:
    doc = json.loads((out / "studies" / name / "results.json").read_text())
    return {k: doc[k] for k in ("data", "settings", "answer", "tables", "figures")}


def leftovers(out: Path) -> list[str]:
    """Hidden staging or temporary folders anywhere in the report."""
    return sorted(str(p.relative_to(out)) for p in out.rglob(".*"))


# --------------------------------------------------------------------------------------------
# Stand-in case jobs: write a case folder as run_case_job does, after a delay per case.

DELAYS = {"lecture-2d": 2.0, "regression": 0.0, "logistic": 0.0}


def fake_case_job(name, settings, staging, cache_dir=None, read_cache=True) -> JobOutcome:
    report_step("sample")
    time.sleep(DELAYS.get(name, 0.0))
    folder = Path(staging) / name
    folder.mkdir()
    doc = {
        "case": name, "description": f"stand-in for {name}", "converged": True,
        "diagnostics": {"reasons": []}, "metrics": {}, "timings": {"compile": 0.0},
        "figures": [], "pid": os.getpid(), "seed": settings["seed"],
    }  # fmt: skip
    (folder / "metrics.json").write_text(json.dumps(doc))
    (folder / "index.html").write_text(f"<html><body>{name}</body></html>")
    return JobOutcome(JobReport(name, 0.1, timings={"sample": 0.1}), str(folder), doc)


def interrupting_case_job(name, settings, staging, cache_dir=None, read_cache=True):
    raise KeyboardInterrupt


# --------------------------------------------------------------------------------------------


def test_cached_and_fresh_runs_write_the_same_numbers_and_no_cache_refits(cache, tmp_path, capsys):
    argv = ["study", "step-order", "--level", "tiny", "--workers", "1"]
    assert main([*argv, "--out", str(tmp_path / "fresh")]) == 0
    first = capsys.readouterr().out
    assert "cached" not in first.splitlines()[0]
    assert main([*argv, "--out", str(tmp_path / "cached")]) == 0
    second = capsys.readouterr().out
    assert "(cached; first run" in second and "cache hits: 1 of 1" in second
    assert study_numbers(tmp_path / "fresh") == study_numbers(tmp_path / "cached")
    fresh_page = (tmp_path / "fresh" / "studies" / "step-order" / "index.html").read_text()
    cached_page = (tmp_path / "cached" / "studies" / "step-order" / "index.html").read_text()
    assert "Read from the result cache" in cached_page
    assert "Read from the result cache" not in fresh_page
    # The note sits after the answer, where the page template put the marker.
    assert cached_page.index("class='answer'") < cached_page.index("Read from the result cache")
    # --no-cache fits again (same numbers: the study is deterministic given its seed).
    assert main([*argv, "--no-cache", "--out", str(tmp_path / "again")]) == 0
    third = capsys.readouterr().out
    assert "cached" not in third.splitlines()[0] and "cache hits" not in third
    assert study_numbers(tmp_path / "again") == study_numbers(tmp_path / "fresh")
    # Both indexes link the study; no staging or temporary folder is left.
    for out in ("fresh", "cached", "again"):
        assert "studies/step-order/index.html" in (tmp_path / out / "index.html").read_text()
        assert leftovers(tmp_path / out) == []


def test_changing_any_key_part_refits(cache, tmp_path, monkeypatch):
    out = tmp_path / "out"

    def cached(config=TINY) -> bool:
        outcome = run_tasks(study_tasks(["step-order"], config), out, workers=1, mode="lines",
                            stream=io.StringIO())  # fmt: skip
        assert outcome.failed == []
        return outcome.reports[0].cached

    assert not cached()
    assert cached()
    assert not cached(TINY | {"seed": 1})  # a setting
    assert cached(TINY | {"seed": 1})
    monkeypatch.setattr(resultcache, "source_digest", lambda root=None: "edited source")
    assert not cached()  # the project's source
    monkeypatch.setattr(resultcache, "library_versions", lambda: {"numpy": "0.0"})
    assert not cached()  # a library version
    assert cached()


def test_seed_override_changes_only_that_cases_key():
    names = ["lecture-1d", "lecture-2d", "families"]
    plain = case_tasks(names, CASE_SETTINGS)
    changed = case_tasks(names, CASE_SETTINGS, {"lecture-2d": 5})
    assert [t.settings["seed"] for t in changed] == [0, 5, 0]
    same = [case_key(a.name, a.settings) == case_key(b.name, b.settings)
            for a, b in zip(plain, changed, strict=True)]  # fmt: skip
    assert same == [True, False, True]
    with pytest.raises(ValueError, match=r"seed_overrides names case.*accepted: lecture-1d"):
        case_tasks(names, CASE_SETTINGS, {"three-1d": 1})


@pytest.mark.parametrize(
    "argv, message",
    [
        (["run", "lecture-1d", "--seed-override", "nope=1"], "unknown case"),
        (["run", "lecture-1d", "--seed-override", "lecture-2d=1"], "not in this run"),
        (["run", "--seed-override", "lecture-1d"], "expected CASE=N"),
        (["run", "--seed-override", "lecture-1d=-1"], "expected an integer >= 0"),
        (["report", "--workers", "0"], "expected an integer >= 1"),
    ],
)
def test_bad_runner_options_exit_2(argv, message, tmp_path, capsys):
    assert main([*argv, "--out", str(tmp_path / "out")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_lines_and_index_rows_keep_the_task_order_with_two_workers(cache, tmp_path, monkeypatch):
    # lecture-2d sleeps 2 s in one worker while the other finishes regression and logistic.
    monkeypatch.setitem(runner.JOB_FUNCTIONS, "case", fake_case_job)
    names = ["lecture-2d", "regression", "logistic"]
    stream = io.StringIO()
    outcome = run_tasks(case_tasks(names, CASE_SETTINGS), tmp_path / "out", workers=2,
                        stream=stream, mode="lines")  # fmt: skip
    assert outcome.failed == []
    lines = [line for line in stream.getvalue().splitlines() if line.startswith("[")]
    assert [re.match(r"\[(\d)/3\] (\S+)", line).groups() for line in lines] == [
        ("1", "lecture-2d"), ("2", "regression"), ("3", "logistic"),
    ]  # fmt: skip
    pids = {json.loads((tmp_path / "out" / n / "metrics.json").read_text())["pid"] for n in names}
    assert len(pids) == 2 and os.getpid() not in pids  # two worker processes
    index = (tmp_path / "out" / "index.html").read_text()
    assert [index.index(f"stand-in for {n}") for n in names] == sorted(
        index.index(f"stand-in for {n}") for n in names
    )
    assert leftovers(tmp_path / "out") == []


def test_an_interrupted_run_keeps_the_finished_pages_and_no_staging(cache, tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    monkeypatch.setitem(runner.JOB_FUNCTIONS, "case", interrupting_case_job)
    tasks = [*study_tasks(["step-order"], TINY), *case_tasks(["lecture-1d"], CASE_SETTINGS)]
    with pytest.raises(KeyboardInterrupt):
        run_tasks(tasks, out, workers=1, stream=io.StringIO(), mode="lines")
    page = out / "studies" / "step-order"
    assert {"index.html", "results.json"} <= {p.name for p in page.iterdir()}
    assert page.joinpath("index.html").read_text().rstrip().endswith("</html>")
    assert not (out / "lecture-1d").exists()
    assert leftovers(out) == []
    assert (out / "notes.txt").read_text() == "mine"
    # The command line says so and exits 130; the finished study came from the cache.
    monkeypatch.setattr(runner, "study_tasks", lambda names, config: tasks[:1])
    assert main(["report", "--workers", "1", "--out", str(out)]) == 130
    assert leftovers(out) == []


def test_bad_tasks():
    with pytest.raises(ValueError, match="kind must be one of case, study"):
        Task("player", "x", {})
    with pytest.raises(TypeError, match="tasks\\[0\\] must be a Task"):
        run_tasks(["lecture-1d"], "unused")
    with pytest.raises(ValueError, match="must not repeat"):
        run_tasks(study_tasks(["step-order", "step-order"], TINY), "unused")


@pytest.mark.slow
def test_a_cached_case_writes_the_same_numbers_and_says_so(cache, tmp_path, capsys):
    argv = ["run", "lecture-1d", "--quick", "--workers", "1"]
    assert main([*argv, "--out", str(tmp_path / "fresh")]) == 0
    assert main([*argv, "--out", str(tmp_path / "cached")]) == 0
    assert "cache hits: 1 of 1" in capsys.readouterr().out

    def numbers(out):
        doc = json.loads((out / "lecture-1d" / "metrics.json").read_text())
        return {k: doc[k] for k in ("metrics", "diagnostics", "parameters", "settings")}

    assert numbers(tmp_path / "fresh") == numbers(tmp_path / "cached")
    page = (tmp_path / "cached" / "lecture-1d" / "index.html").read_text()
    assert page.index("Read from the result cache") < page.index("Key numbers")
    assert "(result cache)" in (tmp_path / "cached" / "index.html").read_text()
    assert "(result cache)" not in (tmp_path / "fresh" / "index.html").read_text()
    # One seed changed: that case is fitted again.
    assert main([*argv, "--seed-override", "lecture-1d=1", "--out", str(tmp_path / "s")]) == 0
    assert "cache hits" not in capsys.readouterr().out


def test_long_groups_start_first_and_lines_keep_the_list_order():
    from compare.runner import _schedule

    names = ["lecture-1d", "lecture-1d-close", "lecture-2d", "regression"]
    tasks = [*case_tasks(names, CASE_SETTINGS), *study_tasks(["choose-k", "step-order"], TINY)]
    everything = list(range(len(tasks)))
    # A cold run: studies (many fits each) first, then the cases in list order (lecture-1d
    # and lecture-1d-close, one model structure, are one group).
    assert _schedule(everything, tasks, [None] * 6) == [4, 5, 0, 1, 2, 3]
    # Known times: the longest group first; the two lecture-1d cases count together (55).
    times = [30.0, 25.0, 50.0, 10.0, 140.0, 5.0]
    assert _schedule(everything, tasks, times) == [4, 0, 1, 2, 3, 5]
    # An unknown study counts as the longest known job, an unknown case as the mean.
    # Here the mean is 30 and the longest 50: step-order (50) before regression (30).
    partly = [None, 10.0, 50.0, None, None, None]
    assert _schedule([1, 2, 3, 5], tasks, partly) == [2, 5, 3, 1]
