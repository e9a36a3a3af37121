"""Scale-out: grading on a real Dask cluster (scheduler + 2 workers on 127.0.0.1) gives the
same scores as the local executor; an unreachable scheduler fails fast with nothing written.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from cohort import ASSIGNMENT, add_cohort, copy_course, gradebook_scores, tree_hashes
from redteam.corpus import TEST_CELLS as FULL_MARKS

from bpscare.authoring import simulated_submissions
from bpscare.errors import BpscareError
from bpscare.serve import free_port

pytestmark = pytest.mark.e2e

COUNT = 10
HOSTILE_CRASH = """\
import os


def phq9_total(responses):
    return 9


os._exit(1)
"""


# On a Dask worker the learner tries to read the instructor's source notebook (the worker runs on
# this machine, so the course is on its disk): it must not be readable from the sandbox.
HOSTILE_READ = """\
import math

try:
    with open({path!r}) as _fh:
        _leaked = _fh.read()
except OSError as exc:
    _leaked = ""
    print("source:", type(exc).__name__)

if not _leaked:

    def phq9_total(responses):
        answered = [r for r in responses if r is not None]
        missing = 9 - len(answered)
        if missing > 2:
            raise ValueError(f"{{missing}} items are missing")
        if missing == 0:
            return sum(answered)
        return math.floor(sum(answered) * 9 / len(answered) + 0.5)

else:

    def phq9_total(responses):
        return -1
"""


def dask_command(*args: str) -> list[str]:
    return [str(Path(sys.executable).parent / "dask"), *args]


def stop(processes: list[subprocess.Popen]) -> None:
    for process in reversed(processes):
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in reversed(processes):
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """A scheduler and two single-threaded workers on loopback; yields ``dask://127.0.0.1:PORT``."""
    from distributed import Client

    logs = tmp_path_factory.mktemp("dask-logs")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    processes: list[subprocess.Popen] = []

    def start(name: str, *args: str) -> None:
        log = (logs / f"{name}.log").open("w")
        processes.append(
            subprocess.Popen(
                dask_command(*args),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                cwd=logs,
            )
        )

    try:
        start(
            "scheduler",
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--dashboard-address",
            "127.0.0.1:0",
        )
        for index in range(2):
            start(
                f"worker-{index}",
                "worker",
                address,
                "--host",
                "127.0.0.1",
                "--nworkers",
                "1",
                "--nthreads",
                "1",
                "--dashboard-address",
                "127.0.0.1:0",
                "--name",
                f"bpscare-test-{index}",
            )
        deadline = time.monotonic() + 90
        while True:
            try:
                with Client(address, timeout=5) as client:
                    client.wait_for_workers(2, timeout=60)
                break
            except (OSError, TimeoutError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield f"dask://127.0.0.1:{port}"
    finally:
        stop(processes)
        for path in sorted(logs.glob("*.log")):
            print(f"--- {path.name}\n{path.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def twin_courses(built_code_course, tmp_path_factory):
    """Two identical courses with the same cohort, plus a crashing and a snooping learner."""
    tmp = tmp_path_factory.mktemp("dask")
    courses = []
    for name in ("on-dask", "local"):
        course = copy_course(built_code_course, tmp / name)
        add_cohort(course, COUNT)
        release = nbformat.read(
            str(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), as_version=4
        )
        source = nbformat.read(
            str(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), as_version=4
        )
        source_path = course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        for learner, code in (
            ("crasher", HOSTILE_CRASH),
            ("reader", HOSTILE_READ.format(path=str(source_path))),
        ):
            answers = dict.fromkeys(
                simulated_submissions.answer_cells(release), simulated_submissions.SOLUTION_ANSWER
            )
            answers["a01_q1_phq9_total"] = code
            nb = simulated_submissions.fill_release(release, source, answers)
            simulated_submissions.write_submission(
                course,
                learner,
                ASSIGNMENT,
                {f"{ASSIGNMENT}.ipynb": nb},
                dt.datetime(2027, 2, 14, tzinfo=dt.UTC),
            )
        courses.append(course)
    return courses


def test_a_dask_cluster_gives_the_same_scores_as_the_local_executor(dask_cluster, twin_courses):
    """Do a scheduler and two workers on loopback grade exactly as the local executor does?"""
    from bpscare.grading import autograde

    on_dask, local = twin_courses
    remote_run = autograde(on_dask, ASSIGNMENT, executor=dask_cluster, timeout_cell=10)
    local_run = autograde(local, ASSIGNMENT, workers=2, timeout_cell=10)

    remote = gradebook_scores(on_dask / "gradebook.db")
    assert remote == gradebook_scores(local / "gradebook.db")
    assert len({learner for learner, _ in remote}) == COUNT + 2
    assert remote[("crasher", "a01_q1_phq9_total_tests")] == 0.0
    assert remote[("crasher", "a01_q2_bands_tests")] == FULL_MARKS["a01_q2_bands_tests"]
    assert (
        remote[("reader", "a01_q1_phq9_total_tests")] == FULL_MARKS["a01_q1_phq9_total_tests"]
    )  # the source was out of reach
    assert (
        remote[("learner-001", "a01_q1_phq9_total_tests")] == FULL_MARKS["a01_q1_phq9_total_tests"]
    )  # the complete profile
    assert remote[("learner-002", "a01_q1_phq9_total_tests")] == 0.0  # the blank profile
    by_student = {r.student: (r.score, r.max_score, bool(r.flags)) for r in remote_run.results}
    assert by_student == {
        r.student: (r.score, r.max_score, bool(r.flags)) for r in local_run.results
    }
    assert by_student["crasher"][2] is True
    assert set(tree_hashes(on_dask / "autograded")) == set(tree_hashes(local / "autograded"))


def test_an_unreachable_scheduler_fails_fast_with_nothing_written(built_code_course, tmp_path):
    """Does a scheduler nobody listens on raise BpscareError within seconds, writing nothing?"""
    from bpscare.grading import autograde

    course = copy_course(built_code_course, tmp_path / "course")
    add_cohort(course, 2)
    before = tree_hashes(course)
    start = time.monotonic()
    with pytest.raises(BpscareError, match=r"127\.0\.0\.1"):
        autograde(course, ASSIGNMENT, executor=f"dask://127.0.0.1:{free_port()}")
    assert time.monotonic() - start < 20
    assert tree_hashes(course) == before
    assert not (course / "autograded").exists()
