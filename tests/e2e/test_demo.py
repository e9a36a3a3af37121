"""`bpscare demo` end to end: build, submit, collect, autograde, feedback, report."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from bpscare.grading.backend import cell_scores

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


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
    assert any(float(r["score"]) > 0 for r in rows)


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
