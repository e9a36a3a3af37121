"""Kernels end: closing or reloading an app shuts its kernel down, in Voila and on Binder.

Voila's page posts ``/voila/api/shutdown/<kernel>`` on ``beforeunload`` with the value of the
``_xsrf`` cookie; without that cookie the server answered ``403 '_xsrf' argument missing`` and
every app a learner had opened kept a kernel (about 100 MB each). Each app (the tool apps and
one practice twin) is opened and closed three times (once by a reload) and the number of kernels
must come back to where it started:
with ``bpscare serve``'s standalone Voila, and with JupyterLab running Voila as an extension,
configured as the Binder image is.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext
from practice_twins import PRACTICE_TWINS

from bpscare.apps import APPS
from bpscare.serve import app_url, kernel_processes

pytestmark = pytest.mark.browser

LOAD_TIMEOUT_MS = 120_000
ROUNDS = 3
#: The tool apps and one practice twin: the twins share one widget and one page, and a kernel's
#: shutdown does not depend on the app (test_apps.py opens every twin).
APP_NAMES = [*(info.name for info in APPS), PRACTICE_TWINS[0]]


def _wait_for(count: Callable[[], int], target: int, timeout: float = 30.0) -> int:
    deadline = time.monotonic() + timeout
    while (now := count()) != target and time.monotonic() < deadline:
        time.sleep(0.3)
    return now


def _open_close_each_app(context: BrowserContext, url: Callable[[str], str]) -> None:
    """Open and close every app ROUNDS times; the second round leaves by a reload."""
    for name in APP_NAMES:
        for round_ in range(ROUNDS):
            page = context.new_page()
            page.goto(url(name), timeout=LOAD_TIMEOUT_MS)
            page.locator(".bpscare-app").first.wait_for(timeout=LOAD_TIMEOUT_MS)
            if round_ == 1:
                page.reload(timeout=LOAD_TIMEOUT_MS)
                page.locator(".bpscare-app").first.wait_for(timeout=LOAD_TIMEOUT_MS)
            page.close(run_before_unload=True)


def test_standalone_voila_kernels_return_to_baseline(chromium, voila_server):
    process, port = voila_server
    count = lambda: len(kernel_processes(process))  # noqa: E731
    baseline = _wait_for(count, 0)
    context = chromium.new_context()
    try:
        _open_close_each_app(context, lambda name: app_url(port, name))
    finally:
        context.close()
    assert _wait_for(count, baseline) == baseline


def test_binder_configuration_kernels_return_to_baseline(chromium, lab_server):
    def count() -> int:
        with urllib.request.urlopen(lab_server.url("api/kernels"), timeout=30) as response:
            return len(json.loads(response.read()))

    baseline = count()
    context = chromium.new_context()
    try:
        page = context.new_page()  # log in once with the token (a page that starts no kernel)
        page.goto(lab_server.url("tree"), timeout=LOAD_TIMEOUT_MS)
        page.close()
        base = f"http://127.0.0.1:{lab_server.port}/voila/render/apps"
        _open_close_each_app(context, lambda name: f"{base}/{name}.ipynb")
    finally:
        context.close()
    assert _wait_for(count, baseline) == baseline
