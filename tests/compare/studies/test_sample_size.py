"""The sample-size study: its tiny run through the public API, its answer and its figures."""

import io

import numpy as np
import pytest
from matplotlib.figure import Figure

from compare.studies import StudyConfig, StudyResult, run_study
from compare.studies import sample_size as ss
from compare.studies._fits import _collapsed
from compare.studies.sample_size.figures import ratio_figure, width_figure

TINY = ss.LEVEL_SETTINGS["tiny"]
PARAMS = ["weights[0]", "weights[1]", "means[0]", "means[1]", "sigma[0]", "sigma[1]"]


def test_structure(tiny_sample_size):
    result = tiny_sample_size
    assert isinstance(result, StudyResult)
    assert (result.name, result.question) == (ss.NAME, ss.QUESTION)
    assert result.settings["level"] == "tiny"
    assert result.settings["n_per_component"] == TINY["n_per_component"]
    assert [stem for stem, _, _ in result.figures] == ["widths", "ratio", "bias"]
    assert all(isinstance(fig, Figure) and caption for _, fig, caption in result.figures)
    summary = result.data["summary"]
    assert list(summary) == [str(n) for n in TINY["n_per_component"]]
    for s in summary.values():
        assert list(s["parameters"]) == PARAMS
    assert [s["replications"] for s in summary.values()] == TINY["replications"]
    records = result.data["replications"]
    assert len(records) == sum(TINY["replications"])
    # Widths are those of the recorded intervals; every HDI is a proper interval.
    for rec in records:
        for p in rec["parameters"].values():
            assert p["em_width"] == p["em_interval"][1] - p["em_interval"][0]
            assert p["hdi_width"] > 0


def test_summary_is_recomputed_from_the_data_sets(tiny_sample_size):
    data = tiny_sample_size.data
    for n, s in data["summary"].items():
        recs = [r for r in data["replications"] if r["n_per_component"] == int(n)]
        for name, p in s["parameters"].items():
            em = [r["parameters"][name]["em_width"] for r in recs]
            err = [
                r["parameters"][name]["posterior_mean"] - r["parameters"][name]["truth"]
                for r in recs
            ]
            assert p["em_width"] == pytest.approx(np.median(em))
            assert p["post_bias"] == pytest.approx(np.mean(err))
            assert p["ratio"] == pytest.approx(p["em_width"] / p["hdi_width"])
        assert s["collapsed"] == sum(r["collapsed"] for r in recs)


def test_answer_quotes_the_numbers(tiny_sample_size):
    result = tiny_sample_size
    summary = result.data["summary"]
    n0 = TINY["n_per_component"][0]
    # The parameter whose widths differ most at the smallest n is quoted with both widths.
    name, p = max(
        summary[str(n0)]["parameters"].items(), key=lambda kv: ss.deviation(kv[1]["ratio"])
    )
    assert (
        f"At n={n0} per component (medians of {TINY['replications'][0]} data sets) the EM 95 % "
        f"interval for {name} is {p['em_width']:.3g} wide against the posterior HDI's "
        f"{p['hdi_width']:.3g}" in result.answer
    )
    assert f"{ss.NORMAL_RATIO:.2f} times" in result.answer
    total = sum(s["collapsed"] + s["infinite"] for s in summary.values())
    if total == 0:
        n_sets = len(result.data["replications"])
        assert f"did not collapse in any of the {n_sets} data sets" in result.answer
    else:
        assert "collapsed a component" in result.answer


def test_seeds_depend_on_n_not_on_the_other_sizes(tiny_sample_size):
    from compare.studies import child_seeds

    rec = tiny_sample_size.data["replications"][-1]
    n = rec["n_per_component"]
    seeds = child_seeds((1, n), TINY["replications"][-1], ("data", "em", "mcmc"))
    assert rec["seeds"] == seeds[rec["replication"]]
    data = ss.generate(n, rec["seeds"]["data"])
    assert data.X.shape == (2 * n, 1)


def _fake(widths, infinite_at=None, collapsed_at=None):
    """A summary and one record per n; EM's interval infinite or collapsed where asked.

    ``widths`` maps n to (EM width, HDI width), the same for every parameter.
    """
    summary, records = {}, []
    for n, (em_w, hdi_w) in widths.items():
        em_w = np.inf if n == infinite_at else em_w
        p = {"em_width": em_w, "hdi_width": hdi_w, "ratio": em_w / hdi_w, "em_bias": 0.1,
             "em_bias_se": 0.05, "post_bias": -0.1, "post_bias_se": 0.05}  # fmt: skip
        summary[str(n)] = {
            "replications": 1,
            "collapsed": int(n == collapsed_at),
            "infinite": int(n == infinite_at),
            "posterior_not_ok": 0,
            "parameters": {name: dict(p) for name in PARAMS},
        }
        records.append(
            {
                "n_per_component": n,
                "parameters": {name: dict(p) for name in PARAMS},
                "collapsed": n == collapsed_at,
                "em_interval_infinite": n == infinite_at,
            }
        )
    return summary, records


def test_width_figure_marks_infinite_and_collapsed_fits():
    summary, records = _fake({10: (1.0, 2.0), 100: (0.3, 0.3)}, infinite_at=10)
    fig = width_figure(summary, records)
    markers = {line.get_marker() for ax in fig.axes for line in ax.lines}
    assert "^" in markers  # infinite EM intervals drawn at the top
    summary, records = _fake({10: (1e-4, 2.0), 100: (0.3, 0.3)}, collapsed_at=10)
    fig = width_figure(summary, records)
    assert "x" in {line.get_marker() for ax in fig.axes for line in ax.lines}
    ratio_figure(summary, ss.NORMAL_RATIO, ss.AGREEMENT).savefig(io.BytesIO(), format="png")


def test_answer_reports_collapse_and_agreement():
    summary, _ = _fake({10: (1.0, 2.0), 100: (0.3 * ss.NORMAL_RATIO, 0.3)}, infinite_at=10)
    summary["10"]["collapsed"] = 1
    text = ss.answer(summary)
    assert "collapsed a component" in text and "1/1 data sets at n=10" in text
    assert "infinite in 1/1 at n=10" in text
    assert "From n=100 per component on" in text
    summary, _ = _fake({10: (1.0, 2.0), 100: (0.5, 0.3)})
    text = ss.answer(summary)
    assert "At no sample size up to n=100" in text and "did not collapse" in text


def test_agreement_must_hold_from_some_n_on():
    ok, bad = ss.NORMAL_RATIO, 2.0
    summary = {
        str(n): {"parameters": {"a": {"ratio": r}}}
        for n, r in [(10, ok), (30, bad), (100, ok), (300, ok)]
    }
    assert ss._agreement_start(summary) == 100
    summary["300"]["parameters"]["a"]["ratio"] = bad
    assert ss._agreement_start(summary) is None


def test_collapse_detection():
    data = type("D", (), {"X": np.array([[0.0], [10.0], [3.0]])})()
    case = type("C", (), {"kind": "mixture"})()
    fine = {"sigma": {"estimate": np.array([3.0, 1.0])}}
    squeezed = {"sigma": {"estimate": np.array([3.0, 1e-3])}}
    assert _collapsed(case, data, fine, []) is False
    assert _collapsed(case, data, squeezed, []) is True
    assert _collapsed(case, data, fine, ["DegenerateComponentWarning: component 1"]) is True


@pytest.mark.slow
def test_full_sample_size():
    result = run_study("sample-size", StudyConfig(level="full", seed=0))
    summary = result.data["summary"]
    assert [int(n) for n in summary] == ss.LEVEL_SETTINGS["full"]["n_per_component"]
    # At 10,000 per component the likelihood dominates: the widths agree.
    largest = summary[str(ss.LEVEL_SETTINGS["full"]["n_per_component"][-1])]
    for p in largest["parameters"].values():
        assert ss.deviation(p["ratio"]) <= ss.AGREEMENT
