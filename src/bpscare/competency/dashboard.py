"""The program dashboard's data: cohort -> learner -> competency views over report folders.

A *cohort* is one report folder written by ``bpscare report`` (one course offering, e.g. the
2025-26 class); a program compares several. Everything here is a pure function over the report's
CSV files, so the Voila dashboard (:mod:`bpscare.widgets.program_dashboard`) only renders.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from bpscare.errors import BpscareError

REPORT_FILES = ("assignment_scores.csv", "competencies.csv", "items.csv", "at_risk.csv")
ALL = "All assignments"


@dataclass(frozen=True)
class ProgramData:
    """The tables of one or more cohorts' reports, each row labelled with its ``cohort``."""

    scores: pd.DataFrame
    competencies: pd.DataFrame
    items: pd.DataFrame
    at_risk: pd.DataFrame

    @property
    def cohorts(self) -> list[str]:
        """Cohort labels in the order given."""
        return list(dict.fromkeys(self.scores["cohort"]))

    def assignments(self, cohort: str) -> list[str]:
        """Assignments of a cohort, in report order."""
        rows = self.scores[self.scores["cohort"] == cohort]
        return list(dict.fromkeys(rows["assignment"]))

    def learners(self, cohort: str) -> list[str]:
        """Learner ids (or pseudonyms) of a cohort, sorted."""
        return sorted(set(self.scores.loc[self.scores["cohort"] == cohort, "learner"]))

    def competency_ids(self, cohort: str, assignment: str = ALL) -> list[str]:
        """Competency ids assessed in a cohort (by one assignment's cells), in report order."""
        rows = self.competencies[self.competencies["cohort"] == cohort]
        ids = list(dict.fromkeys(rows["competency"]))
        if assignment == ALL:
            return ids
        assessed = self.assessed_by(cohort, assignment)
        return [c for c in ids if c in assessed]

    def assessed_by(self, cohort: str, assignment: str) -> set[str]:
        """Competency ids the map assigns to the cells of one assignment (items.csv)."""
        items = self.items[
            (self.items["cohort"] == cohort) & (self.items["assignment"] == assignment)
        ]
        if "competencies" not in items:
            return set()
        return {c for cell in items["competencies"].dropna() for c in str(cell).split()}


def load_program(reports: Mapping[str, Path | str]) -> ProgramData:
    """Read the report folders ``{cohort label: folder}`` into one :class:`ProgramData`.

    Raises
    ------
    BpscareError
        No report given, or a folder lacks one of the report's CSV files.
    """
    if not reports:
        msg = "no report folder given; pass at least one folder written by `bpscare report`"
        raise BpscareError(msg)
    tables: dict[str, list[pd.DataFrame]] = {name: [] for name in REPORT_FILES}
    for cohort, folder in reports.items():
        for name in REPORT_FILES:
            path = Path(folder) / name
            if not path.is_file():
                msg = f"not a bpscare report folder: {name} is missing (run `bpscare report`)"
                raise BpscareError(msg, path=path)
            frame = pd.read_csv(path, dtype={"learner": str})
            frame.insert(0, "cohort", cohort)
            tables[name].append(frame)
    return ProgramData(*(pd.concat(tables[name], ignore_index=True) for name in REPORT_FILES))


def score_share(scores: pd.DataFrame) -> pd.Series:
    """Each row's score as a share of its maximum (0-1)."""
    return scores["score"] / scores["max_score"].where(scores["max_score"] > 0)


def _competency_rows(data: ProgramData, cohort: str, assignment: str) -> pd.DataFrame:
    rows = data.competencies[data.competencies["cohort"] == cohort]
    if assignment != ALL:
        rows = rows[rows["competency"].isin(data.assessed_by(cohort, assignment))]
    return rows


def cohort_overview(data: ProgramData, cohort: str, assignment: str = ALL) -> pd.DataFrame:
    """Per competency (those the chosen assignment assesses): graded evidence and course bands.

    ``learners`` counts learners with graded evidence; ``levels`` counts learners per course
    band, "Insufficient evidence" included, in the report's own words.
    """
    rows = _competency_rows(data, cohort, assignment)
    if rows.empty:
        return pd.DataFrame(columns=["competency", "framework", "learners", "mean", "levels"])
    grouped = rows.groupby("competency", sort=False)
    return pd.DataFrame(
        {
            "competency": list(grouped.groups),
            "framework": grouped["framework"].first().to_numpy(),
            "learners": grouped["attainment"].count().to_numpy(),
            "mean": grouped["attainment"].mean().round(3).to_numpy(),
            "levels": [
                "; ".join(f"{level}: {n}" for level, n in g["level"].value_counts().items())
                for _, g in grouped
            ],
        }
    )


def assignment_overview(data: ProgramData, cohort: str, assignment: str = ALL) -> pd.DataFrame:
    """Per assignment (or the one chosen): submissions, mean and median score share."""
    rows = data.scores[data.scores["cohort"] == cohort].copy()
    if assignment != ALL:
        rows = rows[rows["assignment"] == assignment]
    rows["share"] = score_share(rows)
    grouped = rows.groupby("assignment", sort=False)["share"]
    return pd.DataFrame(
        {
            "assignment": list(grouped.groups),
            "learners": grouped.count().to_numpy(),
            "mean": grouped.mean().round(3).to_numpy(),
            "median": grouped.median().round(3).to_numpy(),
        }
    )


def competency_learners(data: ProgramData, cohort: str, competency: str) -> pd.DataFrame:
    """Learners on one competency, lowest attainment first (no graded evidence last)."""
    rows = data.competencies[
        (data.competencies["cohort"] == cohort) & (data.competencies["competency"] == competency)
    ]
    wanted = ("learner", "evidence_count", "pending_count", "attainment", "level")
    columns = [c for c in wanted if c in rows]
    return rows.sort_values("attainment", na_position="last", kind="stable")[columns].reset_index(
        drop=True
    )


def learner_profile(
    data: ProgramData, cohort: str, learner: str, assignment: str = ALL
) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """One learner's competencies, assignment scores (filtered) and at-risk reasons ("" if none)."""
    mine = _competency_rows(data, cohort, assignment)
    mine = mine[mine["learner"] == learner]
    wanted = ("framework", "competency", "evidence_count", "pending_count", "attainment", "level")
    competencies = mine[[c for c in wanted if c in mine]]
    scores = data.scores[(data.scores["cohort"] == cohort) & (data.scores["learner"] == learner)]
    if assignment != ALL:
        scores = scores[scores["assignment"] == assignment]
    score_columns = [c for c in ("assignment", "score", "max_score", "status") if c in scores]
    risk = data.at_risk[(data.at_risk["cohort"] == cohort) & (data.at_risk["learner"] == learner)]
    reasons = "; ".join(str(r) for r in risk["reasons"]) if not risk.empty else ""
    return (
        competencies.reset_index(drop=True),
        scores[score_columns].reset_index(drop=True),
        reasons,
    )


def attainment_matrix(data: ProgramData, cohort: str, assignment: str = ALL) -> pd.DataFrame:
    """Learners x competencies attainment (NaN: no graded evidence), for the heatmap."""
    rows = _competency_rows(data, cohort, assignment)
    if rows.empty:
        return pd.DataFrame()
    order = list(dict.fromkeys(rows["competency"]))
    matrix = rows.pivot_table(
        index="learner", columns="competency", values="attainment", aggfunc="first", dropna=False
    )
    return matrix.reindex(columns=order)
