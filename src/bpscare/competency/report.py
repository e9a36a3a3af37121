"""``bpscare report``: competency tracking and item analysis for a program, from a gradebook.

:func:`run_report` reads an nbgrader gradebook (SQLite or PostgreSQL) with set-based SQL (see
:mod:`bpscare.competency.evidence`), applies the course's competency map and the frameworks'
level schemes, and writes a report folder:

==========================  ======================================================================
six CSV tables              ``assignment_scores.csv``, ``competencies.csv``, ``items.csv``,
                            ``reliability.csv``, ``cohort_summary.csv``, ``at_risk.csv``: each
                            table and each column (name, formatter, meaning) is declared once in
                            :data:`bpscare.competency.columns.TABLES`, which the CSV writer and
                            the page both read; :func:`~bpscare.competency.columns.reference`
                            lists them.
``index.html``              the report for a program director, plots embedded (no external URL).
``lms_gradebook.csv``       Canvas-convention gradebook import (:mod:`.exports.lms`).
``badges.jsonl``            Open Badges 3.0 credentials, one JSON document per line, one per learner
                            per attained competency (:mod:`.exports.badges`).
``xapi_statements.json``    xAPI statements, one per learner x submitted assignment (or, with
                            ``xapi_detail="cells"``, per learner x graded cell), streamed
                            (:mod:`.exports.xapi`).
==========================  ======================================================================

The steps, each a function here: set up (frameworks, map, output folder, salt), gather the
evidence (:mod:`.evidence`), map the cells to competencies and compute the aggregates
(:mod:`.aggregates`, giving a :class:`~.report_data.ReportData`), write the tables
(:mod:`.tables`), the exports (:mod:`.exports`) and the page (:mod:`.html`).

Speed: the gradebook is read in one set-based pass (:mod:`.evidence`), every statistic is a
numpy ``bincount`` over the resulting arrays, the large exports are serialised from templates
(:class:`~.exports.BadgeLineWriter`, :class:`~.exports.XapiStatementWriter`) and, for large
gradebooks, ``index.html`` is drawn by a helper process on the second core
(:mod:`.render_worker`); either way a forked child draws half of its figures
(:mod:`.figure_fork`). ``benchmarks/bench_report.py`` measures it against ``nbgrader export``.

The folder is built in a temporary sibling folder and moved into place only when complete, so
a failure leaves an existing report untouched and never leaves a half-written one. The folder
is private to the user (mode 0700): it holds learner data.

Privacy: with ``pseudonymize=True`` every learner id in every file (CSV, HTML, badges, xAPI,
file names) is replaced by ``L-`` + the first 12 hex digits of HMAC-SHA256(salt, learner id).
The salt comes from the argument, else ``BPSCARE_PSEUDONYM_SALT``, else
``<course_dir>/.bpscare_salt`` (created with 64 random hex digits, mode 0600, on first use), so
pseudonyms stay the same across runs; keep that file out of version control. Names and e-mail
addresses are never read from the gradebook (see :mod:`.privacy`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bpscare import atomic
from bpscare.competency.aggregates import ReportContext, assemble, due_mask, map_cells
from bpscare.competency.columns import (
    ASSIGNMENT_SCORE_COLUMNS,
    AT_RISK_COLUMNS,
    COHORT_COLUMNS,
    COMPETENCY_COLUMNS,
    ITEM_COLUMNS,
    RELIABILITY_COLUMNS,
)
from bpscare.competency.evidence import GradebookSource
from bpscare.competency.exports import (
    Issuer,
    XapiOptions,
    write_report_badges,
    write_report_lms,
    write_report_xapi,
)
from bpscare.competency.exports.xapi import DEFAULT_ACTIVITY_BASE, DEFAULT_HOME_PAGE
from bpscare.competency.figure_fork import start_early_figures
from bpscare.competency.frameworks import Framework, load_frameworks
from bpscare.competency.mapping import MAP_FILENAME, CompetencyMap, load_map
from bpscare.competency.privacy import (
    PSEUDONYM_HEX,
    PSEUDONYM_PREFIX,
    SALT_ENV,
    SALT_FILE,
    pseudonym,
    pseudonymize_all,
    resolve_salt,
)
from bpscare.competency.render_worker import HtmlWorker
from bpscare.competency.report_data import (
    AtRiskRule,
    CompetencyEvidence,
    GradebookSums,
    ReportData,
    item_flag,
)
from bpscare.competency.tables import cohort_rows, write_tables
from bpscare.errors import BpscareError

__all__ = [
    "ASSIGNMENT_SCORE_COLUMNS",
    "AT_RISK_COLUMNS",
    "COHORT_COLUMNS",
    "COMPETENCY_COLUMNS",
    "DEFAULT_ACTIVITY_BASE",
    "DEFAULT_HOME_PAGE",
    "HELPER_MIN_BYTES",
    "ITEM_COLUMNS",
    "MARKER_FILE",
    "PSEUDONYM_HEX",
    "PSEUDONYM_PREFIX",
    "RELIABILITY_COLUMNS",
    "SALT_ENV",
    "SALT_FILE",
    "AtRiskRule",
    "ReportData",
    "ReportSummary",
    "cohort_rows",
    "item_flag",
    "pseudonym",
    "pseudonymize_all",
    "resolve_salt",
    "run_report",
    "use_helper_process",
]

MARKER_FILE = ".bpscare-report.json"
#: SQLite gradebooks from this size on get index.html drawn in a helper process by default
#: (the 1,000,000-grade benchmark gradebook is 267 MB, the 30,000-grade one 9 MB).
HELPER_MIN_BYTES = 64 * 1024 * 1024


@dataclass
class ReportSummary:
    """What :func:`run_report` did: counts, output files, warnings and timings (seconds)."""

    out_dir: Path
    gradebook: str
    map_path: Path | None
    frameworks: tuple[str, ...]
    n_learners: int
    n_assignments: int
    n_items: int
    n_submissions: int
    n_grades: int
    n_competencies: int
    n_at_risk: int
    n_badges: int
    n_xapi_statements: int
    pseudonymized: bool
    files: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict (paths as strings)."""
        data = asdict(self)
        data["out_dir"] = str(self.out_dir)
        data["map_path"] = str(self.map_path) if self.map_path else None
        data["frameworks"] = list(self.frameworks)
        return data


def use_helper_process(db_url: str) -> bool:
    """Whether ``run_report(parallel=None)`` draws ``index.html`` in a helper process.

    Yes for a SQLite gradebook of :data:`HELPER_MIN_BYTES` or more and for server databases
    (their queries wait on the network); no for small SQLite files, where the page is drawn
    sooner here than a second interpreter can import matplotlib.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(db_url)
    except ArgumentError:
        return False
    if url.get_backend_name() != "sqlite":
        return True
    try:
        return Path(url.database or "").expanduser().stat().st_size >= HELPER_MIN_BYTES
    except OSError:
        return False


# -- the report ------------------------------------------------------------------------------


def run_report(
    *,
    course_dir: Path | None = None,
    db_url: str | None = None,
    out_dir: Path,
    map_path: Path | None = None,
    pseudonymize: bool = False,
    salt: str | None = None,
    progress: Callable[[str], None] | None = None,
    rule: AtRiskRule | None = None,
    now: dt.datetime | None = None,
    xapi_detail: str = "assignments",
    parallel: bool | None = None,
) -> ReportSummary:
    """Write the competency and item-analysis report of a gradebook into ``out_dir``.

    Parameters
    ----------
    course_dir
        An nbgrader course folder: its ``nbgrader_config.py`` gives the gradebook URL
        (``CourseDirectory.db_url``, else ``sqlite:///<course_dir>/gradebook.db``) and its
        ``competency_map.yaml``, if present, is the default map.
    db_url
        A gradebook URL (SQLite or PostgreSQL); overrides the course's.
    out_dir
        The report folder; replaced atomically (an existing non-report folder is refused).
    map_path
        A competency map (overrides the course's); without any map, only assignments and items
        are reported.
    pseudonymize, salt
        Replace learner ids by salted HMAC pseudonyms everywhere (see module docstring).
    progress
        Called with a short message at each step.
    rule
        The at-risk rule (default :class:`AtRiskRule`).
    now
        Report time (default: now, UTC); used for badges' ``validFrom`` and undated statements.
    xapi_detail
        ``"assignments"`` (default): one xAPI statement per learner and submitted assignment,
        with the competencies it assesses; ``"cells"``: one per learner and graded cell (about
        1.3 kB each: a million grades make a 1.3 GB file).
    parallel
        Draw ``index.html`` in a helper process (:mod:`.render_worker`) so it overlaps with the
        rest of the work on a second core; any failure there falls back to drawing here. The
        page is the same either way. ``None`` (default): only for large gradebooks (see
        :func:`use_helper_process`), where the helper's own start-up (a second interpreter
        importing matplotlib, about 1.5 s of CPU) hides behind reading the gradebook.

    Returns
    -------
    ReportSummary

    Raises
    ------
    BpscareError
        Missing or corrupt gradebook, invalid map, missing salt, or an output folder that is
        not a report. Nothing is written to ``out_dir`` then.
    """
    timer = _Timer(progress)
    if xapi_detail not in ("assignments", "cells"):
        msg = f"xapi_detail must be 'assignments' or 'cells', got {xapi_detail!r}"
        raise BpscareError(msg)
    out_dir = Path(out_dir).expanduser().resolve()
    course_dir, url, map_path = _resolve_course(course_dir, db_url, map_path)
    settings = _Settings(
        out_dir=out_dir,
        db_url=url,
        course_dir=course_dir,
        map_path=map_path,
        pseudonymize=pseudonymize,
        salt=salt,
        rule=rule or AtRiskRule(),
        generated=_timestamp(now),
        xapi_detail=xapi_detail,
    )
    if parallel is None:
        parallel = use_helper_process(settings.db_url)
    # index.html is drawn by a helper process on the other core (it imports matplotlib while
    # this process reads the gradebook); without it, matplotlib is imported in a thread here.
    with HtmlWorker(start=parallel) as worker:
        preload = None if worker.started else _preload_plotting()
        setup = _set_up(settings)
        timer.step("setup", "reading the gradebook")
        with GradebookSource(settings.db_url) as source:
            sums = _gather_evidence(source, settings, timer)
            warnings: list[str] = []
            evidence = _competency_evidence(source, sums, setup, warnings, settings.generated)
            timer.step("competency_aggregates")
            data = assemble(_context(settings, setup, source, sums, warnings), sums, evidence)
            timer.step("python_tables", "writing the report")
            job = _Job(settings, setup.cmap, source, sums, data)
            summary = _write_report(job, worker, preload, timer)
    timer.total()
    return summary


# -- the steps -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Settings:
    """The arguments of :func:`run_report`, checked, with the course's gradebook and map."""

    out_dir: Path
    db_url: str
    course_dir: Path | None
    map_path: Path | None
    pseudonymize: bool
    salt: str | None
    rule: AtRiskRule
    generated: str
    xapi_detail: str


def _resolve_course(
    course_dir: Path | None, db_url: str | None, map_path: Path | None
) -> tuple[Path | None, str, Path | None]:
    """Return (course folder, gradebook URL, map): the course's unless given."""
    if course_dir is None and db_url is None:
        msg = "give a course folder or a gradebook URL (db_url)"
        raise BpscareError(msg)
    if course_dir is not None:
        course_dir = Path(course_dir).expanduser().resolve()
        if not course_dir.is_dir():
            msg = "course folder does not exist"
            raise BpscareError(msg, path=course_dir)
        from bpscare.nbgrader_course import course_db_url

        db_url = course_db_url(course_dir, db_url)
        if map_path is None and (course_dir / MAP_FILENAME).is_file():
            map_path = course_dir / MAP_FILENAME
    if db_url is None:  # pragma: no cover - course_db_url always returns a URL
        msg = "no gradebook URL could be worked out"
        raise BpscareError(msg)
    return course_dir, db_url, map_path


def _timestamp(now: dt.datetime | None) -> str:
    """The report time (default: now), UTC to the second, as ``YYYY-MM-DDTHH:MM:SSZ``."""
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    return now.strftime("%Y-%m-%dT%H:%M:%SZ")


class _Timer:
    """Seconds per step, and the progress messages."""

    def __init__(self, progress: Callable[[str], None] | None) -> None:
        self.timings: dict[str, float] = {}
        self._progress = progress
        self._start = self._clock = time.perf_counter()

    def step(self, name: str, message: str | None = None) -> None:
        """Record the time since the last step as ``name``; then report ``message``."""
        t = time.perf_counter()
        self.timings[name] = round(t - self._clock, 4)
        self._clock = t
        if message and self._progress is not None:
            self._progress(message)

    def total(self) -> None:
        """Record the time since the start as ``total``."""
        self.timings["total"] = round(time.perf_counter() - self._start, 4)


def _preload_plotting() -> threading.Thread:
    """Import matplotlib in a background thread while the database does the heavy work."""

    def target() -> None:
        with contextlib.suppress(Exception):  # a real failure re-raises at the real import
            import bpscare.competency.html  # noqa: F401

    thread = threading.Thread(target=target, name="bpscare-preload-matplotlib", daemon=True)
    thread.start()
    return thread


@dataclass(frozen=True)
class _Setup:
    frameworks: dict[str, Framework]
    cmap: CompetencyMap | None
    salt: str | None  # None: learner ids are not pseudonymised


def _set_up(settings: _Settings) -> _Setup:
    """Load the frameworks and the map, check the output folder, find the salt."""
    frameworks = load_frameworks()
    cmap = load_map(settings.map_path, frameworks) if settings.map_path is not None else None
    _check_out_dir(settings.out_dir)
    salt = resolve_salt(settings.salt, settings.course_dir) if settings.pseudonymize else None
    return _Setup(frameworks, cmap, salt)


def _check_out_dir(out_dir: Path) -> None:
    for parent in out_dir.parents:
        if parent.exists():
            if not parent.is_dir():
                msg = f"cannot write the report inside {parent}: it is a file, not a folder"
                raise BpscareError(msg, path=out_dir)
            break
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        msg = "the report folder exists and is not a folder; choose another output path"
        raise BpscareError(msg, path=out_dir)
    if any(out_dir.iterdir()) and not (out_dir / MARKER_FILE).is_file():
        msg = (
            "the output folder exists, is not empty and is not a bpscare report; refusing to "
            "replace it (choose a new or empty folder)"
        )
        raise BpscareError(msg, path=out_dir)


def _gather_evidence(source: GradebookSource, settings: _Settings, timer: _Timer) -> GradebookSums:
    """Read the dimensions, build the evidence table and take the per-item sums."""
    learner_ids = source.learners()
    learner_index = {lid: i for i, lid in enumerate(learner_ids)}
    assignments = source.assignments()
    items = source.items(assignments)
    subs = source.submissions(learner_index, assignments)
    lms_ids = source.lms_user_ids() if not settings.pseudonymize else {}
    timer.step("dimensions")
    n_grades = source.build_evidence(subs, items)
    timer.step("evidence_table", "aggregating")
    totals, _counts = source.submission_totals(len(subs.ids))
    pending, item_pending = source.pending_counts(len(subs.ids), len(items))
    moments = source.item_moments(len(items))
    timer.step("item_aggregates")
    return GradebookSums(
        learner_ids=learner_ids,
        lms_user_ids=lms_ids,
        assignments=assignments,
        items=items,
        submissions=subs,
        totals=totals,
        moments=moments,
        n_grades=n_grades,
        pending=pending,
        item_pending=item_pending,
    )


def _competency_evidence(
    source: GradebookSource,
    sums: GradebookSums,
    setup: _Setup,
    warnings: list[str],
    generated: str,
) -> CompetencyEvidence:
    """Map the cells to competencies, then sum each learner's graded evidence per competency.

    Also counts the mapped cells awaiting grading, and sums the evidence of due assignments
    only (for the at-risk rule).
    """
    cells = map_cells(setup.cmap, setup.frameworks, sums.items, warnings)
    shape = (len(sums.learner_ids), len(cells.competencies))
    count, earned, possible = source.competency_evidence(cells.pairs, *shape)
    pending = source.competency_pending(cells.pairs, *shape)
    due = due_mask(sums.assignments, generated)
    due_pairs = [p for p in cells.pairs if due[sums.items[p[0]].assignment_index]]
    if len(due_pairs) == len(cells.pairs):
        due_sums = (count, earned, possible)
    else:
        due_sums = source.competency_evidence(due_pairs, *shape)
    return CompetencyEvidence(cells, count, earned, possible, pending, *due_sums)


def _context(
    settings: _Settings,
    setup: _Setup,
    source: GradebookSource,
    sums: GradebookSums,
    warnings: list[str],
) -> ReportContext:
    """The run's facts for :func:`~.aggregates.assemble`; pseudonymises the learner ids."""
    ids = sums.learner_ids
    names = pseudonymize_all(ids, setup.salt) if setup.salt else list(ids)
    cmap = setup.cmap
    if cmap is None:
        warnings.append("no competency map given: only assignments and items are reported")
    return ReportContext(
        generated=settings.generated,
        gradebook=source.display_url,
        cmap=cmap,
        frameworks=setup.frameworks,
        learners=names,
        pseudonymized=settings.pseudonymize,
        rule=settings.rule,
        warnings=warnings,
        xapi_home_page=cmap.home_page if cmap and cmap.home_page else DEFAULT_HOME_PAGE,
    )


@dataclass(frozen=True)
class _Job:
    """What the writing step needs: the settings and everything the earlier steps produced."""

    settings: _Settings
    cmap: CompetencyMap | None
    source: GradebookSource
    sums: GradebookSums
    data: ReportData


def _write_report(
    job: _Job, worker: HtmlWorker, preload: threading.Thread | None, timer: _Timer
) -> ReportSummary:
    """Write every file into a staging folder, then put it in place of the report folder."""
    out_dir = job.settings.out_dir
    tmp = atomic.new_staging_dir(out_dir, "writing")
    early = None
    try:
        if preload is None:  # the helper draws index.html while we write the rest
            worker.submit(tmp / "index.html", job.data)
        else:  # a forked child draws the heavier figures while we write the rest
            preload.join()
            early = start_early_figures(job.data)
        files, n_badges, n_statements = _write_files(tmp, job, timer)
        if preload is None:
            worker.finish()
        else:
            from bpscare.competency.html import write_index_html

            write_index_html(tmp / "index.html", job.data, early)
        files.append("index.html")
        timer.step("html", "finishing")
        summary = _summary(job, files, n_badges, n_statements, timer)
        timer.total()
        (tmp / MARKER_FILE).write_text(
            json.dumps(summary.to_json(), indent=2) + "\n", encoding="utf-8"
        )
        atomic.replace_dir(tmp, out_dir)
    except BaseException:
        worker.close()  # before removing the folder the helper may be writing in
        if early is not None:
            early.close()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return summary


def _write_files(tmp: Path, job: _Job, timer: _Timer) -> tuple[list[str], int, int]:
    """Write the tables and the exports; return the file names, badges and statements."""
    data, sums, cmap = job.data, job.sums, job.cmap
    files = write_tables(tmp, data)
    lms_ids = [sums.lms_user_ids.get(lid, "") for lid in sums.learner_ids]
    write_report_lms(tmp / "lms_gradebook.csv", data, lms_ids)
    files.append("lms_gradebook.csv")
    timer.step("csv")
    label = data.course_label
    issuer = Issuer(
        id=cmap.issuer_id if cmap and cmap.issuer_id else f"urn:bpscare:issuer:{label}",
        name=(
            cmap.issuer_name
            if cmap and cmap.issuer_name
            else f"{label} (bpscare competency report)"
        ),
    )
    n_badges = write_report_badges(tmp / "badges.jsonl", data, issuer)
    files.append("badges.jsonl")
    timer.step("badges")
    options = XapiOptions(
        activity_base=(
            cmap.activity_base
            if cmap and cmap.activity_base
            else f"{DEFAULT_ACTIVITY_BASE}/{label}"
        ),
        detail=job.settings.xapi_detail,
        grade_cells=cmap.grade_cells if cmap else None,
    )
    path = tmp / "xapi_statements.json"
    n_statements = write_report_xapi(path, data, sums, options, job.source.iter_evidence)
    files.append("xapi_statements.json")
    timer.step("xapi")
    return files, n_badges, n_statements


def _summary(
    job: _Job, files: list[str], n_badges: int, n_statements: int, timer: _Timer
) -> ReportSummary:
    sums, data, cmap = job.sums, job.data, job.cmap
    return ReportSummary(
        out_dir=job.settings.out_dir,
        gradebook=job.source.display_url,
        map_path=cmap.path if cmap else None,
        frameworks=cmap.frameworks if cmap else (),
        n_learners=len(sums.learner_ids),
        n_assignments=len(sums.assignments),
        n_items=len(sums.items),
        n_submissions=len(sums.submissions.ids),
        n_grades=sums.n_grades,
        n_competencies=len(data.competencies),
        n_at_risk=len(data.at_risk),
        n_badges=n_badges,
        n_xapi_statements=n_statements,
        pseudonymized=job.settings.pseudonymize,
        files=sorted(files),
        warnings=data.warnings,
        timings=timer.timings,
    )
