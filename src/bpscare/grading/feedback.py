"""Learner feedback: nbgrader's feedback HTML, made safe to hand to a learner, and made fast.

nbgrader's ``generate_feedback`` shows hidden tests (nbgrader#917) and full tracebacks, which
quote the failing hidden-test line. :class:`LearnerSafeFeedback` runs before the HTML is rendered.
The course's ``nbgrader_config.py`` registers it for ``GenerateFeedback``, so ``nbgrader
generate_feedback`` and formgrader's Generate Feedback button use it too; :func:`generate_feedback`
adds it to any course whose config does not.

:func:`generate_feedback` (``bpscare feedback``) renders with nbgrader's own exporter,
template and preprocessors, in-process: one ``HTMLExporter`` reused across notebooks, one
gradebook connection per worker instead of one per notebook, the CSS header built once, and a
pool of forked workers. :mod:`bpscare.grading.feedback_render` prints each page as nbconvert's
BeautifulSoup pass does, without re-parsing the highlighted code and markdown every learner
shares. It writes nbgrader's layout (``feedback/<student>/<assignment>/``: each
notebook's ``.html`` and the autograded folder's other files, ``timestamp.txt`` included), so
``nbgrader release_feedback`` works on it. One learner's failure is recorded and the others
are still written.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import multiprocessing
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

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

from bpscare import atomic
from bpscare.errors import BpscareError
from bpscare.grading.feedback_render import FeedbackHTMLExporter
from bpscare.nbgrader_course import ensure_tools_on_path, load_course_config, require_course

#: How the course config names the filter (a string: the config file imports nothing).
FILTER = "bpscare.grading.feedback.LearnerSafeFeedback"
#: nbgrader's GetGrades, which also marks graded cells nobody has graded yet as pending.
GET_GRADES = "bpscare.grading.feedback.GetGradesAndPending"
HIDDEN_PLACEHOLDER = "# (this cell's tests are not shown)"
#: What a course's ``nbgrader_config.py`` needs so that every feedback path is learner-safe;
#: ``bpscare build`` appends it to a course config that lacks it.
COURSE_CONFIG = f"""
# Feedback is learner-safe on every path (`bpscare feedback`, `nbgrader generate_feedback`,
# formgrader's Generate Feedback button): after GetGrades, LearnerSafeFeedback removes hidden
# tests, mark schemes and test-cell tracebacks from the cells nbgrader restores from the
# gradebook. Named as strings, so nbgrader imports them only when it generates feedback.
c.GenerateFeedback.preprocessors = [
    "{GET_GRADES}",
    "{FILTER}",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
# bpscare's feedback page (nbgrader's, plus "awaiting grading" for cells not graded yet, and
# wrapped long lines) shadows nbgrader's "feedback" template on every path.
import importlib.util as _find
import pathlib as _pathlib

c.HTMLExporter.extra_template_basedirs = [
    str(_pathlib.Path(*_find.find_spec(_name).submodule_search_locations[:1]) / _where)
    for _name, _where in (
        ("bpscare", "data/feedback_templates"),
        ("nbgrader", "server_extensions/formgrader/templates"),
    )
]
"""


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


def from_gradebook(cell: NotebookNode) -> bool:
    """Say whether nbgrader restores this cell's source from the gradebook (not the learner's)."""
    if "nbgrader" not in cell.get("metadata", {}):
        return False
    return bool(utils.is_locked(cell) or utils.is_task(cell))


def without_traceback(output: NotebookNode) -> NotebookNode:
    """Keep an error's name and message but not its traceback (which quotes hidden test lines)."""
    if output.get("output_type") == "error":
        output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
    return output


@dataclass
class FeedbackResult:
    """One learner's feedback: the notebooks written, or why it failed."""

    student: str
    notebooks: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class FeedbackRun:
    """The outcome of one :func:`generate_feedback` call."""

    course_dir: Path
    assignment: str
    engine: str
    workers: int
    results: list[FeedbackResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[FeedbackResult]:
        """The learners whose feedback could not be written (the others were)."""
        return [r for r in self.results if r.error is not None]

    def summary(self) -> str:
        """A short human summary (printed by ``bpscare feedback``)."""
        done = len(self.results) - len(self.failed)
        lines = [
            f"feedback for {done} of {len(self.results)} learner(s) of {self.assignment} in "
            f"{self.seconds:.1f} s ({self.engine}, {self.workers} worker(s)); "
            f"{len(self.failed)} failed; written to {self.course_dir / 'feedback'}"
        ]
        lines += [f"  {r.student}: {r.error}" for r in self.failed]
        return "\n".join(lines)


def generate_feedback(
    course_dir: Path,
    assignment: str,
    students: Iterable[str] | None = None,
    *,
    workers: int | None = None,
    engine: str = "bpscare",
) -> FeedbackRun:
    """Write learner-safe feedback HTML for ``students`` (default: every autograded learner).

    ``engine="nbgrader"`` runs nbgrader's ``generate_feedback`` per learner with the filter;
    ``engine="bpscare"`` renders the same HTML in-process. Raises ``BpscareError`` (nothing
    written) for a folder that is not a course, an unknown assignment or learner; a learner whose
    feedback fails is recorded in the result with the reason, and the others are written.
    """
    if engine not in ("bpscare", "nbgrader"):
        msg = f"unknown feedback engine {engine!r}; use 'bpscare' or 'nbgrader'"
        raise BpscareError(msg)
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)):
        msg = f"workers must be a positive whole number, got {workers!r}"
        raise BpscareError(msg)
    if workers is not None and workers < 1:
        msg = f"workers must be a positive whole number, got {workers!r}"
        raise BpscareError(msg)
    started = time.monotonic()
    course = require_course(Path(course_dir))
    ensure_tools_on_path()
    config = load_course_config(course)
    config.NbGraderAPI.log_level = "ERROR"
    register_filter(config)
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=config)
    chosen = _check(course, coursedir, assignment, students)
    run = FeedbackRun(course, assignment, engine, 1)
    if engine == "nbgrader":
        run.results = _with_nbgrader(config, assignment, chosen)
    else:
        run.workers = max(1, min(workers or os.cpu_count() or 1, len(chosen)))
        run.results = _render_all(config, coursedir, assignment, chosen, run.workers)
    run.seconds = time.monotonic() - started
    return run


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


def _check(
    course: Path, coursedir: Any, assignment: str, students: Iterable[str] | None
) -> list[str]:
    """Return the learners to write feedback for; raise for unknown ones (nothing written)."""
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
    root = Path(coursedir.root) / coursedir.autograded_directory
    available = (
        sorted(p.name for p in root.iterdir() if (p / assignment).is_dir()) if root.is_dir() else []
    )
    if students is None:
        return available
    wanted = list(dict.fromkeys(students))
    unknown = [s for s in wanted if s not in available]
    if unknown:
        msg = (
            f"no autograded submission of {assignment!r} for {', '.join(map(repr, unknown))}; "
            "run bpscare autograde first"
        )
        raise BpscareError(msg, path=root)
    return wanted


def _with_nbgrader(config: Any, assignment: str, students: list[str]) -> list[FeedbackResult]:
    from nbgrader.apps import NbGraderAPI

    from bpscare.nbgrader_course import _tail

    api = NbGraderAPI(config=config)
    results = []
    for student in students:
        outcome = api.generate_feedback(assignment, student, force=True)
        error = None if outcome.get("success") else _tail(outcome)
        results.append(FeedbackResult(student, error=error))
    return results


# --- the in-process renderer ---------------------------------------------------------------


class _Renderer:
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
        source = Path(
            self.coursedir.format_path(self.coursedir.autograded_directory, student, assignment)
        )
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
                    "db_url": self.coursedir.db_url,
                },
            }
            with _in_folder(self.coursedir.root):
                html, resources = self.exporter.from_filename(str(path), resources=resources)
            pages[f"{path.stem}{self.exporter.file_extension}"] = html
            extra.update(resources.get("outputs") or {})
        return {"pages": pages, "extra": extra}


def _fast(cls: Any, renderer: _Renderer) -> Any:
    """The same preprocessor, sharing what nbgrader rebuilds per notebook (same output)."""
    parent = renderer.exporter
    if cls in (GetGrades, GetGradesAndPending):
        return _SharedGetGrades(renderer, pending=cls is GetGradesAndPending, parent=parent)
    if cls is CSSHTMLHeaderPreprocessor:
        return _CachedCSS(parent=parent)
    return cls(parent=parent)


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


class _SharedGetGrades(GetGrades):
    """nbgrader's GetGrades on an open gradebook (nbgrader opens one per notebook)."""

    def __init__(self, renderer: _Renderer, *, pending: bool = False, **kwargs: Any) -> None:
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
        late_penalty = notebook.late_submission_penalty
        if late_penalty is None:
            late_penalty = 0
        info["score"] = notebook.score - late_penalty
        info["max_score"] = notebook.max_score
        info["late_penalty"] = late_penalty
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


class _CachedCSS(CSSHTMLHeaderPreprocessor):
    """CSSHTMLHeaderPreprocessor, its header (pygments CSS) built once per process."""

    _cache: ClassVar[dict[str, Any]] = {}

    def _generate_header(self, resources: dict) -> Any:
        key = f"{resources.get('config_dir')}|{self.style}|{self.highlight_class}"
        if key not in self._cache:
            self._cache[key] = super()._generate_header(resources)
        return list(self._cache[key])


@contextlib.contextmanager
def _in_folder(folder: str) -> Iterator[None]:
    """Run in the course folder, as nbgrader's converter does (relative paths in templates)."""
    here = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(here)


_RENDERER: _Renderer | None = None


def _render_job(student: str, assignment: str) -> dict[str, Any]:
    assert _RENDERER is not None
    try:
        return _RENDERER.render(student, assignment)
    except Exception as exc:  # one learner's failure is a result, not the batch's
        return {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"}


def _render_all(
    config: Any, coursedir: Any, assignment: str, students: list[str], workers: int
) -> list[FeedbackResult]:
    global _RENDERER
    _RENDERER = _Renderer(config, coursedir)
    try:  # a course-level problem stops here, before any learner, with one clear line
        _RENDERER.start()
    except Exception as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        msg = f"cannot build nbgrader's feedback exporter from the course config: {first}"
        raise BpscareError(msg, path=Path(coursedir.root) / "nbgrader_config.py") from exc
    results: dict[str, FeedbackResult] = {}
    if workers == 1:
        outputs: Iterable[tuple[str, dict[str, Any]]] = (
            (s, _render_job(s, assignment)) for s in students
        )
        for student, output in outputs:
            results[student] = _write(_RENDERER, assignment, student, output)
    else:
        # The first learner is rendered here: templates compiled, pygments' lexers and their
        # regular expressions built, the CSS header made. The forked workers inherit all of it.
        first, rest = students[0], students[1:]
        results[first] = _write(_RENDERER, assignment, first, _render_job(first, assignment))
        context = multiprocessing.get_context("fork")  # the parent's imports, no re-import
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
            futures = {pool.submit(_render_job, s, assignment): s for s in rest}
            for future in concurrent.futures.as_completed(futures):
                student = futures[future]
                try:
                    output = future.result()
                except Exception as exc:  # a worker died (memory, signal)
                    output = {"error": f"the feedback worker stopped: {exc}"[:300]}
                results[student] = _write(_RENDERER, assignment, student, output)
    return [results[s] for s in students]


def _write(
    renderer: _Renderer, assignment: str, student: str, output: dict[str, Any]
) -> FeedbackResult:
    """Put one learner's feedback folder in place in one step, as nbgrader lays it out."""
    from nbgrader.utils import find_all_files

    result = FeedbackResult(student)
    if "error" in output:
        result.error = str(output["error"])[:400]
        return result
    coursedir = renderer.coursedir
    source = coursedir.format_path(coursedir.autograded_directory, student, assignment)
    dest = Path(coursedir.format_path(coursedir.feedback_directory, student, assignment))
    try:
        with atomic.staged_dir(dest, "feedback") as staging:
            for filename in find_all_files(source, [*coursedir.ignore, "*.ipynb"]):
                target = staging / os.path.relpath(filename, source)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(filename, target)
            for name, data in output["extra"].items():
                target = staging / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            for name, html in output["pages"].items():
                (staging / name).write_text(html, encoding="utf-8")
            for root, _, files in os.walk(staging):
                for filename in files:
                    os.chmod(os.path.join(root, filename), renderer.permissions)
            mode = 0o755 | (0o2770 if coursedir.groupshared else 0)
            for root, _, _ in os.walk(staging):
                os.chmod(root, mode)
    except OSError as exc:
        result.error = f"cannot write the feedback folder: {exc}"[:400]
        return result
    result.notebooks = sorted(output["pages"])
    return result
