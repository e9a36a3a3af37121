"""When a report may fork a child process, how it talks to it through pipes, and how it is reaped.

Used by :mod:`.figure_fork`, :mod:`.page_fork` and :mod:`.scan_fork`, which each fork a child
for one piece of a report's work and fall back to doing it in the calling process.
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
import threading
import time

__all__ = ["child_output", "flush_output", "fork_usable", "read_to_end", "reap", "write_all"]


def fork_usable() -> bool:
    """Whether forking a child is safe (POSIX, one thread) and useful (two CPUs)."""
    return (
        hasattr(os, "fork")
        and (os.cpu_count() or 1) >= 2
        and threading.active_count() == 1
        and os.environ.get("BPSCARE_NO_FORK", "") == ""
    )


def reap(pid: int, *, kill: bool) -> int:
    """Wait for the child (killing it first if asked); return its exit status (-1: unknown)."""
    if kill:
        with contextlib.suppress(OSError):
            os.kill(pid, 9)
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return -1
    return os.waitstatus_to_exitcode(status)


def child_output(pid: int, fd: int, timeout_s: float, chunk: int = 1 << 20) -> bytes | None:
    """Everything the child ``pid`` writes to the pipe ``fd``, then the child reaped.

    None when the child did not close the pipe within ``timeout_s`` (it is killed) or did not
    exit with status 0: the caller then does the child's work itself. ``fd`` is closed.
    """
    raw, complete = b"", False
    try:
        raw, complete = read_to_end(fd, timeout_s, chunk)
    finally:
        status = reap(pid, kill=not complete)
    return raw if complete and status == 0 else None


def flush_output() -> None:
    """Flush this process's buffered output, so a child forked next cannot write it again."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()


def write_all(fd: int, payload: bytes) -> None:
    """Write all of ``payload`` to the pipe ``fd`` (which stays open)."""
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view) :]


def read_to_end(fd: int, timeout_s: float, chunk: int = 1 << 20) -> tuple[bytes, bool]:
    """What a child writes to the pipe ``fd`` until it closes its end or ``timeout_s`` passes.

    Returns the bytes and whether the child closed the pipe (the read is complete); ``fd`` is
    closed either way.
    """
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return b"".join(chunks), False
            data = os.read(fd, chunk)
            if not data:
                return b"".join(chunks), True
            chunks.append(data)
    finally:
        os.close(fd)
