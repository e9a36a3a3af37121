"""The steps of :func:`~bpscare.competency.report.run_report` after its page's child is forked.

Set up (frameworks, map, output folder, salt), gather the evidence (:mod:`.evidence`), map the
cells to competencies and compute the aggregates (:mod:`.aggregates`, giving a
:class:`~.report_data.ReportData`), write the tables (:mod:`.tables`), the exports
(:mod:`.exports`) and the page (:mod:`.page_fork` or :mod:`.render_worker`, else here), all in
a staging folder put in place of the report folder at the end.
"""

from __future__ import annotations

import json
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from bpscare import atomic
from bpscare.competency.aggregates import ReportContext, assemble, due_mask, map_cells
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
from bpscare.competency.mapping import CompetencyMap, load_map
from bpscare.competency.page_fork import PageFork
from bpscare.competency.privacy import pseudonymize_all, resolve_salt
from bpscare.competency.render_worker import HtmlWorker
from bpscare.competency.report_data import (
    AtRiskRule,
    CompetencyEvidence,
    GradebookSums,
    ReportData,
)
from bpscare.competency.report_setup import (
    MARKER_FILE,
    ReportSummary,
    Timer,
    check_out_dir,
    preload_plotting,
)
from bpscare.competency.scan_fork import ScanFork
from bpscare.competency.tables import write_tables


def run_steps(
    settings: Settings, worker: PageFork | HtmlWorker, split_scan: bool, timer: Timer
) -> ReportSummary:
    """Read the gradebook, compute, write the report (``worker`` draws the page if started)."""
    with ScanFork(start=split_scan) as scan:
        # Without a page process, matplotlib is imported in a thread here.
        preload = None if worker.started else preload_plotting()
        setup = _set_up(settings)
        timer.step("setup", "reading the gradebook")
        with GradebookSource(settings.db_url) as source:
            sums = _gather_evidence(source, settings, timer, scan)
            warnings: list[str] = []
            evidence = _competency_evidence(source, sums, setup, warnings, settings.generated)
            timer.step("competency_aggregates")
            data = assemble(_context(settings, setup, source, sums, warnings), sums, evidence)
            timer.step("python_tables", "writing the report")
            job = _Job(settings, setup.cmap, source, sums, data)
            return _write_report(job, worker, preload, timer)


@dataclass(frozen=True)
class Settings:
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


@dataclass(frozen=True)
class _Setup:
    frameworks: dict[str, Framework]
    cmap: CompetencyMap | None
    salt: str | None  # None: learner ids are not pseudonymised


def _set_up(settings: Settings) -> _Setup:
    """Load the frameworks and the map, check the output folder, find the salt."""
    frameworks = load_frameworks()
    cmap = load_map(settings.map_path, frameworks) if settings.map_path is not None else None
    check_out_dir(settings.out_dir)
    salt = resolve_salt(settings.salt, settings.course_dir) if settings.pseudonymize else None
    return _Setup(frameworks, cmap, salt)


def _gather_evidence(
    source: GradebookSource, settings: Settings, timer: Timer, scan: ScanFork
) -> GradebookSums:
    """Read the dimensions, build the evidence table and take the per-item sums."""
    learner_ids = source.learners()
    learner_index = {lid: i for i, lid in enumerate(learner_ids)}
    assignments = source.assignments()
    items = source.items(assignments)
    subs = source.submissions(learner_index, assignments)
    lms_ids = source.lms_user_ids() if not settings.pseudonymize else {}
    timer.step("dimensions")
    n_grades = source.build_evidence(subs, items, scan)
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
    settings: Settings,
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

    settings: Settings
    cmap: CompetencyMap | None
    source: GradebookSource
    sums: GradebookSums
    data: ReportData


def _write_report(
    job: _Job, worker: PageFork | HtmlWorker, preload: threading.Thread | None, timer: Timer
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


def _write_files(tmp: Path, job: _Job, timer: Timer) -> tuple[list[str], int, int]:
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
    job: _Job, files: list[str], n_badges: int, n_statements: int, timer: Timer
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
