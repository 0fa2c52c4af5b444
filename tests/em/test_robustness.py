"""Issue 16: a clear answer for every bad input, and no wrong answer without a word."""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import em
from em import PerfectFitWarning, PrecisionLossWarning

RNG = np.random.default_rng(0)
X2 = np.r_[RNG.normal(0, 1, (30, 2)), RNG.normal(5, 1, (30, 2))]
Y_LIN = X2 @ [1.0, 2.0] + RNG.normal(0, 0.1, 60)
Y_BIN = (X2[:, 0] > 2.5).astype(float)
Y_BIN[:5] = 1 - Y_BIN[:5]

FIT = {
    "GaussianMixtureEM": lambda X: em.GaussianMixtureEM(2, random_state=0).fit(X),
    "ClassificationEM": lambda X: em.ClassificationEM(2, random_state=0).fit(X),
    "KMeans": lambda X: em.KMeans(2, random_state=0).fit(X),
    "GaussianMLE": lambda X: em.GaussianMLE().fit(X),
    "LinearRegressionMLE": lambda X: em.LinearRegressionMLE().fit(X, Y_LIN),
    "LogisticRegressionMLE": lambda X: em.LogisticRegressionMLE().fit(X, Y_BIN),
}

# -------------------------------------------------------------------------- point 2: scale


@pytest.mark.parametrize("name", FIT)
@pytest.mark.parametrize(
    ("factor", "match"),
    [(1e300, "out of the supported range: its values reach"), (1e-300, "vary by only")],
)
def test_data_out_of_float64_range_is_refused_not_fitted_to_nan(name, factor, match):
    with pytest.raises(ValueError, match=match) as info:
        FIT[name](X2 * factor)
    message = str(info.value)
    assert message.startswith("X") and "Rescale" in message
    assert "singular" not in message and "rank deficient" not in message
    assert "separat" not in message


def test_response_out_of_range_is_refused():
    with pytest.raises(ValueError, match=r"^y is out of the supported range"):
        em.LinearRegressionMLE().fit(X2, Y_LIN * 1e300)


def test_data_just_inside_the_range_fit_finitely():
    for factor in (1e70, 1e-70):
        km = em.KMeans(2, random_state=0).fit(X2 * factor)
        assert np.isfinite(km.inertia_) and np.isfinite(km.cluster_centers_).all()
        g = em.GaussianMLE().fit(X2 * factor)
        assert np.isfinite(g.covariance_).all() and np.isfinite(g.log_likelihood_)


def test_reg_covar_swamping_small_scale_data_warns_and_names_the_remedy():
    with pytest.warns(PrecisionLossWarning, match=r"reg_covar=1e-06 is .* Rescale X"):
        em.GaussianMixtureEM(2, random_state=0).fit(X2 * 1e-4)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrecisionLossWarning)
        em.GaussianMixtureEM(2, random_state=0).fit(X2)  # unit scale: silent
        em.GaussianMixtureEM(2, reg_covar=1e-15, random_state=0).fit(X2 * 1e-4)


def test_perfect_fits_warn_that_the_log_likelihood_is_infinite():
    with pytest.warns(PerfectFitWarning, match=r"log_likelihood_ is \+inf"):
        g = em.GaussianMLE().fit(np.c_[np.arange(5.0), np.arange(5.0)])
    assert g.log_likelihood_ == np.inf
    with pytest.warns(PerfectFitWarning, match="residuals are all zero"):
        reg = em.LinearRegressionMLE().fit(np.arange(4.0), 2 * np.arange(4.0))
    assert reg.log_likelihood_ == np.inf


# -------------------------------------------------------- point 2: normal equations (NIST)

FILIP = np.loadtxt(Path(__file__).parent / "data" / "nist_filip.csv", delimiter=",", skiprows=1)
# NIST StRD certified values, B0..B10.
FILIP_CERTIFIED = np.array(
    [
        -1467.48961422980,
        -2772.17959193342,
        -2316.37108160893,
        -1127.97394098372,
        -354.478233703349,
        -75.1242017393757,
        -10.8753180355343,
        -1.06221498588947,
        -0.670191154593408e-01,
        -0.246781078275479e-02,
        -0.402962525080404e-04,
    ]
)


def test_normal_equations_on_nist_filip_warn_and_name_qr():
    y, x = FILIP[:, 0], FILIP[:, 1]
    X = np.column_stack([x**k for k in range(1, 11)])
    with pytest.warns(PrecisionLossWarning, match=r"condition number .* method='qr'"):
        bad = em.LinearRegressionMLE("normal_equations").fit(X, y)
    good = em.LinearRegressionMLE().fit(X, y)

    def digits(reg):
        b = np.r_[reg.intercept_, reg.coef_]
        return float(np.min(-np.log10(np.abs(b - FILIP_CERTIFIED) / np.abs(FILIP_CERTIFIED))))

    assert digits(good) > 7 and digits(bad) < 2  # the warning is about a real loss


def test_normal_equations_on_a_well_conditioned_design_stay_silent():
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrecisionLossWarning)
        em.LinearRegressionMLE("normal_equations").fit(X2, Y_LIN)


# --------------------------------------------------------------- point 2: categorical counts


@pytest.mark.parametrize("counts", [[1e300, 1e300, 1], [2**63, 1], [2**62, 2**62, 2**62]])
def test_counts_beyond_int64_are_refused_not_wrapped(counts):
    with pytest.raises(ValueError, match=r"counts must fit a 64-bit integer"):
        em.CategoricalMLE().fit(counts=np.array(counts, dtype=float))


def test_complex_counts_are_refused():
    with pytest.raises(TypeError, match="counts must be real"):
        em.CategoricalMLE().fit(counts=[1 + 1j, 2])


def test_categorical_object_samples_with_none_or_mixed_kinds():
    with pytest.raises(ValueError, match=r"X has a missing value \(None\) at index 1"):
        em.CategoricalMLE().fit(np.array(["a", None, "b"], dtype=object))
    with pytest.raises(TypeError, match=r"X mixes values of kinds number, str"):
        em.CategoricalMLE().fit(np.array(["a", 1, "b"], dtype=object))
    m = em.CategoricalMLE().fit(np.array(["a", "b", "a"], dtype=object))
    assert m.probabilities_.tolist() == pytest.approx([2 / 3, 1 / 3])


# ----------------------------------------------------------------------- point 3: messages


@pytest.mark.parametrize("name", FIT)
def test_sparse_input_says_sparse_and_how_to_convert(name):
    with pytest.raises(TypeError, match=r"X is a sparse csr_matrix; sparse input .*toarray"):
        FIT[name](sp.csr_matrix(X2))


@pytest.mark.parametrize("name", FIT)
def test_nullable_pandas_is_accepted_and_missing_values_are_located(name):
    frame = pd.DataFrame(X2, columns=["a", "b"]).astype("Float64")
    fitted = FIT[name](frame)
    reference = FIT[name](X2)
    for attribute in ("means_", "mean_", "coef_", "cluster_centers_"):
        if hasattr(reference, attribute):
            np.testing.assert_allclose(getattr(fitted, attribute), getattr(reference, attribute))
    frame.iloc[7, 1] = pd.NA
    with pytest.raises(ValueError, match=r"X has 1 missing value.*row 7, column 'b'"):
        FIT[name](frame)


@pytest.mark.parametrize("name", FIT)
def test_no_features_is_said_as_such(name):
    with pytest.raises(ValueError, match=r"X has no features"):
        FIT[name](np.empty((6, 0)))


def test_inference_refuses_data_other_than_the_training_data():
    model = em.GaussianMixtureEM(2, random_state=0).fit(X2)
    model.inference(X2.copy())  # the same data, another array: accepted
    with pytest.raises(ValueError, match=r"not the data the model was fitted to .*other values"):
        model.inference(X2 + 1.0)
    with pytest.raises(ValueError, match=r"shape 59x2 instead of 60x2"):
        model.inference(X2[1:])
    assert model.data_fingerprint_.startswith("60x2:")


def test_bootstrap_with_x_of_the_wrong_width():
    g = em.GaussianMLE().fit(X2)
    with pytest.raises(ValueError, match="X has 1 features but GaussianMLE was fitted with 2"):
        em.bootstrap(g, X2[:, :1], n_boot=3, random_state=0)


def test_match_components_with_another_k_is_refused():
    with pytest.raises(ValueError, match="same K"):
        em.match_components(np.zeros((2, 2)), np.zeros((3, 2)))


# ------------------------------------------------------------------- point 4: scikit-learn


@pytest.mark.filterwarnings("ignore::em.SeparationWarning")  # a fold may separate
def test_tags_make_scikit_learn_tools_work():
    from sklearn.base import is_classifier, is_clusterer, is_regressor
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    assert is_classifier(em.LogisticRegressionMLE())
    assert is_regressor(em.LinearRegressionMLE())
    assert is_clusterer(em.KMeans(2)) and is_clusterer(em.ClassificationEM(2))
    assert em.GaussianMixtureEM(2).__sklearn_tags__().estimator_type == "density_estimator"
    # cross_val_score stratifies a classifier's folds and scores it with roc_auc.
    scores = cross_val_score(em.LogisticRegressionMLE(), X2, Y_BIN, cv=3, scoring="roc_auc")
    assert np.isfinite(scores).all() and (scores > 0.5).all()
    folds = list(StratifiedKFold(3).split(X2, Y_BIN))
    assert len(folds) == 3
    clf = em.LogisticRegressionMLE().fit(X2, Y_BIN + 1)  # any two numeric labels
    assert clf.classes_.tolist() == [1.0, 2.0] and set(clf.predict(X2)) <= {1.0, 2.0}


def test_not_fitted_error_is_also_scikit_learns():
    from sklearn.exceptions import NotFittedError as SkNotFitted

    with pytest.raises(SkNotFitted):
        em.KMeans(2).predict(X2)
    with pytest.raises(em.NotFittedError) as info:
        em.LogisticRegressionMLE().predict(X2)
    assert isinstance(info.value, ValueError | AttributeError | SkNotFitted)
