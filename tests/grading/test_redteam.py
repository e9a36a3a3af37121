"""The red-team corpus, graded in ONE engine run with the honest controls beside it.

Every hostile submission in ``tests/grading/redteam/*.yaml`` must get exactly the points its
file states (per tests cell), flagged submissions must carry a reason, and the course (its
files, its gradebook apart from the grades recorded, other learners' work) must be untouched.
"""

from __future__ import annotations

import csv
import faulthandler
import hashlib
import json
import os
import re
import shutil
import socket
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
from cohort import gradebook_scores
from redteam.corpus import (
    ASSIGNMENT,
    FULL,
    NOTEBOOK,
    PROJECT,
    TEST_CELLS,
    Case,
    build_submission,
    controls,
    expected_scores,
)
from redteam.corpus import load_cases as load_corpus

from bpscare.errors import BpscareError
from bpscare.grading.zygote import bwrap_works

pytestmark = pytest.mark.e2e

CASES = load_corpus()
TIMEOUT_CELL = 4.0
WATCHDOG_SECONDS = 900
FLAG_REPORT = f"reports/autograde-flags-{ASSIGNMENT}.csv"
#: every Safety bullet of issue 8 → a phrase that must appear in some case's ``attack``
SAFETY_BULLETS = {
    "edit locked/test cells or checksums": "checksums",
    "delete cells": "deleting",
    "duplicate cells": "duplicating",
    "retype cells": "retyping",
    "redefine helpers": "redefining the helpers",
    "math.isclose": "math.isclose",
    "numpy.testing / unittest": "numpy.testing",
    "builtins": "builtins",
    "lying __eq__": "__eq__",
    "lying __bool__": "__bool__",
    "lying __float__": "__float__",
    "lying __len__": "__len__",
    "showtraceback": "showtraceback",
    "fake success text": "fake success",
    "os._exit": "os._exit",
    "sys.exit": "sys.exit",
    "crashing kernel": "crashing kernel",
    "infinite loop": "infinite loop",
    "memory bomb": "memory bomb",
    "fork bomb": "fork bomb",
    "read source/": "source/",
    "read autograders/": "autograders/",
    "read gradebook": "reading the gradebook",
    "write gradebook": "writing to the gradebook",
    "write outside folder": "outside its own folder",
    "network": "network access",
    "gigantic output": "gigantic outputs",
    "malformed JSON": "malformed JSON",
    "wrong nbformat": "nbformat version",
    "not a notebook": "not one",
}
#: set in the grader's environment during the run (as a database password and a hub token are)
SECRETS = {
    "PGPASSWORD": "REDTEAM-SECRET-pg-password",
    "JUPYTERHUB_API_TOKEN": "REDTEAM-SECRET-hub-token",
}
# Paths in the course the engine may write; everything else must be byte-identical afterwards.
WRITABLE = (
    "autograded",
    "reports",
    "gradebook.db",
    "gradebook.db-journal",
    "gradebook.db-wal",
    "gradebook.db-shm",
)
# Gradebook tables that hold the assignment's definition (hidden tests included): never touched.
DEFINITION_TABLES = (
    "assignment",
    "notebook",
    "base_cell",
    "grade_cells",
    "solution_cells",
    "source_cell",
    "task_cells",
    "course",
)


@dataclass
class RedTeamRun:
    course: Path
    marker: Path
    cases: list[Case]
    run: object
    seconds: float
    before_files: dict[str, str]
    after_files: dict[str, str]
    before_tables: dict[str, list]
    after_tables: dict[str, list]
    connections: list[bytes] = field(default_factory=list)
    scores: dict[str, dict[str, float]] = field(default_factory=dict)
    manual: list[tuple] = field(default_factory=list)

    def result(self, student: str):
        found = [r for r in self.run.results if r.student == student]
        assert len(found) == 1, f"{student}: {len(found)} results"
        return found[0]


class Listener:
    """A TCP server on 127.0.0.1 (or a unix-socket server) that records every connection."""

    def __init__(self, unix_path: Path | None = None) -> None:
        if unix_path is None:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.sock.bind(("127.0.0.1", 0))
            self.port = self.sock.getsockname()[1]
        else:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.bind(str(unix_path))
            unix_path.chmod(0o777)  # as PostgreSQL's socket: anyone may connect
            self.port = 0
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.received: list[bytes] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.received.append(conn.recv(1024) or b"<connected>")
                except OSError:
                    self.received.append(b"<connected>")

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=2)
        self.sock.close()


def file_hashes(course: Path) -> dict[str, str]:
    hashes = {}
    for path in sorted(course.rglob("*")):
        rel = path.relative_to(course)
        if rel.parts[0] in WRITABLE:
            continue
        if path.is_symlink():
            hashes[str(rel)] = "symlink:" + str(path.readlink())
        elif path.is_file():
            hashes[str(rel)] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif path.is_dir():
            hashes[str(rel)] = "dir"
    return hashes


def table_rows(db: Path) -> dict[str, list]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return {
            table: sorted(map(repr, conn.execute(f"SELECT * FROM {table}").fetchall()))
            for table in DEFINITION_TABLES
        }


@pytest.fixture(scope="module")
def redteam(built_code_course, tmp_path_factory) -> RedTeamRun:
    from bpscare.grading import autograde

    tmp = tmp_path_factory.mktemp("redteam")
    course = tmp / "course"
    shutil.copytree(built_code_course.out / "course", course)
    project = tmp / "project"
    shutil.copytree(PROJECT / "autograders", project / "autograders")
    marker = tmp / "MARKER-must-never-exist"
    listener = Listener()
    unix_listener = Listener(tmp / "host.sock")
    context = {
        "unixsock": str(tmp / "host.sock"),
        "course": str(course),
        "project": str(project),
        "marker": str(marker),
        "port": str(listener.port),
        "peer": "rt-control-complete",
    }
    cases = controls() + CASES
    for case in cases:
        build_submission(case, course, context)
    before_files = file_hashes(course)
    before_tables = table_rows(course / "gradebook.db")
    start = time.perf_counter()
    # A hostile submission that stalls the grader must fail this run, not hang it forever.
    faulthandler.dump_traceback_later(WATCHDOG_SECONDS, exit=True)
    saved = {k: os.environ.get(k) for k in SECRETS}
    os.environ.update(SECRETS)  # the grader's own secrets: learner code must never see them
    try:
        run = autograde(course, ASSIGNMENT, timeout_cell=TIMEOUT_CELL, workers=2)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        faulthandler.cancel_dump_traceback_later()
        seconds = time.perf_counter() - start
        time.sleep(0.3)
        listener.close()
        unix_listener.close()
    scores: dict[str, dict[str, float]] = {}
    for (student, cell), score in gradebook_scores(course / "gradebook.db").items():
        scores.setdefault(student, {})[cell] = 0.0 if score is None else float(score)
    with sqlite3.connect(f"file:{course / 'gradebook.db'}?mode=ro", uri=True) as conn:
        manual = conn.execute(
            "SELECT id, manual_score, extra_credit FROM grade "
            "WHERE manual_score IS NOT NULL OR extra_credit IS NOT NULL"
        ).fetchall()
    print(f"\nred-team run: {len(cases)} submissions graded in {seconds:.1f} s")
    return RedTeamRun(
        course=course,
        marker=marker,
        cases=cases,
        run=run,
        seconds=seconds,
        before_files=before_files,
        after_files=file_hashes(course),
        before_tables=before_tables,
        after_tables=table_rows(course / "gradebook.db"),
        connections=listener.received + unix_listener.received,
        scores=scores,
        manual=manual,
    )


def test_the_corpus_has_25_hostile_submissions_covering_every_safety_bullet():
    """Does the corpus hold at least 25 hostile cases, with every Safety bullet exercised?"""
    hostile = [c for c in CASES if c.attack != "control"]
    assert len(hostile) >= 25
    attacks = " | ".join(c.attack for c in hostile)
    missing = [bullet for bullet, phrase in SAFETY_BULLETS.items() if phrase not in attacks]
    assert missing == []
    assert len({c.student for c in CASES}) == len(CASES)


def test_full_marks_come_from_the_grade_cells_tags():
    """Are the corpus's full marks the points of a01's tests cells, read from their tags?"""
    from bpscare.authoring import textnb

    path = PROJECT / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.py"
    nb = textnb.expand_grading(textnb.read_text_notebook(path), path)
    tags = {c.grade_id: c.points for c in textnb.grade_cells(nb, NOTEBOOK) if c.kind == "tests"}
    assert tags == TEST_CELLS
    complete = next(c for c in controls() if c.name == "control-complete")
    assert complete.expected == TEST_CELLS


def test_the_corpus_loader_resolves_full_and_keeps_partial_scores():
    """Does ``full`` become the cell's points while a partial score stays as written?"""
    first, *rest = sorted(TEST_CELLS)
    spec = {first: 0.5, **dict.fromkeys(rest, FULL)}
    assert expected_scores("x.yaml", spec) == {first: 0.5, **{g: TEST_CELLS[g] for g in rest}}


@pytest.mark.parametrize(
    ("change", "phrase"),
    [
        ({"value": "ful"}, "unknown keyword 'ful'"),
        ({"value": "max"}, "unknown keyword 'max'"),
        ({"value": True}, "neither 'full' nor a number"),
        ({"value": None}, "neither 'full' nor a number"),
        ({"above": 0.01}, "outside 0.."),
        ({"value": -1}, "outside 0.."),
        ({"above": 0}, "write 'full' for full marks"),
        ({"drop": True}, "must list exactly"),
        ({"extra": True}, "must list exactly"),
    ],
)
def test_the_corpus_loader_fails_loudly_on_a_bad_score(change, phrase):
    """Is an unknown keyword, a score above the cell's points or a missing cell an error?"""
    first = sorted(TEST_CELLS)[0]
    spec: dict = dict.fromkeys(TEST_CELLS, FULL)
    if "value" in change:
        spec[first] = change["value"]
    if "above" in change:
        spec[first] = TEST_CELLS[first] + change["above"]
    if "drop" in change:
        del spec[first]
    if "extra" in change:
        spec["a01_q9_unknown_tests"] = 0
    with pytest.raises(ValueError, match=r"x\.yaml") as excinfo:
        expected_scores("x.yaml", spec)
    assert phrase in str(excinfo.value)


def test_every_submission_is_graded_exactly_once(redteam):
    """Is every learner in the run's results exactly once, controls included?"""
    students = [r.student for r in redteam.run.results]
    assert sorted(students) == sorted(c.student for c in redteam.cases)


ALL_IDS = [c.name for c in controls()] + [c.name for c in CASES]


@pytest.mark.parametrize("name", ALL_IDS)
def test_each_submission_gets_exactly_its_expected_score(redteam, name):
    """Does each submission get exactly the points its corpus file states, per tests cell?"""
    case = next(c for c in redteam.cases if c.name == name)
    if case.needs_sandbox and bwrap_works():
        pytest.skip(f"{name} needs the bwrap sandbox: {bwrap_works()}")
    result = redteam.result(case.student)
    recorded = redteam.scores.get(case.student, {})
    got = {cell: recorded.get(cell, 0.0) for cell in TEST_CELLS}
    assert got == pytest.approx(case.expected, abs=0.005), (
        f"{name}: got {got}, expected {case.expected}; flags={result.flags} error={result.error}"
    )
    assert float(result.score) == pytest.approx(case.total, abs=0.005)
    if case.notebook is None:
        # a gradable notebook: every tests cell has a grade row (0 or more) in the gradebook
        assert set(TEST_CELLS) <= set(recorded), f"{name}: grades recorded for {sorted(recorded)}"
    assert set(recorded) <= {*TEST_CELLS, "a01_q5_reflection"}, f"{name}: {sorted(recorded)}"


@pytest.mark.parametrize("name", ALL_IDS)
def test_flags_and_reasons_are_as_expected(redteam, name):
    """Is each hostile submission that must be flagged flagged with a reason, and no control?"""
    case = next(c for c in redteam.cases if c.name == name)
    result = redteam.result(case.student)
    flags = list(result.flags)
    if case.flagged is True:
        assert flags, f"{name}: no flag"
        assert all(isinstance(f, str) and len(f.strip()) >= 10 for f in flags), flags
    elif case.flagged is False:
        assert flags == [], f"{name}: unexpected flags {flags}"
        assert not result.error, f"{name}: unexpected error {result.error}"


def test_the_flag_report_lists_every_flagged_submission(redteam):
    """Does the instructor's flag report hold exactly the flagged learners, with their reasons?"""
    with (redteam.course / FLAG_REPORT).open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    reported: dict[str, list[str]] = {}
    for row in rows:
        reported.setdefault(row["student"], []).append(row["flag"])
    flagged = {r.student: list(r.flags) for r in redteam.run.results if r.flags}
    assert reported == flagged


def test_the_autograded_tree_holds_only_what_nbgrader_expects(redteam):
    """Is autograded/ exactly <learner>/a01-screening/ folders, with no temp or report files?"""
    autograded = redteam.course / "autograded"
    students = {c.student for c in redteam.cases}
    assert {p.name for p in autograded.iterdir()} <= students
    for folder in autograded.iterdir():
        assert [p.name for p in folder.iterdir()] == [ASSIGNMENT], folder
        names = {p.name for p in (folder / ASSIGNMENT).iterdir()}
        assert NOTEBOOK in names, folder
        assert not any(n.startswith(".") or n.endswith((".tmp", ".partial")) for n in names)


def test_course_files_are_untouched(redteam):
    """Are source/, release/, submitted/, the config and everything else byte-identical?"""
    assert redteam.after_files == redteam.before_files


def test_gradebook_definitions_are_untouched_and_no_manual_grades_appear(redteam):
    """Are the assignment's cells, sources and points unchanged, and no manual score written?"""
    for table in DEFINITION_TABLES:
        assert redteam.after_tables[table] == redteam.before_tables[table], table
    assert redteam.manual == []
    with sqlite3.connect(f"file:{redteam.course / 'gradebook.db'}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        duplicates = conn.execute(
            "SELECT notebook_id, cell_id, COUNT(*) FROM grade GROUP BY notebook_id, cell_id "
            "HAVING COUNT(*) > 1"
        ).fetchall()
        assert duplicates == []
        students = {row[0] for row in conn.execute("SELECT id FROM student")}
        assert students <= {c.student for c in redteam.cases}
        per_student = conn.execute(
            "SELECT student_id, COUNT(*) FROM submitted_assignment GROUP BY student_id "
            "HAVING COUNT(*) > 1"
        ).fetchall()
        assert per_student == []


def test_nothing_escaped_the_sandbox(redteam):
    """Did no pickle payload run, no connection reach the test's server, no file get planted?"""
    assert not redteam.marker.exists()
    assert redteam.connections == []
    assert not (redteam.course / "autograded" / "planted.txt").exists()
    assert not (redteam.course.parent / "planted.txt").exists()


def _outputs_text(path: Path) -> str:
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception:  # not a notebook (a hostile file kept as submitted): check all of it
        return path.read_bytes().decode("utf-8", "replace")
    return json.dumps([cell.get("outputs", []) for cell in nb.cells])


def test_no_solution_or_hidden_test_leaks_into_any_output(redteam):
    """Does no autograded notebook's output show a canary, a solution or hidden test code?"""
    notebooks = sorted((redteam.course / "autograded").glob(f"*/{ASSIGNMENT}/{NOTEBOOK}"))
    assert notebooks
    solution_canary = re.compile(r"LEAK-CANARY a01_q\d(?!_hidden)")
    for path in notebooks:
        # hidden tests belong in the autograded tests cells; solutions never do
        assert not solution_canary.search(path.read_bytes().decode("utf-8", "replace")), path
        text = _outputs_text(path)
        for secret in (
            "LEAK-CANARY",
            "BEGIN SOLUTION",
            "BEGIN HIDDEN TESTS",
            "phq9_total([3, 3, 3, 3",
            "needs_safety_assessment([0, 0, 0, 0, 0, 0, 0, 0, 3",
            "REDTEAM-SECRET",
        ):
            assert secret not in text, f"{path.parts[-3]} leaks {secret!r}"


def test_outputs_are_capped(redteam):
    """Is every autograded notebook small, even after gigantic outputs?"""
    for path in (redteam.course / "autograded").rglob("*.ipynb"):
        assert path.stat().st_size < 3_000_000, (path, path.stat().st_size)


def test_the_judges_own_verdict_is_what_the_learner_sees(redteam):
    """Does the Part 1 tests cell of fake-success-text show the judge's 0, not the fake full?"""
    path = redteam.course / "autograded" / "rt-fake-success-text" / ASSIGNMENT / NOTEBOOK
    nb = nbformat.read(str(path), as_version=4)
    cell = next(
        c
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == "a01_q1_phq9_total_tests"
    )
    text = json.dumps(cell.get("outputs", []))
    assert f"0 of {TEST_CELLS['a01_q1_phq9_total_tests']:g} points" in text


def test_an_unknown_assignment_is_refused_before_anything_is_written(tmp_path, built_code_course):
    """Does an unknown assignment raise BpscareError with nothing written?"""
    from bpscare.grading import autograde

    course = tmp_path / "course"
    shutil.copytree(built_code_course.out / "course", course)
    before = file_hashes(course)
    db_before = (course / "gradebook.db").read_bytes()
    with pytest.raises(BpscareError, match="no-such-assignment"):
        autograde(course, "no-such-assignment")
    assert file_hashes(course) == before
    assert (course / "gradebook.db").read_bytes() == db_before
    assert not (course / "autograded").exists()
