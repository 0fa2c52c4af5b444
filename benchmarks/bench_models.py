"""Compile and sampling cost of each model, nutpie vs PyMC's NUTS, side by side.

For every model and sampler, two fresh Python processes share one new, empty PyTensor
base compile directory: the first compiles with a cold cache, the second with a warm one (the
situation of a user's second session). Sampling time and bulk ESS per second come from the
warm run. ``compile`` is what :func:`models.sample` records: sampler plus log-likelihood
function (for PyMC's NUTS, everything ``pm.sample`` does besides sampling).

Usage::

    .venv/bin/python benchmarks/bench_models.py               # every model (~15 min, 2 cores)
    .venv/bin/python benchmarks/bench_models.py mixture_1d categorical
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from compare.settings import CHAINS, DRAWS, SAMPLERS, TUNE  # import-free: PyMC stays unloaded

ROOT = Path(__file__).resolve().parents[1]

RUN = {"draws": DRAWS, "tune": TUNE, "chains": CHAINS}
# The default sampler, and the one it is measured against.
BASE, OTHER = SAMPLERS[0], SAMPLERS[1]


def build(name: str):
    """The model ``name`` on the lecture data (or a small synthetic regression)."""
    import numpy as np

    import models

    rng = np.random.default_rng(0)
    x1 = np.concatenate([rng.normal(0, 3, 100), rng.normal(10, 1, 100)])
    x2 = np.vstack([rng.normal([50, 50], 10, (100, 2)), rng.normal([70, 60], 5, (50, 2))])
    X = rng.normal(size=(100, 2))
    eta = 0.5 + X @ np.array([1.5, -1.0])
    builders = {
        "mixture_1d": lambda: models.normal_mixture(x1, 2),
        "mixture_2d_diag": lambda: models.mv_normal_mixture(x2, 2, covariance="diag"),
        "mixture_2d_full": lambda: models.mv_normal_mixture(x2, 2, covariance="full"),
        "linear": lambda: models.linear_regression(X, eta + rng.normal(size=100)),
        "logistic": lambda: models.logistic_regression(X, rng.random(100) < 1 / (1 + np.exp(-eta))),
        "categorical": lambda: models.categorical([1_000, 90_000, 6_000, 3_000]),
    }
    return builders[name]()


MODELS = (
    "mixture_1d",
    "mixture_2d_diag",
    "mixture_2d_full",
    "linear",
    "logistic",
    "categorical",
)


def one_run(name: str, sampler: str) -> dict:
    """Build, sample once and report; runs inside the child process."""
    import warnings

    import models

    start = time.perf_counter()
    model = build(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", models.SamplingWarning)
        idata = models.sample(model, sampler=sampler, random_seed=1, **RUN)
    report = models.diagnostics(idata)
    return {
        "compile": idata.attrs["compile_time"],
        "sampling": idata.attrs["sampling_time"],
        "total": time.perf_counter() - start,
        "ess_bulk": report.min_ess_bulk,
        "rhat": report.max_rhat,
        "divergences": report.divergences,
    }


def child(name: str, sampler: str, compiledir: str) -> dict:
    # base_compiledir, not compiledir: PyTensor keeps its Numba cache beside, not inside, the
    # per-platform compiledir, so only a new base directory gives a truly cold start.
    flags = f"{os.environ.get('PYTENSOR_FLAGS', '')},base_compiledir={compiledir}"
    env = dict(os.environ, PYTENSOR_FLAGS=flags.lstrip(","))
    paths = [str(ROOT), str(Path(__file__).parent)]
    code = (
        f"import json, sys; sys.path[:0] = {paths!r}; from bench_models import one_run; "
        f"print(json.dumps(one_run({name!r}, {sampler!r})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(names: list[str]) -> None:
    rows = []
    for name in names:
        for sampler in SAMPLERS:
            with tempfile.TemporaryDirectory(prefix="bench_pt_") as compiledir:
                cold = child(name, sampler, compiledir)
                warm = child(name, sampler, compiledir)
            rows.append((name, sampler, cold, warm))
            print(
                f"  {name:16s} {sampler:6s} cold {cold['compile']:6.1f}s  warm "
                f"{warm['compile']:5.1f}s  sampling {warm['sampling']:5.2f}s",
                file=sys.stderr,
                flush=True,
            )
    print(f"\n{RUN['chains']} chains x ({RUN['tune']} tune + {RUN['draws']} draws), seed 1")
    head = ("model", "sampler", "cold s", "warm s", "sample s", "ESS bulk", "ESS/s", "R-hat", "div")
    print("{:16s} {:7s} {:>7s} {:>7s} {:>8s} {:>8s} {:>8s} {:>6s} {:>4s}".format(*head))
    by_key = {}
    for name, sampler, cold, warm in rows:
        ess_s = warm["ess_bulk"] / warm["sampling"]
        by_key[name, sampler] = (cold["compile"], warm["compile"], warm["sampling"], ess_s)
        print(
            f"{name:16s} {sampler:7s} {cold['compile']:7.1f} {warm['compile']:7.1f} "
            f"{warm['sampling']:8.2f} {warm['ess_bulk']:8.0f} {ess_s:8.0f} "
            f"{warm['rhat']:6.3f} {warm['divergences']:4d}"
        )
    print(f"\nratios {OTHER} / {BASE} (above 1: {BASE} is better)")
    print("{:16s} {:>7s} {:>7s} {:>8s} {:>8s}".format("model", "cold", "warm", "sample", "ESS/s"))
    for name in names:
        n, p = by_key[name, BASE], by_key[name, OTHER]
        print(
            f"{name:16s} {p[0] / n[0]:7.2f} {p[1] / n[1]:7.2f} {p[2] / n[2]:8.2f} "
            f"{n[3] / p[3]:8.2f}"
        )


if __name__ == "__main__":
    chosen = sys.argv[1:] or list(MODELS)
    unknown = set(chosen) - set(MODELS)
    if unknown:
        sys.exit(f"unknown model(s) {sorted(unknown)}; choose from {', '.join(MODELS)}")
    main(chosen)
