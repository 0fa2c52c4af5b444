"""The init-sensitivity study: its tiny run through the public API, checked against itself
and against fits redone here; the full run is marked slow."""

import json

import numpy as np
import pytest
from matplotlib.figure import Figure

from compare.cases import get_case
from compare.studies import StudyConfig, StudyResult, run_study
from compare.studies import init_sensitivity as st
from compare.studies._common import fmt, percent

TINY = st.LEVEL_SETTINGS["tiny"]


@pytest.fixture(scope="module")
def tiny():
    return run_study("init-sensitivity", StudyConfig(level="tiny", seed=0))


def test_structure(tiny):
    assert isinstance(tiny, StudyResult)
    assert (tiny.name, tiny.question) == (st.NAME, st.QUESTION)
    assert tiny.settings["level"] == "tiny"
    assert tiny.settings["random_starts"] == TINY["random_starts"]
    assert [stem for stem, _, _ in tiny.figures] == ["optima", "starts", "chains"]
    assert all(isinstance(fig, Figure) and caption for _, fig, caption in tiny.figures)
    assert [t.name for t in tiny.tables] == ["optima", "lecture_starts", "chains"]
    json.dumps(tiny.data, allow_nan=False)
    assert len(tiny.data["starts"]) == 2 + TINY["random_starts"]
    assert tiny.timings["total"] > 0


def test_every_start_is_an_em_run_that_never_lost_likelihood(tiny):
    for record in tiny.data["starts"]:
        em = record["em"]
        # EM cannot lower the likelihood; only a re-seeded collapse (which warns) may.
        assert em["min_step"] >= -1e-6 or em["warnings"]
        assert -1.0 <= em["ari"] <= 1.0
        assert em["n_iter"] >= 1


def test_the_lecture_start_record_matches_a_fit_redone_here(tiny):
    from em import GaussianMixtureEM, KMeans

    X = get_case("lecture-2d").generate(0).X
    means = st.LECTURE_STARTS["lecture (20,30),(80,80)"]
    cov = np.cov(X, rowvar=False)
    gm = GaussianMixtureEM(
        2, weights_init=[0.5, 0.5], means_init=means, covariances_init=np.stack([cov, cov])
    ).fit(X)
    record = tiny.data["starts"][1]
    assert record["label"] == "lecture (20,30),(80,80)"
    assert record["em"]["log_likelihood"] == pytest.approx(gm.log_likelihood_, abs=1e-9)
    assert record["kmeans"]["inertia"] == pytest.approx(KMeans(2, init=means).fit(X).inertia_)


def test_optima_partition_the_starts(tiny):
    data = tiny.data
    n = len(data["starts"])
    for optima, key, sign in (
        (data["em_optima"], ("em", "log_likelihood"), 1),
        (data["kmeans_optima"], ("kmeans", "inertia"), -1),
    ):
        assert sorted(i for g in optima for i in g["starts"]) == list(range(n))
        values = [data["starts"][i][key[0]][key[1]] for i in range(n)]
        assert optima[0]["value"] == (max(values) if sign == 1 else min(values))
        # Best first; each start carries the rank of the optimum it is in.
        assert [sign * g["value"] for g in optima] == sorted(
            (sign * g["value"] for g in optima), reverse=True
        )
        for rank, g in enumerate(optima):
            assert all(data["starts"][i][key[0]]["optimum"] == rank for i in g["starts"])
    summary = data["summary"]
    for algo in ("em", "kmeans"):
        s = summary[algo]
        assert 0.0 <= s["fraction_reaching_best"] <= 1.0
        assert s["fraction_reaching_best"] == s["random_reaching_best"] / TINY["random_starts"]


def test_grouping_of_final_values():
    groups = st._optima([-10.0, -20.0, -10.05, -10.2], tol=0.1, best="max")
    assert [g["starts"] for g in groups] == [[0, 2], [3], [1]]
    assert [g["value"] for g in groups] == [-10.0, -10.2, -20.0]
    groups = st._optima([5.0, 3.0, 3.0], tol=1e-6, best="min")
    assert [g["starts"] for g in groups] == [[1, 2], [0]]


def test_chains_start_where_told_and_report_their_ends(tiny):
    nuts = tiny.data["nuts"]
    assert len(nuts["chains"]) == TINY["chains"]
    for chain, (label, means) in zip(nuts["chains"], st.LECTURE_STARTS.items(), strict=False):
        assert chain["start"] == label
        np.testing.assert_array_equal(chain["start_means"], means[np.argsort(means[:, 0])])
        end = np.array(chain["posterior_mean_mu"])
        assert end[0, 0] < end[1, 0]  # the model orders components by the first coordinate
        assert 0 <= chain["nearest_em_optimum"] < len(tiny.data["em_optima"])
    assert nuts["at_best"] == sum(c["nearest_em_optimum"] == 0 for c in nuts["chains"])


def test_answer_quotes_this_runs_numbers(tiny):
    s = tiny.data["summary"]
    n = TINY["random_starts"]
    for algo in ("em", "kmeans"):
        assert fmt(s[algo]["best"]) in tiny.answer
        assert percent(s[algo]["random_reaching_best"], n) in tiny.answer
    for value in s["em"]["lecture"].values():
        assert fmt(value["value"]) in tiny.answer
    second = s["em"]["second"]
    if second is not None:  # the runner-up optimum and how many random starts ended there
        assert fmt(second["value"]) in tiny.answer
        assert percent(second["random"], n) in tiny.answer
    assert fmt(tiny.data["nuts"]["max_rhat"], 3) in tiny.answer
    assert f"{tiny.data['nuts']['at_best']} ended nearest" in tiny.answer


@pytest.mark.slow
def test_full_run():
    result = run_study("init-sensitivity", StudyConfig(level="full", seed=1))
    full = st.LEVEL_SETTINGS["full"]
    assert len(result.data["starts"]) == 2 + full["random_starts"]
    assert len(result.data["nuts"]["chains"]) == full["chains"]
    assert 0.0 < result.data["summary"]["em"]["fraction_reaching_best"] <= 1.0
    assert fmt(result.data["summary"]["em"]["best"]) in result.answer
