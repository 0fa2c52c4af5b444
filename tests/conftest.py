"""Settings for the whole suite.

- Figures render off-screen (no display on CI).
- Under CI (``CI`` set, as ``.ci/run`` has it) hypothesis derandomizes: the same examples on
  every run, so a red CI is a reproducible failure, never a lucky draw. Locally it keeps
  exploring new examples.
"""

import os

from hypothesis import settings

os.environ.setdefault("MPLBACKEND", "Agg")

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
