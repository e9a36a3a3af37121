"""A small nbgrader gradebook with hand-chosen scores, built through nbgrader's own API."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

# assignment -> [(grade cell, max score)]
CELLS = {
    "a01": [("a01_q1", 2.0), ("a01_q2", 3.0)],
    "a02": [("a02_q1", 4.0), ("a02_q2", 1.0)],
}
# learner -> assignment -> grade cell -> score; a missing assignment means no submission.
SCORES = {
    "ana": {"a01": {"a01_q1": 2.0, "a01_q2": 3.0}, "a02": {"a02_q1": 4.0, "a02_q2": 1.0}},
    "ben": {"a01": {"a01_q1": 1.0, "a01_q2": 1.0}, "a02": {"a02_q1": 2.0, "a02_q2": 0.0}},
    "chi": {"a01": {"a01_q1": 0.0, "a01_q2": 0.0}},
    "dev": {"a01": {"a01_q1": 2.0, "a01_q2": 0.0}, "a02": {"a02_q1": 1.0, "a02_q2": 1.0}},
    "eli": {"a01": {"a01_q1": 1.0, "a01_q2": 2.0}, "a02": {"a02_q1": 3.0, "a02_q2": 1.0}},
}
MAP = {
    "frameworks": ["ACGME", "EPA"],
    "grade_cells": {
        "a01_q1": ["ACGME-MK"],
        "a01_q2": ["ACGME-MK", "EPA-03"],
        "a02_q1": ["ACGME-ICS"],
        "a02_q2": ["ACGME-ICS", "EPA-03"],
    },
}
PRIVATE_DETAILS = ("Given-ana", "Family-ana", "ana@example.edu")


def make_gradebook(db_url: str) -> None:
    """Fill an empty gradebook at ``db_url`` with :data:`CELLS` and :data:`SCORES`."""
    from nbgrader.api import Gradebook

    due = dt.datetime(2026, 3, 1, 17, 0)
    with Gradebook(db_url) as gb:
        for week, (assignment, cells) in enumerate(CELLS.items()):
            gb.add_assignment(assignment, duedate=due + dt.timedelta(weeks=week))
            gb.add_notebook(assignment, assignment)
            for name, points in cells:
                gb.add_grade_cell(name, assignment, assignment, max_score=points, cell_type="code")
        for learner in SCORES:
            gb.add_student(
                learner,
                first_name=f"Given-{learner}",
                last_name=f"Family-{learner}",
                email=f"{learner}@example.edu",
            )
        for week, assignment in enumerate(CELLS):
            for learner, by_assignment in SCORES.items():
                if assignment not in by_assignment:
                    continue
                stamp = due + dt.timedelta(weeks=week, hours=-2)
                gb.add_submission(assignment, learner, timestamp=stamp)
                for cell, score in by_assignment[assignment].items():
                    grade = gb.find_grade(cell, assignment, assignment, learner)
                    grade.auto_score = score
                gb.db.commit()


def make_course(root: Path, with_map: bool = True) -> Path:
    """Write a minimal nbgrader course folder with the gradebook and (optionally) the map."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text(
        'c = get_config()\nc.CourseDirectory.course_id = "t"\n'
    )
    make_gradebook(f"sqlite:///{root / 'gradebook.db'}")
    if with_map:
        (root / "competency_map.yaml").write_text(yaml.safe_dump(MAP))
    return root
