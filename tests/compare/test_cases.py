import numpy as np
import pytest

from compare import CASES, get_case
from compare.cases import Case

EXPECTED = {
    "lecture-1d", "lecture-1d-close", "lecture-2d", "lecture-2d-k3", "three-1d",
    "worked-example", "regression", "logistic", "families",
    "faithful-k3-tied", "faithful-k2", "iris-k3", "iris-k2",
}  # fmt: skip


def test_registry_has_every_case():
    assert set(CASES) == EXPECTED
    for case in CASES.values():
        assert case.description and case.prior_note
        assert case.kind in ("mixture", "linear", "logistic", "categorical")


# The real-data cases' generate ignores the seed: tests/compare/test_real_cases.py.
@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if not CASES[n].real_data))
def test_generate_shapes_and_seeds(name):
    case = CASES[name]
    a, b, c = case.generate(0, "numpy"), case.generate(0, "numpy"), case.generate(1, "numpy")
    np.testing.assert_array_equal(a.X, b.X)
    if case.kind == "mixture":
        # The labels name the generating components, whatever K the case fits.
        source = case.truth if case.truth is not None else case.generating
        K = case.n_components if source is None else len(source["weights"])
        assert a.X.ndim == 2 and a.labels.shape == (a.X.shape[0],)
        assert set(np.unique(a.labels)) == set(range(K))
        if source is not None:
            t = source
            d = a.X.shape[1]
            assert t["weights"].shape == (K,) and np.isclose(t["weights"].sum(), 1)
            assert t["means"].shape == (K, d) and t["covariances"].shape == (K, d, d)
            np.testing.assert_allclose(np.bincount(a.labels) / len(a.labels), t["weights"])
            assert not np.array_equal(a.X, c.X)
    elif case.kind in ("linear", "logistic"):
        assert a.X.shape == (a.y.shape[0], 1)
        assert not np.array_equal(a.y, c.y)
        if case.kind == "logistic":
            assert set(np.unique(a.y)) <= {0.0, 1.0}
    else:
        np.testing.assert_array_equal(a.X, [1000, 90000, 6000, 3000])
        np.testing.assert_allclose(case.truth["p"], [0.01, 0.9, 0.06, 0.03])


def test_lecture_1d_data_look_like_the_lecture():
    data = CASES["lecture-1d"].generate(0, "marsaglia")
    blue, red = data.x1d[data.labels == 0], data.x1d[data.labels == 1]
    assert len(blue) == len(red) == 100
    assert abs(blue.mean()) < 1.0 and abs(red.mean() - 10) < 0.4
    assert 2.4 < blue.std() < 3.6 and 0.75 < red.std() < 1.25


def test_registry_order_puts_the_wrong_k_case_after_lecture_2d():
    names = list(CASES)
    assert names.index("lecture-2d-k3") == names.index("lecture-2d") + 1


@pytest.mark.parametrize("method", ["numpy", "marsaglia"])
def test_lecture_2d_k3_fits_three_components_to_the_lecture_2d_data(method):
    k2, k3 = CASES["lecture-2d"], CASES["lecture-2d-k3"]
    for seed in (0, 7):
        a, b = k2.generate(seed, method), k3.generate(seed, method)
        np.testing.assert_array_equal(a.X, b.X)
        np.testing.assert_array_equal(a.labels, b.labels)
    assert b.X.shape == (150, 2) and np.bincount(b.labels).tolist() == [100, 50]
    assert k3.n_components == 3 and k3.kind == "mixture"
    # No per-parameter truth for a K=3 fit of K=2 data; the figures get the source.
    assert k3.truth is None
    for name, value in k2.truth.items():
        np.testing.assert_array_equal(k3.generating[name], value)
    assert "lecture-2d" in " ".join(k3.notes) and "LOO-IC" in " ".join(k3.notes)
    # The EM side fits the model the posterior does: three diagonal components.
    estimator = k3.make_estimator(0)
    assert (estimator.n_components, estimator.covariance_type) == (3, "diag")
    assert k3.model_key(b) != k2.model_key(a)


def test_worked_example_is_the_five_points():
    data = CASES["worked-example"].generate(3, "numpy")
    np.testing.assert_array_equal(data.x1d, [0.9, 0.7, 1.2, 2.4, 1.8])
    assert CASES["worked-example"].truth is None


def test_get_case_unknown_lists_valid_names():
    with pytest.raises(ValueError, match="lecture-1d, lecture-1d-close"):
        get_case("lecture-3d")
    assert get_case(CASES["regression"]) is CASES["regression"]
    assert isinstance(get_case("families"), Case)


def test_model_keys_share_only_what_can_be_shared():
    one, close = CASES["lecture-1d"], CASES["lecture-1d-close"]
    # The weak priors are fixed numbers of the K=2 1-D cases: one model serves both. (The
    # default conjugate priors are each case's own; tests/compare/test_ladder.py.)
    one, close = one.with_prior("weak"), close.with_prior("weak")
    assert one.model_key(one.generate(0)) == close.model_key(close.generate(5))
    worked = CASES["worked-example"]
    assert worked.model_key(worked.generate(0)) != one.model_key(one.generate(0))
    reg = CASES["regression"]
    # Priors scaled to the data: another data set must not reuse the model.
    assert reg.model_key(reg.generate(0)) != reg.model_key(reg.generate(1))
    assert reg.model_key(reg.generate(0)) == reg.model_key(reg.generate(0))
