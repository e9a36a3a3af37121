"""Feedback for the course config ``bpscare build`` writes, without nbgrader's machinery.

``bpscare feedback`` spends most of its time starting up: nbgrader's preprocessors import its
gradebook models (SQLAlchemy's ORM), its utilities import setuptools, and each notebook costs
several ORM queries. For a course whose ``nbgrader_config.py`` lists exactly
:data:`~bpscare.grading.feedback_common.STANDARD_PREPROCESSORS` and configures nothing else
that changes them, :func:`plan` reads everything the pages need from the SQLite gradebook in one
query, before the workers fork, and :class:`FastRenderer` runs the same three steps nbgrader
runs:

* :class:`Grades`: nbgrader's ``GetGrades`` as :class:`GetGradesAndPending` extends it (each
  graded cell's score and points, each answer's comment, the notebook's score, maximum and late
  penalty, and "awaiting grading" for a cell nobody has scored), with the gradebook's own SQL
  expressions for every figure, so the numbers are the ones SQLAlchemy would return;
* :class:`LearnerSafe`: :class:`LearnerSafeFeedback` (hidden tests and mark schemes stripped
  from gradebook-source cells only, test-cell tracebacks cut to their last line), with nbgrader's
  region-removal rule written out;
* nbconvert's CSS header, built once per process.

:class:`FastExporter` also leaves out what cannot change a page: copying a notebook just read
(three times in nbconvert) and validating it again after each of these preprocessors.

Anything else (another preprocessor list or exporter, settings for these preprocessors or the
converter, a non-SQLite gradebook, a missing course row or assignment, a journal a killed
autograde left to settle) returns ``None`` from :func:`plan`, and the caller uses nbgrader's own
classes, which give the same pages (the tests and ``benchmarks/bench_feedback.py`` compare them
byte for byte with ``nbgrader generate_feedback``).
"""

from __future__ import annotations

import copy
import importlib.util
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import nbformat
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor, Preprocessor
from nbformat import NotebookNode, validator
from traitlets import Bool
from traitlets.config import Config

from bpscare.grading.feedback_common import (
    HIDDEN_PLACEHOLDER,
    STANDARD_PREPROCESSORS,
    from_gradebook,
    is_grade,
    is_solution,
    is_task,
    mark_pending,
    pending_points,
    record_totals,
    render_learner,
    without_traceback,
)
from bpscare.grading.feedback_render import CachedCSS, FeedbackHTMLExporter

#: Config sections that change what the converter or these preprocessors do.
_OTHER_SECTIONS = (
    "Feedback",
    "BaseConverter",
    "Preprocessor",
    "NbGraderPreprocessor",
    "GetGrades",
    "GetGradesAndPending",
    "LearnerSafeFeedback",
)
#: The CourseDirectory settings feedback reads, with their types.
_COURSEDIR_KEYS: dict[str, type] = {
    "root": str,
    "course_id": str,
    "db_url": str,
    "directory_structure": str,
    "autograded_directory": str,
    "feedback_directory": str,
    "ignore": list,
    "groupshared": bool,
}
#: nbgrader's regions (ClearHiddenTests' and ClearMarkScheme's defaults; LearnerSafeFeedback
#: builds them without the course config).
_REGIONS = (("BEGIN HIDDEN TESTS", "END HIDDEN TESTS"), ("BEGIN MARK SCHEME", "END MARK SCHEME"))


class MissingEntry(ValueError):
    """What nbgrader's gradebook raises for a missing row (same name, so the same message)."""


@dataclass
class CourseDir:
    """The part of nbgrader's ``CourseDirectory`` feedback reads, with nbgrader's defaults."""

    root: str
    db_url: str
    course_id: str = ""
    directory_structure: str = os.path.join("{nbgrader_step}", "{student_id}", "{assignment_id}")
    autograded_directory: str = "autograded"
    feedback_directory: str = "feedback"
    ignore: list[str] = field(
        default_factory=lambda: [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]
    )
    groupshared: bool = False

    def format_path(self, nbgrader_step: str, student_id: str, assignment_id: str) -> str:
        """``CourseDirectory.format_path`` (unescaped)."""
        where = self.directory_structure.format(
            nbgrader_step=nbgrader_step, student_id=student_id, assignment_id=assignment_id
        )
        return os.path.join(self.root, where)


class Grade(NamedTuple):
    """One cell's grade as nbgrader's ``Grade`` reports it."""

    score: float
    max_score: float
    auto_score: float | None
    manual_score: float | None


@dataclass
class Book:
    """One submitted notebook's figures, grades (by cell name) and comments (by cell name)."""

    score: float
    max_score: float
    late: float | None
    grades: dict[str, Grade] = field(default_factory=dict)
    comments: dict[str, str | None] = field(default_factory=dict)


@dataclass
class Plan:
    """Everything the fast renderer needs, read before the workers fork."""

    coursedir: CourseDir
    config: Any
    permissions: int
    books: dict[tuple[str, str], Book]


def plan(course: Path, config: Any, assignment: str) -> Plan | None:
    """The fast renderer's plan for this course, or None where nbgrader's classes must run."""
    if any(config.get(name) for name in _OTHER_SECTIONS):
        return None
    generate = config.get("GenerateFeedback") or {}
    if set(generate) != {"preprocessors"}:
        return None
    listed = generate["preprocessors"]  # a list, unless the config appends to nbgrader's
    if not isinstance(listed, list | tuple) or list(listed) != STANDARD_PREPROCESSORS:
        return None
    coursedir = _coursedir(course, config.get("CourseDirectory") or {})
    if coursedir is None or _journal_left(course):
        return None
    books = read_books(coursedir, assignment)
    exporter_config = _exporter_config(config)
    if books is None or exporter_config is None:
        return None
    permissions = 0o664 if coursedir.groupshared else 0o644  # GenerateFeedback's default
    return Plan(coursedir, exporter_config, permissions, books)


def _coursedir(course: Path, settings: Any) -> CourseDir | None:
    if set(settings) - set(_COURSEDIR_KEYS):
        return None
    if any(not isinstance(settings[k], _COURSEDIR_KEYS[k]) for k in settings):
        return None
    if any(not isinstance(item, str) for item in settings.get("ignore", [])):
        return None
    values = {k: settings[k] for k in settings if k not in ("root", "db_url")}
    values["course_id"] = str(values.get("course_id", "")).strip()
    root = os.path.abspath(settings.get("root", os.getcwd()))
    db_url = settings.get("db_url") or f"sqlite:///{Path(course).resolve() / 'gradebook.db'}"
    return CourseDir(root=root, db_url=db_url, **values)


def _journal_left(course: Path) -> bool:
    """Say whether a killed autograde run left journal entries (nbgrader's path settles them)."""
    from bpscare.grading import integrity

    folder = integrity.journal_dir(course / integrity.SCRATCH)
    return folder.is_dir() and any(folder.glob("*.json"))


def _exporter_config(config: Any) -> Any | None:
    """The exporter's config as nbgrader's GenerateFeedback converter makes it."""
    spec = importlib.util.find_spec("nbgrader")
    if spec is None or spec.origin is None:  # nbgrader's own path says what is missing
        return None
    here = os.path.dirname(spec.origin)
    merged = copy.deepcopy(config)
    update = Config()
    update.Exporter.default_preprocessors = []
    merged.merge(update)
    update = Config()
    if "template_name" not in merged.HTMLExporter:
        update.HTMLExporter.template_name = "feedback"
    if "extra_template_basedirs" not in merged.HTMLExporter:
        templates = os.path.join(here, "server_extensions", "formgrader", "templates")
        update.HTMLExporter.extra_template_basedirs = [os.path.abspath(templates)]
    css = os.path.join(here, "server_extensions", "formgrader", "static", "node_modules")
    update.HTMLExporter.extra_template_paths = [
        os.path.abspath(os.path.join(css, "bootstrap", "dist", "css"))
    ]
    merged.merge(update)
    return merged


# --- the gradebook, in one query ----------------------------------------------------------------

#: nbgrader's ``Grade.score``: the manual score if set, else the automatic one, plus extra credit.
_SCORE = """CASE
    WHEN g.manual_score IS NOT NULL THEN g.manual_score
        + CASE WHEN g.extra_credit IS NOT NULL THEN g.extra_credit ELSE 0.0 END
    WHEN g.auto_score IS NOT NULL THEN g.auto_score
        + CASE WHEN g.extra_credit IS NOT NULL THEN g.extra_credit ELSE 0.0 END
    ELSE 0.0 END"""

_QUERY = f"""
WITH sn AS (
    SELECT sn.id AS id, st.id AS student, nb.name AS notebook, nb.id AS nb_id,
           sn.late_submission_penalty AS late
    FROM submitted_notebook AS sn
    JOIN notebook AS nb ON nb.id = sn.notebook_id
    JOIN submitted_assignment AS sa ON sa.id = sn.assignment_id
    JOIN assignment AS a ON a.id = sa.assignment_id
    JOIN student AS st ON st.id = sa.student_id
    WHERE a.name = :assignment
)
SELECT 0, NULL, NULL, NULL,
       (SELECT count(*) FROM course WHERE id = :course),
       (SELECT count(*) FROM assignment WHERE name = :assignment),
       NULL, NULL, NULL
UNION ALL
SELECT 1, sn.student, sn.notebook, NULL,
       (SELECT coalesce(sum({_SCORE}), 0.0) FROM grade AS g WHERE g.notebook_id = sn.id),
       (SELECT coalesce(sum(gc.max_score), 0.0) FROM grade_cells AS gc
            JOIN base_cell AS bc ON bc.id = gc.id WHERE bc.notebook_id = sn.nb_id)
       + (SELECT coalesce(sum(tc.max_score), 0.0) FROM task_cells AS tc
            JOIN base_cell AS bc ON bc.id = tc.id WHERE bc.notebook_id = sn.nb_id),
       sn.late, NULL, NULL
FROM sn
UNION ALL
SELECT CASE WHEN EXISTS (SELECT 1 FROM grade_cells WHERE id = g.cell_id) THEN 4
            WHEN EXISTS (SELECT 1 FROM task_cells WHERE id = g.cell_id) THEN 3 ELSE 2 END,
       sn.student, sn.notebook, bc.name, {_SCORE},
       coalesce((SELECT coalesce(max_score, 0.0) FROM grade_cells WHERE id = g.cell_id),
                (SELECT coalesce(max_score, 0.0) FROM task_cells WHERE id = g.cell_id), 0.0),
       g.auto_score, g.manual_score, NULL
FROM sn JOIN grade AS g ON g.notebook_id = sn.id JOIN base_cell AS bc ON bc.id = g.cell_id
UNION ALL
SELECT CASE WHEN EXISTS (SELECT 1 FROM solution_cells WHERE id = c.cell_id) THEN 7
            WHEN EXISTS (SELECT 1 FROM task_cells WHERE id = c.cell_id) THEN 6 ELSE 5 END,
       sn.student, sn.notebook, bc.name, NULL, NULL, NULL, NULL,
       CASE WHEN c.manual_comment IS NOT NULL THEN c.manual_comment
            WHEN c.auto_comment IS NOT NULL THEN c.auto_comment END
FROM sn JOIN comment AS c ON c.notebook_id = sn.id JOIN base_cell AS bc ON bc.id = c.cell_id
"""


def read_books(coursedir: CourseDir, assignment: str) -> dict[tuple[str, str], Book] | None:
    """Every submitted notebook of ``assignment`` by (student, notebook), or None.

    None where nbgrader's own gradebook must open this course: not an existing SQLite file, no
    row for the course (nbgrader adds it) or the assignment (nbgrader reports it), or a schema
    this query does not read.
    """
    from bpscare.grading.gradebook import sqlite_path

    path = sqlite_path(coursedir.db_url)
    if path is None or not path.is_file():
        return None
    course = coursedir.course_id or "default_course"  # what nbgrader's Gradebook checks
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = db.execute(_QUERY, {"assignment": assignment, "course": course}).fetchall()
        finally:
            db.close()
    except sqlite3.Error:
        return None
    books: dict[tuple[str, str], Book] = {}
    found = False
    # notebooks first; a grade cell's grade wins over a task cell's of the same name (as
    # nbgrader's find_grade tries grade cells first), a solution cell's comment likewise
    for kind, student, notebook, name, a, b, c, d, text in sorted(rows, key=lambda r: r[0]):
        if kind == 0:
            found = bool(a) and bool(b)
        elif kind == 1:
            books[(student, notebook)] = Book(a, b, c)
        elif kind in (2, 3, 4):
            books[(student, notebook)].grades[name] = Grade(a, b, c, d)
        else:
            books[(student, notebook)].comments[name] = text
    return books if found else None


# --- the preprocessors ----------------------------------------------------------------------


class Grades(Preprocessor):
    """``GetGradesAndPending`` on the gradebook read by :func:`read_books` (same figures)."""

    enabled = Bool(True).tag(config=True)

    def __init__(self, books: dict[tuple[str, str], Book], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.books = books

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        """Scores, points, comments and pending marks on the cells; totals in ``resources``."""
        info = resources["nbgrader"]
        where = (info["assignment"], info["notebook"], info["student"])
        book = self.books.get((info["student"], info["notebook"]))
        if book is None:
            msg = "No such submitted notebook: {}/{} for {}".format(*where)
            raise MissingEntry(msg)
        for cell in nb.cells:
            if is_solution(cell):
                _comment(cell, book, where)
            if is_grade(cell):
                _score(cell, book, where)
            if is_task(cell):
                _comment(cell, book, where)
                _score(cell, book, where)
        record_totals(info, book.score, book.max_score, book.late)
        info["pending_points"] = pending_points(nb)
        return nb, resources


def _score(cell: NotebookNode, book: Book, where: tuple[str, str, str]) -> None:
    name = cell.metadata["nbgrader"]["grade_id"]
    grade = book.grades.get(name)
    if grade is None:
        assignment, notebook, student = where
        msg = f"No such grade: {assignment}/{notebook}/{name} for {student}"
        raise MissingEntry(msg)
    cell.metadata.nbgrader["score"] = grade.score
    cell.metadata.nbgrader["points"] = grade.max_score
    mark_pending(cell, grade)


def _comment(cell: NotebookNode, book: Book, where: tuple[str, str, str]) -> None:
    name = cell.metadata["nbgrader"]["grade_id"]
    if name not in book.comments:
        assignment, notebook, student = where
        msg = f"No such taskcomment: {assignment}/{notebook}/{name} for {student}"
        raise MissingEntry(msg)
    cell.metadata.nbgrader["comment"] = book.comments[name]


class LearnerSafe(Preprocessor):
    """:class:`LearnerSafeFeedback`, with nbgrader's region removal written out."""

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        """Filter every gradebook-source cell in place and return the notebook."""
        for cell in nb.cells:
            if not from_gradebook(cell):
                continue
            try:
                for begin, end in _REGIONS:
                    cell.source = without_region(cell.source, begin, end)
            except RuntimeError:  # unbalanced delimiters: show nothing of this cell's source
                cell.source = HIDDEN_PLACEHOLDER if cell.cell_type == "code" else ""
            if is_grade(cell):
                cell.outputs = [without_traceback(out) for out in cell.get("outputs", [])]
        return nb, resources


def without_region(source: str, begin: str, end: str) -> str:
    """``source`` without its ``begin`` … ``end`` lines, as ClearHiddenTests removes them.

    Raises RuntimeError for a nested ``begin`` or a ``begin`` never ended (as nbgrader does).
    """
    kept = []
    inside = False
    for line in source.split("\n"):
        if begin in line:
            if inside:
                msg = f"nested {begin!r}"
                raise RuntimeError(msg)
            inside = True
        elif end in line:
            inside = False
        elif not inside:
            kept.append(line)
    if inside:
        msg = f"no {end!r}"
        raise RuntimeError(msg)
    return "\n".join(kept)


class _Read(NotebookNode):
    """A notebook just read for one page, which nothing else holds.

    ``Exporter.from_notebook_node`` deep-copies the notebook it is given, to keep the caller's
    safe from the preprocessors; this one has no other holder, so its "copy" shares its cells.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> NotebookNode:
        new = NotebookNode()
        dict.update(new, self)
        memo[id(self)] = new
        return new


class FastExporter(FeedbackHTMLExporter):
    """The feedback exporter, minus the steps that cannot change the page.

    A notebook read from its file (:meth:`from_file`) is not copied again and again: nbconvert
    copies it before preprocessing, again in ``_preprocess`` and a third time to normalise it;
    here it is normalised in place, as ``validator.normalize`` does to its copy. And nbconvert
    validates the notebook after every preprocessor: the first validation (after the template's
    CSS step, which leaves the notebook as read) fails exactly when the notebook is invalid;
    :class:`Grades` only adds keys under ``metadata.nbgrader`` and :class:`LearnerSafe` only
    replaces strings and tracebacks, which the schema (relaxed, as nbconvert validates) cannot
    reject, so the later validations always pass. With any other preprocessor, or
    ``optimistic_validation``, ``_preprocess`` is nbconvert's unchanged.
    """

    def from_file(  # type: ignore[override]  # TemplateExporter's signature
        self, file_stream: Any, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[str, dict[str, Any]]:
        """Exporter.from_file: read the notebook, render it (see the class doc)."""
        read = _Read()
        dict.update(read, nbformat.read(file_stream, as_version=4))
        return self.from_notebook_node(read, resources=resources, **kw)

    def _preprocess(self, nb: NotebookNode, resources: Any) -> tuple[NotebookNode, Any]:
        known = (CSSHTMLHeaderPreprocessor, CachedCSS, Grades, LearnerSafe)
        if self.optimistic_validation or any(type(pp) not in known for pp in self._preprocessors):
            return super()._preprocess(nb, resources)
        resc = copy.deepcopy(resources)
        nbc = nb  # Exporter.from_notebook_node's own copy
        if hasattr(validator, "normalize"):
            _, nbc = _normalized(nbc)
        for index, preprocessor in enumerate(self._preprocessors):
            nbc, resc = preprocessor(nbc, resc)
            if index == 0:
                self._validate_preprocessor(nbc, preprocessor)
        return nbc, resc


def _normalized(nb: NotebookNode) -> tuple[int, Any]:
    """``validator.normalize(nb)``, in place: nbformat's own steps without its defensive copy."""
    steps = getattr(validator, "_normalize", None)
    if steps is None or not hasattr(validator, "get_version"):
        return validator.normalize(nb)
    version, minor = validator.get_version(nb)
    return steps(nb, version, minor, True, relax_add_props=False, strip_invalid_metadata=False)


class FastRenderer:
    """nbconvert's feedback exporter with :class:`Grades`, :class:`LearnerSafe` and the CSS."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.coursedir = plan.coursedir
        self.permissions = plan.permissions
        self.exporter: Any = None

    def start(self) -> None:
        """Build the exporter (once; forked workers inherit it warm)."""
        if self.exporter is not None:
            return
        exporter = FastExporter(config=self.plan.config)
        # the template's own CSS step (classic's conf.json enables one), its header made once:
        # the same settings (nbconvert builds it from conf.json and config, with no parent)
        exporter._preprocessors = [
            CachedCSS(**pp.trait_values(config=True))
            if type(pp) is CSSHTMLHeaderPreprocessor
            else pp
            for pp in exporter._preprocessors
        ]
        exporter.register_preprocessor(Grades(self.plan.books, parent=exporter))
        exporter.register_preprocessor(LearnerSafe(parent=exporter))
        exporter.register_preprocessor(CachedCSS(parent=exporter))
        self.exporter = exporter

    def render(self, student: str, assignment: str) -> dict[str, Any]:
        """Render one learner's notebooks: name → HTML text, plus extra output files."""
        self.start()
        return render_learner(self.exporter, self.coursedir, student, assignment)
