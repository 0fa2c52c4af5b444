"""compare.settings: one home for samplers and levels, pinned to what the rest agrees on."""

import pytest

from compare import settings
from compare.cli import build_parser


def test_samplers_are_the_models_samplers():
    import models

    assert tuple(models.SAMPLERS) == settings.SAMPLERS
    assert settings.DEFAULT_SAMPLER in settings.SAMPLERS
    assert set(settings.RECOMPILING_SAMPLERS) <= set(settings.SAMPLERS)


def test_derived_quantiles_match_the_levels():
    assert pytest.approx((1 + settings.EM_LEVEL) / 2, abs=1e-12) == settings.EM_UPPER_QUANTILE
    lo, hi = settings.HDI_BAND_QUANTILES
    assert (lo, hi) == pytest.approx(
        ((1 - settings.HDI_PROB) / 2, (1 + settings.HDI_PROB) / 2), abs=1e-12
    )
    assert settings.EM_PCT == "95 %" and settings.HDI_PCT == "94 %"
    assert settings.percent(0.89) == "89 %"


def test_the_command_line_offers_the_settings():
    parser = build_parser()
    args = parser.parse_args(["run"])
    assert (args.draws, args.tune, args.chains, args.sampler) == (
        settings.DRAWS,
        settings.TUNE,
        settings.CHAINS,
        settings.DEFAULT_SAMPLER,
    )
    for sampler in settings.SAMPLERS:
        assert parser.parse_args(["study", "all", "--sampler", sampler]).sampler == sampler
