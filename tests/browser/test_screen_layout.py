"""Layouts that hold: every app (Voila) and every graded widget (JupyterLab), desktop and phone.

The check (:mod:`layout_check`) fails on overlapping controls, cut label or button texts
(``scrollWidth > clientWidth``), text rows shorter than their line height, squeezed sliders and
number boxes, and controls that run off the right edge, at 1280x800 and at 390x844 (a phone).
Tabs are clicked through, so the controls of hidden tabs are checked too. The practice twins
(``course/apps/practice-*.py``) are checked as loaded and again with every item's feedback shown.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lab import open_and_run, top_roots, write_notebook
from layout_check import layout_problems
from playwright.sync_api import Page

from bpscare.apps import APPS, TEACHING_CASE, TEACHING_TRANSCRIPT
from bpscare.serve import app_url

pytestmark = pytest.mark.layout

SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
LOAD_TIMEOUT_MS = 120_000
REPO = Path(__file__).resolve().parents[2]
#: The practice twins: one app per assignment, each reading ``apps/practice/<a>.yaml``.
PRACTICE_TWINS = sorted(p.stem for p in (REPO / "course" / "apps").glob("practice-*.py"))
APP_NAMES = [info.name for info in APPS]
VOILA_APPS = [*APP_NAMES, *(name for name in PRACTICE_TWINS if name not in APP_NAMES)]

#: Every widget an assignment grades, built as the assignments build them (a02, a04, a05 and
#: every assignment's submit button), on public teaching material.
GRADED_WIDGETS = [
    f'formulation_grid("{TEACHING_CASE}", "a02_formulation", practice=True)',
    f'transcript_annotator("{TEACHING_TRANSCRIPT}", "a04_transcript_codes", practice=True)',
    'care_plan_builder(None, answer_name="a05_care_plan", practice=True)',
    'submit_button("a01-screening")',
]
#: The practice twins as a lesson would show them (the notebook sits at the edition's root).
PRACTICE_CELLS = [
    f'build_practice_app("apps/practice/{name.removeprefix("practice-")}.yaml")'
    for name in PRACTICE_TWINS
]
LAB_SOURCES = [*APP_NAMES, *GRADED_WIDGETS, *PRACTICE_CELLS]


def _check_with_tabs(page: Page, selector: str) -> list[str]:
    """Layout problems of ``selector``, with each tab of each tab bar shown in turn."""
    problems = layout_problems(page, selector)
    tabs = page.locator(f"{selector} .lm-TabBar-tab")
    for index in range(tabs.count()):
        tabs.nth(index).click()
        page.wait_for_timeout(300)
        title = tabs.nth(index).inner_text().strip()
        problems += [f"[tab {title}] {p}" for p in layout_problems(page, selector)]
    return problems


def _check_with_feedback(page: Page, selector: str) -> list[str]:
    """Layout problems of ``selector`` after pressing every Check button (feedback shown)."""
    buttons = page.locator(f"{selector} button", has_text="Check")
    for index in range(buttons.count()):
        buttons.nth(index).click()
    page.wait_for_timeout(800)
    return [f"[after Check] {p}" for p in layout_problems(page, selector)]


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("name", VOILA_APPS)
def test_app_layout_in_voila(name, size, chromium, voila_port):
    width, height = SIZES[size]
    page = chromium.new_page(viewport={"width": width, "height": height})
    try:
        page.goto(app_url(voila_port, name), timeout=LOAD_TIMEOUT_MS)
        page.locator(".bpscare-app").first.wait_for(timeout=LOAD_TIMEOUT_MS)
        page.wait_for_timeout(1000)
        problems = _check_with_tabs(page, ".bpscare-app")
        if name in PRACTICE_TWINS:
            problems += _check_with_feedback(page, ".bpscare-app")
        assert problems == []
    finally:
        page.close()


@pytest.fixture(scope="module")
def layout_notebook(lab_server):
    """A notebook that shows every app and every graded widget, in the lab server's root."""
    cells = [
        "from bpscare.apps import build_app\n"
        "from bpscare.api import build_practice_app, care_plan_builder, formulation_grid, "
        "submit_button, transcript_annotator",
        *(f'build_app("{info.name}")' for info in APPS),
        *GRADED_WIDGETS,
        *PRACTICE_CELLS,
    ]
    write_notebook(lab_server.root / "layout-check.ipynb", cells)
    return "lab/tree/layout-check.ipynb", len(LAB_SOURCES)


@pytest.mark.parametrize("size", list(SIZES))
def test_apps_and_graded_widgets_layout_in_jupyterlab(size, chromium, lab_server, layout_notebook):
    path, count = layout_notebook
    width, height = SIZES[size]
    page = chromium.new_page(viewport={"width": width, "height": height})
    try:
        roots = ".bpscare-app, .bpscare-widget"
        open_and_run(page, lab_server.url(path), roots=roots, count=count)
        assert top_roots(page, roots) == count
        problems = []
        for index in range(count):
            selector = f"[data-layout-root='{index}']"
            source = LAB_SOURCES[index]
            problems += [f"{source}: {p}" for p in _check_with_tabs(page, selector)]
        assert problems == []
    finally:
        page.close()
