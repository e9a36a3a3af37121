"""Headless tests of the Voila app factories: each builds, and nothing secret reaches the browser.

"Reaches the browser" means the synced state of the whole widget tree (``get_state()`` of every
widget it references), which Voila sends to the page.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from pathlib import Path

import ipywidgets as widgets
import pytest

import bpscare.apps as apps
from bpscare.apps.a11y import DEFAULT_IMAGE_TEXT, AccessibilityPatch, walk_widgets
from bpscare.authoring.build import secret_fragments as course_secret_fragments
from bpscare.authoring.leakguard import MARKERS, scan_tree
from bpscare.authoring.textnb import read_text_notebook
from bpscare.clinical.cases import load_cases
from bpscare.clinical.transcripts import load_transcripts

REPO = Path(__file__).resolve().parents[2]
APP_SOURCES = REPO / "course" / "apps"

_spec = importlib.util.spec_from_file_location(
    "widget_state_helpers", REPO / "tests" / "widgets" / "helpers.py"
)
assert _spec is not None
assert _spec.loader is not None
_helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_helpers)
synced_state_text = _helpers.synced_state_text

APP_NAMES = [info.name for info in apps.APPS]


@functools.cache
def state_of(name: str) -> str:
    """The app built once with its defaults, as the text of its synced state."""
    return synced_state_text(apps.build_app(name))


def _expert_texts(public: object, full: object) -> list[str]:
    """Free-text strings of ``full`` that ``public`` leaves out (the expert-only material)."""
    public_strings = set(_strings(public))
    return [s for s in _strings(full) if len(s) >= 25 and s not in public_strings]


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


def _graded_ids() -> set[str]:
    """Case and transcript ids named anywhere in the assignments or their autograders."""
    text = "\n".join(
        p.read_text(errors="replace")
        for folder in (REPO / "assignments", REPO / "autograders")
        for p in folder.rglob("*")
        if p.is_file() and p.suffix in {".py", ".md", ".yaml", ".yml", ".json"}
    )
    return set(re.findall(r"\b[ct]\d\d-[a-z0-9-]+[a-z0-9]", text))


def test_registry_matches_app_notebooks():
    """Is there exactly one app notebook per registered app, and a factory for each?"""
    tools = [p.stem for p in APP_SOURCES.glob("*.py") if not p.stem.startswith("practice-")]
    assert sorted(tools) == sorted(APP_NAMES)  # practice twins: tests/apps/test_practice_twins.py
    for info in apps.APPS:
        assert callable(getattr(apps, info.factory)), info.factory
        assert info.factory in apps.__all__


@pytest.mark.parametrize("name", APP_NAMES)
def test_app_notebook_is_two_or_three_cells_calling_its_factory(name):
    nb = read_text_notebook(APP_SOURCES / f"{name}.py")
    assert 2 <= len(nb.cells) <= 3
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    factory = next(info.factory for info in apps.APPS if info.name == name)
    assert f"from bpscare.api import {factory}" in code
    assert code.rstrip().endswith(f"{factory}()")
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("name", APP_NAMES)
def test_app_builds_with_title_instructions_and_practice_note(name):
    app = apps.build_app(name)
    assert isinstance(app, widgets.VBox)
    info = next(i for i in apps.APPS if i.name == name)
    header = app.children[0].value
    assert "<h1" in header
    assert info.title in header
    assert "<ol" in header
    assert "<li>" in header
    assert "public checks only" in header
    assert "Sources" in app.children[-2].value
    assert len(state_of(name)) > 200  # the body widget's state is there too


@pytest.mark.parametrize("name", APP_NAMES)
def test_no_marker_or_hidden_check_in_synced_state(name, secret_fragments):
    state = state_of(name)
    for marker in MARKERS:
        assert marker not in state
    leaked = [fragment for fragment in secret_fragments if fragment in state]
    assert leaked == []


@pytest.mark.parametrize("name", APP_NAMES)
def test_no_expert_material_of_a_graded_case_in_synced_state(name):
    """Teaching points, care plans, reviews of non-teaching cases and transcripts never sync."""
    state = state_of(name)
    for case in load_cases():
        if case.id == apps.TEACHING_CASE:
            continue
        for text in _expert_texts(case.to_public_dict(), case.to_dict()):
            assert json.dumps(text)[1:-1] not in state, (case.id, text[:60])
    for transcript in load_transcripts():
        if transcript.id == apps.TEACHING_TRANSCRIPT:
            continue
        for point in transcript.teaching_points:
            assert json.dumps(point)[1:-1] not in state, (transcript.id, point[:60])


@pytest.mark.parametrize("name", APP_NAMES)
def test_no_expert_code_list_in_synced_state(name):
    """Not even the teaching transcript's expert codes sit in a trait, as a list or a map."""
    state = state_of(name)
    for transcript in load_transcripts():
        codes = list(transcript.codes)
        assert json.dumps(codes) not in state
        assert json.dumps(codes, separators=(",", ":")) not in state
        by_number = {str(u.n): u.code for u in transcript.utterances}
        assert json.dumps(by_number, sort_keys=True)[1:-1] not in state


def test_teaching_material_is_not_graded_anywhere():
    """Does no assignment or autograder use the apps' teaching case or transcript?"""
    graded = _graded_ids()
    assert apps.TEACHING_CASE not in graded
    assert apps.TEACHING_TRANSCRIPT not in graded


def test_build_app_rejects_an_unknown_name():
    with pytest.raises(ValueError, match=r"unknown app name 'nope'; known apps: screener"):
        apps.build_app("nope")


def test_app_frame_rejects_blank_title_and_missing_steps():
    body = widgets.HTML("x")
    with pytest.raises(ValueError, match="non-blank"):
        apps.app_frame("  ", ["step"], body)
    with pytest.raises(ValueError, match="at least one instruction"):
        apps.app_frame("Title", [], body)


def test_app_frame_escapes_text():
    app = apps.app_frame("A <b> title", ["use <script>"], widgets.HTML("x"), sources=["S & T"])
    assert "A &lt;b&gt; title" in app.children[0].value
    assert "&lt;script&gt;" in app.children[0].value
    assert "S &amp; T" in app.children[-2].value


@pytest.mark.content
def test_learner_edition_apps_have_no_leak(built_course, real_project):
    """Does the built learner edition hold every app, with no output and no secret?"""
    result = built_course
    app_dir = result.out / "learner" / "apps"
    tools = [p.stem for p in app_dir.glob("*.ipynb") if not p.stem.startswith("practice-")]
    assert sorted(tools) == sorted(APP_NAMES)
    assert scan_tree(app_dir, course_secret_fragments(real_project)) == []
    for path in app_dir.glob("*.ipynb"):
        nb = json.loads(path.read_text())
        assert all(not c.get("outputs") for c in nb["cells"]), path.name
    voila = json.loads((result.out / "learner" / "voila.json").read_text())
    assert voila["VoilaConfiguration"]["strip_sources"] is True
    assert voila["VoilaConfiguration"]["show_tracebacks"] is False


@pytest.mark.parametrize("name", APP_NAMES)
def test_app_repr_works(name):
    """Jupyter and Voila call the widget's repr when displaying it; does it raise?"""
    assert "VBox" in repr(apps.build_app(name))


@pytest.mark.parametrize("name", APP_NAMES)
def test_app_ends_with_the_invisible_accessibility_patch(name):
    app = apps.build_app(name)
    patch = app.children[-1]
    assert isinstance(patch, AccessibilityPatch)
    assert patch.layout.display == "none"
    assert patch.image_text == DEFAULT_IMAGE_TEXT


@pytest.mark.parametrize("name", APP_NAMES)
def test_no_image_widget_has_a_tooltip(name):
    """ipywidgets 8.1.9 cannot create an Image view that has a tooltip; none may set one."""
    app = apps.build_app(name)
    images = [w for w in walk_widgets(app) if isinstance(w, widgets.Image)]
    assert [image.tooltip for image in images if image.tooltip] == []


def test_accessibility_patch_rejects_blank_image_text():
    with pytest.raises(ValueError, match="non-blank text alternative, got ' '"):
        AccessibilityPatch(" ")


def test_walk_widgets_visits_tab_children_once():
    shared = widgets.HTML("x")
    tabs = widgets.Tab(children=[widgets.VBox([shared]), widgets.VBox([shared])])
    found = walk_widgets(tabs)
    assert sum(1 for w in found if w is shared) == 1
    assert tabs in found


def test_readme_links_every_app_and_an_existing_first_lesson():
    """Does the README's Binder section link each app and a lesson that the build writes?"""
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Learners on Binder", 1)[1].split("\n## ", 1)[0]
    for name in APP_NAMES:
        assert f"?urlpath=voila/render/apps/{name}.ipynb)" in section, name
    lesson = re.search(r"\?urlpath=lab/tree/lessons/([^/)]+)/([^/)]+)\.ipynb\)", section)
    assert lesson is not None
    assert (REPO / "modules" / lesson[1] / f"{lesson[2]}.md").is_file()
    first_module = sorted(p.name for p in (REPO / "modules").iterdir() if p.is_dir())[0]
    assert lesson[1] == first_module
    assert "git push --force" in section


def test_disparity_app_cohort_is_not_a_graded_cohort():
    """Does the app show a different synthetic cohort from any assignment's (seeds differ)?"""
    import inspect

    text = "\n".join(p.read_text() for p in (REPO / "assignments").rglob("*.py"))
    graded_seeds = {int(s) for s in re.findall(r"generate_ed_cohort\([^)]*seed=(\d+)", text)}
    app_seed = inspect.signature(apps.build_disparity_app).parameters["seed"].default
    assert app_seed not in graded_seeds
