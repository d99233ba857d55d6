"""`pagetrail incident …`: run an incident from the terminal, on the database or through the service.

Every command goes through an `IncidentBackend` chosen in one place (`open_backend` in
`cli/incident_session.py`), so the same commands work against the service over HTTP. Errors the service
reports (unknown incident, a move the lifecycle forbids, bad input) are one line on stderr and exit 1.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from pagetrail.cli import console
from pagetrail.cli.incident_session import (
    BackendOptions,
    Format,
    FormatOption,
    IdArgument,
    backend_for,
    default_actor,
    fail,
    mutate,
    now_utc,
    print_incident,
    time_option,
)
from pagetrail.domain.clock import format_duration
from pagetrail.domain.incident import Severity, Status, TimelineKind
from pagetrail.incidents.errors import InvalidInput
from pagetrail.incidents.roles import parse_role
from pagetrail.incidents.templates import render_channel_update, render_status_page
from pagetrail.reports.incident_json import incident_json, summary_json
from pagetrail.reports.incident_text import render_incident, render_incident_list

incident_app = typer.Typer(
    name="incident",
    help="Declare and run incidents: status, severity, roles, updates, notes, checklist, triage reports.",
    no_args_is_help=True,
)


class Template(StrEnum):
    channel = "channel"
    status_page = "status-page"


@incident_app.callback()
def incident_options(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Work directly on this database (sqlite:///PATH or postgresql://USER@HOST/DB); "
            "default PAGETRAIL_DATABASE_URL, else ~/.local/share/pagetrail/pagetrail.db.",
            show_default=False,
        ),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option(
            "--actor",
            envvar="PAGETRAIL_ACTOR",
            help="Name recorded on the timeline (default: login name).",
            show_default=False,
        ),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            envvar="PAGETRAIL_URL",
            help="Act through a running `pagetrail serve` (e.g. http://127.0.0.1:8080) instead of the database; "
            "the timeline then names the token's holder.",
            show_default=False,
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option("--token", envvar="PAGETRAIL_TOKEN", help="Bearer token for --url.", show_default=False),
    ] = None,
) -> None:
    if url and db:
        raise typer.BadParameter("use --db (the database) or --url (the service), not both", param_hint="--url")
    ctx.obj = BackendOptions(db=db, actor=actor or default_actor(), url=url, token=token)


@incident_app.command("declare")
def declare_command(
    ctx: typer.Context,
    title: Annotated[
        str, typer.Argument(help='What is wrong, e.g. "API - 50% error rate since 14:30 UTC".', show_default=False)
    ],
    severity: Annotated[
        Severity, typer.Option("--severity", "-s", help="SEV1 (all users down) … SEV4 (no user impact).")
    ],
    service: Annotated[str | None, typer.Option(help="Affected service.")] = None,
    model: Annotated[str | None, typer.Option(help="Affected model (name or version).")] = None,
    namespace: Annotated[str | None, typer.Option("--namespace", "-n", help="Kubernetes namespace.")] = None,
    pool: Annotated[str | None, typer.Option(help="Node or GPU pool.")] = None,
    commander: Annotated[str | None, typer.Option(help="Incident commander (assigned at once).")] = None,
    summary: Annotated[str, typer.Option(help="Impact in a sentence, e.g. '~30% of API requests failing'.")] = "",
    started_at: Annotated[str | None, typer.Option(help="When the problem started (RFC 3339; default now).")] = None,
    detected_at: Annotated[str | None, typer.Option(help="When it was detected (RFC 3339; default now).")] = None,
    output: FormatOption = Format.text,
) -> None:
    """Declare a new incident."""
    started, detected = time_option(started_at, "--started-at"), time_option(detected_at, "--detected-at")
    with backend_for(ctx) as backend:
        incident = backend.declare_incident(
            title=title,
            severity=severity,
            service=service,
            model=model,
            namespace=namespace,
            pool=pool,
            commander=commander,
            summary=summary,
            started_at=started,
            detected_at=detected,
        )
    due = incident.next_update_due.strftime("%H:%M UTC") if incident.next_update_due else "—"
    print_incident(incident, output, f"declared incident {incident.id} ({incident.severity}); next update due {due}")


@incident_app.command("list")
def list_command(
    ctx: typer.Context,
    include_closed: Annotated[bool, typer.Option("--all", "-a", help="Include closed incidents.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many.")] = 100,
    output: FormatOption = Format.text,
) -> None:
    """Open incidents, most severe first: severity, status, age, when the next update is due."""
    with backend_for(ctx) as backend:
        summaries = backend.list_incidents(include_closed=include_closed, limit=limit)
    if output is Format.json:
        console.print_plain(orjson.dumps([summary_json(s) for s in summaries], option=orjson.OPT_INDENT_2).decode())
    else:
        console.print_lines(render_incident_list(summaries, now=now_utc()))


@incident_app.command("show")
def show_command(
    ctx: typer.Context,
    incident_id: IdArgument,
    template: Annotated[
        Template | None,
        typer.Option("--template", "-t", help="Print the channel update or the status-page text instead."),
    ] = None,
    output: FormatOption = Format.text,
) -> None:
    """One incident: milestones, MTTD/MTTA/MTTR, roles, alerts, checklist, timeline, triage reports."""
    with backend_for(ctx) as backend:
        incident = backend.get_incident(incident_id=incident_id)
    now = now_utc()
    if template is Template.channel:
        console.print_plain(render_channel_update(incident, now=now))
    elif template is Template.status_page:
        console.print_plain(render_status_page(incident, now=now))
    elif output is Format.json:
        console.print_plain(orjson.dumps(incident_json(incident), option=orjson.OPT_INDENT_2).decode())
    else:
        console.print_lines(render_incident(incident, now=now))


@incident_app.command("update")
def update_command(
    ctx: typer.Context,
    incident_id: IdArgument,
    text: Annotated[
        str, typer.Argument(help="The update: status, current action, findings, next step.", show_default=False)
    ],
    output: FormatOption = Format.text,
) -> None:
    """Post a timestamped status update; the next one is due after the severity's cadence."""
    mutate(
        ctx,
        output,
        lambda b: b.post_status_update(incident_id=incident_id, text=text),
        lambda i: (
            f"incident {i.id}: update posted; next due {i.next_update_due.strftime('%H:%M UTC') if i.next_update_due else '—'}"
        ),
    )


class WorkingStatus(StrEnum):
    investigating = "investigating"
    identified = "identified"
    mitigated = "mitigated"


@incident_app.command("status")
def status_command(
    ctx: typer.Context,
    incident_id: IdArgument,
    status: Annotated[
        WorkingStatus, typer.Argument(help="investigating, identified or mitigated.", show_default=False)
    ],
    note: Annotated[str, typer.Option("--note", help="Why (required to reopen a resolved incident).")] = "",
    output: FormatOption = Format.text,
) -> None:
    """Move the incident forward (or reopen a resolved one to investigating, with --note)."""
    mutate(
        ctx,
        output,
        lambda b: b.change_status(incident_id=incident_id, status=Status(status.value), note=note),
        lambda i: f"incident {i.id}: {i.status}",
    )


@incident_app.command("resolve")
def resolve_command(
    ctx: typer.Context,
    incident_id: IdArgument,
    note: Annotated[str, typer.Option("--note", help="What fixed it.")] = "",
    output: FormatOption = Format.text,
) -> None:
    """Mark the incident resolved (recovery still to be verified before closing)."""
    mutate(
        ctx,
        output,
        lambda b: b.change_status(incident_id=incident_id, status=Status.RESOLVED, note=note),
        lambda i: (
            f"incident {i.id}: resolved; MTTR {format_duration(i.metrics.mttr.total_seconds()) if i.metrics.mttr else '—'}"
        ),
    )


@incident_app.command("close")
def close_command(
    ctx: typer.Context,
    incident_id: IdArgument,
    note: Annotated[str, typer.Option("--note", help="How recovery was verified.")] = "",
    output: FormatOption = Format.text,
) -> None:
    """Close the incident once recovery is verified; a closed incident no longer changes."""
    mutate(
        ctx,
        output,
        lambda b: b.change_status(incident_id=incident_id, status=Status.CLOSED, note=note),
        lambda i: f"incident {i.id}: closed",
    )


@incident_app.command("assign")
def assign_command(
    ctx: typer.Context,
    incident_id: IdArgument,
    role: Annotated[
        str,
        typer.Argument(
            help="incident_commander (ic), operator (ops), platform_engineer (sre), communications (comms).",
            show_default=False,
        ),
    ],
    person: Annotated[str, typer.Argument(help="Who takes the role.", show_default=False)],
    output: FormatOption = Format.text,
) -> None:
    """Give a role to a person; a handover from the previous holder is recorded."""
    try:
        parsed = parse_role(role)
    except InvalidInput as exc:
        raise typer.BadParameter(exc.reason, param_hint="ROLE") from None
    mutate(
        ctx,
        output,
        lambda b: b.assign_role(incident_id=incident_id, role=parsed, person=person),
        lambda i: f"incident {i.id}: {parsed.value} is {person}",
    )


@incident_app.command("severity")
def severity_command(
    ctx: typer.Context,
    incident_id: IdArgument,
    severity: Annotated[Severity, typer.Argument(help="SEV1 … SEV4.", show_default=False)],
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why the severity changes (required).")],
    output: FormatOption = Format.text,
) -> None:
    """Change the severity, with the reason on the timeline."""
    mutate(
        ctx,
        output,
        lambda b: b.change_severity(incident_id=incident_id, severity=severity, reason=reason),
        lambda i: f"incident {i.id}: now {i.severity}",
    )


class EntryKind(StrEnum):
    note = "note"
    hypothesis = "hypothesis"
    decision = "decision"
    mitigation = "mitigation"


@incident_app.command("note")
def note_command(
    ctx: typer.Context,
    incident_id: IdArgument,
    text: Annotated[str, typer.Argument(help="What to record.", show_default=False)],
    kind: Annotated[EntryKind, typer.Option("--kind", "-k", help="What the entry is.")] = EntryKind.note,
    output: FormatOption = Format.text,
) -> None:
    """Add a note, hypothesis, decision or mitigation to the timeline."""
    entry_kind = TimelineKind(kind.value)
    mutate(
        ctx,
        output,
        lambda b: b.add_timeline_entry(incident_id=incident_id, kind=entry_kind, text=text),
        lambda i: f"incident {i.id}: {entry_kind.value} added",
    )


@incident_app.command("tick")
def tick_command(
    ctx: typer.Context,
    incident_id: IdArgument,
    item: Annotated[str, typer.Argument(help="Checklist item key (shown in brackets by `show`).", show_default=False)],
    undo: Annotated[bool, typer.Option("--undo", help="Untick the item.")] = False,
    output: FormatOption = Format.text,
) -> None:
    """Tick a checklist item (seed 003's incident checklist)."""
    mutate(
        ctx,
        output,
        lambda b: b.tick_checklist(incident_id=incident_id, item_key=item, done=not undo),
        lambda i: f"incident {i.id}: {sum(c.done for c in i.checklist)}/{len(i.checklist)} checklist items done",
    )


@incident_app.command("attach")
def attach_command(
    ctx: typer.Context,
    incident_id: IdArgument,
    report_file: Annotated[Path, typer.Argument(help="A `pagetrail triage --format json` report.", show_default=False)],
    output: FormatOption = Format.text,
) -> None:
    """Attach a triage report (pagetrail.triage.v1 JSON) to the incident."""
    report = _read_report(report_file)
    mutate(
        ctx,
        output,
        lambda b: b.attach_triage_report(incident_id=incident_id, report=report),
        lambda i: f"incident {i.id}: {i.timeline[-1].text}",
    )


def _read_report(path: Path) -> dict[str, Any]:
    try:
        data = orjson.loads(path.read_bytes())
    except OSError as exc:
        raise fail(f"{path}: cannot read: {exc.strerror or exc}", code=2) from None
    except orjson.JSONDecodeError as exc:
        raise fail(f"{path}: not valid JSON: {exc}", code=2) from None
    if not isinstance(data, dict):
        raise fail(f"{path}: expected a JSON object (a pagetrail.triage.v1 report), got {type(data).__name__}", code=2)
    return data
