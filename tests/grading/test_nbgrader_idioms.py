"""nbgrader's own test idioms score exactly as under ``nbgrader autograde`` (honest learners).

The course is built here from ``fixtures/nbgrader_idioms/ps1.yaml`` (nbgrader's user-guide
``squares`` / ``sum_of_squares`` problem and the namespace idioms instructors use with it:
``del`` then restore, rebinding a learner name, wrapping a learner function to count calls,
partial credit from the cell's value), released with nbgrader's ``generate_assignment``, and
every honest submission is graded twice, by nbgrader itself and by bpscare, per cell.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml
from cohort import gradebook_scores

from bpscare import nbgrader_course

pytestmark = pytest.mark.e2e

SPEC = yaml.safe_load(
    (Path(__file__).parent / "fixtures" / "nbgrader_idioms" / "ps1.yaml").read_text()
)
ASSIGNMENT = "ps1"
NOTEBOOK = "problem1.ipynb"
SOLUTION = re.compile(r"### BEGIN SOLUTION\n.*?### END SOLUTION\n", re.S)


def _source_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    for spec in SPEC["cells"]:
        if spec["kind"] == "markdown":
            nb.cells.append(nbformat.v4.new_markdown_cell(spec["source"]))
            continue
        cell = nbformat.v4.new_code_cell(spec["source"])
        tests = spec["kind"] == "tests"
        cell.metadata["nbgrader"] = {
            "grade": tests,
            "solution": not tests,
            "locked": tests,
            "grade_id": spec["id"],
            "schema_version": 3,
            **({"points": spec["points"]} if tests else {}),
        }
        nb.cells.append(cell)
    return nb


def _answer(spec_source: str, code: str | None) -> str:
    if code is None:
        return SOLUTION.sub("# YOUR CODE HERE\nraise NotImplementedError()\n", spec_source)
    return code


@pytest.fixture(scope="module")
def courses(tmp_path_factory):
    root = tmp_path_factory.mktemp("idioms")
    base = root / "base"
    (base / "source" / ASSIGNMENT).mkdir(parents=True)
    (base / "nbgrader_config.py").write_text(
        'c = get_config()\nc.CourseDirectory.course_id = "idioms"\n'
    )
    nbformat.write(_source_notebook(), str(base / "source" / ASSIGNMENT / NOTEBOOK))
    nbgrader_course.generate_assignment(base, ASSIGNMENT)
    release = nbformat.read(str(base / "release" / ASSIGNMENT / NOTEBOOK), as_version=4)
    solutions = {s["id"]: s["source"] for s in SPEC["cells"] if s["kind"] == "solution"}
    students = sorted(SPEC["submissions"])
    nbgrader_course.add_students(base, students)
    for student, answers in SPEC["submissions"].items():
        nb = json.loads(json.dumps(release))
        for cell in nb["cells"]:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if grade_id in solutions:
                if answers is None:
                    cell["source"] = _answer(solutions[grade_id], None)
                else:
                    code = answers.get(grade_id)
                    cell["source"] = code if code is not None else solutions[grade_id]
        folder = base / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / NOTEBOOK).write_text(json.dumps(nb))
        (folder / "timestamp.txt").write_text("2027-01-01 10:00:00.000000 UTC")
    theirs = shutil.copytree(base, root / "nbgrader")
    ours = shutil.copytree(base, root / "bpscare")
    errors = nbgrader_course.autograde_with_nbgrader(theirs, ASSIGNMENT, students)
    assert all(e is None for e in errors.values()), errors
    from bpscare.grading import autograde

    run = autograde(ours, ASSIGNMENT, workers=1, timeout_cell=20)
    return theirs, ours, students, run


def _cell_scores(course: Path) -> dict[str, dict[str, float]]:
    scores: dict[str, dict[str, float]] = {}
    for (student, cell), score in gradebook_scores(course / "gradebook.db").items():
        scores.setdefault(student, {})[cell] = float(score or 0)
    return scores


def test_every_idiom_scores_as_under_nbgrader(courses):
    """Does every honest submission get nbgrader's own score, cell by cell?"""
    theirs, ours, students, run = courses
    expected, got = _cell_scores(theirs), _cell_scores(ours)
    assert set(expected) == set(students)
    for student in students:
        assert got[student] == expected[student], student
    assert not any(r.error for r in run.results)


def test_the_solution_earns_every_point_including_the_namespace_idioms(courses):
    """Does the instructor's solution earn all 10 points (del, rebind, wrap, partial credit)?"""
    _, ours, _, _ = courses
    scores = _cell_scores(ours)["honest-solution"]
    points = {s["id"]: float(s["points"]) for s in SPEC["cells"] if s["kind"] == "tests"}
    assert scores == points
    assert sum(points.values()) == 10


def test_the_idioms_tell_honest_submissions_apart(courses):
    """Do the idioms really test something (a learner that skips the helper loses them)?"""
    _, ours, _, _ = courses
    scores = _cell_scores(ours)
    assert scores["honest-no-helper"]["sum_of_squares_uses_squares"] == 0
    assert scores["honest-no-helper"]["sum_of_squares_calls_squares_once"] == 0
    assert scores["honest-calls-twice"]["sum_of_squares_calls_squares_once"] == 0
    assert scores["honest-calls-twice"]["sum_of_squares_uses_squares"] == 2
    assert scores["honest-blank"]["partial_credit"] == 0
