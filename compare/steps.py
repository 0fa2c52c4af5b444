"""Where a running job is: :func:`report_step` says it, :func:`step_reporter` listens.

A leaf module (it imports nothing from the project), so that the engine, the figures and
the studies can name their steps (``generate``, ``EM``, ``compile``, ``sample``,
``figures``) without importing the runner above them. :mod:`compare.progress` shows the
steps; :mod:`compare.parallel` routes them from a worker to the parent process. Outside a
runner :func:`report_step` does nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager

__all__ = ["report_step", "step_reporter"]

_reporter: Callable[[str], None] | None = None


def report_step(step: str) -> None:
    """Say that the running job has reached ``step`` (shown by the bar; ignored in lines)."""
    if not isinstance(step, str) or not step:
        raise ValueError(f"step must be a non-empty string; got {step!r}")
    if _reporter is not None:
        _reporter(step)


@contextmanager
def step_reporter(fn: Callable[[str], None] | None):
    """Route :func:`report_step` to ``fn`` inside the block (the runner sets this per job)."""
    global _reporter
    previous, _reporter = _reporter, fn
    try:
        yield
    finally:
        _reporter = previous
