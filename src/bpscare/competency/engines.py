"""Open a gradebook's database for reading: SQLite read-only, PostgreSQL with its driver.

A SQLite gradebook is opened with Python's own ``sqlite3`` (:class:`SqliteDatabase`): the report
needs nothing of SQLAlchemy there, and importing it costs a fresh ``bpscare report`` about 0.2 s
of CPU. Any other database goes through SQLAlchemy (:class:`ServerDatabase`, imported only then).
Both offer the few operations :class:`~bpscare.competency.evidence.GradebookSource` uses.
"""

from __future__ import annotations

import re
import sqlite3
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bpscare.errors import BpscareError

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

#: A plain SQLite URL (no host, no query): ``sqlite:///relative`` or ``sqlite:////absolute``.
_SQLITE_URL = re.compile(r"(?P<driver>sqlite(?:\+pysqlite)?):///(?P<database>[^?]*)\Z")

#: SQLite's list of tables, as SQLAlchemy's inspector reads it.
_SQLITE_TABLES = (
    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite~_%' ESCAPE '~' "
    "ORDER BY name"
)


class DatabaseUrlError(ValueError):
    """The text is not a database URL."""


def plain_sqlite_url(db_url: str) -> tuple[str, str] | None:
    """Return (driver name, database path) of a plain SQLite URL, else None.

    Parsed exactly as SQLAlchemy's ``make_url`` parses such a URL (the path is percent-decoded).
    """
    match = _SQLITE_URL.match(db_url)
    if match is None:
        return None
    return match["driver"], urllib.parse.unquote(match["database"])


def backend_name(db_url: str) -> str:
    """The URL's database kind (``sqlite``, ``postgresql``, ...); raise DatabaseUrlError."""
    if plain_sqlite_url(db_url) is not None:
        return "sqlite"
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return str(make_url(db_url).get_backend_name())
    except ArgumentError as exc:
        raise DatabaseUrlError(db_url) from exc


def sqlite_path(db_url: str) -> str | None:
    """The database file of a SQLite URL (None for other databases); raise DatabaseUrlError."""
    plain = plain_sqlite_url(db_url)
    if plain is not None:
        return plain[1]
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(db_url)
    except ArgumentError as exc:
        raise DatabaseUrlError(db_url) from exc
    return url.database or "" if url.get_backend_name() == "sqlite" else None


def redact_url(db_url: str) -> str:
    """Return the URL with any password hidden (as SQLAlchemy renders it), for messages."""
    plain = plain_sqlite_url(db_url)
    if plain is not None:
        driver, database = plain
        return f"{driver}:///{urllib.parse.quote(database, safe=' +/')}"
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(db_url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable database URL>"


def sqlite_uri(database: str | None, shown: str) -> str:
    """The read-only ``file:`` URI of a SQLite gradebook file; raise if there is no such file."""
    if not database or database == ":memory:":
        msg = f"the SQLite URL {shown} names no gradebook file; use sqlite:///path/to/gradebook.db"
        raise BpscareError(msg)
    path = Path(database).expanduser().resolve()
    if not path.is_file():
        msg = "gradebook not found (no such SQLite file)"
        raise BpscareError(msg, path=path)
    return f"file:{urllib.parse.quote(str(path))}?mode=ro"


def connect_sqlite(uri: str) -> sqlite3.Connection:
    """A read-only connection with temporary tables in memory.

    The default page cache is enough for the one scan of ``grade`` (a bigger one or mmap_size
    only adds resident memory: measured, no faster).
    """
    connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
    connection.execute("PRAGMA temp_store = MEMORY")
    return connection


class SqliteDatabase:
    """A read-only SQLite gradebook through ``sqlite3``; every statement on one connection."""

    dialect = "sqlite"
    #: What a failed statement raises.
    errors: tuple[type[Exception], ...] = (sqlite3.Error,)

    def __init__(self, db_url: str) -> None:
        shown = redact_url(db_url)
        self.uri = sqlite_uri(sqlite_path(db_url), shown)
        try:
            self.connection = connect_sqlite(self.uri)
        except sqlite3.Error as exc:
            msg = f"cannot open the gradebook {shown}: {first_line(exc)}"
            raise BpscareError(msg) from exc

    def dbapi(self) -> Any:
        """The DBAPI connection (for cursors)."""
        return self.connection

    def table_names(self) -> set[str]:
        """The gradebook's table names."""
        return {str(r[0]) for r in self.connection.execute(_SQLITE_TABLES)}

    def column_names(self, table: str) -> set[str]:
        """The column names of ``table``."""
        rows = self.connection.execute(f"PRAGMA main.table_info({table!r})")
        return {str(r[1]) for r in rows}

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Every row of a query, as tuples."""
        return self.connection.execute(sql).fetchall()

    def execute(self, sql: str) -> None:
        """Run one statement."""
        self.connection.execute(sql)

    def insert_many(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        """Insert rows into a (temporary) table with one ``executemany``."""
        marks = ", ".join("?" for _ in columns)
        self.connection.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows
        )

    def close(self) -> None:
        """Roll back (temporary tables vanish with the session) and close."""
        try:
            self.connection.rollback()
        finally:
            self.connection.close()


class ServerDatabase:
    """A gradebook on a database server (or an unusual SQLite URL) through SQLAlchemy."""

    def __init__(self, db_url: str) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
        from sqlalchemy.pool import NullPool

        try:
            url = make_url(db_url)
        except ArgumentError as exc:
            raise DatabaseUrlError(db_url) from exc
        self.dialect = url.get_backend_name()
        if self.dialect == "postgresql":
            url = postgres_driver(url)
        shown = redact_url(db_url)
        try:
            if self.dialect == "sqlite":
                uri = sqlite_uri(url.database, shown)
                self.engine = create_engine(
                    "sqlite://", creator=lambda: connect_sqlite(uri), poolclass=NullPool
                )
            else:
                self.engine = create_engine(url, poolclass=NullPool)
        except (NoSuchModuleError, ModuleNotFoundError) as exc:
            msg = f"no database driver for {url.drivername!r} is installed"
            if self.dialect == "postgresql":
                msg += '; install the PostgreSQL extra: pip install "bpscare[postgres]"'
            raise BpscareError(msg) from exc
        try:
            self.conn = self.engine.connect()
        except SQLAlchemyError as exc:
            self.engine.dispose()
            msg = f"cannot open the gradebook {shown}: {first_line(exc)}"
            raise BpscareError(msg) from exc
        #: What a failed statement raises: SQLAlchemy's wrapper, or the driver's own error
        #: (on the raw DBAPI cursor).
        self.errors: tuple[type[Exception], ...] = (
            DBAPIError,
            self.engine.dialect.loaded_dbapi.Error,
        )

    def dbapi(self) -> Any:
        """The DBAPI connection (for cursors)."""
        return self.conn.connection.dbapi_connection

    def table_names(self) -> set[str]:
        """The gradebook's table names."""
        from sqlalchemy import inspect

        return set(inspect(self.conn).get_table_names())

    def column_names(self, table: str) -> set[str]:
        """The column names of ``table``."""
        from sqlalchemy import inspect

        return {c["name"] for c in inspect(self.conn).get_columns(table)}

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Every row of a query, as tuples."""
        from sqlalchemy import text

        return [tuple(r) for r in self.conn.execute(text(sql)).all()]

    def execute(self, sql: str) -> None:
        """Run one statement."""
        from sqlalchemy import text

        self.conn.execute(text(sql))

    def insert_many(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        """Insert rows into a (temporary) table."""
        # SQLAlchemy's insert() with a list of parameter sets uses "insertmanyvalues" batching.
        from sqlalchemy import Column, MetaData, Table

        tbl = Table(table, MetaData(), *(Column(c) for c in columns))
        self.conn.execute(tbl.insert(), [dict(zip(columns, r, strict=True)) for r in rows])

    def close(self) -> None:
        """Roll back (temporary tables vanish with the session) and release the connection."""
        try:
            self.conn.rollback()
            self.conn.close()
        finally:
            self.engine.dispose()


def open_database(db_url: str) -> SqliteDatabase | ServerDatabase:
    """Open the gradebook read-only: ``sqlite3`` for a plain SQLite URL, else SQLAlchemy."""
    if plain_sqlite_url(db_url) is not None:
        return SqliteDatabase(db_url)
    return ServerDatabase(db_url)


def postgres_driver(url: URL) -> URL:
    """Give a driverless ``postgresql://`` URL the driver that is installed (psycopg2 or 3).

    SQLAlchemy maps a bare ``postgresql://`` to one driver; the ``postgres`` extra installs
    psycopg2. Without either driver the URL is returned as is and opening it names the extra.
    """
    import importlib.util

    if url.drivername != "postgresql":
        return url
    for module, driver in (("psycopg2", "postgresql+psycopg2"), ("psycopg", "postgresql+psycopg")):
        if importlib.util.find_spec(module) is not None:
            return url.set(drivername=driver)
    return url


def first_line(exc: BaseException) -> str:
    """The first line of a database error's message (the driver's, not SQLAlchemy's wrapper)."""
    original = getattr(exc, "orig", None) or exc
    text_ = str(original).strip().splitlines()
    return text_[0] if text_ else type(original).__name__
