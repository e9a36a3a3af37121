"""Accessibility in JupyterLab: real lessons and released assignments, not only Voila apps.

Two lessons and two released assignments of the learner edition are opened in JupyterLab
(configured as the Binder image is), every code cell is run as a learner runs it (one at a
time, so an exercise that still raises does not stop the widget cells after it), and axe-core
checks what the notebook renders: no critical or serious violation. The same names and alt
texts that :mod:`bpscare.widgets.page` gives a Voila app must reach the widgets in a notebook.
"""

from __future__ import annotations

import pytest
from lab import run_each_cell, shutdown_kernel
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

SERIOUS = {"critical", "serious"}
#: What a lesson renders. JupyterLab's own frame is left out, as it is not the course's: axe
#: 4.14.1 with JupyterLab 4.6.6 reports aria-allowed-attr on the Voila, Validate and debugger
#: toolbar buttons, aria-input-field-name on the CodeMirror editors and aria-required-children
#: on the windowed cell list.
CONTENT = ".jp-NotebookPanel:not(.lm-mod-hidden) :is(.jp-OutputArea, .jp-RenderedMarkdown)"
#: Notebooks of the learner edition: lessons with sliders, charts and knowledge checks, and
#: released assignments with graded widgets and exercise cells that still raise.
NOTEBOOKS = [
    "lessons/m01-trust-mistrust-somatic-distress/01-the-trust-cycle.ipynb",
    "lessons/m03-recognizing-bias/01-reading-the-evidence.ipynb",
    "assignments/a02-bps-assessment/a02-bps-assessment.ipynb",
    "assignments/a05-care-plan/a05-care-plan.ipynb",
]


def _axe(page: Page, axe_js: str) -> list[str]:
    """Critical and serious axe violations in what the notebook renders: its cell outputs
    (widgets, charts, tables, printed text) and its rendered Markdown."""
    page.add_script_tag(content=axe_js)
    result = page.evaluate(
        "async (context) => await axe.run({include: context}, {resultTypes: ['violations']})",
        [[CONTENT]],
    )
    return [
        f"{v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_in_jupyterlab_has_no_serious_violation(notebook, chromium, lab_server, axe_js):
    page = chromium.new_page(viewport={"width": 1280, "height": 800})
    try:
        assert run_each_cell(page, lab_server.url(f"lab/tree/{notebook}?reset")) > 0
        widgets = page.locator(".jp-OutputArea-output .bpscare-widget")
        assert widgets.count() >= 1
        assert _axe(page, axe_js) == []
    finally:
        shutdown_kernel(page)
        page.close()
