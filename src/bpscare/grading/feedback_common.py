"""What both feedback renderers share: names, cell rules, one learner's rendering.

The filter's names in the course config, what a cell says about itself (nbgrader's ``utils``
tests), the pending marks, and rendering one learner's notebooks with an exporter.

It imports neither nbgrader nor nbconvert, so :mod:`bpscare.grading.feedback_fast` runs the
same cell rules as :mod:`bpscare.grading.feedback_nbgrader` without importing nbgrader.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nbformat import NotebookNode

#: How the course config names the filter (a string: the config file imports nothing).
FILTER = "bpscare.grading.feedback.LearnerSafeFeedback"
#: nbgrader's GetGrades, which also marks graded cells nobody has graded yet as pending.
GET_GRADES = "bpscare.grading.feedback.GetGradesAndPending"
HIDDEN_PLACEHOLDER = "# (this cell's tests are not shown)"
#: The preprocessors ``COURSE_CONFIG`` lists, in order (what the fast renderer runs itself).
STANDARD_PREPROCESSORS = [GET_GRADES, FILTER, "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor"]


# --- what a cell says about itself (nbgrader.utils' tests, without importing nbgrader) --------


def _flag(cell: NotebookNode, name: str) -> bool:
    """The cell's nbgrader metadata flag ``name`` (False without nbgrader metadata)."""
    if "nbgrader" not in cell.metadata:
        return False
    return bool(cell.metadata["nbgrader"].get(name, False))


def is_grade(cell: NotebookNode) -> bool:
    """Say whether the cell is graded (tests, or a manually graded answer): ``utils.is_grade``."""
    return _flag(cell, "grade")


def is_solution(cell: NotebookNode) -> bool:
    """Say whether the cell is a learner's answer: nbgrader's ``utils.is_solution``."""
    return _flag(cell, "solution")


def is_task(cell: NotebookNode) -> bool:
    """Say whether the cell is a manually graded task: nbgrader's ``utils.is_task``."""
    return _flag(cell, "task")


def is_locked(cell: NotebookNode) -> bool:
    """Say whether the gradebook restores the cell's source: nbgrader's ``utils.is_locked``."""
    if is_solution(cell):
        return False
    return is_grade(cell) or _flag(cell, "locked")


def from_gradebook(cell: NotebookNode) -> bool:
    """Say whether nbgrader restores this cell's source from the gradebook (not the learner's)."""
    if "nbgrader" not in cell.get("metadata", {}):
        return False
    return bool(is_locked(cell) or is_task(cell))


def without_traceback(output: NotebookNode) -> NotebookNode:
    """Keep an error's name and message but not its traceback (which quotes hidden test lines)."""
    if output.get("output_type") == "error":
        output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
    return output


def mark_pending(cell: NotebookNode, grade: Any) -> None:
    """Mark ``cell`` pending when its grade has neither a manual nor an automatic score."""
    if grade.manual_score is None and grade.auto_score is None:
        cell.metadata.nbgrader["pending"] = True


def pending_points(nb: NotebookNode) -> float:
    """The points of the notebook's cells that are awaiting grading."""
    return float(
        sum(
            cell.metadata.nbgrader.get("points", 0) or 0
            for cell in nb.cells
            if cell.get("metadata", {}).get("nbgrader", {}).get("pending")
        )
    )


def record_totals(info: dict[str, Any], score: float, max_score: float, late: Any) -> None:
    """Write a notebook's totals into its ``resources["nbgrader"]`` as nbgrader's GetGrades does.

    ``late`` is the gradebook's late-submission penalty (None: none); the score shown is the
    score less the penalty.
    """
    if late is None:
        late = 0
    info["score"] = score - late
    info["max_score"] = max_score
    info["late_penalty"] = late


@dataclass
class FeedbackResult:
    """One learner's feedback: the notebooks written, or why it failed."""

    student: str
    notebooks: list[str] = field(default_factory=list)
    error: str | None = None


def render_learner(exporter: Any, coursedir: Any, student: str, assignment: str) -> dict[str, Any]:
    """Render one learner's notebooks: name → HTML text, plus extra output files."""
    source = Path(coursedir.format_path(coursedir.autograded_directory, student, assignment))
    pages: dict[str, str] = {}
    extra: dict[str, bytes] = {}
    for path in sorted(source.glob("*.ipynb")):
        resources = {
            "unique_key": path.stem,
            "output_files_dir": f"{path.stem}_files",
            "nbgrader": {
                "student": student,
                "assignment": assignment,
                "notebook": path.stem,
                "db_url": coursedir.db_url,
            },
        }
        with _in_folder(coursedir.root):
            html, resources = exporter.from_filename(str(path), resources=resources)
        pages[f"{path.stem}{exporter.file_extension}"] = html
        extra.update(resources.get("outputs") or {})
    return {"pages": pages, "extra": extra}


@contextlib.contextmanager
def _in_folder(folder: str) -> Iterator[None]:
    """Run in the course folder, as nbgrader's converter does (relative paths in templates)."""
    here = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(here)
