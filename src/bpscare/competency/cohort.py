"""The rows of ``cohort_summary.csv``: distributions per assignment, competency and course."""

from __future__ import annotations

from typing import Any

import numpy as np

from bpscare.competency.levels import INSUFFICIENT
from bpscare.competency.report_data import ReportData, shown_scores


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
    shown = shown_scores(data)
    for a in data.assignments:
        mx = data.assignment_max[a.index]
        col = shown[:, a.index]
        vals = col[np.isfinite(col)] / mx if mx > 0 else np.array([])
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
        enough = data.evidence_count[:, k] >= fw.levels.min_evidence
        counts = np.bincount(data.band[enough, k], minlength=len(bands))
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
                    [f"{b.label}: {int(n)}" for b, n in zip(bands, counts, strict=True)]
                    + [f"{INSUFFICIENT}: {int((~enough).sum())}"]
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
