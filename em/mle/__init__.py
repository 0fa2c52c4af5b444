"""Maximum-likelihood estimators of simple models, each with its uncertainty.

:class:`~em.GaussianMLE` (:mod:`.gaussian`), :class:`~em.CategoricalMLE`
(:mod:`.categorical`), :class:`~em.LinearRegressionMLE` (:mod:`.linear`) and
:class:`~em.LogisticRegressionMLE` (:mod:`.logistic`); the two regressions share the
design-matrix check (:mod:`._design`) and the gradient-descent machinery
(:mod:`._gradient`). Import them from :mod:`em`.
"""
