"""The engine on a PostgreSQL gradebook (a real server on loopback, see tests/support/postgres.py):
the same scores as on SQLite; an unreachable database fails with nothing written.
"""

from __future__ import annotations

import datetime as dt

import nbformat
import pytest
from cohort import ASSIGNMENT, NOTEBOOK, add_cohort, copy_course, gradebook_scores, tree_hashes
from redteam.corpus import TEST_CELLS as FULL_MARKS

from bpscare import nbgrader_course
from bpscare.authoring import simulated_submissions
from bpscare.errors import BpscareError
from bpscare.serve import free_port

pytestmark = pytest.mark.postgres

COUNT = 8
# A learner who looks for the gradebook's credentials in its own process: they must not be there.
SNOOP = """\
import os


def phq9_total(responses):
    return 9


print("ENV:", sorted(os.environ.items()))
for _pid in ("self", str(os.getppid())):
    for _what in ("environ", "cmdline"):
        try:
            with open(f"/proc/{_pid}/{_what}", "rb") as _fh:
                print(_what, _fh.read().replace(b"\\0", b" ").decode("latin-1"))
        except OSError as exc:
            print(_what, type(exc).__name__)
"""


# A learner who knows the database URL (the worst case) and tries to give everyone 100 points.
ATTACK = """\
import math

_wrote = False
try:
    import psycopg2

    _conn = psycopg2.connect({dsn!r}, connect_timeout=2)
    with _conn, _conn.cursor() as _cur:
        _cur.execute("UPDATE grade SET manual_score = 100")
    _wrote = True
except Exception as exc:
    print("database:", type(exc).__name__)

if not _wrote:

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


def pg_scores(url: str) -> dict[tuple[str, str], float | None]:
    from nbgrader.api import Gradebook

    found = {}
    with Gradebook(url) as gb:
        for submission in gb.assignment_submissions(ASSIGNMENT):
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    found[(submission.student.id, grade.name)] = grade.auto_score
    return found


def pg_manual_scores(url: str) -> list:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return list(
                conn.execute(sa.text("SELECT id FROM grade WHERE manual_score IS NOT NULL"))
            )
    finally:
        engine.dispose()


def add_learner(course, learner: str, q1_answer: str) -> None:
    release = nbformat.read(str(course / "release" / ASSIGNMENT / NOTEBOOK), as_version=4)
    source = nbformat.read(str(course / "source" / ASSIGNMENT / NOTEBOOK), as_version=4)
    answers = dict.fromkeys(
        simulated_submissions.answer_cells(release), simulated_submissions.SOLUTION_ANSWER
    )
    answers["a01_q1_phq9_total"] = q1_answer
    nb = simulated_submissions.fill_release(release, source, answers)
    simulated_submissions.write_submission(
        course, learner, ASSIGNMENT, {NOTEBOOK: nb}, dt.datetime(2027, 2, 14, tzinfo=dt.UTC)
    )


def test_postgres_fixture_is_a_real_server(postgres_url):
    """Is the fixture a live PostgreSQL server reached over TCP on 127.0.0.1?"""
    import sqlalchemy as sa

    assert "@127.0.0.1:" in postgres_url
    engine = sa.create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version()")).scalar().startswith("PostgreSQL")
    finally:
        engine.dispose()


def test_a_postgres_gradebook_gets_the_same_scores_as_sqlite(
    built_code_course, tmp_path, fresh_postgres_url
):
    """Does grading into PostgreSQL record exactly what grading into SQLite records?"""
    from bpscare.grading import autograde

    on_pg = copy_course(built_code_course, tmp_path / "on-pg")
    on_sqlite = copy_course(built_code_course, tmp_path / "on-sqlite")
    # The PostgreSQL gradebook needs the assignment's definition: generate it there, as an
    # instructor whose nbgrader_config.py points at PostgreSQL would.
    config = on_pg / "nbgrader_config.py"
    config.write_text(config.read_text() + f"\nc.CourseDirectory.db_url = {fresh_postgres_url!r}\n")
    nbgrader_course.generate_assignment(on_pg, ASSIGNMENT)
    sqlite_before = (on_pg / "gradebook.db").read_bytes()
    dsn = fresh_postgres_url.replace("postgresql+psycopg2://", "postgresql://", 1)
    for course in (on_pg, on_sqlite):
        add_cohort(course, COUNT)
        add_learner(course, "snoop", SNOOP)
        add_learner(course, "attacker", ATTACK.format(dsn=dsn))

    # the URL as an instructor writes it (the docs' form); SQLAlchemy alone would read a bare
    # postgresql:// as psycopg 3, which is not installed: the engine must still use psycopg2
    bare_url = fresh_postgres_url.replace("postgresql+psycopg2://", "postgresql://", 1)
    pg_run = autograde(on_pg, ASSIGNMENT, db_url=bare_url, workers=2)
    sqlite_run = autograde(on_sqlite, ASSIGNMENT, workers=2)

    expected = gradebook_scores(on_sqlite / "gradebook.db")
    assert len({learner for learner, _ in expected}) == COUNT + 2
    # the attacker could not reach the database from its sandbox: its Part 1 is the correct one
    assert (
        expected[("attacker", "a01_q1_phq9_total_tests")] == FULL_MARKS["a01_q1_phq9_total_tests"]
    )
    assert pg_scores(fresh_postgres_url) == expected
    assert pg_manual_scores(fresh_postgres_url) == []
    assert (on_pg / "gradebook.db").read_bytes() == sqlite_before  # SQLite file not used
    assert sorted((r.student, r.score) for r in pg_run.results) == sorted(
        (r.student, r.score) for r in sqlite_run.results
    )
    # the learner process never sees the database's password
    password = fresh_postgres_url.split(":")[2].split("@")[0]
    notebook = on_pg / "autograded" / "snoop" / ASSIGNMENT / NOTEBOOK
    assert notebook.is_file()
    assert password not in notebook.read_text()


def test_an_unreachable_database_fails_with_nothing_written(built_code_course, tmp_path):
    """Does a PostgreSQL URL nobody listens on raise BpscareError, writing nothing?"""
    from bpscare.grading import autograde

    course = copy_course(built_code_course, tmp_path / "course")
    add_cohort(course, 2)
    before = tree_hashes(course)
    url = f"postgresql+psycopg2://nobody:secret@127.0.0.1:{free_port()}/gradebook"
    with pytest.raises(BpscareError) as caught:
        autograde(course, ASSIGNMENT, db_url=url)
    assert "\n" not in str(caught.value).strip()
    assert "secret" not in str(caught.value)  # the password is not echoed
    assert tree_hashes(course) == before
    assert not (course / "autograded").exists()
