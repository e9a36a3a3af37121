"""Shared fixtures: the repository, fixture projects, and session-scoped builds.

``code_project`` is the code version of a01-screening (learner functions such as phq9_total),
frozen under tests/fixtures/code_project: the grading engine's tests (nbgrader agreement,
red team, Dask, PostgreSQL, integrity, hub, benchmarks) grade learner code there, whatever the
real course's a01 asks.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bpscare.authoring.build import Project, build
from bpscare.authoring.build import secret_fragments as course_secret_fragments
from bpscare.nbgrader_course import ensure_tools_on_path

pytest_plugins = ["support.postgres", "support.browser"]

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CODE_PROJECT = FIXTURES / "code_project"

ensure_tools_on_path()


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def real_project() -> Project:
    return Project(REPO)


@pytest.fixture
def tiny_project(tmp_path: Path) -> Project:
    """A fresh, writable copy of the tiny fixture project."""
    root = tmp_path / "tiny_project"
    shutil.copytree(FIXTURES / "tiny_project", root)
    return Project(root)


@pytest.fixture(scope="session")
def built_tiny(tmp_path_factory: pytest.TempPathFactory):
    """The tiny fixture project, built once per session."""
    root = tmp_path_factory.mktemp("tiny") / "tiny_project"
    shutil.copytree(FIXTURES / "tiny_project", root)
    return build(Project(root), root / "_build")


@pytest.fixture(scope="session")
def built_course(tmp_path_factory: pytest.TempPathFactory, real_project: Project):
    """The real course, built once per session into a temporary folder."""
    return build(real_project, tmp_path_factory.mktemp("real") / "_build")


@pytest.fixture(scope="session")
def secret_fragments(real_project: Project) -> list[str]:
    """Solution lines, hidden checks and autograder text that nothing learner-facing may hold."""
    return sorted({f.text for f in course_secret_fragments(real_project)})


@pytest.fixture(scope="session")
def code_project() -> Project:
    """The code-assignment fixture project (a01-screening with learner functions); read-only."""
    return Project(CODE_PROJECT)


@pytest.fixture(scope="session")
def built_code_course(tmp_path_factory: pytest.TempPathFactory, code_project: Project):
    """The code-assignment fixture project, built once per session into a temporary folder."""
    return build(code_project, tmp_path_factory.mktemp("code") / "_build")


@pytest.fixture(scope="session")
def code_secret_fragments(code_project: Project) -> list[str]:
    """What no learner-facing file of the code fixture may hold (its solutions, hidden checks)."""
    return sorted({f.text for f in course_secret_fragments(code_project)})
