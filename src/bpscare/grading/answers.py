"""Answer files: what a learner builds in a widget, saved so that grading can read it.

nbgrader re-executes a notebook from scratch, so widget state is lost at grading time. A widget
therefore saves its answer next to the notebook as ``<name>.answer.json`` (atomically: a
temporary file, then a rename), and the graded tests cell reads it with
:func:`submitted_answer`::

    plan = checks.answer(lambda: submitted_answer("a05_care_plan", kind="care_plan",
                                                   assignment="a05-care-plan"))

Each file records the answer's name, kind, assignment and (on JupyterHub) the learner who saved
it, plus a SHA-256 digest of those fields and the data. At grading time the file must be the
named answer of this assignment, saved by this learner and unchanged since the widget wrote it;
otherwise :class:`AnswerError` says why in one sentence and the cell scores 0 (the digest has no
secret: it catches a file edited by hand or damaged, not a learner who rewrites the digest too,
who has then simply answered differently).

Where the file is read from. In the learner's notebook: the notebook's folder. In bpscare's
grading engine, the judge reads the snapshot of the submission's files taken *before* any
learner code ran (:func:`grading_from`), so learner code cannot write an answer at grading time,
and the learner's identity is the one the engine grades. Under plain ``nbgrader autograde`` the
kernel runs in ``autograded/<student>/<assignment>/``, and the learner is read from that path.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bpscare import atomic

FORMAT_VERSION = 2
SUFFIX = ".answer.json"
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
MAX_BYTES = 1_000_000
#: The record fields the digest covers, in this order.
SIGNED_FIELDS = ("bpscare_answer", "name", "kind", "assignment", "learner", "data")


class AnswerError(ValueError):
    """An answer file is missing or unusable; shown in Jupyter as one sentence."""

    def _render_traceback_(self) -> list[str]:
        return [f"AnswerError: {self}"]


@dataclass(frozen=True)
class GradingSource:
    """The submission being graded: its files (as submitted) and who submitted them."""

    files: Mapping[str, bytes]
    student: str
    assignment: str


_GRADING: GradingSource | None = None


@contextlib.contextmanager
def grading_from(files: Mapping[str, bytes], student: str, assignment: str) -> Iterator[None]:
    """Within this block, :func:`submitted_answer` reads ``files`` for ``student`` (the judge)."""
    global _GRADING
    previous, _GRADING = _GRADING, GradingSource(dict(files), student, assignment)
    try:
        yield
    finally:
        _GRADING = previous


def answer_path(name: str, folder: Path | str | None = None) -> Path:
    """Return where the answer called ``name`` lives (the notebook's folder by default)."""
    _check_name(name)
    return Path(folder if folder is not None else Path.cwd()) / f"{name}{SUFFIX}"


def current_learner() -> str:
    """Return the learner saving an answer: the JupyterHub user, or "" where none is known."""
    return os.environ.get("JUPYTERHUB_USER", "").strip()


def answer_record(
    name: str, data: Any, *, kind: str = "", assignment: str = "", learner: str = ""
) -> dict[str, Any]:
    """Return the record saved for an answer (with its digest); raise if it is not JSON."""
    _check_name(name)
    record: dict[str, Any] = {
        "bpscare_answer": FORMAT_VERSION,
        "name": name,
        "kind": kind,
        "assignment": assignment,
        "learner": learner,
        "saved_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "data": data,
    }
    try:
        record["digest"] = _digest(record)
    except (TypeError, ValueError) as exc:
        msg = f"the answer {name!r} holds a value that cannot be saved as JSON ({exc})"
        raise AnswerError(msg) from exc
    return record


def save_answer(
    name: str,
    data: Any,
    *,
    kind: str = "",
    assignment: str = "",
    folder: Path | str | None = None,
    learner: str | None = None,
) -> Path:
    """Save ``data`` (plain JSON-able values) as the answer ``name``, atomically."""
    path = answer_path(name, folder)
    record = answer_record(
        name,
        data,
        kind=kind,
        assignment=assignment,
        learner=current_learner() if learner is None else learner,
    )
    text = json.dumps(record, indent=1, ensure_ascii=False, allow_nan=False)
    if len(text.encode("utf-8")) > MAX_BYTES:
        msg = f"the answer {name!r} is larger than {MAX_BYTES // 1000} kB; shorten it"
        raise AnswerError(msg)
    return atomic.write_text(path, text + "\n")


def load_answer(name: str, *, kind: str | None = None, folder: Path | str | None = None) -> Any:
    """Load the answer ``name`` from a folder (a widget's own draft); raise in one sentence."""
    path = answer_path(name, folder)
    if not path.is_file():
        msg = (
            f"No saved answer called {name!r} was found next to this notebook ({path.name}); "
            "use the widget's Save button, then run this cell again."
        )
        raise AnswerError(msg)
    if path.stat().st_size > MAX_BYTES:
        msg = f"The answer file {path.name} is too large to be a saved answer."
        raise AnswerError(msg)
    record = _parse(path.read_bytes(), path.name, name)
    if kind is not None and record.get("kind") != kind:
        msg = f"The answer {name!r} is a {record.get('kind')!r} answer, expected {kind!r}."
        raise AnswerError(msg)
    return record.get("data")


def submitted_answer(name: str, *, kind: str, assignment: str) -> Any:
    """Return the data of the answer ``name`` as submitted, or raise :class:`AnswerError`.

    Checks, each failing in one sentence that feedback can show: the file exists, is a bpscare
    answer of this name and ``kind``, belongs to ``assignment``, was saved by the learner being
    graded (when the saving side knew who that was), and was not edited since it was saved.
    """
    file_name = f"{name}{SUFFIX}"
    _check_name(name)
    source = _GRADING
    if source is not None:
        raw = source.files.get(file_name)
        student, expected_assignment = source.student, source.assignment or assignment
    else:
        path = Path.cwd() / file_name
        raw = path.read_bytes() if path.is_file() and path.stat().st_size <= MAX_BYTES else None
        student, expected_assignment = _student_from_folder(Path.cwd()), assignment
    if raw is None:
        msg = (
            f"No saved answer {file_name} was submitted, so this part scores 0: use the "
            "widget's Save button before you submit."
        )
        raise AnswerError(msg)
    if len(raw) > MAX_BYTES:
        msg = f"The answer file {file_name} is too large to be a saved answer."
        raise AnswerError(msg)
    record = _parse(raw, file_name, name)
    if record.get("digest") != _digest(record):
        msg = (
            f"The answer file {file_name} was changed after the widget saved it, so it cannot be "
            "graded; save the answer again from the widget."
        )
        raise AnswerError(msg)
    if record.get("kind") != kind:
        msg = f"The file {file_name} holds a {record.get('kind')!r} answer, not a {kind!r} one."
        raise AnswerError(msg)
    saved_for = record.get("assignment")
    if saved_for != assignment or saved_for != expected_assignment:
        msg = (
            f"The file {file_name} was saved for assignment {saved_for!r}, not "
            f"{expected_assignment!r}; save this assignment's answer from its own widget."
        )
        raise AnswerError(msg)
    saved_by = record.get("learner")
    if saved_by and student and saved_by != student:
        msg = (
            f"The file {file_name} was saved by another learner, so it cannot be graded as "
            "your work."
        )
        raise AnswerError(msg)
    return record.get("data")


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        msg = (
            f"answer name {name!r} must use lower-case letters, digits, '_' or '-' "
            "(for example 'a05_care_plan')"
        )
        raise AnswerError(msg)


def _parse(raw: bytes, file_name: str, name: str) -> dict[str, Any]:
    try:
        record = json.loads(raw.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        msg = (
            f"The answer file {file_name} is damaged ({type(exc).__name__}); save the answer "
            "again from the widget."
        )
        raise AnswerError(msg) from None
    if not isinstance(record, dict) or record.get("bpscare_answer") != FORMAT_VERSION:
        msg = f"The file {file_name} is not a bpscare answer file; save it again from the widget."
        raise AnswerError(msg)
    if record.get("name") != name:
        msg = f"The file {file_name} holds the answer {record.get('name')!r}, not {name!r}."
        raise AnswerError(msg)
    return record


def _digest(record: Mapping[str, Any]) -> str:
    signed = [record.get(key) for key in SIGNED_FIELDS]
    text = json.dumps(signed, sort_keys=True, ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _student_from_folder(folder: Path) -> str:
    """Return the student: nbgrader autogrades in ``autograded/<student>/<assignment>/``."""
    if folder.parent.parent.name == "autograded":
        return folder.parent.name
    return ""
