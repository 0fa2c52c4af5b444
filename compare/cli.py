"""Command line: ``python -m compare list``, ``run [CASE ...]``, ``study NAME ...``,
``report`` (every case and every quick study, as ``make report``) and ``fit FILE`` (your
own data; :mod:`compare.fit_command`).

Every case and study is a job of :mod:`compare.runner`: read back from the result cache
when nothing that determines it changed (``--no-cache`` fits again), else fitted in one
of ``--workers`` processes; the progress lines and the index keep the command's order.

Exit codes: 0 on success, 2 for a usage error (unknown case, study or option, as argparse
does), 1 when a comparison or a study fails (the others are still written), 130 when
interrupted (the pages finished before stay, complete).
"""

from __future__ import annotations

import argparse
import sys

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
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="{list,run,study,report,fit}"
    )
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
        "--quick",
        action="store_true",
        help=f"at most {QUICK['draws']} draws, {QUICK['tune']} tuning steps, "
        f"{QUICK['chains']} chains",
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
    _add_seed_override(run)
    _add_runner_options(run)
    _add_study_parser(sub)
    _add_report_parser(sub)
    add_fit_parser(sub)
    return parser


def _seed_override(text: str) -> tuple[str, int]:
    """``CASE=N`` -> ``(CASE, N)`` (bad values exit with code 2)."""
    case, sep, seed = text.partition("=")
    if not sep or not case:
        raise argparse.ArgumentTypeError(f"expected CASE=N (e.g. lecture-1d=1); got {text!r}")
    return case, _int_at_least(0)(seed)


def _add_seed_override(parser) -> None:
    parser.add_argument(
        "--seed-override",
        type=_seed_override,
        action="append",
        default=[],
        metavar="CASE=N",
        help="run CASE with seed N instead of --seed (repeatable); only that case is refitted",
    )


def _add_runner_options(parser) -> None:
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="fit everything again instead of reading unchanged results back from the result "
        "cache (python -m compare.resultcache info|clear); the new results are stored",
    )
    parser.add_argument(
        "--workers",
        type=_int_at_least(1),
        default=None,
        help="worker processes for the fits (default: min(2, CPUs)); 1 runs in this process",
    )


def _add_report_parser(sub) -> None:
    report = sub.add_parser(
        "report",
        help="the whole report: every case and every study (quick), sharing the workers",
        description="Every case at full draws and every study at the quick level, as one run: "
        "the workers take cases and studies alike. Same as `run` then `study all --quick`.",
    )
    report.add_argument("--out", default="reports", help="report directory (default: reports)")
    report.add_argument("--seed", type=_int_at_least(0), default=0)
    report.add_argument("--sampler", choices=SAMPLERS, default=DEFAULT_SAMPLER)
    _add_seed_override(report)
    _add_runner_options(report)


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
    _add_runner_options(study)


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

    cases = [] if args.command == "report" else args.cases
    unknown = [c for c in cases if c not in CASES]
    unknown += [c for c, _ in args.seed_override if c not in CASES and c not in unknown]
    if unknown:
        print(
            f"python -m compare {args.command}: error: unknown case(s): {', '.join(unknown)}\n"
            f"valid cases: {', '.join(CASES)}",
            file=sys.stderr,
        )
        return 2
    names = list(dict.fromkeys(cases)) or list(DEFAULT_CASES)
    left_out = [c for c, _ in args.seed_override if c not in names]
    if left_out:
        print(
            f"python -m compare {args.command}: error: --seed-override names case(s) not in "
            f"this run: {', '.join(left_out)}; cases run: {', '.join(names)}",
            file=sys.stderr,
        )
        return 2
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
    from .runner import study_tasks

    config = {"level": level, "seed": args.seed, "sampler": args.sampler}
    return _execute(study_tasks(names, config), args, "study(s)")


def _run(names: list[str], args) -> int:
    from .runner import case_tasks, study_tasks

    if args.command == "report":
        settings = dict(
            draws=DRAWS,
            tune=TUNE,
            chains=CHAINS,
            quick=False,
            method="numpy",
            prior=None,
            ladder=DEFAULT_LADDER,
        )
    else:
        settings = dict(
            draws=args.draws,
            tune=args.tune,
            chains=args.chains,
            quick=args.quick,
            method=args.method,
            prior=args.prior,
            ladder=args.ladder,
        )
    settings |= {"seed": args.seed, "sampler": args.sampler}
    tasks = case_tasks(names, settings, dict(args.seed_override))
    if args.command == "report":
        config = {"level": "quick", "seed": args.seed, "sampler": args.sampler}
        tasks += study_tasks(list(STUDIES), config)
    return _execute(tasks, args, "case(s)" if args.command == "run" else "job(s)")


def _execute(tasks, args, what: str) -> int:
    """Run the tasks through :mod:`compare.runner`; the exit code."""
    from .runner import run_tasks

    try:
        outcome = run_tasks(tasks, args.out, workers=args.workers, read_cache=not args.no_cache)
    except KeyboardInterrupt:
        print(
            "interrupted: the pages finished so far are in place; the index was not rewritten",
            file=sys.stderr,
        )
        return 130
    if outcome.index is not None:
        print(f"report: {outcome.index}")
    if outcome.failed:
        print(f"failed {what}, not in the report: {', '.join(outcome.failed)}", file=sys.stderr)
        return 1
    return 0
