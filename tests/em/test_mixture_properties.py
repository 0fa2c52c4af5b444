"""Properties that hold for every fit (hypothesis draws the data and settings)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from em import (  # noqa: E402
    ClassificationEM,
    ConvergenceWarning,
    DegenerateComponentWarning,
    GaussianMixtureEM,
)

PROPERTY_SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def problems(draw):
    """Data from a random mixture (any location and scale) plus estimator settings."""
    seed = draw(st.integers(0, 2**32 - 1))
    n_features = draw(st.integers(1, 3))
    n_components = draw(st.integers(1, 4))
    n_samples = draw(st.integers(max(2 * n_components * (n_features + 1), 8), 80))
    scale = 10.0 ** draw(st.integers(-3, 3))
    offset = draw(st.sampled_from([0.0, 1.0, -1e3]))
    rng = np.random.default_rng(seed)
    centers = rng.normal(0.0, 3.0, (n_components, n_features))
    X = centers[rng.integers(n_components, size=n_samples)] + rng.standard_normal(
        (n_samples, n_features)
    )
    params = dict(
        n_components=n_components,
        covariance_type=draw(st.sampled_from(["full", "tied", "diag", "spherical"])),
        init=draw(st.sampled_from(["k-means++", "kmeans", "random", "random_from_data"])),
        reg_covar=draw(st.sampled_from([0.0, 1e-6])) * scale**2,
        max_iter=draw(st.integers(1, 40)),
        random_state=draw(st.integers(0, 1000)),
    )
    return offset * scale + scale * X, params


def fit(estimator, X, params):
    """Fit, and report whether any component was re-seeded (which may lower the likelihood)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = estimator(**params).fit(X)
    reseeded = any(w.category is DegenerateComponentWarning for w in caught)
    other = [
        w for w in caught if w.category not in (DegenerateComponentWarning, ConvergenceWarning)
    ]
    assert not other, [str(w.message) for w in other]
    return model, reseeded


def assert_valid_mixture(model, X):
    assert np.all(np.isfinite(model.weights_)) and np.all(model.weights_ > 0)
    assert model.weights_.sum() == pytest.approx(1.0, abs=1e-12)
    covariances = model.covariances_
    if model.covariance_type in ("full", "tied"):
        stack = covariances.reshape(-1, *covariances.shape[-2:])
        np.testing.assert_array_equal(stack, np.swapaxes(stack, 1, 2))
        assert np.all(np.linalg.eigvalsh(stack) > 0)
    else:
        assert np.all(covariances > 0)
    proba = model.predict_proba(X)
    assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    assert np.all(np.isfinite(model.score_samples(X)))


@PROPERTY_SETTINGS
@given(problems())
def test_soft_em_properties(problem):
    X, params = problem
    model, reseeded = fit(GaussianMixtureEM, X, params)
    assert_valid_mixture(model, X)
    history = model.log_likelihood_history_
    assert history.shape == (model.n_iter_,) and np.all(np.isfinite(history))
    if not reseeded:
        # EM never lowers the likelihood; allow rounding in the sums.
        slack = 1e-9 * np.abs(history[1:]) + 1e-9 * X.shape[0]
        assert np.all(np.diff(history) >= -slack)
        assert model.log_likelihood_ >= history[-1] - slack.max(initial=1e-9 * X.shape[0])
    again, _ = fit(GaussianMixtureEM, X, params)
    for name in ("weights_", "means_", "covariances_", "log_likelihood_history_"):
        np.testing.assert_array_equal(getattr(model, name), getattr(again, name))


@PROPERTY_SETTINGS
@given(problems())
def test_hard_em_properties(problem):
    X, params = problem
    model, reseeded = fit(ClassificationEM, X, params)
    assert_valid_mixture(model, X)
    history = model.classification_log_likelihood_history_
    if not reseeded:
        slack = 1e-9 * np.abs(history[1:]) + 1e-9 * X.shape[0]
        assert np.all(np.diff(history) >= -slack)
    again, _ = fit(ClassificationEM, X, params)
    np.testing.assert_array_equal(model.means_, again.means_)
    np.testing.assert_array_equal(model.labels_, again.labels_)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 4))
def test_weights_init_normalised_exactly(seed, n_components):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(30, 2))
    weights = rng.dirichlet(np.ones(n_components))
    assume(abs(weights.sum() - 1) < 1e-12)
    model = GaussianMixtureEM(n_components, weights_init=weights, max_iter=0).fit(X)
    assert model.weights_.sum() == pytest.approx(1.0, abs=1e-15)
