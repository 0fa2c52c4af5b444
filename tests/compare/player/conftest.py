"""Data and histories shared by the player's tests: the lecture's cases at seed 0."""

import pytest

from compare.cases import get_case
from compare.player import stepped_histories


@pytest.fixture(scope="session")
def lecture_1d():
    """``(X, start, histories)`` of lecture-1d: soft EM, hard EM and k-means from its start."""
    case = get_case("lecture-1d")
    X = case.generate(0, "numpy").X
    return X, case.start, stepped_histories(X, case.start)


@pytest.fixture(scope="session")
def lecture_2d():
    case = get_case("lecture-2d")
    X = case.generate(0, "numpy").X
    return X, case.start, stepped_histories(X, case.start)
