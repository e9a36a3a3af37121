"""Gradebook access for the engine: checked before anything is written, one transaction each.

Every write for one submission (the student row, the submission and its notebooks, every
grade and comment, the late penalty) happens in ONE database transaction, committed only after
all of it succeeded; a run killed at any moment leaves each submission either fully graded or
as it was before. The rules are nbgrader's own (``Autograde.init_assignment``,
``SaveAutoGrades``, ``AssignLatePenalties``), applied with nbgrader's ``Gradebook`` API.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bpscare.errors import BpscareError


def sqlite_path(db_url: str) -> Path | None:
    """Return the file of a ``sqlite:///`` URL (None for other databases or in-memory)."""
    if not db_url.startswith("sqlite:///"):
        return None
    rest = db_url[len("sqlite:///") :].split("?")[0]
    return Path(rest) if rest and rest != ":memory:" else None


def normalize_db_url(db_url: str) -> str:
    """Give a driverless PostgreSQL URL the driver that is installed.

    SQLAlchemy 2.1 maps ``postgresql://`` to psycopg 3; this project ships psycopg2, so such a
    URL would fail with "No module named 'psycopg'". ``postgres://`` (Heroku style) is accepted.
    """
    import importlib.util

    for prefix in ("postgresql://", "postgres://"):
        if db_url.startswith(prefix):
            rest = db_url[len(prefix) :]
            if importlib.util.find_spec("psycopg") is None and importlib.util.find_spec("psycopg2"):
                return f"postgresql+psycopg2://{rest}"
            return f"postgresql://{rest}"
    return db_url


def open_gradebook(db_url: str, course_id: str = "") -> Any:
    """Open nbgrader's Gradebook, or raise a one-line BpscareError (nothing is created)."""
    from nbgrader.api import Gradebook

    path = sqlite_path(db_url)
    if path is not None and not path.is_file():
        msg = "no gradebook at this path; run nbgrader generate_assignment first"
        raise BpscareError(msg, path=path)
    engine_probe(db_url)
    try:
        return Gradebook(db_url, course_id) if course_id else Gradebook(db_url)
    except Exception as exc:
        msg = f"cannot open the gradebook {_redact(db_url)}: {_first_line(exc)}"
        raise BpscareError(msg) from exc


def engine_probe(db_url: str, timeout: float = 5.0) -> None:
    """Connect once with a short timeout, so an unreachable server fails fast and cleanly."""
    import sqlalchemy

    connect_args: dict[str, Any] = {}
    if db_url.startswith(("postgresql", "postgres")):
        connect_args["connect_timeout"] = max(1, int(timeout))
    try:
        engine = sqlalchemy.create_engine(db_url, connect_args=connect_args)
    except Exception as exc:
        msg = f"gradebook URL {_redact(db_url)!r} is not valid: {_first_line(exc)}"
        raise BpscareError(msg) from exc
    try:
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text("SELECT 1"))
    except Exception as exc:
        msg = f"cannot reach the gradebook database {_redact(db_url)}: {_first_line(exc)}"
        raise BpscareError(msg) from exc
    finally:
        engine.dispose()


def _redact(db_url: str) -> str:
    if "@" in db_url and "://" in db_url:
        scheme, rest = db_url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return db_url


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]


@contextlib.contextmanager
def one_transaction(gradebook: Any) -> Iterator[None]:
    """Make the Gradebook's internal commits flushes; commit once at the end, else roll back."""
    session = gradebook.db
    real_commit = session.registry().commit
    session.commit = session.registry().flush
    try:
        yield
        real_commit()
    except BaseException:
        session.registry().rollback()
        raise
    finally:
        with contextlib.suppress(AttributeError):
            del session.commit


def save_submission(
    gradebook: Any,
    assignment: str,
    student: str,
    timestamp: Any,
    notebooks: dict[str, Any],
    missing: list[str],
    late_plugin: Any,
    before_commit: Callable[[], None] | None = None,
) -> None:
    """Write one learner's grades and comments, nbgrader's way, in a single transaction.

    ``before_commit`` runs inside the transaction once every row is written and flushed (the
    engine puts the autograded folder in place there); if it raises, nothing is committed.
    """
    from nbgrader import utils

    with one_transaction(gradebook):
        gradebook.update_or_create_student(student)
        # nbgrader builds the new rows before adding them; autoflush would warn about them.
        with gradebook.db.registry().no_autoflush:
            if timestamp:
                submission = gradebook.update_or_create_submission(
                    assignment, student, timestamp=timestamp
                )
            else:
                submission = gradebook.update_or_create_submission(assignment, student)
        gradebook.db.flush()
        for name in missing:
            found = gradebook.find_submission_notebook(name[:-6], assignment, student)
            for grade in found.grades:
                grade.auto_score = 0
                grade.needs_manual_grade = False
        for name, nb in notebooks.items():
            notebook_id = name[:-6]
            found = gradebook.find_submission_notebook(notebook_id, assignment, student)
            grades = {grade.name: grade for grade in found.grades}
            comments = {comment.name: comment for comment in found.comments}
            for cell in nb.cells:
                grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                if not grade_id:
                    continue
                if utils.is_grade(cell):
                    grade = grades.get(grade_id) or gradebook.find_grade(
                        grade_id, notebook_id, assignment, student
                    )
                    grade.auto_score, _ = utils.determine_grade(cell)
                    grade.needs_manual_grade = (
                        grade.manual_score is not None or grade.auto_score is None
                    )
                if utils.is_solution(cell) or utils.is_task(cell):
                    comment = comments.get(grade_id) or gradebook.find_comment(
                        grade_id, notebook_id, assignment, student
                    )
                    unchanged = cell.metadata.nbgrader.get("checksum") == utils.compute_checksum(
                        cell
                    )
                    comment.auto_comment = (
                        "No response." if unchanged and not utils.is_task(cell) else None
                    )
            gradebook.db.flush()
            found = gradebook.find_submission_notebook(notebook_id, assignment, student)
            found.late_submission_penalty = None
            if submission.total_seconds_late > 0 and late_plugin is not None:
                penalty = late_plugin.late_submission_penalty(
                    student, found.score, submission.total_seconds_late
                )
                if penalty is not None:
                    found.late_submission_penalty = min(max(penalty, 0), found.score)
        gradebook.db.flush()
        if before_commit is not None:
            before_commit()


def fingerprint(gradebook: Any, assignment: str, student: str) -> str | None:
    """A digest of what autograding writes for one submission (None: no submission row).

    Automatic scores, automatic comments, late penalties and the timestamp: the values a
    committed autograde transaction leaves, and never the grader's manual ones. Read inside the
    transaction (after a flush) it is what the commit will leave; read later, it says whether
    that commit happened.
    """
    from nbgrader.api import MissingEntry

    try:
        submission = gradebook.find_submission(assignment, student)
    except MissingEntry:
        return None
    state: dict[str, Any] = {"timestamp": str(submission.timestamp)}
    for notebook in submission.notebooks:
        state[notebook.name] = {
            "late": notebook.late_submission_penalty,
            "grades": sorted((g.name, g.auto_score) for g in notebook.grades),
            "comments": sorted((c.name, c.auto_comment or "") for c in notebook.comments),
        }
    text = json.dumps(state, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()
