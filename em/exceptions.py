"""Warnings of our own, so users can filter them precisely."""


class ConvergenceWarning(UserWarning):
    """An iterative fit stopped at ``max_iter`` (or similar) without meeting its tolerance."""


class DegenerateComponentWarning(UserWarning):
    """A mixture component or cluster collapsed (empty, zero weight or singular) and was reset."""


class SeparationWarning(UserWarning):
    """Logistic-regression data are (quasi-)completely separated: the MLE does not exist."""


class SingularInformationWarning(UserWarning):
    """The observed information is (near-)singular or not positive definite: some standard
    errors are infinite because the data do not identify those parameters."""
