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
from bpscare.competency.evidence import GradeItem
from bpscare.competency.items import ItemStatistics
from bpscare.competency.report_data import ReportData, item_flag, learner_order


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
        """The level label of each learner x competency."""
        data = self.data
        labels = [
            [b.label for b in data.frameworks[c.framework].levels.bands] for c in data.competencies
        ]
        bands = data.band[np.array(self.order, dtype=np.intp)].tolist()
        return [lab[b] for row in bands for lab, b in zip(labels, row, strict=True)]


@dataclass(frozen=True)
class ItemRows:
    """Rows of the items table: graded cells with their statistics."""

    items: Sequence[GradeItem]
    stats: ItemStatistics

    @classmethod
    def of(cls, data: ReportData) -> ItemRows:
        """Every graded cell of ``data``."""
        return cls(data.items, data.item_stats)

    def field(self, name: str) -> list[Any]:
        """An attribute of every item."""
        return [getattr(it, name) for it in self.items]

    def stat(self, name: str) -> list[Any]:
        """One of the item statistics, for every item."""
        index = np.array([it.index for it in self.items], dtype=np.intp)
        return getattr(self.stats, name)[index].tolist()

    def flags(self) -> list[str]:
        """Each item's review hint (:func:`~.report_data.item_flag`)."""
        pairs = zip(self.stat("difficulty"), self.stat("discrimination"), strict=True)
        return [item_flag(p, r) for p, r in pairs]


def _key(key: str) -> Callable[[Sequence[dict[str, Any]]], list[Any]]:
    """Values of rows that are dicts: ``row[key]`` of each."""
    return lambda rows: [row[key] for row in rows]


def _assignment_values(read: Callable[[Any], Any]) -> Callable[[ReportData], list[Any]]:
    """Values of per-assignment rows (assignment and its reliability)."""
    return lambda d: [read(pair) for pair in zip(d.assignments, d.reliability, strict=True)]


def _distribution(values: np.ndarray) -> dict[str, float]:
    """Mean, sd, min, quartiles and max of ``values`` (NaN where undefined)."""
    if values.size == 0:
        return dict.fromkeys(("mean", "sd", "min", "p25", "median", "p75", "max"), float("nan"))
    q = np.quantile(values, [0.25, 0.5, 0.75])
    return {
        "mean": float(np.mean(values)),
        "sd": float(np.std(values, ddof=1)) if values.size > 1 else float("nan"),
        "min": float(np.min(values)),
        "p25": float(q[0]),
        "median": float(q[1]),
        "p75": float(q[2]),
        "max": float(np.max(values)),
    }


def cohort_records(data: ReportData) -> list[dict[str, Any]]:
    """Return the rows of ``cohort_summary.csv`` as dicts (shares of the maximum, 0-1).

    Assignments: score / max over all learners (missing = 0), n_with_evidence = submissions,
    target = 60% of the points (the at-risk threshold). Competencies: attainment over learners
    with evidence, target = the framework's attained level, level_counts over all learners.
    Course: the mean assignment score of each learner.
    """
    n_l = len(data.learners)
    target = data.rule.min_mean_score
    rows: list[dict[str, Any]] = []
    for a in data.assignments:
        mx = data.assignment_max[a.index]
        vals = data.scores[:, a.index] / mx if mx > 0 else np.array([])
        rows.append(
            {
                "scope": "assignment",
                "id": a.name,
                "title": a.name,
                "framework": "",
                "n_learners": n_l,
                "n_with_evidence": int(data.submitted[:, a.index].sum()),
                **_distribution(vals),
                "share": float(np.mean(vals >= target - 1e-9)) if vals.size else float("nan"),
                "target": f"score >= {target:.0%}",
                "level_counts": "",
            }
        )
    for k, comp in enumerate(data.competencies):
        fw = data.frameworks[comp.framework]
        vals = data.attainment[:, k]
        bands = fw.levels.bands
        counts = np.bincount(data.band[:, k], minlength=len(bands))
        rows.append(
            {
                "scope": "competency",
                "id": comp.id,
                "title": comp.title,
                "framework": comp.framework,
                "n_learners": n_l,
                "n_with_evidence": int((data.evidence_count[:, k] > 0).sum()),
                **_distribution(vals[np.isfinite(vals)]),
                "share": float(np.mean(data.attained[:, k])) if n_l else float("nan"),
                "target": f"{bands[fw.levels.attained_index].label} or above",
                "level_counts": "; ".join(
                    f"{b.label}: {int(n)}" for b, n in zip(bands, counts, strict=True)
                ),
            }
        )
    vals = data.mean_score_pct[np.isfinite(data.mean_score_pct)]
    rows.append(
        {
            "scope": "course",
            "id": data.course_label,
            "title": "mean assignment score per learner",
            "framework": "",
            "n_learners": n_l,
            "n_with_evidence": int(data.submitted.any(axis=1).sum()),
            **_distribution(vals),
            "share": float(np.mean(vals >= target - 1e-9)) if vals.size else float("nan"),
            "target": f"mean score >= {target:.0%}",
            "level_counts": f"at risk: {len(data.at_risk)}",
        }
    )
    return rows


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
        lambda g: g.cells(g.data.scores),
        format=formats.num,
        numeric=True,
        description=(
            "max(0, raw points - late penalty), exactly as ``nbgrader export`` computes it; a "
            "learner with no submission gets 0."
        ),
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
        description="The framework's level band for the attainment and evidence count.",
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
        description="Learners who submitted the cell's assignment (grades of the cell).",
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
        description="Assignments not submitted.",
    ),
    Column(
        "mean_score_pct",
        _key("mean_score_pct"),
        format=formats.pct_number,
        numeric=True,
        header="mean score",
        page_format=formats.pct,
        description="Mean of the assignment scores as % of their maximum (missing = 0).",
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
