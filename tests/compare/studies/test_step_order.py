"""The step-order study: its tiny run through the public API, checked against independent
computations; the full run is marked slow."""

import json

import numpy as np
import pytest
from matplotlib.figure import Figure
from scipy.stats import multivariate_normal

from compare.cases import get_case
from compare.studies import StudyConfig, StudyResult, run_study
from compare.studies import step_order as st
from compare.studies._common import (
    fmt,
    partition_parameters,
    percent,
    responsibility_parameters,
)

TINY = st.LEVEL_SETTINGS["tiny"]


@pytest.fixture(scope="module")
def tiny():
    return run_study("step-order", StudyConfig(level="tiny", seed=0))


def _runs(result, name, order, algorithm="soft"):
    return [
        r
        for r in result.data["order"][name]["runs"]
        if r["order"] == order and r["algorithm"] == algorithm
    ]


def test_structure(tiny):
    assert isinstance(tiny, StudyResult)
    assert (tiny.name, tiny.question) == (st.NAME, st.QUESTION)
    assert tiny.settings["level"] == "tiny"
    assert tiny.settings["replications"] == TINY["replications"]
    assert [stem for stem, _, _ in tiny.figures] == [
        "order_traces",
        "algorithm_traces",
        "algorithm_errors",
    ]
    assert all(isinstance(fig, Figure) and caption for _, fig, caption in tiny.figures)
    assert [t.name for t in tiny.tables] == ["step_order", "algorithms", "bias"]
    json.dumps(tiny.data, allow_nan=False)
    guesses = TINY["lecture_guesses"] + TINY["random_guesses"]
    for name in st.ORDER_CASES:
        assert len(_runs(tiny, name, "E first")) == guesses
        assert len(_runs(tiny, name, "M first, random labels", "hard")) == TINY["random_labels"]


@pytest.mark.parametrize("name", st.ORDER_CASES)
def test_m_first_from_uniform_responsibilities_is_the_one_gaussian_fit(tiny, name):
    X = get_case(name).generate(0).X
    (run,) = _runs(tiny, name, "M first, uniform P(C|x)")
    # Both components equal the single Gaussian MLE, so the mixture is that Gaussian.
    one = multivariate_normal(X.mean(axis=0), np.cov(X, rowvar=False, bias=True))
    assert run["log_likelihood"] == pytest.approx(one.logpdf(X).sum(), abs=1e-3)
    final = np.array(run["final_means"])
    np.testing.assert_allclose(final[0], final[1])
    assert tiny.data["order"][name]["summary"]["uniform"]["distinct_final_means"] == 1
    assert not run["at_best"]


@pytest.mark.parametrize("name", st.ORDER_CASES)
def test_m_first_from_zero_labels_fails_with_nan(tiny, name):
    (run,) = _runs(tiny, name, "M first, labels all 0", "hard")
    d = get_case(name).generate(0).X.shape[1]
    assert run["failed"] and run["log_likelihood"] is None
    assert run["n_nan"] == d  # component 1's mean, every coordinate
    assert run["start_means"][1] == [None] * d


def test_soft_em_never_loses_likelihood_and_runs_are_ranked_by_the_best(tiny):
    for res in tiny.data["order"].values():
        best = res["summary"]["best"]
        for run in res["runs"]:
            if run["failed"]:
                continue
            if run["algorithm"] == "soft":
                assert np.diff(run["history"]).min(initial=0.0) >= -1e-6 or run["warnings"]
            assert run["at_best"] == (run["log_likelihood"] >= best - st.SAME_OPTIMUM_NATS)
            assert run["log_likelihood"] <= best


def test_bias_is_the_mean_of_the_recorded_errors(tiny):
    for a in tiny.data["algorithms"].values():
        assert len(a["records"]) == TINY["replications"]
        for method in ("soft", "hard", "kmeans"):
            for p, true in a["truth"].items():
                errors = [r[method]["estimates"][p] - true for r in a["records"]]
                assert a["bias"][method][p]["mean_error"] == pytest.approx(np.mean(errors))
            for r in a["records"]:
                w = [v for k, v in r[method]["estimates"].items() if k.startswith("w[")]
                assert sum(w) == pytest.approx(1.0)


def test_m_step_helpers():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    labels = np.arange(30) % 3
    p = partition_parameters(X, labels, 3)
    for k in range(3):
        np.testing.assert_allclose(p["means"][k], X[labels == k].mean(axis=0))
        np.testing.assert_allclose(
            p["covariances"][k], np.cov(X[labels == k], rowvar=False, bias=True) + 1e-6 * np.eye(2)
        )
    np.testing.assert_allclose(p["weights"], [1 / 3] * 3)
    soft = responsibility_parameters(X, np.full((30, 2), 0.5))
    np.testing.assert_allclose(soft["means"], [X.mean(axis=0)] * 2)
    with pytest.raises(ValueError, match="every cluster needs a point"):
        partition_parameters(X, np.zeros(30, dtype=int), 2)


def test_answer_quotes_this_runs_numbers(tiny):
    for name, res in tiny.data["order"].items():
        s = res["summary"]
        assert f"On {name}, E first" in tiny.answer
        assert fmt(s["lecture_e_first"]["log_likelihood"]) in tiny.answer
        assert fmt(s["uniform"]["log_likelihood"]) in tiny.answer
        assert percent(s["e_first_at_best"], s["e_first_runs"]) in tiny.answer
        assert percent(s["random_labels_at_best"], s["random_labels_runs"]) in tiny.answer
    bias = tiny.data["algorithms"]["lecture-1d-close"]["bias"]
    for method in ("soft", "hard", "kmeans"):
        assert fmt(bias[method]["sd[1]"]["mean_error"], 2) in tiny.answer


@pytest.mark.slow
def test_full_run_hard_em_is_biased_where_clusters_overlap():
    result = run_study("step-order", StudyConfig(level="full", seed=0))
    bias = result.data["algorithms"]["lecture-1d-close"]["bias"]

    def worst(method):
        return max(abs(b["mean_error"]) for p, b in bias[method].items() if p.startswith("mu"))

    assert worst("hard") > 2 * worst("soft")
    for name, res in result.data["order"].items():
        uniform = res["summary"]["uniform"]
        assert uniform["log_likelihood"] < res["summary"]["best"], name
