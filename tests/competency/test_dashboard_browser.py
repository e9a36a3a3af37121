"""The program dashboard in a real browser: Voila serves it, Debian's chromium drives it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bpscare.apps.program_dashboard import write_dashboard_app
from bpscare.competency.report import run_report
from bpscare.serve import app_url, start_voila, stop_voila
from support.browser import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]
SERIOUS = (
    "async () => (await axe.run(document)).violations"
    ".filter(v => ['critical', 'serious'].includes(v.impact))"
    ".map(v => v.id + ': ' + v.nodes.length)"
)


@pytest.fixture(scope="module")
def dashboard_url(small_course, tmp_path_factory):
    root = tmp_path_factory.mktemp("dashboard")
    run_report(course_dir=small_course, out_dir=root / "report")
    write_dashboard_app({"2026-27": root / "report"}, root / "site")
    process, port = start_voila(root / "site", preheat=False, timeout=120)
    try:
        yield app_url(port, "program_dashboard")
    finally:
        stop_voila(process)


def test_dashboard_drill_down_in_chromium(dashboard_url, chromium, axe_js):
    """Does choosing a competency, then a learner, update the tables, with no serious a11y issue?"""
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.goto(dashboard_url, timeout=120_000)
        competency = page.get_by_label("Competency")
        competency.wait_for(timeout=120_000)
        competency.select_option("EPA-03")
        page.get_by_text("Learners on EPA-03").wait_for(timeout=20_000)
        page.get_by_label("Learner").select_option("chi")
        page.get_by_text("At risk:").wait_for(timeout=20_000)
        assert "Traceback" not in page.content()
        page.add_script_tag(content=axe_js)
        assert page.evaluate(SERIOUS) == []
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_dashboard_on_load_at_desktop_and_phone_widths(dashboard_url, chromium, width):
    """Are the pickers filled on load, the title shown once and nothing wider than the window?"""
    context = chromium.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.goto(dashboard_url, timeout=120_000)
        page.get_by_text("Learners on ACGME-MK").wait_for(timeout=120_000)
        assert page.get_by_label("Competency").input_value() == "ACGME-MK"
        assert page.get_by_label("Learner").input_value() == "ana"
        assert "No competency map" not in page.content()
        assert page.get_by_text("Program competency dashboard", exact=True).count() == 1
        page.get_by_label("Assignment").select_option("a01")
        page.get_by_text("Competencies assessed by a01").wait_for(timeout=20_000)
        assert page.get_by_label("Competency").locator("option").count() == 2
        page.locator("img[alt*='on 2 competencies']").wait_for(timeout=20_000)
        shots = os.environ.get("BPSCARE_SCREENSHOTS")
        if shots:
            page.screenshot(path=str(Path(shots) / f"dashboard-{width}.png"), full_page=True)
    finally:
        context.close()
