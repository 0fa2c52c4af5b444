import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn.metrics import adjusted_rand_score

from compare import metrics as M

labels = st.lists(st.integers(0, 4), min_size=2, max_size=40)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_ari_matches_sklearn(data):
    a = data.draw(labels)
    b = data.draw(st.lists(st.integers(0, 4), min_size=len(a), max_size=len(a)))
    assert M.adjusted_rand_index(a, b) == pytest.approx(adjusted_rand_score(a, b), abs=1e-12)


def test_ari_is_permutation_invariant_and_checks_shapes():
    assert M.adjusted_rand_index([0, 0, 1, 1], [5, 5, 2, 2]) == 1.0
    with pytest.raises(ValueError, match="labels"):
        M.adjusted_rand_index([0, 1], [0, 1, 1])


def test_mixture_log_likelihood_matches_scipy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    w = np.array([0.3, 0.7])
    mu = np.array([[0.0, 0.0], [1.0, -1.0]])
    cov = np.array([[[1.0, 0.3], [0.3, 2.0]], [[0.5, 0.0], [0.0, 0.5]]])
    dens = sum(w[k] * stats.multivariate_normal(mu[k], cov[k]).pdf(X) for k in range(2))
    assert M.mixture_log_likelihood(X, w, mu, cov) == pytest.approx(np.log(dens).sum())


def test_mixture_log_likelihood_agrees_with_em():
    from em import GaussianMixtureEM

    X = np.random.default_rng(1).normal(size=(60, 1)) * [[3.0]]
    X[30:] += 10
    gm = GaussianMixtureEM(2, random_state=0).fit(X)
    ours = M.mixture_log_likelihood(X, gm.weights_, gm.means_, gm.covariances_)
    assert ours == pytest.approx(gm.log_likelihood_, rel=1e-10)


def test_regression_log_likelihoods_match_scipy():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(20, 2))
    y = 1 + X @ [2.0, -1.0] + rng.normal(size=20)
    expected = stats.norm(1 + X @ [2.0, -1.0], 1.5).logpdf(y).sum()
    assert M.linear_log_likelihood(X, y, 1.0, [2.0, -1.0], 1.5) == pytest.approx(expected)
    y01 = (y > 1).astype(float)
    p = 1 / (1 + np.exp(-(0.5 + X @ [1.0, 0.0])))
    expected = stats.bernoulli(p).logpmf(y01).sum()
    assert M.logistic_log_likelihood(X, y01, 0.5, [1.0, 0.0]) == pytest.approx(expected)


def test_categorical_log_likelihood():
    counts = np.array([1000, 90000, 6000, 3000])
    p = counts / counts.sum()
    full = M.categorical_log_likelihood(counts, p, multinomial_coefficient=True)
    assert full == pytest.approx(stats.multinomial(counts.sum(), p).logpmf(counts))
    # 0 log 0 = 0: a zero count with zero probability is fine.
    assert M.categorical_log_likelihood([0, 2], [0.0, 1.0]) == 0.0


def test_responsibility_difference():
    d = M.responsibility_difference([[1.0, 0.0], [0.5, 0.5]], [[0.9, 0.1], [0.5, 0.5]])
    assert d["max"] == pytest.approx(0.1) and d["mean"] == pytest.approx(0.05)
    with pytest.raises(ValueError, match="shape"):
        M.responsibility_difference(np.ones((2, 2)), np.ones((3, 2)))


def test_metric_keys_are_distinct_and_cover_what_the_pages_read():
    import inspect

    from compare.reports import case_page, index

    assert len(set(M.METRIC_KEYS)) == len(M.METRIC_KEYS)
    # The pages read metrics only through the constants, never by a typed string.
    for module in (case_page, index):
        source = inspect.getsource(module)
        for key in M.METRIC_KEYS:
            assert f'"{key}"' not in source, (module.__name__, key)
