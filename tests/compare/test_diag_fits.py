"""EM with diagonal covariances, laid out like the posterior's (K, d, d) ``cov``."""

import numpy as np

from compare import CASES
from compare.engine.fit import fit_em
from compare.kinds import get_kind
from compare.kinds.mixture_extras import fit_em_variants


def test_diagonal_em_covariances_become_matrices_with_fixed_zeros():
    case = CASES["lecture-2d-k3"]
    data = case.generate(0)
    fit = fit_em(case, data, seed=1)
    params, method = get_kind("mixture").em_parameters(fit.estimator, fit.inference)
    cov = params["covariances"]
    assert {f: v.shape for f, v in cov.items()} == dict.fromkeys(
        ("estimate", "se", "lower", "upper"), (3, 2, 2)
    )
    diag = np.diagonal(cov["estimate"], axis1=1, axis2=2)
    np.testing.assert_array_equal(diag, fit.estimator.covariances_)
    for field in cov.values():
        np.testing.assert_array_equal(field[:, 0, 1], 0.0)
        np.testing.assert_array_equal(field[:, 1, 0], 0.0)
    assert "fixed at 0" in method


def test_variants_fit_the_main_fits_covariance_type():
    case = CASES["lecture-2d-k3"]
    variants = fit_em_variants(case, case.generate(0), seed=1, covariance_type="diag")
    for name in ("soft", "hard"):
        assert variants[name].covariance_type == "diag"
        assert variants[name].covariances_.shape == (3, 2)
