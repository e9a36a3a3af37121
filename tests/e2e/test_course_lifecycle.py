"""A course's life: build, submit, autograde, feedback, rebuild: nothing lost or leaked."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import nbformat
import pytest

from bpscare.authoring import simulated_submissions
from bpscare.authoring.build import build, load_assignment, update_live_course
from bpscare.grading.backend import autograde_students, cell_scores
from bpscare.grading.feedback import generate_feedback

pytestmark = pytest.mark.e2e


def submit(project, live: Path, learner: str, answers: str) -> None:
    source = load_assignment(project, "t01-tiny").notebooks["t01-tiny.ipynb"]
    release = nbformat.read(str(live / "release" / "t01-tiny" / "t01-tiny.ipynb"), as_version=4)
    ids = simulated_submissions.answer_cells(release)
    chosen = (
        dict.fromkeys(ids, simulated_submissions.SOLUTION_ANSWER) if answers == "solution" else {}
    )
    nb = simulated_submissions.fill_release(release, source, chosen, reflection="My reflection.")
    simulated_submissions.write_submission(
        live, learner, "t01-tiny", {"t01-tiny.ipynb": nb}, dt.datetime(2029, 12, 31, tzinfo=dt.UTC)
    )


@pytest.mark.parametrize("engine", ["nbgrader"])
def test_grade_feedback_rebuild_keeps_everything(tiny_project, tmp_path, engine):
    built = build(tiny_project, tmp_path / "build")
    live = tmp_path / "live"
    update_live_course(built.out / "course", live, built.assignments)
    submit(tiny_project, live, "learner-a", "solution")
    submit(tiny_project, live, "learner-b", "blank")

    errors = autograde_students(live, "t01-tiny", ["learner-a", "learner-b"], engine=engine)
    assert errors == {"learner-a": None, "learner-b": None}
    assert cell_scores(live, "t01-tiny", "learner-a")["t01_q1_double_tests"] == 2.0
    assert cell_scores(live, "t01-tiny", "learner-b")["t01_q1_double_tests"] == 0.0

    generate_feedback(live, "t01-tiny")
    feedback = (live / "feedback" / "learner-b" / "t01-tiny" / "t01-tiny.html").read_text()
    assert "double(1) should be 2." in feedback  # the public check's message is shown
    assert "lambda: double(21)" not in feedback  # the hidden check's code is not shown
    assert "double(21) should be 42" in feedback  # but its learner-facing message is
    assert "LEAK-CANARY" not in feedback
    assert "distinctive rubric" not in feedback
    assert "0 of 2 points" in feedback

    snapshot = {
        p.relative_to(live): p.read_bytes()
        for folder in ("submitted", "autograded", "feedback")
        for p in (live / folder).rglob("*")
        if p.is_file()
    }
    shutil.rmtree(built.out)
    rebuilt = build(tiny_project, tmp_path / "build")
    update_live_course(rebuilt.out / "course", live, rebuilt.assignments)
    after = {
        p.relative_to(live): p.read_bytes()
        for folder in ("submitted", "autograded", "feedback")
        for p in (live / folder).rglob("*")
        if p.is_file()
    }
    assert after == snapshot
    assert cell_scores(live, "t01-tiny", "learner-a")["t01_q1_double_tests"] == 2.0
