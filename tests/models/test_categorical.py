"""The categorical model against its exact conjugate posterior."""

import numpy as np
import pytest

import models

from .conftest import RUN

# The lecture's families: 0, 1, 2 and 3 children.
FAMILIES = [1_000, 90_000, 6_000, 3_000]


@pytest.fixture(scope="module")
def model():
    return models.categorical([3, 5, 2], alpha=[1.0, 2.0, 0.5])


@pytest.mark.parametrize("sampler", ["nutpie", "pymc"])
def test_posterior_matches_exact_dirichlet(model, sampler):
    idata = models.sample(model, random_seed=4, sampler=sampler, **RUN)
    assert models.diagnostics(idata).ok
    exact = models.categorical_posterior([3, 5, 2], alpha=[1.0, 2.0, 0.5])
    p = idata.posterior["p"]
    assert p.dims == ("chain", "draw", "category")
    # Monte Carlo error with ~4000 draws: sd / sqrt(ESS) is below 0.005 for these sds.
    np.testing.assert_allclose(p.mean(("chain", "draw")), exact.mean, atol=0.01)
    np.testing.assert_allclose(p.std(("chain", "draw")), exact.sd, rtol=0.08)
    assert idata.attrs["sampler"] == sampler


def test_lecture_counts_refit_without_recompiling(model):
    # Same shape, new counts: the lecture's three-category analogue (families with 1-3 kids).
    models.sample(model, random_seed=1, **RUN)
    before = models.compile_counts()
    models.set_data(model, counts=FAMILIES[1:])
    idata = models.sample(model, random_seed=1, **RUN)
    assert models.compile_counts() == before
    exact = models.categorical_posterior(FAMILIES[1:], alpha=[1.0, 2.0, 0.5])
    np.testing.assert_allclose(
        idata.posterior["p"].mean(("chain", "draw")), exact.mean, atol=5 * exact.sd.max()
    )
    models.set_data(model, counts=[3, 5, 2])


def test_exact_posterior_of_the_lecture_counts():
    exact = models.categorical_posterior(FAMILIES, alpha=1.0)
    np.testing.assert_allclose(exact.concentration, np.array(FAMILIES) + 1.0)
    np.testing.assert_allclose(exact.mean, [0.01, 0.9, 0.06, 0.03], atol=1e-4)
    # Dirichlet marginals are Beta(a_j, a0 - a_j).
    from scipy.stats import beta

    a = exact.concentration
    np.testing.assert_allclose(exact.sd, beta(a, a.sum() - a).std())


def test_counts_model_structure():
    m = models.categorical(FAMILIES, category_names=["0", "1", "2", "3"])
    assert [v.name for v in m.free_RVs] == ["p"]
    assert list(m.coords["category"]) == ["0", "1", "2", "3"]
    assert models.data_names(m) == ["counts"]
