"""``python -m compare fit FILE``: the comparison and the page of a case, for the user's data.

The file is read by :mod:`compare.userdata` (CSV/TSV/TXT with a header row, ``.npy``,
``.parquet``); one option says which model to fit::

    python -m compare fit data.csv --mixture 3 [--columns a,b] [--covariance full]
    python -m compare fit data.csv --linear y --x a,b
    python -m compare fit data.csv --logistic passed --x hours
    python -m compare fit data.csv --counts colour

Everything about the file is checked before anything is fitted: a file that cannot be used
as asked prints its :class:`~compare.userdata.UserDataError` message on stderr, exits with
code 2 and writes nothing; so does an ``--out`` that is an existing file. The data are then
wrapped in a :class:`~compare.cases.Case` with no truth (``real_data=True``) and go through
the same :func:`compare.run` and page writer as every named case: EM beside the posterior
(no coverage columns), components matched to EM's, the file's path, rows, columns and
sha256 on the page (:mod:`compare.sections.provenance`), and a posterior predictive check
(:mod:`compare.sections.real_fit`).

Exit codes: 0 on success, 2 for a usage error or a bad file, 1 when the fit fails.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import numpy as np

from .cases import POSTERIOR_COVARIANCE, Case, Dataset, real_mixture_case
from .settings import CHAINS, DEFAULT_SAMPLER, DRAWS, QUICK, SAMPLERS, TUNE
from .userdata import SUFFIXES, UserDataError, load_labels, load_table

__all__ = ["add_fit_parser", "build_case", "fit_main"]

PROG = "python -m compare fit"


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1; got {value}")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0; got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0; got {value}")
    return value


def _names(text: str) -> list[str]:
    """``"a,b"`` -> ``["a", "b"]`` (spaces around names ignored; empty names refused)."""
    names = [n.strip() for n in text.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError(f"expected comma-separated column names; got {text!r}")
    return names


def add_fit_parser(sub) -> None:
    """Register the ``fit`` command on the CLI's subparsers."""
    fit = sub.add_parser(
        "fit",
        help="compare EM and the posterior on your own data file",
        description="Fit your own data by EM/MLE and by PyMC and write the same page as a "
        f"case (into OUT/). Files: {', '.join(SUFFIXES)} (CSV: first row names the "
        "columns). No truth is known, so EM is compared with the posterior only.",
    )
    fit.add_argument("file", metavar="FILE", help="the data file")
    model = fit.add_mutually_exclusive_group(required=True)
    model.add_argument(
        "--mixture", type=_positive_int, metavar="K", help="a K-component Gaussian mixture"
    )
    model.add_argument("--linear", metavar="Y", help="a linear regression of column Y on --x")
    model.add_argument(
        "--logistic", metavar="Y", help="a logistic regression of the 0/1 column Y on --x"
    )
    model.add_argument(
        "--counts",
        metavar="COLUMN",
        help="a categorical distribution of the labels in COLUMN (one observation per row)",
    )
    fit.add_argument(
        "--columns", type=_names, help="mixture columns, e.g. a,b (default: all columns)"
    )
    fit.add_argument(
        "--covariance",
        choices=tuple(POSTERIOR_COVARIANCE),
        default="full",
        help="EM's covariance model for --mixture (default full); the posterior uses full "
        "covariances for tied and diagonal ones for spherical",
    )
    fit.add_argument("--x", type=_names, help="regression predictors, e.g. a,b")
    fit.add_argument(
        "--drop-missing", action="store_true", help="leave out rows with empty/NA cells"
    )
    fit.add_argument("--out", default="reports", help="report directory (default: reports)")
    fit.add_argument("--seed", type=_non_negative_int, default=0)
    fit.add_argument("--draws", type=_positive_int, default=DRAWS)
    fit.add_argument("--tune", type=_positive_int, default=TUNE)
    fit.add_argument("--chains", type=_positive_int, default=CHAINS)
    fit.add_argument("--sampler", choices=SAMPLERS, default=DEFAULT_SAMPLER)
    fit.add_argument(
        "--quick",
        action="store_true",
        help=f"at most {QUICK['draws']} draws, {QUICK['tune']} tuning steps, "
        f"{QUICK['chains']} chains",
    )


def _usage_problem(args) -> str | None:
    """Options that do not go together (argparse cannot say it), before the file is read."""
    regression = args.linear is not None or args.logistic is not None
    if args.columns is not None and args.mixture is None:
        return "--columns goes with --mixture (regressions take --x)"
    if args.covariance != "full" and args.mixture is None:
        return "--covariance goes with --mixture"
    if regression and not args.x:
        return "--linear/--logistic need the predictor columns: --x a,b"
    if args.x is not None and not regression:
        return "--x goes with --linear or --logistic (mixtures take --columns)"
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        return f"--out must be a folder (new or existing); {args.out!r} is a file"
    return None


def _slug(path: Path) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "data"


def build_case(args) -> Case:
    """The case for the parsed arguments, its data read and checked (no fitting).

    Raises
    ------
    compare.userdata.UserDataError
        The file cannot be used as asked (the message says why and what to do).
    """
    path = Path(args.file)
    name = f"fit-{_slug(path)}"
    if args.mixture is not None:
        return _mixture_case(args, path, name)
    if args.counts is not None:
        return _counts_case(args, path, name)
    return _regression_case(args, path, name)


def _mixture_case(args, path: Path, name: str) -> Case:
    table = load_table(path, columns=args.columns, drop_missing=args.drop_missing)
    X = table.mixture_matrix(args.mixture)
    data = Dataset(X=X, provenance=table.provenance.as_dict())
    return real_mixture_case(
        name,
        f"{path.name}: a {args.mixture}-component Gaussian mixture of "
        f"{', '.join(table.columns)} ({X.shape[0]} rows), {args.covariance} covariances on "
        "the EM side.",
        lambda: data,
        args.mixture,
        args.covariance,
        feature_names=table.columns,
    )


def _regression_case(args, path: Path, name: str) -> Case:
    logistic = args.logistic is not None
    outcome = args.logistic if logistic else args.linear
    table = load_table(path, columns=[outcome, *args.x], drop_missing=args.drop_missing)
    X, y = table.regression(outcome, args.x, logistic=logistic)
    data = Dataset(X=X, y=y, provenance=table.provenance.as_dict())
    predictors = tuple(args.x)

    def make_estimator(seed: int):
        from em import LinearRegressionMLE, LogisticRegressionMLE

        return LogisticRegressionMLE() if logistic else LinearRegressionMLE()

    def make_model(d: Dataset):
        import models

        build = models.logistic_regression if logistic else models.linear_regression
        return build(d.X, d.y, coef_names=predictors)

    what = "logistic" if logistic else "linear"
    prior = (
        "models.logistic_regression defaults: Normal priors with sd 2.5 per predictor sd"
        if logistic
        else "models.linear_regression defaults: weak Normal priors scaled to the data "
        "(prior_scale=10), sigma ~ HalfNormal(10 sd(y))"
    )
    return Case(
        name=name,
        description=f"{path.name}: {what} regression of {outcome} on "
        f"{', '.join(predictors)} ({len(y)} rows); coef in the order {', '.join(predictors)}.",
        kind=what,
        truth=None,
        generate=lambda seed, method="numpy": data,
        make_estimator=make_estimator,
        make_model=make_model,
        prior_note=prior,
        notes=(_NO_TRUTH,),
        real_data=True,
    )


def _counts_case(args, path: Path, name: str) -> Case:
    labels = load_labels(path, args.counts, drop_missing=args.drop_missing)
    categories, counts = labels.counts()
    if len(categories) < 2:
        raise UserDataError(
            f"column {args.counts!r} of {labels.provenance.path} holds a single label "
            f"({categories[0]!r}); a categorical distribution needs at least two"
        )
    data = Dataset(X=np.asarray(counts, np.int64), provenance=labels.provenance.as_dict())
    names = [str(c) for c in categories]

    def make_estimator(seed: int):
        from em import CategoricalMLE

        return CategoricalMLE(categories=names)

    def make_model(d: Dataset):
        import models

        return models.categorical(d.X, alpha=1.0, category_names=names)

    return Case(
        name=name,
        description=f"{path.name}: the labels of column {args.counts!r} ({int(counts.sum())} "
        f"rows) counted in {len(names)} categories: {', '.join(names)}.",
        kind="categorical",
        truth=None,
        generate=lambda seed, method="numpy": data,
        make_estimator=make_estimator,
        make_model=make_model,
        prior_note="p ~ Dirichlet(1, ..., 1) (uniform on the simplex); conjugate, so the "
        "exact posterior is Dirichlet(1 + counts)",
        notes=(_NO_TRUTH,),
        real_data=True,
    )


_NO_TRUTH = (
    "Your data: no true parameters are known, so EM/MLE is compared with the posterior "
    "only (no coverage columns)."
)


def fit_main(args) -> int:
    """Run ``fit`` for parsed arguments; returns the exit code."""
    problem = _usage_problem(args)
    if problem:
        print(f"{PROG}: error: {problem}", file=sys.stderr)
        return 2
    try:
        case = build_case(args)
    except UserDataError as exc:
        # The file cannot be used as asked: say why, write nothing.
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    from .engine.comparison import run
    from .reports import write_report

    start = time.perf_counter()
    print(f"{case.name}: {case.description}", flush=True)
    try:
        result = run(
            case,
            seed=args.seed,
            draws=args.draws,
            tune=args.tune,
            chains=args.chains,
            sampler=args.sampler,
            quick=args.quick,
        )
    except Exception as exc:
        print(f"{PROG}: the fit failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    t = result.timings
    status = "ok" if result.converged else "WARNING: not converged"
    print(
        f"fitted in {time.perf_counter() - start:.1f} s (compile {t['compile']:.1f} s, "
        f"sampling {t['sampling']:.1f} s) {status}",
        flush=True,
    )
    index = write_report([result], args.out, total_time=time.perf_counter() - start)
    page = Path(args.out) / case.name / "index.html"
    print(f"page: {page}; report: {index}")
    return 0
