"""How long `make report` and `make test` take from a fresh clone: the table of issue 17.

Rows, run in this order in one fresh clone (``git clone`` of this repository's current
commit into a temporary folder; uncommitted changes are not in it):

- ``cold``: the report with empty caches (PyTensor/Numba, the result cache, JAX);
- ``seed``: again, warm, after changing one case's seed (``--seed-change``, default
  ``--seed-override lecture-1d=1`` on the run command);
- ``same``: again with nothing changed (the same commands as the row before);
- ``test``: ``make test`` with its own empty caches.

The report rows run what ``make report`` runs (``python -m compare report --out OUT``: every
case and every quick study in one run), with the seed change added for the ``seed`` row;
with ``--cases``, ``--studies``, ``--run-args`` or ``--study-args`` they run the two
commands it stands for (``python -m compare run --out OUT`` and ``python -m compare study
all --quick --out OUT``), the seed change added to the first. ``test`` runs ``make test``.
A row whose predecessor is not selected runs that predecessor first, untimed (``same``
alone needs a warm run).

No venv is built: the clone uses an existing one (``--venv``, default the one running
this script), whose editable install is shadowed by the clone's packages because every
command runs from the clone's root with ``python -m``; ``make`` gets ``BIN=<venv>/bin``
and empty stamp variables so that it installs nothing. The script checks that ``compare``
is imported from the clone.

Caches: ``PYTENSOR_FLAGS=base_compiledir=<tmp>/pytensor`` (PyTensor's and Numba's
compiled code), ``EM_VS_BAYES_CACHE=<tmp>/results`` (the result cache),
``JAX_COMPILATION_CACHE_DIR`` and ``NUMBA_CACHE_DIR`` under the same folder.

Usage::

    .venv/bin/python benchmarks/bench_report.py                  # every row (~15 min)
    .venv/bin/python benchmarks/bench_report.py --rows cold,same
    # a small configuration, to check the script itself (a minute):
    .venv/bin/python benchmarks/bench_report.py --cases families --studies none \\
        --run-args=--quick --seed-change="--seed 1" --pytest-args tests/compare/test_metrics.py

Prints the table in Markdown and writes it as JSON (``--json``, default
``reports/bench_report.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROWS = ("cold", "seed", "same", "test")
# Issue 17's targets on 2 cores, seconds.
TARGETS = {"cold": 240.0, "seed": 90.0, "same": 15.0, "test": 300.0}
TODAY = {"cold": 450.0, "seed": 210.0, "same": None, "test": None}
WHAT = {
    "cold": "make report, empty caches",
    "seed": "make report, warm, one case's seed changed",
    "same": "make report, warm, nothing changed",
    "test": "make test, empty caches",
}
REPORT_ROWS = ("cold", "seed", "same")


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", default=",".join(ROWS), help=f"comma-separated of {', '.join(ROWS)}")
    p.add_argument("--repo", default=str(ROOT), help="repository to clone (default: this one)")
    p.add_argument(
        "--venv",
        default=sys.prefix if sys.prefix != sys.base_prefix else str(ROOT / ".venv"),
        help="existing virtual environment to run with (default: the one running this)",
    )
    p.add_argument("--cases", nargs="*", default=[], help="cases for the run command (all)")
    p.add_argument(
        "--studies", nargs="*", default=["all"], help="studies to run ('none' skips them)"
    )
    p.add_argument("--run-args", default="", help="extra arguments of the run command")
    p.add_argument("--study-args", default="--quick", help="arguments of the study command")
    p.add_argument(
        "--seed-change",
        default="--seed-override lecture-1d=1",
        help="what the 'seed' row adds to the run command",
    )
    p.add_argument(
        "--pytest-args", default="", help="PYTEST_ADDOPTS for the 'test' row (default: none)"
    )
    p.add_argument("--json", default=str(ROOT / "reports" / "bench_report.json"))
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = p.parse_args(argv)
    rows = [r.strip() for r in args.rows.split(",") if r.strip()]
    bad = [r for r in rows if r not in ROWS]
    if bad or not rows:
        p.error(f"--rows: unknown row(s) {', '.join(bad) or '(none given)'}; valid: {ROWS}")
    args.rows = rows
    python = Path(args.venv) / "bin" / "python"
    if not python.exists():
        p.error(f"--venv: no {python}; give a virtual environment with the project installed")
    return args


def cache_env(folder: Path) -> dict[str, str]:
    """The environment of a run with its own, initially empty, cache folders."""
    env = dict(os.environ)
    flags = [f for f in env.get("PYTENSOR_FLAGS", "").split(",") if f]
    flags = [f for f in flags if not f.startswith(("base_compiledir=", "compiledir="))]
    flags += [f"base_compiledir={folder / 'pytensor'}"]
    if not any(f.startswith("blas__ldflags") for f in flags):
        flags.append("blas__ldflags=")
    env |= {
        "PYTENSOR_FLAGS": ",".join(flags),
        "EM_VS_BAYES_CACHE": str(folder / "results"),
        "JAX_COMPILATION_CACHE_DIR": str(folder / "jax"),
        "NUMBA_CACHE_DIR": str(folder / "numba"),
        "MPLBACKEND": "Agg",
    }
    env.pop("PYTEST_ADDOPTS", None)
    return env


def timed(cmd: list[str], cwd: Path, env: dict, log: Path) -> tuple[float, int]:
    """Run ``cmd``; its output goes to ``log``. Returns (seconds, exit code)."""
    print(f"  $ {shlex.join(cmd)}", flush=True)
    t0 = time.perf_counter()
    with open(log, "a") as fh:
        fh.write(f"\n$ {shlex.join(cmd)}\n")
        fh.flush()
        rc = subprocess.run(cmd, cwd=cwd, env=env, stdout=fh, stderr=subprocess.STDOUT).returncode
    seconds = time.perf_counter() - t0
    print(f"    {seconds:.1f} s, exit {rc}", flush=True)
    return seconds, rc


def report_commands(args, python: Path, out: Path, seed_changed: bool) -> list[list[str]]:
    """What `make report` runs (``python -m compare report``), or, for a selection of
    cases/studies or extra arguments, the ``run`` and ``study`` commands it stands for."""
    default = (
        not args.cases
        and args.studies == ["all"]
        and not args.run_args
        and args.study_args == "--quick"
    )
    if default:
        report = [str(python), "-m", "compare", "report", "--out", str(out)]
        return [report + (shlex.split(args.seed_change) if seed_changed else [])]
    run = [str(python), "-m", "compare", "run", *args.cases, "--out", str(out)]
    run += shlex.split(args.run_args)
    if seed_changed:
        run += shlex.split(args.seed_change)
    commands = [run]
    if args.studies != ["none"]:
        study = [str(python), "-m", "compare", "study", *args.studies, "--out", str(out)]
        commands.append(study + shlex.split(args.study_args))
    return commands


def clone(repo: str, dest: Path) -> str:
    subprocess.run(["git", "clone", "--quiet", repo, str(dest)], check=True)
    head = subprocess.run(
        ["git", "-C", repo, "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()
    subprocess.run(["git", "-C", str(dest), "checkout", "--quiet", "--detach", head], check=True)
    return head


def check_shadowing(python: Path, clone_dir: Path, env: dict) -> None:
    """The clone's packages, not the venv's editable install, must be the ones imported."""
    where = subprocess.run(
        [str(python), "-c", "import compare; print(compare.__file__)"],
        cwd=clone_dir,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not Path(where).resolve().is_relative_to(clone_dir.resolve()):
        raise SystemExit(f"error: compare is imported from {where}, not from the clone")


def main(argv=None) -> int:
    args = parse_args(argv)
    python = Path(args.venv) / "bin" / "python"
    tmp = Path(tempfile.mkdtemp(prefix="bench-report-"))
    log = tmp / "log.txt"
    results = []
    try:
        clone_dir = tmp / "clone"
        head = clone(args.repo, clone_dir)
        print(f"clone of {args.repo} at {head[:12]} in {clone_dir}; output in {log}")
        report_env = cache_env(tmp / "caches-report")
        check_shadowing(python, clone_dir, report_env)
        out = tmp / "reports"
        wanted = [r for r in REPORT_ROWS if r in args.rows]
        # Up to the last report row asked for, every report row runs; unasked ones untimed.
        needed = REPORT_ROWS[: REPORT_ROWS.index(wanted[-1]) + 1] if wanted else ()
        for row in needed:
            timed_row = row in args.rows
            print(f"{row}: {WHAT[row]}" + ("" if timed_row else " (setup, not timed)"))
            seed_changed = row in ("seed", "same") and "seed" in needed
            parts, rc = [], 0
            for cmd in report_commands(args, python, out, seed_changed):
                seconds, code = timed(cmd, clone_dir, report_env, log)
                parts.append(round(seconds, 1))
                rc = rc or code
            if timed_row:
                results.append(row_result(row, sum(parts), rc, parts))
        if "test" in args.rows:
            print(f"test: {WHAT['test']}")
            env = cache_env(tmp / "caches-test")
            if args.pytest_args:
                env["PYTEST_ADDOPTS"] = args.pytest_args
            cmd = ["make", "test", f"BIN={python.parent}", "RUN_STAMP=", "DEV_STAMP="]
            seconds, rc = timed(cmd, clone_dir, env, log)
            results.append(row_result("test", seconds, rc, [round(seconds, 1)]))
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    doc = {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "commit": head,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "configuration": {
            "cases": args.cases or "all",
            "studies": args.studies,
            "run_args": args.run_args,
            "study_args": args.study_args,
            "seed_change": args.seed_change,
            "pytest_args": args.pytest_args,
            "full": not (args.cases or args.run_args or args.pytest_args)
            and args.studies == ["all"],
        },
        "rows": results,
    }
    print()
    print(markdown(results))
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(doc, indent=2))
    print(f"\nwritten: {args.json}")
    return 1 if any(r["exit_code"] for r in results) else 0


def row_result(row: str, seconds: float, rc: int, parts: list[float]) -> dict:
    return {
        "row": row,
        "what": WHAT[row],
        "seconds": round(seconds, 1),
        "commands_seconds": parts,
        "target_seconds": TARGETS[row],
        "met": rc == 0 and seconds <= TARGETS[row],
        "exit_code": rc,
        "before_issue_17_seconds": TODAY[row],
    }


def markdown(results: list[dict]) -> str:
    lines = [
        "| row | what | seconds (per command) | target | met | exit |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        per = " + ".join(f"{s:.1f}" for s in r["commands_seconds"])
        lines.append(
            f"| {r['row']} | {r['what']} | {r['seconds']:.1f} ({per}) | "
            f"<= {r['target_seconds']:.0f} | {'yes' if r['met'] else 'no'} | {r['exit_code']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
