"""em.match_components: the one Hungarian matching that bootstrap and compare share."""

import numpy as np

from em import match_components


def test_recovers_a_permutation():
    reference = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    means = reference[[2, 0, 1]] + 0.1
    order = match_components(means, reference)
    np.testing.assert_array_equal(order, [1, 2, 0])
    np.testing.assert_allclose(means[order], reference + 0.1)


def test_scale_decides_which_feature_counts():
    reference = np.array([[0.0, 0.0], [1.0, 1000.0]])
    # Unscaled, the second feature's units dominate; scaled by its spread, the first decides.
    means = np.array([[1.0, 400.0], [0.0, 600.0]])
    np.testing.assert_array_equal(match_components(means, reference), [0, 1])
    np.testing.assert_array_equal(match_components(means, reference, scale=[1.0, 1e4]), [1, 0])
