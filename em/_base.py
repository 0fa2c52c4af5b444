"""Estimator base class: scikit-learn's parameter protocol without importing scikit-learn."""

from __future__ import annotations

import inspect
from typing import Any

from ._html import estimator_html


class NotFittedError(ValueError, AttributeError):
    """Raised when a method that needs a fitted estimator is called before ``fit``."""


class BaseEstimator:
    """Hyper-parameters in, fitted attributes (ending in ``_``) out.

    Subclasses list every hyper-parameter as an explicit keyword of ``__init__`` and
    store it unchanged under the same name; ``get_params``/``set_params`` read the
    signature, which is exactly what ``sklearn.base.clone`` and ``GridSearchCV`` need.
    """

    @classmethod
    def _param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return sorted(
            name
            for name, p in signature.parameters.items()
            if name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        )

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Return the hyper-parameters as a dict (``deep`` is accepted for compatibility)."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> BaseEstimator:
        """Set hyper-parameters by name; unknown names raise ``ValueError``."""
        valid = self._param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(
                    f"set_params: invalid parameter {name!r} for {type(self).__name__}; "
                    f"accepted: {', '.join(valid)}"
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = {
            name: p.default
            for name, p in inspect.signature(type(self).__init__).parameters.items()
            if name != "self"
        }
        changed = [
            f"{name}={value!r}"
            for name, value in self.get_params().items()
            if not _same(value, defaults.get(name, inspect.Parameter.empty))
        ]
        return f"{type(self).__name__}({', '.join(changed)})"

    def _repr_html_(self) -> str:
        """Jupyter's view: key numbers and parameter table when fitted, else the parameters."""
        return estimator_html(self)

    def __sklearn_tags__(self):
        """scikit-learn's default estimator tags (``GridSearchCV`` and friends ask for them).

        Only scikit-learn calls this, so scikit-learn is already loaded when the import
        below runs; ``em`` itself never imports it.
        """
        from sklearn.utils import Tags, TargetTags

        return Tags(estimator_type=None, target_tags=TargetTags(required=False))

    def _check_fitted(self, attribute: str) -> None:
        if not hasattr(self, attribute):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet; call fit(X) first."
            )


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a is b or a == b)
    except (ValueError, TypeError):  # arrays compare element-wise
        return False
