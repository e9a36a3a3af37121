"""Repository rules: text notebooks only, secrets only where they belong, one config file."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CONTENT = ("course", "modules", "assignments", "autograders", "binder")
pytestmark = pytest.mark.content


def tracked_files() -> list[Path]:
    """Files git tracks, plus untracked ones it does not ignore (a fresh checkout has these)."""
    result = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        return [p.relative_to(REPO) for p in REPO.rglob("*") if p.is_file()]
    return [Path(line) for line in result.stdout.splitlines() if (REPO / line).is_file()]


def test_no_ipynb_in_content_folders():
    """Are notebooks committed only as text (jupytext), never as .ipynb?"""
    bad = [p for p in tracked_files() if p.suffix == ".ipynb"]
    assert bad == []


def test_no_solution_markers_outside_assignments_and_autograders():
    pattern = re.compile(r"BEGIN (SOLUTION|HIDDEN TESTS|MARK SCHEME)|LEAK-CANARY")
    bad = []
    for rel in tracked_files():
        public = rel.parts[0] in ("modules", "course", "binder")
        if public and rel.suffix in (".md", ".py", ".txt"):
            text = (REPO / rel).read_text(encoding="utf-8", errors="replace")
            bad += [rel] if pattern.search(text) else []
    assert bad == []


def test_no_generated_output_committed():
    generated = re.compile(r"(^|/)(_build|release|autograded|feedback|submitted)/|gradebook\.db$")
    # the feedback page's template must sit in a folder named like nbgrader's ("feedback")
    template = "src/bpscare/data/feedback_templates/feedback/"
    found = [p for p in tracked_files() if generated.search(p.as_posix())]
    assert [p for p in found if not p.as_posix().startswith(template)] == []


def test_pyproject_is_the_only_config_file():
    others = ["setup.cfg", "setup.py", "tox.ini", "pytest.ini", ".ruff.toml", "ruff.toml"]
    assert [name for name in others if (REPO / name).exists()] == []


def test_every_solution_region_has_a_canary():
    """Does every solution region in assignments/ carry a LEAK-CANARY inside it (STYLE §5.2)?"""
    missing = []
    for path in sorted((REPO / "assignments").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        regions = re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", text, re.S)
        if regions and not any("LEAK-CANARY" in region for region in regions):
            missing.append(path.relative_to(REPO))
    assert missing == []
