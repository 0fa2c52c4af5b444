"""The named cases every comparison and report is built from.

A :class:`Case` is plain data plus three small functions: how to generate its data from a
seed, which EM/MLE estimator fits it, and which PyMC model it is compared with. Nothing
here imports PyMC at module level, so ``python -m compare list`` stays fast; the model
builders import :mod:`models` when they are called.

True parameters use the names the report uses on both sides (see :mod:`compare.kinds`):
mixtures ``weights`` (K,), ``means`` (K, d), ``covariances`` (K, d, d); linear regression
``intercept``, ``coef`` (p,), ``sigma``; logistic regression ``intercept``, ``coef`` (p,);
the categorical ``p`` (k,).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .conjugate import PILOT_SEED, conjugate_model, describe, pilot_prior
from .generate import mixture_sample, normal, standard_normal
from .settings import DEFAULT_MIXTURE_PRIOR

__all__ = [
    "CASES",
    "DEFAULT_CASES",
    "POSTERIOR_COVARIANCE",
    "Case",
    "Dataset",
    "PriorOption",
    "get_case",
    "real_mixture_case",
]


@dataclass(frozen=True)
class Dataset:
    """One generated data set.

    Attributes
    ----------
    X : ndarray
        Mixtures: shape (n, d) (``d = 1`` for the 1-D cases). Regressions: (n, p).
        Categorical: the counts, shape (k,).
    y : ndarray of shape (n,) or None
        Regression outcome (0/1 for the logistic case).
    labels : ndarray of int, shape (n,), or None
        The component each point was drawn from (mixtures), for the adjusted Rand index.
    seed : int or None
        The seed that generated it (``None`` for fixed data).
    provenance : mapping or None
        Where fixed real data came from (:meth:`compare.userdata.Provenance.as_dict`: path,
        sha256, rows and columns used); ``None`` for simulated data.
    """

    X: np.ndarray
    y: np.ndarray | None = None
    labels: np.ndarray | None = None
    seed: int | None = None
    provenance: Mapping[str, Any] | None = None

    @property
    def x1d(self) -> np.ndarray:
        """The single feature of 1-D mixture data, shape (n,)."""
        return self.X[:, 0]


@dataclass(frozen=True)
class PriorOption:
    """One prior family a mixture case can be sampled with (see :meth:`Case.with_prior`).

    Attributes
    ----------
    make_model : callable ``(Dataset) -> pymc.Model``
    prior_note : str
    model_group : str
    """

    make_model: Callable[[Dataset], Any]
    prior_note: str
    model_group: str


#: Where a case's chains may start (:attr:`Case.chains_start`).
CHAINS_STARTS = ("default", "em")


@dataclass(frozen=True)
class Case:
    """A named comparison: data, truth, the EM/MLE side and the Bayesian side.

    Attributes
    ----------
    name, description : str
    kind : str
        A key of :data:`compare.kinds.KINDS` (``"mixture"``, ``"linear"``, ``"logistic"``,
        ``"categorical"``): what is compared, and how.
    n_components : int or None
        K for mixtures.
    truth : mapping of str to ndarray, or None
        True parameters in the report's names; ``None`` when the data are fixed and no
        generating distribution is known (the worked example), or when the fit has another
        number of components than the data's source (see ``generating``).
    generate : callable ``(seed, method) -> Dataset``
        ``method`` is ``"numpy"`` or ``"marsaglia"`` (see :mod:`compare.generate`).
    make_estimator : callable ``(seed) -> estimator``
        A fresh, unfitted estimator from :mod:`em`.
    make_model : callable ``(Dataset) -> pymc.Model``
    prior_note : str
        The Bayesian model's priors, in words, for the report.
    start : mapping or None
        EM's starting parameters (``weights``, ``means`` (K, d), ``covariances``
        (K, d, d)) where the lecture fixes them; also the common start of the soft EM,
        hard EM and k-means comparison plot.
    data_independent_priors : bool
        True when the priors are fixed numbers of the case, so one compiled model can
        serve every data set of the same shape (see :meth:`model_key`).
    model_group : str
        Cases with the same group, data shape and fixed priors share one compiled model.
    notes : tuple of str
        What a reader must know about the case, shown on its page.
    generating : mapping of str to ndarray, or None
        The distribution the data were drawn from (``weights``, ``means``, ``covariances``)
        when it cannot serve as ``truth`` because the fit has another number of components:
        the figures draw it, no parameter is compared with it.
    prior : str
        Mixtures: the prior family in use, one of :data:`compare.settings.MIXTURE_PRIORS`
        (``""`` for the other kinds, which have one prior).
    conjugate_prior : callable ``() -> em.NormalInverseWishart``, or None
        Mixtures: the conjugate prior's hyperparameters (:mod:`compare.conjugate`), the
        same whichever family samples, so MAP-EM and variational Bayes can use them.
    covariance_type : str
        Mixtures: the covariance model of both sides (``"full"`` or ``"diag"``).
    alternatives : mapping of str to PriorOption
        The other prior families this case can be sampled with.
    real_data : bool
        The data are real measurements (a shipped data set or the user's file): no truth,
        and the page cites where the data came from and checks the model against them.
    chains_start : {"default", "em"}
        Where the NUTS chains start: ``"default"``, the model's own initial point;
        ``"em"``, every chain at EM's fitted solution (:meth:`compare.kinds.Kind.em_start`),
        for a posterior with several modes where chains from the default point end in
        different ones. The page's notes say which.
    """

    name: str
    description: str
    kind: str
    truth: Mapping[str, np.ndarray] | None
    generate: Callable[[int, str], Dataset]
    make_estimator: Callable[[int], Any]
    make_model: Callable[[Dataset], Any]
    prior_note: str
    n_components: int | None = None
    start: Mapping[str, np.ndarray] | None = None
    data_independent_priors: bool = False
    model_group: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)
    generating: Mapping[str, np.ndarray] | None = None
    prior: str = ""
    conjugate_prior: Callable[[], Any] | None = None
    covariance_type: str = "full"
    alternatives: Mapping[str, PriorOption] = field(default_factory=dict)

    def with_prior(self, prior: str | None) -> Case:
        """This case sampled with the prior family ``prior`` (``None``: as it is).

        Raises
        ------
        ValueError
            Naming ``prior`` when the case has no such family.
        """
        if prior is None or prior == self.prior:
            return self
        if prior not in self.alternatives:
            have = ", ".join([self.prior, *self.alternatives]) if self.prior else "none"
            raise ValueError(
                f"prior must be one of the prior families of case {self.name!r} ({have}); "
                f"got {prior!r}"
            )
        option = self.alternatives[prior]
        others = {k: v for k, v in self.alternatives.items() if k != prior}
        mine = PriorOption(self.make_model, self.prior_note, self.model_group)
        return replace(
            self,
            prior=prior,
            make_model=option.make_model,
            prior_note=option.prior_note,
            model_group=option.model_group,
            alternatives=others | {self.prior: mine},
        )

    def prior_text(self) -> str:
        """The prior in words, with the conjugate hyperparameters' numbers where they apply."""
        if self.prior == "conjugate" and self.conjugate_prior is not None:
            return describe(self.conjugate_prior(), self.covariance_type)
        return self.prior_note

    real_data: bool = False
    chains_start: str = "default"

    def __post_init__(self) -> None:
        if self.chains_start not in CHAINS_STARTS:
            raise ValueError(
                f"chains_start must be one of {', '.join(CHAINS_STARTS)}; got {self.chains_start!r}"
            )

    def structure(self) -> str:
        """What its PyMC model's compiled code depends on, as a label.

        Mixtures: the prior family, covariance model, K and the data's dimension, e.g.
        ``"mixture/conjugate/full/K2/D2"``: the models of two cases with one label differ
        only in data and hyperparameters, so one compiled sampler serves both (in one
        process, see :func:`models.sample`). Other kinds: ``"<kind>/<name>"``.
        """
        if self.kind != "mixture":
            return f"{self.kind}/{self.name}"
        d = self.generate(PILOT_SEED, "numpy").X.shape[1]
        prior = self.prior or "weak"  # a real-data case has the models' weak defaults
        return f"mixture/{prior}/{self.covariance_type}/K{self.n_components}/D{d}"

    def model_key(self, data: Dataset, any_size: bool = False) -> tuple:
        """What identifies a compiled model that can be reused (with ``set_data``) for ``data``.

        Fixed priors: the group and the data shape. Priors scaled to the data: also a hash
        of the data, so a cached model is never reused with priors made for other data.

        ``any_size=True`` (a kind whose models take any number of observations, see
        :attr:`compare.kinds.Kind.any_size`): with fixed priors, the number of rows of ``X``
        and ``y`` is left out, so data sets of every size share one compiled model.
        """
        rows = 1 if any_size and self.data_independent_priors else 0
        shape = (
            self.model_group or self.name,
            data.X.shape[rows:],
            None if data.y is None else data.y.shape[rows:],
        )
        if self.data_independent_priors:
            return shape
        digest = hashlib.sha1(np.ascontiguousarray(data.X).tobytes())
        if data.y is not None:
            digest.update(np.ascontiguousarray(data.y).tobytes())
        return (*shape, self.name, digest.hexdigest())


# --------------------------------------------------------------------------------------------
# Mixture cases


def _mixture_truth(counts, means, sds_or_covs) -> dict[str, np.ndarray]:
    counts = np.asarray(counts, float)
    means = np.asarray(means, float)
    means = means[:, None] if means.ndim == 1 else means
    covs = np.asarray(sds_or_covs, float)
    if covs.ndim == 1:  # 1-D: standard deviations
        covs = (covs**2)[:, None, None]
    # The lecture fixes the number drawn from each component, so the realised weights are
    # exactly these fractions.
    return {"weights": counts / counts.sum(), "means": means, "covariances": covs}


def _mixture_generator(counts, truth) -> Callable[[int, str], Dataset]:
    def generate(seed: int, method: str = "numpy") -> Dataset:
        rng = np.random.default_rng(seed)
        X, labels = mixture_sample(rng, counts, truth["means"], truth["covariances"], method)
        return Dataset(X=X, labels=labels, seed=seed)

    return generate


def _gmm(n_components, start=None, n_init=5, **kwargs):
    """Factory of a soft-EM estimator; from ``start`` when given, else ``n_init`` k-means++."""

    def make(seed: int):
        from em import GaussianMixtureEM

        if start is not None:
            return GaussianMixtureEM(
                n_components,
                weights_init=start["weights"],
                means_init=start["means"],
                covariances_init=start["covariances"],
                random_state=seed,
                **kwargs,
            )
        return GaussianMixtureEM(n_components, n_init=n_init, random_state=seed, **kwargs)

    return make


def _normal_mixture_model(n_components, mu_loc, mu_scale, sigma_scale):
    # ``ordering="none"``: the same priors without the ordering transform (the relabelling
    # section samples it beside the case's ordered model).
    def make(data: Dataset, ordering: str = "ordered"):
        import models

        return models.normal_mixture(
            data.x1d,
            n_components,
            mu_prior=(np.asarray(mu_loc, float), mu_scale),
            sigma_prior=sigma_scale,
            ordering=ordering,
        )

    return make


_CONJUGATE_NOTE = (
    "conjugate Normal-inverse-Wishart prior with mclust's default hyperparameters "
    "(em.NormalInverseWishart.default) of the seed-0 data"
)


def _mixture_case(*, covariance_type: str = "full", **fields) -> Case:
    """A mixture case sampled with the conjugate prior by default, the weak one on request.

    ``fields`` are :class:`Case`'s, with ``make_model``, ``prior_note`` and ``model_group``
    those of the weak priors; they become the ``"weak"`` alternative.
    """
    weak = PriorOption(
        fields.pop("make_model"), fields.pop("prior_note"), fields.pop("model_group")
    )
    prior = pilot_prior(fields["generate"], fields["n_components"], covariance_type)
    K = fields["n_components"]

    def make_conjugate(data: Dataset, ordering: str = "ordered"):
        return conjugate_model(data, K, covariance_type, prior(), ordering)

    conjugate = PriorOption(make_conjugate, _CONJUGATE_NOTE, f"{fields['name']}-conjugate")
    options = {"conjugate": conjugate, "weak": weak}
    default = options.pop(DEFAULT_MIXTURE_PRIOR)
    return Case(
        **fields,
        make_model=default.make_model,
        prior_note=default.prior_note,
        model_group=default.model_group,
        prior=DEFAULT_MIXTURE_PRIOR,
        conjugate_prior=prior,
        covariance_type=covariance_type,
        alternatives=options,
    )


def _lecture_start_1d(means, sds, weights) -> dict[str, np.ndarray]:
    return {
        "weights": np.asarray(weights, float),
        "means": np.asarray(means, float)[:, None],
        "covariances": (np.asarray(sds, float) ** 2)[:, None, None],
    }


_ONE_D_PRIOR = (
    "w ~ Dirichlet(1, ..., 1); mu ~ Normal({loc}, {scale}), ordered; sigma ~ HalfNormal({s})"
)


def _lecture_1d() -> Case:
    counts = (100, 100)
    truth = _mixture_truth(counts, [0.0, 10.0], [3.0, 1.0])
    return _mixture_case(
        name="lecture-1d",
        description="Blue 100 x N(0, 3^2) and red 100 x N(10, 1), K=2 (the lecture's l12em1 data).",
        kind="mixture",
        n_components=2,
        truth=truth,
        generate=_mixture_generator(counts, truth),
        make_estimator=_gmm(2),
        make_model=_normal_mixture_model(2, [0.0, 5.0], 10.0, 5.0),
        prior_note=_ONE_D_PRIOR.format(loc="(0, 5)", scale=10, s=5),
        # The lecture's start for hard EM (means 3 and 5, sds 1): the iteration plot
        # starts all three algorithms there.
        start=_lecture_start_1d([3.0, 5.0], [1.0, 1.0], [0.5, 0.5]),
        data_independent_priors=True,
        model_group="normal-mixture-K2",
    )


def _lecture_1d_close() -> Case:
    counts = (100, 100)
    truth = _mixture_truth(counts, [1.0, 3.0], [1.0, 1.0])
    start = _lecture_start_1d([3.0, 5.0], [1.0, 1.0], [0.5, 0.5])
    return _mixture_case(
        name="lecture-1d-close",
        description="N(1, 1) and N(3, 1), 100 each, K=2; EM starts at means 3 and 5, sds 1.",
        kind="mixture",
        n_components=2,
        truth=truth,
        generate=_mixture_generator(counts, truth),
        make_estimator=_gmm(2, start=start),
        # Same priors and shape as lecture-1d: one compiled model serves both.
        make_model=_normal_mixture_model(2, [0.0, 5.0], 10.0, 5.0),
        prior_note=_ONE_D_PRIOR.format(loc="(0, 5)", scale=10, s=5),
        start=start,
        data_independent_priors=True,
        model_group="normal-mixture-K2",
        notes=(
            "The components overlap heavily: the lecture calls hard EM 'very robust' here, "
            "but the likelihood surface is flat, so expect wide intervals on both sides.",
        ),
    )


def _three_1d() -> Case:
    counts = (90, 120, 90)
    truth = _mixture_truth(counts, [-4.0, 0.0, 5.0], [1.0, 0.8, 1.5])
    return _mixture_case(
        name="three-1d",
        description="Three univariate Gaussians (the EM derivation's case): N(-4, 1), N(0, 0.8^2), "
        "N(5, 1.5^2) with 90/120/90 points, K=3.",
        kind="mixture",
        n_components=3,
        truth=truth,
        generate=_mixture_generator(counts, truth),
        make_estimator=_gmm(3, init="random_from_data", n_init=5),
        make_model=_normal_mixture_model(3, [-3.0, 0.0, 3.0], 10.0, 5.0),
        prior_note=_ONE_D_PRIOR.format(loc="(-3, 0, 3)", scale=10, s=5),
        data_independent_priors=True,
        model_group="normal-mixture-K3",
    )


WORKED_POINTS = np.array([0.9, 0.7, 1.2, 2.4, 1.8])


def _worked_example() -> Case:
    start = _lecture_start_1d([1.0, 2.0], [np.sqrt(2.0), np.sqrt(2.0)], [0.5, 0.5])

    def generate(seed: int, method: str = "numpy") -> Dataset:
        # Fixed data: the seed and the method change nothing. The labels are the two
        # clusters the lecture sees in these points.
        return Dataset(X=WORKED_POINTS[:, None].copy(), labels=np.array([0, 0, 0, 1, 1]))

    return _mixture_case(
        name="worked-example",
        description="The five points [0.9, 0.7, 1.2, 2.4, 1.8]; EM from means 1 and 2, "
        "variances 2 and 2, equal weights (the lecture's one-epoch example).",
        kind="mixture",
        n_components=2,
        truth=None,
        generate=generate,
        make_estimator=_gmm(2, start=start),
        make_model=_normal_mixture_model(2, [1.0, 2.0], 2.0, 1.0),
        prior_note=_ONE_D_PRIOR.format(loc="(1, 2)", scale=2, s=1),
        start=start,
        data_independent_priors=True,
        model_group="normal-mixture-K2-worked",
        notes=(
            "Five points and five free parameters: the posterior is mostly prior, and "
            "there is no true distribution to cover; the numbers show how little five "
            "points say.",
        ),
    )


# The lecture's 2-D data: blue 100 x N([50, 50], 10^2 I), red 50 x N([70, 60], 5^2 I).
_LECTURE_2D_COUNTS = (100, 50)
_LECTURE_2D_TRUTH = _mixture_truth(
    _LECTURE_2D_COUNTS, [[50.0, 50.0], [70.0, 60.0]], [np.eye(2) * 10.0**2, np.eye(2) * 5.0**2]
)


def _mv_normal_mixture_model(n_components, mu_loc, covariance):
    """Model factory of the 2-D cases: priors in the data's units (about 20 wide)."""

    def make(data: Dataset):
        import models

        return models.mv_normal_mixture(
            data.X,
            n_components,
            covariance=covariance,
            mu_prior=(np.asarray(mu_loc, float), 20.0),
            sigma_prior=20.0,
        )

    return make


def _lecture_2d() -> Case:
    overall = np.diag([12.0**2, 10.0**2])
    return _mixture_case(
        name="lecture-2d",
        description="Blue 100 x N([50, 50], 10^2 I) and red 50 x N([70, 60], 5^2 I), K=2.",
        kind="mixture",
        n_components=2,
        truth=_LECTURE_2D_TRUTH,
        generate=_mixture_generator(_LECTURE_2D_COUNTS, _LECTURE_2D_TRUTH),
        make_estimator=_gmm(2),
        make_model=_mv_normal_mixture_model(2, [[50.0, 55.0], [70.0, 55.0]], "full"),
        prior_note="w ~ Dirichlet(1, 1); mu ~ Normal([[50, 55], [70, 55]], 20), ordered by "
        "the first coordinate; Sigma_k = LKJCholeskyCov(eta=2, sd ~ HalfNormal(20))",
        # k-means' first start in the lecture: centroids (40, 50) and (80, 50).
        start={
            "weights": np.array([0.5, 0.5]),
            "means": np.array([[40.0, 50.0], [80.0, 50.0]]),
            "covariances": np.stack([overall, overall]),
        },
        data_independent_priors=True,
        model_group="mv-normal-mixture-K2",
    )


def _lecture_2d_k3() -> Case:
    # Diagonal covariances on both sides: a full-covariance K=3 posterior is no better
    # identified, and its sampler wanders for 35-50 s where the diagonal one takes ~2 s,
    # which would push a warm `make report` far past its 90 s.
    return _mixture_case(
        name="lecture-2d-k3",
        description="The lecture-2d data (two clusters) fitted with the wrong K=3; diagonal "
        "covariances on both sides.",
        kind="mixture",
        n_components=3,
        # Two true components cannot be compared with three fitted ones: components are
        # matched to EM's, and the figures draw the generating distribution.
        truth=None,
        generating=_LECTURE_2D_TRUTH,
        generate=_mixture_generator(_LECTURE_2D_COUNTS, _LECTURE_2D_TRUTH),
        make_estimator=_gmm(3, covariance_type="diag"),
        make_model=_mv_normal_mixture_model(3, [[45.0, 55.0], [60.0, 55.0], [75.0, 55.0]], "diag"),
        covariance_type="diag",
        prior_note="w ~ Dirichlet(1, 1, 1); mu ~ Normal([[45, 55], [60, 55], [75, 55]], 20), "
        "ordered by the first coordinate; diagonal Sigma_k with sd ~ HalfNormal(20) per "
        "coordinate",
        data_independent_priors=True,
        model_group="mv-normal-mixture-K3-diag",
        notes=(
            "The lecture: 'a wrong number of clusters gives some answer anyway'. The data "
            "come from two clusters; EM is asked for three and returns three without "
            "complaint, splitting a true cluster. The posterior of a three-component "
            "mixture has no single answer (which cluster is split, or whether a component "
            "is left almost empty), so expect chains that disagree and a convergence "
            "warning: that warning is the lesson, not a bug.",
            "Which K do the criteria prefer? 'BIC by K' fits EM with K = 1 to 4 on these "
            "data with this case's (diagonal) covariance model: BIC charges log(n) per "
            "parameter and picks K=2. LOO-IC of this posterior is reported too, but a K=3 "
            "posterior that splits a cluster predicts each point almost as well as K=2, so "
            "LOO-IC differences here are about the size of their own standard error; and "
            "lecture-2d's LOO-IC comes from a full-covariance model, so the two cases' LOO-IC "
            "do not compare like with like.",
            "Dashed ellipses: the two-component distribution the data were drawn from. No "
            "parameter has a true value to cover, and components are matched to EM's.",
        ),
    )


# --------------------------------------------------------------------------------------------
# Regression and the categorical


def _regression() -> Case:
    truth = {"intercept": np.array(1.5), "coef": np.array([2.0]), "sigma": np.array(1.0)}
    n = 50

    def generate(seed: int, method: str = "numpy") -> Dataset:
        rng = np.random.default_rng(seed)
        x = rng.uniform(0.0, 10.0, size=n)
        y = truth["intercept"] + truth["coef"][0] * x + normal(rng, 0.0, 1.0, n, method)
        return Dataset(X=x[:, None], y=y, seed=seed)

    def make_estimator(seed: int):
        from em import LinearRegressionMLE

        return LinearRegressionMLE()

    def make_model(data: Dataset):
        import models

        return models.linear_regression(data.X, data.y)

    return Case(
        name="regression",
        description="y = 1.5 + 2 x + N(0, 1) noise, x ~ Uniform(0, 10), 50 points.",
        kind="linear",
        truth=truth,
        generate=generate,
        make_estimator=make_estimator,
        make_model=make_model,
        prior_note="models.linear_regression defaults: weak Normal priors scaled to the "
        "data (prior_scale=10), sigma ~ HalfNormal(10 sd(y))",
    )


def _logistic() -> Case:
    truth = {"intercept": np.array(-1.0), "coef": np.array([2.0])}
    n = 200

    def generate(seed: int, method: str = "numpy") -> Dataset:
        rng = np.random.default_rng(seed)
        x = 1.5 * standard_normal(rng, n, method)
        p = 1.0 / (1.0 + np.exp(-(truth["intercept"] + truth["coef"][0] * x)))
        y = (rng.uniform(size=n) < p).astype(float)
        return Dataset(X=x[:, None], y=y, seed=seed)

    def make_estimator(seed: int):
        from em import LogisticRegressionMLE

        return LogisticRegressionMLE()

    def make_model(data: Dataset):
        import models

        return models.logistic_regression(data.X, data.y)

    return Case(
        name="logistic",
        description="P(y=1 | x) = sigmoid(-1 + 2 x), x ~ N(0, 1.5^2), 200 points.",
        kind="logistic",
        truth=truth,
        generate=generate,
        make_estimator=make_estimator,
        make_model=make_model,
        prior_note="models.logistic_regression defaults: Normal priors with sd 2.5 per "
        "feature sd (Gelman et al.'s weakly informative logit prior)",
    )


FAMILY_COUNTS = np.array([1000, 90000, 6000, 3000])


def _families() -> Case:
    def generate(seed: int, method: str = "numpy") -> Dataset:
        return Dataset(X=FAMILY_COUNTS.copy())

    def make_estimator(seed: int):
        from em import CategoricalMLE

        return CategoricalMLE()

    def make_model(data: Dataset):
        import models

        return models.categorical(data.X, alpha=1.0, category_names=["0", "1", "2", "3"])

    return Case(
        name="families",
        description="100,000 families with 0/1/2/3 children counted 1,000 / 90,000 / 6,000 "
        "/ 3,000 (the lecture's categorical MLE).",
        kind="categorical",
        # The lecture's proportions; the counts are fixed, so these are also the MLE.
        truth={"p": FAMILY_COUNTS / FAMILY_COUNTS.sum()},
        generate=generate,
        make_estimator=make_estimator,
        make_model=make_model,
        prior_note="p ~ Dirichlet(1, 1, 1, 1) (uniform on the simplex); conjugate, so the "
        "exact posterior is Dirichlet(1 + counts)",
        data_independent_priors=True,
        model_group="categorical-4",
        notes=(
            "The counts are fixed data, not a draw: 'truth' here is the lecture's table of "
            "proportions, which equals the MLE exactly.",
        ),
    )


# --------------------------------------------------------------------------------------------
# Real data: the shipped data sets (compare.data), and the builder `python -m compare fit` uses

#: The posterior's covariance model for each EM covariance type: the PyMC mixtures have a
#: full or a diagonal covariance per component, so a tied EM fit (one shared matrix) is set
#: beside full posterior covariances and a spherical one beside diagonal ones.
POSTERIOR_COVARIANCE = {"full": "full", "tied": "full", "diag": "diag", "spherical": "diag"}

_WEAK_PRIOR_NOTE = (
    "models.mv_normal_mixture's weak priors scaled to the data (s = sd of each column): "
    "w ~ Dirichlet(1, ..., 1); mu_k ~ Normal(quantiles of the first column, the others' "
    "means; 2 s), ordered by the first coordinate; {covariance}"
)
_COVARIANCE_PRIOR_NOTE = {
    "full": "Sigma_k = LKJCholeskyCov(eta=2, sd ~ HalfNormal(2 s)), one per component",
    "diag": "diagonal Sigma_k with sd ~ HalfNormal(2 s) per column and component",
}


def real_mixture_case(
    name: str,
    description: str,
    load: Callable[[], Dataset],
    n_components: int,
    covariance_type: str = "full",
    *,
    feature_names=None,
    notes: tuple[str, ...] = (),
    n_init: int = 10,
    chains_start: str = "default",
) -> Case:
    """A K-component mixture fitted to fixed real data (no truth; components matched to EM).

    Parameters
    ----------
    name, description : str
    load : callable ``() -> Dataset``
        Returns the data, shape (n, d), with their ``provenance``; called by ``generate``,
        whose seed and method change nothing (the data are fixed).
    n_components : int
    covariance_type : {"full", "tied", "diag", "spherical"}
        EM's covariance model; the posterior uses :data:`POSTERIOR_COVARIANCE` of it.
    feature_names : sequence of str, optional
        Column names for the model's ``feature`` coordinate.
    notes : tuple of str
    n_init : int, default 10
        EM's k-means++ restarts (real data have local maxima the lecture's data lack).
    chains_start : {"default", "em"}
        See :attr:`Case.chains_start`.

    Returns
    -------
    Case
    """
    if covariance_type not in POSTERIOR_COVARIANCE:
        raise ValueError(
            f"covariance_type must be one of {', '.join(POSTERIOR_COVARIANCE)}; "
            f"got {covariance_type!r}"
        )
    posterior_covariance = POSTERIOR_COVARIANCE[covariance_type]

    def generate(seed: int, method: str = "numpy") -> Dataset:
        # Fixed data: the seed and the method change nothing.
        return load()

    def make_estimator(seed: int):
        from em import GaussianMixtureEM

        # A tight tolerance so the log-likelihood can be set beside published fits.
        return GaussianMixtureEM(
            n_components,
            covariance_type=covariance_type,
            n_init=n_init,
            tol=1e-10,
            max_iter=10_000,
            random_state=seed,
        )

    def make_model(data: Dataset):
        import models

        if data.X.shape[1] == 1:
            return models.normal_mixture(data.x1d, n_components)
        return models.mv_normal_mixture(
            data.X, n_components, covariance=posterior_covariance, feature_names=feature_names
        )

    same = covariance_type == posterior_covariance
    covariance_note = (
        ()
        if same
        else (
            f"EM fits the {covariance_type} covariance model; the posterior has no "
            f"{covariance_type} form, so it uses {posterior_covariance} covariances (a "
            "larger model containing EM's): compare the covariance rows with that in mind.",
        )
    )
    return Case(
        name=name,
        description=description,
        kind="mixture",
        n_components=n_components,
        truth=None,
        generate=generate,
        make_estimator=make_estimator,
        make_model=make_model,
        prior_note=_WEAK_PRIOR_NOTE.format(covariance=_COVARIANCE_PRIOR_NOTE[posterior_covariance]),
        notes=(
            "Real data: no true parameters are known, so EM is compared with the posterior "
            "only (no coverage columns) and the components are matched to EM's.",
            *covariance_note,
            *notes,
        ),
        real_data=True,
        chains_start=chains_start,
    )


def _shipped(loader_name: str, columns: tuple[str, ...] | None = None) -> Callable[[], Dataset]:
    """``load()`` of a shipped data set (:mod:`compare.data`), columns in ``columns``' order."""

    def load() -> Dataset:
        from . import data as shipped

        real = getattr(shipped, loader_name)()
        order = [real.columns.index(c) for c in (columns or real.columns)]
        provenance = real.provenance.as_dict()
        provenance["columns_used"] = [real.columns[j] for j in order]
        return Dataset(X=real.X[:, order], labels=real.labels, provenance=provenance)

    return load


def _faithful(n_components: int, covariance_type: str, mclust: str) -> Case:
    return real_mixture_case(
        f"faithful-k{n_components}" + ("" if covariance_type == "full" else f"-{covariance_type}"),
        f"Old Faithful: eruption time and waiting time (minutes) of 272 eruptions, K="
        f"{n_components}, {covariance_type} covariances on the EM side (mclust's {mclust}).",
        _shipped("load_faithful"),
        n_components,
        covariance_type,
        feature_names=("eruptions", "waiting"),
    )


_IRIS_COLUMNS = ("petal_length", "petal_width", "sepal_length", "sepal_width")
# Measured at K=3 (4 chains x 1000, seed 0): from the default start every chain settled
# where versicolor and virginica share a component and the third holds a few points (R-hat
# 2.66, 179 s of sampling); from EM's solution sampling takes 10-20 s, and in one such run
# one chain of four crossed over to that mode (R-hat 1.44). Hence iris-k3 starts at EM.
_IRIS_K3_MODES = (
    "The chains start at EM's solution. This posterior has more than one mode: besides EM's "
    "three clusters there is one where versicolor and virginica share a component and the "
    "third holds a handful of flowers (weight near 0). From the model's default start (the "
    "data's quantiles) every chain ends in that mode and wanders there slowly; from EM's "
    "solution a chain stays in EM's mode or crosses over, and a crossing shows in R-hat and "
    "in the posterior sds of the weights."
)


def _iris(n_components: int) -> Case:
    return real_mixture_case(
        f"iris-k{n_components}",
        f"Fisher's iris: four measurements (cm) of 150 flowers of three species (petal "
        f"length and width, sepal length and width), K="
        f"{n_components}, full covariances (mclust's VVV); the species are not given to "
        "either fit, only used to score the clusters (ARI).",
        # Petal length first: the posterior orders its components by the first column,
        # and petal length separates the species best (sepal length leaves versicolor and
        # virginica overlapping, so that ordering pins nothing and the chains wander).
        _shipped("load_iris", _IRIS_COLUMNS),
        n_components,
        "full",
        feature_names=_IRIS_COLUMNS,
        chains_start="em" if n_components == 3 else "default",
        notes=(_IRIS_K3_MODES,) if n_components == 3 else (),
    )


CASES: dict[str, Case] = {
    case.name: case
    for case in (
        _lecture_1d(),
        _lecture_1d_close(),
        _lecture_2d(),
        _lecture_2d_k3(),
        _three_1d(),
        _worked_example(),
        _regression(),
        _logistic(),
        _families(),
        _faithful(3, "tied", "EEE"),
        _faithful(2, "full", "VVV"),
        _iris(3),
        _iris(2),
    )
}

#: The cases ``python -m compare run`` fits when none is named (``make report``): every
#: case except the extra real-data fits, which are run by name (each new model structure
#: costs 10-60 s to compile cold, and the report has a time budget).
DEFAULT_CASES: tuple[str, ...] = tuple(
    name for name in CASES if name not in ("faithful-k3-tied", "iris-k2")
)


def get_case(name: str | Case) -> Case:
    """The case called ``name`` (a :class:`Case` is returned unchanged).

    Raises
    ------
    ValueError
        For an unknown name; the message lists the valid ones.
    """
    if isinstance(name, Case):
        return name
    try:
        return CASES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown case {name!r}; valid cases: {', '.join(CASES)}") from None
