"""`pagetrail token create|list|revoke`: API bearer tokens, managed directly on the database.

The plaintext is printed once, at creation; the store keeps only its SHA-256.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated

import orjson
import typer
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from pagetrail.cli import console
from pagetrail.cli.settings_loader import load_settings
from pagetrail.domain.incident import TokenInfo, TokenRole
from pagetrail.incidents import tokens
from pagetrail.incidents.errors import IncidentError
from pagetrail.incidents.store.engine import create_engine_for, database_problem
from pagetrail.incidents.store.migrate import upgrade_database
from pagetrail.incidents.store.session import run_in_transaction, session_scope

token_app = typer.Typer(
    name="token", help="API tokens for `pagetrail serve` (roles viewer, responder, admin).", no_args_is_help=True
)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="Database URL (default PAGETRAIL_DATABASE_URL, else the local SQLite file).", show_default=False
    ),
]


@contextmanager
def _engine(db: str | None) -> Iterator[Engine]:
    url = load_settings(db).database_url
    try:
        upgrade_database(url)
        engine = create_engine_for(url)
    except OperationalError as exc:
        console.error(database_problem(url, exc))
        raise typer.Exit(2) from None
    try:
        yield engine
    except IncidentError as exc:
        console.error(str(exc))
        raise typer.Exit(1) from None
    finally:
        engine.dispose()


def _row(info: TokenInfo) -> dict[str, object]:
    return {
        "id": info.id,
        "name": info.name,
        "role": info.role.value,
        "created_at": info.created_at.isoformat(),
        "revoked_at": info.revoked_at.isoformat() if info.revoked_at else None,
    }


@token_app.command("create")
def create_command(
    role: Annotated[
        TokenRole,
        typer.Option(
            "--role", help="viewer reads; responder also runs incidents and posts alerts; admin also manages tokens."
        ),
    ],
    name: Annotated[
        str | None, typer.Option("--name", help="Who or what uses it, e.g. alertmanager (default: the role).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Create a token and print it (the only time it is shown)."""
    with _engine(db) as engine:
        token = run_in_transaction(
            engine, lambda s: tokens.create_token(s, role=role, name=name or role.value, now=datetime.now(UTC))
        )
    console.print_plain(token)


@token_app.command("list")
def list_command(
    db: DbOption = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every token: id, name, role, created, revoked."""
    with _engine(db) as engine, session_scope(engine, read_only=True) as session:
        infos = tokens.list_tokens(session)
    if json_output:
        console.print_plain(orjson.dumps([_row(i) for i in infos], option=orjson.OPT_INDENT_2).decode())
        return
    if not infos:
        console.print_lines([[("no tokens", "dim")]])
        return
    lines = [[(f"{'ID':>4}  {'ROLE':<9}  {'CREATED':<20}  {'REVOKED':<20}  NAME", "bold")]]
    for info in infos:
        revoked = info.revoked_at.strftime("%Y-%m-%dT%H:%M:%SZ") if info.revoked_at else "—"
        style = "dim" if info.revoked_at else ""
        created = info.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        lines.append([(f"{info.id:>4}  {info.role.value:<9}  {created:<20}  {revoked:<20}  {info.name}", style)])
    console.print_lines(lines)


@token_app.command("revoke")
def revoke_command(
    token_id: Annotated[int, typer.Argument(help="Token id (from `pagetrail token list`).", show_default=False)],
    db: DbOption = None,
) -> None:
    """Revoke a token: requests carrying it are refused from now on."""
    with _engine(db) as engine:
        info = run_in_transaction(engine, lambda s: tokens.revoke_token(s, token_id=token_id, now=datetime.now(UTC)))
    console.print_lines([[(f"token {info.id} ({info.name}, {info.role.value}) revoked", "bold")]])
