"""Learner feedback: nbgrader's feedback HTML, made safe to hand to a learner.

nbgrader's ``generate_feedback`` shows hidden tests (nbgrader#917) and full tracebacks, which
quote the failing hidden-test line. :class:`LearnerSafeFeedback` runs before the HTML is
rendered, and :func:`generate_feedback` runs nbgrader's step with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from nbformat import NotebookNode
from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme, NbGraderPreprocessor

from bpscare.nbgrader_course import ensure_tools_on_path, load_course_config, raise_unless_success


class LearnerSafeFeedback(NbGraderPreprocessor):
    """Remove hidden-test regions, mark schemes and test-cell tracebacks from a notebook."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        """Filter every cell in place and return the notebook."""
        hidden = ClearHiddenTests(enforce_metadata=False)
        scheme = ClearMarkScheme(enforce_metadata=False, check_attachment_leakage=False)
        for index, cell in enumerate(nb.cells):
            hidden.preprocess_cell(cell, resources, index)
            scheme.preprocess_cell(cell, resources, index)
            nbg = cell.get("metadata", {}).get("nbgrader", {})
            if nbg.get("grade") and nbg.get("locked"):
                cell.outputs = [without_traceback(out) for out in cell.get("outputs", [])]
        return nb, resources


def without_traceback(output: NotebookNode) -> NotebookNode:
    """Keep an error's name and message but not its traceback (which quotes hidden test lines)."""
    if output.get("output_type") == "error":
        output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
    return output


def generate_feedback(
    course_dir: Path, assignment: str, students: Iterable[str] | None = None
) -> None:
    """Generate learner feedback HTML without hidden tests, mark schemes or test tracebacks."""
    ensure_tools_on_path()
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.apps import NbGraderAPI
    from nbgrader.preprocessors import GetGrades

    config = load_course_config(course_dir)
    config.NbGraderAPI.log_level = "ERROR"
    config.GenerateFeedback.preprocessors = [
        GetGrades,
        LearnerSafeFeedback,
        CSSHTMLHeaderPreprocessor,
    ]
    api = NbGraderAPI(config=config)
    targets = list(students) if students is not None else [None]
    for student in targets:
        result = api.generate_feedback(assignment, student, force=True)
        raise_unless_success(result, f"nbgrader generate_feedback {assignment}", course_dir)
