"""compare.sections: an optional page part, computed after the comparison, drawn on its page."""

from __future__ import annotations

from pathlib import Path

import pytest

import compare.sections as sections_module
from compare.sections import Section, compute_sections, render_sections


class _Case:
    name = "demo"
    kind = "mixture"


class _Result:
    case = _Case()


def _compute(result):
    return {"case": result.case.name, "value": 1.5}


def _render(data, directory: Path) -> str:
    (directory / "demo_section.txt").write_text(str(data["value"]))
    return f"<p>{data['case']}: {data['value']}</p>"


def _fail(result):
    raise RuntimeError("no luck")


DEMO = Section("demo", "A demo", lambda case: case.name == "demo", _compute, _render)
BROKEN = Section("broken", "Broken", lambda case: True, _fail, _render)
ELSEWHERE = Section("elsewhere", "Other cases", lambda case: False, _compute, _render)


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(
        sections_module,
        "SECTIONS",
        {n: f"{__name__}:{n.upper()}" for n in ("demo", "broken", "elsewhere")},
    )


def test_sections_that_apply_are_computed_failures_reported(registry):
    data, seconds, errors = compute_sections(_Result())
    assert data == {"demo": {"case": "demo", "value": 1.5}}
    assert set(seconds) == {"demo", "broken"}
    assert errors == {"broken": "RuntimeError: no luck"}


def test_rendered_in_registry_order_with_their_files(registry, tmp_path):
    out = render_sections({"demo": {"case": "demo", "value": 1.5}}, tmp_path)
    assert out == [("A demo", "<p>demo: 1.5</p>")]
    assert (tmp_path / "demo_section.txt").read_text() == "1.5"
