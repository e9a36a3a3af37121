"""``bpscare build --course`` on a course whose gradebook is PostgreSQL keeps it on PostgreSQL."""

from __future__ import annotations

import shutil

import pytest
import sqlalchemy as sa

from bpscare import nbgrader_course
from bpscare.authoring.build import update_live_course

pytestmark = pytest.mark.postgres


def test_build_course_keeps_a_postgresql_db_url(built_course, tmp_path, fresh_postgres_url):
    """The live course's db_url survives the update; no SQLite gradebook appears; grades stay."""
    live = tmp_path / "live"
    shutil.copytree(built_course.out / "course", live, ignore=shutil.ignore_patterns("*.db"))
    config = live / "nbgrader_config.py"
    config.write_text(config.read_text() + f"\nc.CourseDirectory.db_url = {fresh_postgres_url!r}\n")
    first = built_course.assignments[0]
    nbgrader_course.generate_assignment(live, first)
    nbgrader_course.add_students(live, ["ana"])

    update_live_course(built_course.out / "course", live, built_course.assignments[:1])

    assert nbgrader_course.course_db_url(live) == fresh_postgres_url
    assert not (live / "gradebook.db").exists(), "an empty SQLite gradebook was created"
    engine = sa.create_engine(fresh_postgres_url)
    try:
        with engine.connect() as conn:
            students = conn.execute(sa.text("SELECT id FROM student")).scalars().all()
            assignments = conn.execute(sa.text("SELECT name FROM assignment")).scalars().all()
    finally:
        engine.dispose()
    assert students == ["ana"]
    assert first in assignments
    # A second update keeps it too (the kept line is not duplicated into a different URL).
    update_live_course(built_course.out / "course", live, built_course.assignments[:1])
    assert nbgrader_course.course_db_url(live) == fresh_postgres_url
