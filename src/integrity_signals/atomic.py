"""Writing output files so that a failure never leaves a half-written one.

Every file is written to a temporary file in the same folder, then renamed
over its final name (``os.replace``, atomic on one file system): a process
killed mid-write, a full disk or Ctrl-C leaves the previous output as it was
(and at most a hidden ``.<name>.tmp-...`` file, removed whenever Python can
still run). :func:`writing_all` does the same for a set of files that belong
together (the flags and the officers of one batch): none is renamed until all
are written. A failed write raises :class:`OutputError`, which names the file,
its folder and why (the disk is full, the folder is read-only).
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from .exceptions import IntegritySignalsError

__all__ = ["OutputError", "replacing", "writing_all"]

_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}
_READONLY = {errno.EROFS, errno.EACCES, errno.EPERM}


class OutputError(IntegritySignalsError, OSError):
    """An output file could not be written (``params``: path, folder, why, detail)."""


def output_error(path: Path, exc: OSError) -> OutputError:
    why = "full" if exc.errno in _FULL else "readonly" if exc.errno in _READONLY else "other"
    detail = exc.strerror or str(exc)
    reason = {
        "full": "the disk is full",
        "readonly": "the folder is read-only or not yours",
        "other": "the write failed",
    }[why]
    return OutputError(
        f"Cannot write {str(path)!r}: {reason} ({detail}) in the folder {str(path.parent)!r}. "
        "Nothing was written there; free some space or choose another folder.",
        code="write_failed",
        params={"path": str(path), "folder": str(path.parent), "why": why, "detail": detail},
    )


def _temporary(path: Path) -> Path:
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.tmp-")
    os.close(fd)
    return Path(name)


@contextmanager
def replacing(path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path``, on any failure
    (an exception, Ctrl-C) it is removed and ``path`` is left as it was.

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "out.txt"
    >>> with replacing(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text()
    'done'
    """
    with writing_all([path]) as (tmp,):
        yield tmp


@contextmanager
def writing_all(paths) -> Iterator[list[Path]]:
    """Temporary paths for several outputs; all replace their final paths only once every one
    was written (the set is never half new, half old)."""
    paths = [Path(p) for p in paths]
    temps: list[Path] = []
    try:
        for path in paths:
            path.parent.mkdir(parents=True, exist_ok=True)
            temps.append(_temporary(path))
        yield temps
        for tmp, path in zip(temps, paths, strict=True):
            os.replace(tmp, path)
    except OSError as exc:
        _remove(temps)
        if isinstance(exc, OutputError):
            raise
        raise output_error(_final(exc, paths, temps), exc) from None
    except BaseException:  # Ctrl-C included: no partial file under a final name
        _remove(temps)
        raise


def _final(exc: OSError, paths: list[Path], temps: list[Path]) -> Path:
    """The output a failed write was for: the one whose temporary file the error names, else
    the one being created when it failed."""
    named = str(getattr(exc, "filename", "") or "")
    for path, tmp in zip(paths, temps, strict=False):
        if named in (str(tmp), str(path)):
            return path
    return paths[min(len(temps), len(paths) - 1)] if len(temps) < len(paths) else paths[0]


def _remove(temps: list[Path]) -> None:
    for tmp in temps:
        with suppress(OSError):
            tmp.unlink()


def write_atomically(path, write: Callable[[Path], object]) -> Path:
    """``write(temporary path)``, then the temporary file replaces ``path``."""
    with replacing(path) as tmp:
        write(tmp)
    return Path(path)
