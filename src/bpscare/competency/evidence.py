"""Read any nbgrader gradebook (SQLite or PostgreSQL) with set-based SQL.

The gradebook schema is nbgrader's (``nbgrader/api.py``, 0.9.x): ``student``, ``assignment``,
``notebook``, ``base_cell`` + ``grade_cells`` / ``task_cells``, ``submitted_assignment``,
``submitted_notebook`` and ``grade``. Nothing is written to the gradebook: SQLite files are
opened read-only (``mode=ro``) and on other databases the session is rolled back, never committed.
The ``student`` table's names and e-mail addresses are never selected.

How the work is split between the database and Python
-----------------------------------------------------
1. Small dimension tables come to Python: learner ids, assignments, graded cells (hundreds),
   submissions and submitted notebooks (one row per learner and assignment or notebook).
2. Python numbers them (learner ``l``, submission ``s``, cell ``c``) and loads two number maps
   (submitted notebook id -> ``s``, cell id -> ``c``) into session-local temporary tables.
3. One set-based query over ``grade`` joins it to those maps and applies nbgrader's own score rule
   (manual score if set, else auto score, plus extra credit; 0 if neither is set), so the long
   string ids never leave the database. Its rows, the tidy evidence table ``(s, c, x)``, are
   streamed into numpy arrays: 24 bytes a grade (24 MB for a million grades, against
   about 0.6 GB for a pandas read of the gradebook's tables).
4. Every statistic is a ``bincount`` over those arrays: submission totals; per-cell n, sums, sums
   of squares and cross-products with the submission total (enough for difficulty, corrected
   item-total correlation and Cronbach's alpha); and per learner x competency evidence counts
   and sums. Computing them in the database instead needs the evidence materialised there and
   three more GROUP BY passes (sorts of 1-1.5 million rows on SQLite, which has no hash
   aggregate): measured on the 1,000,000-grade benchmark gradebook that took 4-8 s against
   about 1 s to stream the rows and 0.1 s for the ``bincount`` calls.
5. The per-cell xAPI export reads the same arrays again, in batches.

SQLite gradebooks are read with Python's ``sqlite3`` (:mod:`.engines`), others through
SQLAlchemy. A large SQLite ``grade`` table is read by two processes, each joining half of its
rowids (:mod:`.scan_fork`); the halves, concatenated, are the rows of one scan in its order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bpscare.competency.engines import (
    DatabaseUrlError,
    SqliteDatabase,
    first_line,
    open_database,
    redact_url,
)
from bpscare.competency.scan_fork import EVIDENCE_DTYPE, SPLIT_MIN_ROWS, SQLITE_MAPS, ScanHelper
from bpscare.errors import BpscareError

__all__ = [
    "EVIDENCE_SQL",
    "REQUIRED_TABLES",
    "SCORE_SQL",
    "AssignmentInfo",
    "GradeItem",
    "GradebookSource",
    "ItemMoments",
    "Submissions",
    "iso_utc",
    "redact_url",
]

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
#: The same rule, except that a grade with neither a manual nor an automatic score (a manually
#: graded cell no one has graded yet) is NULL, i.e. pending, where nbgrader counts 0.
EVIDENCE_SQL = SCORE_SQL.replace("ELSE 0.0 END", "ELSE NULL END")


def evidence_query(dialect: str, width: int) -> str:
    """The evidence query: ``(s * width + c, score)`` for every grade, joined to the maps.

    On SQLite, ``grade`` is scanned once in storage (rowid) order and the two maps are looked
    up (NOT INDEXED stops the planner from walking grade's (cell_id, notebook_id) index).
    """
    grade = "grade AS g NOT INDEXED" if dialect == "sqlite" else "grade AS g"
    return (
        f"SELECT CAST(n.s AS BIGINT) * {width} + m.c, {EVIDENCE_SQL} FROM {grade} "
        "JOIN bp_nb n ON g.notebook_id = n.nid JOIN bp_cell m ON g.cell_id = m.cid"
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
    if not isinstance(value, dt.datetime):
        try:
            value = dt.datetime.fromisoformat(str(value).strip())
        except ValueError:
            return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat(timespec="seconds") + "Z"


def _iso_utc_all(values: list[Any]) -> list[str | None]:
    """:func:`iso_utc` of each value; a timestamp shared by many submissions is parsed once."""
    seen: dict[Any, str | None] = {}
    out = []
    for value in values:
        try:
            iso = seen[value]
        except KeyError:
            iso = seen[value] = iso_utc(value)
        except TypeError:  # an unhashable value: convert it on its own
            iso = iso_utc(value)
        out.append(iso)
    return out


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
            self._db = open_database(db_url)
        except DatabaseUrlError as exc:
            msg = f"not a database URL: {db_url!r} (expected e.g. sqlite:///gradebook.db)"
            raise BpscareError(msg) from exc
        self.dialect = self._db.dialect
        self._errors = self._db.errors
        try:
            self._check_schema()
        except BaseException:
            self.close()
            raise
        self._notebooks: list[tuple[Any, int]] = []
        self._n_submissions = -1
        self._n_items = 0
        self._prepared = False

    def __enter__(self) -> GradebookSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Roll back (temporary tables vanish with the session) and release the connection."""
        self._db.close()

    # -- schema -----------------------------------------------------------------------------

    def _check_schema(self) -> None:
        try:
            tables = self._db.table_names()
        except self._errors as exc:
            if self.dialect == "sqlite":
                msg = (
                    f"not a SQLite gradebook ({first_line(exc)}); expected nbgrader's gradebook.db"
                )
            else:
                msg = f"cannot read the gradebook {self.display_url}: {first_line(exc)}"
            raise BpscareError(msg, path=self._path()) from exc
        missing = [t for t in REQUIRED_TABLES if t not in tables]
        if missing:
            msg = (
                f"not an nbgrader gradebook: missing table(s) {', '.join(missing)} "
                f"(found {len(tables)} table(s))"
            )
            raise BpscareError(msg, path=self._path())
        self.has_task_cells = "task_cells" in tables
        self.has_lms_user_id = "lms_user_id" in self._query(self._db.column_names, "student")

    def _path(self) -> str:
        return self.display_url

    def _query(self, run: Any, *args: Any) -> Any:
        """``run(*args)``, a database call; its failure becomes a one-line BpscareError."""
        try:
            return run(*args)
        except self._errors as exc:
            msg = f"gradebook query failed on {self.display_url}: {first_line(exc)}"
            raise BpscareError(msg) from exc

    def _all(self, sql: str) -> list[tuple[Any, ...]]:
        return list(self._query(self._db.rows, sql))

    def _exec(self, sql: str) -> None:
        self._query(self._db.execute, sql)

    # -- raw DBAPI access (bulk rows skip SQLAlchemy's per-row processing) -------------------

    def _dbapi(self) -> Any:
        return self._db.dbapi()

    def _raw_rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Run one query on the DBAPI cursor and return plain tuples (for the larger tables)."""
        cursor = self._dbapi().cursor()
        try:
            cursor.execute(sql)
            return [tuple(r) for r in cursor.fetchall()]
        except self._errors as exc:
            msg = f"gradebook query failed on {self.display_url}: {first_line(exc)}"
            raise BpscareError(msg) from exc
        finally:
            cursor.close()

    def _bulk_insert(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        """Insert rows into a temporary table: one executemany on SQLite, batched VALUES else."""
        if rows:
            self._query(self._db.insert_many, table, columns, rows)

    # -- dimension tables (small) -----------------------------------------------------------

    def learners(self) -> list[str]:
        """Return every student id, sorted (ids only: names and e-mails are never read)."""
        return sorted(str(r[0]) for r in self._raw_rows("SELECT id FROM student"))

    def lms_user_ids(self) -> dict[str, str]:
        """Return student id -> nbgrader's ``lms_user_id`` where one is recorded."""
        if not self.has_lms_user_id:
            return {}
        rows = self._raw_rows("SELECT id, lms_user_id FROM student WHERE lms_user_id IS NOT NULL")
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
        """Return every submission with its learner, assignment, timestamp and late penalty.

        Submissions are numbered in the order of their gradebook id, on every database. The
        submitted notebooks are read in the same go (id, submission, late penalty): the penalty
        is summed per submission here, and the notebook ids are what :meth:`build_evidence`
        joins ``grade`` on.
        """
        rows = self._raw_rows(
            "SELECT id, student_id, assignment_id, timestamp FROM submitted_assignment"
        )
        notebooks = self._raw_rows(
            "SELECT id, assignment_id, late_submission_penalty FROM submitted_notebook"
        )
        a_index = {a.id: a.index for a in assignments}
        rows = [r for r in rows if r[1] in learner_index and r[2] in a_index]
        rows.sort(key=lambda r: str(r[0]))
        s_index = {r[0]: s for s, r in enumerate(rows)}
        penalty = np.zeros(len(rows))
        self._notebooks = []
        for nid, said, late in notebooks:
            s = s_index.get(said)
            if s is not None:
                self._notebooks.append((nid, s))
                if late:
                    penalty[s] += float(late)
        self._n_submissions = len(rows)
        return Submissions(
            ids=[str(r[0]) for r in rows],
            learner=np.fromiter(
                (learner_index[r[1]] for r in rows), dtype=np.int64, count=len(rows)
            ),
            assignment=np.fromiter((a_index[r[2]] for r in rows), dtype=np.int64, count=len(rows)),
            timestamp=_iso_utc_all([r[3] for r in rows]),
            late_penalty=penalty,
        )

    # -- the evidence table -----------------------------------------------------------------

    def build_evidence(
        self,
        submissions: Submissions,
        items: Sequence[GradeItem],
        helper: ScanHelper | None = None,
    ) -> int:
        """Read the tidy evidence table ``(s, c, x)`` in one pass over ``grade``; return its rows.

        Two number maps go to session-local temporary tables (submitted notebook id -> ``s``,
        cell id -> ``c``; ``WITHOUT ROWID`` on SQLite so each lookup is one B-tree search), one
        query joins ``grade`` to them and applies nbgrader's score rule, and the rows are
        streamed (server-side cursor on PostgreSQL) into numpy arrays (24 bytes a grade).
        ``helper``: a started process (:class:`~.scan_fork.ScanFork`) that reads the second
        half of a SQLite ``grade`` table (by rowid) while this one reads the first; the rows
        are the same, in the same order.
        """
        if self._n_submissions != len(submissions.ids):
            msg = "call submissions() on this source before build_evidence()"
            raise RuntimeError(msg)
        cells = [(it.cell_id, it.index) for it in items]
        if self.dialect == "sqlite":
            for statement in SQLITE_MAPS:
                self._exec(statement)
        else:
            self._exec("CREATE TEMPORARY TABLE bp_nb (nid TEXT PRIMARY KEY, s INTEGER)")
            self._exec("CREATE TEMPORARY TABLE bp_cell (cid TEXT PRIMARY KEY, c INTEGER)")
        self._bulk_insert("bp_nb", ("nid", "s"), self._notebooks)
        self._bulk_insert("bp_cell", ("cid", "c"), cells)
        if self.dialect == "postgresql":
            self._exec("ANALYZE bp_nb")
            self._exec("ANALYZE bp_cell")
        # (s, c) travel packed in one integer: each column costs a Python object per row.
        width = max(1, len(items))
        sql = evidence_query(self.dialect, width)
        table = self._read_evidence(sql, cells, helper)
        pending = np.isnan(table["x"])
        if pending.any():  # pending grades are kept apart: they are not evidence (yet)
            self._pend_s, self._pend_c = np.divmod(table["sc"][pending], width)
            table = table[~pending]
        else:
            self._pend_s = self._pend_c = np.zeros(0, dtype=np.int64)
        self._ev_s, self._ev_c = np.divmod(table["sc"], width)
        self._ev_x = np.ascontiguousarray(table["x"])
        del table
        learner_of = np.asarray(submissions.learner, dtype=np.int64)
        self._ev_l = learner_of[self._ev_s]
        self._pend_l = learner_of[self._pend_s]
        self._n_items = len(items)
        self._prepared = True
        return len(self._ev_x)

    def _read_evidence(
        self, sql: str, cells: list[tuple[str, int]], helper: ScanHelper | None
    ) -> np.ndarray:
        """The evidence rows of ``sql``, half of them read by ``helper`` where one is given."""
        if helper is None or not helper.started or not isinstance(self._db, SqliteDatabase):
            return self._fetch(sql)
        split = self._split_rowid()
        if split is None:
            helper.close()  # not needed: a small table
            return self._fetch(sql)
        helper.submit((self._db.uri, self._notebooks, cells, f"{sql} WHERE g.rowid > ?", split))
        first = self._fetch(f"{sql} WHERE g.rowid <= ?", split)
        rest = helper.result()
        if rest is None:  # the helper failed: read its half here
            rest = self._fetch(f"{sql} WHERE g.rowid > ?", split)
        return np.concatenate([first, rest])

    def _split_rowid(self) -> int | None:
        """The rowid halving a large SQLite ``grade`` table (None: small or no rowids)."""
        try:
            # Two subqueries: SQLite answers a lone min() or max() from the B-tree's ends, but
            # min() and max() in one SELECT by a scan of the whole table.
            lo, hi = self._db.rows(
                "SELECT (SELECT min(rowid) FROM grade), (SELECT max(rowid) FROM grade)"
            )[0]
        except self._errors:  # a WITHOUT ROWID table
            return None
        if not isinstance(lo, int) or not isinstance(hi, int) or hi - lo < SPLIT_MIN_ROWS:
            return None
        return (lo + hi) // 2

    def _fetch(self, sql: str, *params: Any) -> np.ndarray:
        """Stream a query's ``(sc, x)`` rows into a structured array."""
        dbapi = self._dbapi()
        if self.dialect == "postgresql":
            cursor = dbapi.cursor(name="bpscare_evidence")  # server-side: streamed
            cursor.itersize = 50_000
        else:
            cursor = dbapi.cursor()
        try:
            cursor.execute(sql, params) if params else cursor.execute(sql)
            return np.fromiter(cursor, dtype=EVIDENCE_DTYPE)
        except self._errors as exc:
            msg = f"gradebook query failed on {self.display_url}: {first_line(exc)}"
            raise BpscareError(msg) from exc
        finally:
            cursor.close()

    def _require_prepared(self) -> None:
        if not self._prepared:
            msg = "call build_evidence() before asking for aggregates"
            raise RuntimeError(msg)

    def submission_totals(self, n_submissions: int) -> tuple[np.ndarray, np.ndarray]:
        """Return (raw total, number of grades) per submission number (0 where no grades)."""
        self._require_prepared()
        total = np.bincount(self._ev_s, weights=self._ev_x, minlength=n_submissions)
        count = np.bincount(self._ev_s, minlength=n_submissions).astype(np.int64)
        return total.astype(float), count

    def pending_counts(self, n_submissions: int, n_items: int) -> tuple[np.ndarray, np.ndarray]:
        """Return the grades awaiting a manual score per submission and per cell."""
        self._require_prepared()
        return (
            np.bincount(self._pend_s, minlength=n_submissions).astype(np.int64),
            np.bincount(self._pend_c, minlength=n_items).astype(np.int64),
        )

    def competency_pending(
        self, pairs: Sequence[tuple[int, int, float]], n_learners: int, n_competencies: int
    ) -> np.ndarray:
        """Return the grades awaiting a manual score per learner x competency."""
        self._require_prepared()
        out = np.zeros(n_learners * n_competencies, dtype=np.int64)
        if not len(self._pend_c):
            return out.reshape(n_learners, n_competencies)
        for c, k in sorted({(int(ci), int(ki)) for ci, ki, _mx in pairs}):
            rows = self._pend_c == c
            if rows.any():
                out += np.bincount(
                    self._pend_l[rows] * n_competencies + k, minlength=out.size
                ).astype(np.int64)
        return out.reshape(n_learners, n_competencies)

    def item_moments(self, n_items: int) -> ItemMoments:
        """Return per-cell sums, sums of squares and cross-products with the submission total."""
        self._require_prepared()
        c, x = self._ev_c, self._ev_x
        total = np.bincount(self._ev_s, weights=x, minlength=self._n_submissions)[self._ev_s]

        def per_cell(weights: np.ndarray | None) -> np.ndarray:
            return np.bincount(c, weights=weights, minlength=n_items).astype(float)

        return ItemMoments(
            n=per_cell(None),
            sx=per_cell(x),
            sxx=per_cell(x * x),
            sxt=per_cell(x * total),
            st=per_cell(total),
            stt=per_cell(total * total),
        )

    def competency_evidence(
        self, pairs: Sequence[tuple[int, int, float]], n_learners: int, n_competencies: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return evidence count, points earned and points possible per learner x competency.

        Parameters
        ----------
        pairs
            (cell number, competency number, cell max points) for every mapped cell; a pair
            given twice counts once.

        Notes
        -----
        The evidence is sorted by cell once; each pair then contributes its cell's block of
        rows to one ``bincount`` over ``learner * n_competencies + competency``.
        """
        self._require_prepared()
        shape = (n_learners, n_competencies)
        if not pairs or not len(self._ev_x):
            return np.zeros(shape, dtype=np.int64), np.zeros(shape), np.zeros(shape)
        merged = sorted({(int(ci), int(ki)): float(mx) for ci, ki, mx in pairs}.items())
        order = np.argsort(self._ev_c, kind="stable")
        bounds = np.concatenate(([0], np.cumsum(np.bincount(self._ev_c, minlength=self._n_items))))
        key = self._ev_l[order] * n_competencies
        x = self._ev_x[order]
        keys, earned_parts, possible_parts = [], [], []
        for (c, k), mx in merged:
            lo, hi = int(bounds[c]), int(bounds[c + 1])
            if hi > lo:
                keys.append(key[lo:hi] + k)
                earned_parts.append(x[lo:hi])
                possible_parts.append(np.full(hi - lo, mx))
        size = n_learners * n_competencies
        if not keys:
            return np.zeros(shape, dtype=np.int64), np.zeros(shape), np.zeros(shape)
        flat = np.concatenate(keys)
        count = np.bincount(flat, minlength=size).astype(np.int64).reshape(shape)
        earned = np.bincount(flat, weights=np.concatenate(earned_parts), minlength=size)
        possible = np.bincount(flat, weights=np.concatenate(possible_parts), minlength=size)
        return count, earned.reshape(shape), possible.reshape(shape)

    def iter_evidence(self, batch: int = 50_000) -> Iterator[Sequence[Any]]:
        """Yield the evidence rows ``(s, c, x)`` as Python tuples, in batches, in grade order."""
        self._require_prepared()
        for lo in range(0, len(self._ev_x), batch):
            hi = lo + batch
            yield list(
                zip(
                    self._ev_s[lo:hi].tolist(),
                    self._ev_c[lo:hi].tolist(),
                    self._ev_x[lo:hi].tolist(),
                    strict=True,
                )
            )
