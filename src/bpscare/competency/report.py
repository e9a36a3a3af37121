"""``bpscare report``: competency tracking and item analysis for a program, from a gradebook.

:func:`run_report` reads an nbgrader gradebook (SQLite or PostgreSQL) with set-based SQL (see
:mod:`bpscare.competency.evidence`), applies the course's competency map and the frameworks'
level schemes, and writes a report folder:

==========================  ======================================================================
``assignment_scores.csv``   learner, assignment, score, max_score: one row per learner x
                            assignment. score = max(0, raw points - late penalty), exactly as
                            ``nbgrader export`` computes it; a learner with no submission gets 0.
                            max_score sums the assignment's grade cells and task cells.
``competencies.csv``        learner, framework, competency, evidence_count, attainment, level for
                            every learner x competency the map assesses (header only without a
                            map). attainment = points earned / points possible over the graded
                            cells mapped to the competency in the learner's submissions (0-1,
                            capped at 1; empty with no evidence); missing submissions are not
                            evidence (they show in at_risk.csv instead).
``items.csv``               per graded cell: difficulty and corrected item-total correlation.
``reliability.csv``         per assignment: Cronbach's alpha.
``cohort_summary.csv``      distribution per assignment and per competency, and course totals.
``at_risk.csv``             learners flagged by :class:`AtRiskRule` with the reasons.
``index.html``              the report for a program director, plots embedded (no external URL).
``lms_gradebook.csv``       Canvas-convention gradebook import (:mod:`.exports`).
``badges.jsonl``            Open Badges 3.0 credentials, one JSON document per line, one per learner
                            per attained competency.
``xapi_statements.json``    xAPI statements, one per learner x submitted assignment (or, with
                            ``xapi_detail="cells"``, per learner x graded cell), streamed.
==========================  ======================================================================

Speed: the gradebook is read in one set-based pass (:mod:`.evidence`), every statistic is a
numpy ``bincount`` over the resulting arrays, the large exports are serialised from templates
(:class:`~.exports.BadgeLineWriter`, :class:`~.exports.XapiStatementWriter`) and, for large
gradebooks, ``index.html`` is drawn by a helper process on the second core
(:mod:`.render_worker`). ``benchmarks/bench_report.py`` measures it against ``nbgrader export``.

The folder is built in a temporary sibling folder and moved into place only when complete, so
a failure leaves an existing report untouched and never leaves a half-written one. The folder
is private to the user (mode 0700): it holds learner data.

Privacy: with ``pseudonymize=True`` every learner id in every file (CSV, HTML, badges, xAPI,
file names) is replaced by ``L-`` + the first 12 hex digits of HMAC-SHA256(salt, learner id).
The salt comes from the argument, else ``BPSCARE_PSEUDONYM_SALT``, else
``<course_dir>/.bpscare_salt`` (created with 64 random hex digits, mode 0600, on first use), so
pseudonyms stay the same across runs; keep that file out of version control. Names and e-mail
addresses are never read from the gradebook.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bpscare import atomic
from bpscare.competency.evidence import AssignmentInfo, GradebookSource, GradeItem
from bpscare.competency.exports import (
    BadgeLineWriter,
    Issuer,
    XapiCell,
    XapiStatementWriter,
    _num,
    write_lms_gradebook,
)
from bpscare.competency.frameworks import Competency, Framework, load_frameworks
from bpscare.competency.items import (
    ItemStatistics,
    Reliability,
    assignment_reliability,
    item_statistics,
)
from bpscare.competency.levels import band_indices
from bpscare.competency.mapping import MAP_FILENAME, CompetencyMap, load_map
from bpscare.competency.render_worker import HtmlWorker
from bpscare.errors import BpscareError

SALT_FILE = ".bpscare_salt"
SALT_ENV = "BPSCARE_PSEUDONYM_SALT"
MARKER_FILE = ".bpscare-report.json"
PSEUDONYM_PREFIX = "L-"
PSEUDONYM_HEX = 12
DEFAULT_HOME_PAGE = "https://example.org/bpscare/learners"
DEFAULT_ACTIVITY_BASE = "https://example.org/bpscare/courses"

ASSIGNMENT_SCORE_COLUMNS = ["learner", "assignment", "score", "max_score"]
COMPETENCY_COLUMNS = ["learner", "framework", "competency", "evidence_count", "attainment", "level"]
ITEM_COLUMNS = [
    "assignment",
    "grade_id",
    "max_score",
    "n",
    "difficulty",
    "discrimination",
    "notebook",
    "cell_type",
    "mean",
    "sd",
    "flag",
]
RELIABILITY_COLUMNS = ["assignment", "k_items", "n", "max_score", "mean_total", "sd_total", "alpha"]
COHORT_COLUMNS = [
    "scope",
    "id",
    "title",
    "framework",
    "n_learners",
    "n_with_evidence",
    "mean",
    "sd",
    "min",
    "p25",
    "median",
    "p75",
    "max",
    "share_meeting_target",
    "target",
    "level_counts",
]
AT_RISK_COLUMNS = [
    "learner",
    "missing_submissions",
    "mean_score_pct",
    "low_competencies",
    "reasons",
]


@dataclass(frozen=True)
class AtRiskRule:
    """When a learner is listed in ``at_risk.csv`` (any one condition is enough).

    Attributes
    ----------
    max_missing
        At risk with this many missing submissions or more (default 2).
    min_mean_score
        At risk when the mean of the learner's assignment percentages (missing = 0) is below
        this share (default 0.60).
    low_attainment
        A competency counts as low below this attainment (default 0.60) ...
    min_low_competencies
        ... and the learner is at risk with this many low competencies or more (default 2);
        only competencies with at least the framework's minimum evidence count.
    """

    max_missing: int = 2
    min_mean_score: float = 0.60
    low_attainment: float = 0.60
    min_low_competencies: int = 2

    def describe(self) -> str:
        """The rule in one sentence, for the HTML report."""
        return (
            f"A learner is listed as at risk when any of these holds: {self.max_missing} or more "
            f"missing submissions; a mean assignment score below {self.min_mean_score:.0%} "
            "(each assignment's points as a share of its maximum, missing submissions counted "
            f"as 0, averaged over assignments); or attainment below {self.low_attainment:.0%} "
            f"on {self.min_low_competencies} or more competencies that have at least the "
            "framework's minimum evidence."
        )


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


@dataclass
class ReportData:
    """Everything the HTML page and the CSV writers need, already aggregated."""

    generated: str
    gradebook: str
    course_label: str
    map_path: Path | None
    pseudonymized: bool
    learners: list[str]
    assignments: list[AssignmentInfo]
    assignment_max: np.ndarray
    scores: np.ndarray  # learners x assignments (missing = 0)
    submitted: np.ndarray  # learners x assignments, bool
    items: list[GradeItem]
    item_stats: ItemStatistics
    reliability: list[Reliability]
    frameworks: dict[str, Framework]
    competencies: list[Competency]
    evidence_count: np.ndarray  # learners x competencies
    attainment: np.ndarray  # learners x competencies (NaN = no evidence)
    band: np.ndarray  # learners x competencies, band index
    attained: np.ndarray  # learners x competencies, bool
    competency_cells: dict[str, int]
    competency_trend: np.ndarray  # competencies x assignments, cohort attainment (NaN = none)
    rule: AtRiskRule
    at_risk: list[dict[str, Any]]
    mean_score_pct: np.ndarray
    missing: np.ndarray
    low_competencies: np.ndarray
    warnings: list[str]
    xapi_home_page: str
    unmapped_items: int


# -- privacy ---------------------------------------------------------------------------------


def resolve_salt(salt: str | None, course_dir: Path | None) -> str:
    """Return the pseudonym salt: argument, else env var, else ``<course>/.bpscare_salt``.

    The salt file is created (64 random hex digits, mode 0600) when missing, so pseudonyms are
    stable across runs.
    """
    if salt:
        return salt
    env = os.environ.get(SALT_ENV, "")
    if env:
        return env
    if course_dir is None:
        msg = (
            f"pseudonymisation needs a salt: pass one, set {SALT_ENV}, or give the course "
            f"folder so the salt can be kept in {SALT_FILE}"
        )
        raise BpscareError(msg)
    path = Path(course_dir) / SALT_FILE
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(secrets.token_hex(32) + "\n")
    value = path.read_text(encoding="utf-8").strip()
    if not value:
        msg = f"the salt file is empty; delete it to have a new one made, or set {SALT_ENV}"
        raise BpscareError(msg, path=path)
    return value


def pseudonym(learner_id: str, salt: str) -> str:
    """Return the stable pseudonym ``L-<12 hex>`` = truncated HMAC-SHA256(salt, learner id)."""
    digest = hmac.new(salt.encode("utf-8"), learner_id.encode("utf-8"), hashlib.sha256)
    return PSEUDONYM_PREFIX + digest.hexdigest()[:PSEUDONYM_HEX]


def pseudonymize_all(learner_ids: list[str], salt: str) -> list[str]:
    """Pseudonymise every id; raise if two ids collide (then a longer digest is needed)."""
    names = [pseudonym(lid, salt) for lid in learner_ids]
    if len(set(names)) != len(names):
        msg = "two learner ids share a pseudonym; report this as a bug (digest too short)"
        raise BpscareError(msg)
    return names


# -- output folder ---------------------------------------------------------------------------


def _check_out_dir(out_dir: Path) -> None:
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


# -- helpers ---------------------------------------------------------------------------------


def _fmt(value: float, digits: int = 4) -> str:
    if value is None or not np.isfinite(value):
        return ""
    return f"{value:.{digits}f}"


def _memo(func: Callable[[float], str]) -> Callable[[float], str]:
    """Cache a number formatter by value (report columns repeat few distinct values).

    Zero is never cached, so 0.0 and -0.0 (equal as keys) keep their own formatting.
    """
    cache: dict[float, str] = {}

    def formatted(value: float) -> str:
        text = cache.get(value)
        if text is None:
            text = func(value)
            if value:
                cache[value] = text
        return text

    return formatted


def _quantiles(values: np.ndarray) -> list[str]:
    if values.size == 0:
        return [""] * 7
    q = np.quantile(values, [0.25, 0.5, 0.75])
    sd = float(np.std(values, ddof=1)) if values.size > 1 else float("nan")
    return [
        _fmt(float(np.mean(values))),
        _fmt(sd),
        _fmt(float(np.min(values))),
        _fmt(float(q[0])),
        _fmt(float(q[1])),
        _fmt(float(q[2])),
        _fmt(float(np.max(values))),
    ]


def _preload_plotting() -> threading.Thread:
    """Import matplotlib in a background thread while the database does the heavy work."""

    def target() -> None:
        with contextlib.suppress(Exception):  # a real failure re-raises at the real import
            import bpscare.competency.html  # noqa: F401

    thread = threading.Thread(target=target, name="bpscare-preload-matplotlib", daemon=True)
    thread.start()
    return thread


#: SQLite gradebooks from this size on get index.html drawn in a helper process by default
#: (the 1,000,000-grade benchmark gradebook is 267 MB, the 30,000-grade one 9 MB).
HELPER_MIN_BYTES = 64 * 1024 * 1024


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
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    start = clock

    def step(name: str, message: str | None = None) -> None:
        nonlocal clock
        t = time.perf_counter()
        timings[name] = round(t - clock, 4)
        clock = t
        if message and progress is not None:
            progress(message)

    if xapi_detail not in ("assignments", "cells"):
        msg = f"xapi_detail must be 'assignments' or 'cells', got {xapi_detail!r}"
        raise BpscareError(msg)
    rule = rule or AtRiskRule()
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    generated = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    out_dir = Path(out_dir).expanduser().resolve()
    warnings: list[str] = []

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

    # index.html is drawn by a helper process on the other core (it imports matplotlib while
    # this process reads the gradebook); without it, matplotlib is imported in a thread here.
    if parallel is None:
        parallel = use_helper_process(db_url)
    with HtmlWorker(start=parallel) as worker:
        preload = None if worker.started else _preload_plotting()
        frameworks = load_frameworks()
        cmap: CompetencyMap | None = (
            load_map(map_path, frameworks) if map_path is not None else None
        )
        _check_out_dir(out_dir)
        salt_value = resolve_salt(salt, course_dir) if pseudonymize else None
        step("setup", "reading the gradebook")

        with GradebookSource(db_url) as source:
            learner_ids = source.learners()
            learner_index = {lid: i for i, lid in enumerate(learner_ids)}
            assignments = source.assignments()
            items = source.items(assignments)
            subs = source.submissions(learner_index, assignments)
            lms_ids = source.lms_user_ids() if not pseudonymize else {}
            step("dimensions")
            n_grades = source.build_evidence(subs, items)
            step("evidence_table", "aggregating")
            totals, _counts = source.submission_totals(len(subs.ids))
            moments = source.item_moments(len(items))
            step("item_aggregates")

            # Competency map -> (cell, competency) pairs.
            competencies: list[Competency] = []
            pairs: list[tuple[int, int, float]] = []
            competency_cells: dict[str, int] = {}
            unmapped_items = len(items)
            if cmap is not None:
                by_id = {c.id: c for fid in cmap.frameworks for c in frameworks[fid].competencies}
                competencies = [by_id[cid] for cid in cmap.competencies()]
                k_index = {c.id: k for k, c in enumerate(competencies)}
                gradebook_ids = {it.grade_id for it in items}
                for grade_id in cmap.grade_cells:
                    if grade_id not in gradebook_ids:
                        warnings.append(
                            f"{cmap.path}: grade cell {grade_id} is in the competency map but not "
                            "in the gradebook (check the grade id or release the assignment)"
                        )
                mapped = 0
                for it in items:
                    ids = cmap.grade_cells.get(it.grade_id, ())
                    if ids:
                        mapped += 1
                    for cid in ids:
                        competency_cells[cid] = competency_cells.get(cid, 0) + 1
                        if it.max_score > 0:
                            pairs.append((it.index, k_index[cid], it.max_score))
                unmapped_items = len(items) - mapped
            count, earned, possible = source.competency_evidence(
                pairs, len(learner_ids), len(competencies)
            )
            step("competency_aggregates")

            names = pseudonymize_all(learner_ids, salt_value) if salt_value else list(learner_ids)
            data = _assemble(
                generated=generated,
                gradebook=source.display_url,
                cmap=cmap,
                pseudonymized=pseudonymize,
                names=names,
                assignments=assignments,
                items=items,
                subs=subs,
                totals=totals,
                moments=moments,
                frameworks=frameworks,
                competencies=competencies,
                competency_cells=competency_cells,
                pairs=pairs,
                count=count,
                earned=earned,
                possible=possible,
                rule=rule,
                warnings=warnings,
                unmapped_items=unmapped_items,
            )
            if cmap is None:
                warnings.append("no competency map given: only assignments and items are reported")
            data.xapi_home_page = cmap.home_page if cmap and cmap.home_page else DEFAULT_HOME_PAGE
            step("python_tables", "writing the report")

            out_dir.parent.mkdir(parents=True, exist_ok=True)
            tmp = atomic.new_staging_dir(out_dir, "writing")
            try:
                if preload is None:  # the helper draws index.html while we write the rest
                    worker.submit(tmp / "index.html", data)
                files = _write_tables(tmp, data)
                files.append(_write_lms(tmp, data, learner_ids, lms_ids))
                step("csv")
                issuer = Issuer(
                    id=(
                        cmap.issuer_id
                        if cmap and cmap.issuer_id
                        else f"urn:bpscare:issuer:{data.course_label}"
                    ),
                    name=(
                        cmap.issuer_name
                        if cmap and cmap.issuer_name
                        else f"{data.course_label} (bpscare competency report)"
                    ),
                )
                n_badges = _write_badges(tmp / "badges.jsonl", data, issuer, generated)
                files.append("badges.jsonl")
                step("badges")
                home_page = data.xapi_home_page
                activity_base = (
                    cmap.activity_base
                    if cmap and cmap.activity_base
                    else f"{DEFAULT_ACTIVITY_BASE}/{data.course_label}"
                )
                n_statements = _write_xapi(
                    tmp / "xapi_statements.json",
                    source,
                    data,
                    subs,
                    totals,
                    cmap,
                    home_page=home_page,
                    activity_base=activity_base,
                    generated=generated,
                    detail=xapi_detail,
                )
                files.append("xapi_statements.json")
                step("xapi")
                if preload is not None:
                    preload.join()
                    worker.submit(tmp / "index.html", data)
                worker.finish()
                files.append("index.html")
                step("html", "finishing")
                summary = ReportSummary(
                    out_dir=out_dir,
                    gradebook=source.display_url,
                    map_path=cmap.path if cmap else None,
                    frameworks=cmap.frameworks if cmap else (),
                    n_learners=len(learner_ids),
                    n_assignments=len(assignments),
                    n_items=len(items),
                    n_submissions=len(subs.ids),
                    n_grades=n_grades,
                    n_competencies=len(competencies),
                    n_at_risk=len(data.at_risk),
                    n_badges=n_badges,
                    n_xapi_statements=n_statements,
                    pseudonymized=pseudonymize,
                    files=sorted(files),
                    warnings=warnings,
                    timings=timings,
                )
                timings["total"] = round(time.perf_counter() - start, 4)
                (tmp / MARKER_FILE).write_text(
                    json.dumps(summary.to_json(), indent=2) + "\n", encoding="utf-8"
                )
                atomic.replace_dir(tmp, out_dir)
            except BaseException:
                worker.close()  # before removing the folder the helper may be writing in
                shutil.rmtree(tmp, ignore_errors=True)
                raise
    timings["total"] = round(time.perf_counter() - start, 4)
    return summary


def _assemble(
    *,
    generated: str,
    gradebook: str,
    cmap: CompetencyMap | None,
    pseudonymized: bool,
    names: list[str],
    assignments: list[AssignmentInfo],
    items: list[GradeItem],
    subs: Any,
    totals: np.ndarray,
    moments: Any,
    frameworks: dict[str, Framework],
    competencies: list[Competency],
    competency_cells: dict[str, int],
    pairs: list[tuple[int, int, float]],
    count: np.ndarray,
    earned: np.ndarray,
    possible: np.ndarray,
    rule: AtRiskRule,
    warnings: list[str],
    unmapped_items: int,
) -> ReportData:
    n_l, n_a, n_k = len(names), len(assignments), len(competencies)
    item_assignment = np.array([it.assignment_index for it in items], dtype=np.int64)
    item_max = np.array([it.max_score for it in items], dtype=float)
    assignment_max = np.bincount(item_assignment, weights=item_max, minlength=n_a).astype(float)
    if not items:
        assignment_max = np.zeros(n_a)

    scores = np.zeros((n_l, n_a))
    submitted = np.zeros((n_l, n_a), dtype=bool)
    if len(subs.ids):
        scores[subs.learner, subs.assignment] = np.maximum(0.0, totals - subs.late_penalty)
        submitted[subs.learner, subs.assignment] = True

    stats = item_statistics(moments, item_max)
    reliability = assignment_reliability(moments, item_assignment, totals, subs.assignment, n_a)

    with np.errstate(divide="ignore", invalid="ignore"):
        attainment = np.where(possible > 0, np.minimum(earned / possible, 1.0), np.nan)
    band = np.zeros((n_l, n_k), dtype=np.int64)
    attained = np.zeros((n_l, n_k), dtype=bool)
    min_evidence = np.zeros(n_k, dtype=np.int64)
    for k, comp in enumerate(competencies):
        scheme = frameworks[comp.framework].levels
        band[:, k] = band_indices(scheme, attainment[:, k], count[:, k])
        attained[:, k] = band[:, k] >= scheme.attained_index
        min_evidence[k] = scheme.min_evidence

    # Cohort attainment per competency per assignment, from the per-item sums only.
    trend = np.full((n_k, n_a), np.nan)
    if pairs:
        num = np.zeros((n_k, n_a))
        den = np.zeros((n_k, n_a))
        for c, k, mx in pairs:
            a = item_assignment[c]
            num[k, a] += moments.sx[c]
            den[k, a] += moments.n[c] * mx
        with np.errstate(divide="ignore", invalid="ignore"):
            trend = np.where(den > 0, np.minimum(num / den, 1.0), np.nan)

    # At-risk rule.
    has_max = assignment_max > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = scores[:, has_max] / assignment_max[has_max]
    mean_pct = pct.mean(axis=1) if has_max.any() else np.full(n_l, np.nan)
    missing = (~submitted).sum(axis=1)
    low = ((attainment < rule.low_attainment) & (count >= min_evidence[None, :])).sum(axis=1)
    at_risk = []
    for i in range(n_l):
        reasons = []
        if n_a and missing[i] >= rule.max_missing:
            reasons.append(f"{missing[i]} missing submissions")
        if np.isfinite(mean_pct[i]) and mean_pct[i] < rule.min_mean_score:
            reasons.append(f"mean assignment score {mean_pct[i]:.0%}")
        if n_k and low[i] >= rule.min_low_competencies:
            reasons.append(f"attainment below {rule.low_attainment:.0%} on {low[i]} competencies")
        if reasons:
            at_risk.append(
                {
                    "learner": names[i],
                    "index": i,
                    "missing_submissions": int(missing[i]),
                    "mean_score_pct": mean_pct[i],
                    "low_competencies": int(low[i]),
                    "reasons": "; ".join(reasons),
                }
            )
    at_risk.sort(key=lambda r: r["learner"])

    course_ids = sorted({a.course_id for a in assignments if a.course_id})
    course_label = course_ids[0] if len(course_ids) == 1 else "course"
    return ReportData(
        generated=generated,
        gradebook=gradebook,
        course_label=course_label,
        map_path=cmap.path if cmap else None,
        pseudonymized=pseudonymized,
        learners=names,
        assignments=assignments,
        assignment_max=assignment_max,
        scores=scores,
        submitted=submitted,
        items=items,
        item_stats=stats,
        reliability=reliability,
        frameworks=frameworks,
        competencies=competencies,
        evidence_count=count,
        attainment=attainment,
        band=band,
        attained=attained,
        competency_cells=competency_cells,
        competency_trend=trend,
        rule=rule,
        at_risk=at_risk,
        mean_score_pct=mean_pct,
        missing=missing,
        low_competencies=low,
        warnings=warnings,
        xapi_home_page=DEFAULT_HOME_PAGE,
        unmapped_items=unmapped_items,
    )


def item_flag(difficulty: float, discrimination: float) -> str:
    """Return a review hint for an item: very easy/hard, or weak/negative discrimination.

    Thresholds follow common classical-test-theory rules of thumb (Ebel & Frisbie, *Essentials of
    Educational Measurement*, 1991: discrimination below 0.20 is poor): p > 0.95 "very easy",
    p < 0.20 "very hard", r < 0 "negative discrimination", r < 0.20 "low discrimination".
    """
    flags = []
    if np.isfinite(difficulty):
        if difficulty > 0.95:
            flags.append("very easy")
        elif difficulty < 0.20:
            flags.append("very hard")
    if np.isfinite(discrimination):
        if discrimination < 0:
            flags.append("negative discrimination")
        elif discrimination < 0.20:
            flags.append("low discrimination")
    return "; ".join(flags)


def _order(names: list[str]) -> list[int]:
    return sorted(range(len(names)), key=names.__getitem__)


def _write_tables(out: Path, data: ReportData) -> list[str]:
    order = _order(data.learners)
    a_names = [a.name for a in data.assignments]
    a_max = [_num(m) for m in data.assignment_max]
    buffering = 1 << 20
    # Plain Python lists and cached formatters: no numpy scalar is touched per cell.
    num = _memo(_num)
    with (out / "assignment_scores.csv").open(
        "w", newline="", encoding="utf-8", buffering=buffering
    ) as fh:
        w = csv.writer(fh)
        w.writerow(ASSIGNMENT_SCORE_COLUMNS)
        scores = data.scores.tolist()
        columns = list(zip(a_names, a_max, strict=True))
        for i in order:
            name = data.learners[i]
            w.writerows(
                [name, a_name, num(v), mx]
                for (a_name, mx), v in zip(columns, scores[i], strict=True)
            )

    fmt4 = _memo(_fmt)
    with (out / "competencies.csv").open(
        "w", newline="", encoding="utf-8", buffering=buffering
    ) as fh:
        w = csv.writer(fh)
        w.writerow(COMPETENCY_COLUMNS)
        labels = [
            [b.label for b in data.frameworks[c.framework].levels.bands] for c in data.competencies
        ]
        heads = [(c.framework, c.id, labels[k]) for k, c in enumerate(data.competencies)]
        counts = data.evidence_count.tolist()
        attainment = data.attainment.tolist()
        bands = data.band.tolist()
        for i in order:
            name = data.learners[i]
            w.writerows(
                [name, fw, cid, n, fmt4(att), lab[b]]
                for (fw, cid, lab), n, att, b in zip(
                    heads, counts[i], attainment[i], bands[i], strict=True
                )
            )

    st = data.item_stats
    with (out / "items.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(ITEM_COLUMNS)
        for it in data.items:
            c = it.index
            w.writerow(
                [
                    it.assignment,
                    it.grade_id,
                    _num(it.max_score),
                    int(st.n[c]),
                    _fmt(st.difficulty[c]),
                    _fmt(st.discrimination[c]),
                    it.notebook,
                    it.cell_type,
                    _fmt(st.mean[c]),
                    _fmt(st.sd[c]),
                    item_flag(st.difficulty[c], st.discrimination[c]),
                ]
            )

    with (out / "reliability.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(RELIABILITY_COLUMNS)
        for a, rel in zip(data.assignments, data.reliability, strict=True):
            w.writerow(
                [
                    a.name,
                    rel.k_items,
                    rel.n,
                    a_max[a.index],
                    _fmt(rel.mean_total),
                    _fmt(rel.sd_total),
                    _fmt(rel.alpha),
                ]
            )

    with (out / "cohort_summary.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(COHORT_COLUMNS)
        for row in cohort_rows(data):
            w.writerow(row)

    with (out / "at_risk.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(AT_RISK_COLUMNS)
        for r in data.at_risk:
            w.writerow(
                [
                    r["learner"],
                    r["missing_submissions"],
                    _fmt(r["mean_score_pct"] * 100, 1),
                    r["low_competencies"],
                    r["reasons"],
                ]
            )
    return [
        "assignment_scores.csv",
        "competencies.csv",
        "items.csv",
        "reliability.csv",
        "cohort_summary.csv",
        "at_risk.csv",
    ]


def cohort_rows(data: ReportData) -> list[list[Any]]:
    """Return the rows of ``cohort_summary.csv`` (shares of the maximum, 0-1).

    Assignments: score / max over all learners (missing = 0), n_with_evidence = submissions,
    target = 60% of the points (the at-risk threshold). Competencies: attainment over learners
    with evidence, target = the framework's attained level, level_counts over all learners.
    Course: the mean assignment score of each learner.
    """
    n_l = len(data.learners)
    rows: list[list[Any]] = []
    target = data.rule.min_mean_score
    for a in data.assignments:
        mx = data.assignment_max[a.index]
        vals = data.scores[:, a.index] / mx if mx > 0 else np.array([])
        share = float(np.mean(vals >= target - 1e-9)) if vals.size else float("nan")
        rows.append(
            [
                "assignment",
                a.name,
                a.name,
                "",
                n_l,
                int(data.submitted[:, a.index].sum()),
                *_quantiles(vals),
                _fmt(share),
                f"score >= {target:.0%}",
                "",
            ]
        )
    for k, comp in enumerate(data.competencies):
        fw = data.frameworks[comp.framework]
        vals = data.attainment[:, k]
        vals = vals[np.isfinite(vals)]
        bands = fw.levels.bands
        counts = np.bincount(data.band[:, k], minlength=len(bands))
        rows.append(
            [
                "competency",
                comp.id,
                comp.title,
                comp.framework,
                n_l,
                int((data.evidence_count[:, k] > 0).sum()),
                *_quantiles(vals),
                _fmt(float(np.mean(data.attained[:, k])) if n_l else float("nan")),
                f"{bands[fw.levels.attained_index].label} or above",
                "; ".join(f"{b.label}: {int(n)}" for b, n in zip(bands, counts, strict=True)),
            ]
        )
    vals = data.mean_score_pct[np.isfinite(data.mean_score_pct)]
    rows.append(
        [
            "course",
            data.course_label,
            "mean assignment score per learner",
            "",
            n_l,
            int(data.submitted.any(axis=1).sum()),
            *_quantiles(vals),
            _fmt(float(np.mean(vals >= target - 1e-9)) if vals.size else float("nan")),
            f"mean score >= {target:.0%}",
            f"at risk: {len(data.at_risk)}",
        ]
    )
    return rows


def _write_lms(out: Path, data: ReportData, learner_ids: list[str], lms: dict[str, str]) -> str:
    order = _order(data.learners)
    write_lms_gradebook(
        out / "lms_gradebook.csv",
        [data.learners[i] for i in order],
        [("" if data.pseudonymized else lms.get(learner_ids[i], "")) for i in order],
        [a.name for a in data.assignments],
        data.scores[order],
        data.assignment_max,
    )
    return "lms_gradebook.csv"


def _write_badges(path: Path, data: ReportData, issuer: Issuer, generated: str) -> int:
    """Write every credential as one line of ``badges.jsonl``; return how many.

    One file rather than one per credential: creating tens of thousands of small files costs
    milliseconds each on network and overlay file systems. Each line is a complete OB 3.0
    credential. :class:`~bpscare.competency.exports.BadgeLineWriter` serialises each competency
    and level once and fills in the four learner-specific values per line.
    """
    n = 0
    learners = data.learners
    with path.open("w", encoding="utf-8", buffering=1 << 20) as fh:
        for k, comp in enumerate(data.competencies):
            writer = BadgeLineWriter(
                framework=data.frameworks[comp.framework],
                competency=comp,
                issuer=issuer,
                course_label=data.course_label,
                valid_from=generated,
            )
            rows = np.flatnonzero(data.attained[:, k])
            bands = data.band[rows, k].tolist()
            attainment = data.attainment[rows, k].tolist()
            counts = data.evidence_count[rows, k].tolist()
            fh.writelines(
                writer.line(learners[i], b, a, c) + "\n"
                for i, b, a, c in zip(rows.tolist(), bands, attainment, counts, strict=True)
            )
            n += len(rows)
    return n


def _write_xapi(
    path: Path,
    source: GradebookSource,
    data: ReportData,
    subs: Any,
    totals: np.ndarray,
    cmap: CompetencyMap | None,
    *,
    home_page: str,
    activity_base: str,
    generated: str,
    detail: str = "assignments",
) -> int:
    comp_titles = {c.id: c for fw in data.frameworks.values() for c in fw.competencies}
    cells = [
        XapiCell(
            assignment=it.assignment,
            notebook=it.notebook,
            grade_id=it.grade_id,
            max_score=it.max_score,
            competencies=tuple(
                (cid, comp_titles[cid].framework, comp_titles[cid].title)
                for cid in (cmap.grade_cells.get(it.grade_id, ()) if cmap else ())
            ),
        )
        for it in data.items
    ]
    writer = XapiStatementWriter(
        home_page=home_page,
        activity_base=activity_base,
        course_id=data.course_label,
        cells=cells,
    )
    a_names = [a.name for a in data.assignments]
    sub_assignment = [a_names[a] for a in subs.assignment.tolist()]
    sub_learner = [data.learners[i] for i in subs.learner.tolist()]
    sub_total = np.asarray(totals, dtype=float).tolist()
    sub_max = data.assignment_max[subs.assignment].tolist() if len(subs.ids) else []
    heads: list[str] = []
    tails: list[str] = []
    for learner, a_name, stamp, total in zip(
        sub_learner, sub_assignment, subs.timestamp, sub_total, strict=True
    ):
        head, tail = writer.submission_parts(learner, a_name, stamp or generated, total)
        heads.append(head)
        tails.append(tail)
    with path.open("w", encoding="utf-8", buffering=1 << 20) as fh:
        if detail == "cells":
            return writer.write(fh, source.iter_evidence(), heads, tails)
        rows = zip(sub_assignment, heads, tails, sub_total, sub_max, strict=True)
        return writer.write_assignments(fh, rows)
