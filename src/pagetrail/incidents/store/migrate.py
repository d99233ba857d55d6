"""Alembic, configured in code: users run `pagetrail db upgrade` (or the service does at start)
without an alembic.ini; the migrations ship inside the package."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    """A Config pointing at the packaged migrations; env.py reads the URL from its attributes
    (not from the ini, whose % interpolation would mangle passwords)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = url
    return config


def upgrade_database(url: str) -> None:
    """Bring the database to the newest schema; safe to run from several processes at once."""
    command.upgrade(alembic_config(url), "head")
