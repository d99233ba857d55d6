"""`pagetrail db upgrade`: create or migrate the incident store to the newest schema."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.exc import OperationalError

from pagetrail.cli import console
from pagetrail.cli.settings_loader import load_settings
from pagetrail.incidents.store.engine import database_problem, display_url
from pagetrail.incidents.store.migrate import upgrade_database

db_app = typer.Typer(name="db", help="The incident database.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade_command(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Database URL (default PAGETRAIL_DATABASE_URL, else the local SQLite file).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Apply every migration not yet applied (safe to run again, and from several processes at once)."""
    url = load_settings(db).database_url
    try:
        upgrade_database(url)
    except OperationalError as exc:
        console.error(database_problem(url, exc))
        raise typer.Exit(2) from None
    console.print_lines([[(f"database {display_url(url)} is at the newest schema", "bold")]])
