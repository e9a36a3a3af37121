"""Page support: every view carries the accessibility and layout patch, and it stays invisible."""

from __future__ import annotations

import pytest

from bpscare.apps import APPS, build_app
from bpscare.apps.a11y import AccessibilityPatch as ReExported
from bpscare.widgets.care_plan_builder import care_plan_builder
from bpscare.widgets.page import FEEDBACK_CSS, WIDGET_CSS, AccessibilityPatch, walk_widgets
from bpscare.widgets.submit import submit_button
from bpscare.widgets.transcript_annotator import transcript_annotator


def test_apps_module_re_exports_the_patch():
    assert ReExported is AccessibilityPatch


@pytest.mark.parametrize(
    "make",
    [
        lambda: transcript_annotator("t03-just-stress-headaches", "a_codes"),
        lambda: care_plan_builder(None, answer_name="a05_care_plan", practice=True),
        lambda: submit_button("a01-screening"),
    ],
    ids=["annotator", "care-plan", "submit"],
)
def test_graded_widgets_carry_the_patch_for_jupyterlab(make):
    view = make()
    assert "bpscare-widget" in view._dom_classes
    assert isinstance(view.children[-1], AccessibilityPatch)
    assert view.children[-1].layout.display == "none"


@pytest.mark.parametrize("name", [info.name for info in APPS])
def test_every_app_has_patches_that_sync_only_image_text(name):
    patches = [w for w in walk_widgets(build_app(name)) if isinstance(w, AccessibilityPatch)]
    assert patches
    for patch in patches:
        synced = set(patch.get_state()) - {"_esm", "_css", "_anywidget_id", "layout"}
        assert {k for k in synced if not k.startswith("_")} <= {"image_text", "tabbable", "tooltip"}


def test_css_wraps_labels_buttons_and_tabs_and_feedback_lines():
    for needle in (".widget-label", ".jupyter-button", ".lm-TabBar-tabLabel", "flex-wrap: wrap"):
        assert needle in WIDGET_CSS
    assert ":is(.bpscare-app, .bpscare-widget)" in WIDGET_CSS  # scoped, never global
    assert "pre-wrap" in FEEDBACK_CSS


def test_patch_sets_the_xsrf_cookie_only_on_voila_pages():
    esm = AccessibilityPatch._esm
    assert "kernelId" in esm
    assert "_xsrf=" in esm
    assert "crypto.getRandomValues" in esm
