"""models.resize_data: a compiled model refitted on data of another size, without compiling."""

import numpy as np
import pytest
from scipy.stats import norm

import models

from .conftest import RUN


def test_a_refit_on_more_points_does_not_recompile(mixture_1d, fit_1d, lecture_1d):
    before = models.compile_counts()
    rng = np.random.default_rng(6)
    new_x = np.concatenate([rng.normal(0.0, 3.0, 150), rng.normal(10.0, 1.0, 150)])
    models.resize_data(mixture_1d, x=new_x)
    try:
        refit = models.sample(mixture_1d, random_seed=11, **RUN)
    finally:
        models.resize_data(mixture_1d, x=lecture_1d)
    assert models.compile_counts() == before
    assert refit.attrs["compile_time"] == 0.0 and not refit.attrs["compiled"]
    # All 300 points reached the sampler, the coordinates and the log-likelihood.
    np.testing.assert_array_equal(refit.observed_data["x_obs"].values, new_x)
    assert refit.log_likelihood["x_obs"].sizes["obs_id"] == 300
    draw = refit.posterior.isel(chain=0, draw=0)
    dens = sum(
        draw["w"].values[k] * norm.pdf(new_x, draw["mu"].values[k], draw["sigma"].values[k])
        for k in range(2)
    )
    got = refit.log_likelihood["x_obs"].isel(chain=0, draw=0).values
    np.testing.assert_allclose(got, np.log(dens), rtol=1e-10)
    # The posterior is that of the new data: means near 0 and 10 (sd of the mean < 0.3).
    np.testing.assert_allclose(refit.posterior["mu"].mean(("chain", "draw")), [0, 10], atol=1.0)
    # And back: the model is the original one again.
    assert len(mixture_1d.coords["obs_id"]) == len(lecture_1d)


def test_only_the_number_of_observations_may_change(lecture_2d):
    mv = models.mv_normal_mixture(lecture_2d, 2, covariance="diag")
    models.resize_data(mv, X=lecture_2d[:40])  # fewer rows: fine
    assert mv["X"].get_value().shape == (40, 2) and len(mv.coords["obs_id"]) == 40
    with pytest.raises(ValueError, match="X must keep every dimension but the first"):
        models.resize_data(mv, X=np.c_[lecture_2d, lecture_2d[:, :1]])
    counts = models.categorical([3, 5, 2])
    with pytest.raises(ValueError, match="counts must keep the shape"):
        models.resize_data(counts, counts=[3, 5, 2, 1])
    models.resize_data(counts, counts=[1, 1, 1])
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 2)), rng.normal(size=30)
    reg = models.linear_regression(X, y)
    with pytest.raises(ValueError, match="give y too"):
        models.resize_data(reg, X=X[:20])
    with pytest.raises(ValueError, match="one number of observations"):
        models.resize_data(reg, X=X[:20], y=y[:10])
    with pytest.raises(ValueError, match="not a data container"):
        models.resize_data(reg, z=y)
    models.resize_data(reg, X=X[:20], y=y[:20])
    assert len(reg.coords["obs_id"]) == 20
    # The builder's own checks still apply.
    with pytest.raises(ValueError):
        models.resize_data(reg, X=np.full((20, 2), np.nan), y=y[:20])
