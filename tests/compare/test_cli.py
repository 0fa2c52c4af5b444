import subprocess
import sys
from pathlib import Path

import pytest

from compare import CASES
from compare.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_list(capsys):
    from compare.studies import STUDIES

    assert main(["list"]) == 0
    cases, studies = capsys.readouterr().out.split("\n\n")
    # One line per case, in the registry's order (lecture-2d-k3 right after lecture-2d).
    assert [line.split()[0] for line in cases.splitlines()] == list(CASES)
    # Then a header and one line per study with its question.
    lines = studies.splitlines()
    assert lines[0].startswith("studies")
    assert [line.split()[0] for line in lines[1:]] == list(STUDIES)


def test_unknown_case_exits_2_and_lists_valid(capsys, tmp_path):
    assert main(["run", "lecture-1d", "lecture-9d", "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "lecture-9d" in err and ", ".join(CASES) in err
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--sampler", "metropolis"],
        ["run", "--draws", "0"],
        ["run", "--chains", "x"],
        ["run", "--bogus"],
        ["frobnicate"],
        [],
    ],
)
def test_bad_options_exit_2(argv, capsys):
    assert main(argv) == 2
    assert "usage" in capsys.readouterr().err


def test_bad_sampler_message_lists_choices(capsys):
    main(["run", "--sampler", "metropolis"])
    assert "nutpie" in capsys.readouterr().err


def test_module_entry_point_exit_code():
    proc = subprocess.run(
        [sys.executable, "-m", "compare", "run", "no-such-case"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "valid cases" in proc.stderr


def test_run_rejects_bad_settings_before_fitting():
    import compare

    with pytest.raises(ValueError, match="nutpie, pymc"):
        compare.run("lecture-1d", sampler="gibbs")
    with pytest.raises(ValueError, match="numpy, marsaglia"):
        compare.run("lecture-1d", method="box-muller")
    with pytest.raises(ValueError, match="draws"):
        compare.run("lecture-1d", draws=0)
    with pytest.raises(ValueError, match="valid cases"):
        compare.run("nope")


@pytest.mark.parametrize("command", [["run", "lecture-1d"], ["study", "coverage"]])
def test_out_that_is_a_file_exits_2_before_fitting_and_is_kept(command, tmp_path, capsys):
    target = tmp_path / "notes.txt"
    target.write_text("mine")
    assert main([*command, "--out", str(target)]) == 2
    assert "--out must be a folder" in capsys.readouterr().err
    assert target.read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
