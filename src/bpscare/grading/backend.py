"""One entry point for autograding a set of learners, and readers for the resulting grades.

``engine="bpscare"`` uses the parallel, sandboxed engine in :mod:`bpscare.grading`;
``engine="nbgrader"`` runs nbgrader's own autograde, one learner at a time (the reference).
Both write the same nbgrader gradebook and ``autograded/`` folder.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import nbformat

from bpscare import nbgrader_course
from bpscare.errors import BpscareError

ENGINES = ("bpscare", "nbgrader")


def autograde_students(
    course_dir: Path,
    assignment: str,
    students: Sequence[str],
    *,
    engine: str = "bpscare",
    workers: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, str | None]:
    """Autograde ``students``; return learner id → None, or a one-line reason it failed."""
    if engine not in ENGINES:
        msg = f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}"
        raise BpscareError(msg)
    if engine == "nbgrader":
        return nbgrader_course.autograde_with_nbgrader(course_dir, assignment, students, progress)
    from bpscare.grading import autograde

    def on_event(event: object) -> None:
        if progress is not None and getattr(event, "done", False):
            progress(getattr(event, "student", ""))

    run = autograde(
        Path(course_dir), assignment, students=list(students), workers=workers, progress=on_event
    )
    errors: dict[str, str | None] = dict.fromkeys(students)
    for result in run.results:
        reason = getattr(result, "error", None)
        if reason:
            errors[result.student] = reason
    return errors


def cell_scores(course_dir: Path, assignment: str, student: str) -> dict[str, float]:
    """Return grade id → score for one learner's autograded submission (empty if none)."""
    from nbgrader.api import Gradebook, MissingEntry

    scores: dict[str, float] = {}
    with Gradebook(nbgrader_course.course_db_url(course_dir)) as gradebook:
        try:
            submission = gradebook.find_submission(assignment, student)
        except MissingEntry:
            return scores
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                scores[grade.name] = float(grade.score)
    return scores


def cell_outputs(course_dir: Path, assignment: str, student: str) -> dict[str, str]:
    """Return grade id → the text a learner sees under that cell in the autograded notebook."""
    folder = Path(course_dir) / "autograded" / student / assignment
    texts: dict[str, str] = {}
    for path in sorted(folder.glob("*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        for cell in nb.cells:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if not grade_id:
                continue
            parts = []
            for output in cell.get("outputs", []):
                parts.append(output.get("text", ""))
                parts.append(str(output.get("data", {}).get("text/plain", "")))
                parts.append(f"{output.get('ename', '')}: {output.get('evalue', '')}")
            texts[grade_id] = "\n".join(parts)
    return texts
