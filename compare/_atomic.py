"""Writing one file atomically: the one helper the report and the player share.

A leaf module (standard library only), so that every layer of ``compare`` may import it:
the report's page writers (:mod:`compare.reports._files`) and the player
(:mod:`compare.player`), which sits below the report and must not import it.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

__all__ = ["write_file_atomic"]


def _umask_mode(mode: int) -> int:
    umask = os.umask(0)
    os.umask(umask)
    return mode & ~umask


def write_file_atomic(path: str | os.PathLike, content: bytes | str) -> int:
    """Write ``content`` through a temporary file in the same folder, renamed over ``path``.

    A reader (or a report being rebuilt beside it) never sees half a file, and an
    interrupted write leaves the previous version in place. An existing file keeps its
    permission bits; a new one gets the umask's (``0o666`` less the umask): a report is
    meant to be read, and served.

    Parameters
    ----------
    path : path
        Its parent folders are created.
    content : bytes or str
        Text is encoded as UTF-8.

    Returns
    -------
    int
        The number of bytes written.
    """
    if not isinstance(content, bytes | str):
        raise TypeError(f"content must be bytes or str; got {type(content).__name__}")
    data = content.encode() if isinstance(content, str) else content
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = stat.S_IMODE(path.stat().st_mode) if path.is_file() else _umask_mode(0o666)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)  # mkstemp makes it private
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(data)
