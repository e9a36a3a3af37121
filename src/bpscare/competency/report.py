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

The steps, each a function in :mod:`.report_steps`: set up (frameworks, map, output folder,
salt), gather the evidence (:mod:`.evidence`), map the cells to competencies and compute the
aggregates (:mod:`.aggregates`, giving a :class:`~.report_data.ReportData`), write the tables
(:mod:`.tables`), the exports (:mod:`.exports`) and the page (:mod:`.html`).

Speed: the gradebook is read in one set-based pass (:mod:`.evidence`; SQLite through
``sqlite3``, a large file by two processes, :mod:`.scan_fork`), every statistic is a numpy
``bincount`` over the resulting arrays, the large exports are serialised from templates
(:class:`~.exports.BadgeLineWriter`, :class:`~.exports.XapiStatementWriter`) and ``index.html``
is drawn on the second core by a child forked as the report starts (:mod:`.page_fork`: it
imports matplotlib while this process reads the gradebook), which forks another for half of
the figures (:mod:`.figure_fork`); this process never imports matplotlib or, for SQLite,
SQLAlchemy. ``benchmarks/bench_report.py`` measures it against ``nbgrader export``.

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

import datetime as dt
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Imported before the page's child is forked, because it needs them too (to read the data and
# draw the tables); what only this process needs waits in report_steps.
from bpscare.competency.columns import (
    ASSIGNMENT_SCORE_COLUMNS,
    AT_RISK_COLUMNS,
    COHORT_COLUMNS,
    COMPETENCY_COLUMNS,
    ITEM_COLUMNS,
    RELIABILITY_COLUMNS,
)
from bpscare.competency.engines import DatabaseUrlError, sqlite_path
from bpscare.competency.page_fork import PageFork
from bpscare.competency.report_data import AtRiskRule, ReportData, item_flag
from bpscare.competency.report_setup import (
    MARKER_FILE,
    ReportSummary,
    Timer,
    resolve_course,
    timestamp,
)
from bpscare.errors import BpscareError

if TYPE_CHECKING:  # at run time these come from __getattr__, on first use
    from bpscare.competency.exports.xapi import DEFAULT_ACTIVITY_BASE, DEFAULT_HOME_PAGE
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
    from bpscare.competency.tables import cohort_rows

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

#: Names this module re-exports from modules the report imports only after its fork.
_LATER = {
    "DEFAULT_ACTIVITY_BASE": "exports.xapi",
    "DEFAULT_HOME_PAGE": "exports.xapi",
    "PSEUDONYM_HEX": "privacy",
    "PSEUDONYM_PREFIX": "privacy",
    "SALT_ENV": "privacy",
    "SALT_FILE": "privacy",
    "cohort_rows": "tables",
    "pseudonym": "privacy",
    "pseudonymize_all": "privacy",
    "resolve_salt": "privacy",
}


def __getattr__(name: str) -> Any:
    home = _LATER.get(name)
    if home is None:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    return getattr(importlib.import_module(f"bpscare.competency.{home}"), name)


#: SQLite gradebooks from this size on get index.html drawn in a helper process by default
#: (the 1,000,000-grade benchmark gradebook is 267 MB, the 30,000-grade one 9 MB).
HELPER_MIN_BYTES = 64 * 1024 * 1024


def large_sqlite(db_url: str) -> bool:
    """Whether a SQLite gradebook is large enough to be read by two processes (.scan_fork)."""
    try:
        database = sqlite_path(db_url)
        if database is None:
            return False
        return Path(database).expanduser().stat().st_size >= HELPER_MIN_BYTES
    except (DatabaseUrlError, OSError):
        return False


def use_helper_process(db_url: str) -> bool:
    """Whether ``run_report(parallel=None)`` draws ``index.html`` in a helper process.

    Yes for a SQLite gradebook of :data:`HELPER_MIN_BYTES` or more and for server databases
    (their queries wait on the network); no for small SQLite files, where the page is drawn
    sooner here than a second interpreter can import matplotlib.
    """
    try:
        database = sqlite_path(db_url)
    except DatabaseUrlError:
        return False
    if database is None:
        return True
    try:
        return Path(database).expanduser().stat().st_size >= HELPER_MIN_BYTES
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
        Who draws ``index.html``; the page is the same either way, and any failure of another
        process falls back to drawing here. ``None`` (default): a child forked as the report
        starts (:mod:`.page_fork`), which imports matplotlib while this process reads the
        gradebook and draws the page while it writes the other files; where a fork is not
        safe (another thread running, no ``os.fork``, ``BPSCARE_NO_FORK`` set) as
        :func:`use_helper_process` decides. ``True``: a helper interpreter
        (:mod:`.render_worker`; its own start-up, a second interpreter importing matplotlib,
        costs about 1.5 s of CPU, hidden behind reading a large gradebook). ``False``: this
        process (half of the figures in a forked child, :mod:`.figure_fork`).

    Returns
    -------
    ReportSummary

    Raises
    ------
    BpscareError
        Missing or corrupt gradebook, invalid map, missing salt, or an output folder that is
        not a report. Nothing is written to ``out_dir`` then.
    """
    timer = Timer(progress)
    if xapi_detail not in ("assignments", "cells"):
        msg = f"xapi_detail must be 'assignments' or 'cells', got {xapi_detail!r}"
        raise BpscareError(msg)
    # With parallel=None the page's child is forked first (where it is safe), so that it
    # imports matplotlib while this process reads the gradebook; the modules only this
    # process needs are imported after the fork.
    with PageFork(start=parallel is None) as page:
        from bpscare.competency import report_steps

        course_dir, url, map_path = resolve_course(course_dir, db_url, map_path)
        settings = report_steps.Settings(
            out_dir=Path(out_dir).expanduser().resolve(),
            db_url=url,
            course_dir=course_dir,
            map_path=map_path,
            pseudonymize=pseudonymize,
            salt=salt,
            rule=rule or AtRiskRule(),
            generated=timestamp(now),
            xapi_detail=xapi_detail,
        )
        with _page_worker(page, parallel, url) as worker:
            summary = report_steps.run_steps(settings, worker, large_sqlite(url), timer)
    timer.total()
    return summary


# -- who draws the page ----------------------------------------------------------------------


def _page_worker(page: PageFork, parallel: bool | None, db_url: str) -> PageFork | HtmlWorker:
    """Who draws index.html: the forked child, a helper interpreter or (neither started) here."""
    from bpscare.competency.render_worker import HtmlWorker

    if page.started:
        return page
    if parallel is None:
        parallel = use_helper_process(db_url)
    return HtmlWorker(start=parallel)
