"""Answer files: what a learner builds in a widget, saved so that grading can read it.

nbgrader re-executes a notebook from scratch, so widget state is lost at grading time. A widget
therefore saves its answer next to the notebook as ``<name>.answer.json`` (atomically: a
temporary file, then a rename), and a graded code cell loads it::

    plan = load_answer("a05_care_plan")

nbgrader copies a submission's extra files into ``autograded/`` with the notebook, so the answer
travels with the submission. A missing or corrupt file raises :class:`AnswerError`, which Jupyter
shows as one sentence instead of a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from bpscare import atomic

FORMAT_VERSION = 1
SUFFIX = ".answer.json"
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
MAX_BYTES = 1_000_000


class AnswerError(ValueError):
    """An answer file is missing or unreadable; shown in Jupyter as one sentence."""

    def _render_traceback_(self) -> list[str]:
        return [f"AnswerError: {self}"]


def answer_path(name: str, folder: Path | str | None = None) -> Path:
    """Return where the answer called ``name`` lives (the notebook's folder by default)."""
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        msg = (
            f"answer name {name!r} must use lower-case letters, digits, '_' or '-' "
            "(for example 'a05_care_plan')"
        )
        raise AnswerError(msg)
    return Path(folder if folder is not None else Path.cwd()) / f"{name}{SUFFIX}"


def save_answer(name: str, data: Any, *, kind: str = "", folder: Path | str | None = None) -> Path:
    """Save ``data`` (plain JSON-able values) as the answer ``name``, atomically."""
    path = answer_path(name, folder)
    record = {
        "bpscare_answer": FORMAT_VERSION,
        "name": name,
        "kind": kind,
        "saved_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "data": data,
    }
    try:
        text = json.dumps(record, indent=1, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        msg = f"the answer {name!r} holds a value that cannot be saved as JSON ({exc})"
        raise AnswerError(msg) from exc
    if len(text.encode("utf-8")) > MAX_BYTES:
        msg = f"the answer {name!r} is larger than {MAX_BYTES // 1000} kB; shorten it"
        raise AnswerError(msg)
    return atomic.write_text(path, text + "\n")


def load_answer(name: str, *, kind: str | None = None, folder: Path | str | None = None) -> Any:
    """Load the answer ``name``; raise :class:`AnswerError` in one sentence if it is unusable."""
    path = answer_path(name, folder)
    if not path.is_file():
        msg = (
            f"No saved answer called {name!r} was found next to this notebook ({path.name}); "
            "use the widget's Save button, then run this cell again."
        )
        raise AnswerError(msg)
    try:
        if path.stat().st_size > MAX_BYTES:
            msg = f"The answer file {path.name} is too large to be a saved answer."
            raise AnswerError(msg)
        record = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        msg = (
            f"The answer file {path.name} is damaged ({type(exc).__name__}); save the answer "
            "again from the widget."
        )
        raise AnswerError(msg) from None
    if not isinstance(record, dict) or record.get("bpscare_answer") != FORMAT_VERSION:
        msg = f"The file {path.name} is not a bpscare answer file; save it again from the widget."
        raise AnswerError(msg)
    if record.get("name") != name:
        msg = f"The file {path.name} holds the answer {record.get('name')!r}, not {name!r}."
        raise AnswerError(msg)
    if kind is not None and record.get("kind") != kind:
        msg = f"The answer {name!r} is a {record.get('kind')!r} answer, expected {kind!r}."
        raise AnswerError(msg)
    return record.get("data")
