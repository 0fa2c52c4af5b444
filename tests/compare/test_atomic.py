"""compare._atomic: the one atomic file writer of the report and the player."""

import os
import stat

import pytest

from compare._atomic import write_file_atomic
from compare.reports._files import write_text_atomic


def test_writes_bytes_and_text_and_counts_them(tmp_path):
    assert write_file_atomic(tmp_path / "a" / "x.bin", b"\x00\x01") == 2
    assert write_file_atomic(tmp_path / "t.txt", "é") == 2  # UTF-8
    assert (tmp_path / "a" / "x.bin").read_bytes() == b"\x00\x01"
    assert (tmp_path / "t.txt").read_text(encoding="utf-8") == "é"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "t.txt"]  # no temporary left


def test_keeps_an_existing_files_mode_and_gives_a_new_one_the_umasks(tmp_path):
    old = tmp_path / "old.png"
    old.write_bytes(b"x")
    os.chmod(old, 0o600)
    write_file_atomic(old, b"y")
    assert stat.S_IMODE(old.stat().st_mode) == 0o600
    umask = os.umask(0)
    os.umask(umask)
    new = tmp_path / "new.png"
    write_file_atomic(new, b"z")
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~umask


def test_the_reports_text_writer_is_the_same_writer(tmp_path):
    assert write_text_atomic(tmp_path / "i.html", "<p>") == tmp_path / "i.html"
    assert (tmp_path / "i.html").read_text() == "<p>"


def test_content_must_be_bytes_or_text(tmp_path):
    with pytest.raises(TypeError, match="content must be bytes or str; got int"):
        write_file_atomic(tmp_path / "x", 3)
