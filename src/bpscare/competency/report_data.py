"""The report's data: what the gradebook gave, and the aggregates every output is drawn from.

Rendering depends on this module, never the reverse: the CSV tables (:mod:`.tables`), the page
(:mod:`.html`, :mod:`.render_worker`) and the exports (:mod:`.exports`) read a
:class:`ReportData`; :mod:`.aggregates` computes it from a :class:`GradebookSums` and a
:class:`CompetencyEvidence`; :mod:`.report` runs the steps in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bpscare.competency.evidence import AssignmentInfo, GradeItem, ItemMoments, Submissions
from bpscare.competency.frameworks import Competency, Framework
from bpscare.competency.items import ItemStatistics, Reliability


def threshold(share: float) -> str:
    """A rule's share as the percentage a program set (``0.575`` -> ``"57.5%"``, not 58%)."""
    return f"{round(share * 100, 2):g}%"


@dataclass(frozen=True)
class AtRiskRule:
    """When a learner is listed in ``at_risk.csv`` (any one condition is enough).

    Only due, graded evidence counts: an assignment not yet due is neither missing nor scored,
    and an assignment with cells awaiting a manual grade is left out of the learner's mean until
    it is graded; competency attainment counts graded cells of due assignments only.

    Attributes
    ----------
    max_missing
        At risk with this many missing submissions (past their due date) or more (default 2).
    min_mean_score
        At risk when the mean of the learner's percentages on due, fully graded assignments
        (missing = 0) is below this share (default 0.60).
    low_attainment
        A competency counts as low below this attainment (default 0.60) ...
    min_low_competencies
        ... and the learner is at risk with this many low competencies or more (default 2);
        only competencies with at least the framework's minimum graded evidence count.
    """

    max_missing: int = 2
    min_mean_score: float = 0.60
    low_attainment: float = 0.60
    min_low_competencies: int = 2

    def __post_init__(self) -> None:
        from numbers import Integral, Real

        from bpscare.errors import BpscareError

        for name in ("max_missing", "min_low_competencies"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
                msg = f"at-risk rule: {name} must be a whole number of at least 1, got {value!r}"
                raise BpscareError(msg)
        for name in ("min_mean_score", "low_attainment"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Real) or not 0 <= float(value) <= 1:
                msg = f"at-risk rule: {name} must be a share between 0 and 1, got {value!r}"
                raise BpscareError(msg)

    def describe(self) -> str:
        """The rule in one sentence, for the HTML report."""
        return (
            "Computed on due, graded evidence only: work not yet due is not missing, and cells "
            "awaiting a manual grade are pending, not zero. A learner is listed as at risk when "
            f"any of these holds: {self.max_missing} or more missing submissions past their due "
            f"date; a mean assignment score below {threshold(self.min_mean_score)} (each due, "
            "fully graded assignment's points as a share of its maximum, missing submissions "
            f"counted as 0); or attainment below {threshold(self.low_attainment)} on "
            f"{self.min_low_competencies} or more competencies with at least the framework's "
            "minimum graded evidence from due assignments."
        )


@dataclass(frozen=True)
class GradebookSums:
    """What the report reads from the gradebook (:class:`~.evidence.GradebookSource`).

    Attributes
    ----------
    learner_ids
        Learner ids, in gradebook order (the row order of every learner matrix).
    lms_user_ids
        learner id -> the LMS user id nbgrader recorded (empty when pseudonymising).
    assignments, items
        The assignments (due-date order) and their graded cells.
    submissions, totals
        Every submission and its raw total (points before the late penalty).
    moments
        Per-cell sums, squares and cross-products, for the item statistics.
    n_grades
        Number of grades read.
    """

    learner_ids: list[str]
    lms_user_ids: dict[str, str]
    assignments: list[AssignmentInfo]
    items: list[GradeItem]
    submissions: Submissions
    totals: np.ndarray
    moments: ItemMoments
    n_grades: int
    pending: np.ndarray  # per submission: grades awaiting a manual score
    item_pending: np.ndarray  # per cell: grades awaiting a manual score


@dataclass(frozen=True)
class CellMap:
    """The competency map applied to the gradebook's cells.

    Attributes
    ----------
    competencies
        The competencies the map assesses, in report order (index ``k``).
    cells
        competency id -> number of graded cells mapped to it.
    pairs
        (cell number, competency number, cell max points) for every mapped cell with points.
    unmapped_items
        Graded cells mapped to no competency.
    """

    competencies: list[Competency]
    cells: dict[str, int]
    pairs: list[tuple[int, int, float]]
    unmapped_items: int


@dataclass(frozen=True)
class CompetencyEvidence:
    """Per learner x competency sums over the mapped, graded cells (``learners x competencies``).

    ``pending`` counts mapped cells awaiting a manual grade; the ``due_*`` sums are over cells of
    assignments already due (what the at-risk rule reads).
    """

    map: CellMap
    count: np.ndarray
    earned: np.ndarray
    possible: np.ndarray
    pending: np.ndarray
    due_count: np.ndarray
    due_earned: np.ndarray
    due_possible: np.ndarray


@dataclass
class ReportData:
    """Everything the HTML page, the CSV tables and the exports need, already aggregated."""

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
    pending: np.ndarray  # learners x assignments, grades awaiting a manual score
    due: np.ndarray  # per assignment, bool: due by the report time (undated = due)
    items: list[GradeItem]
    item_stats: ItemStatistics
    reliability: list[Reliability]
    frameworks: dict[str, Framework]
    competencies: list[Competency]
    evidence_count: np.ndarray  # learners x competencies (graded cells)
    competency_pending: np.ndarray  # learners x competencies (cells awaiting grading)
    item_pending: np.ndarray  # per cell: grades awaiting a manual score
    attainment: np.ndarray  # learners x competencies (NaN = no evidence)
    band: np.ndarray  # learners x competencies, band index
    attained: np.ndarray  # learners x competencies, bool
    competency_cells: dict[str, int]
    cell_competencies: dict[str, tuple[str, ...]]  # grade id -> competency ids (the map)
    competency_trend: np.ndarray  # competencies x assignments, cohort attainment (NaN = none)
    rule: AtRiskRule
    at_risk: list[dict[str, Any]]
    mean_score_pct: np.ndarray
    missing: np.ndarray
    low_competencies: np.ndarray
    warnings: list[str]
    xapi_home_page: str
    unmapped_items: int


def score_status(submitted: bool, due: bool, pending: int) -> str:
    """A learner's state on one assignment, as written in every table and on the page."""
    if submitted:
        return f"pending: {pending} cell(s) awaiting grading" if pending else "graded"
    return "missing" if due else "not yet due"


def shown_scores(data: ReportData) -> np.ndarray:
    """Scores as exported: NaN (empty) while pending and for unsubmitted work not yet due."""
    out = data.scores.copy()
    out[(data.pending > 0) | (~data.submitted & ~data.due[None, :])] = np.nan
    return out


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


def learner_order(names: list[str]) -> list[int]:
    """Return the learner row numbers sorted by learner id (or pseudonym): the files' order."""
    return sorted(range(len(names)), key=names.__getitem__)
