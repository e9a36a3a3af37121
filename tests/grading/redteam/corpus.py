"""The red-team corpus: hostile a01-screening submissions, each with the score it must get.

Each ``*.yaml`` file in this folder is one submission. Keys:

``attack``       the Safety bullet of issue 8 it exercises (free text, for the report).
``description``  what the learner's code tries and why it must fail.
``answers``      grade id of an autograded answer cell → the code the learner wrote there.
                 Every answer cell not named keeps the instructor's solution, so the cells the
                 attack does not touch must still earn full marks ("the rest is still graded").
``mutations``    raw notebook edits applied after the answers (see :func:`apply_mutation`).
``notebook``     replaces the notebook file itself: ``{text: ...}`` (raw text), ``{base64: ...}``
                 (raw bytes), ``{json: ...}`` (a JSON document) or ``{symlink: ...}``.
``files``        extra files in the submission folder: name → text, ``{symlink: target}`` or
                 ``{fifo: true}`` (a named pipe).
``expected``     tests cell grade id → ``full`` (full marks: the points of the cell's tag in
                 the code fixture's a01, :data:`PROJECT`) or the exact partial points it must
                 earn, a number below full marks. All four tests cells are listed.
``flagged``      true: the result must carry a flag with a reason; false: it must carry none;
                 absent: either (the attack fails silently inside the learner's own process).
``needs_sandbox`` true: the fair score holds only where the bwrap sandbox works (a host unix
                 socket, an unprivileged uid); on a machine without bwrap the case is reported
                 as skipped, as the engine reports the missing protection with a warning.

Code, texts and link targets are ``string.Template`` text: ``$course`` (the course folder),
``$project`` (the folder holding ``autograders/``), ``$marker`` (a path that must never be
created), ``$port`` (a loopback port the test listens on) and ``$peer`` (another learner's id).

Full marks are never written down here: :data:`TEST_CELLS` reads them from the grade cells'
tags, so changing a cell's points changes no corpus file. A partial score follows
:class:`bpscare.grading.checks.Checks` (earned weight / total weight × the cell's points, rounded
to 2 places) and nbgrader's rules; the weights are those of the visible checks in the tests
cells of the code fixture's a01 (``tests/fixtures/code_project/assignments/a01-screening/``) plus
the hidden ones in its ``autograders/a01-screening/hidden_tests.py``.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import yaml

from bpscare.authoring import simulated_submissions
from bpscare.authoring.build import Project, load_assignment

HERE = Path(__file__).resolve().parent
ASSIGNMENT = "a01-screening"
NOTEBOOK = "a01-screening.ipynb"
#: the project holding the code version of a01 (learner functions), frozen for the engine's tests
PROJECT = HERE.parents[1] / "fixtures" / "code_project"
#: the keyword a corpus file writes for a tests cell's full marks
FULL = "full"


def full_marks(project: Path = PROJECT) -> dict[str, float]:
    """Return tests cell grade id → points, read from the tags of a01's grade cells.

    The autograded part of a01 only; the reflection task is graded by hand. The assignment is
    loaded as the build loads it (hidden tests merged, Checks points checked against the tags).
    """
    assignment = load_assignment(Project(project), ASSIGNMENT)
    return {
        cell.grade_id: cell.points
        for cell in assignment.grade_cells
        if cell.kind == "tests" and cell.notebook == NOTEBOOK
    }


#: tests cell → points (full marks), from the single source: the cell's tag
TEST_CELLS = full_marks()
SUBMITTED_AT = "2027-02-14 09:30:00.000000 UTC"  # before the due date: no late flag


@dataclass
class Case:
    """One corpus entry, as read from its YAML file."""

    name: str
    attack: str
    description: str
    answers: dict[str, str] = field(default_factory=dict)
    mutations: list[dict[str, Any]] = field(default_factory=list)
    notebook: dict[str, Any] | None = None
    files: dict[str, Any] = field(default_factory=dict)
    expected: dict[str, float] = field(default_factory=dict)
    flagged: bool | None = None
    blank: bool = False
    needs_sandbox: bool = False

    @property
    def student(self) -> str:
        """The learner id this case is submitted under."""
        return f"rt-{self.name}"

    @property
    def total(self) -> float:
        """The total autograded points the case must get."""
        return round(sum(self.expected.values()), 2)


def load_cases(folder: Path = HERE) -> list[Case]:
    """Read every corpus file, checking that each lists a valid score for every tests cell."""
    cases = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        cases.append(
            Case(
                name=path.stem,
                attack=str(data["attack"]),
                description=str(data["description"]),
                answers=dict(data.get("answers") or {}),
                mutations=list(data.get("mutations") or []),
                notebook=data.get("notebook"),
                files=dict(data.get("files") or {}),
                expected=expected_scores(path.name, data.get("expected")),
                flagged=data.get("flagged"),
                needs_sandbox=bool(data.get("needs_sandbox", False)),
            )
        )
    return cases


def expected_scores(source: str, expected: Any) -> dict[str, float]:
    """Resolve a corpus file's ``expected`` mapping into points per tests cell.

    ``full`` becomes the cell's points; a number must be a partial score, from 0 up to (not
    including) the cell's points. Anything else (an unknown keyword, a missing or extra cell, a
    score above the cell's points, a full mark written as a number) raises ``ValueError``.
    """
    if not isinstance(expected, dict) or set(expected) != set(TEST_CELLS):
        msg = f"{source}: expected must list exactly {sorted(TEST_CELLS)}"
        raise ValueError(msg)
    return {grade_id: _score(source, grade_id, value) for grade_id, value in expected.items()}


def _score(source: str, grade_id: str, value: Any) -> float:
    full = TEST_CELLS[grade_id]
    if value == FULL and isinstance(value, str):
        return full
    if isinstance(value, str):
        msg = f"{source}: {grade_id}: unknown keyword {value!r}; write {FULL!r} or a number"
        raise ValueError(msg)
    if isinstance(value, bool) or not isinstance(value, int | float):
        msg = f"{source}: {grade_id}: {value!r} is neither {FULL!r} nor a number"
        raise ValueError(msg)
    if not 0 <= value <= full:
        msg = f"{source}: {grade_id} expects {value}, outside 0..{full:g} (the cell's points)"
        raise ValueError(msg)
    if value == full:
        msg = f"{source}: {grade_id}: write {FULL!r} for full marks, not the number {value}"
        raise ValueError(msg)
    return float(value)


def controls() -> list[Case]:
    """Honest submissions graded in the same run: complete, blank and each documented mistake."""
    full = dict(TEST_CELLS)
    found = [
        Case(
            "control-complete",
            "control",
            "every answer is the instructor's solution",
            {},
            [],
            expected=full,
            flagged=False,
        ),
        Case(
            "control-blank",
            "control",
            "nothing answered",
            {},
            [],
            expected=dict.fromkeys(TEST_CELLS, 0.0),
            flagged=False,
            blank=True,
        ),
    ]
    for mistake in simulated_submissions.load_misconceptions(
        PROJECT / "autograders" / ASSIGNMENT / "misconceptions.yaml"
    ):
        expected = dict(full)
        expected.update({k: v[0] for k, v in mistake.expected.items()})
        found.append(
            Case(
                f"control-{mistake.id.replace('_', '-')}",
                "control",
                mistake.description,
                dict(mistake.answers),
                [],
                expected=expected,
                flagged=False,
            )
        )
    return found


def build_submission(case: Case, course: Path, context: dict[str, str]) -> Path:
    """Write ``case`` into ``course/submitted/<student>/a01-screening/`` and return that folder."""
    folder = course / "submitted" / case.student / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / "timestamp.txt").write_text(SUBMITTED_AT)
    target = folder / NOTEBOOK
    for name, spec in case.files.items():
        _write_extra(folder / name, spec, context)
    if case.notebook is not None:
        _write_raw_notebook(target, case.notebook, context)
        return folder
    release = nbformat.read(str(course / "release" / ASSIGNMENT / NOTEBOOK), as_version=4)
    source = nbformat.read(str(course / "source" / ASSIGNMENT / NOTEBOOK), as_version=4)
    if case.blank:
        answers: dict[str, str] = {}
    else:
        answers = dict.fromkeys(
            simulated_submissions.answer_cells(release), simulated_submissions.SOLUTION_ANSWER
        )
        answers.update({k: _fill(v, context) for k, v in case.answers.items()})
    nb = simulated_submissions.fill_release(release, source, answers, reflection="My reflection.")
    for mutation in case.mutations:
        apply_mutation(nb, mutation, context)
    target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return folder


def apply_mutation(nb: nbformat.NotebookNode, spec: dict[str, Any], context: dict) -> None:
    """Edit the notebook as a learner could with a text editor.

    ``op`` is one of ``edit_source`` (``source``; ``checksum: recompute`` re-signs the cell),
    ``delete_cell``, ``duplicate_cell`` (the copy goes right after, with ``source``),
    ``retype_cell`` (``to``: markdown or raw), ``set_metadata`` (``nbgrader``: keys to change;
    ``checksum: recompute``), ``add_cell`` (``source``, ``nbgrader`` metadata; ``after``) and
    ``add_output`` (a ``megabytes``-sized base64 PNG output stored in the cell).
    """
    from nbgrader.utils import compute_checksum

    op = spec["op"]
    if op == "add_cell":
        cell = nbformat.v4.new_code_cell(_fill(spec["source"], context))
        cell.metadata["nbgrader"] = dict(spec["nbgrader"])
        if spec.get("checksum") == "recompute":
            cell.metadata["nbgrader"]["checksum"] = compute_checksum(cell)
        nb.cells.insert(_index(nb, spec["after"]) + 1, cell)
        return
    index = _index(nb, spec["grade_id"])
    cell = nb.cells[index]
    if op == "edit_source":
        cell.source = _fill(spec["source"], context)
    elif op == "delete_cell":
        del nb.cells[index]
        return
    elif op == "duplicate_cell":
        twin = copy.deepcopy(cell)
        twin.source = _fill(spec["source"], context)
        if spec.get("checksum") == "recompute":
            twin.metadata["nbgrader"]["checksum"] = compute_checksum(twin)
        nb.cells.insert(index + 1, twin)
        return
    elif op == "retype_cell":
        new = (
            nbformat.v4.new_markdown_cell(cell.source)
            if spec["to"] == "markdown"
            else nbformat.v4.new_raw_cell(cell.source)
        )
        new.metadata = copy.deepcopy(cell.metadata)
        if "id" in cell:
            new["id"] = cell["id"]
        nb.cells[index] = new
        cell = new
    elif op == "set_metadata":
        cell.metadata["nbgrader"].update(spec["nbgrader"])
    elif op == "add_output":
        blob = base64.b64encode(b"\x89PNG" * (int(spec["megabytes"]) * 262144)).decode()
        cell.outputs.append(
            nbformat.v4.new_output("display_data", data={"image/png": blob, "text/plain": "x"})
        )
    else:
        msg = f"unknown mutation op {op!r}"
        raise ValueError(msg)
    if spec.get("checksum") == "recompute":
        cell.metadata["nbgrader"]["checksum"] = compute_checksum(cell)


def _index(nb: nbformat.NotebookNode, grade_id: str) -> int:
    for index, cell in enumerate(nb.cells):
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            return index
    msg = f"no cell with grade_id {grade_id!r}"
    raise ValueError(msg)


def _fill(text: str, context: dict[str, str]) -> str:
    return string.Template(text).safe_substitute(context)


def _write_raw_notebook(target: Path, spec: dict[str, Any], context: dict[str, str]) -> None:
    if "text" in spec:
        target.write_text(_fill(spec["text"], context), encoding="utf-8")
    elif "base64" in spec:
        target.write_bytes(base64.b64decode(spec["base64"]))
    elif "json" in spec:
        target.write_text(json.dumps(spec["json"]), encoding="utf-8")
    elif "symlink" in spec:
        os.symlink(_fill(spec["symlink"], context), target)
    else:
        msg = f"notebook needs text, base64, json or symlink, got {sorted(spec)}"
        raise ValueError(msg)


def _write_extra(path: Path, spec: Any, context: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(spec, dict) and "symlink" in spec:
        os.symlink(_fill(spec["symlink"], context), path)
    elif isinstance(spec, dict) and "fifo" in spec:
        os.mkfifo(path)
    else:
        path.write_text(_fill(str(spec), context), encoding="utf-8")
