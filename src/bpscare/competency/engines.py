"""Open a gradebook's database for reading: SQLite read-only, PostgreSQL with its driver."""

from __future__ import annotations

import sqlite3
import urllib.parse
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine
from sqlalchemy.pool import NullPool

from bpscare.errors import BpscareError


def sqlite_engine(url: URL) -> Engine:
    """An engine on a SQLite gradebook file, opened read-only (``mode=ro``)."""
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
        # Temporary tables in memory. The default page cache is enough for the one scan of
        # ``grade`` (a bigger one or mmap_size only adds resident memory: measured, no faster).
        for pragma in ("temp_store = MEMORY",):
            dbapi_connection.execute(f"PRAGMA {pragma}")

    return engine


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
