"""Chains started from given points (``models.sample(initvals=...)``).

A prior with two modes 40 standard deviations apart, and one uninformative observation, is
a posterior no NUTS chain crosses: where each chain ends up shows where it started.
"""

import numpy as np
import pymc as pm
import pytest

import models


@pytest.fixture(scope="module")
def two_modes():
    with pm.Model() as model:
        z = pm.NormalMixture("z", w=[0.5, 0.5], mu=[-20.0, 20.0], sigma=0.5)
        pm.Normal("y", mu=z, sigma=100.0, observed=[0.0])
    return model


RUN = {"draws": 200, "tune": 200, "random_seed": 3}


@pytest.mark.parametrize("sampler", ["nutpie", "pymc"])
def test_each_chain_starts_where_it_is_told(two_modes, sampler):
    starts = [{"z": 20.0}, {"z": -20.0}, {"z": 20.0}]
    # Chains in two modes that never meet: exactly what R-hat exists to flag.
    with pytest.warns(models.SamplingWarning, match="R-hat"):
        idata = models.sample(two_modes, chains=3, sampler=sampler, initvals=starts, **RUN)
    chain_means = idata.posterior["z"].mean("draw").values
    np.testing.assert_allclose(chain_means, [20.0, -20.0, 20.0], atol=0.5)
    assert list(idata.posterior["chain"].values) == [0, 1, 2]
    assert idata.sample_stats.sizes["chain"] == 3
    assert idata.log_likelihood["y"].sizes["chain"] == 3


@pytest.mark.filterwarnings("ignore::models.SamplingWarning")
def test_given_starts_reuse_the_compiled_sampler_and_are_reproducible(two_modes):
    starts = [{"z": -20.0}, {"z": 20.0}]
    first = models.sample(two_modes, chains=2, initvals=starts, **RUN)
    before = models.compile_counts()
    again = models.sample(two_modes, chains=2, initvals=starts, **RUN)
    assert models.compile_counts() == before
    np.testing.assert_array_equal(first.posterior["z"].values, again.posterior["z"].values)
    # Chains have their own random streams, not copies of one; one start for every chain
    # is one run (parallel chains), every chain from that start.
    other = models.sample(two_modes, chains=2, initvals=[{"z": 20.0}, {"z": 20.0}], **RUN)
    z = other.posterior["z"].values
    assert not np.array_equal(z[0], z[1])
    np.testing.assert_allclose(z.mean(axis=1), [20.0, 20.0], atol=0.5)
    same = models.sample(two_modes, chains=2, initvals=[{"z": 20.0}, {"z": 20.0}], **RUN)
    np.testing.assert_array_equal(z, same.posterior["z"].values)


def test_bad_initvals_are_refused(two_modes, lecture_1d):
    with pytest.raises(ValueError, match="initvals has 1 entries for chains=2"):
        models.sample(two_modes, chains=2, initvals=[{"z": 0.0}], **RUN)
    with pytest.raises(ValueError, match="not free variables"):
        models.sample(two_modes, chains=1, initvals=[{"mu": 0.0}], **RUN)
    with pytest.raises(TypeError, match="sequence of mappings"):
        models.sample(two_modes, chains=1, initvals={"z": 0.0}, **RUN)
    model = models.normal_mixture(lecture_1d, 2)
    with pytest.raises(ValueError, match=r"initvals\[0\]\['mu'\]"):
        models.sample(model, chains=1, initvals=[{"mu": [5.0, 1.0]}], **RUN)
    with pytest.raises(ValueError, match=r"initvals\[1\]\['sigma'\]"):
        models.sample(model, chains=2, initvals=[{}, {"sigma": [-1.0, 1.0]}], **RUN)
