"""Per-iteration time and peak memory of our soft EM against scikit-learn's GaussianMixture.

What is measured
----------------
For every configuration (N samples, D features, K components, ``full`` or ``diag``
covariances) both :class:`em.GaussianMixtureEM` and :class:`sklearn.mixture.GaussianMixture`
start from the *same* parameters (equal weights, means at K random data points, every
covariance the data covariance, its diagonal for ``diag``; scikit-learn gets the inverse as
``precisions_init``), with ``tol=0``, ``reg_covar=1e-6``, float64 C-contiguous data and one
BLAS/OpenMP thread on both sides (the ``*_NUM_THREADS`` variables are set before numpy is
imported, and ``threadpoolctl.threadpool_limits(1)`` holds for the whole run; what
threadpoolctl sees is printed first).

``ms/iter`` is the cost of one EM iteration (one E-step plus one M-step), free of the
one-off costs of a fit (input validation, scikit-learn's initialisation from given
parameters, which still runs one M-step, the final E-step both libraries do after the
loop)::

    ms/iter = (time of fit(max_iter = 1 + m) - time of fit(max_iter = 1)) / m

with ``m`` = 20 at N <= 3e4, 5 at N <= 3e5 and 3 above (``--iters`` overrides it). Each of
``--repeats`` rounds (default 5) fits ours and scikit-learn's in turns (who goes first
alternates between rounds, and each side's two fits run back to back), so a burst of load
from other processes hits both alike; the columns are the medians of the per-round values.
``ratio`` is ours / scikit-learn: below 1 we are faster.

``max rel diff`` checks that both computed the same thing, on the ``1 + m`` iteration fits:
the largest of the normwise relative differences ``max|ours - sklearn| / max|sklearn|`` of
the weights, means and covariances, of the per-iteration log-likelihood history (ours
``log_likelihood_history_ / N`` against ``lower_bounds_``) and of the final mean
log-likelihood (``log_likelihood_ / N`` against ``score(X)``). Above 1e-8 the row says
``DIFF``.

``target`` is the issue's bound on the ratio where it sets one (the tightest that applies):
0.25 at N=1e6, D=8, K=8, full; 0.35 for every other full-covariance row at N=1e6; 0.4 for
every diag row at D=32. ``check`` is PASS or FAIL against it.

Memory: for N=1e6, D=32, K=8 (``full`` and ``diag``) three fresh Python processes run under
``/usr/bin/time -v`` (``os.wait4`` where it is missing), each importing both libraries and
generating the same data in small blocks (no temporary over 2 MiB): ``baseline`` stops after
building the estimator, ``ours`` and ``sklearn`` go on to fit with ``max_iter=2``. ``peak
RSS`` is "Maximum resident set size"; ``before fit`` is the process's own RSS just before
``fit`` (from ``/proc/self/status``; for the baseline, at its end). ``extra`` = peak RSS -
before fit, the memory the fit needs beyond the data (244 MiB at that size) and the
imports; ``- baseline`` = peak RSS - the baseline's peak RSS, the same up to what data
generation briefly needed. The target is ours' ``extra`` <= 64 MiB.

Not a test: scikit-learn is only a reference here, and timings depend on the machine and
on what else runs on it.

Usage
-----
::

    .venv/bin/python benchmarks/bench_em.py                  # the whole grid, then memory
    .venv/bin/python benchmarks/bench_em.py --quick          # smoke run (about a minute)
    .venv/bin/python benchmarks/bench_em.py --n 1e6 --d 8 --k 8 --cov full --repeats 3
    .venv/bin/python benchmarks/bench_em.py --n 1e6 --d 8 32 --no-memory
    .venv/bin/python benchmarks/bench_em.py --memory-only

The grid is N in {1e4, 1e5, 1e6}, D in {1, 2, 8, 32}, K in {2, 8}, full and diag; ``--n``,
``--d``, ``--k`` and ``--cov`` restrict it (each takes a list). The whole grid with the memory
table took 13 minutes on a shared 2-core machine, two thirds of it the N=1e6 rows and most
of that scikit-learn at D=32 (3 to 4 minutes for N=1e6, D=32, K=8, full alone).
"""

from __future__ import annotations

import os

# One BLAS thread on both sides, fixed before numpy loads its BLAS.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import gc  # noqa: E402
import itertools  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.exceptions import ConvergenceWarning as SklearnConvergenceWarning  # noqa: E402
from sklearn.mixture import GaussianMixture  # noqa: E402
from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

from em import ConvergenceWarning, GaussianMixtureEM  # noqa: E402

GRID = {"n": [10_000, 100_000, 1_000_000], "d": [1, 2, 8, 32], "k": [2, 8], "cov": ["full", "diag"]}
QUICK = {"n": [10_000], "d": [2, 8], "k": [2, 8], "cov": ["full", "diag"]}
MEMORY_CONFIG = (1_000_000, 32, 8)
QUICK_MEMORY_CONFIG = (100_000, 8, 8)
MEMORY_ITERS = 2
MEMORY_TARGET_MIB = 64.0
AGREEMENT = 1e-8
REG_COVAR = 1e-6
CHUNK = 8192  # rows per block of data generation: 2 MiB at D=32
MIB = 1024.0 * 1024.0


# ----------------------------------------------------------------------------- the data


def make_data(n: int, d: int, k: int, seed: int = 0) -> np.ndarray:
    """``n`` samples from ``k`` Gaussians with random full covariances, float64 (n, d).

    Component ``j`` has mean ``c_j ~ N(0, 5^2 I)``, weight from a Dirichlet(5, ..., 5) and
    covariance ``A_j A_j^T`` with ``A_j = Q_j diag(s_j)``, ``Q_j`` a random rotation and
    standard deviations ``s_j ~ U(0.5, 1.5)``. Samples are drawn ``CHUNK`` rows at a time into
    one preallocated array, component by component within a chunk, so no temporary is
    larger than a chunk; the same seed gives the same array.
    """
    rng = np.random.default_rng(seed)
    centers = rng.normal(0.0, 5.0, size=(k, d))
    weights = rng.dirichlet(np.full(k, 5.0))
    factors = np.empty((k, d, d))
    for j in range(k):
        q, r = np.linalg.qr(rng.standard_normal((d, d)))
        factors[j] = (q * np.sign(np.diag(r))) * rng.uniform(0.5, 1.5, size=d)
    X = np.empty((n, d))
    for start in range(0, n, CHUNK):
        block = X[start : start + CHUNK]
        labels = rng.choice(k, size=block.shape[0], p=weights)
        for j in range(k):
            rows = np.flatnonzero(labels == j)
            block[rows] = centers[j] + rng.standard_normal((rows.size, d)) @ factors[j].T
    return X


def starting_parameters(
    X: np.ndarray, k: int, covariance_type: str, seed: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The lecture's start: equal weights, means at random samples, the data covariance.

    Returns ``weights`` (K,), ``means`` (K, D) and ``covariances``, (K, D, D) for ``full``,
    (K, D) for ``diag``. The covariance is accumulated over chunks (no (N, D) temporary).
    """
    n, d = X.shape
    rng = np.random.default_rng(seed)
    means = X[np.sort(rng.choice(n, size=k, replace=False))].copy()
    center = X.mean(axis=0)
    scatter = np.zeros((d, d))
    for start in range(0, n, CHUNK):
        block = X[start : start + CHUNK] - center
        scatter += block.T @ block
    covariance = scatter / n
    if covariance_type == "diag":
        covariances = np.tile(np.diag(covariance), (k, 1))
    else:
        covariances = np.tile(covariance, (k, 1, 1))
    return np.full(k, 1.0 / k), means, covariances


def build(side: str, X: np.ndarray, k: int, covariance_type: str, max_iter: int):
    """An unfitted estimator of ``side`` ("ours" or "sklearn") from the common start."""
    weights, means, covariances = starting_parameters(X, k, covariance_type)
    if side == "ours":
        return GaussianMixtureEM(
            k,
            covariance_type=covariance_type,
            tol=0.0,
            max_iter=max_iter,
            weights_init=weights,
            means_init=means,
            covariances_init=covariances,
            reg_covar=REG_COVAR,
        )
    precisions = 1.0 / covariances if covariance_type == "diag" else np.linalg.inv(covariances)
    return GaussianMixture(
        k,
        covariance_type=covariance_type,
        tol=0.0,
        max_iter=max_iter,
        n_init=1,
        # With every parameter given, initialisation only runs one M-step on these
        # responsibilities and then overrides it; "random_from_data" is the cheapest way there
        # (the default runs k-means).
        init_params="random_from_data",
        weights_init=weights,
        means_init=means,
        precisions_init=precisions,
        reg_covar=REG_COVAR,
        random_state=0,
    )


def quiet_fit(estimator, X: np.ndarray) -> None:
    """``estimator.fit(X)`` without the warnings ``tol=0`` provokes by design."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        estimator.fit(X)


# ----------------------------------------------------------------------------- timing


def measured_iters(n: int) -> int:
    """Iterations the difference of two fits spans: enough to dominate timing noise."""
    return 20 if n <= 30_000 else 5 if n <= 300_000 else 3


def time_config(n, d, k, covariance_type, repeats, iters, seed):
    """Median per-iteration seconds of each side, and the largest relative difference."""
    X = make_data(n, d, k, seed)
    sides = ("ours", "sklearn")
    short = {side: build(side, X, k, covariance_type, 1) for side in sides}
    long = {side: build(side, X, k, covariance_type, 1 + iters) for side in sides}
    per_iter = {side: [] for side in sides}
    for round_ in range(repeats):
        for side in sides if round_ % 2 == 0 else sides[::-1]:
            elapsed = []
            for estimator in (short[side], long[side]):
                gc.collect()
                start = time.perf_counter()
                quiet_fit(estimator, X)
                elapsed.append(time.perf_counter() - start)
            per_iter[side].append((elapsed[1] - elapsed[0]) / iters)
    return (
        float(np.median(per_iter["ours"])),
        float(np.median(per_iter["sklearn"])),
        max_relative_difference(long["ours"], long["sklearn"], X),
    )


def relative_difference(ours, theirs) -> float:
    ours, theirs = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    if ours.shape != theirs.shape:
        return np.inf
    scale = np.max(np.abs(theirs))
    return float(np.max(np.abs(ours - theirs)) / scale) if scale > 0 else 0.0


def max_relative_difference(ours, theirs, X: np.ndarray) -> float:
    """Largest normwise relative difference of parameters and log-likelihoods."""
    n = X.shape[0]
    theirs_history = getattr(theirs, "lower_bounds_", None)
    if theirs_history is None:  # scikit-learn < 1.6 keeps only the last one
        theirs_history = [theirs.lower_bound_]
        ours_history = ours.log_likelihood_history_[-1:] / n
    else:
        ours_history = ours.log_likelihood_history_ / n
    return max(
        relative_difference(ours.weights_, theirs.weights_),
        relative_difference(ours.means_, theirs.means_),
        relative_difference(ours.covariances_, theirs.covariances_),
        relative_difference(ours_history, theirs_history),
        relative_difference(ours.log_likelihood_ / n, theirs.score(X)),
    )


def target(n: int, d: int, k: int, covariance_type: str) -> float | None:
    """The issue's bound on ours / scikit-learn for this configuration (the tightest)."""
    bounds = []
    if n == 1_000_000 and covariance_type == "full":
        bounds.append(0.25 if (d, k) == (8, 8) else 0.35)
    if d == 32 and covariance_type == "diag":
        bounds.append(0.4)
    return min(bounds) if bounds else None


# ----------------------------------------------------------------------------- memory


def current_rss_mib() -> float | None:
    """This process's resident set size now (MiB), from ``/proc/self/status`` (Linux)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def memory_child(side: str, n: int, d: int, k: int, covariance_type: str, seed: int) -> None:
    """Body of one memory process: data and estimator, then fit unless ``baseline``.

    Prints its resident set size just before the fit (or at the end, for ``baseline``).
    """
    with threadpool_limits(1):
        X = make_data(n, d, k, seed)
        estimator = build("ours" if side == "baseline" else side, X, k, covariance_type, 2)
        gc.collect()
        print(f"rss_before_fit_mib {current_rss_mib()}", flush=True)
        if side != "baseline":
            quiet_fit(estimator, X)


def peak_rss_mib(
    side: str, n: int, d: int, k: int, covariance_type: str, seed: int
) -> tuple[float, float | None]:
    """Peak resident set size (MiB) of a fresh process running :func:`memory_child`.

    Also returns the resident set size that process had just before its fit (``None`` where
    ``/proc`` is missing).
    """
    command = [sys.executable, str(Path(__file__).resolve()), "--memory-child", side]
    command += ["--n", str(n), "--d", str(d), "--k", str(k), "--cov", covariance_type]
    command += ["--seed", str(seed)]
    gnu_time = "/usr/bin/time" if Path("/usr/bin/time").exists() else shutil.which("time")
    peak = None
    if gnu_time is not None:
        with tempfile.NamedTemporaryFile("r", suffix=".txt") as report:
            output = subprocess.run(
                [gnu_time, "-v", "-o", report.name, *command],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            for line in report.read().splitlines():
                if "Maximum resident set size" in line:
                    peak = int(line.rsplit(":", 1)[1]) / 1024.0
        if peak is None:
            raise RuntimeError(f"{gnu_time} -v printed no 'Maximum resident set size'")
    else:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        if status != 0:
            raise subprocess.CalledProcessError(status, command)
        peak = usage.ru_maxrss / 1024.0  # kilobytes on Linux
    before = None
    for line in output.splitlines():
        if line.startswith("rss_before_fit_mib") and line.split()[1] != "None":
            before = float(line.split()[1])
    return peak, before


def run_memory(config, covariance_types, seed) -> list[tuple[str, float]]:
    """Print the memory table; return ``(name, extra MiB)`` of ours where a target applies."""
    n, d, k = config
    print(
        f"\nPeak memory of one fit (max_iter={MEMORY_ITERS}), N={n:.0e} D={d} K={k}; the data "
        f"are {n * d * 8 / MIB:.0f} MiB; one fresh process per row, MiB"
    )
    print(
        f"{'covariance':>10} {'side':>9} {'peak RSS':>9} {'before fit':>10} "
        f"{'extra':>7} {'- baseline':>10} {'target':>6}"
    )
    checks = []
    for covariance_type in covariance_types:
        baseline, baseline_end = peak_rss_mib("baseline", n, d, k, covariance_type, seed)
        print(
            f"{covariance_type:>10} {'baseline':>9} {baseline:9.1f} "
            f"{_mib(baseline_end):>10} {'':>7} {'':>10} {'':>6}"
        )
        for side in ("ours", "sklearn"):
            peak, before = peak_rss_mib(side, n, d, k, covariance_type, seed)
            # Against the RSS just before the fit in the same process when known: the
            # baseline's peak includes what data generation briefly needed on top.
            extra = peak - (before if before is not None else baseline)
            verdict = ""
            if side == "ours" and config == MEMORY_CONFIG:
                verdict = "PASS" if extra <= MEMORY_TARGET_MIB else "FAIL"
                checks.append((f"memory {covariance_type}: ours extra {extra:.1f} MiB", extra))
            print(
                f"{covariance_type:>10} {side:>9} {peak:9.1f} {_mib(before):>10} "
                f"{extra:7.1f} {peak - baseline:10.1f} {verdict:>6}",
                flush=True,
            )
    return checks


def _mib(value: float | None) -> str:
    return "?" if value is None else f"{value:.1f}"


# ----------------------------------------------------------------------------- main


def print_environment() -> None:
    import sklearn

    print(
        f"numpy {np.__version__}, scikit-learn {sklearn.__version__}, "
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
    )
    print("threadpoolctl (inside threadpool_limits(1)):")
    for pool in threadpool_info():
        print(
            f"  {pool['internal_api']:>9} {pool.get('version') or '':>8} "
            f"threads={pool['num_threads']} {Path(pool['filepath']).name}"
        )
    try:
        commit = subprocess.run(
            ["git", "log", "-1", "--format=%h %ci"],
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parent,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "em"],
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parent,
            check=True,
        ).stdout.strip()
        print(f"commit {commit}{' (em/ has uncommitted changes)' if dirty else ''}")
    except (OSError, subprocess.CalledProcessError):
        pass
    print(f"started {time.strftime('%Y-%m-%d %H:%M:%S')}")


def size(text: str) -> int:
    """An integer that may be written as ``1e6``."""
    value = float(text)
    if value != int(value) or value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(value)


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Per-iteration time and peak memory: em.GaussianMixtureEM vs scikit-learn.",
        epilog="See the module docstring for what is measured and how to read it.",
    )
    parser.add_argument("--n", type=size, nargs="+", help="samples (default 1e4 1e5 1e6)")
    parser.add_argument("--d", type=size, nargs="+", help="features (default 1 2 8 32)")
    parser.add_argument("--k", type=size, nargs="+", help="components (default 2 8)")
    parser.add_argument("--cov", nargs="+", choices=("full", "diag"), help="default both")
    parser.add_argument("--repeats", type=size, default=5, help="rounds per configuration")
    parser.add_argument("--iters", type=size, help="iterations timed (default by N: 20/5/3)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the data")
    parser.add_argument("--quick", action="store_true", help="small grid, 3 rounds, small memory")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--memory-only", action="store_true", help="only the memory table")
    group.add_argument("--no-memory", action="store_true", help="skip the memory table")
    parser.add_argument("--memory-child", choices=("baseline", "ours", "sklearn"), help="internal")
    args = parser.parse_args()

    if args.memory_child:
        memory_child(args.memory_child, args.n[0], args.d[0], args.k[0], args.cov[0], args.seed)
        return

    limits = threadpool_limits(1)  # held until the process ends
    grid = dict(QUICK if args.quick else GRID)
    for key in grid:
        if getattr(args, key):
            grid[key] = getattr(args, key)
    repeats = 3 if args.quick and "--repeats" not in sys.argv else args.repeats
    print_environment()

    checks: list[tuple[str, bool]] = []
    disagreements = []
    started = time.perf_counter()
    if not args.memory_only:
        print(f"\nms per EM iteration, median of {repeats} rounds taken in turns (ours, sklearn)")
        header = (
            f"{'N':>8} {'D':>3} {'K':>2} {'cov':>5} {'iters':>5} {'ours':>9} {'sklearn':>9} "
            f"{'ratio':>6} {'max rel diff':>12} {'target':>6} {'check':>5} {'wall s':>7}"
        )
        print(header)
        for n, d, k, covariance_type in itertools.product(
            sorted(grid["n"]), sorted(grid["d"]), sorted(grid["k"]), grid["cov"]
        ):
            iters = args.iters or measured_iters(n)
            config_start = time.perf_counter()
            label = f"{n:8.0e} {d:3d} {k:2d} {covariance_type:>5} {iters:5d}"
            try:
                ours, theirs, difference = time_config(
                    n, d, k, covariance_type, repeats, iters, args.seed
                )
            except Exception as error:  # keep the rest of the grid going; report it
                print(f"{label} ERROR {type(error).__name__}: {error}", flush=True)
                checks.append((f"{' '.join(label.split())} raised {type(error).__name__}", False))
                continue
            ratio = ours / theirs
            bound = target(n, d, k, covariance_type)
            verdict = "" if bound is None else ("PASS" if ratio <= bound else "FAIL")
            if bound is not None:
                checks.append(
                    (f"N={n:.0e} D={d} K={k} {covariance_type}: {ratio:.3f}", ratio <= bound)
                )
            flag = "" if difference <= AGREEMENT else " DIFF"
            if flag:
                disagreements.append(f"N={n:.0e} D={d} K={k} {covariance_type}: {difference:.1e}")
            print(
                f"{label} {ours * 1e3:9.2f} {theirs * 1e3:9.2f} {ratio:6.3f} "
                f"{difference:12.1e} {'' if bound is None else f'{bound:.2f}':>6} {verdict:>5} "
                f"{time.perf_counter() - config_start:7.1f}{flag}",
                flush=True,
            )

    if not args.no_memory:
        config = QUICK_MEMORY_CONFIG if args.quick else MEMORY_CONFIG
        covariance_types = args.cov or ["full", "diag"]
        for name, extra in run_memory(config, covariance_types, args.seed):
            checks.append((f"{name} (<= {MEMORY_TARGET_MIB:.0f})", extra <= MEMORY_TARGET_MIB))

    print(f"\nSummary ({time.perf_counter() - started:.0f} s)")
    if not checks:
        print("  no configuration here has a target (they are at N=1e6 full, D=32 diag, memory)")
    for name, passed in checks:
        print(f"  {'PASS' if passed else 'FAIL'}  {name}")
    if checks:
        print(f"  {sum(passed for _, passed in checks)} of {len(checks)} targets met")
    if disagreements:
        print(f"  results differ by more than {AGREEMENT:g} at: " + "; ".join(disagreements))
    elif not args.memory_only:
        print(f"  ours and scikit-learn agree to {AGREEMENT:g} on every row")
    limits.restore_original_limits()


if __name__ == "__main__":
    main()
