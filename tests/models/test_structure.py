"""One compilation per model structure: a new model whose graph differs from one compiled
before only in its data and hyperparameters reuses that compilation, and its draws are the
draws a compilation of its own gives."""

import numpy as np
import pytest

import models
from models.sampling import _cache
from models.sampling._structure import shared_values, signature

SMALL = {"draws": 200, "tune": 200, "chains": 2}
pytestmark = pytest.mark.filterwarnings("ignore::models.SamplingWarning")


@pytest.fixture(scope="module")
def twins(lecture_1d):
    """Two conjugate 1-D models of one structure: other data, other hyperparameters."""
    other = np.concatenate([lecture_1d[:150] * 0.5, lecture_1d[150:] + 3.0])
    first = models.normal_mixture(lecture_1d, 2, prior="conjugate")
    second = models.normal_mixture(other, 2, prior="conjugate", mean_precision=0.1)
    return first, second


def test_twins_share_a_signature_and_differ_in_their_values(twins):
    first, second = twins
    assert signature(first) == signature(second)
    a, b = shared_values(first), shared_values(second)
    assert {"x", "prior_mean_precision", "prior_mean_prior"} <= set(a)
    assert a.keys() == b.keys()
    assert not np.array_equal(a["x"], b["x"])
    assert a["prior_mean_precision"] != b["prior_mean_precision"]


def test_a_twin_reuses_the_compilation_and_draws_what_its_own_would(twins):
    first, second = twins
    models.sample(first, random_seed=3, **SMALL)
    before = models.compile_counts()
    reused = models.sample(second, random_seed=5, **SMALL)
    assert reused.attrs["cache_hit"]
    assert models.compile_counts() == before
    _cache._BY_STRUCTURE.clear()  # forget the structure: the same model compiles afresh
    rebuilt = models.normal_mixture(
        second["x"].get_value(), 2, prior="conjugate", mean_precision=0.1
    )
    fresh = models.sample(rebuilt, random_seed=5, **SMALL)
    assert not fresh.attrs["cache_hit"]
    for name in ("w", "mu", "variance", "sigma"):
        np.testing.assert_array_equal(reused.posterior[name], fresh.posterior[name])
    np.testing.assert_array_equal(reused.log_likelihood["x_obs"], fresh.log_likelihood["x_obs"])


@pytest.mark.parametrize(
    "change",
    [
        {"n_components": 3},
        {"prior": "weak"},
        {"ordering": "none"},
    ],
)
def test_another_structure_has_another_signature(lecture_1d, change):
    options = {"n_components": 2, "prior": "conjugate"} | change
    n_components = options.pop("n_components")
    base = models.normal_mixture(lecture_1d, 2, prior="conjugate")
    assert signature(models.normal_mixture(lecture_1d, n_components, **options)) != signature(base)


def test_feature_names_label_the_draws_so_they_are_part_of_the_signature(lecture_2d):
    named = models.mv_normal_mixture(lecture_2d, 2, feature_names=["a", "b"])
    other = models.mv_normal_mixture(lecture_2d, 2, feature_names=["c", "d"])
    assert signature(named) != signature(other)
    assert signature(named) == signature(
        models.mv_normal_mixture(lecture_2d[::-1], 2, feature_names=["a", "b"])
    )
