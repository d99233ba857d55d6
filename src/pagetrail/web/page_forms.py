"""The incident page's forms: each post is one service call in one transaction, then a redirect back.

A refused change (an empty reason, a move the lifecycle forbids, a malformed report) re-renders the
incident page with the reason at the top and nothing written; a successful one answers 303 to the
page, so reloading it never posts twice. Every post must come from this site (page_auth.same_origin)
and carry a responder's session.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, UploadFile
from sqlalchemy.orm import Session
from starlette.responses import Response

from pagetrail.domain.incident import Principal, Severity, Status
from pagetrail.incidents import service
from pagetrail.incidents.errors import IncidentError, IncidentNotFound, InvalidInput, InvalidTransition
from pagetrail.incidents.roles import parse_role
from pagetrail.web.context import ServiceContext, service_context
from pagetrail.web.page_auth import page_responder, same_origin
from pagetrail.web.page_reads import declare_form, incident_response
from pagetrail.web.page_rendering import PageRoute, see_other

router = APIRouter(route_class=PageRoute, include_in_schema=False, dependencies=[Depends(same_origin)])

Context = Annotated[ServiceContext, Depends(service_context)]
Responder = Annotated[Principal, Depends(page_responder)]
IncidentId = Annotated[int, Path(ge=1)]
Text = Annotated[str, Form()]


def _status_code(exc: IncidentError) -> int:
    if isinstance(exc, IncidentNotFound):
        return 404
    return 409 if isinstance(exc, InvalidTransition) else 422


def _severity(value: str) -> Severity:
    try:
        return Severity(value.strip().upper())
    except ValueError:
        raise InvalidInput(
            "severity", f"expected one of {', '.join(s.value for s in Severity)}, got {value!r}"
        ) from None


def _status(value: str) -> Status:
    try:
        return Status(value.strip().lower())
    except ValueError:
        raise InvalidInput("status", f"expected one of {', '.join(s.value for s in Status)}, got {value!r}") from None


def _change(
    ctx: ServiceContext, who: Principal, incident_id: int, work: Callable[[Session], object], *, done: str, anchor: str
) -> Response:
    """Run one change; on success go back to the page (at the section that changed), else show why not."""
    try:
        ctx.write(work)
    except IncidentError as exc:
        return incident_response(ctx, who, incident_id, status_code=_status_code(exc), error=str(exc))
    return see_other(f"/incidents/{incident_id}?done={done}#{anchor}")


@router.post("/incidents")
def declare(
    ctx: Context,
    who: Responder,
    title: Text = "",
    severity: Text = "",
    service_name: Annotated[str, Form(alias="service")] = "",
    model: Text = "",
    namespace: Text = "",
    pool: Text = "",
    commander: Text = "",
    summary: Text = "",
) -> Response:
    """Declare; the declaring person takes incident command unless someone else is named (seed 000)."""
    form = {
        "title": title,
        "severity": severity,
        "service": service_name,
        "model": model,
        "namespace": namespace,
        "pool": pool,
        "commander": commander,
        "summary": summary,
    }
    now = ctx.now()
    try:
        level = _severity(severity)
        incident = ctx.write(
            lambda s: service.declare_incident(
                s,
                title=title,
                severity=level,
                service=service_name.strip() or None,
                model=model.strip() or None,
                namespace=namespace.strip() or None,
                pool=pool.strip() or None,
                commander=commander.strip() or who.name,
                summary=summary,
                actor=who.name,
                now=now,
                cadence=ctx.cadence,
            )
        )
    except IncidentError as exc:
        return declare_form(ctx, who, form, status_code=_status_code(exc), error=str(exc))
    return see_other(f"/incidents/{incident.id}?done=declared")


@router.post("/incidents/{incident_id}/updates")
def post_update(ctx: Context, who: Responder, incident_id: IncidentId, text: Text = "") -> Response:
    now = ctx.now()
    return _change(
        ctx,
        who,
        incident_id,
        lambda s: service.post_status_update(
            s, incident_id=incident_id, text=text, actor=who.name, now=now, cadence=ctx.cadence
        ),
        done="update",
        anchor="timeline",
    )


@router.post("/incidents/{incident_id}/entries")
def add_entry(ctx: Context, who: Responder, incident_id: IncidentId, kind: Text = "", text: Text = "") -> Response:
    now = ctx.now()
    return _change(
        ctx,
        who,
        incident_id,
        lambda s: service.add_timeline_entry(
            s, incident_id=incident_id, kind=kind, text=text, actor=who.name, now=now, cadence=ctx.cadence
        ),
        done="entry",
        anchor="timeline",
    )


@router.post("/incidents/{incident_id}/status")
def change_status(
    ctx: Context, who: Responder, incident_id: IncidentId, status: Text = "", note: Text = ""
) -> Response:
    now = ctx.now()

    def work(session: Session) -> object:
        return service.change_status(
            session,
            incident_id=incident_id,
            status=_status(status),
            actor=who.name,
            now=now,
            note=note,
            cadence=ctx.cadence,
        )

    return _change(ctx, who, incident_id, work, done="status", anchor="status")


@router.post("/incidents/{incident_id}/severity")
def change_severity(
    ctx: Context, who: Responder, incident_id: IncidentId, severity: Text = "", reason: Text = ""
) -> Response:
    now = ctx.now()

    def work(session: Session) -> object:
        return service.change_severity(
            session,
            incident_id=incident_id,
            severity=_severity(severity),
            reason=reason,
            actor=who.name,
            now=now,
            cadence=ctx.cadence,
        )

    return _change(ctx, who, incident_id, work, done="severity", anchor="severity")


@router.post("/incidents/{incident_id}/roles")
def assign_role(ctx: Context, who: Responder, incident_id: IncidentId, role: Text = "", person: Text = "") -> Response:
    now = ctx.now()

    def work(session: Session) -> object:
        return service.assign_role(
            session,
            incident_id=incident_id,
            role=parse_role(role),
            person=person,
            actor=who.name,
            now=now,
            cadence=ctx.cadence,
        )

    return _change(ctx, who, incident_id, work, done="role", anchor="roles")


@router.post("/incidents/{incident_id}/checklist/{item_key}")
def tick_checklist(ctx: Context, who: Responder, incident_id: IncidentId, item_key: str, done: Text = "1") -> Response:
    now = ctx.now()
    return _change(
        ctx,
        who,
        incident_id,
        lambda s: service.tick_checklist(
            s,
            incident_id=incident_id,
            item_key=item_key,
            actor=who.name,
            now=now,
            done=done != "0",
            cadence=ctx.cadence,
        ),
        done="checklist",
        anchor="checklist",
    )


def _report_json(upload: UploadFile) -> dict[str, object]:
    """The uploaded file as a JSON object, or InvalidInput naming the file and what is wrong with it."""
    name = upload.filename or "the uploaded file"
    data = upload.file.read()
    if not data.strip():
        raise InvalidInput("report", f"{name} is empty; expected the output of `pagetrail triage BUNDLE --format json`")
    try:
        report = json.loads(data)
    except UnicodeDecodeError:
        raise InvalidInput("report", f"{name} is not UTF-8 text; expected a triage report JSON file") from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            "report", f"{name} is not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    if not isinstance(report, dict):
        raise InvalidInput("report", f"{name}: expected a JSON object, got {type(report).__name__}")
    return report


@router.post("/incidents/{incident_id}/reports")
def attach_report(
    ctx: Context, who: Responder, incident_id: IncidentId, report: Annotated[UploadFile, File()]
) -> Response:
    now = ctx.now()
    try:
        parsed = _report_json(report)  # read once, outside the transaction a lock retry would re-run
    except InvalidInput as exc:
        return incident_response(ctx, who, incident_id, status_code=422, error=str(exc))
    return _change(
        ctx,
        who,
        incident_id,
        lambda s: service.attach_triage_report(
            s, incident_id=incident_id, report=parsed, actor=who.name, now=now, cadence=ctx.cadence
        ),
        done="report",
        anchor="triage-1",
    )
