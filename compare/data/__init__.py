"""Real data sets shipped with the package: Old Faithful and Fisher's iris.

The CSV files sit beside this module (sources, changes and licences in ``SOURCES.md``) and
are read by the same code as a user's own file (:mod:`compare.userdata`), so the shipped
data and ``python -m compare fit FILE`` go through one reader. Published reference fits of
``faithful`` are in :mod:`compare.data.references`.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import numpy as np

from ..userdata import Provenance, load_labels, load_table

__all__ = ["IRIS_FEATURES", "IRIS_SPECIES", "RealData", "load_faithful", "load_iris"]

FAITHFUL_COLUMNS = ("eruptions", "waiting")
IRIS_FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")
IRIS_SPECIES = ("setosa", "versicolor", "virginica")


@dataclass(frozen=True)
class RealData:
    """A shipped data set.

    Attributes
    ----------
    X : ndarray of shape (n, d)
    columns : tuple of str, length d
    labels : ndarray of int, shape (n,), or None
        Known classes (iris species as 0, 1, 2), for checking a clustering; None when the
        data have none (faithful).
    label_names : tuple of str
        ``label_names[k]`` names class ``k``.
    provenance : Provenance
        The shipped file's path and sha256.
    """

    X: np.ndarray
    columns: tuple[str, ...]
    labels: np.ndarray | None
    label_names: tuple[str, ...]
    provenance: Provenance


def _path(filename: str):
    # A real file path: setuptools installs package data as files, and an editable install
    # points here, so as_file never needs to extract a copy.
    return resources.files(__name__).joinpath(filename)


def load_faithful() -> RealData:
    """Old Faithful geyser eruptions (R's ``datasets::faithful``), shape (272, 2).

    Columns ``eruptions`` (eruption time) and ``waiting`` (time to the next eruption), both
    in minutes. Härdle (1991); see ``SOURCES.md``.

    Returns
    -------
    RealData
        ``X`` of shape (272, 2); no labels.
    """
    with resources.as_file(_path("faithful.csv")) as path:
        table = load_table(path, columns=FAITHFUL_COLUMNS)
    return RealData(table.values, table.columns, None, (), table.provenance)


def load_iris() -> RealData:
    """Fisher's iris: four measurements (cm) of 150 flowers of three species, shape (150, 4).

    Returns
    -------
    RealData
        ``X`` of shape (150, 4) with columns :data:`IRIS_FEATURES`; ``labels`` the species
        as 0, 1, 2 in the order of :data:`IRIS_SPECIES` (50 each).
    """
    with resources.as_file(_path("iris.csv")) as path:
        table = load_table(path, columns=IRIS_FEATURES)
        species = load_labels(path, "species")
    unknown = sorted(set(species.values) - set(IRIS_SPECIES))
    if unknown:  # the shipped file was edited: fail loudly rather than mislabel
        raise ValueError(f"iris.csv has unknown species {unknown}; expected {IRIS_SPECIES}")
    labels = np.array([IRIS_SPECIES.index(s) for s in species.values])
    return RealData(table.values, table.columns, labels, IRIS_SPECIES, table.provenance)
