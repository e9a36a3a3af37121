"""Fixtures of the hub tests: a built course on a real JupyterHub on loopback.

The course is the code-assignment fixture (a01-screening with learner functions, under
tests/fixtures/code_project), so the hub grades learner code whatever the real course's a01 asks.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import MAX_GRADINGS, Hub


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory, built_code_course) -> Iterator[Hub]:
    """JupyterHub with the built course in the instructor's home; stopped after the module."""
    root = tmp_path_factory.mktemp("hub")
    running = Hub(root, built_code_course.out / "course", max_gradings=MAX_GRADINGS)
    running.start()
    try:
        yield running
    finally:
        running.stop()
        print(running.log_tail(200))  # shown by pytest when a test of the module failed
