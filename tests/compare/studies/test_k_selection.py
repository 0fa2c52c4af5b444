"""The k-selection study: its data design, its tiny run through the public API with every
summary recomputed from the per-data-set choices; the full run is marked slow."""

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.figure import Figure

from compare.studies import QUESTIONS, STUDIES, StudyConfig, StudyResult, run_study
from compare.studies import k_selection as ks
from compare.studies.k_selection import _design

TINY = ks.LEVEL_SETTINGS["tiny"]


@pytest.fixture(scope="module")
def tiny():
    return run_study("k-selection", StudyConfig(level="tiny", seed=0))


def test_registered_with_its_question():
    assert STUDIES["k-selection"] == "k_selection"
    assert QUESTIONS["k-selection"] == ks.QUESTION
    # choose-k keeps its own question (the lecture's data, the too-large K posterior).
    assert "choose-k" in STUDIES


@given(st.integers(1, 4), st.integers(4, 500), st.sampled_from(list(_design.SEPARATIONS)))
def test_simulated_data_have_the_fixed_component_shares(k_true, n, separation):
    counts = _design.component_counts(n, k_true)
    assert counts.sum() == n and counts.max() - counts.min() <= 1
    x = _design.simulate(separation, k_true, n, seed=1)
    assert x.shape == (n,)
    z = _design.standardise(x)
    assert z.mean() == pytest.approx(0.0, abs=1e-9) and z.std() == pytest.approx(1.0)


def test_design_matches_the_lecture_pairs():
    assert _design.truth("separated", 2) == {"means": [0.0, 10.0], "sds": [3.0, 1.0]}
    assert _design.truth("overlapping", 2) == {"means": [1.0, 3.0], "sds": [1.0, 1.0]}
    x = _design.simulate("separated", 2, 20000, seed=0)
    assert x[:10000].mean() == pytest.approx(0.0, abs=0.1)
    assert x[10000:].std() == pytest.approx(1.0, abs=0.05)
    with pytest.raises(ValueError, match="separation"):
        _design.truth("touching", 2)
    with pytest.raises(ValueError, match="k_true"):
        _design.component_counts(3, 4)


def test_structure(tiny):
    assert isinstance(tiny, StudyResult)
    assert (tiny.name, tiny.question) == (ks.NAME, ks.QUESTION)
    assert tiny.settings["level"] == "tiny"
    assert [stem for stem, _, _ in tiny.figures] == ["accuracy", "pareto_k"]
    assert all(isinstance(fig, Figure) and caption for _, fig, caption in tiny.figures)
    assert [t.name for t in tiny.tables] == ["accuracy", "confusion", "pareto_k"]
    json.dumps(tiny.data, allow_nan=False)
    cells = tiny.data["cells"]
    assert len(cells) == len(_design.SEPARATIONS) * len(TINY["ns"]) * len(TINY["k_true"])
    for cell in cells:
        reps = cell["replications"]
        assert len(reps) == TINY["replications"]
        for i, r in enumerate(reps):
            expected = {"bic", "aic", "icl", "vb", "vb-sparse"}
            expected |= {"cv", "lrt"} if i < TINY["slow_subset"] else set()
            expected |= {"loo"} if i < TINY["loo_subset"] else set()
            assert set(r["chosen"]) == expected
            assert all(k in TINY["ks"] for k in r["chosen"].values())


def test_summary_is_recomputable_from_the_choices(tiny):
    rows = {(r["separation"], r["k_true"], r["criterion"]): r for r in tiny.data["summary"]}
    for cell in tiny.data["cells"]:
        for criterion in ks.CRITERIA:
            chosen = [
                r["chosen"][criterion] for r in cell["replications"] if criterion in r["chosen"]
            ]
            row = rows[(cell["separation"], cell["k_true"], criterion)]
            p = np.mean(np.asarray(chosen) == cell["k_true"])
            assert row["runs"] == len(chosen)
            assert row["fraction"] == pytest.approx(p)
            assert row["se"] == pytest.approx(np.sqrt(p * (1 - p) / len(chosen)))
            # The confusion row counts every data set once.
            assert sum(row["counts"]) == row["runs"]
            assert row["counts"][TINY["ks"].index(cell["k_true"])] == row["correct"]
            assert row["correct"] + row["under"] + row["over"] == row["runs"]


def test_loo_choice_is_the_highest_elpd_and_pareto_k_recorded(tiny):
    for cell in tiny.data["cells"]:
        for r in cell["replications"]:
            if "loo" not in r:
                continue
            loo = r["loo"]
            assert r["chosen"]["loo"] == TINY["ks"][int(np.argmax(loo["elpd"]))]
            assert all(0 <= s <= 1 for s in loo["share_bad_k"])
            assert len(loo["max_pareto_k"]) == len(TINY["ks"])


def test_answer_quotes_this_runs_numbers(tiny):
    for separation in _design.SEPARATIONS:
        for criterion in ("bic", "loo", "icl"):
            s = ks.pooled(tiny.data["summary"], criterion, separation)
            share = f"{criterion.upper()} {s['correct']}/{s['runs']} ({100 * s['fraction']:.0f} %)"
            assert share in tiny.answer


def test_timings_reported(tiny):
    for key in ("total", "em_fast", "em_slow", "vb", "compile", "sampling", "loo"):
        assert tiny.timings[key] >= 0
    assert tiny.timings["total"] >= tiny.timings["em_fast"] + tiny.timings["vb"]


@pytest.mark.slow
def test_full_run():
    result = run_study("k-selection", StudyConfig(level="full", seed=0))
    summary = result.data["summary"]
    # Well-separated components: BIC finds K_true almost always at both sample sizes.
    bic = ks.pooled(summary, "bic", "separated")
    assert bic["fraction"] > 0.9
    assert {r["n"] for r in summary} == {200, 1000}
