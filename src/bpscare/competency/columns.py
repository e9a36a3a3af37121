"""The report's tables, each column declared once.

A :class:`Column` carries its CSV name, where its values come from, its formatter, whether it
is numeric, its heading on the page and a description. A :class:`Table` is a file name, a
function building the rows' view from the :class:`~.report_data.ReportData` and a tuple of
columns. The CSV writer (:mod:`.tables`) writes every table in :data:`TABLES`; the page
(:mod:`.html`) draws the items and at-risk tables from the same declarations (columns with
``on_page=False`` are CSV only). :func:`reference` renders the declarations as documentation.

Values are read a column at a time (each ``values`` function returns a list for all rows), so
writing a large table touches no numpy scalar per cell and calls a formatter only on the
columns that need one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from typing import Any

import numpy as np

from bpscare.competency import formats
from bpscare.competency.cohort import cohort_records
from bpscare.competency.evidence import GradeItem
from bpscare.competency.items import ItemStatistics
from bpscare.competency.report_data import (
    ReportData,
    item_flag,
    learner_order,
    score_status,
    shown_scores,
)


@dataclass(eq=False)
class Column:
    """One column of a report table, read by the CSV writer and by the page.

    Attributes
    ----------
    name
        The CSV header.
    values
        Returns the column's raw values, one per row, from the table's rows view.
    format
        Text of a value in the CSV file; None writes the value as it is.
    numeric
        A number: right-aligned on the page.
    description
        What the column holds (for the documentation, see :func:`reference`).
    header
        Heading on the page; None: ``name`` with spaces for underscores.
    page_format
        Text of a value on the page; None: as ``format``.
    on_page
        Shown when the table is drawn on the page.

    Notes
    -----
    The declarations below are module constants; the class is not frozen only so a test can
    monkeypatch one attribute and see both the CSV file and the page follow.
    """

    name: str
    values: Callable[[Any], Sequence[Any]]
    format: Callable[[Any], str] | None = None
    numeric: bool = False
    description: str = ""
    header: str | None = None
    page_format: Callable[[Any], str] | None = None
    on_page: bool = True

    @property
    def page_header(self) -> str:
        """The column's heading on the page."""
        return self.header if self.header is not None else self.name.replace("_", " ")


@dataclass(frozen=True)
class Table:
    """A table of the report: its CSV file, how to build its rows, and its columns."""

    file: str
    rows: Callable[[ReportData], Any]
    columns: tuple[Column, ...]
    description: str

    def names(self) -> list[str]:
        """The CSV header."""
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        """Return the column called ``name``."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


# -- rows views --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LearnerGrid:
    """Rows of a learner x (assignment or competency) table: learner-major, learners by id."""

    data: ReportData
    order: list[int]
    width: int

    @classmethod
    def of(cls, data: ReportData, width: int) -> LearnerGrid:
        """The grid of ``data``'s learners by ``width`` columns."""
        return cls(data, learner_order(data.learners), width)

    def learners(self) -> list[str]:
        """Each learner's name, once per row of theirs."""
        names = self.data.learners
        return list(chain.from_iterable(repeat(names[i], self.width) for i in self.order))

    def tiled(self, per_learner: list[Any]) -> list[Any]:
        """The same ``width`` values for every learner."""
        return per_learner * len(self.order)

    def cells(self, matrix: np.ndarray) -> list[Any]:
        """A learners x width matrix, row by row in learner order."""
        return matrix[np.array(self.order, dtype=np.intp)].ravel().tolist()

    def levels(self) -> list[str]:
        """The course band of each learner x competency, or "Insufficient evidence"."""
        data = self.data
        schemes = [data.frameworks[c.framework].levels for c in data.competencies]
        rows = np.array(self.order, dtype=np.intp)
        pairs = zip(data.band[rows].ravel(), data.evidence_count[rows].ravel(), strict=True)
        n_k = len(schemes)
        return [schemes[i % n_k].label(int(b), int(n)) for i, (b, n) in enumerate(pairs)]

    def statuses(self) -> list[str]:
        """Each learner x assignment's state (:func:`~.report_data.score_status`)."""
        d, rows = self.data, np.array(self.order, dtype=np.intp)
        due = d.due.tolist() * len(rows)
        sub, pend = d.submitted[rows].ravel().tolist(), d.pending[rows].ravel().tolist()
        return [score_status(*t) for t in zip(sub, due, pend, strict=True)]


@dataclass(frozen=True)
class ItemRows:
    """Rows of the items table: graded cells with their statistics."""

    items: Sequence[GradeItem]
    stats: ItemStatistics
    item_pending: np.ndarray
    competencies: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, data: ReportData) -> ItemRows:
        """Every graded cell of ``data``."""
        return cls(data.items, data.item_stats, data.item_pending, data.cell_competencies)

    def field(self, name: str) -> list[Any]:
        """An attribute of every item."""
        return [getattr(it, name) for it in self.items]

    def stat(self, name: str) -> list[Any]:
        """One of the item statistics, for every item."""
        index = np.array([it.index for it in self.items], dtype=np.intp)
        return getattr(self.stats, name)[index].tolist()

    def pending(self) -> list[int]:
        """Grades of each cell awaiting a manual score."""
        return [int(self.item_pending[it.index]) for it in self.items]

    def flags(self) -> list[str]:
        """Each item's review hint (:func:`~.report_data.item_flag`), and awaiting grading."""
        pairs = zip(
            self.stat("difficulty"), self.stat("discrimination"), self.pending(), strict=True
        )
        return [
            "; ".join(f for f in (item_flag(p, r), f"{w} awaiting grading" if w else "") if f)
            for p, r, w in pairs
        ]


def _key(key: str) -> Callable[[Sequence[dict[str, Any]]], list[Any]]:
    """Values of rows that are dicts: ``row[key]`` of each."""
    return lambda rows: [row[key] for row in rows]


def _assignment_values(read: Callable[[Any], Any]) -> Callable[[ReportData], list[Any]]:
    """Values of per-assignment rows (assignment and its reliability)."""
    return lambda d: [read(pair) for pair in zip(d.assignments, d.reliability, strict=True)]


# -- the declarations ----------------------------------------------------------------------------

_LEARNER = "Learner id, or pseudonym with pseudonymize=True."

ASSIGNMENT_SCORE_COLUMNS = (
    Column("learner", LearnerGrid.learners, description=_LEARNER),
    Column(
        "assignment",
        lambda g: g.tiled([a.name for a in g.data.assignments]),
        description="Assignment name; assignments in due-date order.",
    ),
    Column(
        "score",
        lambda g: g.cells(shown_scores(g.data)),
        format=formats.num,
        numeric=True,
        description=(
            "max(0, raw points - late penalty), as ``nbgrader export`` computes it, to two "
            "decimals; 0 when missing past the due date; empty while cells await grading and "
            "for work not yet due (nbgrader would write 0 for both)."
        ),
    ),
    Column(
        "status",
        LearnerGrid.statuses,
        description="graded, pending: N cell(s) awaiting grading, missing, or not yet due.",
    ),
    Column(
        "max_score",
        lambda g: g.tiled(g.data.assignment_max.tolist()),
        format=formats.num,
        numeric=True,
        description="The sum of the assignment's grade cells and task cells.",
    ),
)
COMPETENCY_COLUMNS = (
    Column("learner", LearnerGrid.learners, description=_LEARNER),
    Column(
        "framework",
        lambda g: g.tiled([c.framework for c in g.data.competencies]),
        description="Framework id (ACGME, EPA, IPEC).",
    ),
    Column(
        "competency",
        lambda g: g.tiled([c.id for c in g.data.competencies]),
        description="Competency id within the framework.",
    ),
    Column(
        "evidence_count",
        lambda g: g.cells(g.data.evidence_count),
        numeric=True,
        description="Graded cells mapped to the competency in the learner's submissions.",
    ),
    Column(
        "attainment",
        lambda g: g.cells(g.data.attainment),
        format=formats.fixed,
        numeric=True,
        description=(
            "Points earned / points possible over those cells (0-1, capped at 1; empty with no "
            "evidence). Missing submissions are not evidence (they show in at_risk.csv)."
        ),
    ),
    Column(
        "level",
        LearnerGrid.levels,
        description=(
            "The course band for the attainment, or 'Insufficient evidence' below the "
            "framework's minimum graded cells. Course bands are evidence for a clinical "
            "competency committee, not milestone ratings or entrustment decisions."
        ),
    ),
    Column(
        "pending_count",
        lambda g: g.cells(g.data.competency_pending),
        numeric=True,
        description="Mapped cells awaiting a manual grade (not evidence yet).",
    ),
)
ITEM_COLUMNS = (
    Column("assignment", lambda v: v.field("assignment"), description="Assignment name."),
    Column("grade_id", lambda v: v.field("grade_id"), description="nbgrader grade id."),
    Column(
        "max_score",
        lambda v: v.field("max_score"),
        format=formats.num,
        numeric=True,
        header="max",
        page_format=formats.points,
        description="Points of the cell.",
    ),
    Column(
        "n",
        lambda v: v.stat("n"),
        numeric=True,
        description="Graded submissions of the cell (cells awaiting grading are not counted).",
    ),
    Column(
        "pending",
        ItemRows.pending,
        numeric=True,
        description="Submissions whose cell awaits a manual grade.",
    ),
    Column(
        "difficulty",
        lambda v: v.stat("difficulty"),
        format=formats.fixed,
        numeric=True,
        page_format=formats.fixed2,
        description="Mean score / max points (0-1; high = easy).",
    ),
    Column(
        "discrimination",
        lambda v: v.stat("discrimination"),
        format=formats.fixed,
        numeric=True,
        page_format=formats.fixed2,
        description="Corrected item-total correlation (item vs. the rest of the assignment).",
    ),
    Column(
        "notebook",
        lambda v: v.field("notebook"),
        on_page=False,
        description="Notebook of the cell.",
    ),
    Column(
        "competencies",
        lambda v: [" ".join(v.competencies.get(it.grade_id, ())) for it in v.items],
        on_page=False,
        description="Competency ids the map assigns the cell to (space-separated).",
    ),
    Column(
        "cell_type",
        lambda v: v.field("cell_type"),
        on_page=False,
        description="nbgrader cell type (code, markdown).",
    ),
    Column(
        "mean",
        lambda v: v.stat("mean"),
        format=formats.fixed,
        numeric=True,
        on_page=False,
        description="Mean points.",
    ),
    Column(
        "sd",
        lambda v: v.stat("sd"),
        format=formats.fixed,
        numeric=True,
        on_page=False,
        description="Standard deviation of the points (n - 1).",
    ),
    Column(
        "flag",
        ItemRows.flags,
        description="Review hint: very easy or hard, low or negative discrimination.",
    ),
)
RELIABILITY_COLUMNS = (
    Column("assignment", _assignment_values(lambda p: p[0].name), description="Assignment name."),
    Column(
        "k_items",
        _assignment_values(lambda p: p[1].k_items),
        numeric=True,
        description="Graded cells of the assignment.",
    ),
    Column(
        "n",
        _assignment_values(lambda p: p[1].n),
        numeric=True,
        description="Submissions.",
    ),
    Column(
        "max_score",
        lambda d: [d.assignment_max[a.index] for a in d.assignments],
        format=formats.num,
        numeric=True,
        description="Maximum points of the assignment.",
    ),
    Column(
        "mean_total",
        _assignment_values(lambda p: p[1].mean_total),
        format=formats.fixed,
        numeric=True,
        description="Mean raw total of the submissions.",
    ),
    Column(
        "sd_total",
        _assignment_values(lambda p: p[1].sd_total),
        format=formats.fixed,
        numeric=True,
        description="Standard deviation of the raw totals.",
    ),
    Column(
        "alpha",
        _assignment_values(lambda p: p[1].alpha),
        format=formats.fixed,
        numeric=True,
        description="Cronbach's alpha (empty with fewer than two submissions).",
    ),
)


def _statistic(name: str, what: str) -> Column:
    return Column(name, _key(name), format=formats.fixed, numeric=True, description=what)


COHORT_COLUMNS = (
    Column("scope", _key("scope"), description="assignment, competency or course."),
    Column("id", _key("id"), description="Assignment name, competency id or course id."),
    Column("title", _key("title"), description="Title of the competency (else as id)."),
    Column("framework", _key("framework"), description="Framework id of a competency."),
    Column("n_learners", _key("n_learners"), numeric=True, description="Learners."),
    Column(
        "n_with_evidence",
        _key("n_with_evidence"),
        numeric=True,
        description="Learners who submitted (assignment, course) or have evidence (competency).",
    ),
    _statistic(
        "mean",
        "Mean share: score / max (assignments, missing = 0), attainment of the learners with "
        "evidence (competencies), each learner's mean assignment score (course).",
    ),
    _statistic("sd", "Standard deviation (n - 1)."),
    _statistic("min", "Minimum."),
    _statistic("p25", "First quartile."),
    _statistic("median", "Median."),
    _statistic("p75", "Third quartile."),
    _statistic("max", "Maximum."),
    Column(
        "share_meeting_target",
        _key("share"),
        format=formats.fixed,
        numeric=True,
        description="Share of learners meeting the target.",
    ),
    Column("target", _key("target"), description="The target, in words."),
    Column(
        "level_counts",
        _key("level_counts"),
        description="Learners per level (competency); learners at risk (course).",
    ),
)
AT_RISK_COLUMNS = (
    Column("learner", _key("learner"), description=_LEARNER),
    Column(
        "missing_submissions",
        _key("missing_submissions"),
        numeric=True,
        description="Assignments not submitted by their due date (not yet due is not missing).",
    ),
    Column(
        "mean_score_pct",
        _key("mean_score_pct"),
        format=formats.pct_number,
        numeric=True,
        header="mean score",
        page_format=formats.pct,
        description=(
            "Mean of the due, fully graded assignment scores as % of their maximum (missing = 0)."
        ),
    ),
    Column(
        "pending_assignments",
        _key("pending_assignments"),
        numeric=True,
        description=(
            "Due, submitted assignments left out of the mean score because cells await a "
            "manual grade."
        ),
    ),
    Column(
        "low_competencies",
        _key("low_competencies"),
        numeric=True,
        description="Competencies below the rule's attainment, with enough evidence.",
    ),
    Column("reasons", _key("reasons"), description="Which conditions of the rule hold."),
)

ASSIGNMENT_SCORES = Table(
    "assignment_scores.csv",
    lambda d: LearnerGrid.of(d, len(d.assignments)),
    ASSIGNMENT_SCORE_COLUMNS,
    "One row per learner x assignment.",
)
COMPETENCIES = Table(
    "competencies.csv",
    lambda d: LearnerGrid.of(d, len(d.competencies)),
    COMPETENCY_COLUMNS,
    "One row per learner x competency the map assesses (header only without a map).",
)
ITEMS = Table(
    "items.csv",
    ItemRows.of,
    ITEM_COLUMNS,
    "One row per graded cell: item analysis over the learners who submitted.",
)
RELIABILITY = Table(
    "reliability.csv",
    lambda d: d,
    RELIABILITY_COLUMNS,
    "One row per assignment: Cronbach's alpha.",
)
COHORT_SUMMARY = Table(
    "cohort_summary.csv",
    cohort_records,
    COHORT_COLUMNS,
    "Distribution per assignment and per competency, and course totals (shares, 0-1).",
)
AT_RISK = Table(
    "at_risk.csv",
    lambda d: d.at_risk,
    AT_RISK_COLUMNS,
    "Learners flagged by the at-risk rule (:class:`~.report_data.AtRiskRule`), with reasons.",
)
#: Every CSV table of the report, in writing order.
TABLES = (ASSIGNMENT_SCORES, COMPETENCIES, ITEMS, RELIABILITY, COHORT_SUMMARY, AT_RISK)


def reference() -> str:
    """Describe every table and column as a reStructuredText definition list."""
    lines: list[str] = []
    for table in TABLES:
        lines += [f"``{table.file}``", f"    {table.description}", ""]
        for column in table.columns:
            lines += [f"    ``{column.name}``", f"        {column.description}"]
        lines.append("")
    return "\n".join(lines)
