"""INSERT … ON CONFLICT DO NOTHING for the dialect in use (SQLite and PostgreSQL spell it the same,
but SQLAlchemy builds it from each dialect's own `insert`), and batch inserts in the form each
database takes fastest."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from typing import cast as typed

import orjson
from sqlalchemy import ColumnElement, Result, Table, Text, TextClause, bindparam, cast, column, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from pagetrail.incidents.store.rows import Base


def table_of(entity: type[Base]) -> Table:
    """The Core table behind a row class, for executemany statements that skip the ORM's per-row work."""
    return typed(Table, entity.__table__)


def insert_ignoring_conflicts(
    session: Session,
    entity: type[Base],
    *,
    conflict_columns: Sequence[str],
    conflict_where: ColumnElement[bool] | TextClause | None = None,
) -> Insert:
    """An INSERT that skips rows clashing with the unique index on `conflict_columns` (a partial
    index needs its predicate as `conflict_where`). Execute it with a list of row dicts, adding
    `.returning(...)` to learn which rows went in: SQLAlchemy batches the rows into multi-row
    INSERTs, and the statement's compiled form is cached whatever the number of rows."""
    dialect = session.get_bind().dialect.name
    table = table_of(entity)
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(
            index_elements=list(conflict_columns), index_where=conflict_where
        )
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(
            index_elements=list(conflict_columns), index_where=conflict_where
        )
    raise NotImplementedError(f"the incident store supports SQLite and PostgreSQL, not {dialect}")


def insert_rows(
    session: Session,
    entity: type[Base],
    rows: Sequence[Mapping[str, Any]],
    *,
    returning: Sequence[ColumnElement[Any]],
    conflict_columns: Sequence[str] = (),
) -> Result[*tuple[Any, ...]]:
    """Insert `rows` (at least one; dicts with the same keys) in one round trip; with
    `conflict_columns`, skip the rows that clash on them. The result holds `returning` for the rows
    that went in.

    On PostgreSQL the rows travel as one JSON document (`INSERT … SELECT … FROM
    json_to_recordset(…)`): the statement text is the same whatever the number of rows, so psycopg
    converts it once and the server prepares it once, where multi-row VALUES statements of 50 rows
    are long enough that psycopg re-parses them on every call; and orjson encodes the batch in C,
    where one array per column would have psycopg quote every element in Python. Datetimes must be
    timezone-aware (orjson writes them as RFC 3339). SQLite keeps SQLAlchemy's multi-row VALUES
    batching, which RETURNING turns on."""
    if session.get_bind().dialect.name != "postgresql":
        statement = (
            insert_ignoring_conflicts(session, entity, conflict_columns=conflict_columns)
            if conflict_columns
            else insert(table_of(entity))
        )
        return session.execute(statement.returning(*returning), list(rows))
    return session.execute(
        _insert_from_json(table_of(entity), list(rows[0]), conflict_columns).returning(*returning),
        {"rows": orjson.dumps(rows).decode()},
    )


def _insert_from_json(table: Table, names: list[str], conflict_columns: Sequence[str]) -> Insert:
    """`INSERT INTO table (names) SELECT … FROM json_to_recordset(:rows)`, typed as the table's columns."""
    incoming = (
        func.json_to_recordset(cast(bindparam("rows", type_=Text), postgresql.JSON))
        .table_valued(*[column(n, table.c[n].type) for n in names])
        .render_derived(name="incoming", with_types=True)
    )
    statement = postgresql.insert(table).from_select(names, select(*incoming.c))
    return statement.on_conflict_do_nothing(index_elements=list(conflict_columns)) if conflict_columns else statement
