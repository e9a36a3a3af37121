"""Read any nbgrader gradebook (SQLite or PostgreSQL) with set-based SQL.

The gradebook schema is nbgrader's (``nbgrader/api.py``, 0.9.x): ``student``, ``assignment``,
``notebook``, ``base_cell`` + ``grade_cells`` / ``task_cells``, ``submitted_assignment``,
``submitted_notebook`` and ``grade``. Nothing is written to the gradebook: SQLite files are
opened read-only (``mode=ro``) and on other databases the session is rolled back, never committed.
The ``student`` table's names and e-mail addresses are never selected.

How the work is split between the database and Python
-----------------------------------------------------
1. Small dimension tables come to Python: learner ids, assignments, graded cells (hundreds) and
   submissions (one row per learner and assignment, with the late penalty summed over notebooks).
2. Python numbers them (learner ``l``, submission ``s``, cell ``c``) and loads those numbers into
   session-local temporary tables, so the database can join on small integers.
3. One pass over ``grade`` builds the tidy evidence table ``bp_ev(s, l, c, x)``: one row per
   grade, ``x`` being nbgrader's own score rule (manual score if set, else auto score, plus extra
   credit; 0 if neither is set).
4. Every statistic is an aggregate over ``bp_ev`` computed in the database: submission totals;
   per-cell n, sums, sums of squares and cross-products with the submission total (enough for
   difficulty, corrected item-total correlation and Cronbach's alpha); and per learner x
   competency evidence counts and sums. Only aggregates travel to Python.
5. Only the xAPI export reads ``bp_ev`` row by row, streamed in batches (it needs one statement per
   grade).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    inspect,
    text,
)
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from bpscare.errors import BpscareError

REQUIRED_TABLES = (
    "student",
    "assignment",
    "notebook",
    "base_cell",
    "grade_cells",
    "submitted_assignment",
    "submitted_notebook",
    "grade",
)

#: nbgrader's ``Grade.score`` rule (nbgrader/api.py), written as portable SQL.
SCORE_SQL = (
    "CASE WHEN g.manual_score IS NOT NULL THEN g.manual_score + COALESCE(g.extra_credit, 0.0) "
    "WHEN g.auto_score IS NOT NULL THEN g.auto_score + COALESCE(g.extra_credit, 0.0) "
    "ELSE 0.0 END"
)


@dataclass(frozen=True)
class AssignmentInfo:
    """One assignment: its position, gradebook id, name, due date and course id."""

    index: int
    id: str
    name: str
    duedate: str | None
    course_id: str


@dataclass(frozen=True)
class GradeItem:
    """One graded cell (nbgrader grade cell or task cell) of one notebook of one assignment."""

    index: int
    cell_id: str
    assignment: str
    assignment_index: int
    notebook: str
    grade_id: str
    max_score: float
    cell_type: str


@dataclass(frozen=True)
class Submissions:
    """All submissions, as parallel arrays indexed by submission number ``s``."""

    ids: list[str]
    learner: np.ndarray
    assignment: np.ndarray
    timestamp: list[str | None]
    late_penalty: np.ndarray


@dataclass(frozen=True)
class ItemMoments:
    """Per-cell SQL aggregates over submitted learners, indexed by cell number ``c``.

    ``n`` grades, ``sx`` = sum x, ``sxx`` = sum x^2, ``sxt`` = sum x*T, ``st`` = sum T and
    ``stt`` = sum T^2, where T is the learner's raw total on the cell's assignment.
    """

    n: np.ndarray
    sx: np.ndarray
    sxx: np.ndarray
    sxt: np.ndarray
    st: np.ndarray
    stt: np.ndarray


def iso_utc(value: Any) -> str | None:
    """Return nbgrader's naive-UTC timestamp (a datetime or SQLite text) as ISO 8601 with Z."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat(timespec="seconds") + "Z"
    try:
        parsed = dt.datetime.fromisoformat(str(value).strip())
    except ValueError:
        return None
    return iso_utc(parsed)


def redact_url(db_url: str) -> str:
    """Return the URL with any password hidden, for messages and the HTML report."""
    try:
        return make_url(db_url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable database URL>"


def _sqlite_engine(url: URL) -> Engine:
    database = url.database
    if not database or database == ":memory:":
        msg = f"the SQLite URL {url} names no gradebook file; use sqlite:///path/to/gradebook.db"
        raise BpscareError(msg)
    path = Path(database).expanduser().resolve()
    if not path.is_file():
        msg = "gradebook not found (no such SQLite file)"
        raise BpscareError(msg, path=path)
    uri = f"file:{urllib.parse.quote(str(path))}?mode=ro"

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, check_same_thread=False)

    engine = create_engine("sqlite://", creator=connect, poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Temporary tables and sorts in memory; a bigger cache for the sorter; worker threads.
        for pragma in ("temp_store = MEMORY", "cache_size = -131072", "threads = 2"):
            dbapi_connection.execute(f"PRAGMA {pragma}")

    return engine


class GradebookSource:
    """A read-only session on an nbgrader gradebook that computes the report's aggregates.

    Use as a context manager; every method runs on one connection, because the evidence table
    and the number maps are session-local temporary tables.

    Parameters
    ----------
    db_url
        Any SQLAlchemy URL nbgrader accepts (``sqlite:///...``, ``postgresql+psycopg2://...``).

    Raises
    ------
    BpscareError
        The gradebook file is missing, is not a database, cannot be reached, or lacks nbgrader's
        tables.
    """

    def __init__(self, db_url: str) -> None:
        self.display_url = redact_url(db_url)
        try:
            url = make_url(db_url)
        except ArgumentError as exc:
            msg = f"not a database URL: {db_url!r} (expected e.g. sqlite:///gradebook.db)"
            raise BpscareError(msg) from exc
        self.dialect = url.get_backend_name()
        try:
            if self.dialect == "sqlite":
                self.engine = _sqlite_engine(url)
            else:
                self.engine = create_engine(url, poolclass=NullPool)
        except NoSuchModuleError as exc:
            msg = f"no SQLAlchemy driver for {url.drivername!r}; install it (e.g. psycopg2)"
            raise BpscareError(msg) from exc
        except ModuleNotFoundError as exc:
            msg = f"the database driver for {url.drivername!r} is not installed ({exc.name})"
            raise BpscareError(msg) from exc
        try:
            self.conn: Connection = self.engine.connect()
        except SQLAlchemyError as exc:
            self.engine.dispose()
            msg = f"cannot open the gradebook {self.display_url}: {_first_line(exc)}"
            raise BpscareError(msg) from exc
        try:
            self._check_schema()
        except BaseException:
            self.close()
            raise
        self._prepared = False

    def __enter__(self) -> GradebookSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Roll back (temporary tables vanish with the session) and release the connection."""
        try:
            self.conn.rollback()
            self.conn.close()
        finally:
            self.engine.dispose()

    # -- schema -----------------------------------------------------------------------------

    def _check_schema(self) -> None:
        try:
            tables = set(inspect(self.conn).get_table_names())
        except DBAPIError as exc:
            if self.dialect == "sqlite":
                msg = (
                    f"not a SQLite gradebook ({_first_line(exc)}); expected nbgrader's gradebook.db"
                )
            else:
                msg = f"cannot read the gradebook {self.display_url}: {_first_line(exc)}"
            raise BpscareError(msg, path=self._path()) from exc
        missing = [t for t in REQUIRED_TABLES if t not in tables]
        if missing:
            msg = (
                f"not an nbgrader gradebook: missing table(s) {', '.join(missing)} "
                f"(found {len(tables)} table(s))"
            )
            raise BpscareError(msg, path=self._path())
        self.has_task_cells = "task_cells" in tables
        columns = {c["name"] for c in inspect(self.conn).get_columns("student")}
        self.has_lms_user_id = "lms_user_id" in columns

    def _path(self) -> str:
        return self.display_url

    def _all(self, sql: str, **params: Any) -> list[Any]:
        try:
            return list(self.conn.execute(text(sql), params).all())
        except DBAPIError as exc:
            msg = f"gradebook query failed on {self.display_url}: {_first_line(exc)}"
            raise BpscareError(msg) from exc

    def _exec(self, sql: str) -> None:
        try:
            self.conn.execute(text(sql))
        except DBAPIError as exc:
            msg = f"gradebook query failed on {self.display_url}: {_first_line(exc)}"
            raise BpscareError(msg) from exc

    # -- dimension tables (small) -----------------------------------------------------------

    def learners(self) -> list[str]:
        """Return every student id, sorted (ids only: names and e-mails are never read)."""
        return sorted(str(r[0]) for r in self._all("SELECT id FROM student"))

    def lms_user_ids(self) -> dict[str, str]:
        """Return student id -> nbgrader's ``lms_user_id`` where one is recorded."""
        if not self.has_lms_user_id:
            return {}
        rows = self._all("SELECT id, lms_user_id FROM student WHERE lms_user_id IS NOT NULL")
        return {str(a): str(b) for a, b in rows if str(b).strip()}

    def assignments(self) -> list[AssignmentInfo]:
        """Return assignments by due date (undated last), then name, with their max points."""
        rows = self._all("SELECT id, name, duedate, course_id FROM assignment")
        rows.sort(key=lambda r: (r[2] is None, str(r[2] or ""), str(r[1])))
        return [
            AssignmentInfo(
                index=i,
                id=str(r[0]),
                name=str(r[1]),
                duedate=iso_utc(r[2]),
                course_id=str(r[3] or ""),
            )
            for i, r in enumerate(rows)
        ]

    def items(self, assignments: Sequence[AssignmentInfo]) -> list[GradeItem]:
        """Return every graded cell (grade cells and task cells), in assignment order."""
        parts = [
            "SELECT b.id, n.assignment_id, n.name, b.name, gc.max_score, 'grade' "
            "FROM grade_cells gc JOIN base_cell b ON b.id = gc.id "
            "JOIN notebook n ON n.id = b.notebook_id"
        ]
        if self.has_task_cells:
            parts.append(
                "SELECT b.id, n.assignment_id, n.name, b.name, tc.max_score, 'task' "
                "FROM task_cells tc JOIN base_cell b ON b.id = tc.id "
                "JOIN notebook n ON n.id = b.notebook_id"
            )
        rows = self._all(" UNION ALL ".join(parts))
        by_id = {a.id: a for a in assignments}
        rows = [r for r in rows if r[1] in by_id]
        rows.sort(key=lambda r: (by_id[r[1]].index, str(r[2]), str(r[3])))
        return [
            GradeItem(
                index=i,
                cell_id=str(r[0]),
                assignment=by_id[r[1]].name,
                assignment_index=by_id[r[1]].index,
                notebook=str(r[2]),
                grade_id=str(r[3]),
                max_score=float(r[4] or 0.0),
                cell_type=str(r[5]),
            )
            for i, r in enumerate(rows)
        ]

    def submissions(
        self, learner_index: dict[str, int], assignments: Sequence[AssignmentInfo]
    ) -> Submissions:
        """Return every submission with its learner, assignment, timestamp and late penalty."""
        rows = self._all(
            "SELECT sa.id, sa.student_id, sa.assignment_id, sa.timestamp, "
            "COALESCE(SUM(sn.late_submission_penalty), 0.0) "
            "FROM submitted_assignment sa "
            "LEFT JOIN submitted_notebook sn ON sn.assignment_id = sa.id "
            "GROUP BY sa.id, sa.student_id, sa.assignment_id, sa.timestamp"
        )
        a_index = {a.id: a.index for a in assignments}
        rows = [r for r in rows if r[1] in learner_index and r[2] in a_index]
        return Submissions(
            ids=[str(r[0]) for r in rows],
            learner=np.fromiter(
                (learner_index[r[1]] for r in rows), dtype=np.int64, count=len(rows)
            ),
            assignment=np.fromiter((a_index[r[2]] for r in rows), dtype=np.int64, count=len(rows)),
            timestamp=[iso_utc(r[3]) for r in rows],
            late_penalty=np.fromiter(
                (float(r[4] or 0.0) for r in rows), dtype=float, count=len(rows)
            ),
        )

    # -- the evidence table -----------------------------------------------------------------

    def build_evidence(self, submissions: Submissions, items: Sequence[GradeItem]) -> int:
        """Load the number maps and build the tidy evidence table ``bp_ev``; return its rows."""
        meta = MetaData()
        bp_sub = Table(
            "bp_sub",
            meta,
            Column("said", String(32), primary_key=True),
            Column("s", Integer, nullable=False),
            Column("l", Integer, nullable=False),
            prefixes=["TEMPORARY"],
        )
        bp_cell = Table(
            "bp_cell",
            meta,
            Column("cid", String(32), primary_key=True),
            Column("c", Integer, nullable=False),
            Column("mx", Float, nullable=False),
            prefixes=["TEMPORARY"],
        )
        Table(
            "bp_nb",
            meta,
            Column("nid", String(32), primary_key=True),
            Column("s", Integer, nullable=False),
            Column("l", Integer, nullable=False),
            prefixes=["TEMPORARY"],
        )
        Table(
            "bp_tot",
            meta,
            Column("s", Integer, primary_key=True, autoincrement=False),
            Column("tot", Float, nullable=False),
            Column("n", Integer, nullable=False),
            prefixes=["TEMPORARY"],
        )
        try:
            meta.create_all(self.conn)
            if submissions.ids:
                self.conn.execute(
                    bp_sub.insert(),
                    [
                        {"said": sid, "s": s, "l": int(submissions.learner[s])}
                        for s, sid in enumerate(submissions.ids)
                    ],
                )
            if items:
                self.conn.execute(
                    bp_cell.insert(),
                    [{"cid": it.cell_id, "c": it.index, "mx": it.max_score} for it in items],
                )
            self._exec(
                "INSERT INTO bp_nb (nid, s, l) SELECT sn.id, b.s, b.l FROM submitted_notebook sn "
                "JOIN bp_sub b ON sn.assignment_id = b.said"
            )
            self._analyze("bp_sub", "bp_cell", "bp_nb")
            # SQLite: scan grade once in storage order and look the two maps up (NOT INDEXED
            # stops the planner from walking grade's (cell_id, notebook_id) index instead).
            grade = "grade AS g NOT INDEXED" if self.dialect == "sqlite" else "grade AS g"
            self._exec(
                "CREATE TEMPORARY TABLE bp_ev AS "
                f"SELECT n.s AS s, n.l AS l, m.c AS c, {SCORE_SQL} AS x "
                f"FROM {grade} JOIN bp_nb n ON g.notebook_id = n.nid "
                "JOIN bp_cell m ON g.cell_id = m.cid"
            )
            self._exec(
                "INSERT INTO bp_tot (s, tot, n) SELECT s, SUM(x), COUNT(*) FROM bp_ev GROUP BY s"
            )
            self._analyze("bp_ev", "bp_tot")
        except DBAPIError as exc:
            msg = f"gradebook query failed on {self.display_url}: {_first_line(exc)}"
            raise BpscareError(msg) from exc
        self._prepared = True
        return int(self._all("SELECT COUNT(*) FROM bp_ev")[0][0])

    def _analyze(self, *tables: str) -> None:
        if self.dialect == "postgresql":
            for table in tables:
                self._exec(f"ANALYZE {table}")

    def _require_prepared(self) -> None:
        if not self._prepared:
            msg = "call build_evidence() before asking for aggregates"
            raise RuntimeError(msg)

    def submission_totals(self, n_submissions: int) -> tuple[np.ndarray, np.ndarray]:
        """Return (raw total, number of grades) per submission number (0 where no grades)."""
        self._require_prepared()
        total = np.zeros(n_submissions)
        count = np.zeros(n_submissions, dtype=np.int64)
        for s, tot, n in self._all("SELECT s, tot, n FROM bp_tot"):
            total[s] = tot
            count[s] = n
        return total, count

    def item_moments(self, n_items: int) -> ItemMoments:
        """Return per-cell sums, sums of squares and cross-products with the submission total."""
        self._require_prepared()
        arrays = [np.zeros(n_items) for _ in range(6)]
        rows = self._all(
            "SELECT e.c, COUNT(*), SUM(e.x), SUM(e.x * e.x), SUM(e.x * t.tot), SUM(t.tot), "
            "SUM(t.tot * t.tot) FROM bp_ev e JOIN bp_tot t ON t.s = e.s GROUP BY e.c"
        )
        for row in rows:
            c = row[0]
            for arr, value in zip(arrays, row[1:], strict=True):
                arr[c] = value
        return ItemMoments(*arrays)

    def competency_evidence(
        self, pairs: Sequence[tuple[int, int, float]], n_learners: int, n_competencies: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return evidence count, points earned and points possible per learner x competency.

        Parameters
        ----------
        pairs
            (cell number, competency number, cell max points) for every mapped cell.
        """
        self._require_prepared()
        shape = (n_learners, n_competencies)
        count = np.zeros(shape, dtype=np.int64)
        earned = np.zeros(shape)
        possible = np.zeros(shape)
        if not pairs:
            return count, earned, possible
        meta = MetaData()
        bp_cc = Table(
            "bp_cc",
            meta,
            Column("c", Integer, primary_key=True, autoincrement=False),
            Column("k", Integer, primary_key=True, autoincrement=False),
            Column("mx", Float, nullable=False),
            prefixes=["TEMPORARY"],
        )
        try:
            meta.create_all(self.conn)
            self.conn.execute(bp_cc.insert(), [{"c": c, "k": k, "mx": mx} for c, k, mx in pairs])
        except DBAPIError as exc:
            msg = f"gradebook query failed on {self.display_url}: {_first_line(exc)}"
            raise BpscareError(msg) from exc
        self._analyze("bp_cc")
        rows = self._all(
            "SELECT e.l, cc.k, COUNT(*), SUM(e.x), SUM(cc.mx) FROM bp_ev e "
            "JOIN bp_cc cc ON cc.c = e.c GROUP BY e.l, cc.k"
        )
        if rows:
            arr = np.array(rows, dtype=float)
            li = arr[:, 0].astype(np.int64)
            ki = arr[:, 1].astype(np.int64)
            count[li, ki] = arr[:, 2].astype(np.int64)
            earned[li, ki] = arr[:, 3]
            possible[li, ki] = arr[:, 4]
        return count, earned, possible

    def iter_evidence(self, batch: int = 50_000) -> Iterator[Sequence[Any]]:
        """Yield the evidence rows ``(s, c, x)`` in batches, streamed (server-side on Postgres)."""
        self._require_prepared()
        try:
            result = self.conn.execution_options(stream_results=True, yield_per=batch).execute(
                text("SELECT s, c, x FROM bp_ev")
            )
            yield from result.partitions(batch)
        except DBAPIError as exc:
            msg = f"gradebook query failed on {self.display_url}: {_first_line(exc)}"
            raise BpscareError(msg) from exc


def _first_line(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    text_ = str(original).strip().splitlines()
    return text_[0] if text_ else type(original).__name__
