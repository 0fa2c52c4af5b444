"""Process-wide PyTensor settings this package needs, applied once when it is imported."""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

import pymc  # noqa: F401  (imported first: it resets its logger's level when imported)
import pytensor


def configure_pytensor() -> None:
    """Make sampling reproducible and quiet, and keep the temp folder clean.

    - Numba's fast-math lets LLVM reorder floating-point operations differently in a fresh
      compile than in a cached one, so the same seed gave different draws with a cold and a
      warm PyTensor cache. Turning it off makes draws depend on the seed alone.
    - Without a BLAS library PyTensor warns, at the first use of a model with ``MvNormal``,
      that C code will be slow; nutpie runs on Numba, which does not need it. The check is
      done now, with the warning silenced, unless the user set ``blas__ldflags`` themselves.
    - PyMC logs a line per sampling run; the wrapper reports what matters in its result.
    - PyTensor writes the Python source it generates for Numba to a file per function
      (Numba and tracebacks read it back). By default each goes to its own new file in the
      system temp folder and is never removed: thousands after a few report runs. Setting
      ``generated_src_dir`` puts them in ``<base_compiledir>/generated_src`` instead, named
      by a hash of their content (a later process reuses them rather than adding more) and
      pruned at exit when unused for weeks. Numba's cache is keyed on PyTensor's own hash,
      not on this file name, so caching is unaffected. A folder the user chose
      (``PYTENSOR_FLAGS=generated_src_dir=...``) is kept.
    """
    pytensor.config.numba__fastmath = False
    if not pytensor.config.generated_src_dir:
        pytensor.config.generated_src_dir = str(
            Path(pytensor.config.base_compiledir) / "generated_src"
        )
    if "blas__ldflags" not in os.environ.get("PYTENSOR_FLAGS", ""):
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="PyTensor could not link to a BLAS")
            _ = pytensor.config.blas__ldflags
    logging.getLogger("pymc").setLevel(logging.ERROR)
