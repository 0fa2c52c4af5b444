"""How much of the inference ladder a page climbs: ADVI left out of 2-D pages by default."""

from __future__ import annotations

import pytest

from compare.engine.comparison import run
from compare.sections.ladder import available_rungs, render
from compare.sections.ladder_methods import ADVI_RUNGS, REFERENCE, RUNGS, Rung, score
from compare.settings import LADDER_ADVI, LADDER_ADVI_MAX_FEATURES, LADDER_PASS


def test_default_ladder_leaves_advi_out_above_the_feature_limit():
    low, high = LADDER_ADVI_MAX_FEATURES, LADDER_ADVI_MAX_FEATURES + 1
    assert available_rungs(low, "default") == RUNGS
    assert available_rungs(high, "full") == RUNGS
    assert available_rungs(high, "default") == tuple(r for r in RUNGS if r not in ADVI_RUNGS)
    # The study climbs everything by default.
    assert available_rungs() == RUNGS


def test_unknown_ladder_is_refused_naming_the_argument():
    with pytest.raises(ValueError, match=r"ladder must be one of default, full; got 'all'"):
        available_rungs(2, "all")
    with pytest.raises(ValueError, match=r"ladder must be one of default, full; got 'all'"):
        run("lecture-1d", ladder="all")


def test_page_says_what_was_left_out_and_how_to_get_it(tmp_path):
    mean = {"estimate": [0.0], "sd": [1.0], "lower": [-2.0], "upper": [2.0]}
    rungs = [Rung("VB", "q", {"means": mean}, 0.1), Rung(REFERENCE, "draws", {"means": mean}, 1)]
    data = {
        "level": 0.95,
        "rule": LADDER_PASS,
        "prior": "p",
        "advi": dict(LADDER_ADVI),
        "case": "lecture-2d",
        "left_out": list(ADVI_RUNGS),
        "methods": score(rungs, [("means[0]", "means", (0,))]),
    }
    page = render(data, tmp_path)
    assert "ADVI and ADVI full-rank: left out of the default report for time" in page
    assert "python -m compare run lecture-2d --ladder full" in page
    assert "steps mean-field" not in page
    data["left_out"] = []
    assert f"{LADDER_ADVI['n_advi']} steps mean-field" in render(data, tmp_path)
