"""Estimator base class: scikit-learn's parameter protocol without importing scikit-learn."""

from __future__ import annotations

import inspect
import sys
from typing import Any, ClassVar

from ._html import estimator_html


class NotFittedError(ValueError, AttributeError):
    """Raised when a method that needs a fitted estimator is called before ``fit``.

    A ``ValueError`` and an ``AttributeError``, as scikit-learn's. When scikit-learn is
    loaded, the error raised is also an instance of
    ``sklearn.exceptions.NotFittedError`` (so ``check_is_fitted``-style handling and
    scikit-learn's own checks catch it), yet ``em`` never imports scikit-learn: anyone who
    catches scikit-learn's class has imported it, so it is looked up in ``sys.modules`` at
    the moment of raising (:func:`not_fitted_error`), and a subclass of both is made then.
    ``except em.NotFittedError`` catches it in every case.
    """


# The subclass of em's and scikit-learn's NotFittedError, made once scikit-learn is loaded.
_WITH_SKLEARN: dict[type, type] = {}


def not_fitted_error(message: str) -> NotFittedError:
    """A :class:`NotFittedError`, also scikit-learn's when scikit-learn is already loaded."""
    exceptions = sys.modules.get("sklearn.exceptions")
    theirs = getattr(exceptions, "NotFittedError", None)
    if theirs is None:
        return NotFittedError(message)
    if theirs not in _WITH_SKLEARN:
        _WITH_SKLEARN[theirs] = type(
            "NotFittedError",
            (NotFittedError, theirs),
            {"__module__": __name__, "__doc__": NotFittedError.__doc__},
        )
    return _WITH_SKLEARN[theirs](message)


class BaseEstimator:
    """Hyper-parameters in, fitted attributes (ending in ``_``) out.

    Subclasses list every hyper-parameter as an explicit keyword of ``__init__`` and
    store it unchanged under the same name; ``get_params``/``set_params`` read the
    signature, which is exactly what ``sklearn.base.clone`` and ``GridSearchCV`` need.

    ``_estimator_kind`` says what the estimator is, for scikit-learn's tags
    (:meth:`__sklearn_tags__`): ``"classifier"``, ``"regressor"``, ``"clusterer"``,
    ``"density_estimator"`` or None.
    """

    _estimator_kind: ClassVar[str | None] = None
    # A classifier of two classes only (scikit-learn's ``multi_class=False``).
    _binary_only: ClassVar[bool] = False

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
        """scikit-learn's estimator tags: what the estimator is and what input it takes.

        ``is_classifier``/``is_regressor``, stratified cross-validation and the scorers
        read them. Input: dense 2-D arrays, no NaN, no sparse matrices (1-D X is accepted
        too, as one feature, by design; see the comment below). Only scikit-learn calls
        this, so scikit-learn is already loaded when the import below runs; ``em`` itself
        never imports it.
        """
        from sklearn.utils import ClassifierTags, InputTags, RegressorTags, Tags, TargetTags

        kind = self._estimator_kind
        supervised = kind in ("classifier", "regressor")
        return Tags(
            estimator_type=kind,
            target_tags=TargetTags(required=supervised),
            classifier_tags=(
                ClassifierTags(multi_class=not self._binary_only) if kind == "classifier" else None
            ),
            regressor_tags=RegressorTags() if kind == "regressor" else None,
            # one_d_array stays False although 1-D X is accepted: scikit-learn reads True as
            # "feed 1-D arrays" and would test the estimators on nothing else.
            input_tags=InputTags(two_d_array=True, sparse=False),
        )

    def _check_fitted(self, attribute: str) -> None:
        if not hasattr(self, attribute):
            raise not_fitted_error(
                f"This {type(self).__name__} instance is not fitted yet; call fit(X) first."
            )


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a is b or a == b)
    except (ValueError, TypeError):  # arrays compare element-wise
        return False
