"""Read half of a large SQLite gradebook's evidence in a forked child, on the other core.

Joining a million grades to the number maps is the largest piece of a big report's work, and
it runs inside SQLite on one core. :class:`ScanFork` forks the process before the gradebook is
opened (so the child carries no SQLite connection across the fork), waits for the number maps,
opens a read-only connection of its own, reads the grades of the second half of the ``grade``
table's rowids (:func:`read_sqlite_part`) and sends the rows back
through a pipe while the parent reads the first half. Concatenated, the two halves are the rows
of one scan in the same order, so every sum is the same to the last bit.

As with :mod:`.figure_fork`, a fork is only made where it is safe (POSIX, two or more CPUs, no
other thread running, ``BPSCARE_NO_FORK`` unset); the child leaves with ``os._exit``; and
anything unexpected makes :meth:`ScanFork.result` return None, so that the parent reads the
second half itself.
"""

from __future__ import annotations

import os
import pickle
from typing import Any, Protocol

import numpy as np

from bpscare.competency.engines import connect_sqlite
from bpscare.competency.forks import child_output, flush_output, fork_usable, reap, write_all

#: Seconds to wait for the child's rows before reading them here instead.
TIMEOUT_S = 600.0

#: One evidence row: submission and cell packed in one integer, and the score (NaN: pending).
EVIDENCE_DTYPE = np.dtype([("sc", np.int64), ("x", np.float64)])
#: The number maps as SQLite temporary tables (``WITHOUT ROWID``: each lookup is one search).
SQLITE_MAPS = (
    "CREATE TEMPORARY TABLE bp_nb (nid TEXT PRIMARY KEY, s INTEGER) WITHOUT ROWID",
    "CREATE TEMPORARY TABLE bp_cell (cid TEXT PRIMARY KEY, c INTEGER) WITHOUT ROWID",
)
#: A SQLite ``grade`` table of fewer rows is read by one process.
SPLIT_MIN_ROWS = 200_000


class ScanHelper(Protocol):
    """A process reading part of the evidence (:class:`ScanFork`)."""

    @property
    def started(self) -> bool:
        """Whether the process runs."""

    def submit(self, job: tuple[Any, ...]) -> None:
        """Hand it the arguments of :func:`read_sqlite_part`."""

    def result(self) -> np.ndarray | None:
        """Its rows, or None if it failed."""

    def close(self) -> None:
        """Stop it (its rows are not wanted)."""


def read_sqlite_part(
    uri: str,
    notebooks: list[tuple[str, int]],
    cells: list[tuple[str, int]],
    sql: str,
    split: int,
) -> np.ndarray:
    """Read part of a SQLite gradebook's evidence on a connection of its own (in a helper)."""
    connection = connect_sqlite(uri)
    try:
        for statement in SQLITE_MAPS:
            connection.execute(statement)
        connection.executemany("INSERT INTO bp_nb (nid, s) VALUES (?, ?)", notebooks)
        connection.executemany("INSERT INTO bp_cell (cid, c) VALUES (?, ?)", cells)
        return np.fromiter(connection.execute(sql, (split,)), dtype=EVIDENCE_DTYPE)
    finally:
        connection.rollback()
        connection.close()


class ScanFork:
    """A forked child that will read part of the evidence; see the module docstring."""

    def __init__(self, *, start: bool = True) -> None:
        self._pid = 0
        self._job_fd = -1
        self._rows_fd = -1
        if start and fork_usable():
            self._start()

    @property
    def started(self) -> bool:
        """Whether a child process is running and waiting for its job."""
        return self._pid > 0

    def __enter__(self) -> ScanFork:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> None:
        flush_output()
        job_r, job_w = os.pipe()
        rows_r, rows_w = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            for fd in (job_r, job_w, rows_r, rows_w):
                os.close(fd)
            return
        if pid == 0:  # pragma: no cover - runs in the child, which leaves with os._exit
            status = 1
            try:
                _keep_only(job_r, rows_w)
                status = _serve(job_r, rows_w)
            finally:
                os._exit(status)
        os.close(job_r)
        os.close(rows_w)
        self._pid, self._job_fd, self._rows_fd = pid, job_w, rows_r

    def submit(self, job: tuple[Any, ...]) -> None:
        """Send the child its job: the arguments of :func:`read_sqlite_part`."""
        fd, self._job_fd = self._job_fd, -1
        if self._pid <= 0 or fd < 0:
            return
        try:
            # the child is waiting for it, reading as this writes
            write_all(fd, pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            self.close()  # the child died: result() says None
        finally:
            os.close(fd)

    def result(self) -> np.ndarray | None:
        """The child's rows (None: it failed, read them here); the child is reaped."""
        pid, fd = self._pid, self._rows_fd
        self._pid, self._rows_fd = 0, -1
        if pid <= 0:
            return None
        raw = child_output(pid, fd, TIMEOUT_S, 1 << 22)
        if raw is None or len(raw) % EVIDENCE_DTYPE.itemsize:
            return None
        return np.frombuffer(raw, dtype=EVIDENCE_DTYPE)

    def close(self) -> None:
        """Stop the child if its rows are no longer wanted."""
        pid, job_fd, rows_fd = self._pid, self._job_fd, self._rows_fd
        self._pid, self._job_fd, self._rows_fd = 0, -1, -1
        for fd in (job_fd, rows_fd):
            if fd >= 0:
                os.close(fd)
        if pid > 0:
            reap(pid, kill=True)


def _keep_only(*fds: int) -> None:  # pragma: no cover - runs in the forked child
    """Close every inherited file descriptor but standard I/O and ``fds``.

    An inherited end of another child's pipe (the page's data, say) would keep that child
    from ever seeing the end of its input.
    """
    low = 3
    for fd in sorted(fds):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, os.sysconf("SC_OPEN_MAX"))


def _serve(job_fd: int, rows_fd: int) -> int:  # pragma: no cover - runs in the forked child
    """The child: wait for the job, read the rows, send them back; return the exit status."""
    chunks = []
    while chunk := os.read(job_fd, 1 << 22):
        chunks.append(chunk)
    os.close(job_fd)
    if not chunks:  # no job: the gradebook was small, or the report failed
        return 0
    rows = read_sqlite_part(*pickle.loads(b"".join(chunks)))  # from our parent, via a pipe
    write_all(rows_fd, rows.tobytes())
    os.close(rows_fd)
    return 0
