"""Every app page is served whole by the machine: the browser asks no other host for anything.

Voila's ``lab`` template links Font Awesome from a CDN; bpscare's template (Voila's without those
links, :data:`bpscare.apps.voila_config.VOILA_TEMPLATE`) serves the same icons from Voila's own
styles. Each app is opened in Debian's chromium with ``bpscare serve``'s Voila and once in
JupyterLab with Voila as an extension, configured as the Binder image is; every request the page
makes must go to 127.0.0.1, and the buttons' Font Awesome icons must still be drawn.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import BrowserContext, Page

from bpscare.apps import APPS
from bpscare.serve import app_url

pytestmark = pytest.mark.browser

LOAD_TIMEOUT_MS = 120_000
LOCAL = ("http://127.0.0.1:", "data:", "blob:", "about:")
ICON_FONT_JS = """() => Array.from(document.querySelectorAll('.bpscare-app i.fa'))
  .map((i) => getComputedStyle(i, '::before').fontFamily)"""


@pytest.fixture
def context(chromium) -> Iterator[BrowserContext]:
    context = chromium.new_context()
    try:
        yield context
    finally:
        context.close()


def _outside_requests(page: Page, url: str) -> list[str]:
    """Open ``url`` in ``page`` until the app shows; the requests that left the machine."""
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(LOCAL) else outside.append(r.url))
    page.goto(url, timeout=LOAD_TIMEOUT_MS)
    page.locator(".bpscare-app").first.wait_for(timeout=LOAD_TIMEOUT_MS)
    page.wait_for_load_state("load", timeout=LOAD_TIMEOUT_MS)
    return outside


@pytest.mark.parametrize("name", [info.name for info in APPS])
def test_app_page_requests_nothing_from_outside(context, voila_port, name):
    page = context.new_page()
    try:
        assert _outside_requests(page, app_url(voila_port, name)) == []
        fonts = page.evaluate(ICON_FONT_JS)
        assert all("Font Awesome" in font for font in fonts), fonts
    finally:
        page.close(run_before_unload=True)


def _binder_app_requests(context: BrowserContext, lab_server) -> tuple[list[str], str]:
    """Open an app in JupyterLab's Voila (Binder's configuration): outside requests, the page."""
    page = context.new_page()  # log in once with the token (a page that starts no kernel)
    page.goto(lab_server.url("tree"), timeout=LOAD_TIMEOUT_MS)
    page.close()
    page = context.new_page()
    try:
        url = f"http://127.0.0.1:{lab_server.port}/voila/render/apps/care-plan-builder.ipynb"
        outside = _outside_requests(page, url)
        fonts = page.evaluate(ICON_FONT_JS)
        assert fonts, "care-plan-builder has buttons with icons"
        assert all("Font Awesome" in font for font in fonts), fonts
        return outside, page.content()
    finally:
        page.close(run_before_unload=True)


def test_binder_configuration_uses_the_template_and_no_font_cdn(context, lab_server):
    outside, content = _binder_app_requests(context, lab_server)
    assert "/voila/templates/bpscare/static/" in content
    assert [url for url in outside if "jsdelivr" in url or "fontawesome" in url] == []


@pytest.mark.xfail(
    strict=True,
    reason="Voila as a server extension points its pages at MathJax 2 on cdnjs: its handler "
    "settings carry no mathjax_url, and setting it to None there breaks Notebook 7's /tree",
)
def test_binder_configuration_requests_nothing_from_outside(context, lab_server):
    outside, _content = _binder_app_requests(context, lab_server)
    assert outside == []
