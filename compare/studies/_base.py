"""What every study is made of: its settings in, its result out.

A study answers one question a student asks about EM against Bayes by a repeated
experiment. Each study package (``compare/studies/<name>/``: ``__init__.py`` with the
experiment, ``figures.py`` with its figures and their captions) exposes::

    NAME: str                   # e.g. "sample-size"
    QUESTION: str               # one sentence, shown at the top of its page
    def run(config: StudyConfig) -> StudyResult

and nothing in a study writes files: :func:`compare.reports.write_study` turns a
:class:`StudyResult` into ``<out>/studies/<name>/``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..notebook import figure_html, summary_html
from ..settings import DEFAULT_SAMPLER, LEVELS, SAMPLERS

__all__ = ["LEVELS", "StudyConfig", "StudyResult", "Table", "child_seeds"]


@dataclass(frozen=True)
class StudyConfig:
    """Settings of one study run.

    Attributes
    ----------
    level : {"tiny", "quick", "full"}
        How big the experiment is; each study maps it to its own sizes (replications,
        sample sizes, draws) and records those in :attr:`StudyResult.settings`.
    seed : int
        Every random choice of the study derives from it (``numpy.random.SeedSequence``).
    sampler : str
        One of :data:`compare.settings.SAMPLERS`.
    """

    level: str = LEVELS[-1]
    seed: int = 0
    sampler: str = DEFAULT_SAMPLER

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"level must be one of {', '.join(LEVELS)}; got {self.level!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be an integer >= 0; got {self.seed!r}")
        if self.sampler not in SAMPLERS:
            raise ValueError(f"sampler must be one of {', '.join(SAMPLERS)}; got {self.sampler!r}")

    def as_settings(self) -> dict[str, Any]:
        """``{"level", "seed", "sampler"}``: the start of every :attr:`StudyResult.settings`.

        The page and ``<out>/studies/index.html`` read the level from there.
        """
        return {"level": self.level, "seed": self.seed, "sampler": self.sampler}


def child_seeds(seed: int | Sequence[int], n: int, names: tuple[str, ...] = ()) -> list:
    """``n`` independent seeds derived from ``seed`` by ``numpy.random.SeedSequence``.

    Child ``i`` depends only on ``seed`` and ``i``, not on ``n``: replication 7 of a
    20-replication run is replication 7 of a 100-replication run.

    Parameters
    ----------
    seed : int or sequence of int
        A sequence keys a sub-experiment by more than the study's seed, e.g.
        ``(config.seed, n)`` gives the data sets of sample size ``n`` the same seeds
        whichever other sizes run beside it.
    n : int
    names : tuple of str, optional
        When given, each child is itself split into one integer seed per name.

    Returns
    -------
    list
        ``n`` integers in ``[0, 2**32)``, or ``n`` dicts ``{name: int}`` when ``names``
        is given.
    """
    children = np.random.SeedSequence(seed).spawn(n)
    if not names:
        return [int(c.generate_state(1)[0]) for c in children]
    return [
        {
            name: int(g.generate_state(1)[0])
            for name, g in zip(names, c.spawn(len(names)), strict=True)
        }
        for c in children
    ]


@dataclass
class Table:
    """A table for the study's page (HTML) and its CSV file.

    Attributes
    ----------
    name : str
        File stem of the CSV (``<name>.csv``).
    caption : str
    header : list of str
    rows : list of list
        Plain numbers or strings; the page formats numbers.
    """

    name: str
    caption: str
    header: list[str]
    rows: list[list[Any]]


@dataclass
class StudyResult:
    """Everything a study found, as plain data.

    Attributes
    ----------
    name, question : str
        The module's ``NAME`` and ``QUESTION``.
    answer : str
        One paragraph generated from this run's numbers (it quotes them).
    figures : list of (str, matplotlib.figure.Figure, str)
        ``(file stem, figure, caption)``; saved as ``<stem>.png``.
    tables : list of Table
    data : dict
        The numbers behind the figures and the answer, JSON-serialisable (lists, floats,
        ints, strings, None); written to ``results.json``.
    settings : dict
        The sizes this level used (replications, sample sizes, draws, ...), the seed and
        the sampler.
    timings : dict of str to float
        Wall seconds of the parts worth knowing (e.g. ``total``, ``per_replication``,
        ``compile``).
    warnings : list of str
        What went wrong or is doubtful in this run (non-converged chains, collapsed EM
        components); shown prominently on the page. Not hidden, not fatal.
    """

    name: str
    question: str
    answer: str
    figures: list[tuple[str, Any, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def _repr_html_(self) -> str:
        """Jupyter's view: question, answer, settings, the tables and the first figure."""
        figures = []
        if self.figures:
            stem, figure, caption = self.figures[0]
            figures.append(figure_html(figure, stem, caption, close=False))
        return summary_html(
            f"Study: {self.name}",
            lines=[f"Question: {self.question}", f"Answer: {self.answer}"],
            warnings=self.warnings,
            key_numbers={k: v for k, v in self.settings.items() if not isinstance(v, dict)},
            tables=[(t.caption, t.header, t.rows) for t in self.tables],
            figures=figures,
        )
