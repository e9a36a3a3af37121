"""Fixtures for real-browser tests: a built learner edition served by Voila, Debian's chromium.

The browser is Debian's ``/usr/bin/chromium`` driven by pip's Playwright; no browser is ever
downloaded. axe-core (npm) is installed into ``.ci/node`` by ``.ci/run``; when it is missing
here, the same npm command is run once. The tests are skipped only when chromium is missing.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bpscare.authoring.build import Project, build
from bpscare.serve import start_lab, start_voila, stop_voila
from support.browser import CHROMIUM

REPO = Path(__file__).resolve().parents[2]
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the browser tests, and only them, when Debian's chromium is not installed."""
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing (CI installs Debian's chromium)")
    for item in items:
        if "browser" in item.keywords or "layout" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def learner_edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real course built once (no wheel, for speed); its learner edition folder."""
    out = tmp_path_factory.mktemp("browser") / "_build"
    return build(Project(REPO), out, learner_wheel=False).out / "learner"


@pytest.fixture(scope="session")
def voila_server(learner_edition: Path) -> Iterator[tuple[subprocess.Popen, int]]:
    """Voila serving the learner edition on a free loopback port, stopped after the session.

    Kernels are not preheated here: every page load runs its app notebook from scratch, which
    is the path that can fail; the preheat path is measured by benchmarks/bench_preheat.py.
    """
    process, port = start_voila(learner_edition, preheat=False, timeout=120)
    try:
        yield process, port
    finally:
        stop_voila(process)


@pytest.fixture(scope="session")
def voila_port(voila_server: tuple[subprocess.Popen, int]) -> int:
    """The port of :func:`voila_server`."""
    return voila_server[1]


@dataclass(frozen=True)
class LabServer:
    """A JupyterLab server (Voila inside as an extension, as on Binder) and how to reach it."""

    process: subprocess.Popen
    port: int
    token: str
    root: Path

    def url(self, path: str) -> str:
        """The URL of ``path`` on this server, with the token."""
        sep = "&" if "?" in path else "?"
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}{sep}token={self.token}"


@pytest.fixture(scope="session")
def lab_server(
    learner_edition: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LabServer]:
    """JupyterLab over a copy of the learner edition, configured like the Binder image.

    Its settings render every cell (``windowingMode: none``), so the layout check measures
    outputs that are off screen too; its workspace and settings live in a temporary folder.
    """
    home = tmp_path_factory.mktemp("lab")
    root = home / "course"
    shutil.copytree(learner_edition, root)
    settings = home / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    env = {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
    }
    token = secrets.token_hex(16)
    process, port = start_lab(root, token, timeout=120, env=env)
    try:
        yield LabServer(process, port, token, root)
    finally:
        stop_voila(process)
