"""compare.kinds: one object per kind of case, found through the registry."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from compare import CASES
from compare.cases import Dataset
from compare.figures import FIGURES
from compare.kinds import KINDS, Kind, get_kind


def test_every_case_has_a_registered_kind():
    for case in CASES.values():
        assert isinstance(get_kind(case.kind), Kind)
        assert get_kind(case.kind).name == case.kind
    assert set(KINDS) == {"mixture", "linear", "logistic", "categorical"}


def test_unknown_kind_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"poisson.*mixture, linear, logistic, categorical"):
        get_kind("poisson")


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_figure_of_every_case_exists(name):
    case = CASES[name]
    names = get_kind(case.kind).figure_names(case.generate(0))
    assert names and len(set(names)) == len(names)
    assert set(names) <= set(FIGURES)
    # One file per figure on a page.
    stems = [FIGURES[n].stem for n in names]
    assert len(set(stems)) == len(stems)


def test_mixture_figures_follow_the_data_shape():
    kind = get_kind("mixture")
    assert "density" in kind.figure_names(Dataset(X=np.zeros((5, 1))))
    assert "ellipses" in kind.figure_names(Dataset(X=np.zeros((5, 2))))


@settings(max_examples=30, deadline=None)
@given(
    st.floats(0.05, 0.95),
    st.floats(-3, 3),
    st.floats(0.2, 4),
    st.floats(0.2, 4),
)
def test_one_d_mixture_point_scores_like_the_textbook_density(w, mu, s0, s1):
    kind = get_kind("mixture")
    x = np.linspace(-5, 8, 13)
    params = {"weights": [w, 1 - w], "means": [mu, mu + 3], "sigma": [s0, s1]}
    point = kind.point_parameters(params)
    assert point["covariances"].shape == (2, 1, 1) and point["means"].shape == (2, 1)
    expected = np.log(w * norm.pdf(x, mu, s0) + (1 - w) * norm.pdf(x, mu + 3, s1)).sum()
    got = kind.log_likelihood(Dataset(X=x[:, None]), point)
    assert got == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("kind_name", sorted(KINDS))
def test_simulate_gives_one_data_set_per_draw(kind_name):
    import xarray as xr

    rng = np.random.default_rng(0)
    S, n = 6, 10
    X = rng.normal(size=(n, 1))
    draws = {
        "mixture": {
            "weights": np.full((S, 2), 0.5),
            "means": rng.normal(size=(S, 2)),
            "sigma": np.ones((S, 2)),
        },
        "linear": {"intercept": rng.normal(size=S), "coef": rng.normal(size=(S, 1)),
                   "sigma": np.ones(S)},
        "logistic": {"intercept": rng.normal(size=S), "coef": rng.normal(size=(S, 1))},
        "categorical": {"p": np.full((S, 4), 0.25)},
    }[kind_name]  # fmt: skip
    observed = xr.DataArray(np.arange(4.0) if kind_name == "categorical" else np.zeros(n))
    sim = get_kind(kind_name).simulate(draws, X, observed, rng)
    assert sim.shape == (S, *observed.shape)
    if kind_name == "categorical":
        np.testing.assert_array_equal(sim.sum(axis=1), observed.sum())
    if kind_name == "logistic":
        assert set(np.unique(sim)) <= {0.0, 1.0}


def test_figures_of_fixed_data_have_no_source_to_draw():
    """worked-example has neither a truth nor a generating distribution (fixed points)."""
    import xarray as xr

    from compare.figures.case import _source, _source_label, density_1d

    case = CASES["worked-example"]
    assert _source(case) is None and _source_label(case) == ""
    assert _source_label(CASES["lecture-2d-k3"]).startswith("generating distribution (K=2)")
    draws = {
        k: xr.DataArray(np.full((1, 3, 2), v), dims=("chain", "draw", "component"))
        for k, v in (("w", 0.5), ("mu", 1.0), ("sigma", 1.0))
    }
    em = {"weights": np.array([0.5, 0.5]), "means": np.array([1.0, 2.0]), "sigma": np.ones(2)}
    x = case.generate(0).x1d
    fig = density_1d(x, None, "", em, draws["w"], draws["mu"], draws["sigma"])
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert not any("density" in lab and lab.startswith(("truth", "generating")) for lab in labels)
