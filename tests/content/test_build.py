"""bpscare build: golden output for a tiny assignment, atomic writes, clear errors, no data loss."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml

from bpscare.authoring.build import build, update_live_course
from bpscare.errors import BpscareError

pytestmark = pytest.mark.content
GOLDEN = Path(__file__).resolve().parents[1] / "goldens" / "t01-tiny.release.json"


def release_summary(path: Path) -> list[dict]:
    """The parts of a released notebook a reviewer cares about (checksums vary by nbgrader)."""
    nb = nbformat.read(str(path), as_version=4)
    cells = []
    for cell in nb.cells:
        meta = dict(cell.metadata.get("nbgrader", {}))
        meta.pop("checksum", None)
        cells.append({"type": cell.cell_type, "source": cell.source, "nbgrader": meta})
    return cells


def test_release_matches_golden(built_tiny):
    """Is the tiny release exactly the reviewed golden? (update: BPSCARE_UPDATE_GOLDENS=1)"""
    actual = release_summary(built_tiny.out / "course" / "release" / "t01-tiny" / "t01-tiny.ipynb")
    if os.environ.get("BPSCARE_UPDATE_GOLDENS"):
        GOLDEN.write_text(json.dumps(actual, indent=1, ensure_ascii=False) + "\n")
    assert actual == json.loads(GOLDEN.read_text())


def test_build_layout(built_tiny):
    out = built_tiny.out
    for rel in [
        "course/nbgrader_config.py",
        "course/source/t01-tiny/t01-tiny.ipynb",
        "course/release/t01-tiny/t01-tiny.ipynb",
        "course/gradebook.db",
        "course/competency_map.yaml",
        "lessons/m01-tiny/01-hello.ipynb",
        "learner/lessons/m01-tiny/01-hello.ipynb",
        "learner/assignments/t01-tiny/t01-tiny.ipynb",
        "learner/voila.json",
    ]:
        assert (out / rel).is_file(), rel
    assert (out / "learner" / "apps").is_dir()
    mapping = yaml.safe_load((out / "course" / "competency_map.yaml").read_text())
    assert set(mapping.pop("reasons")) == {"t01_q1_double_tests", "t01_q2_reflect"}
    assert mapping == {
        "frameworks": ["ACGME", "EPA"],
        "grade_cells": {
            "t01_q1_double_tests": ["ACGME-MK", "EPA-03"],
            "t01_q2_reflect": ["ACGME-ICS"],
        },
    }


def test_source_keeps_hidden_tests_and_mark_scheme(built_tiny):
    """Does the instructor source carry the merged hidden checks and the rubric?"""
    text = (built_tiny.out / "course" / "source" / "t01-tiny" / "t01-tiny.ipynb").read_text()
    assert "double(21)" in text
    assert "BEGIN MARK SCHEME" in text
    assert "A distinctive rubric sentence" in text


def test_learner_edition_has_no_secrets(built_tiny):
    """Is nothing from solutions, hidden tests or the rubric anywhere in the learner edition?"""
    for path in (built_tiny.out / "learner").rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            for secret in ("LEAK-CANARY", "x * 2 + 0", "double(21)", "distinctive rubric"):
                assert secret not in text, (path, secret)


def build_error(project, out) -> str:
    with pytest.raises(BpscareError) as excinfo:
        build(project, out)
    return str(excinfo.value)


def test_unknown_competency_names_file_and_cell(tiny_project, tmp_path):
    nb = tiny_project.root / "assignments" / "t01-tiny" / "t01-tiny.py"
    nb.write_text(nb.read_text().replace('competencies="ACGME-ICS"', 'competencies="ACGME-XYZ"'))
    message = build_error(tiny_project, tmp_path / "out")
    assert "ACGME-XYZ" in message
    assert "t01_q2_reflect" in message
    assert not (tmp_path / "out").exists()


def test_duplicate_grade_ids_are_rejected(tiny_project, tmp_path):
    nb = tiny_project.root / "assignments" / "t01-tiny" / "t01-tiny.py"
    nb.write_text(
        nb.read_text()
        + '\n# %% grading="tests" grade_id="t01_q1_double_tests" points=1 competencies="ACGME-MK"\n'
        + "x = 1\n"
    )
    assert "duplicate grade_id" in build_error(tiny_project, tmp_path / "out")


def test_assignment_without_tests_is_rejected(tiny_project, tmp_path):
    nb = tiny_project.root / "assignments" / "t01-tiny" / "t01-tiny.py"
    text = nb.read_text().split('# %% grading="tests"')[0]
    nb.write_text(text)
    (tiny_project.autograders / "t01-tiny" / "hidden_tests.py").unlink()
    (tiny_project.autograders / "t01-tiny" / "rubric.yaml").unlink()
    assert "no autograder tests cell" in build_error(tiny_project, tmp_path / "out")


def test_checks_points_that_differ_from_the_tag_are_rejected(tiny_project, tmp_path):
    """Is a tests cell whose Checks(points=) is not its tag's points refused, naming file and id?"""
    nb = tiny_project.root / "assignments" / "t01-tiny" / "t01-tiny.py"
    nb.write_text(nb.read_text().replace("Checks(points=2,", "Checks(points=5,"))
    message = build_error(tiny_project, tmp_path / "out")
    assert str(nb) in message
    assert "t01_q1_double_tests" in message
    assert "Checks(points=5) but the tag says points=2" in message
    assert not (tmp_path / "out").exists()


def test_checks_without_literal_points_are_rejected(tiny_project, tmp_path):
    """Is a Checks whose points are computed refused (the tag is the one source)?"""
    nb = tiny_project.root / "assignments" / "t01-tiny" / "t01-tiny.py"
    nb.write_text(nb.read_text().replace("Checks(points=2,", "Checks(points=1 + 1,"))
    message = build_error(tiny_project, tmp_path / "out")
    assert "t01_q1_double_tests" in message
    assert "not a number literal" in message


def test_a_second_checks_in_the_hidden_tests_is_checked_too(tiny_project, tmp_path):
    """Does the check see the hidden tests merged from autograders/ as well?"""
    hidden = tiny_project.autograders / "t01-tiny" / "hidden_tests.py"
    hidden.write_text(hidden.read_text() + "extra = Checks(points=7)\n")
    message = build_error(tiny_project, tmp_path / "out")
    assert "t01_q1_double_tests" in message
    assert "Checks(points=7) but the tag says points=2" in message


def test_output_folder_that_is_a_file(tiny_project, tmp_path):
    target = tmp_path / "out"
    target.write_text("not a folder")
    assert "is a file" in build_error(tiny_project, target)
    assert target.read_text() == "not a folder"


def test_failed_build_leaves_previous_output_untouched(tiny_project, tmp_path):
    """Does a failing rebuild leave the earlier build exactly as it was, and no temp folders?"""
    out = tmp_path / "out"
    build(tiny_project, out)
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    nb = tiny_project.root / "assignments" / "t01-tiny" / "t01-tiny.py"
    nb.write_text(nb.read_text().replace('grading="task"', 'grading="quiz"'))
    assert "unknown grading kind" in build_error(tiny_project, out)
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_build_refuses_to_replace_a_course_with_learner_work(tiny_project, tmp_path):
    out = tmp_path / "out"
    build(tiny_project, out)
    work = out / "course" / "submitted" / "learner-1" / "t01-tiny"
    work.mkdir(parents=True)
    (work / "t01-tiny.ipynb").write_text("{}")
    assert "holds learners' work" in build_error(tiny_project, out)
    assert (work / "t01-tiny.ipynb").read_text() == "{}"


def test_hidden_tests_without_a_block_are_rejected(tiny_project, tmp_path):
    nb = tiny_project.root / "assignments" / "t01-tiny" / "t01-tiny.py"
    nb.write_text(nb.read_text().replace("### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS\n", ""))
    assert "no empty '### BEGIN HIDDEN TESTS'" in build_error(tiny_project, tmp_path / "out")


def test_live_course_update_never_touches_learner_work(tiny_project, tmp_path):
    """Rebuild after grading: are submissions, autograded work, feedback and grades all kept?"""
    from nbgrader.api import Gradebook

    built = build(tiny_project, tmp_path / "build")
    live = tmp_path / "live"
    update_live_course(built.out / "course", live, built.assignments)
    for folder in ("submitted", "autograded", "feedback"):
        target = live / folder / "learner-1" / "t01-tiny"
        target.mkdir(parents=True)
        (target / "work.txt").write_text(f"{folder} work")
    with Gradebook(f"sqlite:///{live / 'gradebook.db'}") as gb:
        gb.add_student("learner-1")
    shutil.rmtree(built.out)
    rebuilt = build(tiny_project, tmp_path / "build")
    update_live_course(rebuilt.out / "course", live, rebuilt.assignments)
    for folder in ("submitted", "autograded", "feedback"):
        assert (
            live / folder / "learner-1" / "t01-tiny" / "work.txt"
        ).read_text() == f"{folder} work"
    with Gradebook(f"sqlite:///{live / 'gradebook.db'}") as gb:
        assert [s.id for s in gb.students] == ["learner-1"]
        assert gb.find_assignment("t01-tiny").duedate is not None


def test_a_competency_tag_without_a_reason_fails_the_build(tiny_project, tmp_path):
    """Does the build name the cell and tag whose one-line justification is missing?"""
    path = tiny_project.course / "competency_map.yaml"
    text = path.read_text()
    path.write_text(
        text.replace('    EPA-03: "Fixture: stands in for interpreting a test result"\n', "")
    )
    message = build_error(tiny_project, tmp_path / "out")
    assert "competency_map.yaml" in message
    assert "t01_q1_double_tests: no one-line reason for EPA-03" in message


def test_a_reason_for_a_tag_the_cell_does_not_claim_fails_the_build(tiny_project, tmp_path):
    """Is a justification for a competency the cell does not claim (a stale tag) an error?"""
    path = tiny_project.course / "competency_map.yaml"
    path.write_text(path.read_text() + '    EPA-06: "Fixture: a reason for a tag nobody claims"\n')
    message = build_error(tiny_project, tmp_path / "out")
    assert "t01_q2_reflect: reasons for EPA-06, which the cell does not claim" in message


def test_the_built_map_carries_each_reason(built_tiny):
    """Does the built course's competency map keep the reasons for the program report?"""
    import yaml

    built = yaml.safe_load((built_tiny.out / "course" / "competency_map.yaml").read_text())
    assert built["reasons"]["t01_q2_reflect"]["ACGME-ICS"].startswith("Fixture:")
