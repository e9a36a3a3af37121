"""Fixtures for the competency-report tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from gradebooks import make_course


@pytest.fixture(scope="session")
def small_course(tmp_path_factory) -> Path:
    """The course folder, built once per session (tests copy it before changing it)."""
    return make_course(tmp_path_factory.mktemp("competency") / "course")
