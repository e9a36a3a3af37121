"""No-code answers under attack: the grade comes from what was submitted, read by the judge.

A choice is read from the learner's namespace as plain data (a ``str`` subclass, or any object
posing as text, reads as nothing). A widget's saved answer is read by the judge from the files as
submitted, before any learner code ran: code that writes a perfect answer file while it is
graded, or that replaces ``submitted_answer`` in its own namespace, changes nothing.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import nbformat
import pytest

from bpscare.authoring import simulated_submissions
from bpscare.authoring.build import Project, build
from bpscare.grading import autograde
from bpscare.grading.backend import cell_outputs, cell_scores

pytestmark = pytest.mark.e2e

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "choice_project"
A = "t01-tiny"
NB = f"{A}.ipynb"
WHEN = dt.datetime(2029, 12, 31, tzinfo=dt.UTC)

ATTACKS = {
    # writes the perfect answer next to the notebook while it is being graded
    "writes-answer-at-grading": (
        "from bpscare.api import save_answer\n"
        "save_answer('t01_thing', {'safe': True, 'score': 1}, kind='thing',"
        " assignment='t01-tiny')\n"
    ),
    # replaces the reader and the grading context in its own process
    "patches-the-reader": (
        "import bpscare.grading.answers as answers\n"
        "answers.submitted_answer = lambda *a, **k: {'safe': True, 'score': 1}\n"
        "submitted_answer = answers.submitted_answer\n"
        "answers._GRADING = None\n"
    ),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("choices") / "project"
    shutil.copytree(FIXTURE, root)
    project = Project(root)
    course = build(project, root / "_build").out / "course"
    release = nbformat.read(str(course / "release" / A / NB), as_version=4)
    source = nbformat.read(str(course / "source" / A / NB), as_version=4)
    key = simulated_submissions.load_key(project.autograders / A / "key.yaml")
    ids = simulated_submissions.answer_cells(release)
    full = dict.fromkeys(ids, simulated_submissions.SOLUTION_ANSWER)

    def submit(learner, answers, files, extra_code=""):
        nb = simulated_submissions.fill_release(release, source, answers, key=key)
        if extra_code:
            nb.cells.insert(2, nbformat.v4.new_code_cell(extra_code))
        simulated_submissions.write_submission(
            course, learner, A, {NB: nb}, WHEN, answer_bytes=files
        )

    submit("key", full, simulated_submissions.answer_files(key, A, "key"))
    for learner, code in ATTACKS.items():
        submit(learner, full, {}, code)
    poser = "class Text(str):\n    pass\n\nt01_q1 = Text('A, B')\n"
    submit("str-subclass", {"t01_q1_choice": poser}, {})
    stolen = simulated_submissions.answer_files(key, A, "key")  # a classmate's file
    submit("copied-file", full, stolen)
    run = autograde(course, A, workers=1)
    assert not run.failed, run.summary()
    return course


def test_the_key_earns_full_marks(graded):
    scores = cell_scores(graded, A, "key")
    assert (scores["t01_q1_tests"], scores["t01_q2_tests"]) == (2.0, 3.0)


@pytest.mark.parametrize("learner", sorted(ATTACKS))
def test_learner_code_cannot_supply_a_saved_answer(graded, learner):
    """Does an answer conjured by code at grading time earn nothing, with the real reason?"""
    assert cell_scores(graded, A, learner)["t01_q2_tests"] == 0.0
    assert (
        "No saved answer t01_thing.answer.json was submitted"
        in cell_outputs(graded, A, learner)["t01_q2_tests"]
    )


def test_an_object_posing_as_text_is_not_a_choice(graded):
    assert cell_scores(graded, A, "str-subclass")["t01_q1_tests"] == 0.0
    assert "text between quotes" in cell_outputs(graded, A, "str-subclass")["t01_q1_tests"]


def test_another_learners_saved_answer_is_not_credited(graded):
    assert cell_scores(graded, A, "copied-file")["t01_q2_tests"] == 0.0
    assert "saved by another learner" in cell_outputs(graded, A, "copied-file")["t01_q2_tests"]
