"""Compiling and sampling leave nothing in the system temp folder."""

import os
import subprocess
import sys
from pathlib import Path

import models

# Run in a fresh process whose temp folder is private (TMPDIR is read once, at start-up).
# After sampling, the script turns the package's setting off and compiles one more function:
# the control, showing that PyTensor does write there without it.
SCRIPT = """
import json, pathlib, tempfile, warnings
import numpy as np, pytensor, pytensor.tensor as pt
import models

warnings.simplefilter("ignore")


def listing():
    return sorted(p.name for p in pathlib.Path(tempfile.gettempdir()).iterdir())


model = models.categorical([3, 5, 2])
idata = models.sample(model, draws=100, tune=100, chains=2, random_seed=1)
assert "log_likelihood" in idata.children
after_sampling = listing()
generated = pathlib.Path(pytensor.config.generated_src_dir)
pytensor.config.generated_src_dir = ""
x = pt.vector("x")
pytensor.function([x], pt.exp(x) * 3.25 + 1.5, mode="NUMBA")(np.ones(3))
print(json.dumps({
    "after_sampling": after_sampling,
    "control": listing(),
    "generated": generated.relative_to(pytensor.config.base_compiledir).as_posix(),
}))
"""


def test_compiling_and_sampling_leave_no_temp_files(tmp_path):
    import json

    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = dict(os.environ, TMPDIR=str(tmp), TEMP=str(tmp), TMP=str(tmp))
    root = Path(models.__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, cwd=root, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["after_sampling"] == []
    assert len(result["control"]) >= 1  # the temp folder is the one PyTensor would use
    assert result["generated"] == "generated_src"  # inside base_compiledir
