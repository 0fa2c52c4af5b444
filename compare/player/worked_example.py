"""The lecture's one-epoch worked example, computed by the em estimator, beside its numbers.

Five points ``[0.9, 0.7, 1.2, 2.4, 1.8]``, two components starting at means 1 and 2,
variances 2 and 2, equal weights. One epoch is one E-step (the responsibilities of every
point) and one M-step (weights, means, variances). The lecture printed the
responsibilities of cluster 1 to three decimals and the new parameters to full precision;
the values it labels "sigma" are the variances.
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

from em import ConvergenceWarning, GaussianMixtureEM

__all__ = ["EPOCH_KEYS", "LECTURE", "START", "epoch", "worked_example_html"]

POINTS = np.array([0.9, 0.7, 1.2, 2.4, 1.8])
START = {
    "weights": np.array([0.5, 0.5]),
    "means": np.array([[1.0], [2.0]]),
    "covariances": np.array([[[2.0]], [[2.0]]]),
}
# What the lecture printed after one epoch.
LECTURE = {
    "responsibilities_1": np.array([0.574, 0.599, 0.537, 0.389, 0.463]),
    "means": np.array([1.3065753725700628, 1.4982149218892322]),
    "variances": np.array([0.3510142879511143, 0.408060269961259]),  # printed as "sigma"
    "weight_1": 0.5124981885949778,
}
# What epoch() returns.
EPOCH_KEYS = ("points", "responsibilities", "counts", "sums", "weights", "means", "variances")
# The lecture rounded its responsibilities to three decimals.
RESPONSIBILITY_DIGITS = 3


def _estimator(max_iter: int) -> GaussianMixtureEM:
    # reg_covar=0: the textbook M-step, as the lecture computed it.
    return GaussianMixtureEM(
        2,
        max_iter=max_iter,
        tol=0.0,
        reg_covar=0.0,
        weights_init=START["weights"],
        means_init=START["means"],
        covariances_init=START["covariances"],
    )


def epoch() -> dict[str, np.ndarray]:
    """One E-step and one M-step from the lecture's start, by :class:`em.GaussianMixtureEM`.

    Returns
    -------
    dict
        ``points`` (5,); ``responsibilities`` (5, 2) at the start (``predict_proba`` of
        the unchanged start, ``max_iter=0``); the M-step's ingredients ``counts`` (2,)
        ``N_k = sum_n r_nk`` and ``sums`` (2,) ``sum_n r_nk x_n``; and the estimator's new
        ``weights`` (2,), ``means`` (2,), ``variances`` (2,) after ``max_iter=1``.
    """
    X = POINTS[:, None]
    resp = _estimator(0).fit(X).predict_proba(X)
    with warnings.catch_warnings():
        # One epoch is all the example asks for; "stopped at max_iter" is the point.
        warnings.simplefilter("ignore", ConvergenceWarning)
        one = _estimator(1).fit(X)
    return {
        "points": POINTS.copy(),
        "responsibilities": resp,
        "counts": resp.sum(axis=0),
        "sums": resp.T @ POINTS,
        "weights": one.weights_,
        "means": one.means_[:, 0],
        "variances": one.covariances_[:, 0, 0],
    }


def _cell(value: float, digits: int = 6) -> str:
    return f"{value:.{digits}g}"


def _agree(ours: float, theirs: float, tolerance: float) -> str:
    ok = abs(ours - theirs) <= tolerance
    return "<span class='ok'>yes</span>" if ok else "<span class='bad'>no</span>"


def worked_example_html(computed: Mapping[str, Any] | None = None, *, heading: bool = True) -> str:
    """Two tables, E-step then M-step, with the lecture's numbers and whether they agree.

    Responsibilities agree when they round to the lecture's three decimals; the new
    parameters when they match to 1e-12 (the lecture printed them in full).

    Parameters
    ----------
    computed : mapping, optional
        :func:`epoch`'s result, its arrays possibly as lists (a page drawn from stored
        numbers); default: computed now.
    heading : bool, default True
        Start with an ``<h3>`` title; a page that gives the part its own heading passes
        False.
    """
    e = epoch() if computed is None else {k: np.asarray(v, float) for k, v in computed.items()}
    missing = set(EPOCH_KEYS) - set(e)
    if missing:
        raise ValueError(f"computed lacks {sorted(missing)}; accepted: epoch()'s keys {EPOCH_KEYS}")
    r = e["responsibilities"]
    half = 0.5 * 10.0**-RESPONSIBILITY_DIGITS
    rows = "".join(
        f"<tr><td>{n + 1}</td><td>{x:g}</td><td>{_cell(r[n, 0])}</td><td>{_cell(r[n, 1])}</td>"
        f"<td>{LECTURE['responsibilities_1'][n]:.3f}</td>"
        f"<td>{_agree(r[n, 0], LECTURE['responsibilities_1'][n], half + 1e-12)}</td></tr>"
        for n, x in enumerate(e["points"])
    )
    e_table = (
        "<table><tr><th>n</th><th>x_n</th><th>r_n1</th><th>r_n2</th>"
        "<th>lecture r_n1</th><th>agrees (3 decimals)</th></tr>" + rows + "</table>"
    )
    lecture = {
        "weights": [LECTURE["weight_1"], 1.0 - LECTURE["weight_1"]],
        "means": LECTURE["means"],
        "variances": LECTURE["variances"],
    }
    quantities = [
        ("N_k = &Sigma;<sub>n</sub> r_nk", "counts"),
        ("&Sigma;<sub>n</sub> r_nk x_n", "sums"),
        ("weight N_k / 5", "weights"),
        ("mean &Sigma;<sub>n</sub> r_nk x_n / N_k", "means"),
        ("variance &Sigma;<sub>n</sub> r_nk (x_n - mean)&sup2; / N_k", "variances"),
    ]
    m_rows = []
    for label, key in quantities:
        cells = []
        for k in range(2):
            ours = float(e[key][k])
            if key in lecture:
                theirs = float(lecture[key][k])
                cells.append(
                    f"<td>{ours!r}</td><td>{theirs!r}</td><td>{_agree(ours, theirs, 1e-12)}</td>"
                )
            else:
                cells.append(f"<td>{_cell(ours)}</td><td>-</td><td></td>")
        m_rows.append(f"<tr><td class='l'>{label}</td>{''.join(cells)}</tr>")
    header = "".join(f"<th>component {k}</th><th>lecture</th><th>agrees</th>" for k in (1, 2))
    m_table = f"<table><tr><th class='l'>M-step</th>{header}</tr>" + "".join(m_rows) + "</table>"
    return (
        "<div class='em-worked-example'>"
        + ("<h3>The lecture's worked example: one epoch</h3>" if heading else "")
        + f"<p>Points {html.escape(str(POINTS.tolist()))}; start: means 1 and 2, variances 2 "
        "and 2, equal weights. Computed by <code>em.GaussianMixtureEM</code> (responsibilities "
        "with <code>max_iter=0</code>, the new parameters with <code>max_iter=1</code>, "
        "<code>reg_covar=0</code>).</p>"
        "<p><b>E-step</b>: the responsibility of each component for each point, "
        "r_nk = w_k N(x_n | mu_k, var_k) / &Sigma;_j w_j N(x_n | mu_j, var_j).</p>"
        + e_table
        + "<p><b>M-step</b>: weights, means and variances as responsibility-weighted averages. "
        "The values the lecture labels &quot;sigma&quot; are the variances; it printed the first "
        "weight only, the second is one minus it.</p>" + m_table + "</div>"
    )
