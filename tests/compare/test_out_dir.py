"""``--out`` is checked before any fitting, and an interrupted run keeps what it finished
(issue 16, first point)."""

import os
import stat
from types import SimpleNamespace

import pytest

from compare.cli import main
from compare.reports._files import out_dir_problem


def _read_only_folder(tmp_path):
    """A folder nobody may write to: chmod for a normal user; root ignores permission
    bits, so for root a folder of the read-only /proc file system stands in."""
    if os.geteuid() != 0:
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
        return folder
    return "/proc/self"


def test_a_writable_new_or_existing_folder_passes_and_nothing_is_left(tmp_path):
    assert out_dir_problem(tmp_path) is None
    assert out_dir_problem(tmp_path / "new" / "deeper") is None
    assert list(tmp_path.iterdir()) == []


def test_a_path_under_a_file_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    problem = out_dir_problem(tmp_path / "notes.txt" / "report")
    assert "--out" in problem and "is a file" in problem
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_a_read_only_folder_is_refused(tmp_path):
    folder = _read_only_folder(tmp_path)
    problem = out_dir_problem(os.path.join(folder, "report"), "--out")
    assert problem.startswith("--out") and "not writable" in problem


@pytest.mark.parametrize("command", [["run", "lecture-1d"], ["study", "coverage"]])
@pytest.mark.parametrize("where", ["read-only", "under-a-file"])
def test_unwritable_out_exits_2_before_fitting(command, where, tmp_path, capsys, monkeypatch):
    import compare.cli as cli

    def no_fitting(*args, **kwargs):
        raise AssertionError("fitting started despite an unwritable --out")

    monkeypatch.setattr(cli, "_run", no_fitting)
    monkeypatch.setattr(cli, "_studies", no_fitting)
    if where == "read-only":
        out = os.path.join(_read_only_folder(tmp_path), "report")
    else:
        (tmp_path / "notes.txt").write_text("mine")
        out = str(tmp_path / "notes.txt" / "report")
    assert main([*command, "--out", out]) == 2
    err = capsys.readouterr().err
    assert f"python -m compare {command[0]}: error: --out" in err
    assert "Traceback" not in err


def _result(name):
    case = SimpleNamespace(name=name, description="a case")
    return SimpleNamespace(case=case, metrics={}, diagnostics={}, timings={}, converged=True)


def test_run_interrupted_between_two_cases_keeps_the_first_whole(tmp_path, monkeypatch):
    from compare.reports import index, write_report

    def write_case(result, directory):
        if result.case.name == "second":  # Ctrl-C while the second case is being written
            (directory / "index.html").write_text("<html>half")
            raise KeyboardInterrupt
        (directory / "index.html").write_text("<html>complete</html>")
        (directory / "metrics.json").write_text("{}")
        return {"figures": []}

    monkeypatch.setattr(index, "write_case", write_case)
    out = tmp_path / "reports"
    with pytest.raises(KeyboardInterrupt):
        write_report([_result("first"), _result("second")], out)
    # The first case is complete; no half-written "second" and no temporary folder.
    assert sorted(p.name for p in out.iterdir()) == ["first"]
    assert (out / "first" / "index.html").read_text() == "<html>complete</html>"
    assert sorted(p.name for p in (out / "first").iterdir()) == ["index.html", "metrics.json"]


def test_interrupted_study_leaves_the_previous_page_and_no_temporary_folder(tmp_path, monkeypatch):
    from compare.reports import study_page

    out = tmp_path / "reports"
    target = out / "studies" / "coverage"
    target.mkdir(parents=True)
    (target / "index.html").write_text("old study page")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(study_page, "save_figures", interrupted)
    result = SimpleNamespace(name="coverage", figures=[], tables=[])
    with pytest.raises(KeyboardInterrupt):
        study_page.write_study(result, out)
    assert (target / "index.html").read_text() == "old study page"
    assert sorted(p.name for p in (out / "studies").iterdir()) == ["coverage"]
