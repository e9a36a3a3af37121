"""Render the report's ``index.html`` in a helper process, on the machine's other core.

Drawing the figures is the largest piece of CPU work after reading the gradebook, and both hold
Python's global interpreter lock, so a thread cannot overlap them. :class:`HtmlWorker` starts
``python -m bpscare.competency.render_worker`` as soon as a report begins: the helper imports
matplotlib while the main process reads the gradebook, then receives the finished
:class:`~bpscare.competency.report_data.ReportData` (pickled, through its standard input, never
a file), writes ``index.html`` (through :func:`bpscare.atomic.write_text`: a temporary sibling
file renamed into place) and exits. The page is byte-for-byte the one the main process would
draw (same code, same interpreter, same matplotlib).

Anything unexpected (no usable interpreter, an import error, a crash, a time-out) makes
:meth:`HtmlWorker.render` fall back to drawing in the main process, so the helper can only make
a report faster, never break it. The helper is started with ``-m`` (not ``multiprocessing``),
so the caller's main module is never re-imported; it is killed if the report fails.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from bpscare import atomic

if TYPE_CHECKING:
    from bpscare.competency.report_data import ReportData

#: Seconds to wait for the helper before drawing in the main process instead.
TIMEOUT_S = 600.0


class HtmlWorker:
    """A helper process that will write ``index.html``; see the module docstring."""

    def __init__(self, *, start: bool = True) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._job: tuple[Path, ReportData] | None = None
        self._sender: threading.Thread | None = None
        if start:
            self._start()

    @property
    def started(self) -> bool:
        """Whether a helper process is running and waiting for the page's data."""
        return self._proc is not None

    def __enter__(self) -> HtmlWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> None:
        env = dict(os.environ)
        # The same import path as this process, so the helper runs this very code.
        paths = [p for p in sys.path if isinstance(p, str) and p]
        env["PYTHONPATH"] = os.pathsep.join(paths)
        env.setdefault("MPLBACKEND", "Agg")
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "bpscare.competency.render_worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=env,
            )
        except (OSError, ValueError):
            self._proc = None

    def submit(self, path: Path, data: ReportData) -> None:
        """Hand the page to the helper, which draws it while this process goes on.

        ``data`` is pickled now: later changes to it do not reach the page. Call :meth:`finish`
        to wait for the page (or to draw it here if the helper failed).
        """
        self._job = (path, data)
        proc = self._proc
        if proc is None or proc.stdin is None:
            return
        try:
            payload = pickle.dumps((str(path), data), protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):
            self.close()
            return
        stdin = proc.stdin

        def send() -> None:
            # A thread, so a helper still busy importing does not hold this process up.
            with contextlib.suppress(OSError, ValueError):
                stdin.write(payload)
                stdin.close()

        self._sender = threading.Thread(target=send, name="bpscare-html-job", daemon=True)
        self._sender.start()

    def finish(self) -> bool:
        """Wait until the submitted page is written; return True if the helper wrote it.

        Without a working helper (or when it fails or times out) the page is drawn here.
        """
        if self._job is None:
            msg = "submit() the page before finish()"
            raise RuntimeError(msg)
        path, data = self._job
        self._job = None
        proc, self._proc = self._proc, None
        if proc is not None:
            try:
                if self._sender is not None:
                    self._sender.join(timeout=TIMEOUT_S)
                if proc.wait(timeout=TIMEOUT_S) == 0 and path.is_file():
                    return True
            except subprocess.TimeoutExpired:
                pass
            finally:
                _stop(proc)
        from bpscare.competency.html import write_index_html

        _remove_leftovers(path)
        write_index_html(path, data)
        return False

    def render(self, path: Path, data: ReportData) -> bool:
        """Write ``index.html`` at ``path`` and wait (:meth:`submit` + :meth:`finish`)."""
        self.submit(path, data)
        return self.finish()

    def close(self) -> None:
        """Stop the helper if it is still waiting (the report failed before the page)."""
        proc, self._proc = self._proc, None
        if proc is not None:
            _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):  # a killed process exits at once
        proc.wait(timeout=10)
    if proc.stdin is not None:
        with contextlib.suppress(OSError, ValueError):  # unsent data to a dead helper
            proc.stdin.close()


def _remove_leftovers(path: Path) -> None:
    """Remove the page and any temporary file a killed helper left beside it."""
    for leftover in atomic.leftover_temporaries(path):
        leftover.unlink(missing_ok=True)
    path.unlink(missing_ok=True)


def main() -> int:
    """Helper entry point: import the plotting code, then read a job from stdin and draw it.

    Standard input is read by a thread from the start, so the parent never blocks on a full
    pipe while this process is still importing matplotlib.
    """
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(sys.stdin.buffer.read()))
    reader.start()
    from bpscare.competency.html import render_index_html

    reader.join()
    raw = received[0] if received else b""
    if not raw:  # the report failed or finished without a page: nothing to do
        return 0
    path, data = pickle.loads(raw)  # sent by the parent process, through a pipe
    atomic.write_text(Path(path), render_index_html(data))
    return 0


if __name__ == "__main__":  # pragma: no cover - exercised in a child process
    sys.exit(main())
