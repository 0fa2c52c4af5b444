import os
import stat
from types import SimpleNamespace

import pytest

from compare.reports._files import write_atomic_dir, write_text_atomic


def test_replaces_directory_and_keeps_top_level_files(tmp_path):
    out = tmp_path / "reports"
    (out / "old-case").mkdir(parents=True)
    (out / "README.md").write_text("keep me")
    (out / "index.html").write_text("old index")

    def build(tmp):
        (tmp / "index.html").write_text("new index")
        (tmp / "case").mkdir()

    write_atomic_dir(out, build)
    assert (out / "index.html").read_text() == "new index"
    assert (out / "README.md").read_text() == "keep me"
    assert (out / "case").is_dir() and not (out / "old-case").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]


def test_interrupted_build_leaves_old_report_untouched(tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    (out / "index.html").write_text("old index")

    def build(tmp):
        (tmp / "index.html").write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomic_dir(out, build)
    assert (out / "index.html").read_text() == "old index"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]


def test_creates_missing_parents(tmp_path):
    out = tmp_path / "a" / "b"
    write_atomic_dir(out, lambda tmp: (tmp / "x.txt").write_text("x"))
    assert (out / "x.txt").read_text() == "x"


# --------------------------------------------------------------------------------------------
# The report owns only what it writes (issue 16, first point).


def _user_files(out):
    (out / "mydata" / "deep").mkdir(parents=True)
    (out / "mydata" / "deep" / "notes.txt").write_text("mine")
    (out / "src" / "pkg").mkdir(parents=True)
    (out / "src" / "pkg" / "mod.py").write_text("x = 1\n")
    (out / "README.md").write_text("keep me")


def _assert_user_files(out):
    assert (out / "mydata" / "deep" / "notes.txt").read_text() == "mine"
    assert (out / "src" / "pkg" / "mod.py").read_text() == "x = 1\n"
    assert (out / "README.md").read_text() == "keep me"


def test_report_keeps_the_users_folders_files_and_mode(tmp_path):
    from compare.reports import write_report

    out = tmp_path / "reports"
    out.mkdir()
    _user_files(out)
    out.chmod(0o751)
    index = write_report([], out)
    assert index == out.resolve() / "index.html" and index.is_file()
    _assert_user_files(out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o751
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "index.html", "mydata", "src"]


def test_report_refuses_a_file_as_out(tmp_path):
    from compare.reports import write_report, write_study

    target = tmp_path / "report.txt"
    target.write_text("not a folder")
    with pytest.raises(ValueError, match="out must be a folder"):
        write_report([], target)
    with pytest.raises(ValueError, match="out must be a folder"):
        write_study(None, target)
    assert target.read_text() == "not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt"]


def test_replaced_folder_keeps_its_mode_and_siblings(tmp_path):
    (tmp_path / "case").mkdir()
    (tmp_path / "case" / "old.png").write_text("old")
    (tmp_path / "case").chmod(0o750)
    (tmp_path / "sibling").mkdir()
    write_atomic_dir(
        tmp_path / "case", lambda tmp: (tmp / "new.png").write_text("new"), keep_files=False
    )
    assert sorted(p.name for p in (tmp_path / "case").iterdir()) == ["new.png"]
    assert stat.S_IMODE((tmp_path / "case").stat().st_mode) == 0o750
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case", "sibling"]


def test_new_folder_gets_the_umask_mode_not_a_private_one(tmp_path):
    umask = os.umask(0o022)
    try:
        write_atomic_dir(tmp_path / "case", lambda tmp: None)
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "case").stat().st_mode) == 0o755


def test_failed_build_of_a_new_folder_leaves_nothing(tmp_path):
    def build(tmp):
        (tmp / "half.png").write_text("x")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        write_atomic_dir(tmp_path / "case", build)
    assert list(tmp_path.iterdir()) == []


def test_text_is_written_atomically_and_keeps_the_mode(tmp_path):
    page = tmp_path / "index.html"
    page.write_text("old")
    page.chmod(0o640)
    write_text_atomic(page, "new")
    assert page.read_text() == "new"
    assert stat.S_IMODE(page.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["index.html"]


def _fake_result(name="lecture-1d"):
    case = SimpleNamespace(name=name, description="a case")
    return SimpleNamespace(case=case, metrics={}, diagnostics={}, timings={}, converged=True)


def _fake_writer(text, interrupt=False):
    """Stands in for write_case: writes one page (and is interrupted halfway if asked)."""

    def write_case(result, directory):
        (directory / "index.html").write_text(text)
        if interrupt:
            raise KeyboardInterrupt
        return {"figures": []}

    return write_case


def test_case_folder_is_replaced_whole_beside_the_users_files(tmp_path, monkeypatch):
    from compare.reports import index, write_report

    out = tmp_path / "reports"
    out.mkdir()
    _user_files(out)
    (out / "lecture-1d").mkdir()
    (out / "lecture-1d" / "stale.png").write_text("a figure this version no longer draws")
    monkeypatch.setattr(index, "write_case", _fake_writer("new page"))
    write_report([_fake_result()], out)
    _assert_user_files(out)
    assert sorted(p.name for p in (out / "lecture-1d").iterdir()) == ["index.html"]
    assert (out / "lecture-1d" / "index.html").read_text() == "new page"
    assert "lecture-1d/index.html" in (out / "index.html").read_text()
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]


def test_interrupted_case_leaves_the_old_complete_page(tmp_path, monkeypatch):
    from compare.reports import index, write_report

    out = tmp_path / "reports"
    monkeypatch.setattr(index, "write_case", _fake_writer("old page"))
    write_report([_fake_result()], out)
    old_index = (out / "index.html").read_text()
    monkeypatch.setattr(index, "write_case", _fake_writer("half", interrupt=True))
    with pytest.raises(KeyboardInterrupt):
        write_report([_fake_result()], out)
    assert (out / "lecture-1d" / "index.html").read_text() == "old page"
    assert (out / "index.html").read_text() == old_index
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "lecture-1d"]
