"""Integrity: ``bpscare autograde`` killed with SIGKILL halfway, then re-run, loses nothing.

The gradebook is written one transaction per submission, and ``autograded/`` through a
temporary folder and a rename, so a run killed at any moment leaves only complete submissions;
re-running grades the rest, and re-running again changes nothing.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cohort import (
    ASSIGNMENT,
    NOTEBOOK,
    add_cohort,
    copy_course,
    gradebook_scores,
    notebook_outputs,
    tree_hashes,
)

pytestmark = pytest.mark.e2e

COUNT = 24
TEST_CELLS = (
    "a01_q1_phq9_total_tests",
    "a01_q2_bands_tests",
    "a01_q3_safety_tests",
    "a01_q4_library_tests",
)


def bpscare_command(course: Path, *extra: str) -> list[str]:
    script = Path(sys.executable).parent / "bpscare"
    return [str(script), "autograde", ASSIGNMENT, "--course", str(course), *extra]


def run_cli(course: Path, *extra: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        bpscare_command(course, *extra), capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def graded_learners(db: Path) -> set[str]:
    """Learners with every tests cell scored (auto_score not NULL) in the gradebook."""
    if not db.exists():
        return set()
    try:
        scores = gradebook_scores(db)
    except sqlite3.Error:
        return set()
    learners = {learner for learner, _ in scores}
    return {
        learner
        for learner in learners
        if all(scores.get((learner, cell)) is not None for cell in TEST_CELLS)
    }


def assert_consistent(course: Path, learners: set[str]) -> None:
    """No duplicate rows; every submission in the gradebook is complete; the DB is sound."""
    db = course / "gradebook.db"
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert (
            conn.execute(
                "SELECT student_id, assignment_id, COUNT(*) FROM submitted_assignment "
                "GROUP BY student_id, assignment_id HAVING COUNT(*) > 1"
            ).fetchall()
            == []
        )
        assert (
            conn.execute(
                "SELECT notebook_id, cell_id, COUNT(*) FROM grade "
                "GROUP BY notebook_id, cell_id HAVING COUNT(*) > 1"
            ).fetchall()
            == []
        )
    scores = gradebook_scores(db)
    in_db = {learner for learner, _ in scores}
    assert in_db <= learners
    for learner in in_db:
        cells = {cell: score for (who, cell), score in scores.items() if who == learner}
        # a submission that is in the gradebook has all of its tests cells scored: no half rows
        assert all(cells.get(cell) is not None for cell in TEST_CELLS), (learner, cells)


@pytest.fixture(scope="module")
def cohort_courses(built_course, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("integrity")
    killed = copy_course(built_course, tmp / "killed")
    clean = copy_course(built_course, tmp / "clean")
    learners = add_cohort(killed, COUNT)
    assert add_cohort(clean, COUNT) == learners
    return killed, clean, set(learners)


def test_sigkill_halfway_then_rerun_loses_and_duplicates_nothing(cohort_courses):
    """After SIGKILL mid-run and a re-run, are all grades present once and equal to a clean run?"""
    killed, clean, learners = cohort_courses
    db = killed / "gradebook.db"

    process = subprocess.Popen(
        bpscare_command(killed, "--workers", "1"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        done: set[str] = set()
        while time.monotonic() < deadline and process.poll() is None:
            done = graded_learners(db)
            if done:
                break
            time.sleep(0.02)
        assert process.poll() is None, "the run finished before it could be killed halfway"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
    time.sleep(0.5)  # let its workers notice their parent is gone
    with_grades = graded_learners(db)
    assert 0 < len(with_grades) < len(learners), f"killed after {len(with_grades)} submissions"
    assert_consistent(killed, learners)
    for learner in with_grades:  # a graded learner's autograded notebook is complete
        assert (killed / "autograded" / learner / ASSIGNMENT / NOTEBOOK).is_file()

    run_cli(killed)
    run_cli(clean)
    assert graded_learners(db) == learners
    assert_consistent(killed, learners)
    assert gradebook_scores(db) == gradebook_scores(clean / "gradebook.db")
    assert set(tree_hashes(killed / "autograded")) == set(tree_hashes(clean / "autograded"))
    for learner in learners:
        assert notebook_outputs(killed, learner) == notebook_outputs(clean, learner), learner


def test_rerunning_is_idempotent(cohort_courses):
    """Does grading a fully graded course twice more change no score, row or output?"""
    _, clean, learners = cohort_courses
    db = clean / "gradebook.db"
    if graded_learners(db) != learners:
        run_cli(clean)
    snapshots = []
    for _ in range(2):
        run_cli(clean)
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            counts = {
                table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                for table in ("student", "submitted_assignment", "submitted_notebook", "grade")
            }
        snapshots.append(
            (
                gradebook_scores(db),
                counts,
                sorted(tree_hashes(clean / "autograded")),
                {learner: notebook_outputs(clean, learner) for learner in learners},
            )
        )
    assert snapshots[0] == snapshots[1]
    assert snapshots[0][1]["submitted_assignment"] == len(learners)
    assert graded_learners(db) == learners
