"""mclust's published Gaussian-mixture fits of the Old Faithful data, with their sources.

mclust (R; Fraley, Raftery, Scrucca) is the reference implementation of model-based
clustering. Its model names map onto the covariance types of ``em.GaussianMixtureEM`` (and
scikit-learn) as :data:`MCLUST_TO_COVARIANCE_TYPE` says: ``EEE`` (one full covariance shared
by all components) is ``"tied"``, ``VVV`` (a full covariance per component) is ``"full"``.

Two conventions differ from ``em``'s and are easy to trip on:

- mclust's BIC is ``2 log L - df log n`` (**higher** is better); ``GaussianMixtureEM.bic``
  is ``-2 log L + p log n`` (lower is better). :func:`mclust_bic` converts.
- mclust stops EM when the relative change of the log-likelihood falls below ``1e-5``
  (``emControl()``), which on ``faithful``/EEE/3 stops about 0.0103 short of the maximum
  (published ``-1126.326``; a converged run reaches ``-1126.315928``). A converged EM
  therefore beats the published value by about that much and agrees with it only to the
  printed precision of a looser fit; see :data:`FAITHFUL_EEE3_CONVERGED_LOG_LIKELIHOOD`.
- mclust starts EM once, from model-based hierarchical clustering, so several entries of its
  BIC table (e.g. VVV with 3 components) are local maxima that a multi-start EM improves on,
  and the table changes between mclust versions (mclust 5.2.3 printed EEE,4 = -2320.207,
  the table below -2331.223).

Sources
-------
The numbers are ``summary(Mclust(faithful))``, ``summary(Mclust(faithful), parameters =
TRUE)`` and ``mclustBIC(faithful)`` with mclust's defaults. The mclust vignette "A quick
tour of mclust" (L. Scrucca; :data:`VIGNETTE_URL`, section "Density estimation /
Multivariate", ``densityMclust(faithful)``, whose summary prints the same selected model)
publishes the first line. The pages searched for this file did not include the rendered
vignette itself; the digits were read from two public copies of mclust's printed output,
which agree with each other:

- a course script that prints all three outputs in full (mclust 5 or later: the table has
  the VVE/EVE/VEE/EVV models added in mclust 5.0); the source of every number here;
- the validation suite of the R package multilpa, which cites the triple (BIC -2314.316,
  log-likelihood -1126.326, df 11) as "mclust vignette, clustering", reproduces it with
  mclust 6.1.2 at its default tolerance, and records the converged optimum -1126.315928
  (mclust at ``tol = 1e-13``).

``tests/compare/test_datasets.py`` checks ``em`` against every number used here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "FAITHFUL_EEE3_CONVERGED_LOG_LIKELIHOOD",
    "FAITHFUL_MCLUST_BEST",
    "FAITHFUL_MCLUST_BEST_PARAMETERS",
    "FAITHFUL_MCLUST_BIC",
    "FAITHFUL_MCLUST_TOP3",
    "MCLUST_TO_COVARIANCE_TYPE",
    "VIGNETTE_URL",
    "MclustFit",
    "mclust_bic",
]

VIGNETTE_URL = "https://cran.r-project.org/web/packages/mclust/vignettes/mclust.html"

#: mclust model name -> ``covariance_type`` of ``em.GaussianMixtureEM`` / scikit-learn, for
#: the four models both have (EEE: common full covariance; VVV: one full covariance per
#: component; VVI: one diagonal per component; VII: one scalar variance per component).
MCLUST_TO_COVARIANCE_TYPE = {"EEE": "tied", "VVV": "full", "VVI": "diag", "VII": "spherical"}


@dataclass(frozen=True)
class MclustFit:
    """One fit as mclust prints it (3 decimals).

    Attributes
    ----------
    model : str
        mclust model name (``"EEE"``, ``"VVV"``, ...).
    n_components : int
    n_samples : int
    log_likelihood : float
    df : int
        Number of free parameters.
    bic : float
        mclust's sign: ``2 log_likelihood - df log(n_samples)``; higher is better.
    icl : float
        ``bic`` plus twice the log of each sample's largest posterior probability, summed
        (the integrated complete-data likelihood criterion; higher is better).
    decimals : int
        Decimals printed, which bound how closely anything can agree with these numbers.
    """

    model: str
    n_components: int
    n_samples: int
    log_likelihood: float
    df: int
    bic: float
    icl: float
    decimals: int = 3

    @property
    def covariance_type(self) -> str:
        """The ``GaussianMixtureEM`` covariance type of :attr:`model`."""
        return MCLUST_TO_COVARIANCE_TYPE[self.model]


def mclust_bic(log_likelihood: float, df: int, n_samples: int) -> float:
    """mclust's BIC ``2 log L - df log n`` (higher is better); ``-GaussianMixtureEM.bic``."""
    return 2.0 * log_likelihood - df * np.log(n_samples)


#: ``summary(Mclust(faithful))``: the model and K that mclust's BIC selects.
FAITHFUL_MCLUST_BEST = MclustFit(
    model="EEE",
    n_components=3,
    n_samples=272,
    log_likelihood=-1126.326,
    df=11,
    bic=-2314.316,
    icl=-2357.824,
)

#: ``summary(Mclust(faithful), parameters = TRUE)``, components in mclust's order; the
#: columns of ``means`` are (eruptions, waiting). mclust prints 7 significant digits.
FAITHFUL_MCLUST_BEST_PARAMETERS = {
    "weights": np.array([0.1656784, 0.3563696, 0.4779520]),
    "means": np.array([[3.793066, 77.521051], [2.037596, 54.491158], [4.463245, 80.833439]]),
    "covariance": np.array([[0.07825448, 0.4801979], [0.48019785, 33.7671464]]),
}

#: EEE with 3 components run to convergence (mclust 6.1.2, ``tol = 1e-13``), as recorded by
#: multilpa's validation suite: the maximum that mclust's default stopping rule falls short of.
FAITHFUL_EEE3_CONVERGED_LOG_LIKELIHOOD = -1126.315928

#: ``mclustBIC(faithful)``: BIC (mclust's sign) for K = 1..9, by model. Printed to 3
#: decimals; missing models (mclust could not fit them) would be NaN, none are here.
FAITHFUL_MCLUST_BIC = {
    "EII": (-4024.721, -3452.998, -3377.701, -3230.264, -3149.394, -3081.414, -2990.367, -2978.100, -2953.359),  # noqa: E501
    "VII": (-4024.721, -3458.305, -3336.598, -3242.826, -3129.080, -3038.171, -2973.374, -2935.082, -2919.415),  # noqa: E501
    "EEI": (-3055.835, -2354.601, -2323.014, -2323.673, -2327.059, -2338.205, -2356.454, -2364.140, -2372.790),  # noqa: E501
    "VEI": (-3055.835, -2350.607, -2332.687, -2331.284, -2350.230, -2360.578, -2368.513, -2384.740, -2398.223),  # noqa: E501
    "EVI": (-3055.835, -2352.618, -2332.205, -2334.749, -2347.564, -2357.660, -2372.851, -2389.064, -2407.224),  # noqa: E501
    "VVI": (-3055.835, -2346.065, -2342.366, -2343.486, -2351.017, -2373.469, -2394.696, -2413.705, -2432.708),  # noqa: E501
    "EEE": (-2607.623, -2325.220, -2314.316, -2331.223, -2360.659, -2347.352, -2369.330, -2376.104, -2389.609),  # noqa: E501
    "VEE": (-2607.623, -2322.972, -2322.103, -2340.173, -2347.337, -2372.287, -2371.175, -2390.391, -2406.732),  # noqa: E501
    "EVE": (-2607.623, -2324.273, -2342.319, -2361.821, -2351.828, -2366.482, -2379.810, -2403.934, -2414.089),  # noqa: E501
    "VVE": (-2607.623, -2320.433, -2336.271, -2362.487, -2368.937, -2386.537, -2402.220, -2425.956, -2448.208),  # noqa: E501
    "EEV": (-2607.623, -2329.115, -2325.322, -2351.523, -2356.856, -2366.087, -2379.071, -2392.988, -2407.500),  # noqa: E501
    "VEV": (-2607.623, -2325.416, -2329.648, -2361.084, -2368.101, -2386.323, -2401.270, -2425.426, -2446.726),  # noqa: E501
    "EVV": (-2607.623, -2327.598, -2339.983, -2344.686, -2364.900, -2384.117, -2398.703, -2414.962, -2438.876),  # noqa: E501
    "VVV": (-2607.623, -2322.192, -2349.696, -2351.493, -2379.388, -2387.016, -2412.440, -2442.018, -2460.398),  # noqa: E501
}  # fmt: skip

#: ``summary(mclustBIC(faithful))``: the three best (model, K) by BIC.
FAITHFUL_MCLUST_TOP3 = (("EEE", 3, -2314.316), ("VVE", 2, -2320.433), ("VEE", 3, -2322.103))
