import pytest

from compare.report import write_atomic_dir


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
