"""em.match_components: the one Hungarian matching that bootstrap and compare share."""

import numpy as np
import pytest

from em import match_components
from em.alignment import assignment_orders, component_costs


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


def test_reference_of_another_k_is_refused():
    # Formerly a shorter order came back silently, dropping a component.
    with pytest.raises(ValueError, match="reference has shape"):
        match_components(np.zeros((3, 2)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="reference has shape"):
        match_components(np.zeros((2, 2)), np.zeros((2, 3)))


def test_one_feature_means_may_be_flat():
    np.testing.assert_array_equal(match_components([5.0, 0.0, 9.0], [0.0, 5.0, 9.0]), [1, 0, 2])


def test_batched_assignment_equals_one_by_one():
    rng = np.random.default_rng(0)
    reference = rng.normal(size=(4, 3))
    draws = rng.normal(size=(20, 4, 3))
    cost = component_costs(draws, reference)
    assert cost.shape == (20, 4, 4)
    orders = assignment_orders(cost)
    for s in range(20):
        np.testing.assert_array_equal(orders[s], match_components(draws[s], reference))


def test_bad_cost_is_refused():
    with pytest.raises(ValueError, match="cost must have shape"):
        assignment_orders(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="non-finite"):
        assignment_orders(np.array([[0.0, np.nan], [1.0, 0.0]]))
