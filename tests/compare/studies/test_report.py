"""Study pages on disk: the CLI end to end, the indexes, and the case report keeping them."""

import csv
import json
import re

import numpy as np
import pytest
from matplotlib.figure import Figure

import compare.studies
from compare.cli import main
from compare.reports import write_report
from compare.studies import STUDIES, StudyResult, Table
from compare.studies.report import BLOCK_START, link_studies, write_study


def _images_exist(page):
    sources = re.findall(r"<img src='([^']+)'", page.read_text())
    assert sources, page
    for src in sources:
        assert (page.parent / src).is_file(), src
    return sources


def _fake_result(name="sample-size", warnings=()):
    fig = Figure()
    fig.add_subplot().plot([0, 1], [1, 0])
    return StudyResult(
        name=name,
        question=f"What does {name} ask?",
        answer="It answers 0.85 ± 0.08.",
        figures=[("picture", fig, "A line.")],
        tables=[Table("numbers", "Some numbers.", ["a", "b"], [[1, 2.5], ["x", None]])],
        data={"values": [1.0, float("nan")], "array": np.array([[np.inf, 2.0]])},
        settings={"level": "tiny", "seed": 0, "sampler": "nutpie"},
        timings={"total": 1.5},
        warnings=list(warnings),
    )


@pytest.fixture(scope="module")
def cli_out(tmp_path_factory, tiny_sample_size):
    # tiny_sample_size first: the CLI's run then finds its models compiled.
    out = tmp_path_factory.mktemp("cli") / "reports"
    code = main(["study", "sample-size", "--level", "tiny", "--seed", "1", "--out", str(out)])
    return code, out


def test_cli_writes_the_study(cli_out, capsys):
    code, out = cli_out
    assert code == 0
    study = out / "studies" / "sample-size"
    for name in (
        "index.html",
        "results.json",
        "summary.csv",
        "widths.png",
        "ratio.png",
        "bias.png",
    ):
        assert (study / name).stat().st_size > 0, name
    doc = json.loads((study / "results.json").read_text())
    assert doc["name"] == "sample-size" and doc["level"] == "tiny"
    assert {"data", "settings", "timings", "warnings", "answer", "question"} <= set(doc)
    page = (study / "index.html").read_text()
    # The question comes first, then the answer, both as generated.
    q, a = page.index(doc["question"].replace("'", "&#x27;")), page.index("Answer")
    assert q < a < page.index("<h2>")
    with open(study / "summary.csv") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:2] == ["n per component", "parameter"] and len(rows) > 1


def test_cli_links_the_study_from_both_indexes(cli_out):
    _, out = cli_out
    top = (out / "index.html").read_text()
    assert "href='studies/sample-size/index.html'" in top
    listing = (out / "studies" / "index.html").read_text()
    assert "href='sample-size/index.html'" in listing and "tiny" in listing
    for page in (out / "studies" / "sample-size" / "index.html",):
        _images_exist(page)


def test_case_report_keeps_the_studies(cli_out, tmp_path):
    import shutil

    _, out = cli_out
    copy = tmp_path / "reports"
    shutil.copytree(out, copy)
    write_report([], copy)
    assert (copy / "studies" / "sample-size" / "widths.png").is_file()
    index = (copy / "index.html").read_text()
    assert index.count(BLOCK_START) == 1
    assert "href='studies/sample-size/index.html'" in index
    # A later study replaces the block in place rather than adding a second one.
    write_study(_fake_result("coverage"), copy)
    index = (copy / "index.html").read_text()
    assert index.count(BLOCK_START) == 1
    assert "studies/coverage/index.html" in index and "studies/sample-size/index.html" in index
    assert "EM vs Bayes: comparison report" in index  # the case report's index is kept


def test_unknown_study_exits_2_and_lists_valid(capsys, tmp_path):
    assert main(["study", "sample-size", "no-such", "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "no-such" in err and ", ".join(STUDIES) in err
    assert not (tmp_path / "r").exists()


def test_failed_study_exits_1_and_keeps_the_others(monkeypatch, tmp_path, capsys):
    def fake_run(name, config):
        if name == "coverage":
            raise RuntimeError("boom")
        return _fake_result(name)

    monkeypatch.setattr(compare.studies, "run_study", fake_run)
    out = tmp_path / "r"
    # One worker: the jobs run in this process, where run_study is replaced.
    argv = ["study", "coverage", "sample-size", "--quick", "--workers", "1", "--out", str(out)]
    assert main(argv) == 1
    printed = capsys.readouterr()
    assert "FAILED: RuntimeError: boom" in printed.out and "coverage" in printed.err
    assert (out / "studies" / "sample-size" / "index.html").is_file()
    assert not (out / "studies" / "coverage").exists()


def test_page_of_a_result(tmp_path):
    page = write_study(_fake_result(warnings=["chains did not converge"]), tmp_path)
    text = page.read_text()
    assert "class='warn'" in text and "chains did not converge" in text
    assert _images_exist(page) == ["picture.png"]
    assert (page.parent / "numbers.csv").read_text().splitlines()[0] == "a,b"
    doc = json.loads((page.parent / "results.json").read_text())
    assert doc["data"]["values"] == [1.0, None]  # NaN is not JSON
    assert doc["data"]["array"] == [[None, 2.0]]
    # Minimal top index, since there was no case report.
    assert "studies/sample-size/index.html" in (tmp_path / "index.html").read_text()
    clean = write_study(_fake_result(), tmp_path).read_text()
    assert "class='warn'" not in clean


def test_link_studies_inserts_before_body(tmp_path):
    (tmp_path / "index.html").write_text("<html><body><h1>cases</h1></body></html>")
    write_study(_fake_result(), tmp_path)
    text = (tmp_path / "index.html").read_text()
    assert text.startswith("<html><body><h1>cases</h1>" + BLOCK_START)
    assert text.endswith("</body></html>")
    link_studies(tmp_path)
    assert (tmp_path / "index.html").read_text() == text
