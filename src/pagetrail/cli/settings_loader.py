"""Settings for the commands that touch the incident database, with bad values as one line.

Every such command (`incident`, `token`, `db`, `serve`) loads its settings here, so a mistyped
PAGETRAIL_* variable or --db URL reads the same everywhere: the option or variable, what was wrong, exit 2.
"""

from __future__ import annotations

import typer
from pydantic import ValidationError

from pagetrail.cli import console
from pagetrail.settings import Settings


def load_settings(database_url: str | None = None) -> Settings:
    """Settings from the environment, `database_url` (from --db) overriding the database."""
    try:
        return Settings(database_url=database_url) if database_url else Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0])
        where = "--db" if database_url and field == "database_url" else f"PAGETRAIL_{field.upper()}"
        console.error(f"settings: {where}: {str(first['msg']).removeprefix('Value error, ')}")
        raise typer.Exit(2) from None
