"""Every graded exercise has a practice twin, and no twin carries a graded key or a graded case.

A twin is a Voila app ``course/apps/practice-<assignment>.py`` that reads the practice file
``course/apps/practice/<assignment>.yaml`` (public keys, a practice case). The graded keys, hidden
checks and rubrics stay in ``autograders/``; the graded cases are named only in the assignments.
"""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path

import pytest
import yaml

from bpscare.authoring.leakguard import MARKERS
from bpscare.authoring.textnb import read_text_notebook
from bpscare.widgets.item_practice import FORMATS, build_practice_app, load_practice

REPO = Path(__file__).resolve().parents[2]
APPS = REPO / "course" / "apps"
PRACTICE = APPS / "practice"
ASSIGNMENTS = yaml.safe_load((REPO / "course" / "course.yaml").read_text())["assignments"]
PRACTICE_FILES = sorted(PRACTICE.glob("*.yaml")) if PRACTICE.is_dir() else []
TWINS = sorted(APPS.glob("practice-*.py"))
#: Graded cases named by the brief of issue 12, whatever the assignments say today.
GRADED_NAMES = {"Aisha Rahman", "Rahman", "Haidari", "Rivera", "t90-feet-burning-at-night"}
HONORIFIC_NAME = re.compile(r"\b(?:Mr|Ms|Mrs|Mx|Dr)\.? ((?:[A-Z][a-z]+ )?[A-Z][a-z'-]+)")
CASE_ID = re.compile(r"\b[ct]\d\d-[a-z0-9-]+[a-z0-9]")

_spec = importlib.util.spec_from_file_location("twin_state", REPO / "tests/widgets/helpers.py")
assert _spec is not None
assert _spec.loader is not None
_helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_helpers)
synced_state_text = _helpers.synced_state_text


def _graded_text() -> str:
    return "\n".join(
        p.read_text(errors="replace")
        for folder in (REPO / "assignments", REPO / "autograders")
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix in {".py", ".md", ".yaml", ".yml", ".json"}
    )


def graded_case_names() -> set[str]:
    """People (surnames) and case or transcript ids of the graded work, and the brief's list."""
    text = _graded_text()
    surnames = {m.group(1).split()[-1] for m in HONORIFIC_NAME.finditer(text)}
    return GRADED_NAMES | surnames | set(CASE_ID.findall(text))


def twin_texts() -> list[Path]:
    return [*TWINS, *PRACTICE_FILES]


def test_every_assignment_has_a_twin_app():
    assert sorted(p.name for p in TWINS) == sorted(f"practice-{a}.py" for a in ASSIGNMENTS)


def test_every_practice_file_belongs_to_an_assignment_with_an_app():
    for path in PRACTICE_FILES:
        stem = next((a for a in ASSIGNMENTS if a == path.stem or a.split("-")[0] == path.stem), "")
        assert stem, f"{path.name}: no assignment in course/course.yaml is called {path.stem}"
        assert (APPS / f"practice-{stem}.py").is_file()


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_twin_app_is_two_cells_reading_its_practice_file(assignment):
    path = APPS / f"practice-{assignment}.py"
    nb = read_text_notebook(path)
    assert [c.cell_type for c in nb.cells] == ["markdown", "code"]
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert f"practice twin of assignment {assignment}" in " ".join(nb.cells[0].source.split())
    code = nb.cells[1].source
    imports = re.findall(r"^(?:from|import) (\S+)", code, re.M)
    assert sorted(imports) == ["bpscare.api", "pathlib"]
    assert "autograders" not in code
    assert code.rstrip().endswith(f'build_practice_app(Path("practice") / "{assignment}.yaml")')


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_twin_app_runs_from_its_folder(assignment, monkeypatch):
    """Run as Voila runs it (the kernel starts in the app's folder): a page, never an error."""
    monkeypatch.chdir(APPS)
    code = read_text_notebook(APPS / f"practice-{assignment}.py").cells[1].source
    *body, last = code.rstrip().splitlines()
    namespace: dict = {}
    exec("\n".join(body), namespace)  # our own two-line app cell
    app = eval(last, namespace)
    assert "bpscare-app" in app._dom_classes
    state = synced_state_text(app)
    assert "<h1" in state
    has_file = any(p.stem in (assignment, assignment.split("-")[0]) for p in PRACTICE_FILES)
    assert ("not available yet" in state) != has_file
    assert "could not be loaded" not in state


@pytest.mark.parametrize("path", twin_texts(), ids=lambda p: p.name)
def test_no_autograder_text_in_twins(path, secret_fragments):
    """No line of autograders/ (keys, hidden tests, rubrics) and no solution marker."""
    text = path.read_text(encoding="utf-8")
    assert [m for m in MARKERS if m in text] == []
    assert [f for f in secret_fragments if f in text] == []


@pytest.mark.parametrize("path", twin_texts(), ids=lambda p: p.name)
def test_no_graded_case_in_twins(path):
    text = path.read_text(encoding="utf-8")
    named = sorted(n for n in graded_case_names() if re.search(rf"\b{re.escape(n)}\b", text))
    assert named == [], f"{path.name} names graded cases: {named}"


@pytest.mark.parametrize("path", PRACTICE_FILES, ids=lambda p: p.name)
def test_practice_file_parses_and_every_key_is_valid(path):
    practice = load_practice(path)  # raises, naming file and item, on any invalid key
    assignment = next(a for a in ASSIGNMENTS if a.split("-")[0] == path.stem.split("-")[0])
    assert practice.practises in (assignment, path.stem), practice.practises
    assert 3 <= len(practice.items) <= 6
    assert {item.format for item in practice.items} <= set(FORMATS)
    assert "Practice" in practice.title


def test_the_twin_check_finds_a_graded_name():
    """The name check is not vacuous: a practice text naming a graded person fails it."""
    names = graded_case_names()
    assert {"Rahman", "Haidari", "Rivera"} <= names
    assert "t90-feet-burning-at-night" in names


def test_practice_files_are_found_from_the_repository_root():
    assert os.path.isdir(APPS)
    for path in PRACTICE_FILES:
        assert "practice" in build_practice_app(path).children[0].value.lower()
