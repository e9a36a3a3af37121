"""Text notebooks: read jupytext sources and expand short grading tags into nbgrader metadata.

Lessons and assignments are committed as text (MyST ``.md`` or ``py:percent`` ``.py``). Writing
nbgrader's JSON cell headers by hand is error-prone, so an assignment cell may instead carry
short keys that this module expands::

    # %% grading="answer" grade_id="a01_q1_total"
    # %% grading="tests" grade_id="a01_q1_total_tests" points=2 competencies="ACGME-MK EPA-03"
    # %% [markdown] grading="manual" grade_id="a01_q5_reflection" points=3 competencies="ACGME-ICS"

A raw ``nbgrader={...}`` header is also accepted (and round-trips through jupytext unchanged),
but never together with ``grading`` on the same cell.

The tag's ``points`` is the one source of a graded cell's points: :func:`grade_cells` reads them
for the course map and the tests, and :mod:`bpscare.authoring.points` makes the build reject a
tests cell whose ``Checks(points=...)`` says anything else.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat

from bpscare import atomic
from bpscare.errors import BpscareError

NBGRADER_SCHEMA_VERSION = 3
GRADE_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_]*$")
SHORT_KEYS = ("grading", "grade_id", "points", "competencies", "format")
SOLUTION_BEGIN = "### BEGIN SOLUTION"
SOLUTION_END = "### END SOLUTION"
HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"


@dataclass(frozen=True)
class GradingKind:
    """One kind of nbgrader cell: its flags, allowed cell types and whether it carries points."""

    grade: bool
    solution: bool
    locked: bool
    task: bool
    cell_types: tuple[str, ...]
    has_points: bool
    label: str


GRADING_KINDS: dict[str, GradingKind] = {
    "answer": GradingKind(False, True, False, False, ("code",), False, "Autograded answer"),
    "tests": GradingKind(True, False, True, False, ("code",), True, "Autograder tests"),
    "manual": GradingKind(True, True, False, False, ("code", "markdown"), True, "Manual answer"),
    "task": GradingKind(False, False, True, True, ("markdown",), True, "Manually graded task"),
    "readonly": GradingKind(False, False, True, False, ("code", "markdown"), False, "Read-only"),
    # A one-line choice (``a01_q1 = ""``): an answer cell whose released text is the blank form.
    "choice": GradingKind(False, True, False, False, ("code",), False, "Autograded answer"),
}
#: How a graded cell is answered, named in its ``format`` tag; none of them needs code.
ANSWER_FORMATS = {
    "single-best-answer": "one choice written as one line from the options listed",
    "key-feature": "the critical actions for this person today, chosen from a menu",
    "script-concordance": "a -2..+2 judgment scored against an expert panel's distribution",
    "extended-matching": "each vignette matched to one option of a shared list",
    "ordering": "a prioritized list written as an order of the options",
    "panel-grid": "findings placed in the formulation grid widget, scored by a panel key",
    "coding": "utterances coded in the transcript widget, scored against expert codes",
    "care-plan": "a plan made in the care-plan builder widget",
    "rubric": "short free text marked by an instructor with an analytic rubric",
}
#: A choice cell's blank answer line. The build appends an empty solution region; nbgrader's stub
#: for it is empty (the course's ``c.ClearSolutions.code_stub``), so the released cell is the
#: blank form only.
CHOICE_LINE = re.compile(r'^[A-Za-z_][A-Za-z0-9_]* = ""\s*(#.*)?$')
CHOICE_REGION = f"\n{SOLUTION_BEGIN}\n{SOLUTION_END}"


@dataclass(frozen=True)
class GradeCell:
    """A graded cell found in an assignment: what the course map and validation need."""

    notebook: str
    grade_id: str
    kind: str
    points: float
    competencies: tuple[str, ...]
    answer_format: str = ""


def read_text_notebook(path: Path) -> nbformat.NotebookNode:
    """Read a jupytext text notebook; a parse failure becomes one error naming the file."""
    path = Path(path)
    if not path.is_file():
        msg = "text notebook not found"
        raise BpscareError(msg, path=path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        msg = f"not UTF-8 text ({exc.reason} at byte {exc.start})"
        raise BpscareError(msg, path=path) from exc
    fmt = "md:myst" if path.suffix == ".md" else "py:percent"
    try:
        nb = jupytext.reads(text, fmt=fmt)
    except Exception as exc:  # jupytext raises many types for malformed headers
        msg = f"cannot parse as a {fmt} notebook: {_one_line(exc)}"
        raise BpscareError(msg, path=path) from exc
    nb.metadata.pop("jupytext", None)
    if "kernelspec" not in nb.metadata:
        nb.metadata["kernelspec"] = {
            "display_name": "Python 3",
            "language": "python",
            "name": "python3",
        }
    return nb


def describe_cell(index: int, cell: nbformat.NotebookNode) -> str:
    """Name a cell for an error message: its position, and its grade id or first line."""
    meta = cell.get("metadata", {})
    grade_id = meta.get("grade_id") or meta.get("nbgrader", {}).get("grade_id")
    if grade_id:
        return f"{index + 1} ({grade_id})"
    first = cell.get("source", "").strip().splitlines()
    snippet = first[0][:40] if first else "empty"
    return f"{index + 1} ({snippet!r})"


def expand_grading(nb: nbformat.NotebookNode, path: Path) -> nbformat.NotebookNode:
    """Return a copy of ``nb`` with every short grading tag expanded into nbgrader metadata.

    Raises ``BpscareError`` naming the file and the cell for unknown kinds, missing or
    contradictory metadata, misplaced points or competencies, and missing solution delimiters.
    """
    out = copy.deepcopy(nb)
    for index, cell in enumerate(out.cells):
        where = describe_cell(index, cell)
        meta = cell.setdefault("metadata", {})
        has_short = any(key in meta for key in SHORT_KEYS)
        if has_short and "nbgrader" in meta:
            msg = "has both a short 'grading' tag and a raw nbgrader header; keep one"
            raise BpscareError(msg, path=path, cell=where)
        if has_short:
            _expand_cell(cell, path, where)
        elif "nbgrader" in meta:
            _check_raw_nbgrader(cell, path, where)
        _check_delimiters(cell, path, where)
    return out


def grade_cells(nb: nbformat.NotebookNode, notebook_name: str) -> list[GradeCell]:
    """List the graded cells (tests, manual answers, tasks) of an expanded notebook."""
    found = []
    for cell in nb.cells:
        nbg = cell.get("metadata", {}).get("nbgrader")
        if not nbg or not (nbg.get("grade") or nbg.get("task")):
            continue
        kind = _kind_of(nbg)
        bps = cell["metadata"].get("bpscare", {})
        found.append(
            GradeCell(
                notebook_name,
                nbg["grade_id"],
                kind,
                float(nbg.get("points", 0)),
                tuple(bps.get("competencies", ())),
                str(bps.get("format", "")),
            )
        )
    return found


def write_notebook_atomic(nb: nbformat.NotebookNode, path: Path) -> None:
    """Write an ``.ipynb`` via a temporary file in the same folder, then rename it into place."""
    text = nbformat.writes(nb)
    atomic.write_text(path, text if text.endswith("\n") else text + "\n")


def _expand_cell(cell: nbformat.NotebookNode, path: Path, where: str) -> None:
    meta = cell["metadata"]
    kind_name = meta.pop("grading", None)
    grade_id = meta.pop("grade_id", None)
    points = meta.pop("points", None)
    competencies = meta.pop("competencies", None)
    answer_format = meta.pop("format", None)
    if kind_name is None:
        msg = "has grade_id/points/competencies but no grading kind; add grading=" + "|".join(
            GRADING_KINDS
        )
        raise BpscareError(msg, path=path, cell=where)
    kind = GRADING_KINDS.get(kind_name)
    if kind is None:
        msg = f"unknown grading kind {kind_name!r}; allowed: {', '.join(GRADING_KINDS)}"
        raise BpscareError(msg, path=path, cell=where)
    if cell.cell_type not in kind.cell_types:
        msg = f"grading={kind_name!r} needs a {' or '.join(kind.cell_types)} cell"
        raise BpscareError(msg + f", not {cell.cell_type}", path=path, cell=where)
    _check_grade_id(grade_id, path, where)
    nbg = {
        "grade": kind.grade,
        "grade_id": grade_id,
        "locked": kind.locked,
        "schema_version": NBGRADER_SCHEMA_VERSION,
        "solution": kind.solution,
        "task": kind.task,
    }
    if kind.has_points:
        nbg["points"] = _check_points(points, path, where)
    elif points is not None:
        msg = f"grading={kind_name!r} carries no points (the tests cell does); remove points"
        raise BpscareError(msg, path=path, cell=where)
    graded = kind.grade or kind.task
    if graded:
        ids = _parse_competencies(competencies, path, where)
        meta["bpscare"] = {"competencies": list(ids)}
        if answer_format is not None:
            if answer_format not in ANSWER_FORMATS:
                msg = f"unknown format {answer_format!r}; allowed: {', '.join(ANSWER_FORMATS)}"
                raise BpscareError(msg, path=path, cell=where)
            meta["bpscare"]["format"] = answer_format
    elif competencies is not None or answer_format is not None:
        msg = f"grading={kind_name!r} is not graded, so it cannot assess competencies"
        raise BpscareError(msg + " or carry a format", path=path, cell=where)
    meta["nbgrader"] = nbg
    if kind_name == "choice":
        _expand_choice(cell, path, where)
    if kind_name == "answer" and SOLUTION_BEGIN not in cell.source:
        msg = f"an autograded answer needs a '{SOLUTION_BEGIN}' ... '{SOLUTION_END}' region"
        raise BpscareError(msg, path=path, cell=where)


def _expand_choice(cell: nbformat.NotebookNode, path: Path, where: str) -> None:
    """Check a choice cell is only blank ``name = ""`` lines; give it an empty solution region.

    The key is never in the notebook (it lives in ``autograders/<a>/key.yaml``), so nothing in
    a choice cell can leak.
    """
    lines = [line for line in cell.source.splitlines() if line.strip()]
    bad = _not_blank_form(lines)
    if bad or not any(CHOICE_LINE.match(line.strip()) for line in lines):
        msg = (
            'a choice cell holds only blank answer lines such as `a01_q1 = ""` (and comments); '
            f"found {bad[0][:60]!r}"
            if bad
            else 'a choice cell needs at least one blank answer line such as `a01_q1 = ""`'
        )
        raise BpscareError(msg, path=path, cell=where)
    # at the end: nbgrader replaces the region by the empty stub, leaving the blank form as written
    cell.source = f"{cell.source.rstrip()}{CHOICE_REGION}"


def is_choice_cell(cell: nbformat.NotebookNode) -> bool:
    """True for an expanded choice cell: only blank answer lines, then the empty region."""
    source = cell.get("source", "")
    if not source.endswith(CHOICE_REGION):
        return False
    return not _not_blank_form(source[: -len(CHOICE_REGION)].splitlines())


def _not_blank_form(lines: list[str]) -> list[str]:
    """The lines that are neither a comment nor a blank answer line."""
    return [
        line
        for line in lines
        if line.strip()
        and not line.lstrip().startswith("#")
        and not CHOICE_LINE.match(line.strip())
    ]


def _check_raw_nbgrader(cell: nbformat.NotebookNode, path: Path, where: str) -> None:
    nbg = cell["metadata"]["nbgrader"]
    if not isinstance(nbg, dict):
        msg = "nbgrader metadata must be a mapping"
        raise BpscareError(msg, path=path, cell=where)
    flags = [nbg.get(k, False) for k in ("grade", "solution", "locked", "task")]
    if not any(flags):
        return
    _check_grade_id(nbg.get("grade_id"), path, where)
    if nbg.get("grade") or nbg.get("task"):
        _check_points(nbg.get("points"), path, where)
    if nbg.get("task") and (nbg.get("grade") or nbg.get("solution")):
        msg = "nbgrader metadata is contradictory: a task cell cannot also be grade or solution"
        raise BpscareError(msg, path=path, cell=where)
    nbg.setdefault("schema_version", NBGRADER_SCHEMA_VERSION)
    bps = cell["metadata"].get("bpscare", {})
    if (nbg.get("grade") or nbg.get("task")) and not bps.get("competencies"):
        msg = "graded cell has no competencies; add metadata bpscare.competencies"
        raise BpscareError(msg, path=path, cell=where)


def _check_delimiters(cell: nbformat.NotebookNode, path: Path, where: str) -> None:
    source = cell.get("source", "")
    nbg = cell.get("metadata", {}).get("nbgrader", {})
    for begin, end in ((SOLUTION_BEGIN, SOLUTION_END), (HIDDEN_BEGIN, HIDDEN_END)):
        opened = source.count(begin)
        closed = source.count(end)
        if opened != closed:
            msg = f"unbalanced '{begin}' ({opened}) and '{end}' ({closed})"
            raise BpscareError(msg, path=path, cell=where)
    if SOLUTION_BEGIN in source and not nbg.get("solution"):
        msg = f"'{SOLUTION_BEGIN}' in a cell that is not an answer cell would leak to learners"
        raise BpscareError(msg, path=path, cell=where)
    if HIDDEN_BEGIN in source and not nbg.get("grade"):
        msg = f"'{HIDDEN_BEGIN}' in a cell that is not a tests cell would leak to learners"
        raise BpscareError(msg, path=path, cell=where)


def _check_grade_id(grade_id: object, path: Path, where: str) -> None:
    if not isinstance(grade_id, str) or not GRADE_ID_PATTERN.match(grade_id):
        msg = (
            f"grade_id {grade_id!r} is missing or malformed; use lower-case letters, digits and "
            "underscores, e.g. a01_q1_total_tests"
        )
        raise BpscareError(msg, path=path, cell=where)


def _check_points(points: object, path: Path, where: str) -> float:
    if isinstance(points, bool) or not isinstance(points, int | float) or points <= 0:
        msg = f"points must be a positive number, got {points!r}"
        raise BpscareError(msg, path=path, cell=where)
    return points


def _parse_competencies(value: object, path: Path, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        ids = tuple(part for part in re.split(r"[\s,]+", value) if part)
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        ids = tuple(value)
    else:
        ids = ()
    if not ids:
        msg = 'graded cell has no competencies; add competencies="ACGME-MK EPA-03"'
        raise BpscareError(msg, path=path, cell=where)
    return ids


def _kind_of(nbg: dict) -> str:
    for name, kind in GRADING_KINDS.items():
        if (kind.grade, kind.solution, kind.locked, kind.task) == (
            bool(nbg.get("grade")),
            bool(nbg.get("solution")),
            bool(nbg.get("locked")),
            bool(nbg.get("task")),
        ):
            return name
    return "tests" if nbg.get("grade") else "readonly"


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:300] or type(exc).__name__
