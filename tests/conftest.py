"""Settings for the whole suite.

- Figures render off-screen (no display on CI).
- ``html_page``: parse HTML with the standard library (tags must nest), read its tables;
  for the ``_repr_html_`` and page tests of every package.
- Under CI (``CI`` set, as ``.ci/run`` has it) hypothesis derandomizes: the same examples on
  every run, so a red CI is a reproducible failure, never a lucky draw. Locally it keeps
  exploring new examples.
- Every test has a result cache of its own (``EM_VS_BAYES_CACHE``, inherited by worker
  processes): a test never reads the user's cached results, and a stand-in result a test
  stores can never be read back by a real run or by another test.
"""

import os
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from hypothesis import settings

os.environ.setdefault("MPLBACKEND", "Agg")

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


# Elements without a closing tag.
VOID = {"img", "br", "hr", "meta", "link", "input", "col", "source", "wbr"}


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tables: list[dict] = []
        self.images: list[dict] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            if tag == "img":
                self.images.append(dict(attrs))
            return
        self.stack.append(tag)
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th", "caption"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
            return
        self.stack.pop()
        if tag in ("td", "th") and self._cell is not None and self.tables:
            self.tables[-1]["rows"][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "caption" and self._cell is not None and self.tables:
            self.tables[-1]["caption"] = "".join(self._cell).strip()
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _parse_html(text: str) -> _Checker:
    """Parse ``text``; raises AssertionError when tags do not nest or stay open."""
    checker = _Checker()
    checker.feed(text)
    checker.close()
    assert not checker.errors, checker.errors
    assert not checker.stack, f"unclosed tags: {checker.stack}"
    return checker


def _table_with(parsed: _Checker, caption_part: str) -> dict:
    """The first table whose caption contains ``caption_part``."""
    for t in parsed.tables:
        if caption_part in t["caption"]:
            return t
    raise AssertionError(
        f"no table captioned {caption_part!r}: {[t['caption'] for t in parsed.tables]}"
    )


@pytest.fixture
def html_page():
    """``parse(text)`` (asserts the tags nest and close) and ``table_with(parsed, caption)``."""
    return SimpleNamespace(parse=_parse_html, table_with=_table_with)


@pytest.fixture(autouse=True, scope="session")
def _session_result_cache(tmp_path_factory):
    # For module- and session-scoped fixtures, which are set up before a test's own.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EM_VS_BAYES_CACHE", str(tmp_path_factory.mktemp("result-cache")))
        yield


@pytest.fixture(autouse=True)
def _own_result_cache(_session_result_cache, tmp_path_factory, monkeypatch):
    monkeypatch.setenv("EM_VS_BAYES_CACHE", str(tmp_path_factory.mktemp("result-cache")))
