"""Every bad input gets an error naming the argument, what was wrong and what is accepted."""

from __future__ import annotations

import numpy as np
import pytest

from em import ClassificationEM, GaussianMixtureEM, KMeans

X_OK = np.random.default_rng(0).normal(size=(20, 2))
MIXTURES = [GaussianMixtureEM, ClassificationEM]


def eye_stack(k, d=2):
    return np.broadcast_to(np.eye(d), (k, d, d)).copy()


@pytest.mark.parametrize("estimator", MIXTURES)
@pytest.mark.parametrize(
    ("X", "match"),
    [
        (np.array([[0.0, np.nan], [1.0, 2.0], [3, 4]]), r"X contains 1 non-finite .*NaN.*finite"),
        (np.array([[0.0, np.inf], [1.0, 2.0], [3, 4]]), r"X contains 1 non-finite .*inf"),
        (np.empty((0, 2)), r"X is empty"),
        (np.zeros((3, 2, 2)), r"X must be 1-D .* or 2-D .*got 3 dimensions"),
        (np.zeros((1, 2)), r"X has 1 samples; at least 2 are required \(n_components=2\)"),
    ],
)
def test_bad_X(estimator, X, match):
    with pytest.raises(ValueError, match=match):
        estimator(2).fit(X)


@pytest.mark.parametrize("estimator", MIXTURES)
@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"n_components": 0}, ValueError, r"n_components must be an integer >= 1; got 0"),
        ({"n_components": 2.5}, TypeError, r"n_components must be an integer"),
        (
            {"covariance_type": "banana"},
            ValueError,
            r"covariance_type='banana' is not supported; accepted: 'full', 'tied'",
        ),
        (
            {"init": "kmeans+"},
            ValueError,
            r"init='kmeans\+' is not supported; accepted: 'k-means\+\+', 'kmeans', 'random'",
        ),
        ({"tol": -1e-3}, ValueError, r"tol must be >= 0.0; got -0.001"),
        ({"reg_covar": -1.0}, ValueError, r"reg_covar must be >= 0.0; got -1.0"),
        ({"max_iter": -1}, ValueError, r"max_iter must be an integer >= 0"),
        ({"n_init": 0}, ValueError, r"n_init must be an integer >= 1"),
        ({"random_state": "seed"}, TypeError, r"random_state must be None, a non-negative int"),
        (
            {"means_init": np.zeros((3, 2))},
            ValueError,
            r"means_init has shape \(3, 2\); accepted: shape \(n_components, n_features\) = \(2,",
        ),
        ({"means_init": [[0.0, np.nan], [1, 1]]}, ValueError, r"means_init contains 1 non-finite"),
        (
            {"weights_init": [0.5, 0.3, 0.2]},
            ValueError,
            r"weights_init has shape \(3,\); accepted: shape \(n_components,\)",
        ),
        (
            {"weights_init": [1.5, -0.5]},
            ValueError,
            r"weights_init has non-positive entries .*accepted: positive weights summing to 1",
        ),
        (
            {"weights_init": [0.5, 0.6]},
            ValueError,
            r"weights_init sums to 1.1; accepted: positive weights summing to 1",
        ),
        (
            {"covariances_init": np.ones((2, 2))},
            ValueError,
            r"covariances_init has shape \(2, 2\); accepted: .*n_features, n_features\) .*'full'",
        ),
        (
            {"covariances_init": np.array([[[1, 0.5], [0, 1]], [[1, 0], [0, 1]]])},
            ValueError,
            r"covariances_init is not symmetric; accepted: symmetric positive definite",
        ),
        (
            {"covariances_init": np.array([eye_stack(1)[0], [[1, 2], [2, 1]]])},
            ValueError,
            r"covariances_init\[1\] is not positive definite .*accepted: symmetric positive",
        ),
        (
            {"covariance_type": "diag", "covariances_init": [[1, 1], [1, -1]]},
            ValueError,
            r"covariances_init\[1\] is not positive definite .*'diag'.*accepted: positive var",
        ),
        (
            {"covariance_type": "spherical", "covariances_init": [1, 0]},
            ValueError,
            r"covariances_init\[1\] is not positive definite .*positive variances",
        ),
        (
            {"covariance_type": "tied", "covariances_init": np.zeros((2, 2))},
            ValueError,
            r"covariances_init is not positive definite for covariance_type='tied'",
        ),
        (
            {"covariance_type": "tied", "covariances_init": eye_stack(2)},
            ValueError,
            r"covariances_init has shape \(2, 2, 2\); accepted: shape \(n_features, n_features\)",
        ),
        ({"means_init": [["a", "b"], ["c", "d"]]}, TypeError, r"means_init must be numeric"),
    ],
)
def test_bad_hyper_parameters(estimator, params, error, match):
    model = estimator(**{"n_components": 2, **params})  # never raises: checked in fit
    with pytest.raises(error, match=match):
        model.fit(X_OK)


@pytest.mark.parametrize("estimator", MIXTURES)
def test_bad_sample_and_predict_arguments(estimator):
    model = estimator(2, random_state=0).fit(X_OK)
    with pytest.raises(ValueError, match=r"n_samples must be an integer >= 1; got 0"):
        model.sample(0)
    with pytest.raises(ValueError, match=r"X contains 1 non-finite"):
        model.predict([[np.nan, 0.0]])
    with pytest.raises(ValueError, match=r"X has 3 features .*fitted with 2; pass data with 2"):
        model.predict_proba(np.zeros((2, 3)))


@pytest.mark.parametrize(
    ("params", "X", "error", "match"),
    [
        ({"n_clusters": 0}, X_OK, ValueError, r"n_clusters must be an integer >= 1; got 0"),
        (
            {"n_clusters": 30},
            X_OK,
            ValueError,
            r"X has 20 samples; at least 30 are required \(n_clusters=30\)",
        ),
        (
            {"init": "kmeans++"},
            X_OK,
            ValueError,
            r"init='kmeans\+\+' is not supported; accepted: 'k-means\+\+', 'random' or an array",
        ),
        (
            {"init": np.zeros((3, 2))},
            X_OK,
            ValueError,
            r"init has shape \(3, 2\); an array of starting centroids must have shape \(n_clu",
        ),
        ({"init": [[0, np.inf], [1, 1]]}, X_OK, ValueError, r"init contains 1 non-finite"),
        (
            {"init": np.zeros((2, 2)), "n_init": 3},
            X_OK,
            ValueError,
            r"n_init=3 with an array init .*accepted: n_init=1 or 'auto'",
        ),
        ({"n_init": 0}, X_OK, ValueError, r"n_init must be an integer >= 1"),
        ({"max_iter": 0}, X_OK, ValueError, r"max_iter must be an integer >= 1"),
        ({"tol": -1.0}, X_OK, ValueError, r"tol must be >= 0.0"),
        ({}, np.array([[np.nan, 1.0], [0, 0], [1, 1]]), ValueError, r"X contains 1 non-finite"),
        ({}, np.zeros((2, 2, 2)), ValueError, r"X must be 1-D .* or 2-D"),
        ({}, np.empty((0, 2)), ValueError, r"X is empty"),
    ],
)
def test_kmeans_bad_input(params, X, error, match):
    with pytest.raises(error, match=match):
        KMeans(**{"n_clusters": 2, **params}).fit(X)
