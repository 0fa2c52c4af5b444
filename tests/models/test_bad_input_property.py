"""The models' builders fed bad inputs (issue 16, checks): a ValueError/TypeError naming
the argument, or a model whose initial log-probability is finite; never an input modified
in place. Derandomised and small (building a model compiles nothing)."""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import models

_RNG = np.random.default_rng(2)
GOOD = np.r_[_RNG.normal(0, 1, (10, 2)), _RNG.normal(4, 1, (10, 2))]
Y_LIN = GOOD @ [1.0, -1.0] + _RNG.normal(0, 0.3, 20)
Y_BIN = (GOOD[:, 0] > 2).astype(float)
Y_BIN[:2] = 1 - Y_BIN[:2]

BAD = {
    "nan": lambda: np.where(np.arange(20)[:, None] == 4, np.nan, GOOD),
    "inf": lambda: np.where(np.arange(20)[:, None] == 4, np.inf, GOOD),
    "empty": lambda: np.empty((0, 2)),
    "no-features": lambda: np.empty((20, 0)),
    "sparse": lambda: sp.csr_matrix(GOOD),
    "strings": lambda: GOOD.astype(str),
    "complex": lambda: GOOD + 1j,
    "huge": lambda: GOOD * 1e300,
    "tiny": lambda: GOOD * 1e-300,
    "3-d": lambda: GOOD.reshape(20, 2, 1),
    "nullable-na": lambda: pd.DataFrame(GOOD).astype("Float64").mask(GOOD > 5, pd.NA),
}
BUILDERS = {
    "normal_mixture": ("x", lambda v: models.normal_mixture(v, 2), True),
    "mv_normal_mixture": ("X", lambda v: models.mv_normal_mixture(v, 2), False),
    "linear_regression": ("X", lambda v: models.linear_regression(v, Y_LIN), False),
    "logistic_regression": ("X", lambda v: models.logistic_regression(v, Y_BIN), False),
    "categorical": ("counts", lambda v: models.categorical(v), True),
}


def _input(bad, one_d):
    value = BAD[bad]()
    if not one_d:
        return value
    if isinstance(value, pd.DataFrame):
        return value.iloc[:, 0]
    if sp.issparse(value):
        return sp.csr_matrix(value.toarray()[:, :1])
    return value[:, 0] if np.ndim(value) == 2 and value.shape[1] else value.ravel()


def _copy(value):
    if isinstance(value, pd.DataFrame | pd.Series):
        return value.copy(deep=True)
    return value.copy()


def _unchanged(before, after) -> bool:
    if isinstance(before, pd.DataFrame | pd.Series):
        return before.equals(after)
    if sp.issparse(before):
        return (before != after).nnz == 0
    return np.array_equal(before, after, equal_nan=before.dtype.kind in "fc")


@settings(
    max_examples=40, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(builder=st.sampled_from(sorted(BUILDERS)), bad=st.sampled_from(sorted(BAD)))
def test_builders_refuse_clearly_or_build_a_finite_model(builder, bad):
    argument, build, one_d = BUILDERS[builder]
    value = _input(bad, one_d)
    before = _copy(value)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model = build(value)
        except (ValueError, TypeError) as exc:
            assert argument in str(exc), f"{builder} on {bad}: {exc}"
        else:
            logp = model.compile_logp()(model.initial_point())
            assert np.isfinite(logp), f"{builder} on {bad}: initial log-probability {logp}"
    assert _unchanged(before, value), f"{builder} modified its {bad} input in place"


def test_diagnostics_of_none_names_idata():
    with pytest.raises(TypeError, match="idata"):
        models.diagnostics(None)
