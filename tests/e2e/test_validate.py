"""bpscare validate on the real course: full marks, zero for a blank release, no leaks."""

from __future__ import annotations

import pytest

from bpscare.validate import validate

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("engine", ["nbgrader"])
def test_real_course_validates(real_project, tmp_path, engine):
    report = validate(real_project, tmp_path / "_build", engine=engine)
    assert report.failures == []
    joined = "\n".join(report.checked)
    assert "source earns full marks" in joined
    assert "blank release earns 0" in joined
    assert "misconception(s) earn their expected partial scores" in joined


def test_validate_reports_a_wrong_misconception_score(tiny_project, tmp_path):
    """Does validate fail, naming the cell, when a documented misconception scores differently?"""
    spec = tiny_project.autograders / "t01-tiny" / "misconceptions.yaml"
    spec.write_text(
        "adds_instead:\n"
        "  answers:\n"
        "    t01_q1_double: |\n"
        "      def double(x):\n"
        "          return x + 1\n"
        "  expected:\n"
        "    t01_q1_double_tests: {points: 2.0, message: 'should be 42'}\n"
    )
    report = validate(tiny_project, tmp_path / "_build", engine="nbgrader")
    # x + 1 passes double(1) == 2 (weight 1) but fails double(21) == 42: 1 of 2 points
    assert any("earns 1.0 points, expected 2.0" in f for f in report.failures)
