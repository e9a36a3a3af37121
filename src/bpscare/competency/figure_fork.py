"""Draw some of the page's figures in a forked child process, on the machine's other core.

Drawing the four figures of ``index.html`` is most of the page's CPU time, and matplotlib holds
Python's global interpreter lock, so threads cannot share it. :class:`FigureFork` forks the
process (``os.fork``: the child inherits matplotlib and the report data already in memory, so it
starts in milliseconds, unlike a fresh interpreter), lets the child draw the figures it is given
and send back their base64 PNG texts through a pipe, while the parent draws the rest (and, in a
report, writes the CSV files and exports). Each figure is drawn by the same function with the same
matplotlib, so the page is byte-for-byte the one a single process draws.

A fork is only made where it is safe and useful: on POSIX, with two or more CPUs and with no
other thread running (a lock held by another thread at fork time could never be released in the
child). The child touches nothing of the parent's (no database, no files) and leaves with
``os._exit``. Anything unexpected (no fork, a crash, a time-out, bad output) makes
:meth:`FigureFork.collect` draw the missing figures in the calling process, so the fork can only
make a page faster, never change or break it. Setting ``BPSCARE_NO_FORK`` (to anything) turns
the fork off: every figure is then drawn in the calling process.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from bpscare.competency.forks import child_output, flush_output, fork_usable, reap, write_all

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from bpscare.competency.report_data import ReportData

#: Seconds to wait for the child before drawing its figures here instead.
TIMEOUT_S = 600.0


def figure_builders() -> dict[str, Callable[[ReportData], Figure]]:
    """The page's figures by name (imports matplotlib)."""
    from bpscare.competency import figures

    return {
        "heatmap": figures.heatmap_figure,
        "competency_trend": figures.competency_trend_figure,
        "distribution": figures.distribution_figure,
        "trend": figures.trend_figure,
    }


def draw(name: str, data: ReportData) -> str:
    """Draw figure ``name`` and return it as base64 PNG text."""
    from bpscare.competency.figures import png_base64

    return png_base64(figure_builders()[name](data))


def page_figures(data: ReportData) -> list[str]:
    """The names of the figures ``index.html`` shows for ``data``, heaviest first."""
    names = []
    if data.competencies:
        names += ["heatmap", "competency_trend"]
    if data.assignments:
        names += ["trend", "distribution"]
    return names


#: Figures a forked child draws while a report drawn in-process writes its files: the two
#: competency figures, about 60% of the drawing.
EARLY_FIGURES = ("heatmap", "competency_trend")


#: Figures a forked child draws while this process draws the others (and the page's tables):
#: the competency trend and the box plots take about as long to draw as the heatmap, the
#: score trend and the tables together.
FORKED_FIGURES = ("competency_trend", "distribution")


def start_early_figures(data: ReportData) -> FigureFork:
    """Fork a child drawing :data:`EARLY_FIGURES` now; pass it to the page as ``early``."""
    return FigureFork(data, [n for n in page_figures(data) if n in EARLY_FIGURES])


class FigureFork:
    """Figures being drawn by a forked child; :meth:`collect` returns them (see module doc)."""

    def __init__(self, data: ReportData, names: Iterable[str]) -> None:
        self._data = data
        self.names = list(dict.fromkeys(names))
        self._pid = 0
        self._fd = -1
        if self.names and fork_usable():
            self._start()

    @property
    def forked(self) -> bool:
        """Whether a child process is drawing the figures."""
        return self._pid > 0

    def _start(self) -> None:
        flush_output()
        read_fd, write_fd = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_fd)
            os.close(write_fd)
            return
        if pid == 0:  # pragma: no cover - runs in the child, which leaves with os._exit
            status = 1
            try:
                os.close(read_fd)
                drawn = {name: draw(name, self._data) for name in self.names}
                payload = pickle.dumps(drawn, protocol=pickle.HIGHEST_PROTOCOL)
                write_all(write_fd, payload)
                status = 0
            finally:
                os._exit(status)
        os.close(write_fd)
        self._pid, self._fd = pid, read_fd

    def collect(self) -> dict[str, str]:
        """Return the child's figures (base64 PNG by name), drawing here whatever it did not."""
        drawn: dict[str, str] = {}
        if self._pid > 0:
            drawn = self._receive()
        for name in self.names:
            if name not in drawn:
                drawn[name] = draw(name, self._data)
        return drawn

    def _receive(self) -> dict[str, str]:
        pid, fd = self._pid, self._fd
        self._pid, self._fd = 0, -1
        raw = child_output(pid, fd, TIMEOUT_S)
        if raw is None:
            return {}
        try:
            drawn = pickle.loads(raw)  # from our own child, through a pipe
        except Exception:
            return {}
        if not isinstance(drawn, dict):
            return {}
        return {k: v for k, v in drawn.items() if k in self.names and isinstance(v, str)}

    def close(self) -> None:
        """Stop the child if its figures are no longer wanted (the report failed)."""
        pid, fd = self._pid, self._fd
        self._pid, self._fd = 0, -1
        if pid > 0:
            os.close(fd)
            reap(pid, kill=True)

    def __enter__(self) -> FigureFork:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def draw_page_figures(data: ReportData, early: FigureFork | None = None) -> dict[str, str]:
    """Return every figure of the page as base64 PNG text by name, using two cores if possible.

    ``early``: a fork already drawing some of them (started before other work); otherwise
    :data:`FORKED_FIGURES` go to a child while this process draws the rest.
    """
    names = page_figures(data)
    fork = early or FigureFork(data, [n for n in names if n in FORKED_FIGURES])
    with fork:
        drawn = {name: draw(name, data) for name in names if name not in fork.names}
        drawn.update(fork.collect())
    return drawn
