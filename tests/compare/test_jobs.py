import io
import json

import pytest

from compare.jobs import case_group, restore_cached, run_case_job, run_study_job, study_group
from compare.parallel import Job, run_jobs
from compare.progress import Progress
from compare.resultcache import ResultCache

TINY = {"level": "tiny", "seed": 0, "sampler": "nutpie"}


def numbers(folder) -> dict:
    doc = json.loads((folder / "results.json").read_text())
    return {k: doc[k] for k in ("data", "settings", "answer")}


def test_a_study_job_is_cached_and_restored_with_the_same_numbers(tmp_path):
    cache = str(tmp_path / "cache")
    first = run_study_job("step-order", TINY, str(tmp_path / "a"), cache)
    assert not first.report.cached and first.report.ok
    assert first.folder == str(tmp_path / "a" / "studies" / "step-order")
    second = run_study_job("step-order", TINY, str(tmp_path / "b"), cache)
    assert second.report.cached and second.report.saved == pytest.approx(first.report.seconds)
    assert "cached; first run" in second.report.detail
    a, b = tmp_path / "a" / "studies" / "step-order", tmp_path / "b" / "studies" / "step-order"
    assert numbers(a) == numbers(b) and second.document == first.document
    assert sorted(p.name for p in a.iterdir()) == sorted(p.name for p in b.iterdir())
    assert ResultCache(cache).info().entries == 1
    # What the parent does before starting any worker: restore the hits itself.
    third = restore_cached("study", "step-order", TINY, str(tmp_path / "c"), cache)
    assert third.report.cached and third.document == first.document
    assert (
        restore_cached("study", "step-order", TINY | {"seed": 1}, str(tmp_path / "d"), cache)
        is None
    )
    assert restore_cached("study", "step-order", TINY, str(tmp_path / "e"), cache, False) is None
    assert not (tmp_path / "d").exists() and not (tmp_path / "e").exists()


def test_jobs_run_through_the_runner_with_progress_lines(tmp_path):
    cache = str(tmp_path / "cache")
    jobs = [
        Job(
            "study step-order (tiny)", run_study_job, ("step-order", TINY, str(tmp_path / s), cache)
        )
        for s in ("a", "b")
    ]
    out = io.StringIO()
    with Progress([j.label for j in jobs], stream=out) as progress:
        results = run_jobs(
            jobs,
            workers=1,
            on_event=lambda kind, i, payload: (
                kind == "done" and progress.finish(i, payload.value.report)
            ),
        )
    assert [r.ok for r in results] == [True, True]
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("[1/2] study step-order (tiny) ... ")
    assert "cached; first run" in lines[1] and "cache hits: 1 of 2" in out.getvalue()


def test_bad_job_arguments():
    with pytest.raises(ValueError, match="settings must have exactly the keys seed, draws"):
        run_case_job("families", {"seed": 0}, "/nonexistent")
    with pytest.raises(ValueError, match="unknown study 'nope'"):
        run_study_job("nope", TINY, "/nonexistent")
    with pytest.raises(ValueError, match="unknown case 'nope'"):
        case_group("nope")
    with pytest.raises(ValueError, match="kind must be one of case, study"):
        restore_cached("figure", "x", {}, "/nonexistent")


def test_jobs_that_refit_one_model_structure_share_a_group():
    from compare.cases import CASES

    groups = {name: case_group(name) for name in CASES}
    assert groups["lecture-1d"] == groups["lecture-1d-close"] == groups["worked-example"]
    assert groups["lecture-1d"] == "models:mixture/conjugate/full/K2/D1"
    assert groups["lecture-1d"] != groups["three-1d"]  # K=3
    assert groups["lecture-2d"] != groups["faithful-k2"]  # the conjugate prior against LKJ
    assert groups["regression"] == "models:linear/regression"
    assert study_group("coverage") == study_group("ladder") == groups["lecture-1d"]
    assert study_group("init-sensitivity") == groups["lecture-2d"]
    assert study_group("step-order") is None
    with pytest.raises(ValueError, match="unknown study 'nope'"):
        study_group("nope")


@pytest.mark.slow
def test_a_case_job_is_cached_and_restored(tmp_path):
    settings = {"seed": 0, "draws": 200, "tune": 200, "chains": 2, "sampler": "nutpie",
                "quick": True, "method": "numpy", "prior": None, "ladder": "default"}  # fmt: skip
    first = run_case_job("families", settings, str(tmp_path / "a"), str(tmp_path / "cache"))
    second = run_case_job("families", settings, str(tmp_path / "b"), str(tmp_path / "cache"))
    assert not first.report.cached and second.report.cached
    strip = lambda d: {k: v for k, v in d.items() if k != "timings"}  # noqa: E731
    assert strip(first.document) == strip(second.document)
    assert "compile" in first.report.detail and first.report.timings["sample"] > 0
