"""The lecture's one-epoch example, computed by em, agrees with the numbers it printed."""

import numpy as np
import pytest

from compare.player.worked_example import LECTURE, epoch, worked_example_html


def test_the_epoch_agrees_with_the_lecture():
    e = epoch()
    # The lecture printed the responsibilities of cluster 1 rounded to three decimals.
    np.testing.assert_array_equal(
        np.round(e["responsibilities"][:, 0], 3), LECTURE["responsibilities_1"]
    )
    np.testing.assert_allclose(e["responsibilities"].sum(axis=1), 1.0)
    np.testing.assert_allclose(e["means"], LECTURE["means"], rtol=1e-13)
    # The values the lecture labels "sigma" are the variances.
    np.testing.assert_allclose(e["variances"], LECTURE["variances"], rtol=1e-13)
    assert e["weights"][0] == pytest.approx(LECTURE["weight_1"], rel=1e-13)
    # The M-step from the shown ingredients gives the estimator's numbers.
    np.testing.assert_allclose(e["counts"] / 5, e["weights"], rtol=1e-13)
    np.testing.assert_allclose(e["sums"] / e["counts"], e["means"], rtol=1e-13)


def test_the_table_shows_every_number_agreeing():
    table = worked_example_html()
    # Five responsibilities, and weight, mean, variance of two components.
    assert table.count("class='ok'") == 5 + 3 * 2
    assert "class='bad'" not in table
    assert "1.3065753725700628" in table and "0.408060269961259" in table
