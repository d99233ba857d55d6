"""REST routes for incidents under /api/v1: each one a transaction around one service function.

Reads need a viewer token, writes a responder's; the actor recorded on the timeline is the token's
name. A write answers after its transaction committed; a rejected one (404, 409, 422) rolled back, so
nothing of it was kept. Writes on a sub-resource answer with the whole incident as it now stands.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Response

from pagetrail.domain.incident import Incident, TimelineKind
from pagetrail.incidents import service
from pagetrail.incidents.templates import render_channel_update, render_status_page
from pagetrail.web.auth import Responder, Viewer
from pagetrail.web.context import API_PREFIX, ServiceContext, service_context
from pagetrail.web.errors import ERROR_RESPONSES
from pagetrail.web.schemas import (
    ChecklistTickRequest,
    CommunicationsOut,
    DeclareIncidentRequest,
    RoleAssignRequest,
    SeverityChangeRequest,
    StatusChangeRequest,
    StatusUpdateRequest,
    TimelineEntryRequest,
)
from pagetrail.web.schemas_incident import ChecklistItemOut, IncidentOut, IncidentSummaryOut, TimelineEntryOut

router = APIRouter(prefix="/incidents", tags=["incidents"], responses=ERROR_RESPONSES)

Context = Annotated[ServiceContext, Depends(service_context)]
IncidentId = Annotated[int, Path(ge=1, description="The incident's number.")]


@router.get("", summary="List incidents, most recent first")
def list_incidents(
    ctx: Context,
    _: Viewer,
    include_closed: Annotated[bool, Query(description="Also list closed incidents.")] = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[IncidentSummaryOut]:
    now = ctx.now()
    summaries = ctx.read(
        lambda s: service.list_incidents(s, now=now, include_closed=include_closed, limit=limit, cadence=ctx.cadence)
    )
    return [IncidentSummaryOut.from_domain(summary) for summary in summaries]


@router.post("", status_code=201, summary="Declare an incident")
def declare_incident(ctx: Context, who: Responder, body: DeclareIncidentRequest, response: Response) -> IncidentOut:
    now = ctx.now()
    incident = ctx.write(
        lambda s: service.declare_incident(
            s,
            title=body.title,
            severity=body.severity,
            service=body.service,
            model=body.model,
            namespace=body.namespace,
            pool=body.pool,
            commander=body.commander,
            summary=body.summary,
            actor=who.name,
            now=now,
            started_at=body.started_at,
            detected_at=body.detected_at,
            cadence=ctx.cadence,
        )
    )
    response.headers["Location"] = f"{API_PREFIX}{router.prefix}/{incident.id}"
    return IncidentOut.from_domain(incident)


def _read_incident(ctx: ServiceContext, incident_id: int) -> Incident:
    now = ctx.now()
    return ctx.read(lambda s: service.get_incident(s, incident_id=incident_id, now=now, cadence=ctx.cadence))


@router.get("/{incident_id}", summary="One incident: timeline, roles, checklist, alerts, reports, cadence")
def get_incident(ctx: Context, _: Viewer, incident_id: IncidentId) -> IncidentOut:
    return IncidentOut.from_domain(_read_incident(ctx, incident_id))


@router.post("/{incident_id}/status", summary="Move the incident along its lifecycle")
def change_status(ctx: Context, who: Responder, incident_id: IncidentId, body: StatusChangeRequest) -> IncidentOut:
    now = ctx.now()
    incident = ctx.write(
        lambda s: service.change_status(
            s, incident_id=incident_id, status=body.status, actor=who.name, now=now, note=body.note, cadence=ctx.cadence
        )
    )
    return IncidentOut.from_domain(incident)


@router.post("/{incident_id}/severity", summary="Change severity (the reason goes on the timeline)")
def change_severity(ctx: Context, who: Responder, incident_id: IncidentId, body: SeverityChangeRequest) -> IncidentOut:
    now = ctx.now()
    incident = ctx.write(
        lambda s: service.change_severity(
            s,
            incident_id=incident_id,
            severity=body.severity,
            reason=body.reason,
            actor=who.name,
            now=now,
            cadence=ctx.cadence,
        )
    )
    return IncidentOut.from_domain(incident)


@router.post("/{incident_id}/roles", summary="Assign a role (a handover when someone held it)")
def assign_role(ctx: Context, who: Responder, incident_id: IncidentId, body: RoleAssignRequest) -> IncidentOut:
    now = ctx.now()
    incident = ctx.write(
        lambda s: service.assign_role(
            s, incident_id=incident_id, role=body.role, person=body.person, actor=who.name, now=now, cadence=ctx.cadence
        )
    )
    return IncidentOut.from_domain(incident)


@router.post("/{incident_id}/updates", summary="Post a status update (restarts the cadence clock)")
def post_status_update(ctx: Context, who: Responder, incident_id: IncidentId, body: StatusUpdateRequest) -> IncidentOut:
    now = ctx.now()
    incident = ctx.write(
        lambda s: service.post_status_update(
            s, incident_id=incident_id, text=body.text, actor=who.name, now=now, cadence=ctx.cadence
        )
    )
    return IncidentOut.from_domain(incident)


@router.get("/{incident_id}/timeline-entries", summary="The timeline, oldest first")
def list_timeline(ctx: Context, _: Viewer, incident_id: IncidentId) -> list[TimelineEntryOut]:
    return [TimelineEntryOut.from_domain(entry) for entry in _read_incident(ctx, incident_id).timeline]


@router.post("/{incident_id}/timeline-entries", summary="Add a note, hypothesis, decision or mitigation")
def add_timeline_entry(
    ctx: Context, who: Responder, incident_id: IncidentId, body: TimelineEntryRequest
) -> IncidentOut:
    now = ctx.now()
    incident = ctx.write(
        lambda s: service.add_timeline_entry(
            s,
            incident_id=incident_id,
            kind=TimelineKind(body.kind),
            text=body.text,
            actor=who.name,
            now=now,
            cadence=ctx.cadence,
        )
    )
    return IncidentOut.from_domain(incident)


@router.get("/{incident_id}/checklist", summary="Seed 003's incident checklist")
def list_checklist(ctx: Context, _: Viewer, incident_id: IncidentId) -> list[ChecklistItemOut]:
    return [ChecklistItemOut.from_domain(item) for item in _read_incident(ctx, incident_id).checklist]


@router.post("/{incident_id}/checklist/{item_key}", summary="Tick (or untick, with done=false) a checklist item")
def tick_checklist(
    ctx: Context,
    who: Responder,
    incident_id: IncidentId,
    item_key: Annotated[str, Path(min_length=1, max_length=100)],
    body: Annotated[ChecklistTickRequest | None, Body()] = None,
) -> IncidentOut:
    done = True if body is None else body.done
    now = ctx.now()
    incident = ctx.write(
        lambda s: service.tick_checklist(
            s, incident_id=incident_id, item_key=item_key, actor=who.name, now=now, done=done, cadence=ctx.cadence
        )
    )
    return IncidentOut.from_domain(incident)


@router.post("/{incident_id}/triage-reports", summary="Attach a `pagetrail triage --format json` report")
def attach_triage_report(
    ctx: Context,
    who: Responder,
    incident_id: IncidentId,
    report: Annotated[dict[str, Any], Body(description="A pagetrail.triage.v1 report, as the CLI prints it.")],
) -> IncidentOut:
    now = ctx.now()
    incident = ctx.write(
        lambda s: service.attach_triage_report(
            s, incident_id=incident_id, report=report, actor=who.name, now=now, cadence=ctx.cadence
        )
    )
    return IncidentOut.from_domain(incident)


@router.get("/{incident_id}/communications", summary="Seed 003's channel update and status-page texts")
def communications(ctx: Context, _: Viewer, incident_id: IncidentId) -> CommunicationsOut:
    incident = _read_incident(ctx, incident_id)
    now = ctx.now()
    return CommunicationsOut(
        channel_update=render_channel_update(incident, now=now), status_page=render_status_page(incident, now=now)
    )
