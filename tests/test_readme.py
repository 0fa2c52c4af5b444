"""Every Python example in README.md runs as written, each on its own.

The examples are kept small (few draws, the ``tiny`` study level) so the suite can run
them. A block whose first line is ``# readme: skip`` is not run (none is today): use it
only for an example that needs what the suite lacks, and say why in the block.
"""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
SKIP = "# readme: skip"
BLOCKS = re.findall(r"^```python\n(.*?)^```", README.read_text(), flags=re.S | re.M)


def test_the_readme_has_examples():
    assert len(BLOCKS) >= 6


@pytest.mark.parametrize(
    "code", BLOCKS, ids=[f"block{i}-line1:{b.splitlines()[0][:30]}" for i, b in enumerate(BLOCKS)]
)
def test_readme_example_runs(code, tmp_path, monkeypatch):
    if code.startswith(SKIP):
        pytest.skip(code.splitlines()[0])
    monkeypatch.chdir(tmp_path)  # examples that write (reports/) write here
    namespace = {"__name__": "__readme__"}
    try:
        exec(compile(code, str(README), "exec"), namespace)  # a fresh namespace: self-contained
    finally:
        plt.close("all")
