"""Fixtures of the hub tests: a built course on a real JupyterHub on loopback.

The course is the real course (built once per session): learners answer a01's choice cells.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import MAX_GRADINGS, Hub


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory, built_course) -> Iterator[Hub]:
    """JupyterHub with the built course in the instructor's home; stopped after the module."""
    root = tmp_path_factory.mktemp("hub")
    running = Hub(root, built_course.out / "course", max_gradings=MAX_GRADINGS)
    running.start()
    try:
        yield running
    finally:
        running.stop()
        print(running.log_tail(200))  # shown by pytest when a test of the module failed
