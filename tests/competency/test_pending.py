"""Pending is not zero, not yet due is not missing, course bands not ratings, two decimals."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from bpscare.competency.report import run_report

NOW = dt.datetime(2026, 4, 1, 12, 0, tzinfo=dt.UTC)
PAST = dt.datetime(2026, 3, 1, 17, 0)
FUTURE = dt.datetime(2026, 5, 1, 17, 0)
# a01: two autograded cells and a reflection graded by hand (3 points), due in the past.
# a02: one autograded cell, due after the report time; only "ana" has submitted early.
LEARNERS = ("ana", "ben", "chi", "dev")
MANUAL = {"ana": 3.0, "ben": 2.0}  # chi and dev: reflection not graded yet (pending)
AUTO = {
    "ana": (2.0, 2.0),
    "ben": (1.0, 2.0),
    "chi": (2.0, 2.0),
    "dev": (0.0, 0.31),
}
MAP = {
    "frameworks": ["ACGME", "EPA", "IPEC"],
    "grade_cells": {
        "a01_q1": ["ACGME-MK", "EPA-03"],
        "a01_q2": ["ACGME-MK", "EPA-03"],
        "a01_reflection": ["IPEC-VE"],
        "a02_q1": ["ACGME-MK"],
    },
}


def make_course(root: Path) -> Path:
    from nbgrader.api import Gradebook

    root.mkdir(parents=True)
    (root / "nbgrader_config.py").write_text(
        'c = get_config()\nc.CourseDirectory.course_id = "p"\n'
    )
    (root / "competency_map.yaml").write_text(yaml.safe_dump(MAP))
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        gb.add_assignment("a01", duedate=PAST)
        gb.add_notebook("a01", "a01")
        gb.add_grade_cell("a01_q1", "a01", "a01", max_score=2.0, cell_type="code")
        gb.add_grade_cell("a01_q2", "a01", "a01", max_score=2.5, cell_type="code")
        gb.add_grade_cell("a01_reflection", "a01", "a01", max_score=3.0, cell_type="markdown")
        gb.add_assignment("a02", duedate=FUTURE)
        gb.add_notebook("a02", "a02")
        gb.add_grade_cell("a02_q1", "a02", "a02", max_score=2.0, cell_type="code")
        for learner in LEARNERS:
            gb.add_student(learner)
            gb.add_submission("a01", learner, timestamp=PAST - dt.timedelta(hours=3))
            q1, q2 = AUTO[learner]
            gb.find_grade("a01_q1", "a01", "a01", learner).auto_score = q1
            gb.find_grade("a01_q2", "a01", "a01", learner).auto_score = q2
            reflection = gb.find_grade("a01_reflection", "a01", "a01", learner)
            reflection.auto_score = None
            reflection.manual_score = MANUAL.get(learner)
            gb.db.commit()
        gb.add_submission("a02", "ana", timestamp=NOW.replace(tzinfo=None))
        gb.find_grade("a02_q1", "a02", "a02", "ana").auto_score = 8.309999999999999 / 4.155
        gb.db.commit()
    return root


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    course = make_course(tmp_path_factory.mktemp("pending") / "course")
    out = course.parent / "report"
    run_report(course_dir=course, out_dir=out, now=NOW, parallel=False)
    return out


def test_pending_reflection_is_pending_not_zero_in_scores(report):
    got = {(r["learner"], r["assignment"]): r for r in rows(report / "assignment_scores.csv")}
    assert got[("ana", "a01")]["status"] == "graded"
    assert got[("ana", "a01")]["score"] == "7"
    assert got[("chi", "a01")]["status"] == "pending: 1 cell(s) awaiting grading"
    assert got[("chi", "a01")]["score"] == "", "a pending submission has no score yet, not 0"
    # Not yet due: not missing, no score; ana's early submission is scored.
    assert got[("ben", "a02")]["status"] == "not yet due"
    assert got[("ben", "a02")]["score"] == ""
    assert got[("ana", "a02")]["score"] == "2"
    # Two decimals: 0 + 0.31 stays 0.31 (and nbgrader's 8.309999999999999 is 8.31).
    dev_score = got[("dev", "a01")]
    assert dev_score["score"] == ""
    assert dev_score["status"].startswith("pending")


def test_lms_export_leaves_pending_and_not_due_empty(report):
    with (report / "lms_gradebook.csv").open(newline="") as fh:
        table = list(csv.reader(fh))
    header, by_learner = table[0], {r[0]: r for r in table[2:]}
    a01, a02 = header.index("a01"), header.index("a02")
    assert by_learner["chi"][a01] == ""
    assert by_learner["ben"][a01] == "5"
    assert by_learner["ben"][a02] == ""
    for row in table[1:]:
        for value in row[5:]:
            assert len(value.partition(".")[2]) <= 2, value


def test_attainment_and_bands_count_graded_cells_only(report):
    got = {(r["learner"], r["competency"]): r for r in rows(report / "competencies.csv")}
    # IPEC-VE rests on the reflection alone: graded for ana and ben, pending for chi and dev.
    assert got[("ana", "IPEC-VE")]["evidence_count"] == "1"
    assert got[("chi", "IPEC-VE")]["evidence_count"] == "0"
    assert got[("chi", "IPEC-VE")]["pending_count"] == "1"
    assert got[("chi", "IPEC-VE")]["attainment"] == ""
    assert got[("chi", "IPEC-VE")]["level"] == "Insufficient evidence"
    assert got[("ana", "IPEC-VE")]["level"] == "Insufficient evidence"  # one cell < minimum 2
    assert got[("chi", "ACGME-MK")]["level"] == "meeting course expectations"
    words = {r["level"] for r in got.values()}
    assert words <= {
        "Insufficient evidence",
        "not yet meeting course expectations",
        "developing",
        "meeting course expectations",
    }


def test_insufficient_evidence_reads_the_same_on_the_page(report):
    page = (report / "index.html").read_text(encoding="utf-8")
    assert "Insufficient evidence" in page
    assert "no evidence" not in page
    assert "not milestone ratings or entrustment decisions" in page
    for word in ("Level 1", "pre-entrustable", "entrustable for", "Level 4"):
        assert word not in page
    assert "1 awaiting grading" in page


def test_item_statistics_ignore_pending_grades(report):
    items = {r["grade_id"]: r for r in rows(report / "items.csv")}
    reflection = items["a01_reflection"]
    assert reflection["n"] == "2"
    assert reflection["pending"] == "2"
    assert reflection["difficulty"] == f"{(3 + 2) / 2 / 3:.4f}"
    assert "very hard" not in reflection["flag"]
    assert "2 awaiting grading" in reflection["flag"]


def test_at_risk_uses_due_graded_evidence_only(report):
    at_risk = {r["learner"]: r for r in rows(report / "at_risk.csv")}
    # a01 awaits grading for chi and dev: it is not in their mean score yet (empty), and
    # chi's pending reflection does not make chi at risk. dev's graded autograded cells (0.31
    # of 4.5 points) are due, graded evidence on two competencies: at risk for that alone.
    assert "chi" not in at_risk
    assert at_risk["dev"]["mean_score_pct"] == ""
    assert at_risk["dev"]["pending_assignments"] == "1"  # the committee sees why it is empty
    assert at_risk["dev"]["reasons"] == "attainment below 60% on 2 competencies"
    # Nobody is missing a02: it is not yet due.
    for row in at_risk.values():
        assert row["missing_submissions"] == "0"
    page = (report / "index.html").read_text(encoding="utf-8")
    assert "Computed on due, graded evidence only" in page


def test_no_badge_for_an_epa_and_only_with_enough_graded_evidence(report):
    lines = (report / "badges.jsonl").read_text().splitlines()
    badges = [json.loads(line) for line in lines]
    codes = {b["credentialSubject"]["achievement"]["alignment"][0]["targetCode"] for b in badges}
    assert codes, "course competencies met with enough evidence get a badge"
    assert not any(code.startswith("EPA") for code in codes)
    assert "IPEC-VE" not in codes  # one graded cell is not enough
    for badge in badges:
        assert "Meeting course expectations" in badge["credentialSubject"]["achievement"]["name"]


def test_xapi_has_no_score_for_a_pending_submission(report):
    statements = json.loads((report / "xapi_statements.json").read_text())
    scored = {
        (s["actor"]["account"]["name"], s["object"]["id"].rsplit("/", 1)[-1]) for s in statements
    }
    assert ("ana", "a01") in scored
    assert ("chi", "a01") not in scored
    for s in statements:
        raw = s["result"]["score"]["raw"]
        assert raw == round(raw, 2)
