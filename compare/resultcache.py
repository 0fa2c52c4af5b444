"""A cache of finished jobs: a case's page folder or a study's folder, keyed by what made it.

A report re-run with nothing changed should not fit anything again. Each job (one case or
one study) gets a key, a SHA-256 of everything that determines its output:

- the kind of job (``"case"`` or ``"study"``) and its name;
- its settings (draws, tune, chains, sampler, seed, method, quick or level, ...);
- the case's own definition (:func:`fingerprint` of the :class:`~compare.cases.Case`: its
  data fields and the parameters its generator and model builders close over);
- the versions of the libraries the numbers depend on (:data:`LIBRARIES`) and of Python;
- a hash of the project's source (every file under ``em/``, ``models/``, ``compare/``
  except byte code), computed once per process.

An entry is the job's output folder exactly as written plus ``manifest.json`` (the key's
parts in readable form, when it was made, how long the job took, its one-line summary,
the data the report's index needs, and a SHA-256 per file). Entries are written beside
their final place and renamed into it, so a reader never sees half an entry; an entry
whose manifest or files do not check out is ignored and replaced.

Where: ``$EM_VS_BAYES_CACHE`` if set, else ``$XDG_CACHE_HOME/em-vs-bayes/results``, else
``~/.cache/em-vs-bayes/results``. Size and clearing::

    python -m compare.resultcache info     # where, how many entries, how many MB
    python -m compare.resultcache clear    # delete every entry (nothing else in the folder)

or delete the folder by hand. ``ResultCache(read=False)`` (the CLI's ``--no-cache``)
fits everything again and stores the new results.

A restored page says that it was read from the cache: page writers put
:data:`NOTE_MARKER` where the note goes, and :func:`restore` fills it in.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import hashlib
import html
import importlib.metadata
import json
import math
import os
import platform
import shutil
import sys
import time
import types
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from .reports._files import write_atomic_dir
from .reports._html import NOTE_MARKER

__all__ = [
    "CACHE_ENV",
    "KINDS",
    "LIBRARIES",
    "NOTE_MARKER",
    "CacheInfo",
    "CachedJob",
    "JobKey",
    "ResultCache",
    "default_cache_dir",
    "fingerprint",
    "job_key",
    "library_versions",
    "restore",
    "source_digest",
]

CACHE_ENV = "EM_VS_BAYES_CACHE"
KINDS = ("case", "study")
# The numbers, figures and files depend on these (arviz 1.x is split into three packages;
# xarray and h5netcdf write posterior.nc).
LIBRARIES = (
    "numpy",
    "scipy",
    "pymc",
    "pytensor",
    "arviz",
    "arviz-base",
    "arviz-stats",
    "arviz-plots",
    "nutpie",
    "matplotlib",
    "xarray",
    "h5netcdf",
)
PACKAGES = ("em", "models", "compare")
ROOT = Path(__file__).resolve().parents[1]
MANIFEST = "manifest.json"
OUTPUT = "output"
_FORMAT = 1  # bump when the entry layout changes: old entries then miss


def default_cache_dir() -> Path:
    """``$EM_VS_BAYES_CACHE``, else ``$XDG_CACHE_HOME/em-vs-bayes/results``, else
    ``~/.cache/em-vs-bayes/results``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "em-vs-bayes" / "results"


# --------------------------------------------------------------------------------------------
# The key


@functools.cache
def library_versions() -> dict[str, str]:
    """``{distribution: version}`` for :data:`LIBRARIES` plus ``"python"``.

    Read from the installed metadata, so nothing heavy is imported; a library that is not
    installed is ``"absent"``.
    """
    out = {}
    for name in LIBRARIES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "absent"
    out["python"] = platform.python_version()
    return out


def _source_files(root: Path) -> list[Path]:
    files = []
    for package in PACKAGES:
        for path in (root / package).rglob("*"):
            # Byte code follows the source; editor and OS droppings are not package data.
            skip = "__pycache__" in path.parts or path.suffix == ".pyc" or path.name[0] == "."
            if path.is_file() and not skip:
                files.append(path)
    return sorted(files)


def source_digest(root: str | os.PathLike | None = None) -> str:
    """SHA-256 of the project's source: every file under ``em/``, ``models/``, ``compare/``.

    Paths (relative to ``root``) and contents both count, so an added, removed, renamed or
    edited file changes it. About 100 files, a few milliseconds; cached per process for the
    project's own root.

    Parameters
    ----------
    root : path, optional
        The folder holding the packages (default: this project's).
    """
    if root is None:
        return _project_digest()
    root = Path(root)
    digest = hashlib.sha256()
    for path in _source_files(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@functools.cache
def _project_digest() -> str:
    return source_digest(ROOT)


def fingerprint(obj: Any) -> str:
    """A SHA-256 of ``obj``'s content that is the same in every process and on every run.

    ``repr`` is not: a :class:`~compare.cases.Case` holds functions whose repr carries a
    memory address. Here a function counts by its module, name, byte code, constants,
    defaults and the values it closes over (a case's generator closes over its counts and
    truth), a dataclass by its fields, an array by its dtype, shape and bytes.

    Raises
    ------
    TypeError
        For an object with none of these forms whose repr names a memory address (it
        would give another key in every process).
    """
    digest = hashlib.sha256()
    _feed(digest, obj, set())
    return digest.hexdigest()


def _feed(h, obj, seen: set[int]) -> None:
    if obj is None or isinstance(obj, bool | int | str | bytes):
        h.update(f"{type(obj).__name__}:{obj!r};".encode())
    elif isinstance(obj, float):
        # repr keeps every bit; -0.0 and nan spelled out.
        h.update(f"float:{obj!r};".encode())
    elif isinstance(obj, np.generic):
        _feed(h, obj.item(), seen)
    elif isinstance(obj, np.ndarray):
        h.update(f"ndarray:{obj.dtype.str}:{obj.shape};".encode())
        h.update(np.ascontiguousarray(obj).tobytes())
    elif id(obj) in seen:  # a recursive function refers to itself through its closure
        h.update(b"<seen>;")
    elif isinstance(obj, Mapping):
        seen.add(id(obj))
        h.update(b"map{")
        for key in sorted(obj, key=repr):
            _feed(h, key, seen)
            _feed(h, obj[key], seen)
        h.update(b"}")
    elif isinstance(obj, list | tuple | set | frozenset):
        seen.add(id(obj))
        items = sorted(obj, key=repr) if isinstance(obj, set | frozenset) else obj
        h.update(f"{type(obj).__name__}[".encode())
        for item in items:
            _feed(h, item, seen)
        h.update(b"]")
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        seen.add(id(obj))
        h.update(f"dataclass:{type(obj).__module__}.{type(obj).__qualname__}(".encode())
        for f in dataclasses.fields(obj):
            _feed(h, f.name, seen)
            _feed(h, getattr(obj, f.name), seen)
        h.update(b")")
    elif isinstance(obj, types.FunctionType):
        seen.add(id(obj))
        h.update(f"function:{obj.__module__}.{obj.__qualname__}(".encode())
        _feed(h, obj.__code__, seen)
        _feed(h, obj.__defaults__, seen)
        _feed(h, obj.__kwdefaults__, seen)
        cells = [c.cell_contents if _filled(c) else "<empty>" for c in obj.__closure__ or ()]
        _feed(h, cells, seen)
        h.update(b")")
    elif isinstance(obj, types.CodeType):
        h.update(b"code:" + obj.co_code)
        _feed(h, obj.co_consts, seen)
        _feed(h, obj.co_names, seen)
    elif isinstance(obj, functools.partial):
        seen.add(id(obj))
        h.update(b"partial(")
        _feed(h, [obj.func, obj.args, obj.keywords], seen)
        h.update(b")")
    elif isinstance(obj, type | types.BuiltinFunctionType | types.ModuleType):
        h.update(f"{type(obj).__name__}:{obj.__module__}.{obj.__qualname__};".encode())
    else:
        text = repr(obj)
        if " at 0x" in text:
            raise TypeError(
                f"fingerprint: cannot hash an object of type {type(obj).__name__} stably "
                f"(its repr {text[:60]!r} names a memory address); accepted: numbers, "
                "strings, arrays, mappings, sequences, dataclasses and functions"
            )
        h.update(f"repr:{type(obj).__qualname__}:{text};".encode())


def _filled(cell) -> bool:
    try:
        cell.cell_contents  # noqa: B018 - an empty cell raises
    except ValueError:
        return False
    return True


def _check_settings(value, path: str = "settings") -> None:
    """Settings go into the manifest as JSON and into the key: plain values only."""
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{path} must be finite; got {value!r}")
        return
    if isinstance(value, Mapping):
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"{path} keys must be strings; got {k!r}")
            _check_settings(v, f"{path}[{k!r}]")
        return
    if isinstance(value, list | tuple):
        for i, v in enumerate(value):
            _check_settings(v, f"{path}[{i}]")
        return
    raise TypeError(
        f"{path} must hold JSON values (None, bool, int, float, str, lists, dicts with "
        f"string keys); got {type(value).__name__} {value!r}"
    )


@dataclasses.dataclass(frozen=True)
class JobKey:
    """The key of one job.

    Attributes
    ----------
    digest : str
        64 hex digits, the entry's name in the cache.
    parts : dict
        What went into it, readable: ``kind``, ``name``, ``settings``, ``case`` (the
        case's fingerprint or None), ``versions``, ``source``. Stored in the manifest so
        that ``info`` and a reader can see why two runs missed each other.
    """

    digest: str
    parts: dict


def job_key(
    kind: str,
    name: str,
    settings: Mapping[str, Any],
    case: Any = None,
    *,
    versions: Mapping[str, str] | None = None,
    source: str | None = None,
) -> JobKey:
    """The key of one job: a hash of everything that determines its output.

    Parameters
    ----------
    kind : {"case", "study"}
    name : str
        The case's or the study's name.
    settings : mapping of str to JSON values
        Everything the job is run with: for a case ``seed``, ``draws``, ``tune``,
        ``chains``, ``sampler``, ``quick``, ``method``; for a study ``level``, ``seed``,
        ``sampler``.
    case : object, optional
        The case definition (a :class:`~compare.cases.Case`); hashed by :func:`fingerprint`.
    versions : mapping, optional
        Library versions (default: :func:`library_versions`); for tests.
    source : str, optional
        Source hash (default: :func:`source_digest` of this project); for tests.

    Returns
    -------
    JobKey

    Raises
    ------
    ValueError
        For another ``kind``, an empty ``name`` or a non-finite float in ``settings``.
    TypeError
        For settings that are not plain JSON values, or a case that cannot be hashed.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty string; got {name!r}")
    if not isinstance(settings, Mapping):
        raise TypeError(f"settings must be a mapping; got {type(settings).__name__}")
    _check_settings(dict(settings))
    parts = {
        "format": _FORMAT,
        "kind": kind,
        "name": name,
        "settings": dict(settings),
        "case": None if case is None else fingerprint(case),
        "versions": dict(library_versions() if versions is None else versions),
        "source": source_digest() if source is None else source,
    }
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return JobKey(hashlib.sha256(text.encode()).hexdigest(), parts)


# --------------------------------------------------------------------------------------------
# Entries


@dataclasses.dataclass(frozen=True)
class CachedJob:
    """One entry found in the cache.

    Attributes
    ----------
    digest : str
    path : Path
        The entry's folder.
    output : Path
        The job's folder as it was written (read it, do not change it: see :func:`restore`).
    manifest : dict
        ``key`` (digest), ``parts``, ``created`` (ISO time), ``seconds`` (what the job took),
        ``summary`` (its one-line progress summary), ``timings`` (its step seconds),
        ``index`` (what the report's index needs), ``files`` ({relative path: sha256}).
    """

    digest: str
    path: Path
    output: Path
    manifest: dict

    @property
    def seconds(self) -> float:
        """Wall seconds the original job took."""
        return float(self.manifest.get("seconds", math.nan))

    @property
    def created(self) -> str:
        """When the original job finished (ISO 8601, local time with offset)."""
        return str(self.manifest.get("created", ""))


@dataclasses.dataclass(frozen=True)
class CacheInfo:
    """How big a cache is: its folder, the number of entries and their bytes."""

    root: Path
    entries: int
    bytes: int

    def __str__(self) -> str:
        return f"{self.root}: {self.entries} entr(y/ies), {self.bytes / 1e6:.1f} MB"


def _file_hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _tree_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


class ResultCache:
    """Finished jobs on disk, by :class:`JobKey`.

    Parameters
    ----------
    root : path, optional
        Default :func:`default_cache_dir`; created on the first :meth:`put`.
    read : bool, default True
        False (``--no-cache``): :meth:`get` always misses, so every job runs again; its
        new result is still stored.
    write : bool, default True
        False: :meth:`put` stores nothing.
    max_bytes : int, optional
        After each :meth:`put`, the least recently used entries are deleted until the
        cache holds at most this much (the new entry is always kept). Default: no cap.
    """

    def __init__(
        self,
        root: str | os.PathLike | None = None,
        *,
        read: bool = True,
        write: bool = True,
        max_bytes: int | None = None,
    ) -> None:
        if max_bytes is not None and (
            isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 0
        ):
            raise ValueError(f"max_bytes must be an integer >= 0 or None; got {max_bytes!r}")
        self.root = Path(default_cache_dir() if root is None else root).expanduser()
        self.read, self.write, self.max_bytes = bool(read), bool(write), max_bytes

    def __repr__(self) -> str:
        return f"ResultCache({str(self.root)!r}, read={self.read}, write={self.write})"

    def _entry(self, digest: str) -> Path:
        return self.root / digest[:2] / digest

    def _entries(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return [
            e
            for shard in self.root.iterdir()
            if shard.is_dir() and len(shard.name) == 2 and not shard.name.startswith(".")
            for e in shard.iterdir()
            if e.is_dir() and len(e.name) == 64 and e.name.startswith(shard.name)
        ]

    def get(self, key: JobKey) -> CachedJob | None:
        """The entry for ``key``, or None (a miss, reading is off, or the entry is broken).

        A broken entry (manifest unreadable or for another key, a file missing, changed or
        added) is deleted, so the job runs and :meth:`put` writes it anew.
        """
        if not self.read:
            return None
        entry = self._entry(key.digest)
        if not entry.is_dir():
            return None
        cached = self._check(entry, key.digest)
        if cached is None:
            _remove(entry)
            return None
        os.utime(entry / MANIFEST)  # last use, for the size cap
        return cached

    def _check(self, entry: Path, digest: str) -> CachedJob | None:
        try:
            manifest = json.loads((entry / MANIFEST).read_text())
            output = entry / OUTPUT
            ok = (
                isinstance(manifest, dict)
                and manifest.get("key") == digest
                and output.is_dir()
                and _file_hashes(output) == manifest.get("files")
            )
        except (OSError, ValueError):
            return None
        return CachedJob(digest, entry, output, manifest) if ok else None

    def put(self, key: JobKey, folder: str | os.PathLike, manifest: Mapping | None = None):
        """Store the finished job's ``folder`` under ``key``.

        Parameters
        ----------
        key : JobKey
        folder : path
            The job's output folder as written (a case's page folder, a study's folder).
        manifest : mapping, optional
            JSON values to keep beside it; the cache reads ``seconds``, ``summary``,
            ``timings`` and ``index``. ``key``, ``parts``, ``created`` and ``files`` are
            added.

        Returns
        -------
        CachedJob or None
            The stored entry; None when writing is off.
        """
        folder = Path(folder)
        if not folder.is_dir():
            raise ValueError(f"folder must be an existing directory; got {str(folder)!r}")
        manifest = dict(manifest or {})
        try:
            json.dumps(manifest)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"manifest must hold JSON values only: {exc}") from None
        if not self.write:
            return None
        entry = self._entry(key.digest)
        entry.parent.mkdir(parents=True, exist_ok=True)
        # Built under a hidden name in the same folder, then renamed: readers see a whole
        # entry or none, and two processes storing the same key cannot mix their files.
        tmp = entry.parent / f".tmp-{key.digest[:12]}-{os.getpid()}-{time.time_ns()}"
        try:
            shutil.copytree(folder, tmp / OUTPUT, symlinks=False)
            manifest |= {
                "key": key.digest,
                "parts": key.parts,
                "created": manifest.get("created")
                or datetime.now().astimezone().isoformat(timespec="seconds"),
                "files": _file_hashes(tmp / OUTPUT),
            }
            (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
            if entry.exists():
                old = entry.parent / f".old-{key.digest[:12]}-{os.getpid()}-{time.time_ns()}"
                try:
                    entry.rename(old)
                except OSError:  # another process moved it first
                    old = None
                if old is not None:
                    _remove(old)
            try:
                tmp.rename(entry)
            except OSError:
                # Another process stored the same key between our check and our rename;
                # its entry holds the same job.
                _remove(tmp)
        except BaseException:
            _remove(tmp)
            raise
        if self.max_bytes is not None:
            self.prune(self.max_bytes, keep=key.digest)
        return self._check(entry, key.digest)

    def recorded_seconds(self, kind: str, name: str) -> float | None:
        """What the latest stored run of job ``name`` took (any settings), or None.

        An estimate for the progress display of a job that misses the cache (its seed or
        the code changed): the same case took about as long last time.
        """
        latest = None
        for entry in self._entries():
            try:
                manifest = json.loads((entry / MANIFEST).read_text())
                parts, created = manifest["parts"], manifest["created"]
                seconds = float(manifest["seconds"])
            except (OSError, ValueError, KeyError, TypeError):
                continue
            same = parts.get("kind") == kind and parts.get("name") == name
            if same and (latest is None or created > latest[0]):
                latest = (created, seconds)
        return None if latest is None else latest[1]

    def info(self) -> CacheInfo:
        """The folder, the number of entries and their total size in bytes."""
        entries = self._entries()
        return CacheInfo(self.root, len(entries), sum(_tree_bytes(e) for e in entries))

    def prune(self, max_bytes: int, *, keep: str | None = None) -> int:
        """Delete least recently used entries until at most ``max_bytes`` remain.

        ``keep`` (a digest) is never deleted. Returns the number of entries deleted.
        """
        entries = []
        for e in self._entries():
            try:
                entries.append(((e / MANIFEST).stat().st_mtime, _tree_bytes(e), e))
            except OSError:
                entries.append((0.0, _tree_bytes(e), e))
        total = sum(size for _, size, _ in entries)
        removed = 0
        for _, size, e in sorted(entries, key=lambda t: t[0]):
            if total <= max_bytes:
                break
            if e.name == keep:
                continue
            _remove(e)
            total -= size
            removed += 1
        return removed

    def clear(self) -> int:
        """Delete every entry (and half-written ones); returns how many entries went.

        Only the cache's own entries are deleted, never other files in its folder (the
        folder may be one a user named by ``$EM_VS_BAYES_CACHE``).
        """
        entries = self._entries()
        for e in entries:
            _remove(e)
        if self.root.is_dir():
            for shard in self.root.iterdir():
                if shard.is_dir() and len(shard.name) == 2:
                    for leftover in shard.glob(".tmp-*"):
                        _remove(leftover)
                    for leftover in shard.glob(".old-*"):
                        _remove(leftover)
                    if not any(shard.iterdir()):
                        shard.rmdir()
        return len(entries)


def _remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Putting a cached folder back


def cache_note(cached: CachedJob, markdown: bool = False) -> str:
    """What a restored page says about where it came from."""
    when = cached.created.replace("T", " ") or "an earlier run"
    text = (
        "Read from the result cache: these results are those of the run of {when} "
        "({secs}), with the same settings, case definition, source code and library "
        "versions; nothing was fitted again. Run with {flag} to fit again."
    )
    secs = f"{cached.seconds:.1f} s" if math.isfinite(cached.seconds) else "time not recorded"
    if markdown:
        return "*" + text.format(when=when, secs=secs, flag="`--no-cache`") + "*\n"
    return (
        "<p class='cache-note' style='color:#555;font-size:0.9em'>"
        + text.format(when=html.escape(when), secs=secs, flag="<code>--no-cache</code>")
        + "</p>"
    )


def restore(cached: CachedJob, dest: str | os.PathLike, *, note: bool = True) -> Path:
    """Copy a cached job's folder to ``dest``, replacing whatever was there, atomically.

    The copy is built beside ``dest`` under a hidden name and renamed into place
    (:func:`compare.reports._files.write_atomic_dir`); nothing else in ``dest``'s parent is
    touched, and an interrupted restore leaves the old ``dest`` whole.

    Parameters
    ----------
    cached : CachedJob
    dest : path
        The job's folder in the report (``reports/<case>``, ``reports/studies/<name>``).
    note : bool, default True
        Put :func:`cache_note` in place of :data:`NOTE_MARKER` in every ``.html`` and
        ``.md`` file that has it (the marker stays, before the note).

    Returns
    -------
    Path
        ``dest``.
    """
    if not isinstance(cached, CachedJob):
        raise TypeError(f"cached must be a CachedJob from ResultCache.get; got {cached!r}")

    def build(tmp: Path) -> None:
        shutil.copytree(cached.output, tmp, dirs_exist_ok=True)
        if note:
            for page in (*tmp.rglob("*.html"), *tmp.rglob("*.md")):
                text = page.read_text()
                if NOTE_MARKER in text:
                    filled = NOTE_MARKER + cache_note(cached, page.suffix == ".md")
                    page.write_text(text.replace(NOTE_MARKER, filled, 1))

    return write_atomic_dir(dest, build, keep_files=False)


# --------------------------------------------------------------------------------------------
# python -m compare.resultcache info|clear


def main(argv: list[str] | None = None) -> int:
    """``info`` prints the cache's folder, entries and size; ``clear`` empties it."""
    parser = argparse.ArgumentParser(
        prog="python -m compare.resultcache",
        description=f"The result cache of python -m compare (folder: ${CACHE_ENV}, else "
        "$XDG_CACHE_HOME/em-vs-bayes/results, else ~/.cache/em-vs-bayes/results).",
    )
    parser.add_argument("action", choices=("info", "clear"))
    parser.add_argument("--dir", help="cache folder (default: as above)")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    cache = ResultCache(args.dir)
    if args.action == "info":
        print(cache.info())
    else:
        print(f"removed {cache.clear()} entr(y/ies) from {cache.root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
