"""LMS gradebook CSV (``lms_gradebook.csv``), in the Canvas gradebook import convention.

The columns are ``Student``, ``ID``, ``SIS User ID``, ``SIS Login ID``, ``Section``, then one
column per assignment holding points; the second row, ``Points Possible``, gives each
assignment's maximum (as in a Canvas gradebook export). Canvas matches a row on any one of
Student / ID / SIS User ID; here ``Student`` and ``SIS User ID`` hold the nbgrader student id
(never a name) and ``ID`` holds nbgrader's ``lms_user_id`` when the gradebook records one.
Unknown assignment columns create new assignments on import. Moodle's CSV grade import (Grades >
Import > CSV file) needs the ``Points Possible`` row deleted first; map ``SIS User ID`` to the
user's "ID number" and each assignment column to a grade item. Scores are rounded to two
decimals. A submission missing past its due date is written as 0, like ``nbgrader export``; a
submission with cells awaiting a manual grade, and work not yet due, are left empty (no grade
yet), where ``nbgrader export`` writes 0. With pseudonymisation the ids are pseudonyms and
``ID`` is left empty, so such a file is for sharing, not for importing.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bpscare.competency.formats import memo, num
from bpscare.competency.report_data import ReportData, learner_order, shown_scores

LMS_FIXED_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def write_lms_gradebook(
    path: Path,
    learners: Sequence[str],
    lms_ids: Sequence[str],
    assignments: Sequence[str],
    scores: np.ndarray,
    max_scores: np.ndarray,
) -> None:
    """Write the Canvas-convention gradebook CSV (see module docstring).

    Parameters
    ----------
    path
        Output file.
    learners
        Learner ids or pseudonyms, one per row.
    lms_ids
        The LMS user id of each learner, or "" (pseudonymised runs pass "").
    assignments
        Assignment names (column headers), in report order.
    scores
        learners x assignments points (NaN: no grade yet, written empty).
    max_scores
        Maximum points per assignment.
    """
    cached = memo(num)
    rows = np.asarray(scores, dtype=float).tolist()
    with path.open("w", newline="", encoding="utf-8", buffering=1 << 20) as fh:
        writer = csv.writer(fh)
        writer.writerow([*LMS_FIXED_COLUMNS, *assignments])
        writer.writerow(["Points Possible", "", "", "", "", *(num(m) for m in max_scores)])
        writer.writerows(
            [learner, lms_ids[i], learner, "", "", *map(cached, rows[i])]
            for i, learner in enumerate(learners)
        )


def write_report_lms(path: Path, data: ReportData, lms_ids: Sequence[str]) -> None:
    """Write ``lms_gradebook.csv`` of the report; ``lms_ids`` per learner, in gradebook order."""
    order = learner_order(data.learners)
    write_lms_gradebook(
        path,
        [data.learners[i] for i in order],
        [("" if data.pseudonymized else lms_ids[i]) for i in order],
        [a.name for a in data.assignments],
        shown_scores(data)[order],
        data.assignment_max,
    )
