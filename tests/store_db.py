"""Fresh incident databases for tests: a SQLite file in a temp dir, or a uniquely named PostgreSQL
database on 127.0.0.1:5432 (user postgres, trust auth) created for the test and dropped after it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from pagetrail.incidents.store.migrate import upgrade_database

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
KINDS = ("sqlite", "postgresql")


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new empty PostgreSQL database; yields its SQLAlchemy URL and drops it afterwards."""
    name = f"pagetrail_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL not reachable on 127.0.0.1:5432: {exc}")
        pytest.skip(f"PostgreSQL not reachable on 127.0.0.1:5432: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def empty_database(kind: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the given kind (no schema yet)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'pagetrail.db'}"
    else:
        with postgres_database() as url:
            yield url


@contextmanager
def fresh_database(kind: str, tmp_path: Path) -> Iterator[str]:
    """A database of the given kind at the newest schema."""
    with empty_database(kind, tmp_path) as url:
        upgrade_database(url)
        yield url
