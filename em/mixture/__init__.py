"""Gaussian mixtures fitted by EM, and k-means (the lecture's hard EM for round clusters).

Public classes, importable from :mod:`em`: :class:`~em.GaussianMixtureEM`
(:mod:`.gaussian`, soft EM), :class:`~em.ClassificationEM` (:mod:`.classification`, hard
EM), :class:`~em.KMeans` (:mod:`.kmeans`), and the density functions of :mod:`.density`.

How the pieces fit:

- :mod:`._loop`: the EM loop and every method of a fitted mixture;
- :mod:`._assignment`: soft or hard responsibilities (what makes EM soft or hard);
- :mod:`._stats`: the E-step as chunked sufficient statistics and the M-step from them;
- :mod:`._covariance`: everything that depends on the covariance type;
- :mod:`._collapse`: what happens when a component collapses;
- :mod:`._init` and :mod:`._seeding`: starting points and their validation;
- :mod:`._data` and :mod:`._dask`: where the data live (NumPy or Dask);
- :mod:`.information`: standard errors from the observed information.

Importing this package imports none of its modules.
"""
