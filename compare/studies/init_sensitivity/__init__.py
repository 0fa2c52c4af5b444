"""init-sensitivity: how much the answers of k-means, EM and NUTS depend on where they start.

The lecture's 2-D data (blue ``100 x N([50, 50], 10^2 I)``, red ``50 x N([70, 60], 5^2 I)``).
k-means and soft EM (full covariances) start from the lecture's two pairs of centroids,
``(40, 50), (80, 50)`` and ``(20, 30), (80, 80)``, and from R random starts: two distinct
data points as the means, with (for EM) every covariance the data covariance and equal
weights, the lecture's gmm1 start. Final values within a tolerance of each other count as
one optimum; the study counts how many starts reach the best one and how well each
optimum's partition matches the true labels (ARI).

Beside them, NUTS chains of the case's Bayesian model start at dispersed points: the
lecture's two pairs of means, then random starts, half of them taken from the starts from
which EM missed its best optimum, to see whether a chain is trapped as easily.
"""

from __future__ import annotations

import time

import numpy as np

from ...cases import get_case
from ...kinds.mixture_extras import lecture_start
from ...metrics import adjusted_rand_index
from .. import QUESTIONS
from .._base import StudyConfig, StudyResult, Table, child_seeds
from .._common import (
    SAME_OPTIMUM_NATS,
    fmt,
    partition_log_likelihood,
    percent,
    quietly,
    sample_posterior,
)
from . import figures as plots

__all__ = ["LEVEL_SETTINGS", "NAME", "QUESTION", "run"]

NAME = "init-sensitivity"
QUESTION = QUESTIONS[NAME]

# random_starts: R; chains: NUTS chains (the first two at the lecture's starts).
LEVEL_SETTINGS = {
    "tiny": {"random_starts": 5, "chains": 2, "draws": 100, "tune": 100},
    "quick": {"random_starts": 50, "chains": 4, "draws": 1000, "tune": 500},
    "full": {"random_starts": 200, "chains": 8, "draws": 1000, "tune": 1000},
}
LECTURE_STARTS = {
    "lecture (40,50),(80,50)": np.array([[40.0, 50.0], [80.0, 50.0]]),
    "lecture (20,30),(80,80)": np.array([[20.0, 30.0], [80.0, 80.0]]),
}
EM_TOLERANCE = SAME_OPTIMUM_NATS
# k-means reaches exact fixed points: equal partitions give equal inertia up to rounding.
KMEANS_RTOL = 1e-6
CASE = "lecture-2d"


def run(config: StudyConfig) -> StudyResult:
    """Run the study at ``config.level`` (see :data:`LEVEL_SETTINGS`)."""
    level = LEVEL_SETTINGS[config.level]
    seeds = child_seeds(config.seed, 1, ("starts", "mcmc"))[0]
    case = get_case(CASE)
    data = case.generate(config.seed)  # as `compare run lecture-2d --seed S` draws it
    t0 = time.perf_counter()

    rng = np.random.default_rng(seeds["starts"])
    starts = [(label, means, "lecture") for label, means in LECTURE_STARTS.items()]
    for r in range(level["random_starts"]):
        means = data.X[rng.choice(len(data.X), size=2, replace=False)]
        starts.append((f"random {r + 1}", means, "random"))
    records, fit_seconds = _fit_all(data, starts)
    em_optima = _optima([r["em"]["log_likelihood"] for r in records], EM_TOLERANCE, best="max")
    km_values = [r["kmeans"]["inertia"] for r in records]
    km_optima = _optima(km_values, KMEANS_RTOL * min(km_values), best="min")
    _label_optima(records, em_optima, "em")
    _label_optima(records, km_optima, "kmeans")

    nuts = _nuts(case, data, records, em_optima, level, seeds["mcmc"], config.sampler)
    summary = _summary(records, em_optima, km_optima)
    warnings = _warnings(records, nuts)
    data_out = {
        "summary": summary,
        "em_optima": em_optima,
        "kmeans_optima": km_optima,
        "starts": records,
        "nuts": nuts["data"],
    }
    return StudyResult(
        name=NAME,
        question=QUESTION,
        answer=_answer(summary, nuts["data"]),
        figures=[
            ("optima", plots.optima_figure(records, em_optima, km_optima), plots.OPTIMA_CAPTION),
            ("starts", plots.starts_figure(data.X, records), plots.STARTS_CAPTION),
            ("chains", plots.chains_figure(data.X, nuts), plots.CHAINS_CAPTION),
        ],
        tables=_tables(records, em_optima, km_optima, nuts["data"]),
        data=data_out,
        settings={
            "level": config.level,
            "seed": config.seed,
            "sampler": config.sampler,
            "data": f"{CASE} ({case.description}), generated with seed {config.seed}",
            "n_observations": int(data.X.shape[0]),
            **level,
            "em": "GaussianMixtureEM(2, covariance_type='full'), defaults tol=1e-6, "
            "max_iter=1000; start: the given means, data covariance, equal weights",
            "kmeans": "KMeans(2, init=<the two means>), Lloyd's algorithm",
            "em_tolerance_nats": EM_TOLERANCE,
            "kmeans_relative_tolerance": KMEANS_RTOL,
            "model": case.prior_note,
            "nuts_starts": "mu at the start's two means (ordered by the first coordinate), "
            "other parameters at the model's default initial point, no jitter",
        },
        timings={
            "em": fit_seconds["em"],
            "kmeans": fit_seconds["kmeans"],
            "nuts_compile": nuts["seconds"]["compile"],
            "nuts_sampling": nuts["seconds"]["sampling"],
            "total": time.perf_counter() - t0,
        },
        warnings=warnings,
    )


# ---------------------------------------------------------------------------------------------
# Fits


def _fit_all(data, starts) -> tuple[list[dict], dict[str, float]]:
    """EM and k-means from every start; one JSON-ready record per start."""
    from em import GaussianMixtureEM, KMeans

    X, truth = data.X, data.labels
    records, seconds = [], {"em": 0.0, "kmeans": 0.0}
    for label, means, kind in starts:
        start = lecture_start(X, means)
        t = time.perf_counter()
        gm, em_warnings = quietly(
            GaussianMixtureEM(
                2,
                weights_init=start["weights"],
                means_init=start["means"],
                covariances_init=start["covariances"],
            ).fit,
            X,
        )
        seconds["em"] += time.perf_counter() - t
        t = time.perf_counter()
        km, km_warnings = quietly(KMeans(2, init=means).fit, X)
        seconds["kmeans"] += time.perf_counter() - t
        history = gm.log_likelihood_history_
        records.append(
            {
                "label": label,
                "kind": kind,
                "start_means": means.tolist(),
                "em": {
                    "log_likelihood": float(gm.log_likelihood_),
                    "n_iter": int(gm.n_iter_),
                    "converged": bool(gm.converged_),
                    "ari": adjusted_rand_index(truth, gm.predict(X)),
                    # EM never lowers the likelihood; the smallest step says whether it did.
                    "min_step": float(np.diff(history).min()) if len(history) > 1 else 0.0,
                    "means": _by_first(gm.means_).tolist(),
                    "warnings": em_warnings,
                },
                "kmeans": {
                    "inertia": float(km.inertia_),
                    "n_iter": int(km.n_iter_),
                    "converged": bool(km.converged_),
                    "ari": adjusted_rand_index(truth, km.labels_),
                    "partition_log_likelihood": partition_log_likelihood(X, km.labels_, 2),
                    "warnings": km_warnings,
                },
            }
        )
    return records, seconds


def _by_first(means: np.ndarray) -> np.ndarray:
    """Components in the Bayesian model's order: by the first coordinate of the mean."""
    means = np.asarray(means, float)
    return means[np.argsort(means[:, 0])]


def _optima(values: list[float], tol: float, best: str) -> list[dict]:
    """Group final values into optima (gaps wider than ``tol`` separate two), best first.

    Returns
    -------
    list of dict
        ``value`` (the best value reached in the group), ``count``, ``starts`` (indices).
    """
    values = np.asarray(values, float)
    order = np.argsort(-values if best == "max" else values, kind="stable")
    groups: list[dict] = []
    for i in order:
        if groups and abs(values[i] - values[groups[-1]["starts"][-1]]) <= tol:
            groups[-1]["starts"].append(int(i))
        else:
            groups.append({"value": float(values[i]), "starts": [int(i)]})
    for g in groups:
        g["count"] = len(g["starts"])
    return groups


def _label_optima(records, optima, algorithm) -> None:
    """Record in each start which optimum (0 = best) it reached."""
    for rank, group in enumerate(optima):
        for i in group["starts"]:
            records[i][algorithm]["optimum"] = rank


def _summary(records, em_optima, km_optima) -> dict:
    random = [r for r in records if r["kind"] == "random"]
    n = len(random)
    out = {"random_starts": n}
    for algo, optima, key in (
        ("em", em_optima, "log_likelihood"),
        ("kmeans", km_optima, "inertia"),
    ):
        reached = sum(r[algo]["optimum"] == 0 for r in random)
        best = [r for r in records if r[algo]["optimum"] == 0]
        out[algo] = {
            "best": optima[0]["value"],
            "n_optima": len(optima),
            "random_reaching_best": reached,
            "fraction_reaching_best": reached / n if n else float("nan"),
            "median_ari_at_best": float(np.median([r[algo]["ari"] for r in best])),
            "second": _second(records, optima, algo, n),
            "lecture": {
                r["label"]: {"value": r[algo][key], "optimum": r[algo]["optimum"]}
                for r in records
                if r["kind"] == "lecture"
            },
        }
    return out


def _second(records, optima, algo, n) -> dict | None:
    """The runner-up optimum: its value, the random starts that ended there, their ARI."""
    if len(optima) < 2:
        return None
    there = [records[i] for i in optima[1]["starts"]]
    return {
        "value": optima[1]["value"],
        "random": sum(r["kind"] == "random" for r in there),
        "of": n,
        "median_ari": float(np.median([r[algo]["ari"] for r in there])),
    }


# ---------------------------------------------------------------------------------------------
# NUTS from dispersed starts


def _nuts_starts(records, chains: int) -> list[int]:
    """Which starts the chains use: the lecture's two, then random ones, alternately one from
    which EM missed its best optimum and one from which it found it (while there are any)."""
    chosen = [i for i, r in enumerate(records) if r["kind"] == "lecture"][:chains]
    missed = [i for i, r in enumerate(records) if r["kind"] == "random" and r["em"]["optimum"]]
    found = [i for i, r in enumerate(records) if r["kind"] == "random" and not r["em"]["optimum"]]
    pools = [missed, found]
    while len(chosen) < chains and any(pools):
        pool = pools[(len(chosen) - 2) % 2] or pools[(len(chosen) - 1) % 2]
        chosen.append(pool.pop(0))
    return chosen


def _nuts(case, data, records, em_optima, level, seed, sampler) -> dict:
    chosen = _nuts_starts(records, level["chains"])
    initvals = [{"mu": _by_first(np.array(records[i]["start_means"]))} for i in chosen]
    model = case.make_model(data)
    idata, diag, messages, seconds = sample_posterior(
        model,
        sampler=sampler,
        seed=seed,
        draws=level["draws"],
        tune=level["tune"],
        chains=len(chosen),
        initvals=initvals,
    )
    mu = idata.posterior["mu"].values  # (chain, draw, K, 2)
    loglik = idata.log_likelihood["X_obs"].sum("obs_id").values  # (chain, draw)
    divergences = idata.sample_stats["diverging"].sum("draw").values
    optimum_means = [np.array(records[g["starts"][0]]["em"]["means"]) for g in em_optima]
    chains = []
    for c, i in enumerate(chosen):
        end = mu[c].mean(axis=0)
        distances = [float(np.linalg.norm(end - m)) for m in optimum_means]
        nearest = int(np.argmin(distances))
        chains.append(
            {
                "chain": c,
                "start": records[i]["label"],
                "start_em_optimum": records[i]["em"]["optimum"],
                "start_means": initvals[c]["mu"].tolist(),
                "posterior_mean_mu": end.tolist(),
                "mean_log_likelihood": float(loglik[c].mean()),
                "nearest_em_optimum": nearest,
                "distance_to_nearest": distances[nearest],
                "distance_to_best": distances[0],
                "divergences": int(divergences[c]),
            }
        )
    summary = {
        "chains": chains,
        "max_rhat": float(diag.max_rhat),
        "min_ess_bulk": float(diag.min_ess_bulk),
        "divergences": int(diag.divergences),
        "ok": bool(diag.ok),
        "reasons": list(diag.reasons),
        "sampler_warnings": messages,
        "at_best": sum(ch["nearest_em_optimum"] == 0 for ch in chains),
        # How far the chains that found EM's best optimum ended from its means.
        "max_distance_to_best": max(
            (ch["distance_to_best"] for ch in chains if ch["nearest_em_optimum"] == 0),
            default=None,
        ),
        "from_missed": sum(ch["start_em_optimum"] != 0 for ch in chains),
        "from_missed_at_best": sum(
            ch["start_em_optimum"] != 0 and ch["nearest_em_optimum"] == 0 for ch in chains
        ),
    }
    return {"data": summary, "mu": mu, "optimum_means": optimum_means, "seconds": seconds}


# ---------------------------------------------------------------------------------------------
# Text


def _answer(summary, nuts) -> str:
    em, km = summary["em"], summary["kmeans"]
    n = summary["random_starts"]
    em_lect = [f"{label} ended at {fmt(v['value'])}" for label, v in em["lecture"].items()]
    km_lect = [fmt(v["value"]) for v in km["lecture"].values()]
    parts = [
        f"EM ended at {em['n_optima']} distinct optima (within {EM_TOLERANCE} nats): "
        f"{percent(em['random_reaching_best'], n)} random starts reached the best "
        f"log-likelihood {fmt(em['best'])} (median ARI {fmt(em['median_ari_at_best'], 2)} "
        f"against the true labels there){_runner_up(em)}; the {' and the '.join(em_lect)}.",
        f"k-means ended at {km['n_optima']} distinct partitions: "
        f"{percent(km['random_reaching_best'], n)} random starts reached its lowest inertia "
        f"{fmt(km['best'])}, and the lecture's two starts ended at inertia "
        f"{' and '.join(km_lect)}"
        + (
            ", the lecture's point that k-means' answer depends on its start."
            if len(set(km_lect)) > 1
            else "."
        ),
    ]
    c = len(nuts["chains"])
    text = (
        f"Of {c} NUTS chains started at dispersed points, {nuts['at_best']} ended nearest EM's "
        f"best optimum"
    )
    if nuts["from_missed"]:
        text += (
            f" (including {nuts['from_missed_at_best']} of the {nuts['from_missed']} started "
            "where EM missed it)"
        )
    if nuts["at_best"]:
        text += f", their posterior means at most {fmt(nuts['max_distance_to_best'])} from EM's"
    text += (
        f"; max R-hat {fmt(nuts['max_rhat'], 3)} "
        f"({'within' if nuts['max_rhat'] <= 1.01 else 'above'} the 1.01 threshold)."
    )
    parts.append(text)
    return " ".join(parts)


def _runner_up(em) -> str:
    if em["second"] is None:
        return ""
    return (
        f", the next optimum {fmt(em['second']['value'])} (median ARI "
        f"{fmt(em['second']['median_ari'], 2)}) was reached by "
        f"{percent(em['second']['random'], em['second']['of'])} random starts"
    )


def _warnings(records, nuts) -> list[str]:
    out = []
    em_warned = sum(bool(r["em"]["warnings"]) for r in records)
    if em_warned:
        out.append(f"EM warned from {em_warned} of {len(records)} starts (collapse or max_iter)")
    if not nuts["data"]["ok"]:
        out.append("NUTS chains did not converge cleanly: " + "; ".join(nuts["data"]["reasons"]))
    return out


def _tables(records, em_optima, km_optima, nuts) -> list[Table]:
    optima_rows = []
    for algo, optima in (("EM", em_optima), ("k-means", km_optima)):
        key = "em" if algo == "EM" else "kmeans"
        for rank, g in enumerate(optima):
            members = [records[i] for i in g["starts"]]
            random = [r for r in members if r["kind"] == "random"]
            optima_rows.append(
                [
                    algo,
                    rank,
                    g["value"],
                    len(random),
                    float(np.median([r[key]["ari"] for r in members])),
                    float(np.median([r[key]["n_iter"] for r in members])),
                    ", ".join(r["label"] for r in members if r["kind"] == "lecture") or "-",
                ]
            )
    lecture_rows = [
        [
            r["label"],
            r["em"]["log_likelihood"],
            r["em"]["n_iter"],
            r["em"]["ari"],
            r["kmeans"]["inertia"],
            r["kmeans"]["partition_log_likelihood"],
            r["kmeans"]["n_iter"],
            r["kmeans"]["ari"],
        ]
        for r in records
        if r["kind"] == "lecture"
    ]
    chain_rows = [
        [
            ch["chain"],
            ch["start"],
            _pairs(ch["start_means"]),
            _pairs(ch["posterior_mean_mu"]),
            ch["mean_log_likelihood"],
            ch["nearest_em_optimum"],
            ch["distance_to_nearest"],
            ch["divergences"],
        ]
        for ch in nuts["chains"]
    ]
    return [
        Table(
            "optima",
            "Each distinct optimum (0 = best; EM: log-likelihood, k-means: inertia), how many "
            "random starts reached it, and the median ARI and iterations of the starts there",
            [
                "algorithm",
                "optimum",
                "value",
                "random starts",
                "median ARI",
                "median iter",
                "lecture starts",
            ],
            optima_rows,
        ),
        Table(
            "lecture_starts",
            "The lecture's two starts: EM's final log-likelihood, k-means' inertia and the "
            "log-likelihood of its partition (Gaussian MLE per cluster: EM's scale)",
            [
                "start",
                "EM log-lik",
                "EM iter",
                "EM ARI",
                "k-means inertia",
                "k-means partition log-lik",
                "k-means iter",
                "k-means ARI",
            ],
            lecture_rows,
        ),
        Table(
            "chains",
            "Each NUTS chain: its start, its posterior mean of mu (components ordered by the "
            "first coordinate), its mean log-likelihood and the nearest EM optimum",
            [
                "chain",
                "start",
                "start mu",
                "posterior mean mu",
                "mean log-lik",
                "nearest EM optimum",
                "distance",
                "divergences",
            ],
            chain_rows,
        ),
    ]


def _pairs(means) -> str:
    return ", ".join(f"({a:.1f}, {b:.1f})" for a, b in means)
