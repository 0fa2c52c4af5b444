import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compare.align import match_components, permute_components


@settings(max_examples=50, deadline=None)
@given(st.permutations(range(4)), st.integers(0, 2**31 - 1))
def test_recovers_any_permutation(perm, seed):
    rng = np.random.default_rng(seed)
    truth = np.arange(4)[:, None] * 10.0 + rng.normal(size=(4, 2))
    estimate = truth[list(perm)] + rng.normal(scale=0.1, size=(4, 2))
    a = match_components(estimate, truth)
    np.testing.assert_allclose(estimate[a.order], truth, atol=1)
    assert sorted(a.order) == list(range(4))


def test_identity_and_metadata():
    a = match_components([1.0, 5.0], [0.0, 6.0], reference="EM", ordering_constraint=True)
    assert a.is_identity and a.reference == "EM" and a.ordering_constraint
    assert a.cost == pytest.approx(2.0)
    assert a.to_dict()["order"] == [0, 1]


def test_hungarian_beats_greedy():
    # Greedy nearest-first would pair 0 with 0.9 and leave 1.8 for 0; optimal swaps them.
    a = match_components([[1.0], [0.0]], [[0.9], [2.5]])
    np.testing.assert_array_equal(a.order, [1, 0])


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match="one shape"):
        match_components(np.zeros((2, 1)), np.zeros((3, 1)))


def test_permute_components_reorders_estimates():
    params = {"weights": {"estimate": np.array([0.2, 0.8])}, "coef": {"estimate": 1}}
    out = permute_components(params, np.array([1, 0]))
    np.testing.assert_array_equal(out["weights"]["estimate"], [0.8, 0.2])
    assert out["coef"] is params["coef"]
