"""Lecture data and fitted models shared by the tests of ``models``.

Compilation dominates the cost (20-60 s per model structure with a cold PyTensor cache), so
each model is built and sampled once per session and the tests read the same result.
Sampling itself is cheap, so the runs use enough draws for stable diagnostics.
"""

import numpy as np
import pytest

import models

# Four chains give R-hat something to compare; sampling these models takes about a second.
RUN = {"draws": 1000, "tune": 1000, "chains": 4}


@pytest.fixture(scope="session")
def lecture_1d():
    """``100 x N(0, 3^2)`` then ``100 x N(10, 1)`` (lecture 12, ``l12em1``)."""
    rng = np.random.default_rng(20240112)
    return np.concatenate([rng.normal(0.0, 3.0, 100), rng.normal(10.0, 1.0, 100)])


@pytest.fixture(scope="session")
def lecture_2d():
    """``100 x N([50, 50], 10^2 I)`` then ``50 x N([70, 60], 5^2 I)`` (lecture 12, k-means)."""
    rng = np.random.default_rng(20240113)
    blue = rng.normal([50.0, 50.0], 10.0, size=(100, 2))
    red = rng.normal([70.0, 60.0], 5.0, size=(50, 2))
    return np.vstack([blue, red])


@pytest.fixture(scope="session")
def mixture_1d(lecture_1d):
    return models.normal_mixture(lecture_1d, 2)


@pytest.fixture(scope="session")
def fit_1d(mixture_1d):
    return models.sample(mixture_1d, random_seed=11, **RUN)


@pytest.fixture(scope="session")
def mixture_2d_diag(lecture_2d):
    return models.mv_normal_mixture(lecture_2d, 2, covariance="diag")


@pytest.fixture(scope="session")
def fit_2d_diag(mixture_2d_diag):
    return models.sample(mixture_2d_diag, random_seed=12, **RUN)


@pytest.fixture(scope="session")
def conjugate_1d(lecture_1d):
    return models.normal_mixture(lecture_1d, 2, prior="conjugate")


@pytest.fixture(scope="session")
def fit_conjugate_1d(conjugate_1d):
    return models.sample(conjugate_1d, random_seed=13, **RUN)
