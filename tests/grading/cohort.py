"""A deterministic cohort of ordinary a01-screening submissions for the scale and integrity tests.

Profiles cycle through: complete, blank, each documented misconception, and partly right (one
answer cell left as released). Everything is built from the course's own release and source,
exactly as a learner's edited notebook would be. The assignment is the code version of a01 in
tests/fixtures/code_project.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import nbformat

from bpscare.authoring import simulated_submissions

#: the code version of a01 (learner functions), frozen for the engine's tests
CODE_PROJECT = Path(__file__).resolve().parents[1] / "fixtures" / "code_project"
ASSIGNMENT = "a01-screening"
NOTEBOOK = "a01-screening.ipynb"
SUBMITTED_AT = dt.datetime(2027, 2, 14, 9, 30, tzinfo=dt.UTC)


def profiles(release: nbformat.NotebookNode) -> list[tuple[str, dict[str, str]]]:
    """Return (profile name, answers) for every profile, in a fixed order."""
    ids = list(simulated_submissions.answer_cells(release))
    solution = dict.fromkeys(ids, simulated_submissions.SOLUTION_ANSWER)
    found = [("complete", solution), ("blank", {})]
    for mistake in simulated_submissions.load_misconceptions(
        CODE_PROJECT / "autograders" / ASSIGNMENT / "misconceptions.yaml"
    ):
        found.append((mistake.id, {**solution, **mistake.answers}))
    for skipped in ids:
        found.append((f"without-{skipped}", {k: v for k, v in solution.items() if k != skipped}))
    return found


def copy_course(built_code_course, dest: Path) -> Path:
    """Copy a built course (the ``built_code_course`` fixture's) to ``dest`` and return it."""
    shutil.copytree(Path(built_code_course.out) / "course", dest)
    return dest


def add_cohort(course: Path, count: int, prefix: str = "learner") -> dict[str, str]:
    """Write ``count`` submissions into ``course/submitted``; return learner id → profile."""
    release = nbformat.read(str(course / "release" / ASSIGNMENT / NOTEBOOK), as_version=4)
    source = nbformat.read(str(course / "source" / ASSIGNMENT / NOTEBOOK), as_version=4)
    options = profiles(release)
    made = {}
    for index in range(count):
        name, answers = options[index % len(options)]
        learner = f"{prefix}-{index + 1:03d}"
        nb = simulated_submissions.fill_release(
            release, source, answers, reflection="My reflection."
        )
        simulated_submissions.write_submission(
            course,
            learner,
            ASSIGNMENT,
            {NOTEBOOK: nb},
            SUBMITTED_AT - dt.timedelta(minutes=index),
        )
        made[learner] = name
    return made


def gradebook_scores(db: Path) -> dict[tuple[str, str], float | None]:
    """(learner, grade cell) → auto score, read straight from an SQLite gradebook."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute(
            "SELECT s.student_id, c.name, g.auto_score FROM grade g "
            "JOIN submitted_notebook n ON g.notebook_id = n.id "
            "JOIN submitted_assignment s ON n.assignment_id = s.id "
            "JOIN base_cell c ON g.cell_id = c.id"
        ).fetchall()
    return {(student, cell): score for student, cell, score in rows}


def tree_hashes(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Relative path → sha256 of each file under ``folder`` (top-level ``skip`` names left out)."""
    found = {}
    if not folder.exists():
        return found
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if rel.parts[0] in skip:
            continue
        if path.is_file():
            found[str(rel)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def notebook_outputs(course: Path, learner: str) -> list:
    """The outputs of every cell of a learner's autograded notebook (for idempotence checks).

    A widget's model id is a fresh random UUID on every execution (under nbgrader too), so it is
    blanked; everything else must be identical from run to run.
    """
    path = course / "autograded" / learner / ASSIGNMENT / NOTEBOOK
    nb = nbformat.read(str(path), as_version=4)
    found = []
    for cell in nb.cells:
        outputs = json.loads(json.dumps(cell.get("outputs", [])))
        for output in outputs:
            view = output.get("data", {}).get(WIDGET_VIEW)
            if isinstance(view, dict) and "model_id" in view:
                view["model_id"] = "<widget>"
        found.append(outputs)
    return found
