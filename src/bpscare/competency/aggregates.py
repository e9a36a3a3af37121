"""From the gradebook's sums to the report's aggregates (:class:`~.report_data.ReportData`).

Every statistic is a numpy operation over whole arrays: the score matrix (learners x
assignments), attainment, levels and "attained" per learner x competency, the cohort trend per
competency x assignment, the item statistics and reliability, and the at-risk list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bpscare.competency.evidence import AssignmentInfo, GradeItem
from bpscare.competency.frameworks import Competency, Framework
from bpscare.competency.items import assignment_reliability, item_statistics
from bpscare.competency.levels import band_indices
from bpscare.competency.mapping import CompetencyMap
from bpscare.competency.report_data import (
    AtRiskRule,
    CellMap,
    CompetencyEvidence,
    GradebookSums,
    ReportData,
    threshold,
)


@dataclass(frozen=True)
class ReportContext:
    """The run's facts that are not aggregates: when, from where, for whom, by which rule.

    Attributes
    ----------
    generated
        Report time, ``YYYY-MM-DDTHH:MM:SSZ``.
    gradebook
        The gradebook URL as shown (password redacted).
    cmap
        The competency map, or None.
    frameworks
        Every known framework by id.
    learners
        Learner ids or pseudonyms, in gradebook order.
    pseudonymized
        Whether ``learners`` are pseudonyms.
    rule
        The at-risk rule.
    warnings
        Warnings so far (the list is shared with the report data and may grow).
    xapi_home_page
        The xAPI account home page.
    """

    generated: str
    gradebook: str
    cmap: CompetencyMap | None
    frameworks: dict[str, Framework]
    learners: list[str]
    pseudonymized: bool
    rule: AtRiskRule
    warnings: list[str]
    xapi_home_page: str


def map_cells(
    cmap: CompetencyMap | None,
    frameworks: dict[str, Framework],
    items: list[GradeItem],
    warnings: list[str],
) -> CellMap:
    """Apply the competency map to the graded cells; warn about map cells not in the gradebook."""
    competencies: list[Competency] = []
    pairs: list[tuple[int, int, float]] = []
    cells: dict[str, int] = {}
    if cmap is None:
        return CellMap(competencies, cells, pairs, unmapped_items=len(items))
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
            cells[cid] = cells.get(cid, 0) + 1
            if it.max_score > 0:
                pairs.append((it.index, k_index[cid], it.max_score))
    return CellMap(competencies, cells, pairs, unmapped_items=len(items) - mapped)


def assemble(
    context: ReportContext, sums: GradebookSums, evidence: CompetencyEvidence
) -> ReportData:
    """Compute every aggregate of the report from the gradebook's sums and the evidence."""
    items, n_a = sums.items, len(sums.assignments)
    item_assignment = np.array([it.assignment_index for it in items], dtype=np.int64)
    item_max = np.array([it.max_score for it in items], dtype=float)
    assignment_max = np.bincount(item_assignment, weights=item_max, minlength=n_a).astype(float)
    if not items:
        assignment_max = np.zeros(n_a)
    scores, submitted, pending = _score_matrix(sums, len(context.learners))
    subs = sums.submissions
    due = due_mask(sums.assignments, context.generated)
    levels = _levels(context.frameworks, evidence)
    at_risk = _AtRisk.of(
        context, _Grid(scores, submitted, pending, due), assignment_max, evidence, levels
    )
    course_ids = sorted({a.course_id for a in sums.assignments if a.course_id})
    return ReportData(
        generated=context.generated,
        gradebook=context.gradebook,
        course_label=course_ids[0] if len(course_ids) == 1 else "course",
        map_path=context.cmap.path if context.cmap else None,
        pseudonymized=context.pseudonymized,
        learners=context.learners,
        assignments=sums.assignments,
        assignment_max=assignment_max,
        scores=scores,
        submitted=submitted,
        pending=pending,
        due=due,
        items=items,
        item_stats=item_statistics(sums.moments, item_max),
        reliability=assignment_reliability(
            sums.moments, item_assignment, sums.totals, subs.assignment, n_a
        ),
        frameworks=context.frameworks,
        competencies=evidence.map.competencies,
        evidence_count=evidence.count,
        competency_pending=evidence.pending,
        item_pending=sums.item_pending,
        attainment=levels.attainment,
        band=levels.band,
        attained=levels.attained,
        competency_cells=evidence.map.cells,
        cell_competencies=(
            {g: tuple(ids) for g, ids in context.cmap.grade_cells.items()} if context.cmap else {}
        ),
        competency_trend=_trend(evidence.map, sums, item_assignment),
        rule=context.rule,
        at_risk=at_risk.rows,
        mean_score_pct=at_risk.mean_pct,
        missing=at_risk.missing,
        low_competencies=at_risk.low,
        warnings=context.warnings,
        xapi_home_page=context.xapi_home_page,
        unmapped_items=evidence.map.unmapped_items,
    )


def due_mask(assignments: Sequence[AssignmentInfo], generated: str) -> np.ndarray:
    """Which assignments are due at the report time ``generated`` (an undated one counts as due)."""
    now = generated.removesuffix("Z")
    return np.array([a.duedate is None or a.duedate.removesuffix("Z") <= now for a in assignments])


def _score_matrix(
    sums: GradebookSums, n_learners: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (scores, submitted, pending), learners x assignments.

    score = max(0, graded total - penalty), nbgrader's rule; pending = grades awaiting a manual
    score in the submission.
    """
    n_a = len(sums.assignments)
    subs = sums.submissions
    scores = np.zeros((n_learners, n_a))
    submitted = np.zeros((n_learners, n_a), dtype=bool)
    pending = np.zeros((n_learners, n_a), dtype=np.int64)
    if len(subs.ids):
        scores[subs.learner, subs.assignment] = np.maximum(0.0, sums.totals - subs.late_penalty)
        submitted[subs.learner, subs.assignment] = True
        pending[subs.learner, subs.assignment] = sums.pending
    return scores, submitted, pending


@dataclass(frozen=True)
class _Grid:
    scores: np.ndarray
    submitted: np.ndarray
    pending: np.ndarray
    due: np.ndarray


@dataclass(frozen=True)
class _Levels:
    attainment: np.ndarray  # learners x competencies (NaN = no evidence)
    band: np.ndarray  # learners x competencies, band index
    attained: np.ndarray  # learners x competencies, bool
    min_evidence: np.ndarray  # per competency


def _levels(frameworks: dict[str, Framework], evidence: CompetencyEvidence) -> _Levels:
    """Attainment = earned / possible (capped at 1), banded by each framework's scheme."""
    count, earned, possible = evidence.count, evidence.earned, evidence.possible
    n_l, n_k = count.shape[0], len(evidence.map.competencies)
    with np.errstate(divide="ignore", invalid="ignore"):
        attainment = np.where(possible > 0, np.minimum(earned / possible, 1.0), np.nan)
    band = np.zeros((n_l, n_k), dtype=np.int64)
    attained = np.zeros((n_l, n_k), dtype=bool)
    min_evidence = np.zeros(n_k, dtype=np.int64)
    for k, comp in enumerate(evidence.map.competencies):
        scheme = frameworks[comp.framework].levels
        band[:, k] = band_indices(scheme, attainment[:, k], count[:, k])
        attained[:, k] = band[:, k] >= scheme.attained_index
        min_evidence[k] = scheme.min_evidence
    return _Levels(attainment, band, attained, min_evidence)


def _trend(cells: CellMap, sums: GradebookSums, item_assignment: np.ndarray) -> np.ndarray:
    """Cohort attainment per competency per assignment, from the per-item sums only."""
    n_k, n_a = len(cells.competencies), len(sums.assignments)
    if not cells.pairs:
        return np.full((n_k, n_a), np.nan)
    moments = sums.moments
    num = np.zeros((n_k, n_a))
    den = np.zeros((n_k, n_a))
    for c, k, mx in cells.pairs:
        a = item_assignment[c]
        num[k, a] += moments.sx[c]
        den[k, a] += moments.n[c] * mx
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, np.minimum(num / den, 1.0), np.nan)


@dataclass(frozen=True)
class _AtRisk:
    rows: list[dict[str, Any]]
    mean_pct: np.ndarray
    missing: np.ndarray
    low: np.ndarray

    @classmethod
    def of(
        cls,
        context: ReportContext,
        grid: _Grid,
        assignment_max: np.ndarray,
        evidence: CompetencyEvidence,
        levels: _Levels,
    ) -> _AtRisk:
        """Apply the at-risk rule to every learner, on due, graded evidence; rows by learner."""
        rule, names = context.rule, context.learners
        n_l, n_a = grid.scores.shape
        n_k = len(evidence.map.competencies)
        # Counted: due assignments with points, each either missing (0) or fully graded.
        counted = (grid.due & (assignment_max > 0))[None, :] & (grid.pending == 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            pct = np.where(
                counted, grid.scores / np.where(assignment_max > 0, assignment_max, 1), 0
            )
            n_counted = counted.sum(axis=1)
            mean_pct = np.where(n_counted > 0, pct.sum(axis=1) / n_counted, np.nan)
        missing = (~grid.submitted & grid.due[None, :]).sum(axis=1)
        # Submitted, due and awaiting a manual grade: left out of the mean until graded.
        pending = (grid.submitted & grid.due[None, :] & (grid.pending > 0)).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            due_att = np.where(
                evidence.due_possible > 0, evidence.due_earned / evidence.due_possible, np.nan
            )
        enough = evidence.due_count >= levels.min_evidence[None, :]
        low = ((due_att < rule.low_attainment) & enough).sum(axis=1)
        rows = []
        for i in range(n_l):
            reasons = []
            if n_a and missing[i] >= rule.max_missing:
                reasons.append(f"{missing[i]} missing submissions")
            if np.isfinite(mean_pct[i]) and mean_pct[i] < rule.min_mean_score:
                reasons.append(f"mean assignment score {mean_pct[i]:.0%}")
            if n_k and low[i] >= rule.min_low_competencies:
                reasons.append(
                    f"attainment below {threshold(rule.low_attainment)} on {low[i]} competencies"
                )
            if reasons:
                rows.append(
                    {
                        "learner": names[i],
                        "index": i,
                        "missing_submissions": int(missing[i]),
                        "mean_score_pct": mean_pct[i],
                        "pending_assignments": int(pending[i]),
                        "low_competencies": int(low[i]),
                        "reasons": "; ".join(reasons),
                    }
                )
        rows.sort(key=lambda r: r["learner"])
        return cls(rows, mean_pct, missing, low)
