"""A graded cell's points live in its tag: ``Checks(points=N)`` must repeat them exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpscare.authoring.build import Project, load_assignment, load_course_yaml
from bpscare.authoring.points import check_checks_points, checks_calls
from bpscare.authoring.textnb import expand_grading, read_text_notebook
from bpscare.errors import BpscareError

REPO = Path(__file__).resolve().parents[2]
HEADER = """# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---
"""
TAG = '\n# %% grading="tests" grade_id="a_q1_total_tests" points=3 competencies="ACGME-MK"\n'


def check(tmp_path: Path, body: str, tag: str = TAG) -> Path:
    path = tmp_path / "nb.py"
    path.write_text(HEADER + tag + body)
    check_checks_points(expand_grading(read_text_notebook(path), path), path)
    return path


@pytest.mark.parametrize(
    "body",
    [
        'from bpscare.api import Checks\nchecks = Checks(points=3, title="Part 1")\n',
        "checks = Checks(title='Part 1', points=3.0)\nchecks.result()\n",
        "import bpscare.api as api\nchecks = api.Checks(points=3)\n",
        "from bpscare.api import Checks as C\nchecks = C(points=3)\n",
        "%load_ext autoreload\nchecks = Checks(points=3)\n",
        "assert 1 + 1 == 2\n",  # a tests cell need not use Checks at all
    ],
)
def test_checks_points_equal_to_the_tag_pass(tmp_path, body):
    """Does a tests cell whose Checks repeats the tag's points (or uses no Checks) pass?"""
    check(tmp_path, body)


def test_a_mismatch_names_the_file_the_grade_id_and_both_numbers(tmp_path):
    """Is Checks(points=4) in a cell tagged points=3 an error naming file, cell and fix?"""
    body = 'from bpscare.api import Checks\n\nchecks = Checks(points=4, title="Part 1")\n'
    with pytest.raises(BpscareError) as excinfo:
        check(tmp_path, body)
    message = str(excinfo.value)
    assert str(tmp_path / "nb.py") in message
    assert "cell 1 (a_q1_total_tests)" in message
    assert "line 3 of the cell" in message
    assert "Checks(points=4) but the tag says points=3" in message
    assert "write Checks(points=3, ...)" in message


@pytest.mark.parametrize(
    ("body", "phrase"),
    [
        ("checks = Checks(title='Part 1')\n", "built without points="),
        ("checks = Checks(3, 'Part 1')\n", "positional argument"),
        ("POINTS = 3\nchecks = Checks(points=POINTS)\n", "not a number literal"),
        ("checks = Checks(points=True)\n", "not a number literal"),
        ("checks = Checks(points=1 + 2)\n", "not a number literal"),
        ("kw = {'points': 3}\nchecks = Checks(**kw)\n", "**kwargs"),
        ("checks = Checks(points=3)\nother = Checks(points=2)\n", "Checks(points=2)"),
        ("checks = Checks(points=3\n", "not valid Python"),
    ],
)
def test_checks_without_a_literal_matching_points_is_rejected(tmp_path, body, phrase):
    """Is every Checks whose points cannot be read as the tag's number an error for that cell?"""
    with pytest.raises(BpscareError, match="a_q1_total_tests") as excinfo:
        check(tmp_path, body)
    assert phrase in str(excinfo.value)


def test_a_raw_nbgrader_tests_cell_is_checked_too(tmp_path):
    """Does a tests cell written with a raw nbgrader header get the same check?"""
    tag = (
        '\n# %% nbgrader={"grade": true, "grade_id": "r_q1_tests", "locked": true, "points": 2,'
        ' "schema_version": 3, "solution": false, "task": false}'
        ' bpscare={"competencies": ["ACGME-MK"]}\n'
    )
    check(tmp_path, "checks = Checks(points=2)\n", tag=tag)
    with pytest.raises(BpscareError, match=r"r_q1_tests.*Checks\(points=5\)"):
        check(tmp_path, "checks = Checks(points=5)\n", tag=tag)


def test_answer_and_manual_cells_are_not_checked(tmp_path):
    """Are cells other than tests cells (a learner's answer may build anything) left alone?"""
    body = '\n# %% grading="answer" grade_id="a_q1"\n### BEGIN SOLUTION\nc = Checks(9)\n'
    path = tmp_path / "nb.py"
    path.write_text(HEADER + body + "### END SOLUTION\n")
    check_checks_points(expand_grading(read_text_notebook(path), path), path)


def test_checks_calls_reports_each_call_in_order():
    calls = checks_calls("a = Checks(points=2)\nb = x.Checks(points=1.5)\n", Path("x"), "1")
    assert [(c.line, c.points, c.problem) for c in calls] == [(1, 2.0, None), (2, 1.5, None)]


def test_every_course_assignment_repeats_its_tags_points():
    """Do all the real assignments (hidden checks merged) pass the check the build runs?"""
    project = Project(REPO)
    for name in load_course_yaml(project)["assignments"]:
        assignment = load_assignment(project, name)  # runs check_checks_points per notebook
        for nb in assignment.notebooks.values():
            check_checks_points(nb, assignment.folder)
