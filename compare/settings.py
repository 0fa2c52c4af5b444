"""The suite's settings, in one place: samplers, interval levels, run and study sizes.

Import-free on purpose: the command line reads it to build its options before PyMC is
loaded (importing anything from :mod:`models` imports PyMC), so the sampler list is a copy
of ``models.SAMPLERS``; ``tests/compare/test_settings.py`` pins the two together.

Every module of :mod:`compare` that needs one of these numbers reads it from here: change
the HDI to 89 % here and the tables, the figures' bands, the captions and the coverage
study's nominal level all follow.
"""

from __future__ import annotations

__all__ = [
    "CHAINS",
    "DEFAULT_LADDER",
    "DEFAULT_MIXTURE_PRIOR",
    "DEFAULT_SAMPLER",
    "DRAWS",
    "EM_LEVEL",
    "EM_PCT",
    "EM_UPPER_QUANTILE",
    "HDI_BAND_QUANTILES",
    "HDI_PCT",
    "HDI_PROB",
    "LADDERS",
    "LADDER_ADVI",
    "LADDER_ADVI_MAX_FEATURES",
    "LADDER_PASS",
    "LEVELS",
    "MIXTURE_PRIORS",
    "QUICK",
    "RECOMPILING_SAMPLERS",
    "SAMPLERS",
    "TUNE",
    "percent",
]

# Sampler backends, as ``models.SAMPLERS`` names them; the first is the default.
SAMPLERS = ("nutpie", "pymc")
DEFAULT_SAMPLER = SAMPLERS[0]
# Samplers that compile the model on every call (PyMC's own NUTS has no data-swap hook), so
# the model cache saves them nothing; the coverage study warns about it.
RECOMPILING_SAMPLERS = ("pymc",)

# Sampler settings of ``python -m compare run`` and :func:`compare.run`.
DRAWS, TUNE, CHAINS = 1000, 1000, 4
# --quick: enough draws for R-hat and ESS to mean something, few enough to be fast.
QUICK = {"draws": 500, "tune": 500, "chains": 2}

# Prior families of the mixture cases (``models.PRIORS``); the first is the default. The
# conjugate one is shared by NUTS, MAP-EM and variational Bayes (see compare.conjugate).
MIXTURE_PRIORS = ("conjugate", "weak")
DEFAULT_MIXTURE_PRIOR = MIXTURE_PRIORS[0]

# The inference ladder (compare.sections.ladder). ADVI: optimisation steps, the step size
# of its adaptive optimiser and the draws from the fit; chosen so that both ADVI fits of a
# case take a few seconds and still converge on the lecture's cases (measured: with the
# default step size 1e-3, even 10,000 steps leave the 1-D means' sd 10x too wide).
# Full-rank ADVI needs more steps than mean-field to settle (3,000 left lecture-1d's first
# mean 1.8 NUTS sds off; 10,000 brings it within 0.2). The steps are cheap (~0.1-0.3 ms);
# each fit's compilation (~2-6 s) is what costs. Full-rank's loss settles by ~6,000 steps
# on lecture-1d, lecture-1d-close and lecture-2d (within 0.5 nats of its value at 10,000).
# "average": both fits draw from the mean of their last 1,000 iterates (models.advi's
# Polyak-Ruppert averaging): at n = 1,000 (means 4 sds apart) the last iterate of either
# jittered 0.25-0.35 NUTS sds off; the average lands within 0.17 (mean-field) and 0.09
# (full-rank). Averaging 2,000 of mean-field's 3,000 took in unsettled iterates (1.97 off).
LADDER_ADVI = {
    "n_advi": 3000,
    "n_fullrank": 6000,
    "learning_rate": 0.01,
    "average": 1000,
    "draws": 1000,
}
# How much of the ladder a case page climbs: "default" leaves the two ADVI rungs out for
# data of more than LADDER_ADVI_MAX_FEATURES features (their compilation costs more than the
# rest of the case; the page says so and the ladder study covers ADVI); "full" climbs all.
LADDERS = ("default", "full")
DEFAULT_LADDER = LADDERS[0]
LADDER_ADVI_MAX_FEATURES = 1
# Stan's stat_comp_benchmarks rule for approximate algorithms: a method passes on a
# parameter when |its mean - the NUTS mean| < LADDER_PASS NUTS posterior sds.
LADDER_PASS = 0.25

# Interval levels: EM's confidence intervals and the posterior's highest-density intervals.
# They differ on purpose (95 % is the frequentist habit, 94 % ArviZ's default, which keeps
# a reader from mistaking one for the other).
EM_LEVEL = 0.95
HDI_PROB = 0.94
# The upper quantile of EM's central interval, (1 + EM_LEVEL) / 2, for t and normal bands;
# written out because the derived float is 0.975 only up to rounding, and the figures and
# the sample-size study have always used the exact number.
EM_UPPER_QUANTILE = 0.975
# The central posterior band of the regression figures (quantiles, not an HDI): HDI_PROB
# of the draws between them.
HDI_BAND_QUANTILES = (0.03, 0.97)

# Final EM log-likelihoods closer than this (nats) count as one optimum. EM stops when a
# step gains less than 1e-6 per point, so a run can end ~0.01 short of its optimum; the
# distinct optima of the lecture's data are several nats apart.
SAME_OPTIMUM_NATS = 0.1

# Study sizes: tiny (the test suite's, seconds), quick (`make report`), full (the default).
LEVELS = ("tiny", "quick", "full")


def percent(level: float) -> str:
    """A level as the pages write it: ``0.95`` -> ``"95 %"``."""
    return f"{level * 100:g} %"


EM_PCT = percent(EM_LEVEL)
HDI_PCT = percent(HDI_PROB)
