"""Data and histories shared by the player's tests: the lecture's cases at seed 0."""

import pytest

from compare.cases import get_case
from compare.kinds.mixture_extras import fit_variants
from compare.player import variant_histories


def _histories(name):
    case = get_case(name)
    X = case.generate(0, "numpy").X
    return X, case.start, variant_histories(fit_variants(X, case.start))


@pytest.fixture(scope="session")
def lecture_1d():
    """``(X, start, histories)`` of lecture-1d: soft EM, hard EM and k-means from its start."""
    return _histories("lecture-1d")


@pytest.fixture(scope="session")
def lecture_2d():
    return _histories("lecture-2d")
