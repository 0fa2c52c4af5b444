"""One compiled model for every data size of a case with fixed priors (issue 17)."""

import dataclasses

import numpy as np
import pytest

from compare.cases import CASES
from compare.engine.fit import clear_model_cache, fit_bayes
from compare.kinds import get_kind


def smaller(data, n):
    """The first ``n`` rows of a data set (labels too)."""
    labels = None if data.labels is None else data.labels[:n]
    y = None if data.y is None else data.y[:n]
    return dataclasses.replace(data, X=data.X[:n], y=y, labels=labels)


def key(case, data):
    return case.model_key(data, any_size=get_kind(case.kind).any_size)


def test_fixed_prior_cases_share_a_model_across_data_sizes():
    one, close = CASES["lecture-1d"], CASES["lecture-1d-close"]
    data = one.generate(0)
    # The conjugate default fixes each case's hyperparameters (from its pilot data): every
    # seed and size of a case shares its model; under the weak priors two cases share too.
    assert key(one, data) == key(one, smaller(data, 60)) == key(one, one.generate(3))
    weak_one, weak_close = one.with_prior("weak"), close.with_prior("weak")
    assert key(weak_one, data) == key(weak_close, close.generate(3))
    # Without any_size the number of rows still counts (the old key).
    assert one.model_key(data) != one.model_key(smaller(data, 60))
    # The feature count is the structure: a 2-D case never shares with a 1-D one.
    two = CASES["lecture-2d"]
    assert key(two, two.generate(0)) != key(one, data)
    # Priors scaled to the data: never shared, whatever the size.
    reg = CASES["regression"]
    reg_data = reg.generate(0)
    assert key(reg, reg_data) != key(reg, smaller(reg_data, 30))
    # Counts per category: their length is the model, not a sample size.
    assert not get_kind(CASES["families"].kind).any_size


@pytest.mark.slow
def test_a_second_data_size_reuses_the_compiled_model():
    import models

    clear_model_cache()
    case = CASES["lecture-1d"]
    data = case.generate(0)
    settings = {"seed": 1, "draws": 200, "tune": 200, "chains": 2, "sampler": "nutpie"}
    first = fit_bayes(case, smaller(data, 60), **settings)
    before = models.compile_counts()
    second = fit_bayes(case, data, **settings)
    assert not first.reused_model and second.reused_model
    assert models.compile_counts() == before
    assert second.idata.observed_data["x_obs"].sizes["obs_id"] == len(data.X)


@pytest.mark.slow
def test_a_cases_draws_do_not_depend_on_which_data_built_its_model():
    case = CASES["lecture-1d"]
    settings = {"seed": 1, "draws": 100, "tune": 100, "chains": 2, "sampler": "nutpie"}
    clear_model_cache()
    alone = fit_bayes(case, case.generate(3), **settings)
    clear_model_cache()
    fit_bayes(case, smaller(case.generate(5), 60), **settings)  # builds the shared model
    after = fit_bayes(case, case.generate(3), **settings)
    assert after.reused_model and not alone.reused_model
    np.testing.assert_array_equal(after.idata.posterior["mu"], alone.idata.posterior["mu"])
