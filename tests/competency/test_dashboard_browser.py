"""The program dashboard in a real browser: Voila serves it, chromium drives it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bpscare.competency.report import run_report
from bpscare.serve import app_url, start_voila, stop_voila
from bpscare.widgets.program_dashboard import write_dashboard_app

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]


@pytest.fixture(scope="module")
def dashboard_url(small_course, tmp_path_factory):
    root = tmp_path_factory.mktemp("dashboard")
    run_report(course_dir=small_course, out_dir=root / "report")
    write_dashboard_app({"2026-27": root / "report"}, root / "site")
    process, port = start_voila(root / "site", preheat=False)
    try:
        yield app_url(port, "program_dashboard")
    finally:
        stop_voila(process)


def test_dashboard_drill_down_in_chromium(dashboard_url):
    """Does choosing a competency and then a learner update the tables in the page?"""
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    assert shutil.which(str(CHROMIUM))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(dashboard_url, timeout=90_000)
            competency = page.get_by_label("Competency")
            competency.wait_for(timeout=90_000)
            competency.select_option("EPA-03")
            page.get_by_text("Learners on EPA-03").wait_for(timeout=20_000)
            page.get_by_label("Learner").select_option("chi")
            page.get_by_text("At risk:").wait_for(timeout=20_000)
            assert "Traceback" not in page.content()
        finally:
            browser.close()
