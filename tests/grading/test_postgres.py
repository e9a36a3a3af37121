"""The engine on a PostgreSQL gradebook (a real server on loopback, see tests/support/postgres.py):
the same scores as on SQLite; an unreachable database fails with nothing written.
"""

from __future__ import annotations

import datetime as dt

import nbformat
import pytest
from cohort import ASSIGNMENT, NOTEBOOK, add_cohort, copy_course, gradebook_scores, tree_hashes

from bpscare import nbgrader_course, submissions
from bpscare.errors import BpscareError
from support.postgres import free_port

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


def pg_scores(url: str) -> dict[tuple[str, str], float | None]:
    from nbgrader.api import Gradebook

    found = {}
    with Gradebook(url) as gb:
        for submission in gb.assignment_submissions(ASSIGNMENT):
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    found[(submission.student.id, grade.name)] = grade.auto_score
    return found


def add_snoop(course) -> None:
    release = nbformat.read(str(course / "release" / ASSIGNMENT / NOTEBOOK), as_version=4)
    source = nbformat.read(str(course / "source" / ASSIGNMENT / NOTEBOOK), as_version=4)
    answers = dict.fromkeys(submissions.answer_cells(release), submissions.SOLUTION_ANSWER)
    answers["a01_q1_phq9_total"] = SNOOP
    nb = submissions.fill_release(release, source, answers)
    submissions.write_submission(
        course, "snoop", ASSIGNMENT, {NOTEBOOK: nb}, dt.datetime(2027, 2, 14, tzinfo=dt.UTC)
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
    built_course, tmp_path, fresh_postgres_url
):
    """Does grading into PostgreSQL record exactly what grading into SQLite records?"""
    from bpscare.grading import autograde

    on_pg = copy_course(built_course, tmp_path / "on-pg")
    on_sqlite = copy_course(built_course, tmp_path / "on-sqlite")
    # The PostgreSQL gradebook needs the assignment's definition: generate it there, as an
    # instructor whose nbgrader_config.py points at PostgreSQL would.
    config = on_pg / "nbgrader_config.py"
    config.write_text(config.read_text() + f"\nc.CourseDirectory.db_url = {fresh_postgres_url!r}\n")
    nbgrader_course.generate_assignment(on_pg, ASSIGNMENT)
    sqlite_before = (on_pg / "gradebook.db").read_bytes()
    for course in (on_pg, on_sqlite):
        add_cohort(course, COUNT)
        add_snoop(course)

    pg_run = autograde(on_pg, ASSIGNMENT, db_url=fresh_postgres_url, workers=2)
    sqlite_run = autograde(on_sqlite, ASSIGNMENT, workers=2)

    expected = gradebook_scores(on_sqlite / "gradebook.db")
    assert len({learner for learner, _ in expected}) == COUNT + 1
    assert pg_scores(fresh_postgres_url) == expected
    assert (on_pg / "gradebook.db").read_bytes() == sqlite_before  # SQLite file not used
    assert sorted((r.student, r.score) for r in pg_run.results) == sorted(
        (r.student, r.score) for r in sqlite_run.results
    )
    # the learner process never sees the database's password
    password = fresh_postgres_url.split(":")[2].split("@")[0]
    notebook = on_pg / "autograded" / "snoop" / ASSIGNMENT / NOTEBOOK
    assert notebook.is_file()
    assert password not in notebook.read_text()


def test_an_unreachable_database_fails_with_nothing_written(built_course, tmp_path):
    """Does a PostgreSQL URL nobody listens on raise BpscareError, writing nothing?"""
    from bpscare.grading import autograde

    course = copy_course(built_course, tmp_path / "course")
    add_cohort(course, 2)
    before = tree_hashes(course)
    url = f"postgresql+psycopg2://nobody:secret@127.0.0.1:{free_port()}/gradebook"
    with pytest.raises(BpscareError) as caught:
        autograde(course, ASSIGNMENT, db_url=url)
    assert "\n" not in str(caught.value).strip()
    assert "secret" not in str(caught.value)  # the password is not echoed
    assert tree_hashes(course) == before
    assert not (course / "autograded").exists()
