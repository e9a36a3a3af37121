"""Browser fixtures shared by every test folder: Debian's chromium and axe-core.

One Playwright session serves the whole test run (Playwright's sync API refuses a second one
in the same thread). The browser is Debian's ``/usr/bin/chromium``; none is ever downloaded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]
AXE_PREFIX = REPO / ".ci" / "node"
AXE_JS = AXE_PREFIX / "node_modules" / "axe-core" / "axe.min.js"
# The command .ci/run uses; kept identical so a local run installs the same package.
AXE_INSTALL = ["npm", "install", "--prefix", str(AXE_PREFIX), "--no-audit", "--no-fund"]
AXE_INSTALL += ["axe-core@4"]

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """Debian's chromium, headless, through Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def axe_js() -> str:
    """The axe-core script, installed with npm into .ci/node when it is not there yet."""
    if not AXE_JS.is_file():
        if shutil.which("npm") is None:
            command = " ".join(AXE_INSTALL)
            pytest.fail(f"axe-core is missing and npm is not installed; run: {command}")
        subprocess.run(AXE_INSTALL, check=True, capture_output=True, timeout=300)
    return AXE_JS.read_text(encoding="utf-8")
