"""Integrity: ``bpscare autograde`` killed with SIGKILL halfway, then re-run, loses nothing.

The gradebook is written one transaction per submission, and ``autograded/`` through a
temporary folder and a rename, so a run killed at any moment leaves only complete submissions;
re-running grades the rest, and re-running again changes nothing.
"""

from __future__ import annotations

import contextlib
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

COUNT = 16
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


def snapshot(course: Path, learners: set[str]) -> tuple:
    """Everything a re-run could change: scores, row counts, autograded files and outputs."""
    db = course / "gradebook.db"
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        counts = {
            table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("student", "submitted_assignment", "submitted_notebook", "grade")
        }
    return (
        gradebook_scores(db),
        counts,
        sorted(tree_hashes(course / "autograded")),
        {learner: notebook_outputs(course, learner) for learner in learners},
    )


@pytest.fixture(scope="module")
def cohort_courses(built_course, tmp_path_factory):
    """Two copies of one cohort; the "clean" one graded once, start to finish."""
    tmp = tmp_path_factory.mktemp("integrity")
    killed = copy_course(built_course, tmp / "killed")
    clean = copy_course(built_course, tmp / "clean")
    learners = add_cohort(killed, COUNT)
    assert add_cohort(clean, COUNT) == learners
    run_cli(clean)
    assert graded_learners(clean / "gradebook.db") == set(learners)
    return killed, clean, set(learners), snapshot(clean, set(learners))


def leftover_processes(course: Path, session: int) -> list[int]:
    """Live processes of a killed run: in its session, or with ``course`` on their command line."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        state, sid = fields[0], int(fields[3])
        if (str(course) in cmdline or sid == session) and state != "Z":
            found.append(int(entry.name))
    return found


def kill_halfway(course: Path, learners: set[str], pause: float) -> bool:
    """Start a run, SIGKILL it once a new submission is graded (plus ``pause``); True if killed."""
    db = course / "gradebook.db"
    already = len(graded_learners(db))
    process = subprocess.Popen(
        bpscare_command(course, "--workers", "1"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and process.poll() is None:
            if len(graded_learners(db)) > already:
                break
            time.sleep(0.005)
        time.sleep(pause)
        if process.poll() is not None:
            return False
        os.kill(process.pid, signal.SIGKILL)  # the grading process only, as the OOM killer would
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
    deadline = time.monotonic() + 15
    while leftover_processes(course, process.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    orphans = leftover_processes(course, process.pid)
    for pid in orphans:  # they are this test's own grandchildren: clean up, then fail
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    assert orphans == [], "grading processes outlived the killed run"
    return True


def test_sigkill_halfway_then_rerun_loses_and_duplicates_nothing(cohort_courses):
    """After SIGKILLs mid-run and a re-run, are all grades present once and equal to a clean run?"""
    killed, clean, learners, _ = cohort_courses
    db = killed / "gradebook.db"
    kills = 0
    # four kills: three the moment a new grade is committed (the riskiest moment: the grade is in
    # the gradebook, is the autograded folder in place too?), one a little later
    for pause in (0.0, 0.0, 0.0, 0.13):
        if not kill_halfway(killed, learners, pause):
            break
        kills += 1
        with_grades = graded_learners(db)
        assert len(with_grades) < len(learners), "the run finished before it was killed"
        assert_consistent(killed, learners)
        for learner in with_grades:  # a graded learner's autograded notebook is in place
            notebook = killed / "autograded" / learner / ASSIGNMENT / NOTEBOOK
            assert notebook.is_file(), (
                f"after kill {kills}: {learner} is graded in the gradebook but has no autograded "
                "notebook (grades committed before the autograded folder was in place)"
            )
    assert kills >= 1, "no run could be killed halfway"

    run_cli(killed)
    assert graded_learners(db) == learners
    assert_consistent(killed, learners)
    assert gradebook_scores(db) == gradebook_scores(clean / "gradebook.db")
    assert set(tree_hashes(killed / "autograded")) == set(tree_hashes(clean / "autograded"))
    for learner in learners:
        assert notebook_outputs(killed, learner) == notebook_outputs(clean, learner), learner


def test_rerunning_is_idempotent(cohort_courses):
    """Does grading a fully graded course twice more change no score, row or output?"""
    _, clean, learners, first = cohort_courses
    for _ in range(2):
        run_cli(clean)
        assert snapshot(clean, learners) == first
    assert first[1]["submitted_assignment"] == len(learners)
    assert first[1]["grade"] == len(learners) * 5  # four tests cells and the reflection task
