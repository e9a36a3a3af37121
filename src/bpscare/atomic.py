"""Write to a temporary place, then rename into place: the one way bpscare replaces output.

A reader (or a process killed half-way) sees a file or folder either as it was or as it is
meant to be, never half-written:

- :func:`write_text` and :func:`write_bytes` write a sibling temporary file, flush it to disk and
  rename it over the target (``os.replace`` is atomic on POSIX and Windows).
- :func:`staged_dir` yields an empty sibling folder to fill; when the block ends normally, the
  folder replaces the target with :func:`replace_dir`, and when it raises, the folder is removed
  and the target is untouched.
- :func:`replace_dir` exchanges the two folders in one step with Linux's
  ``renameat2(RENAME_EXCHANGE)``. Where that is not available it falls back to two renames,
  rolling the first back if the second fails; a process killed between the two leaves the old
  folder at ``.<name>.old-*``, and :func:`recover_dir` (run by :func:`staged_dir` before it
  starts) puts it back.

Only the standard library is used, so a learner's kernel can import this module cheaply.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_OLD_INFIX = ".old-"


def write_bytes(path: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a sibling temporary file and an atomic rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def write_text(path: Path | str, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` through a sibling temporary file and an atomic rename."""
    return write_bytes(path, text.encode(encoding))


def copy_file(src: Path | str, dst: Path | str) -> Path:
    """Copy ``src`` to ``dst`` (contents and times) through a temporary file and a rename."""
    src, dst = Path(src), Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".tmp", dir=dst.parent)
    os.close(fd)
    try:
        shutil.copy2(src, tmp)
        os.replace(tmp, dst)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return dst


def leftover_temporaries(path: Path | str) -> list[Path]:
    """The temporary files a killed :func:`write_bytes` may have left beside ``path``."""
    path = Path(path)
    return sorted(path.parent.glob(f".{path.name}.*.tmp"))


def new_staging_dir(dest: Path | str, label: str = "staging") -> Path:
    """Create and return an empty folder beside ``dest`` (same file system, so renames work)."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{dest.name}.{label}-", dir=dest.parent))


@contextlib.contextmanager
def staged_dir(dest: Path | str, label: str = "staging") -> Iterator[Path]:
    """Yield an empty folder to fill; on success it replaces ``dest``, on error it is removed."""
    dest = Path(dest)
    recover_dir(dest)
    staging = new_staging_dir(dest, label)
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    replace_dir(staging, dest)


def replace_dir(staging: Path | str, dest: Path | str) -> None:
    """Put the folder ``staging`` at ``dest``, replacing any folder there; remove the old one."""
    staging, dest = Path(staging), Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if not dest.exists():
        staging.rename(dest)
        return
    if _exchange(staging, dest):
        shutil.rmtree(staging, ignore_errors=True)  # ``staging`` now holds the old folder
        return
    old = Path(tempfile.mkdtemp(prefix=f".{dest.name}{_OLD_INFIX}", dir=dest.parent))
    old.rmdir()
    dest.rename(old)
    try:
        staging.rename(dest)
    except BaseException:
        old.rename(dest)
        raise
    shutil.rmtree(old, ignore_errors=True)


def recover_dir(dest: Path | str) -> bool:
    """Restore ``dest`` from a ``.<name>.old-*`` folder left by a process killed mid-swap.

    Returns True when a folder was restored. Leftover staging folders are removed.
    """
    dest = Path(dest)
    if not dest.parent.is_dir():
        return False
    restored = False
    for leftover in sorted(dest.parent.glob(f".{dest.name}{_OLD_INFIX}*")):
        if not dest.exists():
            leftover.rename(dest)
            restored = True
        else:
            shutil.rmtree(leftover, ignore_errors=True)
    return restored


def exchange(a: Path | str, b: Path | str) -> bool:
    """Swap two existing paths in one atomic step; False where the platform cannot.

    Callers that must keep the old folder until something else is committed (the autograde
    engine keeps it until the gradebook transaction is) use this instead of :func:`replace_dir`.
    """
    return _exchange(Path(a), Path(b))


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2``); False where unsupported."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


@functools.cache
def _renameat2() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # no glibc >= 2.28
        return None
    function.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    function.restype = ctypes.c_int
    return function
