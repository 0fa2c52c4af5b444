"""Hand-written EM and maximum-likelihood estimators (numpy + scipy only).

Estimators follow scikit-learn's conventions: hyper-parameters in the constructor,
``fit`` returns ``self``, fitted attributes end in ``_``. Names are loaded on first use,
so ``import em`` stays fast and one module's import cost is paid only when it is needed.
"""

from importlib import import_module
from typing import TYPE_CHECKING

from ._base import BaseEstimator, NotFittedError
from .exceptions import (
    ConvergenceWarning,
    DegenerateComponentWarning,
    PerfectFitWarning,
    PrecisionLossWarning,
    SeparationWarning,
    SingularInformationWarning,
)
from .inference import InferenceTable, ParameterRow

if TYPE_CHECKING:  # what the lazy names below resolve to, for type checkers and editors
    from .alignment import match_components
    from .bootstrap import BootstrapResult, bootstrap
    from .mixture.classification import ClassificationEM
    from .mixture.density import mixture_log_joint, mixture_log_likelihood
    from .mixture.gaussian import GaussianMixtureEM
    from .mixture.history import FitHistory
    from .mixture.kmeans import KMeans
    from .mixture.prior import NormalInverseWishart, map_m_step
    from .mixture.selection import (
        CrossValidationResult,
        KSelection,
        LRTResult,
        bootstrap_lrt,
        cross_validated_log_likelihood,
        icl,
        select_k,
    )
    from .mixture.variational import VariationalGaussianMixture
    from .mle.categorical import CategoricalMLE
    from .mle.gaussian import GaussianMLE
    from .mle.linear import LinearRegressionMLE
    from .mle.logistic import LogisticRegressionMLE
    from .relabel import (
        RelabelResult,
        apply_permutations,
        ecr_relabel,
        pivot_relabel,
        stephens_relabel,
    )

# Public name -> module (relative to em) that defines it, imported on first use.
_LAZY = {
    "GaussianMixtureEM": "mixture.gaussian",
    "ClassificationEM": "mixture.classification",
    "KMeans": "mixture.kmeans",
    "GaussianMLE": "mle.gaussian",
    "CategoricalMLE": "mle.categorical",
    "LinearRegressionMLE": "mle.linear",
    "LogisticRegressionMLE": "mle.logistic",
    "bootstrap": "bootstrap",
    "match_components": "alignment",
    "mixture_log_joint": "mixture.density",
    "mixture_log_likelihood": "mixture.density",
    "BootstrapResult": "bootstrap",
    "FitHistory": "mixture.history",
    "RelabelResult": "relabel",
    "apply_permutations": "relabel",
    "ecr_relabel": "relabel",
    "pivot_relabel": "relabel",
    "stephens_relabel": "relabel",
    "CrossValidationResult": "mixture.selection",
    "KSelection": "mixture.selection",
    "LRTResult": "mixture.selection",
    "bootstrap_lrt": "mixture.selection",
    "cross_validated_log_likelihood": "mixture.selection",
    "icl": "mixture.selection",
    "select_k": "mixture.selection",
    "NormalInverseWishart": "mixture.prior",
    "map_m_step": "mixture.prior",
    "VariationalGaussianMixture": "mixture.variational",
}

# Static (not built from _LAZY) so that tools read it; a test pins it to _LAZY.
__all__ = [
    "BaseEstimator",
    "BootstrapResult",
    "CategoricalMLE",
    "ClassificationEM",
    "ConvergenceWarning",
    "CrossValidationResult",
    "DegenerateComponentWarning",
    "FitHistory",
    "GaussianMLE",
    "GaussianMixtureEM",
    "InferenceTable",
    "KMeans",
    "KSelection",
    "LRTResult",
    "LinearRegressionMLE",
    "LogisticRegressionMLE",
    "NormalInverseWishart",
    "NotFittedError",
    "ParameterRow",
    "PerfectFitWarning",
    "PrecisionLossWarning",
    "RelabelResult",
    "SeparationWarning",
    "SingularInformationWarning",
    "VariationalGaussianMixture",
    "apply_permutations",
    "bootstrap",
    "bootstrap_lrt",
    "cross_validated_log_likelihood",
    "ecr_relabel",
    "icl",
    "map_m_step",
    "match_components",
    "mixture_log_joint",
    "mixture_log_likelihood",
    "pivot_relabel",
    "select_k",
    "stephens_relabel",
]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'em' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
