"""CategoricalMLE: frequencies from samples or counts, intervals, zero counts, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.proportion import proportion_confint

from em import CategoricalMLE

LECTURE_COUNTS = [1000, 90000, 6000, 3000]


def test_lecture_families_example():
    m = CategoricalMLE().fit(counts=LECTURE_COUNTS)
    np.testing.assert_allclose(m.probabilities_, [0.01, 0.9, 0.06, 0.03], rtol=1e-15)
    assert m.n_samples_ == 100_000
    assert m.categories_.tolist() == [0, 1, 2, 3]
    p = m.probabilities_
    np.testing.assert_allclose(m.probabilities_stderr_, np.sqrt(p * (1 - p) / 100_000))
    assert m.log_likelihood_ == pytest.approx(np.dot(LECTURE_COUNTS, np.log(p)))
    assert m.inference_.parameters == ["probabilities"]


def test_samples_and_counts_agree():
    rng = np.random.default_rng(0)
    samples = rng.choice(["a", "b", "c"], size=500, p=[0.2, 0.5, 0.3])
    from_samples = CategoricalMLE().fit(samples)
    counts = [(samples == c).sum() for c in ["a", "b", "c"]]
    from_counts = CategoricalMLE(categories=["a", "b", "c"]).fit(counts=counts)
    assert from_samples.categories_.tolist() == ["a", "b", "c"]
    np.testing.assert_array_equal(from_samples.probabilities_, from_counts.probabilities_)
    assert from_samples.log_likelihood_ == pytest.approx(from_counts.log_likelihood_)


@pytest.mark.parametrize(
    ("interval", "oracle", "method"),
    [("wilson", "wilson", "wilson"), ("exact", "beta", "exact-clopper-pearson")],
)
def test_intervals_match_statsmodels(interval, oracle, method):
    counts = np.array([0, 3, 40, 157])
    table = CategoricalMLE(interval=interval).fit(counts=counts).inference(level=0.9)
    lo, hi = proportion_confint(counts, counts.sum(), alpha=0.1, method=oracle)
    np.testing.assert_allclose(table.array("probabilities", "lower"), lo, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(table.array("probabilities", "upper"), hi, rtol=1e-10)
    assert {row.method for row in table} == {method}


def test_zero_count_gets_probability_zero_and_a_one_sided_interval():
    m = CategoricalMLE(categories=[0, 1, 2]).fit([0, 0, 1, 1, 1])
    assert m.counts_.tolist() == [2, 3, 0]
    row = m.inference_["probabilities[2]"]
    assert row.estimate == 0.0 and row.se == 0.0
    assert row.lower == 0.0 and row.upper == pytest.approx(1.96**2 / (5 + 1.96**2), rel=1e-3)
    exact = CategoricalMLE(interval="exact").fit(counts=[5, 0]).inference_["probabilities[1]"]
    assert exact.upper == pytest.approx(1 - 0.025 ** (1 / 5))
    wald = CategoricalMLE(interval="wald").fit(counts=[5, 0]).inference_["probabilities[1]"]
    assert wald.lower == wald.upper == 0.0
    for table in (m.inference_,):
        assert all(np.isfinite([r.lower, r.upper, r.se]).all() for r in table)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"counts": [3, -1, 2]}, "counts must be non-negative"),
        ({"counts": [0, 0]}, "counts sum to zero"),
        ({"counts": [1.5, 2]}, "counts must be whole numbers"),
        ({"counts": [1, np.nan]}, "counts contains 1 non-finite"),
        ({"counts": [[1, 2]]}, "counts must be a non-empty 1-D"),
        ({}, "exactly one of X"),
        ({"X": [1, 2], "counts": [1, 1]}, "exactly one of X"),
        ({"X": []}, "X must be a non-empty 1-D"),
        ({"X": [1.0, np.inf]}, "X contains 1 non-finite"),
    ],
)
def test_bad_input_names_the_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        CategoricalMLE().fit(**kwargs)


def test_unknown_value_and_mismatched_categories():
    with pytest.raises(ValueError, match="X contains values not in categories"):
        CategoricalMLE(categories=[0, 1]).fit([0, 1, 2])
    with pytest.raises(ValueError, match="counts has 3 entries but categories has 2"):
        CategoricalMLE(categories=[0, 1]).fit(counts=[1, 2, 3])
    with pytest.raises(ValueError, match="interval="):
        CategoricalMLE(interval="jeffreys").fit(counts=[1, 2])
