"""A thin, typed bridge to nbgrader for one course directory.

Loads the course's own ``nbgrader_config.py`` (as ``nbgrader`` would when run in that folder),
runs nbgrader's steps in-process through ``NbGraderAPI`` and turns their captured failures into
``BpscareError``. It sits under every pipeline package (authoring, grading, competency) and
imports none of them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from bpscare.errors import BpscareError

if TYPE_CHECKING:
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

CONFIG_FILE = "nbgrader_config.py"
LIVE_DATA_DIRS = ("submitted", "autograded", "feedback")


def ensure_tools_on_path() -> None:
    """Put this interpreter's ``bin`` folder on PATH, so nbgrader finds ``alembic``.

    nbgrader shells out to the ``alembic`` command the first time it creates a gradebook; from a
    virtual environment that is not activated that command is not on PATH otherwise.
    """
    bindir = str(Path(sys.executable).parent)
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if bindir not in parts:
        os.environ["PATH"] = os.pathsep.join([bindir, *parts])


def is_nbgrader_course(course_dir: Path) -> bool:
    """Say whether a folder looks like an nbgrader course (a config file or a source folder)."""
    course_dir = Path(course_dir)
    return (course_dir / CONFIG_FILE).is_file() or (course_dir / "source").is_dir()


def require_course(course_dir: Path) -> Path:
    """Return the resolved course folder, or raise a one-line error if it is not a course."""
    course_dir = Path(course_dir).resolve()
    if not course_dir.is_dir():
        msg = "course folder does not exist"
        raise BpscareError(msg, path=course_dir)
    if not is_nbgrader_course(course_dir):
        msg = f"not an nbgrader course (no {CONFIG_FILE} and no source/ folder)"
        raise BpscareError(msg, path=course_dir)
    return course_dir


def load_course_config(course_dir: Path, db_url: str | None = None) -> Config:
    """Load the course's ``nbgrader_config.py`` and pin the course root (and db_url, if given)."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    course_dir = Path(course_dir).resolve()
    config = Config()
    if (course_dir / CONFIG_FILE).is_file():
        try:
            config = PyFileConfigLoader(CONFIG_FILE, path=str(course_dir)).load_config()
        except Exception as exc:
            msg = f"cannot load the course config: {exc}"
            raise BpscareError(msg, path=course_dir / CONFIG_FILE) from exc
    config.CourseDirectory.root = str(course_dir)
    if db_url:
        config.CourseDirectory.db_url = db_url
    return config


def course_db_url(course_dir: Path, db_url: str | None = None) -> str:
    """Return the gradebook URL nbgrader would use for this course."""
    config = load_course_config(course_dir, db_url)
    if "db_url" in config.CourseDirectory:
        return str(config.CourseDirectory.db_url)
    return f"sqlite:///{Path(course_dir).resolve() / 'gradebook.db'}"


def open_api(course_dir: Path, db_url: str | None = None) -> NbGraderAPI:
    """Create an ``NbGraderAPI`` for the course, with nbgrader's logging kept quiet."""
    ensure_tools_on_path()
    from nbgrader.apps import NbGraderAPI

    config = load_course_config(course_dir, db_url)
    config.NbGraderAPI.log_level = "ERROR"
    return NbGraderAPI(config=config)


def generate_assignment(course_dir: Path, assignment: str) -> None:
    """Run nbgrader's generate_assignment; raise with nbgrader's own log if it fails."""
    api = open_api(course_dir)
    result = api.generate_assignment(assignment, force=True, create=True)
    raise_unless_success(result, f"nbgrader generate_assignment {assignment}", course_dir)


def set_due_date(course_dir: Path, assignment: str, due: str | None) -> None:
    """Record an assignment's due date (ISO text, e.g. ``2026-03-01 17:00:00 UTC``)."""
    from nbgrader.api import Gradebook

    with Gradebook(course_db_url(course_dir)) as gradebook:
        gradebook.update_or_create_assignment(assignment, duedate=due)


def add_students(course_dir: Path, students: Iterable[str]) -> None:
    """Add learners to the gradebook by id only (never names or emails)."""
    from nbgrader.api import Gradebook

    with Gradebook(course_db_url(course_dir)) as gradebook:
        for student in students:
            gradebook.update_or_create_student(student)


def submitted_students(course_dir: Path, assignment: str) -> list[str]:
    """List learner ids with a submission folder for ``assignment``."""
    root = Path(course_dir) / "submitted"
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / assignment).is_dir())


def autograde_with_nbgrader(
    course_dir: Path,
    assignment: str,
    students: Iterable[str],
    progress: Callable[[str], object] | None = None,
) -> dict[str, str | None]:
    """Autograde with nbgrader itself, one learner at a time (the reference implementation).

    Returns learner id → None on success or nbgrader's error text; failures of one learner do not
    stop the others (nbgrader behaves the same way).
    """
    api = open_api(course_dir)
    errors: dict[str, str | None] = {}
    for student in students:
        result = api.autograde(assignment, student, force=True, create=True)
        errors[student] = None if result.get("success") else _tail(result)
        if progress is not None:
            progress(student)
    return errors


def live_data_folders(course_dir: Path) -> list[Path]:
    """Return the course's folders that hold learners' work (never to be deleted by a build)."""
    return [
        Path(course_dir) / name
        for name in LIVE_DATA_DIRS
        if (Path(course_dir) / name).is_dir() and any((Path(course_dir) / name).iterdir())
    ]


def raise_unless_success(result: dict, what: str, course_dir: Path) -> None:
    """Raise a one-line :class:`BpscareError` unless an nbgrader API call succeeded."""
    if not result.get("success"):
        msg = f"{what} failed: {_tail(result)}"
        raise BpscareError(msg, path=course_dir)


def _tail(result: dict) -> str:
    text = (result.get("error") or "") + "\n" + (result.get("log") or "")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    useful = [line for line in lines if "Error" in line or "error" in line] or lines
    return " | ".join(useful[-3:])[:600] or "no detail from nbgrader"
