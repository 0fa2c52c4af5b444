"""How many components: information criteria, held-out likelihood and the bootstrap LRT.

Every criterion is computed on fits of one estimator template (default
``GaussianMixtureEM(n_init=3)``) through its public API only (``fit``, ``score_samples``,
``predict_proba``, ``bic``, ``aic``, ``sample``):

- :func:`icl`: the integrated completed likelihood, BIC plus twice the classification
  entropy (lower is better, as ``bic``);
- :func:`bootstrap_lrt`: mclust's parametric-bootstrap likelihood-ratio test of ``K``
  against ``K + 1`` components;
- :func:`cross_validated_log_likelihood`: the held-out log-likelihood per sample;
- :func:`select_k`: all of them over a range of ``K``, in one table.

Seeding: ``random_state`` seeds a :class:`numpy.random.SeedSequence`; every fit draws from
its own generator keyed by what it is for (the fit of ``K`` on the data, replicate ``i``
of the test of ``K``, fold ``f`` of ``K``), so a number never depends on which other
numbers were asked for: replicate ``i`` is the same whatever ``n_replicates``, and
:func:`select_k` reports exactly what the single functions return with the same seed.
"""

from __future__ import annotations

import copy
import math
import numbers
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.special import xlogy

from .._validation import check_array, check_choice, check_int, check_level
from ._covariance import COVARIANCES
from .gaussian import GaussianMixtureEM

__all__ = [
    "CrossValidationResult",
    "KSelection",
    "LRTResult",
    "bootstrap_lrt",
    "cross_validated_log_likelihood",
    "icl",
    "select_k",
]

CRITERIA = ("bic", "aic", "icl", "cv", "lrt")
RULES = {
    "bic": "argmin of -2 log L + p log N",
    "aic": "argmin of -2 log L + 2 p",
    "icl": "argmin of BIC + 2 x classification entropy",
    "cv": "argmax of the held-out log-likelihood per sample",
    "lrt": "smallest K whose bootstrap LRT against K + 1 is not rejected (p > level)",
}
# Starts of every fit of the default template: one start can stop in a local optimum,
# which would make BIC and the LRT judge the optimiser rather than the model.
_DEFAULT_N_INIT = 3
# Half the distance between the two halves of a split component, in standard deviations
# along its principal axis (as in split-and-merge EM).
_SPLIT_OFFSET = 0.5
# Keys of the seed sequences, one per purpose.
_FIT, _LRT, _CV = 0, 1, 2


@dataclass(frozen=True)
class LRTResult:
    """Parametric-bootstrap likelihood-ratio test of ``k`` against ``k + 1`` components.

    Attributes
    ----------
    k : int
    statistic : float
        ``2 (log L_{k+1} - log L_k)`` on the data (non-negative; see :func:`bootstrap_lrt`).
    p_value : float
        ``(1 + #{replicate statistic >= statistic}) / (n_replicates + 1)``.
    replicate_statistics : ndarray of shape (n_replicates,)
        The statistic on every data set simulated from the fitted ``k`` model.
    log_likelihoods : tuple of float
        ``(log L_k, log L_{k+1})`` on the data (total, not per sample).
    fit_warnings : tuple of str
        Distinct warnings raised by the replicates' fits (e.g. a collapsed component).
    """

    k: int
    statistic: float
    p_value: float
    replicate_statistics: np.ndarray
    log_likelihoods: tuple[float, float]
    fit_warnings: tuple[str, ...] = ()

    @property
    def n_replicates(self) -> int:
        return len(self.replicate_statistics)


@dataclass(frozen=True)
class CrossValidationResult:
    """Held-out log-likelihood of ``k`` components over ``n_folds`` folds.

    Attributes
    ----------
    k : int
    mean : float
        Mean over the folds of the held-out mean log-likelihood per sample.
    standard_error : float
        Standard deviation of the fold scores over ``sqrt(n_folds)``.
    fold_scores : ndarray of shape (n_folds,)
        Mean log-likelihood per held-out sample of every fold.
    """

    k: int
    mean: float
    standard_error: float
    fold_scores: np.ndarray


@dataclass(frozen=True)
class KSelection:
    """Every criterion for every ``K``, and the ``K`` each one chooses.

    Attributes
    ----------
    ks : tuple of int
        Candidate numbers of components, ascending.
    values : dict of str to tuple of float
        Per criterion, its value for every ``K`` (NaN where not computed): ``bic``, ``aic``,
        ``icl`` (lower is better), ``cv`` (held-out log-likelihood per sample, higher is
        better), ``lrt`` (p-value of ``K`` against ``K + 1``; the sequential test stops at
        the first non-rejection, and the last ``K`` is not tested).
    chosen : dict of str to int
        The ``K`` each criterion chooses (rules in ``rules``).
    rules : dict of str to str
        How each criterion chooses.
    standard_errors : dict of str to tuple of float
        ``cv``: standard error of the held-out log-likelihood over the folds.
    log_likelihoods : tuple of float
        Total log-likelihood of every ``K``'s fit to the data.
    n_parameters : tuple of int
        Free parameters of every ``K``'s fit.
    level : float
        Level of the sequential LRT.
    """

    ks: tuple[int, ...]
    values: dict[str, tuple[float, ...]]
    chosen: dict[str, int]
    rules: dict[str, str]
    standard_errors: dict[str, tuple[float, ...]] = field(default_factory=dict)
    log_likelihoods: tuple[float, ...] = ()
    n_parameters: tuple[int, ...] = ()
    level: float = 0.05

    def rows(self) -> list[dict[str, float]]:
        """One plain dict per ``K``: ``k``, ``n_parameters``, ``log_likelihood``, criteria."""
        rows = []
        for i, k in enumerate(self.ks):
            row: dict[str, float] = {"k": k}
            if self.n_parameters:
                row["n_parameters"] = self.n_parameters[i]
                row["log_likelihood"] = self.log_likelihoods[i]
            row.update({name: values[i] for name, values in self.values.items()})
            row.update({f"{name}_se": se[i] for name, se in self.standard_errors.items()})
            rows.append(row)
        return rows

    def to_dict(self) -> dict:
        """JSON-ready: ``ks``, ``rows``, ``chosen``, ``rules``, ``level`` (NaN as None)."""
        rows = [
            {key: None if isinstance(v, float) and math.isnan(v) else v for key, v in r.items()}
            for r in self.rows()
        ]
        return {
            "ks": list(self.ks),
            "rows": rows,
            "chosen": dict(self.chosen),
            "rules": {name: self.rules[name] for name in self.chosen},
            "level": self.level,
        }


def icl(estimator: Any, X: Any, *, classification: str = "soft") -> float:
    """Integrated completed likelihood of a fitted mixture on ``X`` (lower is better).

    ``ICL = BIC + 2 EN`` with ``BIC = -2 log L + p log N`` (``estimator.bic``, the
    scikit-learn sign) and the classification entropy
    ``EN = -sum_n sum_k z_nk log z_nk >= 0`` of the posterior probabilities
    ``z = estimator.predict_proba(X)`` (Biernacki, Celeux & Govaert 2000, in McLachlan &
    Peel's entropy form). So ``ICL >= BIC``, with equality exactly when every sample is
    assigned with certainty; ICL penalises components that overlap. mclust reports
    ``-ICL`` (higher is better).

    Parameters
    ----------
    estimator : fitted mixture
        With ``bic(X)`` and ``predict_proba(X)`` (e.g. :class:`em.GaussianMixtureEM`).
    X : array-like of shape (N, D) or (N,)
    classification : {"soft", "map"}, default="soft"
        ``"soft"``: the entropy above. ``"map"``: mclust's ``icl()``, which uses the MAP
        labels ``c_n = argmax_k z_nk`` instead: ``EN = -sum_n log z_{n c_n}`` (also
        ``>= 0``, and at most the soft entropy).

    Returns
    -------
    float
    """
    check_choice(classification, "classification", ("soft", "map"))
    for method in ("bic", "predict_proba"):
        if not callable(getattr(estimator, method, None)):
            raise TypeError(
                f"estimator must be a fitted mixture with bic and predict_proba; "
                f"{type(estimator).__name__} has no {method}"
            )
    bic = estimator.bic(X)
    z = np.asarray(estimator.predict_proba(X), float)
    if classification == "soft":
        entropy = -float(np.sum(xlogy(z, z)))
    else:
        entropy = -float(np.sum(np.log(np.max(z, axis=1))))
    # A row's probabilities sum to one, so each term is >= 0; rounding can leave -0.0.
    return float(bic + 2 * max(entropy, 0.0))


def bootstrap_lrt(
    X: Any,
    k: int,
    *,
    n_replicates: int = 99,
    estimator: Any = None,
    random_state: Any = None,
) -> LRTResult:
    """mclust's parametric-bootstrap likelihood-ratio test of ``k`` against ``k + 1`` components.

    The statistic ``2 (log L_{k+1} - log L_k)`` has no chi-squared null distribution for
    mixtures (the null sits on the boundary of the alternative), so its distribution is
    simulated: ``n_replicates`` data sets of the same size are drawn from the fitted ``k``
    model, ``k`` and ``k + 1`` components are refitted on each, and
    ``p = (1 + #{replicate statistic >= observed}) / (n_replicates + 1)``.

    A ``k + 1`` fit stuck in a worse optimum than the ``k`` fit would make the statistic
    negative and the test meaningless, so every ``k + 1`` fit is the best of the template's
    own starts and ``k`` warm starts, each splitting one component of the ``k`` fit in two
    along its principal axis (``+-0.5`` standard deviations, half the weight each). Since
    any ``k``-mixture is also a ``k + 1``-mixture, ``log L_{k+1}`` is then taken as at least
    ``log L_k``: the statistic is never negative. Each replicate's ``k`` fit also tries a
    warm start at the parameters it was simulated from.

    Parameters
    ----------
    X : array-like of shape (N, D) or (N,)
    k : int
        Components under the null hypothesis (``>= 1``).
    n_replicates : int, default=99
        Simulated data sets (``>= 1``); the smallest attainable p-value is
        ``1 / (n_replicates + 1)``.
    estimator : mixture estimator, optional
        Template whose hyper-parameters (``covariance_type``, ``n_init``, ``reg_covar``,
        ...) every fit uses; ``n_components``, ``random_state`` and the ``*_init``
        parameters are set here. Default ``GaussianMixtureEM(n_init=3)``.
    random_state : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Seeds all fits and simulations; replicate ``i`` has its own seed, the same
        whatever ``n_replicates``.

    Returns
    -------
    LRTResult
    """
    k = check_int(k, "k", minimum=1)
    n_replicates = check_int(n_replicates, "n_replicates", minimum=1)
    X = check_array(X, "X", min_samples=k + 1, min_samples_reason=f"k + 1 = {k + 1} components")
    template = _template(estimator)
    root = _root(random_state)
    null = _fit(template, X, k, _rng(root, _FIT, k))
    alternative = _fit(template, X, k + 1, _rng(root, _FIT, k + 1), _splits(null))
    log_l = _log_likelihood(null, X)
    log_l1 = max(_log_likelihood(alternative, X), log_l)

    statistics = np.empty(n_replicates)
    caught: dict[str, None] = {}
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        for i in range(n_replicates):
            rng = _rng(root, _LRT, k, i)
            simulator = copy.copy(null)
            simulator.random_state = rng
            Xb = simulator.sample(len(X))[0]
            at_truth = {
                "weights_init": null.weights_,
                "means_init": null.means_,
                "covariances_init": null.covariances_,
            }
            fit_k = _fit(template, Xb, k, rng, [at_truth])
            fit_k1 = _fit(template, Xb, k + 1, rng, _splits(fit_k))
            lk = _log_likelihood(fit_k, Xb)
            statistics[i] = 2 * (max(_log_likelihood(fit_k1, Xb), lk) - lk)
    for record in records:
        caught.setdefault(f"{record.category.__name__}: {record.message}", None)
    statistic = 2 * (log_l1 - log_l)
    p_value = (1 + int(np.sum(statistics >= statistic))) / (n_replicates + 1)
    return LRTResult(k, float(statistic), p_value, statistics, (log_l, log_l1), tuple(caught))


def cross_validated_log_likelihood(
    X: Any,
    k: int,
    *,
    n_folds: int = 5,
    estimator: Any = None,
    random_state: Any = None,
) -> CrossValidationResult:
    """Held-out log-likelihood per sample of ``k`` components, by ``n_folds``-fold CV.

    The samples are shuffled and cut into ``n_folds`` folds (sizes differing by at most
    one); each fold is scored (``estimator.score``: mean ``log p(x)``) by a fit to the
    other folds. The shuffle depends on ``random_state`` only, so every ``k`` sees the
    same folds and differences between ``k`` are paired.

    Parameters
    ----------
    X : array-like of shape (N, D) or (N,)
    k : int
        Number of components (``>= 1``).
    n_folds : int, default=5
        ``2 <= n_folds <= N``; every training part must keep at least ``k`` samples.
    estimator : mixture estimator, optional
        Template, as in :func:`bootstrap_lrt`.
    random_state : None, int, numpy.random.SeedSequence or numpy.random.Generator

    Returns
    -------
    CrossValidationResult
    """
    k = check_int(k, "k", minimum=1)
    n_folds = check_int(n_folds, "n_folds", minimum=2)
    X = check_array(X, "X")
    n = len(X)
    if n_folds > n:
        raise ValueError(f"n_folds must be at most the number of samples {n}; got {n_folds}")
    if n - math.ceil(n / n_folds) < k:
        raise ValueError(
            f"n_folds={n_folds} leaves training parts of {n - math.ceil(n / n_folds)} samples, "
            f"fewer than k={k} components; use more folds or more data"
        )
    template = _template(estimator)
    root = _root(random_state)
    folds = np.array_split(_rng(root, _CV).permutation(n), n_folds)
    scores = np.empty(n_folds)
    for f, held_out in enumerate(folds):
        train = np.delete(X, held_out, axis=0)
        fit = _fit(template, train, k, _rng(root, _CV, k, f))
        scores[f] = fit.score(X[held_out])
    se = float(np.std(scores, ddof=1) / np.sqrt(n_folds))
    return CrossValidationResult(k, float(np.mean(scores)), se, scores)


def select_k(
    X: Any,
    ks: Iterable[int],
    *,
    criteria: Iterable[str] | str = CRITERIA,
    estimator: Any = None,
    n_folds: int = 5,
    n_replicates: int = 99,
    level: float = 0.05,
    random_state: Any = None,
) -> KSelection:
    """Every criterion for the number of components over ``ks``, and each one's choice.

    Rules: BIC, AIC and ICL choose their argmin, CV its argmax; the LRT tests ``K`` against
    ``K + 1`` for ``K = min(ks), ...`` in turn and chooses the first ``K`` it does not
    reject (``p > level``), or ``max(ks)`` when every test rejects. Ties go to the smaller
    ``K``.

    Parameters
    ----------
    X : array-like of shape (N, D) or (N,)
    ks : iterable of int
        Candidate numbers of components (``>= 1``, distinct; consecutive when ``"lrt"``
        is among the criteria, since it tests ``K`` against ``K + 1``).
    criteria : iterable of str, default=("bic", "aic", "icl", "cv", "lrt")
        Any of these; a single name is accepted.
    estimator : mixture estimator, optional
        Template of every fit, as in :func:`bootstrap_lrt`.
    n_folds : int, default=5
        Folds of ``"cv"``.
    n_replicates : int, default=99
        Bootstrap replicates of every ``"lrt"`` test.
    level : float, default=0.05
        Level of the ``"lrt"`` tests.
    random_state : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Seeds everything; with the same seed each value equals what :func:`bootstrap_lrt`
        and :func:`cross_validated_log_likelihood` return for that ``K``.

    Returns
    -------
    KSelection
    """
    ks = _check_ks(ks)
    criteria = _check_criteria(criteria)
    level = check_level(level, "level")
    if "lrt" in criteria and ks != tuple(range(ks[0], ks[-1] + 1)):
        raise ValueError(
            f"ks={list(ks)} must be consecutive integers when 'lrt' is among the criteria "
            "(it tests K against K + 1)"
        )
    X = check_array(X, "X", min_samples=max(ks), min_samples_reason=f"k={max(ks)}")
    template = _template(estimator)
    root = _root(random_state)
    nan = (math.nan,) * len(ks)

    fits = [_fit(template, X, k, _rng(root, _FIT, k)) for k in ks]
    values: dict[str, tuple[float, ...]] = {}
    for name, criterion in (("bic", _bic), ("aic", _aic), ("icl", icl)):
        if name in criteria:
            values[name] = tuple(float(criterion(fit, X)) for fit in fits)
    standard_errors = {}
    if "cv" in criteria:
        cv = [
            cross_validated_log_likelihood(
                X, k, n_folds=n_folds, estimator=template, random_state=root
            )
            for k in ks
        ]
        values["cv"] = tuple(r.mean for r in cv)
        standard_errors["cv"] = tuple(r.standard_error for r in cv)
    lrt_choice = ks[-1]
    if "lrt" in criteria:
        p_values = list(nan)
        for i, k in enumerate(ks[:-1]):
            result = bootstrap_lrt(
                X, k, n_replicates=n_replicates, estimator=template, random_state=root
            )
            p_values[i] = result.p_value
            if result.p_value > level:
                lrt_choice = k
                break
        values["lrt"] = tuple(p_values)

    chosen = {}
    for name in criteria:
        if name == "lrt":
            chosen[name] = lrt_choice
        else:
            sign = -1.0 if name == "cv" else 1.0
            chosen[name] = ks[int(np.argmin(sign * np.asarray(values[name])))]
    return KSelection(
        ks=ks,
        values={name: values[name] for name in criteria},
        chosen=chosen,
        rules={name: RULES[name] for name in criteria},
        standard_errors=standard_errors,
        log_likelihoods=tuple(_log_likelihood(fit, X) for fit in fits),
        n_parameters=tuple(int(fit.n_parameters()) for fit in fits),
        level=level,
    )


# --------------------------------------------------------------------------- helpers


def _bic(fit: Any, X: np.ndarray) -> float:
    return fit.bic(X)


def _aic(fit: Any, X: np.ndarray) -> float:
    return fit.aic(X)


def _log_likelihood(fit: Any, X: np.ndarray) -> float:
    return float(np.sum(fit.score_samples(X)))


def _template(estimator: Any) -> Any:
    if estimator is None:
        return GaussianMixtureEM(n_init=_DEFAULT_N_INIT)
    get_params = getattr(estimator, "get_params", None)
    if not callable(get_params) or "n_components" not in get_params():
        raise TypeError(
            "estimator must be a mixture estimator with get_params() including "
            f"n_components (e.g. em.GaussianMixtureEM); got {type(estimator).__name__}"
        )
    return estimator


def _fit(template: Any, X: np.ndarray, k: int, rng: np.random.Generator, warm=()) -> Any:
    """Best (highest log-likelihood) of the template's own starts and the warm starts.

    Parameters
    ----------
    warm : iterable of dict
        ``*_init`` keyword sets; each is one deterministic start (``n_init=1``).
    """
    params = template.get_params()
    inits = [name for name in ("weights_init", "means_init", "covariances_init") if name in params]
    base = {**params, "n_components": k, "random_state": rng, **dict.fromkeys(inits)}
    best = type(template)(**base).fit(X)
    if not inits:  # an estimator without *_init parameters cannot be warm-started
        return best
    best_log_l = _log_likelihood(best, X)
    for start in warm:
        fit = type(template)(**{**base, "n_init": 1, **start}).fit(X)
        log_l = _log_likelihood(fit, X)
        if log_l > best_log_l:
            best, best_log_l = fit, log_l
    return best


def _splits(fit: Any) -> Iterator[dict[str, np.ndarray]]:
    """Starts with ``K + 1`` components: each component of ``fit`` split in two in turn."""
    weights, means, covariances = fit.weights_, fit.means_, fit.covariances_
    kind = COVARIANCES[fit.covariance_type]
    n_components, n_features = means.shape
    full = kind.as_full(covariances, n_components, n_features)
    for j in range(n_components):
        eigenvalues, eigenvectors = np.linalg.eigh(full[j])
        offset = _SPLIT_OFFSET * np.sqrt(max(eigenvalues[-1], 0.0)) * eigenvectors[:, -1]
        new_means = np.vstack([means, means[j] + offset])
        new_means[j] = means[j] - offset
        new_weights = np.append(weights, weights[j] / 2)
        new_weights[j] = weights[j] / 2
        # The new component K copies component j's covariance (a tied one is shared).
        new_covariances = kind.permute(covariances, np.append(np.arange(n_components), j))
        yield {
            "weights_init": new_weights,
            "means_init": new_means,
            "covariances_init": new_covariances,
        }


def _root(random_state: Any) -> np.random.SeedSequence:
    if isinstance(random_state, np.random.SeedSequence):
        return random_state
    if random_state is None:
        return np.random.SeedSequence()
    if isinstance(random_state, np.random.Generator):
        return np.random.SeedSequence(int(random_state.integers(2**63)))
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(
                f"random_state must be a non-negative integer seed; got {random_state}"
            )
        return np.random.SeedSequence(int(random_state))
    raise TypeError(
        "random_state must be None, a non-negative int, a numpy.random.SeedSequence or a "
        f"numpy.random.Generator; got {type(random_state).__name__}"
    )


def _rng(root: np.random.SeedSequence, *key: int) -> np.random.Generator:
    """The generator of one purpose: a child of ``root`` at spawn key ``key``."""
    child = np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, *key))
    return np.random.default_rng(child)


def _check_ks(ks: Any) -> tuple[int, ...]:
    if isinstance(ks, numbers.Integral | str) or not isinstance(ks, Iterable):
        raise TypeError(f"ks must be an iterable of ints (e.g. range(1, 6)); got {ks!r}")
    values = [check_int(k, "ks", minimum=1) for k in ks]
    if not values:
        raise ValueError("ks is empty; at least one number of components is required")
    if len(set(values)) != len(values):
        raise ValueError(f"ks={values} has duplicates; distinct values are required")
    return tuple(sorted(values))


def _check_criteria(criteria: Any) -> tuple[str, ...]:
    names = (criteria,) if isinstance(criteria, str) else tuple(criteria)
    if not names:
        raise ValueError(f"criteria is empty; accepted: {', '.join(map(repr, CRITERIA))}")
    for name in names:
        check_choice(name, "criteria", CRITERIA)
    if len(set(names)) != len(names):
        raise ValueError(f"criteria={list(names)} has duplicates")
    return names
