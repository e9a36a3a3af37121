"""Fixtures for real-browser tests: a built learner edition served by Voila, Debian's chromium.

The browser is Debian's ``/usr/bin/chromium`` driven by pip's Playwright; no browser is ever
downloaded. axe-core (npm) is installed into ``.ci/node`` by ``.ci/run``; when it is missing
here, the same npm command is run once. The tests are skipped only when chromium is missing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bpscare.authoring.build import Project, build
from bpscare.serve import start_voila, stop_voila
from support.browser import CHROMIUM

REPO = Path(__file__).resolve().parents[2]
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the browser tests, and only them, when Debian's chromium is not installed."""
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing (CI installs Debian's chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def learner_edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real course built once (no wheel, for speed); its learner edition folder."""
    out = tmp_path_factory.mktemp("browser") / "_build"
    return build(Project(REPO), out, learner_wheel=False).out / "learner"


@pytest.fixture(scope="session")
def voila_port(learner_edition: Path) -> Iterator[int]:
    """Voila serving the learner edition on a free loopback port, stopped after the session.

    Kernels are not preheated here: every page load runs its app notebook from scratch, which
    is the path that can fail; the preheat path is measured by benchmarks/bench_preheat.py.
    """
    process, port = start_voila(learner_edition, preheat=False, timeout=120)
    try:
        yield port
    finally:
        stop_voila(process)
