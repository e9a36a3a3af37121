"""The learner environment as Binder builds it: a fresh venv from binder/, rendering one app.

repo2docker installs ``binder/requirements.txt`` and runs ``binder/postBuild``, which installs
the bpscare wheel that ``bpscare build`` put in ``binder/wheels/``. This test does the same in a
fresh virtual environment (pip may use the package index), then serves the learner edition with
that environment's Voila and renders the screener app over HTTP. Slow (minutes): one app only.
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from bpscare.authoring.build import Project, build
from bpscare.serve import app_url, start_voila, stop_voila

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
APP = "screener"


def _run(command: list[str], *, cwd: Path, env: dict[str, str], timeout: float) -> str:
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{tail}"
    return result.stdout


def _clean_env(venv: Path, home: Path) -> dict[str, str]:
    """An environment that sees only the fresh venv (no PYTHONPATH, no outer Jupyter paths)."""
    drop = {"PYTHONPATH", "JUPYTER_PATH", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "VIRTUAL_ENV"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    env["JUPYTER_CONFIG_DIR"] = str(home / "config")
    env["JUPYTER_DATA_DIR"] = str(home / "data")
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def test_fresh_binder_env_renders_an_app(tmp_path):
    learner = build(Project(REPO), tmp_path / "_build").out / "learner"
    wheels = sorted((learner / "binder" / "wheels").glob("bpscare-*.whl"))
    assert len(wheels) == 1, "the learner edition must carry exactly one bpscare wheel"

    venv = tmp_path / "binder-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    env = _clean_env(venv, tmp_path / "jupyter")
    python = venv / "bin" / "python"
    _run(
        [str(python), "-m", "pip", "install", "-q", "-r", "binder/requirements.txt"],
        cwd=learner,
        env=env,
        timeout=1500,
    )
    # postBuild exactly as repo2docker runs it: from the repository root, `pip` on PATH.
    _run(["bash", "binder/postBuild"], cwd=learner, env=env, timeout=300)

    where = _run(
        [
            str(python),
            "-c",
            "import bpscare, importlib.util as u; print(bpscare.__file__); "
            "print(u.find_spec('nbgrader') is None)",
        ],
        cwd=tmp_path,
        env=env,
        timeout=60,
    ).split()
    assert where[0].startswith(str(venv)), f"bpscare imported from {where[0]}, not the venv"
    assert where[1] == "True", "nbgrader (instructor-only) must not be in the learner image"

    process, port = start_voila(learner, preheat=False, timeout=180, python=python, env=env)
    try:
        with urllib.request.urlopen(app_url(port, APP), timeout=180) as response:
            status = response.status
            page = response.read().decode("utf-8", errors="replace")
    finally:
        stop_voila(process)
    assert status == 200
    assert "There was an error when executing cell" not in page
    assert "application/vnd.jupyter.widget-view+json" in page
    assert "from bpscare.api import" not in page  # sources stripped
