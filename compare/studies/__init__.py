"""Studies: the questions a student asks about EM against Bayes, answered by experiment.

``python -m compare study NAME [--quick] [--seed S] [--out reports]`` runs one and writes
``<out>/studies/<name>/``; :func:`run_study` is the same from Python.
"""

from __future__ import annotations

from importlib import import_module

from ..settings import EM_PCT, HDI_PCT
from ._base import LEVELS, StudyConfig, StudyResult, Table, child_seeds

__all__ = [
    "FITS_CASE",
    "LEVELS",
    "QUESTIONS",
    "STUDIES",
    "StudyConfig",
    "StudyResult",
    "Table",
    "child_seeds",
    "get_study",
    "run_study",
]

# name -> its package (compare/studies/<module>/); imported on first use so
# `python -m compare list` stays fast.
STUDIES = {
    "sample-size": "sample_size",
    "coverage": "coverage",
    "init-sensitivity": "init_sensitivity",
    "choose-k": "choose_k",
    "k-selection": "k_selection",
    "step-order": "step_order",
    "ladder": "ladder",
}


#: study -> the case whose model structure it refits (:meth:`compare.cases.Case.structure`):
#: a report runs it in that case's worker, where the compiled sampler is already there.
FITS_CASE = {
    "sample-size": "lecture-1d",
    "coverage": "lecture-1d",
    "ladder": "lecture-1d",
    "init-sensitivity": "lecture-2d",
}

# name -> the one-sentence question the study answers (at the top of its page; also what
# `python -m compare list` prints without importing the study).
QUESTIONS = {
    "sample-size": (
        "As the number of points per component grows from 10 to 10,000, where do EM's "
        f"{EM_PCT} intervals and the posterior's {HDI_PCT} HDIs agree, and where do they part?"
    ),
    "coverage": (
        f"Over many data sets, how often do EM's {EM_PCT} intervals (analytic and bootstrap) "
        f"and the posterior's {HDI_PCT} HDIs contain the true parameter?"
    ),
    "init-sensitivity": (
        "On the lecture's 2-D data, how often do k-means, EM and NUTS chains end at the same "
        "answer when they start from the lecture's two starts and from many random ones?"
    ),
    "choose-k": (
        "Which number of components do EM's BIC and AIC and the posterior's LOO ELPD choose "
        "on the lecture's data (1-D; also 2-D at the full level), and what happens to the "
        "posterior when K is too large?"
    ),
    "k-selection": (
        "On data with a known number of components (1 to 4, well separated or overlapping), "
        "how often do BIC, AIC, ICL, the bootstrap LRT, held-out likelihood, the posterior's "
        "LOO and the variational fit's effective K find it?"
    ),
    "step-order": (
        "Does EM need its E-step first, as the lecture says, and how do soft EM, hard EM and "
        "k-means differ when started from the same point?"
    ),
    "ladder": (
        "How far are MLE, MAP-EM, variational Bayes and ADVI from NUTS on one mixture "
        "posterior, as the sample grows and as the components overlap?"
    ),
}


def get_study(name: str):
    """The package of study ``name`` (``NAME``, ``QUESTION``, ``run``)."""
    if name not in STUDIES:
        raise ValueError(f"unknown study {name!r}; valid studies: {', '.join(STUDIES)}")
    return import_module(f".{STUDIES[name]}", __name__)


def run_study(name: str, config: StudyConfig | None = None) -> StudyResult:
    """Run study ``name`` with ``config`` (default: the full level, seed 0, the default sampler)."""
    return get_study(name).run(config or StudyConfig())
