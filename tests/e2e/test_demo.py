"""`bpscare demo` end to end: build, submit, collect, autograde, feedback, report."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bpscare.grading.backend import cell_scores
from support.browser import CHROMIUM

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
#: Each widget's saved answer and the graded cell that reads it.
SAVED_ANSWER_CELLS = {
    "a02_formulation": "a02_q2_grid_tests",
    "a04_transcript_codes": "a04_q1_coding_tests",
    "a05_care_plan": "a05_q3_care_plan_tests",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "out"
    result = subprocess.run(
        [sys.executable, "-m", "bpscare", "demo", "--out", str(out), "--learners", "4"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return out, result


def test_demo_prints_where_everything_is(demo):
    out, result = demo
    assert "demo finished" in result.stdout
    assert str(out / "report" / "index.html") in result.stdout


def test_every_learner_is_graded_on_every_assignment(demo):
    out, _ = demo
    course = out / "course"
    assignments = sorted(p.name for p in (course / "release").iterdir())
    learners = sorted(p.name for p in (course / "submitted").iterdir())
    assert len(learners) == 4
    for learner in learners:
        for assignment in assignments:
            assert cell_scores(course, assignment, learner), (learner, assignment)
    with (out / "report" / "assignment_scores.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(learners) * len(assignments)
    assert any(r["score"] and float(r["score"]) > 0 for r in rows)


def test_feedback_never_shows_hidden_tests(demo):
    out, _ = demo
    pages = list((out / "course" / "feedback").rglob("*.html"))
    assert pages
    for page in pages:
        text = page.read_text()
        assert "HIDDEN TESTS" not in text
        assert "LEAK-CANARY" not in text
        assert "MARK SCHEME" not in text


def test_program_report_maps_competencies(demo):
    out, _ = demo
    with (out / "report" / "competencies.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert {r["framework"] for r in rows} >= {"ACGME", "EPA"}


def test_collect_took_identity_and_time_from_the_lms_export(demo):
    out, _ = demo
    course = out / "course"
    uploads = sorted((out / "lms_uploads").glob("*/*.zip"))
    assert uploads
    assert all(p.name.startswith("learner") and p.name.count("_") >= 3 for p in uploads)
    records = sorted((course / "collect" / "records").rglob("*.json"))
    assert records
    for path in records:
        record = json.loads(path.read_text())
        assert record["lms"] == "canvas"
        assert record["time_from"] == "lms"
    assert not (course / "collect" / "held").exists()


def test_instructor_grading_shows_both_graded_and_pending_reflections(demo):
    out, _ = demo
    with (out / "report" / "assignment_scores.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    statuses = {r["status"].split(":")[0] for r in rows}
    assert "pending" in statuses, "a few reflections are left pending"
    assert "graded" in statuses, "most are graded like an instructor would"
    for row in rows:
        if row["status"].startswith("pending"):
            assert row["score"] == ""
    with (out / "report" / "items.csv").open() as handle:
        items = list(csv.DictReader(handle))
    manual = [r for r in items if int(r["pending"]) > 0]
    assert manual
    for item in manual:
        assert "very hard" not in item["flag"] or int(item["n"]) > 0
    page = (out / "report" / "index.html").read_text()
    assert "awaiting grading" in page
    assert "Computed on due, graded evidence only" in page
    # Comments written through nbgrader's API, as formgrader does.
    import sqlite3

    with sqlite3.connect(out / "course" / "gradebook.db") as db:
        manual_scores = db.execute("SELECT COUNT(*) FROM grade WHERE manual_score IS NOT NULL")
        comments = db.execute("SELECT COUNT(*) FROM comment WHERE manual_comment LIKE '- %'")
        assert manual_scores.fetchone()[0] > 0
        assert comments.fetchone()[0] > 0


def test_demo_at_risk_follows_the_rule_on_graded_due_work(demo):
    out, _ = demo
    with (out / "report" / "at_risk.csv").open() as handle:
        at_risk = list(csv.DictReader(handle))
    with (out / "report" / "assignment_scores.csv").open() as handle:
        scores = list(csv.DictReader(handle))
    for row in at_risk:
        mine = [r for r in scores if r["learner"] == row["learner"]]
        counted = [r for r in mine if r["status"] in ("graded", "missing")]
        if "mean assignment score" in row["reasons"]:
            assert counted, "a mean score needs due, graded work"
        assert int(row["missing_submissions"]) == sum(r["status"] == "missing" for r in mine)
        # Every demo assignment is past due: each pending one is left out of the mean, and the
        # row says how many (a mean over two of six assignments must not read as the whole).
        pending = sum(r["status"].startswith("pending") for r in mine)
        assert int(row["pending_assignments"]) == pending


def test_demo_learners_answer_through_the_widgets_saved_answers(demo):
    """Do the synthetic learners submit widget answer files, graded like a learner's Save?"""
    out, _ = demo
    course = out / "course"
    saved = sorted(course.glob("submitted/*/*/*.answer.json"))
    assert saved, "no learner submitted a widget's saved answer"
    credited = []
    for path in saved:
        learner, assignment = path.parent.parent.name, path.parent.name
        cell = SAVED_ANSWER_CELLS[path.name.removesuffix(".answer.json")]
        credited += [cell] if cell_scores(course, assignment, learner)[cell] > 0 else []
    assert credited, "no saved answer earned credit in the cell that reads it"
    no_code = [
        p for p in course.glob("submitted/*/*/*.ipynb") if "NotImplementedError" in p.read_text()
    ]
    assert no_code == []


# Measured in the page: the document's width, every table wider than its own box (it would
# scroll sideways), and each figure's drawn width against the width it is shown at.
_PAGE_WIDTHS = """() => ({
  page: document.documentElement.scrollWidth,
  tables: [...document.querySelectorAll('table')]
    .filter(t => t.scrollWidth > t.clientWidth + 1)
    .map(t => (t.previousElementSibling?.textContent ?? '').slice(0, 60)),
  figures: [...document.querySelectorAll('img')]
    .map(img => [img.alt.slice(0, 60), img.naturalWidth, img.clientWidth]),
})"""


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing (CI installs it)")
@pytest.mark.parametrize("width", [1280, 390])
def test_demo_report_fits_the_window(demo, chromium, width):
    """At 1280 px every table and figure of the report fits, drawn at full size (legends
    readable); on a phone nothing runs off the page (wide tables scroll inside themselves)."""
    out, _ = demo
    context = chromium.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.goto((out / "report" / "index.html").as_uri())
        widths = page.evaluate(_PAGE_WIDTHS)
    finally:
        context.close()
    assert widths["page"] <= width, widths
    figures = widths["figures"]
    assert len(figures) >= 4, figures  # heatmap, competency trend, distribution, trend
    if width == 1280:
        assert widths["tables"] == [], f"tables wider than a 1280 px window: {widths['tables']}"
        shrunk = [(alt, drawn, shown) for alt, drawn, shown in figures if shown < drawn]
        assert shrunk == [], f"figures shrunk below their drawn size: {shrunk}"
