"""step-order: E-step first or M-step first, and soft EM, hard EM and k-means side by side.

The lecture: "E first with the initial parameters, then M with P(C | x); doing M first
often fails". From a guess of the parameters, an E-step can run at once. An M-step cannot:
it needs responsibilities, and there are none yet, only whatever the code initialised its
responsibility array to. So "M first" throws the guess away and starts from that array.
The study runs the three arrays a student's code plausibly holds:

- uniform ``P(C | x) = 1/K`` (``np.full``): the M-step makes every component the same
  Gaussian, every later E-step gives ``1/K`` again, and EM stays at that symmetric fixed
  point, the one-Gaussian fit, for ever;
- all labels 0 (``np.zeros``, hard EM): component 1 has no points, its mean is 0/0 = NaN
  and the loop fails at its first step (:mod:`em` would re-seed it; the plain step does not);
- random labels: every component starts near the overall mean, EM must break the symmetry
  itself, and where it ends has nothing to do with the guess.

E first runs the estimators of :mod:`em` from each guess (the lecture's, and random ones).
The second part fits soft EM, hard EM (``l12em1``) and k-means from one start (the case's)
on lecture-1d, lecture-1d-close (heavy overlap) and lecture-2d, on many simulated data sets,
to measure hard EM's bias where clusters overlap.
"""

from __future__ import annotations

import time

import numpy as np

from ...align import match_components
from ...cases import get_case
from ...kinds.mixture_extras import lecture_start
from ...metrics import adjusted_rand_index, mixture_log_likelihood
from .. import QUESTIONS
from .._base import StudyConfig, StudyResult, Table, child_seeds
from .._common import (
    SAME_OPTIMUM_NATS,
    fmt,
    partition_parameters,
    percent,
    quietly,
    responsibility_parameters,
)
from . import figures as plots
from ._orders import Order

__all__ = ["LEVEL_SETTINGS", "NAME", "QUESTION", "Order", "run"]

NAME = "step-order"
QUESTION = QUESTIONS[NAME]

# random_guesses: E-first guesses beyond the lecture's; random_labels: M-first runs from
# random labels; replications: data sets of the soft/hard/k-means comparison.
LEVEL_SETTINGS = {
    "tiny": {"lecture_guesses": 1, "random_guesses": 1, "random_labels": 2, "replications": 2},
    "quick": {"lecture_guesses": 2, "random_guesses": 10, "random_labels": 10, "replications": 20},
    "full": {
        "lecture_guesses": 2,
        "random_guesses": 100,
        "random_labels": 100,
        "replications": 200,
    },
}
ORDER_CASES = ("lecture-1d", "lecture-2d")
ALGORITHM_CASES = ("lecture-1d", "lecture-1d-close", "lecture-2d")
LECTURE_2D_GUESSES = {
    "lecture (40,50),(80,50)": [[40.0, 50.0], [80.0, 50.0]],
    "lecture (20,30),(80,80)": [[20.0, 30.0], [80.0, 80.0]],
}


def run(config: StudyConfig) -> StudyResult:
    """Run the study at ``config.level`` (see :data:`LEVEL_SETTINGS`)."""
    level = LEVEL_SETTINGS[config.level]
    seeds = child_seeds(config.seed, 1, ("guesses", "labels", "replications"))[0]
    t0 = time.perf_counter()
    order = {
        name: _order(name, get_case(name).generate(config.seed), level, seeds)
        for name in ORDER_CASES
    }
    t1 = time.perf_counter()
    algorithms = {
        name: _algorithms(get_case(name), config.seed, level["replications"], seeds)
        for name in ALGORITHM_CASES
    }
    t2 = time.perf_counter()
    summary = {name: _order_summary(r) for name, r in order.items()}
    return StudyResult(
        name=NAME,
        question=QUESTION,
        answer=_answer(summary, algorithms),
        figures=[
            ("order_traces", plots.order_figure(order), plots.ORDER_CAPTION),
            ("algorithm_traces", plots.algorithm_trace_figure(algorithms), plots.TRACE_CAPTION),
            ("algorithm_errors", plots.error_figure(algorithms), plots.ERROR_CAPTION),
        ],
        tables=_tables(order, algorithms),
        data={
            "order": {n: {"summary": summary[n], "runs": r["runs"]} for n, r in order.items()},
            "algorithms": {
                n: {k: v for k, v in a.items() if k != "traces"} for n, a in algorithms.items()
            },
        },
        settings={
            "level": config.level,
            "seed": config.seed,
            "sampler": "none (EM and k-means only)",
            **level,
            "order_cases": list(ORDER_CASES),
            "algorithm_cases": list(ALGORITHM_CASES),
            "guesses": "lecture-1d: means 3 and 5, sd 1, weights 1/2 (l12em1); lecture-2d: "
            "the lecture's k-means centroids with the data covariance and weights 1/2; random "
            "guesses: two data points as means, the data covariance, weights 1/2 (gmm1)",
            "same_optimum_nats": SAME_OPTIMUM_NATS,
            "algorithm_start": "the case's start (lecture-1d and -close: means 3 and 5, sd 1; "
            "lecture-2d: centroids (40,50),(80,50), covariance diag(12^2, 10^2))",
            "estimators": "GaussianMixtureEM / ClassificationEM (full covariances; max_iter "
            "500 in part 1, the default 1000 in part 2), KMeans (Lloyd); k-means parameters: "
            "the Gaussian MLE of each of its clusters",
        },
        timings={"order": t1 - t0, "algorithms": t2 - t1, "total": t2 - t0},
        warnings=_warnings(order, algorithms),
    )


# ---------------------------------------------------------------------------------------------
# Part 1: the order of the steps


def _guesses(name, data, level, rng) -> list[tuple[str, dict]]:
    X = data.X
    if name == "lecture-1d":
        lecture = [("lecture: means 3, 5, sd 1", dict(get_case(name).start))]
    else:
        lecture = [
            (label, lecture_start(X, np.array(m))) for label, m in LECTURE_2D_GUESSES.items()
        ]
    out = lecture[: level["lecture_guesses"]]
    for r in range(level["random_guesses"]):
        out.append((f"random {r + 1}", lecture_start(X, X[rng.choice(len(X), 2, replace=False)])))
    return out


def _order(name, data, level, seeds) -> dict:
    """E-first (soft and hard) from each guess, and the three M-first starts."""
    from em import ClassificationEM, GaussianMixtureEM

    X, K = data.X, 2
    rng = np.random.default_rng([seeds["guesses"], ORDER_CASES.index(name)])
    runs = []
    for label, start in _guesses(name, data, level, rng):
        for kind, cls in (("soft", GaussianMixtureEM), ("hard", ClassificationEM)):
            runs.append(
                _em_run(cls, X, data.labels, start)
                | {
                    "guess": label,
                    "order": Order.E_FIRST,
                    "algorithm": kind,
                }
            )
    # M first from uniform responsibilities: identical components.
    uniform = responsibility_parameters(X, np.full((len(X), K), 1.0 / K))
    runs.append(
        _em_run(GaussianMixtureEM, X, data.labels, uniform)
        | {
            "guess": "any (discarded)",
            "order": Order.M_UNIFORM,
            "algorithm": "soft",
            "start_means": uniform["means"].tolist(),
        }
    )
    # M first from labels initialised to 0: the plain M-step divides 0 by 0.
    zeros = responsibility_parameters(X, np.eye(K)[np.zeros(len(X), dtype=int)])
    runs.append(
        {
            "guess": "any (discarded)",
            "order": Order.M_ZEROS,
            "algorithm": "hard",
            "failed": True,
            "n_nan": int(np.isnan(zeros["means"]).sum()),
            "start_means": np.where(np.isnan(zeros["means"]), None, zeros["means"]).tolist(),
            "log_likelihood": None,
            "n_iter": 1,
            "history": [],
            "ari": None,
            "warnings": [],
        }
    )
    label_rng = np.random.default_rng([seeds["labels"], ORDER_CASES.index(name)])
    for r in range(level["random_labels"]):
        start = partition_parameters(X, label_rng.integers(0, K, len(X)), K)
        for kind, cls in (("soft", GaussianMixtureEM), ("hard", ClassificationEM)):
            runs.append(
                _em_run(cls, X, data.labels, start)
                | {
                    "guess": f"random labels {r + 1}",
                    "order": Order.M_RANDOM,
                    "algorithm": kind,
                }
            )
    best = max(r["log_likelihood"] for r in runs if r["log_likelihood"] is not None)
    for r in runs:
        ll = r["log_likelihood"]
        r["at_best"] = ll is not None and ll >= best - SAME_OPTIMUM_NATS
    return {"best": best, "runs": runs}


def _em_run(cls, X, truth, start) -> dict:
    est, messages = quietly(
        cls(
            2,
            weights_init=start["weights"],
            means_init=start["means"],
            covariances_init=start["covariances"],
            max_iter=500,
        ).fit,
        X,
    )
    return {
        "failed": False,
        "start_means": np.asarray(start["means"]).tolist(),
        "log_likelihood": float(est.log_likelihood_),
        "n_iter": int(est.n_iter_),
        "converged": bool(est.converged_),
        "history": [float(v) for v in est.log_likelihood_history_],
        "ari": adjusted_rand_index(truth, est.predict(X)),
        "final_means": np.asarray(est.means_).tolist(),
        "warnings": messages,
    }


def _order_summary(result) -> dict:
    runs = result["runs"]

    def pick(order, algorithm="soft"):
        return [r for r in runs if r["order"] == order and r["algorithm"] == algorithm]

    e_first = pick(Order.E_FIRST)
    uniform = pick(Order.M_UNIFORM)[0]
    zeros = pick(Order.M_ZEROS, "hard")[0]
    random_labels = pick(Order.M_RANDOM)
    lecture = next(r for r in e_first if r["guess"].startswith("lecture"))
    return {
        "best": result["best"],
        "lecture_guess": lecture["guess"],
        "lecture_e_first": {k: lecture[k] for k in ("log_likelihood", "n_iter", "ari")},
        "e_first_at_best": sum(r["at_best"] for r in e_first),
        "e_first_runs": len(e_first),
        "e_first_median_iter": float(np.median([r["n_iter"] for r in e_first])),
        "uniform": {
            "log_likelihood": uniform["log_likelihood"],
            "n_iter": uniform["n_iter"],
            "distinct_final_means": len(
                np.unique(np.round(np.array(uniform["final_means"]), 9), axis=0)
            ),
        },
        "zeros_n_nan": zeros["n_nan"],
        "random_labels_at_best": sum(r["at_best"] for r in random_labels),
        "random_labels_runs": len(random_labels),
        "random_labels_median_iter": (
            float(np.median([r["n_iter"] for r in random_labels])) if random_labels else None
        ),
    }


# ---------------------------------------------------------------------------------------------
# Part 2: soft EM, hard EM and k-means from one start


def _algorithms(case, seed, replications, seeds) -> dict:
    """Each algorithm on ``replications`` data sets of ``case`` (the first: ``seed``'s)."""
    rng = np.random.default_rng([seeds["replications"], ALGORITHM_CASES.index(case.name)])
    data_seeds = [seed, *(int(s) for s in rng.integers(0, 2**31, replications - 1))]
    truth = case.truth
    records, traces = [], None
    for data_seed in data_seeds:
        data = case.generate(data_seed)
        fits, messages = quietly(_three_fits, case, data)
        record = {"data_seed": data_seed, "warnings": messages}
        for method in ("soft", "hard", "kmeans"):
            record[method] = _algorithm_record(method, fits[method], data, truth)
        records.append(record)
        if traces is None:  # the first data set's iterations, for the trace figure
            traces = {
                "soft": fits["soft"].log_likelihood_history_.tolist(),
                "hard": fits["hard"].log_likelihood_history_.tolist(),
            }
    return {
        "truth": _flat(truth),
        "records": records,
        "bias": _bias(records, truth),
        "traces": traces,
    }


def _three_fits(case, data) -> dict:
    """Soft EM, hard EM and k-means from the case's start, run to convergence.

    As :func:`compare.kinds.mixture_extras.fit_em_variants`, but with the estimators' default
    ``max_iter``: its cap of 100 stops soft EM short on the overlapping lecture-1d-close data,
    and a bias measured on unfinished fits would be the cap's, not the algorithm's.
    """
    from em import ClassificationEM, GaussianMixtureEM, KMeans

    start = case.start
    common = {
        "weights_init": start["weights"],
        "means_init": start["means"],
        "covariances_init": start["covariances"],
    }
    return {
        "soft": GaussianMixtureEM(2, **common).fit(data.X),
        "hard": ClassificationEM(2, **common).fit(data.X),
        "kmeans": KMeans(2, init=np.asarray(start["means"])).fit(data.X),
    }


def _algorithm_record(method, est, data, truth) -> dict:
    X = data.X
    if method == "kmeans":
        labels = est.labels_
        params = partition_parameters(X, labels, 2)
    else:
        labels = est.predict(X)
        params = {"weights": est.weights_, "means": est.means_, "covariances": est.covariances_}
    order = match_components(params["means"], truth["means"]).order
    params = {k: np.asarray(v)[order] for k, v in params.items()}
    return {
        "n_iter": int(est.n_iter_),
        "converged": bool(est.converged_),
        "log_likelihood": float(
            mixture_log_likelihood(X, params["weights"], params["means"], params["covariances"])
        ),
        "ari": adjusted_rand_index(data.labels, labels),
        "estimates": _flat(params),
    }


def _flat(params) -> dict[str, float]:
    """``w[k]``, ``mu[k,j]`` and ``sd[k,j]`` (square root of the covariance's diagonal)."""
    means = np.asarray(params["means"], float)
    sds = np.sqrt(np.diagonal(np.asarray(params["covariances"], float), axis1=1, axis2=2))
    out = {f"w[{k}]": float(w) for k, w in enumerate(params["weights"])}
    for name, values in (("mu", means), ("sd", sds)):
        for k, row in enumerate(values):
            for j, v in enumerate(row):
                out[f"{name}[{k}]" if len(row) == 1 else f"{name}[{k},{j}]"] = float(v)
    return out


def _bias(records, truth) -> dict:
    """Mean error (estimate - truth) and its standard error per method and parameter."""
    flat = _flat(truth)
    out = {}
    for method in ("soft", "hard", "kmeans"):
        out[method] = {}
        for name, true in flat.items():
            err = np.array([r[method]["estimates"][name] - true for r in records])
            se = float(err.std(ddof=1) / np.sqrt(len(err))) if len(err) > 1 else None
            out[method][name] = {"mean_error": float(err.mean()), "se": se}
    return out


# ---------------------------------------------------------------------------------------------
# Text, tables, warnings


def _answer(summary, algorithms) -> str:
    parts = []
    for name, s in summary.items():
        lect, uni = s["lecture_e_first"], s["uniform"]
        text = (
            f"On {name}, E first from the guess '{s['lecture_guess']}' reached log-likelihood "
            f"{fmt(lect['log_likelihood'])} in {lect['n_iter']} iterations (ARI "
            f"{fmt(lect['ari'], 2)}), and {percent(s['e_first_at_best'], s['e_first_runs'])} "
            f"E-first soft runs reached the best value {fmt(s['best'])}. M first from uniform "
            f"P(C|x) made the components identical ({uni['distinct_final_means']} distinct "
            f"mean(s) at the end) and stopped after {uni['n_iter']} iterations at "
            f"{fmt(uni['log_likelihood'])}, the one-Gaussian fit; M first from labels all 0 "
            f"gave NaN means ({s['zeros_n_nan']} NaN values) at its first step"
        )
        if s["random_labels_runs"]:
            text += (
                f"; M first from random labels, which ignores the guess, reached the best in "
                f"{percent(s['random_labels_at_best'], s['random_labels_runs'])} soft runs "
                f"(median {fmt(s['random_labels_median_iter'], 0)} iterations against "
                f"{fmt(s['e_first_median_iter'], 0)} for E first)"
            )
        parts.append(text + ".")
    close = algorithms["lecture-1d-close"]["bias"]
    n = len(algorithms["lecture-1d-close"]["records"])
    truth = algorithms["lecture-1d-close"]["truth"]

    def errors(method, prefix):
        return ", ".join(
            fmt(e["mean_error"], 2) for p, e in close[method].items() if p.startswith(prefix + "[")
        )

    def true(prefix):
        return " and ".join(fmt(v, 1) for p, v in truth.items() if p.startswith(prefix + "["))

    parts.append(
        f"From the same start on the overlapping lecture-1d-close data ({n} data set(s); "
        f"true means {true('mu')}, sds {true('sd')}), the mean errors of the means are "
        f"{errors('hard', 'mu')} for hard EM against {errors('soft', 'mu')} for soft EM and "
        f"{errors('kmeans', 'mu')} for k-means, and of the sds {errors('hard', 'sd')} against "
        f"{errors('soft', 'sd')} and {errors('kmeans', 'sd')}: hard assignments cut the "
        "overlap at the boundary, which biases both."
    )
    return " ".join(parts)


def _tables(order, algorithms) -> list[Table]:
    order_rows = [
        [
            name,
            r["guess"],
            r["order"],
            r["algorithm"],
            r["n_iter"],
            r["log_likelihood"],
            r["ari"],
            _outcome(r),
        ]
        for name, res in order.items()
        for r in res["runs"]
    ]
    alg_rows = []
    bias_rows = []
    for name, a in algorithms.items():
        first = a["records"][0]
        for method in ("soft", "hard", "kmeans"):
            r = first[method]
            alg_rows.append(
                [
                    name,
                    method,
                    r["n_iter"],
                    r["log_likelihood"],
                    r["ari"],
                    *(_pairs(r["estimates"], a["truth"], p) for p in ("w", "mu", "sd")),
                ]
            )
        for p, true in a["truth"].items():
            bias_rows.append(
                [
                    name,
                    p,
                    true,
                    *(a["bias"][m][p]["mean_error"] for m in ("soft", "hard", "kmeans")),
                ]
            )
    return [
        Table(
            "step_order",
            "Every run of part 1: the guess, the order of the steps, final log-likelihood and "
            "ARI against the true labels",
            ["data", "guess", "order", "EM", "iterations", "log-lik", "ARI", "outcome"],
            order_rows,
        ),
        Table(
            "algorithms",
            "Soft EM, hard EM and k-means from the case's start on the first data set: "
            "iterations, mixture log-likelihood of the fitted parameters, ARI, and estimates "
            "(truth in brackets)",
            ["data", "method", "iterations", "log-lik", "ARI", "weights", "means", "sds"],
            alg_rows,
        ),
        Table(
            "bias",
            "Mean error (estimate - truth) over the data sets, per parameter and method",
            ["data", "parameter", "truth", "soft EM", "hard EM", "k-means"],
            bias_rows,
        ),
    ]


def _outcome(run) -> str:
    if run["failed"]:
        return "NaN at the first M-step"
    if run["order"] == Order.M_UNIFORM:
        return "stuck at the symmetric fixed point"
    if run["algorithm"] == "hard":
        # Hard EM maximises the classification likelihood: its end is a fixed point of the
        # assignment, not an optimum of the log-likelihood, so it is not ranked by it.
        return "hard-EM fixed point" if run["converged"] else "max_iter"
    return "best optimum" if run["at_best"] else "another optimum"


def _pairs(estimates, truth, prefix) -> str:
    return ", ".join(
        f"{estimates[k]:.2f} ({truth[k]:.2f})" for k in truth if k.split("[")[0] == prefix
    )


def _warnings(order, algorithms) -> list[str]:
    out = []
    for name, res in order.items():
        rising = [
            r
            for r in res["runs"]
            if r["algorithm"] == "soft"
            and r["history"]
            and np.diff(r["history"]).min(initial=0.0) < -1e-6
        ]
        if rising:
            out.append(f"{name}: soft EM's log-likelihood fell during {len(rising)} run(s)")
    for name, a in algorithms.items():
        warned = sum(bool(r["warnings"]) for r in a["records"])
        if warned:
            out.append(
                f"{name}: soft/hard EM or k-means warned on {warned} data set(s) "
                "(collapse or max_iter)"
            )
    return out
