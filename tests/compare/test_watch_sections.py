"""The case-page sections of issue 14: the player, the landscape and the worked example.

The fast tests build a result from the real pieces a comparison has (the case's data, its
soft/hard EM and k-means variants, posterior-like draws of the means) without sampling;
the slow one writes lecture-1d's page through the command line and follows every link.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from compare.cases import get_case
from compare.kinds.mixture_extras import fit_em_variants
from compare.sections import SECTIONS, _load, compute_sections, render_sections
from compare.sections.landscape import LANDSCAPE_CASES, LANDSCAPE_STARTS
from compare.sections.player import LECTURE_CASES

ROOT = Path(__file__).resolve().parents[2]


class _Links(HTMLParser):
    """Every ``src`` and ``href`` of a page; the players' ``<script>`` data too."""

    def __init__(self):
        super().__init__()
        self.links, self.data, self._in_data = [], [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.links += [attrs[k] for k in ("src", "href") if attrs.get(k)]
        self._in_data = tag == "script" and "emp-data" in (attrs.get("class") or "")

    def handle_data(self, data):
        if self._in_data:
            self.data.append(json.loads(data))
            self._in_data = False


def _links(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser


def _result(name: str, seed: int = 0):
    """What the sections read of a ComparisonResult, from real fits (no sampling)."""
    case = get_case(name)
    data = case.generate(seed, "numpy")
    variants = fit_em_variants(case, data, seed)
    rng = np.random.default_rng(seed)
    truth = np.asarray(case.truth["means"]) if case.truth else variants["soft"].means_
    # (chain, draw, K, D) around the truth, as the aligned posterior would be.
    means = truth[None, None] + 0.3 * rng.standard_normal((2, 250, *truth.shape))
    return SimpleNamespace(
        case=case,
        data=data,
        variants=variants,
        posterior={"means": SimpleNamespace(values=means)},
        settings={"seeds": {"em": 12345}},
    )


# The sections of this issue; the others (ladder, relabel, ...) have their own tests and need
# a whole comparison, not the stand-in result built here.
WATCH = ("worked_example", "player", "landscape")


@pytest.fixture
def watch_only(monkeypatch):
    import compare.sections as sections_module

    monkeypatch.setattr(sections_module, "SECTIONS", {n: SECTIONS[n] for n in WATCH})


def test_each_section_applies_to_its_cases():
    assert set(WATCH) <= set(SECTIONS)
    sections = {name: _load(name) for name in WATCH}
    assert LANDSCAPE_CASES <= LECTURE_CASES
    for name in ("lecture-1d", "lecture-1d-close", "lecture-2d", "three-1d", "worked-example"):
        case = get_case(name)
        assert sections["player"].applies(case)
        assert sections["landscape"].applies(case) == (name in LANDSCAPE_CASES)
        assert sections["worked_example"].applies(case) == (name == "worked-example")
    for name in ("regression", "lecture-2d-k3", "families"):
        assert not any(s.applies(get_case(name)) for s in sections.values())


@pytest.mark.parametrize("name", ["lecture-1d", "lecture-2d"])
def test_the_sections_of_a_lecture_case_reference_only_files_they_wrote(name, tmp_path, watch_only):
    result = _result(name)
    data, _, errors = compute_sections(result)
    assert errors == {} and set(data) == {"player", "landscape"}
    # What compute returns goes to metrics.json, and the page is drawn from it.
    data = json.loads(json.dumps(data, allow_nan=False))
    parts = render_sections(data, tmp_path)
    assert [title for title, _ in parts] == [_load(n).title for n in ("player", "landscape")]
    page = "".join(html for _, html in parts)
    parser = _links(page)
    # The player's script draws over its background image, named in its data.
    referenced = set(parser.links) | {d["background"] for d in parser.data}
    assert sorted(referenced) == sorted(p.name for p in tmp_path.iterdir())
    assert {"player.gif", "player_final.png", "landscape.png"} <= set(parser.links)

    # The player: one frame per step of the longest run, in the page's data and the GIF.
    histories = {t: result.variants[k].history_ for k, t in _TITLES.items()}
    longest = max(h.n_steps for h in histories.values())
    assert data["player"]["n_iter"] == {t: h.n_steps - 1 for t, h in histories.items()}
    (player,) = parser.data
    assert player["frames"] == longest == max(data["player"]["n_iter"].values()) + 1
    with Image.open(tmp_path / "player.gif") as gif:
        assert gif.n_frames == longest
    # The histories drawn are the variants' own: the iteration figure's fits, not new ones.
    for title, h in histories.items():
        np.testing.assert_array_equal(data["player"]["histories"][title]["means"], h.means)

    # The landscape: every start counted once, the counts on the page.
    counts = data["landscape"]["counts"]
    assert sum(counts.values()) == LANDSCAPE_STARTS
    assert counts["best"] + counts["twin"] >= 1
    assert f"{LANDSCAPE_STARTS} random starts" in page
    assert len(data["landscape"]["posterior_means"]) <= 400


_TITLES = {"soft": "soft EM", "hard": "hard EM (CEM)", "kmeans": "k-means"}


def test_the_worked_example_page_shows_the_epoch_beside_the_lecture(tmp_path, watch_only):
    result = _result("worked-example")
    data, _, errors = compute_sections(result)
    assert errors == {} and set(data) == {"worked_example", "player"}
    parts = dict(render_sections(json.loads(json.dumps(data)), tmp_path))
    table = parts[_load("worked_example").title]
    assert table.count("class='ok'>yes") == 5 + 6 and "class='bad'" not in table
    assert "<h3>" not in table  # the section's heading is the page's


def test_the_player_needs_a_mixture_and_the_landscape_two_components():
    player, landscape = _load("player"), _load("landscape")
    with pytest.raises(ValueError, match="has no soft/hard EM and k-means variants"):
        player.compute(SimpleNamespace(case=get_case("regression"), variants=None))
    with pytest.raises(ValueError, match="has 3 components; accepted: 2"):
        landscape.compute(SimpleNamespace(case=get_case("three-1d")))


@pytest.mark.slow
def test_the_cli_writes_a_lecture_1d_page_without_broken_references(tmp_path):
    out = tmp_path / "reports"
    env = os.environ | {"PYTENSOR_FLAGS": "blas__ldflags=", "MPLBACKEND": "Agg"}
    subprocess.run(
        [sys.executable, "-m", "compare", "run", "lecture-1d", "--quick", "--out", str(out)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    page = out / "lecture-1d" / "index.html"
    html = page.read_text()
    parser = _links(html)
    assert "class='em-player'" in html and "class='em-landscape'" in html
    assert {"player.gif", "player_final.png", "landscape.png"} <= set(parser.links)
    assert len(parser.data) == 1
    for link in [*parser.links, parser.data[0]["background"]]:
        assert (page.parent / link).is_file(), link
    doc = json.loads((page.parent / "metrics.json").read_text())
    assert doc["section_errors"] == {}
    assert sum(doc["sections"]["landscape"]["counts"].values()) == LANDSCAPE_STARTS
