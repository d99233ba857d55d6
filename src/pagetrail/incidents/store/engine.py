"""One engine per database URL, configured for several writers on SQLite and PostgreSQL.

SQLite: WAL (readers never block the writer), a busy timeout (a writer waits for the lock instead
of failing at once), foreign keys on, and write transactions that begin IMMEDIATE: a deferred
transaction that reads and then writes can fail with "database is locked" no matter the timeout,
because its snapshot went stale; taking the write lock up front makes writers queue instead.
Read-only sessions (`read_only=True` in session.py) begin DEFERRED so pages and lists never wait.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

BUSY_TIMEOUT_MS = 30_000
READ_ONLY = "pagetrail_read_only"


def normalise_database_url(url: str) -> URL:
    """Expand `~` in SQLite paths and use psycopg 3 for PostgreSQL (`postgresql://` alone would
    ask SQLAlchemy for psycopg2, which is not installed)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        parsed = parsed.set(database=str(Path(parsed.database).expanduser()))
    return parsed


def display_url(url: str) -> str:
    """The URL as it may be printed: any password replaced by ***."""
    return normalise_database_url(url).render_as_string(hide_password=True)


def database_problem(url: str, exc: DBAPIError) -> str:
    """One line naming the database (password hidden) and what the driver said."""
    return f"database {display_url(url)}: {' '.join(str(exc.orig).split())}"


def create_engine_for(url: str) -> Engine:
    """An engine for the incident store; creates the SQLite file's folder if it is missing."""
    parsed = normalise_database_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    if backend == "postgresql":
        return create_engine(parsed, pool_pre_ping=True)
    raise ValueError(f"unsupported database {url!r}: expected sqlite:///PATH or postgresql://USER@HOST/DB")


def _use_wal(cursor: Any) -> None:
    """Switch the file to WAL once (the mode is stored in the file). Switching needs a moment with no
    other writer, and SQLite reports "locked" at once rather than waiting, so a process that opens a
    fresh database while another is creating its schema retries for up to the busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                return
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _sqlite_engine(url: URL) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: object) -> None:
        # Let SQLAlchemy's "begin" below issue BEGIN itself (pysqlite would defer it otherwise).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        _use_wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine
