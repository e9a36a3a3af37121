"""Learner feedback: nbgrader's feedback HTML, made safe to hand to a learner, and made fast.

nbgrader's ``generate_feedback`` shows hidden tests (nbgrader#917) and full tracebacks, which
quote the failing hidden-test line. :class:`LearnerSafeFeedback` runs before the HTML is rendered.
The course's ``nbgrader_config.py`` registers it for ``GenerateFeedback``, so ``nbgrader
generate_feedback`` and formgrader's Generate Feedback button use it too; :func:`generate_feedback`
adds it to any course whose config does not. It and :class:`GetGradesAndPending` live in
:mod:`bpscare.grading.feedback_nbgrader` and are imported from there on first use, so importing
this module costs nothing of nbgrader's.

:func:`generate_feedback` (``bpscare feedback``) renders with nbgrader's exporter and template
in-process: one ``HTMLExporter`` reused across notebooks, the CSS header built once, and a pool of
forked workers. For a course whose config is the one ``bpscare build`` writes,
:mod:`bpscare.grading.feedback_fast` reads the whole gradebook in one query and runs the same
filters without importing nbgrader or SQLAlchemy; any other course goes through nbgrader's own
classes (:class:`bpscare.grading.feedback_nbgrader.Renderer`).
:mod:`bpscare.grading.feedback_render` prints each page as nbconvert's BeautifulSoup pass does,
without re-parsing the cells and highlighted code every learner shares. It writes nbgrader's
layout (``feedback/<student>/<assignment>/``: each notebook's ``.html`` and the autograded
folder's other files, ``timestamp.txt`` included), each learner's folder staged and swapped in
whole, so ``nbgrader release_feedback`` works on it.
One learner's failure is recorded and the others are still written.
"""

from __future__ import annotations

import concurrent.futures
import functools
import gc
import glob
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bpscare import atomic
from bpscare.errors import BpscareError
from bpscare.grading.feedback_common import (
    FILTER,
    GET_GRADES,
    HIDDEN_PLACEHOLDER,
    STANDARD_PREPROCESSORS,
    FeedbackResult,
    from_gradebook,
    mark_pending,
    pending_points,
    without_traceback,
)
from bpscare.nbgrader_course import ensure_tools_on_path, load_course_config, require_course

if TYPE_CHECKING:
    from bpscare.grading.feedback_nbgrader import GetGradesAndPending, LearnerSafeFeedback

#: What callers import from here (the shared names live in feedback_common).
__all__ = [
    "COURSE_CONFIG",
    "FILTER",
    "GET_GRADES",
    "HIDDEN_PLACEHOLDER",
    "STANDARD_PREPROCESSORS",
    "FeedbackResult",
    "FeedbackRun",
    "GetGradesAndPending",
    "LearnerSafeFeedback",
    "from_gradebook",
    "generate_feedback",
    "mark_pending",
    "pending_points",
    "without_traceback",
]


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


def __getattr__(name: str) -> Any:
    """``LearnerSafeFeedback`` and ``GetGradesAndPending``, imported with nbgrader on first use."""
    if name in ("LearnerSafeFeedback", "GetGradesAndPending"):
        from bpscare.grading import feedback_nbgrader

        return getattr(feedback_nbgrader, name)
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


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
    run = FeedbackRun(course, assignment, engine, 1)
    plan = None
    if engine == "bpscare":
        from bpscare.grading import feedback_fast

        plan = feedback_fast.plan(course, config, assignment)
    if plan is not None:  # the course config bpscare writes: no nbgrader, one gradebook query
        chosen = _students(plan.coursedir, assignment, students)
        run.workers = max(1, min(workers or os.cpu_count() or 1, len(chosen)))
        make: Callable[[], Any] = functools.partial(feedback_fast.FastRenderer, plan)
        run.results = _render_all(make, plan.coursedir, assignment, chosen, run.workers)
    else:
        from nbgrader.coursedir import CourseDirectory

        from bpscare.grading import feedback_nbgrader as slow

        slow.register_filter(config)
        coursedir = CourseDirectory(config=config)
        slow.check(course, coursedir, assignment)
        chosen = _students(coursedir, assignment, students)
        if engine == "nbgrader":
            run.results = slow.with_nbgrader(config, assignment, chosen)
        else:
            run.workers = max(1, min(workers or os.cpu_count() or 1, len(chosen)))
            make = functools.partial(slow.Renderer, config, coursedir)
            run.results = _render_all(make, coursedir, assignment, chosen, run.workers)
    run.seconds = time.monotonic() - started
    return run


def _students(coursedir: Any, assignment: str, students: Iterable[str] | None) -> list[str]:
    """Return the learners to write feedback for; raise for unknown ones (nothing written)."""
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


# --- rendering and writing, shared by both renderers -----------------------------------------


_RENDERER: Any = None


def _render_job(student: str, assignment: str) -> dict[str, Any]:
    assert _RENDERER is not None
    try:
        return dict(_RENDERER.render(student, assignment))
    except Exception as exc:  # one learner's failure is a result, not the batch's
        return {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"}


def _render_all(
    make: Callable[[], Any], coursedir: Any, assignment: str, students: list[str], workers: int
) -> list[FeedbackResult]:
    global _RENDERER
    _RENDERER = make()
    try:  # a course-level problem stops here, before any learner, with one clear line
        _RENDERER.start()
    except Exception as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        msg = f"cannot build nbgrader's feedback exporter from the course config: {first}"
        raise BpscareError(msg, path=Path(coursedir.root) / "nbgrader_config.py") from exc
    renderer = _RENDERER
    results: dict[str, FeedbackResult] = {}
    if workers == 1 or len(students) < 2:
        for student in students:
            results[student] = _write(
                renderer, assignment, student, _render_job(student, assignment)
            )
    else:
        # The first learner is rendered here: templates compiled, pygments' lexers and their
        # regular expressions built, the CSS header made. The forked workers inherit all of it.
        first, rest = students[0], students[1:]
        results[first] = _write(renderer, assignment, first, _render_job(first, assignment))
        context = multiprocessing.get_context("fork")  # the parent's imports, no re-import
        gc.freeze()  # the workers' collector leaves the inherited objects (and their pages) be
        try:
            with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
                futures = {pool.submit(_render_job, s, assignment): s for s in rest}
                for future in concurrent.futures.as_completed(futures):
                    student = futures[future]
                    try:
                        output = future.result()
                    except Exception as exc:  # a worker died (memory, signal)
                        output = {"error": f"the feedback worker stopped: {exc}"[:300]}
                    results[student] = _write(renderer, assignment, student, output)
        finally:
            gc.unfreeze()
    return [results[s] for s in students]


def _write(renderer: Any, assignment: str, student: str, output: dict[str, Any]) -> FeedbackResult:
    """Put one learner's feedback folder in place in one step, as nbgrader lays it out."""
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


def find_all_files(path: str, exclude: list[str] | None = None) -> list[str]:
    """Nbgrader's ``utils.find_all_files``: every file under ``path`` but the ignored ones."""
    files: list[str] = []
    to_skip: list[str] = []
    for dirname, dirnames, filenames in os.walk(path):
        if _is_ignored(dirname, exclude) or dirname in to_skip:
            to_skip.extend([os.path.join(dirname, x) for x in dirnames])
            continue
        for filename in filenames:
            fullpath = os.path.join(dirname, filename)
            if not _is_ignored(fullpath, exclude):
                files.append(fullpath)
    return files


def _is_ignored(filename: str, ignore_globs: list[str] | None = None) -> bool:
    """Nbgrader's ``utils.is_ignored``: the name matches one of the globs in its folder."""
    if ignore_globs is None:
        return False
    dirname = os.path.dirname(filename)
    return any(filename in glob.glob(os.path.join(dirname, expr)) for expr in ignore_globs)
