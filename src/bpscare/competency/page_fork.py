"""Draw the report's ``index.html`` in a child forked when the report starts, on the other core.

Drawing the page's figures is most of a small report's CPU time, and importing matplotlib for
them is most of the rest; both hold Python's global interpreter lock, so a thread cannot overlap
them with reading the gradebook. :class:`PageFork` forks the process as soon as a report begins
(``os.fork``: the child inherits the modules already imported, numpy among them, so it starts in
milliseconds, where the helper interpreter of :mod:`.render_worker` takes a second). The child
imports the plotting code while the parent reads the gradebook, then receives the finished
:class:`~bpscare.competency.report_data.ReportData` (pickled, through a pipe), renders the page
(its figures on two cores, :mod:`.figure_fork`) and sends the page's text back through a second
pipe; the parent writes it. The page is byte-for-byte the one the parent would draw (same code,
same interpreter, same matplotlib). The parent itself never imports matplotlib.

A fork is only made where :func:`~.figure_fork.fork_usable` says it is safe and useful (POSIX,
two or more CPUs, no other thread running, ``BPSCARE_NO_FORK`` unset). The child touches nothing
of the parent's (it is forked before the gradebook is opened) and leaves with ``os._exit``; if
the parent dies, the data pipe closes and the child exits. Anything unexpected (no fork, a
crash, a time-out, bad output) makes :meth:`PageFork.finish` draw the page in the parent, so the
fork can only make a report faster, never change or break it.
"""

from __future__ import annotations

import os
import pickle
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from bpscare.competency.forks import child_output, flush_output, fork_usable, reap, write_all

if TYPE_CHECKING:
    from bpscare.competency.report_data import ReportData

#: Seconds to wait for the child's page before drawing it in the parent instead.
TIMEOUT_S = 600.0


class PageFork:
    """A forked child that will render ``index.html``; see the module docstring.

    The same interface as :class:`~bpscare.competency.render_worker.HtmlWorker`:
    :meth:`submit` the page's data, go on with other work, :meth:`finish` to write the page.
    """

    def __init__(self, *, start: bool = True) -> None:
        self._pid = 0
        self._data_fd = -1  # parent -> child: the pickled data, then EOF
        self._page_fd = -1  # child -> parent: the page as UTF-8, then EOF
        self._job: tuple[Path, ReportData] | None = None
        self._sender: threading.Thread | None = None
        if start and fork_usable():
            self._start()

    @property
    def started(self) -> bool:
        """Whether a child process is running and waiting for the page's data."""
        return self._pid > 0

    def __enter__(self) -> PageFork:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> None:
        flush_output()
        data_r, data_w = os.pipe()
        page_r, page_w = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            for fd in (data_r, data_w, page_r, page_w):
                os.close(fd)
            return
        if pid == 0:  # pragma: no cover - runs in the child, which leaves with os._exit
            status = 1
            try:
                os.close(data_w)
                os.close(page_r)
                status = _serve(data_r, page_w)
            finally:
                os._exit(status)
        os.close(data_r)
        os.close(page_w)
        self._pid, self._data_fd, self._page_fd = pid, data_w, page_r

    def submit(self, path: Path, data: ReportData) -> None:
        """Hand the page to the child, which draws it while this process goes on.

        ``data`` is pickled now: later changes to it do not reach the page. Call :meth:`finish`
        to write the page (drawn here if the child failed).
        """
        self._job = (path, data)
        if self._pid <= 0:
            return
        try:
            payload = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):
            self.close()
            return
        fd, self._data_fd = self._data_fd, -1

        def send() -> None:
            # A thread, so a child still importing matplotlib does not hold this process up.
            try:
                write_all(fd, payload)
            except OSError:
                pass  # the child died: finish() draws the page here
            finally:
                os.close(fd)

        self._sender = threading.Thread(target=send, name="bpscare-page-data", daemon=True)
        self._sender.start()

    def finish(self) -> bool:
        """Write the submitted page; return True if the child drew it.

        Without a working child (or when it fails or times out) the page is drawn here.
        """
        if self._job is None:
            msg = "submit() the page before finish()"
            raise RuntimeError(msg)
        path, data = self._job
        self._job = None
        page = self._receive() if self._pid > 0 else None
        if page is not None:
            path.write_bytes(page)
            return True
        from bpscare.competency.html import write_index_html

        write_index_html(path, data)
        return False

    def _receive(self) -> bytes | None:
        pid, fd = self._pid, self._page_fd
        self._pid, self._page_fd = 0, -1
        try:
            page = child_output(pid, fd, TIMEOUT_S)
        finally:
            self._join_sender()
        if not page:
            return None
        try:
            page.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return page

    def _join_sender(self) -> None:
        sender, self._sender = self._sender, None
        if sender is not None:
            sender.join(timeout=TIMEOUT_S)

    def close(self) -> None:
        """Stop the child if its page is no longer wanted (the report failed)."""
        pid, data_fd, page_fd = self._pid, self._data_fd, self._page_fd
        self._pid, self._data_fd, self._page_fd = 0, -1, -1
        for fd in (data_fd, page_fd):
            if fd >= 0:
                os.close(fd)
        if pid > 0:
            reap(pid, kill=True)
        self._join_sender()


def _serve(data_fd: int, page_fd: int) -> int:  # pragma: no cover - runs in the forked child
    """The child: import the plotting code, read the data, send back the page; exit status."""
    from bpscare.competency.html import render_index_html

    chunks = []
    while chunk := os.read(data_fd, 1 << 20):
        chunks.append(chunk)
    os.close(data_fd)
    if not chunks:  # the report failed or finished without a page: nothing to do
        return 0
    data = pickle.loads(b"".join(chunks))  # from our own parent, through a pipe
    write_all(page_fd, render_index_html(data).encode("utf-8"))
    os.close(page_fd)
    return 0
