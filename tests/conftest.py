"""Settings for the whole suite.

- Figures render off-screen (no display on CI).
- Under CI (``CI`` set, as ``.ci/run`` has it) hypothesis derandomizes: the same examples on
  every run, so a red CI is a reproducible failure, never a lucky draw. Locally it keeps
  exploring new examples.
- Every test has a result cache of its own (``EM_VS_BAYES_CACHE``, inherited by worker
  processes): a test never reads the user's cached results, and a stand-in result a test
  stores can never be read back by a real run or by another test.
"""

import os

import pytest
from hypothesis import settings

os.environ.setdefault("MPLBACKEND", "Agg")

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True, scope="session")
def _session_result_cache(tmp_path_factory):
    # For module- and session-scoped fixtures, which are set up before a test's own.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EM_VS_BAYES_CACHE", str(tmp_path_factory.mktemp("result-cache")))
        yield


@pytest.fixture(autouse=True)
def _own_result_cache(_session_result_cache, tmp_path_factory, monkeypatch):
    monkeypatch.setenv("EM_VS_BAYES_CACHE", str(tmp_path_factory.mktemp("result-cache")))
