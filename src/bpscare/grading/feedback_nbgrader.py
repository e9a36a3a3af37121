"""Feedback through nbgrader's own classes: the filter nbgrader runs, and the general renderer.

:class:`LearnerSafeFeedback` and :class:`GetGradesAndPending` are what a course's
``nbgrader_config.py`` names (as ``bpscare.grading.feedback.…``, which imports them from here on
first use), so ``nbgrader generate_feedback`` and formgrader's Generate Feedback button run them.

:class:`Renderer` renders with nbgrader's ``GenerateFeedback`` converter settings and whatever
preprocessors the course config lists, sharing one gradebook connection per process. ``bpscare
feedback`` uses it for a course whose config :mod:`bpscare.grading.feedback_fast` does not
recognise (another preprocessor list, another exporter, a non-SQLite gradebook, a journal to
settle); the two give the same pages.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import (
    ClearHiddenTests,
    ClearMarkScheme,
    GetGrades,
    NbGraderPreprocessor,
)

from bpscare.errors import BpscareError
from bpscare.grading.feedback_common import (
    HIDDEN_PLACEHOLDER,
    FeedbackResult,
    from_gradebook,
    mark_pending,
    pending_points,
    record_totals,
    render_learner,
    without_traceback,
)
from bpscare.grading.feedback_render import CachedCSS, FeedbackHTMLExporter


class LearnerSafeFeedback(NbGraderPreprocessor):
    """Remove hidden-test regions, mark schemes and test-cell tracebacks from a notebook.

    Only cells whose source comes from the gradebook (locked cells: tests, read-only cells and
    tasks) are stripped: a learner's own cell is the learner's text, shown as written, even if
    it contains ``### BEGIN HIDDEN TESTS``. A gradebook cell whose regions do not balance loses
    its whole source rather than failing the notebook.
    """

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        """Filter every cell in place and return the notebook."""
        hidden = ClearHiddenTests(enforce_metadata=False)
        scheme = ClearMarkScheme(enforce_metadata=False, check_attachment_leakage=False)
        for index, cell in enumerate(nb.cells):
            if not from_gradebook(cell):
                continue
            try:
                hidden.preprocess_cell(cell, resources, index)
                scheme.preprocess_cell(cell, resources, index)
            except RuntimeError:  # unbalanced delimiters: show nothing of this cell's source
                cell.source = HIDDEN_PLACEHOLDER if cell.cell_type == "code" else ""
            if utils.is_grade(cell):
                cell.outputs = [without_traceback(out) for out in cell.get("outputs", [])]
        return nb, resources


class GetGradesAndPending(GetGrades):
    """nbgrader's GetGrades; a cell with no score yet is marked pending, not shown as 0.

    A manually graded cell (a rubric-marked task) that no instructor has graded has neither a
    manual nor an automatic score; nbgrader counts it as 0. The feedback page says "awaiting
    grading" for it, and the notebook's heading how many points are still to be graded.
    """

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        """Add the points awaiting grading to what GetGrades records."""
        nb, resources = super().preprocess(nb, resources)
        resources["nbgrader"]["pending_points"] = pending_points(nb)
        return nb, resources

    def _get_score(self, cell: NotebookNode, resources: dict) -> None:
        super()._get_score(cell, resources)
        grade = self.gradebook.find_grade(
            cell.metadata["nbgrader"]["grade_id"],
            self.notebook_id,
            self.assignment_id,
            self.student_id,
        )
        mark_pending(cell, grade)


def register_filter(config: Any) -> None:
    """Make sure ``GenerateFeedback`` runs :class:`LearnerSafeFeedback` (after GetGrades)."""
    if "preprocessors" in config.GenerateFeedback:
        current = list(config.GenerateFeedback.preprocessors)
    else:
        current = [GetGrades, CSSHTMLHeaderPreprocessor]
    if any(_resolve(p) is LearnerSafeFeedback for p in current):
        return
    where = next((i + 1 for i, p in enumerate(current) if _resolve(p) is GetGrades), 0)
    current.insert(where, LearnerSafeFeedback)
    config.GenerateFeedback.preprocessors = current


def _resolve(item: Any) -> Any:
    if isinstance(item, str):
        from traitlets.utils.importstring import import_item

        try:
            return import_item(item)
        except Exception:
            return None
    return item if isinstance(item, type) else type(item)


def check(course: Path, coursedir: Any, assignment: str) -> None:
    """Raise for an unknown assignment; settle what a killed autograde run left (if none runs)."""
    from bpscare.grading import gradebook as gb_mod
    from bpscare.grading import integrity
    from bpscare.nbgrader_course import course_db_url

    url = gb_mod.normalize_db_url(course_db_url(course))
    coursedir.db_url = url
    gradebook = gb_mod.open_gradebook(url, coursedir.course_id)
    try:
        from nbgrader.api import MissingEntry

        try:
            gradebook.find_assignment(assignment)
        except MissingEntry:
            msg = f"unknown assignment {assignment!r}; the gradebook has none of that name"
            raise BpscareError(msg, path=course) from None
        with integrity.course_lock(course, wait=False) as locked:
            if locked:  # no autograde run is under way: settle what a killed one left
                integrity.recover(course / integrity.SCRATCH, gradebook)
    finally:
        gradebook.close()


def with_nbgrader(config: Any, assignment: str, students: Iterable[str]) -> list[FeedbackResult]:
    """Nbgrader's own ``generate_feedback``, one learner at a time (``--engine nbgrader``)."""
    from nbgrader.apps import NbGraderAPI

    from bpscare.nbgrader_course import _tail

    api = NbGraderAPI(config=config)
    results = []
    for student in students:
        outcome = api.generate_feedback(assignment, student, force=True)
        error = None if outcome.get("success") else _tail(outcome)
        results.append(FeedbackResult(student, error=error))
    return results


class Renderer:
    """nbgrader's feedback exporter, built once, with a shared gradebook connection."""

    def __init__(self, config: Any, coursedir: Any) -> None:
        from nbgrader.converters import GenerateFeedback

        converter = GenerateFeedback(coursedir=coursedir, config=config)
        self.config = converter.config
        self.coursedir = coursedir
        self.permissions = int(str(converter.permissions), 8)
        self.pid = -1
        self.exporter: Any = None
        self.gradebook: Any = None
        self.preprocessors = list(converter.preprocessors)
        self.exporter_class = converter.exporter_class

    def start(self) -> None:
        """Open the gradebook and build the exporter in this process (once per process)."""
        if self.pid == os.getpid():
            return
        from nbgrader.api import Gradebook

        # a forked worker keeps the parent's exporter (warm) but opens its own connection
        self.gradebook = Gradebook(self.coursedir.db_url, self.coursedir.course_id)
        if self.exporter is None:
            plain = self.exporter_class is HTMLExporter  # the course may configure another
            self.exporter = (FeedbackHTMLExporter if plain else self.exporter_class)(
                config=self.config
            )
            for item in self.preprocessors:
                cls = _resolve(item)
                if cls is None:
                    msg = f"GenerateFeedback.preprocessors: cannot import {item!r}"
                    raise ImportError(msg)
                # as nbgrader registers them: built with the exporter as parent, ``enabled`` as is
                self.exporter.register_preprocessor(_fast(cls, self))
        self.pid = os.getpid()

    def render(self, student: str, assignment: str) -> dict[str, Any]:
        """Render one learner's notebooks: name → HTML text, plus extra output files."""
        self.start()
        return render_learner(self.exporter, self.coursedir, student, assignment)


def _fast(cls: Any, renderer: Renderer) -> Any:
    """The same preprocessor, sharing what nbgrader rebuilds per notebook (same output)."""
    parent = renderer.exporter
    if cls in (GetGrades, GetGradesAndPending):
        return _SharedGetGrades(renderer, pending=cls is GetGradesAndPending, parent=parent)
    if cls is CSSHTMLHeaderPreprocessor:
        return CachedCSS(parent=parent)
    return cls(parent=parent)


class _SharedGetGrades(GetGrades):
    """nbgrader's GetGrades on an open gradebook (nbgrader opens one per notebook)."""

    def __init__(self, renderer: Renderer, *, pending: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._renderer = renderer
        self._pending = pending

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        """GetGrades.preprocess, line for line, without opening a new Gradebook."""
        info = resources["nbgrader"]
        self.notebook_id = info["notebook"]
        self.assignment_id = info["assignment"]
        self.student_id = info["student"]
        self.db_url = info["db_url"]
        self.gradebook = self._renderer.gradebook
        notebook = self.gradebook.find_submission_notebook(
            self.notebook_id, self.assignment_id, self.student_id
        )
        # one query for the notebook's grades and comments instead of one per cell
        self._grades = {grade.name: grade for grade in notebook.grades}
        self._comments = {comment.name: comment for comment in notebook.comments}
        for index, cell in enumerate(nb.cells):
            nb.cells[index], resources = self.preprocess_cell(cell, resources, index)
        record_totals(info, notebook.score, notebook.max_score, notebook.late_submission_penalty)
        if self._pending:
            info["pending_points"] = pending_points(nb)
        return nb, resources

    def _get_score(self, cell: NotebookNode, resources: dict) -> None:
        grade = self._grades.get(cell.metadata["nbgrader"]["grade_id"])
        if grade is None:  # nbgrader's own lookup, and its MissingEntry
            super()._get_score(cell, resources)
            return
        cell.metadata.nbgrader["score"] = grade.score
        cell.metadata.nbgrader["points"] = grade.max_score
        if self._pending:
            mark_pending(cell, grade)

    def _get_comment(self, cell: NotebookNode, resources: dict) -> None:
        comment = self._comments.get(cell.metadata["nbgrader"]["grade_id"])
        if comment is None:
            super()._get_comment(cell, resources)
            return
        cell.metadata.nbgrader["comment"] = comment.comment
