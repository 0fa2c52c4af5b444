"""``python -m compare fit FILE``: a user's own file through the same comparison and page."""

from __future__ import annotations

import json

import numpy as np
import pytest

from compare.cli import main
from compare.userdata import write_mixture_csv

MEANS = np.array([[0.0, 0.0], [8.0, 4.0]])
COVS = np.array([np.eye(2), [[2.0, 0.5], [0.5, 1.0]]])
# Tiny sampler settings: the page's structure and EM's recovery are what is checked.
TINY = ["--draws", "60", "--tune", "60", "--chains", "2", "--quick"]


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("own")
    csv = folder / "My Data.csv"
    write_mixture_csv(csv, counts=(150, 100), means=MEANS, covariances=COVS, seed=3,
                      columns=("height", "width"), label_column="group")  # fmt: skip
    out = folder / "out"
    code = main(["fit", str(csv), "--mixture", "2", "--columns", "height,width", "--out",
                 str(out), *TINY])  # fmt: skip
    return code, csv, out


def test_fit_recovers_a_known_mixture_and_writes_a_case_page(fitted):
    code, csv, out = fitted
    assert code == 0
    page = out / "fit-my-data"
    doc = json.loads((page / "metrics.json").read_text())
    means = np.array(
        [[r["em_estimate"] for r in doc["parameters"] if r["parameter"] == "means"
          and r["index"][0] == k] for k in range(2)]
    )  # fmt: skip
    order = np.argsort(means[:, 0])
    np.testing.assert_allclose(means[order], MEANS, atol=0.4)
    # No truth: no coverage flags on either side, components matched to EM's.
    assert all(r["truth"] is None and r["em_covers"] is None for r in doc["parameters"])
    assert doc["alignment"]["em"]["reference"] == "EM"
    provenance = doc["sections"]["provenance"]
    assert provenance["path"] == str(csv.resolve())
    assert provenance["n_rows_used"] == 250 and provenance["columns_used"] == ["height", "width"]
    import hashlib

    assert provenance["sha256"] == hashlib.sha256(csv.read_bytes()).hexdigest()
    assert doc["sections"]["real_fit"]["ppc"], "the predictive check has rows"


def test_fit_page_has_the_sections_of_a_case_page(fitted, html_page):
    _, _, out = fitted
    text = (out / "fit-my-data" / "index.html").read_text()
    html_page.parse(text)
    for heading in ("Key numbers", "Parameters", "Figures", "ArviZ summary",
                    "Diagnostics and timings", "Where the data came from",
                    "How the model fits these real data"):  # fmt: skip
        assert f"<h2>{heading}" in text, heading
    assert "no true parameters are known" in text
    assert (out / "index.html").exists()
    assert (out / "fit-my-data" / "posterior.nc").exists()


def _write(path, text):
    path.write_text(text)
    return path


# (file name, content or None for "do not create", extra args, part of the message)
BAD = [
    ("missing.csv", None, ["--mixture", "2"], "no such file"),
    ("data.xlsx", "a,b\n1,2\n", ["--mixture", "2"], "unsupported type"),
    ("empty.csv", "", ["--mixture", "2"], "is empty"),
    ("header.csv", "a,b\n", ["--mixture", "2"], "no data rows"),
    ("text.csv", "a,b\n1,2\n3,x\n5,6\n", ["--mixture", "1"], "must hold numbers"),
    ("gap.csv", "a,b\n1,2\n3,\n5,6\n7,8\n", ["--mixture", "1"], "--drop-missing"),
    ("ragged.csv", "a,b\n1,2\n3\n", ["--mixture", "1"], "fields but the header"),
    ("dupe.csv", "a,a\n1,2\n3,4\n", ["--mixture", "1"], "duplicate column names"),
    ("few.csv", "a,b\n1,2\n3,4\n5,7\n", ["--mixture", "2"], "usable rows"),
    ("cols.csv", "a,b\n1,2\n3,4\n", ["--mixture", "1", "--columns", "a,z"], "no column 'z'"),
    ("logit.csv", "y,x\n0,1\n2,3\n1,4\n0,5\n1,6\n", ["--logistic", "y", "--x", "x"],
     "must hold only 0 and 1"),
    ("one.csv", "c\nred\nred\n", ["--counts", "c"], "single label"),
    ("nohead.csv", "1,2\n3,4\n", ["--mixture", "1"], "must name the columns"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "content", "extra", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_files_exit_2_with_their_message_and_write_nothing(
    tmp_path, capsys, name, content, extra, message
):
    path = tmp_path / name
    if content is not None:
        _write(path, content)
    out = tmp_path / "out"
    assert main(["fit", str(path), *extra, "--out", str(out), *TINY]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.startswith("python -m compare fit: error:")
    assert not out.exists()


def test_a_directory_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["fit", str(tmp_path), "--mixture", "1", "--out", str(out)]) == 2
    assert "is a directory" in capsys.readouterr().err
    assert not out.exists()


def test_out_that_is_a_file_is_refused_before_reading(tmp_path, capsys):
    data = _write(tmp_path / "d.csv", "a\n1\n2\n3\n")
    out = _write(tmp_path / "taken", "not a folder")
    assert main(["fit", str(data), "--mixture", "1", "--out", str(out)]) == 2
    assert "--out must be a folder" in capsys.readouterr().err
    assert out.read_text() == "not a folder"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--linear", "y"], "--x a,b"),
        (["--mixture", "1", "--x", "a"], "--x goes with"),
        (["--linear", "y", "--x", "a", "--columns", "a"], "--columns goes with --mixture"),
        (["--counts", "a", "--covariance", "tied"], "--covariance goes with --mixture"),
    ],
)
def test_options_that_do_not_go_together(tmp_path, capsys, extra, message):
    data = _write(tmp_path / "d.csv", "a,y\n1,2\n2,3\n3,5\n4,4\n")
    assert main(["fit", str(data), *extra, "--out", str(tmp_path / "out")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_model_option_is_required(tmp_path, capsys):
    data = _write(tmp_path / "d.csv", "a\n1\n2\n")
    assert main(["fit", str(data)]) == 2
    assert "one of the arguments --mixture --linear --logistic --counts is required" in (
        capsys.readouterr().err
    )
