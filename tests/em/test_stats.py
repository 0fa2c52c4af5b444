"""The chunked E-step statistics: independent of the chunking, equal to the reference M-step."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from em._chunks import chunk_size
from em.mixture import _stats
from em.mixture._assignment import HARD, SOFT
from em.mixture._covariance import COVARIANCES

from .conftest import blobs, random_covariances

TYPES = ["full", "tied", "diag", "spherical"]


def make_plan(X, covariance_type, k, seed):
    rng = np.random.default_rng(seed)
    weights = rng.dirichlet(np.ones(k))
    means = X[rng.choice(len(X), k, replace=False)]
    covariances = random_covariances(rng, covariance_type, k, X.shape[1])
    kind = COVARIANCES[covariance_type]
    prec_chol, _ = kind.precision_cholesky(covariances)
    return _stats.plan(weights, means, prec_chol, covariances, kind)


@settings(max_examples=40, deadline=None)
@given(
    covariance_type=st.sampled_from(TYPES),
    n=st.integers(3, 400),
    d=st.integers(1, 4),
    k=st.integers(1, 3),
    split=st.floats(0, 1),
    hard=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_statistics_do_not_depend_on_the_chunking(covariance_type, n, d, k, split, hard, seed):
    X = blobs(seed, n, d, k) * 3 + 20  # away from the origin, as real data often are
    plan = make_plan(X, covariance_type, min(k, n), seed)
    i = int(split * n)
    assignment = HARD if hard else SOFT
    whole = plan.chunk_statistics(X, assignment)
    parts = [
        plan.chunk_statistics(X[s], assignment)
        for s in (slice(0, i), slice(i, n))
        if s.stop > s.start
    ]
    combined = parts[0] if len(parts) == 1 else _stats.combine(*parts)
    for field in ("nk", "s1", "s2"):
        np.testing.assert_allclose(
            getattr(combined, field), getattr(whole, field), rtol=1e-10, atol=1e-9
        )
    np.testing.assert_allclose(combined.log_likelihood, whole.log_likelihood, rtol=1e-12)
    np.testing.assert_allclose(combined.objective, whole.objective, rtol=1e-12)
    assert combined.n_samples == n


@pytest.mark.parametrize("covariance_type", TYPES)
@pytest.mark.parametrize("hard", [False, True])
def test_m_step_from_statistics_equals_the_reference_m_step(covariance_type, hard):
    X = blobs(3, 100_000, 3, 3) + 100.0  # far from the origin: cancellation would show
    plan = make_plan(X, covariance_type, 3, 7)
    assert chunk_size(plan.buffer_rows) < len(X)  # several chunks
    stats = _stats.e_step(X, plan, HARD if hard else SOFT)
    log_joint = _stats.log_joint(X, plan)
    if hard:
        resp = np.eye(3)[log_joint.argmax(axis=1)]
        np.testing.assert_allclose(stats.objective, log_joint.max(axis=1).sum(), rtol=1e-12)
    else:
        resp = np.exp(log_joint - _stats.logsumexp_rows(log_joint)[:, None])
    reference = _stats.estimate_from_responsibilities(X, resp, 1e-6, COVARIANCES[covariance_type])
    ours = plan.m_step(stats, 1e-6, _stats.NK_EPS)
    for a, b in zip(ours, reference, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10)
    np.testing.assert_allclose(
        stats.log_likelihood, _stats.logsumexp_rows(log_joint).sum(), rtol=1e-12
    )
