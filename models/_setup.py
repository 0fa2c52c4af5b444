"""Process-wide PyTensor settings this package needs, applied once when it is imported."""

from __future__ import annotations

import logging
import os
import warnings

import pymc  # noqa: F401  (imported first: it resets its logger's level when imported)
import pytensor


def configure_pytensor() -> None:
    """Make sampling reproducible and quiet.

    - Numba's fast-math lets LLVM reorder floating-point operations differently in a fresh
      compile than in a cached one, so the same seed gave different draws with a cold and a
      warm PyTensor cache. Turning it off makes draws depend on the seed alone.
    - Without a BLAS library PyTensor warns, at the first use of a model with ``MvNormal``,
      that C code will be slow; nutpie runs on Numba, which does not need it. The check is
      done now, with the warning silenced, unless the user set ``blas__ldflags`` themselves.
    - PyMC logs a line per sampling run; the wrapper reports what matters in its result.
    """
    pytensor.config.numba__fastmath = False
    if "blas__ldflags" not in os.environ.get("PYTENSOR_FLAGS", ""):
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="PyTensor could not link to a BLAS")
            _ = pytensor.config.blas__ldflags
    logging.getLogger("pymc").setLevel(logging.ERROR)
