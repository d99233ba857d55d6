"""Transactions for the service functions, which never commit themselves.

`session_scope` commits when the block ends normally and rolls back on any error, so a request
that fails half-way leaves nothing behind. `run_in_transaction` adds retries for the failures a
concurrent writer can cause (SQLite busy, PostgreSQL serialization failure or deadlock): the
whole unit of work runs again from the start, so nothing is applied twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from pagetrail.incidents.store.engine import READ_ONLY, create_engine_for

__all__ = ["create_engine_for", "is_retryable", "run_in_transaction", "session_scope"]

T = TypeVar("T")

RETRY_ATTEMPTS = 6
_RETRY_SQLSTATES = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected


@contextmanager
def session_scope(engine: Engine, *, read_only: bool = False) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on error. Objects stay
    readable after commit (expire_on_commit=False) because callers return them to renderers."""
    bind = engine.execution_options(**{READ_ONLY: True}) if read_only else engine
    with Session(bind, expire_on_commit=False) as session, session.begin():
        yield session


def is_retryable(exc: BaseException) -> bool:
    """A failure caused by a concurrent writer, where running the transaction again is safe."""
    if not isinstance(exc, DBAPIError):
        return False
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in _RETRY_SQLSTATES:
        return True
    message = str(exc.orig).lower()
    return "database is locked" in message or "database is busy" in message


def run_in_transaction(engine: Engine, work: Callable[[Session], T], *, attempts: int = RETRY_ATTEMPTS) -> T:
    """Run `work` in its own transaction, retrying it from scratch (with a short, growing pause)
    when a concurrent writer made it fail; any other error propagates at once."""
    attempt = 1
    while True:
        try:
            with session_scope(engine) as session:
                return work(session)
        except DBAPIError as exc:
            if attempt >= attempts or not is_retryable(exc):
                raise
            time.sleep(0.01 * 2**attempt)
            attempt += 1
