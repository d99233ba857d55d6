"""Alembic environment for the incident store (used by `pagetrail db upgrade` and the repo's alembic.ini).

The database URL comes from the caller (`upgrade_database(url)`), else from the ini's
`sqlalchemy.url`, else from the settings (PAGETRAIL_DATABASE_URL or the default SQLite file).
On PostgreSQL a transaction-scoped advisory lock makes concurrent upgrades (two workers starting
at once) take turns; on SQLite the IMMEDIATE transaction does the same.
"""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import MetaData, text

from pagetrail.incidents.store.engine import create_engine_for
from pagetrail.incidents.store.rows import Base
from pagetrail.incidents.store.types import UTCDateTime
from pagetrail.settings import Settings

# Any constant: it only has to be the same for every pagetrail process.
_MIGRATION_LOCK = 7_205_817_364


def _database_url() -> str:
    config = context.config
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    return str(url) if url else Settings().database_url


def _render_item(kind: str, item: Any, _autogen: AutogenContext) -> str | Literal[False]:
    """Write UTCDateTime as the plain column type it stores, so migrations do not import app code."""
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _target_metadata() -> MetaData:
    """The models' metadata; a test may pass another (config.attributes["target_metadata"]) to prove
    that `alembic check` catches a model change that has no migration."""
    metadata = context.config.attributes.get("target_metadata", Base.metadata)
    assert isinstance(metadata, MetaData)
    return metadata


def _run_online() -> None:
    engine = create_engine_for(_database_url())
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=_target_metadata(),
                render_as_batch=True,
                compare_type=True,
                render_item=_render_item,
                transactional_ddl=True,
            )
            with context.begin_transaction():
                if connection.dialect.name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
                context.run_migrations()
    finally:
        engine.dispose()


def _run_offline() -> None:
    context.configure(
        url=_database_url(), target_metadata=_target_metadata(), literal_binds=True, render_item=_render_item
    )
    with context.begin_transaction():
        context.run_migrations()


if context.config.config_file_name is not None:  # run by the `alembic` command from the repository
    fileConfig(context.config.config_file_name)
if context.is_offline_mode():
    _run_offline()
else:
    _run_online()
