"""Estimators show a readable HTML summary in Jupyter (``_repr_html_``)."""

import numpy as np

from em import CategoricalMLE, GaussianMixtureEM, LinearRegressionMLE


def test_unfitted_estimator_shows_its_constructor_parameters(html_page):
    parsed = html_page.parse(GaussianMixtureEM(3, covariance_type="tied")._repr_html_())
    rows = dict(html_page.table_with(parsed, "Constructor parameters")["rows"][1:])
    assert rows["n_components"] == "3"
    assert rows["covariance_type"] == "tied"
    assert "not fitted" in GaussianMixtureEM(2)._repr_html_()


def test_fitted_mixture_shows_key_numbers_and_every_parameter(html_page):
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(0, 1, (60, 2)), rng.normal(6, 1, (40, 2))])
    gm = GaussianMixtureEM(2, random_state=0).fit(X)
    parsed = html_page.parse(gm._repr_html_())
    keys = dict(html_page.table_with(parsed, "Key numbers")["rows"][1:])
    assert float(keys["log_likelihood_"]) == float(f"{gm.log_likelihood_:.6g}")
    assert keys["converged_"] == "yes"
    params = dict(html_page.table_with(parsed, "Parameters")["rows"][1:])
    assert float(params["means[1, 0]"]) == float(f"{gm.means_[1, 0]:.6g}")
    assert "covariances[1, 1, 1]" in params and "weights[0]" in params


def test_fitted_regression_shows_its_inference_table(html_page):
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 10, (50, 1))
    y = 1.5 + 2.0 * x[:, 0] + rng.normal(0, 1, 50)
    ols = LinearRegressionMLE().fit(x, y)
    parsed = html_page.parse(ols._repr_html_())
    table = html_page.table_with(parsed, "standard error")
    assert table["rows"][0] == ["parameter", "estimate", "se", "lower", "upper", "method"]
    names = [r[0] for r in table["rows"][1:]]
    assert names == [r.name for r in ols.inference()]


def test_html_escapes_text(html_page):
    cat = CategoricalMLE(categories=["<b>", "&"]).fit(counts=[3, 4])
    parsed = html_page.parse(cat._repr_html_())
    cells = [c for t in parsed.tables for row in t["rows"] for c in row]
    assert any("<b>" in c for c in cells)  # shown as text, not parsed as a tag
