import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compare import resultcache as rc
from compare.cases import CASES

SETTINGS = {"seed": 3, "draws": 500, "tune": 500, "chains": 2, "sampler": "nutpie"}


def fake_job(seed: int, folder: Path) -> dict:
    """A stand-in for a case: numbers from a seed, written as a page folder."""
    folder.mkdir(parents=True, exist_ok=True)
    x = np.random.default_rng(seed).normal(size=5)
    (folder / "metrics.json").write_text(json.dumps({"mean": float(x.mean()), "x": x.tolist()}))
    (folder / "index.html").write_text(f"<html><body>{rc.NOTE_MARKER}<p>{x.sum()!r}</p></body>")
    (folder / "index.md").write_text(f"# fake\n\n{rc.NOTE_MARKER}\n")
    (folder / "sub").mkdir(exist_ok=True)
    (folder / "sub" / "data.bin").write_bytes(x.tobytes())
    return {"mean": float(x.mean())}


def run_with_cache(cache, seed, dest, staging):
    """How the CLI uses the cache: restore on a hit, else run, store and restore."""
    key = rc.job_key("case", "fake", {**SETTINGS, "seed": seed}, source="src", versions={})
    hit = cache.get(key)
    if hit is None:
        fake_job(seed, staging)
        hit = cache.put(key, staging, {"seconds": 1.5, "summary": "fake ok"})
        assert hit is not None
        return rc.restore(hit, dest, note=False), False
    return rc.restore(hit, dest), True


def read_numbers(folder: Path) -> dict:
    return json.loads((folder / "metrics.json").read_text())


def test_cached_and_fresh_jobs_write_the_same_numbers(tmp_path):
    cache = rc.ResultCache(tmp_path / "cache")
    fresh, hit = run_with_cache(cache, 7, tmp_path / "out1" / "fake", tmp_path / "s1")
    assert not hit
    cached, hit = run_with_cache(cache, 7, tmp_path / "out2" / "fake", tmp_path / "s2")
    assert hit
    assert read_numbers(fresh) == read_numbers(cached)
    assert (fresh / "sub" / "data.bin").read_bytes() == (cached / "sub" / "data.bin").read_bytes()
    # The cached page says where it came from, with the original date and how to refit.
    page = (cached / "index.html").read_text()
    assert "Read from the result cache" in page and "--no-cache" in page
    created = cache.get(rc.job_key("case", "fake", {**SETTINGS, "seed": 7}, source="src",
                                   versions={})).created  # fmt: skip
    assert created.replace("T", " ") in page
    assert "Read from the result cache" in (cached / "index.md").read_text()
    assert "Read from the result cache" not in (fresh / "index.html").read_text()
    # Another seed is another job: a miss, other numbers.
    other, hit = run_with_cache(cache, 8, tmp_path / "out3" / "fake", tmp_path / "s3")
    assert not hit and read_numbers(other) != read_numbers(fresh)
    assert cache.info().entries == 2


def base_key(**overrides):
    args = {
        "kind": "case",
        "name": "lecture-1d",
        "settings": dict(SETTINGS),
        "case": CASES["lecture-1d"],
        "versions": {"numpy": "2.0", "pymc": "6.4", "python": "3.12.1"},
        "source": "abc",
    } | overrides
    return rc.job_key(
        args["kind"],
        args["name"],
        args["settings"],
        args["case"],
        versions=args["versions"],
        source=args["source"],
    ).digest


@pytest.mark.parametrize(
    "override",
    [
        {"kind": "study"},
        {"name": "lecture-1d-close"},
        {"settings": SETTINGS | {"seed": 4}},
        {"settings": SETTINGS | {"draws": 501}},
        {"settings": SETTINGS | {"tune": 499}},
        {"settings": SETTINGS | {"chains": 4}},
        {"settings": SETTINGS | {"sampler": "pymc"}},
        {"settings": SETTINGS | {"method": "marsaglia"}},
        {"settings": SETTINGS | {"quick": True}},
        {"case": CASES["lecture-1d-close"]},
        {"case": None},
        {"versions": {"numpy": "2.1", "pymc": "6.4", "python": "3.12.1"}},
        {"versions": {"numpy": "2.0", "pymc": "6.4", "python": "3.13.0"}},
        {"source": "abd"},
    ],
)
def test_every_key_part_changes_the_key(override):
    assert base_key(**override) != base_key()


def test_key_is_stable_and_ignores_settings_order():
    reordered = dict(reversed(list(SETTINGS.items())))
    assert base_key(settings=reordered) == base_key()
    # The real defaults: versions of the installed libraries and this project's source.
    a = rc.job_key("case", "x", SETTINGS)
    assert a == rc.job_key("case", "x", SETTINGS)
    assert a.parts["versions"]["python"] and a.parts["versions"]["pymc"] != "absent"


def test_a_source_files_content_changes_the_key(tmp_path):
    for package in rc.PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("x = 1\n")
    (tmp_path / "compare" / "__pycache__").mkdir()
    (tmp_path / "compare" / "__pycache__" / "m.pyc").write_bytes(b"ignored")
    before = rc.source_digest(tmp_path)
    (tmp_path / "compare" / "__pycache__" / "m.pyc").write_bytes(b"still ignored")
    assert rc.source_digest(tmp_path) == before
    (tmp_path / "models" / "__init__.py").write_text("x = 2\n")
    changed = rc.source_digest(tmp_path)
    assert changed != before
    assert base_key(source=changed) != base_key(source=before)
    (tmp_path / "em" / "data.json").write_text("{}")  # package data counts too
    assert rc.source_digest(tmp_path) != changed


def test_case_fingerprint_sees_the_generator_parameters():
    case = CASES["lecture-1d"]
    same = rc.fingerprint(case)
    assert rc.fingerprint(case) == same
    # A case with other truth (what its generator closes over) is another case.
    truth = {k: np.asarray(v) * 1.0 for k, v in case.truth.items()}
    truth["means"] = truth["means"] + 1e-9
    import dataclasses

    assert rc.fingerprint(dataclasses.replace(case, truth=truth)) != same

    def make(scale):
        return lambda seed: seed * scale

    assert rc.fingerprint(make(2)) != rc.fingerprint(make(3))
    assert rc.fingerprint(make(2)) == rc.fingerprint(make(2))


@settings(max_examples=30, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
        max_leaves=10,
    )
)
def test_fingerprint_is_a_function_of_content(value):
    assert rc.fingerprint(value) == rc.fingerprint(json.loads(json.dumps(value)))


def test_fingerprint_refuses_objects_with_addresses():
    with pytest.raises(TypeError, match="memory address"):
        rc.fingerprint(object())


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (("job", "x", {}), ValueError, "kind must be one of case, study"),
        (("case", "", {}), ValueError, "name must be a non-empty string"),
        (("case", "x", [1]), TypeError, "settings must be a mapping"),
        (("case", "x", {"a": object()}), TypeError, r"settings\['a'\] must hold JSON"),
        (("case", "x", {"a": float("nan")}), ValueError, r"settings\['a'\] must be finite"),
    ],
)
def test_bad_key_arguments_say_what_is_accepted(args, error, match):
    with pytest.raises(error, match=match):
        rc.job_key(*args)


def test_no_cache_bypass_refits_and_stores(tmp_path):
    key = rc.job_key("case", "fake", SETTINGS, source="s", versions={})
    fake_job(1, tmp_path / "a")
    rc.ResultCache(tmp_path / "c").put(key, tmp_path / "a", {"seconds": 2.0})
    bypass = rc.ResultCache(tmp_path / "c", read=False)
    assert bypass.get(key) is None  # --no-cache: the job runs again
    fake_job(2, tmp_path / "b")
    bypass.put(key, tmp_path / "b", {"seconds": 3.0})  # ... and its new result is kept
    hit = rc.ResultCache(tmp_path / "c").get(key)
    assert read_numbers(hit.output) == read_numbers(tmp_path / "b") and hit.seconds == 3.0
    assert rc.ResultCache(tmp_path / "c", write=False).put(key, tmp_path / "a") is None


@pytest.mark.parametrize(
    "damage",
    [
        lambda e: (e / "manifest.json").write_text("{not json"),
        lambda e: (e / "manifest.json").unlink(),
        lambda e: (e / "output" / "metrics.json").write_text("{}"),
        lambda e: (e / "output" / "sub" / "data.bin").unlink(),
        lambda e: (e / "output" / "extra.txt").write_text("half of another write"),
        lambda e: (e / "manifest.json").write_text(json.dumps({"key": "0" * 64})),
    ],
)
def test_a_corrupted_entry_is_ignored_and_replaced(tmp_path, damage):
    cache = rc.ResultCache(tmp_path / "c")
    key = rc.job_key("study", "fake", {"level": "quick"}, source="s", versions={})
    fake_job(1, tmp_path / "a")
    entry = cache.put(key, tmp_path / "a", {"seconds": 1.0}).path
    damage(entry)
    assert cache.get(key) is None
    assert not entry.exists()
    assert cache.put(key, tmp_path / "a", {"seconds": 1.0}) is not None
    assert read_numbers(cache.get(key).output) == read_numbers(tmp_path / "a")


def test_restore_replaces_dest_and_never_touches_siblings(tmp_path):
    cache = rc.ResultCache(tmp_path / "c")
    key = rc.job_key("case", "fake", SETTINGS, source="s", versions={})
    fake_job(5, tmp_path / "staging")
    hit = cache.put(key, tmp_path / "staging", {"seconds": 1.0})
    out = tmp_path / "reports"
    (out / "other-case").mkdir(parents=True)
    (out / "other-case" / "index.html").write_text("other")
    (out / "index.html").write_text("top")
    (out / "fake").mkdir()
    (out / "fake" / "stale.png").write_text("from an earlier run")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and "fake" not in p.parts}
    rc.restore(hit, out / "fake")
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and "fake" not in p.parts}
    assert after == before
    assert sorted(p.name for p in out.iterdir()) == ["fake", "index.html", "other-case"]
    assert not (out / "fake" / "stale.png").exists()  # the folder is the cached one, whole
    assert read_numbers(out / "fake") == read_numbers(tmp_path / "staging")
    # The cache itself is unchanged by the note written into the restored page.
    assert cache.get(key) is not None
    with pytest.raises(TypeError, match="cached must be a CachedJob"):
        rc.restore(str(hit.output), out / "fake")


def test_recorded_seconds_of_the_latest_run_of_a_job(tmp_path):
    cache = rc.ResultCache(tmp_path / "c")
    fake_job(1, tmp_path / "a")
    assert cache.recorded_seconds("case", "fake") is None
    for seed, secs, created in ((1, 40.0, "2026-01-01T10:00:00"), (2, 30.0, "2026-01-02T10:00:00")):
        key = rc.job_key("case", "fake", {"seed": seed}, source="s", versions={})
        cache.put(key, tmp_path / "a", {"seconds": secs, "created": created})
    assert cache.recorded_seconds("case", "fake") == 30.0
    assert cache.recorded_seconds("study", "fake") is None


def test_info_clear_and_size_cap(tmp_path, capsys):
    root = tmp_path / "c"
    root.mkdir()
    (root / "mine.txt").write_text("a user's file in the folder they named")
    cache = rc.ResultCache(root)
    fake_job(1, tmp_path / "a")
    size = sum(p.stat().st_size for p in (tmp_path / "a").rglob("*") if p.is_file())
    keys = [rc.job_key("case", f"c{i}", {}, source="s", versions={}) for i in range(3)]
    for key in keys:
        cache.put(key, tmp_path / "a")
    info = cache.info()
    assert info.entries == 3 and info.bytes > 3 * size
    assert rc.main(["info", "--dir", str(root)]) == 0
    assert "3 entr" in capsys.readouterr().out
    # The cap keeps the most recently used entries (and always the new one).
    capped = rc.ResultCache(root, max_bytes=2 * (info.bytes // 3) + 200)
    cache.get(keys[0])  # used now: kept before keys[1] and keys[2]
    capped.put(rc.job_key("case", "new", {}, source="s", versions={}), tmp_path / "a")
    assert cache.get(keys[1]) is None and cache.get(keys[2]) is None
    assert cache.get(keys[0]) is not None and cache.info().entries == 2
    assert rc.main(["clear", "--dir", str(root)]) == 0
    assert cache.info().entries == 0
    assert (root / "mine.txt").exists()  # only the cache's own entries go
    with pytest.raises(ValueError, match="max_bytes must be an integer >= 0"):
        rc.ResultCache(root, max_bytes=-1)


def test_default_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv(rc.CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert rc.default_cache_dir() == tmp_path / "xdg" / "em-vs-bayes" / "results"
    monkeypatch.setenv(rc.CACHE_ENV, str(tmp_path / "mine"))
    assert rc.ResultCache().root == tmp_path / "mine"
