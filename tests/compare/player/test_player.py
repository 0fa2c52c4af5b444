"""The player: its files, its snippet, the GIF, and the script's arithmetic."""

import io
import json
import shutil
import subprocess
from html.parser import HTMLParser

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from compare.player import write_player
from compare.player.gif import frame_durations, gif_bytes
from compare.player.history import as_track
from compare.player.page import MATH_JS
from compare.player.scene import component_colours, ellipse_points, point_colours


class _Snippet(HTMLParser):
    """Collects links, images and scripts; fails on anything html.parser rejects."""

    def __init__(self):
        super().__init__()
        self.links, self.images, self.scripts, self._script = [], [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs)
            self.links.append(attrs["src"])
        if tag == "a":
            self.links.append(attrs["href"])
        if tag == "script":
            self._script = [attrs, ""]

    def handle_data(self, data):
        if self._script is not None:
            self._script[1] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self.scripts.append(tuple(self._script))
            self._script = None


def _parse(snippet: str) -> _Snippet:
    parser = _Snippet()
    parser.feed(snippet)
    parser.close()
    return parser


@pytest.fixture(scope="module", params=["lecture_1d", "lecture_2d"])
def written(request, tmp_path_factory):
    X, _, histories = request.getfixturevalue(request.param)
    out = tmp_path_factory.mktemp(request.param)
    return out, X, histories, write_player(out, X, histories, title="from one start")


def test_the_player_writes_only_its_files_and_links_only_to_them(written):
    out, _, _, result = written
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in result.files.values())
    parser = _parse(result.html)
    assert parser.links, "the snippet links to its images and GIF"
    for link in parser.links:
        assert (out / link).is_file(), link
    for key, path in result.files.items():
        assert result.bytes[key] == path.stat().st_size > 0
    assert result.bytes["total"] == sum(v for k, v in result.bytes.items() if k != "total")


def test_without_javascript_the_final_frame_shows(written):
    out, _, _, result = written
    finals = [img for img in _parse(result.html).images if "emp-final" in img.get("class", "")]
    assert len(finals) == 1 and finals[0]["src"] == result.files["final"].name
    with Image.open(out / finals[0]["src"]) as image:
        assert image.size == (int(finals[0]["width"]), int(finals[0]["height"]))
    # The controls only appear when the script runs.
    assert "class='emp-controls' hidden" in result.html


def test_frames_data_and_gif_have_one_entry_per_step(written):
    out, _, histories, result = written
    longest = max(h.n_steps - 1 for h in histories.values())
    assert result.n_frames == longest + 1
    with Image.open(result.files["gif"]) as gif:
        assert gif.n_frames == longest + 1
    scripts = _parse(result.html).scripts
    data = json.loads(next(text for attrs, text in scripts if attrs.get("class") == "emp-data"))
    assert data["frames"] == longest + 1
    for track, (name, history) in zip(data["tracks"], histories.items(), strict=True):
        assert track["name"] == name
        assert len(track["mu"]) == len(track["w"]) == history.n_steps
        np.testing.assert_allclose(track["mu"], history.means, rtol=1e-5)
    assert (out / data["background"]).is_file()


def test_the_gif_ends_on_the_final_frame(written):
    _, _, _, result = written
    with Image.open(result.files["gif"]) as gif, Image.open(result.files["final"]) as final:
        gif.seek(gif.n_frames - 1)
        last = np.asarray(gif.convert("RGB"), dtype=float)
        png = np.asarray(final.convert("RGB"), dtype=float)
    # Two palettes of the same picture: equal up to quantisation.
    assert last.shape == png.shape
    assert np.abs(last - png).mean() < 6.0


def test_shorter_runs_hold_their_last_step(lecture_1d):
    X, _, histories = lecture_1d
    track = as_track("hard EM", histories["hard EM (CEM)"])
    last = track.n_steps - 1
    assert track.at(last + 5) == last
    np.testing.assert_array_equal(
        point_colours(X, track, track.at(99)), point_colours(X, track, last)
    )


def test_bad_input_is_refused_with_the_argument_named(tmp_path, lecture_1d):
    X, _, histories = lecture_1d
    with pytest.raises(ValueError, match="X has shape"):
        write_player(tmp_path, np.zeros((5, 3)), histories, title="t")
    with pytest.raises(TypeError, match="histories must be a non-empty mapping"):
        write_player(tmp_path, X, {}, title="t")
    with pytest.raises(ValueError, match=r"prefix is '\.\./x'"):
        write_player(tmp_path, X, histories, title="t", prefix="../x")
    with pytest.raises(ValueError, match="assignments names"):
        write_player(tmp_path, X, histories, title="t", assignments={"nope": "soft"})
    with pytest.raises(ValueError, match="D = 2, the columns of X"):
        write_player(tmp_path, np.c_[X, X], histories, title="t")
    assert not any(tmp_path.iterdir())


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 40), st.integers(0, 2**31 - 1))
def test_a_gif_has_exactly_one_frame_per_image(n_frames, seed):
    rng = np.random.default_rng(seed)
    frames = rng.integers(0, 256, size=(n_frames, 6, 8, 3), dtype=np.uint8)
    # Distinct consecutive frames (a random pair could collide only by a miracle; make sure).
    frames[:, 0, 0, 0] = np.arange(n_frames) % 2 * 255
    frames[:, 0, 0, 1] = np.arange(n_frames) % 256
    with Image.open(io.BytesIO(gif_bytes(list(frames)))) as gif:
        assert gif.n_frames == n_frames
    durations = frame_durations(n_frames)
    assert len(durations) == n_frames and min(durations) >= 20


def test_equal_consecutive_frames_are_refused():
    frame = np.zeros((4, 4, 3), dtype=np.uint8)
    with pytest.raises(ValueError, match="frames 0 and 1 are equal"):
        gif_bytes([frame, frame])


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the page's script")
@pytest.mark.parametrize("case", ["lecture_1d", "lecture_2d"])
def test_the_script_colours_points_and_draws_ellipses_as_python_does(case, request, tmp_path):
    X, _, histories = request.getfixturevalue(case)
    tracks = [as_track(name, h) for name, h in histories.items()]
    colours = np.rint(255 * component_colours(2))
    cases = []
    for track in tracks:
        for step in (0, 1, track.n_steps - 1):
            cases.append(
                {
                    "assign": track.assignment,
                    "w": track.weights[step].tolist(),
                    "mu": track.means[step].tolist(),
                    "cov": None if track.covariances is None else track.covariances[step].tolist(),
                    "expected": point_colours(X, track, step).tolist(),
                }
            )
    harness = (
        MATH_JS
        + f"var X = {json.dumps(X.tolist())}, C = {json.dumps(colours.tolist())};\n"
        + f"var cases = {json.dumps(cases)};\n"
        + "var out = cases.map(function (c) { return X.map(function (x) {"
        + " return EMP.blend(EMP.resp(c.assign, x, c.w, c.mu, c.cov), C); }); });\n"
        + "var ell = cases[0].cov && X[0].length === 2 ? "
        + "EMP.ellipse(cases[0].mu[0], cases[0].cov[0], 2, 49) : null;\n"
        + "console.log(JSON.stringify({colours: out, ellipse: ell}));\n"
    )
    script = tmp_path / "harness.js"
    script.write_text(harness)
    result = json.loads(subprocess.run(["node", script], capture_output=True, check=True).stdout)
    for got, c in zip(result["colours"], cases, strict=True):
        # The script rounds to whole RGB values.
        np.testing.assert_allclose(got, np.rint(255 * np.array(c["expected"])), atol=1)
    if result["ellipse"] is not None:
        expected = ellipse_points(tracks[0].means[0, 0], tracks[0].covariances[0, 0], 2)
        np.testing.assert_allclose(result["ellipse"], expected, rtol=1e-9)
