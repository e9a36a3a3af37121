"""The first steps of :func:`~bpscare.competency.report.run_report`: its arguments, its clock.

The course folder's gradebook and map, the report time, the check of the output folder, the
timer of the steps, the background import of the plotting code and the run's summary. Light
on purpose: it is imported before the report forks its page's child.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bpscare.errors import BpscareError

#: The file that marks a folder as a bpscare report (it holds the run's summary).
MARKER_FILE = ".bpscare-report.json"


@dataclass
class ReportSummary:
    """What :func:`run_report` did: counts, output files, warnings and timings (seconds)."""

    out_dir: Path
    gradebook: str
    map_path: Path | None
    frameworks: tuple[str, ...]
    n_learners: int
    n_assignments: int
    n_items: int
    n_submissions: int
    n_grades: int
    n_competencies: int
    n_at_risk: int
    n_badges: int
    n_xapi_statements: int
    pseudonymized: bool
    files: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict (paths as strings)."""
        data = asdict(self)
        data["out_dir"] = str(self.out_dir)
        data["map_path"] = str(self.map_path) if self.map_path else None
        data["frameworks"] = list(self.frameworks)
        return data


def resolve_course(
    course_dir: Path | None, db_url: str | None, map_path: Path | None
) -> tuple[Path | None, str, Path | None]:
    """Return (course folder, gradebook URL, map): the course's unless given."""
    if course_dir is None and db_url is None:
        msg = "give a course folder or a gradebook URL (db_url)"
        raise BpscareError(msg)
    if course_dir is not None:
        course_dir = Path(course_dir).expanduser().resolve()
        if not course_dir.is_dir():
            msg = "course folder does not exist"
            raise BpscareError(msg, path=course_dir)
        from bpscare.competency.mapping import MAP_FILENAME
        from bpscare.nbgrader_course import course_db_url

        db_url = course_db_url(course_dir, db_url)
        if map_path is None and (course_dir / MAP_FILENAME).is_file():
            map_path = course_dir / MAP_FILENAME
    if db_url is None:  # pragma: no cover - course_db_url always returns a URL
        msg = "no gradebook URL could be worked out"
        raise BpscareError(msg)
    return course_dir, db_url, map_path


def timestamp(now: dt.datetime | None) -> str:
    """The report time (default: now), UTC to the second, as ``YYYY-MM-DDTHH:MM:SSZ``."""
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    return now.strftime("%Y-%m-%dT%H:%M:%SZ")


class Timer:
    """Seconds per step, and the progress messages."""

    def __init__(self, progress: Callable[[str], None] | None) -> None:
        self.timings: dict[str, float] = {}
        self._progress = progress
        self._start = self._clock = time.perf_counter()

    def step(self, name: str, message: str | None = None) -> None:
        """Record the time since the last step as ``name``; then report ``message``."""
        t = time.perf_counter()
        self.timings[name] = round(t - self._clock, 4)
        self._clock = t
        if message and self._progress is not None:
            self._progress(message)

    def total(self) -> None:
        """Record the time since the start as ``total``."""
        self.timings["total"] = round(time.perf_counter() - self._start, 4)


def preload_plotting() -> threading.Thread:
    """Import matplotlib in a background thread while the database does the heavy work."""

    def target() -> None:
        with contextlib.suppress(Exception):  # a real failure re-raises at the real import
            import bpscare.competency.html  # noqa: F401

    thread = threading.Thread(target=target, name="bpscare-preload-matplotlib", daemon=True)
    thread.start()
    return thread


def check_out_dir(out_dir: Path) -> None:
    """Refuse an output path inside a file, a file, or a non-empty folder that is no report."""
    for parent in out_dir.parents:
        if parent.exists():
            if not parent.is_dir():
                msg = f"cannot write the report inside {parent}: it is a file, not a folder"
                raise BpscareError(msg, path=out_dir)
            break
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        msg = "the report folder exists and is not a folder; choose another output path"
        raise BpscareError(msg, path=out_dir)
    if any(out_dir.iterdir()) and not (out_dir / MARKER_FILE).is_file():
        msg = (
            "the output folder exists, is not empty and is not a bpscare report; refusing to "
            "replace it (choose a new or empty folder)"
        )
        raise BpscareError(msg, path=out_dir)
