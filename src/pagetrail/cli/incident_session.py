"""Where `pagetrail incident` commands act and how they report: the backend chosen in one place
(`open_backend`: the service at --url, else the database), service errors as one line on stderr, and the
shared options and output of the commands in `cli/incident.py`."""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

import orjson
import typer
from sqlalchemy.exc import OperationalError

from pagetrail.cli import console
from pagetrail.cli.incident_backend import BackendUnavailable, IncidentBackend
from pagetrail.cli.incident_db import DatabaseBackend
from pagetrail.cli.incident_http import HttpBackend
from pagetrail.cli.settings_loader import load_settings
from pagetrail.domain.incident import Incident
from pagetrail.incidents.errors import IncidentError, InvalidInput
from pagetrail.incidents.intake import parse_time
from pagetrail.incidents.store.engine import database_problem
from pagetrail.incidents.store.migrate import upgrade_database
from pagetrail.reports.incident_json import incident_json


class Format(StrEnum):
    text = "text"
    json = "json"


@dataclass(frozen=True, slots=True)
class BackendOptions:
    """Where incidents live, from the group's options (before the subcommand)."""

    db: str | None
    actor: str
    url: str | None = None
    token: str | None = None


def default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "unknown"


def open_backend(options: BackendOptions) -> IncidentBackend:
    """The one place that decides where the commands act: the service at --url, else the database named
    by --db or the settings."""
    if options.url:
        return HttpBackend(options.url, token=options.token)
    settings = load_settings(options.db)
    try:
        upgrade_database(settings.database_url)
    except OperationalError as exc:
        raise fail(database_problem(settings.database_url, exc), code=2) from None
    return DatabaseBackend(settings.database_url, actor=options.actor, cadence=settings.update_cadence())


def fail(message: str, *, code: int = 1) -> typer.Exit:
    console.error(message)
    return typer.Exit(code)


@contextmanager
def backend_for(ctx: typer.Context) -> Iterator[IncidentBackend]:
    """A backend for one command; service errors become one line on stderr and exit 1."""
    backend: IncidentBackend | None = None
    try:
        options = ctx.find_object(BackendOptions) or BackendOptions(db=None, actor=default_actor())
        backend = open_backend(options)
        yield backend
    except IncidentError as exc:
        raise fail(str(exc)) from None
    except BackendUnavailable as exc:
        raise fail(str(exc), code=2) from None
    finally:
        if backend is not None:
            backend.close()


def now_utc() -> datetime:
    return datetime.now(UTC)


def print_incident(incident: Incident, output: Format, headline: str) -> None:
    if output is Format.json:
        console.print_plain(orjson.dumps(incident_json(incident), option=orjson.OPT_INDENT_2).decode())
    else:
        console.print_lines([[(headline, "bold")]])


def time_option(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_time(value, option)
    except InvalidInput as exc:
        raise typer.BadParameter(exc.reason, param_hint=option) from None


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
IdArgument = Annotated[int, typer.Argument(help="Incident id.", show_default=False)]


def mutate(
    ctx: typer.Context,
    output: Format,
    action: Callable[[IncidentBackend], Incident],
    headline: Callable[[Incident], str],
) -> None:
    with backend_for(ctx) as backend:
        incident = action(backend)
    print_incident(incident, output, headline(incident))
