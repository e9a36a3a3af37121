"""The report's other processes (page fork, split scan) and its SQLite reader: the same report.

``bpscare report`` draws ``index.html`` in a child forked at its start (competency.page_fork),
reads half of a large SQLite gradebook in another (competency.scan_fork) and opens SQLite
gradebooks with ``sqlite3`` rather than SQLAlchemy (bpscare.competency.engines). Each must leave
every byte of the report as it is without them, and fall back to the plain path on any failure.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import urllib.parse

import numpy as np
import pytest
from gradebooks import make_course
from hypothesis import given
from hypothesis import strategies as st

from bpscare.competency import engines, evidence, figure_fork, page_fork, report, scan_fork
from bpscare.competency.evidence import GradebookSource
from bpscare.competency.report import run_report

NOW = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def same_reports(one, other) -> list[str]:
    """The names of the files that differ (the run's timings file aside)."""
    names = sorted(p.name for p in one.iterdir() if p.name != report.MARKER_FILE)
    assert "index.html" in names
    assert names == sorted(p.name for p in other.iterdir() if p.name != report.MARKER_FILE)
    return [n for n in names if (one / n).read_bytes() != (other / n).read_bytes()]


@pytest.fixture
def plain_report(small_course, tmp_path, monkeypatch):
    """The report drawn in this process alone: no fork of any kind."""
    with monkeypatch.context() as m:
        m.setattr(figure_fork, "fork_usable", lambda: False)
        m.setattr(page_fork, "fork_usable", lambda: False)
        m.setattr(scan_fork, "fork_usable", lambda: False)
        run_report(course_dir=small_course, out_dir=tmp_path / "plain", now=NOW, parallel=False)
    return tmp_path / "plain"


@needs_fork
def test_page_drawn_by_the_forked_child_is_the_same(small_course, tmp_path, plain_report):
    results = []
    finish = page_fork.PageFork.finish

    def spy(self):
        results.append(finish(self))
        return results[-1]

    mp = pytest.MonkeyPatch()
    mp.setattr(page_fork, "fork_usable", lambda: True)
    mp.setattr(page_fork.PageFork, "finish", spy)
    try:
        run_report(course_dir=small_course, out_dir=tmp_path / "fork", now=NOW)
    finally:
        mp.undo()
    assert results == [True]  # the child drew the page
    assert same_reports(tmp_path / "fork", plain_report) == []


@needs_fork
def test_a_failing_page_child_leaves_the_page_to_the_parent(
    small_course, tmp_path, plain_report, monkeypatch
):
    def crash(_data_fd, _page_fd):
        raise RuntimeError("child crashed")

    monkeypatch.setattr(page_fork, "fork_usable", lambda: True)
    monkeypatch.setattr(page_fork, "_serve", crash)
    run_report(course_dir=small_course, out_dir=tmp_path / "fork", now=NOW)
    assert same_reports(tmp_path / "fork", plain_report) == []


@needs_fork
def test_page_child_is_stopped_when_the_report_fails(tmp_path, monkeypatch):
    monkeypatch.setattr(page_fork, "fork_usable", lambda: True)
    started = []
    init = page_fork.PageFork.__init__

    def spy(self, **kwargs):
        init(self, **kwargs)
        started.append(self._pid)

    monkeypatch.setattr(page_fork.PageFork, "__init__", spy)
    with pytest.raises(report.BpscareError):
        run_report(db_url=f"sqlite:///{tmp_path / 'none.db'}", out_dir=tmp_path / "out")
    assert started
    assert started[0] > 0
    with pytest.raises(ChildProcessError):
        os.waitpid(started[0], os.WNOHANG)  # already reaped


def _evidence(course, helper=None):
    with GradebookSource(f"sqlite:///{course / 'gradebook.db'}") as source:
        learners = source.learners()
        assignments = source.assignments()
        items = source.items(assignments)
        subs = source.submissions({lid: i for i, lid in enumerate(learners)}, assignments)
        source.build_evidence(subs, items, helper)
        return source._ev_s, source._ev_c, source._ev_x


@needs_fork
@pytest.mark.parametrize("child_fails", [False, True])
def test_split_scan_reads_the_same_rows_in_the_same_order(small_course, monkeypatch, child_fails):
    whole = _evidence(small_course)
    monkeypatch.setattr(evidence, "SPLIT_MIN_ROWS", 1)
    monkeypatch.setattr(scan_fork, "fork_usable", lambda: True)
    if child_fails:
        monkeypatch.setattr(scan_fork, "read_sqlite_part", lambda *a: 1 / 0)
    got = []
    result = scan_fork.ScanFork.result

    def spy(self):
        got.append(result(self))
        return got[-1]

    monkeypatch.setattr(scan_fork.ScanFork, "result", spy)
    with scan_fork.ScanFork() as helper:
        assert helper.started
        parts = _evidence(small_course, helper)
    assert len(got) == 1
    assert (got[0] is None) == child_fails  # a failed child: its half read here
    if not child_fails:
        assert 0 < len(got[0]) < len(whole[0])
    for a, b in zip(whole, parts, strict=True):
        np.testing.assert_array_equal(a, b)


@needs_fork
def test_report_with_a_split_scan_is_the_same(small_course, tmp_path, plain_report, monkeypatch):
    monkeypatch.setattr(report, "HELPER_MIN_BYTES", 1)
    monkeypatch.setattr(evidence, "SPLIT_MIN_ROWS", 1)
    monkeypatch.setattr(scan_fork, "fork_usable", lambda: True)
    monkeypatch.setattr(page_fork, "fork_usable", lambda: True)
    used = []
    result = scan_fork.ScanFork.result
    monkeypatch.setattr(scan_fork.ScanFork, "result", lambda self: used.append(1) or result(self))
    run_report(course_dir=small_course, out_dir=tmp_path / "split", now=NOW)
    assert used == [1]
    assert same_reports(tmp_path / "split", plain_report) == []


def test_sqlite_query_count_does_not_grow_with_learners(tmp_path, monkeypatch):
    """Is a SQLite gradebook read with set-based SQL rather than one query per learner?"""
    statements: list[str] = []
    connect = engines.connect_sqlite

    def traced(uri):
        connection = connect(uri)
        connection.set_trace_callback(statements.append)
        return connection

    monkeypatch.setattr(engines, "connect_sqlite", traced)
    counts = []
    for size in (1, 4):
        course = tmp_path / f"c{size}"
        make_course(course)
        if size > 1:
            from nbgrader.api import Gradebook

            with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
                for extra in range(size * 10):
                    gb.add_student(f"extra{extra:03d}")
                    gb.add_submission("a01", f"extra{extra:03d}")
        statements.clear()
        run_report(course_dir=course, out_dir=tmp_path / f"out{size}", parallel=False)
        counts.append(len([s for s in statements if not s.startswith("INSERT INTO bp_")]))
    assert counts[0] == counts[1] > 5, counts


def test_a_sqlite_report_imports_neither_sqlalchemy_nor_matplotlib_here(small_course, tmp_path):
    """The report process reads SQLite with sqlite3 and leaves the page to its forked child."""
    out_dir = tmp_path / "r"
    code = (
        "import sys; from pathlib import Path; from bpscare.competency import run_report; "
        f"run_report(course_dir=Path({str(small_course)!r}), out_dir=Path({str(out_dir)!r})); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'matplotlib'}))"
    )
    env = {k: v for k, v in os.environ.items() if k != "BPSCARE_NO_FORK"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    expected = "[]" if hasattr(os, "fork") and (os.cpu_count() or 1) >= 2 else "['matplotlib']"
    assert out.stdout.strip().splitlines()[-1] == expected
    assert (tmp_path / "r" / "index.html").is_file()


path_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="?\x00"), max_size=30
)


@given(path=path_text)
def test_plain_sqlite_urls_are_read_as_sqlalchemy_reads_them(path):
    from sqlalchemy.engine import make_url

    for url in (f"sqlite:///{path}", f"sqlite:////{path}", f"sqlite+pysqlite:///{path}"):
        parsed = make_url(url)
        assert engines.plain_sqlite_url(url) == (parsed.drivername, parsed.database)
        assert engines.redact_url(url) == parsed.render_as_string(hide_password=True)
        assert engines.backend_name(url) == "sqlite"


def test_other_urls_go_through_sqlalchemy():
    assert engines.plain_sqlite_url("sqlite:///gb.db?mode=ro") is None
    assert engines.plain_sqlite_url("postgresql://u:pw@h/db") is None
    assert engines.redact_url("postgresql://u:pw@h/db") == "postgresql://u:***@h/db"
    assert engines.backend_name("postgresql+psycopg2://u@h/db") == "postgresql"
    assert engines.sqlite_path("postgresql://u@h/db") is None
    assert engines.sqlite_path("sqlite:///gb.db?mode=ro") == "gb.db"
    with pytest.raises(engines.DatabaseUrlError):
        engines.backend_name("not a url")


def test_corrupt_and_unopenable_sqlite_files_are_one_line_errors(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database\n" * 20)
    with pytest.raises(report.BpscareError, match="not a SQLite gradebook"):
        GradebookSource(f"sqlite:///{bad}")
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    with pytest.raises(report.BpscareError, match="missing table"):
        GradebookSource(f"sqlite:///{urllib.parse.quote(str(empty))}")
