"""Every public entry point of em, fed bad inputs (issue 16, checks).

For each input the answer is either a ValueError/TypeError raised by em whose message
names the argument, or finite results (a degenerate answer comes with one of em's
warnings); the input is never modified in place. Derandomised and small, so it is fast.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import em

_RNG = np.random.default_rng(1)
GOOD = np.r_[_RNG.normal(0, 1, (12, 2)), _RNG.normal(4, 1, (12, 2))]
Y_LIN = GOOD @ [1.0, -1.0] + _RNG.normal(0, 0.3, 24)
Y_BIN = (GOOD[:, 0] > 2).astype(float)
Y_BIN[:3] = 1 - Y_BIN[:3]


def _with_na():
    frame = pd.DataFrame(GOOD).astype("Float64")
    frame.iloc[3, 1] = pd.NA
    return frame


def _obj_none():
    arr = GOOD.astype(object)
    arr[2, 0] = None
    return arr


BAD = {
    "nan": lambda: np.where(np.arange(24)[:, None] == 5, np.nan, GOOD),
    "inf": lambda: np.where(np.arange(24)[:, None] == 5, np.inf, GOOD),
    "empty": lambda: np.empty((0, 2)),
    "no-features": lambda: np.empty((24, 0)),
    "sparse": lambda: sp.csr_matrix(GOOD),
    "object-none": _obj_none,
    "object-numbers": lambda: GOOD.astype(object),
    "strings": lambda: GOOD.astype(str),
    "complex": lambda: GOOD + 1j,
    "huge": lambda: GOOD * 1e300,
    "tiny": lambda: GOOD * 1e-300,
    "3-d": lambda: GOOD.reshape(24, 2, 1),
    "wrong-width": lambda: np.c_[GOOD, GOOD],
    "nullable": lambda: pd.DataFrame(GOOD).astype("Float64"),
    "nullable-na": _with_na,
}


def _fitted(factory, y=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return factory().fit(GOOD) if y is None else factory().fit(GOOD, y)


MIXTURE = _fitted(lambda: em.GaussianMixtureEM(2, random_state=0))
ENTRY_POINTS = {
    "GaussianMixtureEM.fit": lambda X: em.GaussianMixtureEM(2, random_state=0, n_init=1).fit(X),
    "ClassificationEM.fit": lambda X: em.ClassificationEM(2, random_state=0).fit(X),
    "VariationalGaussianMixture.fit": lambda X: em.VariationalGaussianMixture(
        2, random_state=0
    ).fit(X),
    "KMeans.fit": lambda X: em.KMeans(2, random_state=0).fit(X),
    "GaussianMLE.fit": lambda X: em.GaussianMLE().fit(X),
    "LinearRegressionMLE.fit": lambda X: em.LinearRegressionMLE().fit(X, Y_LIN),
    "LogisticRegressionMLE.fit": lambda X: em.LogisticRegressionMLE().fit(X, Y_BIN),
    "LinearRegressionMLE.fit(y)": lambda y: em.LinearRegressionMLE().fit(GOOD, y),
    "CategoricalMLE.fit(counts)": lambda c: em.CategoricalMLE().fit(counts=c),
    "GaussianMixtureEM.predict": lambda X: MIXTURE.predict(X),
    "GaussianMixtureEM.score_samples": lambda X: MIXTURE.score_samples(X),
    "GaussianMixtureEM.inference": lambda X: MIXTURE.inference(X),
    "KMeans.predict": lambda X: _fitted(lambda: em.KMeans(2, random_state=0)).predict(X),
    "LinearRegressionMLE.predict": lambda X: _fitted(em.LinearRegressionMLE, Y_LIN).predict(X),
    "LogisticRegressionMLE.predict_proba": lambda X: _fitted(
        em.LogisticRegressionMLE, Y_BIN
    ).predict_proba(X),
    "bootstrap": lambda X: em.bootstrap(_fitted(em.GaussianMLE), X, n_boot=3, random_state=0),
    "match_components": lambda X: em.match_components(X, GOOD[:2]),
}
# The argument each entry point's bad input goes to, as its message must name it.
ARGUMENT = {
    "LinearRegressionMLE.fit(y)": "y",
    "CategoricalMLE.fit(counts)": "counts",
    "match_components": "means",
}


def _finite(value) -> bool:
    if isinstance(value, np.ndarray) and value.dtype.kind in "fc":
        return bool(np.isfinite(value).all())
    if isinstance(value, float):
        return bool(np.isfinite(value))
    return True


def _snapshot(value):
    if sp.issparse(value):
        return value.toarray().copy()
    if isinstance(value, pd.DataFrame):
        return value.copy(deep=True)
    return np.array(value, dtype=object, copy=True)


def _same(before, after) -> bool:
    if isinstance(before, pd.DataFrame):
        return before.equals(after)
    after = after.toarray() if sp.issparse(after) else np.asarray(after, dtype=object)
    with np.errstate(invalid="ignore"):
        return before.shape == after.shape and all(
            (a is b) or (a == b) or (a != a and b != b)
            for a, b in zip(before.ravel(), after.ravel(), strict=True)
        )


def _vector(bad):
    """The 1-D version of a bad input, for the arguments that take a vector."""
    value = BAD[bad]()
    if isinstance(value, pd.DataFrame):
        return value.iloc[:, 0]
    if sp.issparse(value):
        return sp.csr_matrix(value.toarray()[:, :1])
    return value[:, 0] if np.ndim(value) == 2 and value.shape[1] else value.ravel()


@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(entry=st.sampled_from(sorted(ENTRY_POINTS)), bad=st.sampled_from(sorted(BAD)))
def test_bad_input_is_refused_clearly_or_answered_finitely(entry, bad):
    argument = ARGUMENT.get(entry, "X")
    value = _vector(bad) if argument != "X" else BAD[bad]()
    if entry == "CategoricalMLE.fit(counts)" and isinstance(value, np.ndarray):
        value = np.abs(value) if value.dtype.kind in "fc" else value
    before = _snapshot(value)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = ENTRY_POINTS[entry](value)
        except (ValueError, TypeError) as exc:
            message = str(exc)
            assert type(exc).__module__.split(".")[0] in ("em", "builtins")
            assert argument in message, message
        else:
            estimates = getattr(result, "__dict__", {"result": result})
            for name, estimate in estimates.items():
                assert _finite(estimate), f"{entry} on {bad}: {name} is not finite"
    # numpy's own warnings (overflow, invalid value) would mean an unguarded computation.
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)], entry
    assert _same(before, value), f"{entry} modified its {bad} input in place"


def test_every_bad_input_kind_is_used():
    assert {"sparse", "nullable-na", "huge", "tiny", "complex", "no-features"} <= set(BAD)


@pytest.mark.parametrize("bad", ["huge", "tiny", "sparse", "nullable-na", "no-features"])
def test_each_fit_refuses_the_worst_inputs_naming_x(bad):
    for entry in ("KMeans.fit", "GaussianMLE.fit", "LinearRegressionMLE.fit"):
        with pytest.raises((ValueError, TypeError), match=r"^X "):
            ENTRY_POINTS[entry](BAD[bad]())
