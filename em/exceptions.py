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


class PrecisionLossWarning(UserWarning):
    """The requested computation loses most of float64's digits on these data (an
    ill-conditioned system solved the textbook way, a regularisation that swamps the data's
    own variance); the message names the remedy."""


class PerfectFitWarning(UserWarning):
    """The data fit the model exactly (zero residual variance, a singular sample
    covariance): the likelihood is unbounded and the log-likelihood is reported as +inf."""
