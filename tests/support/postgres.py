"""A real PostgreSQL server on loopback for the tests: ``postgres_url`` and ``fresh_postgres_url``.

The server is started once per session with the Debian binaries (``initdb`` + ``pg_ctl`` from
``/usr/lib/postgresql/<version>/bin``, or ``$BPSCARE_PG_BIN``) in a private temporary folder, on a
random free TCP port of 127.0.0.1, with its unix socket inside that folder and password
authentication (scram-sha-256). It is stopped (``pg_ctl stop -m immediate``) and its folder
deleted at the end of the session.

PostgreSQL refuses to run as root: when the tests run as root the folder is handed to the
``postgres`` user (created by the Debian package; ``nobody`` if it does not exist) and the
binaries are run through ``runuser -u <user> --``.

The tests are skipped, with the reason, only when no ``initdb`` can be found.

Register in ``tests/conftest.py`` with ``pytest_plugins = ["support.postgres"]``.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bpscare.serve import free_port

PG_BIN_ENV = "BPSCARE_PG_BIN"
DATABASE = "bpscare_test"
SUPERUSER = "bpscare"
# SQLAlchemy 2.1 maps a bare ``postgresql://`` to psycopg 3; the project depends on psycopg2.
DRIVER = "postgresql+psycopg2"


@dataclass
class PostgresServer:
    """A running server: where it lives and how to reach it."""

    bin_dir: Path
    root: Path
    port: int
    password: str
    run_as: str | None

    def url(self, database: str = DATABASE) -> str:
        """The SQLAlchemy URL of ``database`` on this server (TCP on 127.0.0.1)."""
        return f"{DRIVER}://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def dsn(self, database: str = DATABASE) -> str:
        """The libpq connection string of ``database`` (for psycopg2 itself)."""
        return self.url(database).replace(f"{DRIVER}://", "postgresql://", 1)

    def create_database(self, name: str) -> str:
        """Create an empty database and return its URL."""
        self._admin(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, closing whatever is still connected to it."""
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _admin(self, sql: str) -> None:
        import psycopg2

        conn = psycopg2.connect(self.dsn("postgres"))
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(sql)
        finally:
            conn.close()


def find_pg_bin() -> Path | None:
    """Return the folder holding ``initdb`` and ``pg_ctl`` (newest Debian version), or None."""
    if os.environ.get(PG_BIN_ENV):
        candidate = Path(os.environ[PG_BIN_ENV])
        return candidate if (candidate / "initdb").is_file() else None
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def _service_user() -> str | None:
    """The user to run the server as: None when not root, else ``postgres`` (or ``nobody``)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    msg = "running as root and neither a 'postgres' nor a 'nobody' user exists"
    raise RuntimeError(msg)


def _run(server_cmd: list[str], run_as: str | None, **kwargs) -> subprocess.CompletedProcess:
    command = ["runuser", "-u", run_as, "--", *server_cmd] if run_as else server_cmd
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)


def start_server(bin_dir: Path) -> PostgresServer:
    """Initialise a cluster in a new temp folder and start it; raise with the server log if not."""
    run_as = _service_user()
    # Outside pytest's own temp tree: that one is private to root (0700), and the server's user
    # must be able to reach its folder.
    root = Path(tempfile.mkdtemp(prefix="bpscare-pg-"))
    password = secrets.token_hex(12)
    (root / "pwfile").write_text(password + "\n")
    (root / "socket").mkdir()
    if run_as:
        entry = pwd.getpwnam(run_as)
        for path in (root, root / "pwfile", root / "socket"):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    _run(
        [
            str(bin_dir / "initdb"),
            "-D",
            str(root / "data"),
            "-U",
            SUPERUSER,
            "--auth=scram-sha-256",
            f"--pwfile={root / 'pwfile'}",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        ],
        run_as,
    )
    port = free_port()
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={port} "
        f"-c unix_socket_directories={root / 'socket'} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
        "-c max_connections=100 -c shared_buffers=32MB"
    )
    try:
        _run(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(root / "data"),
                "-l",
                str(root / "server.log"),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ],
            run_as,
        )
    except subprocess.CalledProcessError as exc:
        log = (root / "server.log").read_text() if (root / "server.log").exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        msg = f"PostgreSQL did not start: {exc.stderr}\n{log}"
        raise RuntimeError(msg) from exc
    server = PostgresServer(bin_dir, root, port, password, run_as)
    _wait_until_ready(server)
    return server


def stop_server(server: PostgresServer) -> None:
    """Stop the server immediately and delete its folder."""
    pg_ctl = str(server.bin_dir / "pg_ctl")
    try:
        _run(
            [pg_ctl, "-D", str(server.root / "data"), "-m", "immediate", "-w", "stop"],
            server.run_as,
        )
    except subprocess.CalledProcessError:
        pass
    finally:
        shutil.rmtree(server.root, ignore_errors=True)


def _wait_until_ready(server: PostgresServer, seconds: float = 30.0) -> None:
    import psycopg2

    deadline = time.monotonic() + seconds
    while True:
        try:
            psycopg2.connect(server.dsn("postgres"), connect_timeout=2).close()
            return
        except psycopg2.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server on 127.0.0.1 for the whole session (skips if initdb is missing)."""
    bin_dir = find_pg_bin()
    if bin_dir is None:
        pytest.skip(
            "PostgreSQL is not installed (no initdb in /usr/lib/postgresql/*/bin, on PATH or in "
            f"${PG_BIN_ENV}); install the Debian 'postgresql' package to run these tests"
        )
    server = start_server(bin_dir)
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """SQLAlchemy URL (``postgresql+psycopg2://…``) of an empty database on the session's server."""
    return postgres_server.create_database(DATABASE)


@pytest.fixture
def fresh_postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """SQLAlchemy URL of a new, empty database for one test; dropped after it."""
    name = f"t_{secrets.token_hex(6)}"
    url = postgres_server.create_database(name)
    try:
        yield url
    finally:
        postgres_server.drop_database(name)
