"""The tiny runs of the two studies, shared by their tests and the report tests.

Session-scoped: each tiny run compiles its models once; the CLI test re-runs a study in the
same process and finds them cached.
"""

import pytest


@pytest.fixture(scope="session")
def tiny_coverage():
    """``(result, compilations measured around the run)`` of the coverage study, tiny."""
    import models
    from compare.studies import StudyConfig, run_study

    before = models.compile_counts()
    result = run_study("coverage", StudyConfig(level="tiny", seed=5))
    after = models.compile_counts()
    return result, {k: after.get(k, 0) - before.get(k, 0) for k in after}


@pytest.fixture(scope="session")
def tiny_sample_size():
    from compare.studies import StudyConfig, run_study

    return run_study("sample-size", StudyConfig(level="tiny", seed=1))
