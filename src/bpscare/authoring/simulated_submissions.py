"""Learner submissions: fill a released notebook with answers and place it in a course.

Used by ``bpscare validate`` (the source's answers, the blank release, each documented
misconception) and by ``bpscare demo`` (a cohort of synthetic learners). Answers are edited into
the *released* notebook, exactly as a learner would, so everything nbgrader checks (cell ids,
checksums, locked cells) is as real as it gets.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import yaml

from bpscare import atomic
from bpscare.authoring.textnb import write_notebook_atomic
from bpscare.errors import BpscareError
from bpscare.grading.answers import SUFFIX, answer_record

SOLUTION_ANSWER = "__solution__"
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"


@dataclass(frozen=True)
class Misconception:
    """A typical mistake: replacement answers and the score each tests cell must then earn."""

    id: str
    description: str
    answers: dict[str, str]
    expected: dict[str, tuple[float, str]]
    saved_answers: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SavedAnswer:
    """A widget's answer as the key (or a misconception) saves it: its kind and plain data."""

    kind: str
    data: Any


@dataclass(frozen=True)
class AnswerKey:
    """An assignment's key (``autograders/<a>/key.yaml``): never part of any notebook.

    ``choices`` maps a choice cell's grade id to its filled text (``a01_q1 = "C"``);
    ``saved_answers`` maps an answer name to what the widget saves for a fully right answer.
    """

    choices: dict[str, str] = field(default_factory=dict)
    saved_answers: dict[str, SavedAnswer] = field(default_factory=dict)


#: What a misconception may do to a saved answer instead of giving data (the bad-input cases).
TAMPERING = ("missing", "edited", "other-assignment", "other-learner")


def load_key(path: Path) -> AnswerKey:
    """Read ``key.yaml`` (an empty key when the assignment has none)."""
    if not Path(path).is_file():
        return AnswerKey()
    data = _read_yaml(path)
    choices = data.get("choices") or {}
    saved = data.get("saved_answers") or {}
    if not isinstance(choices, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in choices.items()
    ):
        msg = "'choices' must map each choice cell's grade id to its filled text"
        raise BpscareError(msg, path=path)
    if not isinstance(saved, dict):
        msg = "'saved_answers' must map answer names to {kind, data}"
        raise BpscareError(msg, path=path)
    answers = {}
    for name, spec in saved.items():
        if not isinstance(spec, dict) or "kind" not in spec or "data" not in spec:
            msg = f"saved_answers.{name} needs 'kind' and 'data'"
            raise BpscareError(msg, path=path)
        answers[str(name)] = SavedAnswer(str(spec["kind"]), spec["data"])
    return AnswerKey(dict(choices), answers)


def answer_files(
    key: AnswerKey,
    assignment: str,
    learner: str,
    overrides: Mapping[str, Any] | None = None,
    names: Iterable[str] | None = None,
) -> dict[str, bytes]:
    """The answer files a learner submits, as the widgets save them (file name → bytes).

    Starts from the key's answers (only ``names``, when given); ``overrides`` maps an answer
    name to replacement ``{kind, data}``, or to ``{"tamper": one of TAMPERING}``.
    """
    chosen = set(key.saved_answers if names is None else names)
    files: dict[str, bytes] = {}
    for name, answer in key.saved_answers.items():
        spec = (overrides or {}).get(name)
        if spec is None and name not in chosen:
            continue
        kind, data, tamper = answer.kind, answer.data, ""
        if isinstance(spec, dict) and "tamper" in spec:
            tamper = str(spec["tamper"])
        elif isinstance(spec, dict):
            kind, data = str(spec.get("kind", kind)), spec.get("data")
        if tamper == "missing":
            continue
        record = answer_record(
            name,
            data,
            kind=kind,
            assignment="a00-another-assignment" if tamper == "other-assignment" else assignment,
            learner="another-learner" if tamper == "other-learner" else learner,
        )
        if tamper == "edited":
            record["data"] = _hand_edit(record["data"])
        text = json.dumps(record, indent=1, ensure_ascii=False)
        files[f"{name}{SUFFIX}"] = (text + "\n").encode("utf-8")
    return files


def _hand_edit(data: Any) -> Any:
    """What someone editing the file by hand might do: change a value, keep the digest."""
    if isinstance(data, dict) and data:
        first = sorted(data)[0]
        return {**data, first: "edited by hand"}
    return ["edited by hand"]


def solution_code(source: str) -> str:
    """Return an answer cell's source with the solution delimiters and canary lines removed."""
    keep = []
    for line in source.splitlines():
        stripped = line.strip()
        if stripped in ("### BEGIN SOLUTION", "### END SOLUTION") or "LEAK-CANARY" in stripped:
            continue
        keep.append(line)
    return "\n".join(keep)


def answer_cells(nb: nbformat.NotebookNode) -> dict[str, int]:
    """Map each autograded-answer grade id to its cell index."""
    found = {}
    for index, cell in enumerate(nb.cells):
        nbg = cell.get("metadata", {}).get("nbgrader", {})
        if nbg.get("solution") and not nbg.get("grade") and nbg.get("grade_id"):
            found[nbg["grade_id"]] = index
    return found


def fill_release(
    release: nbformat.NotebookNode,
    source: nbformat.NotebookNode,
    answers: Mapping[str, str],
    reflection: str | None = None,
    key: AnswerKey | None = None,
) -> nbformat.NotebookNode:
    """Return a copy of ``release`` with answer cells replaced.

    ``answers`` maps grade id → code, or → ``SOLUTION_ANSWER`` to use the key's choice (for a
    choice cell, from ``key``) or the instructor's solution.
    Grade ids not in ``answers`` stay as released (unanswered). ``reflection`` is written into the
    first editable markdown cell after each task cell.
    """
    filled = copy.deepcopy(release)
    release_ids = answer_cells(filled)
    source_ids = answer_cells(source)
    for grade_id, code in answers.items():
        if grade_id not in release_ids:
            msg = f"no autograded answer cell {grade_id!r} in the released notebook"
            raise BpscareError(msg)
        if code == SOLUTION_ANSWER and key is not None and grade_id in key.choices:
            code = key.choices[grade_id]
        elif code == SOLUTION_ANSWER:
            code = solution_code(source.cells[source_ids[grade_id]].source)
        filled.cells[release_ids[grade_id]].source = code
    if reflection is not None:
        _write_reflections(filled, reflection)
    return filled


def write_submission(
    course_dir: Path,
    learner: str,
    assignment: str,
    notebooks: Mapping[str, nbformat.NotebookNode],
    submitted_at: dt.datetime,
    extra_files: Mapping[str, Path] | None = None,
    answer_bytes: Mapping[str, bytes] | None = None,
) -> Path:
    """Place a submission in ``submitted/<learner>/<assignment>/`` the way nbgrader's collect does.

    The folder is assembled beside its destination and renamed into place; an existing
    submission is never overwritten (raise instead).
    """
    final = Path(course_dir) / "submitted" / learner / assignment
    if final.exists():
        msg = "a submission is already collected here; nothing was overwritten"
        raise BpscareError(msg, path=final)
    with atomic.staged_dir(final, "incoming") as staging:
        for name, nb in notebooks.items():
            write_notebook_atomic(nb, staging / name)
        for name, path in (extra_files or {}).items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        for name, data in (answer_bytes or {}).items():
            (staging / name).write_bytes(data)
        stamp = submitted_at.astimezone(dt.UTC).strftime(TIMESTAMP_FORMAT)
        (staging / "timestamp.txt").write_text(stamp)
    return final


def load_misconceptions(path: Path) -> list[Misconception]:
    """Read an assignment's ``misconceptions.yaml`` (see autograders/*/misconceptions.yaml)."""
    if not Path(path).is_file():
        return []
    data = _read_yaml(path)
    found = []
    for mid, spec in data.items():
        if not isinstance(spec, dict) or not spec.get("expected"):
            msg = "each misconception needs 'expected' scores"
            raise BpscareError(msg, path=path, cell=mid)
        if not spec.get("answers") and not spec.get("saved_answers"):
            msg = "each misconception needs 'answers' (choice cells) or 'saved_answers'"
            raise BpscareError(msg, path=path, cell=mid)
        saved = spec.get("saved_answers") or {}
        for name, answer in saved.items() if isinstance(saved, dict) else ():
            tamper = answer.get("tamper") if isinstance(answer, dict) else None
            if not isinstance(answer, dict) or (tamper is None and "data" not in answer):
                msg = f"saved_answers.{name} needs 'data' (and 'kind') or 'tamper'"
                raise BpscareError(msg, path=path, cell=mid)
            if tamper is not None and tamper not in TAMPERING:
                msg = f"saved_answers.{name}.tamper must be one of {', '.join(TAMPERING)}"
                raise BpscareError(msg, path=path, cell=mid)
        expected = {}
        for grade_id, exp in spec["expected"].items():
            if not isinstance(exp, dict) or "points" not in exp:
                msg = f"expected.{grade_id} needs points (and a message phrase)"
                raise BpscareError(msg, path=path, cell=mid)
            expected[grade_id] = (float(exp["points"]), str(exp.get("message", "")))
        found.append(
            Misconception(
                mid,
                str(spec.get("description", "")),
                dict(spec.get("answers") or {}),
                expected,
                dict(saved) if isinstance(saved, dict) else {},
            )
        )
    return found


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        msg = f"malformed YAML: {exc}"
        raise BpscareError(msg, path=path) from exc
    if not isinstance(data, dict):
        msg = "expected a mapping at the top level"
        raise BpscareError(msg, path=path)
    return data


def _write_reflections(nb: nbformat.NotebookNode, text: str) -> None:
    after_task = False
    for cell in nb.cells:
        nbg = cell.get("metadata", {}).get("nbgrader", {})
        if nbg.get("task"):
            after_task = True
            continue
        if after_task and cell.cell_type == "markdown" and not nbg.get("locked"):
            cell.source = text
            after_task = False
