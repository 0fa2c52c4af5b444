"""Writing to disk safely: each file or folder is built beside its target and renamed in.

The report owns only what it writes. A page or a data file is written to a temporary name
in its own folder and renamed over the old one (:func:`write_text_atomic`); a case's or a
study's folder is built as ``.<name>.tmp-XXXX/`` beside it and swapped in as a whole
(:func:`write_atomic_dir`). Nothing else in the output folder is read, moved or deleted,
and the folders keep their permissions. If a build fails or is interrupted (Ctrl-C
included) its temporary folder is removed and the previous version stays whole.
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from .._atomic import write_file_atomic
from ._html import DPI

__all__ = [
    "check_out_dir",
    "out_dir_problem",
    "save_figures",
    "write_atomic_dir",
    "write_text_atomic",
]


def check_out_dir(out: str | os.PathLike, name: str = "out") -> Path:
    """``out`` as a Path; a ValueError if it exists and is not a folder.

    A report is written *into* a folder; an existing file of that name is the user's and
    is never replaced or renamed.
    """
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise ValueError(f"{name} must be a folder (new or existing); {str(path)!r} is a file")
    return path


def out_dir_problem(out: str | os.PathLike, name: str = "--out") -> str | None:
    """Why a report cannot be written into ``out``, or None if it can; nothing is left behind.

    Called once per command, before anything is fitted, so that a bad ``--out`` costs an
    error message rather than minutes of fitting and a traceback. Refused: an existing
    file (the user's: never replaced), a path under a file, a folder (or, for a new one,
    its nearest existing parent) in which a file cannot be created: read-only, no
    permission, read-only file system. The last is tested by creating and removing a
    hidden probe file, since permission bits alone say nothing for root or for a
    read-only mount.

    Parameters
    ----------
    out : path
        The report folder (new or existing).
    name : str
        The argument's name, for the message.

    Returns
    -------
    str or None
        The message (naming ``name`` and the path), or None.
    """
    path = Path(out)
    if path.exists() and not path.is_dir():
        return f"{name} must be a folder (new or existing); {str(out)!r} is a file"
    existing = path.absolute()
    while not existing.exists():
        if os.path.lexists(existing):  # a dangling symbolic link
            return f"{name} {str(out)!r} cannot be created: {str(existing)!r} is a broken link"
        existing = existing.parent
    if not existing.is_dir():
        return (
            f"{name} {str(out)!r} cannot be created: {str(existing)!r} is a file, not a "
            "folder; give a folder path"
        )
    where = "" if existing == path.absolute() else f" (its nearest existing folder {existing})"
    try:
        fd, probe = tempfile.mkstemp(prefix=".write-test-", dir=existing)
    except OSError as exc:
        return (
            f"{name} {str(out)!r} is not writable{where}: {exc.strerror}; give a folder "
            "you can write to"
        )
    os.close(fd)
    os.unlink(probe)
    return None


def _fresh_path(parent: Path, prefix: str) -> Path:
    """A name in ``parent`` that does not exist yet (nothing is created)."""
    while True:
        path = parent / f"{prefix}{secrets.token_hex(4)}"
        if not os.path.lexists(path):
            return path


def write_atomic_dir(
    target: str | os.PathLike, build: Callable[[Path], object], *, keep_files: bool = True
) -> Path:
    """Build a folder with ``build(tmp)`` beside ``target``, then swap it in as a whole.

    Parameters
    ----------
    target : path
        The folder to (re)place; its parents are created. It must not be a file.
    build : callable ``(Path) -> object``
        Writes the contents into the empty temporary folder it is given
        (``<parent>/.<name>.tmp-XXXX``).
    keep_files : bool, default True
        Copy the plain files at the top of an existing ``target`` that ``build`` did not
        write (a README) into the new folder. The pages pass False: their folders are
        theirs alone, and a figure an earlier version drew must not linger.

    Returns
    -------
    Path
        ``target``, absolute. A replaced folder keeps its permission bits; a new one gets
        the umask's. If ``build`` raises (KeyboardInterrupt included) the temporary folder
        is removed and ``target`` is as it was.
    """
    target = Path(target).absolute()
    check_out_dir(target, "target")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _fresh_path(target.parent, f".{target.name}.tmp-")
    tmp.mkdir()  # honours the umask, unlike tempfile.mkdtemp's 0o700
    old = None
    try:
        build(tmp)
        if target.is_dir():
            if keep_files:
                for entry in target.iterdir():
                    if entry.is_file() and not (tmp / entry.name).exists():
                        shutil.copy2(entry, tmp / entry.name)
            os.chmod(tmp, stat.S_IMODE(target.stat().st_mode))
            old = _fresh_path(target.parent, f".{target.name}.old-")
            os.rename(target, old)
            try:
                os.rename(tmp, target)
            except BaseException:
                os.rename(old, target)  # put the previous version back
                old = None
                raise
        else:
            os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return target


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` through a temporary file in the same folder and rename it over ``path``.

    A reader never sees half a page. An existing file keeps its permission bits; a new one
    gets the umask's (``0o666`` less the umask). See :func:`compare._atomic.write_file_atomic`.
    """
    write_file_atomic(path, text)
    return Path(path)


def save_figures(
    directory: Path, figures: Iterable[tuple[str, Callable[[], object]]]
) -> tuple[list[str], dict[str, str]]:
    """Draw and save each figure as ``<directory>/<stem>.png``; one failure loses only itself.

    Parameters
    ----------
    directory : Path
    figures : iterable of (str, callable)
        ``(stem, draw)``: ``draw()`` returns anything with ``savefig(path, dpi=...)`` (a
        matplotlib ``Figure``, an ArviZ ``PlotCollection``).

    Returns
    -------
    written : list of str
        The stems saved, in order.
    errors : dict of str to str
        ``{stem: "ErrorClass: message"}`` for the figures that failed.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    written, errors = [], {}
    for stem, draw in figures:
        before = set(plt.get_fignums())
        try:
            draw().savefig(directory / f"{stem}.png", dpi=DPI)
            written.append(stem)
        except Exception as exc:  # one failed plot must not lose the rest of the page
            errors[stem] = f"{type(exc).__name__}: {exc}"
        finally:
            # ArviZ draws through pyplot: close what this figure opened, nothing else.
            for number in set(plt.get_fignums()) - before:
                plt.close(number)
    return written, errors
