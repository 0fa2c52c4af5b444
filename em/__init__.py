"""Hand-written EM and maximum-likelihood estimators (numpy + scipy only).

Estimators follow scikit-learn's conventions: hyper-parameters in the constructor,
``fit`` returns ``self``, fitted attributes end in ``_``. Names are loaded on first use,
so ``import em`` stays fast and one module's import cost is paid only when it is needed.
"""

from importlib import import_module

from ._base import BaseEstimator, NotFittedError
from .exceptions import (
    ConvergenceWarning,
    DegenerateComponentWarning,
    SeparationWarning,
    SingularInformationWarning,
)
from .inference import InferenceTable, ParameterRow

_LAZY = {
    "GaussianMixtureEM": "mixture",
    "ClassificationEM": "classification",
    "KMeans": "kmeans",
    "GaussianMLE": "gaussian_mle",
    "CategoricalMLE": "categorical",
    "LinearRegressionMLE": "linear",
    "LogisticRegressionMLE": "logistic",
    "bootstrap": "bootstrap",
    "match_components": "alignment",
    "mixture_log_joint": "density",
    "mixture_log_likelihood": "density",
    "BootstrapResult": "bootstrap",
    "NormalInverseWishart": "prior",
    "map_m_step": "prior",
    "VariationalGaussianMixture": "variational",
}

__all__ = [
    "BaseEstimator",
    "ConvergenceWarning",
    "DegenerateComponentWarning",
    "InferenceTable",
    "NotFittedError",
    "ParameterRow",
    "SeparationWarning",
    "SingularInformationWarning",
    *_LAZY,
]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'em' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
