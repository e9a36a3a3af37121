"""``autograde``: nbgrader's autograde, parallel and sandboxed, for any nbgrader course folder.

The parent process (trusted) checks the course, assignment, database and executor before
writing anything; prepares every submission with nbgrader's own sanitize preprocessors; hands
plain-data jobs to workers (local processes forked from a warm zygote, or a Dask cluster); and,
as each result returns, applies nbgrader's post-execution preprocessors, writes the gradebook in
one transaction per submission and puts ``autograded/<student>/<assignment>/`` in place with a
rename. Flags go to ``<course>/reports/autograde-flags-<assignment>.csv``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from bpscare import atomic
from bpscare.errors import BpscareError
from bpscare.grading import gradebook as gb_mod
from bpscare.grading import integrity
from bpscare.grading.prepare import (
    CachedSourceCells,
    NotebookInfo,
    Prepared,
    dumps_notebook,
    fast_metadata_validation,
    loads_notebook,
    notebook_infos,
    prepare,
)
from bpscare.grading.sandbox import Limits

FLAG_REPORT = "reports/autograde-flags-{assignment}.csv"
#: Staging folder inside the course (same file system, so renames are atomic).
SCRATCH = integrity.SCRATCH


@dataclass(frozen=True)
class GradingEvent:
    """Progress of a run: one learner started or finished (``done``) out of ``total``."""

    student: str
    done: bool
    total: int


@dataclass
class StudentResult:
    """One learner's outcome: points, maximum, an error that stopped grading, and flags."""

    student: str
    score: float = 0.0
    max_score: float = 0.0
    error: str | None = None
    flags: list[str] = field(default_factory=list)
    cell_scores: dict[str, float | None] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class AutogradeRun:
    """The outcome of one ``autograde`` call."""

    course_dir: Path
    assignment: str
    results: list[StudentResult] = field(default_factory=list)
    seconds: float = 0.0
    executor: str = "local"
    workers: int = 1
    flag_report: Path | None = None
    protections: dict[str, str] = field(default_factory=dict)
    timeout_cell: float = 0.0
    recovered: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[StudentResult]:
        """The learners whose grading stopped with an error (the others were graded)."""
        return [r for r in self.results if r.error is not None]

    def summary(self) -> str:
        """Return a short human summary (printed by ``bpscare autograde``)."""
        graded = [r for r in self.results if r.error is None]
        flagged = [r for r in self.results if r.flags]
        lines = [
            f"autograded {len(graded)} of {len(self.results)} submission(s) of "
            f"{self.assignment} in {self.seconds:.1f} s ({self.executor}, {self.workers} "
            f"worker(s), {self.timeout_cell:g} s per cell); {len(self.failed)} failed"
        ]
        if self.recovered:
            lines.append(
                f"  settled {len(self.recovered)} submission(s) left by an interrupted run: "
                + ", ".join(self.recovered[:5])
            )
        for result in self.results:
            mark = "error" if result.error else f"{result.score:g}/{result.max_score:g}"
            lines.append(
                f"  {result.student}: {mark}" + (f" ({result.error})" if result.error else "")
            )
        if flagged:
            lines.append(f"  {len(flagged)} submission(s) flagged; see {self.flag_report}")
            for result in flagged:
                for flag in result.flags[:5]:
                    lines.append(f"    {result.student}: {flag}")
        return "\n".join(lines)


@dataclass(frozen=True)
class RunOptions:
    """How a run goes, as the caller asked: who, on which executor, with which limits."""

    students: tuple[str, ...] | None
    executor: str
    workers: int
    db_url: str | None
    timeout_cell: float | None  # None: the course's nbgrader config decides
    progress: Callable[[GradingEvent], None] | None
    require_sandbox: bool = False  # refuse to grade without the bwrap sandbox (issue 18)

    def report(self, student: str, done: bool, total: int) -> None:
        """Tell the progress callback (if any) that a learner started or finished."""
        if self.progress is not None:
            self.progress(GradingEvent(student, done, total))


@dataclass(frozen=True)
class GradingContext:
    """Everything a run reads from the course, opened once by :func:`open_grading_context`.

    It stays in the trusted parent: workers get plain-data jobs built from it, never the
    context itself (it holds the gradebook connection).
    """

    course: Path
    assignment: str
    options: RunOptions
    config: Any  # the course's nbgrader config (traitlets), with db_url pinned
    coursedir: Any  # nbgrader's CourseDirectory for the course
    db_url: str
    gradebook: Any  # nbgrader's Gradebook, open for the whole run
    sources: CachedSourceCells  # the gradebook's source and graded cells, read once
    infos: dict[str, NotebookInfo]
    limits: Limits
    late_plugin: Any

    @property
    def tests(self) -> dict[str, dict[str, str]]:
        """Notebook name → tests cell grade id → the trusted tests source."""
        return {name: info.tests for name, info in self.infos.items()}


def autograde(
    course_dir: Path,
    assignment: str,
    *,
    students: list[str] | None = None,
    workers: int | None = None,
    executor: str = "local",
    db_url: str | None = None,
    timeout_cell: float | None = None,
    progress: Callable[[GradingEvent], None] | None = None,
    require_sandbox: bool = False,
) -> AutogradeRun:
    """Autograde ``assignment`` for ``students`` (default: every submission) of a course.

    Writes ``autograded/<student>/<assignment>/`` and the gradebook as ``nbgrader autograde``
    does (so formgrader, ``generate_feedback`` and ``export`` work on the result), with learner
    code sandboxed and test cells judged outside it. Raises ``BpscareError`` before writing
    anything for an unknown assignment, a folder that is not an nbgrader course, or an
    unreachable scheduler or database.

    ``timeout_cell`` (seconds per cell) defaults to the course's own ``Execute.timeout`` /
    ``ExecutePreprocessor.timeout`` from ``nbgrader_config.py`` (nbgrader's 30 s if unset).
    """
    from bpscare import nbgrader_course

    course = nbgrader_course.require_course(Path(course_dir))
    if timeout_cell is not None:
        check_timeout(timeout_cell, "timeout_cell")
    if workers is not None and (not isinstance(workers, int) or workers < 1):
        msg = f"workers must be a positive whole number, got {workers!r}"
        raise BpscareError(msg)
    if executor != "local" and not executor.startswith("dask://"):
        msg = f"unknown executor {executor!r}; use 'local' or 'dask://HOST:PORT'"
        raise BpscareError(msg)
    options = RunOptions(
        students=None if students is None else tuple(students),
        executor=executor,
        workers=workers or os.cpu_count() or 1,
        db_url=db_url,
        timeout_cell=None if timeout_cell is None else float(timeout_cell),
        progress=progress,
        require_sandbox=bool(require_sandbox),
    )
    if require_sandbox and executor == "local":  # sandbox hook (issue 18): refuse before writing
        from bpscare.grading.zygote import require_strong_sandbox

        require_strong_sandbox()
    pool = _make_executor(executor, options.workers)  # workers warm up while the parent prepares
    try:
        run = _autograde(course, assignment, options, pool)
    except BaseException:
        pool.close(kill=True)  # an error or Ctrl+C: stop the workers now
        raise
    pool.close()
    return run


@contextlib.contextmanager
def open_grading_context(
    course: Path, assignment: str, options: RunOptions
) -> Iterator[GradingContext]:
    """Open the course's config, gradebook and assignment for one run; close them after.

    Raises ``BpscareError`` (with nothing written) for a config that does not load, an
    unreachable gradebook or an assignment the gradebook does not know.
    """
    from bpscare import nbgrader_course

    nbgrader_course.ensure_tools_on_path()
    config = nbgrader_course.load_course_config(course, options.db_url)
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=config)
    url = gb_mod.normalize_db_url(nbgrader_course.course_db_url(course, options.db_url))
    coursedir.db_url = url
    gradebook = gb_mod.open_gradebook(url, coursedir.course_id)
    try:
        infos = _check_assignment(gradebook, assignment)
        timeout = options.timeout_cell or course_timeout(config, course)
        yield GradingContext(
            course=course,
            assignment=assignment,
            options=options,
            config=config,
            coursedir=coursedir,
            db_url=url,
            gradebook=gradebook,
            sources=CachedSourceCells(gradebook),
            infos=infos,
            limits=Limits(
                timeout_cell=timeout,
                protected=_protected(course, url),
                require_sandbox=options.require_sandbox,
            ),
            late_plugin=_late_plugin(config),
        )
    finally:
        gradebook.close()


def _autograde(course: Path, assignment: str, options: RunOptions, pool: Any) -> AutogradeRun:
    started = time.monotonic()
    with integrity.course_lock(course, wait=False) as locked:
        if not locked:
            msg = "another bpscare autograde is running on this course; wait for it to finish"
            raise BpscareError(msg, path=course)
        return _autograde_locked(course, assignment, options, pool, started)


def _autograde_locked(
    course: Path, assignment: str, options: RunOptions, pool: Any, started: float
) -> AutogradeRun:
    with open_grading_context(course, assignment, options) as ctx:
        chosen = _choose_students(ctx.coursedir, assignment, options.students)
        run = AutogradeRun(course, assignment, executor=options.executor, workers=options.workers)
        run.timeout_cell = ctx.limits.timeout_cell
        # a killed run's journal: put each folder back in step with the gradebook, then tidy
        run.recovered = integrity.recover(_scratch(ctx.coursedir), ctx.gradebook)
        shutil.rmtree(_scratch(ctx.coursedir), ignore_errors=True)
        results: dict[str, StudentResult] = {}
        pending = _submit_all(ctx, pool, chosen, results)
        for future, output in pool.as_completed(pending):
            prepared = pending[future]
            if isinstance(output, BaseException):
                results[prepared.student] = StudentResult(
                    prepared.student, error=f"grading failed: {output}"[:400], flags=prepared.flags
                )
            else:
                run.protections.update(output.get("protections", {}))
                results[prepared.student] = _finish(ctx, prepared, output)
            options.report(prepared.student, True, len(chosen))
        run.results = [results[s] for s in chosen if s in results]
        run.flag_report = _write_flag_report(course, assignment, run.results, chosen)
        integrity.tidy(_scratch(ctx.coursedir))  # an unsettled entry waits for the next run
        run.seconds = time.monotonic() - started
        return run


def _submit_all(
    ctx: GradingContext, pool: Any, chosen: list[str], results: dict[str, StudentResult]
) -> dict[Any, Prepared]:
    """Prepare each learner's submission and hand it to the pool; return future → submission.

    A submission that cannot be prepared, or has no notebook to run, is finished here and goes
    straight into ``results``.
    """
    total = len(chosen)
    tests = ctx.tests
    limits = ctx.limits.to_dict()
    pending: dict[Any, Prepared] = {}
    for student in chosen:
        ctx.options.report(student, False, total)
        try:
            prepared = prepare(ctx, student)
        except Exception as exc:
            results[student] = StudentResult(student, error=f"cannot prepare: {exc}"[:400])
            ctx.options.report(student, True, total)
            continue
        if prepared.notebooks:
            pending[pool.submit({**prepared.job(tests, limits), "assignment": ctx.assignment})] = (
                prepared
            )
        else:
            results[student] = _finish(ctx, prepared, {})
            ctx.options.report(student, True, total)
    return pending


def _check_assignment(gradebook: Any, assignment: str) -> dict[str, NotebookInfo]:
    from nbgrader.api import MissingEntry

    try:
        gradebook.find_assignment(assignment)
    except MissingEntry:
        known = ", ".join(sorted(a.name for a in gradebook.assignments)) or "none"
        msg = f"unknown assignment {assignment!r}; the gradebook has: {known}"
        raise BpscareError(msg) from None
    infos = notebook_infos(gradebook, assignment)
    if not infos:
        msg = f"assignment {assignment!r} has no notebooks; run nbgrader generate_assignment"
        raise BpscareError(msg)
    return infos


def _choose_students(
    coursedir: Any, assignment: str, students: tuple[str, ...] | None
) -> list[str]:
    root = Path(coursedir.root) / coursedir.submitted_directory
    available = (
        sorted(p.name for p in root.iterdir() if (p / assignment).is_dir()) if root.is_dir() else []
    )
    if students is None:
        return available
    unknown = [s for s in students if s not in available]
    if unknown:
        msg = (
            f"no submission of {assignment!r} for {', '.join(map(repr, unknown))}; "
            f"submissions exist for {len(available)} learner(s)"
        )
        raise BpscareError(msg)
    return list(dict.fromkeys(students))


def _protected(course: Path, db_url: str) -> tuple[str, ...]:
    paths = [str(course)]
    path = gb_mod.sqlite_path(db_url)
    if path is not None:
        paths.append(str(path.resolve().parent))
    return tuple(paths)


def _late_plugin(config: Any) -> Any:
    try:
        from nbgrader.preprocessors import AssignLatePenalties

        preprocessor = AssignLatePenalties(config=config)
        preprocessor.init_plugin()
        return preprocessor.plugin_inst
    except Exception:
        return None


def _post_process(nb: nbformat.NotebookNode, config: Any) -> nbformat.NotebookNode:
    """Apply nbgrader's post-execution preprocessors that do not touch the database."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import IgnorePattern, LimitOutput

    resources: dict[str, Any] = {}
    for preprocessor in (
        IgnorePattern(config=config),
        ClearMetadataPreprocessor(config=config),
        LimitOutput(config=config),
    ):  # nbgrader's second CheckCellMetadata is skipped: only outputs changed since the first
        with fast_metadata_validation():
            nb, resources = preprocessor(nb, resources)
    return nb


def _finish(ctx: GradingContext, prepared: Prepared, output: dict[str, Any]) -> StudentResult:
    """Write one learner's autograded folder and gradebook rows; return the result."""
    from nbgrader import utils

    result = StudentResult(prepared.student, flags=list(prepared.flags))
    result.flags.extend(f for f in output.get("flags", []) if f not in result.flags)
    result.seconds = float(output.get("seconds", 0.0))
    notebooks: dict[str, nbformat.NotebookNode] = {}
    try:
        for name, text in output.get("notebooks", {}).items():
            notebooks[name] = _post_process(loads_notebook(text), ctx.config)
        notebooks.update(prepared.unreadable)
        _add_flag_notes(notebooks, result.flags)
        coursedir = ctx.coursedir
        dest = Path(
            coursedir.format_path(coursedir.autograded_directory, prepared.student, ctx.assignment)
        )
        staging = _stage(dest, prepared, notebooks, coursedir)

        def write_rows(before_commit: Callable[[], None]) -> None:
            gb_mod.save_submission(
                ctx.gradebook,
                ctx.assignment,
                prepared.student,
                prepared.timestamp,
                notebooks,
                prepared.missing,
                ctx.late_plugin,
                before_commit=before_commit,
            )

        # the folder swap happens inside the gradebook transaction, journalled: see integrity
        integrity.install(
            _scratch(coursedir),
            staging,
            dest,
            ctx.gradebook,
            ctx.assignment,
            prepared.student,
            write_rows,
        )
    except Exception as exc:
        result.error = f"cannot record the grades: {str(exc)[:300]}"
        return result
    for nb in notebooks.values():
        for cell in nb.cells:
            if utils.is_grade(cell):
                score, _ = utils.determine_grade(cell)
                result.cell_scores[cell.metadata.nbgrader["grade_id"]] = score
    submission = ctx.gradebook.find_submission(ctx.assignment, prepared.student)
    result.score = float(submission.score)
    result.max_score = float(submission.max_score)
    return result


def _add_flag_notes(notebooks: dict[str, nbformat.NotebookNode], flags: list[str]) -> None:
    """Put a learner-facing reason line under the first graded test cell of each notebook."""
    if not flags:
        return
    text = "Grading note: " + "; ".join(flags[:10]) + "\n"
    for nb in notebooks.values():
        for cell in nb.cells:
            nbg = cell.get("metadata", {}).get("nbgrader", {})
            if cell.cell_type == "code" and nbg.get("grade") and not nbg.get("solution"):
                cell.outputs.insert(
                    0, nbformat.from_dict({"output_type": "stream", "name": "stdout", "text": text})
                )
                break


def _stage(
    dest: Path, prepared: Prepared, notebooks: dict[str, nbformat.NotebookNode], coursedir: Any
) -> Path:
    staging = _scratch(coursedir) / f"{dest.parent.name}--{dest.name}.incoming"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for rel, data in prepared.files.items():
        target = staging / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    for name, nb in notebooks.items():
        (staging / name).write_text(dumps_notebook(nb), encoding="utf-8")
    permissions = 0o664 if coursedir.groupshared else 0o444
    for root, _, files in os.walk(staging):
        for filename in files:
            os.chmod(os.path.join(root, filename), permissions)
    return staging


def _scratch(coursedir: Any) -> Path:
    """Return the course's scratch folder for staging (never inside ``autograded/``)."""
    return Path(coursedir.root) / SCRATCH


def _write_flag_report(
    course: Path, assignment: str, results: Iterable[StudentResult], graded: Iterable[str]
) -> Path:
    """Merge this run's flags into the report: rows of learners not graded now are kept."""
    path = course / FLAG_REPORT.format(assignment=assignment)
    replaced = {csv_cell(s) for s in graded}
    kept: list[list[str]] = []
    if path.is_file():
        with path.open(newline="", encoding="utf-8") as handle:
            kept = [row for row in csv.reader(handle) if len(row) == 2][1:]
    rows = [row for row in kept if row[0] not in replaced]
    rows += [[csv_cell(r.student), csv_cell(flag)] for r in results for flag in r.flags]
    if not rows and not path.exists():
        return path
    rows.sort(key=lambda row: row[0])  # stable: each learner's flags keep their order
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["student", "flag"])
    writer.writerows(rows)
    atomic.write_text(path, buffer.getvalue())
    return path


def csv_cell(text: str) -> str:
    """Neutralise spreadsheet formulas (OWASP "CSV injection"): a learner names the files.

    A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
    apostrophe, so Excel, LibreOffice and Google Sheets show it as text. Already escaped text is
    left as it is, so merging a report with itself changes nothing.
    """
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


#: The longest per-cell time limit accepted (one day): beyond it a loop blocks a worker for good.
MAX_TIMEOUT = 86400.0


def check_timeout(value: object, name: str) -> float:
    """Return ``value`` as seconds, or raise if it is not a finite number in (0, one day]."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 < value <= MAX_TIMEOUT
    ):
        msg = (
            f"{name} must be a number of seconds above 0 and at most {MAX_TIMEOUT:g} "
            f"(one day), got {value!r}"
        )
        raise BpscareError(msg)
    return float(value)


def course_timeout(config: Any, course: Path) -> float:
    """The per-cell timeout the course's nbgrader config sets, resolved as nbgrader resolves it.

    nbgrader's ``Execute`` preprocessor reads ``Execute.timeout``, then its parents'
    (``ExecutePreprocessor.timeout``, ``NotebookClient.timeout``); its default is 30 s. A value
    of ``None``, 0 or below disables nbgrader's limit; the engine then uses :data:`MAX_TIMEOUT`.
    """
    from nbgrader.preprocessors import Execute

    try:
        value = Execute(config=config).timeout
    except Exception as exc:  # a traitlets error: not an integer
        msg = f"Execute.timeout is not valid: {str(exc).splitlines()[0][:200]}"
        raise BpscareError(msg, path=course / "nbgrader_config.py") from exc
    if not value or value < 0:
        return MAX_TIMEOUT
    return check_timeout(value, "the course's Execute.timeout")


# --- executors ------------------------------------------------------------------------------


def _make_executor(executor: str, workers: int) -> Any:
    if executor == "local":
        from bpscare.grading.pool import WorkerPool

        return WorkerPool(workers)
    from bpscare.grading.dask_executor import DaskExecutor

    return DaskExecutor(executor[len("dask://") :])
