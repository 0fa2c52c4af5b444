"""Command line: ``python -m compare list``, ``run [CASE ...]``, ``study NAME ...`` and
``fit FILE`` (your own data; :mod:`compare.fit_command`).

Exit codes: 0 on success, 2 for a usage error (unknown case, study or option, as argparse
does), 1 when a comparison or a study fails (the others are still written).
"""

from __future__ import annotations

import argparse
import sys
import time

from .cases import CASES, DEFAULT_CASES
from .fit_command import add_fit_parser, fit_main
from .settings import (
    CHAINS,
    DEFAULT_LADDER,
    DEFAULT_MIXTURE_PRIOR,
    DEFAULT_SAMPLER,
    DRAWS,
    LADDER_ADVI_MAX_FEATURES,
    LADDERS,
    LEVELS,
    MIXTURE_PRIORS,
    QUICK,
    SAMPLERS,
    TUNE,
)
from .studies import QUESTIONS, STUDIES

__all__ = ["main"]


def _int_at_least(minimum: int):
    """An argparse ``type`` accepting integers >= ``minimum`` (bad values exit with code 2)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected an integer >= {minimum}; got {text!r}"
            ) from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected an integer >= {minimum}; got {value}")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m compare",
        description="EM / maximum likelihood beside PyMC posteriors, case by case.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="{list,run,study,fit}")
    sub.add_parser("list", help="list the cases and the studies, one line each")
    run = sub.add_parser(
        "run",
        help="fit cases and write the report",
        description=f"Fit cases by EM and by PyMC and write a report. Cases: {', '.join(CASES)}.",
    )
    run.add_argument(
        "cases",
        nargs="*",
        metavar="CASE",
        help="cases to run (default: all but the extra real-data fits faithful-k3-tied, "
        "iris-k2; see compare.cases.DEFAULT_CASES)",
    )
    run.add_argument("--out", default="reports", help="report directory (default: reports)")
    run.add_argument("--seed", type=_int_at_least(0), default=0)
    run.add_argument("--draws", type=_int_at_least(1), default=DRAWS)
    run.add_argument("--tune", type=_int_at_least(1), default=TUNE)
    run.add_argument("--chains", type=_int_at_least(1), default=CHAINS)
    run.add_argument("--sampler", choices=SAMPLERS, default=DEFAULT_SAMPLER)
    run.add_argument(
        "--method",
        choices=("numpy", "marsaglia"),
        default="numpy",
        help="how standard normals are drawn for the data (default: numpy)",
    )
    run.add_argument(
        "--prior",
        choices=MIXTURE_PRIORS,
        default=None,
        help=f"prior family of the mixture cases (default: {DEFAULT_MIXTURE_PRIOR}, shared by "
        "NUTS, MAP-EM and variational Bayes); the other cases keep their one prior",
    )
    run.add_argument(
        "--ladder",
        choices=LADDERS,
        default=DEFAULT_LADDER,
        help=f"how much of the mixture pages' inference ladder to climb (default: "
        f"{DEFAULT_LADDER}, which leaves ADVI out for data of more than "
        f"{LADDER_ADVI_MAX_FEATURES} feature, for time; full: every method)",
    )
    run.add_argument(
        "--quick",
        action="store_true",
        help=f"at most {QUICK['draws']} draws, {QUICK['tune']} tuning steps, "
        f"{QUICK['chains']} chains",
    )
    _add_study_parser(sub)
    add_fit_parser(sub)
    return parser


def _add_study_parser(sub) -> None:
    study = sub.add_parser(
        "study",
        help="run studies (repeated experiments) and write their pages",
        description="Answer a question about EM against Bayes by repeated fits; writes "
        f"OUT/studies/NAME/ and links it from OUT/index.html. Studies: {', '.join(STUDIES)}; "
        "'all' runs every one.",
    )
    study.add_argument("studies", nargs="+", metavar="NAME", help="studies to run, or 'all'")
    study.add_argument("--out", default="reports", help="report directory (default: reports)")
    study.add_argument("--seed", type=_int_at_least(0), default=0)
    study.add_argument("--sampler", choices=SAMPLERS, default=DEFAULT_SAMPLER)
    size = study.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="the smaller version `make report` runs")
    size.add_argument(
        "--level",
        choices=LEVELS,
        help="size of the experiment: tiny (the test suite's, seconds), quick (= --quick) "
        "or full (the default)",
    )


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors (and 0 for --help)
        return int(exc.code or 0)
    if args.command == "list":
        return _list()
    if args.command == "fit":
        return fit_main(args)
    out_problem = _out_problem(args.out)
    if out_problem:
        print(f"python -m compare {args.command}: error: {out_problem}", file=sys.stderr)
        return 2
    if args.command == "study":
        return _studies(args)

    unknown = [c for c in args.cases if c not in CASES]
    if unknown:
        print(
            f"python -m compare run: error: unknown case(s): {', '.join(unknown)}\n"
            f"valid cases: {', '.join(CASES)}",
            file=sys.stderr,
        )
        return 2
    names = list(dict.fromkeys(args.cases)) or list(DEFAULT_CASES)
    return _run(names, args)


def _out_problem(out: str) -> str | None:
    """Why ``--out`` cannot take a report (a file, not writable), before anything is fitted."""
    from .reports._files import out_dir_problem

    return out_dir_problem(out, "--out")


def _list() -> int:
    width = max(map(len, [*CASES, *STUDIES]))
    for case in CASES.values():
        print(f"{case.name:<{width}}  {case.description}")
    print("\nstudies (python -m compare study NAME):")
    for name, question in QUESTIONS.items():
        print(f"{name:<{width}}  {question}")
    return 0


def _studies(args) -> int:
    unknown = [n for n in args.studies if n != "all" and n not in STUDIES]
    if unknown:
        print(
            f"python -m compare study: error: unknown study(s): {', '.join(unknown)}\n"
            f"valid studies: {', '.join(STUDIES)} (or all)",
            file=sys.stderr,
        )
        return 2
    names = list(STUDIES) if "all" in args.studies else list(dict.fromkeys(args.studies))
    level = "quick" if args.quick else (args.level or "full")
    from .reports import write_study
    from .studies import StudyConfig, run_study

    config = StudyConfig(level=level, seed=args.seed, sampler=args.sampler)
    start = time.perf_counter()
    failed = []
    for i, name in enumerate(names, 1):
        print(f"[{i}/{len(names)}] study {name} ({level}) ...", end=" ", flush=True)
        t0 = time.perf_counter()
        before = _compile_counts()
        try:
            result = run_study(name, config)
            page = write_study(result, args.out)
        except Exception as exc:
            # One broken study must not cost the others their pages; the exit code says so.
            failed.append(name)
            print(f"FAILED: {type(exc).__name__}: {exc}", flush=True)
            continue
        after = _compile_counts()
        # Samplers only: the log-likelihood function compiles alongside each one.
        compiled = sum(after.get(k, 0) - before.get(k, 0) for k in SAMPLERS)
        extra = ""
        if "per_replication" in result.timings:
            extra += f", {result.timings['per_replication']:.2f} s per replication"
        warned = f", {len(result.warnings)} warning(s)" if result.warnings else ""
        print(
            f"{time.perf_counter() - t0:.1f} s ({compiled} model compilation(s){extra}){warned} "
            f"-> {page}",
            flush=True,
        )
    print(f"total {time.perf_counter() - start:.1f} s")
    if failed:
        print(f"failed study(s), not written: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _compile_counts() -> dict[str, int]:
    """Compilations so far in this process (0 before PyMC's side was ever imported)."""
    models = sys.modules.get("models")
    return models.compile_counts() if models is not None else {}


def _run(names: list[str], args) -> int:
    from .engine.comparison import run
    from .reports import write_report

    start = time.perf_counter()
    results, failed = [], []
    for i, name in enumerate(names, 1):
        print(f"[{i}/{len(names)}] {name} ...", end=" ", flush=True)
        t0 = time.perf_counter()
        try:
            result = run(
                name,
                seed=args.seed,
                draws=args.draws,
                tune=args.tune,
                chains=args.chains,
                sampler=args.sampler,
                quick=args.quick,
                method=args.method,
                prior=args.prior if getattr(CASES.get(name), "prior", "") else None,
                ladder=args.ladder,
            )
        except Exception as exc:
            # One broken case must not cost the others their report; the exit code says so.
            failed.append(name)
            print(f"FAILED: {type(exc).__name__}: {exc}", flush=True)
            continue
        results.append(result)
        t = result.timings
        status = "ok" if result.converged else "WARNING: not converged"
        print(
            f"{time.perf_counter() - t0:.1f} s (compile {t['compile']:.1f} s, sampling "
            f"{t['sampling']:.1f} s) {status}",
            flush=True,
        )
    print("writing report ...", end=" ", flush=True)
    t0 = time.perf_counter()
    index = write_report(results, args.out, total_time=time.perf_counter() - start)
    print(f"{time.perf_counter() - t0:.1f} s")
    print(f"total {time.perf_counter() - start:.1f} s; report: {index}")
    if failed:
        print(f"failed case(s), not in the report: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
