"""Learner submissions: fill a released notebook with answers and place it in a course.

Used by ``bpscare validate`` (the source's answers, the blank release, each documented
misconception) and by ``bpscare demo`` (a cohort of synthetic learners). Answers are edited into
the *released* notebook, exactly as a learner would, so everything nbgrader checks (cell ids,
checksums, locked cells) is as real as it gets.
"""

from __future__ import annotations

import copy
import datetime as dt
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

from bpscare import atomic
from bpscare.authoring.textnb import write_notebook_atomic
from bpscare.errors import BpscareError

SOLUTION_ANSWER = "__solution__"
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"


@dataclass(frozen=True)
class Misconception:
    """A typical mistake: replacement answers and the score each tests cell must then earn."""

    id: str
    description: str
    answers: dict[str, str]
    expected: dict[str, tuple[float, str]]


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
) -> nbformat.NotebookNode:
    """Return a copy of ``release`` with answer cells replaced.

    ``answers`` maps grade id → code, or → ``SOLUTION_ANSWER`` to use the instructor's solution.
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
        if code == SOLUTION_ANSWER:
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
        stamp = submitted_at.astimezone(dt.UTC).strftime(TIMESTAMP_FORMAT)
        (staging / "timestamp.txt").write_text(stamp)
    return final


def load_misconceptions(path: Path) -> list[Misconception]:
    """Read an assignment's ``misconceptions.yaml`` (see autograders/*/misconceptions.yaml)."""
    if not Path(path).is_file():
        return []
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        msg = f"malformed YAML: {exc}"
        raise BpscareError(msg, path=path) from exc
    found = []
    for mid, spec in data.items():
        if not isinstance(spec, dict) or not spec.get("answers") or not spec.get("expected"):
            msg = "each misconception needs 'answers' and 'expected'"
            raise BpscareError(msg, path=path, cell=mid)
        expected = {}
        for grade_id, exp in spec["expected"].items():
            if not isinstance(exp, dict) or "points" not in exp:
                msg = f"expected.{grade_id} needs points (and a message phrase)"
                raise BpscareError(msg, path=path, cell=mid)
            expected[grade_id] = (float(exp["points"]), str(exp.get("message", "")))
        found.append(
            Misconception(mid, str(spec.get("description", "")), dict(spec["answers"]), expected)
        )
    return found


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
