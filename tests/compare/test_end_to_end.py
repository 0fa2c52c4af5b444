"""One quick case, fitted and written for real: files, keys and numbers."""

import json
import re

import numpy as np
import pytest

import compare
from compare.reports import write_report

METRIC_KEYS = {
    "case", "description", "kind", "n_components", "settings", "converged", "metrics",
    "diagnostics", "timings", "alignment", "parameters", "notes", "figures", "figure_errors",
}  # fmt: skip
CASE_METRICS = {
    "log_likelihood_em", "log_likelihood_posterior_mean", "ari_em", "ari_posterior",
    "responsibility_diff_max", "responsibility_diff_mean", "em_n_iter", "em_converged",
    "em_bic", "looic", "loo_max_pareto_k", "em_bic_by_k", "em_bic_best_k",
}  # fmt: skip
TIMINGS = {"em_fit", "compile", "sampling", "figures", "write", "total"}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "reports"
    result = compare.run("lecture-1d", seed=3, draws=150, tune=150, chains=2)
    index = write_report([result], out)
    return result, out, index


def test_files(written):
    _result, out, index = written
    assert index == out.resolve() / "index.html"
    case_dir = out / "lecture-1d"
    for name in ("index.html", "index.md", "metrics.json", "summary.csv", "posterior.nc"):
        assert (case_dir / name).stat().st_size > 0, name
    assert len(list(case_dir.glob("*.png"))) >= 5


def test_every_referenced_image_exists(written):
    _, out, _ = written
    for page in [out / "index.html", out / "lecture-1d" / "index.html"]:
        sources = re.findall(r"<img src='([^']+)'", page.read_text())
        assert sources, page
        for src in sources:
            assert (page.parent / src).is_file(), src
    md = (out / "lecture-1d" / "index.md").read_text()
    for src in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md):
        assert (out / "lecture-1d" / src).is_file()


def test_metrics_keys(written):
    _, out, _ = written
    doc = json.loads((out / "lecture-1d" / "metrics.json").read_text())
    assert set(doc) >= METRIC_KEYS
    assert set(doc["metrics"]) >= CASE_METRICS
    assert set(doc["timings"]) >= TIMINGS
    assert {"max_rhat", "min_ess_bulk", "divergences", "ok"} <= set(doc["diagnostics"])
    assert doc["figure_errors"] == {}
    assert doc["alignment"]["posterior"]["ordering_constraint"] is True


def test_metrics_match_fitted_objects(written):
    import arviz as az

    import models

    result, out, _ = written
    doc = json.loads((out / "lecture-1d" / "metrics.json").read_text())
    est = result.em.estimator
    m = doc["metrics"]
    assert m["log_likelihood_em"] == pytest.approx(est.log_likelihood_, rel=1e-9)
    assert m["em_n_iter"] == est.n_iter_

    order = result.alignment["em"].order
    rows = {r["name"]: r for r in doc["parameters"]}
    for k in range(2):
        assert rows[f"weights[{k}]"]["em_estimate"] == pytest.approx(est.weights_[order[k]])
        assert rows[f"means[{k}]"]["em_estimate"] == pytest.approx(est.means_[order[k], 0])
        sd = np.sqrt(est.covariances_[order[k], 0, 0])
        assert rows[f"sigma[{k}]"]["em_estimate"] == pytest.approx(sd)

    post = result.bayes.idata.posterior
    p_order = result.alignment["posterior"].order
    mu = post["mu"].mean(("chain", "draw")).values
    for k in range(2):
        assert rows[f"means[{k}]"]["post_mean"] == pytest.approx(mu[p_order[k]])
        assert rows[f"means[{k}]"]["truth"] == [0.0, 10.0][k]

    diag = models.diagnostics(result.bayes.idata)
    assert doc["diagnostics"]["max_rhat"] == pytest.approx(diag.max_rhat)
    assert doc["diagnostics"]["divergences"] == diag.divergences
    assert doc["converged"] == diag.ok
    # A non-converged case must say so on its page.
    page = (out / "lecture-1d" / "index.html").read_text()
    assert ("WARNING" in page) == (not diag.ok)

    assert m["em_bic"] == pytest.approx(est.bic(result.data.X))
    # The K=2 entry of "BIC by K" is the same fit (same model, starts and seed) as the case's.
    assert m["em_bic_by_k"]["2"] == pytest.approx(m["em_bic"], rel=1e-9)
    assert str(m["em_bic_best_k"]) == min(m["em_bic_by_k"], key=m["em_bic_by_k"].get)
    assert m["looic"] == pytest.approx(-2 * float(az.loo(result.bayes.idata).elpd))

    labels = result.responsibilities["em"].argmax(axis=1)
    assert m["ari_em"] == pytest.approx(
        compare.metrics.adjusted_rand_index(result.data.labels, labels)
    )


def test_index_lists_case(written):
    _, out, _ = written
    html = (out / "index.html").read_text()
    assert "lecture-1d/index.html" in html


@pytest.mark.slow
def test_wrong_k_case_end_to_end(tmp_path):
    """lecture-2d-k3: three components, no per-parameter truth, honest about convergence."""
    result = compare.run("lecture-2d-k3", quick=True)
    out = tmp_path / "reports"
    write_report([result], out)
    case_dir = out / "lecture-2d-k3"
    for name in ("index.html", "index.md", "metrics.json", "summary.csv", "posterior.nc"):
        assert (case_dir / name).stat().st_size > 0, name
    doc = json.loads((case_dir / "metrics.json").read_text())
    assert doc["figure_errors"] == {}
    for figure in ("ellipses.png", "intervals.png", "az_posterior.png", "iterations.png"):
        assert figure in doc["figures"] and (case_dir / figure).is_file()
    assert {"em_bic", "looic", "ari_em", "ari_posterior"} <= set(doc["metrics"])
    assert doc["alignment"]["em"]["reference"] == "EM"
    # Three components of a 2-D diagonal model: 3 weights, 6 means, 3 x 3 covariance entries.
    assert len(doc["parameters"]) == 3 + 6 + 9
    assert all(p["truth"] is None for p in doc["parameters"])
    page = (case_dir / "index.html").read_text()
    index = (out / "index.html").read_text()
    assert ("WARNING" in page) == (not result.converged)
    assert ("WARNING" in index) == (not result.converged)
