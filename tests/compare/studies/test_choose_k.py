"""The choose-k study: its tiny run (1-D, K = 1 and 2) through the public API, its numbers
cross-checked; the full run (both data sets, K = 1..5) is marked slow."""

import json

import numpy as np
import pytest
from matplotlib.figure import Figure

from compare.cases import get_case
from compare.studies import StudyConfig, StudyResult, run_study
from compare.studies import choose_k as st
from compare.studies._common import fmt

TINY = st.LEVEL_SETTINGS["tiny"]


@pytest.fixture(scope="module")
def tiny():
    return run_study("choose-k", StudyConfig(level="tiny", seed=0))


def test_structure(tiny):
    assert isinstance(tiny, StudyResult)
    assert (tiny.name, tiny.question) == (st.NAME, st.QUESTION)
    assert tiny.settings["level"] == "tiny"
    assert tiny.settings["ks"] == TINY["ks"]
    assert list(tiny.data) == list(TINY["datasets"])
    assert [stem for stem, _, _ in tiny.figures] == ["criteria", "chain_weights"]
    assert all(isinstance(fig, Figure) and caption for _, fig, caption in tiny.figures)
    assert [t.name for t in tiny.tables] == ["em_by_k", "posterior_by_k"]
    assert len(tiny.tables[1].rows) == len(TINY["ks"]) * len(TINY["datasets"])
    json.dumps(tiny.data, allow_nan=False)


def test_information_criteria_are_recomputable(tiny):
    r = tiny.data["lecture-1d"]
    n = get_case("lecture-1d").generate(0).X.shape[0]
    for k in map(str, TINY["ks"]):
        em = r["em"][k]
        assert np.isfinite(em["bic"])
        assert em["bic"] == pytest.approx(
            -2 * em["log_likelihood"] + em["n_parameters"] * np.log(n)
        )
        assert em["aic"] == pytest.approx(-2 * em["log_likelihood"] + 2 * em["n_parameters"])
        assert sum(em["weights"]) == pytest.approx(1.0)
    # K = 1 is one Gaussian: its MLE is the sample mean and the biased variance.
    x = get_case("lecture-1d").generate(0).x1d
    one = -0.5 * n * (np.log(2 * np.pi * x.var()) + 1)
    assert r["em"]["1"]["log_likelihood"] == pytest.approx(one, abs=1e-6)
    assert r["em"]["1"]["n_parameters"] == 2
    assert r["choice"]["bic"] == min(TINY["ks"], key=lambda k: r["em"][str(k)]["bic"])


def test_loo_and_the_arviz_ranking_agree(tiny):
    r = tiny.data["lecture-1d"]
    ranks = {k: c["rank"] for k, c in r["compare"].items()}
    assert sorted(ranks.values()) == list(range(len(TINY["ks"])))
    best = min(ranks, key=ranks.get)
    assert r["choice"]["loo"] == int(best)
    assert r["compare"][best]["elpd_diff"] == 0.0
    for k, c in r["compare"].items():
        # az.compare's difference and our own PSIS-LOO of the same draws are one number.
        diff = r["bayes"][k]["loo_elpd"] - r["bayes"][best]["loo_elpd"]
        assert c["elpd_diff"] == pytest.approx(diff, abs=1e-6)
    assert sum(c["weight"] for c in r["compare"].values()) == pytest.approx(1.0)


def test_one_component_posterior_and_flags(tiny):
    r = tiny.data["lecture-1d"]
    # K = 1 needs no ordering and its only weight is 1 in every chain.
    np.testing.assert_allclose(r["bayes"]["1"]["chain_weights"], [[1.0]] * TINY["chains"])
    for k, b in r["bayes"].items():
        np.testing.assert_allclose(np.sum(b["chain_weights"], axis=1), 1.0)
        should = (not b["ok"]) or b["loo_max_pareto_k"] > st.PARETO_K_MAX
        assert b["flagged"] == should
        assert any(w.startswith(f"lecture-1d, K={k}:") for w in tiny.warnings) == should


def test_answer_quotes_this_runs_numbers(tiny):
    r = tiny.data["lecture-1d"]
    kb, kl = str(r["choice"]["bic"]), str(r["choice"]["loo"])
    assert f"BIC picks K={kb} (BIC {fmt(r['em'][kb]['bic'])})" in tiny.answer
    assert f"LOO picks K={kl} (ELPD {fmt(r['bayes'][kl]['loo_elpd'])}" in tiny.answer
    runner = next(k for k, c in r["compare"].items() if c["rank"] == 1)
    assert f"K={runner} is {fmt(-r['compare'][runner]['elpd_diff'])}" in tiny.answer


@pytest.mark.slow
def test_full_run():
    result = run_study("choose-k", StudyConfig(level="full", seed=0))
    for name in ("lecture-1d", "lecture-2d"):
        r = result.data[name]
        assert r["ks"] == [1, 2, 3, 4, 5]
        # Two well-separated clusters: BIC's penalty finds them on both data sets.
        assert r["choice"]["bic"] == 2
        assert all(np.isfinite(r["em"][str(k)]["bic"]) for k in r["ks"])
