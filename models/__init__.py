"""PyMC models beside the hand-written EM estimators, and one wrapper to sample them.

Every builder returns a ``pymc.Model`` with named dims and coords whose data are
``pm.Data`` containers, so :func:`set_data` can refit one compiled model on many data sets::

    import models
    m = models.normal_mixture(x, 2)
    idata = models.sample(m, random_seed=1)   # compiles once (nutpie)
    models.set_data(m, x=x_new)
    idata2 = models.sample(m, random_seed=2)  # reuses the compiled sampler
    models.diagnostics(idata2).ok

Importing this package sets two process-wide PyTensor options (see ``_setup``): Numba
fast-math off, so a seed gives the same draws with a cold or a warm compile cache, and the
BLAS-detection warning silenced.
"""

from ._setup import configure_pytensor

configure_pytensor()

from .baselines import advi, map_estimate  # noqa: E402
from .categorical import DirichletPosterior, categorical, categorical_posterior  # noqa: E402
from .data import data_names, resize_data, set_data  # noqa: E402
from .diagnostics import Diagnostics, diagnostics  # noqa: E402
from .mixtures import mv_normal_mixture, normal_mixture  # noqa: E402
from .predictive import posterior_predictive, prior_predictive  # noqa: E402
from .regression import linear_regression, logistic_regression  # noqa: E402
from .responsibilities import posterior_responsibilities  # noqa: E402
from .sampling import SAMPLERS, SamplingWarning, compile_counts, sample  # noqa: E402
from .starts import mixture_start  # noqa: E402

__all__ = [
    "SAMPLERS",
    "Diagnostics",
    "DirichletPosterior",
    "SamplingWarning",
    "advi",
    "categorical",
    "categorical_posterior",
    "compile_counts",
    "data_names",
    "diagnostics",
    "linear_regression",
    "logistic_regression",
    "map_estimate",
    "mixture_start",
    "mv_normal_mixture",
    "normal_mixture",
    "posterior_predictive",
    "posterior_responsibilities",
    "prior_predictive",
    "resize_data",
    "sample",
    "set_data",
]
