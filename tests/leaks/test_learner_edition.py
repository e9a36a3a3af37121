"""Solutions never leak: the learner edition, its wheel and its apps hold no secret.

The build refuses to finish when its scan finds a leak; these tests check the scan's inputs
(every solution region, hidden test and autograders file of the real course), that a planted
leak in each place a learner can reach is caught by name, and what the Binder wheel contains.
"""

from __future__ import annotations

import shutil
import zipfile

import pytest

from bpscare.authoring.build import Project, build, load_assignment, scan_learner_edition
from bpscare.errors import BpscareError

pytestmark = pytest.mark.leak


def test_every_assignment_contributes_secrets(real_project, secret_fragments):
    """Does the scan know a secret from each assignment's solutions and hidden tests?"""
    fragments = secret_fragments
    for folder in sorted(real_project.autograders.iterdir()):
        hidden = (folder / "hidden_tests.py").read_text()
        assert any(f in hidden for f in fragments), f"no hidden-test fragment from {folder.name}"
    assert len(fragments) > 200


def test_built_learner_edition_is_clean(built_course, real_project):
    learner = built_course.out / "learner"
    assignments = [load_assignment(real_project, name) for name in built_course.assignments]
    assert scan_learner_edition(learner, assignments, real_project) == []
    assert not list(learner.rglob("*autograders*"))
    assert not (learner / "course").exists()
    assert not list(learner.rglob("source"))


def test_binder_wheel_ships_library_only(built_course):
    """Does the learner image's wheel hold the library and its data, and no course material?"""
    wheels = list((built_course.out / "learner" / "binder" / "wheels").glob("bpscare-*.whl"))
    assert len(wheels) == 1
    names = zipfile.ZipFile(wheels[0]).namelist()
    assert all(n.startswith(("bpscare/", "bpscare-")) for n in names), names[:5]
    assert not [n for n in names if "autograder" in n or "hidden_tests" in n]


def test_held_out_case_keys_are_not_in_the_library_data(real_project):
    """Are the graded cases' expert keys only in autograders/, never in the shipped data?"""
    data_text = "\n".join(
        p.read_text(errors="replace")
        for p in (real_project.root / "src" / "bpscare" / "data").rglob("*")
        if p.is_file()
    )
    for name in ("Rahman", "Haidari"):
        in_autograders = any(
            name in p.read_text(errors="replace")
            for p in real_project.autograders.rglob("*")
            if p.is_file()
        )
        assert in_autograders, f"{name} is expected to be a held-out assignment case"
        assert name not in data_text, f"{name}'s case is in the shipped library data"


@pytest.fixture
def project_copy(tmp_path, real_project) -> Project:
    root = tmp_path / "project"
    for name in ("course", "assignments", "autograders", "modules", "binder"):
        shutil.copytree(real_project.root / name, root / name)
    return Project(root)


def hidden_line(project: Project) -> str:
    text = (project.autograders / "a01-screening" / "hidden_tests.py").read_text()
    return next(
        line.strip()
        for line in text.splitlines()
        if line.strip().startswith('"') and len(line.strip()) > 40
    )


@pytest.mark.parametrize(
    ("relative", "shipped_as"),
    [
        ("modules/m01-trust-mistrust-somatic-distress/01-the-trust-cycle.md", "01-the-trust-cycle"),
        ("course/LEARNER_README.md", "learner/README.md"),
        ("binder/postBuild", "binder/postBuild"),
    ],
)
def test_a_planted_hidden_test_is_caught_by_name(project_copy, tmp_path, relative, shipped_as):
    """If a hidden check is pasted into a lesson, the README or binder/, does the build stop?"""
    target = project_copy.root / relative
    target.write_text(target.read_text() + f"\n{hidden_line(project_copy)}\n")
    out = tmp_path / "out"
    with pytest.raises(BpscareError, match="leak") as caught:
        build(project_copy, out, learner_wheel=False)
    assert shipped_as in str(caught.value)
    assert not out.exists(), "a leaking build must leave nothing behind"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_learner_edition_carries_the_public_course_texts(built_course):
    """Does the learner edition hold the sources file, the syllabus and the practice items?"""
    learner = built_course.out / "learner"
    assert (learner / "sources.yaml").is_file()
    assert (learner / "syllabus.md").is_file()
    practice = sorted(p.name for p in (learner / "apps" / "practice").glob("*.yaml"))
    assert practice, "no practice items for the apps' practice twins"
    assert not list(learner.rglob("key.yaml"))
    assert not list(learner.rglob("misconceptions.yaml"))
